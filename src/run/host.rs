//! Calling the shipped Python host (`_moss.host`) in a supervised child process: the one way
//! every command runs user code.

use std::path::Path;
use std::time::Duration;

use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::embed::interpreter;
use crate::run::error_info::ErrorInfo;
use crate::run::request::RunRequest;
use crate::run::supervisor::{self, Companion, Ending, Supervision};

/// What a host call produced, seen from the parent.
pub struct HostRun<T> {
    /// The host function's result and the interpreter's warnings, or why there is none: a time
    /// limit, a crash, or a failure of the host itself.
    pub outcome: Result<(T, Vec<String>), ErrorInfo>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub duration: Duration,
    /// The processes the code left running, which were killed when the run ended.
    pub left_running: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum Message<T> {
    Done {
        value: T,
        warnings: Vec<String>,
    },
    /// The interpreter could not start: the installation is at fault, not the MOSS file.
    NoInterpreter {
        message: String,
    },
    /// The host itself failed: a bug in moss.
    Failed {
        message: String,
    },
}

/// Runs `_moss.host.<function>(request)` in a child; `read` turns its result into `T` there.
/// Must be called while this process has a single thread.
pub fn call<T: Serialize + DeserializeOwned>(
    moss_file: &Path,
    function: &str,
    request: &RunRequest,
    supervision: &Supervision,
    companion: Option<Companion>,
    read: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
) -> std::io::Result<HostRun<T>> {
    let run = supervisor::run_isolated(supervision, companion, job(moss_file, function, request, read))?;
    Ok(outcome(run, supervision))
}

/// The work of a child process: start (or, in a process forked from a warm server, resume) the
/// interpreter, call the host function, and encode what happened for `outcome`.
pub fn job<'a, T: Serialize>(
    moss_file: &'a Path,
    function: &'a str,
    request: &'a RunRequest,
    read: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T> + 'a,
) -> impl FnOnce() -> Vec<u8> + 'a {
    move || {
        crate::run::timings::mark("child started");
        let message = match interpreter::start(moss_file) {
            Err(message) => Message::NoInterpreter { message },
            Ok(warnings) => match call_here(function, request, read) {
                Ok(value) => Message::Done { value, warnings },
                Err(message) => Message::Failed { message },
            },
        };
        serde_json::to_vec(&message).expect("a host message serialises")
    }
}

/// What a child's run of `job` produced, seen from the process that asked for it.
pub fn outcome<T: DeserializeOwned>(run: supervisor::ChildRun, supervision: &Supervision) -> HostRun<T> {
    let report = run.report.as_deref().map(serde_json::from_slice::<Message<T>>);
    let outcome = match (supervisor::interrupted(), run.ending, report) {
        (Some(signal), ..) => Err(ErrorInfo::interrupted(signal, interrupted_traceback(run.report.as_deref()))),
        (None, Ending::TimedOut, _) => Err(ErrorInfo::timeout(supervision.timeout.unwrap_or_default().as_secs_f64())),
        (None, Ending::Exited(supervisor::SANDBOX_REFUSED), None) => {
            Err(ErrorInfo::sandbox_refused(&String::from_utf8_lossy(&run.stderr)))
        }
        (None, _, Some(Ok(Message::Done { value, warnings }))) => Ok((value, warnings)),
        (None, _, Some(Ok(Message::NoInterpreter { message }))) => Err(ErrorInfo::no_interpreter(&message)),
        (None, _, Some(Ok(Message::Failed { message }))) => Err(ErrorInfo::internal(&message)),
        (None, Ending::Exited(code), _) => Err(ErrorInfo::crash(Ok(code))),
        (None, Ending::Signaled(signal), _) => Err(ErrorInfo::crash(Err(signal))),
    };
    HostRun { outcome, stdout: run.stdout, stderr: run.stderr, duration: run.duration, left_running: run.left_running }
}

/// Where the code was when an interrupt stopped it: the traceback of the error it reported
/// (KeyboardInterrupt), if it lived to report one.
fn interrupted_traceback(report: Option<&[u8]>) -> String {
    match report.map(serde_json::from_slice::<Message<serde_json::Value>>) {
        Some(Ok(Message::Done { value, .. })) => value["error"]["traceback"].as_str().unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

/// Reads a host result that is all JSON.
pub fn json<T: DeserializeOwned>(outcome: &Bound<'_, PyAny>) -> PyResult<T> {
    let value = crate::embed::convert::from_py(outcome).map_err(pyo3::exceptions::PyValueError::new_err)?;
    serde_json::from_value(value).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// Calls the host function in this process's (started) interpreter.
fn call_here<T>(
    function: &str,
    request: &RunRequest,
    read: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
) -> Result<T, String> {
    Python::attach(|py| -> PyResult<T> {
        // The collector would find nothing to free among moss's own modules, only walk them as
        // they load; the host turns it back on before the MOSS file's code runs.
        py.import("gc")?.call_method0("disable")?;
        interpreter::prepare(py)?;
        interpreter::default_signal_handlers(py)?;
        crate::run::timings::mark("interpreter started");
        let host = py.import("_moss.host")?;
        crate::run::timings::mark("shipped modules imported");
        let request = serde_json::to_value(request).expect("a request serialises");
        let outcome = host.getattr(function)?.call1((crate::embed::convert::to_py(py, &request)?,))?;
        let read = read(&outcome);
        crate::run::timings::mark("result encoded");
        read
    })
    .map_err(|e| Python::attach(|py| format!("the host side of moss failed: {}", interpreter::describe(py, &e))))
}
