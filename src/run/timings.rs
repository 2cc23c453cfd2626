//! `MOSS_TIMINGS=FILE`: every process of a run appends `STAGE SECONDS` lines to FILE as it passes
//! each stage of the run, SECONDS on the monotonic clock (Python's `time.monotonic()`), so that a
//! benchmark can tell which stage a regression is in. When the variable is unset, a mark costs one
//! look-up of a value read once per process.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Notes that this process has reached `stage` of the run, when MOSS_TIMINGS asks for it.
pub fn mark(stage: &str) {
    let Some(path) = target() else { return };
    let line = format!("{stage} {:.6}\n", monotonic_seconds());
    // One write of one line to a file opened for appending: the lines of the processes of a
    // run (the client, its child) never mix.
    let opened = std::fs::OpenOptions::new().append(true).create(true).open(path);
    let _ = opened.and_then(|mut file| file.write_all(line.as_bytes()));
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
