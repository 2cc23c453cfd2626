//! The `ghostos_moss` package's Python API, used from inside runs and from `moss python`:
//! its public names, the in-process compiler (`moss_runtime_ctx`), `SelfUpdater` and
//! `dump_std_output()`.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::json;

const UPDATING: &str = "api/updating.py";

#[test]
fn the_public_names_are_importable_and_behave_as_documented() {
    let sandbox = Sandbox::with(&["api/names.py"]);
    let out = sandbox.moss().arg("python").arg("names.py").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "ok\n", "{}", stderr(&out));
}

#[test]
fn a_plain_import_reaches_each_submodule_importing_it_on_first_use() {
    let sandbox = Sandbox::new();
    let code = "import sys, ghostos_moss\n\
                names = ['abcd', 'prompts', 'utils', 'pycontext', 'modules', 'moss_impl', 'magics', 'testsuite', \
                'self_updater', 'exports', 'lifecycle']\n\
                print([n for n in names if f'ghostos_moss.{n}' in sys.modules])\n\
                print(all(getattr(ghostos_moss, n) is sys.modules[f'ghostos_moss.{n}'] for n in names))\n\
                print(ghostos_moss.abcd.Moss is ghostos_moss.Moss, ghostos_moss.moss_impl.MossCompilerImpl.__name__)\n\
                print(hasattr(ghostos_moss, 'no_such_module'))";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    // Only what `ghostos_moss` itself needs is loaded by the import: the rest waits for its first use.
    assert_eq!(stdout(&out), "['exports']\nTrue\nTrue Compiler\nFalse\n", "{}", stderr(&out));
}

#[test]
fn the_shipped_classes_reflect_though_their_public_modules_are_not_imported() {
    let sandbox = Sandbox::with(&["api/fresh_reflection.py"]);
    let out = sandbox.moss().args(["python", "fresh_reflection.py"]).output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let expected = [
        "PyContext: class PyContext: / -",
        "Moss: class Moss(ABC): / class Moss(ABC):",
        "MossRuntime: class MossRuntime(ABC): / class MossRuntime(ABC):",
        "Injection: class Injection(ABC): / class Injection(ABC):",
    ];
    for line in expected {
        assert!(text.lines().any(|l| l == line), "{line:?} in:\n{text}{}", stderr(&out));
    }
}

#[test]
fn pycontext_works_without_pydantic() {
    let sandbox = Sandbox::new();
    let code = "import sys; sys.modules['pydantic'] = None\n\
                from ghostos_moss import PyContext\n\
                c = PyContext(module='m'); c.set_prop('n', 3)\n\
                print(PyContext(**c.model_dump()).join(PyContext(code='x')).get_prop('n'))";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "3\n", "{}", stderr(&out));
}

#[test]
fn a_moss_file_that_does_not_use_pydantic_never_loads_it() {
    // Loading pydantic costs a run a tenth of a second or more: ghostos_moss itself must not.
    let sandbox = Sandbox::new();
    sandbox.write(
        "light.py",
        "from ghostos_moss import Moss as Parent, PyContext\n\n\nclass Moss(Parent):\n    n: int = 0\n",
    );
    sandbox.write("gen.py", "import sys\n\n\ndef main(moss):\n    return 'pydantic' in sys.modules\n");
    let (out, result) = sandbox.exec_json("light.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], false, "{result}");
    // A pydantic model still holds a PyContext field, dumped as its fields.
    let code = "from pydantic import BaseModel\nfrom ghostos_moss import PyContext\n\
                class Session(BaseModel):\n    context: PyContext\n\
                s = Session(context={'module': 'm'})\n\
                print(s.context.module, s.model_dump()['context']['module'])";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "m m\n", "{}", stderr(&out));
}

