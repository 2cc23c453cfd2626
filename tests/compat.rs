//! MOSS files written for the reference package `ghostos_moss` run unchanged.

mod common;

use common::{Sandbox, assert_exit, stdout};
use serde_json::json;

#[test]
fn reference_style_providers_hooks_and_fetch_work() {
    let sandbox = Sandbox::with(&["compat/reference_style.py", "compat/code/fetch_and_greet.py"]);
    let (out, result) = sandbox.exec_json("reference_style.py", "fetch_and_greet.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(["good day, ada", "good day, bob", null]));
    assert!(result["stdout"].as_str().unwrap().contains("custom exec before the default"));
}

#[test]
fn reference_style_prompt_builds_and_honours_its_hooks() {
    let sandbox = Sandbox::with(&["compat/reference_style.py"]);
    let out = sandbox.moss().arg("prompt").arg("reference_style.py").output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("class Greeter(ABC):"), "{text}");
    assert!(!text.contains("<attr name=\"Container\""), "{text}");
}

#[test]
fn a_file_without_a_moss_class_still_has_the_name_moss() {
    let sandbox = Sandbox::with(&["compat/no_moss_class.py", "compat/code/uses_moss_name.py"]);
    let (out, result) = sandbox.exec_json("no_moss_class.py", "uses_moss_name.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "Moss");
}
