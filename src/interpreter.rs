//! Starting the embedded CPython so it sees what the user's `python3` sees, and making the
//! Python shipped in the binary importable.

use std::ffi::{CString, OsStr, OsString, c_char};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

mod embedded {
    pub struct EmbeddedModule {
        pub name: &'static str,
        pub is_package: bool,
        pub file: &'static str,
        pub source: &'static str,
        pub bytecode: &'static [u8],
    }
    include!(concat!(env!("OUT_DIR"), "/embedded_python.rs"));
}

/// The interpreter the binary was built against; its installation decides `sys.path`.
const BUILD_PYTHON: &str = env!("MOSS_BUILD_PYTHON");

/// Starts CPython in this process. Call once, from the thread that will run Python.
///
/// The interpreter computes its paths as if it were `program`: the active virtual environment's
/// python when there is one of the same version, else the python the binary was built with. That
/// is how the embedded interpreter finds the same site-packages as the user's `python3`, even
/// when another libpython of the same version is installed system-wide.
///
/// In a process forked from one that started it already (a warm server), the interpreter is
/// resumed instead, with the warnings it started with.
pub fn start(argv0: &Path) -> Result<Vec<String>, String> {
    // SAFETY: Py_IsInitialized may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } != 0 {
        // SAFETY: this process was forked by the thread that holds the GIL; CPython's own fork
        // handling must run in the child before any Python code.
        unsafe { ffi::PyOS_AfterFork_Child() };
        return Ok(START_WARNINGS.get().cloned().unwrap_or_default());
    }
    let (program, warnings) = program_name();
    check(initialize(&program, &[argv0.as_os_str()], CommandLine::Moss))?;
    let _ = START_WARNINGS.set(warnings.clone());
    Ok(warnings)
}

/// Starts CPython in this process as `python ARGS...` would start: options such as `-c`, `-m`,
/// `-X` and `-u` are the interpreter's own. Paths and site-packages are found as `start` finds
/// them. Returns what to warn about; a command line python refuses, or one that only asks for
/// python's help or version, ends the process here with python's exit status.
pub fn start_as_python(args: &[OsString]) -> Vec<String> {
    let (program, warnings) = program_name();
    let mut argv: Vec<&OsStr> = vec![program.as_os_str()];
    argv.extend(args.iter().map(OsString::as_os_str));
    let status = initialize(&program, &argv, CommandLine::Python);
    // SAFETY: the status comes from the initialisation just done.
    if unsafe { ffi::PyStatus_Exception(status) } != 0 {
        // SAFETY: prints python's own message (if any) and exits with its status.
        unsafe { ffi::Py_ExitStatusException(status) }
    }
    warnings
}

/// Who reads the command line the interpreter is started with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CommandLine {
    /// moss parsed it; the interpreter only sees `sys.argv`, unbuffered stdio.
    Moss,
    /// The interpreter parses it as python's own, with python's defaults.
    Python,
}

fn initialize(program: &Path, argv: &[&OsStr], command_line: CommandLine) -> ffi::PyStatus {
    let program = c_string(program.as_os_str());
    let argv: Vec<CString> = argv.iter().map(|arg| c_string(arg)).collect();
    let mut argv: Vec<*const c_char> = argv.iter().map(|arg| arg.as_ptr()).collect();
    // SAFETY: PyConfig is a plain C struct that PyConfig_InitPythonConfig fully initialises; the
    // strings passed are NUL-terminated and outlive the calls; this runs once, before any other
    // use of the interpreter.
    unsafe {
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::zeroed();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let config = config.assume_init_mut();
        if command_line == CommandLine::Moss {
            config.parse_argv = 0;
            config.buffered_stdio = 0;
        }
        config.install_signal_handlers = 1;
        let mut status = ffi::PyConfig_SetBytesString(config, &mut config.program_name, program.as_ptr());
        if ffi::PyStatus_Exception(status) == 0 {
            let count = argv.len() as ffi::Py_ssize_t;
            status = ffi::PyConfig_SetBytesArgv(config, count, argv.as_mut_ptr());
        }
        if ffi::PyStatus_Exception(status) == 0 {
            status = ffi::Py_InitializeFromConfig(config);
        }
        ffi::PyConfig_Clear(config);
        status
    }
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
    crate::native::register(py)
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

/// The interpreter whose installation (and virtual environment) the embedded one should mirror.
fn program_name() -> (PathBuf, Vec<String>) {
    let mut warnings = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        let venv = PathBuf::from(venv);
        let python = venv.join("bin/python");
        match venv_version(&venv) {
            Some(version) if version == embedded_version() => return (python, warnings),
            Some(version) => warnings.push(format!(
                "the active virtual environment {} is for Python {version}, but moss embeds Python {}; \
                 its packages are not used\nhint: recreate the environment with Python {} or deactivate it",
                venv.display(),
                embedded_version(),
                embedded_version()
            )),
            None => warnings.push(format!(
                "VIRTUAL_ENV is {}, which has no readable pyvenv.cfg; its packages are not used\n\
                 hint: deactivate it, or point VIRTUAL_ENV at a virtual environment",
                venv.display()
            )),
        }
    }
    (PathBuf::from(BUILD_PYTHON), warnings)
}

/// "3.11" for the libpython this binary is linked against.
fn embedded_version() -> String {
    // SAFETY: Py_GetVersion returns a static NUL-terminated string and may be called before
    // initialisation.
    let full = unsafe { std::ffi::CStr::from_ptr(ffi::Py_GetVersion()) }.to_string_lossy().into_owned();
    full.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// "3.11" from a virtual environment's pyvenv.cfg (`version` or `version_info`).
fn venv_version(venv: &Path) -> Option<String> {
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).ok()?;
    cfg.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        matches!(key.trim(), "version" | "version_info")
            .then(|| value.trim().split('.').take(2).collect::<Vec<_>>().join("."))
    })
}

fn c_string(s: &OsStr) -> CString {
    CString::new(s.as_bytes()).unwrap_or_else(|_| CString::new("moss").unwrap())
}

fn check(status: ffi::PyStatus) -> Result<(), String> {
    // SAFETY: status comes from a CPython call; err_msg is NULL or a static C string.
    unsafe {
        if ffi::PyStatus_Exception(status) != 0 {
            let message = if status.err_msg.is_null() {
                "unknown error".to_owned()
            } else {
                std::ffi::CStr::from_ptr(status.err_msg).to_string_lossy().into_owned()
            };
            return Err(format!("the embedded Python failed to start: {message}"));
        }
    }
    Ok(())
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
