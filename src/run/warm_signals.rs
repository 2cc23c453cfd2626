//! Signals the code of a warm run sends its parent. Cold, a run's parent is its client, and code
//! that signals its parent (`os.kill(os.getppid(), signal.SIGTERM)`) interrupts its own run, or
//! ends the client with a signal the client does not handle. Warm, its parent is the server: the
//! server passes such a signal on to the run's client, so that the run ends as it would cold,
//! and the server stays up for the next.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};

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
/// (the run's process, one in its group, or one that descends from it, such as a process it
/// started in a session of its own); false when it came from none of them. Async-signal-safe.
pub fn pass_to_client(signal: c_int, sender: pid_t) -> bool {
    if sender <= 0 {
        return false;
    }
    // SAFETY: getpgid is a plain system call, safe in a signal handler.
    let group = unsafe { libc::getpgid(sender) };
    let mut ancestor = sender;
    for _ in 0..MAX_GENERATIONS {
        if let Some(client) = client_of(|run| run == ancestor || (ancestor == sender && run == group)) {
            // SAFETY: kill is a plain system call, safe in a signal handler.
            unsafe { libc::kill(client, signal) };
            return true;
        }
        match crate::run::proc_stat::state_and_parent(ancestor).map(|(_, parent)| parent) {
            // SAFETY: getpid cannot fail.
            Some(parent) if parent > 1 && parent != unsafe { libc::getpid() } => ancestor = parent,
            _ => break,
        }
    }
    false
}

/// How many generations up from a signal's sender its run is looked for.
const MAX_GENERATIONS: usize = 16;

/// The client of the first run `matches` takes.
fn client_of(matches: impl Fn(pid_t) -> bool) -> Option<pid_t> {
    RUNS.iter().find_map(|(run, client)| {
        let run = run.load(Ordering::SeqCst);
        (run != 0 && matches(run)).then(|| client.load(Ordering::SeqCst))
    })
}

/// The signals that end or stop a process by default, and that another process sends (not a
/// fault of the process itself), beside the interrupts the server handles itself: the
/// real-time ones are added (`take_over_ending`).
const ENDING_BY_DEFAULT: [c_int; 14] = [
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
    libc::SIGXFSZ,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// The signals a fault of the process raises, which another process can send too (`kill`): the
/// server's own faults keep the disposition they had (Rust's stack overflow report for SIGSEGV
/// and SIGBUS, a library's handler, or the default), and only those a run sends go to its client.
const FAULTS: [c_int; 7] =
    [libc::SIGABRT, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGSEGV, libc::SIGSYS, libc::SIGTRAP];

/// The dispositions the taken-over signals had before (`take_over_ending`), by signal number:
/// given back to a spare, and taken for a signal that is not a run's.
static PREVIOUS: OnceLock<Vec<(c_int, libc::sigaction)>> = OnceLock::new();

/// Has each signal that ends or stops a process by default, and each fault signal, go from a
/// run to its client, whatever the server does with it (the client does not share what the
/// server imported, nor how it was started: in the background, SIGQUIT ignored); from anyone
/// else it does what it did before. Called once, before the server takes asks.
pub fn take_over_ending() {
    let real_time = libc::SIGRTMIN()..=libc::SIGRTMAX();
    let mut previous = Vec::new();
    for signal in ENDING_BY_DEFAULT.into_iter().chain(real_time).chain(FAULTS) {
        // SAFETY: reads the signal's disposition into a zeroed struct.
        let current = unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            (libc::sigaction(signal, std::ptr::null(), &mut current) == 0).then_some(current)
        };
        previous.extend(current.map(|current| (signal, current)));
    }
    let previous = PREVIOUS.get_or_init(|| previous);
    for (signal, before) in previous {
        // SAFETY: the handler is async-signal-safe; it runs on the alternate stack when the one
        // before did (a stack overflow's SIGSEGV has no stack left to run on).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction =
                pass_on_or_act_as_before as extern "C" fn(c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize;
            action.sa_flags = libc::SA_SIGINFO | (before.sa_flags & libc::SA_ONSTACK);
            libc::sigaction(*signal, &action, std::ptr::null_mut());
        }
    }
}

/// Gives back the disposition each signal `take_over_ending` took over had: in a process the
/// server forks for a run, which takes them as a cold run's process does.
pub fn give_back_ending() {
    for (signal, before) in PREVIOUS.get().into_iter().flatten() {
        // SAFETY: restores a disposition this process had before.
        unsafe { libc::sigaction(*signal, before, std::ptr::null_mut()) };
    }
}

/// Passes a signal a run sent (`kill`, `sigqueue`, `tgkill`) to its client; any other, or one
/// the kernel raised, gets the disposition the signal had before: it is ignored, or its handler
/// called, or the default action taken, which ends the server, or stops it (Ctrl-Z) until it is
/// continued.
extern "C" fn pass_on_or_act_as_before(signal: c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel hands an SA_SIGINFO handler the signal's information.
    let (code, sender) = unsafe { ((*info).si_code, (*info).si_pid()) };
    // Only a signal a process sent names its sender: a fault's information holds an address.
    let sent = matches!(code, libc::SI_USER | libc::SI_QUEUE | libc::SI_TKILL);
    if sent && pass_to_client(signal, sender) {
        return;
    }
    let before = PREVIOUS.get().and_then(|previous| previous.iter().find(|(taken, _)| *taken == signal));
    let stops = matches!(signal, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU);
    match before {
        Some((_, before)) if before.sa_sigaction == libc::SIG_IGN => {}
        // SAFETY: raise is async-signal-safe. SIGSTOP stops the server at once, inside this
        // handler, which stays in place for the runs' stop signals once it is continued.
        Some((_, before)) if stops && before.sa_sigaction == libc::SIG_DFL => unsafe {
            libc::raise(libc::SIGSTOP);
        },
        // SAFETY: calls the handler that was installed for this signal, as the kernel would have,
        // with what the kernel handed this one.
        Some((_, before)) if before.sa_sigaction != libc::SIG_DFL => unsafe {
            if before.sa_flags & libc::SA_SIGINFO != 0 {
                let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(before.sa_sigaction);
                handler(signal, info, context);
            } else {
                let handler: extern "C" fn(c_int) = std::mem::transmute(before.sa_sigaction);
                handler(signal);
            }
        },
        // SAFETY: signal and raise are async-signal-safe; the signal, blocked while its handler
        // runs, is delivered with its default action as the handler returns.
        _ => unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        },
    }
}
