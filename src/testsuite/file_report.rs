//! What testing one MOSS file found: the report a `moss test-worker` prints as one JSON object and
//! `moss test` reads back, summarises and writes as JUnit.

use serde::{Deserialize, Serialize};

use crate::device::DeviceReport;
use crate::run::error_info::ErrorInfo;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileReport {
    pub path: String,
    /// The compile and prompt checks that failed (a passing check is not listed).
    pub checks: Vec<CheckReport>,
    pub cases: Vec<CaseReport>,
    /// The file lists no test case (none in `__moss_test_cases__` of its `__test__` module): only
    /// its compile and prompt checks ran.
    #[serde(default)]
    pub no_cases: bool,
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    /// `compile` or `prompt`.
    pub name: String,
    pub error: ErrorInfo,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseReport {
    pub name: String,
    pub outcome: Outcome,
    pub duration_ms: f64,
    pub error: Option<ErrorInfo>,
    pub stdout: String,
    pub stderr: String,
    /// The robot's state when the case ended, with `--device`: what `moss exec --json` reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

impl FileReport {
    pub fn new(path: &str) -> Self {
        FileReport { path: path.into(), checks: Vec::new(), cases: Vec::new(), no_cases: false, warnings: Vec::new() }
    }

    pub fn failed(path: &str, check: &str, error: ErrorInfo) -> Self {
        let check = CheckReport { name: check.into(), error, stdout: String::new(), stderr: String::new() };
        FileReport { checks: vec![check], ..FileReport::new(path) }
    }
}

impl CaseReport {
    pub fn skipped(name: &str) -> Self {
        CaseReport {
            name: name.into(),
            outcome: Outcome::Skipped,
            duration_ms: 0.0,
            error: None,
            stdout: String::new(),
            stderr: String::new(),
            device: None,
        }
    }

    pub fn failed(name: &str, error: ErrorInfo) -> Self {
        CaseReport { error: Some(error), outcome: Outcome::Failed, ..CaseReport::skipped(name) }
    }
}

/// The failures a file counts: a failed check (however many) counts once, then each failed case.
pub fn failures(report: &FileReport) -> usize {
    report.checks.len().min(1) + report.cases.iter().filter(|c| c.outcome == Outcome::Failed).count()
}
