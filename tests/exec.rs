//! `moss exec`: running generated code in a MOSS file, what it prints, what it returns, and how
//! each kind of failure is reported (exit code, JSON error, plain-mode diagnostics).

mod common;

use common::*;
use serde_json::json;

const AGENT: &str = "exec/agent.py";

fn sandbox(code: &str) -> Sandbox {
    Sandbox::with(&[AGENT, &format!("exec/code/{code}")])
}

// ---------------------------------------------------------------- success, plain mode

#[test]
fn plain_mode_streams_output_then_prints_the_return_value_as_json() {
    let sb = sandbox("count.py");
    let out = sb.exec("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "loading the code\ncount is now 1\n{\"count\":1,\"double\":2}\n");
    assert_eq!(stderr(&out), "", "nothing to say on stderr for a clean run");
}

#[test]
fn a_none_return_value_prints_nothing() {
    let sb = sandbox("returns_none.py");
    let out = sb.exec("agent.py", "returns_none.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "side effect only\n");
}

#[test]
fn a_value_without_json_form_is_printed_as_its_repr() {
    let sb = sandbox("returns_opaque.py");
    let out = sb.exec("agent.py", "returns_opaque.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "<Opaque 7>\n");

    let (out, result) = sb.exec_json("agent.py", "returns_opaque.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(null));
    assert_eq!(result["returns_repr"], "<Opaque 7>");
}

#[test]
fn a_returned_dataclass_is_printed_as_its_fields() {
    let sb = sandbox("returns_dataclass.py");
    let out = sb.exec("agent.py", "returns_dataclass.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "{\"x\":3,\"y\":4}\n");

    let (_, result) = sb.exec_json("agent.py", "returns_dataclass.py", &[]);
    assert_eq!(result["returns"], json!({"x": 3, "y": 4}));
    assert_eq!(result["returns_repr"], "Point(x=3, y=4)");
}

#[test]
fn the_code_runs_in_a_module_named_after_the_moss_file() {
    let sb = sandbox("module_name.py");
    let (out, result) = sb.exec_json("agent.py", "module_name.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(["agent", "agent", "Moss"]));
}

// ---------------------------------------------------------------- success, --json

#[test]
fn json_mode_reports_result_output_and_context_in_one_object() {
    let sb = sandbox("count.py");
    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["ok"], true);
    assert_eq!(result["error"], json!(null));
    assert_eq!(result["returns"], json!({"count": 1, "double": 2}));
    assert_eq!(result["returns_repr"], "{'count': 1, 'double': 2}");
    assert_eq!(result["stdout"], "loading the code\ncount is now 1\n");
    assert_eq!(result["stderr"], "");
    assert_eq!(result["context"]["saved"], true);
    let reported = result["context"]["path"].as_str().expect("a context path");
    assert_eq!(
        std::fs::canonicalize(reported).unwrap(),
        std::fs::canonicalize(sb.context_path("agent")).unwrap(),
        "the reported context path is the default one"
    );
    assert!(result["duration_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(result["warnings"], json!([]));
}

#[test]
fn code_read_from_stdin_is_named_stdin_in_errors() {
    let sb = Sandbox::with(&[AGENT]);
    let code = "def main(moss):\n    moss.count += 1\n    return moss.count\n";
    let out = sb.moss().args(["exec", "agent.py", "--code", "-"]).write_stdin(code).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "1\n");
    assert_eq!(sb.context("agent")["last_code"]["file"], "<stdin>");

    let failing = "def main(moss):\n    x = 1\n    raise KeyError('gone')\n";
    let out = sb.moss().args(["exec", "agent.py", "--code", "-", "--json"]).write_stdin(failing).output().unwrap();
    assert_exit(&out, 1);
    let result = parse_result(&out);
    assert_eq!(result["error"]["file"], "<stdin>");
    assert_eq!(result["error"]["line"], 3);
    assert!(result["error"]["traceback"].as_str().unwrap().contains("<stdin>"), "{result}");
}

// ---------------------------------------------------------------- targets and arguments

#[test]
fn target_names_another_function_that_receives_moss() {
    let sb = sandbox("targets.py");
    let (out, result) = sb.exec_json("agent.py", "targets.py", &["--target", "plan"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "planned");
    assert_eq!(sb.properties("agent")["count"], 10, "plan() got the real moss");
    assert_eq!(sb.context("agent")["last_code"]["target"], "plan");
}

#[test]
fn a_target_without_parameters_is_called_without_arguments() {
    let sb = sandbox("targets.py");
    let (out, result) = sb.exec_json("agent.py", "targets.py", &["--target", "no_params"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "called without moss");
}

#[test]
fn a_target_that_is_not_callable_is_returned_as_it_is() {
    let sb = sandbox("targets.py");
    let out = sb.exec("agent.py", "targets.py", &["--target", "answer"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "{\"value\":42}\n");
}

#[test]
fn arg_passes_module_locals_in_order() {
    let sb = sandbox("targets.py");
    let (out, result) = sb.exec_json("agent.py", "targets.py", &["--target", "add", "--arg", "x", "--arg", "y"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 7);

    // `moss` is a module local too.
    sb.write("use_moss.py", "def show(m, n):\n    return [type(m).__name__, type(n).__name__]\n");
    let (out, result) =
        sb.exec_json("agent.py", "use_moss.py", &["--target", "show", "--arg", "moss", "--arg", "moss"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(["Moss", "Moss"]));
}

#[test]
fn a_missing_target_exits_3_before_the_code_runs() {
    let sb = sandbox("no_main.py");
    let (out, result) = sb.exec_json("agent.py", "no_main.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");
    assert_eq!(error_message(&result), "the code defines no `main` (it defines: helper)", "{result}");
    assert_eq!(result["stdout"], "", "nothing ran: {result}");

    let out = sb.exec("agent.py", "no_main.py", &["--target", "launch"]);
    assert_exit(&out, 3);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("error:") && stderr(&out).contains("launch"), "{}", stderr(&out));
}

#[test]
fn a_target_missing_after_code_that_may_bind_it_exits_3_and_keeps_the_output() {
    let sb = sandbox("no_main.py");
    sb.write("dynamic.py", "print(\"the code ran\")\nglobals()[\"helper\"] = print\n");
    let (out, result) = sb.exec_json("agent.py", "dynamic.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");
    assert!(error_message(&result).contains("`main`"), "the message names the target: {result}");
    assert_eq!(result["stdout"], "the code ran\n");
}

#[test]
fn a_target_that_cannot_take_the_arguments_exits_3() {
    let sb = sandbox("two_params.py");
    let (out, result) = sb.exec_json("agent.py", "two_params.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");

    let sb = sandbox("targets.py");
    let (out, result) = sb.exec_json("agent.py", "targets.py", &["--target", "add", "--arg", "x", "--arg", "nowhere"]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");
    assert!(error_message(&result).contains("nowhere"), "{result}");

    let (out, result) = sb.exec_json("agent.py", "targets.py", &["--target", "answer", "--arg", "x"]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");
}

// ---------------------------------------------------------------- the code raises

#[test]
fn an_exception_exits_1_with_type_message_location_and_prior_output() {
    let sb = sandbox("raises.py");
    let (out, result) = sb.exec_json("agent.py", "raises.py", &[]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "exception");
    let error = &result["error"];
    assert_eq!(error["type"], "ZeroDivisionError");
    assert_eq!(error["message"], "division by zero");
    assert_eq!(error["file"], "raises.py");
    assert_eq!(error["line"], line_of("exec/code/raises.py", "/ 0"));
    assert!(error["hint"].is_string(), "an exception comes with a hint: {result}");
    assert_eq!(result["stdout"], "top level ran\nabout to fail\n");
    assert_eq!(result["stderr"], "a note on stderr\n");
    let traceback = error["traceback"].as_str().unwrap();
    assert!(traceback.contains("raises.py\", line"), "{traceback}");
    assert!(traceback.contains("ZeroDivisionError"), "{traceback}");
}

#[test]
fn plain_mode_reports_an_exception_on_stderr_with_location_traceback_and_hint() {
    let sb = sandbox("raises.py");
    let out = sb.exec("agent.py", "raises.py", &[]);
    assert_exit(&out, 1);
    assert_eq!(stdout(&out), "top level ran\nabout to fail\n", "stdout holds only the code's own output");
    let err = stderr(&out);
    let line = line_of("exec/code/raises.py", "/ 0");
    assert!(err.contains("a note on stderr\n"), "the code's stderr passes through: {err}");
    assert!(err.lines().any(|l| l.starts_with("error: ") && l.contains("ZeroDivisionError")), "{err}");
    assert!(err.lines().any(|l| l.trim_start().starts_with(&format!("--> raises.py:{line}"))), "{err}");
    assert!(err.contains("Traceback (most recent call last)"), "{err}");
    assert!(err.lines().any(|l| l.starts_with("hint: ")), "{err}");
}

#[test]
fn the_traceback_shows_user_frames_and_none_of_moss_own() {
    let sb = sandbox("raises_in_moss_file.py");
    let (out, result) = sb.exec_json("agent.py", "raises_in_moss_file.py", &[]);
    assert_exit(&out, 1);
    let error = &result["error"];
    assert_eq!(error["type"], "ValueError");
    assert_eq!(error["message"], "-1 is not positive");
    assert_eq!(error["file"], "raises_in_moss_file.py", "reported at the generated code's line");
    assert_eq!(error["line"], line_of("exec/code/raises_in_moss_file.py", "check_positive(-1)"));
    let traceback = error["traceback"].as_str().unwrap();
    let raise_line = line_of(AGENT, "raise ValueError(");
    assert!(traceback.contains("raises_in_moss_file.py\", line"), "{traceback}");
    assert!(traceback.contains(&format!("agent.py\", line {raise_line}")), "{traceback}");
    assert!(!traceback.contains("<moss>/"), "moss's own frames are trimmed: {traceback}");
    assert!(!traceback.contains("<frozen"), "import machinery frames are trimmed: {traceback}");

    let out = sb.exec("agent.py", "raises_in_moss_file.py", &[]);
    let err = stderr(&out);
    assert!(!err.contains("<moss>/") && !err.contains("<frozen"), "{err}");
}

// ---------------------------------------------------------------- syntax errors, bad code

#[test]
fn a_syntax_error_exits_3_with_line_and_column() {
    let sb = sandbox("syntax_error.py");
    let (out, result) = sb.exec_json("agent.py", "syntax_error.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "syntax");
    let error = &result["error"];
    assert_eq!(error["type"], "SyntaxError");
    assert_eq!(error["file"], "syntax_error.py");
    let line = line_of("exec/code/syntax_error.py", "= = 2");
    assert_eq!(error["line"], line);
    assert!(error["column"].as_u64().is_some_and(|c| c >= 1), "a column is given: {result}");

    let out = sb.exec("agent.py", "syntax_error.py", &[]);
    assert_exit(&out, 3);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("error: ")), "{err}");
    assert!(err.contains(&format!("--> syntax_error.py:{line}:")), "location with a column: {err}");
}

#[test]
fn code_that_is_not_utf8_exits_3() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write("latin1.py", b"def main(moss):\n    return 'caf\xe9'\n");
    let (out, result) = sb.exec_json("agent.py", "latin1.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "syntax");
    assert!(error_message(&result).contains("latin1.py"), "{result}");
}

#[test]
fn code_containing_a_nul_byte_exits_3() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write("nul.py", b"def main(moss):\n    return 1\x00\n");
    let (out, result) = sb.exec_json("agent.py", "nul.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "syntax");
    assert!(error_message(&result).contains("null"), "{result}");
}

#[test]
fn a_missing_code_file_is_a_usage_error() {
    let sb = Sandbox::with(&[AGENT]);
    let (out, result) = sb.exec_json("agent.py", "nowhere.py", &[]);
    assert_exit(&out, 2);
    assert_error_kind(&result, "usage");
    assert!(error_message(&result).contains("nowhere.py"), "{result}");

    let out = sb.exec("agent.py", "nowhere.py", &[]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("nowhere.py"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- crashes and subprocesses

#[test]
fn os_exit_is_a_crash_exiting_1_with_output_kept() {
    let sb = sandbox("crash_exit.py");
    let (out, result) = sb.exec_json("agent.py", "crash_exit.py", &[]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "crash");
    assert_eq!(result["stdout"], "before the exit\n");

    let out = sb.exec("agent.py", "crash_exit.py", &[]);
    assert_exit(&out, 1);
    assert_eq!(stdout(&out), "before the exit\n");
    assert!(stderr(&out).lines().any(|l| l.starts_with("error: ")), "{}", stderr(&out));
}

#[test]
fn a_segfault_is_a_crash_exiting_1_and_moss_still_reports() {
    let sb = sandbox("crash_segfault.py");
    let (out, result) = sb.exec_json("agent.py", "crash_segfault.py", &[]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "crash");
    assert_eq!(result["stdout"], "before the crash\n");
    assert!(error_message(&result).contains("signal"), "the message says it was a signal: {result}");
}

#[test]
fn output_of_subprocesses_is_captured_in_order() {
    let sb = sandbox("subprocesses.py");
    let expected = "python first\nfrom os.system\nfrom subprocess.run\npython last\n";
    let (out, result) = sb.exec_json("agent.py", "subprocesses.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["stdout"], expected);

    let out = sb.exec("agent.py", "subprocesses.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), expected);
}

#[test]
fn subprocess_output_before_a_failure_is_kept() {
    let sb = sandbox("subprocess_then_raise.py");
    let (out, result) = sb.exec_json("agent.py", "subprocess_then_raise.py", &[]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "RuntimeError");
    assert_eq!(result["stdout"], "echoed before the failure\n");
}

#[test]
fn an_exception_whose_str_raises_is_the_codes_error_not_a_bug_in_moss() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write(
        "bad_str.py",
        "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no text')\n\n\
         def main(moss):\n    raise Odd()\n",
    );
    let (out, result) = sb.exec_json("agent.py", "bad_str.py", &[]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "exception");
    assert!(result["error"]["type"].as_str().unwrap().ends_with("Odd"), "{result}");
    assert!(error_message(&result).contains("str() of this Odd raised RuntimeError"), "{result}");
}

#[test]
fn a_stored_value_that_raises_while_read_is_refused_by_name_and_the_rest_saved() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    sb.write(
        "bad_dict.py",
        r#"from dataclasses import dataclass


@dataclass
class Odd:
    a: int = 1

    def __getattribute__(self, name):
        if name == "a":
            raise RuntimeError("no items today")
        return object.__getattribute__(self, name)


class Mute(Exception):
    def __str__(self):
        raise ValueError("not even a message")


@dataclass
class Odder:
    b: int = 2

    def __getattribute__(self, name):
        if name == "b":
            raise Mute()
        return object.__getattribute__(self, name)


def main(moss):
    moss.count = 5
    moss.table = Odd()
    moss.other = Odder()
"#,
    );
    let (out, result) = sb.exec_json("agent.py", "bad_dict.py", &[]);
    // Like any value without an exact JSON form, it is refused by name; the rest is saved.
    assert_exit(&out, 0);
    let warnings = result["warnings"].to_string();
    assert!(warnings.contains("moss.table") && warnings.contains("no items today"), "{result}");
    let properties = sb.properties("agent");
    assert_eq!(properties["count"], 5, "{properties}");
    assert!(properties.get("table").is_none() && properties.get("other").is_none(), "{properties}");
    assert!(warnings.contains("moss.other could not be read"), "an error without a message is still named: {result}");
    assert_ne!(sb.read(".moss/agent.context.json"), before);
}

// ---------------------------------------------------------------- the MOSS file itself fails

#[test]
fn a_moss_file_that_fails_to_load_exits_4_pointing_at_its_line() {
    let sb = Sandbox::with(&["exec/broken_load.py", "exec/code/announce.py"]);
    let (out, result) = sb.exec_json("broken_load.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "KeyError");
    let line = line_of("exec/broken_load.py", "retry_limit");
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert!(traceback.contains(&format!("broken_load.py\", line {line}")), "{traceback}");
    assert_eq!(result["error"]["line"], line);
    assert_eq!(result["stdout"], "", "no generated code ran");

    let out = sb.exec("broken_load.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("error: ") && l.contains("KeyError")), "{err}");
    assert!(err.contains(&format!("broken_load.py:{line}")), "{err}");
}

#[test]
fn a_moss_file_importing_a_missing_package_exits_4() {
    let sb = Sandbox::with(&["exec/missing_import.py", "exec/code/announce.py"]);
    let (out, result) = sb.exec_json("missing_import.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "ModuleNotFoundError");
    assert!(error_message(&result).contains("no_such_package_for_moss_tests"), "{result}");
    assert_eq!(result["stdout"], "");
}

#[test]
fn a_missing_moss_file_exits_4() {
    let sb = Sandbox::with(&["exec/code/announce.py"]);
    let (out, result) = sb.exec_json("absent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert!(error_message(&result).contains("absent.py"), "{result}");
    assert_eq!(result["stdout"], "");

    let out = sb.exec("absent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert!(stderr(&out).contains("absent.py"), "{}", stderr(&out));
}

#[test]
fn a_directory_as_moss_file_exits_4() {
    let sb = Sandbox::with(&["exec/code/announce.py"]);
    std::fs::create_dir(sb.path("agent.py")).unwrap();
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["stdout"], "");
}

#[test]
fn a_moss_file_of_binary_garbage_exits_4() {
    let sb = Sandbox::with(&["exec/code/announce.py"]);
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    sb.write("agent.py", &garbage);
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["stdout"], "");
    // Valid UTF-8 that is still no Python (a NUL byte) fails the same way.
    sb.write("agent.py", b"from ghostos_moss import Moss\n\x00\n");
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
}

#[test]
fn a_moss_file_that_cannot_be_opened_exits_4() {
    // A symbolic link to itself: unreadable for every user, root included.
    let sb = Sandbox::with(&["exec/code/announce.py"]);
    std::os::unix::fs::symlink("agent.py", sb.path("agent.py")).unwrap();
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert!(error_message(&result).contains("agent.py"), "{result}");
    assert!(result["error"]["hint"].as_str().is_some(), "{result}");
}

#[test]
fn a_moss_file_that_is_not_utf8_exits_4() {
    let sb = Sandbox::with(&["exec/code/announce.py"]);
    sb.write("agent.py", b"# caf\xe9\nfrom ghostos_moss import Moss\n");
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert!(error_message(&result).contains("agent.py"), "{result}");
    assert_eq!(result["stdout"], "");
}

// ---------------------------------------------------------------- one JSON object, always

#[test]
fn json_mode_prints_exactly_one_object_for_every_kind_of_failure() {
    // parse_result fails the test unless stdout is exactly one result object.
    let sb = Sandbox::with(&[
        AGENT,
        "exec/broken_load.py",
        "exec/code/raises.py",
        "exec/code/syntax_error.py",
        "exec/code/no_main.py",
        "exec/code/crash_exit.py",
        "exec/code/announce.py",
    ]);
    let cases = [
        ("agent.py", "raises.py", 1, "exception"),
        ("agent.py", "syntax_error.py", 3, "syntax"),
        ("agent.py", "no_main.py", 3, "target"),
        ("agent.py", "crash_exit.py", 1, "crash"),
        ("broken_load.py", "announce.py", 4, "module"),
        ("agent.py", "missing.py", 2, "usage"),
    ];
    for (moss_file, code, exit, kind) in cases {
        let (out, result) = sb.exec_json(moss_file, code, &[]);
        assert_exit(&out, exit);
        assert_eq!(result["error"]["kind"], kind, "{moss_file} with {code}: {result}");
        assert!(result["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{result}");
    }
}

#[test]
fn a_syntax_error_in_the_moss_file_is_a_module_error_exiting_4() {
    let sb = Sandbox::with(&["exec/syntax_error_in_moss_file.py", "exec/code/announce.py"]);
    let (out, result) = sb.exec_json("syntax_error_in_moss_file.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "SyntaxError");
    assert_eq!(result["error"]["line"], line_of("exec/syntax_error_in_moss_file.py", "= = 3"));
    assert!(result["error"]["file"].as_str().unwrap().ends_with("syntax_error_in_moss_file.py"), "{result}");
    assert_eq!(result["stdout"], "");
}

#[test]
fn a_failing_sibling_import_shows_both_files_and_no_import_machinery() {
    let sb = Sandbox::with(&["exec/imports_failing_sibling.py", "exec/failing_sibling.py", "exec/code/announce.py"]);
    let (out, result) = sb.exec_json("imports_failing_sibling.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "KeyError");
    let traceback = result["error"]["traceback"].as_str().unwrap();
    let import_line = line_of("exec/imports_failing_sibling.py", "import failing_sibling");
    let failing_line = line_of("exec/failing_sibling.py", "os.environ[");
    assert!(traceback.contains(&format!("imports_failing_sibling.py\", line {import_line}")), "{traceback}");
    assert!(traceback.contains(&format!("failing_sibling.py\", line {failing_line}")), "{traceback}");
    assert!(!traceback.contains("<frozen") && !traceback.contains("<moss>/"), "{traceback}");
    assert_eq!(result["error"]["line"], import_line, "reported at the MOSS file's line");
}

// ---------------------------------------------------------------- output details

#[test]
fn the_return_value_starts_on_its_own_line() {
    let sb = sandbox("no_trailing_newline.py");
    let out = sb.exec("agent.py", "no_trailing_newline.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "progress: 100%\n[1,2]\n");
    let (_, result) = sb.exec_json("agent.py", "no_trailing_newline.py", &[]);
    assert_eq!(result["stdout"], "progress: 100%", "the captured output is exactly what the code wrote");
    assert_eq!(result["returns"], json!([1, 2]));
}

#[test]
fn large_and_non_utf8_output_is_captured_whole_within_max_output() {
    let sb = sandbox("big_output.py");
    // 2 MB of output: over the default cap of 1 MiB, within the one given here.
    let (out, result) = sb.exec_json("agent.py", "big_output.py", &["--max-output", "4M"]);
    assert_exit(&out, 0);
    let captured = result["stdout"].as_str().unwrap();
    assert_eq!(captured.lines().filter(|l| l.len() == 99 && l.bytes().all(|b| b == b'x')).count(), 20000);
    assert!(captured.ends_with(" end\n") && captured.contains("raw byte "), "the last line arrives");
    assert_eq!(result["returns"], "done");

    let out = sb.exec("agent.py", "big_output.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout.len(), 20000 * 100 + b"raw byte \xff end\n".len() + "\"done\"\n".len());
    assert!(out.stdout.ends_with(b"raw byte \xff end\n\"done\"\n"), "plain mode passes bytes through unchanged");
}

// ---------------------------------------------------------------- how source text is compiled

#[test]
fn source_text_means_what_it_says_whatever_encoding_it_declares() {
    // Text read as UTF-8 is compiled as text: a PEP 263 line is a comment, as under `compile()`,
    // not an order to decode the text's bytes again (which would turn "é" into "Ã©").
    let sb = Sandbox::new();
    sb.write("agent.py", "# -*- coding: latin-1 -*-\nNAME = \"é\"\n");
    sb.write("code.py", "# vim: set fileencoding=latin-1 :\ndef main(moss):\n    return [NAME, \"ü\"]\n");
    let (out, result) = sb.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(["é", "ü"]));

    sb.write("bom.py", "\u{feff}def main(moss):\n    return \"ß\"\n");
    let (out, result) = sb.exec_json("agent.py", "bom.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!("ß"));
}

#[test]
fn a_warning_of_the_compiler_is_shown_once_when_the_source_does_not_compile() {
    // The compiler warns as it parses; a syntax error further down must not make moss parse (and
    // warn) again, in the code or in the MOSS file.
    let sb = Sandbox::new();
    sb.write("agent.py", "import warnings\nwarnings.simplefilter(\"always\")\n");
    sb.write("code.py", "def main(moss):\n    x = \"\\d\"\n    return 1 +\n");
    let (out, result) = sb.exec_json("agent.py", "code.py", &["--no-context"]);
    assert_exit(&out, 3);
    let printed = result["stderr"].as_str().unwrap_or_default();
    assert_eq!(printed.matches("invalid escape sequence").count(), 1, "{printed}");
    assert!(printed.starts_with("code.py:2: "), "{printed}");

    sb.write("broken.py", "x = \"\\d\"\ny = (\n");
    let out = sb
        .moss()
        .env("PYTHONWARNINGS", "always")
        .args(["exec", "broken.py", "--code", "code.py", "--no-context", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let printed = parse_result(&out)["stderr"].as_str().unwrap_or_default().to_owned();
    assert_eq!(printed.matches("invalid escape sequence").count(), 1, "{printed}");
}

#[test]
fn source_too_deeply_nested_for_the_compiler_is_its_own_error_not_moss_s() {
    let sb = Sandbox::new();
    sb.write("agent.py", "X = 1\n");
    let long_sum = vec!["1"; 20_000].join("+");
    let deep = format!("{}1", "-".repeat(100_000));
    for expression in [&long_sum, &deep] {
        sb.write("code.py", format!("def main(moss):\n    return {expression}\n"));
        let (out, result) = sb.exec_json("agent.py", "code.py", &["--no-context"]);
        assert_exit(&out, 3);
        assert_error_kind(&result, "syntax");
        assert!(error_message(&result).contains("too deeply nested or too complex"), "{result}");

        sb.write("nested.py", format!("X = {expression}\n"));
        let (out, result) = sb.exec_json("nested.py", "code.py", &["--no-context"]);
        assert_exit(&out, 4);
        assert_error_kind(&result, "module");
        assert!(error_message(&result).contains("too deeply nested or too complex"), "{result}");
    }
}

#[test]
fn the_code_sees_moss_s_objects_through_the_collector_in_a_cold_run() {
    // A cold run puts moss's objects in the oldest generation, where `gc.get_referrers()` finds
    // them; a warm server freezes them, out of its sight, so forked runs do not copy their pages.
    let sb = Sandbox::new();
    sb.write("agent.py", "X = 1\n");
    sb.write(
        "code.py",
        "import gc, sys\n\ndef main(moss):\n    return any(r is sys.modules for r in gc.get_referrers(sys))\n",
    );
    let (out, result) = sb.exec_json("agent.py", "code.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(!*WARM));
}

#[test]
fn the_moss_file_and_the_code_run_with_the_garbage_collector_on() {
    // moss loads its own modules with the collector off; whatever the user wrote runs with it on.
    let sb = Sandbox::new();
    sb.write("agent.py", "import gc\nAT_LOAD = gc.isenabled()\n");
    sb.write("code.py", "def main(moss):\n    return [AT_LOAD, gc.isenabled()]\n");
    let (out, result) = sb.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!([true, true]));
}

#[test]
fn an_error_only_the_compiler_finds_is_told_before_a_missing_target() {
    // The reading that refuses code without `main` accepts what only CPython's compiler rejects.
    let sb = Sandbox::with(&[AGENT]);
    sb.write("returns.py", "print(\"never\")\nx = 1\nreturn x\n");
    let (out, result) = sb.exec_json("agent.py", "returns.py", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "syntax");
    assert!(error_message(&result).contains("'return' outside function"), "{result}");
    assert_eq!(result["error"]["line"], 3, "{result}");
    assert_eq!(result["stdout"], "", "{result}");
}
