//! How `moss test` reports: a line per file as files finish (with a progress bar on a
//! terminal), the failures in full, a JUnit XML file for CI services, or one JSON document.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::json;

use crate::cli::style;
use crate::testsuite::file_report::{FileReport, Outcome, failures};

pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub duration: Duration,
    /// With --shard: which shard ran, and how many of the files found it held.
    pub shard: Option<ShardRun>,
}

#[derive(Debug, Clone, Copy)]
pub struct ShardRun {
    pub shard: crate::testsuite::shard::Shard,
    pub files: usize,
    pub of: usize,
}

impl std::fmt::Display for ShardRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "shard {}: {} of {} MOSS files", self.shard, self.files, self.of)
    }
}

impl Summary {
    /// Counts test cases; a file that does not compile or whose prompt does not build counts as
    /// one failed case.
    pub fn of(reports: &[FileReport], duration: Duration) -> Self {
        let count = |outcome| reports.iter().flat_map(|r| &r.cases).filter(|c| c.outcome == outcome).count();
        let broken_files = reports.iter().filter(|r| !r.checks.is_empty()).count();
        Summary {
            passed: count(Outcome::Passed),
            failed: count(Outcome::Failed) + broken_files,
            skipped: count(Outcome::Skipped),
            duration,
            shard: None,
        }
    }

