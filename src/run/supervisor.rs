//! Runs a job in a forked child process and watches it from outside.
//!
//! Whatever the generated code does (blocks inside C, segfaults, calls `os._exit`, prints from a
//! subprocess), the parent still captures the output, enforces the time limit with SIGKILL and
//! writes the result. The parent never starts Python; only the child does.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::sys::signal::{self, SigHandler, Signal, killpg};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, dup2_stderr, dup2_stdout, fork, pipe2, setpgid};

use crate::run::capture::{Kept, WAKE_UP, capture};
use crate::run::{early_end, leftovers};

/// How long to keep reading output after the child ended: a grandchild that inherited stdout may
/// keep the pipe open forever, and must not hold up the result.
const DRAIN_GRACE: Duration = Duration::from_millis(250);

/// How long the code has to end after the first interrupt (to clean up after its
/// KeyboardInterrupt) before it is ended with all it started.
const INTERRUPT_GRACE: Duration = Duration::from_secs(3);

/// The signals whose delivery to moss interrupts a run.
pub const INTERRUPTS: [Signal; 3] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Supervision {
    pub timeout: Option<Duration>,
    /// Copy the child's output to ours as it arrives (plain mode), besides capturing it.
    pub passthrough: bool,
    /// Bytes of stdout (and of stderr) kept: the first and last halves, with a marker saying
    /// how much was dropped between them.
    pub max_output: usize,
    /// Address-space limit of the child, in bytes: allocations beyond it raise MemoryError.
    pub max_memory: Option<u64>,
    /// Confine the child with this policy before the job starts (`--sandbox`).
    pub sandbox: Option<crate::run::sandbox::Policy>,
}

/// The exit status of a child that could not confine itself; its stderr says why.
pub const SANDBOX_REFUSED: i32 = 72;

/// What `--max-output` is when not given: plenty for a model to read, bounded for the host.
pub const DEFAULT_MAX_OUTPUT: usize = 1 << 20;

impl Default for Supervision {
    fn default() -> Self {
        Supervision {
            timeout: None,
            passthrough: false,
            max_output: DEFAULT_MAX_OUTPUT,
            max_memory: None,
            sandbox: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    Signaled(Signal),
    TimedOut,
    /// How the run ended is not known: its status was lost (a warm run's server died), why.
    Lost(String),
}

pub struct ChildRun {
    pub ending: Ending,
    /// What the job returned, when the child lived to send it.
    pub report: Option<Vec<u8>>,
    /// The processes the code started that were still running when the child ended, which
    /// were then killed: `command line (pid N)` each.
    pub left_running: Vec<leftovers::Leftover>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub duration: Duration,
}

/// Work the parent does for the child while it runs (serving a device), over a socket whose
/// other end the child finds with `companion_channel()`.
pub struct Companion {
    pub child_end: OwnedFd,
    pub serve: Box<dyn FnOnce() + Send>,
}

/// The child's end of its companion's socket, in the child.
static COMPANION_FD: AtomicI32 = AtomicI32::new(-1);

pub fn companion_channel() -> Option<std::os::fd::RawFd> {
    let fd = COMPANION_FD.load(Ordering::SeqCst);
    (fd >= 0).then_some(fd)
}

/// Forks; the child runs `job` with its stdout and stderr captured, and sends back the bytes the
/// job returns. The companion, if any, is served on a thread of the parent until the child is
/// gone. Call only while this process has a single thread.
pub fn run_isolated(
    supervision: &Supervision,
    companion: Option<Companion>,
    job: impl FnOnce() -> Vec<u8>,
) -> io::Result<ChildRun> {
    single_threaded()?;
    let (reading, writing) = pipes()?;
    let started = Instant::now();
    // SAFETY: the caller guarantees a single-threaded process, so the child may run arbitrary code.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop(reading);
            child_main(writing, companion.map(|c| c.child_end), supervision, job)
        }
        ForkResult::Parent { child } => {
            drop(writing);
            // Both sides set the group, so it exists before either relies on it.
            let _ = setpgid(child, child);
            let serve = companion.map(|Companion { child_end, serve }| {
                drop(child_end);
                serve
            });
            watch_child(child, supervision, started, reading, serve, move || Ok(waitpid(child, None)?))
        }
    }
}

