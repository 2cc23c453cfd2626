//! `moss context show|get|set|unset|reset|path`: reading and editing a context from the shell,
//! by MOSS file or by --context PATH, and the way `moss exec` sees the edits.

mod common;

use common::*;
use serde_json::{Value, json};

const AGENT: &str = "exec/agent.py";
const COUNT: &str = "exec/code/count.py";

/// A sandbox where agent.py already ran once (count = 1, name = "moss").
fn after_one_run() -> Sandbox {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    sb
}

#[test]
fn path_prints_the_default_context_path() {
    let sb = Sandbox::with(&[AGENT]);
    let out = sb.context_cmd("path", &["agent.py"]);
    assert_exit(&out, 0);
    let printed = stdout(&out);
    assert!(printed.ends_with('\n') && printed.lines().count() == 1, "one line: {printed:?}");
    let printed = std::path::Path::new(printed.trim_end());
    assert!(printed.is_absolute() || printed.starts_with(".moss"), "{}", printed.display());
    assert_eq!(sb.root().join(printed), sb.context_path("agent"));
    assert!(!sb.exists(".moss"), "`path` creates nothing");
}

#[test]
fn path_is_where_exec_saves() {
    let sb = Sandbox::new();
    sb.copy_as(AGENT, "project/agent.py");
    sb.copy_as(COUNT, "project/count.py");
    assert_exit(&sb.exec("project/agent.py", "project/count.py", &[]), 0);
    let out = sb.context_cmd("path", &["project/agent.py"]);
    assert_exit(&out, 0);
    let printed = sb.root().join(stdout(&out).trim_end());
    let saved: Value = serde_json::from_slice(&std::fs::read(&printed).expect("the printed path exists")).unwrap();
    assert_eq!(saved["properties"]["count"], 1);
}

#[test]
fn show_prints_one_name_equals_json_line_per_property() {
    let sb = after_one_run();
    let out = sb.context_cmd("show", &["agent.py"]);
    assert_exit(&out, 0);
    let printed = stdout(&out);
    let mut lines: Vec<&str> = printed.lines().collect();
    lines.sort();
    assert_eq!(lines, ["count = 1", "name = \"moss\""]);
}

#[test]
fn show_json_prints_an_object_of_all_properties() {
    let sb = after_one_run();
    for words in [&["agent.py", "--json"][..], &["--context", ".moss/agent.context.json", "--json"][..]] {
        let out = sb.context_cmd("show", words);
        assert_exit(&out, 0);
        let shown: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        assert_eq!(shown, json!({"count": 1, "name": "moss"}));
    }
}

#[test]
fn show_of_a_context_not_yet_written_is_empty() {
    let sb = Sandbox::with(&[AGENT]);
    let out = sb.context_cmd("show", &["agent.py", "--json"]);
    assert_exit(&out, 0);
    let shown: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(shown, json!({}));
    let out = sb.context_cmd("show", &["agent.py"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");
}

#[test]
fn get_prints_one_json_value() {
    let sb = after_one_run();
    let out = sb.context_cmd("get", &["agent.py", "name"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "\"moss\"\n");
    let out = sb.context_cmd("get", &["--context", ".moss/agent.context.json", "count"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "1\n");
}

#[test]
fn get_of_a_missing_property_exits_1() {
    let sb = after_one_run();
    let out = sb.context_cmd("get", &["agent.py", "colour"]);
    assert_exit(&out, 1);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("colour"), "{}", stderr(&out));
}

#[test]
fn set_stores_a_json_value_that_get_and_exec_see() {
    let sb = after_one_run();
    let out = sb.context_cmd("set", &["agent.py", "count", "41"]);
    assert_exit(&out, 0);
    let out = sb.context_cmd("set", &["agent.py", "tags", r#"["a", {"b": null}]"#]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "count"])), "41\n");
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "tags"])), "[\"a\",{\"b\":null}]\n");

    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 42, "exec starts from the value set");
    assert_eq!(sb.properties("agent")["tags"], json!(["a", {"b": null}]));
}

