//! `moss stubs [DIR]`: the shipped packages written out for editors and type checkers, checked
//! with a real type checker (mypy) over the fixture MOSS files.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use common::{Sandbox, assert_exit, skip, stderr, stdout};

/// `python3 -m mypy` in the sandbox, which reads the sandbox's pyproject.toml.
fn mypy(sandbox: &Sandbox, files: &[&str]) -> Output {
    Command::new("python3")
        .args(["-m", "mypy", "--cache-dir", ".mypy_cache", "--no-error-summary"])
        .args(files)
        .current_dir(sandbox.root())
        .output()
        .unwrap()
}

fn mypy_missing() -> Option<String> {
    let out = Command::new("python3").args(["-m", "mypy", "--version"]).output().unwrap();
    (!out.status.success()).then(|| format!("mypy is not installed (pip install mypy): {}", stderr(&out)))
}

/// The MOSS fixtures that import the shipped packages, under names mypy can tell apart.
const FIXTURES: [(&str, &str); 4] = [
    ("spherogpt/agent.py", "spherogpt.py"),
    ("spherogpt/with_tests.py", "spherogpt_tests.py"),
    ("counter/agent.py", "counter.py"),
    ("loop/robot.py", "robot.py"),
];

#[test]
fn mypy_resolves_the_shipped_packages_through_the_stubs_and_reports_a_wrong_argument_in_an_answer() {
    if let Some(reason) = mypy_missing() {
        return skip("mypy_resolves_the_shipped_packages_through_the_stubs", &reason);
    }
    let sandbox = Sandbox::new();
    let files: Vec<&str> = FIXTURES.iter().map(|(_, name)| *name).collect();
    for (fixture, name) in FIXTURES {
        sandbox.copy_as(fixture, name);
    }
    let without = mypy(&sandbox, &files);
    assert!(
        stdout(&without).contains("Cannot find implementation or library stub for module named \"ghostos_moss\""),
        "without the stubs mypy cannot see the shipped packages: {}",
        stdout(&without)
    );

    let stubs = sandbox.moss().arg("stubs").output().unwrap();
    assert_exit(&stubs, 0);
    assert!(stdout(&stubs).contains("mypy_path = \".moss/stubs\""), "{}", stdout(&stubs));
    // The printed settings are used as they are: they are the whole pyproject.toml here.
    sandbox.write("pyproject.toml", &stubs.stdout);
    let with = mypy(&sandbox, &files);
    assert!(with.status.success(), "mypy found problems in the fixtures or the shipped packages:\n{}", stdout(&with));

    let agent = String::from_utf8(sandbox.read("spherogpt.py")).unwrap();
    let answer = |heading: &str| {
        format!("{agent}\n\ndef main(moss: Moss) -> None:\n    moss.body.new_move(True).roll({heading}, 80, 1.0)\n")
    };
    sandbox.write("right_answer.py", answer("90"));
    sandbox.write("wrong_answer.py", answer("\"north\""));
    assert_exit(&mypy(&sandbox, &["right_answer.py"]), 0);
    let wrong = mypy(&sandbox, &["wrong_answer.py"]);
    assert_exit(&wrong, 1);
    assert!(
        stdout(&wrong).contains("Argument 1 to \"roll\" of \"Move\" has incompatible type \"str\"; expected \"int\""),
        "{}",
        stdout(&wrong)
    );
}

#[test]
fn mypy_strict_reports_only_the_projects_own_errors_never_one_in_the_shipped_packages() {
    if let Some(reason) = mypy_missing() {
        return skip("mypy_strict_reports_only_the_projects_own_errors", &reason);
    }
    let sandbox = Sandbox::new();
    let files: Vec<&str> = FIXTURES.iter().map(|(_, name)| *name).collect();
    for (fixture, name) in FIXTURES {
        sandbox.copy_as(fixture, name);
    }
    let stubs = sandbox.moss().arg("stubs").output().unwrap();
    assert_exit(&stubs, 0);
    sandbox.write("pyproject.toml", &stubs.stdout);
    let strict = mypy(&sandbox, &[&["--strict"], files.as_slice()].concat());
    let report = stdout(&strict);
    let in_stubs: Vec<&str> = report.lines().filter(|line| line.starts_with(".moss/stubs/")).collect();
    assert!(in_stubs.is_empty(), "mypy --strict found errors in the shipped packages:\n{}", in_stubs.join("\n"));
    assert!(report.contains("counter.py:"), "the fixtures' own untyped code is still reported: {report}");
}

#[test]
fn a_second_run_removes_what_is_no_longer_shipped_and_keeps_nothing_stale() {
    let sandbox = Sandbox::new();
    assert_exit(&sandbox.moss().args(["stubs", "typings"]).output().unwrap(), 0);
    for written in ["typings/ghostos_moss/__init__.py", "typings/ghostos_moss/py.typed", "typings/_moss_native.pyi"] {
        assert!(sandbox.exists(written), "{written} is missing");
    }
    // As if an older moss had shipped a module that this one no longer does.
    let manifest_path = "typings/.moss-stubs.json";
    let mut manifest: serde_json::Value = serde_json::from_slice(&sandbox.read(manifest_path)).unwrap();
    manifest["files"].as_array_mut().unwrap().push("retired/old.py".into());
    sandbox.write(manifest_path, serde_json::to_vec(&manifest).unwrap());
    sandbox.write("typings/retired/old.py", "x = 1\n");
    sandbox.write("typings/ghostos_moss/__init__.py", "edited by hand\n");

    assert_exit(&sandbox.moss().args(["stubs", "typings"]).output().unwrap(), 0);
    assert!(!sandbox.exists("typings/retired"), "a file moss no longer ships is removed, with its folder");
    assert_ne!(sandbox.read("typings/ghostos_moss/__init__.py"), b"edited by hand\n", "files are rewritten");
    let moss_test = sandbox.moss().env("CI", "true").arg("test").output().unwrap();
    assert_exit(&moss_test, 4);
    assert!(stderr(&moss_test).contains("no MOSS files found"), "a stubs folder is never searched for MOSS files");
}

#[test]
fn a_folder_that_moss_stubs_did_not_write_is_refused_and_left_as_it_was() {
    let sandbox = Sandbox::new();
    sandbox.write("src/app.py", "print('mine')\n");
    let out = sandbox.moss().args(["stubs", "src"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("src is not empty and was not written by `moss stubs`"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "no settings are printed for stubs that were not written");
    let left: Vec<_> = std::fs::read_dir(sandbox.path("src")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, ["app.py"]);
}

#[test]
fn the_native_module_stub_names_exactly_what_the_binary_provides() {
    let sandbox = Sandbox::new();
    assert_exit(&sandbox.moss().args(["stubs", "typings"]).output().unwrap(), 0);
    let stub = String::from_utf8(sandbox.read("typings/_moss_native.pyi")).unwrap();
    let typed: BTreeSet<String> = stub
        .lines()
        .filter_map(|line| line.strip_prefix("def ").or_else(|| line.strip_prefix("class ")))
        .map(|rest| rest.split(['(', ':']).next().unwrap().to_owned())
        .collect();
    let names = "import _moss_native; print('\\n'.join(n for n in dir(_moss_native) if not n.startswith('_')))";
    let provided = sandbox.moss().args(["python", "-c", names]).output().unwrap();
    assert_exit(&provided, 0);
    let provided: BTreeSet<String> = stdout(&provided).lines().map(str::to_owned).collect();
    assert_eq!(typed, provided);
}
