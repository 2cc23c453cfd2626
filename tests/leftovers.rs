//! What the code leaves behind when its target returns: non-daemon threads are waited for, as
//! Python waits for them at exit (within the time limit); daemon threads end with the run;
//! processes still running are killed, and the result names them in a warning.

mod common;

use std::time::{Duration, Instant};

use common::*;

const AGENT: &str = "exec/agent.py";

#[test]
fn a_non_daemon_thread_is_waited_for_and_what_it_stored_is_saved() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write(
        "thread.py",
        "import threading, time\n\ndef later(moss):\n    time.sleep(0.5)\n    moss.count = 7\n\n\
         def main(moss):\n    threading.Thread(target=later, args=(moss,)).start()\n    return 'returned'\n",
    );
    let (out, result) = sb.exec_json("agent.py", "thread.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "returned");
    assert_eq!(sb.properties("agent")["count"], 7, "the thread finished before the context was saved");
}

#[test]
fn a_thread_that_outlives_the_time_limit_times_the_run_out() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write(
        "endless.py",
        "import threading, time\n\ndef main(moss):\n    moss.count = 7\n    \
         threading.Thread(target=time.sleep, args=(30,)).start()\n",
    );
    let started = Instant::now();
    let (out, result) = sb.exec_json("agent.py", "endless.py", &["--timeout", "1"]);
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_exit(&out, 124);
    assert_error_kind(&result, "timeout");
    assert!(!sb.exists(".moss/agent.context.json"), "nothing is saved");
}

#[test]
fn a_daemon_thread_does_not_keep_the_run_alive() {
    let sb = Sandbox::with(&[AGENT, "exec/code/daemon_thread.py"]);
    let started = Instant::now();
    let (out, result) = sb.exec_json("agent.py", "daemon_thread.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "returned");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[test]
fn a_process_left_running_is_killed_and_named_in_a_warning() {
    let sb = Sandbox::with(&[AGENT]);
    assert_left_process_killed_and_named(&sb, "subprocess.Popen(['sleep', '37'])", "sleep 37");

    let out = sb.exec("agent.py", "spawn.py", &[]);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("warning: the code left a process running"), "{}", stderr(&out));
}

/// A process that holds none of the run's output lets the run end as soon as its report is
/// whole, while its own process still exits: the process left is still found, and only it.
#[test]
fn a_process_left_running_apart_from_the_runs_output_is_killed_and_named_alone() {
    let sb = Sandbox::with(&[AGENT]);
    let spawn = "subprocess.Popen(['sleep', '38'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, \
                 stderr=subprocess.DEVNULL)";
    assert_left_process_killed_and_named(&sb, spawn, "sleep 38");
}

/// The run's own process may still be exiting (freeing what the code allocated) when its
/// report is taken as the run's end: it is not a process the code left running.
#[test]
fn a_run_slow_to_exit_leaves_nothing_running() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write("big.py", "KEPT = []\n\ndef main(moss):\n    KEPT.append(b'x' * (256 << 20))\n    moss.count = 4\n");
    let (out, result) = sb.exec_json("agent.py", "big.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(sb.properties("agent")["count"], 4);
    assert_eq!(result["warnings"], serde_json::json!([]), "nothing was left running");
}

/// The run's process, taken as ended from its report while it still exits, is reaped before a
/// cold `moss exec` exits: none is left behind, and its resources count among moss's children's.
#[test]
fn a_cold_runs_process_is_gone_when_moss_exits() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write(
        "big.py",
        "import os\n\nKEPT = []\n\ndef main(moss):\n    KEPT.append(b'x' * (256 << 20))\n    return os.getpid()\n",
    );
    let (out, result) = sb.exec_json("agent.py", "big.py", &["--cold"]);
    assert_exit(&out, 0);
    let pid = result["returns"].as_i64().expect("the run's pid");
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "the run's process {pid} is still there");
}

/// A process started in a session of its own is out of the run's process group, but still the
/// run's: it is found, killed and named.
#[test]
fn a_process_in_a_new_session_is_killed_and_named() {
    let sb = Sandbox::with(&[AGENT]);
    assert_left_process_killed_and_named(&sb, "subprocess.Popen(['sleep', '41'], start_new_session=True)", "sleep 41");
}

