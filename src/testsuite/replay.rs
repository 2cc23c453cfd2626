//! Runs that happened once, run again as test cases: `moss test --replay` re-runs the successful
//! runs of a MOSS file's journal, and plain `moss test` runs the ones pinned with
//! `moss log FILE --pin N` (`<stem>.pinned/*.json` beside the file).
//!
//! Each run starts from the properties the journal recorded it starting from, in a child of its
//! own, against the MOSS file as it is now. Nothing is saved: not the context, not the journal.
//! A run passes when it succeeds again; what it returns or prints is not compared, since a run
//! may read the clock or a device.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::device::DeviceSpec;
use crate::error::ErrorKind;
use crate::project::moss_file;
use crate::run::child_report::{ChildReport, ExecOutcome};
use crate::run::error_info::ErrorInfo;
use crate::run::journal::{self, RunRecord};
use crate::run::request::RunRequest;
use crate::testsuite::case::{CaseLoop, CaseSetup, run_in_child};
use crate::testsuite::discover::display;
use crate::testsuite::file_report::{CaseReport, FileReport};

/// A run to do again, as a pinned case's file holds it.
#[derive(Debug, Serialize, Deserialize)]
pub struct PinnedRun {
    /// When the run was journaled.
    pub time: String,
    pub target: String,
    #[serde(default)]
    pub args: Vec<String>,
    pub code: String,
    /// The context's properties when the run started.
    pub start: Map<String, Value>,
    /// The device spec the run was given; a run again uses it (a simulator for a real BOLT)
    /// unless `moss test --device` or the configuration names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceSpec>,
}

impl PinnedRun {
    /// The run of a record, or why it cannot be run again.
    pub fn of(record: &RunRecord) -> Result<Self, String> {
        if !record.ok {
            return Err("it failed; only a successful run is run again".into());
        }
        let Some(code) = &record.code else { return Err("no code is journaled".into()) };
        let Some(start) = &record.start else {
            return Err("no starting properties are journaled (moss journals them up to 64 KiB, since the \
                 version that replays)"
                .into());
        };
        let device = record.device.as_deref().map(DeviceSpec::parse).transpose();
        let device = device.map_err(|e| format!("the device it ran with is no device spec: {}", e.problem))?;
        Ok(PinnedRun {
            time: record.time.clone(),
            target: record.target.clone(),
            args: record.args.clone(),
            code: code.clone(),
            start: start.clone(),
            device,
        })
    }

    /// The device to run it again with: the one of `--device` or the configuration, else the one
    /// it ran with, where a real BOLT becomes the simulator (a test must not drive a robot, and
    /// CI has none).
    fn device(&self, chosen: Option<&DeviceSpec>) -> Option<DeviceSpec> {
        chosen.cloned().or_else(|| self.device.as_ref().map(DeviceSpec::simulated))
    }
}

/// Replays every successful run of the file's journal, each as a case named `run N`, N counting
/// the journal's records from 1 as `moss log` numbers them.
pub fn journaled_runs(
    path: &Path,
    source: &str,
    setup: &CaseSetup,
    context: Option<&Path>,
    cases: &mut CaseLoop,
    report: &mut FileReport,
) {
    let Some(context) = context_of(path, setup, context, "journal", report) else { return };
    if let Err(e) = crate::project::context::check_belongs(&context, path) {
        let mut error = ErrorInfo::new(ErrorKind::Context, "ContextError", e.to_string());
        error.hint = Some("give --context the context this file's runs were made with".into());
        report.cases.push(CaseReport::failed("journal", error));
        return;
    }
    let journal = journal::path_beside(&context);
    let records = match journal::read(&journal) {
        Ok((records, skipped)) => {
            report.warnings.extend(skipped);
            records
        }
        Err(e) => {
            let message = format!("cannot read the run journal {}: {e}", journal.display());
            report
                .cases
                .push(CaseReport::failed("journal", ErrorInfo::new(ErrorKind::Context, "ContextError", message)));
            return;
        }
    };
    let replayer = Replayer::new(path, source, setup, &context);
    let mut not_replayed: Vec<(String, Vec<String>)> = Vec::new();
    for (index, record) in records.iter().enumerate().filter(|(_, record)| record.ok) {
        let name = format!("run {}", index + 1);
        match PinnedRun::of(record) {
            Ok(run) => {
                let code_file = format!("{}#{}", file_name(&journal), index + 1);
                let hint = format!(
                    "{name} succeeded when it ran ({}); the MOSS file as it is now breaks it: fix the file, \
                     unless the change is meant (then code written for the old file fails like this one)",
                    run.time
                );
                cases.run(&name, report, |warnings| replayer.case(&name, &code_file, &run, hint, warnings));
            }
            Err(reason) => {
                cases.run(&name, report, |_| CaseReport::skipped(&name));
                match not_replayed.iter_mut().find(|(known, _)| *known == reason) {
                    Some((_, names)) => names.push(name),
                    None => not_replayed.push((reason, vec![name])),
                }
            }
        }
    }
    for (reason, names) in not_replayed {
        let runs = match names.len() {
            1 => "1 successful run".to_owned(),
            n => format!("{n} successful runs"),
        };
        report.warnings.push(format!(
            "{runs} of {} skipped, not replayed ({}): {reason}",
            display(&journal),
            names.join(", ")
        ));
    }
    if !records.iter().any(|record| record.ok) {
        report.warnings.push(format!("{} holds no successful run to replay", display(&journal)));
    }
}

