//! Where contexts live and how MOSS files are found: symbolic links, files of the same name in
//! different folders under `context-dir`, MOSS files inside packages.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;

use common::{Sandbox, assert_exit, stderr};
use serde_json::Value;

const COUNTER: &str = "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    count: int = 0\n";
const COUNT_UP: &str = "def main(moss):\n    moss.count += 1\n    return moss.count\n";

fn counter_sandbox(moss_files: &[&str]) -> Sandbox {
    let sandbox = Sandbox::new();
    for file in moss_files {
        sandbox.write(file, COUNTER);
    }
    sandbox.write("gen.py", COUNT_UP);
    sandbox
}

/// `moss exec FILE --code gen.py EXTRA --json`: the exit code and what the run returned.
fn count_up(sandbox: &Sandbox, moss_file: &str, extra: &[&str]) -> (i32, Value) {
    let (out, result) = sandbox.exec_json(moss_file, "gen.py", extra);
    (out.status.code().unwrap_or(-1), result)
}

fn json_at(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_symlinked_context_stays_a_link_and_its_target_is_read_locked_and_written() {
    let sandbox = counter_sandbox(&["agent.py"]);
    std::fs::create_dir(sandbox.path("store")).unwrap();
    symlink("real.json", sandbox.path("store/link.json")).unwrap();
    for expected in [1, 2] {
        let (code, result) = count_up(&sandbox, "agent.py", &["--context", "store/link.json"]);
        assert_eq!((code, &result["returns"]), (0, &Value::from(expected)), "{result}");
    }
    let link = std::fs::symlink_metadata(sandbox.path("store/link.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced by a regular file");
    assert_eq!(json_at(&sandbox.path("store/real.json"))["properties"]["count"], 2);
    // One file, one lock: both names queue on the target's lock.
    assert!(sandbox.exists("store/real.json.lock") && !sandbox.exists("store/link.json.lock"));
}

#[test]
fn a_link_in_another_folder_is_the_context_it_points_to() {
    let sandbox = counter_sandbox(&["agent.py"]);
    let (code, result) = count_up(&sandbox, "agent.py", &["--context", "store/ctx.json"]);
    assert_eq!(code, 0, "{result}");
    std::fs::create_dir_all(sandbox.path("links/deeper")).unwrap();
    symlink("../../store/ctx.json", sandbox.path("links/deeper/link.json")).unwrap();
    let (code, result) = count_up(&sandbox, "agent.py", &["--context", "links/deeper/link.json"]);
    assert_eq!((code, &result["returns"]), (0, &Value::from(2)), "{result}");
    assert_eq!(json_at(&sandbox.path("store/ctx.json"))["module"]["file"], "../agent.py");
}

#[test]
fn another_files_context_is_refused_with_a_hint_that_loses_nothing() {
    let sandbox = counter_sandbox(&["a.py", "b.py"]);
    assert_eq!(count_up(&sandbox, "a.py", &["--context", "shared.json"]).0, 0);
    let before = sandbox.read("shared.json");
    let out = sandbox.exec("b.py", "gen.py", &["--context", "shared.json"]);
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert!(err.contains("belongs to") && err.contains("--context PATH"), "{err}");
    assert!(!err.contains("reset"), "the hint suggests a command that erases a.py's data:\n{err}");
    assert_eq!(sandbox.read("shared.json"), before);
}

#[test]
fn files_of_the_same_name_in_different_folders_get_their_own_contexts_under_context_dir() {
    let sandbox = counter_sandbox(&["a/agent.py", "b/agent.py"]);
    sandbox.write("moss.toml", "context-dir = \"state\"\n");
    assert_eq!(count_up(&sandbox, "a/agent.py", &[]).0, 0);
    assert_eq!(count_up(&sandbox, "a/agent.py", &[]).0, 0);
    let (code, result) = count_up(&sandbox, "b/agent.py", &[]);
    assert_eq!((code, &result["returns"]), (0, &Value::from(1)), "{result}");
    assert_eq!(json_at(&sandbox.path("state/a/agent.context.json"))["properties"]["count"], 2);
    assert_eq!(json_at(&sandbox.path("state/b/agent.context.json"))["properties"]["count"], 1);
    let path = sandbox.context_cmd("path", &["b/agent.py"]);
    assert!(common::stdout(&path).trim_end().ends_with("state/b/agent.context.json"), "{}", common::stdout(&path));
}

#[test]
fn a_context_kept_directly_in_context_dir_by_earlier_versions_is_still_found() {
    let sandbox = counter_sandbox(&["a/agent.py", "b/agent.py"]);
    sandbox.write("moss.toml", "context-dir = \"state\"\n");
    sandbox.write(
        "state/agent.context.json",
        r#"{"format": "moss-context", "version": 1, "module": {"file": "../a/agent.py", "name": "agent"},
            "properties": {"count": 41}}"#,
    );
    let (code, result) = count_up(&sandbox, "a/agent.py", &[]);
    assert_eq!((code, &result["returns"]), (0, &Value::from(42)), "{result}");
    let (code, result) = count_up(&sandbox, "b/agent.py", &[]);
    assert_eq!((code, &result["returns"]), (0, &Value::from(1)), "{result}");
    assert_eq!(json_at(&sandbox.path("state/b/agent.context.json"))["properties"]["count"], 1);
}

/// `pkg/agent.py` in a package, with a sibling module and a pydantic model of its own.
fn package_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("pkg/__init__.py", "");
    sandbox.write("pkg/helpers.py", "BASE = 41\n");
    sandbox.write(
        "pkg/agent.py",
        "from pydantic import BaseModel\nfrom ghostos_moss import Moss as Parent\nfrom .helpers import BASE\n\n\n\
         class Profile(BaseModel):\n    name: str = \"\"\n\n\n\
         class Moss(Parent):\n    profile: Profile | None = None\n",
    );
    sandbox
}

