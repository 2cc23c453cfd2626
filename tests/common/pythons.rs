//! The CPython versions moss runs on, for the tests that run each: found through
//! `MOSS_TEST_PYTHONS` (interpreters separated by `:`), else pyenv's installed versions.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Sandbox, stderr};

/// An interpreter of CPython 3.`minor`; a missing one fails the test, saying what to install.
pub fn interpreter(minor: u8) -> PathBuf {
    let listed = std::env::var("MOSS_TEST_PYTHONS").unwrap_or_default();
    let listed = listed.split(':').filter(|p| !p.is_empty()).map(PathBuf::from);
    if let Some(found) = listed.into_iter().find(|python| minor_of(python) == Some(minor)) {
        return found;
    }
    let versions = pyenv_root().join("versions");
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir(&versions)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let patch = name.strip_prefix(&format!("3.{minor}."))?.parse::<u32>().ok()?;
            let python = entry.path().join("bin/python3");
            python.is_file().then_some((patch, python))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, python)| python).unwrap_or_else(|| {
        panic!(
            "no CPython 3.{minor} to test with (looked in MOSS_TEST_PYTHONS and {}): install it with \
             `pyenv install 3.{minor}` (with its shared library: PYTHON_CONFIGURE_OPTS=--enable-shared), or \
             list its interpreter in MOSS_TEST_PYTHONS",
            versions.display()
        )
    })
}

fn pyenv_root() -> PathBuf {
    if let Some(root) = std::env::var_os("PYENV_ROOT") {
        return PathBuf::from(root);
    }
    let asked = Command::new("pyenv").arg("root").output().ok().filter(|out| out.status.success());
    match asked {
        Some(out) => PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        None => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".pyenv"),
    }
}

/// The minor version of the Python moss was built with (as pyo3 finds it: `PYO3_PYTHON`, else
/// `python3`), whose bytecode the binary embeds.
pub fn build_minor() -> u8 {
    let python = option_env!("PYO3_PYTHON").unwrap_or("python3");
    minor_of(Path::new(python)).unwrap_or_else(|| panic!("cannot ask {python} its version"))
}

fn minor_of(python: &Path) -> Option<u8> {
    let out = Command::new(python).args(["-c", "import sys; print(sys.version_info[1])"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// A virtual environment of CPython 3.`minor` at `name` in the sandbox, with a package `tinypkg`
/// whose `where()` says "3.<minor> <name>".
pub fn make_venv(sandbox: &Sandbox, minor: u8, name: &str) -> PathBuf {
    make_venv_of(sandbox, &interpreter(minor), minor, name)
}

/// `make_venv` with the interpreter `python` of CPython 3.`minor`.
pub fn make_venv_of(sandbox: &Sandbox, python: &Path, minor: u8, name: &str) -> PathBuf {
    let venv = sandbox.path(name);
    let made = Command::new(python).args(["-m", "venv", "--without-pip"]).arg(&venv).output().unwrap();
    assert!(made.status.success(), "making a 3.{minor} virtual environment failed: {}", stderr(&made));
    let package = format!(
        "def where() -> str:\n    \"\"\"Which environment's tinypkg this is.\"\"\"\n    return \"3.{minor} {name}\"\n"
    );
    sandbox.write(&format!("{name}/lib/python3.{minor}/site-packages/tinypkg/__init__.py"), package);
    venv
}
