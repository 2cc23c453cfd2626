//! The context file as `moss exec` uses it: where it lives, what it holds, how values round-trip,
//! that it is saved only on success (byte for byte untouched after every kind of failure), and
//! that invalid context files are refused and left alone.

mod common;

use common::*;
use serde_json::{Value, json};

const AGENT: &str = "exec/agent.py";
const COUNT: &str = "exec/code/count.py";

// ---------------------------------------------------------------- where and what

#[test]
fn the_default_context_sits_beside_the_moss_file_whatever_the_working_folder() {
    let sb = Sandbox::new();
    sb.copy_as(AGENT, "project/agent.py");
    sb.copy_as(COUNT, "project/count.py");
    let out = sb.exec("project/agent.py", "project/count.py", &[]);
    assert_exit(&out, 0);
    assert!(sb.exists("project/.moss/agent.context.json"), "the context is beside the MOSS file");
    assert!(!sb.exists(".moss"), "nothing is written in the working folder");
}

#[test]
fn the_saved_file_follows_the_documented_format() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let out = sb.exec("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    let context = sb.context("agent");
    assert_eq!(context["format"], "moss-context");
    assert_eq!(context["version"], 1);
    assert_eq!(context["module"]["name"], "agent");
    let recorded = context["module"]["file"].as_str().expect("module.file is a string");
    assert_eq!(
        std::fs::canonicalize(sb.path(".moss").join(recorded)).unwrap(),
        std::fs::canonicalize(sb.path("agent.py")).unwrap(),
        "module.file leads to the MOSS file from the context's folder"
    );
    assert_eq!(context["properties"], json!({"count": 1, "name": "moss"}));
    let last = &context["last_code"];
    assert_eq!(last["file"], "count.py");
    assert_eq!(last["target"], "main");
    assert_eq!(last["code"], fixture_text(COUNT));
    assert!(last["executed_at"].as_str().is_some_and(|t| t.len() >= 20 && t.contains('T')), "an RFC 3339 time: {last}");
}

#[test]
fn properties_persist_between_runs() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    for expected in 1..=3 {
        let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
        assert_exit(&out, 0);
        assert_eq!(result["returns"]["count"], expected);
    }
    assert_eq!(sb.properties("agent")["count"], 3);
}

#[test]
fn changed_lists_exactly_the_properties_whose_stored_value_changed() {
    let sb = Sandbox::with(&[AGENT, COUNT, "exec/code/returns_none.py"]);
    let (_, first) = sb.exec_json("agent.py", "count.py", &[]);
    assert_eq!(first["context"]["changed"], json!(["count", "name"]), "both are new in the file");
    let (_, second) = sb.exec_json("agent.py", "count.py", &[]);
    assert_eq!(second["context"]["changed"], json!(["count"]));
    let (_, third) = sb.exec_json("agent.py", "returns_none.py", &[]);
    assert_eq!(third["context"]["changed"], json!([]));
    assert_eq!(third["context"]["saved"], true);
}

#[test]
fn explicit_context_path_is_used_instead_of_the_default() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    for expected in 1..=2 {
        let (out, result) = sb.exec_json("agent.py", "count.py", &["--context", "state/run.json"]);
        assert_exit(&out, 0);
        assert_eq!(result["returns"]["count"], expected);
    }
    assert!(!sb.exists(".moss/agent.context.json"), "the default context is not used");
    let saved: Value = serde_json::from_slice(&sb.read("state/run.json")).unwrap();
    assert_eq!(saved["properties"]["count"], 2);
}

