//! `--sandbox`: the operating system, not Python, confines the generated code.
//!
//! The child process that runs the code restricts itself with Landlock before the interpreter
//! starts: it may read and execute anything, but write only under the folders the policy names,
//! connect and bind no TCP port, signal no process outside its own, and reach no abstract Unix
//! socket made outside it. The restriction is inherited by every process the code starts and
//! cannot be lifted. The device and the context file are served by the parent, which is not
//! confined, so neither needs a hole in the sandbox.

use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, RestrictionStatus, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope, path_beneath_rules,
};
use serde::{Deserialize, Serialize};

use crate::error::{MossError, Problem};

/// The newest Landlock ABI whose rights the sandbox asks for: scoped signals and abstract
/// sockets. Later ABIs add logging controls, which change nothing the code can do.
const REQUESTED: ABI = ABI::V6;

/// Device files every program expects to write; they hold no data.
const DEVICE_FILES: [&str; 4] = ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"];

/// The variables that name the temporary folder, all pointed at the private one.
pub const TMPDIR_VARIABLES: [&str; 3] = ["TMPDIR", "TEMP", "TMP"];

/// A file the confined code writes stops growing here; the write fails with EFBIG (OSError).
const MAX_FILE_SIZE: u64 = 1 << 30;

/// What the confined code may do beyond reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// Folders under which the code may create, change and delete files.
    pub writable: Vec<PathBuf>,
    /// TCP connect and bind are allowed (`--allow-net`).
    pub network: bool,
    /// The private temporary folder TMPDIR points to.
    pub tmpdir: PathBuf,
    /// Parts of the policy the running kernel cannot enforce, in words; empty when all hold.
    pub unenforced: Vec<String>,
}

/// A policy and the private temporary folder it grants, removed when the run is over.
pub struct Sandbox {
    pub policy: Policy,
    _tmpdir: tempfile::TempDir,
}

impl Sandbox {
    /// `--sandbox: GAP` for each part of the policy this kernel cannot enforce.
    pub fn gap_warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.policy.unenforced.iter().map(|gap| format!("--sandbox: {gap}"))
    }

    /// The policy for a run in the current folder: writes under it, under the context's folder,
    /// under a fresh private temporary folder, and under each of `allow_write`.
    pub fn prepare(context_dir: Option<&Path>, allow_write: &[PathBuf], network: bool) -> Result<Sandbox, MossError> {
        let tmpdir = tempfile::Builder::new()
            .prefix("moss-sandbox-")
            .tempdir()
            .map_err(|e| MossError::usage(format!("cannot create the sandbox's temporary folder: {e}")))?;
        let mut writable = vec![tmpdir.path().to_path_buf()];
        let cwd =
            std::env::current_dir().map_err(|e| MossError::usage(format!("cannot find the current folder: {e}")))?;
        writable.push(cwd);
        // The parent saves the context, so a folder not made yet needs no rule.
        writable.extend(context_dir.and_then(|dir| std::fs::canonicalize(dir).ok()));
        for path in allow_write {
            let full = std::fs::canonicalize(path).map_err(|e| {
                MossError::usage(Problem::hinted(
                    format!("--allow-write {}: {}", path.display(), crate::project::moss_file::io_reason(&e)),
                    "name a file or folder that exists; create it first if the code is to fill it",
                ))
            })?;
            writable.push(full);
        }
        writable.dedup();
        let policy = Policy {
            writable,
            network,
            tmpdir: tmpdir.path().to_path_buf(),
            unenforced: shortfalls(kernel_abi(), network),
        };
        Ok(Sandbox { policy, _tmpdir: tmpdir })
    }
}

/// The Landlock ABI of the running kernel: 0 when it has none or has it disabled.
fn kernel_abi() -> i64 {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: with a null attribute and the VERSION flag the call only reports a number.
    let abi = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    abi.max(0)
}

/// What a kernel with Landlock ABI `abi` leaves open of the policy, in words a user can act on.
fn shortfalls(abi: i64, network: bool) -> Vec<String> {
    if abi < 1 {
        return vec![
            "this kernel has no Landlock (Linux 5.13 or later, with landlock in the lsm= boot list): file writes and network are NOT restricted"
                .into(),
        ];
    }
    let mut missing = Vec::new();
    if abi < 2 {
        missing.push("moving files between folders is not restricted (needs Linux 5.19)".into());
    }
    if abi < 3 {
        missing.push("truncating files is not restricted (needs Linux 6.2)".into());
    }
    if abi < 4 && !network {
        missing.push("network is NOT restricted (needs Linux 6.7)".into());
    }
    if abi < 5 {
        missing.push("ioctl on device files is not restricted (needs Linux 6.10)".into());
    }
    if abi < 6 {
        missing
            .push("signals to other processes and abstract Unix sockets are not restricted (needs Linux 6.12)".into());
    }
    missing
}

/// Confines this process and its future children to `policy`. Call in the child, before the
/// interpreter starts and while the process has one thread.
pub fn enter(policy: &Policy) -> Result<(), String> {
    let no_core = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
    let file_size =
        nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_FSIZE, MAX_FILE_SIZE, MAX_FILE_SIZE);
    no_core.and(file_size).map_err(|e| format!("cannot set resource limits: {e}"))?;
    // SAFETY: the child is single-threaded here; nothing reads the environment concurrently.
    unsafe {
        for name in TMPDIR_VARIABLES {
            std::env::set_var(name, &policy.tmpdir);
        }
    }
    let status = restrict(policy).map_err(|e| format!("cannot enter the sandbox: {e}"))?;
    if status.ruleset == RulesetStatus::NotEnforced && policy.unenforced.is_empty() {
        return Err("the kernel refused every Landlock restriction".into());
    }
    Ok(())
}

fn restrict(policy: &Policy) -> Result<RestrictionStatus, landlock::RulesetError> {
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(REQUESTED))?
        .scope(Scope::from_all(REQUESTED))?;
    if !policy.network {
        ruleset = ruleset.handle_access(AccessNet::from_all(REQUESTED))?;
    }
    let devices = DEVICE_FILES.iter().filter(|path| Path::new(path).exists());
    ruleset
        .create()?
        .add_rules(path_beneath_rules(["/"], AccessFs::from_read(REQUESTED)))?
        .add_rules(path_beneath_rules(&policy.writable, AccessFs::from_all(REQUESTED)))?
        .add_rules(path_beneath_rules(devices, AccessFs::from_file(REQUESTED)))?
        .restrict_self()
}

#[cfg(test)]
mod tests {
    use super::shortfalls;

    #[test]
    fn a_kernel_without_landlock_is_reported_as_enforcing_nothing() {
        let missing = shortfalls(0, false);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].contains("NOT restricted"), "{missing:?}");
    }

    #[test]
    fn an_old_kernel_names_what_it_leaves_open() {
        let missing = shortfalls(3, false);
        assert!(missing.iter().any(|m| m.starts_with("network is NOT restricted")), "{missing:?}");
        assert!(!missing.iter().any(|m| m.starts_with("truncating")), "{missing:?}");
        assert!(!shortfalls(3, true).iter().any(|m| m.starts_with("network")), "allowed network is no shortfall");
        assert!(shortfalls(6, false).is_empty());
    }
}
