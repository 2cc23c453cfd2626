//! Shared helpers: a temporary folder per test with fixture files copied in, and ways to run the
//! real `moss` binary there and read what it produced.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

pub mod pythons;
pub mod server;

/// No single `moss` run in this suite should come near this; a hang fails the test instead of
/// holding up the whole suite.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The path of a file under `fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

/// The text of a fixture file.
pub fn fixture_text(relative: &str) -> String {
    fs::read_to_string(fixture(relative)).unwrap_or_else(|e| panic!("fixture {relative}: {e}"))
}

/// The 1-based number of the first line of a fixture containing `needle`.
pub fn line_of(relative: &str, needle: &str) -> u64 {
    let text = fixture_text(relative);
    let index = text
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line containing {needle:?} in fixture {relative}"));
    index as u64 + 1
}

/// Whether this suite runs every `moss exec` on a warm server: the `*_warm` test targets.
pub static WARM: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| env!("CARGO_CRATE_NAME").ends_with("_warm"));

/// A temporary working folder holding copies of fixture files; removed when dropped.
pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox { dir: tempfile::Builder::new().prefix("moss-test-").tempdir().expect("a temp dir") }
    }

    /// A sandbox with each fixture copied to the top folder under its own file name.
    pub fn with(fixtures: &[&str]) -> Self {
        let sandbox = Sandbox::new();
        for relative in fixtures {
            sandbox.copy(relative);
        }
        sandbox
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Copies a fixture to the top folder under its own file name.
    pub fn copy(&self, relative: &str) -> PathBuf {
        let name = Path::new(relative).file_name().expect("a fixture file name").to_str().unwrap().to_owned();
        self.copy_as(relative, &name)
    }

    /// Copies a fixture to `name` (a path relative to the sandbox; folders are created).
    pub fn copy_as(&self, relative: &str, name: &str) -> PathBuf {
        let bytes = fs::read(fixture(relative)).unwrap_or_else(|e| panic!("fixture {relative}: {e}"));
        self.write(name, bytes)
    }

    /// Writes a file (folders are created) and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, contents).unwrap();
        path
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        fs::read(self.path(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }

    /// The default context of the MOSS file `<stem>.py` in the top folder, relative to it.
    pub fn context_name(stem: &str) -> String {
        format!(".moss/{stem}.context.json")
    }

    pub fn context_path(&self, stem: &str) -> PathBuf {
        self.path(&Self::context_name(stem))
    }

    /// The default context of `<stem>.py`, parsed.
    pub fn context(&self, stem: &str) -> Value {
        let bytes = self.read(&Self::context_name(stem));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("the context of {stem}.py is not JSON: {e}"))
    }

    /// The saved properties of `<stem>.py`'s default context.
    pub fn properties(&self, stem: &str) -> Value {
        self.context(stem)["properties"].clone()
    }

    /// `moss` run in the sandbox, with colour off and no inherited lock-wait setting.
    pub fn moss(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.moss_process());
        cmd.timeout(RUN_LIMIT);
        cmd
    }

    /// `moss` as a plain process, for tests that drive it themselves (signals, pipes); warm in
    /// the `*_warm` suites.
    pub fn moss_process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("moss"));
        cmd.current_dir(self.root()).env("NO_COLOR", "1").env_remove("MOSS_LOCK_WAIT").env_remove("MOSS_WARM");
        if *WARM {
            cmd.env("MOSS_WARM", "1");
        }
        cmd
    }

    /// `moss exec MOSS --code CODE EXTRA...` in plain mode.
    pub fn exec(&self, moss_file: &str, code: &str, extra: &[&str]) -> Output {
        self.moss().arg("exec").arg(moss_file).arg("--code").arg(code).args(extra).output().unwrap()
    }

    /// `moss exec ... --json`; checks that stdout is exactly one result object and returns it.
    pub fn exec_json(&self, moss_file: &str, code: &str, extra: &[&str]) -> (Output, Value) {
        let output =
            self.moss().arg("exec").arg(moss_file).arg("--code").arg(code).args(extra).arg("--json").output().unwrap();
        let result = parse_result(&output);
        (output, result)
    }

    /// `moss context ACTION WORDS...`
    pub fn context_cmd(&self, action: &str, words: &[&str]) -> Output {
        self.moss().arg("context").arg(action).args(words).output().unwrap()
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it is not the expected one.
#[track_caller]
pub fn assert_exit(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "expected exit {expected}, got {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        stdout(output),
        stderr(output)
    );
}

