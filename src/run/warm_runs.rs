//! The processes a warm server forks: the spare, forked ahead of the next ask and waiting for
//! it, and each run (a spare that took an ask) until it is reaped. Forking the server, a process
//! of some 35 MB, costs a copy of its page tables and then copy-on-write faults in the server as
//! it goes on: a spare pays them while no client waits.

use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{self, Signal};
use nix::sys::socket::MsgFlags;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

use crate::json_lines;
use crate::run::host;
use crate::run::supervisor::{self, WriteEnds};
use crate::run::warm_protocol::{self, Answer, Ask, Ended, ExecAsk};

/// How often processes without a pidfd (before Linux 5.3) are looked for.
const REAP_INTERVAL: Duration = Duration::from_millis(5);

/// A process the server forked, and what tells of its end.
struct Forked {
    child: Pid,
    /// Readable once the child has ended; None where the kernel has no pidfd, and the child is
    /// then looked for every `REAP_INTERVAL`.
    ended: Option<OwnedFd>,
}

impl Forked {
    fn new(child: Pid) -> Forked {
        // SAFETY: pidfd_open on a child of this process, not yet reaped.
        let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, child.as_raw(), 0) };
        // SAFETY: a descriptor pidfd_open just made for this process.
        let ended = (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        Forked { child, ended }
    }

    /// How the child ended, if it did: it is reaped then. None as a status: it is gone, how is
    /// not known.
    fn reaped(&self) -> Option<Option<WaitStatus>> {
        match waitpid(self.child, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => None,
            Ok(status) => Some(Some(status)),
            Err(_) => Some(None),
        }
    }
}

/// A run the server forked, until it is reaped and its client is done.
pub struct Run {
    forked: Forked,
    /// The client it runs for, until it goes away.
    client: Option<UnixStream>,
    /// When it was reaped. Its client still saves the context then: the next spare is forked
    /// once the client is done (its connection closed), so that the two do not compete.
    reaped_at: Option<Instant>,
}

/// How long a client whose run ended may keep its connection before the server stops waiting
/// for it to fork the next spare.
const CLIENT_FINISH: Duration = Duration::from_secs(2);

impl Run {
    /// Whether its process has not been reaped yet.
    pub fn in_flight(&self) -> bool {
        self.reaped_at.is_none()
    }

    /// Reaps the child if it ended and tells its client how; kills it, with all it started, if its
    /// client went away (as a cold run dies with its parent). Returns whether the run is over,
    /// client included.
    ///
    /// A client that took the run's whole report as its end (`early_end`) may be gone before the
    /// child is reaped: the kill then only ends sooner a child that already killed what it started.
    pub fn tend(&mut self) -> bool {
        if let Some(at) = self.reaped_at {
            return self.client_gone() || at.elapsed() >= CLIENT_FINISH;
        }
        if let Some(status) = self.forked.reaped() {
            crate::run::timings::mark("run reaped");
            if let (Some(client), Some(ended)) = (self.client.as_mut(), status.and_then(Ended::of)) {
                let _ = json_lines::write(client, &Answer::Ended(ended));
            }
            self.reaped_at = Some(Instant::now());
            self.forked.ended = None;
            return self.client.is_none();
        }
        if self.client_gone() {
            self.client = None;
            crate::run::leftovers::end_tree(self.forked.child);
        }
        false
    }

    /// Whether the client closed its connection (it sends nothing after its ask).
    fn client_gone(&self) -> bool {
        self.client.as_ref().is_none_or(closed)
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        crate::run::warm_signals::unregister(self.forked.child.as_raw());
    }
}

/// Whether the client at the other end of `connection` closed it: it sends nothing after its
/// ask, so anything but "nothing to read yet" means it is gone.
pub fn closed(connection: &UnixStream) -> bool {
    match nix::sys::socket::recv(connection.as_raw_fd(), &mut [0u8; 1], MsgFlags::MSG_DONTWAIT) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e, nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR),
    }
}

