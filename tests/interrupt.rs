//! Interrupts: Ctrl-C, SIGTERM or SIGHUP to moss during a run reach the code first; a second
//! one, or the code still running a grace period later, kills the run. An interrupted run exits
//! 130 and saves nothing, however moss was started and whatever the code did with the signal.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use nix::sys::signal::{self, SigHandler, Signal};
use nix::unistd::Pid;

const AGENT: &str = "exec/agent.py";
/// Well within the 30 s every waiting fixture would otherwise run.
const PROMPTLY: Duration = Duration::from_secs(5);
/// What moss gives code that ignores the first interrupt, and a margin for a slow machine.
const GRACE: Duration = Duration::from_secs(3);

/// Code that stores a value, says it started (by creating `started`), does `then`, then waits.
fn waiting_code(then: &str) -> String {
    format!(
        "import signal, time\ndef main(moss):\n    moss.count = 99\n    {then}\n    open('started', 'w').close()\n    \
         for _ in range(300):\n        time.sleep(0.1)\n    return 'finished'\n"
    )
}

/// A sandbox whose context exists, with `wait.py` holding `code`; returns it and the context's bytes.
fn prepared(code: &str) -> (Sandbox, Vec<u8>) {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    sb.write("wait.py", code);
    let before = sb.read(".moss/agent.context.json");
    (sb, before)
}

/// Starts `moss exec agent.py --code wait.py EXTRA` and waits until the code has started.
fn start(sb: &Sandbox, extra: &[&str], sigint_ignored: bool) -> Child {
    let mut command = sb.moss_process();
    command.args(["exec", "agent.py", "--code", "wait.py"]).args(extra).stdout(Stdio::piped()).stderr(Stdio::piped());
    if sigint_ignored {
        // As a background job of a non-interactive shell, or under nohup, starts it.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                signal::signal(Signal::SIGINT, SigHandler::SigIgn).map(|_| ()).map_err(std::io::Error::other)
            });
        }
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while !sb.exists("started") {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("moss ended before the code started: {status}\n{}", stderr(&child.wait_with_output().unwrap()));
        }
        assert!(started.elapsed() < RUN_LIMIT, "the code never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn send(child: &Child, sig: Signal) {
    signal::kill(Pid::from_raw(child.id() as i32), sig).unwrap();
}

/// Waits for moss, killing it at `limit` so that a hang fails the test instead of holding it up.
fn finish(mut child: Child, limit: Duration) -> (std::process::Output, Duration) {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    let _ = child.kill();
    (child.wait_with_output().unwrap(), elapsed)
}

#[track_caller]
fn assert_interrupted(out: &std::process::Output, elapsed: Duration, limit: Duration) -> serde_json::Value {
    assert!(elapsed < limit, "took {elapsed:?}");
    assert_exit(out, 130);
    let result = parse_result(out);
    assert_error_kind(&result, "interrupted");
    result
}

#[test]
fn ctrl_c_interrupts_a_run_when_moss_was_started_with_sigint_ignored() {
    let (sb, before) = prepared(&waiting_code("pass"));
    let child = start(&sb, &["--json"], true);
    send(&child, Signal::SIGINT);
    let (out, elapsed) = finish(child, RUN_LIMIT);
    let result = assert_interrupted(&out, elapsed, PROMPTLY);
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert!(traceback.contains("KeyboardInterrupt"), "the code saw KeyboardInterrupt: {result}");
    assert!(error_message(&result).contains("SIGINT"), "{result}");
    assert_eq!(sb.read(".moss/agent.context.json"), before, "an interrupted run saves nothing");
}

#[test]
fn code_that_catches_the_interrupt_and_returns_still_saves_nothing() {
    let code = "import time\ndef main(moss):\n    open('started', 'w').close()\n    try:\n        time.sleep(30)\n    \
                except KeyboardInterrupt:\n        moss.count = 99\n        return 'caught it'\n";
    let (sb, before) = prepared(code);
    let child = start(&sb, &["--json"], false);
    send(&child, Signal::SIGINT);
    let (out, elapsed) = finish(child, RUN_LIMIT);
    assert_interrupted(&out, elapsed, PROMPTLY);
    assert_eq!(sb.read(".moss/agent.context.json"), before, "an interrupted run saves nothing");
}

#[test]
fn a_second_signal_kills_code_that_ignores_interrupts() {
    let ignore = "signal.signal(signal.SIGINT, signal.SIG_IGN); signal.signal(signal.SIGTERM, signal.SIG_IGN)";
    let (sb, before) = prepared(&waiting_code(ignore));
    let child = start(&sb, &["--json"], false);
    send(&child, Signal::SIGTERM);
    std::thread::sleep(Duration::from_millis(200));
    send(&child, Signal::SIGINT);
    let (out, elapsed) = finish(child, RUN_LIMIT);
    let result = assert_interrupted(&out, elapsed, GRACE - Duration::from_millis(500));
    assert!(error_message(&result).contains("SIGTERM"), "the first signal is named: {result}");
    assert_eq!(sb.read(".moss/agent.context.json"), before, "an interrupted run saves nothing");
}

#[test]
fn code_that_ignores_the_interrupt_is_killed_after_a_grace_period() {
    let (sb, before) = prepared(&waiting_code("signal.signal(signal.SIGINT, signal.SIG_IGN)"));
    let child = start(&sb, &["--json"], false);
    send(&child, Signal::SIGINT);
    let (out, elapsed) = finish(child, RUN_LIMIT);
    assert!(elapsed >= GRACE - Duration::from_millis(200), "killed before the grace period ended: {elapsed:?}");
    assert_interrupted(&out, elapsed, GRACE + PROMPTLY);
    assert_eq!(sb.read(".moss/agent.context.json"), before, "an interrupted run saves nothing");
}

#[test]
fn plain_mode_reports_the_interrupt_and_where_the_code_was() {
    let (sb, before) = prepared(&waiting_code("pass"));
    let child = start(&sb, &[], false);
    send(&child, Signal::SIGINT);
    let (out, elapsed) = finish(child, RUN_LIMIT);
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
    assert_exit(&out, 130);
    let err = stderr(&out);
    assert!(err.contains("error: the run was interrupted by SIGINT"), "{err}");
    assert!(err.contains("KeyboardInterrupt"), "{err}");
    assert_eq!(sb.read(".moss/agent.context.json"), before, "an interrupted run saves nothing");
}