/// Runs the file's pinned cases, `pinned:<name>` for each `<stem>.pinned/<name>.json`.
pub fn pinned_runs(path: &Path, source: &str, setup: &CaseSetup, cases: &mut CaseLoop, report: &mut FileReport) {
    let folder = pinned_folder(path);
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            let message = format!("cannot read the pinned runs in {}: {e}", display(&folder));
            report
                .cases
                .push(CaseReport::failed("pinned", ErrorInfo::new(ErrorKind::Context, "PinnedCaseError", message)));
            return;
        }
    };
    let mut files: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    report.no_cases &= files.is_empty();
    let Some(context) = context_of(path, setup, None, "pinned", report) else { return };
    let replayer = Replayer::new(path, source, setup, &context);
    for file in files {
        let name = format!("pinned:{}", file.file_stem().unwrap_or_default().to_string_lossy());
        // `#code`: a line number of an error counts in the code the file holds, not in its JSON.
        let code_file = format!("{}/{}#code", file_name(&folder), file_name(&file));
        let read = std::fs::read(&file).map_err(|e| e.to_string());
        let parsed = |bytes: Vec<u8>| serde_json::from_slice::<PinnedRun>(moss_file::json_without_bom(&bytes));
        match read.and_then(|bytes| parsed(bytes).map_err(|e| e.to_string())) {
            Ok(run) => {
                let hint = format!(
                    "this run succeeded when it was pinned; fix the MOSS file, or delete {} if the change is meant",
                    display(&file)
                );
                cases.run(&name, report, |warnings| replayer.case(&name, &code_file, &run, hint, warnings));
            }
            Err(reason) => cases.run(&name, report, |_| {
                let mut error = ErrorInfo::new(
                    ErrorKind::Context,
                    "PinnedCaseError",
                    format!("{} is unreadable: {reason}", display(&file)),
                );
                error.hint = Some("pin the run again with `moss log FILE --pin N`, or delete the file".into());
                CaseReport::failed(&name, error)
            }),
        }
    }
}

/// The folder of a MOSS file's pinned cases: `<stem>.pinned/` beside it.
pub fn pinned_folder(moss_file: &Path) -> PathBuf {
    let stem = moss_file.file_stem().unwrap_or_default().to_string_lossy();
    moss_file.with_file_name(format!("{stem}.pinned"))
}

/// Runs recorded runs of one MOSS file again.
struct Replayer<'a> {
    path: &'a Path,
    source: &'a str,
    /// The name the file's module had in its context, which stored classes defined in it refer to.
    module: Option<String>,
    setup: &'a CaseSetup<'a>,
}

impl<'a> Replayer<'a> {
    fn new(path: &'a Path, source: &'a str, setup: &'a CaseSetup<'a>, context: &Path) -> Self {
        let context = crate::project::context::read(context).ok().flatten();
        Replayer { path, source, module: context.and_then(|c| c.module?.name), setup }
    }

    /// Runs `run` once more in a child: the file compiled afresh, `moss` restored from the run's
    /// starting properties; it passes when the code runs to its end again.
    fn case(
        &self,
        name: &str,
        code_file: &str,
        run: &PinnedRun,
        hint: String,
        warnings: &mut Vec<String>,
    ) -> CaseReport {
        let device = run.device(self.setup.device);
        let setup = CaseSetup { device: device.as_ref(), ..*self.setup };
        let request = RunRequest {
            properties: run.start.clone(),
            recorded_module: self.module.clone(),
            code: Some(run.code.clone()),
            code_file: Some(code_file.to_owned()),
            target: Some(run.target.clone()),
            args: (!run.args.is_empty()).then(|| run.args.clone()),
            device: setup.device.cloned(),
            allow_imports: setup.allow_imports.cloned(),
            ..RunRequest::new(self.path, self.source, setup.imports)
        };
        let judge =
            |report: ChildReport<ExecOutcome>, _: &str| report.error.map(|e| ErrorInfo { hint: Some(hint), ..e });
        run_in_child(self.path, name, request, &setup, judge, warnings)
    }
}

/// The file's context, or None with a failed case named `name` saying why it cannot be found.
fn context_of(
    path: &Path,
    setup: &CaseSetup,
    flag: Option<&Path>,
    name: &str,
    report: &mut FileReport,
) -> Option<PathBuf> {
    let found = setup.config.context_path(flag, path);
    found.map_err(|e| report.cases.push(CaseReport::failed(name, ErrorInfo::from_moss_error(&e)))).ok()
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}
