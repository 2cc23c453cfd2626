//! `--timeout`: a run over its time limit is stopped (exit 124) long before the code would have
//! finished, whether it sleeps, spins, or blocks inside C, and the output so far is kept.

mod common;

use std::time::{Duration, Instant};

use common::*;

const AGENT: &str = "exec/agent.py";
/// Every hanging fixture would run for 30 s; a stopped run must end well before that.
const PROMPTLY: Duration = Duration::from_secs(5);

fn timed_json(sb: &Sandbox, code: &str, timeout: &str) -> (std::process::Output, serde_json::Value, Duration) {
    let started = Instant::now();
    let (out, result) = sb.exec_json("agent.py", code, &["--timeout", timeout]);
    (out, result, started.elapsed())
}

#[test]
fn a_sleeping_run_is_stopped_at_the_limit_with_exit_124() {
    let sb = Sandbox::with(&[AGENT, "exec/code/sleep.py"]);
    let (out, result, elapsed) = timed_json(&sb, "sleep.py", "0.5");
    assert_exit(&out, 124);
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
    assert!(elapsed >= Duration::from_millis(450), "stopped before the limit: {elapsed:?}");
    assert_error_kind(&result, "timeout");
    assert_eq!(result["stdout"], "going to sleep\n", "output before the limit is kept");
}

#[test]
fn plain_mode_reports_the_timeout_on_stderr() {
    let sb = Sandbox::with(&[AGENT, "exec/code/sleep.py"]);
    let started = Instant::now();
    let out = sb.exec("agent.py", "sleep.py", &["--timeout", "0.5"]);
    assert!(started.elapsed() < PROMPTLY, "took {:?}", started.elapsed());
    assert_exit(&out, 124);
    assert_eq!(stdout(&out), "going to sleep\n");
    assert!(stderr(&out).lines().any(|l| l.starts_with("error: ")), "{}", stderr(&out));
}

#[test]
fn a_call_blocking_inside_c_is_stopped() {
    let sb = Sandbox::with(&[AGENT, "exec/code/c_block.py"]);
    let (out, result, elapsed) = timed_json(&sb, "c_block.py", "0.5");
    assert_exit(&out, 124);
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
    assert_error_kind(&result, "timeout");
    assert_eq!(result["stdout"], "blocking inside C\n");
}

#[test]
fn a_catastrophic_regular_expression_is_stopped() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write("regex.py", "import re\ndef main(moss):\n    return bool(re.match(r'(a+)+$', 'a' * 64 + 'b'))\n");
    let (out, result, elapsed) = timed_json(&sb, "regex.py", "0.5");
    assert_exit(&out, 124);
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
    assert_error_kind(&result, "timeout");
}

#[test]
fn a_busy_loop_is_stopped() {
    let sb = Sandbox::with(&[AGENT, "exec/code/busy_loop.py"]);
    let (out, result, elapsed) = timed_json(&sb, "busy_loop.py", "0.5");
    assert_exit(&out, 124);
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
    assert_error_kind(&result, "timeout");
}

#[test]
fn a_grandchild_keeping_the_output_open_does_not_hold_up_the_result() {
    let sb = Sandbox::with(&[AGENT, "exec/code/grandchild.py"]);
    let (out, result, elapsed) = timed_json(&sb, "grandchild.py", "0.5");
    assert_exit(&out, 124);
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
    assert_eq!(result["stdout"], "started a grandchild\n");
}

#[test]
fn a_run_within_its_limit_is_not_disturbed() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    let (out, result, _) = timed_json(&sb, "count.py", "10");
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 1);
    assert_eq!(sb.properties("agent")["count"], 1);
}

#[test]
fn the_next_run_after_a_timeout_is_not_blocked() {
    let sb = Sandbox::with(&[AGENT, "exec/code/sleep.py", "exec/code/count.py"]);
    assert_exit(&sb.exec("agent.py", "sleep.py", &["--timeout", "0.5"]), 124);
    let out = sb.moss().env("MOSS_LOCK_WAIT", "0.5").args(["exec", "agent.py", "--code", "count.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).ends_with("{\"count\":1,\"double\":2}\n"), "{}", stdout(&out));
}

#[test]
fn a_timeout_that_is_not_a_positive_number_is_a_usage_error() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    for bad in ["0", "-1", "soon", "nan"] {
        let out = sb.exec("agent.py", "count.py", &["--timeout", bad]);
        assert_exit(&out, 2);
        assert_eq!(stdout(&out), "", "--timeout {bad}");
    }
    assert!(!sb.exists(".moss/agent.context.json"), "no run happened");
}