#[test]
fn set_on_a_fresh_moss_file_creates_a_context_that_exec_accepts() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let out = sb.context_cmd("set", &["agent.py", "count", "9"]);
    assert_exit(&out, 0);
    let context = sb.context("agent");
    assert_eq!(context["format"], "moss-context");
    assert_eq!(context["version"], 1);
    assert_eq!(context["properties"], json!({"count": 9}));
    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 10);
}

#[test]
fn set_with_an_explicit_context_path() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let out = sb.context_cmd("set", &["--context", "state.json", "count", "5"]);
    assert_exit(&out, 0);
    let (out, result) = sb.exec_json("agent.py", "count.py", &["--context", "state.json"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 6);
    assert!(!sb.exists(".moss/agent.context.json"));
}

#[test]
fn set_refuses_invalid_json_with_exit_2_and_changes_nothing() {
    let sb = after_one_run();
    let before = sb.read(".moss/agent.context.json");
    for bad in ["{not json", "hello", ""] {
        let out = sb.context_cmd("set", &["agent.py", "greeting", bad]);
        assert_exit(&out, 2);
        assert_eq!(sb.read(".moss/agent.context.json"), before, "after set {bad:?}");
    }
    // A quoted string is valid JSON.
    assert_exit(&sb.context_cmd("set", &["agent.py", "greeting", "\"hello\""]), 0);
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "greeting"])), "\"hello\"\n");
}

#[test]
fn set_refuses_names_that_are_not_properties_with_exit_2() {
    let sb = after_one_run();
    let before = sb.read(".moss/agent.context.json");
    for bad in ["_x", "__class__", "two words", "1st", "a-b"] {
        let out = sb.context_cmd("set", &["agent.py", bad, "1"]);
        assert_exit(&out, 2);
        assert_eq!(sb.read(".moss/agent.context.json"), before, "after set {bad:?}");
    }
}

#[test]
fn set_with_missing_words_is_a_usage_error() {
    let sb = after_one_run();
    assert_exit(&sb.context_cmd("set", &["agent.py", "count"]), 2);
    assert_exit(&sb.context_cmd("get", &["agent.py"]), 2);
    assert_exit(&sb.context_cmd("show", &[]), 2);
}

#[test]
fn unset_removes_a_property_so_exec_falls_back_to_the_default() {
    let sb = after_one_run();
    assert_exit(&sb.context_cmd("set", &["agent.py", "count", "7"]), 0);
    let out = sb.context_cmd("unset", &["agent.py", "count"]);
    assert_exit(&out, 0);
    assert_exit(&sb.context_cmd("get", &["agent.py", "count"]), 1);
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "name"])), "\"moss\"\n", "others are kept");

    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 1, "count restarted from its default 0");
}

#[test]
fn reset_clears_every_property() {
    let sb = after_one_run();
    assert_exit(&sb.context_cmd("set", &["agent.py", "extra", "true"]), 0);
    let out = sb.context_cmd("reset", &["agent.py"]);
    assert_exit(&out, 0);
    let shown: Value = serde_json::from_slice(&sb.context_cmd("show", &["agent.py", "--json"]).stdout).unwrap();
    assert_eq!(shown, json!({}));
    let context = sb.context("agent");
    assert_eq!(context["format"], "moss-context", "reset keeps a valid context file");

    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 1);
}

#[test]
fn every_action_refuses_a_corrupt_context_and_leaves_it_alone() {
    let sb = Sandbox::with(&[AGENT]);
    sb.copy_as("context/corrupt.context.json", ".moss/agent.context.json");
    let before = sb.read(".moss/agent.context.json");
    let actions: [&[&str]; 5] = [
        &["show", "agent.py"],
        &["get", "agent.py", "count"],
        &["set", "agent.py", "count", "1"],
        &["unset", "agent.py", "count"],
        &["reset", "agent.py"],
    ];
    for words in actions.into_iter().flat_map(|words| [words.to_vec(), [words, &["--json"]].concat()]) {
        let out = sb.context_cmd(words[0], &words[1..]);
        assert_exit(&out, 4);
        assert!(stderr(&out).contains("agent.context.json"), "{words:?} names the file: {}", stderr(&out));
        match words.contains(&"--json") {
            true => assert_eq!(document(&out)["error"]["kind"], "context", "{words:?}"),
            false => assert_eq!(stdout(&out), "", "{words:?}"),
        }
        assert_eq!(sb.read(".moss/agent.context.json"), before, "{words:?} changed a corrupt context");
    }
}

