//! What a warm client and its server say to each other over the server's Unix socket: one JSON
//! line each way (`json_lines`), the first with the client's stdout and stderr attached. Both sides use these
//! types, so neither imports the other.

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::Signal;
use nix::sys::socket::MsgFlags;
use serde::{Deserialize, Serialize};

use crate::device::{self, DeviceReport};
use crate::json_lines;
use crate::project::config::Config;
use crate::run::error_info::ErrorInfo;
use crate::run::request::RunRequest;
use crate::run::supervisor::{ChildRun, Ending, Supervision};

/// The socket of `moss_file`'s server: `<stem>.serve.sock` in the folder of its contexts.
pub fn socket_path(config: &Config, moss_file: &Path) -> PathBuf {
    let stem = moss_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "moss".into());
    config.contexts_folder(moss_file).join(format!("{stem}.serve.sock"))
}

/// What must be equal in client and server for a warm run to be the run a cold one would be:
/// the same moss binary, the same Python (chosen for the same environment), and the same
/// variables that decide what the interpreter imports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    binary: (String, u64, i64, i64),
    python: Result<String, String>,
    environment: Vec<(String, Option<String>)>,
}

/// How a refusal for another Python begins: the client says why it runs cold.
pub const OTHER_PYTHON: &str = "the server runs Python";

impl Identity {
    /// Why a server with this identity must not run a client's code, if it must not.
    pub fn mismatch(&self, client: &Identity) -> Option<String> {
        if client.python != self.python {
            let (server, client) = (self.python_text(), client.python_text());
            return Some(format!("{OTHER_PYTHON} {server}, and this run chose {client}"));
        }
        (client != self).then(|| "the server runs another moss binary or Python environment".into())
    }

    /// The Python it chose, or why it has none.
    fn python_text(&self) -> &str {
        match &self.python {
            Ok(text) | Err(text) => text,
        }
    }

    pub fn of_this_process() -> Identity {
        let exe = std::env::current_exe().unwrap_or_default();
        let meta = std::fs::metadata(&exe).ok();
        let binary = (
            exe.display().to_string(),
            meta.as_ref().map_or(0, |m| m.len()),
            meta.as_ref().map_or(0, |m| m.mtime()),
            meta.as_ref().map_or(0, |m| m.mtime_nsec()),
        );
        let environment =
            ["VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONUSERBASE"]
                .into_iter()
                .map(|name| (name.to_owned(), std::env::var(name).ok()))
                .collect();
        let python =
            crate::embed::relaunch::chosen().0.map(|chosen| chosen.describe()).map_err(|problem| problem.message);
        Identity { binary, python, environment }
    }
}

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
    pub cwd: PathBuf,
    /// The `run_exec` request, with the client's environment in `environ`.
    pub request: RunRequest,
    pub supervision: Supervision,
    pub device: Option<device::Setup>,
}

#[derive(Serialize, Deserialize)]
pub enum Answer {
    /// Not this server's to run: the client runs it cold.
    Refused(String),
    Ran {
        run: Box<WireRun>,
        device: Option<DeviceReport>,
    },
    /// The run could not start (an unwritable device trace, no process to fork): the error a
    /// cold run would have given, so that warm and cold exit alike.
    NotStarted(Box<ErrorInfo>),
    Stopping,
}

/// A `ChildRun` on the wire.
#[derive(Serialize, Deserialize)]
pub struct WireRun {
    exited: Option<i32>,
    signal: Option<i32>,
    report: Option<String>,
    stdout: String,
    stderr: String,
    duration: Duration,
    #[serde(default)]
    left_running: Vec<String>,
}

impl WireRun {
    pub fn from_run(run: ChildRun) -> WireRun {
        let (exited, signal) = match run.ending {
            Ending::Exited(code) => (Some(code), None),
            Ending::Signaled(signal) => (None, Some(signal as i32)),
            Ending::TimedOut => (None, None),
        };
        let text = |bytes: Vec<u8>| {
            String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        };
        WireRun {
            exited,
            signal,
            report: run.report.map(text),
            stdout: text(run.stdout),
            stderr: text(run.stderr),
            duration: run.duration,
            left_running: run.left_running,
        }
    }

    pub fn into_run(self) -> ChildRun {
        let ending = match (self.exited, self.signal.and_then(|s| Signal::try_from(s).ok())) {
            (Some(code), _) => Ending::Exited(code),
            (None, Some(signal)) => Ending::Signaled(signal),
            (None, None) => Ending::TimedOut,
        };
        ChildRun {
            ending,
            report: self.report.map(String::into_bytes),
            stdout: self.stdout.into_bytes(),
            stderr: self.stderr.into_bytes(),
            duration: self.duration,
            left_running: self.left_running,
        }
    }
}

/// Sends the first message with this process's stdout and stderr attached.
pub fn send_with_stdio(stream: &UnixStream, ask: &Ask) -> io::Result<()> {
    use nix::sys::socket::{ControlMessage, sendmsg};
    let line = json_lines::encode(ask)?;
    let fds = [1, 2];
    let control = [ControlMessage::ScmRights(&fds)];
    let sent = sendmsg::<()>(stream.as_raw_fd(), &[io::IoSlice::new(&line)], &control, MsgFlags::empty(), None)?;
    (&*stream).write_all(&line[sent..])
}
