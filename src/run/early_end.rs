//! A run's end taken from its complete report rather than from its exit status.
//!
//! Linux frees an exiting process's memory before it closes its descriptors and reports its
//! exit: milliseconds for a process holding an interpreter and what the code imported. A run's
//! child therefore writes its report whole (its length first), then closes its pipes itself and
//! exits: its watcher sees every pipe at its end and the report complete, takes that as the run
//! ended well, and saves and prints while the child's memory is freed. The child is reaped
//! afterwards: before this process forks again (`reap_ended_runs`), or as it ends
//! (`reap_own_runs`). A run without a complete report (it crashed, was killed, timed out or was
//! interrupted) is still waited for, and ends as its exit status says.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Mutex;
use std::thread::JoinHandle;

use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::{Pid, getpgid, getppid, setpgid};

use crate::run::leftovers::Leftover;

/// Bytes of the length written ahead of a report.
const LENGTH: usize = size_of::<u64>();

/// Writes `report` whole to the report pipe, its length first, then the processes the code left
/// running that the run's process killed (`leftovers::end_descendants`), framed the same way.
/// Not copied into one buffer: a run near its memory limit (`--max-memory`) must not fail for the
/// report's sake.
pub fn write_report(pipe: &mut File, report: &[u8], left_running: &[Leftover]) -> io::Result<()> {
    let left_running = left_running.iter().map(Leftover::carried).collect::<Vec<_>>().join("\0");
    for part in [report, left_running.as_bytes()] {
        pipe.write_all(&(part.len() as u64).to_le_bytes())?;
        pipe.write_all(part)?;
    }
    Ok(())
}

/// A run's whole report, as the report pipe carried it.
pub struct Reported<'a> {
    pub report: &'a [u8],
    /// The processes the code left running that the run's process killed.
    pub left_running: Vec<Leftover>,
}

/// The report in what the report pipe carried, if it is exactly one whole report.
pub fn whole_report(carried: &[u8]) -> Option<Reported<'_>> {
    let (report, rest) = framed(carried)?;
    let (left_running, rest) = framed(rest)?;
    let left_running = String::from_utf8_lossy(left_running);
    let left_running = left_running.split('\0').filter_map(Leftover::from_carried).collect();
    rest.is_empty().then_some(Reported { report, left_running })
}

/// The first of what `carried` frames (its length ahead of it), and what follows it.
fn framed(carried: &[u8]) -> Option<(&[u8], &[u8])> {
    let (length, rest) = carried.split_first_chunk::<LENGTH>()?;
    let length = usize::try_from(u64::from_le_bytes(*length)).ok()?;
    (length <= rest.len()).then(|| rest.split_at(length))
}

/// The child's last step before `_exit`, once its report is written: closes its stdout, stderr,
/// report pipe and companion socket (`companion`, its descriptor if it has one), so that its watcher sees them end now rather than after
/// the kernel has freed the child's memory.
///
/// The child first moves to its parent's process group: its own group, which the watcher
/// looks into for processes the code's threads started after the child killed its descendants
/// (`leftovers::stop`), then holds only those, and is found empty at once when there are none.
pub fn close_before_exit(report: File, companion: Option<std::os::fd::RawFd>) {
    if let Ok(group) = getpgid(Some(getppid())) {
        let _ = setpgid(Pid::from_raw(0), group);
    }
    drop(report);
    for fd in [1, 2].into_iter().chain(companion) {
        // SAFETY: the child is about to `_exit`; nothing of it writes to these descriptors again.
        unsafe { nix::libc::close(fd) };
    }
}

/// The runs taken as ended from their reports, with the watcher threads waiting for their exit
/// status.
static UNREAPED: Mutex<Vec<(Pid, JoinHandle<()>)>> = Mutex::new(Vec::new());

/// Keeps `watcher`, which waits for the exit status of `run`, taken as ended, until it is
/// reaped: by `reap_ended_runs`, or at the latest as this process ends (`reap_own_runs`).
pub fn reap_later(run: Pid, watcher: JoinHandle<()>) {
    UNREAPED.lock().unwrap_or_else(|e| e.into_inner()).push((run, watcher));
}

/// Waits until every run taken as ended from its report has been reaped, and its watcher's
/// thread is gone: before this process forks again.
pub fn reap_ended_runs() {
    for (_, watcher) in std::mem::take(&mut *UNREAPED.lock().unwrap_or_else(|e| e.into_inner())) {
        let _ = watcher.join();
    }
}

/// As this process ends, waits for the runs that are its own children to be reaped, so that
/// it leaves none behind (and their resources count among its children's, as `time` reads
/// them). A warm run is its server's to reap: its client does not wait for it.
pub fn reap_own_runs() {
    for (run, watcher) in std::mem::take(&mut *UNREAPED.lock().unwrap_or_else(|e| e.into_inner())) {
        // Only asks: a child of this process not reaped yet is left to its watcher to reap.
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
        if waitid(Id::Pid(run), flags).is_ok() {
            let _ = watcher.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LENGTH, Leftover, whole_report};

    fn framed(length: u64, part: &[u8]) -> Vec<u8> {
        [&length.to_le_bytes()[..], part].concat()
    }

    fn carried(report: &[u8], left_running: &[u8]) -> Vec<u8> {
        [framed(report.len() as u64, report), framed(left_running.len() as u64, left_running)].concat()
    }

    #[test]
    fn a_report_and_names_of_their_announced_lengths_are_whole() {
        let whole = carried(b"hello", b"7 3 sleep 1\x008 7 sh -c x");
        let reported = whole_report(&whole).expect("whole");
        assert_eq!(reported.report, b"hello");
        let sh = Leftover { pid: 8, parent: 7, command: "sh -c x".into() };
        assert_eq!(reported.left_running, [Leftover { pid: 7, parent: 3, command: "sleep 1".into() }, sh]);
        let empty = carried(b"", b"");
        let reported = whole_report(&empty).expect("whole");
        assert_eq!((reported.report, reported.left_running.len()), (&b""[..], 0));
    }

    #[test]
    fn a_cut_or_overlong_report_or_no_length_is_not_whole() {
        let whole = carried(b"hello", b"7 3 sleep 1");
        assert!(whole_report(&whole[..whole.len() - 1]).is_none());
        assert!(whole_report(&[&whole[..], b"x"].concat()).is_none());
        assert!(whole_report(&framed(5, b"hello")).is_none(), "the names' frame is missing");
        assert!(whole_report(&[framed(6, b"hello"), framed(0, b"")].concat()).is_none());
        assert!(whole_report(&[0u8; LENGTH - 1]).is_none());
        assert!(whole_report(b"").is_none());
    }
}
