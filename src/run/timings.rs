//! `MOSS_TIMINGS=FILE`: every process of a run appends `STAGE SECONDS` lines to FILE as it passes
//! each stage of the run, SECONDS on the monotonic clock (Python's `time.monotonic()`), so that a
//! benchmark can tell which stage a regression is in. When the variable is unset, a mark costs one
//! look-up of a value read once per process. With --verbose, the marks of the client and of the
//! children it forks are kept besides, for the client to tell at its end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the marks are kept for --verbose: a private file that the children the client forks
/// append to as well (by name: a child keeps no descriptor but its own; a sandboxed child, which
/// may not write there, adds nothing).
static KEPT: OnceLock<PathBuf> = OnceLock::new();

/// Notes that this process has reached `stage` of the run, when MOSS_TIMINGS or --verbose asks for it.
pub fn mark(stage: &str) {
    let (target, kept) = (target(), KEPT.get());
    if target.is_none() && kept.is_none() {
        return;
    }
    let line = format!("{stage} {:.6}\n", monotonic_seconds());
    for path in target.into_iter().chain(kept) {
        append(path, &line);
    }
}

/// One write of one line to a file opened for appending: the lines of the processes of a run
/// (the client, its child) never mix.
fn append(path: &Path, line: &str) {
    let opened = std::fs::OpenOptions::new().append(true).create(true).open(path);
    let _ = opened.and_then(|mut file| file.write_all(line.as_bytes()));
}

/// Keeps the marks from now on, the process having started at `started` (`now()`), for `kept`.
pub fn keep(started: f64) {
    let Ok(file) = tempfile::Builder::new().prefix("moss-stages-").tempfile() else { return };
    let Ok(path) = file.into_temp_path().keep() else { return };
    append(&path, &format!("client started {started:.6}\n"));
    let _ = KEPT.set(path);
}

/// The stages kept since `keep`, each with its time on the monotonic clock, in the order
/// reached; the file that kept them is removed.
pub fn kept() -> Vec<(String, f64)> {
    let Some(path) = KEPT.get() else { return Vec::new() };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let _ = std::fs::remove_file(path);
    let mut stages: Vec<(String, f64)> = text
        .lines()
        .filter_map(|line| line.rsplit_once(' '))
        .filter_map(|(stage, at)| Some((stage.to_owned(), at.parse().ok()?)))
        .collect();
    stages.sort_by(|a, b| a.1.total_cmp(&b.1));
    stages
}

/// Seconds on the clock of the marks.
pub fn now() -> f64 {
    monotonic_seconds()
}

fn target() -> Option<&'static PathBuf> {
    static TARGET: OnceLock<Option<PathBuf>> = OnceLock::new();
    TARGET.get_or_init(|| std::env::var_os("MOSS_TIMINGS").filter(|v| !v.is_empty()).map(PathBuf::from)).as_ref()
}

fn monotonic_seconds() -> f64 {
    let mut now = nix::libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the current time of a clock every Linux has into `now`.
    unsafe { nix::libc::clock_gettime(nix::libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}
