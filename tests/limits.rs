//! `--max-memory` and `--max-output`: the generated code cannot take the host's memory.

mod common;

use common::{Sandbox, assert_exit};

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    sandbox.write("hog.py", "def main(moss):\n    data = bytearray(800 * 1024 * 1024)\n    return len(data)\n");
    sandbox.write("chatty.py", "def main(moss):\n    for i in range(100000):\n        print('line', i)\n");
    sandbox
}

#[test]
fn allocating_beyond_max_memory_raises_memory_error_in_the_code() {
    let sandbox = sandbox();
    let (out, result) = sandbox.exec_json("agent.py", "hog.py", &["--no-context", "--max-memory", "300M"]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "MemoryError", "{result}");
    // The same code succeeds without the limit, so the limit is what stopped it.
    let (out, result) = sandbox.exec_json("agent.py", "hog.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 800 * 1024 * 1024);
}

#[test]
fn output_beyond_max_output_keeps_head_and_tail_with_a_marker() {
    let sandbox = sandbox();
    let (out, result) = sandbox.exec_json("agent.py", "chatty.py", &["--no-context", "--max-output", "16K"]);
    assert_exit(&out, 0);
    let stdout = result["stdout"].as_str().unwrap();
    assert!(stdout.len() < 17 * 1024, "{} bytes kept", stdout.len());
    assert!(stdout.starts_with("line 0\nline 1\n"));
    assert!(stdout.ends_with("line 99999\n"));
    assert!(stdout.contains("bytes of output dropped here"));
}

#[test]
fn output_is_capped_at_one_mebibyte_by_default() {
    let sandbox = sandbox();
    sandbox.write("flood.py", "def main(moss):\n    print('x' * (3 * 1024 * 1024))\n");
    let (out, result) = sandbox.exec_json("agent.py", "flood.py", &["--no-context"]);
    assert_exit(&out, 0);
    let kept = result["stdout"].as_str().unwrap().len();
    assert!((1024 * 1024..1024 * 1024 + 200).contains(&kept), "{kept} bytes kept");
}

#[test]
fn a_size_that_is_not_one_is_a_usage_error() {
    let sandbox = sandbox();
    for bad in ["lots", "0", "12Q", "99999999999G"] {
        let out = sandbox.exec("agent.py", "hog.py", &["--max-memory", bad]);
        assert_exit(&out, 2);
    }
}

#[test]
fn allow_import_blocks_other_imports_even_of_modules_already_loaded() {
    let sandbox = sandbox();
    sandbox.write("imports.py", "import json\ndef main(moss):\n    import abc\n    return json.dumps(abc.__name__)\n");
    // Without the rule the code runs, so the rule is what stops it.
    let (out, _) = sandbox.exec_json("agent.py", "imports.py", &["--no-context"]);
    assert_exit(&out, 0);
    let (out, result) = sandbox.exec_json("agent.py", "imports.py", &["--no-context", "--allow-import", "json"]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "ImportError");
    assert!(
        result["error"]["message"].as_str().unwrap().contains("'abc' is not allowed here; the code may import: json")
    );
    assert_eq!(result["error"]["line"], 3);
    let (out, result) = sandbox.exec_json("agent.py", "imports.py", &["--no-context", "--allow-import", "json,abc"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "\"abc\"");
}

#[test]
fn the_prompt_states_the_import_rule() {
    let sandbox = sandbox();
    let out = sandbox.moss().args(["prompt", "agent.py", "--allow-import", "math,json"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("# Your code may import only: json, math.\n"));
}

#[test]
fn unbounded_recursion_is_a_reported_recursion_error_not_a_crash() {
    let sandbox = sandbox();
    sandbox.write("deep.py", "def main(moss):\n    return main(moss)\n");
    let (out, result) = sandbox.exec_json("agent.py", "deep.py", &["--no-context"]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "RecursionError");
    assert_eq!(result["error"]["line"], 2);
    assert!(result["error"]["traceback"].as_str().unwrap().len() < 20_000, "repeated frames are folded");
}

#[test]
fn a_huge_code_file_runs() {
    let sandbox = sandbox();
    let mut code: String = (0..100_000).map(|i| format!("value_{i} = {i}\n")).collect();
    code.push_str("def main(moss):\n    return value_99999\n");
    sandbox.write("huge.py", code);
    let (out, result) = sandbox.exec_json("agent.py", "huge.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 99_999);
}

/// A limit too small for Python itself to start is the command line's fault: a usage error that
/// says so, told to the next turn as not the code's, rather than a crash of the model's code.
#[test]
fn a_max_memory_too_small_for_python_to_start_is_a_usage_error_not_a_crash_of_the_code() {
    let sandbox = sandbox();
    sandbox.write("count.py", "def main(moss):\n    return 1\n");
    let (out, result) = sandbox.exec_json("agent.py", "count.py", &["--max-memory", "4M"]);
    assert_exit(&out, 2);
    assert_eq!(result["error"]["kind"], "usage", "{result}");
    let message = result["error"]["message"].as_str().unwrap_or_default();
    assert_eq!(message, "--max-memory 4 MiB is too small for Python to start: none of the code ran", "{result}");
    let turn = sandbox.moss().args(["prompt", "agent.py", "--task", "Count."]).output().unwrap();
    let turn = String::from_utf8_lossy(&turn.stdout).into_owned();
    assert!(turn.contains("Your code did not run: moss was started with a wrong command line"), "{turn}");
}

/// `moss test --json` of `cases`, a MOSS file of the given cases, with `extra` flags.
fn moss_test(cases: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    let sandbox = Sandbox::new();
    let names: Vec<String> =
        cases.lines().filter_map(|l| l.strip_prefix("def ")?.split('(').next()).map(|n| format!("{n:?}")).collect();
    sandbox.write(
        "agent.py",
        format!("from ghostos_moss import Moss\n\n{cases}\n__moss_test_cases__ = [{}]\n", names.join(", ")),
    );
    let out = sandbox.moss().env("CI", "true").args(["test", "agent.py", "--json"]).args(extra).output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&out)));
    (out, report)
}

fn only_case(report: &serde_json::Value) -> &serde_json::Value {
    &report["files"][0]["cases"][0]
}

#[test]
fn moss_test_limits_every_case_to_max_memory() {
    let hog = "def test_hog(moss):\n    data = bytearray(800 * 1024 * 1024)\n    assert len(data)\n";
    let (out, report) = moss_test(hog, &["--max-memory", "500M"]);
    assert_exit(&out, 1);
    assert_eq!(only_case(&report)["error"]["type"], "MemoryError", "{report}");
    let (out, report) = moss_test(hog, &[]);
    assert_exit(&out, 0);
    assert_eq!(only_case(&report)["outcome"], "passed", "{report}");
}

#[test]
fn moss_test_keeps_at_most_max_output_of_each_case() {
    let chatty = "def test_chatty(moss):\n    for i in range(100000):\n        print('line', i)\n";
    let (out, report) = moss_test(chatty, &["--max-output", "16K"]);
    assert_exit(&out, 0);
    let stdout = only_case(&report)["stdout"].as_str().unwrap();
    assert!(stdout.len() < 17 * 1024, "{} bytes kept", stdout.len());
    assert!(stdout.starts_with("line 0\n") && stdout.ends_with("line 99999\n"), "{stdout}");
    assert!(stdout.contains("bytes of output dropped here"));
}

#[test]
fn moss_test_applies_allow_import_to_every_case() {
    let importer = "def test_imports(moss):\n    import abc\n    assert abc.__name__ == 'abc'\n";
    let (out, _) = moss_test(importer, &[]);
    assert_exit(&out, 0);
    let (out, report) = moss_test(importer, &["--allow-import", "json"]);
    assert_exit(&out, 1);
    let error = &only_case(&report)["error"];
    assert_eq!(error["type"], "ImportError", "{report}");
    assert!(error["message"].as_str().unwrap().contains("the code may import: json"), "{report}");
    let (out, _) = moss_test(importer, &["--allow-import", "json,abc"]);
    assert_exit(&out, 0);
}

#[test]
fn moss_prompt_loads_the_moss_file_within_max_memory() {
    let sandbox = sandbox();
    sandbox.write("big.py", "from ghostos_moss import Moss\n\nblob = bytearray(800 * 1024 * 1024)\n");
    let out = sandbox.moss().args(["prompt", "big.py", "--max-memory", "500M"]).output().unwrap();
    assert_exit(&out, 4);
    assert!(common::stderr(&out).contains("MemoryError"), "{}", common::stderr(&out));
    let out = sandbox.moss().args(["prompt", "big.py"]).output().unwrap();
    assert_exit(&out, 0);
}
