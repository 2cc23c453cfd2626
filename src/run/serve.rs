//! `moss serve`: a warm server for one MOSS file.
//!
//! The server starts the interpreter once and imports what the MOSS file imports, then waits on
//! a Unix socket beside the file's contexts. For each `moss exec` that connects, a process it
//! forked from its main loop (ahead of the ask, when it can: `warm_runs`) runs the code in the
//! pipes, folder and environment the client sent (the MOSS file compiled afresh, as a cold run
//! does), and the client is told the run's process id. The client supervises the run as a cold
//! run's parent does (output, time limit, interrupts, processes left running;
//! `supervisor::watch_child`); the server only reaps it, tells the client how it ended, and
//! kills it if the client goes away first. The client keeps the context: loading, locking and
//! saving it are the same either way. The server itself never runs user code, never starts a
//! thread, and restarts itself when the MOSS file, its configuration, a project module it
//! imported, or the moss binary changes.

use std::io::{self, BufReader};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{self, SigHandler};
use pyo3::prelude::*;

use crate::cli::ServeArgs;
use crate::cli::style;
use crate::embed::interpreter;
use crate::error::{MossError, Problem};
use crate::json_lines;
use crate::project::config::Config;
use crate::project::moss_file;
use crate::run::error_info::ErrorInfo;
use crate::run::process_settings::ProcessSettings;
use crate::run::request::RunRequest;
use crate::run::supervisor;
use crate::run::warm_protocol::{self, Answer, Ask, ExecAsk, Identity, RUN_DESCRIPTORS, socket_path};
use crate::run::warm_runs::{self, Handed, Run, Spare};

/// A restarted server finds its listening socket under this descriptor number.
const INHERITED_LISTENER: &str = "MOSS_SERVE_LISTENER";
/// How often the server looks for changed files, a removed socket and the idle limit.
const TICK: Duration = Duration::from_millis(250);

static STOP: AtomicBool = AtomicBool::new(false);

/// Stops the server, unless the signal came from one of its runs: that is the run's client's.
extern "C" fn request_stop(signal: nix::libc::c_int, info: *mut nix::libc::siginfo_t, _: *mut nix::libc::c_void) {
    // SAFETY: the kernel hands an SA_SIGINFO handler the signal's information.
    let sender = unsafe { (*info).si_pid() };
    if !crate::run::warm_signals::pass_to_client(signal, sender) {
        STOP.store(true, Ordering::SeqCst);
    }
}

/// The served MOSS file and what the server knows of it.
struct Served {
    moss_file: PathBuf,
    identity: Identity,
    /// The server's own process settings, which it never changes.
    settings: ProcessSettings,
    watched: Watched,
}

pub fn run(args: &ServeArgs) -> Result<u8, MossError> {
    let (path, source) = moss_file::read(&args.file)?;
    let config = Config::for_moss_file(&path)?;
    let socket = socket_path(&config, &path)?;
    if args.stop {
        return stop(&socket, &path);
    }
    let listener = listen(&socket)?;
    let inode_now = || std::fs::metadata(&socket).map(|m| m.ino()).ok();
    // The socket's own file: when it is removed or replaced, this server is no longer reachable.
    let socket_inode =
        inode_now().ok_or_else(|| MossError::usage(format!("{} vanished as the server started", socket.display())))?;
    let started = Instant::now();
    let watched = warm_up(&path, source, &config)?;

    let served = Served {
        moss_file: path.clone(),
        identity: Identity::of_this_process(),
        settings: ProcessSettings::of_this_process(),
        watched,
    };
    take_over_signals();
    style::note(&format!(
        "serving {} on {} (warm in {:.0} ms); stop with Ctrl-C or `moss serve --stop {}`",
        path.display(),
        socket.display(),
        started.elapsed().as_secs_f64() * 1000.0,
        args.file.display()
    ));
    let idle_limit = args.idle_timeout.map(Duration::from_secs_f64);
    serve(&listener, &served, idle_limit, || inode_now() == Some(socket_inode));
    if inode_now() == Some(socket_inode) {
        let _ = std::fs::remove_file(&socket);
    }
    Ok(0)
}

