//! `_moss_native`: the binary's functions that the shipped Python calls.

use pyo3::prelude::*;

use crate::{hidden, outline};

/// The source without `# <moss-hide>` regions.
#[pyfunction]
fn strip_hidden(source: &str) -> String {
    hidden::strip(source)
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

/// Makes `import _moss_native` work in this interpreter.
pub fn register(py: Python<'_>) -> PyResult<()> {
    let module = PyModule::new(py, "_moss_native")?;
    module.add_function(wrap_pyfunction!(strip_hidden, &module)?)?;
    module.add_function(wrap_pyfunction!(reflect, &module)?)?;
    py.import("sys")?.getattr("modules")?.set_item("_moss_native", module)?;
    Ok(())
}
