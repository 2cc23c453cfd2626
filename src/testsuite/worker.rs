//! `moss test-worker FILE`: tests one MOSS file and prints its report as one JSON object.
//!
//! `moss test` starts one worker process per file, and the worker runs the collection and every
//! case in a child of its own, so a crash or a hang cannot reach another file or another case.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cli::TestWorkerArgs;
use crate::device::{self, DeviceReport};
use crate::project::config::{self, Config};

/// A case's time limit when neither --timeout nor the configuration sets one.
const DEFAULT_TIMEOUT: f64 = 60.0;
use crate::error::ErrorKind;
use crate::project::moss_file;
use crate::run::host;
use crate::run::report::ErrorInfo;
use crate::run::sandbox::Sandbox;
use crate::run::supervisor::Supervision;

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

#[derive(Serialize, Deserialize)]
struct Collected {
    compile_error: Option<ErrorInfo>,
    prompt_error: Option<ErrorInfo>,
    cases: Vec<ListedCase>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct ListedCase {
    name: String,
    problem: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CaseOutcome {
    ok: bool,
    error: Option<ErrorInfo>,
    #[serde(default)]
    warnings: Vec<String>,
}

impl FileReport {
    fn new(path: &str) -> Self {
        FileReport { path: path.into(), checks: Vec::new(), cases: Vec::new(), no_cases: false, warnings: Vec::new() }
    }

    pub fn failed(path: &str, check: &str, error: ErrorInfo) -> Self {
        let check = CheckReport { name: check.into(), error, stdout: String::new(), stderr: String::new() };
        FileReport { checks: vec![check], ..FileReport::new(path) }
    }
}

pub fn run(args: &TestWorkerArgs) -> u8 {
    let report = test_file(args);
    println!("{}", serde_json::to_string(&report).expect("a report serialises"));
    0
}

fn test_file(args: &TestWorkerArgs) -> FileReport {
    let shown = args.file.display().to_string();
    let (path, source) = match moss_file::read(&args.file) {
        Ok(read) => read,
        Err(e) => return FileReport::failed(&shown, "compile", ErrorInfo::from_moss_error(&e)),
    };
    let config = match Config::for_moss_file(&path) {
        Ok(config) => config,
        Err(e) => return FileReport::failed(&shown, "compile", ErrorInfo::from_moss_error(&e)),
    };
    let device = config.device(args.device.as_ref());
    let sandbox = match args
        .sandbox
        .sandbox
        .then(|| Sandbox::prepare(None, &args.sandbox.allow_write, args.sandbox.allow_net))
        .transpose()
    {
        Ok(sandbox) => sandbox,
        Err(e) => return FileReport::failed(&shown, "compile", ErrorInfo::from_moss_error(&e)),
    };
    let supervision = Supervision {
        timeout: Some(Duration::from_secs_f64(config.timeout(args.timeout).unwrap_or(DEFAULT_TIMEOUT))),
        sandbox: sandbox.as_ref().map(|s| s.policy.clone()),
        ..Supervision::default()
    };
    let setup = CaseSetup { supervision: &supervision, config: &config, device: device.as_deref() };
    let mut report = FileReport::new(&shown);
    report
        .warnings
        .extend(sandbox.iter().flat_map(|s| s.policy.unenforced.iter().map(|gap| format!("--sandbox: {gap}"))));
    let mut cases = CaseLoop { filter: args.filter.as_deref(), exit_first: args.exit_first, stopped: false };
    if args.replay {
        crate::testsuite::replay::journaled_runs(
            &path,
            &source,
            &setup,
            args.context.as_deref(),
            &mut cases,
            &mut report,
        );
        return report;
    }
    if test_cases(&path, &source, &setup, &mut cases, &mut report).is_ok() {
        crate::testsuite::replay::pinned_runs(&path, &source, &setup, &mut cases, &mut report);
    }
    report
}

/// The compile and prompt checks, then each of `__moss_test_cases__`; Err when the file does
/// not compile, so nothing else of it can run.
fn test_cases(
    path: &Path,
    source: &str,
    setup: &CaseSetup,
    cases: &mut CaseLoop,
    report: &mut FileReport,
) -> Result<(), ()> {
    let request = json!({ "path": path.to_string_lossy(), "source": source, "device": setup.device });
    let request = config::with_host_fields(request, setup.config);
    let run = match host::call(path, "collect_tests", &request, setup.supervision, None, host::json::<Collected>) {
        Ok(run) => run,
        Err(e) => {
            *report = FileReport::failed(&report.path, "compile", ErrorInfo::internal(&e.to_string()));
            return Err(());
        }
    };
    let output = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let check = |name: &str, error| CheckReport {
        name: name.into(),
        error,
        stdout: output(&run.stdout),
        stderr: output(&run.stderr),
    };
    let (collected, warnings) = match run.outcome {
        Ok(done) => done,
        Err(error) => {
            report.checks.push(check("compile", error));
            return Err(());
        }
    };
    report.warnings.extend(warnings.into_iter().chain(collected.warnings));
    for (name, error) in [("compile", collected.compile_error), ("prompt", collected.prompt_error)] {
        if let Some(error) = error {
            report.checks.push(check(name, error.with_default_hint()));
        }
    }
    if report.checks.iter().any(|c| c.name == "compile") {
        return Err(());
    }
    report.no_cases = collected.cases.is_empty();
    for case in collected.cases {
        cases.run(&case.name, report, |warnings| match case.problem {
            Some(problem) => {
                CaseReport::failed(&case.name, case_error(ErrorInfo::new(ErrorKind::Target, "TargetError", problem)))
            }
            None => run_case(path, source, &case.name, setup, warnings),
        });
    }
    Ok(())
}

/// Runs a file's cases one after the other, keeping those -k selects and skipping the rest
/// after a failure with -x, or after an interrupt (Ctrl-C to `moss test`).
pub struct CaseLoop<'a> {
    filter: Option<&'a str>,
    exit_first: bool,
    stopped: bool,
}

impl CaseLoop<'_> {
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
    pub device: Option<&'a str>,
}