/// Takes clients' asks and tends their runs until the server is stopped (or its socket is gone,
/// or it was idle too long) and its runs in flight have ended: a run dies with the server, and
/// its client would see it lost. Between runs it keeps a spare forked (`warm_runs`), unless a
/// file it watches changed: a run forked while another is in flight is forked when asked for.
fn serve(listener: &UnixListener, served: &Served, idle_limit: Option<Duration>, reachable: impl Fn() -> bool) {
    let mut last_used = Instant::now();
    let mut runs: Vec<Run> = Vec::new();
    let mut spare: Option<Spare> = None;
    loop {
        // Idle time counts from the end of the last run (its client done), however long it ran.
        if !runs.is_empty() {
            last_used = Instant::now();
        }
        let stopping =
            STOP.load(Ordering::SeqCst) || !reachable() || idle_limit.is_some_and(|limit| last_used.elapsed() >= limit);
        let changed = served.watched.changed();
        if stopping || changed {
            // A spare forked before a change would run modules that are out of date.
            if let Some(spare) = spare.take() {
                spare.end();
            }
        }
        let in_flight = runs.iter().any(Run::in_flight);
        if stopping && !in_flight {
            break;
        }
        // A server restarted while its environment is being made anew would choose another Python,
        // which no client that chose this one could use: it waits for the environment.
        if changed
            && !stopping
            && !in_flight
            && crate::embed::relaunch::chosen().0.is_ok_and(|chosen| chosen.environment_present())
        {
            restart(listener);
        }
        if spare.is_none()
            && runs.is_empty()
            && !stopping
            && !changed
            && supervisor::thread_count().is_ok_and(|threads| threads == 1)
        {
            spare = Spare::fork(&served.moss_file).ok();
        }
        let ready = warm_runs::wait(listener, &runs, spare.as_ref(), TICK);
        if ready.spare && spare.as_ref().is_some_and(Spare::died) {
            spare = None;
        }
        for index in ready.runs.into_iter().rev() {
            if runs[index].tend() {
                runs.swap_remove(index);
            }
        }
        if !ready.client {
            continue;
        }
        let Ok((connection, _)) = listener.accept() else { continue };
        last_used = Instant::now();
        let refusal = stopping.then(|| "the server is stopping".to_owned());
        runs.extend(take(connection, served, &mut spare, refusal));
    }
    if let Some(spare) = spare {
        spare.end();
    }
}

/// Starts the interpreter and imports what the MOSS file imports; then the files whose change
/// makes the server restart: the MOSS file, its configuration, the project modules it imported,
/// the Python environment and the moss binary.
fn warm_up(path: &Path, source: String, config: &Config) -> Result<Watched, MossError> {
    interpreter::start(path).map_err(|problem| {
        let hint = problem.hint.unwrap_or_else(|| "`moss exec` shows the same error cold".into());
        MossError::usage(Problem { hint: Some(hint), ..problem })
    })?;
    let request =
        serde_json::to_value(RunRequest::new(path, &source, &config.imports()?)).expect("a request serialises");
    let watch = Python::attach(|py| -> PyResult<Vec<PathBuf>> {
        interpreter::prepare(py)?;
        let host = py.import("_moss.host")?;
        let outcome = host.getattr("warm_up")?.call1((crate::embed::convert::to_py(py, &request)?,))?;
        outcome.get_item("watch")?.extract()
    })
    .map_err(|e| MossError::usage(format!("the warm-up failed: {e}")))?;
    let environment = crate::embed::relaunch::chosen().0.map(|chosen| chosen.environment_files()).unwrap_or_default();
    let mut watched =
        Watched::new([path.to_path_buf()].into_iter().chain(config.file.clone()).chain(watch).chain(environment));
    watched.files.push((std::env::current_exe().unwrap_or_default(), None));
    watched.snapshot();
    Ok(watched)
}

/// Binds the socket, or takes over the one a restarting server handed down.
fn listen(socket: &Path) -> Result<UnixListener, MossError> {
    if let Some(fd) = std::env::var(INHERITED_LISTENER).ok().and_then(|v| v.parse::<RawFd>().ok()) {
        // SAFETY: single-threaded start-up; nothing else reads the environment yet.
        unsafe { std::env::remove_var(INHERITED_LISTENER) };
        // SAFETY: the previous server image passed this descriptor down for exactly this.
        let listener = unsafe { UnixListener::from_raw_fd(fd) };
        set_cloexec(fd, true);
        return Ok(listener);
    }
    let unavailable =
        |reason: Problem| MossError::usage(reason.after(&format!("cannot serve on {}", socket.display())));
    if UnixStream::connect(socket).is_ok() {
        return Err(unavailable(Problem::hinted(
            "a server is already running there",
            "stop it with `moss serve --stop FILE.py`, or just use it: `moss exec` finds it",
        )));
    }
    if let Some(folder) = socket.parent() {
        std::fs::create_dir_all(folder).map_err(|e| unavailable(e.to_string().into()))?;
    }
    let _ = std::fs::remove_file(socket);
    let listener = UnixListener::bind(socket).map_err(|e| {
        let reason = Problem::new(e.to_string());
        unavailable(match socket.as_os_str().len() > 100 {
            true => {
                Problem { hint: Some("the path is too long for a socket; set a shorter context-dir".into()), ..reason }
            }
            false => reason,
        })
    })?;
    // Only the user may connect: a run executes with the server's rights.
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| unavailable(e.to_string().into()))?;
    Ok(listener)
}

