//! `moss test`: every MOSS file under the given paths compiles, its prompt builds, and each of
//! its `__moss_test_cases__` passes. Files run in parallel worker processes; results are
//! reported in a stable order, never interleaved.

pub(crate) mod case;
pub(crate) mod discover;
pub(crate) mod file_report;
pub(crate) mod replay;
pub(crate) mod report;
pub(crate) mod shard;
pub(crate) mod worker;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use crate::cli::style;
use crate::cli::{TestArgs, WorkerJob};
use crate::error::Problem;
use crate::run::error_info::ErrorInfo;
use crate::testsuite::discover::display;
use crate::testsuite::file_report::{FileReport, failures};
use crate::testsuite::report::{Console, ShardRun, Summary};

pub fn run(args: &TestArgs) -> u8 {
    let started = Instant::now();
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = match files_to_test(args, &paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    if let Some(Err(message)) = args.junit.as_deref().map(prepare_junit_folder) {
        style::error(&message, Some("pass a --junit path in a folder that can be created and written"));
        return 2;
    }
    if let Some(folder) = &args.device_trace
        && let Err(e) = std::fs::create_dir_all(folder)
    {
        style::error(
            &format!("cannot create the --device-trace folder {}: {e}", folder.display()),
            Some("pass a folder that can be created and written"),
        );
        return 2;
    }
    let jobs = args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
    let interactive =
        std::io::stderr().is_terminal() && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
    let found = files.len();
    if let Some(shard) = args.shard {
        files = shard.select(files, &paths);
    }
    if style::verbose() {
        tell_setups(args, &files);
    }
    let job = WorkerJob::of(args);
    if let Err(e) = files.iter().try_for_each(|file| worker::Settings::of(file, &job).map(drop)) {
        style::error(&e.to_string(), e.hint().as_deref());
        return e.exit_code();
    }
    let mut console = Console::new(files.len(), interactive, args.output.json);

    let reports = run_files(&files, jobs, args, |report| console.file_done(report));
    console.finish();
    let mut summary = Summary::of(&reports, started.elapsed());
    summary.shard = args.shard.map(|shard| ShardRun { shard, files: files.len(), of: found });
    let junit = args.junit.as_deref().map(|path| {
        crate::testsuite::report::write_junit(path, &reports, &summary)
            .map_err(|e| format!("cannot write the JUnit report {}: {e}", path.display()))
    });
    console.report(&reports, &summary, args.exit_first && summary.failed > 0);
    if let Some(folder) = &args.device_trace
        && !reports.iter().flat_map(|report| &report.cases).any(|case| case.device.is_some())
    {
        style::warn(&Problem::hinted(
            format!("--device-trace {}: no case ran with a device, so no trace was written", folder.display()),
            "pass --device sim (or set MOSS_DEVICE, or the configuration's device)",
        ));
    }
    if let Some(Err(message)) = junit {
        style::error(&message, None);
        return 2;
    }
    match (&args.filter, summary.failed, summary.passed + summary.skipped) {
        (_, 1.., _) if reports.iter().any(device_unreachable) => DEVICE_UNREACHABLE,
        (_, 1.., _) => 1,
        (Some(pattern), 0, 0) => {
            style::error(
                &format!("no test case matches -k {pattern:?}"),
                Some("-k keeps the cases whose `path::case` contains PATTERN; `moss test` without -k lists them all"),
            );
            NOTHING_TO_TEST
        }
        _ => 0,
    }
}

/// For --verbose: where each file's configuration, Python and context come from.
fn tell_setups(args: &TestArgs, files: &[PathBuf]) {
    use crate::cli::verbose::{self, ContextUse};
    for file in files {
        let context = match args.replay {
            true => ContextUse::Named(args.context.as_deref()),
            false => ContextUse::None("test cases run without one"),
        };
        let folder = std::path::absolute(file).ok().and_then(|f| f.parent().map(Path::to_path_buf)).unwrap_or_default();
        let (python, _) = crate::embed::python_env::choose(&folder);
        verbose::tell_file(file, context, python.as_ref().map_err(Clone::clone));
        verbose::tell_cold_only(file, "moss test");
    }
}

/// The MOSS files `moss test` runs, or (already said on stderr) the exit code when there are none
/// to run or the paths and flags do not fit together.
fn files_to_test(args: &TestArgs, paths: &[PathBuf]) -> Result<Vec<PathBuf>, u8> {
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        style::error(
            &format!("{} does not exist", missing.display()),
            Some("pass MOSS files or folders that hold them"),
        );
        return Err(2);
    }
    let discover::Found { files, orphaned_pins } = discover::moss_files(paths, args.only_moss_files);
    for folder in &orphaned_pins {
        let file = folder.with_extension("py");
        style::warn(&Problem::hinted(
            format!("{} holds pinned runs of {}, which is gone: they are not run", display(folder), display(&file)),
            "rename the folder with its MOSS file, or delete it",
        ));
    }
    if files.is_empty() && args.only_moss_files {
        style::note("no MOSS file among the files given: nothing to test");
        return Err(0);
    }
    if files.is_empty() {
        let searched: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        style::error(
            &format!("no MOSS files found under {}", searched.join(", ")),
            Some(
                "a MOSS file is a .py file that imports ghostos_moss or defines __moss_test_cases__; hidden folders, virtual environments and .gitignore'd files are skipped",
            ),
        );
        return Err(NOTHING_TO_TEST);
    }
    if args.context.is_some() && files.len() > 1 {
        style::error(
            &format!("--context names the context of one MOSS file, and {} were found", files.len()),
            Some(
                "name the one MOSS file whose runs were made with that context: moss test --replay FILE.py --context PATH",
            ),
        );
        return Err(2);
    }
    Ok(files)
}

