//! Processes the code started and left running when its run ended, killed and named in a
//! warning, so that a run never goes on changing things unreported.
//!
//! They are found two ways. The run's process is a child subreaper (`adopt_orphans`): what the
//! code starts stays its descendant, whatever session or group it moves to, and whatever
//! process between them exits (a daemon's double fork, `nohup ... &` from a shell). The run's
//! process kills its descendants itself once the code is done (`end_descendants`), before its
//! report, which names them: after it exits, orphans would go to init, out of anyone's sight.
//! Its watcher then kills what is left of its process group (`stop`): what the code's threads
//! started meanwhile. A run killed from outside (time limit, interrupt, its client gone) is
//! first stopped, and its descendants killed while it still adopts them (`end_tree`); a run whose
//! parent died kills them itself, from a signal handler (`end_own_tree_in_handler`).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::error::Problem;
use crate::run::proc_stat;

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;

/// A process the run left running: its pid, its parent's, and its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub pid: i32,
    pub parent: i32,
    pub command: String,
}

impl Leftover {
    /// As the report pipe carries it: `PID PARENT COMMAND` (a command line holds no NUL, which
    /// separates them there).
    pub fn carried(&self) -> String {
        format!("{} {} {}", self.pid, self.parent, self.command)
    }

    pub fn from_carried(text: &str) -> Option<Leftover> {
        let (pid, rest) = text.split_once(' ')?;
        let (parent, command) = rest.split_once(' ')?;
        Some(Leftover { pid: pid.parse().ok()?, parent: parent.parse().ok()?, command: command.to_owned() })
    }
}

impl std::fmt::Display for Leftover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (pid {})", self.command, self.pid)
    }
}

/// How long the descendants of a run are killed over and over until none is left: each round
/// also kills what the previous round's processes started as they died.
const KILL_WAIT: Duration = Duration::from_secs(2);

/// Makes this process, the run's, the parent of any process the code started whose parent
/// exits, instead of init: while it lives, all of them are its descendants.
pub fn adopt_orphans() {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes a flag.
    unsafe { nix::libc::prctl(nix::libc::PR_SET_CHILD_SUBREAPER, 1 as nix::libc::c_ulong) };
}

/// In the run's process once its code is done: kills every process descended from it, and
/// tells which they were, by pid.
pub fn end_descendants() -> Vec<Leftover> {
    // Only asks whether this process has any child, alive or not yet reaped: most runs have
    // none, and then no descendant (an orphan would be this process's child), and skip /proc.
    let any = WaitPidFlag::WEXITED | WaitPidFlag::WSTOPPED | WaitPidFlag::WCONTINUED;
    if waitid(Id::All, any | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT).is_err() {
        return Vec::new();
    }
    let mut named = BTreeMap::new();
    kill_descendants(nix::unistd::getpid(), |process| {
        named.entry(process.pid).or_insert_with(|| process.leftover());
    });
    named.into_values().collect()
}

/// Ends the run `root` from outside with all it started, whatever group or session they are in:
/// stops it first, so that its code starts nothing more and it still adopts the orphans of the
/// processes killed, then kills its descendants, then it and its group.
pub fn end_tree(root: Pid) {
    let _ = kill(root, Signal::SIGSTOP);
    kill_descendants(root, |_| {});
    let _ = killpg(root, Signal::SIGKILL);
    // Its group no longer holds it once it wrote its report (`early_end`).
    let _ = kill(root, Signal::SIGKILL);
}

