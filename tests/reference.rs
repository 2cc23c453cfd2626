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

#[test]
fn ghostos_moss_0_3_7_passes_its_own_public_api_tests() {
    let test = "ghostos_moss_0_3_7_passes_its_own_public_api_tests";
    // These two assert a fact of Python itself, not of the package: `dict[str, int]` is a class
    // for `inspect.isclass` up to Python 3.10 only.
    let sandbox = Sandbox::new();
    let fact = sandbox.moss().args(["python", "-c", "import inspect; print(inspect.isclass(dict[str, int]))"]).output();
    let generic_alias_is_class = stdout(&fact.unwrap()).trim() == "True";
    let python_fact = if generic_alias_is_class { "passed" } else { "failed" };
    let mut expected: Vec<(&str, &str)> = [
        "tests/test_callable.py::test_get_callable_definition",
        "tests/test_callable.py::test_count_source_indent",
        "tests/test_callable.py::test_strip_source_indent",
        "tests/test_callable.py::test_get_callable_definition_with_class",
        "tests/test_callable.py::test_class_callable",
        "tests/test_callable.py::test_get_callable_definition_with_abstractmethod",
        "tests/test_moss_type.py::test_module_without_moss_type_has_one",
        "tests/test_moss_type.py::test_with_default_moss_type",
        "tests/test_prompts.py::test_reflect_locals_imported_baseline",
        "tests/test_prompts.py::test_typed_dict_reflect_code",
        "tests/test_pycontext.py::test_pycontext_join_baseline",
        "tests/test_pycontext.py::test_property_with_values",
        "tests/test_pycontext.py::test_property_with_local_module",
        "tests/test_self_updater.py::test_self_updater",
        "tests/test_utils.py::test_replace_class_def_name",
        "tests/test_utils.py::test_strip_source_indent",
        "tests/test_utils.py::test_get_class_def_from_source",
        "tests/test_utils.py::test_escape_string_quotes",
        "tests/test_utils.py::test_parse_doc_string",
        "tests/examples/test_baseline.py::test_baseline_exec",
        "tests/examples/test_baseline.py::test_baseline_in_test_mode",
        "tests/examples/test_baseline.py::test_baseline_with_pycontext_code",
        "tests/examples/test_moss_reflect_imported_typehint.py::test_moss_reflect_imported_typehint",
    ]
    .map(|name| (name, "passed"))
    .to_vec();
    expected.push(("tests/test_utils.py::test_is_class_and_is_subclass", python_fact));
    expected.push(("tests/test_utils.py::test_is_typing", python_fact));
    run_reference_suite(
        test,
        ("ghostos_moss", "0.3.7"),
        &["ghostos_moss", "ghostos_container"],
        &[
            "tests",
            // Private internals of the reference's implementation, which moss does not have:
            // `_parse_pycontext_code` of its runtime class and the instance counters of its
            // `MossStub` and `MossTempModuleType`.
            "--deselect",
            "tests/test_prompts.py::test_prompts_mark_judgement",
            "--deselect",
            "tests/examples/test_baseline.py::test_moss_gc",
        ],
        &expected,
    );
}

/// Prints `{module: [public names]}` for the modules named in argv[2:], read (never run) from the
/// source folder argv[1]: a module's `__all__`, or its public top-level classes and functions.
const PUBLIC_NAMES: &str = r#"
import ast, json, os, sys

root, found = sys.argv[1], {}
for module in sys.argv[2:]:
    parts = module.split(".")
    candidates = [os.path.join(root, *parts) + ".py", os.path.join(root, *parts, "__init__.py")]
    path = next(p for p in candidates if os.path.isfile(p))
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            names = [element.value for element in node.value.elts]
    if names is None:
        names = [node.name for node in tree.body
                 if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and not node.name.startswith("_")]
    found[module] = names
print(json.dumps(found))
"#;

/// The names docs/compatibility.md lists, by module: a `## `module`` heading, then table rows
/// whose first cell is a name in backticks.
fn listed_names() -> BTreeMap<String, Vec<String>> {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/compatibility.md")).unwrap();
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut module = None;
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            module = heading.strip_prefix('`').and_then(|h| h.strip_suffix('`')).map(str::to_owned);
        } else if let (Some(module), Some(row)) = (&module, line.strip_prefix("| `")) {
            let name = row.split('`').next().unwrap().to_owned();
            listed.entry(module.clone()).or_default().push(name);
        }
    }
    listed
}