#[test]
fn edits_refuse_a_context_of_a_future_version() {
    let sb = Sandbox::with(&[AGENT]);
    sb.copy_as("context/future.context.json", ".moss/agent.context.json");
    let before = sb.read(".moss/agent.context.json");
    for words in [&["set", "agent.py", "count", "1"][..], &["reset", "agent.py"][..], &["get", "agent.py", "count"][..]]
    {
        let out = sb.context_cmd(words[0], &words[1..]);
        assert_exit(&out, 4);
        assert_eq!(sb.read(".moss/agent.context.json"), before, "{words:?}");
    }
}

/// A context saved by a Windows editor after a hand edit starts with a byte order mark: it is
/// read past, by `moss context` and `moss exec` alike, not refused as a file that is no JSON.
#[test]
fn a_context_saved_with_a_byte_order_mark_is_read() {
    let sb = after_one_run();
    let path = Sandbox::context_name("agent");
    let edited =
        String::from_utf8(sb.read(&path)).unwrap().replace("\"count\": 1", "\"count\": 41").replace('\n', "\r\n");
    sb.write(&path, format!("\u{feff}{edited}"));
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "count"])), "41\n");
    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 42, "exec starts from the edited value: {result}");
}

/// A number is stored as Python reads it or refused by name: `-0` is the integer 0, as Python's
/// json reads it (not the float -0.0), and a float given with more digits than a float keeps is
/// refused, the context left as it was, rather than stored rounded.
#[test]
fn set_stores_minus_zero_as_the_integer_and_refuses_digits_a_float_cannot_keep() {
    let sb = after_one_run();
    assert_exit(&sb.context_cmd("set", &["agent.py", "offset", "-0"]), 0);
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "offset"])), "0\n");
    sb.write("kind.py", "def main(moss):\n    return type(moss.offset).__name__\n");
    let (out, result) = sb.exec_json("agent.py", "kind.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "int", "{result}");

    let before = sb.read(".moss/agent.context.json");
    for precise in ["0.1000000000000000055511151231257827", "[1, 9007199254740993.0]", "1e-400"] {
        let out = sb.context_cmd("set", &["agent.py", "price", precise]);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains("has more digits than a float holds: it would be stored as"), "{}", stderr(&out));
        assert_eq!(sb.read(".moss/agent.context.json"), before, "after set {precise:?}");
    }
}

/// A keyword (`moss.class` is a syntax error) or a name every `moss` has of its own (`fetch`,
/// whose stored value would hide the method from the code) is no property: refused by name.
#[test]
fn set_refuses_keywords_and_the_names_moss_has_of_its_own() {
    let sb = after_one_run();
    let before = sb.read(".moss/agent.context.json");
    for (name, why) in
        [("class", "a Python keyword"), ("None", "a Python keyword"), ("fetch", "a stored value would hide it")]
    {
        let out = sb.context_cmd("set", &["agent.py", name, "1"]);
        assert_exit(&out, 2);
        assert!(
            stderr(&out).contains(&format!("`{name}` is not a property name")) && stderr(&out).contains(why),
            "{}",
            stderr(&out)
        );
        assert_eq!(sb.read(".moss/agent.context.json"), before, "after set {name:?}");
    }
    assert_exit(&sb.context_cmd("set", &["agent.py", "match", "1"]), 0);
}