/// The ends of a run's pipes its watcher reads: the run's stdout, stderr and report.
pub struct ReadEnds {
    out: OwnedFd,
    err: OwnedFd,
    report: OwnedFd,
}

/// The ends the run writes to, in the order a warm client passes them to its server.
pub struct WriteEnds {
    pub out: OwnedFd,
    pub err: OwnedFd,
    pub report: OwnedFd,
}

/// The pipes between a run and its watcher, each end closed on exec.
pub fn pipes() -> io::Result<(ReadEnds, WriteEnds)> {
    let (out_read, out) = pipe2(OFlag::O_CLOEXEC)?;
    let (err_read, err) = pipe2(OFlag::O_CLOEXEC)?;
    let (report_read, report) = pipe2(OFlag::O_CLOEXEC)?;
    Ok((ReadEnds { out: out_read, err: err_read, report: report_read }, WriteEnds { out, err, report }))
}

/// Watches the run `child` (a process group of its own) as a cold run's parent does: captures
/// its output, forwards interrupts to its group, kills it at the time limit, stops what it left
/// running, and serves the companion's work meanwhile. `status` waits for the child's end: the
/// child may be another process's (a warm server's, which forked it for this one).
pub fn watch_child(
    child: Pid,
    supervision: &Supervision,
    started: Instant,
    reading: ReadEnds,
    serve: Option<Box<dyn FnOnce() + Send>>,
    status: impl FnOnce() -> io::Result<WaitStatus> + Send + 'static,
) -> io::Result<ChildRun> {
    let _forwarding = forward_signals_to(child);
    // An interrupt taken before the run had a process (`take_interrupts`) is the run's too.
    if let Some(signal) = interrupted() {
        let _ = killpg(child, signal);
    }
    let serving = serve.map(thread::spawn);
    let run = watch(child, supervision, started, reading, status);
    if let Some(serving) = serving {
        let _ = serving.join();
    }
    run
}

/// The threads of this process, from /proc.
pub fn thread_count() -> io::Result<usize> {
    Ok(std::fs::read_dir("/proc/self/task")?.count())
}

