//! The settings a process hands down to the processes it starts, beside its environment: the
//! file-creation mask, the resource limits, the scheduling priority and policy, the I/O
//! priority, the execution domain (personality), the CPUs it may run on, the signals it blocks
//! and ignores, its OOM score adjustment, `no_new_privs`, its groups, its control groups and
//! what confines it (namespaces, capabilities, seccomp, security label). A cold run inherits
//! the client's; a run forked from a warm server would inherit the server's, so the client
//! sends its own and the run takes them on before any code runs; those a forked run cannot take
//! on send the client's run cold (`out_of_reach`).

use nix::libc;
use serde::{Deserialize, Serialize};

/// Every resource `getrlimit` knows on Linux, with the name `ulimit` documentation gives it.
const RESOURCES: [(LimitNumber, &str); 16] = [
    (libc::RLIMIT_CPU, "RLIMIT_CPU"),
    (libc::RLIMIT_FSIZE, "RLIMIT_FSIZE"),
    (libc::RLIMIT_DATA, "RLIMIT_DATA"),
    (libc::RLIMIT_STACK, "RLIMIT_STACK"),
    (libc::RLIMIT_CORE, "RLIMIT_CORE"),
    (libc::RLIMIT_RSS, "RLIMIT_RSS"),
    (libc::RLIMIT_NPROC, "RLIMIT_NPROC"),
    (libc::RLIMIT_NOFILE, "RLIMIT_NOFILE"),
    (libc::RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"),
    (libc::RLIMIT_AS, "RLIMIT_AS"),
    (libc::RLIMIT_LOCKS, "RLIMIT_LOCKS"),
    (libc::RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"),
    (libc::RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"),
    (libc::RLIMIT_NICE, "RLIMIT_NICE"),
    (libc::RLIMIT_RTPRIO, "RLIMIT_RTPRIO"),
    (libc::RLIMIT_RTTIME, "RLIMIT_RTTIME"),
];

#[cfg(target_env = "gnu")]
type LimitNumber = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
type LimitNumber = libc::c_int;

/// How a refusal for settings a forked run cannot take on begins: the client says why it runs
/// cold when warm mode was asked for.
pub const OUT_OF_REACH: &str = "a run forked from the server cannot take on";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessSettings {
    umask: u32,
    nice: i32,
    /// The scheduling policy (`chrt`; with SCHED_RESET_ON_FORK when set) and its priority.
    scheduling: (i32, i32),
    /// The I/O scheduling class and priority (`ionice`), as `ioprio_get` gives them.
    io_priority: libc::c_long,
    /// The execution domain and its flags (`setarch`): ADDR_NO_RANDOMIZE and others.
    personality: i32,
    /// The device of its controlling terminal, 0 for none (`/proc/self/stat`).
    terminal: i64,
    /// Each resource's soft and hard limit, in the order of `RESOURCES`; None where the kernel
    /// does not know it.
    limits: Vec<Option<(u64, u64)>>,
    /// The CPUs it may run on (`sched_getaffinity`).
    cpus: Vec<usize>,
    /// The signals it blocks, and those it ignores: bit N-1 for signal N (`/proc/self/status`).
    blocked: u64,
    ignored: u64,
    oom_score_adj: i32,
    no_new_privs: bool,
    /// The real, effective and saved group ids, then the supplementary groups.
    groups: Vec<String>,
    /// `/proc/self/cgroup`: the control group it is in, in each hierarchy.
    cgroup: String,
    /// What confines it and no forked run can take on, by name: its namespaces, root folder,
    /// capability sets, seccomp mode and filters, and security label (`confinement`).
    confinement: Vec<(String, String)>,
}

/// The signals the interpreter ignores as it starts, in a cold run too: the server's own
/// interpreter already ignores them.
const IGNORED_BY_PYTHON: [i32; 2] = [libc::SIGPIPE, libc::SIGXFSZ];

impl ProcessSettings {
    pub fn of_this_process() -> ProcessSettings {
        let limits = RESOURCES.iter().map(|&(resource, _)| limit(resource)).collect();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        ProcessSettings {
            umask: umask(&status),
            nice: nice(),
            scheduling: scheduling(),
            io_priority: io_priority(),
            personality: personality(),
            terminal: terminal(),
            limits,
            cpus: cpus(),
            blocked: mask(&status, "SigBlk:"),
            ignored: mask(&status, "SigIgn:"),
            oom_score_adj: oom_score_adj(),
            no_new_privs: nix::sys::prctl::get_no_new_privs().unwrap_or(false),
            groups: groups(&status),
            cgroup: std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default(),
            confinement: confinement(&status),
        }
    }

    /// Why a process forked from this one could not take `wanted` on, if it could not: a hard
    /// limit can only be lowered, and the priority only lowered (the nice value raised), without
    /// privileges.
    pub fn out_of_reach(&self, wanted: &ProcessSettings) -> Option<String> {
        for ((ours, theirs), (_, name)) in self.limits.iter().zip(&wanted.limits).zip(RESOURCES) {
            if let (Some((_, our_hard)), Some((_, their_hard))) = (ours, theirs)
                && their_hard > our_hard
            {
                return Some(format!(
                    "{OUT_OF_REACH} this run's hard {name} ({their_hard}, above the server's {our_hard})"
                ));
            }
        }
        if wanted.nice < self.nice {
            return Some(format!(
                "{OUT_OF_REACH} this run's nice value {} (the server runs at {})",
                wanted.nice, self.nice
            ));
        }
        self.out_of_reach_beyond_limits(wanted)
    }

    /// `out_of_reach` for what is not a limit: no process may leave its control group for
    /// another without rights on both, nor drop `no_new_privs`; and a run that took on other
    /// namespaces, capabilities, seccomp filters or security label than its client's would
    /// escape the client's confinement, or be confined where the cold run is not. Whether the run
    /// may change its groups or lower its OOM score adjustment only trying tells (`take_on`): the
    /// kernel keeps the floor of the latter to itself.
    fn out_of_reach_beyond_limits(&self, wanted: &ProcessSettings) -> Option<String> {
        // The address layout it decides was made as the server's process started.
        if wanted.personality != self.personality {
            return Some(format!(
                "{OUT_OF_REACH} this run's personality ({:#x}; the server's is {:#x}), which decides how a \
                 process is laid out as it starts",
                wanted.personality, self.personality
            ));
        }
        let ours = |name: &str| self.confinement.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str());
        if let Some((name, theirs)) = wanted.confinement.iter().find(|(name, value)| ours(name) != Some(value)) {
            let ours = ours(name).unwrap_or("none");
            return Some(format!("{OUT_OF_REACH} this run's {name} ({theirs}; the server's is {ours})"));
        }
        if wanted.cgroup != self.cgroup {
            let theirs: Vec<&str> =
                wanted.cgroup.lines().filter(|line| !self.cgroup.lines().any(|l| l == *line)).collect();
            return Some(format!("{OUT_OF_REACH} this run's control group ({}), not the server's", theirs.join(", ")));
        }
        (self.no_new_privs && !wanted.no_new_privs)
            .then(|| format!("{OUT_OF_REACH} this run's privileges: the server runs with no_new_privs"))
    }

    /// Takes the settings on in this process, which must be single-threaded. An error names the
    /// setting it could not take on.
    pub fn take_on(&self) -> Result<(), String> {
        nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(self.umask));
        for (wanted, (resource, name)) in self.limits.iter().zip(RESOURCES) {
            let Some((soft, hard)) = *wanted else { continue };
            let limit = libc::rlimit { rlim_cur: soft, rlim_max: hard };
            // SAFETY: setrlimit reads the struct it is given.
            if unsafe { libc::setrlimit(resource, &limit) } != 0 {
                return Err(format!("cannot set {name} to ({soft}, {hard}): {}", nix::errno::Errno::last()));
            }
        }
        // SAFETY: setpriority on this process.
        if nice() != self.nice && unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, self.nice) } != 0 {
            return Err(format!("cannot set the nice value {}: {}", self.nice, nix::errno::Errno::last()));
        }
        self.take_on_scheduling()?;
        if terminal() != self.terminal {
            give_up_terminal();
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        self.take_on_cpus_and_privileges(&status)?;
        self.take_on_signals(&status);
        Ok(())
    }

    /// Takes on the scheduling policy and the I/O priority: lowering them is always allowed,
    /// raising them only as far as the limits and privileges allow.
    fn take_on_scheduling(&self) -> Result<(), String> {
        let (policy, priority) = self.scheduling;
        let param = libc::sched_param { sched_priority: priority };
        // SAFETY: sched_setscheduler on this process reads the parameter it is given.
        if scheduling() != self.scheduling && unsafe { libc::sched_setscheduler(0, policy, &param) } != 0 {
            let error = nix::errno::Errno::last();
            return Err(format!("cannot set the scheduling policy {policy} with priority {priority}: {error}"));
        }
        // SAFETY: ioprio_set on this process takes plain numbers.
        if io_priority() != self.io_priority
            && unsafe { libc::syscall(libc::SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, self.io_priority) } != 0
        {
            let error = nix::errno::Errno::last();
            return Err(format!("cannot set the I/O priority {:#x}: {error}", self.io_priority));
        }
        Ok(())
    }

    /// Takes on what `out_of_reach` lets a forked run take on beyond limits; `status` is the
    /// text of `/proc/self/status` before.
    fn take_on_cpus_and_privileges(&self, status: &str) -> Result<(), String> {
        if cpus() != self.cpus {
            // SAFETY: an all-zero cpu_set_t is the empty set; CPU_SET and sched_setaffinity only
            // touch the set they are given.
            let set = unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                self.cpus.iter().for_each(|&cpu| libc::CPU_SET(cpu, &mut set));
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
            };
            if set != 0 {
                return Err(format!("cannot run on CPUs {:?}: {}", self.cpus, nix::errno::Errno::last()));
            }
        }
        if oom_score_adj() != self.oom_score_adj {
            std::fs::write("/proc/self/oom_score_adj", self.oom_score_adj.to_string())
                .map_err(|e| format!("cannot set oom_score_adj {}: {e}", self.oom_score_adj))?;
        }
        if groups(status) != self.groups {
            self.take_on_groups()?;
        }
        if self.no_new_privs {
            nix::sys::prctl::set_no_new_privs().map_err(|e| format!("cannot set no_new_privs: {e}"))?;
        }
        Ok(())
    }

    /// Takes on the group ids and supplementary groups, which takes CAP_SETGID.
    fn take_on_groups(&self) -> Result<(), String> {
        let ids: Vec<libc::gid_t> = self.groups.iter().filter_map(|id| id.parse().ok()).collect();
        let [real, effective, saved, supplementary @ ..] = ids.as_slice() else {
            return Err(format!("cannot read the groups {:?}", self.groups));
        };
        // SAFETY: setgroups reads `len` ids from the slice; setresgid takes plain ids.
        let failed = unsafe {
            libc::setgroups(supplementary.len(), supplementary.as_ptr()) != 0
                || libc::setresgid(*real, *effective, *saved) != 0
        };
        match failed {
            true => Err(format!("cannot take on the groups {}: {}", self.groups.join(" "), nix::errno::Errno::last())),
            false => Ok(()),
        }
    }

    /// Blocks what the client blocks, and ignores what it ignores; a signal the server handles
    /// (a library it imported installed a handler, as the cold run's import would) keeps its
    /// handler.
    fn take_on_signals(&self, status: &str) {
        let (caught, server_ignored) = (mask(status, "SigCgt:"), mask(status, "SigIgn:"));
        let bit = |signal: i32| 1u64 << (signal - 1);
        for signal in 1..=64 {
            let fixed = [libc::SIGKILL, libc::SIGSTOP].contains(&signal) || IGNORED_BY_PYTHON.contains(&signal);
            if fixed || caught & bit(signal) != 0 || (self.ignored ^ server_ignored) & bit(signal) == 0 {
                continue;
            }
            let disposition = if self.ignored & bit(signal) != 0 { libc::SIG_IGN } else { libc::SIG_DFL };
            // SAFETY: sets an ignored or default disposition, no handler; a number the C library
            // keeps for itself is refused, and is not the client's to set either.
            if unsafe { libc::signal(signal, disposition) } != libc::SIG_ERR {
                DISPOSITIONS_TAKEN_ON.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        // SAFETY: an emptied sigset_t filled with signal numbers, set as this thread's mask.
        unsafe {
            let mut mask: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut mask);
            (1..=64).filter(|&signal| self.blocked & bit(signal) != 0).for_each(|signal| {
                libc::sigaddset(&mut mask, signal);
            });
            libc::sigprocmask(libc::SIG_SETMASK, &mask, std::ptr::null_mut());
        }
    }
}

