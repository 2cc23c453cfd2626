//! What the shipped Python host (`_moss.host`) answers, for every entry point: one `ChildReport`,
//! whose error and warnings mean the same for every request, around the outcome of the entry point
//! that answered (`ExecOutcome` for `run_exec`, ...). `_moss/host.py` declares the same shapes.
//!
//! A caller always knows which entry point it calls, so the outcome's type is a parameter of the
//! report rather than a tag read at run time: the type names the function that answers with it
//! (`HostOutcome::FUNCTION`), and no caller can take one entry point's answer for another's.
//!
//! `warm_up` is not among them: it runs in the `moss serve` process itself, not in a child, has
//! nothing to report, and answers with file paths, which need not be UTF-8 and so are no JSON.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::embed::convert;
use crate::run::context_diff;
use crate::run::error_info::ErrorInfo;

/// What a host entry point sends back.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChildReport<O> {
    /// Why the request failed, if it did: the MOSS file did not load, the code or the case raised.
    pub error: Option<ErrorInfo>,
    /// The interpreter's warnings, then those of the run (values that cannot be stored, ...).
    pub warnings: Vec<String>,
    pub outcome: O,
}

/// The outcome of one entry point of the host.
pub trait HostOutcome: Serialize + DeserializeOwned {
    /// The `_moss.host` function that answers with this outcome.
    const FUNCTION: &'static str;
    /// Fields that hold a value as the user's code made it, which may have no JSON form: such a
    /// value is read as null rather than failing the whole report.
    const UNENCODABLE_FIELDS: &'static [&'static str] = &[];
}

/// `run_exec`: what the generated code did, and the properties to save when it succeeded.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExecOutcome {
    pub returns: Value,
    pub returns_repr: Option<String>,
    /// The name the MOSS file's module had in the run.
    pub module: Option<String>,
    pub properties: Option<Map<String, Value>>,
    /// The properties as the code found them, after the defaults and the file's hooks ran.
    pub started: Option<Map<String, Value>>,
    /// Stored properties the run could not restore: the context keeps their stored JSON.
    pub unrestored: Vec<String>,
    /// Python reprs of the values that changed, shown in the diff instead of their stored JSON.
    pub reprs: context_diff::Reprs,
    /// Of the report's warnings, those about values the MOSS file set and the code left alone.
    pub file_warnings: Vec<String>,
    /// The processes of the run's group when the code started: the MOSS file's. None when the
    /// code never started, so that every process left running is the file's.
    #[serde(default)]
    pub file_processes: Option<Vec<i32>>,
}

impl HostOutcome for ExecOutcome {
    const FUNCTION: &'static str = "run_exec";
    const UNENCODABLE_FIELDS: &'static [&'static str] = &["returns"];
}

/// `run_prompt`: the module's view for the model, in sections for token accounting.
#[derive(Debug, Serialize, Deserialize)]
pub struct PromptOutcome {
    pub prompt: Option<String>,
    pub sections: Vec<Section>,
    /// For a turn's prompt (`RunRequest::turn`): what the file's `__ghost__` says.
    pub ghost: Option<Ghost>,
}

impl HostOutcome for PromptOutcome {
    const FUNCTION: &'static str = "run_prompt";
}

/// A part of the prompt: a reflected name, the file's source, a custom prompt, a rule.
#[derive(Debug, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub module: String,
    pub kind: String,
    pub text: String,
}

/// What the file's `__ghost__` (a GhostOS `MossAgent`) says the model is and does.
#[derive(Debug, Serialize, Deserialize)]
pub struct Ghost {
    pub persona: String,
    pub instruction: String,
}

/// `collect_tests`: the file's test cases; the report's error says the file did not compile as
/// the test module, so none of them can run.
#[derive(Debug, Serialize, Deserialize)]
pub struct Collection {
    /// The file compiles but its prompt does not build, as `moss prompt` builds it.
    pub prompt_error: Option<ErrorInfo>,
    pub cases: Vec<ListedCase>,
}

impl HostOutcome for Collection {
    const FUNCTION: &'static str = "collect_tests";
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ListedCase {
    pub name: String,
    /// Why the case cannot run: `__moss_test_cases__` names something that is no function.
    pub problem: Option<String>,
}

/// `run_test_case`: a case passes when it returns, so the report's error is all there is to say.
#[derive(Debug, Serialize, Deserialize)]
pub struct CaseOutcome {}

impl HostOutcome for CaseOutcome {
    const FUNCTION: &'static str = "run_test_case";
}

/// Reads what a host function returned: plain data, but for `O::UNENCODABLE_FIELDS`.
pub fn read<O: HostOutcome>(answer: &Bound<'_, PyAny>) -> PyResult<ChildReport<O>> {
    let outcome = answer.get_item("outcome")?;
    let mut as_made = Vec::with_capacity(O::UNENCODABLE_FIELDS.len());
    for &field in O::UNENCODABLE_FIELDS {
        as_made.push((field, convert::from_py(&outcome.get_item(field)?).unwrap_or(Value::Null)));
        outcome.set_item(field, answer.py().None())?;
    }
    let mut report = convert::from_py(answer).map_err(PyValueError::new_err)?;
    for (field, value) in as_made {
        report["outcome"][field] = value;
    }
    serde_json::from_value(report).map_err(|e| PyValueError::new_err(e.to_string()))
}
