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

/// Bytes of the length written ahead of a report.
const LENGTH: usize = size_of::<u64>();

/// Writes `report` whole to the report pipe, its length first. Not copied into one buffer: a
/// run near its memory limit (`--max-memory`) must not fail for the report's sake.
pub fn write_report(pipe: &mut File, report: &[u8]) -> io::Result<()> {
    pipe.write_all(&(report.len() as u64).to_le_bytes())?;
    pipe.write_all(report)
}

/// The report in what the report pipe carried, if it is exactly one whole report.
pub fn whole_report(carried: &[u8]) -> Option<&[u8]> {
    let (length, report) = carried.split_first_chunk::<LENGTH>()?;
    (u64::from_le_bytes(*length) == report.len() as u64).then_some(report)
}

/// The child's last step before `_exit`, once its report is written: closes its stdout, stderr,
/// report pipe and companion socket (`companion`, its descriptor if it has one), so that its watcher sees them end now rather than after
/// the kernel has freed the child's memory.
///
/// The child first moves to its parent's process group: its own group, which the watcher
/// looks into for processes the code left running (`leftovers::stop`), then holds only those,
/// and is found empty at once when there are none.
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
    use super::{LENGTH, whole_report};

    fn framed(length: u64, report: &[u8]) -> Vec<u8> {
        [&length.to_le_bytes()[..], report].concat()
    }

    #[test]
    fn a_report_of_its_announced_length_is_whole() {
        assert_eq!(whole_report(&framed(5, b"hello")), Some(&b"hello"[..]));
        assert_eq!(whole_report(&framed(0, b"")), Some(&b""[..]));
    }

    #[test]
    fn a_cut_or_overlong_report_or_no_length_is_not_whole() {
        assert_eq!(whole_report(&framed(6, b"hello")), None);
        assert_eq!(whole_report(&framed(4, b"hello")), None);
        assert_eq!(whole_report(&[0u8; LENGTH - 1]), None);
        assert_eq!(whole_report(b""), None);
    }
}
