//! Starting the embedded CPython so it sees what the user's `python3` sees, and making the
//! Python shipped in the binary importable.

use std::ffi::{CString, OsStr, OsString, c_char};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::embed::{libpython, relaunch};

pub mod embedded {
    pub struct EmbeddedModule {
        pub name: &'static str,
        pub is_package: bool,
        pub file: &'static str,
        pub source: &'static str,
        pub bytecode: &'static [u8],
    }
    include!(concat!(env!("OUT_DIR"), "/embedded_python.rs"));
}

/// Starts CPython in this process. Call once, from the thread that will run Python.
///
/// The interpreter computes its paths as if it were the chosen Python's program (see
/// `python_env`): a virtual environment's python, or an installation's. That is how the embedded
/// interpreter finds the same site-packages as that `python3`, even when another libpython of the
/// same version is installed system-wide.
///
/// In a process forked from one that started it already (a warm server), the interpreter is
/// resumed instead, with the warnings it started with.
pub fn start(argv0: &Path) -> Result<Vec<String>, String> {
    // SAFETY: Py_IsInitialized may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } != 0 {
        // SAFETY: this process was forked by the thread that holds the GIL; CPython's own fork
        // handling must run in the child before any Python code.
        unsafe { libpython::PyOS_AfterFork_Child() };
        return Ok(START_WARNINGS.get().cloned().unwrap_or_default());
    }
    let (chosen, warnings) = relaunch::chosen();
    let program = chosen?.program.as_path();
    initialize(program, &[argv0.as_os_str()], CommandLine::Moss)
        .map_err(|status| format!("the embedded Python failed to start: {}", status.failure().unwrap_or_default()))?;
    let _ = START_WARNINGS.set(warnings.to_vec());
    Ok(warnings.to_vec())
}

/// Starts CPython in this process as `python ARGS...` would start: options such as `-c`, `-m`,
/// `-X` and `-u` are the interpreter's own. Paths and site-packages are found as `start` finds
/// them. Returns what to warn about; a command line python refuses, or one that only asks for
/// python's help or version, ends the process here with python's exit status.
pub fn start_as_python(args: &[OsString]) -> Result<Vec<String>, String> {
    let (chosen, warnings) = relaunch::chosen();
    let program = chosen?.program.as_path();
    let mut argv: Vec<&OsStr> = vec![program.as_os_str()];
    argv.extend(args.iter().map(OsString::as_os_str));
    if let Err(status) = initialize(program, &argv, CommandLine::Python) {
        // SAFETY: prints python's own message (if any) and exits with its status.
        unsafe { libpython::Py_ExitStatusException(status) }
    }
    Ok(warnings.to_vec())
}

/// Who reads the command line the interpreter is started with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CommandLine {
    /// moss parsed it; the interpreter only sees `sys.argv`, unbuffered stdio.
    Moss,
    /// The interpreter parses it as python's own, with python's defaults.
    Python,
}

fn initialize(program: &Path, argv: &[&OsStr], command_line: CommandLine) -> Result<(), libpython::PyStatus> {
    let program = c_string(program.as_os_str());
    let argv: Vec<CString> = argv.iter().map(|arg| c_string(arg)).collect();
    let argv: Vec<*const c_char> = argv.iter().map(|arg| arg.as_ptr()).collect();
    libpython::initialize(&libpython::Start {
        program: &program,
        argv: &argv,
        parse_argv: command_line == CommandLine::Python,
        unbuffered: command_line == CommandLine::Moss,
    })
}

/// What `start` warned about, for the processes forked from this one.
static START_WARNINGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Gives the code Python's own response to interrupts, however the process that started the
/// interpreter had them (a warm server, moss started with SIGINT ignored): KeyboardInterrupt on
/// SIGINT, the default action on SIGTERM and SIGHUP. Call from the thread that started it.
/// Through `_signal`: `signal` would build its enums (and import `enum`) in every run.
pub fn default_signal_handlers(py: Python<'_>) -> PyResult<()> {
    let signal = py.import("_signal")?;
    let set = signal.getattr("signal")?;
    set.call1((signal.getattr("SIGINT")?, signal.getattr("default_int_handler")?))?;
    for name in ["SIGTERM", "SIGHUP"] {
        set.call1((signal.getattr(name)?, signal.getattr("SIG_DFL")?))?;
    }
    Ok(())
}

/// Makes the shipped Python and the native helpers importable, once per interpreter.
pub fn prepare(py: Python<'_>) -> PyResult<()> {
    static PREPARED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if PREPARED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    install_shipped_modules(py)?;
    crate::embed::native::register(py)
}

/// Registers the shipped modules (`ghostos_moss`, the host side `_moss`, ...) with `import`.
fn install_shipped_modules(py: Python<'_>) -> PyResult<()> {
    let table = PyDict::new(py);
    let mut importer = None;
    for module in embedded::MODULES {
        let entry = PyTuple::new(
            py,
            [
                module.is_package.into_pyobject(py)?.to_owned().into_any(),
                module.file.into_pyobject(py)?.into_any(),
                PyBytes::new(py, module.bytecode).into_any(),
                module.source.into_pyobject(py)?.into_any(),
            ],
        )?;
        table.set_item(module.name, entry)?;
        if module.name == "_moss.importer" {
            importer = Some(module);
        }
    }
    let importer = importer.expect("the build embeds _moss/importer.py");
    let code = CString::new(importer.source).expect("no NUL in shipped source");
    let file = CString::new(importer.file).expect("no NUL in a file name");
    let module = PyModule::from_code(py, &code, &file, c"_moss_importer")?;
    module.getattr("install")?.call1((table, embedded::CACHE_TAG))?;
    Ok(())
}

fn c_string(s: &OsStr) -> CString {
    CString::new(s.as_bytes()).unwrap_or_else(|_| CString::new("moss").unwrap())
}

/// A Python exception with its traceback, as text.
pub fn describe(py: Python<'_>, error: &PyErr) -> String {
    let formatted = py
        .import("traceback")
        .and_then(|tb| tb.getattr("format_exception")?.call1((error.value(py),)))
        .and_then(|lines| lines.extract::<Vec<String>>());
    match formatted {
        Ok(lines) => lines.concat(),
        Err(_) => error.to_string(),
    }
}
