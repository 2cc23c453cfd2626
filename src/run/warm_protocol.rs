//! What a warm client and its server say to each other over the server's Unix socket: JSON lines
//! (`json_lines`), the client's ask first, with the descriptors of the run's pipes attached. Both
//! sides use these types, so neither imports the other.

use std::io::{self, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::Signal;
use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::error::MossError;
use crate::json_lines;
use crate::project::config::Config;
use crate::run::error_info::ErrorInfo;
use crate::run::process_settings::ProcessSettings;
use crate::run::request::RunRequest;
use crate::run::supervisor::Supervision;

/// The socket of `moss_file`'s server: `<stem>.serve.sock` in the folder of its contexts.
pub fn socket_path(config: &Config, moss_file: &Path) -> Result<PathBuf, MossError> {
    let stem = moss_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "moss".into());
    Ok(config.contexts_folder(moss_file)?.join(format!("{stem}.serve.sock")))
}

/// What must be equal in client and server for a warm run to be the run a cold one would be:
/// the same moss binary, the same Python (chosen for the same environment), and the same
/// variables that the interpreter reads only as it starts (`STARTUP_VARIABLES`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    binary: (String, u64, i64, i64),
    python: Result<String, String>,
    /// Each of `STARTUP_VARIABLES` with its value's bytes, if it is set.
    environment: Vec<(String, Option<Vec<u8>>)>,
}

/// The variables a server's interpreter has already read, whose value a run cannot take on
/// later: which Python and what it imports, the flags and settings CPython 3.10 to 3.13 read
/// at start-up (`PYTHONWARNINGS`, `PYTHONHASHSEED`, `PYTHONIOENCODING`, ...), one asyncio reads as
/// it is imported, and those that decide the locale and with it the encoding of stdio.
const STARTUP_VARIABLES: [&str; 42] = [
    "VIRTUAL_ENV",
    "PYTHONHOME",
    "PYTHONPATH",
    "PYTHONSAFEPATH",
    "PYTHONPLATLIBDIR",
    "PYTHONNOUSERSITE",
    "PYTHONUSERBASE",
    "PYTHONEXECUTABLE",
    "PYTHONOPTIMIZE",
    "PYTHONDEBUG",
    "PYTHONINSPECT",
    "PYTHONUNBUFFERED",
    "PYTHONVERBOSE",
    "PYTHONCASEOK",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
    "PYTHONHASHSEED",
    "PYTHONINTMAXSTRDIGITS",
    "PYTHONIOENCODING",
    "PYTHONWARNINGS",
    "PYTHONFAULTHANDLER",
    "PYTHONTRACEMALLOC",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONASYNCIODEBUG",
    "PYTHONMALLOC",
    "PYTHONMALLOCSTATS",
    "PYTHONCOERCECLOCALE",
    "PYTHONDEVMODE",
    "PYTHONUTF8",
    "PYTHONWARNDEFAULTENCODING",
    "PYTHONNODEBUGRANGES",
    "PYTHONPERFSUPPORT",
    "PYTHON_PERF_JIT_SUPPORT",
    "PYTHON_CPU_COUNT",
    "PYTHON_FROZEN_MODULES",
    "PYTHON_GIL",
    "PYTHONDUMPREFS",
    "PYTHONDUMPREFSFILE",
    "PYTHON_PRESITE",
    "LC_ALL",
    "LC_CTYPE",
    "LANG",
];

/// How a refusal for another Python begins: the client says why it runs cold.
pub const OTHER_PYTHON: &str = "the server runs Python";
/// How a refusal for another value of a start-up variable begins.
pub const OTHER_STARTUP: &str = "the server's interpreter started with another";

/// Whether a refusal is one the client tells of when warm mode was asked for: the server is up
/// and for this file, but this run's Python, start-up variables or process settings differ.
pub fn told_when_warm_is_asked(reason: &str) -> bool {
    [OTHER_PYTHON, OTHER_STARTUP, crate::run::process_settings::OUT_OF_REACH]
        .iter()
        .any(|start| reason.starts_with(start))
}

impl Identity {
    /// Why a server with this identity must not run a client's code, if it must not.
    pub fn mismatch(&self, client: &Identity) -> Option<String> {
        if client.python != self.python {
            let (server, client) = (self.python_text(), client.python_text());
            return Some(format!("{OTHER_PYTHON} {server}, and this run chose {client}"));
        }
        if client.binary != self.binary || client.environment.len() != self.environment.len() {
            return Some("the server runs another moss binary".into());
        }
        let differing: Vec<&str> = (self.environment.iter().zip(&client.environment))
            .filter(|(ours, theirs)| ours != theirs)
            .map(|((name, _), _)| name.as_str())
            .collect();
        (!differing.is_empty())
            .then(|| format!("{OTHER_STARTUP} {}, which Python reads only as it starts", differing.join(", ")))
    }

    /// The Python it chose, or why it has none.
    fn python_text(&self) -> &str {
        match &self.python {
            Ok(text) | Err(text) => text,
        }
    }

