//! Several `moss` processes on one context: runs queue on the context's lock and lose no update;
//! a lock held too long is reported (exit 4); a killed run leaves no lock behind.

mod common;

use std::fs::File;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

const AGENT: &str = "exec/agent.py";
const SLOW_INCREMENT: &str = "concurrency/slow_increment.py";

fn moss_process(sb: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_moss"));
    cmd.current_dir(sb.root()).args(args).env("NO_COLOR", "1").env_remove("MOSS_LOCK_WAIT");
    cmd
}

/// Holds the lock of agent.py's default context, as another moss process would.
fn hold_lock(sb: &Sandbox) -> File {
    std::fs::create_dir_all(sb.path(".moss")).unwrap();
    let lock = File::create(sb.path(".moss/agent.context.json.lock")).unwrap();
    lock.lock().expect("the test takes the lock");
    lock
}

#[test]
fn concurrent_runs_on_one_context_lose_no_update() {
    const RUNS: usize = 20;
    let sb = Sandbox::with(&[AGENT, SLOW_INCREMENT]);
    let children: Vec<_> = (0..RUNS)
        .map(|_| {
            moss_process(&sb, &["exec", "agent.py", "--code", "slow_increment.py", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("moss starts")
        })
        .collect();
    let mut returned = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_exit(&out, 0);
        returned.push(parse_result(&out)["returns"].as_u64().expect("a count"));
    }
    assert_eq!(sb.properties("agent")["count"], RUNS as u64);
    returned.sort();
    assert_eq!(returned, (1..=RUNS as u64).collect::<Vec<_>>(), "each run saw the previous run's count");
}

#[test]
fn a_context_locked_past_the_wait_exits_4_saying_so() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py", "exec/code/announce.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    let _lock = hold_lock(&sb);

    let started = Instant::now();
    let out = sb
        .moss()
        .env("MOSS_LOCK_WAIT", "0.3")
        .args(["exec", "agent.py", "--code", "announce.py", "--json"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_exit(&out, 4);
    let result = parse_result(&out);
    assert_error_kind(&result, "context");
    assert!(error_message(&result).contains("locked"), "{result}");
    assert_eq!(result["stdout"], "", "no code ran");
    assert!(elapsed < Duration::from_secs(5), "gave up after the wait, took {elapsed:?}");
    assert_eq!(sb.read(".moss/agent.context.json"), before);

    let out =
        sb.moss().env("MOSS_LOCK_WAIT", "0.3").args(["exec", "agent.py", "--code", "announce.py"]).output().unwrap();
    assert_exit(&out, 4);
    assert!(stderr(&out).lines().any(|l| l.starts_with("error: ") && l.contains("locked")), "{}", stderr(&out));
}

#[test]
fn a_run_waits_for_a_lock_released_within_the_wait() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    let lock = hold_lock(&sb);
    let started = Instant::now();
    let child = moss_process(&sb, &["exec", "agent.py", "--code", "count.py", "--json"])
        .env("MOSS_LOCK_WAIT", "20")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    assert!(started.elapsed() >= Duration::from_millis(500), "the run waited for the lock");
    assert_eq!(parse_result(&out)["returns"]["count"], 1);
}

#[test]
fn context_edits_take_the_same_lock() {
    let sb = Sandbox::with(&[AGENT, "exec/code/count.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &[]), 0);
    let before = sb.read(".moss/agent.context.json");
    let _lock = hold_lock(&sb);
    for words in
        [&["set", "agent.py", "count", "5"][..], &["unset", "agent.py", "count"][..], &["reset", "agent.py"][..]]
    {
        let out = sb.moss().env("MOSS_LOCK_WAIT", "0.3").arg("context").args(words).output().unwrap();
        assert_exit(&out, 4);
        assert!(stderr(&out).contains("locked"), "{words:?}: {}", stderr(&out));
    }
    assert_eq!(sb.read(".moss/agent.context.json"), before);
}

#[test]
fn a_killed_moss_process_leaves_no_lock_behind() {
    let sb = Sandbox::with(&[AGENT, "exec/code/sleep.py", "exec/code/count.py"]);
    let mut child = moss_process(&sb, &["exec", "agent.py", "--code", "sleep.py"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the code runs (it prints before sleeping), so the lock is surely held.
    let mut first = [0u8; 5];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"going");
    child.kill().unwrap();
    child.wait().unwrap();

    // Were the lock still held (by an orphaned run), this would give up with exit 4.
    let out = sb
        .moss()
        .env("MOSS_LOCK_WAIT", "3")
        .args(["exec", "agent.py", "--code", "count.py", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(parse_result(&out)["returns"], json!({"count": 1, "double": 2}), "the killed run saved nothing");
}

#[test]
fn a_process_forked_by_the_code_does_not_keep_the_context_locked() {
    let sb = Sandbox::with(&[AGENT, "concurrency/leaves_a_worker.py", "exec/code/count.py"]);
    let (out, result) = sb.exec_json("agent.py", "leaves_a_worker.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "worker started");

    // The run is over: the next one must get the lock although the worker still lives.
    let out = sb
        .moss()
        .env("MOSS_LOCK_WAIT", "0.5")
        .args(["exec", "agent.py", "--code", "count.py", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(parse_result(&out)["returns"]["count"], 2);
}
