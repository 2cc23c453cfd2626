//! The run journal: every `moss exec`, success or failure, leaves one whole JSON record in
//! `<stem>.runs.jsonl` beside the context file; `moss log` shows it.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Sandbox, assert_exit, stdout};
use serde_json::{Value, json};

const AGENT: &str = "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    count: int = 0\n";
const JOURNAL: &str = ".moss/agent.runs.jsonl";

fn agent() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox
}

/// Every line of the journal, each of which must be a whole JSON record.
fn records(sandbox: &Sandbox) -> Vec<Value> {
    let text = String::from_utf8(sandbox.read(JOURNAL)).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "the journal ends in a cut line: {text:?}");
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a whole record ({e}): {line:?}")))
        .collect()
}

#[test]
fn a_success_and_each_kind_of_failure_are_journaled_and_failures_leave_the_context_byte_identical() {
    let sandbox = agent();
    sandbox.write("ok.py", "def main(moss):\n    moss.count += 1\n    print('hello')\n    return {'n': moss.count}\n");
    let out = sandbox.exec("agent.py", "ok.py", &[]);
    assert_exit(&out, 0);
    let context = sandbox.read(".moss/agent.context.json");
    // (code file, code, error kind, exit status, the error's line and its text)
    type Failure<'a> = (&'a str, &'a str, &'a str, i32, Option<(u64, &'a str)>);
    let failures: [Failure; 5] = [
        (
            "raise.py",
            "def main(moss):\n    moss.count = 9\n    return 1 / 0\n",
            "exception",
            1,
            Some((3, "    return 1 / 0")),
        ),
        ("syntax.py", "def main(moss)\n    pass\n", "syntax", 3, Some((1, "def main(moss)"))),
        ("notarget.py", "x = 1\n", "target", 3, None),
        ("slow.py", "import time\ndef main(moss):\n    moss.count = 9\n    time.sleep(30)\n", "timeout", 124, None),
        ("crash.py", "import os\ndef main(moss):\n    moss.count = 9\n    os._exit(7)\n", "crash", 1, None),
    ];
    for (name, code, kind, exit, line) in failures {
        sandbox.write(name, code);
        let out = sandbox.exec("agent.py", name, &["--timeout", "2"]);
        assert_exit(&out, exit);
        assert_eq!(sandbox.read(".moss/agent.context.json"), context, "{kind}: the context changed");
        let record = records(&sandbox).pop().unwrap();
        assert_eq!(record["ok"], false, "{kind}");
        assert_eq!(record["exit"], exit, "{kind}");
        assert_eq!(record["code"], code, "{kind}");
        assert_eq!(record["code_source"], name, "{kind}");
        assert_eq!(record["error"]["kind"], kind, "{record}");
        assert_eq!(record["context"], json!({"added": {}, "changed": {}, "removed": {}}), "{kind}");
        if let Some((number, text)) = line {
            assert_eq!(record["error"]["line"], number, "{record}");
            assert_eq!(record["error"]["line_text"], text, "{record}");
        }
    }
    let empty = sandbox.moss().args(["exec", "agent.py", "--code", "-"]).write_stdin("  \n").output().unwrap();
    assert_exit(&empty, 3);
    assert_eq!(sandbox.read(".moss/agent.context.json"), context);

    let all = records(&sandbox);
    assert_eq!(all.len(), 7, "one record per run");
    let first = &all[0];
    assert_eq!(first["ok"], true);
    assert_eq!(first["exit"], 0);
    assert_eq!(first["target"], "main");
    assert_eq!(first["returns"], json!({"n": 1}));
    assert_eq!(first["returns_repr"], "{'n': 1}");
    assert_eq!(first["stdout"], "hello\n");
    assert_eq!(first["error"], Value::Null);
    // The code found `count` at its default, 0: the change is the code's, from where it started.
    assert_eq!(first["context"]["changed"], json!({"count": {"before": "0", "after": "1"}}));
    assert!(first["duration_ms"].as_f64().unwrap() > 0.0);
    assert!(first["time"].as_str().unwrap().ends_with('Z'), "{}", first["time"]);
    let raised = &all[1];
    assert_eq!(raised["error"]["type"], "ZeroDivisionError");
    assert_eq!(raised["error"]["message"], "division by zero");
    let no_code = all.last().unwrap();
    assert_eq!(no_code["error"]["kind"], "no-code");
    assert_eq!(no_code["code"], Value::Null);
}

#[test]
fn exec_json_and_the_journal_carry_the_context_diff_with_short_values() {
    let sandbox = agent();
    sandbox.write("first.py", "def main(moss):\n    moss.count = 1\n    moss.old = 'gone soon'\n");
    assert_exit(&sandbox.exec("agent.py", "first.py", &[]), 0);
    sandbox.write("second.py", "def main(moss):\n    moss.count = 2\n    del moss.old\n    moss.big = 'x' * 500\n");
    let (out, result) = sandbox.exec_json("agent.py", "second.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["context"]["changed"], json!(["big", "count", "old"]), "today's names stay");
    let diff = &result["context"]["diff"];
    assert_eq!(diff["changed"], json!({"count": {"before": "1", "after": "2"}}));
    assert_eq!(diff["removed"], json!({"old": "'gone soon'"}), "values are shown as Python reprs");
    let big = diff["added"]["big"].as_str().unwrap();
    assert_eq!(big.chars().count(), 101, "cut to 100 characters and an ellipsis: {big}");
    assert!(big.starts_with("'xxx") && big.ends_with('…'));
    assert_eq!(&records(&sandbox)[1]["context"], diff);

    sandbox.write("fail.py", "def main(moss):\n    moss.count = 3\n    raise ValueError('no')\n");
    let (_, failed) = sandbox.exec_json("agent.py", "fail.py", &[]);
    assert_eq!(failed["context"]["diff"], json!({"added": {}, "changed": {}, "removed": {}}), "nothing was saved");
}

#[test]
fn a_full_journal_is_cut_to_three_quarters_so_the_next_runs_only_append() {
    use std::os::unix::fs::MetadataExt;
    let sandbox = agent();
    sandbox.write("gen.py", "def main(moss):\n    moss.count += 1\n    return moss.count\n");
    let run = || {
        let out = sandbox.moss().env("MOSS_JOURNAL_KEEP", "8").args(["exec", "agent.py", "--code", "gen.py"]).output();
        assert_exit(&out.unwrap(), 0);
    };
    let returns = || records(&sandbox).iter().map(|r| r["returns"].as_i64().unwrap()).collect::<Vec<_>>();
    for _ in 0..9 {
        run();
    }
    assert_eq!(returns(), [4, 5, 6, 7, 8, 9], "the 9th record found the journal full: cut to 6 of 8");
    let inode = || std::fs::metadata(sandbox.path(JOURNAL)).unwrap().ino();
    let cut = inode();
    run();
    run();
    assert_eq!(returns(), [4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(inode(), cut, "the two runs after the cut appended, without rewriting the journal");
}

#[test]
fn old_records_are_dropped_never_the_newest() {
    let sandbox = agent();
    sandbox.write("gen.py", "def main(moss):\n    moss.count += 1\n    return moss.count\n");
    for _ in 0..5 {
        let out = sandbox.moss().env("MOSS_JOURNAL_KEEP", "3").args(["exec", "agent.py", "--code", "gen.py"]).output();
        assert_exit(&out.unwrap(), 0);
    }
    let returns: Vec<Value> = records(&sandbox).iter().map(|r| r["returns"].clone()).collect();
    assert_eq!(returns, [json!(3), json!(4), json!(5)]);

    // Output past the cap is cut in the record, not in the run.
    sandbox.write("loud.py", "def main(moss):\n    print('y' * 10_000_000)\n    return 'loud'\n");
    assert_exit(&sandbox.exec("agent.py", "loud.py", &[]), 0);
    let kept = records(&sandbox);
    assert_eq!(kept.last().unwrap()["returns"], "loud");
    assert!(kept.last().unwrap()["stdout"].as_str().unwrap().contains("bytes cut"), "the output is capped");

    let bad = sandbox.moss().env("MOSS_JOURNAL_KEEP", "lots").args(["exec", "agent.py", "--code", "gen.py"]).output();
    let bad = bad.unwrap();
    assert_exit(&bad, 0);
    assert!(common::stderr(&bad).contains("MOSS_JOURNAL_KEEP=`lots`"), "{}", common::stderr(&bad));
}

#[test]
fn moss_log_shows_the_last_runs_as_text_or_json() {
    let sandbox = agent();
    sandbox.write("ok.py", "def main(moss):\n    moss.count += 1\n    return moss.count\n");
    sandbox.write("bad.py", "def main(moss):\n    moss.count = 5\n    return undefined_name\n");
    for code in ["ok.py", "ok.py", "bad.py"] {
        sandbox.exec("agent.py", code, &[]);
    }
    let plain = sandbox.moss().args(["log", "agent.py"]).output().unwrap();
    assert_exit(&plain, 0);
    let text = stdout(&plain);
    assert_eq!(text.matches("target main").count(), 3, "{text}");
    assert!(text.contains("~count: 1 → 2"), "{text}");
    assert!(text.contains("exception (exit 1)"), "{text}");
    assert!(text.contains("NameError: name 'undefined_name' is not defined"), "{text}");
    assert!(text.contains("at bad.py:3: return undefined_name"), "{text}");

    let last = sandbox.moss().args(["log", "agent.py", "-n", "2", "--json"]).output().unwrap();
    assert_exit(&last, 0);
    let shown: Vec<Value> = serde_json::from_slice(&last.stdout).unwrap();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0]["returns"], 2);
    assert_eq!(shown[1]["error"]["type"], "NameError");

    let by_context = sandbox.moss().args(["log", "--context", ".moss/agent.context.json", "-n", "1"]).output();
    assert!(stdout(&by_context.unwrap()).contains("NameError"));
    let none = sandbox.moss().args(["log", "--context", "other.json", "--json"]).output().unwrap();
    assert_exit(&none, 0);
    assert_eq!(stdout(&none).trim(), "[]");
}

#[test]
fn context_reset_keeps_the_journal_unless_asked_and_no_context_journals_nothing() {
    let sandbox = agent();
    sandbox.write("ok.py", "def main(moss):\n    moss.count += 1\n");
    assert_exit(&sandbox.exec("agent.py", "ok.py", &["--no-context"]), 0);
    assert!(!sandbox.exists(JOURNAL), "--no-context has no context to sit beside");
    assert_exit(&sandbox.exec("agent.py", "ok.py", &[]), 0);
    assert_exit(&sandbox.context_cmd("reset", &["agent.py"]), 0);
    assert_eq!(records(&sandbox).len(), 1);
    assert_exit(&sandbox.context_cmd("reset", &["agent.py", "--journal"]), 0);
    assert!(!sandbox.exists(JOURNAL));
}

#[test]
fn a_line_cut_short_by_a_kill_is_skipped_by_readers_and_removed_by_the_next_append() {
    let sandbox = agent();
    sandbox.write("ok.py", "def main(moss):\n    moss.count += 1\n    return moss.count\n");
    assert_exit(&sandbox.exec("agent.py", "ok.py", &[]), 0);
    let mut text = sandbox.read(JOURNAL);
    text.extend_from_slice(br#"{"time":"2026-01-01T00:00:00Z","code":"def ma"#);
    sandbox.write(JOURNAL, &text);
    let log = sandbox.moss().args(["log", "agent.py", "--json"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&log.stdout).unwrap().len(), 1);
    assert_exit(&sandbox.exec("agent.py", "ok.py", &[]), 0);
    let returns: Vec<Value> = records(&sandbox).iter().map(|r| r["returns"].clone()).collect();
    assert_eq!(returns, [json!(1), json!(2)]);
}

#[test]
fn twenty_concurrent_execs_killed_at_random_moments_leave_only_whole_records() {
    let sandbox = agent();
    // Runs that print enough that a record is larger than one atomic pipe write (4 KiB).
    sandbox.write("gen.py", "def main(moss):\n    moss.count += 1\n    print('z' * 100_000)\n    return moss.count\n");
    let started = Instant::now();
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let mut random = move |below: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    let mut children: Vec<_> = (0..20)
        .map(|_| {
            sandbox
                .moss_process()
                .env("MOSS_JOURNAL_KEEP", "15")
                .args(["exec", "agent.py", "--code", "gen.py"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut killed = 0;
    for child in children.iter_mut() {
        std::thread::sleep(Duration::from_millis(random(150)));
        if random(3) > 0 {
            let _ = child.kill();
            killed += 1;
        }
    }
    for child in children.iter_mut() {
        let _ = child.wait();
    }
    assert!(killed > 0);
    if sandbox.exists(JOURNAL) {
        let text = sandbox.read(JOURNAL);
        let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
        for line in text[..whole].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            serde_json::from_slice::<Value>(line).unwrap_or_else(|e| panic!("a torn record in the journal: {e}"));
        }
    }
    // The next run repairs a line a kill cut short, and nothing the killed runs left blocks it.
    let after = sandbox
        .moss()
        .env("MOSS_LOCK_WAIT", "5")
        .env("MOSS_JOURNAL_KEEP", "15")
        .args(["exec", "agent.py", "--code", "gen.py"])
        .output()
        .unwrap();
    assert_exit(&after, 0);
    let all = records(&sandbox);
    assert!(!all.is_empty() && all.len() <= 15, "{} records, beyond the bound", all.len());
    assert_eq!(all.last().unwrap()["returns"], sandbox.properties("agent")["count"], "the newest record is kept");
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
}

/// A return value is journaled within bounds, as the run's output is: a huge one is no longer
/// copied whole into the journal (and read whole by every turn prompt), but its repr cut.
#[test]
fn a_huge_return_value_is_journaled_cut_not_whole() {
    let sb = Sandbox::new();
    sb.write("agent.py", "from ghostos_moss import Moss\n");
    sb.write("big.py", "def main(moss):\n    return 'x' * 10_000_000\n");
    let out = sb.exec("agent.py", "big.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout.len(), 10_000_003, "the run's own output is whole: the value as JSON and a newline");
    let journal = sb.read(".moss/agent.runs.jsonl");
    assert!(journal.len() < 16 << 10, "the journal holds {} bytes", journal.len());
    let record: serde_json::Value = serde_json::from_slice(&journal).unwrap();
    assert_eq!(record["returns"], serde_json::Value::Null);
    let repr = record["returns_repr"].as_str().unwrap();
    assert!(
        repr.starts_with("'xxx") && repr.ends_with("xxx'") && repr.contains("\n[… 9995906 bytes cut …]\n"),
        "{repr}"
    );
}

/// An error's message is journaled within the same bounds.
#[test]
fn a_huge_error_message_is_journaled_cut() {
    let sb = Sandbox::new();
    sb.write("agent.py", "from ghostos_moss import Moss\n");
    sb.write("raise.py", "def main(moss):\n    raise ValueError('y' * 5_000_000)\n");
    assert_exit(&sb.exec("agent.py", "raise.py", &[]), 1);
    let journal = sb.read(".moss/agent.runs.jsonl");
    assert!(journal.len() < 16 << 10, "the journal holds {} bytes", journal.len());
    let record: serde_json::Value = serde_json::from_slice(&journal).unwrap();
    assert!(record["error"]["message"].as_str().unwrap().contains("\n[… 4995904 bytes cut …]\n"), "{record}");
}

/// `-n 0` shows no run, and says so without claiming the journal is empty.
#[test]
fn log_n_0_does_not_say_the_journal_is_empty() {
    let sb = agent();
    sb.write("count.py", "def main(moss):\n    moss.count += 1\n");
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let out = sb.moss().args(["log", "agent.py", "-n", "0"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("-n 0 shows none of the 1 runs journaled in") && !said.contains("no runs journaled"),
        "{said}"
    );
}