/// The exit status when there is nothing to test: no MOSS file, or no case that -k matches.
const NOTHING_TO_TEST: u8 = 4;

/// The exit status when a case failed because its device could not be reached, as `moss exec`'s.
const DEVICE_UNREACHABLE: u8 = 5;

fn device_unreachable(report: &FileReport) -> bool {
    report.cases.iter().any(|case| case.error.as_ref().is_some_and(|e| e.kind == crate::error::ErrorKind::Device))
}

/// Creates the folder of the JUnit report before anything runs, as pytest does, so that a
/// report that cannot be written fails at once rather than after every test ran.
fn prepare_junit_folder(path: &Path) -> Result<(), String> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .map_err(|e| format!("cannot create {} for the JUnit report {}: {e}", folder.display(), path.display()))
}

/// Runs one worker per file, `jobs` at a time, handing each report to `done` in file order.
/// With -x, no file starts after the first failure.
fn run_files(files: &[PathBuf], jobs: usize, args: &TestArgs, mut done: impl FnMut(&FileReport)) -> Vec<FileReport> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut finished: BTreeMap<usize, FileReport> = BTreeMap::new();
    let mut in_order = Vec::new();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, FileReport)>();
        for _ in 0..jobs.min(files.len()) {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= files.len() || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let report = test_in_worker(&files[index], args);
                    if args.exit_first && failures(&report) > 0 {
                        stop.store(true, Ordering::SeqCst);
                    }
                    if tx.send((index, report)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (index, report) in rx {
            finished.insert(index, report);
            while let Some(report) = finished.remove(&in_order.len()) {
                done(&report);
                in_order.push(report);
            }
        }
    });
    // With -x, files after a gap left by a stopped worker are still reported, in order.
    for (_, report) in finished {
        done(&report);
        in_order.push(report);
    }
    in_order
}

/// Tests one file in a worker process of this same binary.
fn test_in_worker(file: &Path, args: &TestArgs) -> FileReport {
    let shown = display(file);
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            return FileReport::failed(
                &shown,
                "compile",
                ErrorInfo::internal(&format!("cannot find the moss binary: {e}")),
            );
        }
    };
    let job = serde_json::to_string(&WorkerJob::of(args)).expect("a job serialises");
    let mut command = Command::new(exe);
    command.arg("test-worker").arg(&shown).arg("--job").arg(job);
    // A worker must not outlive `moss test` when it alone is ended (`kill PID`, a CI time limit):
    // SIGTERM then reaches the worker, which ends its case as an interrupt ends it. The signal is
    // tied to the thread that spawns the worker, and that thread waits for the worker to end.
    // SAFETY: between fork and exec the hook only makes one async-signal-safe system call.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM).map_err(std::io::Error::from)
        });
    }
    match command.output() {
        Ok(output) if output.status.success() => serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            FileReport::failed(
                &shown,
                "compile",
                ErrorInfo::internal(&format!("the test worker's report is unreadable: {e}")),
            )
        }),
        Ok(output) => FileReport::failed(
            &shown,
            "compile",
            ErrorInfo::internal(&format!(
                "the test worker ended with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        ),
        Err(e) => {
            FileReport::failed(&shown, "compile", ErrorInfo::internal(&format!("cannot start a test worker: {e}")))
        }
    }
}
