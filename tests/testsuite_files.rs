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

/// A golden file is compared whatever was written into it: one that is not UTF-8 text fails the
/// case (it passed unchecked), and one written with Windows line endings says so, since its diff
/// shows the same lines on both sides.
#[test]
fn a_golden_file_that_is_not_utf8_or_ends_lines_in_crlf_fails_saying_why() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "agent.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\ndef test_latin(moss):\n    print('café')\n\n\
         def test_windows(moss):\n    print('a')\n    print('b')\n\n\
         __moss_test_cases__ = ['test_latin', 'test_windows']\n# </moss-hide>\n",
    );
    sandbox.write("agent.test_latin.out", b"caf\xe9\n");
    sandbox.write("agent.test_windows.out", "a\r\nb\r\n");
    let out = sandbox.moss().env("CI", "true").arg("test").output().unwrap();
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.ends_with("0 passed, 2 failed\n"), "{text}");
    let latin = format!(
        "---- agent.py::test_latin ----\ncannot read the golden file {}",
        sandbox.path("agent.test_latin.out").display()
    );
    assert!(text.contains(&latin) && text.contains("it is not UTF-8 text (byte 3 is invalid)"), "{text}");
    assert!(text.contains("only in its line endings: its lines end in \\r\\n, the case printed \\n"), "{text}");
    assert!(!text.contains("the generated code"), "no code was generated: {text}");
}
