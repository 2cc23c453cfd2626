//! The result of `moss exec`, as one JSON object (`--json`) or as output plus diagnostics.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use crate::cli::style;
use crate::error::ErrorKind;
use crate::json_lines;
use crate::run::error_info::ErrorInfo;

/// The exit status of an interrupted run: 128 + SIGINT, what shells report for Ctrl-C.
pub const INTERRUPTED_EXIT: u8 = 130;

#[derive(Debug, Default, Serialize)]
pub struct ExecResult {
    pub ok: bool,
    pub returns: Value,
    pub returns_repr: Option<String>,
    pub stdout: String,
    pub stderr: String,
    /// How the code was found in the reply (`python`, `markdown`, `code-tags`, `json`); null when
    /// no code was read.
    pub code_format: Option<crate::prompt::reply::Found>,
    pub error: Option<ErrorInfo>,
    pub context: ContextReport,
    pub duration_ms: f64,
    pub warnings: Vec<String>,
    /// The robot's state when the run ended, with `--device`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<crate::device::DeviceReport>,
    /// What the code was allowed, with `--sandbox`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::run::sandbox::Policy>,
    /// The code as read and where it came from, for the run journal.
    #[serde(skip)]
    pub code: Option<(String, String)>,
    /// The context's properties when the run started, for the run journal.
    #[serde(skip)]
    pub start: Option<serde_json::Map<String, Value>>,
    /// Of `warnings`, those about values the MOSS file set and the code left alone: not
    /// journaled, since the model reads the journal and the file may have set them in hidden code.
    #[serde(skip)]
    pub file_warnings: Vec<String>,
    /// The device spec the run was given, for the run journal.
    #[serde(skip)]
    pub device_spec: Option<String>,
    /// The run journal to record this run in; none with --no-context.
    #[serde(skip)]
    pub journal: Option<std::path::PathBuf>,
}

#[derive(Debug, Default, Serialize)]
pub struct ContextReport {
    pub path: Option<String>,
    pub saved: bool,
    pub changed: Vec<String>,
    /// The names added, changed and removed, with short values; empty unless the context was saved.
    pub diff: crate::run::context_diff::ContextDiff,
}

pub fn exec_result(result: &ExecResult, json: bool) {
    if json {
        let mut out = std::io::stdout().lock();
        let _ = json_lines::write(&mut out, result);
        let _ = out.flush();
        for warning in &result.warnings {
            style::warning(warning);
        }
        return;
    }
    for warning in &result.warnings {
        style::warning(warning);
    }
    // On a colour terminal the live view has shown the device's state already.
    if let Some(device) = result.device.as_ref().filter(|d| d.unreachable.is_none() && !style::colored()) {
        let place = match (device.x_cm, device.y_cm) {
            (Some(x), Some(y)) => format!(", at ({x:.1}, {y:.1}) cm"),
            _ => String::new(),
        };
        let errors =
            if device.errors.is_empty() { String::new() } else { format!("; errors: {}", device.errors.join(", ")) };
        style::note(&format!(
            "{}: heading {}°, speed {}{place} after {} packets{errors}",
            device.name, device.heading, device.speed, device.packets_sent
        ));
    }
    match &result.error {
        Some(error) => print_error(error),
        None if !result.returns.is_null() || result.returns_repr.as_deref().is_some_and(|r| r != "None") => {
            let text = if result.returns.is_null() {
                result.returns_repr.clone().unwrap_or_default()
            } else {
                serde_json::to_string(&result.returns).expect("a JSON value serialises")
            };
            let mut out = std::io::stdout().lock();
            if !result.stdout.is_empty() && !result.stdout.ends_with('\n') {
                let _ = out.write_all(b"\n");
            }
            let _ = writeln!(out, "{text}");
        }
        None => {}
    }
}

/// An error as the person at the terminal reads it: headline, location, traceback, hint.
pub fn print_error(error: &ErrorInfo) {
    match (error.location(), error.kind) {
        (Some(at), ErrorKind::Exception | ErrorKind::Syntax | ErrorKind::Module) => {
            style::error(&format!("{}\n  --> {at}", error.headline()), None)
        }
        _ => style::error(&error.headline(), None),
    }
    if !error.traceback.is_empty() {
        style::detail(&error.traceback);
    }
    if let Some(hint) = &error.hint {
        style::hint(hint);
    }
}