/// Whether this process took on a client's ignored signals after its interpreter had started,
/// so that the interpreter's record of them must be brought in line (a cold run's interpreter
/// read them as it started).
static DISPOSITIONS_TAKEN_ON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn dispositions_taken_on() -> bool {
    DISPOSITIONS_TAKEN_ON.load(std::sync::atomic::Ordering::Relaxed)
}

/// The value of `name` (with its colon) in `/proc/self/status`'s text.
fn field<'a>(status: &'a str, name: &str) -> Option<&'a str> {
    status.lines().find_map(|line| line.strip_prefix(name)).map(str::trim)
}

/// A set of signals in `/proc/self/status` (`status`), by the name of its field: a hexadecimal
/// mask, bit N-1 for signal N.
fn mask(status: &str, name: &str) -> u64 {
    field(status, name).and_then(|hex| u64::from_str_radix(hex, 16).ok()).unwrap_or(0)
}

/// The real, effective and saved group ids, then the supplementary groups, from the text of
/// `/proc/self/status`.
fn groups(status: &str) -> Vec<String> {
    let ids = field(status, "Gid:").unwrap_or_default().split_whitespace().take(3);
    ids.chain(field(status, "Groups:").unwrap_or_default().split_whitespace()).map(str::to_owned).collect()
}

