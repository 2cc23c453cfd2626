//! `-v/--verbose`: how a run of a MOSS file is set up, as a person debugging it needs to know, on
//! stderr. Everything here runs only when --verbose was given: a run without it does none of it.

use std::path::Path;

use crate::cli::Command;
use crate::cli::style::verbose_line;
use crate::embed::python_env::Chosen;
use crate::error::Problem;
use crate::project::config::Config;
use crate::run::timings;

/// Which context a run of a MOSS file loads: the one its configuration names (or --context), or
/// none, and why.
pub enum ContextUse<'a> {
    Named(Option<&'a Path>),
    None(&'static str),
}

/// Tells the setup of a command that runs a MOSS file in this process's Python (chosen already),
/// and, for one run (`exec`, `prompt`), starts keeping the stage marks, from `started`, for
/// `tell_stages`.
pub fn tell_setup(command: &Command, started: f64) {
    let (file, context) = match command {
        Command::Exec(args) if args.context.no_context => (&args.file, ContextUse::None("--no-context")),
        Command::Exec(args) => (&args.file, ContextUse::Named(args.context.context.as_deref())),
        Command::Prompt(args) => match &args.file {
            Some(file) => (file, ContextUse::Named(args.context.as_deref())),
            None => return,
        },
        Command::Serve(args) => (&args.file, ContextUse::None("the server keeps none: each `moss exec` loads its own")),
        _ => return,
    };
    // A server's life is no one run: its stages would pile up for as long as it serves.
    if !matches!(command, Command::Serve(_)) {
        timings::keep(started);
    }
    let python = crate::embed::relaunch::chosen().0;
    tell_file(file, context, python);
    if let Command::Prompt(_) = command {
        tell_cold_only(file, "moss prompt");
    }
}

/// Tells where a MOSS file's configuration, Python and context come from.
pub fn tell_file(file: &Path, context: ContextUse, python: Result<&Chosen, Problem>) {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    verbose_line(&format!("MOSS file: {}", file.display()));
    let config = match Config::for_moss_file(&file) {
        Ok(config) => config,
        Err(e) => {
            verbose_line(&format!("configuration: cannot be read: {e}"));
            return;
        }
    };
    match &config.file {
        Some(found) => verbose_line(&format!("configuration: {}", found.display())),
        None => verbose_line("configuration: none (no moss.toml or [tool.moss] at or above the file's folder)"),
    }
    match python {
        Ok(chosen) => verbose_line(&format!("python: {} (chosen by {})", chosen.describe(), chosen.rule)),
        Err(problem) => verbose_line(&format!("python: none usable: {}", problem.message)),
    }
    match context {
        ContextUse::None(why) => verbose_line(&format!("context: none ({why})")),
        ContextUse::Named(flag) => match config.context_path(flag, &file) {
            Ok(path) if path.is_file() => verbose_line(&format!("context: {}", path.display())),
            Ok(path) => verbose_line(&format!(
                "context: {} (not written yet: properties start at their defaults)",
                path.display()
            )),
            Err(e) => verbose_line(&format!("context: cannot be found: {e}")),
        },
    }
}

/// Tells that `command` runs cold whether or not a warm server is up for `file`.
pub fn tell_cold_only(file: &Path, command: &str) {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let socket = Config::for_moss_file(&file)
        .ok()
        .and_then(|config| crate::run::warm_protocol::socket_path(&config, &file).ok())
        .filter(|socket| socket.exists());
    match socket {
        Some(socket) => verbose_line(&format!(
            "cold: {command} runs in a process of its own; only `moss exec` runs on the server at {}",
            socket.display()
        )),
        None => verbose_line(&format!("cold: {command} runs in a process of its own")),
    }
}

/// Tells how long each stage of the run took, as MOSS_TIMINGS would have written them.
pub fn tell_stages() {
    let stages = timings::kept();
    let Some((_, start)) = stages.first() else { return };
    verbose_line("stages (seconds since moss started, and since the stage before):");
    let mut before = *start;
    for (stage, at) in &stages {
        verbose_line(&format!("  {stage:<26} {:>8.3}  +{:.3}", at - start, at - before));
        before = *at;
    }
}
