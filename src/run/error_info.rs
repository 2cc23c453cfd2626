//! An error of a run as data: its kind (which decides the exit code), the Python exception, where
//! it happened, and what to do next. The report prints it, the journal keeps it, the warm server
//! and the test worker send it between processes.

use nix::sys::signal::Signal;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, MossError, Problem};

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
        if let MossError::Device(problem) = e {
            return ErrorInfo::device(problem.clone());
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

    /// A warm run interrupted by `signal` before its server started it: none of its code ran.
    pub fn interrupted_before_start(signal: Signal) -> Self {
        let message = format!("interrupted by {signal} before the warm server started the run: none of the code ran");
        ErrorInfo::new(ErrorKind::Interrupted, "Interrupted", message)
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
    /// The error of a run whose `--max-memory` left Python too little to start (it aborted before
    /// its MemoryError existed), or moss's own side of the run too little (a MemoryError outside
    /// the code): said as the command line's fault, which it is, not as the code's crash or a bug
    /// of moss. `self` otherwise.
    pub fn memory_too_small(self, max_memory: Option<u64>, stderr: &str) -> Self {
        let Some(limit) = max_memory else { return self };
        let out_of_memory =
            |text: &str| ["NoMemory", "MemoryError", "Cannot allocate memory"].iter().any(|m| text.contains(m));
        let what = match self.kind {
            ErrorKind::Crash if stderr.contains("Fatal Python error") && out_of_memory(stderr) => {
                "is too small for Python to start: none of the code ran"
            }
            ErrorKind::Internal if out_of_memory(&self.message) => {
                "left moss's side of the run too little memory (a MemoryError outside the code)"
            }
            _ => return self,
        };
        let mut error =
            ErrorInfo::new(ErrorKind::Usage, "MossError", format!("--max-memory {} MiB {what}", limit >> 20));
        error.hint = Some("raise --max-memory: the interpreter and the MOSS file's imports count towards it".into());
        error
    }

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

    /// The warm server ended during the run, so nobody knows how far the code got.
    pub fn server_lost(lost: Problem) -> Self {
        let error = ErrorInfo::new(ErrorKind::Crash, "ServerLost", lost.message);
        let hint = format!("the context was left as it was; {}", lost.hint.unwrap_or_default());
        ErrorInfo { hint: Some(hint), ..error }
    }

    /// The robot cannot be reached.
    pub fn device(unreachable: Problem) -> Self {
        ErrorInfo { hint: unreachable.hint, ..ErrorInfo::new(ErrorKind::Device, "DeviceError", unreachable.message) }
    }

    /// The embedded interpreter could not start.
    pub fn no_interpreter(problem: Problem) -> Self {
        let hint = problem
            .hint
            .unwrap_or_else(|| "`moss config FILE` shows which Python moss chose for the file, and why".to_owned());
        ErrorInfo { hint: Some(hint), ..ErrorInfo::new(ErrorKind::Module, "MossError", problem.message) }
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