#[test]
fn a_moss_file_in_a_package_is_its_module_with_relative_imports() {
    let sandbox = package_sandbox();
    sandbox.write(
        "gen.py",
        "import sys\n\ndef main(moss):\n    import pkg.agent\n    moss.profile = Profile(name='ada')\n\
         \x20   return [BASE + 1, __name__, pkg.agent.Profile is Profile, sys.modules['pkg.agent'] is sys.modules[__name__]]\n",
    );
    let (code, result) = count_up(&sandbox, "pkg/agent.py", &[]);
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["returns"], serde_json::json!([42, "pkg.agent", true, true]));
    let context = json_at(&sandbox.path("pkg/.moss/agent.context.json"));
    assert_eq!(context["module"]["name"], "pkg.agent");
    assert_eq!(context["properties"]["profile"]["class"], "pkg.agent:Profile");
    let prompt = sandbox.moss().args(["prompt", "pkg/agent.py"]).output().unwrap();
    assert_exit(&prompt, 0);
}

#[test]
fn classes_stored_under_the_name_the_module_had_before_still_restore() {
    let sandbox = package_sandbox();
    sandbox.write(
        "pkg/.moss/agent.context.json",
        r#"{"format": "moss-context", "version": 1, "module": {"file": "../agent.py", "name": "agent"},
            "properties": {"profile": {"$moss": "pydantic", "class": "agent:Profile", "data": {"name": "ada"}}}}"#,
    );
    sandbox.write("gen.py", "def main(moss):\n    return [moss.profile.name, type(moss.profile) is Profile]\n");
    let (code, result) = count_up(&sandbox, "pkg/agent.py", &[]);
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["returns"], serde_json::json!(["ada", true]), "{result}");
}

#[test]
fn a_symlinked_moss_file_imports_from_the_real_files_folder() {
    let sandbox = Sandbox::new();
    sandbox.write("real/helper.py", "ANSWER = 42\n");
    sandbox.write("real/agent.py", "from ghostos_moss import Moss\nimport helper\n");
    std::fs::create_dir(sandbox.path("link")).unwrap();
    symlink("../real/agent.py", sandbox.path("link/bot.py")).unwrap();
    sandbox.write("gen.py", "def main(moss):\n    return helper.ANSWER\n");
    let (code, result) = count_up(&sandbox, "link/bot.py", &["--no-context"]);
    assert_eq!((code, &result["returns"]), (0, &Value::from(42)), "{result}");
}