/// What confines this process beyond its other settings, by name, as `status` (the text of
/// `/proc/self/status`) and `/proc/self` tell: each namespace, the root folder (another under
/// `chroot`), the capability sets, the seccomp mode and filters, and the security label
/// (SELinux, AppArmor). What cannot be read is left out, on both sides alike.
fn confinement(status: &str) -> Vec<(String, String)> {
    const NAMESPACES: [&str; 8] = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"];
    const STATUS_FIELDS: [&str; 7] = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "Seccomp", "Seccomp_filters"];
    let mut found = Vec::new();
    for namespace in NAMESPACES {
        if let Ok(link) = std::fs::read_link(format!("/proc/self/ns/{namespace}")) {
            found.push((format!("{namespace} namespace"), link.display().to_string()));
        }
    }
    if let Ok(root) = std::fs::metadata("/") {
        use std::os::unix::fs::MetadataExt;
        found.push(("root folder".to_owned(), format!("device {} inode {}", root.dev(), root.ino())));
    }
    for name in STATUS_FIELDS {
        if let Some(value) = field(status, &format!("{name}:")) {
            found.push((name.to_owned(), value.to_owned()));
        }
    }
    if let Ok(label) = std::fs::read_to_string("/proc/self/attr/current") {
        found.push(("security label".to_owned(), label.trim_end_matches(['\0', '\n']).to_owned()));
    }
    found
}

