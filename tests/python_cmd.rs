//! `moss python ARGS...`: the embedded interpreter as a plain `python`, with moss's packages
//! importable and every argument its own.

mod common;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Output, Stdio};

use common::{Sandbox, assert_exit, stderr, stdout};

fn python(sandbox: &Sandbox, args: &[&str]) -> Output {
    sandbox.moss().arg("python").args(args).output().unwrap()
}

/// `moss python ARGS` with `input` on its standard input.
fn python_fed(sandbox: &Sandbox, args: &[&str], input: &str) -> Output {
    sandbox.moss().arg("python").args(args).write_stdin(input).output().unwrap()
}

#[test]
fn dash_c_imports_the_shipped_ghostos_moss_and_sees_its_arguments() {
    let sandbox = Sandbox::new();
    let code = "import sys, ghostos_moss; print(ghostos_moss.__file__); print(sys.argv)";
    let out = python(&sandbox, &["-c", code, "one", "--two"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "<moss>/ghostos_moss/__init__.py\n['-c', 'one', '--two']\n");
}

#[test]
fn the_exit_status_is_the_interpreters() {
    let sandbox = Sandbox::new();
    assert_exit(&python(&sandbox, &["-c", "raise SystemExit(3)"]), 3);
    assert_exit(&python(&sandbox, &["-c", "import sys; sys.exit(0)"]), 0);
    let out = python(&sandbox, &["-c", "raise ValueError('bad value')"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("ValueError: bad value"), "python's traceback: {}", stderr(&out));
    let out = python(&sandbox, &["-Z"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("-Z"), "python's own usage error: {}", stderr(&out));
}

#[test]
fn an_uncaught_keyboard_interrupt_ends_it_as_python_does_by_sigint() {
    let sandbox = Sandbox::new();
    let out = python(&sandbox, &["-c", "import os, signal; os.kill(os.getpid(), signal.SIGINT)"]);
    assert_eq!(out.status.signal(), Some(2), "python re-raises SIGINT: {:?}\n{}", out.status, stderr(&out));
    assert!(stderr(&out).contains("KeyboardInterrupt"), "{}", stderr(&out));
}

#[test]
fn dash_m_runs_a_module_of_the_current_folder() {
    let sandbox = Sandbox::new();
    sandbox.write("greet.py", "import sys\nimport ghostos_moss\nprint('hello', sys.argv[1:], __name__)\n");
    let out = python(&sandbox, &["-m", "greet", "world"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "hello ['world'] __main__\n");
}

#[test]
fn a_script_gets_every_argument_even_those_moss_itself_would_take() {
    let sandbox = Sandbox::new();
    let script = sandbox.write("show.py", "import sys\nprint(sys.argv[1:])\n");
    let out = python(&sandbox, &["show.py", "-q", "--color", "never", "--help", "python"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "['-q', '--color', 'never', '--help', 'python']\n");
    let out = sandbox.moss().args(["--color", "never", "python"]).arg(&script).arg("x").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "['x']\n", "moss's global flags still work before `python`");
}

#[test]
fn pythons_own_flags_are_pythons() {
    let sandbox = Sandbox::new();
    let out =
        python(&sandbox, &["-q", "-B", "-c", "import sys; print(sys.flags.quiet, sys.flags.dont_write_bytecode)"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "1 1\n");
    let out = python(&sandbox, &["--version"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).trim().rsplit_once('.').map(|(major_minor, _)| major_minor.to_owned()), {
        Some(format!("Python {}", common::python_version()))
    });
}

#[test]
fn standard_input_is_the_program_with_dash_or_no_arguments() {
    let sandbox = Sandbox::new();
    let program = "import sys, ghostos_moss\nprint('from stdin', sys.argv)\n";
    let out = python_fed(&sandbox, &["-", "arg"], program);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "from stdin ['-', 'arg']\n");
    let out = python_fed(&sandbox, &[], program);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "from stdin ['']\n");
}

#[test]
fn dash_i_gives_the_interactive_prompt() {
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .moss_process()
        .args(["python", "-i"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"import ghostos_moss\n6 * 7\nraise SystemExit(4)\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 4);
    assert_eq!(stdout(&out), "42\n");
    assert!(stderr(&out).contains(">>> "), "the prompt: {}", stderr(&out));
}

#[test]
fn dash_m_pytest_runs_a_projects_tests_against_the_shipped_packages() {
    let sandbox = Sandbox::new();
    if let Some(reason) = common::pytest_missing(&sandbox) {
        return common::skip("dash_m_pytest_runs_a_projects_tests_against_the_shipped_packages", &reason);
    }
    sandbox.write(
        "tests/test_shipped.py",
        "import ghostos_moss\n\n\
         def test_ghostos_moss_is_the_shipped_one():\n    assert ghostos_moss.__file__.startswith('<moss>/')\n\n\
         def test_fails():\n    assert 1 + 1 == 3\n",
    );
    let out = python(&sandbox, &["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/"]);
    assert_exit(&out, 1);
    let summary = stdout(&out);
    assert!(summary.contains("1 failed, 1 passed"), "{summary}");
    let out = python(&sandbox, &["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/", "-k", "is_the_shipped"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 passed, 1 deselected"), "{}", stdout(&out));
}

#[test]
fn the_packages_of_the_users_python3_are_importable() {
    let sandbox = Sandbox::new();
    let code = "import pydantic; print(pydantic.VERSION, pydantic.__file__)";
    let theirs = std::process::Command::new("python3").args(["-c", code]).output().unwrap();
    assert_exit(&theirs, 0);
    let ours = python(&sandbox, &["-c", code]);
    assert_exit(&ours, 0);
    assert_eq!(stdout(&ours), stdout(&theirs), "the same pydantic as python3's");
}
