//! The last run as a turn prompt and the journal tell it: nothing of a hidden region, nothing the
//! MOSS file did credited to the code, what was not kept named, and blame where it belongs.

mod common;

use common::{Sandbox, assert_exit, stdout};

/// The `# The last run` part of the turn prompt of `file`.
fn last_run(sandbox: &Sandbox, file: &str) -> String {
    let out = sandbox.moss().arg("prompt").arg(file).args(["--task", "Count."]).output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let start = text.find("# The last run\n").unwrap_or_else(|| panic!("no last run in:\n{text}"));
    let end = text.find("# Your task\n").unwrap_or(text.len());
    text[start..end].to_owned()
}

fn journal(sandbox: &Sandbox, stem: &str) -> String {
    String::from_utf8(sandbox.read(&format!(".moss/{stem}.runs.jsonl"))).unwrap()
}

#[test]
fn a_moss_file_that_fails_to_load_in_a_hidden_region_is_the_operators_fault_and_stays_hidden() {
    let sandbox = Sandbox::with(&["journal/hidden_load.py"]);
    sandbox.write("count.py", "def main(moss):\n    moss.count += 2\n    return moss.count\n");
    sandbox.write("flag", "");
    assert_exit(&sandbox.exec("hidden_load.py", "count.py", &[]), 4);
    std::fs::remove_file(sandbox.path("flag")).unwrap();

    let root = sandbox.root().display().to_string();
    let journal = journal(&sandbox, "hidden_load");
    assert!(!journal.contains("hunter2") && !journal.contains(&root), "{journal}");
    let log = stdout(&sandbox.moss().args(["log", "hidden_load.py"]).output().unwrap());
    assert!(!log.contains("hunter2") && !log.contains(&root), "{log}");
    assert!(log.contains("at hidden_load.py:12"), "the place, relative to the MOSS file's folder: {log}");

    let last = last_run(&sandbox, "hidden_load.py");
    assert!(!last.contains("hunter2") && !last.contains("quota") && !last.contains(&root), "{last}");
    assert!(last.contains("Your code did not run: the MOSS file failed to load"), "{last}");
    assert!(last.contains("not your code's fault") && last.contains("operator must fix the MOSS file"), "{last}");
    assert!(!last.contains("Your code:") && !last.contains("It failed, so"), "{last}");
}

#[test]
fn an_error_raised_through_a_hidden_line_points_at_the_codes_line_and_quotes_nothing_hidden() {
    let sandbox = Sandbox::with(&["journal/hidden_raise.py"]);
    sandbox.write("code.py", "def main(moss):\n    check(moss.count)\n");
    assert_exit(&sandbox.exec("hidden_raise.py", "code.py", &[]), 1);
    let journal = journal(&sandbox, "hidden_raise");
    assert!(!journal.contains("hunter2") && !journal.contains(&sandbox.root().display().to_string()), "{journal}");
    let last = last_run(&sandbox, "hidden_raise.py");
    assert!(last.contains("It failed, so nothing it set on `moss` was kept."), "{last}");
    assert!(last.contains("ValueError: over the limit") && !last.contains("hunter2"), "{last}");
    assert!(last.contains("It was raised at line 2 of your code: `check(moss.count)`"), "{last}");
}

#[test]
fn what_changed_is_what_the_code_changed_not_what_hidden_defaults_and_hooks_set() {
    let sandbox = Sandbox::with(&["journal/hidden_state.py"]);
    sandbox.write("count.py", "def main(moss):\n    moss.count += 1\n    return moss.count\n");
    let (out, result) = sandbox.exec_json("hidden_state.py", "count.py", &[]);
    assert_exit(&out, 0);
    let diff = &result["context"]["diff"];
    assert_eq!(
        diff,
        &serde_json::json!({"added": {}, "changed": {"count": {"before": "0", "after": "1"}}, "removed": {}})
    );
    assert!(!journal(&sandbox, "hidden_state").contains("SECRET"), "the journal holds the hook's value");
    let last = last_run(&sandbox, "hidden_state.py");
    assert!(last.contains("- moss.count changed from 0 to 1"), "{last}");
    assert!(!last.contains("sk-secret") && !last.contains("SECRET") && !last.contains("api_key"), "{last}");
    assert!(!last.contains("vault_handle"), "a warning about what the file set is not the model's: {last}");
    assert!(result["warnings"].to_string().contains("moss.vault_handle"), "the operator is still warned: {result}");
}