fn cpus() -> Vec<usize> {
    // SAFETY: an all-zero cpu_set_t is the empty set, which sched_getaffinity fills.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize).filter(|&cpu| libc::CPU_ISSET(cpu, &set)).collect()
    }
}

/// The device of this process's controlling terminal, 0 when it has none.
fn terminal() -> i64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's name: state, parent, group, session, then the terminal.
    let fields = stat.rsplit_once(')').map_or("", |(_, fields)| fields);
    fields.split_whitespace().nth(4).and_then(|tty| tty.parse().ok()).unwrap_or(0)
}

/// Gives up the controlling terminal, which is not the client's (the server's, when `moss serve`
/// runs in a terminal window): the run then has none, as a cold run of a client without one.
/// The process stays in its session and group (a session of its own could not leave its group
/// to exit: `early_end`).
fn give_up_terminal() {
    use std::os::fd::AsRawFd;
    if let Ok(terminal) = std::fs::File::open("/dev/tty") {
        // SAFETY: TIOCNOTTY takes no argument; for a process that does not lead its session, it
        // only detaches that process from the terminal.
        unsafe { libc::ioctl(terminal.as_raw_fd(), libc::TIOCNOTTY) };
    }
}

/// The scheduling policy of this process and its priority.
fn scheduling() -> (i32, i32) {
    let mut param = libc::sched_param { sched_priority: 0 };
    // SAFETY: both read this process's scheduling into what they are given.
    unsafe {
        (libc::sched_getscheduler(0), if libc::sched_getparam(0, &mut param) == 0 { param.sched_priority } else { 0 })
    }
}

