//! MOSS files written for the reference package `ghostos_moss` run unchanged.

mod common;

use common::{Sandbox, assert_exit, stderr, stdout};
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

#[test]
fn a_moss_file_can_reflect_the_shipped_classes_it_imports() {
    // `PyContext` names `ghostos_moss.pycontext` as its module, which the file never imports.
    let sandbox = Sandbox::with(&["compat/reflects_shipped.py"]);
    let out = sandbox.moss().arg("prompt").arg("reflects_shipped.py").output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("class PyContext") && text.contains("def join(self"), "{text}");
}

#[test]
fn moss_impl_exports_the_references_names_for_the_compiled_module_and_moss_types() {
    let sandbox = Sandbox::with(&["compat/no_moss_class.py"]);
    let code = "from ghostos_moss.moss_impl import *\n\
                import ghostos_moss\n\
                with ghostos_moss.moss_runtime_ctx('no_moss_class') as rt:\n\
                \x20   print(isinstance(rt.module(), MossTempModuleType), isinstance(rt.moss(), MossStub))\n\
                print(issubclass(MossStub, ghostos_moss.Moss), sorted(n for n in dir() if n.startswith('Moss')))";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "True True\nTrue ['MossCompilerImpl', 'MossRuntimeImpl', 'MossStub', 'MossTempModuleType']\n",
        "{}",
        stderr(&out)
    );
}