/// Refuses to go on unless this process has one thread: a child forked beside other threads may
/// find a lock one of them held (the allocator's, the interpreter's) taken forever. The runs
/// taken as ended from their reports are reaped first, and their watchers' threads end.
///
/// A thread just joined can still be listed for a moment (the kernel wakes the joiner before it
/// reaps the thread), so the count is given up to 100 ms to fall to one.
pub fn single_threaded() -> io::Result<()> {
    early_end::reap_ended_runs();
    let deadline = Instant::now() + Duration::from_millis(100);
    loop {
        match thread_count()? {
            1 => return Ok(()),
            threads if Instant::now() >= deadline => {
                return Err(io::Error::other(format!(
                    "moss has {threads} threads where it must have one to fork a run safely; this is a bug in moss"
                )));
            }
            _ => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// The run's side of a fork, in the process forked for it (by this process, or by a warm
/// server for a client): never returns.
pub fn child_main(
    WriteEnds { out, err, report }: WriteEnds,
    channel: Option<OwnedFd>,
    supervision: &Supervision,
    job: impl FnOnce() -> Vec<u8>,
) -> ! {
    // A group of its own, so that a time limit ends the processes the code started too.
    let _ = setpgid(Pid::from_raw(0), Pid::from_raw(0));
    // And the parent of the code's orphans, so that those that leave the group are found too.
    leftovers::adopt_orphans();
    end_with_parent();
    default_interrupts();
    if let Some(limit) = supervision.max_memory {
        let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_AS, limit, limit);
    }
    // Nobody can answer the code's `input()`; it must not stop the run waiting for a terminal.
    if let Ok(null) = std::fs::File::open("/dev/null") {
        let _ = nix::unistd::dup2_stdin(&null);
    }
    let redirected = dup2_stdout(&out).and_then(|_| dup2_stderr(&err));
    drop((out, err));
    if redirected.is_err() {
        // SAFETY: _exit is always safe to call.
        unsafe { nix::libc::_exit(70) }
    }
    let (report, channel) = keep_only_stdio_and(report, channel);
    if let Some(channel) = channel {
        use std::os::fd::IntoRawFd;
        COMPANION_FD.store(channel.into_raw_fd(), Ordering::SeqCst);
    }
    if let Some(Err(refusal)) = supervision.sandbox.as_ref().map(crate::run::sandbox::enter) {
        let _ = writeln!(io::stderr(), "{refusal}");
        // SAFETY: _exit is always safe to call.
        unsafe { nix::libc::_exit(SANDBOX_REFUSED) }
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    let left_running = leftovers::end_descendants();
    let mut report = File::from(report);
    let code = match result {
        Ok(bytes) => match early_end::write_report(&mut report, &bytes, &left_running) {
            Ok(()) => 0,
            Err(_) => 71,
        },
        Err(_) => 101,
    };
    let _ = io::stdout().flush();
    crate::run::timings::mark("report written");
    early_end::close_before_exit(report, companion_channel());
    // SAFETY: _exit skips destructors and atexit handlers on purpose: the interpreter's teardown
    // adds time and can hang on threads the generated code left running.
    unsafe { nix::libc::_exit(code) }
}

/// Whatever moss inherited (SIGINT ignored under `nohup` or in a background job) or installed
/// (a warm server's, an earlier run's), the run starts with the default dispositions of the
/// interrupts: the interpreter then installs its KeyboardInterrupt handler, and a forwarded
/// SIGTERM ends the code; one that comes before ends the run's process.
pub fn default_interrupts() {
    for sig in INTERRUPTS {
        // SAFETY: restoring a default disposition.
        let _ = unsafe { signal::signal(sig, SigHandler::SigDfl) };
    }
}

/// In a run's child: its process group, which it ends when its parent dies.
static RUN_GROUP: AtomicI32 = AtomicI32::new(0);

/// Makes the child end with its parent, and the processes the code started with it: the kernel
/// signals the child when the parent dies (even by SIGKILL, which leaves the parent no chance
/// to stop them), and the handler kills the run's descendants and whole process group. With
/// SIGKILL as the signal, the child would die alone and leave the code's processes running.
fn end_with_parent() {
    extern "C" fn end_run_group(_: nix::libc::c_int) {
        leftovers::end_own_tree_in_handler(RUN_GROUP.load(Ordering::SeqCst))
    }
    RUN_GROUP.store(nix::unistd::getpid().as_raw(), Ordering::SeqCst);
    let signal = nix::libc::SIGRTMIN() + 1;
    // SAFETY: the handler only calls async-signal-safe functions; the mask blocks nothing.
    let installed = unsafe {
        let mut action: nix::libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = end_run_group as extern "C" fn(nix::libc::c_int) as usize;
        nix::libc::sigaction(signal, &action, std::ptr::null_mut()) == 0
    };
    let death_signal = if installed { signal } else { nix::libc::SIGKILL };
    // SAFETY: PR_SET_PDEATHSIG takes a signal number.
    unsafe { nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, death_signal as nix::libc::c_ulong) };
}

/// The child's process group, for the signal handlers; 0 when there is none.
static CHILD_GROUP: AtomicI32 = AtomicI32::new(0);

/// The first interrupting signal this process received, or 0.
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

/// The signal that interrupted this process's run, if one did: whatever the code did after it,
/// the run is not to be trusted, and nothing of it is saved.
pub fn interrupted() -> Option<Signal> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        signal => Signal::try_from(signal).ok(),
    }
}

