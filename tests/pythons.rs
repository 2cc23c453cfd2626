//! One moss binary runs whichever CPython 3.10 to 3.13 the project's environment has, found as
//! uv finds one: `VIRTUAL_ENV`, else `[tool.moss] python`, else the project's `.venv`, else the
//! `python3` on `PATH`.

mod common;

use common::pythons::{build_minor, make_venv};
use common::*;
use serde_json::{Value, json};

/// A project (a `pyproject.toml`) holding the MOSS file that imports `tinypkg`.
fn project(pyproject: &str) -> Sandbox {
    let sandbox = Sandbox::with(&["pythons/uses_tiny.py", "pythons/code/report.py", "pythons/code/who_runs.py"]);
    sandbox.write("pyproject.toml", format!("[project]\nname = \"tiny-user\"\nversion = \"0\"\n{pyproject}"));
    sandbox
}

/// `moss exec` of the MOSS file with `report.py`: the Python version and which `tinypkg` ran.
fn report(sandbox: &Sandbox, env: &[(&str, &std::ffi::OsStr)]) -> Value {
    let mut cmd = sandbox.moss();
    cmd.env_remove("VIRTUAL_ENV").args(["exec", "uses_tiny.py", "--code", "report.py", "--json", "--no-context"]);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    assert_exit(&out, 0);
    parse_result(&out)["returns"].clone()
}

fn config_python(sandbox: &Sandbox, env: &[(&str, &std::ffi::OsStr)]) -> Value {
    let mut cmd = sandbox.moss();
    cmd.env_remove("VIRTUAL_ENV").args(["config", "--json", "uses_tiny.py"]);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    assert_exit(&out, 0);
    serde_json::from_str::<Value>(&stdout(&out)).unwrap()["python"].clone()
}

/// `PATH` with `dir` first.
fn path_with_first(dir: std::path::PathBuf) -> std::ffi::OsString {
    let rest = std::env::split_paths(&std::env::var_os("PATH").unwrap()).collect::<Vec<_>>();
    std::env::join_paths(std::iter::once(dir).chain(rest)).unwrap()
}

/// An executable script at `name` in the sandbox.
fn script(sandbox: &Sandbox, name: &str, text: &str) {
    let file = sandbox.write(name, text);
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

/// An interpreter at `old/python3` that says it is CPython 3.9 when moss asks it about itself.
const PYTHON_3_9: &str = "#!/bin/sh\necho cpython 3 9 0 1\necho /old/python3\necho /old/lib\n";

/// exec, prompt and python on the project's `.venv` of CPython 3.`minor`.
fn runs_on(minor: u8) {
    let sandbox = project("");
    make_venv(&sandbox, minor, ".venv");
    assert_eq!(report(&sandbox, &[]), json!({"version": [3, minor], "where": format!("3.{minor} .venv")}));

    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["prompt", "uses_tiny.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Which environment's tinypkg this is."), "tinypkg is reflected: {}", stdout(&out));

    let code = "import sys, tinypkg; print(tuple(sys.version_info[:2]), tinypkg.where())";
    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["python", "-c", code]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("(3, {minor}) 3.{minor} .venv\n"));

    let python = config_python(&sandbox, &[]);
    assert_eq!(python["version"], format!("3.{minor}"));
    assert_eq!(python["rule"], "project-venv");
}

#[test]
fn python_3_10() {
    runs_on(10);
}

#[test]
fn python_3_11() {
    runs_on(11);
}

#[test]
fn python_3_12() {
    runs_on(12);
}

#[test]
fn python_3_13() {
    runs_on(13);
}

#[test]
fn virtual_env_wins_over_the_project_venv() {
    let sandbox = project("");
    make_venv(&sandbox, 10, ".venv");
    let active = make_venv(&sandbox, 12, "active");
    let env = [("VIRTUAL_ENV", active.as_os_str())];
    assert_eq!(report(&sandbox, &env), json!({"version": [3, 12], "where": "3.12 active"}));
    assert_eq!(config_python(&sandbox, &env)["rule"], "VIRTUAL_ENV");
}

#[test]
fn a_virtual_environment_first_on_path_is_used() {
    let sandbox = Sandbox::with(&["pythons/uses_tiny.py", "pythons/code/report.py"]);
    let venv = make_venv(&sandbox, 13, "onpath");
    let path = path_with_first(venv.join("bin"));
    let env = [("PATH", path.as_os_str())];
    assert_eq!(report(&sandbox, &env), json!({"version": [3, 13], "where": "3.13 onpath"}));
    assert_eq!(config_python(&sandbox, &env)["rule"], "PATH");
}

#[test]
fn tool_moss_python_names_the_environment_over_the_project_venv() {
    let sandbox = project("[tool.moss]\npython = \"envs/chosen\"\n");
    make_venv(&sandbox, 10, ".venv");
    make_venv(&sandbox, 12, "envs/chosen");
    assert_eq!(report(&sandbox, &[]), json!({"version": [3, 12], "where": "3.12 envs/chosen"}));
    let python = config_python(&sandbox, &[]);
    assert_eq!(python["rule"], "config");
    assert!(python["because"].as_str().unwrap().ends_with("pyproject.toml"), "{python}");
}