#[test]
fn values_that_were_not_kept_are_journaled_and_named_to_the_model_with_a_class_the_reply_defined() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    n: int = 0\n");
    let code = "from dataclasses import dataclass\n\n\n@dataclass\nclass Note:\n    text: str\n\n\ndef f():\n    pass\n\n\n\
                def main(moss):\n    moss.note = Note('hi')\n    moss.fn = f\n    moss.n = 1\n";
    sandbox.write("code.py", code);
    let (out, result) = sandbox.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(sandbox.properties("agent"), serde_json::json!({"n": 1}), "the rest is kept");
    let warnings = result["warnings"].to_string();
    assert!(warnings.contains("moss.note is a Note, a class the code itself defines"), "{warnings}");
    let journal = journal(&sandbox, "agent");
    assert!(journal.contains("\"warnings\":[") && journal.contains("moss.fn was not saved"), "{journal}");
    let last = last_run(&sandbox, "agent.py");
    let listed = last.find("Warnings (what was not kept, and why):").unwrap_or_else(|| panic!("{last}"));
    assert!(last[listed..].contains("- moss.note is a Note, a class the code itself defines"), "{last}");
    assert!(last[listed..].contains("- moss.fn holds a builtins.function"), "{last}");
}

#[test]
fn what_changed_shows_python_reprs_not_the_stored_encoding() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    n: int = 0\n");
    sandbox.write(
        "code.py",
        "import datetime\n\n\ndef main(moss):\n    moss.when = datetime.date(2026, 3, 1)\n    moss.tags = {'a'}\n",
    );
    assert_exit(&sandbox.exec("agent.py", "code.py", &[]), 0);
    let last = last_run(&sandbox, "agent.py");
    assert!(last.contains("- moss.when set to datetime.date(2026, 3, 1)\n- moss.tags set to {'a'}"), "{last}");
    assert!(!last.contains("$moss"), "{last}");
}

#[test]
fn a_run_refused_for_its_command_line_is_not_the_codes_fault() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    n: int = 0\n");
    sandbox.write("code.py", "def main(moss):\n    moss.n = 1\n");
    assert_exit(&sandbox.exec("agent.py", "code.py", &["--device-trace", "trace.jsonl"]), 2);
    let last = last_run(&sandbox, "agent.py");
    assert!(last.contains("Your code did not run: moss was started with a wrong command line"), "{last}");
    assert!(last.contains("the operator must fix the command line"), "{last}");
}

#[test]
fn what_the_code_does_to_a_hidden_attribute_is_not_told() {
    let sandbox = Sandbox::with(&["journal/hidden_state.py"]);
    let code = "def main(moss):\n    moss.api_key = 'mine'\n    moss.session_token = 'also mine'\n    moss.count = 7\n";
    sandbox.write("code.py", code);
    let (out, result) = sandbox.exec_json("hidden_state.py", "code.py", &[]);
    assert_exit(&out, 0);
    let diff = &result["context"]["diff"];
    assert_eq!(
        diff,
        &serde_json::json!({"added": {}, "changed": {"count": {"before": "0", "after": "7"}}, "removed": {}})
    );
    let last = last_run(&sandbox, "hidden_state.py");
    assert!(
        !last.contains("sk-secret") && !last.contains("SECRET") && last.contains("- moss.count changed from 0 to 7"),
        "{last}"
    );
}

