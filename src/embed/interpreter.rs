//! Starting the embedded CPython so it sees what the user's `python3` sees, and making the
//! Python shipped in the binary importable.

use std::ffi::{CString, OsStr, OsString, c_char};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use pyo3::exceptions::PyKeyError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::embed::{libpython, relaunch};
use crate::error::Problem;

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
pub fn start(argv0: &Path) -> Result<Vec<String>, Problem> {
    // SAFETY: Py_IsInitialized may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } != 0 {
        // SAFETY: this process was forked by the thread that holds the GIL; CPython's own fork
        // handling must run in the child before any Python code.
        unsafe { libpython::PyOS_AfterFork_Child() };
        return Ok(START_WARNINGS.get().cloned().unwrap_or_default());
    }
    let (chosen, warnings) = relaunch::chosen();
    let program = chosen?.program.as_path();
    initialize(program, &[argv0.as_os_str()], CommandLine::Moss).map_err(|status| {
        Problem::new(format!("the embedded Python failed to start: {}", status.failure().unwrap_or_default()))
    })?;
    let warnings: Vec<String> = warnings.iter().map(Problem::to_text).collect();
    let _ = START_WARNINGS.set(warnings.clone());
    Ok(warnings)
}

/// Starts CPython in this process as `python ARGS...` would start: options such as `-c`, `-m`,
/// `-X` and `-u` are the interpreter's own. Paths and site-packages are found as `start` finds
/// them. Returns what to warn about; a command line python refuses, or one that only asks for
/// python's help or version, ends the process here with python's exit status.
pub fn start_as_python(args: &[OsString]) -> Result<&'static [Problem], Problem> {
    let (chosen, warnings) = relaunch::chosen();
    let program = chosen?.program.as_path();
    let mut argv: Vec<&OsStr> = vec![program.as_os_str()];
    argv.extend(args.iter().map(OsString::as_os_str));
    if let Err(status) = initialize(program, &argv, CommandLine::Python) {
        // SAFETY: prints python's own message (if any) and exits with its status.
        unsafe { libpython::Py_ExitStatusException(status) }
    }
    Ok(warnings)
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
pub fn default_signal_handlers(py: Python<'_>, dispositions_changed: bool) -> PyResult<()> {
    let signal = py.import("_signal")?;
    let set = signal.getattr("signal")?;
    set.call1((signal.getattr("SIGINT")?, signal.getattr("default_int_handler")?))?;
    for name in ["SIGTERM", "SIGHUP"] {
        set.call1((signal.getattr(name)?, signal.getattr("SIG_DFL")?))?;
    }
    // Python read every signal's disposition as it started: a run forked from a warm server
    // may since have taken on its client's ignored signals (`ProcessSettings`), which Python
    // must report and hand down as a cold run's does.
    if !dispositions_changed {
        return Ok(());
    }
    let (ignored, default) = (signal.getattr("SIG_IGN")?, signal.getattr("SIG_DFL")?);
    let recorded_as = signal.getattr("getsignal")?;
    for number in 1..=nix::libc::SIGRTMAX() {
        let Some(ignored_now) = ignored_or_default(number) else { continue };
        let Ok(recorded) = recorded_as.call1((number,)) else { continue };
        let now = if ignored_now { &ignored } else { &default };
        if (recorded.eq(&ignored)? || recorded.eq(&default)?) && !recorded.eq(now)? {
            set.call1((number, now))?;
        }
    }
    Ok(())
}

/// Whether signal `number` is ignored (true) or has its default action (false) in this process;
/// None when it has a handler, or is not one a program may set.
fn ignored_or_default(number: i32) -> Option<bool> {
    // SAFETY: sigaction with no new action only reads the current one into `current`.
    let current = unsafe {
        let mut current: nix::libc::sigaction = std::mem::zeroed();
        (nix::libc::sigaction(number, std::ptr::null(), &mut current) == 0).then_some(current)
    }?;
    match current.sa_sigaction {
        nix::libc::SIG_IGN => Some(true),
        nix::libc::SIG_DFL => Some(false),
        _ => None,
    }
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
///
/// Only their names go to Python now: a module's bytecode is read in place from the binary
/// when it is imported, its source when something asks for its lines.
fn install_shipped_modules(py: Python<'_>) -> PyResult<()> {
    let table = PyDict::new(py);
    for module in embedded::MODULES {
        table.set_item(module.name, (module.is_package, module.file))?;
    }
    let importer = shipped("_moss.importer").expect("the build embeds _moss/importer.py");
    let bytecode_usable =
        py.import("sys")?.getattr("implementation")?.getattr("cache_tag")?.extract::<String>()? == embedded::CACHE_TAG;
    let code = if bytecode_usable {
        py.import("marshal")?.getattr("loads")?.call1((static_bytes(py, importer.bytecode)?,))?
    } else {
        let compile = py.import("builtins")?.getattr("compile")?;
        compile.call1((importer.source, importer.file, "exec"))?
    };
    let namespace = PyDict::new(py);
    namespace.set_item("__name__", "_moss_importer")?;
    namespace.set_item("__builtins__", py.import("builtins")?)?;
    py.import("builtins")?.getattr("exec")?.call1((code, &namespace))?;
    let bytecode_of =
        if bytecode_usable { wrap_pyfunction!(shipped_bytecode, py)?.into_any() } else { py.None().into_bound(py) };
    let install = namespace.get_item("install")?.expect("_moss/importer.py defines install");
    install.call1((table, bytecode_of, wrap_pyfunction!(shipped_source, py)?))?;
    Ok(())
}

fn shipped(name: &str) -> Option<&'static embedded::EmbeddedModule> {
    embedded::MODULES.iter().find(|module| module.name == name)
}

/// The embedded bytecode of shipped module `name`, as a read-only view of the binary's copy.
#[pyfunction]
fn shipped_bytecode<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let module = shipped(name).ok_or_else(|| PyKeyError::new_err(name.to_owned()))?;
    static_bytes(py, module.bytecode)
}

/// The source of shipped module `name`.
#[pyfunction]
fn shipped_source(name: &str) -> PyResult<&'static str> {
    Ok(shipped(name).ok_or_else(|| PyKeyError::new_err(name.to_owned()))?.source)
}

/// `PyMemoryView_FromMemory`'s read-only flag: part of the stable ABI, but declared by pyo3 only
/// with the buffer protocol, which abi3 has from 3.11.
const PYBUF_READ: std::ffi::c_int = 0x100;

/// A memoryview of data that lives as long as the process, without copying it.
fn static_bytes<'py>(py: Python<'py>, data: &'static [u8]) -> PyResult<Bound<'py, PyAny>> {
    let length = ffi::Py_ssize_t::try_from(data.len()).expect("embedded data is far below isize::MAX");
    // SAFETY: the view is read-only (PyBUF_READ) over static data, which outlives any object.
    unsafe {
        let view = ffi::PyMemoryView_FromMemory(data.as_ptr().cast_mut().cast(), length, PYBUF_READ);
        Bound::from_owned_ptr_or_err(py, view)
    }
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
