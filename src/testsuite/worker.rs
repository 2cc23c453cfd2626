//! `moss test-worker FILE`: tests one MOSS file and prints its report as one JSON object.
//!
//! `moss test` starts one worker process per file, and the worker runs the collection and every
//! case in a child of its own, so a crash or a hang cannot reach another file or another case.

use std::path::Path;
use std::time::Duration;

use crate::cli::{TestWorkerArgs, WorkerJob};
use crate::device::DeviceSpec;
use crate::error::{ErrorKind, MossError};
use crate::project::config::{Config, Imports};
use crate::project::moss_file;
use crate::run::child_report::{CaseOutcome, ChildReport, Collection};
use crate::run::error_info::ErrorInfo;
use crate::run::host;
use crate::run::request::RunRequest;
use crate::run::sandbox::Sandbox;
use crate::run::supervisor::{DEFAULT_MAX_OUTPUT, Supervision};
use crate::testsuite::case::{CaseLoop, CaseSetup, run_in_child};
use crate::testsuite::file_report::{CaseReport, CheckReport, FileReport};

/// A case's time limit when neither --timeout nor the configuration sets one.
const DEFAULT_TIMEOUT: f64 = 60.0;

pub fn run(args: &TestWorkerArgs) -> u8 {
    let report = test_file(args);
    crate::json_lines::write(&mut std::io::stdout().lock(), &report).expect("the report is written to moss test");
    0
}

