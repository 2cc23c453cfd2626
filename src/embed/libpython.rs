//! The parts of libpython moss needs beyond the stable ABI: starting the interpreter from a
//! configuration, `python`'s own main, and fork handling. The binary is built against the stable
//! ABI, so these are declared here; every CPython 3.10 to 3.13 exports them. `PyConfig` is the one
//! structure whose layout differs between versions: moss touches it only through the offsets
//! below, one set per version, checked at start against the library actually loaded.

use std::ffi::{CStr, c_char, c_int, c_void};

/// `PyStatus`, the same in every supported version.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PyStatus {
    kind: c_int,
    func: *const c_char,
    err_msg: *const c_char,
    exitcode: c_int,
}

impl PyStatus {
    /// Why initialisation failed, or None if it did not.
    pub fn failure(self) -> Option<String> {
        // SAFETY: the status comes from a CPython call; err_msg is NULL or a static C string.
        unsafe {
            if PyStatus_Exception(self) == 0 {
                return None;
            }
            Some(if self.err_msg.is_null() {
                "unknown error".to_owned()
            } else {
                CStr::from_ptr(self.err_msg).to_string_lossy().into_owned()
            })
        }
    }
}

unsafe extern "C" {
    fn PyConfig_InitPythonConfig(config: *mut c_void);
    fn PyConfig_SetBytesString(config: *mut c_void, field: *mut *mut c_void, value: *const c_char) -> PyStatus;
    fn PyConfig_SetBytesArgv(config: *mut c_void, argc: isize, argv: *const *const c_char) -> PyStatus;
    fn Py_InitializeFromConfig(config: *const c_void) -> PyStatus;
    fn PyConfig_Clear(config: *mut c_void);
    fn PyStatus_Exception(status: PyStatus) -> c_int;
    /// Prints the status's message, if any, and exits with its status.
    pub fn Py_ExitStatusException(status: PyStatus) -> !;
    /// Runs the command line the interpreter was started with, then finalises it.
    pub fn Py_RunMain() -> c_int;
    /// CPython's own fork handling, for a child forked by the thread holding the GIL.
    pub fn PyOS_AfterFork_Child();
    fn Py_GetVersion() -> *const c_char;
}

/// Where a version's `PyConfig` (Include/cpython/initconfig.h) keeps the fields moss sets.
struct Layout {
    minor: u8,
    size: usize,
    parse_argv: usize,
    buffered_stdio: usize,
    program_name: usize,
}

const LAYOUTS: [Layout; 4] = [
    Layout { minor: 10, size: 392, parse_argv: 80, buffered_stdio: 200, program_name: 240 },
    Layout { minor: 11, size: 424, parse_argv: 96, buffered_stdio: 216, program_name: 264 },
    Layout { minor: 12, size: 432, parse_argv: 104, buffered_stdio: 224, program_name: 272 },
    Layout { minor: 13, size: 448, parse_argv: 104, buffered_stdio: 224, program_name: 280 },
];

/// The loaded libpython's version: (minor, whole version text), e.g. (12, "3.12.1 (main, ...)").
pub fn loaded_version() -> (Option<u8>, String) {
    // SAFETY: Py_GetVersion returns a static NUL-terminated string and may be called before
    // initialisation.
    let text = unsafe { CStr::from_ptr(Py_GetVersion()) }.to_string_lossy().into_owned();
    let minor = text.strip_prefix("3.").and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
    // A free-threaded build's objects have another layout: the stable ABI of 3.10 is not its ABI.
    let minor = minor.filter(|_| !text.contains("free-threading"));
    (minor, text)
}

/// The file of the loaded libpython (the versioned library, `libpython3.11.so.1.0`), as the
/// loader opened it.
pub fn loaded_library() -> Option<std::path::PathBuf> {
    let mut info = std::mem::MaybeUninit::<nix::libc::Dl_info>::zeroed();
    // SAFETY: dladdr only reads the address and fills `info`; dli_fname, when set, is a
    // NUL-terminated string owned by the loader.
    unsafe {
        if nix::libc::dladdr(Py_GetVersion as *const c_void, info.as_mut_ptr()) == 0 {
            return None;
        }
        let name = info.assume_init().dli_fname;
        if name.is_null() {
            return None;
        }
        Some(std::path::PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
            CStr::from_ptr(name).to_bytes(),
        )))
    }
}

/// How the interpreter is started.
pub struct Start<'a> {
    pub program: &'a CStr,
    pub argv: &'a [*const c_char],
    /// Whether the interpreter reads `argv` as python's own command line (`moss python`).
    pub parse_argv: bool,
    /// Unbuffered standard streams (moss's own runs); python's default otherwise.
    pub unbuffered: bool,
}

/// Initialises the loaded interpreter from a configuration.
pub fn initialize(start: &Start<'_>) -> Result<(), PyStatus> {
    let (minor, text) = loaded_version();
    let layout = LAYOUTS.iter().find(|layout| Some(layout.minor) == minor).unwrap_or_else(|| {
        panic!("moss cannot start the Python it loaded ({text}); the Python chooser admits only 3.10 to 3.13")
    });
    // u64s: PyConfig's alignment; room to spare beyond the size the headers give.
    let mut storage = vec![0u64; layout.size / 8 + 8];
    let config = storage.as_mut_ptr().cast::<c_void>();
    let field = |offset: usize| config.cast::<u8>().wrapping_add(offset);
    // SAFETY: `storage` outlives the calls and is larger than this version's PyConfig, which
    // PyConfig_InitPythonConfig fully initialises; the offsets are this version's fields (ints,
    // and a wchar_t pointer for program_name); the strings are NUL-terminated and outlive the calls.
    unsafe {
        PyConfig_InitPythonConfig(config);
        // Python's defaults where the layout puts these fields: a patch release that moved them
        // stops here instead of writing elsewhere.
        let defaults = [layout.parse_argv, layout.buffered_stdio].map(|offset| field(offset).cast::<c_int>().read());
        assert!(
            defaults == [1, 1] && field(layout.program_name).cast::<*mut c_void>().read().is_null(),
            "the PyConfig of Python {text} is not laid out as moss knows 3.{} to be",
            layout.minor
        );
        if !start.parse_argv {
            field(layout.parse_argv).cast::<c_int>().write(0);
        }
        if start.unbuffered {
            field(layout.buffered_stdio).cast::<c_int>().write(0);
        }
        let program_name = field(layout.program_name).cast::<*mut c_void>();
        let mut status = PyConfig_SetBytesString(config, program_name, start.program.as_ptr());
        if status.failure().is_none() {
            status = PyConfig_SetBytesArgv(config, start.argv.len() as isize, start.argv.as_ptr());
        }
        if status.failure().is_none() {
            status = Py_InitializeFromConfig(config);
        }
        PyConfig_Clear(config);
        match status.failure() {
            None => Ok(()),
            Some(_) => Err(status),
        }
    }
}
