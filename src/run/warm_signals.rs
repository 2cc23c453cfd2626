//! Signals the code of a warm run sends its parent. Cold, a run's parent is its client, and code
//! that signals its parent (`os.kill(os.getppid(), signal.SIGTERM)`) interrupts its own run.
//! Warm, its parent is the server: the server passes such a signal on to the run's client, so
//! that the run ends as it would cold, and the server stays up for the next.

use std::sync::atomic::{AtomicI32, Ordering};

use nix::libc::{c_int, pid_t};

/// How many runs at once can have their signals passed on; a signal from a run beyond them
/// stops the server, as any other interrupt does.
const SLOTS: usize = 64;

/// Each slot: a run's process (and group) id, and its client's process id; 0 when free.
static RUNS: [(AtomicI32, AtomicI32); SLOTS] = [const { (AtomicI32::new(0), AtomicI32::new(0)) }; SLOTS];

/// Has the signals that `run` sends go to `client`. Called from the server's main loop only.
pub fn register(run: pid_t, client: pid_t) {
    if let Some((slot_run, slot_client)) = RUNS.iter().find(|(slot_run, _)| slot_run.load(Ordering::SeqCst) == 0) {
        // The client first: a handler that finds the run finds its client.
        slot_client.store(client, Ordering::SeqCst);
        slot_run.store(run, Ordering::SeqCst);
    }
}

/// Forgets `run` once it is over.
pub fn unregister(run: pid_t) {
    for (slot_run, _) in &RUNS {
        let _ = slot_run.compare_exchange(run, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// Passes `signal`, sent by process `sender`, to the client of the run that process belongs to
/// (the run's process, or one in its group); false when it came from none of them.
/// Async-signal-safe.
pub fn pass_to_client(signal: c_int, sender: pid_t) -> bool {
    if sender <= 0 {
        return false;
    }
    // SAFETY: getpgid and kill are plain system calls, safe in a signal handler.
    let group = unsafe { nix::libc::getpgid(sender) };
    for (run, client) in &RUNS {
        let run = run.load(Ordering::SeqCst);
        if run != 0 && (run == sender || run == group) {
            // SAFETY: as above.
            unsafe { nix::libc::kill(client.load(Ordering::SeqCst), signal) };
            return true;
        }
    }
    false
}
