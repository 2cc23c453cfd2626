//! `moss serve`: a warm server for one MOSS file.
//!
//! The server starts the interpreter once and imports what the MOSS file imports, then waits on
//! a Unix socket beside the file's contexts. For each `moss exec` that connects, it forks a
//! handler, which runs the code exactly as a cold run would (a supervised child of its own, the
//! MOSS file compiled afresh, the client's folder, environment, stdout and stderr) and answers
//! with what the child produced. The client keeps the context: loading, locking and saving it
//! are the same either way. The server itself never runs user code, never starts a thread (it
//! forks), and restarts itself when the MOSS file, its configuration, a project module it
//! imported, or the moss binary changes.

use std::io::Read;
use std::io::{self, BufReader};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{self, SigHandler, Signal};
use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use pyo3::prelude::*;

use crate::cli::ServeArgs;
use crate::cli::style;
use crate::device::{self, DeviceReport};
use crate::embed::interpreter;
use crate::error::{MossError, Problem};
use crate::json_lines;
use crate::project::config::Config;
use crate::project::moss_file;
use crate::run::child_report::ExecOutcome;
use crate::run::error_info::ErrorInfo;
use crate::run::host;
use crate::run::request::RunRequest;
use crate::run::supervisor::{self, ChildRun};
use crate::run::warm_protocol::{Answer, Ask, ExecAsk, Identity, WireRun, socket_path};

/// A restarted server finds its listening socket under this descriptor number.
const INHERITED_LISTENER: &str = "MOSS_SERVE_LISTENER";
/// How often the server looks for changed files, a removed socket and the idle limit.
const TICK: Duration = Duration::from_millis(250);

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: nix::libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// The served MOSS file and what the server knows of it.
struct Served {
    moss_file: PathBuf,
    identity: Identity,
    watched: Watched,
}

pub fn run(args: &ServeArgs) -> Result<u8, MossError> {
    let (path, source) = moss_file::read(&args.file)?;
    let config = Config::for_moss_file(&path)?;
    let socket = socket_path(&config, &path);
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

    let served = Served { moss_file: path.clone(), identity: Identity::of_this_process(), watched };
    take_over_signals();
    style::note(&format!(
        "serving {} on {} (warm in {:.0} ms); stop with Ctrl-C or `moss serve --stop {}`",
        path.display(),
        socket.display(),
        started.elapsed().as_secs_f64() * 1000.0,
        args.file.display()
    ));
    let idle_limit = args.idle_timeout.map(Duration::from_secs_f64);
    let mut last_used = Instant::now();
    loop {
        reap_handlers();
        if STOP.load(Ordering::SeqCst) || inode_now() != Some(socket_inode) {
            break;
        }
        if idle_limit.is_some_and(|limit| last_used.elapsed() >= limit) {
            break;
        }
        // A server restarted while its environment is being made anew would choose another Python,
        // which no client that chose this one could use: it waits for the environment.
        if served.watched.changed()
            && crate::embed::relaunch::chosen().0.is_ok_and(|chosen| chosen.environment_present())
        {
            restart(&listener);
        }
        if !readable(&listener, TICK) {
            continue;
        }
        let Ok((connection, _)) = listener.accept() else { continue };
        last_used = Instant::now();
        if let Err(e) = supervisor::single_threaded() {
            // A thread the warm-up left (an imported library started it) could hold a lock the
            // run would wait on forever: the client runs cold instead.
            style::warning(&format!("not serving a run: {e}; the imports of {} started a thread", path.display()));
            let _ =
                json_lines::write(&mut { connection }, &Answer::Refused(format!("the server cannot fork safely: {e}")));
            continue;
        }
        match fork_with_python() {
            Ok(ForkResult::Child) => {
                drop(listener);
                handle(connection, &served)
            }
            Ok(ForkResult::Parent { .. }) => drop(connection),
            Err(e) => style::warning(&format!("cannot fork a handler: {e}")),
        }
    }
    if inode_now() == Some(socket_inode) {
        let _ = std::fs::remove_file(&socket);
    }
    Ok(0)
}