fn run_case(path: &Path, source: &str, name: &str, setup: &CaseSetup, warnings: &mut Vec<String>) -> CaseReport {
    let request = json!({ "path": path.to_string_lossy(), "source": source, "case": name, "device": setup.device });
    let judge = |outcome: CaseOutcome, stdout: &str| match outcome {
        CaseOutcome { ok: true, .. } => golden_mismatch(path, name, stdout),
        CaseOutcome { error, .. } => {
            Some(error.map(case_error).unwrap_or_else(|| ErrorInfo::internal("the case failed without an error")))
        }
    };
    run_in_child(path, name, ("run_test_case", request), setup, host::json::<CaseOutcome>, judge, warnings)
}

/// Runs one case: the host function `call` in a supervised child of its own, with a fresh device;
/// `judge` finds what failed in its outcome and stdout, if anything did.
pub fn run_in_child<T: Serialize + serde::de::DeserializeOwned>(
    path: &Path,
    name: &str,
    (function, request): (&str, serde_json::Value),
    setup: &CaseSetup,
    read: impl for<'py> FnOnce(&pyo3::Bound<'py, pyo3::PyAny>) -> pyo3::PyResult<T>,
    judge: impl FnOnce(T, &str) -> Option<ErrorInfo>,
    warnings: &mut Vec<String>,
) -> CaseReport {
    let request = config::with_host_fields(request, setup.config);
    // Each case gets a fresh device of its own, as it gets a fresh runtime.
    // Set up as `moss exec` sets it up; a spec that is no device fails the case as exec fails.
    let device_setup = setup.device.map(|spec| device::Setup::new(spec.to_owned(), device::Outputs::default()));
    let started = device_setup.transpose().and_then(|setup| setup.map(device::Setup::start).transpose());
    let (companion, device_report) = match started {
        Ok(started) => started.unzip(),
        Err(message) => return CaseReport::failed(name, ErrorInfo::device(&message)),
    };
    let run = match host::call(path, function, &request, setup.supervision, companion, read) {
        Ok(run) => run,
        Err(e) => return CaseReport::failed(name, ErrorInfo::internal(&e.to_string())),
    };
    if !run.left_running.is_empty() {
        warnings.push(format!("{name}: {}", crate::run::execute::left_running_warning(&run.left_running)));
    }
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let device = device_report.and_then(|report| report.try_recv().ok());
    let unreachable = device.as_ref().and_then(|d| d.unreachable.as_deref()).map(ErrorInfo::device);
    let error = match run.outcome {
        _ if unreachable.is_some() => unreachable,
        Ok((outcome, _)) => judge(outcome, &stdout),
        Err(error) => Some(error),
    };
    CaseReport {
        name: name.into(),
        outcome: if error.is_some() { Outcome::Failed } else { Outcome::Passed },
        duration_ms: run.duration.as_secs_f64() * 1000.0,
        error,
        stdout,
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
        device,
    }
}

/// A case that cannot be called is fixed in the MOSS file: `moss test` has no `--target` to
/// suggest, as `moss exec`'s hint does.
fn case_error(mut error: ErrorInfo) -> ErrorInfo {
    if error.kind == ErrorKind::Target {
        error.hint = Some(
            "a test case is a function of the MOSS file that takes `moss` and runs to its end; \
             list only such functions in `__moss_test_cases__`"
                .into(),
        );
    }
    error
}

/// A case with a golden file `<stem>.<case>.out` beside the MOSS file must print exactly that.
fn golden_mismatch(path: &Path, case: &str, stdout: &str) -> Option<ErrorInfo> {
    let stem = path.file_stem()?.to_string_lossy();
    let golden = path.with_file_name(format!("{stem}.{case}.out"));
    let expected = std::fs::read_to_string(&golden).ok()?;
    if expected == stdout {
        return None;
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), stdout)
        .unified_diff()
        .header(&golden.display().to_string(), "stdout")
        .to_string();
    let mut error =
        ErrorInfo::new(ErrorKind::Exception, "GoldenMismatch", format!("stdout differs from {}", golden.display()));
    error.traceback = diff;
    error.hint = Some(format!("if the new output is right, write it to {}", golden.display()));
    Some(error)
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
