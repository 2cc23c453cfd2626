//! What moss says off the happy path: each error names what went wrong and where, and its hint
//! fits the mistake actually made.

mod common;

use common::*;

const AGENT: &str = "exec/agent.py";

#[test]
fn a_missing_arg_local_gets_a_hint_about_arg_not_about_the_target() {
    let sb = Sandbox::with(&[AGENT, "exec/code/targets.py"]);
    let (out, result) = sb.exec_json("agent.py", "targets.py", &["--target", "add", "--arg", "x", "--arg", "nowhere"]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");
    let hint = result["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("--arg"), "the hint speaks of --arg: {result}");
    assert!(!hint.contains("must define the target"), "the target is there; only the local is missing: {result}");
}

#[test]
fn a_missing_target_lists_every_name_the_code_defines() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write("other.py", "import math\nLIMIT = 3\n\n\nclass Plan:\n    pass\n\n\ndef helper():\n    pass\n");
    let (out, result) = sb.exec_json("agent.py", "other.py", &[]);
    assert_exit(&out, 3);
    let message = error_message(&result);
    assert!(message.contains("no `main`"), "{message}");
    for name in ["math", "LIMIT", "Plan", "helper"] {
        assert!(message.contains(name), "the list names {name}: {message}");
    }
}

#[test]
fn empty_code_is_reported_as_no_code_not_as_a_missing_main() {
    let sb = Sandbox::with(&[AGENT]);
    for stdin in ["", "  \n\n\t\n"] {
        let out = sb.moss().args(["exec", "agent.py", "--code", "-", "--json"]).write_stdin(stdin).output().unwrap();
        assert_exit(&out, 3);
        let result = parse_result(&out);
        assert_error_kind(&result, "no-code");
        assert!(error_message(&result).contains("standard input"), "{result}");
        assert!(!error_message(&result).contains("main"), "{result}");
    }
    sb.write("empty.py", "");
    let out = sb.exec("agent.py", "empty.py", &[]);
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("no code in empty.py"), "{}", stderr(&out));
    assert!(!sb.exists(&Sandbox::context_name("agent")), "nothing ran, so nothing was saved");
}

#[test]
fn a_device_trace_in_a_missing_folder_is_a_usage_error_naming_the_path() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    let out = sb.exec("agent.py", "count.py", &["--device", "sim", "--device-trace", "missing/t.jsonl"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("missing/t.jsonl"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("cannot set up the device"), "{}", stderr(&out));
    assert!(!sb.exists(&Sandbox::context_name("agent")), "the run did not start");
}

#[test]
fn an_invalid_moss_lock_wait_is_a_usage_error_as_an_invalid_moss_timeout_is() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    let out =
        sb.moss().args(["exec", "agent.py", "--code", "count.py"]).env("MOSS_LOCK_WAIT", "soon").output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("MOSS_LOCK_WAIT=soon"), "{}", stderr(&out));
    let out =
        sb.moss().args(["context", "set", "agent.py", "count", "3"]).env("MOSS_LOCK_WAIT", "-1").output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("MOSS_LOCK_WAIT=-1"), "{}", stderr(&out));
}

#[test]
fn moss_test_never_suggests_a_target_flag_it_does_not_have() {
    let sb = Sandbox::new();
    sb.write(
        "cases.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\nLIMIT = 3\n\n\ndef test_two(moss, extra):\n    pass\n\n\n\
         __moss_test_cases__ = ['LIMIT', 'test_two', 'test_gone']\n# </moss-hide>\n",
    );
    let out = sb.moss().args(["test", "cases.py"]).output().unwrap();
    assert_exit(&out, 1);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).lines().last(), Some("0 passed, 3 failed"), "{text}");
    assert!(!text.contains("--target"), "moss test has no --target: {text}");
    assert_eq!(text.matches("takes `moss`").count(), 3, "each failed case says what a case must be: {text}");
}

