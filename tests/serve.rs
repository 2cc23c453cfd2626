//! `moss serve` and warm runs: the same results as cold runs, served from a forked warm process.
//! (The exec, injection, context and timeout suites also run whole in warm mode: `*_warm`.)

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::Value;

/// Code that says which process runs it: a run forked by a server has the server as its
/// parent; a cold run has the client.
const WHO_RUNS: &str = "import os\n\
def main(moss):\n\
\x20   return open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1]\n";

/// A `moss serve` in the background, stopped when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn start(sandbox: &Sandbox, moss_file: &str) -> Server {
        Server::start_at(sandbox, moss_file, &socket(sandbox, moss_file), &[])
    }

    /// A server whose socket is expected at `socket`, with the options `extra`.
    fn start_at(sandbox: &Sandbox, moss_file: &str, socket: &std::path::Path, extra: &[&str]) -> Server {
        // The server's diagnostics go to a file, so that a server that died says why.
        let log = sandbox.path(&format!("{moss_file}.serve.log"));
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("moss"))
            .args(["serve", moss_file])
            .args(extra)
            .current_dir(sandbox.root())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !std::fs::read_to_string(&log).unwrap_or_default().contains("serving ") || !socket.exists() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server ended ({status}) before it served:\n{}", std::fs::read_to_string(&log).unwrap());
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the server never listened");
            std::thread::sleep(Duration::from_millis(10));
        }
        Server { child }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn socket(sandbox: &Sandbox, moss_file: &str) -> PathBuf {
    let stem = std::path::Path::new(moss_file).file_stem().unwrap().to_str().unwrap();
    sandbox.path(&format!(".moss/{stem}.serve.sock"))
}

fn runner(sandbox: &Sandbox, extra: &[&str]) -> String {
    let (out, result) = sandbox.exec_json("agent.py", "who.py", &[&["--no-context"], extra].concat());
    assert_exit(&out, 0);
    result["returns"].as_str().unwrap().to_owned()
}

fn project() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("helpers.py", "def answer() -> int:\n    return 1\n");
    sandbox.write("agent.py", "from ghostos_moss import Moss\nimport helpers\n");
    sandbox.write("who.py", WHO_RUNS);
    sandbox.write("gen.py", "def main(moss):\n    return helpers.answer()\n");
    sandbox
}

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

/// Waits until the code has written its parent's pid to `started.txt`, and checks that parent is
/// the server: the run was warm.
fn assert_started_on_the_server(sandbox: &Sandbox, server: &Server) {
    let started = Instant::now();
    while std::fs::read_to_string(sandbox.path("started.txt")).unwrap_or_default().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "the run never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let parent: u32 = std::fs::read_to_string(sandbox.path("started.txt")).unwrap().parse().unwrap();
    assert_eq!(parent, server.child.id(), "the run did not start on the server");
}

#[test]
fn ctrl_c_while_the_client_waits_for_the_server_ends_it_as_an_interrupt_before_any_code_ran() {
    let sandbox = project();
    sandbox.write("count.py", "def main(moss):\n    moss.count = 1\n");
    assert_exit(&sandbox.exec_json("agent.py", "count.py", &["--cold"]).0, 0);
    let before = sandbox.read(".moss/agent.context.json");
    sandbox.write("marks.py", "def main(moss):\n    moss.count = 2\n    open('ran.txt', 'w').close()\n");
    let server = Server::start(&sandbox, "agent.py");
    let (out, waited) = interrupted_while_the_server_is_stopped(&sandbox, &server, "marks.py", None);
    assert_exit(&out, 130);
    assert!(waited < Duration::from_millis(1900), "the client went on waiting for {waited:?}");
    let result = common::parse_result(&out);
    assert_eq!(result["error"]["kind"], "interrupted", "{result}");
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("SIGINT") && message.contains("none of the code ran"), "{message}");
    assert_eq!(sandbox.read(".moss/agent.context.json"), before, "the context changed");
    // The server, continued, finds the client gone and does not run its code.
    std::thread::sleep(Duration::from_millis(1000));
    assert!(!sandbox.exists("ran.txt"), "the code ran after its client was interrupted");
    assert_eq!(runner(&sandbox, &[]), "serve", "the server no longer serves");
}