/// How long `--stop` waits for the server to end: it ends once its runs in flight have.
const STOP_WAIT: Duration = Duration::from_secs(30);

/// Asks the server on `socket` to stop, and waits for it to be gone, so that a new server can
/// take the socket as soon as this returns.
fn stop(socket: &Path, moss_file: &Path) -> Result<u8, MossError> {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        style::note(&format!("no server is running on {}", socket.display()));
        return Ok(0);
    };
    let server = nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials).map(|p| p.pid());
    json_lines::write(&mut stream, &Ask::Stop(moss_file.to_path_buf()))
        .map_err(|e| MossError::usage(format!("cannot reach the server: {e}")))?;
    let unanswered = |reason: String| {
        MossError::usage(Problem::hinted(
            format!("the server on {} did not answer: {reason}", socket.display()),
            "continue it (`kill -CONT`) or end its process to free the socket",
        ))
    };
    // A server still warming up answers once it is warm; a stopped one never does.
    let asked = Instant::now();
    while !warm_protocol::readable_within(&stream, Duration::from_millis(100)) {
        if let Ok(pid) = server
            && warm_protocol::process_state(pid).is_some_and(|state| matches!(state, 'T' | 't'))
        {
            return Err(unanswered(format!("its process {pid} is stopped (SIGSTOP)")));
        }
        if asked.elapsed() >= STOP_WAIT {
            return Err(unanswered(format!("no answer within {} s", STOP_WAIT.as_secs())));
        }
    }
    let _ = stream.set_read_timeout(Some(warm_protocol::ANSWER_WAIT));
    let answer: Answer = json_lines::read(&mut BufReader::new(stream)).map_err(|e| unanswered(e.to_string()))?;
    if let Answer::Refused(reason) = answer {
        return Err(MossError::usage(Problem::hinted(
            format!("the server on {} was left running: {reason}", socket.display()),
            "run `moss serve --stop` with the file it serves",
        )));
    }
    let agreed = Instant::now();
    while server.is_ok_and(|pid| warm_protocol::process_state(pid).is_some_and(|state| !matches!(state, 'Z' | 'X'))) {
        if agreed.elapsed() >= STOP_WAIT {
            return Err(MossError::usage(Problem::hinted(
                format!(
                    "the server on {} is stopping, but a run in flight still keeps it after {} s",
                    socket.display(),
                    STOP_WAIT.as_secs()
                ),
                "it ends, and frees the socket, as soon as that run ends; its client's --timeout bounds it",
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    style::note(&format!("stopped the server on {}", socket.display()));
    Ok(0)
}

/// Replaces this process with a fresh server on the same socket, so that a changed file is
/// imported anew; clients waiting to connect are served by the new one.
fn restart(listener: &UnixListener) -> ! {
    set_cloexec(listener.as_raw_fd(), false);
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe"));
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(INHERITED_LISTENER, listener.as_raw_fd().to_string())
        .exec();
    style::error(&format!("cannot restart the server: {error}"), None);
    std::process::exit(1)
}

fn set_cloexec(fd: RawFd, on: bool) {
    let flags = if on { nix::libc::FD_CLOEXEC } else { 0 };
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe { nix::libc::fcntl(fd, nix::libc::F_SETFD, flags) };
}

/// Ctrl-C and SIGTERM stop the server (Python would only set a flag), but for those the code of
/// a run sends its parent, which go to the run's client, as do the other signals that end a
/// process by default (`warm_signals`). A run gets Python's own handling back from the
/// supervisor, as a cold run has it.
fn take_over_signals() {
    let stop = signal::SigAction::new(
        SigHandler::SigAction(request_stop),
        signal::SaFlags::SA_SIGINFO,
        signal::SigSet::empty(),
    );
    for sig in supervisor::INTERRUPTS {
        // SAFETY: the handler only stores to an atomic.
        let _ = unsafe { signal::sigaction(sig, &stop) };
    }
    crate::run::warm_signals::take_over_ending();
}

/// A file's inode, size and modification time (seconds, nanoseconds): a file made anew at the
/// same path is another.
type Stamp = (u64, u64, i64, i64);

/// Files whose change makes the server restart, with their stamps when it started.
struct Watched {
    files: Vec<(PathBuf, Option<Stamp>)>,
}

impl Watched {
    fn new(files: impl IntoIterator<Item = PathBuf>) -> Watched {
        Watched { files: files.into_iter().map(|f| (f, None)).collect() }
    }

    fn stamp(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|m| (m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
    }

    fn snapshot(&mut self) {
        for (path, stamp) in &mut self.files {
            *stamp = Watched::stamp(path);
        }
    }

    fn changed(&self) -> bool {
        self.files.iter().any(|(path, stamp)| Watched::stamp(path) != *stamp)
    }
}

/// How long a client that connected has to send its ask; the server serves no one meanwhile,
/// so it is short: a client sends its ask as soon as it connects, and one that was too slow
/// finds its connection closed and runs cold.
const ASK_WAIT: Duration = Duration::from_millis(250);

/// Takes a client's ask: stops, refuses, or forks the run and returns it.
fn take(connection: UnixStream, served: &Served, spare: &mut Option<Spare>, refusal: Option<String>) -> Option<Run> {
    let _ = connection.set_read_timeout(Some(ASK_WAIT));
    let _ = connection.set_write_timeout(Some(ASK_WAIT));
    let (ask, fds) = warm_protocol::receive_with_fds(&connection).ok()?;
    let mut reply = &connection;
    let ask = match ask {
        Ask::Stop(moss_file) if !crate::project::context::same_file(&moss_file, &served.moss_file) => {
            let _ =
                json_lines::write(&mut reply, &Answer::Refused(format!("it serves {}", served.moss_file.display())));
            return None;
        }
        Ask::Stop(_) => {
            STOP.store(true, Ordering::SeqCst);
            let _ = json_lines::write(&mut reply, &Answer::Stopping);
            return None;
        }
        Ask::Exec(ask) => ask,
    };
    let expected = RUN_DESCRIPTORS + usize::from(ask.companion);
    let refusal = refusal
        .or_else(|| refusal_of(&ask, served, &connection))
        .or_else(|| {
            (fds.len() != expected).then(|| format!("the client sent {} descriptors, not {expected}", fds.len()))
        })
        .or_else(|| {
            // A thread the warm-up left (an imported library started it) could hold a lock the
            // run would wait on forever: the client runs cold instead.
            let error = supervisor::single_threaded().err()?;
            style::warning(&format!(
                "not serving a run: {error}; the imports of {} started a thread",
                served.moss_file.display()
            ));
            Some(format!("the server cannot fork safely: {error}"))
        });
    if let Some(reason) = refusal {
        let _ = json_lines::write(&mut reply, &Answer::Refused(reason));
        return None;
    }
    // A client that gave up waiting (the server was stopped or busy) runs cold: its ask, found
    // later, must not run a second time.
    if warm_runs::closed(&connection) {
        return None;
    }
    let ask = Ask::Exec(ask);
    // A spare that died since it was forked is replaced once.
    let mut connection = connection;
    for _ in 0..2 {
        let spare = match spare.take().map_or_else(|| Spare::fork(&served.moss_file), Ok) {
            Ok(spare) => spare,
            Err(e) => {
                let error = ErrorInfo::from_moss_error(&MossError::RunNotStarted(e));
                let _ = json_lines::write(&mut &connection, &Answer::NotStarted(Box::new(error)));
                return None;
            }
        };
        match spare.hand(&ask, &fds, connection) {
            Handed::Run(run) => return Some(run),
            Handed::Refused(reason, connection) => {
                let reason = format!("{} this run's settings ({reason})", crate::run::process_settings::OUT_OF_REACH);
                let _ = json_lines::write(&mut &connection, &Answer::Refused(reason));
                return None;
            }
            Handed::Lost(back) => connection = back,
        }
    }
    let error = ErrorInfo::from_moss_error(&MossError::RunNotStarted(io::Error::other("the forked run died at once")));
    let _ = json_lines::write(&mut &connection, &Answer::NotStarted(Box::new(error)));
    None
}

/// Why this server must not run `ask`, if it must not.
fn refusal_of(ask: &ExecAsk, served: &Served, connection: &UnixStream) -> Option<String> {
    let peer = nix::sys::socket::getsockopt(connection, nix::sys::socket::sockopt::PeerCredentials).ok();
    // SAFETY: getuid cannot fail.
    if peer.is_none_or(|p| p.uid() != unsafe { nix::libc::getuid() }) {
        return Some("the client is another user".into());
    }
    if ask.moss_file != served.moss_file {
        return Some(format!("this server runs {}", served.moss_file.display()));
    }
    if let Some(mismatch) = served.identity.mismatch(&ask.identity) {
        return Some(mismatch);
    }
    if let Some(out_of_reach) = served.settings.out_of_reach(&ask.settings) {
        return Some(out_of_reach);
    }
    // Between a change and the restart that follows, the client runs cold rather than on
    // modules that are out of date.
    if served.watched.changed() {
        return Some("a watched file changed; the server is restarting".into());
    }
    None
}