#[test]
fn code_in_a_run_compiles_and_executes_another_module_in_process() {
    let sandbox = Sandbox::with(&["api/helper.py", "api/host_api.py"]);
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    let (out, result) = sandbox.exec_json("agent.py", "host_api.py", &["--no-context"]);
    assert_exit(&out, 0);
    // The joined PyContext's property reaches the helper's moss, and what it printed is recorded.
    assert_eq!(
        result["returns"],
        json!({"returns": "hello from helper", "printed": "helper ran\n", "module": "helper", "stored": "hello"}),
        "{result}"
    );
}

#[test]
fn dump_std_output_returns_what_the_run_printed() {
    let sandbox = Sandbox::with(&["api/printing.py", "api/print_gen.py"]);
    let (out, result) = sandbox.exec_json("printing.py", "print_gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    let printed = "hello\n{'a': 1}\n";
    assert_eq!(result["returns"], json!({"returned": 7, "printed": printed, "dumped": printed}), "{result}");
    // Recording does not take the output away from the run's own.
    let out = sandbox.exec("printing.py", "print_gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains(printed), "{}", stdout(&out));
}

#[test]
fn what_a_run_prints_without_end_is_recorded_only_up_to_a_limit() {
    // The recording for `dump_std_output()` keeps the first MiB of 8 MiB printed, so printing
    // cannot fill the run's memory with a second copy of its output.
    let sandbox = Sandbox::new();
    sandbox.write(
        "agent.py",
        "from ghostos_moss import Moss\nfrom ghostos_moss.lifecycle import __moss_exec__ as default_exec\n\n\n\
         def __moss_exec__(runtime, **kwargs):\n    default_exec(runtime, **kwargs)\n    \
         dumped = runtime.dump_std_output()\n    return [len(dumped), dumped.splitlines()[-1]]\n",
    );
    sandbox.write("gen.py", "def main(moss):\n    for _ in range(8192):\n        print('x' * 1023)\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--max-output", "64K"]);
    assert_exit(&out, 0);
    let kept = result["returns"][0].as_u64().unwrap();
    assert!(((1 << 20)..(1 << 20) + 200).contains(&kept), "{}", result["returns"]);
    assert_eq!(result["returns"][1], "[moss: 7340032 more characters were printed; the first 1048576 are kept]");
}

#[test]
fn self_updater_edits_the_file_only_on_save() {
    let sandbox = Sandbox::with(&[UPDATING, "api/append.py", "api/append_save.py"]);
    let original = sandbox.read("updating.py");
    let (out, result) = sandbox.exec_json("updating.py", "append.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert!(result["returns"].as_str().unwrap().ends_with("updater: SelfUpdater\n\nANSWER = 42\n"), "{result}");
    assert_eq!(sandbox.read("updating.py"), original, "append() alone must not touch the file");

    let (out, result) = sandbox.exec_json("updating.py", "append_save.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "saved");
    let saved = String::from_utf8(sandbox.read("updating.py")).unwrap();
    assert_eq!(saved, String::from_utf8(original).unwrap().trim_end().to_owned() + "\n\nANSWER = 42\n");
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn self_updater_save_is_refused_under_sandbox_unless_the_folder_is_writable() {
    let sandbox = Sandbox::with(&["api/append_save.py"]);
    let elsewhere = tempfile::Builder::new().prefix("moss-api-").tempdir().unwrap();
    let moss_file = elsewhere.path().join("updating.py");
    std::fs::copy(common::fixture(UPDATING), &moss_file).unwrap();
    let original = std::fs::read(&moss_file).unwrap();
    let file = moss_file.to_str().unwrap();

    let (out, result) = sandbox.exec_json(file, "append_save.py", &["--no-context", "--sandbox"]);
    let unenforced = result["sandbox"]["unenforced"].as_array().map(|a| !a.is_empty()).unwrap_or(true);
    if !unenforced {
        assert_exit(&out, 1);
        assert_eq!(result["error"]["type"], "PermissionError", "{result}");
        let message = result["error"]["message"].as_str().unwrap();
        assert!(message.contains("is not writable here") && message.contains("--allow-write"), "{message}");
        assert_eq!(std::fs::read(&moss_file).unwrap(), original);
    }
    let folder = elsewhere.path().to_str().unwrap();
    let (out, result) =
        sandbox.exec_json(file, "append_save.py", &["--no-context", "--sandbox", "--allow-write", folder]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "saved", "{result}");
    assert!(String::from_utf8(std::fs::read(&moss_file).unwrap()).unwrap().ends_with("ANSWER = 42\n"));
    assert!(Path::new(&moss_file).exists());
}

#[test]
fn an_exporter_shows_what_it_exports_even_from_modules_the_prompt_ignores() {
    let sandbox = Sandbox::with(&["api/exporting.py", "api/exports_lib.py"]);
    let out = sandbox.moss().args(["prompt", "exporting.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("def getsource(object):"), "{}", stdout(&out));
}

#[test]
fn prompts_built_through_the_python_api_mention_nothing_bound_only_in_hidden_regions() {
    let sandbox = Sandbox::with(&["api/hidden_api.py"]);
    let code = "from ghostos_moss import moss_runtime_ctx\n\
                with moss_runtime_ctx('hidden_api') as rt:\n\
                \x20   p = rt.prompter()\n\
                \x20   print(p.dump_module_prompt(), p.get_magic_prompt(), p.get_imported_attrs_prompt(), \
                sorted(p.get_imported_attrs()))";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("Hammer"), "{text}{}", stderr(&out));
    assert!(!text.contains("SecretTool") && !text.contains("secret_dumps"), "{text}");
}

#[test]
fn a_pycontext_joined_at_compile_time_sets_the_moss_properties() {
    let sandbox = Sandbox::with(&["api/joining.py"]);
    sandbox.write("gen.py", "def main(moss):\n    return moss.level\n");
    let (out, result) = sandbox.exec_json("joining.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 5, "{result}");
}

#[test]
fn a_module_in_a_folder_whose_name_is_not_utf8_compiles_as_python_imports_it() {
    let sandbox = Sandbox::new();
    let folder = sandbox.root().join(std::ffi::OsStr::from_bytes(b"d\xe9"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("mymod.py"), "X = 41\n").unwrap();
    let code = "import os, sys\n\
                sys.path.insert(0, os.fsdecode(os.path.join(os.getcwdb(), b'd\\xe9')))\n\
                from ghostos_moss import moss_runtime_ctx\n\
                with moss_runtime_ctx('mymod') as rt:\n\
                \x20   print(rt.module().X + 1, rt.module().__file__.endswith('d\\udce9/mymod.py'))";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "42 True\n", "{}", stderr(&out));
}

#[test]
fn prompts_built_through_the_python_api_leave_out_a_visible_import_a_hidden_one_rebinds() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "tools.py",
        "def helper(a: int) -> int:\n    \"\"\"Public helper.\"\"\"\n    return a\n\n\n\
         def secret_fn(key: str) -> str:\n    \"\"\"SECRET-DOC: do not show.\"\"\"\n    return key\n",
    );
    sandbox.write(
        "rebound.py",
        "from ghostos_moss import Moss as Parent\nfrom tools import helper\n\n# <moss-hide>\n\
         import tools as _t\n_t.helper = _t.secret_fn\nfrom tools import helper\n# </moss-hide>\n\n\n\
         class Moss(Parent):\n    pass\n",
    );
    let code = "from ghostos_moss import moss_runtime_ctx\n\
                with moss_runtime_ctx('rebound') as rt:\n\
                \x20   p = rt.prompter()\n\
                \x20   print(p.dump_module_prompt(), p.get_imported_attrs_prompt(), sorted(p.get_imported_attrs()))";
    let out = sandbox.moss().args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(!text.contains("SECRET-DOC") && !text.contains("secret_fn") && !text.contains("'helper'"), "{text}");
    assert!(text.contains("'Parent'"), "the other import is still there: {text}");
}
