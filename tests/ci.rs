//! What docs/ci.md and .pre-commit-hooks.yaml tell CI to run works as they say: the hook's command
//! as pre-commit invokes it, and the workflow's `moss` steps over its whole shard matrix.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use common::{Sandbox, assert_exit, stderr, stdout};

fn repository_file(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The hooks of a `.pre-commit-hooks.yaml`, each as its `key: value` pairs. The file is a flat
/// list of mappings of plain scalars, which this reads; anything else fails the test.
fn hooks(yaml: &str) -> Vec<BTreeMap<String, String>> {
    let mut hooks: Vec<BTreeMap<String, String>> = Vec::new();
    for line in yaml.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
        let entry = match line.strip_prefix("- ") {
            Some(first) => {
                hooks.push(BTreeMap::new());
                first
            }
            None => line.strip_prefix("  ").unwrap_or_else(|| panic!("not a hook's key: {line:?}")),
        };
        let (key, value) = entry.split_once(": ").unwrap_or_else(|| panic!("not `key: value`: {line:?}"));
        hooks.last_mut().expect("a key before any hook").insert(key.into(), value.into());
    }
    hooks
}

/// `sh -c SCRIPT` in the sandbox, with this build's moss first on the PATH.
fn shell(sandbox: &Sandbox, script: &str) -> Output {
    let moss = assert_cmd::cargo::cargo_bin("moss");
    let path = format!("{}:{}", moss.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    Command::new("sh")
        .args(["-c", script])
        .current_dir(sandbox.root())
        .env("PATH", path)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

const PASSING: &str = "from ghostos_moss import Moss\n\n\ndef test_ok(moss):\n    pass\n\n\n\
    __moss_test_cases__ = ['test_ok']\n";

#[test]
fn the_pre_commit_hook_tests_the_changed_moss_files_and_never_imports_other_python() {
    let hooks = hooks(&repository_file(".pre-commit-hooks.yaml"));
    let hook = hooks.iter().find(|h| h.get("id").map(String::as_str) == Some("moss-test")).expect("a moss-test hook");
    assert_eq!(hook.get("language").map(String::as_str), Some("system"));
    assert_eq!(hook.get("pass_filenames").map(String::as_str), Some("true"));
    let files = regex::Regex::new(&hook["files"]).expect("`files` is a regular expression");
    assert!(files.is_match("agents/robot.py") && !files.is_match("notes.txt") && !files.is_match("x.pyc"));

    let sandbox = Sandbox::new();
    sandbox.write("agent.py", PASSING);
    sandbox.write("script.py", "open('imported', 'w').write('this script ran')\n");
    // pre-commit runs `entry` followed by the changed files that `files` matches.
    let run = |changed: &str| shell(&sandbox, &format!("{} {changed}", hook["entry"]));
    let both = run("agent.py script.py");
    assert_exit(&both, 0);
    assert_eq!(stdout(&both).lines().last(), Some("1 passed, 0 failed"), "{}", stdout(&both));
    let only_other = run("script.py");
    assert_exit(&only_other, 0);
    assert!(stderr(&only_other).contains("no MOSS file among the files given"), "{}", stderr(&only_other));
    assert!(!sandbox.exists("imported"), "a Python file that is no MOSS file is never imported");

    sandbox.write("agent.py", PASSING.replace("pass", "raise ValueError('broken')"));
    assert_exit(&run("agent.py script.py"), 1);
}

/// The `run:` scripts of the workflow in docs/ci.md that call moss, with the job's matrix.
fn workflow_moss_steps() -> Vec<String> {
    let doc = repository_file("docs/ci.md");
    let workflow = doc.split("```yaml\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a workflow");
    let mut steps = Vec::new();
    let mut lines = workflow.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(run) = line.trim_start().strip_prefix("- run: ").or_else(|| line.trim_start().strip_prefix("run: "))
        else {
            continue;
        };
        let script = if run == "|" {
            let indent = lines.peek().map_or(0, |l| l.len() - l.trim_start().len());
            let mut block = String::new();
            while let Some(next) = lines.next_if(|l| l.len() - l.trim_start().len() >= indent && !l.trim().is_empty()) {
                block.push_str(&next[indent..]);
                block.push('\n');
            }
            block
        } else {
            run.to_owned()
        };
        if script.contains("moss ") && !script.contains("install") {
            steps.push(script);
        }
    }
    steps
}

#[test]
fn the_documented_workflow_runs_every_file_once_over_its_shards_and_gates_the_prompt_budget() {
    let steps = workflow_moss_steps();
    let test_step = steps.iter().find(|s| s.contains("moss test --shard")).expect("a sharded moss test step");
    let budget_step = steps.iter().find(|s| s.contains("--max-tokens")).expect("a prompt budget step");
    let sandbox = Sandbox::new();
    for n in 0..6 {
        sandbox.write(&format!("agents/agent{n}.py"), PASSING);
    }
    let mut suites = Vec::new();
    for shard in 1..=4 {
        let out = shell(&sandbox, &test_step.replace("${{ matrix.shard }}", &shard.to_string()));
        assert_exit(&out, 0);
        let junit = String::from_utf8(sandbox.read(&format!("reports/moss-{shard}.xml"))).unwrap();
        let document = roxmltree::Document::parse(&junit).unwrap();
        suites.extend(
            document
                .descendants()
                .filter(|n| n.has_tag_name("testsuite"))
                .map(|n| n.attribute("name").unwrap().to_owned()),
        );
    }
    suites.sort();
    let all: Vec<String> = (0..6).map(|n| format!("agents/agent{n}.py")).collect();
    assert_eq!(suites, all, "the four jobs test each file once");

    assert_exit(&shell(&sandbox, budget_step), 0);
    sandbox.write("agents/agent0.py", format!("{PASSING}\n\n\"\"\"{}\"\"\"\n", "many words here ".repeat(3000)));
    let over = shell(&sandbox, budget_step);
    assert_exit(&over, 1);
    assert!(stderr(&over).contains("4000"), "{}", stderr(&over));
}