/// A daemon's double fork: the first child starts a session, forks the process that stays, and
/// exits, leaving it orphaned.
#[test]
fn a_process_left_by_a_double_fork_is_killed_and_named() {
    let sb = Sandbox::with(&[AGENT]);
    // The pipe is closed on exec: its end is read once the first child exited and the second
    // runs `sleep`.
    let body = "read, write = os.pipe()\n    first = os.fork()\n    if first == 0:\n        os.setsid()\n        \
                second = os.fork()\n        if second == 0:\n            os.execvp('sleep', ['sleep', '42'])\n        \
                os.write(write, str(second).encode())\n        os._exit(0)\n    os.close(write)\n    \
                os.waitpid(first, 0)\n    told = b''\n    while chunk := os.read(read, 64):\n        told += chunk\n    \
                return [int(told)]";
    assert_left_processes_killed_and_named(&sb, body, &["sleep 42"]);
}

/// `nohup ... &` in a shell, in a session of its own (`setsid`), outlives the shell that started it.
#[test]
fn a_process_put_in_the_background_by_a_shell_is_killed_and_named() {
    let sb = Sandbox::with(&[AGENT]);
    let body = "shell = subprocess.run('setsid nohup sleep 43 >/dev/null 2>&1 & echo $!', shell=True, \
                capture_output=True, text=True, check=True)\n    pid = int(shell.stdout)\n    \
                running(pid, 'sleep')\n    return [pid]";
    assert_left_processes_killed_and_named(&sb, body, &["sleep 43"]);
}

/// What a process out of the run's group starts is the run's too: both are named.
#[test]
fn a_process_started_by_one_in_a_new_session_is_killed_and_named_with_it() {
    let sb = Sandbox::with(&[AGENT]);
    let body = "shell = subprocess.Popen(['sh', '-c', 'sleep 44 & echo $!; wait'], start_new_session=True, \
                stdout=subprocess.PIPE, text=True)\n    pid = int(shell.stdout.readline())\n    \
                running(pid, 'sleep')\n    return [shell.pid, pid]";
    assert_left_processes_killed_and_named(&sb, body, &["sh -c sleep 44 & echo $!; wait", "sleep 44"]);
}

/// Runs code that starts `spawn` and leaves it running; checks that the run succeeded, that the
/// result's warning names exactly that process (`command`), and that it was killed.
fn assert_left_process_killed_and_named(sb: &Sandbox, spawn: &str, command: &str) {
    assert_left_processes_killed_and_named(sb, &format!("return [{spawn}.pid]"), &[command]);
}

/// Runs code whose `main` is `body`, which leaves processes running and returns their pids;
/// checks that the run succeeded, that the result's warning names exactly those processes
/// (`commands`, in the order of the pids), and that they were killed.
fn assert_left_processes_killed_and_named(sb: &Sandbox, body: &str, commands: &[&str]) {
    sb.write(
        "spawn.py",
        format!(
            "import os, subprocess, time\n\n\
             def running(pid, program):\n    \
             \"\"\"Waits until `pid` runs `program` (a fork may not have exec'd it yet).\"\"\"\n    \
             while open(f'/proc/{{pid}}/cmdline', 'rb').read().split(b'\\0')[0] != program.encode():\n        \
             time.sleep(0.01)\n\n\
             def main(moss):\n    moss.count = 3\n    {body}\n"
        ),
    );
    let (out, result) = sb.exec_json("agent.py", "spawn.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(sb.properties("agent")["count"], 3, "the run itself succeeded");
    let pids: Vec<i32> =
        result["returns"].as_array().expect("the pids").iter().map(|pid| pid.as_i64().expect("a pid") as i32).collect();
    let warnings = result["warnings"].as_array().expect("warnings");
    let left: Vec<&str> = warnings.iter().filter_map(|w| w.as_str()).filter(|w| w.contains("the code left")).collect();
    assert_eq!(left.len(), 1, "one warning about what was left: {warnings:?}");
    let named: Vec<String> =
        commands.iter().zip(&pids).map(|(command, pid)| format!("{command} (pid {pid})")).collect();
    let killed = match named.len() {
        1 => format!("left a process running when the run ended; it was killed: {}", named[0]),
        n => format!("left {n} processes running when the run ended; they were killed: {}", named.join(", ")),
    };
    assert!(left[0].contains(&killed), "the warning names the processes, and only them: {}", left[0]);
    let started = Instant::now();
    while pids.iter().any(|&pid| alive(pid)) && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survivors: Vec<i32> = pids.iter().copied().filter(|&pid| alive(pid)).collect();
    for &pid in &survivors {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
    }
    assert!(survivors.is_empty(), "the processes {survivors:?} were not killed");
}

fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok() && !is_zombie(pid)
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')))
}