#[test]
fn the_compatibility_page_lists_every_public_name_of_the_reference_and_each_imports() {
    let test = "the_compatibility_page_lists_every_public_name_of_the_reference_and_each_imports";
    let listed = listed_names();
    let pairs: Vec<String> =
        listed.iter().flat_map(|(m, names)| names.iter().map(move |n| format!("{m}:{n}"))).collect();
    assert!(pairs.len() > 100, "the page's tables were read: {listed:?}");
    let sandbox = Sandbox::new();
    let importer = "import importlib, sys\n\
                    missing = []\n\
                    for pair in sys.argv[1:]:\n    module, _, name = pair.partition(':')\n    \
                    try:\n        getattr(importlib.import_module(module), name)\n    \
                    except Exception as e:\n        missing.append(f'{pair}: {type(e).__name__}: {e}')\n\
                    print('\\n'.join(missing))\n\
                    sys.exit(1 if missing else 0)\n";
    let out = sandbox.moss().args(["python", "-c", importer]).args(&pairs).output().unwrap();
    assert!(
        out.status.success(),
        "listed on docs/compatibility.md but not importable:\n{}{}",
        stdout(&out),
        stderr(&out)
    );

    let public_modules: [(&str, &str, &[&str]); 2] = [
        (
            "ghostos_moss",
            "0.3.7",
            &[
                "ghostos_moss",
                "ghostos_moss.abcd",
                "ghostos_moss.prompts",
                "ghostos_moss.magics",
                "ghostos_moss.exports",
                "ghostos_moss.lifecycle",
                "ghostos_moss.pycontext",
                "ghostos_moss.utils",
                "ghostos_moss.testsuite",
                "ghostos_moss.modules",
                "ghostos_moss.self_updater",
                "ghostos_moss.moss_impl",
            ],
        ),
        ("ghostos_container", "0.2.7", &["ghostos_container"]),
    ];
    for (package, version, modules) in public_modules {
        let sdist = match download_sdist(package, version) {
            Ok(sdist) => sdist,
            Err(reason) => return common::skip(test, &reason),
        };
        let root = unpack(&sdist, sandbox.root());
        let out =
            Command::new("python3").args(["-c", PUBLIC_NAMES]).arg(root.join("src")).args(modules).output().unwrap();
        assert!(out.status.success(), "reading the reference's names failed: {}", stderr(&out));
        let public: BTreeMap<String, Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
        for (module, names) in public {
            let on_page = listed.get(&module).cloned().unwrap_or_default();
            let missing: Vec<&String> = names.iter().filter(|n| !on_page.contains(n)).collect();
            assert!(missing.is_empty(), "docs/compatibility.md does not list {module}'s {missing:?}");
        }
    }
}

#[test]
fn the_references_own_example_moss_files_prompt_run_and_test_under_moss() {
    let test = "the_references_own_example_moss_files_prompt_run_and_test_under_moss";
    let sandbox = Sandbox::new();
    let sdist = match download_sdist("ghostos_moss", "0.3.7") {
        Ok(sdist) => sdist,
        Err(reason) => return common::skip(test, &reason),
    };
    let root = unpack(&sdist, sandbox.root());
    let examples = sandbox.path("examples");
    std::fs::create_dir(&examples).unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("src/ghostos_moss/examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            std::fs::copy(&path, examples.join(path.file_name().unwrap())).unwrap();
            files.push(path.file_name().unwrap().to_str().unwrap().to_owned());
        }
    }
    assert!(files.len() >= 7, "the examples were found: {files:?}");
    for file in &files {
        let out = sandbox.moss().current_dir(&examples).args(["prompt", file]).output().unwrap();
        assert!(out.status.success(), "moss prompt {file}:\n{}", stderr(&out));
        let prompt = stdout(&out);
        assert!(!prompt.contains("moss-hide") && !prompt.contains("__moss_compile__"), "{file}:\n{prompt}");
    }
    // Its test suite example keeps its cases under `if __name__ == "__test__":`.
    let out = sandbox.moss().current_dir(&examples).args(["test", "."]).output().unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).lines().last(), Some("3 passed, 0 failed"), "{}", stdout(&out));
    // Its baseline binds `foo` and fills `life` in `__moss_compile__`.
    std::fs::write(examples.join("gen.py"), "def main(moss):\n    return [plus(1, 2), moss.foo.foo(), moss.life]\n")
        .unwrap();
    let out = sandbox
        .moss()
        .current_dir(&examples)
        .args(["exec", "baseline.py", "--code", "gen.py", "--no-context"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[3,\"hello\",[\"__moss_compile__\"]]\n");
}