#[test]
fn no_context_loads_and_writes_nothing() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let (out, result) = sb.exec_json("agent.py", "count.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["context"]["saved"], false);
    assert!(!sb.exists(".moss/agent.context.json"), "--no-context must not create a context");
    // In warm mode the server's socket lives there; otherwise nothing at all is created.
    assert_eq!(
        sb.exists(".moss"),
        *common::WARM && sb.exists(".moss/agent.serve.sock"),
        "--no-context must not create anything"
    );

    // An existing context is neither read nor written.
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    let (out, result) = sb.exec_json("agent.py", "count.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 1, "started from the default, not from the saved 1");
    assert_eq!(sb.read(".moss/agent.context.json"), before);
}

#[test]
fn context_and_no_context_together_are_a_usage_error() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let out = sb.exec("agent.py", "count.py", &["--context", "x.json", "--no-context"]);
    assert_exit(&out, 2);
    assert!(!sb.exists("x.json"));
}

// ---------------------------------------------------------------- stored values

#[test]
fn typed_values_are_stored_as_tagged_json_and_restored_as_their_types() {
    let sb = Sandbox::with(&["context/typed.py", "context/code/update_all.py", "context/code/read_types.py"]);
    let (out, result) = sb.exec_json("typed.py", "update_all.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!({"pos": "tuple", "home": "Point", "table": ["$moss"]}));
    assert_eq!(
        sb.properties("typed"),
        json!({
            "count": 1,
            "ratio": 0.25,
            "enabled": true,
            "label": "done",
            "nothing": null,
            "items": [1],
            "table": {"$moss": "dict", "data": {"$moss": "not a tag"}},
            "pos": {"$moss": "tuple", "items": [2, "two"]},
            "home": {"$moss": "dataclass", "class": "typed:Point", "data": {"x": 1, "y": 5}},
        })
    );

    let (out, result) = sb.exec_json("typed.py", "read_types.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(
        result["returns"],
        json!({
            "pos": ["tuple", [2, "two"]],
            "home": ["Point", 1, 5],
            "table": ["dict", {"$moss": "not a tag"}],
            "items": [1],
        })
    );
}

#[test]
fn values_round_trip_over_several_runs() {
    let sb = Sandbox::with(&["context/typed.py", "context/code/update_all.py"]);
    for _ in 0..3 {
        assert_exit(&sb.exec("typed.py", "update_all.py", &[]), 0);
    }
    let properties = sb.properties("typed");
    assert_eq!(properties["items"], json!([1, 2, 3]));
    assert_eq!(properties["pos"], json!({"$moss": "tuple", "items": [4, "two"]}));
    assert_eq!(properties["home"]["data"], json!({"x": 3, "y": 5}));
    assert_eq!(properties["table"], json!({"$moss": "dict", "data": {"$moss": "not a tag"}}));
}

#[test]
fn a_moss_file_named_like_a_standard_module_still_round_trips_its_classes() {
    let sb = Sandbox::new();
    sb.copy_as("context/typed.py", "profile.py");
    sb.copy("context/code/update_all.py");
    assert_exit(&sb.exec("profile.py", "update_all.py", &[]), 0);
    let (out, result) = sb.exec_json("profile.py", "update_all.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["home"], "Point");
    assert_eq!(result["warnings"], json!([]));
    assert_eq!(sb.properties("profile")["home"]["data"], json!({"x": 2, "y": 5}));
}

#[test]
fn a_value_that_cannot_be_stored_is_skipped_with_a_warning_naming_it() {
    let sb = Sandbox::with(&[AGENT, "exec/code/unstorable.py"]);
    let (out, result) = sb.exec_json("agent.py", "unstorable.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["ok"], true);
    let warnings = result["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("sock")), "{result}");
    let properties = sb.properties("agent");
    assert!(properties.get("sock").is_none(), "{properties}");
    assert_eq!(properties["count"], 1);
    assert_eq!(properties["note"], "kept");

    let out = sb.exec("agent.py", "unstorable.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "", "warnings never go to stdout");
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("warning: ") && l.contains("sock")), "{err}");
    assert_eq!(sb.properties("agent")["count"], 2);
}

#[test]
fn a_stored_class_from_a_module_not_imported_is_kept_and_never_imported() {
    let sb = Sandbox::with(&[AGENT, COUNT, "context/gadgets.py"]);
    sb.copy_as("context/foreign_class.context.json", ".moss/agent.context.json");
    let stored_gadget = sb.properties("agent")["gadget"].clone();

    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 5, "the other properties were restored");
    let warnings = result["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("gadget")), "a warning names it: {result}");
    assert!(!sb.exists("gadgets-was-imported"), "loading a context must never import a module");
    assert_eq!(sb.properties("agent")["gadget"], stored_gadget, "the stored value is kept untouched");
    assert_eq!(sb.properties("agent")["count"], 5);
    assert!(!result["context"]["changed"].as_array().unwrap().contains(&json!("gadget")), "{result}");

    let out = sb.exec("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert!(stderr(&out).lines().any(|l| l.starts_with("warning: ") && l.contains("gadget")), "{}", stderr(&out));
    assert!(!sb.exists("gadgets-was-imported"));
    assert_eq!(sb.properties("agent")["gadget"], stored_gadget);
}

// ---------------------------------------------------------------- untouched after any failure

/// Runs `count.py` once so a context exists, then the code fixture (each failing fixture first
/// sets `moss.count = 999`; `None` names a code file that does not exist); the run must fail with
/// `exit`/`kind` and leave the file byte-identical.
fn assert_failure_keeps_context(code: Option<&str>, extra: &[&str], exit: i32, kind: &str) {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    let code_name = match code {
        Some(fixture) => sb.copy(fixture).file_name().unwrap().to_string_lossy().into_owned(),
        None => "missing.py".to_owned(),
    };
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    let (out, result) = sb.exec_json("agent.py", &code_name, extra);
    assert_exit(&out, exit);
    assert_error_kind(&result, kind);
    assert_eq!(
        String::from_utf8_lossy(&sb.read(".moss/agent.context.json")),
        String::from_utf8_lossy(&before),
        "the context changed after a failure of kind {kind}"
    );
    // And in plain mode too.
    let out = sb.exec("agent.py", &code_name, extra);
    assert_exit(&out, exit);
    assert_eq!(sb.read(".moss/agent.context.json"), before, "plain mode changed the context ({kind})");
}

#[test]
fn an_exception_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/raises.py"), &[], 1, "exception");
}

#[test]
fn an_exception_raised_in_the_moss_file_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/raises_in_moss_file.py"), &[], 1, "exception");
}

#[test]
fn a_syntax_error_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/syntax_error.py"), &[], 3, "syntax");
}

#[test]
fn a_missing_target_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/no_main.py"), &[], 3, "target");
}

