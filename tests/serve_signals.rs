//! Signals and terminals of warm runs: Ctrl-C while the client waits for its server, signals the
//! code sends its parent (the server, when warm), and the terminal a run may reach, each as a cold
//! run has them.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{Server, project, runner};
use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::Value;

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
    assert_eq!(runner(&sandbox, &[]), "serve", "the server still serves after the last signal");
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