/// How long the server waits for a spare to say whether it took on an ask's folder and settings:
/// it does so at once.
const TAKE_ON_WAIT: Duration = Duration::from_secs(2);

/// What handing an ask to a spare came to.
pub enum Handed {
    Run(Run),
    /// The spare could not take on the client's folder or process settings, why: none of the
    /// code ran, and the client runs it cold.
    Refused(String, UnixStream),
    /// The spare is gone: the client back, for another.
    Lost(UnixStream),
}

/// A process forked ahead of the next ask, waiting for it on `asks`.
pub struct Spare {
    forked: Forked,
    asks: UnixStream,
}

impl Spare {
    /// Forks a spare for runs of `moss_file`. Call only while this process has a single thread.
    pub fn fork(moss_file: &Path) -> io::Result<Spare> {
        let (ours, theirs) = UnixStream::pair()?;
        match fork_with_python()? {
            ForkResult::Child => {
                drop(ours);
                wait_for_ask(theirs, moss_file)
            }
            ForkResult::Parent { child } => {
                // Its own process group from the start, so that the group the client is told of
                // exists before the client relies on it.
                let _ = nix::unistd::setpgid(child, child);
                Ok(Spare { forked: Forked::new(child), asks: ours })
            }
        }
    }

    /// Hands `ask` and its descriptors to the spare, which runs it for `client` once it has
    /// taken on the client's folder and process settings, and tells the client; the server's
    /// copies of the descriptors can be closed once this returns.
    pub fn hand(self, ask: &Ask, fds: &[OwnedFd], client: UnixStream) -> Handed {
        let child = self.forked.child;
        // Before the ask: the code runs as soon as the spare has taken it on, and may signal the
        // server at once.
        let peer = nix::sys::socket::getsockopt(&client, nix::sys::socket::sockopt::PeerCredentials);
        if let Ok(peer) = peer {
            crate::run::warm_signals::register(child.as_raw(), peer.pid());
        }
        let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
        let sent = warm_protocol::send_with_fds(&self.asks, ask, &raw).is_ok();
        let _ = self.asks.set_read_timeout(Some(TAKE_ON_WAIT));
        let taken = sent.then(|| json_lines::read::<Result<(), String>>(&mut io::BufReader::new(&self.asks)));
        if !matches!(taken, Some(Ok(Ok(())))) {
            crate::run::warm_signals::unregister(child.as_raw());
            self.end();
            return match taken {
                Some(Ok(Err(reason))) => Handed::Refused(reason, client),
                _ => Handed::Lost(client),
            };
        }
        if json_lines::write(&mut &client, &Answer::Started(child.as_raw())).is_err() {
            crate::run::leftovers::end_tree(child);
        }
        Handed::Run(Run { forked: self.forked, client: Some(client), reaped_at: None })
    }

    /// Whether the spare died: it is reaped then.
    pub fn died(&self) -> bool {
        self.forked.reaped().is_some()
    }

    /// Ends the spare and reaps it: before the server restarts or stops.
    pub fn end(self) {
        let _ = signal::kill(self.forked.child, Signal::SIGKILL);
        let _ = waitpid(self.forked.child, None);
    }
}

/// What the server's wait found ready.
pub struct Ready {
    pub client: bool,
    /// The indices of the runs to tend.
    pub runs: Vec<usize>,
    pub spare: bool,
}

