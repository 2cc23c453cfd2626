//! One moss binary runs whichever CPython 3.10 to 3.13 the project's environment has, found as
//! uv finds one: `VIRTUAL_ENV`, else `[tool.moss] python`, else the project's `.venv`, else the
//! `python3` on `PATH`.

mod common;

use common::pythons::{build_minor, make_venv, make_venv_of};
use common::*;
use serde_json::{Value, json};

/// A project (a `pyproject.toml`) holding the MOSS file that imports `tinypkg`.
fn project(pyproject: &str) -> Sandbox {
    let sandbox = Sandbox::with(&[
        "pythons/uses_tiny.py",
        "pythons/code/report.py",
        "pythons/code/who_runs.py",
        "pythons/code/environ.py",
    ]);
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
    let other = make_venv(&sandbox, 12, "other");
    let run = |env: &[(&str, &std::path::Path)]| {
        let mut cmd = sandbox.moss();
        cmd.env_remove("VIRTUAL_ENV").args(["exec", "agent.py", "--code", "who_runs.py", "--warm", "--no-context"]);
        for (name, value) in env {
            cmd.env(name, value);
        }
        let out = cmd.arg("--json").output().unwrap();
        assert_exit(&out, 0);
        (parse_result(&out)["returns"].clone(), stderr(&out))
    };
    assert_eq!(run(&[]).0, json!([[3, 10], "serve"]), "the first run starts a server on 3.10 and runs there");
    let (second, warned) = run(&[("VIRTUAL_ENV", &other)]);
    let stopped = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    assert_exit(&stopped, 0);
    assert_eq!(second, json!([[3, 12], "exec"]), "the 3.10 server is passed over: the run is cold, on 3.12");
    assert!(
        warned.contains("--warm: the server runs Python 3.10") && warned.contains("this run chose 3.12"),
        "--warm says why the run was cold: {warned}"
    );
}

#[test]
fn a_warm_server_restarts_when_its_environment_is_made_anew() {
    let sandbox = project("");
    make_venv(&sandbox, 12, ".venv");
    // A MOSS file whose server would start on any Python: one that imports nothing of the environment.
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    let runner = || {
        let (out, result) = sandbox.exec_json("agent.py", "who_runs.py", &["--warm", "--no-context"]);
        assert_exit(&out, 0);
        result["returns"].clone()
    };
    assert_eq!(runner(), json!([[3, 12], "serve"]));
    let run = || {
        let (out, result) = sandbox.exec_json("uses_tiny.py", "report.py", &["--warm", "--no-context"]);
        assert_exit(&out, 0);
        result["returns"]["where"].clone()
    };
    assert_eq!(run(), "3.12 .venv", "the first run starts a server that imports tinypkg");
    // As pip upgrades a package: its files replaced, its metadata folder made anew.
    let site_packages = ".venv/lib/python3.12/site-packages";
    sandbox.write(&format!("{site_packages}/tinypkg/__init__.py"), "def where():\n    return 'upgraded'\n");
    std::fs::create_dir(sandbox.path(&format!("{site_packages}/tinypkg-2.dist-info"))).unwrap();
    assert_eq!(run(), "upgraded", "the run does not use the tinypkg the server imported before the upgrade");
    std::fs::remove_dir_all(sandbox.path(".venv")).unwrap();
    // Longer than the server takes to notice: it waits for the environment instead of restarting
    // on another Python.
    std::thread::sleep(std::time::Duration::from_millis(600));
    make_venv(&sandbox, 12, ".venv");
    sandbox.write(".venv/lib/python3.12/site-packages/tinypkg/__init__.py", "def where():\n    return 'made anew'\n");
    let third = run();
    // Generous: under a loaded machine the server's restart (a new interpreter, its imports) is slow.
    let served_again = (0..300).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        runner() == json!([[3, 12], "serve"])
    });
    for moss_file in ["uses_tiny.py", "agent.py"] {
        let stopped = sandbox.moss().args(["serve", "--stop", moss_file]).output().unwrap();
        assert_exit(&stopped, 0);
    }
    assert_eq!(third, "made anew", "the run does not use the tinypkg of the environment that was removed");
    assert!(served_again, "the server restarted on the environment made anew");
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
            .env_remove("PYTHONDONTWRITEBYTECODE")
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