fn test_file(args: &TestWorkerArgs) -> FileReport {
    let shown = args.file.display().to_string();
    let (path, source) = match moss_file::read(&args.file) {
        Ok(read) => read,
        Err(e) => return FileReport::failed(&shown, "compile", ErrorInfo::from_moss_error(&e)),
    };
    let (config, settings) = match Settings::of(&path, &args.job) {
        Ok(read) => read,
        Err(e) => return FileReport::failed(&shown, "compile", ErrorInfo::from_moss_error(&e)),
    };
    let sandbox = match args.job.sandbox.asked(None) {
        Ok(sandbox) => sandbox,
        Err(e) => return FileReport::failed(&shown, "compile", ErrorInfo::from_moss_error(&e)),
    };
    let supervision = Supervision {
        timeout: Some(Duration::from_secs_f64(settings.timeout)),
        sandbox: sandbox.as_ref().map(|s| s.policy.clone()),
        max_memory: args.job.max_memory,
        max_output: args.job.max_output.map_or(DEFAULT_MAX_OUTPUT, |bytes| bytes as usize),
        ..Supervision::default()
    };
    let traces = args.job.device_trace.as_deref().map(|folder| folder.join(trace_stem(&args.file)));
    let setup = CaseSetup {
        supervision: &supervision,
        config: &config,
        device: settings.device.as_ref(),
        allow_imports: settings.allow_imports.as_ref(),
        imports: &settings.imports,
        traces: traces.as_deref(),
    };
    let mut report = FileReport::new(&shown);
    report.warnings.extend(sandbox.iter().flat_map(Sandbox::gap_warnings));
    let mut cases = CaseLoop::new(args.job.filter.as_deref(), args.job.exit_first);
    if args.job.replay {
        crate::testsuite::replay::journaled_runs(
            &path,
            &source,
            &setup,
            args.job.context.as_deref(),
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

/// The start of the names of a file's device traces: its path as reported, folders joined by dots,
/// without `.py` (`agents/roll.py` → `agents.roll`), so that files of the same name in other
/// folders do not share traces.
fn trace_stem(shown: &Path) -> String {
    let parts: Vec<String> = shown
        .with_extension("")
        .components()
        .filter_map(|part| match part {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join(".")
}

/// What of a file's configuration its cases and replayed runs use, the job's flags over it.
/// `moss test` reads it for every file before any worker starts, so that a bad value written for
/// every file (a `MOSS_*` variable, a project's configuration) is one usage error, not a failure
/// per file.
pub(crate) struct Settings {
    pub device: Option<DeviceSpec>,
    pub timeout: f64,
    pub allow_imports: Option<Vec<String>>,
    pub imports: Imports,
}

impl Settings {
    pub(crate) fn of(moss_file: &Path, job: &WorkerJob) -> Result<(Config, Settings), MossError> {
        let config = Config::for_moss_file(moss_file)?;
        let settings = Settings {
            device: config.device(job.device.as_ref())?,
            timeout: config.timeout(job.timeout)?.unwrap_or(DEFAULT_TIMEOUT),
            allow_imports: config.allow_imports(job.allow_import.as_ref())?,
            imports: config.imports()?,
        };
        Ok((config, settings))
    }
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
    let request = RunRequest { device: setup.device.cloned(), ..RunRequest::new(path, source, setup.imports) };
    let run = match host::call::<Collection>(path, &request, setup.supervision, None) {
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
    let collected = match run.outcome {
        Ok(collected) => collected,
        Err(error) => {
            let error = error.memory_too_small(setup.supervision.max_memory, &output(&run.stderr));
            report.checks.push(check("compile", error));
            return Err(());
        }
    };
    report.warnings.extend(collected.warnings);
    // The collection's error is the file's failure to compile as the test module.
    for (name, error) in [("compile", collected.error), ("prompt", collected.outcome.prompt_error)] {
        if let Some(error) = error {
            report.checks.push(check(name, error.with_default_hint()));
        }
    }
    if report.checks.iter().any(|c| c.name == "compile") {
        return Err(());
    }
    report.no_cases = collected.outcome.cases.is_empty();
    for case in collected.outcome.cases {
        cases.run(&case.name, report, |warnings| match case.problem {
            Some(problem) => {
                CaseReport::failed(&case.name, case_error(ErrorInfo::new(ErrorKind::Target, "TargetError", problem)))
            }
            None => run_case(path, source, &case.name, setup, warnings),
        });
    }
    Ok(())
}

fn run_case(path: &Path, source: &str, name: &str, setup: &CaseSetup, warnings: &mut Vec<String>) -> CaseReport {
    let request = RunRequest {
        case: Some(name.to_owned()),
        device: setup.device.cloned(),
        allow_imports: setup.allow_imports.cloned(),
        ..RunRequest::new(path, source, setup.imports)
    };
    let judge = |report: ChildReport<CaseOutcome>, stdout: &str| match report.error {
        None => golden_mismatch(path, name, stdout),
        Some(error) => Some(case_error(error)),
    };
    run_in_child(path, name, request, setup, judge, warnings)
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

/// The error types of a case whose output does not match its golden file, or whose golden file
/// cannot be read: no exception of the case, so reports give their message alone.
pub const GOLDEN_MISMATCH: &str = "GoldenMismatch";
pub const GOLDEN_UNREADABLE: &str = "GoldenUnreadable";

/// A case with a golden file `<stem>.<case>.out` beside the MOSS file must print exactly that. A
/// golden file that exists but cannot be read as text fails the case: passing it unchecked would
/// pass CI on output nobody compared.
fn golden_mismatch(path: &Path, case: &str, stdout: &str) -> Option<ErrorInfo> {
    let stem = path.file_stem()?.to_string_lossy();
    let golden = path.with_file_name(format!("{stem}.{case}.out"));
    let unreadable = |reason: String, fix: &str| {
        let mut error = ErrorInfo::new(
            ErrorKind::Exception,
            GOLDEN_UNREADABLE,
            format!("cannot read the golden file {}: {reason}", golden.display()),
        );
        error.hint = Some(fix.to_owned());
        Some(error)
    };
    let expected = match std::fs::read(&golden) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return unreadable(moss_file::io_reason(&e), "make it a readable file, or remove it"),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let reason = format!("it is not UTF-8 text (byte {} is invalid)", e.utf8_error().valid_up_to());
                return unreadable(reason, "write the expected output to it as UTF-8 text");
            }
        },
    };
    if expected == stdout {
        return None;
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), stdout)
        .unified_diff()
        .header(&golden.display().to_string(), "stdout")
        .to_string();
    // A diff does not show a carriage return: a golden file written on Windows looks the same.
    let endings = match expected.replace("\r\n", "\n") == stdout {
        true => " only in its line endings: its lines end in \\r\\n, the case printed \\n",
        false => "",
    };
    let message = format!("stdout differs from {}{endings}", golden.display());
    let mut error = ErrorInfo::new(ErrorKind::Exception, GOLDEN_MISMATCH, message);
    error.traceback = diff;
    error.hint = Some(format!("if the new output is right, write it to {}", golden.display()));
    Some(error)
}