/// `reset` of a MOSS file whose context (MOSS_CONTEXT, as a loop sets it) belongs to another file
/// is refused as `set` refuses it: that file's properties and journal stay as they were.
#[test]
fn reset_refuses_another_moss_files_context_and_keeps_its_journal() {
    let sb = after_one_run();
    sb.write("other.py", "from ghostos_moss import Moss\n");
    let context = ".moss/agent.context.json";
    let (before, journal) = (sb.read(context), sb.read(".moss/agent.runs.jsonl"));
    let out =
        sb.moss().env("MOSS_CONTEXT", context).args(["context", "reset", "other.py", "--journal"]).output().unwrap();
    assert_exit(&out, 4);
    assert!(stderr(&out).contains("belongs to"), "{}", stderr(&out));
    assert_eq!(sb.read(context), before);
    assert_eq!(sb.read(".moss/agent.runs.jsonl"), journal);
}

/// The one JSON document an action printed with --json.
#[track_caller]
fn document(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", stdout(out)))
}

#[test]
fn every_action_prints_one_json_document_with_json() {
    let sb = after_one_run();
    let path = sb.context_path("agent").display().to_string();
    let out = sb.context_cmd("path", &["agent.py", "--json"]);
    assert_exit(&out, 0);
    assert_eq!(document(&out), json!({"ok": true, "path": path, "exists": true}));

    let out = sb.context_cmd("get", &["agent.py", "count", "--json"]);
    assert_exit(&out, 0);
    assert_eq!(document(&out), json!({"ok": true, "path": path, "name": "count", "value": 1}));

    let out = sb.context_cmd("set", &["agent.py", "count", "7", "--json"]);
    assert_exit(&out, 0);
    assert_eq!(document(&out), json!({"ok": true, "path": path, "name": "count", "value": 7, "previous": 1}));
    let out = sb.context_cmd("set", &["agent.py", "colour", r#""red""#, "--json"]);
    assert_eq!(document(&out)["previous"], Value::Null, "a new property had no value");

    let out = sb.context_cmd("unset", &["--json", "agent.py", "colour"]);
    assert_exit(&out, 0);
    assert_eq!(document(&out), json!({"ok": true, "path": path, "name": "colour", "previous": "red"}));
    assert_eq!(sb.properties("agent"), json!({"count": 7, "name": "moss"}));

    let journal = sb.context_path("agent").with_extension("").with_extension("runs.jsonl");
    assert!(journal.is_file(), "the run journaled: {}", journal.display());
    let out = sb.context_cmd("reset", &["agent.py", "--journal", "--json"]);
    assert_exit(&out, 0);
    let journal = journal.display().to_string();
    assert_eq!(document(&out), json!({"ok": true, "path": path, "removed": ["count", "name"], "journal": journal}));
    assert_eq!(sb.properties("agent"), json!({}));
    let out = sb.context_cmd("reset", &["agent.py", "--json"]);
    assert_eq!(document(&out), json!({"ok": true, "path": path, "removed": [], "journal": null}));
}

#[test]
fn a_failing_action_with_json_prints_its_error_as_one_document_and_changes_nothing() {
    let sb = after_one_run();
    let before = sb.read(".moss/agent.context.json");
    let cases: [(&str, &[&str], i32, &str); 5] = [
        ("get", &["agent.py", "colour", "--json"], 1, "colour"),
        ("unset", &["agent.py", "colour", "--json"], 1, "colour"),
        ("set", &["agent.py", "count", "{nope", "--json"], 2, "not a JSON value"),
        ("set", &["agent.py", "class", "1", "--json"], 2, "keyword"),
        ("path", &["--json"], 2, "name the context"),
    ];
    for (action, words, exit, said) in cases {
        let out = sb.context_cmd(action, words);
        assert_exit(&out, exit);
        let doc = document(&out);
        assert_eq!(doc["ok"], false, "{action} {words:?}: {doc}");
        let message = doc["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(said), "{action} {words:?}: {doc}");
        assert!(doc["error"]["kind"].is_string(), "{doc}");
    }
    assert_eq!(sb.read(".moss/agent.context.json"), before, "a failing action changed the context");
    sb.write(".moss/agent.context.json", "{not a context");
    let out = sb.context_cmd("show", &["agent.py", "--json"]);
    assert_exit(&out, 4);
    assert_eq!(document(&out)["error"]["kind"], "context");
    assert_eq!(sb.read(".moss/agent.context.json"), b"{not a context", "show --json changed a corrupt context");
}
