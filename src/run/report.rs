//! The result of `moss exec`, as one JSON object (`--json`) or as output plus diagnostics.

use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cli::style;
use crate::error::{ErrorKind, MossError};
use nix::sys::signal::Signal;

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
    pub diff: crate::run::journal::ContextDiff,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    pub traceback: String,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// What to do next, for the person or the model reading the error.
    #[serde(default)]
    pub hint: Option<String>,
}

impl ErrorInfo {
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    pub fn new(kind: ErrorKind, type_name: &str, message: String) -> Self {
        ErrorInfo { kind, type_name: type_name.into(), message, ..Default::default() }.with_default_hint()
    }

    pub fn from_moss_error(e: &MossError) -> Self {
        let type_name = match e {
            MossError::Context(_) => "ContextError",
            MossError::CodeNotText { .. } => "UnicodeDecodeError",
            MossError::NoCode { .. } | MossError::CutOff { .. } => "NoCode",
            MossError::ApiError { .. } => "ApiError",
            _ => "MossError",
        };
        if let MossError::Device(message) = e {
            return ErrorInfo::device(message);
        }
        ErrorInfo { hint: e.hint(), ..ErrorInfo::new(e.kind(), type_name, e.to_string()) }
    }

    pub fn timeout(limit: f64) -> Self {
        ErrorInfo::new(ErrorKind::Timeout, "Timeout", format!("timed out after {limit} s; the run was stopped"))
    }

    /// A signal to moss (Ctrl-C, SIGTERM, SIGHUP) interrupted the run; `traceback` shows where
    /// the code was, when it lived to say.
    pub fn interrupted(signal: Signal, traceback: String) -> Self {
        let message = format!("the run was interrupted by {signal}; nothing of it was saved");
        ErrorInfo { traceback, ..ErrorInfo::new(ErrorKind::Interrupted, "Interrupted", message) }
    }

    /// The child ended without a result: killed by `signal`, or else exited with `code`.
    pub fn crash(ending: Result<i32, Signal>) -> Self {
        let how = match ending {
            Err(signal) => format!("it was killed by signal {} ({signal})", signal as i32),
            Ok(code) => format!("the process exited with status {code} (os._exit or a C extension)"),
        };
        ErrorInfo::new(ErrorKind::Crash, "Crash", format!("the run ended without a result: {how}"))
    }

    /// The tool itself failed: a bug in moss.
    pub fn internal(message: &str) -> Self {
        ErrorInfo::new(ErrorKind::Internal, "MossError", message.to_owned())
    }

    /// The child could not confine itself as `--sandbox` asked; it ran no code.
    pub fn sandbox_refused(stderr: &str) -> Self {
        let error = ErrorInfo::new(ErrorKind::Internal, "SandboxError", stderr.trim().to_owned());
        ErrorInfo {
            hint: Some(
                "the code did not run; run without --sandbox, or in a container, if this kernel cannot confine it"
                    .into(),
            ),
            ..error
        }
    }

    /// The warm server ended during the run, so nobody knows how far the code got; `message`
    /// ends in `\nhint: ...`.
    pub fn server_lost(message: &str) -> Self {
        let (message, hint) = message.split_once("\nhint: ").unwrap_or((message, ""));
        let error = ErrorInfo::new(ErrorKind::Crash, "ServerLost", message.to_owned());
        ErrorInfo { hint: Some(format!("the context was left as it was; {hint}")), ..error }
    }

    /// The robot cannot be reached; `message` may end in `\nhint: ...`.
    pub fn device(message: &str) -> Self {
        let (message, hint) = match message.split_once("\nhint: ") {
            Some((message, hint)) => (message, Some(hint.to_owned())),
            None => (message, None),
        };
        ErrorInfo { hint, ..ErrorInfo::new(ErrorKind::Device, "DeviceError", message.to_owned()) }
    }

    /// The embedded interpreter could not start.
    pub fn no_interpreter(message: &str) -> Self {
        let (message, hint) = match message.split_once("\nhint: ") {
            Some((message, hint)) => (message, hint.to_owned()),
            None => (message, "`moss config FILE` shows which Python moss chose for the file, and why".to_owned()),
        };
        ErrorInfo { hint: Some(hint), ..ErrorInfo::new(ErrorKind::Module, "MossError", message.to_owned()) }
    }

    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file.clone(),
        })
    }

    pub fn headline(&self) -> String {
        match self.kind {
            ErrorKind::Exception => format!("the generated code raised {}: {}", self.type_name, self.message),
            ErrorKind::Syntax => format!("the generated code has a syntax error: {}", self.message),
            ErrorKind::Module if matches!(self.type_name.as_str(), "BindingMissing" | "MossError") => {
                self.message.clone()
            }
            ErrorKind::Module => format!("the MOSS file failed to load: {}: {}", self.type_name, self.message),
            _ => self.message.clone(),
        }
    }

    /// Fills in the hint for an error whose kind says what to do.
    pub fn with_default_hint(mut self) -> Self {
        if self.hint.is_none() {
            self.hint = self.default_hint().map(str::to_owned);
        }
        self
    }

    fn default_hint(&self) -> Option<&'static str> {
        Some(match self.kind {
            ErrorKind::Exception | ErrorKind::Syntax | ErrorKind::Crash => {
                "the context was left as it was; fix or regenerate the code and run it again"
            }
            ErrorKind::Target => "the code must define the target (`def main(moss): ...`), or pass --target NAME",
            ErrorKind::Module if self.type_name == "BindingMissing" => {
                "bind it in the MOSS file's `__moss_compile__(compiler)` with `compiler.bind(Type, value)`, or give the attribute a value"
            }
            ErrorKind::Module => "fix the MOSS file; nothing of the generated code ran",
            ErrorKind::Timeout => "the context was left as it was; make the code finish sooner or raise --timeout",
            ErrorKind::Interrupted => "the context was left as it was, even if the code went on after the interrupt",
            ErrorKind::Internal => "this is a bug in moss; please report it with the MOSS file and the code",
            _ => return None,
        })
    }
}

pub fn exec_result(result: &ExecResult, json: bool) {
    if json {
        let mut out = std::io::stdout().lock();
        let _ = serde_json::to_writer(&mut out, result);
        let _ = out.write_all(b"\n");
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