/// `ioprio_get`'s "this process".
const IOPRIO_WHO_PROCESS: libc::c_long = 1;

fn io_priority() -> libc::c_long {
    // SAFETY: ioprio_get on this process takes plain numbers.
    unsafe { libc::syscall(libc::SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) }
}

fn personality() -> i32 {
    // SAFETY: 0xffffffff asks for the personality without changing it.
    unsafe { libc::personality(0xffff_ffff) }
}

fn oom_score_adj() -> i32 {
    let text = std::fs::read_to_string("/proc/self/oom_score_adj").unwrap_or_default();
    text.trim().parse().unwrap_or(0)
}

fn limit(resource: LimitNumber) -> Option<(u64, u64)> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct it is given.
    (unsafe { libc::getrlimit(resource, &mut limit) } == 0).then_some((limit.rlim_cur, limit.rlim_max))
}

fn umask(status: &str) -> u32 {
    field(status, "Umask:").and_then(|octal| u32::from_str_radix(octal, 8).ok()).unwrap_or_else(|| {
        // Before Linux 4.7 the mask can only be read by setting it, which another thread could
        // see as it creates a file: it is put back at once.
        let mask = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        nix::sys::stat::umask(mask);
        mask.bits()
    })
}

fn nice() -> i32 {
    // getpriority may return -1 as a value: only errno tells an error, and none can happen for
    // this process.
    nix::errno::Errno::clear();
    // SAFETY: getpriority on this process.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_hard_limit_or_a_lower_nice_value_is_out_of_reach_and_lower_ones_are_not() {
        let here = ProcessSettings::of_this_process();
        assert_eq!(here.out_of_reach(&here), None);
        let mut higher = here.clone();
        let nofile = RESOURCES.iter().position(|&(_, name)| name == "RLIMIT_NOFILE").unwrap();
        higher.limits[nofile] = here.limits[nofile].map(|(soft, hard)| (soft, hard.saturating_add(1)));
        let refusal = here.out_of_reach(&higher).unwrap_or_default();
        assert!(refusal.starts_with(OUT_OF_REACH) && refusal.contains("RLIMIT_NOFILE"), "{refusal}");
        let mut lower = here.clone();
        lower.limits[nofile] = here.limits[nofile].map(|(soft, hard)| (soft.min(64), hard.min(64)));
        lower.nice = here.nice + 1;
        assert_eq!(here.out_of_reach(&lower), None);
        let nicer = ProcessSettings { nice: here.nice - 1, ..here.clone() };
        assert!(here.out_of_reach(&nicer).is_some_and(|r| r.contains("nice value")));
    }

    #[test]
    fn another_control_group_or_dropping_no_new_privs_is_out_of_reach_and_taking_it_on_is_not() {
        let here = ProcessSettings { no_new_privs: false, ..ProcessSettings::of_this_process() };
        let elsewhere = ProcessSettings { cgroup: "0::/user.slice/other.scope\n".into(), ..here.clone() };
        let refusal = here.out_of_reach(&elsewhere).unwrap_or_default();
        assert!(refusal.starts_with(OUT_OF_REACH) && refusal.contains("0::/user.slice/other.scope"), "{refusal}");
        let confined = ProcessSettings { no_new_privs: true, ..here.clone() };
        assert_eq!(here.out_of_reach(&confined), None);
        assert!(confined.out_of_reach(&here).is_some_and(|r| r.contains("no_new_privs")));
    }

    #[test]
    fn another_namespace_or_other_capabilities_are_out_of_reach() {
        let here = ProcessSettings::of_this_process();
        let mut unshared = here.clone();
        let net = unshared.confinement.iter_mut().find(|(name, _)| name == "net namespace").unwrap();
        net.1 = "net:[1]".into();
        let refusal = here.out_of_reach(&unshared).unwrap_or_default();
        assert!(refusal.starts_with(OUT_OF_REACH) && refusal.contains("net namespace (net:[1];"), "{refusal}");
        let mut fewer = here.clone();
        fewer.confinement.iter_mut().find(|(name, _)| name == "CapBnd").unwrap().1 = "0000000000000000".into();
        assert!(here.out_of_reach(&fewer).is_some_and(|r| r.contains("CapBnd")));
    }
}