    pub fn of_this_process() -> Identity {
        use std::os::unix::ffi::OsStringExt;
        let exe = std::env::current_exe().unwrap_or_default();
        let meta = std::fs::metadata(&exe).ok();
        let binary = (
            exe.display().to_string(),
            meta.as_ref().map_or(0, |m| m.len()),
            meta.as_ref().map_or(0, |m| m.mtime()),
            meta.as_ref().map_or(0, |m| m.mtime_nsec()),
        );
        let environment = STARTUP_VARIABLES
            .into_iter()
            .map(|name| (name.to_owned(), std::env::var_os(name).map(OsStringExt::into_vec)))
            .collect();
        let python =
            crate::embed::relaunch::chosen().0.map(|chosen| chosen.describe()).map_err(|problem| problem.message);
        Identity { binary, python, environment }
    }
}

/// How long a client waits for the server's first answer before it runs without it: a server
/// that is up answers in milliseconds.
pub const ANSWER_WAIT: Duration = Duration::from_secs(3);

/// What a client asks.
#[derive(Serialize, Deserialize)]
pub enum Ask {
    Exec(Box<ExecAsk>),
    /// Stop the server, if it serves this MOSS file.
    Stop(PathBuf),
}

#[derive(Serialize, Deserialize)]
pub struct ExecAsk {
    pub identity: Identity,
    pub moss_file: PathBuf,
    /// The `run_exec` request, with the client's environment in `environ`.
    pub request: RunRequest,
    /// The client's umask, resource limits and priority, which the run takes on.
    pub settings: ProcessSettings,
    pub supervision: Supervision,
    /// Whether a device companion's socket follows the descriptors every run is sent with.
    pub companion: bool,
}

/// What the server says to a client, in this order: `Started`, then `Ended`; or one of the
/// others alone.
#[derive(Serialize, Deserialize)]
pub enum Answer {
    /// Not this server's to run: the client runs it cold.
    Refused(String),
    /// The run was forked, with this process id, which is also its process group's: the client
    /// watches it from here on as a cold run's parent watches its child.
    Started(i32),
    /// The run's process ended (the server reaped it).
    Ended(Ended),
    /// The run could not start (no process to fork): the error a cold run would have given, so
    /// that warm and cold exit alike.
    NotStarted(Box<ErrorInfo>),
    Stopping,
}

/// How the run's process ended, as its parent saw it.
#[derive(Serialize, Deserialize)]
pub enum Ended {
    Exited(i32),
    Signaled(i32),
}

impl Ended {
    /// The end `status` tells of, if it tells of one.
    pub fn of(status: WaitStatus) -> Option<Ended> {
        match status {
            WaitStatus::Exited(_, code) => Some(Ended::Exited(code)),
            WaitStatus::Signaled(_, signal, _) => Some(Ended::Signaled(signal as i32)),
            _ => None,
        }
    }

    /// The status `waitpid` gave the server, as the client's supervisor takes it.
    pub fn status(self, child: Pid) -> io::Result<WaitStatus> {
        Ok(match self {
            Ended::Exited(code) => WaitStatus::Exited(child, code),
            Ended::Signaled(signal) => WaitStatus::Signaled(child, Signal::try_from(signal)?, false),
        })
    }
}

/// The state letter of process `pid` (`/proc/PID/stat`: R, S, T for stopped, Z for ended but
/// not reaped, ...), if there is such a process.
pub fn process_state(pid: i32) -> Option<char> {
    crate::run::proc_stat::state_and_parent(pid).map(|(state, _)| char::from(state))
}

/// Whether `stream` has something to read (or was closed), waiting up to `wait` for it.
pub fn readable_within(stream: &UnixStream, wait: Duration) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
    let timeout = PollTimeout::try_from(wait.as_millis() as i32).unwrap_or(PollTimeout::MAX);
    matches!(poll(&mut fds, timeout), Ok(n) if n > 0)
}

/// The descriptors a client sends with its `Exec` ask, in order: the run's stdout, stderr and
/// report pipes, the client's working folder, and the device companion's socket when it has one.
pub const RUN_DESCRIPTORS: usize = 4;

/// Sends the first message with the descriptors `fds` attached.
pub fn send_with_fds(stream: &UnixStream, ask: &Ask, fds: &[RawFd]) -> io::Result<()> {
    use nix::sys::socket::{ControlMessage, sendmsg};
    let line = json_lines::encode(ask)?;
    let control = [ControlMessage::ScmRights(fds)];
    let sent = sendmsg::<()>(stream.as_raw_fd(), &[io::IoSlice::new(&line)], &control, MsgFlags::empty(), None)?;
    (&*stream).write_all(&line[sent..])
}

/// The client's first message and the descriptors sent with it (`RUN_DESCRIPTORS`).
pub fn receive_with_fds(connection: &UnixStream) -> io::Result<(Ask, Vec<OwnedFd>)> {
    let mut first = vec![0u8; 64 * 1024];
    let mut space = nix::cmsg_space!([RawFd; RUN_DESCRIPTORS + 1]);
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
