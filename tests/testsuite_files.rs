//! `moss test`: which files are MOSS files, and what a case's golden file holds.

mod common;

use common::{Sandbox, assert_exit, stdout};

/// A script whose help text shows `import ghostos_moss`, or that imports a package whose name
/// only starts like it, is no MOSS file: `moss test .` must not run it.
#[test]
fn a_file_that_only_names_ghostos_moss_in_a_string_is_not_run() {
    let sandbox = Sandbox::new();
    let runs = "import pathlib\npathlib.Path('ran').touch()\n";
    sandbox.write("tool.py", format!("\"\"\"Usage, in a MOSS file:\n\n    import ghostos_moss\n\"\"\"\n{runs}"));
    sandbox.write("other.py", format!("import ghostos_moss_tools  # a package of its own\n{runs}"));
    sandbox.write("agent.py", "import os, ghostos_moss\n\n__moss_test_cases__: list[str] = []\n");
    let out = sandbox.moss().env("CI", "true").arg("test").output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("PASS  agent.py"), "{text}");
    assert!(!text.contains("tool.py") && !text.contains("other.py"), "{text}");
    assert!(!sandbox.exists("ran"), "a file that is no MOSS file ran");
}
