//! Diagnostics on stderr: `error:`, `warning:` and `hint:` lines, coloured only when wanted, and
//! the `moss:` lines of --verbose.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::ValueEnum;
use owo_colors::{OwoColorize, Style};

use crate::error::Problem;

static COLOR: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicBool = AtomicBool::new(false);

/// When diagnostics are coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn configure(choice: ColorChoice, quiet: bool, verbose: bool) {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    COLOR.store(color, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// Whether --verbose asked for the details of a run: callers test it before working out what
/// only `verbose` would show.
pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Whether diagnostics on stderr are coloured (a terminal, and NO_COLOR unset, or --color always).
pub fn colored() -> bool {
    COLOR.load(Ordering::Relaxed)
}

fn label(text: &str, style: Style) -> String {
    if COLOR.load(Ordering::Relaxed) { text.style(style).to_string() } else { text.to_owned() }
}

pub fn error(message: &str, hint: Option<&str>) {
    let mut out = format!("{} {message}\n", label("error:", Style::new().red().bold()));
    if let Some(hint) = hint {
        out.push_str(&hint_lines(hint));
    }
    emit(&out);
}

/// Extra lines under an error (a location, a traceback), shown as they are.
pub fn detail(text: &str) {
    let mut text = text.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    emit(&text);
}

pub fn hint(text: &str) {
    emit(&hint_lines(text));
}

/// A warning kept as one string, as the `warnings` of a run hold it (`Problem::to_text`).
pub fn warning(text: &str) {
    warn(&Problem::from_text(text));
}

pub fn warn(problem: &Problem) {
    if QUIET.load(Ordering::Relaxed) {
        return;
    }
    let mut out = format!("{} {}\n", label("warning:", Style::new().yellow().bold()), problem.message);
    if let Some(hint) = &problem.hint {
        out.push_str(&hint_lines(hint));
    }
    emit(&out);
}

fn hint_lines(hint: &str) -> String {
    format!("{} {hint}\n", label("hint:", Style::new().cyan().bold()))
}

fn emit(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// A side remark for the person at the terminal (silenced by --quiet).
pub fn note(message: &str) {
    if !QUIET.load(Ordering::Relaxed) {
        emit(&format!("{message}\n"));
    }
}

/// A detail for the person debugging a run (only with --verbose): `moss: ` and the message.
pub fn verbose_line(message: &str) {
    if verbose() {
        emit(&format!("{} {message}\n", label("moss:", Style::new().dimmed())));
    }
}
