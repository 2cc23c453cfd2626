//! Processes the code started and left running when its run ended: found in the child's process
//! group, killed, and named in a warning, so that a run never goes on changing things unreported.

use std::time::Duration;

use crate::error::Problem;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// Kills what is left of the child's process group once the child has ended (or, taken as ended
/// from its report, has left the group to exit: `early_end`), and names it. The run is over: a
/// process it started must not go on changing things nobody will report.
pub fn stop(group: Pid) -> Vec<String> {
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

/// `command line (pid N)` for each live process of a process group, from /proc, but its leader:
/// the run's own process, which may still be ending when its report was taken as its end.
fn processes_in_group(group: Pid) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut found: Vec<(i32, String)> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != group.as_raw())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid pgrp ...`; comm may itself hold spaces and parentheses.
            let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
            let fields: Vec<&str> = rest.split_whitespace().take(3).collect();
            (fields.first() != Some(&"Z") && fields.get(2)?.parse::<i32>().ok()? == group.as_raw())
                .then(|| (pid, command_line(pid).unwrap_or_else(|| comm.to_owned())))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(pid, command)| format!("{command} (pid {pid})")).collect()
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
pub fn warning(processes: &[String]) -> Problem {
    Problem::hinted(
        format!(
            "the code left {} running when the run ended; {} killed: {}",
            if processes.len() == 1 { "a process".to_owned() } else { format!("{} processes", processes.len()) },
            if processes.len() == 1 { "it was" } else { "they were" },
            processes.join(", ")
        ),
        "wait for what the code starts (`process.wait()`, `worker.join()`) so that its work is part of the run",
    )
}