#[test]
fn a_target_that_cannot_be_called_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/two_params.py"), &[], 3, "target");
}

#[test]
fn a_timeout_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/sleep.py"), &["--timeout", "0.5"], 124, "timeout");
}

#[test]
fn os_exit_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/crash_exit.py"), &[], 1, "crash");
}

#[test]
fn a_segfault_leaves_the_context_untouched() {
    assert_failure_keeps_context(Some("exec/code/crash_segfault.py"), &[], 1, "crash");
}

#[test]
fn a_missing_code_file_leaves_the_context_untouched() {
    assert_failure_keeps_context(None, &[], 2, "usage");
}

#[test]
fn code_that_is_not_utf8_leaves_the_context_untouched() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    sb.write("latin1.py", b"def main(moss):\n    moss.count = 999  # caf\xe9\n");
    let (out, _) = sb.exec_json("agent.py", "latin1.py", &[]);
    assert_exit(&out, 3);
    assert_eq!(sb.read(".moss/agent.context.json"), before);
}

/// Replaces the MOSS file after a successful run; the next run must fail with `exit`/`kind`
/// before running code, and leave the context byte-identical.
fn assert_moss_file_failure_keeps_context(replacement: Option<&[u8]>, kind: &str) -> Value {
    let sb = Sandbox::with(&[AGENT, COUNT, "exec/code/announce.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    match replacement {
        Some(source) => {
            sb.write("agent.py", source);
        }
        None => std::fs::remove_file(sb.path("agent.py")).unwrap(),
    }
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, kind);
    assert_eq!(result["stdout"], "", "no generated code ran");
    assert_eq!(sb.read(".moss/agent.context.json"), before, "the context changed after a {kind} error");
    result
}

