//! `moss serve` and warm runs: the same results as cold runs, served from a forked warm process.
//! (The exec, injection, context and timeout suites also run whole in warm mode: `*_warm`; the
//! signals and terminals of warm runs are `serve_signals`.)

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{Server, WHO_RUNS, assert_started_on_the_server, project, runner, socket};
use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::Value;

#[test]
fn exec_runs_on_the_server_when_one_is_up_and_cold_otherwise() {
    let sandbox = project();
    assert_ne!(runner(&sandbox, &[]), "serve", "no server yet: a cold run");
    let _server = Server::start(&sandbox, "agent.py");
    assert_eq!(runner(&sandbox, &[]), "serve");
    assert_ne!(runner(&sandbox, &["--cold"]), "serve", "--cold bypasses the server");
}

#[test]
fn stopping_a_files_server_leaves_the_server_of_a_same_named_file_elsewhere_running() {
    let sandbox = Sandbox::new();
    sandbox.write("moss.toml", "context-dir = \"state\"\n");
    for folder in ["a", "b"] {
        sandbox.write(&format!("{folder}/agent.py"), "from ghostos_moss import Moss\n");
    }
    let socket_a = sandbox.path("state/a/agent.serve.sock");
    let mut server = Server::start_at(&sandbox, "a/agent.py", &socket_a, &[]);
    let out = sandbox.moss().args(["serve", "--stop", "b/agent.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("no server is running"), "{}", stderr(&out));
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.child.try_wait().unwrap().is_none() && socket_a.exists(), "a/agent.py's server was stopped");
    let out = sandbox.moss().args(["serve", "--stop", "a/agent.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("stopped the server"), "{}", stderr(&out));
}

#[test]
fn a_server_of_another_file_found_on_the_socket_refuses_to_stop() {
    let sandbox = project();
    sandbox.write("other.py", "from ghostos_moss import Moss\n");
    let mut server = Server::start(&sandbox, "agent.py");
    std::os::unix::fs::symlink("agent.serve.sock", socket(&sandbox, "other.py")).unwrap();
    let out = sandbox.moss().args(["serve", "--stop", "other.py"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("left running") && stderr(&out).contains("agent.py"), "{}", stderr(&out));
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.child.try_wait().unwrap().is_none(), "agent.py's server was stopped");
}

#[test]
fn warm_starts_a_server_that_later_runs_reuse() {
    let sandbox = project();
    assert_eq!(runner(&sandbox, &["--warm"]), "serve");
    assert!(socket(&sandbox, "agent.py").exists());
    assert_eq!(runner(&sandbox, &[]), "serve", "a plain exec finds the server --warm started");
    let out = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    assert_exit(&out, 0);
    let stopped = Instant::now();
    while socket(&sandbox, "agent.py").exists() {
        assert!(stopped.elapsed() < Duration::from_secs(5), "the server did not stop");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_ne!(runner(&sandbox, &[]), "serve");
}

#[test]
fn a_moss_file_in_a_package_runs_warm_as_its_module() {
    let sandbox = Sandbox::new();
    sandbox.write("pkg/__init__.py", "");
    sandbox.write("pkg/helpers.py", "BASE = 41\n");
    sandbox.write("pkg/agent.py", "from ghostos_moss import Moss\nfrom .helpers import BASE\n");
    sandbox.write(
        "who.py",
        format!("{WHO_RUNS}\n\ndef package(moss):\n    import pkg.agent\n    return [BASE + 1, pkg.agent.BASE]\n"),
    );
    let _server = Server::start_at(&sandbox, "pkg/agent.py", &sandbox.path("pkg/.moss/agent.serve.sock"), &[]);
    for target in ["main", "package"] {
        let (out, result) = sandbox.exec_json("pkg/agent.py", "who.py", &["--no-context", "--target", target]);
        assert_exit(&out, 0);
        let expected = if target == "main" { Value::from("serve") } else { serde_json::json!([42, 41]) };
        assert_eq!(result["returns"], expected, "{result}");
    }
}

#[test]
fn a_changed_project_module_is_imported_afresh_as_a_cold_run_would() {
    let sandbox = project();
    let _server = Server::start(&sandbox, "agent.py");
    let answer = |sandbox: &Sandbox| {
        let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
        assert_exit(&out, 0);
        result["returns"].clone()
    };
    assert_eq!(answer(&sandbox), 1);
    sandbox.write("helpers.py", "def answer() -> int:\n    return 2222\n");
    // Right after the change (run cold while the server restarts) and from then on.
    assert_eq!(answer(&sandbox), 2222, "the server ran on the old module");
    let changed = Instant::now();
    while runner(&sandbox, &[]) != "serve" {
        assert!(changed.elapsed() < Duration::from_secs(10), "the server did not come back");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(answer(&sandbox), 2222);
}

#[test]
fn the_client_environment_and_folder_reach_the_code() {
    let sandbox = project();
    sandbox.write("sub/marker.txt", "here");
    sandbox.write(
        "env.py",
        "import os\ndef main(moss):\n    return [os.environ.get('MOSS_TEST_VALUE'), open('marker.txt').read()]\n",
    );
    let _server = Server::start(&sandbox, "agent.py");
    let out = sandbox
        .moss()
        .current_dir(sandbox.path("sub"))
        .env("MOSS_TEST_VALUE", "from the client")
        .args(["exec", "../agent.py", "--code", "../env.py", "--no-context", "--json"])
        .output()
        .unwrap();
    let result = common::parse_result(&out);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!(["from the client", "here"]));
}

#[test]
fn plain_output_streams_through_the_server_to_the_client() {
    let sandbox = project();
    sandbox.write(
        "talk.py",
        "import sys\ndef main(moss):\n    print('to stdout')\n    print('to stderr', file=sys.stderr)\n    return 7\n",
    );
    let _server = Server::start(&sandbox, "agent.py");
    let out = sandbox.exec("agent.py", "talk.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "to stdout\n7\n");
    assert!(stderr(&out).contains("to stderr"), "{}", stderr(&out));
}

#[test]
fn killing_the_client_ends_the_run_on_the_server() {
    let sandbox = project();
    sandbox.write(
        "slow.py",
        "import os, time\ndef main(moss):\n    open('started.txt', 'w').write(str(os.getppid()))\n    \
         time.sleep(1.5)\n    open('finished.txt', 'w').write('x')\n",
    );
    let server = Server::start(&sandbox, "agent.py");
    let mut client = sandbox
        .moss_process()
        .args(["exec", "agent.py", "--code", "slow.py", "--no-context"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    assert_started_on_the_server(&sandbox, &server);
    client.kill().unwrap();
    client.wait().unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    assert!(!sandbox.exists("finished.txt"), "the run outlived its client");
}

#[test]
fn a_server_stopped_during_a_run_lets_the_run_end_first() {
    let sandbox = project();
    sandbox.write(
        "slow.py",
        "import os, time\ndef main(moss):\n    open('started.txt', 'w').write(str(os.getppid()))\n    \
         time.sleep(1)\n    return 'finished'\n",
    );
    let mut server = Server::start(&sandbox, "agent.py");
    let client = sandbox
        .moss_process()
        .args(["exec", "agent.py", "--code", "slow.py", "--no-context", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    assert_started_on_the_server(&sandbox, &server);
    let stop = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    assert_exit(&stop, 0);
    let out = client.wait_with_output().unwrap();
    let result = common::parse_result(&out);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "finished", "{result}");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "the server ended with {status}");
    assert!(!socket(&sandbox, "agent.py").exists(), "the stopped server left its socket");
}

#[test]
fn runs_at_the_same_time_all_run_on_the_server() {
    let sandbox = project();
    sandbox.write(
        "slow_who.py",
        "import os, time\ndef main(moss):\n    time.sleep(0.5)\n    \
         return open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1]\n",
    );
    let _server = Server::start(&sandbox, "agent.py");
    let clients: Vec<_> = (0..3)
        .map(|_| {
            sandbox
                .moss_process()
                .args(["exec", "agent.py", "--code", "slow_who.py", "--no-context", "--json"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for client in clients {
        let out = client.wait_with_output().unwrap();
        let result = common::parse_result(&out);
        assert_exit(&out, 0);
        assert_eq!(result["returns"], "serve", "{result}");
    }
}

#[test]
fn a_server_for_another_environment_is_passed_over() {
    let sandbox = project();
    let _server = Server::start(&sandbox, "agent.py");
    let out = sandbox
        .moss()
        .env("PYTHONPATH", sandbox.path("sub"))
        .args(["exec", "agent.py", "--code", "who.py", "--no-context", "--json"])
        .output()
        .unwrap();
    let result = common::parse_result(&out);
    assert_exit(&out, 0);
    assert_ne!(result["returns"], "serve", "a different PYTHONPATH must run cold");
}

#[test]
fn the_robot_is_driven_from_a_warm_run() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/gen.py"]);
    let _server = Server::start(&sandbox, "agent.py");
    let (out, result) = sandbox.exec_json(
        "agent.py",
        "gen.py",
        &["--target", "run", "--device", "sim", "--device-trace", "trace.jsonl"],
    );
    assert_exit(&out, 0);
    assert!(result["device"]["packets_sent"].as_u64().unwrap() > 0, "{result}");
    assert!(sandbox.exists("trace.jsonl"));
}

#[test]
fn a_second_server_for_the_same_file_is_refused() {
    let sandbox = project();
    let mut server = Server::start(&sandbox, "agent.py");
    let out = sandbox.moss().args(["serve", "agent.py"]).output().unwrap();
    let log = sandbox.read("agent.py.serve.log");
    assert!(server.child.try_wait().unwrap().is_none(), "the first server ended:\n{}", String::from_utf8_lossy(&log));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("already running") && stderr(&out).contains("hint:"), "{}", stderr(&out));
}

#[test]
fn results_are_the_same_warm_and_cold() {
    let sandbox = project();
    sandbox.write("mixed.py", "def main(moss):\n    print('out')\n    moss.count = 3\n    raise ValueError('boom')\n");
    let cold = sandbox.exec_json("agent.py", "mixed.py", &["--cold"]);
    let _server = Server::start(&sandbox, "agent.py");
    let warm = sandbox.exec_json("agent.py", "mixed.py", &[]);
    assert_eq!(warm.0.status.code(), cold.0.status.code());
    let comparable = |mut result: Value| {
        result.as_object_mut().unwrap().remove("duration_ms");
        result
    };
    assert_eq!(comparable(warm.1), comparable(cold.1));
}

#[test]
fn a_server_lost_during_the_run_is_a_crash_that_keeps_the_context() {
    let sandbox = project();
    sandbox.write("count.py", "def main(moss):\n    moss.count = 1\n");
    let (out, _) = sandbox.exec_json("agent.py", "count.py", &["--cold"]);
    assert_exit(&out, 0);
    let before = sandbox.read(".moss/agent.context.json");
    sandbox.write(
        "doomed.py",
        "import os, sys, time\ndef main(moss):\n    moss.count = 2\n    print('before the loss', flush=True)\n    \
         print('to stderr', file=sys.stderr, flush=True)\n    time.sleep(0.5)\n    \
         open('server.pid', 'w').write(str(os.getppid()))\n    time.sleep(20)\n",
    );
    let _server = Server::start(&sandbox, "agent.py");
    let client = sandbox
        .moss_process()
        .args(["exec", "agent.py", "--code", "doomed.py", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let killer = std::thread::spawn({
        let pid_file = sandbox.path("server.pid");
        move || {
            let started = Instant::now();
            while !pid_file.exists() || std::fs::read_to_string(&pid_file).unwrap().is_empty() {
                assert!(started.elapsed() < Duration::from_secs(20), "the run never started");
                std::thread::sleep(Duration::from_millis(10));
            }
            let pid: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
        }
    });
    let out = client.wait_with_output().unwrap();
    killer.join().unwrap();
    let result = common::parse_result(&out);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "ServerLost", "{result}");
    assert_eq!(sandbox.read(".moss/agent.context.json"), before, "nothing was saved");
    // What the run printed before the loss reached the client, and is kept, as is how long it ran.
    assert_eq!(result["stdout"], "before the loss\n", "{result}");
    assert_eq!(result["stderr"], "to stderr\n", "{result}");
    assert!(result["duration_ms"].as_f64().unwrap() >= 500.0, "{result}");
    let log = sandbox.moss().args(["log", "agent.py", "-n", "1", "--json"]).output().unwrap();
    assert_exit(&log, 0);
    let last = &serde_json::from_str::<Value>(&stdout(&log)).unwrap()[0];
    assert_eq!((&last["stdout"], &last["stderr"]), (&result["stdout"], &result["stderr"]), "{last}");
    assert_eq!(last["duration_ms"], result["duration_ms"], "{last}");
}

/// `moss exec --json` run cold and then warm on a server of the MOSS file: the same exit code
/// and the same result (but for how long it took) for each set of arguments.
fn assert_warm_fails_as_cold(sandbox: &Sandbox, code: &str, runs: &[(&[&str], i32, &str)]) {
    let _server = Server::start(sandbox, "agent.py");
    for (extra, exit, kind) in runs {
        let cold = sandbox.exec_json("agent.py", code, &[&["--cold"], *extra].concat());
        let warm = sandbox.exec_json("agent.py", code, extra);
        assert_exit(&cold.0, *exit);
        assert_exit(&warm.0, *exit);
        let comparable = |mut result: Value| {
            result.as_object_mut().unwrap().remove("duration_ms");
            result
        };
        assert_eq!(cold.1["error"]["kind"], *kind, "{}", cold.1);
        assert_eq!(comparable(warm.1), comparable(cold.1), "warm and cold differ with {extra:?}");
    }
}

#[test]
fn a_run_that_cannot_start_fails_warm_as_it_does_cold() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/gen.py"]);
    std::fs::create_dir(sandbox.path("a-folder")).unwrap();
    sandbox.write("broken.json", "{ not json");
    let unwritable_trace: &[&str] = &["--target", "run", "--device", "sim", "--device-trace", "a-folder"];
    let invalid_context: &[&str] = &["--target", "run", "--device", "sim", "--context", "broken.json"];
    let missing_binding: &[&str] = &["--target", "run", "--no-context"];
    assert_warm_fails_as_cold(
        &sandbox,
        "gen.py",
        &[(unwritable_trace, 5, "device"), (invalid_context, 4, "context"), (missing_binding, 4, "module")],
    );
    assert!(sandbox.path("a-folder").is_dir(), "the folder was left as it was");
}

#[test]
fn a_server_whose_imports_started_a_thread_does_not_fork_runs_and_says_why() {
    let sandbox = project();
    // A library that starts a thread when imported: forking beside it is unsafe.
    sandbox.write(
        "helpers.py",
        "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n\n\
         def answer() -> int:\n    return 1\n",
    );
    let _server = Server::start(&sandbox, "agent.py");
    assert_ne!(runner(&sandbox, &[]), "serve", "the run must not be forked from a server with two threads");
    let log = String::from_utf8_lossy(&sandbox.read("agent.py.serve.log")).into_owned();
    assert!(log.contains("2 threads") && log.contains("started a thread"), "the server says why: {log}");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 1, "the run still runs, cold: {result}");
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let parent_of = |pid: &str| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse::<u32>().ok()
    };
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| parent_of(&pid.to_string()) == Some(parent))
        .collect()
}

#[test]
fn the_spare_copies_only_the_memory_the_server_wrote_not_what_it_only_reserved() {
    let sandbox = project();
    sandbox.write(
        "agent.py",
        "import ctypes\nfrom ghostos_moss import Moss\n_libc = ctypes.CDLL(None)\n\
         _libc.malloc.restype = ctypes.c_void_p\nBUFFER = _libc.malloc(512 << 20)  # reserved, never written\n",
    );
    let server = Server::start(&sandbox, "agent.py");
    let private_kb = |pid: u32| -> u64 {
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        rollup
            .lines()
            .filter(|line| line.starts_with("Private_"))
            .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum()
    };
    let watched = Instant::now();
    let mut most = 0;
    let mut spares_seen = 0;
    // The spare copies while idle: it is watched long enough for it to finish.
    while watched.elapsed() < Duration::from_secs(3) {
        let spares = children_of(server.child.id());
        spares_seen = spares_seen.max(spares.len());
        most = spares.into_iter().map(private_kb).max().unwrap_or(0).max(most);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(spares_seen, 1, "the server forked no spare");
    assert!(most < 128 * 1024, "the spare made {most} kB of memory its own: the 512 MB only reserved was committed");
    assert_eq!(runner(&sandbox, &[]), "serve");
}

#[test]
fn a_silent_connection_does_not_hold_up_other_clients() {
    let sandbox = project();
    let _server = Server::start(&sandbox, "agent.py");
    let _silent: Vec<_> =
        (0..3).map(|_| std::os::unix::net::UnixStream::connect(socket(&sandbox, "agent.py")).unwrap()).collect();
    let started = Instant::now();
    assert_eq!(runner(&sandbox, &[]), "serve");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the run waited {:?} behind silent connections",
        started.elapsed()
    );
}

#[test]
fn a_server_that_does_not_answer_runs_the_code_cold_once_and_stop_says_so() {
    let sandbox = project();
    sandbox.write(
        "count.py",
        "import os\ndef main(moss):\n    open('runs.txt', 'a').write(f'{os.getppid()}\\n')\n    return 'ran'\n",
    );
    let server = Server::start(&sandbox, "agent.py");
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let started = Instant::now();
    let (out, result) = sandbox.exec_json("agent.py", "count.py", &["--no-context", "--timeout", "2"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "ran", "{result}");
    assert!(stderr(&out).contains("did not answer"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(15), "the client waited {:?}", started.elapsed());
    let stop = sandbox.moss().args(["serve", "--stop", "agent.py"]).timeout(Duration::from_secs(20)).output().unwrap();
    assert_exit(&stop, 2);
    assert!(stderr(&stop).contains("did not answer") && stderr(&stop).contains("stopped"), "{}", stderr(&stop));
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(1000));
    let runs = std::fs::read_to_string(sandbox.path("runs.txt")).unwrap();
    assert_eq!(runs.lines().count(), 1, "the code ran again once the server went on: {runs}");
}

#[test]
fn stop_returns_once_the_server_is_gone_so_a_new_one_can_start_at_once() {
    let sandbox = project();
    sandbox.write(
        "slow.py",
        "import os, time\ndef main(moss):\n    open('started.txt', 'w').write('x')\n    time.sleep(1.5)\n    return 1\n",
    );
    let mut server = Server::start(&sandbox, "agent.py");
    let mut client = sandbox
        .moss_process()
        .args(["exec", "agent.py", "--code", "slow.py", "--no-context"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !sandbox.exists("started.txt") {
        assert!(started.elapsed() < Duration::from_secs(20), "the run never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let stop = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    assert_exit(&stop, 0);
    let state = std::fs::read_to_string(format!("/proc/{}/stat", server.child.id())).unwrap_or_default();
    assert!(state.is_empty() || state.contains(") Z"), "--stop returned while the server still ran: {state}");
    server.child.wait().unwrap();
    let _next = Server::start(&sandbox, "agent.py");
    assert_eq!(runner(&sandbox, &[]), "serve");
    assert!(client.wait().unwrap().success(), "the run in flight did not end well");
}

#[test]
fn warm_waits_for_the_server_it_started_however_long_its_imports_take() {
    let sandbox = project();
    sandbox.write("agent.py", "import time\nfrom ghostos_moss import Moss\nimport helpers\ntime.sleep(4)\n");
    assert_eq!(runner(&sandbox, &["--warm"]), "serve", "the first run did not wait for the server to be warm");
    let out = sandbox.moss().args(["serve", "--stop", "agent.py"]).output().unwrap();
    assert_exit(&out, 0);
}

#[test]
fn a_server_stopped_during_a_run_holds_its_client_only_a_little_past_the_time_limit() {
    let sandbox = project();
    sandbox.write(
        "slow.py",
        "import time\ndef main(moss):\n    open('started.txt', 'w').write('x')\n    time.sleep(60)\n",
    );
    let server = Server::start(&sandbox, "agent.py");
    let client = sandbox
        .moss_process()
        .args(["exec", "agent.py", "--code", "slow.py", "--no-context", "--timeout", "2", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !sandbox.exists("started.txt") {
        assert!(started.elapsed() < Duration::from_secs(20), "the run never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(client.wait_with_output().unwrap()));
    let out = finished.recv_timeout(Duration::from_secs(20));
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    let out = out.expect("the client still waits for a stopped server");
    let result = common::parse_result(&out);
    assert_exit(&out, 124);
    assert_eq!(result["error"]["kind"], "timeout", "{result}");
}

#[test]
fn the_idle_timeout_counts_from_the_end_of_the_last_run() {
    let sandbox = project();
    sandbox.write("slow.py", "import time\ndef main(moss):\n    time.sleep(2.5)\n    return 'slept'\n");
    let mut server = Server::start_at(&sandbox, "agent.py", &socket(&sandbox, "agent.py"), &["--idle-timeout", "1.5"]);
    let (out, result) = sandbox.exec_json("agent.py", "slow.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "slept", "{result}");
    assert_eq!(runner(&sandbox, &[]), "serve", "the server quit right after a run longer than its idle timeout");
    let idle = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(idle.elapsed() < Duration::from_secs(10), "the idle server never stopped");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the server ended with {status}");
    assert!(
        idle.elapsed() >= Duration::from_millis(1000),
        "the server stopped {:?} after its last run",
        idle.elapsed()
    );
}
