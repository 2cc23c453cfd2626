//! `moss test --replay` re-runs a MOSS file's journaled successful runs against the file as it is
//! now, each from the properties it started from, saving nothing; `moss log FILE --pin N` makes a
//! run a case that plain `moss test` runs.

mod common;

use common::{Sandbox, assert_exit, stderr, stdout};

const AGENT: &str = "from ghostos_moss import Moss as Parent\n\n\n\
    def double(x: int) -> int:\n    return 2 * x\n\n\n\
    class Moss(Parent):\n    count: int = 0\n";

/// The agent after a change that breaks code written against it: `double` is now `twice`.
const CHANGED_AGENT: &str = "from ghostos_moss import Moss as Parent\n\n\n\
    def twice(x: int) -> int:\n    return 2 * x\n\n\n\
    class Moss(Parent):\n    count: int = 0\n";

/// An agent with three runs journaled: run 1 counts from 0 to 1, run 2 only succeeds when it
/// starts from count 1 (as it did), run 3 failed.
fn journaled_agent() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write("first.py", "def main(moss):\n    moss.count = double(moss.count) + 1\n    return moss.count\n");
    sandbox.write(
        "second.py",
        "def main(moss):\n    if moss.count != 1:\n        raise ValueError(f'started from {moss.count}')\n    \
         moss.count = double(moss.count)\n",
    );
    sandbox.write("failed.py", "def main(moss):\n    return undefined_name\n");
    for (code, exit) in [("first.py", 0), ("second.py", 0), ("failed.py", 1)] {
        assert_exit(&sandbox.exec("agent.py", code, &[]), exit);
    }
    sandbox
}

/// The bytes of the context file and of the journal.
fn saved(sandbox: &Sandbox) -> (Vec<u8>, Vec<u8>) {
    (sandbox.read(".moss/agent.context.json"), sandbox.read(".moss/agent.runs.jsonl"))
}

fn moss_test(sandbox: &Sandbox, extra: &[&str]) -> std::process::Output {
    sandbox.moss().env("CI", "true").arg("test").args(extra).output().unwrap()
}

