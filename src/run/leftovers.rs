//! Processes the code started and left running when its run ended: found in the child's process
//! group, killed, and named in a warning, so that a run never goes on changing things unreported.

use std::time::Duration;

use crate::error::Problem;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// A process the run left running: its pid, its parent's, and its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub pid: i32,
    pub parent: i32,
    pub command: String,
}

impl std::fmt::Display for Leftover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (pid {})", self.command, self.pid)
    }
}

/// Kills what is left of the child's process group once the child has ended (or, taken as ended
/// from its report, has left the group to exit: `early_end`), and names it. The run is over: a
/// process it started must not go on changing things nobody will report.
pub fn stop(group: Pid) -> Vec<Leftover> {
    // Signal 0 only asks whether the group still has a member: most runs leave none, and skip
    // reading /proc.
    if killpg(group, None).is_err() {
        return Vec::new();
    }
    let left = processes_in_group(group);
    if !left.is_empty() {
        let _ = killpg(group, Signal::SIGKILL);
    }
    left
}

/// Each live process of a process group, from /proc, but its leader: the run's own process,
/// which may still be ending when its report was taken as its end.
fn processes_in_group(group: Pid) -> Vec<Leftover> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut found: Vec<Leftover> =
        entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| pid != group.as_raw())
            .filter_map(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                // `pid (comm) state ppid pgrp ...`; comm may itself hold spaces and parentheses.
                let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
                let fields: Vec<&str> = rest.split_whitespace().take(3).collect();
                let parent = fields.get(1)?.parse::<i32>().ok()?;
                (fields.first() != Some(&"Z") && fields.get(2)?.parse::<i32>().ok()? == group.as_raw())
                    .then(|| Leftover { pid, parent, command: command_line(pid).unwrap_or_else(|| comm.to_owned()) })
            })
            .collect();
    found.sort_by_key(|leftover| leftover.pid);
    found
}

/// Of the processes left running, those the MOSS file started (among `started` when the code
/// began, or started by one of them since), and the others.
pub fn split_started_by(left: Vec<Leftover>, started: &[i32]) -> (Vec<Leftover>, Vec<Leftover>) {
    let parents: std::collections::HashMap<i32, i32> = left.iter().map(|l| (l.pid, l.parent)).collect();
    let of_the_file = |mut pid: i32| {
        for _ in 0..=parents.len() {
            if started.contains(&pid) {
                return true;
            }
            match parents.get(&pid) {
                Some(&parent) => pid = parent,
                None => return false,
            }
        }
        false
    };
    left.into_iter().partition(|leftover| of_the_file(leftover.pid))
}

/// A process's command line, cut to a readable length; None for a kernel thread or a process
/// already gone.
///
/// A process in the middle of `exec` already has its new name but not yet its arguments, so an
/// empty command line is read again a few times before giving up on it.
fn command_line(pid: i32) -> Option<String> {
    let mut line = String::new();
    for _ in 0..20 {
        let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let words: Vec<String> =
            raw.split(|b| *b == 0).filter(|w| !w.is_empty()).map(|w| String::from_utf8_lossy(w).into_owned()).collect();
        line = words.join(" ");
        if !line.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    if line.is_empty() {
        return None;
    }
    const SHOWN: usize = 80;
    Some(match line.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    })
}

/// Tells that the processes the code started and did not wait for were stopped with the run.
pub fn warning(processes: &[Leftover]) -> Problem {
    Problem::hinted(
        stopped("the code", processes),
        "wait for what the code starts (`process.wait()`, `worker.join()`) so that its work is part of the run",
    )
}

/// Tells that processes the MOSS file started before the code ran (in its body or its hooks) were
/// stopped with the run: the operator's to fix, not the model's.
pub fn file_warning(processes: &[Leftover]) -> Problem {
    Problem::hinted(
        stopped("the MOSS file", processes),
        "stop what the MOSS file starts before the run ends (wait for it, or end it in an `Injection`'s `on_destroy`)",
    )
}

fn stopped(who: &str, processes: &[Leftover]) -> String {
    format!(
        "{who} left {} running when the run ended; {} killed: {}",
        if processes.len() == 1 { "a process".to_owned() } else { format!("{} processes", processes.len()) },
        if processes.len() == 1 { "it was" } else { "they were" },
        processes.iter().map(Leftover::to_string).collect::<Vec<_>>().join(", ")
    )
}