/// Waits up to `tick` for a client to connect, a run to need tending or the spare to die.
pub fn wait(listener: &impl AsFd, runs: &[Run], spare: Option<&Spare>, tick: Duration) -> Ready {
    let mut fds = vec![PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    let spare_ended = spare.and_then(|s| s.forked.ended.as_ref());
    fds.extend(spare_ended.map(|fd| PollFd::new(fd.as_fd(), PollFlags::POLLIN)));
    let mut owners = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        let watched = [run.forked.ended.as_ref().map(|fd| fd.as_fd()), run.client.as_ref().map(|c| c.as_fd())];
        for fd in watched.into_iter().flatten() {
            fds.push(PollFd::new(fd, PollFlags::POLLIN));
            owners.push(index);
        }
    }
    let unwatched: Vec<usize> =
        (0..runs.len()).filter(|&i| runs[i].in_flight() && runs[i].forked.ended.is_none()).collect();
    let nap = if unwatched.is_empty() { tick } else { REAP_INTERVAL };
    let timeout = PollTimeout::try_from(nap.as_millis() as i32).unwrap_or(PollTimeout::MAX);
    let polled = matches!(poll(&mut fds, timeout), Ok(n) if n > 0);
    let ready = |fd: &PollFd| polled && fd.revents().is_some_and(|r| !r.is_empty());
    let first_run = 1 + usize::from(spare_ended.is_some());
    let mut tended: Vec<usize> =
        owners.iter().zip(&fds[first_run..]).filter(|(_, fd)| ready(fd)).map(|(&i, _)| i).collect();
    tended.extend(unwatched);
    // A finished run's client is looked at every time, for its time to finish.
    tended.extend((0..runs.len()).filter(|&i| !runs[i].in_flight()));
    tended.sort_unstable();
    tended.dedup();
    let spare = spare.is_some() && (spare_ended.is_none() || ready(&fds[1]));
    Ready { client: ready(&fds[0]), runs: tended, spare }
}

/// Forks, with the interpreter's own locks taken around the fork as `os.fork` takes them: the
/// run re-initialises them as it resumes the interpreter (`PyOS_AfterFork_Child`).
fn fork_with_python() -> nix::Result<ForkResult> {
    // SAFETY: this thread holds the GIL (the server never releases it), and it is the only thread.
    unsafe { pyo3::ffi::PyOS_BeforeFork() };
    // SAFETY: the server has one thread (checked before each fork), so the child may run anything.
    let forked = unsafe { fork() };
    if !matches!(forked, Ok(ForkResult::Child)) {
        // SAFETY: pairs with PyOS_BeforeFork above, in the process that called it.
        unsafe { pyo3::ffi::PyOS_AfterFork_Parent() };
    }
    forked
}

/// The spare's life: it waits for an ask and runs it; it ends when the server hands it none.
fn wait_for_ask(asks: UnixStream, moss_file: &Path) -> ! {
    // A spare must never outlive its server: nobody would reap it.
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
    // The server's handlers are not the run's: they would swallow an interrupt the client passes
    // on as soon as it is told the run started, and pass on signals the run's code receives.
    supervisor::default_interrupts();
    crate::run::warm_signals::give_back_ending();
    // The server's listener and its clients' connections are not the spare's to hold open.
    let kept = asks.as_raw_fd() as u32;
    // SAFETY: closes descriptors this process inherited and does not use.
    unsafe {
        nix::libc::close_range(3, kept - 1, 0);
        nix::libc::close_range(kept + 1, u32::MAX, 0);
    }
    own_writable_pages(&asks);
    match warm_protocol::receive_with_fds(&asks) {
        Ok((Ask::Exec(ask), fds)) => run(*ask, fds, asks, moss_file),
        // SAFETY: _exit skips the interpreter's teardown, which belongs to the server.
        _ => unsafe { nix::libc::_exit(0) },
    }
}

/// Runs `ask` in this process, in the client's pipes and folder (`RUN_DESCRIPTORS`), once it has
/// told the server on `asks` that it took on the folder and the client's process settings; one
/// it cannot take on ends it before any code runs.
fn run(ask: ExecAsk, fds: Vec<OwnedFd>, asks: UnixStream, moss_file: &Path) -> ! {
    let mut fds = fds.into_iter();
    let (Some(out), Some(err), Some(report), Some(folder)) = (fds.next(), fds.next(), fds.next(), fds.next()) else {
        // SAFETY: _exit is always safe to call.
        unsafe { nix::libc::_exit(70) }
    };
    let taken = nix::unistd::fchdir(&folder)
        .map_err(|e| format!("cannot enter the client's folder: {e}"))
        .and_then(|()| ask.settings.take_on());
    drop(folder);
    let told = json_lines::write(&mut &asks, &taken);
    drop(asks);
    if taken.is_err() || told.is_err() {
        // SAFETY: _exit is always safe to call.
        unsafe { nix::libc::_exit(70) }
    }
    let channel = fds.next();
    let job = host::job::<crate::run::child_report::ExecOutcome>(moss_file, &ask.request);
    supervisor::child_main(WriteEnds { out, err, report }, channel, &ask.supervision, job)
}

