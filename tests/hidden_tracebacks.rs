//! Tracebacks never quote a `# <moss-hide>` region of the MOSS file: a frame on a hidden line
//! keeps its file and line number, while its source line and its function's name are replaced.
//! Scripts hand what `moss exec` prints back to the model, which must not read hidden code.

mod common;

use common::*;

const QUOTA: &str = "hidden/quota.py";

/// Text of the fixtures' hidden regions that no traceback may show.
#[track_caller]
fn assert_conceals_hidden_source(text: &str) {
    for hidden in ["hunter2", "ops-pager", "in _check", "SETTINGS[", "TOKEN ="] {
        assert!(!text.contains(hidden), "`{hidden}` is hidden source: {text}");
    }
}

#[test]
fn a_frame_on_a_hidden_line_keeps_its_place_but_not_its_source_or_name() {
    let sb = Sandbox::with(&[QUOTA, "hidden/code/over_quota.py"]);
    let raise_line = line_of(QUOTA, "raise ValueError(");
    let (out, result) = sb.exec_json("quota.py", "over_quota.py", &[]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "exception");
    assert_eq!(result["error"]["message"], "quota exceeded by 40", "the message is runtime output, kept: {result}");
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert_conceals_hidden_source(traceback);
    assert!(traceback.contains(&format!("quota.py\", line {raise_line}, in <hidden>\n    (hidden)\n")), "{traceback}");
    assert!(traceback.contains("in bump\n    moss.count += _check(n)\n"), "visible frames are quoted: {traceback}");
    assert!(traceback.contains("ValueError: quota exceeded by 40"), "{traceback}");

    let out = sb.exec("quota.py", "over_quota.py", &[]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_conceals_hidden_source(&err);
    assert!(err.contains(&format!("line {raise_line}, in <hidden>\n    (hidden)\n")), "{err}");
}

#[test]
fn the_exceptions_of_a_group_conceal_their_hidden_frames_too() {
    if python_version().as_str() < "3.11" {
        return skip("the_exceptions_of_a_group_conceal_their_hidden_frames_too", "ExceptionGroup needs Python 3.11");
    }
    let sb = Sandbox::with(&[QUOTA, "hidden/code/several_over_quota.py"]);
    let (out, result) = sb.exec_json("quota.py", "several_over_quota.py", &[]);
    assert_exit(&out, 1);
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert_conceals_hidden_source(traceback);
    assert!(traceback.contains("quota exceeded by 10") && traceback.contains("quota exceeded by 20"), "{traceback}");
    assert!(traceback.matches("(hidden)").count() >= 3, "the group's frame and each member's: {traceback}");
}

#[test]
fn a_moss_file_failing_on_a_hidden_line_while_it_loads_names_the_line_without_quoting_it() {
    let sb = Sandbox::with(&["hidden/load_fails.py", "hidden/code/over_quota.py"]);
    let line = line_of("hidden/load_fails.py", "SETTINGS[\"limit\"]");
    let (out, result) = sb.exec_json("load_fails.py", "over_quota.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["line"], line, "{result}");
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert_conceals_hidden_source(traceback);
    assert!(traceback.contains(&format!("load_fails.py\", line {line}, in <hidden>\n    (hidden)\n")), "{traceback}");
    let hint = result["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("moss-hide") && hint.contains("open"), "the operator is told where to look: {hint}");

    let out = sb.moss().args(["prompt", "load_fails.py"]).output().unwrap();
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert_conceals_hidden_source(&err);
    assert!(err.contains(&format!("line {line}, in <hidden>\n    (hidden)\n")), "{err}");
}

#[test]
fn a_syntax_error_in_a_hidden_region_names_its_line_but_does_not_quote_it() {
    let sb = Sandbox::with(&["hidden/syntax_error.py", "hidden/code/over_quota.py"]);
    let line = line_of("hidden/syntax_error.py", "TOKEN =");
    let (out, result) = sb.exec_json("syntax_error.py", "over_quota.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "SyntaxError");
    assert_eq!(result["error"]["line"], line, "{result}");
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert_conceals_hidden_source(traceback);
    assert!(traceback.contains(&format!("syntax_error.py\", line {line}\n")), "{traceback}");

    let out = sb.exec("syntax_error.py", "over_quota.py", &[]);
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert_conceals_hidden_source(&err);
    assert!(err.contains(&format!("syntax_error.py:{line}")), "the location is named: {err}");
    assert!(err.lines().any(|l| l.starts_with("hint: ") && l.contains("moss-hide")), "{err}");
}

#[test]
fn a_replayed_run_that_fails_now_reports_without_quoting_hidden_lines() {
    let sb = Sandbox::with(&[QUOTA]);
    sb.write("five.py", "def main(moss):\n    bump(moss, 5)\n");
    assert_exit(&sb.exec("quota.py", "five.py", &[]), 0);
    sb.write("quota.py", fixture_text(QUOTA).replace("if n > 10:", "if n > 1:"));
    let out = sb.moss().env("CI", "true").args(["test", "--replay", "quota.py"]).output().unwrap();
    assert_exit(&out, 1);
    let report = stdout(&out);
    assert!(report.contains("ValueError: quota exceeded by"), "the message is kept: {report}");
    assert_conceals_hidden_source(&report);
    assert!(report.contains(&format!("line {}, in <hidden>\n", line_of(QUOTA, "raise ValueError("))), "{report}");
}

/// CPython ends a line at a lone CR too: the hidden line a frame points at is the one CPython
/// counts, however the file's lines end.
#[test]
fn a_hidden_line_after_lines_ended_by_lone_carriage_returns_is_not_quoted() {
    let sb = Sandbox::new();
    let source = "from ghostos_moss import Moss as Parent\r# a\r# b\r# c\n# <moss-hide>\ndef setup():\n\
                  \x20   return {\"api_key\": \"sk-live-SECRET\"}[\"nokey\"]\n# </moss-hide>\nclass Moss(Parent):\n    pass\n";
    sb.write("agent.py", source);
    sb.write("code.py", "def main(moss):\n    return setup()\n");
    let (out, result) = sb.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 1);
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert!(traceback.contains("agent.py\", line 7, in <hidden>\n    (hidden)\n"), "{traceback}");
    assert!(!traceback.contains("SECRET") && !traceback.contains("setup():"), "{traceback}");
    let log = stdout(&sb.moss().args(["log", "agent.py"]).output().unwrap());
    assert!(log.contains("KeyError") && !log.contains("SECRET"), "{log}");
}

/// A traceback quotes the line CPython numbers: a form feed or a line separator (U+2028) in a
/// string or a comment of the code does not end a line.
#[test]
fn the_codes_line_quoted_is_the_one_cpython_numbers_past_form_feeds_and_line_separators() {
    let sb = Sandbox::with(&["exec/agent.py"]);
    sb.write("code.py", "def main(moss):\n    s = \"page\x0cbreak\"  # a\u{2028}b\n    x = 1\n    return 1 / 0\n");
    let (out, result) = sb.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 1);
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert!(traceback.contains("code.py\", line 4, in main\n    return 1 / 0\n"), "{traceback}");
}

/// Python prints hidden lines itself: under a warning raised on one, and in a traceback the code
/// prints (`traceback.print_exc()`). The JSON result's stderr and the journal the next turn prompt
/// reads show them as moss's own tracebacks do.
#[test]
fn a_warning_or_a_printed_traceback_through_a_hidden_line_does_not_quote_it() {
    let sb = Sandbox::new();
    sb.write(
        "agent.py",
        "from ghostos_moss import Moss\nimport traceback, warnings\n\n# <moss-hide>\ndef _check(x):\n    \
         warnings.warn('check is slow'); token = 'hunter2'\n    return x\n\n\ndef _fail(key='hunter2'):\n    \
         raise ValueError('bad')\n# </moss-hide>\n\n\ndef helper(x):\n    try:\n        _fail()\n    \
         except ValueError:\n        traceback.print_exc()\n    return _check(x)\n",
    );
    sb.write("code.py", "def main(moss):\n    return helper(3)\n");
    let (out, result) = sb.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    let stderr = result["stderr"].as_str().unwrap_or_default();
    assert!(stderr.contains("agent.py\", line 11, in <hidden>\n    (hidden)\nValueError: bad\n"), "{result}");
    assert!(stderr.ends_with("agent.py:6: UserWarning: check is slow\n  (hidden)\n"), "{result}");
    assert_conceals_hidden_source(stderr);
    let journal = String::from_utf8(sb.read(".moss/agent.runs.jsonl")).unwrap();
    assert!(!journal.contains("hunter2") && journal.contains("in <hidden>\\n    (hidden)"), "{journal}");
}