#[test]
fn an_unchanged_file_replays_clean_each_run_from_the_properties_it_started_from() {
    let sandbox = journaled_agent();
    let before = saved(&sandbox);
    let out = moss_test(&sandbox, &["--replay"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    // Run 2 passes only when it starts from count 1, not from the saved count 2; run 3 failed
    // when it ran, so it is not replayed.
    assert_eq!(text.lines().last(), Some("2 passed, 0 failed"), "{text}");
    assert!(text.contains("PASS  agent.py (2 cases)"), "{text}");
    assert_eq!(saved(&sandbox), before, "a replay saves nothing: context and journal are untouched");
}

#[test]
fn a_change_that_breaks_a_recorded_run_is_reported_with_its_error_and_nothing_is_saved() {
    let sandbox = journaled_agent();
    sandbox.write("agent.py", CHANGED_AGENT);
    let before = saved(&sandbox);
    let out = moss_test(&sandbox, &["--replay", "agent.py"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert_eq!(text.lines().last(), Some("0 passed, 2 failed"), "{text}");
    for expected in [
        "---- agent.py::run 1 ----\nNameError: name 'double' is not defined",
        "---- agent.py::run 2 ----\nNameError: name 'double' is not defined",
        "moss.count = double(moss.count) + 1",
        "the MOSS file as it is now breaks it",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("run 3"), "a run that failed when it ran is not replayed:\n{text}");
    assert_eq!(saved(&sandbox), before, "a failing replay saves nothing either");

    let json = moss_test(&sandbox, &["--replay", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let case = &report["files"][0]["cases"][1];
    assert_eq!((case["name"].as_str(), case["outcome"].as_str()), (Some("run 2"), Some("failed")));
    assert_eq!(case["error"]["type"], "NameError");
}

#[test]
fn a_pinned_run_is_a_case_of_moss_test_and_fails_when_the_file_breaks_it() {
    let sandbox = journaled_agent();
    let pinned = sandbox.moss().args(["log", "agent.py", "--pin", "2"]).output().unwrap();
    assert_exit(&pinned, 0);
    let folder = std::fs::read_dir(sandbox.path("agent.pinned")).unwrap();
    let files: Vec<_> = folder.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(stderr(&pinned).contains(&format!("agent.pinned/{}", files[0])), "{}", stderr(&pinned));
    let case: serde_json::Value = serde_json::from_slice(&sandbox.read(&format!("agent.pinned/{}", files[0]))).unwrap();
    assert_eq!(case["start"], serde_json::json!({"count": 1}), "the run's starting properties are pinned");

    let passing = moss_test(&sandbox, &["agent.py"]);
    assert_exit(&passing, 0);
    let name = format!("pinned:{}", files[0].trim_end_matches(".json"));
    assert!(stdout(&passing).contains("1 passed, 0 failed"), "{}", stdout(&passing));

    sandbox.write("agent.py", CHANGED_AGENT);
    let failing = moss_test(&sandbox, &["agent.py", "--json"]);
    assert_exit(&failing, 1);
    let report: serde_json::Value = serde_json::from_slice(&failing.stdout).unwrap();
    let case = &report["files"][0]["cases"][0];
    assert_eq!(case["name"].as_str(), Some(name.as_str()));
    assert_eq!(case["error"]["message"], "name 'double' is not defined");
}

#[test]
fn only_a_successful_journaled_run_can_be_pinned() {
    let sandbox = journaled_agent();
    let failed = sandbox.moss().args(["log", "agent.py", "--pin", "3"]).output().unwrap();
    assert_exit(&failed, 2);
    assert!(stderr(&failed).contains("run 3 cannot be pinned: it failed"), "{}", stderr(&failed));
    let missing = sandbox.moss().args(["log", "agent.py", "--pin", "4"]).output().unwrap();
    assert_exit(&missing, 2);
    assert!(stderr(&missing).contains("holds runs 1 to 3, not run 4"), "{}", stderr(&missing));
    assert!(!sandbox.exists("agent.pinned"), "nothing is written for a run that cannot be pinned");
}

#[test]
fn moss_log_numbers_the_runs_as_pin_takes_them() {
    let sandbox = journaled_agent();
    let text = stdout(&sandbox.moss().args(["log", "agent.py", "-n", "2"]).output().unwrap());
    assert!(text.starts_with("run 2  ") && text.contains("\nrun 3  "), "{text}");
}

#[test]
fn a_run_that_started_from_more_than_64_kib_of_properties_is_journaled_without_them_and_not_replayed() {
    let sandbox = journaled_agent();
    let big = format!("\"{}\"", "x".repeat(70_000));
    assert_exit(&sandbox.context_cmd("set", &["agent.py", "notes", &big]), 0);
    assert_exit(&sandbox.exec("agent.py", "first.py", &[]), 0);
    let journal = String::from_utf8(sandbox.read(".moss/agent.runs.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(last["start"], serde_json::Value::Null, "starting properties past 64 KiB are not journaled");

    let out = moss_test(&sandbox, &["--replay"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("2 passed, 0 failed, 1 skipped"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("1 successful run of .moss/agent.runs.jsonl skipped, not replayed (run 4): no starting properties are journaled"),
        "{}",
        stderr(&out)
    );
    let refused = sandbox.moss().args(["log", "agent.py", "--pin", "4"]).output().unwrap();
    assert_exit(&refused, 2);
}

#[test]
fn a_pinned_case_file_that_is_not_a_pinned_run_fails_by_name() {
    let sandbox = journaled_agent();
    sandbox.write("agent.pinned/edited.json", "{\"code\": ");
    let out = moss_test(&sandbox, &["agent.py"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("---- agent.py::pinned:edited ----"), "{text}");
    assert!(text.contains("agent.pinned/edited.json is unreadable"), "{text}");
    assert!(text.contains("hint: pin the run again with `moss log FILE --pin N`, or delete the file"), "{text}");
}

/// The shipped robot with one side driven on the simulator, journaled in the context `context`
/// (the default one when None).
fn driven_robot(context: Option<&str>) -> Sandbox {
    let sandbox = Sandbox::with(&["loop/robot.py"]);
    sandbox
        .write("side.py", "def main(moss):\n    moss.body.new_move(run=True).roll(0, 80, 0.5)\n    moss.sides += 1\n");
    let with_context: Vec<&str> = context.map(|path| vec!["--context", path]).unwrap_or_default();
    assert_exit(&sandbox.exec("robot.py", "side.py", &[&["--device", "sim"], with_context.as_slice()].concat()), 0);
    sandbox
}

#[test]
fn a_robot_run_is_replayed_and_pinned_with_the_device_it_ran_with() {
    let sandbox = driven_robot(None);
    let journal: serde_json::Value = serde_json::from_slice(&sandbox.read(".moss/robot.runs.jsonl")).unwrap();
    assert_eq!(journal["device"], "sim", "{journal}");
    let replayed = moss_test(&sandbox, &["--replay", "robot.py"]);
    assert_exit(&replayed, 0);
    assert!(stdout(&replayed).contains("1 passed, 0 failed"), "{}", stdout(&replayed));

    assert_exit(&sandbox.moss().args(["log", "robot.py", "--pin", "1"]).output().unwrap(), 0);
    let pinned = std::fs::read_dir(sandbox.path("robot.pinned")).unwrap().flatten().next().unwrap().path();
    let case: serde_json::Value = serde_json::from_slice(&std::fs::read(&pinned).unwrap()).unwrap();
    assert_eq!(case["device"], "sim", "{case}");
    let out = moss_test(&sandbox, &["robot.py"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 passed, 0 failed"), "{}", stdout(&out));
}

#[test]
fn a_run_pinned_on_a_real_bolt_runs_again_on_the_simulator() {
    let sandbox = driven_robot(None);
    assert_exit(&sandbox.moss().args(["log", "robot.py", "--pin", "1"]).output().unwrap(), 0);
    let pinned = std::fs::read_dir(sandbox.path("robot.pinned")).unwrap().flatten().next().unwrap().path();
    let text = std::fs::read_to_string(&pinned).unwrap().replace("\"device\": \"sim\"", "\"device\": \"SB-1A2B\"");
    std::fs::write(&pinned, text).unwrap();
    let out = moss_test(&sandbox, &["robot.py"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 passed, 0 failed"), "{}", stdout(&out));
}

#[test]
fn runs_made_with_a_context_of_their_own_are_pinned_and_replayed_from_its_journal() {
    let sandbox = driven_robot(Some("work/context.json"));
    let replayed = moss_test(&sandbox, &["--replay", "robot.py", "--context", "work/context.json"]);
    assert_exit(&replayed, 0);
    assert!(stdout(&replayed).contains("PASS  robot.py (1 case)"), "{}", stdout(&replayed));
    let pin =
        sandbox.moss().args(["log", "robot.py", "--context", "work/context.json", "--pin", "1"]).output().unwrap();
    assert_exit(&pin, 0);
    let out = moss_test(&sandbox, &["robot.py"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 passed, 0 failed"), "{}", stdout(&out));

    sandbox.write("other.py", "from ghostos_moss import Moss\n");
    let two = moss_test(&sandbox, &["--replay", ".", "--context", "work/context.json"]);
    assert_exit(&two, 2);
    assert!(stderr(&two).contains("--context names the context of one MOSS file"), "{}", stderr(&two));
}

#[test]
fn an_old_journal_without_starting_properties_replays_as_skipped_runs_not_as_a_green_nothing() {
    let sandbox = journaled_agent();
    let journal = String::from_utf8(sandbox.read(".moss/agent.runs.jsonl")).unwrap();
    let old: Vec<String> = journal
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            record.as_object_mut().unwrap().remove("start");
            record.to_string() + "\n"
        })
        .collect();
    sandbox.write(".moss/agent.runs.jsonl", old.concat());
    let out = moss_test(&sandbox, &["--replay", "agent.py"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("0 passed, 0 failed, 2 skipped"), "{}", stdout(&out));
    let warnings = stderr(&out);
    assert!(warnings.contains("2 successful runs of .moss/agent.runs.jsonl skipped, not replayed (run 1, run 2): no starting properties are journaled"), "{warnings}");
    assert!(!warnings.contains("holds no successful run"), "{warnings}");
}

#[test]
fn a_failing_pinned_case_points_at_the_line_of_its_code_not_of_its_json() {
    let sandbox = journaled_agent();
    assert_exit(&sandbox.moss().args(["log", "agent.py", "--pin", "1"]).output().unwrap(), 0);
    sandbox.write("agent.py", CHANGED_AGENT);
    let out = moss_test(&sandbox, &["agent.py"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let pinned = std::fs::read_dir(sandbox.path("agent.pinned")).unwrap().flatten().next().unwrap().file_name();
    let place = format!("--> agent.pinned/{}#code:2", pinned.to_string_lossy());
    assert!(text.contains(&place), "{place} in:\n{text}");
}

#[test]
fn pinned_runs_whose_moss_file_was_renamed_are_named_not_silently_dropped() {
    let sandbox = journaled_agent();
    assert_exit(&sandbox.moss().args(["log", "agent.py", "--pin", "2"]).output().unwrap(), 0);
    std::fs::rename(sandbox.path("agent.py"), sandbox.path("bot.py")).unwrap();
    let out = moss_test(&sandbox, &[]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("agent.pinned holds pinned runs of agent.py, which is gone: they are not run"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("rename the folder with its MOSS file"), "{}", stderr(&out));
}

/// A pinned run is committed to be read and edited: one a Windows editor saved with a byte order
/// mark and CRLF line endings still runs as a case.
#[test]
fn a_pinned_run_saved_with_a_byte_order_mark_still_runs() {
    let sandbox = journaled_agent();
    assert_exit(&sandbox.moss().args(["log", "agent.py", "--pin", "2"]).output().unwrap(), 0);
    let file = std::fs::read_dir(sandbox.path("agent.pinned")).unwrap().flatten().next().unwrap().path();
    let text = std::fs::read_to_string(&file).unwrap().replace('\n', "\r\n");
    std::fs::write(&file, format!("\u{feff}{text}")).unwrap();
    let out = moss_test(&sandbox, &["agent.py"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 passed, 0 failed"), "{}", stdout(&out));
}

/// Another MOSS file's context holds that file's runs: they are neither pinned beside this file
/// nor replayed against it.
#[test]
fn another_moss_files_context_is_neither_pinned_nor_replayed() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write("other.py", AGENT);
    sandbox.write("first.py", "def main(moss):\n    moss.count = double(moss.count) + 1\n");
    assert_exit(&sandbox.exec("agent.py", "first.py", &["--context", "loop.json"]), 0);

    let pinned = sandbox.moss().args(["log", "other.py", "--context", "loop.json", "--pin", "1"]).output().unwrap();
    assert_exit(&pinned, 4);
    assert!(stderr(&pinned).contains("the context file loop.json belongs to ./agent.py"), "{}", stderr(&pinned));
    assert!(!sandbox.exists("other.pinned"));

    let replayed = moss_test(&sandbox, &["--replay", "other.py", "--context", "loop.json"]);
    assert_exit(&replayed, 1);
    assert!(stdout(&replayed).contains("belongs to"), "{}", stdout(&replayed));
    assert_exit(&moss_test(&sandbox, &["--replay", "agent.py", "--context", "loop.json"]), 0);
}