/// Starts the interpreter and imports what the MOSS file imports; then the files whose change
/// makes the server restart: the MOSS file, its configuration, the project modules it imported,
/// the Python environment and the moss binary.
fn warm_up(path: &Path, source: String, config: &Config) -> Result<Watched, MossError> {
    interpreter::start(path).map_err(|problem| {
        let hint = problem.hint.unwrap_or_else(|| "`moss exec` shows the same error cold".into());
        MossError::usage(Problem { hint: Some(hint), ..problem })
    })?;
    let request = serde_json::to_value(RunRequest::new(path, &source, config)).expect("a request serialises");
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

/// Forks a handler, with the interpreter's own locks taken around the fork as `os.fork` takes
/// them: the run the handler forks in turn re-initialises them (`PyOS_AfterFork_Child`).
fn fork_with_python() -> nix::Result<ForkResult> {
    // SAFETY: this thread holds the GIL (the server never releases it), and it is the only thread.
    unsafe { pyo3::ffi::PyOS_BeforeFork() };
    // SAFETY: the server has one thread; the handler only runs Rust until it forks the run.
    let forked = unsafe { fork() };
    if !matches!(forked, Ok(ForkResult::Child)) {
        // SAFETY: pairs with PyOS_BeforeFork above, in the process that called it.
        unsafe { pyo3::ffi::PyOS_AfterFork_Parent() };
    }
    forked
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

fn stop(socket: &Path, moss_file: &Path) -> Result<u8, MossError> {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        style::note(&format!("no server is running on {}", socket.display()));
        return Ok(0);
    };
    json_lines::write(&mut stream, &Ask::Stop(moss_file.to_path_buf()))
        .map_err(|e| MossError::usage(format!("cannot reach the server: {e}")))?;
    let answer: Answer = json_lines::read(&mut BufReader::new(stream))
        .map_err(|e| MossError::usage(format!("the server did not answer: {e}")))?;
    if let Answer::Refused(reason) = answer {
        return Err(MossError::usage(Problem::hinted(
            format!("the server on {} was left running: {reason}", socket.display()),
            "run `moss serve --stop` with the file it serves",
        )));
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

fn readable(listener: &UnixListener, timeout: Duration) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    let timeout = PollTimeout::try_from(timeout.as_millis() as i32).unwrap_or(PollTimeout::MAX);
    matches!(poll(&mut fds, timeout), Ok(n) if n > 0)
}

fn reap_handlers() {
    while let Ok(status) = waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
        if status == nix::sys::wait::WaitStatus::StillAlive {
            break;
        }
    }
}

/// Ctrl-C and SIGTERM stop the server (Python would only set a flag). A run gets Python's own
/// handling back from the supervisor, as a cold run has it.
fn take_over_signals() {
    let stop =
        signal::SigAction::new(SigHandler::Handler(request_stop), signal::SaFlags::empty(), signal::SigSet::empty());
    for sig in supervisor::INTERRUPTS {
        // SAFETY: the handler only stores to an atomic.
        let _ = unsafe { signal::sigaction(sig, &stop) };
    }
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

/// Serves one connection, in a process forked for it.
fn handle(connection: UnixStream, served: &Served) -> ! {
    let code = match serve_connection(connection, served) {
        Ok(()) => 0,
        Err(_) => 1,
    };
    // SAFETY: _exit skips the interpreter's teardown, which belongs to the server.
    unsafe { nix::libc::_exit(code) }
}

fn serve_connection(connection: UnixStream, served: &Served) -> io::Result<()> {
    let (ask, fds) = receive_with_fds(&connection)?;
    let mut reply = connection.try_clone()?;
    let ask = match ask {
        Ask::Stop(moss_file) if !crate::project::context::same_file(&moss_file, &served.moss_file) => {
            return json_lines::write(
                &mut reply,
                &Answer::Refused(format!("it serves {}", served.moss_file.display())),
            );
        }
        Ask::Stop(_) => {
            let _ = nix::sys::signal::kill(nix::unistd::getppid(), Signal::SIGTERM);
            return json_lines::write(&mut reply, &Answer::Stopping);
        }
        Ask::Exec(ask) => ask,
    };
    if let Some(reason) = refusal(&ask, served, &connection) {
        return json_lines::write(&mut reply, &Answer::Refused(reason));
    }
    let [out, err]: [OwnedFd; 2] =
        fds.try_into().map_err(|_| io::Error::other("the client sent no stdout and stderr"))?;
    let answer = match run_here(*ask, served, out, err, connection) {
        Ok((run, device)) => Answer::Ran { run: Box::new(WireRun::from_run(run)), device },
        Err(error) => Answer::NotStarted(Box::new(ErrorInfo::from_moss_error(&error))),
    };
    json_lines::write(&mut reply, &answer)
}

/// Runs the asked code as the client's cold run would, in its folder and with its stdout and
/// stderr; fails as that run would when it cannot start.
fn run_here(
    ask: ExecAsk,
    served: &Served,
    out: OwnedFd,
    err: OwnedFd,
    connection: UnixStream,
) -> Result<(ChildRun, Option<DeviceReport>), MossError> {
    std::env::set_current_dir(&ask.cwd).map_err(MossError::RunNotStarted)?;
    nix::unistd::dup2_stdout(&out)
        .and_then(|_| nix::unistd::dup2_stderr(&err))
        .map_err(|e| MossError::RunNotStarted(e.into()))?;
    drop((out, err));
    let (companion, device_report) =
        ask.device.map(device::Setup::start).transpose().map_err(MossError::Device)?.unzip();
    let watcher: supervisor::Watcher = Box::new(move |child| relay_signals(connection, child));
    let job = host::job::<ExecOutcome>(&served.moss_file, &ask.request);
    let run =
        supervisor::run_watched(&ask.supervision, companion, Some(watcher), job).map_err(MossError::RunNotStarted)?;
    Ok((run, device_report.and_then(|r| r.try_recv().ok())))
}

/// Why this server must not run `ask`, if it must not.
fn refusal(ask: &ExecAsk, served: &Served, connection: &UnixStream) -> Option<String> {
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
    // Between a change and the restart that follows, the client runs cold rather than on
    // modules that are out of date.
    if served.watched.changed() {
        return Some("a watched file changed; the server is restarting".into());
    }
    None
}

/// Passes the client's signals (one byte each) on as interrupts of the run, as a cold run's
/// parent does with its own; the client gone (the connection closed) ends the run, as the death
/// of a cold run's parent does.
fn relay_signals(connection: UnixStream, child: Pid) {
    let mut connection = connection;
    let mut byte = [0u8; 1];
    loop {
        match connection.read(&mut byte) {
            Ok(1) => supervisor::interrupt(i32::from(byte[0])),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            _ => {
                let _ = signal::killpg(child, Signal::SIGKILL);
                return;
            }
        }
    }
}

/// The client's first message and the descriptors sent with it (its stdout and stderr).
fn receive_with_fds(connection: &UnixStream) -> io::Result<(Ask, Vec<OwnedFd>)> {
    let mut first = vec![0u8; 64 * 1024];
    let mut space = nix::cmsg_space!([RawFd; 2]);
    let (read, fds) = {
        let mut iov = [io::IoSliceMut::new(&mut first)];
        let message = recvmsg::<()>(connection.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC)?;
        let mut fds = Vec::new();
        for cmsg in message.cmsgs()? {
            if let ControlMessageOwned::ScmRights(received) = cmsg {
                // SAFETY: the kernel just created these descriptors for this process.
                fds.extend(received.into_iter().map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }));
            }
        }
        (message.bytes, fds)
    };
    first.truncate(read);
    let mut reader = BufReader::new(io::Cursor::new(first).chain(connection.try_clone()?));
    let ask = json_lines::read(&mut reader)?;
    Ok((ask, fds))
}