/// Whether an interrupt came after the first: the run is then ended at once.
static INTERRUPTED_AGAIN: AtomicBool = AtomicBool::new(false);

/// An interrupt for the running child: the first is passed on to its process group (the code
/// sees KeyboardInterrupt, or SIGTERM); any later one has the watcher end the run with all it
/// started (`wait_for`), which takes more than a handler may do. Async-signal-safe.
extern "C" fn forward(signal: nix::libc::c_int) {
    let first = INTERRUPTED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_ok();
    if !first {
        INTERRUPTED_AGAIN.store(true, Ordering::SeqCst);
        return;
    }
    let group = CHILD_GROUP.load(Ordering::SeqCst);
    if group > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { nix::libc::kill(-group, signal) };
    }
}

/// Ctrl-C and termination requests aimed at moss reach the code's process group instead, and
/// moss stays to report them; moss decides this whatever dispositions it was started with. Only
/// while the returned guard lives: after the run, moss is stopped by them as before it.
fn forward_signals_to(child: Pid) -> Dispositions {
    CHILD_GROUP.store(child.as_raw(), Ordering::SeqCst);
    Dispositions::handled_by(forward)
}

/// Ctrl-C and termination requests that come before the run has a process (a warm client waits
/// for its server's answer) are noted (`interrupted`), not the end of moss, while the returned
/// guard lives; `watch_child` passes them on to the run if it starts.
pub fn take_interrupts() -> Dispositions {
    Dispositions::handled_by(forward)
}

/// The dispositions of the interrupting signals before a run took them over; restored when
/// dropped, so that a process running several runs (a test worker) is not left deaf to Ctrl-C.
pub struct Dispositions {
    previous: Vec<(Signal, signal::SigAction)>,
}

impl Dispositions {
    /// Has `handler` take the interrupting signals, which it must handle async-signal-safely.
    fn handled_by(handler: extern "C" fn(nix::libc::c_int)) -> Dispositions {
        let action =
            signal::SigAction::new(SigHandler::Handler(handler), signal::SaFlags::SA_RESTART, signal::SigSet::empty());
        let previous = INTERRUPTS
            .into_iter()
            // SAFETY: the caller's handler is async-signal-safe.
            .filter_map(|sig| unsafe { signal::sigaction(sig, &action) }.ok().map(|old| (sig, old)))
            .collect();
        Dispositions { previous }
    }
}

impl Drop for Dispositions {
    fn drop(&mut self) {
        for (sig, action) in &self.previous {
            // SAFETY: puts back a disposition this process had before.
            let _ = unsafe { signal::sigaction(*sig, action) };
        }
    }
}

/// Closes every descriptor the child inherited except stdin, stdout, stderr, `report` (moved to
/// 3) and `channel` (moved to 4). Above all this drops the parent's lock on the context file: a
/// process the generated code forks would otherwise hold that lock for as long as it lives.
fn keep_only_stdio_and(report: OwnedFd, channel: Option<OwnedFd>) -> (OwnedFd, Option<OwnedFd>) {
    use std::os::fd::{FromRawFd, IntoRawFd};
    let wanted = [Some(report.into_raw_fd()), channel.map(IntoRawFd::into_raw_fd)];
    // Park the descriptors above any number they are about to take, then place them.
    let parked: Vec<Option<i32>> = wanted
        .iter()
        // SAFETY: fcntl(F_DUPFD_CLOEXEC) on descriptors this process owns.
        .map(|fd| fd.map(|fd| unsafe { nix::libc::fcntl(fd, nix::libc::F_DUPFD_CLOEXEC, 10) }))
        .collect();
    let mut placed = Vec::new();
    for (slot, fd) in parked.iter().enumerate() {
        placed.push(fd.map(|fd| {
            let target = 3 + slot as i32;
            // SAFETY: dup3 onto a fixed number; whatever was there is ours to replace.
            if fd < 0 || unsafe { nix::libc::dup3(fd, target, nix::libc::O_CLOEXEC) } != target {
                // SAFETY: _exit is always safe to call.
                unsafe { nix::libc::_exit(70) }
            }
            target
        }));
    }
    let highest = 2 + placed.iter().flatten().count() as u32;
    // SAFETY: closes descriptors above those kept; nothing else in the child uses them.
    unsafe { nix::libc::close_range(highest + 1, u32::MAX, 0) };
    // SAFETY: the numbers were just made to refer to the kept descriptors.
    let mut owned = placed.into_iter().map(|fd| fd.map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }));
    (owned.next().flatten().expect("the report descriptor"), owned.next().flatten())
}

