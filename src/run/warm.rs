//! The client side of warm mode: `moss exec` hands its run to the MOSS file's `moss serve`
//! server when one is up, and runs cold when none is.

use std::fs::File;
use std::io::{self, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::unistd::Pid;
use serde_json::Value;

use crate::cli::style;
use crate::error::Problem;
use crate::json_lines;
use crate::project::config::Config;
use crate::run::error_info::ErrorInfo;
use crate::run::process_settings::ProcessSettings;
use crate::run::request::RunRequest;
use crate::run::supervisor::{self, ChildRun, Companion, ReadEnds, Supervision};
use crate::run::warm_protocol::{self, Answer, Ask, ExecAsk, Identity};

/// A server started by `--warm` stops after this long without a run.
const STARTED_IDLE_LIMIT: &str = "900";
/// How long `--warm` waits for a server it started to take connections.
const START_WAIT: Duration = Duration::from_secs(30);

/// Whether to start a server when none is up: `--warm`, or `MOSS_WARM=1`.
pub fn wanted(flag: bool) -> bool {
    flag || std::env::var("MOSS_WARM").is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// Why a warm run gave no result.
pub enum Failure {
    /// The server was lost after it took the run: the code may have run.
    Lost(Problem),
    /// The run could not start, for the reason a cold run would have given.
    NotStarted(Box<ErrorInfo>),
}

/// Runs `request` on the MOSS file's server, and watches the run the server forks for it from
/// here, as a cold run's parent watches its child; the device's companion, if any, is taken
/// and served from here too. `Ok(None)`: no server would run it (none is up, or it refused
/// before running anything), so the caller runs cold. An error after the server took the run
/// is not retried cold: the code may have run.
pub fn exec(
    config: &Config,
    moss_file: &Path,
    request: &RunRequest,
    supervision: &Supervision,
    companion: &mut Option<Companion>,
    start: bool,
) -> Result<Option<ChildRun>, Failure> {
    // Ctrl-C while the server is asked is for the run, which may be starting: it must not end
    // this client without a word.
    let _interrupts = supervisor::take_interrupts();
    // A context-dir that cannot be read names no server; the cold run reports it if it needs it.
    let Ok(socket) = warm_protocol::socket_path(config, moss_file) else {
        style::verbose_line("cold: the context-dir cannot be read, so no warm server can be found");
        return Ok(None);
    };
    let connected = connect(moss_file, &socket, start);
    if let Some(signal) = supervisor::interrupted() {
        return Err(interrupted_before_start(signal));
    }
    let Some((stream, answer_wait)) = connected else {
        style::verbose_line(&format!("cold: no warm server answers at {}", socket.display()));
        return Ok(None);
    };
    let ask = Ask::Exec(Box::new(ExecAsk {
        identity: Identity::of_this_process(),
        moss_file: moss_file.to_path_buf(),
        request: with_environment(request, supervision),
        settings: ProcessSettings::of_this_process(),
        supervision: supervision.clone(),
        companion: companion.is_some(),
    }));
    // The run enters this folder: a folder that is gone cannot be entered; a cold run needs none.
    let Ok(folder) = File::open(".") else { return Ok(None) };
    let Ok((reading, writing)) = supervisor::pipes() else { return Ok(None) };
    let mut fds =
        vec![writing.out.as_raw_fd(), writing.err.as_raw_fd(), writing.report.as_raw_fd(), folder.as_raw_fd()];
    fds.extend(companion.as_ref().map(|c| c.child_end.as_raw_fd()));
    let started = Instant::now();
    if warm_protocol::send_with_fds(&stream, &ask, &fds).is_err() {
        // Nothing was taken: a server that died after accepting cannot have run the code.
        return Ok(None);
    }
    // The server holds its own copies now: the run's end closes the last writer of each pipe.
    drop((writing, folder));
    let mut answers = BufReader::new(stream);
    let first = first_answer(&mut answers, answer_wait);
    if let Some(signal) = supervisor::interrupted()
        && !matches!(first, Ok(Answer::Started(_)))
    {
        // The server drops the ask of a client that is gone: the code never runs.
        return Err(interrupted_before_start(signal));
    }
    let Some(child) = started_run(first, &socket, answer_wait, start)? else { return Ok(None) };
    watch(answers, child, &socket, supervision, started, reading, companion).map(Some)
}

/// The run the server's first answer tells of: its process, or None when the server would not
/// run it and the caller runs cold (saying why when that is for the user to know).
fn started_run(
    first: io::Result<Answer>,
    socket: &Path,
    answer_wait: Duration,
    start: bool,
) -> Result<Option<Pid>, Failure> {
    Ok(Some(match first {
        Ok(Answer::Started(pid)) => {
            style::verbose_line(&format!("warm: on the server at {} (run process {pid})", socket.display()));
            Pid::from_raw(pid)
        }
        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
            let waited = answer_wait.as_secs();
            style::warning(&format!(
                "the server at {} did not answer within {waited} s; running cold",
                socket.display()
            ));
            return Ok(None);
        }
        Ok(Answer::NotStarted(error)) => return Err(Failure::NotStarted(error)),
        Ok(Answer::Refused(reason)) if start && warm_protocol::told_when_warm_is_asked(&reason) => {
            style::warning(&format!("--warm: {reason}; running cold"));
            return Ok(None);
        }
        Ok(Answer::Refused(reason)) => {
            style::verbose_line(&format!("cold: the server at {} refused the run: {reason}", socket.display()));
            return Ok(None);
        }
        Ok(Answer::Stopping | Answer::Ended(_)) => {
            style::verbose_line(&format!("cold: the server at {} is stopping", socket.display()));
            return Ok(None);
        }
        Err(e) => return Err(lost(socket, &e)),
    }))
}

/// Watches the run `child` the server started, as a cold run's parent watches its child, until
/// the server tells of its end on `answers`.
fn watch(
    mut answers: BufReader<UnixStream>,
    child: Pid,
    socket: &Path,
    supervision: &Supervision,
    started: Instant,
    reading: ReadEnds,
    companion: &mut Option<Companion>,
) -> Result<ChildRun, Failure> {
    // From here the run's own time limit governs, as a cold run's does.
    let _ = answers.get_ref().set_read_timeout(None);
    // The connection stays open until this process ends: the server forks the process for its
    // next run once this client is done, not while it saves the context.
    if let Ok(kept) = answers.get_ref().try_clone() {
        std::mem::forget(kept);
    }
    let serve = companion.take().map(|Companion { child_end, serve }| {
        drop(child_end);
        serve
    });
    // A server lost now leaves the run's output and duration to report (`Ending::Lost`).
    let watched_socket = socket.to_path_buf();
    let ended = move || {
        let lost = |e: io::Error| io::Error::other(lost_message(&watched_socket, &e));
        match answer_once_ended(&mut answers, child) {
            Ok(Answer::Ended(ended)) => ended.status(child),
            Ok(_) => Err(lost(io::Error::other("the server answered out of turn"))),
            Err(e) => Err(lost(e)),
        }
    };
    supervisor::watch_child(child, supervision, started, reading, serve, ended).map_err(|e| lost(socket, &e))
}

/// How long a client interrupted while it waits for the server's first answer still waits: a
/// server that is up answers at once, and the run it may have started is then interrupted as a
/// cold run is.
const INTERRUPTED_ANSWER_WAIT: Duration = Duration::from_millis(500);

/// The server's first answer, waited for up to `wait`. A server that was stopped (SIGSTOP) or is
/// stuck must not hold the run forever: the code runs cold, and the server drops the ask if it
/// ever gets to it (the connection is closed by then).
fn first_answer(answers: &mut BufReader<UnixStream>, wait: Duration) -> io::Result<Answer> {
    let asked = Instant::now();
    let mut interrupted_at = None;
    // An interrupt ends the poll at once (EINTR): the interval only bounds how late the waits end.
    while answers.buffer().is_empty() && !warm_protocol::readable_within(answers.get_ref(), Duration::from_millis(50)) {
        if supervisor::interrupted().is_some() {
            interrupted_at.get_or_insert_with(Instant::now);
        }
        if asked.elapsed() >= wait || interrupted_at.is_some_and(|at| at.elapsed() >= INTERRUPTED_ANSWER_WAIT) {
            return Err(io::ErrorKind::TimedOut.into());
        }
    }
    // The answer has begun: the rest of its line follows at once.
    let _ = answers.get_ref().set_read_timeout(Some(wait));
    json_lines::read(answers)
}

fn interrupted_before_start(signal: nix::sys::signal::Signal) -> Failure {
    Failure::NotStarted(Box::new(ErrorInfo::interrupted_before_start(signal)))
}

/// A connection to the MOSS file's server (started here when `start`), and how long to wait for
/// its first answer: a server this client started answers once it is warm, which takes as long
/// as the MOSS file's imports; one already up answers at once. None: run cold.
fn connect(moss_file: &Path, socket: &Path, start: bool) -> Option<(UnixStream, Duration)> {
    match UnixStream::connect(socket) {
        Ok(stream) => Some((stream, warm_protocol::ANSWER_WAIT)),
        Err(_) if start => match start_server(moss_file, socket) {
            Ok(stream) => Some((stream, START_WAIT)),
            Err(reason) => {
                // An interrupt ended the wait, and the caller tells of it.
                if supervisor::interrupted().is_none() {
                    style::warning(&format!("--warm: {reason}; running cold"));
                }
                None
            }
        },
        Err(_) => None,
    }
}

/// The server's next answer: it tells of the run's end as soon as it reaps it. A server that
/// was stopped (SIGSTOP) or is stuck leaves the ended run unreaped; the client then gives up
/// `ANSWER_WAIT` after the end rather than wait for ever.
fn answer_once_ended(answers: &mut BufReader<UnixStream>, child: Pid) -> io::Result<Answer> {
    let mut unreaped_since: Option<Instant> = None;
    while answers.buffer().is_empty() && !warm_protocol::readable_within(answers.get_ref(), Duration::from_millis(100))
    {
        if warm_protocol::process_state(child.as_raw()) != Some('Z') {
            continue;
        }
        let since = *unreaped_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= warm_protocol::ANSWER_WAIT {
            return Err(io::Error::other(format!(
                "the run ended but the server did not reap it within {} s (is it stopped?)",
                warm_protocol::ANSWER_WAIT.as_secs()
            )));
        }
    }
    json_lines::read(answers)
}

/// The request with the client's environment, which the run takes on: each name and value as a
/// string of its bytes, one character per byte (Latin-1), so that a value that is not UTF-8
/// arrives as it is.
fn with_environment(request: &RunRequest, supervision: &Supervision) -> RunRequest {
    use std::os::unix::ffi::OsStrExt;
    let as_bytes = |text: &std::ffi::OsStr| text.as_bytes().iter().map(|&byte| char::from(byte)).collect::<String>();
    let mut request = request.clone();
    let mut environ: serde_json::Map<String, Value> =
        std::env::vars_os().map(|(k, v)| (as_bytes(&k), Value::from(as_bytes(&v)))).collect();
    // What the sandbox sets in a cold child's environment must reach the warm run's too.
    if let Some(policy) = &supervision.sandbox {
        for name in crate::run::sandbox::TMPDIR_VARIABLES {
            environ.insert(name.to_owned(), Value::from(as_bytes(policy.tmpdir.as_os_str())));
        }
    }
    request.environ = Some(environ);
    request
}

/// What to do about a server lost during a run.
pub const LOST_HINT: &str = "run again with --cold, or restart the server (`moss serve --stop`)";

fn lost_message(socket: &Path, error: &io::Error) -> String {
    format!("the warm server at {} failed during the run: {error}", socket.display())
}

fn lost(socket: &Path, error: &io::Error) -> Failure {
    Failure::Lost(Problem::hinted(lost_message(socket, error), LOST_HINT))
}

/// Starts `moss serve` for the file in the background and connects to it once it is warm.
fn start_server(moss_file: &Path, socket: &Path) -> Result<UnixStream, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut server = Command::new(exe);
    server.args(["serve", "--idle-timeout", STARTED_IDLE_LIMIT]).arg(moss_file);
    use std::os::unix::process::CommandExt;
    // A group of its own: Ctrl-C at this terminal is for the run, not for the server.
    server.process_group(0).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = server.spawn().map_err(|e| format!("cannot start a server: {e}"))?;
    let started = Instant::now();
    while started.elapsed() < START_WAIT && supervisor::interrupted().is_none() {
        if let Ok(stream) = UnixStream::connect(socket) {
            return Ok(stream);
        }
        if let Ok(Some(status)) = child.try_wait() {
            // Another client may have started one at the same moment: use it if it is up.
            return UnixStream::connect(socket)
                .map_err(|_| format!("the server exited ({status}); `moss serve {}` says why", moss_file.display()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err(format!("the server did not start within {} s", START_WAIT.as_secs()))
}
