//! `_moss_native`: the binary's functions that the shipped Python calls.

use std::io::{BufReader, ErrorKind};
use std::os::fd::FromRawFd;
use std::os::unix::net::UnixStream;
use std::sync::Mutex;

use std::ffi::{CString, c_char, c_int};

use pyo3::exceptions::{PyMemoryError, PyRecursionError, PySyntaxError};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyString};

use crate::device::{Reply, Request};
use crate::json_lines;
use crate::prompt::{bindings, hidden, outline};
use crate::run::supervisor;

/// The source without `# <moss-hide>` regions.
#[pyfunction]
fn strip_hidden(source: &str) -> String {
    hidden::strip(source)
}

/// `PyCompilerFlags` (Include/cpython/compile.h), the same in every supported version.
#[repr(C)]
struct CompilerFlags {
    flags: c_int,
    feature_version: c_int,
}

/// What `compile()` sets for a str source: its text is UTF-8, and a PEP 263 line is a comment.
const PYCF_SOURCE_IS_UTF8: c_int = 0x0100;
const PYCF_IGNORE_COOKIE: c_int = 0x0800;

unsafe extern "C" {
    /// Outside the stable ABI, which offers no way to pass `compile()`'s flags with a file name
    /// given as a str; every CPython 3.10 to 3.13 exports it.
    fn Py_CompileStringObject(
        source: *const c_char,
        filename: *mut pyo3::ffi::PyObject,
        start: c_int,
        flags: *mut CompilerFlags,
        optimize: c_int,
    ) -> *mut pyo3::ffi::PyObject;
}

/// The code of `source` as a module's, under `filename`: what `compile(source, filename, "exec",
/// dont_inherit=True)` returns or raises, through the same call with the same flags, without what
/// `compile()` costs on its first call in a process (it readies all of `ast`'s node types, to
/// check whether it was given a tree: a tenth of a light run). Source that is not text, or that
/// cannot be UTF-8 (a NUL, a lone surrogate), is left to `compile()` itself, which says why.
///
/// One difference: a source too deeply nested or too complex for the compiler, which makes it
/// raise RecursionError or MemoryError, raises a SyntaxError saying so, as the source's error.
#[pyfunction]
fn compile_module<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    filename: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    let text = source.extract::<&str>().ok().and_then(|text| CString::new(text).ok());
    let compiled = match text {
        Some(text) => {
            let mut flags = CompilerFlags {
                flags: PYCF_SOURCE_IS_UTF8 | PYCF_IGNORE_COOKIE,
                feature_version: c_int::from(py.version_info().minor),
            };
            // SAFETY: the text is NUL-terminated and outlives the call, the file name is a live
            // str, the flags are those of this version's layout; the GIL is held.
            let code = unsafe {
                Py_CompileStringObject(text.as_ptr(), filename.as_ptr(), pyo3::ffi::Py_file_input, &mut flags, -1)
            };
            // SAFETY: a new reference, or NULL with an exception set.
            unsafe { Bound::from_owned_ptr_or_err(py, code) }
        }
        None => {
            let options = [("dont_inherit", true)].into_py_dict(py)?;
            py.import("builtins")?.getattr("compile")?.call((source, filename, "exec"), Some(&options))
        }
    };
    compiled.map_err(|error| beyond_the_compiler(py, error, filename))
}

/// A RecursionError or MemoryError of the compiler as the SyntaxError of a source it cannot take;
/// any other error as it is.
fn beyond_the_compiler(py: Python<'_>, error: PyErr, filename: &Bound<'_, PyString>) -> PyErr {
    if !error.is_instance_of::<PyRecursionError>(py) && !error.is_instance_of::<PyMemoryError>(py) {
        return error;
    }
    let said = error.value(py).str().map(|text| text.to_string()).unwrap_or_default();
    let cause = error.get_type(py).name().map(|name| name.to_string()).unwrap_or_default();
    let cause = if said.is_empty() { cause } else { format!("{cause}: {said}") };
    let message = format!(
        "an expression is too deeply nested or too complex for Python's compiler ({cause}); \
         split it into smaller statements"
    );
    PySyntaxError::new_err((message, (filename.clone().unbind(), py.None(), py.None(), py.None())))
}

/// Notes that the run reached `stage`, when MOSS_TIMINGS asks for it (see `timings`).
#[pyfunction]
fn mark(stage: &str) {
    crate::run::timings::mark(stage)
}

/// The numbers (from 1) of the source's lines that the model never reads.
#[pyfunction]
fn hidden_lines(source: &str) -> Vec<usize> {
    hidden::hidden_lines(source)
}

/// What `_moss.visibility.Bindings` is built from: the visible imports, each as (bound name,
/// name, asname, from-module, level, whether a `from` import), then the names other visible
/// statements bind, then the names hidden lines bind.
type BindingsData = (Vec<(String, String, Option<String>, Option<String>, u32, bool)>, Vec<String>, Vec<String>);

