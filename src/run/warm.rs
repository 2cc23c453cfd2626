//! The client side of warm mode: `moss exec` hands its run to the MOSS file's `moss serve`
//! server when one is up, and runs cold when none is.

use std::io::BufReader;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::style;
use crate::device;
use crate::device::DeviceReport;
use crate::error::Problem;
use crate::json_lines;
use crate::project::config::Config;
use crate::run::error_info::ErrorInfo;
use crate::run::request::RunRequest;
use crate::run::supervisor::{ChildRun, Supervision};
use crate::run::warm_protocol::{self, Answer, Ask, ExecAsk, Identity};

/// A server started by `--warm` stops after this long without a run.
const STARTED_IDLE_LIMIT: &str = "900";
/// How long `--warm` waits for a server it started to take connections.
const START_WAIT: Duration = Duration::from_secs(30);

pub struct WarmRun {
    pub run: ChildRun,
    pub device: Option<DeviceReport>,
}

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

/// Runs `request` on the MOSS file's server. `Ok(None)`: no server would run it (none is up, or
/// it refused before running anything), so the caller runs cold. An error after the server took
/// the run is not retried cold: the code may have run.
pub fn exec(
    config: &Config,
    moss_file: &Path,
    request: &RunRequest,
    supervision: &Supervision,
    device: Option<device::Setup>,
    start: bool,
) -> Result<Option<WarmRun>, Failure> {
    let socket = warm_protocol::socket_path(config, moss_file);
    let stream = match UnixStream::connect(&socket) {
        Ok(stream) => stream,
        Err(_) if start => match start_server(moss_file, &socket) {
            Ok(stream) => stream,
            Err(reason) => {
                style::warning(&format!("--warm: {reason}; running cold"));
                return Ok(None);
            }
        },
        Err(_) => return Ok(None),
    };
    let mut request = request.clone();
    let mut environ: serde_json::Map<String, Value> = std::env::vars_os()
        .map(|(k, v)| (k.to_string_lossy().into_owned(), Value::from(v.to_string_lossy().into_owned())))
        .collect();
    // What the sandbox sets in a cold child's environment must reach the warm run's too.
    if let Some(policy) = &supervision.sandbox {
        for name in crate::run::sandbox::TMPDIR_VARIABLES {
            environ.insert(name.to_owned(), Value::from(policy.tmpdir.to_string_lossy().into_owned()));
        }
    }
    request.environ = Some(environ);
    let ask = Ask::Exec(Box::new(ExecAsk {
        identity: Identity::of_this_process(),
        moss_file: moss_file.to_path_buf(),
        // A folder that is gone cannot be entered by the server; a cold run needs none.
        cwd: match std::env::current_dir() {
            Ok(cwd) => cwd,
            Err(_) => return Ok(None),
        },
        request,
        supervision: supervision.clone(),
        device,
    }));
    if warm_protocol::send_with_stdio(&stream, &ask).is_err() {
        // Nothing was taken: a server that died after accepting cannot have run the code.
        return Ok(None);
    }
    let _forwarding = forward_signals_to_server(&stream);
    let answer = json_lines::read::<Answer>(&mut BufReader::new(&stream));
    SERVER.store(-1, Ordering::SeqCst);
    match answer {
        Ok(Answer::Ran { run, device }) => Ok(Some(WarmRun { run: (*run).into_run(), device })),
        Ok(Answer::NotStarted(error)) => Err(Failure::NotStarted(error)),
        Ok(Answer::Refused(reason)) if start && reason.starts_with(warm_protocol::OTHER_PYTHON) => {
            style::warning(&format!("--warm: {reason}; running cold"));
            Ok(None)
        }
        Ok(Answer::Refused(_) | Answer::Stopping) => Ok(None),
        Err(e) => Err(Failure::Lost(Problem::hinted(
            format!("the warm server at {} failed during the run: {e}", socket.display()),
            "run again with --cold, or restart the server (`moss serve --stop`)",
        ))),
    }
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
    while started.elapsed() < START_WAIT {
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

/// The connection to the server during a run, for the signal handler; -1 when there is none.
static SERVER: AtomicI32 = AtomicI32::new(-1);

extern "C" fn forward(sig: nix::libc::c_int) {
    crate::run::supervisor::note_interrupt(sig);
    let fd = SERVER.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write is async-signal-safe; the byte outlives the call.
        unsafe { nix::libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
}

/// Ctrl-C and termination requests reach the run through the server, as they reach a cold run,
/// while the returned guard lives.
fn forward_signals_to_server(stream: &UnixStream) -> crate::run::supervisor::Dispositions {
    SERVER.store(stream.as_raw_fd(), Ordering::SeqCst);
    crate::run::supervisor::Dispositions::handled_by(forward)
}