/// The `--json` result: stdout must hold exactly one JSON object with every documented key.
#[track_caller]
pub fn parse_result(output: &Output) -> Value {
    let value: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not exactly one JSON document ({e})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            stdout(output),
            stderr(output)
        )
    });
    let object = value.as_object().unwrap_or_else(|| panic!("the result is not an object: {value}"));
    for key in ["ok", "returns", "returns_repr", "stdout", "stderr", "error", "context", "duration_ms", "warnings"] {
        assert!(object.contains_key(key), "the result has no `{key}`: {value}");
    }
    assert!(value["ok"].is_boolean(), "ok is not a bool: {value}");
    assert!(value["stdout"].is_string() && value["stderr"].is_string(), "stdout/stderr are not strings: {value}");
    assert!(value["duration_ms"].is_number(), "duration_ms is not a number: {value}");
    assert!(value["warnings"].is_array(), "warnings is not an array: {value}");
    let context = &value["context"];
    for key in ["path", "saved", "changed"] {
        assert!(context.get(key).is_some(), "context has no `{key}`: {value}");
    }
    assert!(context["saved"].is_boolean() && context["changed"].is_array(), "bad context report: {value}");
    match &value["error"] {
        Value::Null => assert_eq!(value["ok"], true, "no error but ok is false: {value}"),
        Value::Object(error) => {
            assert_eq!(value["ok"], false, "an error but ok is true: {value}");
            for key in ["kind", "type", "message", "traceback", "file", "line", "column", "hint"] {
                assert!(error.contains_key(key), "error has no `{key}`: {value}");
            }
            let kind = error["kind"].as_str().unwrap_or_default();
            assert!(
                [
                    "exception",
                    "syntax",
                    "no-code",
                    "target",
                    "module",
                    "context",
                    "timeout",
                    "interrupted",
                    "crash",
                    "usage",
                    "device",
                    "api-error",
                    "internal"
                ]
                .contains(&kind),
                "unknown error kind {kind:?}: {value}"
            );
        }
        other => panic!("error is neither null nor an object: {other}"),
    }
    value
}

/// Asserts a failed `--json` result of the given kind.
#[track_caller]
pub fn assert_error_kind(result: &Value, kind: &str) {
    assert_eq!(result["ok"], false, "{result}");
    assert_eq!(result["error"]["kind"], kind, "{result}");
    assert_eq!(result["context"]["saved"], false, "{result}");
}

/// The message of a result's error, for `contains` checks.
pub fn error_message(result: &Value) -> String {
    result["error"]["message"].as_str().unwrap_or_default().to_owned()
}

/// The `X.Y` version of the user's `python3`.
pub fn python_version() -> String {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"])
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "python3 failed: {}", stderr(&output));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Reports a test that cannot run here and why. Written straight to the process's stderr, past
/// the test harness's capture, so a skip is never mistaken for a pass.
pub fn skip(test: &str, reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
}

/// Why `moss python` cannot import pytest here, if it cannot.
pub fn pytest_missing(sandbox: &Sandbox) -> Option<String> {
    let out = sandbox.moss().args(["python", "-c", "import pytest"]).output().unwrap();
    (!out.status.success())
        .then(|| format!("pytest is not importable by moss python (pip install pytest): {}", stderr(&out)))
}
