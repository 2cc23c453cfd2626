//! Running a file's test cases: each in a supervised child of its own, with a fresh device, one
//! after the other as `-k` and `-x` decide. The worker's own cases and replayed runs both run so.

use std::path::Path;

use crate::device::{self, DeviceSpec};
use crate::project::config::{Config, Imports};
use crate::run::child_report::{ChildReport, HostOutcome};
use crate::run::error_info::ErrorInfo;
use crate::run::host;
use crate::run::request::RunRequest;
use crate::run::supervisor::Supervision;
use crate::testsuite::file_report::{CaseReport, FileReport, Outcome};

/// Runs a file's cases one after the other, keeping those -k selects and skipping the rest
/// after a failure with -x, or after an interrupt (Ctrl-C to `moss test`).
pub struct CaseLoop<'a> {
    filter: Option<&'a str>,
    exit_first: bool,
    stopped: bool,
}

impl<'a> CaseLoop<'a> {
    /// Cases whose `FILE::NAME` contains `filter` (all without one); with `exit_first`, the rest
    /// are skipped after the first failure.
    pub fn new(filter: Option<&'a str>, exit_first: bool) -> Self {
        CaseLoop { filter, exit_first, stopped: false }
    }

    pub fn run(&mut self, name: &str, report: &mut FileReport, case: impl FnOnce(&mut Vec<String>) -> CaseReport) {
        if self.filter.is_some_and(|pattern| !format!("{}::{name}", report.path).contains(pattern)) {
            return;
        }
        let result = if self.stopped { CaseReport::skipped(name) } else { case(&mut report.warnings) };
        self.stopped |=
            (self.exit_first && result.outcome == Outcome::Failed) || crate::run::supervisor::interrupted().is_some();
        report.cases.push(result);
    }
}

/// How a file's cases run: the same limits, configuration and device for each.
pub struct CaseSetup<'a> {
    pub supervision: &'a Supervision,
    pub config: &'a Config,
    pub device: Option<&'a DeviceSpec>,
    /// The import allow-list of every case, replayed from the journal, pinned or the file's own.
    pub allow_imports: Option<&'a Vec<String>>,
    pub imports: &'a Imports,
    /// With `--device-trace DIR`: DIR and the start of this file's trace names, which each
    /// case's name completes.
    pub traces: Option<&'a Path>,
}

/// Runs one case: the host function that answers with `O` in a supervised child of its own, with
/// a fresh device; `judge` finds what failed in its report and stdout, if anything did.
pub fn run_in_child<O: HostOutcome>(
    path: &Path,
    name: &str,
    request: RunRequest,
    setup: &CaseSetup,
    judge: impl FnOnce(ChildReport<O>, &str) -> Option<ErrorInfo>,
    warnings: &mut Vec<String>,
) -> CaseReport {
    // Each case gets a fresh device of its own, as it gets a fresh runtime.
    // Set up as `moss exec` sets it up; a device that cannot be set up fails the case as exec fails.
    let outputs = device::Outputs { trace: setup.traces.map(|start| trace_of(start, name)), ..Default::default() };
    let device_setup = setup.device.map(|spec| device::Setup { spec: spec.clone(), outputs });
    let started = device_setup.map(device::Setup::start).transpose();
    let (companion, device_report) = match started {
        Ok(started) => started.unzip(),
        Err(problem) => return CaseReport::failed(name, ErrorInfo::device(problem)),
    };
    let run = match host::call::<O>(path, &request, setup.supervision, companion) {
        Ok(run) => run,
        Err(e) => return CaseReport::failed(name, ErrorInfo::internal(&e.to_string())),
    };
    if !run.left_running.is_empty() {
        warnings.push(crate::run::leftovers::warning(&run.left_running).after(name).to_text());
    }
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    let device = device_report.and_then(|report| report.try_recv().ok());
    let unreachable = device.as_ref().and_then(|d| d.unreachable.clone()).map(ErrorInfo::device);
    let error = match run.outcome {
        _ if unreachable.is_some() => unreachable,
        Ok(report) => judge(report, &stdout),
        Err(error) => Some(error),
    };
    CaseReport {
        name: name.into(),
        outcome: if error.is_some() { Outcome::Failed } else { Outcome::Passed },
        duration_ms: run.duration.as_secs_f64() * 1000.0,
        error: error.map(|error| error.memory_too_small(setup.supervision.max_memory, &stderr)),
        stdout,
        stderr,
        device,
    }
}

/// The trace of case `name`: `<start>.<name>.jsonl`, with what a file name should not hold in
/// a case's name (`pinned:NAME`, `run N`) as `_`.
fn trace_of(start: &Path, name: &str) -> std::path::PathBuf {
    let name: String = name.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let mut file = start.as_os_str().to_owned();
    file.push(format!(".{name}.jsonl"));
    file.into()
}