/// What the watcher of a run hears from the threads watching with it.
enum Event {
    /// One of the run's pipes reached its end, or was given up on.
    Closed,
    Status(io::Result<WaitStatus>),
}

/// The run's pipes: stdout, stderr, report.
const PIPES: usize = 3;

/// How the wait for a run's end ended.
enum End {
    Status(io::Result<WaitStatus>),
    /// Every pipe ended and the report is whole: the run ended well, its process is ending.
    Reported,
    Lost,
}

fn watch(
    child: Pid,
    supervision: &Supervision,
    started: Instant,
    ReadEnds { out, err, report }: ReadEnds,
    status: impl FnOnce() -> io::Result<WaitStatus> + Send + 'static,
) -> io::Result<ChildRun> {
    let (events, heard) = mpsc::channel::<Event>();
    let limit = Some(supervision.max_output);
    let stop = Arc::new(AtomicBool::new(false));
    let tell_closed = || {
        let events = events.clone();
        move || {
            let _ = events.send(Event::Closed);
        }
    };
    let tee = |to: Box<dyn Write + Send>| supervision.passthrough.then_some(to);
    let (stdout, stdout_reader) = capture(out, tee(Box::new(io::stdout())), limit, Arc::clone(&stop), tell_closed());
    let (stderr, stderr_reader) = capture(err, tee(Box::new(io::stderr())), limit, Arc::clone(&stop), tell_closed());
    let (report_bytes, report_reader) = capture(report, None, None, Arc::clone(&stop), tell_closed());

    let waiter = thread::spawn(move || {
        let _ = events.send(Event::Status(status()));
    });
    let reported = || early_end::whole_report(report_bytes.lock().unwrap().unlimited()).is_some();
    let (end, killed, closed) = wait_for(child, &heard, supervision.timeout, started, reported);
    // Every thread of the run ends before the next run forks, which is safe only single-threaded;
    // a run taken as ended from its report is reaped meanwhile.
    match end {
        End::Reported => early_end::reap_later(child, waiter),
        _ => {
            let _ = waiter.join();
        }
    }
    let timed_out = killed == Some(Kill::TimeLimit);
    let duration = started.elapsed();
    CHILD_GROUP.store(0, Ordering::SeqCst);
    let ending = ending(end, timed_out)?;
    // What an interrupted or lost run left goes with it, unnamed: the run reports the interrupt or
    // the loss.
    let unnamed = killed.is_some() || interrupted().is_some() || matches!(ending, Ending::Lost(_));
    let left_in_group = match killed {
        Some(_) => Vec::new(),
        None if unnamed => {
            let _ = killpg(child, Signal::SIGKILL);
            Vec::new()
        }
        None => leftovers::stop(child),
    };

    drain(&heard, closed);
    stop.store(true, Ordering::SeqCst);
    for reader in [stdout_reader, stderr_reader, report_reader] {
        let _ = reader.join();
    }
    let take = |buffer: &Arc<Mutex<Kept>>| std::mem::take(&mut *buffer.lock().unwrap()).into_bytes();
    let report = take(&report_bytes);
    let reported = (ending == Ending::Exited(0)).then(|| early_end::whole_report(&report)).flatten();
    // The processes the run's own process killed come first: the group's were started after.
    let mut left_running = reported.as_ref().filter(|_| !unnamed).map(|r| r.left_running.clone()).unwrap_or_default();
    left_running.extend(left_in_group);
    Ok(ChildRun {
        report: reported.map(|reported| reported.report.to_vec()),
        ending,
        left_running,
        stdout: take(&stdout),
        stderr: take(&stderr),
        duration,
    })
}