#[test]
fn a_moss_file_that_fails_to_load_leaves_the_context_untouched() {
    let mut broken = fixture_text(AGENT);
    broken.push_str("\nraise RuntimeError('the MOSS file is broken')\n");
    let result = assert_moss_file_failure_keeps_context(Some(broken.as_bytes()), "module");
    assert_eq!(result["error"]["type"], "RuntimeError", "{result}");
}

#[test]
fn a_missing_binding_leaves_the_context_untouched() {
    let mut unbound = fixture_text(AGENT);
    unbound.push_str("\n\nclass Pump:\n    pass\n\n\nclass Moss(Moss):\n    pump: Pump\n");
    let result = assert_moss_file_failure_keeps_context(Some(unbound.as_bytes()), "module");
    assert_eq!(result["error"]["type"], "BindingMissing", "{result}");
}

#[test]
fn a_moss_file_that_is_not_utf8_leaves_the_context_untouched() {
    assert_moss_file_failure_keeps_context(Some(b"# caf\xe9\n"), "module");
}

#[test]
fn a_moss_file_whose_name_is_not_utf8_is_refused_before_anything_runs() {
    use std::os::unix::ffi::OsStrExt;

    let sb = Sandbox::with(&["exec/code/announce.py"]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    std::fs::write(sb.root().join(name), "X = 1\n").unwrap();
    let stored = "{\"format\": \"moss-context\", \"version\": 1, \"properties\": {\"count\": 1}}\n";
    sb.write("ctx.json", stored);
    for context in [&["--context", "ctx.json"][..], &[]] {
        let out =
            sb.moss().arg("exec").arg(name).args(["--code", "announce.py", "--json"]).args(context).output().unwrap();
        assert_exit(&out, 2);
        let result = parse_result(&out);
        assert_error_kind(&result, "usage");
        let message = error_message(&result);
        assert!(message.contains("caf") && message.contains("not UTF-8"), "{result}");
        assert!(result["error"]["hint"].as_str().unwrap_or_default().contains("rename"), "{result}");
        assert_eq!(result["stdout"], "", "no generated code ran");
    }
    assert_eq!(sb.read("ctx.json"), stored.as_bytes());
    assert!(!sb.exists(".moss"), "no context was made for it");
}

#[test]
fn a_removed_moss_file_leaves_the_context_untouched() {
    assert_moss_file_failure_keeps_context(None, "module");
}

#[test]
fn a_failed_first_run_creates_no_context_file() {
    let sb = Sandbox::with(&[AGENT, "exec/code/raises.py"]);
    let (out, result) = sb.exec_json("agent.py", "raises.py", &[]);
    assert_exit(&out, 1);
    assert_eq!(result["context"]["saved"], false);
    assert!(!sb.exists(".moss/agent.context.json"));
}

// ---------------------------------------------------------------- invalid context files

/// Puts `fixture` in place as the default context of agent.py; the run must exit 4 with a
/// context error naming the file, run no code, and leave the file byte-identical.
fn assert_refused(fixture_name: &str) {
    let sb = Sandbox::with(&[AGENT, "exec/code/announce.py"]);
    let path = sb.copy_as(fixture_name, ".moss/agent.context.json");
    let before = sb.read(".moss/agent.context.json");

    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "context");
    assert!(error_message(&result).contains("agent.context.json"), "the message names the file: {result}");
    assert_eq!(result["stdout"], "", "no generated code ran");
    assert_eq!(sb.read(".moss/agent.context.json"), before, "an invalid context must never be rewritten");

    let out = sb.exec("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("error: ") && l.contains("agent.context.json")), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_corrupt_context_is_refused_and_left_alone() {
    assert_refused("context/corrupt.context.json");
}

#[test]
fn a_truncated_context_is_refused_and_left_alone() {
    let sb = Sandbox::with(&[AGENT, COUNT, "exec/code/announce.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let whole = sb.read(".moss/agent.context.json");
    let cut = &whole[..whole.len() / 2];
    sb.write(".moss/agent.context.json", cut);
    let (out, result) = sb.exec_json("agent.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "context");
    assert_eq!(result["stdout"], "", "no generated code ran");
    assert_eq!(sb.read(".moss/agent.context.json"), cut);
}

#[test]
fn a_json_file_of_another_tool_is_refused_and_left_alone() {
    assert_refused("context/foreign.context.json");
}

#[test]
fn a_context_that_is_not_an_object_is_refused_and_left_alone() {
    assert_refused("context/not_an_object.context.json");
}

#[test]
fn a_context_of_a_future_version_is_refused_and_left_alone() {
    assert_refused("context/future.context.json");
}

#[test]
fn a_context_of_another_moss_file_is_refused_and_left_alone() {
    let sb = Sandbox::with(&[AGENT, COUNT, "exec/code/announce.py"]);
    sb.copy_as(AGENT, "other.py");
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");

    let (out, result) = sb.exec_json("other.py", "announce.py", &["--context", ".moss/agent.context.json"]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "context");
    assert!(error_message(&result).contains("agent.context.json"), "{result}");
    assert_eq!(result["stdout"], "");
    assert_eq!(sb.read(".moss/agent.context.json"), before);
}

#[test]
fn runs_from_different_working_folders_share_the_context() {
    let sb = Sandbox::new();
    sb.copy_as(AGENT, "project/agent.py");
    sb.copy_as(COUNT, "project/count.py");
    assert_exit(&sb.exec("project/agent.py", "project/count.py", &[]), 0);
    let out = sb
        .moss()
        .current_dir(sb.path("project"))
        .args(["exec", "agent.py", "--code", "count.py", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(parse_result(&out)["returns"]["count"], 2);
}

#[test]
fn an_unrestorable_value_keeps_its_default_for_the_run_and_its_stored_json_until_assigned() {
    let sb = Sandbox::with(&["context/typed.py", "context/code/move_home.py"]);
    let stored_home = json!({"$moss": "dataclass", "class": "elsewhere:Point", "data": {"x": 3, "y": 4}});
    let context = json!({
        "format": "moss-context",
        "version": 1,
        "properties": {"home": stored_home, "label": "stay"},
    });
    sb.write(".moss/typed.context.json", serde_json::to_vec_pretty(&context).unwrap());

    let (out, result) = sb.exec_json("typed.py", "move_home.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!([0, 0]), "the class default stands in for this run");
    assert!(result["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("home")), "{result}");
    assert_eq!(sb.properties("typed")["home"], stored_home, "kept untouched");
    assert!(!result["context"]["changed"].as_array().unwrap().contains(&json!("home")), "{result}");

    assert_exit(&sb.context_cmd("set", &["typed.py", "label", "\"move\""]), 0);
    let (out, _) = sb.exec_json("typed.py", "move_home.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(
        sb.properties("typed")["home"],
        json!({"$moss": "dataclass", "class": "typed:Point", "data": {"x": 7, "y": 8}}),
        "an assignment replaces it"
    );
}

#[test]
fn no_context_ignores_even_an_invalid_context_file() {
    let sb = Sandbox::with(&[AGENT, COUNT]);
    sb.copy_as("context/corrupt.context.json", ".moss/agent.context.json");
    let before = sb.read(".moss/agent.context.json");
    let (out, result) = sb.exec_json("agent.py", "count.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], 1);
    assert_eq!(sb.read(".moss/agent.context.json"), before);
}