/// Kills the live descendants of `root`, calling `found` on each before it is killed, until
/// none is left (or `KILL_WAIT` has passed).
fn kill_descendants(root: Pid, mut found: impl FnMut(&Process)) {
    let deadline = Instant::now() + KILL_WAIT;
    loop {
        let live: Vec<Process> = descendants(root.as_raw()).into_iter().filter(|process| !process.zombie).collect();
        if live.is_empty() || Instant::now() >= deadline {
            return;
        }
        for process in &live {
            found(process);
            let _ = kill(Pid::from_raw(process.pid), Signal::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// From a signal handler of the run's process, when nobody else will stop what the code started
/// (its parent died): kills its live children over and over, as the orphans of those killed
/// become its children in turn, until none is left (or `KILL_WAIT` has passed); then its group
/// and itself. Async-signal-safe: system calls on buffers of its stack, nothing allocated.
pub fn end_own_tree_in_handler(group: nix::libc::pid_t) -> ! {
    use nix::libc;
    // SAFETY: getpid, waitid, nanosleep, kill and _exit are async-signal-safe.
    unsafe {
        let me = libc::getpid();
        let pause = libc::timespec { tv_sec: 0, tv_nsec: 1_000_000 };
        let rounds = KILL_WAIT.as_millis();
        let mut info: libc::siginfo_t = std::mem::zeroed();
        // A process without children has no descendants: most runs skip /proc.
        let any = libc::WEXITED | libc::WSTOPPED | libc::WCONTINUED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(libc::P_ALL, 0, &mut info, any) == 0 {
            for _ in 0..rounds {
                if !kill_live_children(me) {
                    break;
                }
                libc::nanosleep(&pause, std::ptr::null_mut());
            }
        }
        libc::killpg(group, libc::SIGKILL);
        libc::_exit(137)
    }
}

/// Kills the live (not zombie) children of `parent`, found in /proc; says whether there were
/// any. Async-signal-safe.
fn kill_live_children(parent: nix::libc::pid_t) -> bool {
    use nix::libc;
    // SAFETY: open, getdents64, close and kill on buffers of this frame.
    unsafe {
        let proc = libc::open(c"/proc".as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC);
        if proc < 0 {
            return false;
        }
        let mut found = false;
        let mut entries = [0u8; 4096];
        loop {
            let read = libc::syscall(libc::SYS_getdents64, proc, entries.as_mut_ptr(), entries.len());
            if read <= 0 {
                break;
            }
            // Each entry: inode (8 bytes), offset (8), its length (2), type (1), name ending in NUL.
            let mut at = 0;
            while at + 19 < read as usize {
                let length = u16::from_ne_bytes([entries[at + 16], entries[at + 17]]) as usize;
                let name = &entries[at + 19..at + length.max(19)];
                let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
                if let Some(pid) = proc_stat::parse_pid(name)
                    && proc_stat::state_and_parent(pid).is_some_and(|(state, of)| of == parent && state != b'Z')
                {
                    libc::kill(pid, libc::SIGKILL);
                    found = true;
                }
                at += length.max(1);
            }
        }
        libc::close(proc);
        found
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
    // Not its leader: the run's own process, which may still be ending when its report was taken
    // as its end.
    let left: Vec<Leftover> = processes()
        .into_iter()
        .filter(|process| process.group == group.as_raw() && process.pid != group.as_raw() && !process.zombie)
        .map(|process| process.leftover())
        .collect();
    if !left.is_empty() {
        let _ = killpg(group, Signal::SIGKILL);
    }
    left
}

/// A process as /proc lists it.
struct Process {
    pid: i32,
    parent: i32,
    group: i32,
    zombie: bool,
    /// Its name in the kernel, for when it has no command line.
    comm: String,
}

impl Process {
    fn leftover(&self) -> Leftover {
        let command = command_line(self.pid).unwrap_or_else(|| self.comm.clone());
        Leftover { pid: self.pid, parent: self.parent, command }
    }
}

/// The processes of the system, by pid, from /proc.
fn processes() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut found: Vec<Process> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid pgrp ...`; comm may itself hold spaces and parentheses.
            let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
            let mut fields = rest.split_whitespace();
            let zombie = fields.next()? == "Z";
            let parent = fields.next()?.parse().ok()?;
            let group = fields.next()?.parse().ok()?;
            Some(Process { pid, parent, group, zombie, comm: comm.to_owned() })
        })
        .collect();
    found.sort_by_key(|process| process.pid);
    found
}

/// The processes descended from `root`, from /proc.
fn descendants(root: i32) -> Vec<Process> {
    let mut children: HashMap<i32, Vec<Process>> = HashMap::new();
    for process in processes() {
        children.entry(process.parent).or_default().push(process);
    }
    let mut found = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for child in children.remove(&parent).unwrap_or_default() {
            parents.push(child.pid);
            found.push(child);
        }
    }
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