/// moss killed with SIGKILL has no chance to stop what the code started: the run's process ends
/// its whole group when its parent dies, so the code's processes do not outlive moss.
#[test]
fn the_codes_processes_do_not_outlive_a_moss_killed_outright() {
    assert_spawned_does_not_outlive_a_moss_killed_outright("subprocess.Popen(['sleep', '100'])");
}

/// The run's process ends its descendants too when its parent dies, out of its group as they may be.
#[test]
fn a_process_in_a_new_session_does_not_outlive_a_moss_killed_outright() {
    assert_spawned_does_not_outlive_a_moss_killed_outright(
        "subprocess.Popen(['sleep', '100'], start_new_session=True)",
    );
}

/// Runs code that starts `spawn` (a `sleep 100`) and waits, kills moss with SIGKILL, and checks
/// that the `sleep` ends too.
fn assert_spawned_does_not_outlive_a_moss_killed_outright(spawn: &str) {
    let sb = Sandbox::with(&[AGENT]);
    sb.write(
        "linger.py",
        format!(
            "import subprocess, time\n\ndef main(moss):\n    child = {spawn}\n    \
             open('child.pid', 'w').write(str(child.pid))\n    time.sleep(60)\n"
        ),
    );
    let mut moss = sb.moss_process().args(["exec", "agent.py", "--code", "linger.py"]).spawn().unwrap();
    // The file exists from `open` on, before its pid is written: wait for the pid itself.
    let started = Instant::now();
    let pid = loop {
        let written = sb.exists("child.pid").then(|| String::from_utf8(sb.read("child.pid")).unwrap());
        if let Some(pid) = written.and_then(|text| text.parse::<i32>().ok()) {
            break pid;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the code never wrote its child's pid");
        std::thread::sleep(Duration::from_millis(20));
    };
    moss.kill().unwrap();
    let _ = moss.wait();
    let killed = Instant::now();
    while alive(pid) && killed.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = alive(pid);
    if left {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
    }
    assert!(!left, "the code's `sleep 100` (pid {pid}) outlived moss");
}

/// A process the MOSS file's hidden hook started (with a secret on its command line) and left
/// running is the file's: its warning says so, and it is not journaled, so the next turn prompt
/// neither blames the code nor shows the command line hidden code wrote. The code's own is told.
#[test]
fn a_process_the_moss_file_left_running_is_its_own_and_not_told_to_the_model() {
    let sb = Sandbox::new();
    sb.write("tool.sh", "#!/bin/sh\nsleep 41\n");
    std::fs::set_permissions(sb.path("tool.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.write(
        "agent.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\nimport subprocess\n\n\ndef __moss_compiled__(moss):\n    \
         subprocess.Popen(['./tool.sh', '--key=hunter2'])\n# </moss-hide>\n",
    );
    sb.write("code.py", "import subprocess\n\ndef main(moss):\n    subprocess.Popen(['sleep', '43'])\n");
    let out = sb.exec("agent.py", "code.py", &[]);
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("warning: the MOSS file left 2 processes running") && err.contains("--key=hunter2"), "{err}");
    assert!(
        err.contains("warning: the code left a process running when the run ended; it was killed: sleep 43"),
        "{err}"
    );

    let turn = sb.moss().args(["prompt", "agent.py", "--task", "Again."]).output().unwrap();
    let turn = stdout(&turn);
    assert!(!turn.contains("hunter2") && !turn.contains("MOSS file left"), "{turn}");
    assert!(turn.contains("the code left a process running when the run ended; it was killed: sleep 43"), "{turn}");
    let journal = String::from_utf8(sb.read(".moss/agent.runs.jsonl")).unwrap();
    assert!(!journal.contains("hunter2"), "{journal}");
}

/// The time limit ends the whole run, processes that left its group included.
#[test]
fn a_process_in_a_new_session_does_not_outlive_the_time_limit() {
    let sb = Sandbox::with(&[AGENT]);
    sb.write(
        "linger.py",
        "import subprocess, time\n\ndef main(moss):\n    \
         child = subprocess.Popen(['sleep', '100'], start_new_session=True)\n    \
         open('child.pid', 'w').write(str(child.pid))\n    time.sleep(60)\n",
    );
    let (out, result) = sb.exec_json("agent.py", "linger.py", &["--timeout", "2"]);
    assert_exit(&out, 124);
    assert_error_kind(&result, "timeout");
    let pid: i32 = String::from_utf8(sb.read("child.pid")).unwrap().parse().expect("the child's pid");
    let ended = Instant::now();
    while alive(pid) && ended.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = alive(pid);
    if left {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
    }
    assert!(!left, "the code's `sleep 100` (pid {pid}) outlived the time limit");
}