#[test]
fn a_context_that_is_no_regular_file_is_refused_without_touching_anything_beside_it() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    std::fs::create_dir(sb.path("adir")).unwrap();
    let fifo = sb.path("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let devnull = sb.path("null");
    std::os::unix::fs::symlink("/dev/null", &devnull).unwrap();
    for (name, what) in [("adir", "a directory"), ("pipe", "a named pipe"), ("null", "a character device")] {
        let (out, result) = sb.exec_json("agent.py", "count.py", &["--context", name]);
        assert_exit(&out, 4);
        assert_error_kind(&result, "context");
        assert!(error_message(&result).contains(what), "{result}");
        let hint = result["error"]["hint"].as_str().unwrap_or_default();
        assert!(hint.contains("--no-context") && !hint.contains("mv "), "{result}");
        let out = sb.context_cmd("show", &["--context", name]);
        assert_exit(&out, 4);
    }
    let beside: Vec<_> = std::fs::read_dir(sb.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!beside.iter().any(|n| n.to_string_lossy().ends_with(".lock")), "no lock file was made: {beside:?}");
}

#[test]
fn a_malformed_stored_value_is_named_with_the_field_it_lacks() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    assert_exit(&sb.context_cmd("set", &["agent.py", "pos", r#"{"$moss": "tuple"}"#]), 0);
    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    let warnings = result["warnings"].to_string();
    assert!(warnings.contains("moss.pos") && warnings.contains("has no 'items' field"), "{result}");
    assert!(!warnings.contains("KeyError"), "{result}");
    assert_eq!(sb.properties("agent")["pos"], serde_json::json!({"$moss": "tuple"}), "kept as it was");
}

#[test]
fn an_error_kind_moss_does_not_know_is_an_internal_error_naming_it() {
    let sb = Sandbox::new();
    // A MOSS file that makes the host describe every exception with a kind of its own.
    sb.write(
        "odd.py",
        "from ghostos_moss import Moss\nfrom _moss import tracebacks\n\n_describe = tracebacks.describe\n\
         tracebacks.describe = lambda e, kind, anchor, **more: {**_describe(e, kind, anchor, **more), 'kind': 'mystery'}\n",
    );
    sb.write("raise.py", "def main(moss):\n    raise ValueError('boom')\n");
    let (out, result) = sb.exec_json("odd.py", "raise.py", &["--no-context"]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "internal");
    assert!(error_message(&result).contains("mystery"), "the message names the unknown kind: {result}");
}

#[test]
fn a_usage_errors_hint_is_its_own_line_in_plain_text_and_its_own_field_in_json() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    assert_usage_error(
        &sb,
        &[("MOSS_TIMEOUT", "soon")],
        &[],
        "MOSS_TIMEOUT=soon: `soon` is not a number",
        "set it to a number of seconds, such as 30 or 0.5, or unset MOSS_TIMEOUT",
    );
    assert_usage_error(
        &sb,
        &[],
        &["--device-trace", "trace.jsonl"],
        "--device-trace and --device-png need a device",
        "pass --device sim, or set MOSS_DEVICE",
    );
}

/// `moss exec` of count.py with `env` and `args` is refused with exactly `message` and `hint`:
/// as an `error:` and a `hint:` line on stderr, and as the fields of `error` with `--json`.
fn assert_usage_error(sb: &Sandbox, env: &[(&str, &str)], args: &[&str], message: &str, hint: &str) {
    let moss = || {
        let mut command = sb.moss();
        command.env_remove("MOSS_DEVICE").envs(env.iter().copied());
        command.args(["exec", "agent.py", "--code", "count.py"]).args(args);
        command
    };
    let out = moss().output().unwrap();
    assert_exit(&out, 2);
    assert_eq!(stderr(&out), format!("error: {message}\nhint: {hint}\n"));
    let out = moss().arg("--json").output().unwrap();
    assert_exit(&out, 2);
    let result = parse_result(&out);
    assert_error_kind(&result, "usage");
    assert_eq!(result["error"]["message"], message, "the message holds no hint: {result}");
    assert_eq!(result["error"]["hint"], hint, "{result}");
}