#[test]
fn ctrl_c_just_before_the_server_starts_the_run_interrupts_the_run_as_cold() {
    let sandbox = project();
    sandbox.write("count.py", "def main(moss):\n    moss.count = 1\n");
    assert_exit(&sandbox.exec_json("agent.py", "count.py", &["--cold"]).0, 0);
    let before = sandbox.read(".moss/agent.context.json");
    sandbox.write("marks.py", "import time\ndef main(moss):\n    moss.count = 2\n    time.sleep(5)\n");
    let server = Server::start(&sandbox, "agent.py");
    let continued = Some(Duration::from_millis(50));
    let (out, waited) = interrupted_while_the_server_is_stopped(&sandbox, &server, "marks.py", continued);
    assert_exit(&out, 130);
    assert!(waited < Duration::from_millis(3000), "the run went on for {waited:?}");
    let result = common::parse_result(&out);
    assert_eq!(result["error"]["type"], "Interrupted", "{result}");
    let message = result["error"]["message"].as_str().unwrap();
    assert_eq!(message, "the run was interrupted by SIGINT; nothing of it was saved", "{result}");
    assert_eq!(sandbox.read(".moss/agent.context.json"), before, "the context changed");
}

/// `moss exec CODE --json` with the server stopped (SIGSTOP), so that the client waits for its
/// first answer; the client is sent SIGINT as it waits, and the server continued `continued`
/// after that, or once the client has ended. The client's output, and how long after the
/// interrupt it ended.
fn interrupted_while_the_server_is_stopped(
    sandbox: &Sandbox,
    server: &Server,
    code: &str,
    continued: Option<Duration>,
) -> (std::process::Output, Duration) {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let client = sandbox
        .moss_process()
        .args(["exec", "agent.py", "--code", code, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the client holds a socket it has connected, and takes Ctrl-C as a run's.
    let holds_a_socket = || {
        let fds = std::fs::read_dir(format!("/proc/{}/fd", client.id())).into_iter().flatten().flatten();
        fds.filter_map(|fd| std::fs::read_link(fd.path()).ok()).any(|to| to.to_string_lossy().starts_with("socket:"))
    };
    let spawned = Instant::now();
    while !holds_a_socket() {
        assert!(spawned.elapsed() < Duration::from_secs(20), "the client never connected");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let interrupted = Instant::now();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(client.id() as i32), nix::sys::signal::Signal::SIGINT).unwrap();
    let continuing = continued.map(|after| {
        let pid = pid.clone();
        std::thread::spawn(move || {
            std::thread::sleep(after);
            assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
        })
    });
    let out = client.wait_with_output().unwrap();
    let waited = interrupted.elapsed();
    match continuing {
        Some(continuing) => continuing.join().unwrap(),
        None => assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success()),
    }
    (out, waited)
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

#[test]
fn code_that_signals_its_parent_interrupts_its_run_as_cold_and_the_server_stays() {
    let sandbox = project();
    sandbox.write("count.py", "def main(moss):\n    moss.count = 1\n");
    assert_exit(&sandbox.exec_json("agent.py", "count.py", &["--cold"]).0, 0);
    let before = sandbox.read(".moss/agent.context.json");
    sandbox.write(
        "parricide.py",
        "import os, signal, time\ndef main(moss):\n    moss.count = 2\n    \
         os.kill(os.getppid(), signal.SIGTERM)\n    time.sleep(5)\n",
    );
    let mut server = Server::start(&sandbox, "agent.py");
    let cold = sandbox.exec_json("agent.py", "parricide.py", &["--cold"]);
    let warm = sandbox.exec_json("agent.py", "parricide.py", &[]);
    assert_exit(&cold.0, 130);
    assert_exit(&warm.0, 130);
    let comparable = |mut result: Value| {
        result.as_object_mut().unwrap().remove("duration_ms");
        result
    };
    assert_eq!(comparable(warm.1.clone()), comparable(cold.1), "warm and cold differ");
    assert!(warm.1["error"]["message"].as_str().unwrap().contains("SIGTERM"), "{}", warm.1);
    assert_eq!(sandbox.read(".moss/agent.context.json"), before, "the context changed");
    assert!(server.child.try_wait().unwrap().is_none(), "the signal stopped the server");
    assert_eq!(runner(&sandbox, &[]), "serve");
}

#[test]
fn any_signal_the_code_sends_its_parent_reaches_the_client_as_cold_and_the_server_stays() {
    use std::os::unix::process::ExitStatusExt;
    let sandbox = project();
    sandbox.write("count.py", "def main(moss):\n    moss.count = 1\n");
    assert_exit(&sandbox.exec_json("agent.py", "count.py", &["--cold"]).0, 0);
    let before = sandbox.read(".moss/agent.context.json");
    let mut server = Server::start(&sandbox, "agent.py");
    // One that ends a process by default, one the server's Python ignores, and ones a fault of
    // the process raises, which kill can send too: the client takes the first SIGSEGV for a
    // stack overflow, and ends on the second.
    for signal in ["SIGUSR1", "SIGXFSZ", "SIGABRT", "SIGFPE", "SIGSEGV"] {
        sandbox.write(
            "signals_parent.py",
            format!(
                "import os, signal, time\ndef main(moss):\n    moss.count = 2\n    \
                 for _ in range(2):\n        os.kill(os.getppid(), signal.{signal})\n        time.sleep(0.2)\n    \
                 time.sleep(5)\n"
            ),
        );
        let [cold, warm] = [&["--cold"][..], &[]].map(|extra| {
            let started = Instant::now();
            let out = sandbox.exec("agent.py", "signals_parent.py", extra);
            (out.status.signal(), started.elapsed())
        });
        assert_eq!(cold.0.map(nix::sys::signal::Signal::try_from), Some(signal.parse()), "cold: {cold:?}");
        assert_eq!(warm.0, cold.0, "{signal}, warm: {warm:?}");
        assert!(warm.1 < Duration::from_secs(4), "{signal}: the warm client lived on for {:?}", warm.1);
        assert_eq!(sandbox.read(".moss/agent.context.json"), before, "{signal}: the context changed");
        assert!(server.child.try_wait().unwrap().is_none(), "{signal} ended the server");
        assert_eq!(runner(&sandbox, &[]), "serve");
    }
}

#[test]
fn code_that_signals_its_parent_as_soon_as_it_starts_never_ends_the_server() {
    use std::os::unix::process::ExitStatusExt;
    let sandbox = project();
    // The signal leaves as the run starts, when the server may still be telling the client so;
    // the run then waits for it to reach the client, which it does through the server warm.
    sandbox.write(
        "early.py",
        "import os, signal, time\nos.kill(os.getppid(), signal.SIGUSR2)\ntime.sleep(5)\ndef main(moss):\n    pass\n",
    );
    let mut server = Server::start(&sandbox, "agent.py");
    for _ in 0..60 {
        let out = sandbox.exec("agent.py", "early.py", &["--no-context"]);
        assert_eq!(out.status.signal(), Some(nix::sys::signal::Signal::SIGUSR2 as i32), "{}", stderr(&out));
        assert!(server.child.try_wait().unwrap().is_none(), "the run's signal ended the server");
    }
}

/// The state letter of process `pid` (`T` when stopped), if it is there.
fn state_of(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

#[test]
fn a_stop_signal_the_code_sends_its_parent_stops_the_client_as_cold_not_the_server() {
    let sandbox = project();
    sandbox.write(
        "stops_parent.py",
        "import os, signal, time\ndef main(moss):\n    os.kill(os.getppid(), signal.SIGTSTP)\n    \
         time.sleep(0.5)\n    return 1\n",
    );
    let server = Server::start(&sandbox, "agent.py");
    for extra in [&["--cold"][..], &[]] {
        let mut client = sandbox
            .moss_process()
            .args(["exec", "agent.py", "--code", "stops_parent.py", "--no-context", "--json"])
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while state_of(client.id()) != Some('T') {
            assert!(started.elapsed() < Duration::from_secs(10), "{extra:?}: the client was never stopped");
            assert!(client.try_wait().unwrap().is_none(), "{extra:?}: the client ended, never stopped");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_ne!(state_of(server.child.id()), Some('T'), "{extra:?}: the run's signal stopped the server");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(client.id() as i32), nix::sys::signal::Signal::SIGCONT)
            .unwrap();
        assert!(client.wait().unwrap().success(), "{extra:?}: the run did not end well once continued");
    }
    assert_eq!(runner(&sandbox, &[]), "serve");
}

#[test]
fn a_signal_from_a_process_the_run_started_in_a_session_of_its_own_reaches_the_client() {
    use std::os::unix::process::ExitStatusExt;
    let sandbox = project();
    // A shell in a session (and process group) of its own signals the run's parent, and lingers:
    // a sender already gone when the server looks for it cannot be traced to its run.
    sandbox.write(
        "detached.py",
        "import os, subprocess, time\ndef main(moss):\n    \
         subprocess.Popen(['sh', '-c', 'kill -USR1 $0; sleep 3', str(os.getppid())], start_new_session=True)\n    \
         time.sleep(5)\n",
    );
    let mut server = Server::start(&sandbox, "agent.py");
    for extra in [&["--cold"][..], &[]] {
        let out = sandbox.exec("agent.py", "detached.py", &[&["--no-context"], extra].concat());
        assert_eq!(out.status.signal(), Some(nix::sys::signal::Signal::SIGUSR1 as i32), "{extra:?}: {}", stderr(&out));
        assert!(server.child.try_wait().unwrap().is_none(), "{extra:?}: the signal ended the server");
    }
    assert_eq!(runner(&sandbox, &[]), "serve");
}

/// Code that says whether it has a terminal (or why not), and which process runs it.
const TERMINAL_AND_RUNNER: &str = "import os\ndef main(moss):\n    try:\n        \
    os.close(os.open('/dev/tty', os.O_RDWR))\n        terminal = 'a terminal'\n    except OSError as error:\n        \
    terminal = error.strerror\n    return [terminal, open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1]]\n";

#[test]
fn a_run_never_reaches_the_servers_terminal() {
    use std::os::unix::process::CommandExt;
    if Command::new("script").arg("--version").output().is_err() {
        return common::skip("a_run_never_reaches_the_servers_terminal", "no `script` to give the server a terminal");
    }
    let sandbox = project();
    sandbox.write("terminal.py", TERMINAL_AND_RUNNER);
    // The server runs in a terminal of its own, as `moss serve` in a terminal window does.
    let log = sandbox.path("agent.py.serve.log");
    let moss = assert_cmd::cargo::cargo_bin("moss");
    let serve = format!("exec '{}' serve agent.py 2>'{}'", moss.display(), log.display());
    // Ending `script` hangs its terminal up, which stops the server.
    let _terminal = Server {
        child: Command::new("script")
            .args(["-qec", &serve, "/dev/null"])
            .current_dir(sandbox.root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    };
    let started = Instant::now();
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("serving ") {
        assert!(started.elapsed() < Duration::from_secs(20), "the server never listened");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The client has none, in a session of its own.
    let run = |extra: &[&str]| {
        let mut client = sandbox.moss_process();
        client.args(["exec", "agent.py", "--code", "terminal.py", "--no-context", "--json"]).args(extra);
        // SAFETY: setsid is async-signal-safe.
        unsafe { client.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from)) };
        common::parse_result(&client.output().unwrap())["returns"].clone()
    };
    let (cold, warm) = (run(&["--cold"]), run(&[]));
    assert_eq!(warm[1], "serve", "{warm}");
    assert_eq!(warm[0], cold[0], "warm {warm}, cold {cold}");
}

#[test]
fn a_run_of_a_client_in_the_servers_terminal_has_that_terminal_as_cold() {
    if Command::new("script").arg("--version").output().is_err() {
        return common::skip("a_run_of_a_client_in_the_servers_terminal", "no `script` to give them a terminal");
    }
    let sandbox = project();
    sandbox.write("terminal.py", TERMINAL_AND_RUNNER);
    // In one terminal: --warm starts the server there, the next run is warm, then one is cold.
    let moss = format!("'{}'", assert_cmd::cargo::cargo_bin("moss").display());
    let exec =
        |extra: &str, out: &str| format!("{moss} exec agent.py --code terminal.py --no-context --json {extra} >{out}");
    let session = [exec("--warm", "first.json"), exec("", "warm.json"), exec("--cold", "cold.json")].join(" && ");
    let session = format!("{session}; {moss} serve --stop agent.py");
    let ran = Command::new("script")
        .args(["-qec", &session, "/dev/null"])
        .current_dir(sandbox.root())
        .env("NO_COLOR", "1")
        .env_remove("MOSS_WARM")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(ran.status.success(), "{}", stdout(&ran));
    let returns = |name: &str| serde_json::from_slice::<Value>(&sandbox.read(name)).unwrap()["returns"].clone();
    let (warm, cold) = (returns("warm.json"), returns("cold.json"));
    assert_eq!(warm[1], "serve", "{warm}");
    assert_eq!(cold[0], "a terminal", "{cold}");
    assert_eq!(warm[0], cold[0], "warm {warm}, cold {cold}");
}
