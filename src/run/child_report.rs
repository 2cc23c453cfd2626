//! What a `run_exec` child sends back to the process that runs it: the cold client, the warm
//! server's handler, or the test worker's replay.

use pyo3::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::embed::convert;
use crate::run::context_diff;
use crate::run::error_info::ErrorInfo;
use crate::run::host;

/// What the child sends back.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChildReport {
    #[serde(default)]
    pub returns: Value,
    pub returns_repr: Option<String>,
    pub error: Option<ErrorInfo>,
    pub properties: Option<Map<String, Value>>,
    /// The properties as the code found them, after the defaults and the file's hooks ran.
    #[serde(default)]
    pub started: Option<Map<String, Value>>,
    #[serde(default)]
    pub unrestored: Vec<String>,
    /// Python reprs of the values that changed, shown in the diff instead of their stored JSON.
    #[serde(default)]
    pub reprs: context_diff::Reprs,
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Of `warnings`, those about values the MOSS file set and the code left alone.
    #[serde(default)]
    pub file_warnings: Vec<String>,
}

/// Reads the host's result; the return value may have no JSON form, everything else has one.
pub fn read_report(outcome: &Bound<'_, PyAny>) -> PyResult<ChildReport> {
    let returns = convert::from_py(&outcome.get_item("returns")?).unwrap_or(Value::Null);
    outcome.set_item("returns", outcome.py().None())?;
    let mut report: ChildReport = host::json(outcome)?;
    report.returns = returns;
    Ok(report)
}