#[test]
fn a_bad_cached_module_is_compiled_again_and_replaced() {
    let sandbox = project("");
    let minor = if build_minor() == 12 { 13 } else { 12 };
    make_venv(&sandbox, minor, ".venv");
    let cache = sandbox.path("cache");
    let run = |extra: &[(&str, &str)]| {
        let mut cmd = sandbox.moss();
        cmd.env_remove("VIRTUAL_ENV").env_remove("PYTHONDONTWRITEBYTECODE").env("XDG_CACHE_HOME", &cache);
        for (name, value) in extra {
            cmd.env(name, value);
        }
        let out = cmd.args(["python", "-c", "import _moss.host; print('ran')"]).output().unwrap();
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), "ran\n");
    };
    let folder = cache.join(format!("moss/bytecode/cpython-3{minor}"));
    let cached = || {
        std::fs::read_dir(&folder)
            .map(|files| files.flatten().map(|f| f.path()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    run(&[("PYTHONDONTWRITEBYTECODE", "1")]);
    assert!(cached().is_empty(), "PYTHONDONTWRITEBYTECODE: nothing is written to the cache");
    run(&[]);
    assert!(cached().len() > 3, "the modules imported are cached");
    // marshal's 42: a file marshal reads, but no module's code.
    for file in cached() {
        std::fs::write(file, b"i\x2a\x00\x00\x00").unwrap();
    }
    run(&[]);
    for file in cached() {
        assert!(std::fs::metadata(&file).unwrap().len() > 5, "{} is written again", file.display());
    }
}

/// An interpreter of Debian's or Ubuntu's own `python3` package: it has the versioned library
/// (`libpython3.11.so.1.0`) and no `libpython3.so`, which no package of theirs installs.
const DISTRIBUTION_PYTHON: &str = "/usr/bin/python3";

#[test]
fn a_venv_of_a_distributions_python_without_libpython3_so_runs_on_that_installations_library() {
    let python = std::path::Path::new(DISTRIBUTION_PYTHON);
    assert!(python.exists(), "this test needs {DISTRIBUTION_PYTHON} (apt-get install python3-venv libpython3-dev)");
    let ask = |code: &str| {
        let out = std::process::Command::new(python).args(["-c", code]).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let minor: u8 = ask("import sys; print(sys.version_info[1])").parse().unwrap();
    let libdir = ask("import sysconfig; print(sysconfig.get_config_var('LIBDIR'))");
    assert!(
        !std::path::Path::new(&libdir).join("libpython3.so").exists(),
        "{DISTRIBUTION_PYTHON} is meant to be a Python without libpython3.so beside its library in {libdir}"
    );
    let sandbox = project("");
    make_venv_of(&sandbox, python, minor, ".venv");
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .env_remove("LD_LIBRARY_PATH")
        .env("XDG_CACHE_HOME", sandbox.path("cache"))
        .args(["exec", "uses_tiny.py", "--code", "environ.py", "--json", "--no-context"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let returns = parse_result(&out)["returns"].clone();
    // The same minor version as the build's may be another patch release: its own library runs.
    assert_eq!(returns["version"], ask("import platform; print(platform.python_version())"), "{returns}");
    assert_eq!(returns["started"], format!("3.{minor} .venv"), "{returns}");
    assert_eq!(returns["LD_LIBRARY_PATH"], Value::Null, "the code sees the user's LD_LIBRARY_PATH: {returns}");
    let links = std::fs::read_dir(sandbox.path("cache/moss/lib")).unwrap().count();
    assert_eq!(links, 1, "one folder holds the link named libpython3.so");
}

#[test]
fn a_python_3_9_library_first_in_ld_library_path_stops_nothing() {
    let old_lib = common::pythons::interpreter(9).parent().unwrap().parent().unwrap().join("lib");
    let sandbox = project("");
    make_venv(&sandbox, 12, ".venv");
    let out = sandbox.moss().env("LD_LIBRARY_PATH", &old_lib).arg("--version").output().unwrap();
    assert_exit(&out, 0);
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .env("LD_LIBRARY_PATH", &old_lib)
        .args(["exec", "uses_tiny.py", "--code", "environ.py", "--json", "--no-context"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let returns = parse_result(&out)["returns"].clone();
    assert!(returns["version"].as_str().unwrap().starts_with("3.12."), "{returns}");
    assert_eq!(returns["LD_LIBRARY_PATH"], old_lib.to_str().unwrap(), "the code sees the user's LD_LIBRARY_PATH");
}

#[test]
fn the_chosen_venv_is_the_runs_environment_as_uv_run_makes_it() {
    let sandbox = project("");
    let venv = make_venv(&sandbox, 11, ".venv");
    let venv = std::fs::canonicalize(venv).unwrap();
    let returns = report_of(&sandbox, "environ.py");
    assert_eq!(returns["VIRTUAL_ENV"], venv.to_str().unwrap(), "{returns}");
    assert_eq!(returns["python"], venv.join("bin/python").to_str().unwrap(), "{returns}");
    assert_eq!(returns["started"], "3.11 .venv", "python started by name is the environment's: {returns}");

    // A server started outside the environment and a client that chose the same one match.
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    let server = sandbox.moss_process().env_remove("VIRTUAL_ENV").args(["serve", "agent.py"]).spawn().unwrap();
    let runner = (0..200).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let out = sandbox
            .moss()
            .env_remove("VIRTUAL_ENV")
            .args(["exec", "agent.py", "--code", "who_runs.py", "--json", "--no-context"])
            .output()
            .unwrap();
        let returns = parse_result(&out)["returns"].clone();
        (returns[1] == "serve").then_some(returns)
    });
    let stopped = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    let _ = { server }.wait();
    assert_exit(&stopped, 0);
    assert_eq!(runner, Some(json!([[3, 11], "serve"])), "the client's run is the server's");
}

/// `moss exec` of the MOSS file with `code`, not in an activated environment: what it returned.
fn report_of(sandbox: &Sandbox, code: &str) -> Value {
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .args(["exec", "uses_tiny.py", "--code", code, "--json", "--no-context"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    parse_result(&out)["returns"].clone()
}

#[test]
fn a_venv_in_a_parent_folder_is_found_as_uv_finds_it() {
    let sandbox = Sandbox::with(&["pythons/uses_tiny.py", "pythons/code/report.py"]);
    sandbox.write("pyproject.toml", "[tool.uv.workspace]\nmembers = [\"member\"]\n");
    sandbox.write("member/pyproject.toml", "[project]\nname = \"member\"\nversion = \"0\"\n");
    std::fs::rename(sandbox.path("uses_tiny.py"), sandbox.path("member/uses_tiny.py")).unwrap();
    make_venv(&sandbox, 13, ".venv");
    let out = sandbox
        .moss()
        .env_remove("VIRTUAL_ENV")
        .args(["exec", "member/uses_tiny.py", "--code", "report.py", "--json", "--no-context"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(parse_result(&out)["returns"], json!({"version": [3, 13], "where": "3.13 .venv"}));
    let python = config_python(&sandbox, &[]);
    assert_eq!(python["rule"], "project-venv", "{python}");
}

#[test]
fn a_dot_venv_that_is_no_environment_is_passed_over_with_a_warning() {
    let sandbox = project("");
    std::fs::create_dir_all(sandbox.path(".venv/bin")).unwrap();
    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["python", "-c", "pass"]).output().unwrap();
    assert_exit(&out, 0);
    let warned = stderr(&out);
    assert!(
        warned.contains(&format!(
            "{} is not a virtual environment (it has no pyvenv.cfg)",
            sandbox.path(".venv").display()
        )) && warned.contains("hint: recreate it"),
        "{warned}"
    );
    std::fs::remove_dir_all(sandbox.path(".venv")).unwrap();
    std::os::unix::fs::symlink(sandbox.path("gone"), sandbox.path(".venv")).unwrap();
    let out = sandbox.moss().env_remove("VIRTUAL_ENV").args(["python", "-c", "pass"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("is a link to") && stderr(&out).contains("which is gone"), "{}", stderr(&out));
}

#[test]
fn python_paths_expand_home_and_resolve_dot_dot() {
    let sandbox = Sandbox::new();
    make_venv(&sandbox, 12, "envs/chosen");
    sandbox.write("proj/pyproject.toml", "[tool.moss]\npython = \"../envs/chosen\"\n");
    let executable = |folder: &str, home: &std::path::Path| {
        let out = sandbox
            .moss()
            .current_dir(sandbox.path(folder))
            .env_remove("VIRTUAL_ENV")
            .env("HOME", home)
            .args(["python", "-c", "import sys; print(sys.executable)"])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        stdout(&out).trim().to_owned()
    };
    let expected = sandbox.path("envs/chosen/bin/python3");
    assert_eq!(executable("proj", &sandbox.path("nohome")), expected.to_str().unwrap());
    sandbox.write("other/moss.toml", "python = \"~/envs/chosen\"\n");
    assert_eq!(executable("other", sandbox.root()), expected.to_str().unwrap());

    sandbox.write("old/python3", PYTHON_3_9);
    std::fs::set_permissions(sandbox.path("old/python3"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sandbox.write("other/moss.toml", "python = \"../old/python3\"\n");
    let out = sandbox
        .moss()
        .current_dir(sandbox.path("other"))
        .env_remove("VIRTUAL_ENV")
        .args(["python", "-c", "pass"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let named = format!("python in {}: ", sandbox.path("other/moss.toml").display());
    assert!(stderr(&out).contains(&named), "names the setting and its file: {}", stderr(&out));
}

/// Python 3.13 defines pathlib's classes in `pathlib._local`; a path is stored under its public
/// name there too, and a context written on 3.13 reads back on the build's Python.
#[test]
fn paths_are_kept_on_python_3_13_as_on_every_version() {
    let sandbox = Sandbox::new();
    let venv = make_venv(&sandbox, 13, "v313");
    sandbox.write("paths.py", "from ghostos_moss import Moss\n");
    sandbox.write(
        "store.py",
        "import pathlib\n\ndef main(moss):\n    moss.pure = pathlib.PurePosixPath('a/b')\n    \
         moss.real = pathlib.Path('/srv/data')\n",
    );
    sandbox.write("read.py", "def main(moss):\n    return [repr(moss.pure), repr(moss.real)]\n");
    let run = |code: &str, venv: Option<&std::path::Path>| {
        let mut cmd = sandbox.moss();
        match venv {
            Some(venv) => cmd.env("VIRTUAL_ENV", venv),
            None => cmd.env_remove("VIRTUAL_ENV"),
        };
        let out = cmd.args(["exec", "paths.py", "--code", code, "--json"]).output().unwrap();
        assert_exit(&out, 0);
        parse_result(&out)
    };

    let stored = run("store.py", Some(&venv));
    assert_eq!(stored["warnings"], json!([]), "nothing is refused: {stored}");
    let properties = sandbox.properties("paths");
    assert_eq!(properties["pure"], json!({"$moss": "path", "class": "pathlib:PurePosixPath", "value": "a/b"}));
    assert_eq!(properties["real"], json!({"$moss": "path", "class": "pathlib:PosixPath", "value": "/srv/data"}));

    let expected = json!(["PurePosixPath('a/b')", "PosixPath('/srv/data')"]);
    assert_eq!(run("read.py", Some(&venv))["returns"], expected);
    assert_eq!(run("read.py", None)["returns"], expected);
}