    /// `N passed, N failed[, N skipped]`: the report's last line, which CI services read.
    pub fn line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

pub struct Console {
    bar: Option<ProgressBar>,
    json: bool,
}

impl Console {
    pub fn new(files: usize, interactive: bool, json: bool) -> Self {
        let bar = interactive.then(|| {
            let bar = ProgressBar::new(files as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} files  {wide_msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Console { bar, json }
    }

    pub fn file_done(&mut self, report: &FileReport) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(report.path.clone());
        }
        if self.json {
            return;
        }
        let cases = report.cases.len();
        let line = match failures(report) {
            0 if report.no_cases => {
                format!("PASS  {} (no test cases: only the compile and prompt checks ran)", report.path)
            }
            0 => format!("PASS  {} ({cases} case{})", report.path, if cases == 1 { "" } else { "s" }),
            n if !report.checks.is_empty() => {
                format!("FAIL  {} (the {} check failed)", report.path, report.checks[0].name) + &more(n - 1)
            }
            n => format!("FAIL  {} ({n} of {cases} cases failed)", report.path),
        };
        self.println(&line);
        for warning in &report.warnings {
            self.suspended(|| style::warning(&format!("{}: {warning}", report.path)));
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn println(&self, line: &str) {
        self.suspended(|| {
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        });
    }

    /// Runs `print` with the progress bar out of the way.
    fn suspended(&self, print: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// The failures in full, then the summary line last.
    pub fn report(&self, reports: &[FileReport], summary: &Summary, stopped_early: bool) {
        if self.json {
            let document = json!({
                "files": reports,
                "passed": summary.passed,
                "failed": summary.failed,
                "skipped": summary.skipped,
                "duration_ms": summary.duration.as_secs_f64() * 1000.0,
                "shard": summary.shard.map(|run| json!({
                    "index": run.shard.index, "count": run.shard.count, "files": run.files, "of": run.of,
                })),
            });
            println!("{document}");
            eprintln!("{}", summary.line());
            return;
        }
        let mut out = String::new();
        for report in reports {
            for check in &report.checks {
                out.push_str(&failure_block(
                    &format!("{} ({} check)", report.path, check.name),
                    &check.error,
                    &check.stdout,
                    &check.stderr,
                ));
            }
            for case in report.cases.iter().filter(|c| c.outcome == Outcome::Failed) {
                if let Some(error) = &case.error {
                    out.push_str(&failure_block(
                        &format!("{}::{}", report.path, case.name),
                        error,
                        &case.stdout,
                        &case.stderr,
                    ));
                }
            }
        }
        if stopped_early {
            out.push_str("\nstopped at the first failure (-x)\n");
        }
        if let Some(shard) = summary.shard {
            out.push_str(&format!("\n{shard}\n"));
        }
        out.push_str(&format!("\nfinished in {:.2} s\n{}\n", summary.duration.as_secs_f64(), summary.line()));
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
}

fn more(n: usize) -> String {
    if n == 0 { String::new() } else { format!(", and {n} more failure{}", if n == 1 { "" } else { "s" }) }
}

fn failure_block(title: &str, error: &crate::run::error_info::ErrorInfo, stdout: &str, stderr: &str) -> String {
    let mut block = format!("\n---- {title} ----\n{}\n", failure_message(error));
    if let Some(at) = error.location() {
        block.push_str(&format!("  --> {at}\n"));
    }
    if !error.traceback.is_empty() {
        block.push_str(error.traceback.trim_end());
        block.push('\n');
    }
    if let Some(hint) = &error.hint {
        block.push_str(&format!("hint: {hint}\n"));
    }
    for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
        if !text.is_empty() {
            block.push_str(&format!("--- {name} ---\n{}\n", text.trim_end()));
        }
    }
    block
}

/// One test suite per file: a test case per case, plus one for each of its compile and prompt
/// checks.
pub fn write_junit(path: &Path, reports: &[FileReport], summary: &Summary) -> std::io::Result<()> {
    let mut report = Report::new(summary.shard.map_or("moss".into(), |run| format!("moss shard {}", run.shard)));
    report.set_time(summary.duration);
    for file in reports {
        let mut suite = TestSuite::new(file.path.as_str());
        for check in ["compile", "prompt"] {
            let failed = file.checks.iter().find(|c| c.name == check);
            let skipped = failed.is_none() && file.checks.iter().any(|c| c.name == "compile");
            let status = match failed {
                Some(failure) => failure_status(&failure.error),
                None if skipped => TestCaseStatus::skipped(),
                None => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(format!("<{check}>"), status);
            case.set_classname(file.path.as_str());
            if let Some(failure) = failed {
                case.set_system_out(failure.stdout.as_str()).set_system_err(failure.stderr.as_str());
            }
            suite.add_test_case(case);
        }
        for result in &file.cases {
            let status = match (&result.outcome, &result.error) {
                (Outcome::Passed, _) => TestCaseStatus::success(),
                (Outcome::Skipped, _) => TestCaseStatus::skipped(),
                (Outcome::Failed, Some(error)) => failure_status(error),
                (Outcome::Failed, None) => TestCaseStatus::non_success(NonSuccessKind::Failure),
            };
            let mut case = TestCase::new(result.name.as_str(), status);
            case.set_classname(file.path.as_str())
                .set_time(Duration::from_secs_f64(result.duration_ms / 1000.0))
                .set_system_out(result.stdout.as_str())
                .set_system_err(result.stderr.as_str());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let xml = report.to_string().map_err(std::io::Error::other)?;
    let mut temp =
        tempfile::NamedTempFile::new_in(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))?;
    temp.write_all(xml.as_bytes())?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn failure_status(error: &crate::run::error_info::ErrorInfo) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(if error.kind == crate::error::ErrorKind::Exception {
        NonSuccessKind::Failure
    } else {
        NonSuccessKind::Error
    });
    status
        .set_message(failure_message(error))
        .set_type(error.type_name.as_str())
        .set_description(error.traceback.as_str());
    status
}

/// A failed case's error is the case's own exception, not generated code's: say it plainly. Its
/// golden file's verdict is no exception at all: its message says it.
fn failure_message(error: &crate::run::error_info::ErrorInfo) -> String {
    use super::worker::{GOLDEN_MISMATCH, GOLDEN_UNREADABLE};
    match error.kind {
        crate::error::ErrorKind::Exception
            if [GOLDEN_MISMATCH, GOLDEN_UNREADABLE].contains(&error.type_name.as_str()) =>
        {
            error.message.clone()
        }
        crate::error::ErrorKind::Exception => format!("{}: {}", error.type_name, error.message),
        _ => error.headline(),
    }
}
