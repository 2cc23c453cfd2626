//! The settings a process hands down to the processes it starts, beside its environment: the
//! file-creation mask, the resource limits and the scheduling priority. A cold run inherits the
//! client's; a run forked from a warm server would inherit the server's, so the client sends its
//! own and the run takes them on before any code runs.

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
    /// Each resource's soft and hard limit, in the order of `RESOURCES`; None where the kernel
    /// does not know it.
    limits: Vec<Option<(u64, u64)>>,
}

impl ProcessSettings {
    pub fn of_this_process() -> ProcessSettings {
        let limits = RESOURCES.iter().map(|&(resource, _)| limit(resource)).collect();
        ProcessSettings { umask: umask(), nice: nice(), limits }
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
        (wanted.nice < self.nice)
            .then(|| format!("{OUT_OF_REACH} this run's nice value {} (the server runs at {})", wanted.nice, self.nice))
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
        Ok(())
    }
}

fn limit(resource: LimitNumber) -> Option<(u64, u64)> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct it is given.
    (unsafe { libc::getrlimit(resource, &mut limit) } == 0).then_some((limit.rlim_cur, limit.rlim_max))
}

fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let listed = status.lines().find_map(|line| line.strip_prefix("Umask:")).map(str::trim);
    listed.and_then(|octal| u32::from_str_radix(octal, 8).ok()).unwrap_or_else(|| {
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
}
