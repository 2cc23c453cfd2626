//! The examples the README shows, run as a reader would run them.

mod common;

use std::path::Path;

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::{Value, json};

/// `fixtures/loop/loop.sh` run to its end with the stand-in model, keeping its folder.
fn run_loop(work: &Path) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::process::Command::new("sh")
        .arg(root.join("fixtures/loop/loop.sh"))
        .env("MOSS", assert_cmd::cargo::cargo_bin("moss"))
        .env("WORK", work)
        .env("NO_COLOR", "1")
        .env_remove("LLM")
        .env_remove("MOSS_WARM")
        .output()
        .unwrap()
}

#[test]
fn the_agent_loop_drives_the_square_and_mends_the_mistake_the_turn_prompt_shows() {
    let work = tempfile::tempdir().unwrap();
    let out = run_loop(work.path());
    assert_exit(&out, 0);
    let sides =
        |step: usize, side: usize| format!("step {step}: \"side {side} driven at heading {}\"\n", (side - 1) * 90);
    let failed = "step 2: failed (exit 1); the next prompt shows the error\n";
    let expected = [sides(1, 1), failed.to_owned(), sides(3, 2), sides(4, 3), sides(5, 4)].concat();
    assert_eq!(stdout(&out), expected, "stderr:\n{}", stderr(&out));
    assert!(stderr(&out).contains("AttributeError: 'BoltMove' object has no attribute 'rol'"), "{}", stderr(&out));

    let journal = std::fs::read_to_string(work.path().join("context.runs.jsonl")).unwrap();
    let records: Vec<Value> = journal.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(records.len(), 5, "one record per step: {journal}");
    assert!(records.iter().all(|r| r["code_format"] == "markdown"), "each reply is prose around a block: {journal}");
    let (mistake, mended) = (&records[1], &records[2]);
    assert_eq!(mistake["error"]["type"], "AttributeError", "{mistake}");
    assert_eq!(mistake["error"]["line"], 3, "{mistake}");
    assert_eq!(mistake["error"]["line_text"], "    moss.body.new_move(run=True).rol(heading, 80, 1.0)", "{mistake}");
    assert_eq!(mended["ok"], true, "{mended}");
    let mistaken_code = mistake["code"].as_str().unwrap();
    assert_eq!(
        mended["code"].as_str().unwrap(),
        mistaken_code.replace(".rol(", ".roll("),
        "only the failing line is mended"
    );
    let context: Value = serde_json::from_slice(&std::fs::read(work.path().join("context.json")).unwrap()).unwrap();
    assert_eq!(context["properties"]["sides"], json!(4), "{context}");
    for (step, heading) in [(1, 0), (3, 90), (4, 180), (5, 270)] {
        let rolls = drives(&work.path().join(format!("step-{step}.trace.jsonl")));
        assert!(
            rolls.contains(&(80, heading)),
            "step {step} rolled the ball at speed 80, heading {heading}: {rolls:?}"
        );
    }
}

/// The (speed, heading) of each drive command a device trace shows sent to the robot.
fn drives(trace: &Path) -> Vec<(u64, u64)> {
    let text = std::fs::read_to_string(trace).unwrap_or_else(|e| panic!("{}: {e}", trace.display()));
    let packets = text.lines().map(|line| serde_json::from_str::<Value>(line).unwrap());
    // Drive with heading: device 0x16, command 0x07; data is speed, heading (2 bytes), flags.
    let drive = packets.filter(|p| p["dir"] == "tx" && p["did"] == 0x16 && p["cid"] == 0x07);
    let data = drive.filter_map(|p| p["data"].as_str().map(str::to_owned));
    data.filter_map(|hex| {
        let byte = |at: usize| u64::from_str_radix(hex.get(at..at + 2)?, 16).ok();
        Some((byte(0)?, byte(2)? * 256 + byte(4)?))
    })
    .collect()
}

#[test]
fn the_stand_in_model_mends_whatever_error_the_turn_prompt_shows_it() {
    let sandbox = Sandbox::with(&["loop/robot.py"]);
    let reply = "```python\ndef main(moss):\n    moss.body.new_move().spn(90, 1.0)\n    return 'spun'\n```\n";
    sandbox.write("reply.md", reply);
    assert_exit(&sandbox.exec("robot.py", "reply.md", &["--device", "sim"]), 1);
    let turn = sandbox.moss().args(["prompt", "robot.py", "--task", "Spin."]).output().unwrap();
    assert_exit(&turn, 0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let answer = std::process::Command::new(root.join("fixtures/loop/stand-in-llm"))
        .env("MOSS", assert_cmd::cargo::cargo_bin("moss"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&turn.stdout)?;
            child.wait_with_output()
        })
        .unwrap();
    assert_exit(&answer, 0);
    let answer = stdout(&answer);
    assert!(answer.contains("`spn` does not exist, the method is `spin`"), "{answer}");
    sandbox.write("reply.md", &answer);
    let (out, result) = sandbox.exec_json("robot.py", "reply.md", &["--device", "sim"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "spun");
}
