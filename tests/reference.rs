//! The reference packages' own test suites, run with `moss python -m pytest` against the packages
//! moss ships: a MOSS file's project that tests against `ghostos_container` gets the same results
//! without installing it.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Sandbox, stderr, stdout};

/// Imports the shipped modules first (refusing installed ones: they would be tested instead of
/// moss's), then runs pytest with a plugin that writes `{node id: outcome}` to `sys.argv[1]`.
/// Arguments: OUTCOMES_JSON MODULES(comma-separated) PYTEST_ARGS...
const DRIVER: &str = r#"
import importlib, json, sys
import pytest

out, modules, args = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
for name in modules:
    origin = getattr(importlib.import_module(name), "__file__", None) or "<unknown>"
    if not origin.startswith("<moss>/"):
        sys.exit(f"{name} is imported from {origin}, not from moss; uninstall it (pip uninstall {name}) so that moss's own is tested")


class Outcomes:
    """The outcome of each test: the first phase that did not pass decides it."""

    def __init__(self):
        self.by_test = {}

    def pytest_runtest_logreport(self, report):
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed:
            outcome = "failed" if report.when == "call" else "error"
        elif report.skipped:
            outcome = "skipped"
        else:
            outcome = "passed" if report.when == "call" else None
        if outcome and self.by_test.get(report.nodeid, "passed") == "passed":
            self.by_test[report.nodeid] = outcome

    def pytest_collectreport(self, report):
        if report.failed:
            self.by_test[report.nodeid] = "error"


outcomes = Outcomes()
status = pytest.main(args, plugins=[outcomes])
with open(out, "w") as f:
    json.dump(outcomes.by_test, f)
sys.exit(int(status))
"#;

/// Runs `test_paths` of the sdist of `package==version` (from PyPI) with `moss python -m pytest`
/// and asserts that exactly the tests of `expected` ran, each with its outcome (`passed`, `failed`,
/// `error`, `skipped`, `xfailed` or `xpassed`), by pytest node id (`tests/test_x.py::test_y`).
/// `shipped` are the modules that must be moss's own, not installed ones. When pip, the network
/// or pytest is unavailable the test is skipped, saying why.
fn run_reference_suite(
    test: &str,
    (package, version): (&str, &str),
    shipped: &[&str],
    test_paths: &[&str],
    expected: &[(&str, &str)],
) {
    let sandbox = Sandbox::new();
    if let Some(reason) = common::pytest_missing(&sandbox) {
        return common::skip(test, &reason);
    }
    let sdist = match download_sdist(package, version) {
        Ok(sdist) => sdist,
        Err(reason) => return common::skip(test, &reason),
    };
    let root = unpack(&sdist, sandbox.root());
    let outcomes_file = sandbox.path("outcomes.json");
    let out = sandbox
        .moss()
        .current_dir(&root)
        .args(["python", "-c", DRIVER])
        .arg(&outcomes_file)
        .arg(shipped.join(","))
        .args(["-q", "-p", "no:cacheprovider"])
        .args(test_paths)
        .output()
        .unwrap();
    let report = format!("--- pytest's stdout ---\n{}\n--- stderr ---\n{}", stdout(&out), stderr(&out));
    let outcomes = std::fs::read(&outcomes_file).unwrap_or_else(|_| panic!("pytest did not run\n{report}"));
    let outcomes: BTreeMap<String, String> = serde_json::from_slice(&outcomes).unwrap();
    let expected: BTreeMap<String, String> = expected.iter().map(|(t, o)| (t.to_string(), o.to_string())).collect();
    let differences: Vec<String> = expected
        .keys()
        .chain(outcomes.keys().filter(|t| !expected.contains_key(*t)))
        .filter(|t| expected.get(*t) != outcomes.get(*t))
        .map(|t| {
            let expected = expected.get(t).map_or("not to run", String::as_str);
            format!("{t}: expected {expected}, got {}", outcomes.get(t).map_or("no result", String::as_str))
        })
        .collect();
    assert!(differences.is_empty(), "{package} {version}'s tests:\n  {}\n{report}", differences.join("\n  "));
}

/// The sdist of `package==version`, downloaded once into the target folder and kept there.
fn download_sdist(package: &str, version: &str) -> Result<PathBuf, String> {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference-sdists");
    let stem = format!("{}-{version}", package.replace('-', "_"));
    let cached = cache.join(format!("{stem}.tar.gz"));
    if cached.is_file() {
        return Ok(cached);
    }
    // Downloaded beside the cache and moved in whole: an interrupted download is never used.
    let partial = tempfile::tempdir_in(Path::new(env!("CARGO_TARGET_TMPDIR"))).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps"])
        .arg(format!("{package}=={version}"))
        .arg("-d")
        .arg(partial.path())
        .output()
        .map_err(|e| format!("python3 -m pip cannot run: {e}"))?;
    let downloaded = partial.path().join(format!("{stem}.tar.gz"));
    if !out.status.success() || !downloaded.is_file() {
        return Err(format!("pip could not download the sdist of {package}=={version}: {}", stderr(&out)));
    }
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::rename(&downloaded, &cached).unwrap();
    Ok(cached)
}

/// Unpacks an sdist into `into`; returns its top folder.
fn unpack(sdist: &Path, into: &Path) -> PathBuf {
    let out = Command::new("tar").arg("-xzf").arg(sdist).arg("-C").arg(into).output().unwrap();
    assert!(out.status.success(), "tar could not unpack {}: {}", sdist.display(), stderr(&out));
    let name = sdist.file_name().unwrap().to_str().unwrap().trim_end_matches(".tar.gz");
    into.join(name)
}

#[test]
fn ghostos_container_0_2_7_passes_its_own_tests() {
    let passed = |name| (name, "passed");
    let expected = [
        "tests/test_container.py::test_container_baseline",
        "tests/test_container.py::test_sub_container",
        "tests/test_container.py::test_boostrap",
        "tests/test_container.py::test_provider_generic_types",
        "tests/test_container.py::test_provide_with_lambda",
        "tests/test_container.py::test_provide_in_loop",
        "tests/test_container.py::test_container_set_str",
        "tests/test_container.py::test_container_inherit",
        "tests/test_container.py::test_bloodline",
        "tests/test_container.py::test_container_shutdown",
        "tests/test_container.py::test_container_make_baseline",
        "tests/test_container.py::test_container_call_baseline",
        "tests/test_container.py::test_container_with_factory_type",
        "tests/test_container.py::test_bootstrap_after_bootstrapped",
    ]
    .map(passed);
    run_reference_suite(
        "ghostos_container_0_2_7_passes_its_own_tests",
        ("ghostos_container", "0.2.7"),
        &["ghostos_container"],
        &["tests/test_container.py"],
        &expected,
    );
}
