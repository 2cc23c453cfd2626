//! `--device sim`: the seed's SpheroGPT file on the simulated BOLT, checked on the wire.

mod common;

use common::{Sandbox, assert_exit, fixture, stderr};
use serde_json::Value;

fn bolt_sandbox(code: &[&str]) -> Sandbox {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/gen.py"]);
    for name in code {
        sandbox.copy(&format!("spherogpt/code/{name}"));
    }
    sandbox
}

fn trace(sandbox: &Sandbox) -> Vec<Value> {
    String::from_utf8(sandbox.read("trace.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The packets moss sent with (DID, CID), in order.
fn sent(trace: &[Value], did: u64, cid: u64) -> Vec<Value> {
    trace.iter().filter(|p| p["dir"] == "tx" && p["did"] == did && p["cid"] == cid).cloned().collect()
}

fn run(sandbox: &Sandbox, code: &str, extra: &[&str]) -> (std::process::Output, Value) {
    let mut args = vec!["--device", "sim", "--device-trace", "trace.jsonl"];
    args.extend_from_slice(extra);
    sandbox.exec_json("agent.py", code, &args)
}

#[test]
fn the_seed_spin_sweeps_a_full_turn_in_about_a_second_on_the_secondary_processor() {
    let sandbox = bolt_sandbox(&[]);
    let (out, result) = run(&sandbox, "gen.py", &["--target", "run"]);
    assert_exit(&out, 0);
    let trace = trace(&sandbox);
    assert_eq!(trace[0]["hex"], "8d0a130d00d5d8", "the connection starts with wake, seq 0");
    let drives = sent(&trace, 0x16, 0x07);
    assert!(drives.iter().all(|p| p["tid"] == 0x12 && p["sid"] == 0x01), "drive goes to the secondary processor");
    let headings: Vec<(f64, u64)> = drives
        .iter()
        .map(|p| {
            let data = hex::decode(p["data"].as_str().unwrap()).unwrap();
            (p["t"].as_f64().unwrap(), u64::from(data[1]) << 8 | u64::from(data[2]))
        })
        .collect();
    let (start, _) = headings[0];
    assert!(headings.len() >= 10, "a staircase of drive packets: {headings:?}");
    assert!(headings.windows(2).take(8).all(|w| w[1].1 > w[0].1), "the heading climbs: {headings:?}");
    assert!(headings.iter().any(|(_, h)| *h > 300), "the heading passes 300°: {headings:?}");
    let end = headings.iter().skip(1).find(|(_, h)| *h == 0).expect("the turn closes at 360° = 0°").0;
    let took = end - start;
    assert!((0.9..1.4).contains(&took), "the full turn took {took} s: {headings:?}");
    // The turn until it closes: a smooth climb in small steps that ends near 360°.
    let closing = 1 + headings.iter().skip(1).position(|(_, h)| *h == 0).unwrap();
    let sweep: Vec<u64> = headings[..closing].iter().map(|(_, h)| *h).collect();
    assert!(sweep.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 45), "steps of at most 45°: {sweep:?}");
    assert!(*sweep.last().unwrap() >= 315, "the sweep nearly closes the turn before 0°: {sweep:?}");
    assert_eq!(result["device"]["heading"], 0);
    assert_eq!(result["device"]["speed"], 0);
}

#[test]
fn matrix_and_ball_calls_put_the_spec_bytes_on_the_wire() {
    let sandbox = bolt_sandbox(&["matrix_calls.py"]);
    let (out, result) = run(&sandbox, "matrix_calls.py", &[]);
    assert_exit(&out, 0);
    let trace = trace(&sandbox);
    let data = |cid: u64| -> Vec<String> {
        sent(&trace, 0x1A, cid).iter().map(|p| p["data"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(data(0x42), ["00ff0041"], "character 'A' in green");
    assert_eq!(data(0x3B), ["ff00000500484900"], "scroll 'HI' in red at 5 fps, no repeat");
    assert_eq!(data(0x36), [""]);
    assert_eq!(data(0x37), [""]);
    assert_eq!(data(0x38), [""]);
    assert_eq!(data(0x3A), ["01"], "rotation 90°");
    // One frame: the top-left pixel is palette index 1; rows go bottom-up, column 0 is 0x80.
    let frame = format!("0000{}80{}", "00".repeat(7), "00".repeat(24));
    assert_eq!(data(0x30), [frame]);
    assert_eq!(data(0x31), ["0002000200000".to_owned() + "0ff00000001" + "0000"]);
    assert_eq!(data(0x43), ["0001"]);
    assert!(sent(&trace, 0x1A, 0x42).iter().all(|p| p["tid"] == 0x12));
    assert_eq!(result["device"]["errors"], serde_json::json!([]));
}

#[test]
fn roll_drives_holds_and_stops_then_aim_resets_yaw() {
    let sandbox = bolt_sandbox(&["roll_and_aim.py"]);
    let (out, result) = run(&sandbox, "roll_and_aim.py", &[]);
    assert_exit(&out, 0);
    let trace = trace(&sandbox);
    let drives: Vec<String> = sent(&trace, 0x16, 0x07).iter().map(|p| p["data"].as_str().unwrap().to_owned()).collect();
    assert_eq!(drives[0], "c8005a00", "speed 200, heading 90");
    assert!(drives.iter().any(|d| d == "00005a00"), "then speed 0 at heading 90: {drives:?}");
    assert_eq!(sent(&trace, 0x16, 0x06).len(), 1, "reset yaw");
    let x = result["device"]["x_cm"].as_f64().unwrap();
    assert!(x > 10.0 && result["device"]["y_cm"].as_f64().unwrap().abs() < 1.0, "it rolled east: {result}");
}

#[test]
fn rolling_into_the_arena_wall_raises_a_collision_and_runs_the_callback() {
    let sandbox = bolt_sandbox(&["hit_the_wall.py"]);
    let (out, result) = run(&sandbox, "hit_the_wall.py", &[]);
    assert_exit(&out, 0);
    let trace = trace(&sandbox);
    assert!(
        trace.iter().any(|p| p["dir"] == "rx" && p["did"] == 0x18 && p["cid"] == 0x12 && p["seq"] == 255),
        "a collision notification came back"
    );
    assert_eq!(result["device"]["y_cm"], 150.0);
    assert_eq!(result["device"]["heading"], 90, "the callback turned a quarter: {result}");
}

#[test]
fn a_function_given_as_a_callback_fills_the_move_that_runs_on_the_event() {
    let sandbox = bolt_sandbox(&["hit_the_wall_lambda.py"]);
    let (out, result) = run(&sandbox, "hit_the_wall_lambda.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["device"]["y_cm"], 150.0);
    assert_eq!(result["device"]["heading"], 90, "the lambda's quarter turn ran on the collision: {result}");
}

#[test]
fn a_callback_that_is_neither_a_move_nor_a_function_is_refused_naming_what_works() {
    let sandbox = bolt_sandbox(&[]);
    sandbox.write("odd_callback.py", "def main(moss):\n    moss.body.new_move(True).on_landing('spin')\n");
    let (out, result) = run(&sandbox, "odd_callback.py", &[]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "TypeError");
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("on_landing() takes a move made by new_move(), or a function"), "{result}");
}

#[test]
fn saved_moves_persist_between_runs() {
    let sandbox = bolt_sandbox(&["save_move.py", "run_saved.py"]);
    let (first, _) = run(&sandbox, "save_move.py", &[]);
    assert_exit(&first, 0);
    let (second, result) = run(&sandbox, "run_saved.py", &[]);
    assert_exit(&second, 0);
    assert_eq!(result["returns"], "a quarter turn");
    assert_eq!(result["device"]["heading"], 90);
}

#[test]
fn a_run_stopped_at_its_time_limit_still_stops_the_robot() {
    let sandbox = bolt_sandbox(&["roll_forever.py"]);
    let (out, _) = run(&sandbox, "roll_forever.py", &["--timeout", "1"]);
    assert_exit(&out, 124);
    let drives = sent(&trace(&sandbox), 0x16, 0x07);
    assert_eq!(drives.first().unwrap()["data"], "32000000", "rolling at speed 50");
    assert_eq!(drives.last().unwrap()["data"].as_str().unwrap()[..2], *"00", "the last drive stops it");
}

#[test]
fn without_a_device_the_robot_types_are_a_missing_binding_saying_to_pass_device() {
    let sandbox = bolt_sandbox(&[]);
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--target", "run"]);
    assert_exit(&out, 4);
    assert_eq!(result["error"]["type"], "BindingMissing");
    assert!(result["error"]["hint"].as_str().unwrap().contains("--device sim"), "{result}");
}

#[test]
fn a_real_bolt_out_of_reach_exits_5_naming_the_cause_and_the_fix() {
    // No Bluetooth stack here (no system D-Bus, no BlueZ, no adapter): each is a clear error.
    let sandbox = bolt_sandbox(&[]);
    let started = std::time::Instant::now();
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--target", "run", "--device", "bolt"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_exit(&out, 5);
    assert_eq!(result["error"]["kind"], "device");
    assert!(!result["error"]["hint"].as_str().unwrap_or_default().is_empty(), "{result}");
    for command in [vec!["device", "info", "--device", "SB-1A2B"], vec!["device", "scan", "--timeout", "0.5"]] {
        let out = sandbox.moss().args(&command).output().unwrap();
        assert_exit(&out, 5);
        assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    }
}

#[test]
fn a_device_spec_that_is_no_device_is_a_usage_error_naming_where_it_was_written() {
    let sandbox = bolt_sandbox(&[]);
    // The flag: refused by the command line of every command that takes it, before anything runs.
    for command in [
        vec!["exec", "agent.py", "--code", "gen.py", "--target", "run", "--device", "toaster"],
        vec!["prompt", "agent.py", "--device", "toaster"],
        vec!["test", "agent.py", "--device", "toaster"],
        vec!["device", "info", "--device", "toaster"],
    ] {
        let out = sandbox.moss().args(&command).output().unwrap();
        assert_exit(&out, 2);
        let message = stderr(&out);
        assert!(
            message.contains("'--device <SPEC>'")
                && message.contains("`toaster` is not a device")
                && message.contains("sim:NAME"),
            "{command:?}: {message}"
        );
    }
    // The environment: the variable is named, and the run is refused as the command line's mistake.
    let out = sandbox
        .moss()
        .env("MOSS_DEVICE", "toaster")
        .args(["exec", "agent.py", "--code", "gen.py", "--target", "run", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let result = common::parse_result(&out);
    assert_eq!(result["error"]["kind"], "usage", "{result}");
    assert!(result["error"]["message"].as_str().unwrap().contains("MOSS_DEVICE=toaster"), "{result}");
    assert!(result["error"]["hint"].as_str().unwrap().contains("sim:NAME"), "{result}");
    // The configuration: the file and its key are named.
    sandbox.write("moss.toml", "device = \"sim?drop=soon\"\n");
    for command in [vec!["exec", "agent.py", "--code", "gen.py", "--target", "run"], vec!["prompt", "agent.py"]] {
        let out = sandbox.moss().args(&command).output().unwrap();
        assert_exit(&out, 2);
        let message = stderr(&out);
        assert!(
            message.contains("moss.toml")
                && message.contains("device: `drop=soon`")
                && message.contains("?drop=SECONDS"),
            "{command:?}: {message}"
        );
    }
    assert!(!sandbox.exists(".moss/agent.context.json"), "nothing ran, nothing was saved");
}

#[test]
fn device_info_on_the_simulator_reports_battery_and_firmware() {
    let sandbox = Sandbox::new();
    let out = sandbox.moss().args(["device", "info", "--device", "sim:SB-77AA"]).output().unwrap();
    assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("name      SB-77AA") && text.contains("battery   87 %") && text.contains("firmware  4.2.44"),
        "{text}"
    );
}

#[test]
fn prompt_and_test_take_the_device_too() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/with_tests.py"]);
    let prompt = sandbox.moss().args(["prompt", "agent.py", "--device", "sim"]).output().unwrap();
    assert_exit(&prompt, 0);
    let text = String::from_utf8_lossy(&prompt.stdout).into_owned();
    assert!(
        text.contains("class Ball(ABC):") && text.contains("def spin(self, angle: int, duration: float) -> Move:"),
        "{text}"
    );
    let test = sandbox.moss().env("CI", "true").args(["test", "with_tests.py", "--device", "sim"]).output().unwrap();
    assert_exit(&test, 0);
    assert!(String::from_utf8_lossy(&test.stdout).ends_with("1 passed, 0 failed\n"));
}

#[test]
fn device_png_pictures_the_matrix_and_the_path() {
    let sandbox = bolt_sandbox(&["roll_and_aim.py"]);
    let (out, _) = run(&sandbox, "roll_and_aim.py", &["--device-png", "bolt.png"]);
    assert_exit(&out, 0);
    let png = sandbox.read("bolt.png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, right after the chunk header.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 432);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 256);
}

fn drop_run(code: &str) -> (Sandbox, Value) {
    let sandbox = bolt_sandbox(&[code]);
    let out = sandbox
        .moss()
        .args([
            "exec",
            "agent.py",
            "--code",
            code,
            "--json",
            "--device",
            "sim?drop=0.8",
            "--device-trace",
            "trace.jsonl",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let result = serde_json::from_slice(&out.stdout).unwrap();
    (sandbox, result)
}

#[test]
fn a_dropped_ball_lands_and_the_landing_callback_runs() {
    let (sandbox, result) = drop_run("on_landing.py");
    let trace = trace(&sandbox);
    assert_eq!(sent(&trace, 0x18, 0x00)[0]["data"], "00960000000200", "accel-one streamed every 150 ms");
    assert!(trace.iter().filter(|p| p["dir"] == "rx" && p["did"] == 0x18 && p["cid"] == 0x02).count() > 5);
    assert_eq!(result["device"]["heading"], 90, "the landing callback turned a quarter: {result}");
}

#[test]
fn a_dropped_ball_raises_freefall_while_it_falls() {
    let (_, result) = drop_run("on_freefall.py");
    assert_eq!(result["device"]["heading"], 270, "the freefall callback turned back a quarter: {result}");
}

#[test]
fn without_a_drop_no_fall_is_detected() {
    let sandbox = bolt_sandbox(&["on_landing.py"]);
    let (out, result) = run(&sandbox, "on_landing.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["device"]["heading"], 0, "{result}");
}

#[test]
fn the_simulated_bolt_drives_the_same_path_on_every_run_however_busy_the_machine() {
    let sandbox = Sandbox::with(&["loop/robot.py"]);
    sandbox.write(
        "square.py",
        "def main(moss):\n    for side in range(4):\n        moss.body.new_move(run=True).roll(side * 90, 80, 1.0)\n",
    );
    // A busy loop beside the run makes real time drift; simulated time must not.
    let busy = std::process::Command::new("python3").args(["-c", "while True: pass"]).spawn().unwrap();
    let runs: Vec<(Value, Vec<Value>)> = (0..2)
        .map(|_| {
            let (out, result) =
                sandbox.exec_json("robot.py", "square.py", &["--device", "sim", "--device-trace", "trace.jsonl"]);
            assert_exit(&out, 0);
            (result["device"].clone(), trace(&sandbox))
        })
        .collect();
    let mut busy = busy;
    let _ = busy.kill();
    let _ = busy.wait();
    assert_eq!(runs[0].0, runs[1].0, "the same end state");
    assert_eq!(runs[0].1, runs[1].1, "the same packets at the same (simulated) times");
    let (x, y) = (runs[0].0["x_cm"].as_f64().unwrap(), runs[0].0["y_cm"].as_f64().unwrap());
    assert!(x.abs() < 0.05 && y.abs() < 0.05, "a closed square ends where it began: {}", runs[0].0);
}

#[test]
fn malformed_animation_data_from_the_code_is_refused_and_the_device_report_survives() {
    let sandbox = bolt_sandbox(&[]);
    sandbox.write(
        "raw.py",
        r#"import _moss_native as native


def run(moss):
    refused = 0
    for data in (b"\x01", b"\x01\x02\x03", b"\x01\x0a\x00\x01\xff\x00", b"\x01\x0a\x00\x00\x00\x05"):
        try:
            native.device_call(0x1A, 0x31, 0x12, data)
        except native.DeviceError as e:
            refused += "bad data length" in str(e)
        try:
            native.device_call(0x1A, 0x43, 0x12, b"\x01\x00")  # play what was saved, if anything
        except native.DeviceError:
            pass
    native.device_call(0x1A, 0x31, 0x12, b"\x01\x0a\x00\x01\xff\x00\x00\x00\x01\x00\x00")
    native.device_call(0x1A, 0x43, 0x12, b"\x01\x00")
    return refused
"#,
    );
    let (out, result) = run(&sandbox, "raw.py", &["--target", "run"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 4, "each short payload is refused as a real BOLT would: {result}");
    assert!(result["device"]["packets_sent"].as_u64().unwrap() > 6, "the device report survives: {result}");
}

/// `moss test --json` of a file whose one case spins the robot, with `--device SPEC`.
fn test_with_device(sandbox: &Sandbox, spec: &str) -> (std::process::Output, Value) {
    sandbox.write(
        "spin_test.py",
        "from ghostos_moss import Moss as Parent\nfrom sphero_bolt import Ball\n\n\nclass Moss(Parent):\n    \
         body: Ball\n\n# <moss-hide>\ndef test_spin(moss):\n    moss.body.new_move(True).spin(90, 0.5)\n\n\
         __moss_test_cases__ = ['test_spin']\n# </moss-hide>\n",
    );
    let out =
        sandbox.moss().env("CI", "true").args(["test", "spin_test.py", "--json", "--device", spec]).output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out, report)
}

#[test]
fn moss_test_sets_the_device_up_as_exec_does_and_reports_it() {
    let sandbox = bolt_sandbox(&[]);
    let (out, report) = test_with_device(&sandbox, "sim");
    assert_exit(&out, 0);
    let device = &report["files"][0]["cases"][0]["device"];
    assert_eq!(device["name"], "SB-0000", "the simulated BOLT's name: {report}");
    assert!(device["packets_sent"].as_u64().unwrap() > 1, "{report}");
    assert_eq!(device["heading"], 90, "{report}");

    // Out of reach: the case fails with exec's device error, and moss test exits 5 as exec does.
    let (out, report) = test_with_device(&sandbox, "bolt");
    assert_exit(&out, 5);
    let (exec_out, exec_result) = sandbox.exec_json("agent.py", "gen.py", &["--target", "run", "--device", "bolt"]);
    assert_exit(&exec_out, 5);
    let case = &report["files"][0]["cases"][0];
    assert_eq!(case["error"], exec_result["error"], "{report}");
    assert!(case["device"]["unreachable"].is_string(), "{report}");
}

#[test]
fn a_saved_move_keeps_its_animation_and_plays_it_when_run_again() {
    let sandbox = bolt_sandbox(&[]);
    sandbox.write(
        "save.py",
        "from sphero_bolt import Animation\n\ndef main(moss):\n    \
         face = Animation(fps=2, palette=['000000', 'ff0000'], frames=[[[1] * 8] * 8])\n    \
         moss.body.save_move('blush', 'spin and blush', moss.body.new_move().spin(90, 0.5), animation=face)\n",
    );
    sandbox.write(
        "replay.py",
        "def main(moss):\n    move, _ = moss.body.read_move('blush')\n    moss.body.run_move('blush')\n    \
         return move.animation.palette\n",
    );
    let (out, result) = sandbox.exec_json("agent.py", "save.py", &["--device", "sim"]);
    assert_exit(&out, 0);
    assert_eq!(result["context"]["saved"], true, "{result}");
    let (out, result) = run(&sandbox, "replay.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!(["000000", "ff0000"]), "{result}");
    let saved_animations = sent(&trace(&sandbox), 0x1A, 0x31);
    assert_eq!(saved_animations.len(), 1, "running the move saves its animation on the robot");
    assert!(saved_animations[0]["data"].as_str().unwrap().contains("000000ff0000"), "its palette");
    assert_eq!(sent(&trace(&sandbox), 0x1A, 0x43).len(), 1, "and plays it");
}

#[test]
fn a_device_written_higher_up_wins_over_a_bad_one_written_lower() {
    let sandbox = bolt_sandbox(&[]);
    let exec = |env: &[(&str, &str)], flags: &[&str]| {
        let mut command = sandbox.moss();
        command.envs(env.iter().copied()).args(["exec", "agent.py", "--code", "gen.py", "--target", "run", "--json"]);
        let out = command.args(flags).output().unwrap();
        (common::parse_result(&out), out)
    };
    let (result, out) = exec(&[("MOSS_DEVICE", "toaster")], &["--device", "sim"]);
    assert_exit(&out, 0);
    assert_eq!(result["device"]["name"], "SB-0000", "the flag's robot: {result}");
    sandbox.write("moss.toml", "device = \"toaster\"\n");
    for (env, flags) in [(&[][..], &["--device", "sim:SB-F1A6"][..]), (&[("MOSS_DEVICE", "sim:SB-F1A6")][..], &[][..])]
    {
        let (result, out) = exec(env, flags);
        assert_exit(&out, 0);
        assert_eq!(result["device"]["name"], "SB-F1A6", "{env:?} {flags:?}: {result}");
    }
    let prompt = sandbox.moss().env("MOSS_DEVICE", "toaster").args(["prompt", "agent.py", "--device", "sim"]).output();
    assert_exit(&prompt.unwrap(), 0);
    // Unless something higher up names a device, the bad one is the run's, and is refused naming where it was written.
    let (result, out) = exec(&[], &[]);
    assert_exit(&out, 2);
    assert!(result["error"]["message"].as_str().unwrap().contains("moss.toml: device: `toaster`"), "{result}");
}

#[test]
fn test_device_trace_writes_one_trace_per_case_named_by_file_and_case() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/with_tests.py"]);
    std::fs::create_dir_all(sandbox.root().join("more")).unwrap();
    std::fs::copy(fixture("spherogpt/with_tests.py"), sandbox.root().join("more/with_tests.py")).unwrap();
    let args = ["test", "with_tests.py", "more/with_tests.py", "--device", "sim", "--device-trace", "traces/run"];
    let test = sandbox.moss().env("CI", "true").args(args).output().unwrap();
    assert_exit(&test, 0);
    let mut traces: Vec<String> = std::fs::read_dir(sandbox.root().join("traces/run"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    traces.sort();
    assert_eq!(traces, ["more.with_tests.test_spins.jsonl", "with_tests.test_spins.jsonl"]);
    for trace in traces {
        let text = String::from_utf8(sandbox.read(&format!("traces/run/{trace}"))).unwrap();
        assert!(text.lines().count() > 1, "{trace}: {text}");
        for line in text.lines() {
            serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{trace}: {line}: {e}"));
        }
    }
}

#[test]
fn test_device_trace_without_a_device_says_that_no_trace_was_written() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n\ndef test_nothing(moss):\n    pass\n\n__moss_test_cases__ = ['test_nothing']\n");
    let test =
        sandbox.moss().env("CI", "true").args(["test", "agent.py", "--device-trace", "traces"]).output().unwrap();
    assert_exit(&test, 0);
    let text = stderr(&test);
    assert!(
        text.contains("--device-trace traces: no case ran with a device") && text.contains("--device sim"),
        "{text}"
    );
}
