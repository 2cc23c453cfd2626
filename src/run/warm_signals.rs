//! Signals the code of a warm run sends its parent. Cold, a run's parent is its client, and code
//! that signals its parent (`os.kill(os.getppid(), signal.SIGTERM)`) interrupts its own run, or
//! ends the client with a signal the client does not handle. Warm, its parent is the server: the
//! server passes such a signal on to the run's client, so that the run ends as it would cold,
//! and the server stays up for the next.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use nix::libc::{self, c_int, pid_t};

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

/// The signals that end a process by default, and that another process sends (not a fault of
/// the process itself), beside the interrupts the server handles itself: the real-time ones
/// are added (`taken_over`).
const ENDING_BY_DEFAULT: [c_int; 10] = [
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGIO,
    libc::SIGPWR,
    libc::SIGSTKFLT,
    libc::SIGXCPU,
];

/// The signals `take_over_ending` took over: bit N-1 for signal N.
static TAKEN_OVER: AtomicU64 = AtomicU64::new(0);

/// Has each signal that ends a process by default, and that nothing in the server handles or
/// ignores, go from a run to its client; from anyone else it still ends the server.
pub fn take_over_ending() {
    let real_time = libc::SIGRTMIN()..=libc::SIGRTMAX();
    for signal in ENDING_BY_DEFAULT.into_iter().chain(real_time) {
        // SAFETY: the handler is async-signal-safe; a signal already handled or ignored (by a
        // library the server imported) is left as it is.
        let taken = unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction =
                pass_on_or_end as extern "C" fn(c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigaction(signal, std::ptr::null(), &mut current) == 0
                && current.sa_sigaction == libc::SIG_DFL
                && libc::sigaction(signal, &action, std::ptr::null_mut()) == 0
        };
        if taken {
            TAKEN_OVER.fetch_or(1 << (signal - 1), Ordering::SeqCst);
        }
    }
}

/// Gives back the default action of each signal `take_over_ending` took over: in a process the
/// server forks for a run, which ends of them as a cold run's process does.
pub fn give_back_ending() {
    let taken = TAKEN_OVER.load(Ordering::SeqCst);
    for signal in (1..=64).filter(|signal| taken & (1 << (signal - 1)) != 0) {
        // SAFETY: restoring a default disposition.
        unsafe { libc::signal(signal, libc::SIG_DFL) };
    }
}

/// Passes the signal to the client of the run that sent it; from anyone else, takes the
/// signal's default action, which ends the server.
extern "C" fn pass_on_or_end(signal: c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel hands an SA_SIGINFO handler the signal's information.
    let sender = unsafe { (*info).si_pid() };
    if !pass_to_client(signal, sender) {
        // SAFETY: signal and raise are async-signal-safe; the signal, blocked while its handler
        // runs, is delivered with its default action as the handler returns.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}