fn ending(end: End, timed_out: bool) -> io::Result<Ending> {
    Ok(match end {
        _ if timed_out => Ending::TimedOut,
        End::Reported => Ending::Exited(0),
        End::Status(Ok(WaitStatus::Exited(_, code))) => Ending::Exited(code),
        End::Status(Ok(WaitStatus::Signaled(_, sig, _))) => Ending::Signaled(sig),
        End::Status(Ok(other)) => return Err(io::Error::other(format!("unexpected child status {other:?}"))),
        // The run's output until then is still read: it is the run's, and tells how far it got.
        End::Status(Err(e)) => Ending::Lost(e.to_string()),
        End::Lost => Ending::Lost("the child's status was lost".into()),
    })
}

/// Waits, `DRAIN_GRACE` at most, until all of the run's pipes (`closed` already) are closed: what
/// the run wrote before it ended is read whole.
fn drain(heard: &mpsc::Receiver<Event>, mut closed: usize) {
    let deadline = Instant::now() + DRAIN_GRACE;
    while closed < PIPES {
        match heard.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::Closed) => closed += 1,
            Ok(Event::Status(_)) => {}
            Err(_) => break,
        }
    }
}

/// Why the watcher ended the run, with all it started (`leftovers::end_tree`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    TimeLimit,
    /// The code had not ended `INTERRUPT_GRACE` after an interrupt, or another came.
    Interrupt,
}

/// Waits for the run's end: its status, or every pipe closed with the report whole (unless an
/// interrupt came). Ends it with all it started at the time limit, or when the code has not ended
/// `INTERRUPT_GRACE` after an interrupt or another interrupt came, and then waits for its status. Says too how many of
/// the pipes it saw closed.
fn wait_for(
    child: Pid,
    events: &mpsc::Receiver<Event>,
    limit: Option<Duration>,
    started: Instant,
    reported: impl Fn() -> bool,
) -> (End, Option<Kill>, usize) {
    let mut interrupted_at = None;
    let mut closed = 0;
    loop {
        if interrupted_at.is_none() && interrupted().is_some() {
            interrupted_at = Some(Instant::now());
        }
        let left = limit.map(|limit| limit.saturating_sub(started.elapsed()));
        let grace_left = interrupted_at.map(|at| INTERRUPT_GRACE.saturating_sub(at.elapsed()));
        let kill = match (left, grace_left) {
            (Some(left), _) if left.is_zero() => Some(Kill::TimeLimit),
            (_, Some(left)) if left.is_zero() || INTERRUPTED_AGAIN.load(Ordering::SeqCst) => Some(Kill::Interrupt),
            _ => None,
        };
        if kill.is_some() {
            leftovers::end_tree(child);
            loop {
                match events.recv() {
                    Ok(Event::Closed) => closed += 1,
                    Ok(Event::Status(status)) => return (End::Status(status), kill, closed),
                    Err(_) => return (End::Lost, kill, closed),
                }
            }
        }
        let nap = [left, grace_left, Some(WAKE_UP)].into_iter().flatten().min().unwrap_or(WAKE_UP);
        match events.recv_timeout(nap) {
            Ok(Event::Status(status)) => return (End::Status(status), None, closed),
            Ok(Event::Closed) => {
                closed += 1;
                if closed == PIPES && interrupted().is_none() && reported() {
                    return (End::Reported, None, closed);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return (End::Lost, None, closed),
        }
    }
}