#[test]
fn a_bad_tool_moss_python_is_a_clear_error() {
    let sandbox = project("[tool.moss]\npython = \"nowhere\"\n");
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .args(["exec", "uses_tiny.py", "--code", "report.py", "--json", "--no-context"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let result = parse_result(&out);
    assert_error_kind(&result, "module");
    let message = error_message(&result);
    assert!(message.contains("python = \"nowhere\"") && message.contains("no such file or folder"), "{result}");
    assert!(message.contains("pyproject.toml"), "names the file: {result}");
    assert!(result["error"]["hint"].as_str().unwrap().contains("virtual environment"), "says how to fix it: {result}");

    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["python", "-c", "pass"]).output().unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("python = \"nowhere\""), "{}", stderr(&out));
}

#[test]
fn an_unsupported_python_is_refused_naming_the_versions_that_work() {
    let sandbox = project("[tool.moss]\npython = \"old/python3\"\n");
    script(&sandbox, "old/python3", PYTHON_3_9);
    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["python", "-c", "pass"]).output().unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("is CPython 3.9; moss runs CPython 3.10 to 3.13"), "{}", stderr(&out));
}

#[test]
fn a_warm_server_is_not_used_by_a_client_whose_python_differs() {
    let sandbox = project("");
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    make_venv(&sandbox, 10, ".venv");
    let run = || {
        let (out, result) = sandbox.exec_json("agent.py", "who_runs.py", &["--warm", "--no-context"]);
        assert_exit(&out, 0);
        result["returns"].clone()
    };
    assert_eq!(run(), json!([[3, 10], "serve"]), "the first run starts a server on 3.10 and runs there");
    std::fs::remove_dir_all(sandbox.path(".venv")).unwrap();
    make_venv(&sandbox, 12, ".venv");
    let second = run();
    let stopped = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    assert_exit(&stopped, 0);
    assert_eq!(second, json!([[3, 12], "exec"]), "the 3.10 server is passed over: the run is cold, on 3.12");
}

#[test]
fn under_another_version_the_shipped_modules_are_compiled_once_into_the_cache_or_each_run_without_one() {
    let sandbox = project("");
    // A version whose bytecode the binary does not embed.
    let minor = if build_minor() == 12 { 13 } else { 12 };
    make_venv(&sandbox, minor, ".venv");
    let code = "import _moss.host, sys; print(sys.version_info[1])";
    let with_cache = |cache: &std::path::Path| {
        let out = sandbox
            .moss()
            .env_remove("VIRTUAL_ENV")
            .env("XDG_CACHE_HOME", cache)
            .args(["python", "-c", code])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), format!("{minor}\n"));
    };
    with_cache(&sandbox.path("cache"));
    let cached = std::fs::read_dir(sandbox.path(&format!("cache/moss/bytecode/cpython-3{minor}"))).unwrap().count();
    assert!(cached > 3, "the modules imported are cached: {cached}");
    // A cache folder that cannot be made (its parent is a file): compiled each run instead.
    sandbox.write("not-a-folder", "");
    with_cache(&sandbox.path("not-a-folder"));
}

#[test]
fn a_python3_on_path_that_moss_cannot_run_is_passed_over_with_a_warning() {
    let sandbox = Sandbox::new();
    script(&sandbox, "old/python3", PYTHON_3_9);
    let path = path_with_first(sandbox.path("old"));
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .env("PATH", path)
        .args(["python", "-c", "import ghostos_moss; print('ran')"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "ran\n");
    assert!(
        stderr(&out).contains("the python3 on PATH is passed over") && stderr(&out).contains("CPython 3.9"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pyenv_shim_on_path_stands_for_the_version_pyenv_would_run_without_being_run() {
    let sandbox = Sandbox::new();
    let installation = common::pythons::interpreter(12).parent().unwrap().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(sandbox.path("pyenv/versions")).unwrap();
    std::os::unix::fs::symlink(&installation, sandbox.path("pyenv/versions/chosen-3.12")).unwrap();
    // A shim that fails if run: moss reads pyenv's choice instead of paying for a run of the shim.
    script(&sandbox, "pyenv/shims/python3", "#!/bin/sh\nexit 1\n");
    let path = path_with_first(sandbox.path("pyenv/shims"));
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .env("PATH", path)
        .env("PYENV_VERSION", "chosen-3.12")
        .args(["python", "-c", "import sys; print(sys.version_info[1])"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "12\n", "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warning: the shim was not run");
}

#[test]
fn moss_test_runs_a_file_on_its_projects_python() {
    let sandbox = project("");
    make_venv(&sandbox, 13, ".venv");
    sandbox.write(
        "checked.py",
        "import sys\nfrom ghostos_moss import Moss\n\n\ndef test_runs_on_the_venv(moss: Moss) -> None:\n    \
         assert sys.version_info[:2] == (3, 13), sys.version_info\n\n\n__moss_test_cases__ = [\"test_runs_on_the_venv\"]\n",
    );
    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["test", "checked.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 passed, 0 failed"), "{}", stdout(&out));
}