/// Where the source binds its module-level names, read by the binary's parser (see `bindings`).
#[pyfunction]
fn source_bindings(source: &str) -> BindingsData {
    let found = bindings::bindings(source);
    let imports = found.imports.into_iter().map(|i| (i.bound, i.name, i.asname, i.module, i.level, i.is_from));
    (imports.collect(), found.defined.into_iter().collect(), found.hidden.into_iter().collect())
}

/// The text of definition `qualname` in file `path`, in `mode` (source, signature, interface),
/// shown under `name`; None when the file cannot be parsed or has no such definition.
#[pyfunction]
#[pyo3(signature = (path, qualname, mode, name, source, kept_decorators))]
fn reflect(
    path: &str,
    qualname: &str,
    mode: &str,
    name: &str,
    source: Option<String>,
    kept_decorators: Vec<String>,
) -> Option<String> {
    let mode = outline::Mode::parse(mode)?;
    let (text, outline) = outline::outline_of(path, source)?;
    outline.render(&text, qualname, mode, name, &kept_decorators)
}

pyo3::create_exception!(
    _moss_native,
    DeviceError,
    pyo3::exceptions::PyRuntimeError,
    "The robot could not do what was asked."
);

/// Sends one command to the run's device and returns the data of its response; a robot that
/// answers with an error code, or does not answer, raises DeviceError. `at` is the driver's
/// simulated time, for the simulated BOLT.
#[pyfunction]
#[pyo3(signature = (device, command, target, data, at=None))]
fn device_call(
    py: Python<'_>,
    device: u8,
    command: u8,
    target: Option<u8>,
    data: Vec<u8>,
    at: Option<f64>,
) -> PyResult<Vec<u8>> {
    match py.detach(|| exchange(&Request::Call { device, command, target, data, at }))? {
        Reply::Done { error: 0, data, .. } => Ok(data),
        Reply::Done { error, message, .. } => Err(DeviceError::new_err(format!(
            "the robot refused command {device:#04x}/{command:#04x}: {message} (error {error})"
        ))),
        Reply::Failed { message } => Err(DeviceError::new_err(message)),
        _ => Err(DeviceError::new_err("the device answered out of turn")),
    }
}

/// The robot's notifications since the last call: (device, command, data) each.
#[pyfunction]
#[pyo3(signature = (at=None))]
fn device_events(py: Python<'_>, at: Option<f64>) -> PyResult<Vec<(u8, u8, Vec<u8>)>> {
    match py.detach(|| exchange(&Request::Events { at }))? {
        Reply::Events { events } => Ok(events),
        _ => Err(DeviceError::new_err("the device answered out of turn")),
    }
}

/// Whether the run's robot is the simulated BOLT, which runs on the driver's simulated time.
#[pyfunction]
fn device_simulated(py: Python<'_>) -> PyResult<bool> {
    match py.detach(|| exchange(&Request::Clock))? {
        Reply::Clock { simulated } => Ok(simulated),
        Reply::Failed { message } => Err(DeviceError::new_err(message)),
        _ => Err(DeviceError::new_err("the device answered out of turn")),
    }
}

fn exchange(request: &Request) -> PyResult<Reply> {
    static CHANNEL: Mutex<Option<BufReader<UnixStream>>> = Mutex::new(None);
    let mut channel = CHANNEL.lock().unwrap_or_else(|e| e.into_inner());
    if channel.is_none() {
        let fd = supervisor::companion_channel()
            .ok_or_else(|| DeviceError::new_err("no device in this run; pass --device sim (or a real BOLT)"))?;
        // SAFETY: the supervisor placed the companion socket at this descriptor for this process.
        *channel = Some(BufReader::new(unsafe { UnixStream::from_raw_fd(fd) }));
    }
    let reader = channel.as_mut().expect("just set");
    let lost = |e: std::io::Error| DeviceError::new_err(format!("the connection to the device was lost: {e}"));
    json_lines::write(reader.get_mut(), request).map_err(lost)?;
    json_lines::read(reader).map_err(|e| match e.kind() {
        ErrorKind::UnexpectedEof => DeviceError::new_err("the connection to the device was closed"),
        ErrorKind::InvalidData => DeviceError::new_err(format!("a malformed device reply: {e}")),
        _ => lost(e),
    })
}

/// Makes `import _moss_native` work in this interpreter.
pub fn register(py: Python<'_>) -> PyResult<()> {
    let module = PyModule::new(py, "_moss_native")?;
    module.add_function(wrap_pyfunction!(strip_hidden, &module)?)?;
    module.add_function(wrap_pyfunction!(hidden_lines, &module)?)?;
    module.add_function(wrap_pyfunction!(source_bindings, &module)?)?;
    module.add_function(wrap_pyfunction!(mark, &module)?)?;
    module.add_function(wrap_pyfunction!(compile_module, &module)?)?;
    module.add_function(wrap_pyfunction!(reflect, &module)?)?;
    module.add_function(wrap_pyfunction!(device_call, &module)?)?;
    module.add_function(wrap_pyfunction!(device_events, &module)?)?;
    module.add_function(wrap_pyfunction!(device_simulated, &module)?)?;
    module.add("DeviceError", py.get_type::<DeviceError>())?;
    py.import("sys")?.getattr("modules")?.set_item("_moss_native", module)?;
    Ok(())
}