/// How much memory the spare makes its own between two looks for an ask.
const OWNED_AT_ONCE: usize = 1 << 20;

/// Copies now the pages that the run would copy as it first writes to them (copy-on-write, one
/// page fault each), while no client waits: the pages of the writable private mappings that the
/// server has (present or swapped out), which are about all the server ever wrote. Memory only
/// reserved and never written (a large `malloc`, `numpy.empty`, a BLAS buffer) is left alone: a
/// run that writes it would get fresh pages, not copies, and committing it here would cost the
/// spare as much memory as the reservation. Stops as soon as an ask arrives on `asks`: the rest
/// is copied as the run writes.
fn own_writable_pages(asks: &UnixStream) {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return };
    let Ok(pagemap) = std::fs::File::open("/proc/self/pagemap") else { return };
    // SAFETY: sysconf has no preconditions.
    let page = match unsafe { nix::libc::sysconf(nix::libc::_SC_PAGESIZE) } {
        size if size > 0 => size as usize,
        _ => return,
    };
    let asked = || {
        let mut fds = [PollFd::new(asks.as_fd(), PollFlags::POLLIN)];
        !matches!(poll(&mut fds, PollTimeout::ZERO), Ok(0))
    };
    for (start, end) in writable_private_ranges(&maps) {
        for at in (start..end).step_by(OWNED_AT_ONCE) {
            if asked() {
                return;
            }
            for (from, to) in held_pages(&pagemap, page, at, OWNED_AT_ONCE.min(end - at)) {
                // SAFETY: faults in pages of this process's own mapping; no content changes. A
                // kernel without MADV_POPULATE_WRITE (before 5.14) refuses, and the run copies them.
                unsafe {
                    nix::libc::madvise(from as *mut nix::libc::c_void, to - from, nix::libc::MADV_POPULATE_WRITE)
                };
            }
        }
    }
}

/// The address ranges of the writable private mappings listed in `maps` (`/proc/self/maps`).
fn writable_private_ranges(maps: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(permissions)) = (fields.next(), fields.next()) else { continue };
        let parsed = range.split_once('-').and_then(|(start, end)| {
            Some((usize::from_str_radix(start, 16).ok()?, usize::from_str_radix(end, 16).ok()?))
        });
        if let (Some(range), true) = (parsed, permissions.starts_with("rw") && permissions.ends_with('p')) {
            ranges.push(range);
        }
    }
    ranges
}

/// The runs of pages in `length` bytes from `start` that this process holds, present in memory
/// or swapped out (`/proc/self/pagemap`: one 64-bit entry a page, bit 63 present, bit 62
/// swapped), as address ranges.
fn held_pages(pagemap: &std::fs::File, page: usize, start: usize, length: usize) -> Vec<(usize, usize)> {
    use std::os::unix::fs::FileExt;
    const HELD: u64 = (1 << 63) | (1 << 62);
    let pages = length.div_ceil(page);
    let mut entries = vec![0u8; pages * 8];
    if pagemap.read_exact_at(&mut entries, (start / page * 8) as u64).is_err() {
        return Vec::new();
    }
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (index, entry) in entries.chunks_exact(8).enumerate() {
        let entry = u64::from_ne_bytes(entry.try_into().expect("an entry is 8 bytes"));
        if entry & HELD == 0 {
            continue;
        }
        let address = start + index * page;
        match runs.last_mut() {
            Some((_, end)) if *end == address => *end += page,
            _ => runs.push((address, address + page)),
        }
    }
    runs
}
