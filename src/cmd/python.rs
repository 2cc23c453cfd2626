//! `moss python [ARGS...]`: the embedded interpreter as a plain `python`, with the packages moss
//! ships importable, so a project's own scripts and test suites run against them.

use pyo3::prelude::*;

use crate::cli::PythonArgs;
use crate::cli::style;
use crate::embed::{interpreter, libpython};

/// Runs the interpreter on the arguments as `python` would and ends the process with its status.
pub fn run(args: &PythonArgs) -> ! {
    let warnings = interpreter::start_as_python(&args.args).unwrap_or_else(|problem| {
        style::error(&problem.message, problem.hint.as_deref());
        std::process::exit(1)
    });
    warnings.iter().for_each(style::warn);
    if let Err(message) = Python::attach(|py| {
        interpreter::prepare(py)
            .map_err(|e| format!("moss could not make its packages importable: {}", interpreter::describe(py, &e)))
    }) {
        style::error(&message, None);
        std::process::exit(1);
    }
    // SAFETY: the interpreter was started on this thread, which holds the GIL; Py_RunMain runs
    // the command line it was started with, then finalises it.
    let status = unsafe { libpython::Py_RunMain() };
    std::process::exit(status)
}
