//! Calling the shipped Python host (`_moss.host`) in a supervised child process: the one way
//! every command runs user code.

use std::path::Path;
use std::time::Duration;

use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::embed::interpreter;
use crate::error::Problem;
use crate::run::child_report::{self, ChildReport, HostOutcome};
use crate::run::error_info::ErrorInfo;
use crate::run::request::RunRequest;
use crate::run::supervisor::{self, Companion, Ending, Supervision};

/// What a host call produced, seen from the parent.
pub struct HostRun<O> {
    /// The host function's report, the interpreter's warnings ahead of its own, or why there is
    /// none: a time limit, a crash, or a failure of the host itself.
    pub outcome: Result<ChildReport<O>, ErrorInfo>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub duration: Duration,
    /// The processes the code left running, which were killed when the run ended.
    pub left_running: Vec<crate::run::leftovers::Leftover>,
}

#[derive(Serialize, Deserialize)]
enum Message<O> {
    Done(ChildReport<O>),
    /// The interpreter could not start: the installation is at fault, not the MOSS file.
    NoInterpreter(Problem),
    /// The host itself failed: a bug in moss.
    Failed {
        message: String,
    },
}

/// Runs the host function that answers with `O` on `request` in a child. Must be called while
/// this process has a single thread.
pub fn call<O: HostOutcome>(
    moss_file: &Path,
    request: &RunRequest,
    supervision: &Supervision,
    companion: Option<Companion>,
) -> std::io::Result<HostRun<O>> {
    let run = supervisor::run_isolated(supervision, companion, job::<O>(moss_file, request))?;
    Ok(outcome(run, supervision))
}

/// The work of a child process: start (or, in a process forked from a warm server, resume) the
/// interpreter, call the host function, and encode what happened for `outcome`.
pub fn job<'a, O: HostOutcome>(moss_file: &'a Path, request: &'a RunRequest) -> impl FnOnce() -> Vec<u8> + 'a {
    move || {
        crate::run::timings::mark("child started");
        let message = match interpreter::start(moss_file) {
            Err(problem) => Message::NoInterpreter(problem),
            Ok(warnings) => match call_here::<O>(request) {
                Ok(mut report) => {
                    report.warnings.splice(0..0, warnings);
                    Message::Done(report)
                }
                Err(message) => Message::Failed { message },
            },
        };
        serde_json::to_vec(&message).expect("a host message serialises")
    }
}

/// What a child's run of `job` produced, seen from the process that asked for it.
pub fn outcome<O: HostOutcome>(run: supervisor::ChildRun, supervision: &Supervision) -> HostRun<O> {
    let report = run.report.as_deref().map(serde_json::from_slice::<Message<O>>);
    let outcome = match (supervisor::interrupted(), run.ending, report) {
        (Some(signal), ..) => Err(ErrorInfo::interrupted(signal, interrupted_traceback(run.report.as_deref()))),
        (None, Ending::Lost(reason), _) => {
            Err(ErrorInfo::server_lost(Problem::hinted(reason, crate::run::warm::LOST_HINT)))
        }
        (None, Ending::TimedOut, _) => Err(ErrorInfo::timeout(supervision.timeout.unwrap_or_default().as_secs_f64())),
        (None, Ending::Exited(supervisor::SANDBOX_REFUSED), None) => {
            Err(ErrorInfo::sandbox_refused(&String::from_utf8_lossy(&run.stderr)))
        }
        (None, _, Some(Ok(Message::Done(report)))) => Ok(report),
        (None, _, Some(Ok(Message::NoInterpreter(problem)))) => Err(ErrorInfo::no_interpreter(problem)),
        (None, _, Some(Ok(Message::Failed { message }))) => Err(ErrorInfo::internal(&message)),
        (None, Ending::Exited(code), _) => Err(ErrorInfo::crash(Ok(code))),
        (None, Ending::Signaled(signal), _) => Err(ErrorInfo::crash(Err(signal))),
    };
    HostRun { outcome, stdout: run.stdout, stderr: run.stderr, duration: run.duration, left_running: run.left_running }
}

/// Where the code was when an interrupt stopped it: the traceback of the error it reported
/// (KeyboardInterrupt), if it lived to report one.
fn interrupted_traceback(report: Option<&[u8]>) -> String {
    match report.map(serde_json::from_slice::<Message<serde::de::IgnoredAny>>) {
        Some(Ok(Message::Done(ChildReport { error: Some(error), .. }))) => error.traceback,
        _ => String::new(),
    }
}

/// Calls the host function in this process's (started) interpreter.
fn call_here<O: HostOutcome>(request: &RunRequest) -> Result<ChildReport<O>, String> {
    Python::attach(|py| -> PyResult<ChildReport<O>> {
        // The collector would find nothing to free among moss's own modules, only walk them as
        // they load; the host turns it back on before the MOSS file's code runs.
        py.import("gc")?.call_method0("disable")?;
        interpreter::prepare(py)?;
        interpreter::default_signal_handlers(py, crate::run::process_settings::dispositions_taken_on())?;
        crate::run::timings::mark("interpreter started");
        let host = py.import("_moss.host")?;
        crate::run::timings::mark("shipped modules imported");
        let request = serde_json::to_value(request).expect("a request serialises");
        let answer = host.getattr(O::FUNCTION)?.call1((crate::embed::convert::to_py(py, &request)?,))?;
        let read = child_report::read(&answer);
        crate::run::timings::mark("result encoded");
        read
    })
    .map_err(|e| Python::attach(|py| format!("the host side of moss failed: {}", interpreter::describe(py, &e))))
}
