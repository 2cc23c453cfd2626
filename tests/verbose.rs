//! `-v/--verbose`: how a run is set up and where its time goes, told on stderr only.

mod common;

use common::server::{self, Server};
use common::*;

const AGENT: &str = "exec/agent.py";
const COUNT: &str = "exec/code/count.py";

/// The lines --verbose wrote (`moss: ...`), without their prefix.
fn told(out: &std::process::Output) -> Vec<String> {
    stderr(out).lines().filter_map(|line| line.strip_prefix("moss: ")).map(str::to_owned).collect()
}

#[track_caller]
fn assert_told(out: &std::process::Output, expected: &str) {
    let told = told(out);
    assert!(told.iter().any(|line| line.contains(expected)), "no `{expected}` in:\n{}", told.join("\n"));
}

#[test]
fn verbose_exec_tells_configuration_python_context_cold_and_stages_on_stderr_only() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    sb.write("moss.toml", "timeout = 30\n");
    let out = sb.moss().args(["-v", "exec", "agent.py", "--code", "count.py", "--json"]).output().unwrap();
    assert_exit(&out, 0);
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(result["ok"], true);
    assert_told(&out, &format!("configuration: {}", sb.path("moss.toml").display()));
    assert_told(&out, "python: 3.");
    assert_told(&out, "(chosen by ");
    assert_told(&out, &format!("context: {} (not written yet", sb.context_path("agent").display()));
    assert_told(&out, "cold: no warm server answers at ");
    assert_told(&out, ".serve.sock");
    for stage in ["client ready", "interpreter started", "child ended", "context saved", "client done"] {
        assert_told(&out, stage);
    }

    let quiet = sb.moss().args(["exec", "agent.py", "--code", "count.py", "--json"]).output().unwrap();
    assert_exit(&quiet, 0);
    assert!(told(&quiet).is_empty(), "without -v nothing is told: {}", stderr(&quiet));
}

#[test]
fn verbose_tells_when_there_is_no_configuration_or_context_and_why_a_run_is_cold() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let words = ["exec", "agent.py", "--code", "count.py", "--no-context", "--cold", "--verbose"];
    let out = sb.moss().args(words).output().unwrap();
    assert_exit(&out, 0);
    assert_told(&out, "configuration: none");
    assert_told(&out, "context: none (--no-context)");
    assert_told(&out, "cold: --cold");
    assert!(!stdout(&out).contains("moss:"), "{}", stdout(&out));
}

#[test]
fn verbose_exec_on_a_warm_server_names_it() {
    let sb = server::project();
    let server = Server::start(&sb, "agent.py");
    let out = sb.moss().args(["-v", "exec", "agent.py", "--code", "gen.py", "--no-context"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "1\n");
    let socket = server::socket(&sb, "agent.py");
    assert_told(&out, &format!("warm: on the server at {}", socket.display()));
    drop(server);
}

#[test]
fn verbose_prompt_and_test_keep_stdout_and_tell_they_run_cold() {
    let sb = Sandbox::with(&[AGENT]);
    let plain = sb.moss().args(["prompt", "agent.py"]).output().unwrap();
    let verbose = sb.moss().args(["prompt", "agent.py", "-v"]).output().unwrap();
    assert_exit(&verbose, 0);
    assert_eq!(stdout(&verbose), stdout(&plain), "the prompt is the same bytes");
    assert_told(&verbose, "cold: moss prompt runs in a process of its own");
    assert_told(&verbose, "interpreter started");

    sb.write("cases.py", "__moss_test_cases__ = ['case']\n\ndef case(moss):\n    pass\n");
    let out = sb.moss().args(["-v", "test", "cases.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert_told(&out, "cases.py");
    assert_told(&out, "context: none (test cases run without one)");
    assert_told(&out, "cold: moss test runs in a process of its own");
}

#[test]
fn quiet_and_verbose_together_are_a_usage_error() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let out = sb.moss().args(["-q", "-v", "exec", "agent.py", "--code", "count.py"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--verbose"), "{}", stderr(&out));
    assert!(!sb.exists(".moss"), "a usage error runs nothing");
}