/// A helper indented with a space then a tab: CPython reads it (a tab moves to the next multiple
/// of 8), the binary's parser does not, so the hidden attribute cannot be told from the syntax
/// tree; what the code does to it is still not told.
#[test]
fn what_the_code_does_to_a_hidden_attribute_is_not_told_when_the_binarys_parser_cannot_read_the_file() {
    let sandbox = Sandbox::new();
    let moss_file = "from ghostos_moss import Moss as Parent\n\n\ndef helper():\n \treturn 1\n\n\n\
                     class Moss(Parent):\n    count: int = 0\n    # <moss-hide>\n    api_key: str = \"sk-secret-default\"\n    # </moss-hide>\n";
    sandbox.write("agent.py", moss_file);
    sandbox.write(
        "code.py",
        "def main(moss):\n    moss.count += helper()\n    moss.api_key = moss.api_key + '-changed'\n",
    );
    let (out, result) = sandbox.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(
        result["context"]["diff"],
        serde_json::json!({"added": {}, "changed": {"count": {"before": "0", "after": "1"}}, "removed": {}})
    );
    let log = stdout(&sandbox.moss().args(["log", "agent.py"]).output().unwrap());
    assert!(log.contains("~count: 0 → 1") && !log.contains("sk-secret"), "{log}");
    let last = last_run(&sandbox, "agent.py");
    assert!(last.contains("- moss.count changed from 0 to 1") && !last.contains("sk-secret"), "{last}");
}

/// Python binds identifiers NFKC-normalised: `ﬁeld` (with the ligature) written in a hidden
/// region is the attribute `field` the code changes, and is not told either.
#[test]
fn a_hidden_attribute_spelt_with_a_compatibility_character_is_not_told() {
    let sandbox = Sandbox::new();
    let moss_file = "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    count: int = 0\n    \
                     # <moss-hide>\n    \u{fb01}eld: str = \"sk-secret-default\"\n    # </moss-hide>\n";
    sandbox.write("agent.py", moss_file);
    sandbox.write("code.py", "def main(moss):\n    moss.count += 1\n    moss.field = moss.field + '-changed'\n");
    assert_exit(&sandbox.exec("agent.py", "code.py", &[]), 0);
    let (out, result) = sandbox.exec_json("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    let diff = &result["context"]["diff"];
    assert_eq!(
        diff,
        &serde_json::json!({"added": {}, "changed": {"count": {"before": "1", "after": "2"}}, "removed": {}})
    );
    let last = last_run(&sandbox, "agent.py");
    assert!(!last.contains("sk-secret"), "{last}");
}

/// A run refused before any reply was read (a `--code` file that is not there) or whose reply was
/// an error of the model's API has no code, and is not the model's to mend: the next turn does
/// not ask it to answer with code, nor quote the operator's error.
#[test]
fn a_run_with_no_code_for_the_operators_reason_is_not_told_as_the_models_missing_code() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    assert_exit(&sandbox.exec("agent.py", "reply-not-written.md", &[]), 2);
    let last = last_run(&sandbox, "agent.py");
    assert!(last.contains("Your code did not run: moss was started with a wrong command line"), "{last}");
    assert!(!last.contains("Answer with code this time") && !last.contains("reply-not-written"), "{last}");

    sandbox.write("reply.json", r#"{"error": {"message": "Rate limit reached", "type": "requests"}}"#);
    assert_exit(&sandbox.exec("agent.py", "reply.json", &[]), 5);
    let last = last_run(&sandbox, "agent.py");
    assert!(
        last.contains("Your code did not run: the model's API answered with an error instead of a reply"),
        "{last}"
    );
    assert!(last.contains("not your code's fault") && !last.contains("Answer with code this time"), "{last}");
}

/// Output the journal cut, cut again for the turn prompt, says how much of it is missing in all,
/// not only what the second cut took.
#[test]
fn output_cut_for_the_journal_and_again_for_the_turn_prompt_counts_every_byte_missing() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    sandbox.write("loud.py", "def main(moss):\n    print('x' * 59999)\n");
    assert_exit(&sandbox.exec("agent.py", "loud.py", &[]), 0);
    let last = last_run(&sandbox, "agent.py");
    assert!(last.contains("\n[… 58500 bytes cut …]\n"), "60000 bytes printed, 1500 shown: {last}");
}
