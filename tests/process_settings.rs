//! What a run inherits besides its code's words: the client's umask, resource limits, priority
//! and environment (bytes as they are, TZ), the interpreter's start-up variables, and output to
//! streams a library kept from the MOSS file's import. Each run is compared with the same run
//! `--cold`; in the `_warm` suite a first run starts the server with the test's own settings,
//! and the runs compared come after, with other settings.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output};

use common::{Sandbox, WARM, assert_exit, stderr};
use serde_json::{Value, json};

/// Code that returns what it found, and which process runs it: a run forked by a server has the
/// server as its parent, a cold run the client.
const REPORTS: &str = "import os, resource, time\n\
def main(moss):\n\
\x20   open('made.txt', 'w').close()\n\
\x20   mode = os.stat('made.txt').st_mode & 0o777\n\
\x20   os.remove('made.txt')\n\
\x20   return {\n\
\x20       'runner': open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1],\n\
\x20       'mode': oct(mode),\n\
\x20       'open_files': list(resource.getrlimit(resource.RLIMIT_NOFILE)),\n\
\x20       'nice': os.nice(0),\n\
\x20       'hour_at_epoch': time.localtime(0).tm_hour,\n\
\x20       'bytes': list(os.environb.get(b'MOSS_TEST_BYTES', b'')),\n\
\x20       'hash': hash('moss'),\n\
\x20   }\n";

/// A sandbox whose server, in the `_warm` suite, is up with the test's own settings.
fn served() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    sandbox.write("reports.py", REPORTS);
    assert_exit(&sandbox.exec("agent.py", "reports.py", &["--no-context"]), 0);
    sandbox
}

/// `moss exec agent.py --code CODE --no-context --json EXTRA` run by `sh` as `{shell} moss ...`
/// (`exec`, or commands such as `umask 077 && exec nice -n 3`), with `env` added.
fn exec_from_shell(sandbox: &Sandbox, shell: &str, env: &[(&str, &OsStr)], code: &str, extra: &[&str]) -> Output {
    let moss = sandbox.moss_process();
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("{shell} \"$@\"")).arg("sh").arg(moss.get_program());
    command.args(["exec", "agent.py", "--code", code, "--no-context", "--json"]).args(extra);
    command.current_dir(sandbox.root());
    for (name, value) in moss.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

/// The run's result as the default mode and as `--cold` give it, each checked to exit 0.
fn reports_warm_and_cold(sandbox: &Sandbox, shell: &str, env: &[(&str, &OsStr)]) -> (Value, Value, String) {
    returns_warm_and_cold(sandbox, shell, env, "reports.py")
}

/// What `code` returned as the default mode and as `--cold` run it, each checked to exit 0, and
/// what the default mode said on stderr.
fn returns_warm_and_cold(sandbox: &Sandbox, shell: &str, env: &[(&str, &OsStr)], code: &str) -> (Value, Value, String) {
    let [warm, cold] = [&[][..], &["--cold"][..]].map(|extra| exec_from_shell(sandbox, shell, env, code, extra));
    assert_exit(&warm, 0);
    assert_exit(&cold, 0);
    let returns = |out: &Output| common::parse_result(out)["returns"].clone();
    (returns(&warm), returns(&cold), stderr(&warm))
}

/// Where the code ran: on the server in the `_warm` suite, else in the client's child.
fn expected_runner(on_the_server: bool) -> &'static str {
    if *WARM && on_the_server { "serve" } else { "exec" }
}

#[test]
fn the_run_takes_on_the_clients_umask_open_files_limit_and_priority() {
    let sandbox = served();
    let (warm, cold, _) = reports_warm_and_cold(&sandbox, "umask 077 && ulimit -n 512 && exec nice -n 3", &[]);
    assert_eq!(warm["runner"], expected_runner(true), "{warm}");
    assert_eq!((&cold["mode"], &cold["open_files"]), (&json!("0o600"), &json!([512, 512])), "{cold}");
    for field in ["mode", "open_files", "nice"] {
        assert_eq!(warm[field], cold[field], "{field}: warm {warm}, cold {cold}");
    }
}

/// Code that returns the CPUs it may run on, the signals it blocks, whether it ignores SIGUSR1,
/// its OOM score adjustment, `no_new_privs` and its groups, and which process runs it.
const REPORTS_PRIVILEGES: &str = "import os, signal\n\
def main(moss):\n\
\x20   status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())\n\
\x20   return {\n\
\x20       'runner': open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1],\n\
\x20       'cpus': sorted(os.sched_getaffinity(0)),\n\
\x20       'blocked': sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),\n\
\x20       'usr1_ignored': signal.getsignal(signal.SIGUSR1) == signal.SIG_IGN,\n\
\x20       'oom_score_adj': int(open('/proc/self/oom_score_adj').read()),\n\
\x20       'no_new_privs': status['NoNewPrivs'].strip(),\n\
\x20       'groups': os.getgroups(),\n\
\x20   }\n";

/// Runs the rest of its command line with SIGUSR2 blocked, as a program started with a blocked
/// signal does.
const BLOCKING_USR2: &str = "python3 -c 'import os, signal, sys; \
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2]); os.execvp(sys.argv[1], sys.argv[1:])'";

#[test]
fn the_run_takes_on_the_clients_cpus_signals_oom_score_no_new_privs_and_groups() {
    if !works("exec taskset -c 0") {
        return common::skip(
            "the_run_takes_on_the_clients_cpus_signals_oom_score_no_new_privs_and_groups",
            "no taskset",
        );
    }
    let sandbox = served();
    sandbox.write("privileges.py", REPORTS_PRIVILEGES);
    let groups = if works("exec setpriv --groups 7,8") { "setpriv --groups 7,8 --no-new-privs" } else { "" };
    if groups.is_empty() {
        let name = "the_run_takes_on_the_clients_cpus_signals_oom_score_no_new_privs_and_groups";
        common::skip(name, "setpriv cannot set groups here: groups and no_new_privs are not checked");
    }
    let shell =
        format!("trap '' USR1 && echo 500 > /proc/self/oom_score_adj && exec taskset -c 0 {BLOCKING_USR2} {groups}");
    let (warm, cold, _) = returns_warm_and_cold(&sandbox, &shell, &[], "privileges.py");
    assert_eq!(warm["runner"], expected_runner(true), "{warm}");
    let usr2 = nix::sys::signal::Signal::SIGUSR2 as i32;
    assert_eq!(
        (&cold["cpus"], &cold["oom_score_adj"], &cold["usr1_ignored"]),
        (&json!([0]), &json!(500), &json!(true))
    );
    assert!(cold["blocked"].as_array().unwrap().contains(&json!(usr2)), "{cold}");
    if !groups.is_empty() {
        assert_eq!((&cold["no_new_privs"], &cold["groups"]), (&json!("1"), &json!([7, 8])), "{cold}");
    }
    for field in ["cpus", "blocked", "usr1_ignored", "oom_score_adj", "no_new_privs", "groups"] {
        assert_eq!(warm[field], cold[field], "{field}: warm {warm}, cold {cold}");
    }
}

/// Code that returns its scheduling policy and I/O priority (as `ionice` shows it), and which
/// process runs it.
const REPORTS_SCHEDULING: &str = "import os, subprocess\n\
def main(moss):\n\
\x20   return {\n\
\x20       'runner': open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1],\n\
\x20       'policy': os.sched_getscheduler(0),\n\
\x20       'io_priority': subprocess.run(['ionice', '-p', str(os.getpid())], capture_output=True, text=True).stdout,\n\
\x20   }\n";

#[test]
fn the_run_takes_on_the_clients_scheduling_policy_and_io_priority() {
    if !works("exec chrt --batch 0 ionice -c 3") {
        return common::skip("the_run_takes_on_the_clients_scheduling_policy_and_io_priority", "no chrt or ionice");
    }
    let sandbox = served();
    sandbox.write("scheduling.py", REPORTS_SCHEDULING);
    // Not `chrt --idle`: a client that runs only when nothing else would can wait past the time a
    // client gives its server to answer, and run cold, on a machine the suite itself keeps busy.
    for shell in ["exec chrt --batch 0 ionice -c 2 -n 7", "exec chrt --batch 0 ionice -c 3"] {
        let (warm, cold, _) = returns_warm_and_cold(&sandbox, shell, &[], "scheduling.py");
        assert_eq!(warm["runner"], expected_runner(true), "{shell}: {warm}");
        assert_ne!(cold["policy"], json!(0), "{shell}: {cold}");
        assert_eq!((&warm["policy"], &warm["io_priority"]), (&cold["policy"], &cold["io_priority"]), "{shell}");
    }
}

#[test]
fn a_server_with_no_new_privs_runs_a_client_without_it_cold_and_says_so_when_warm_is_asked() {
    if !has_program("setpriv") {
        return common::skip(
            "a_server_with_no_new_privs_runs_a_client_without_it_cold_and_says_so_when_warm_is_asked",
            "no setpriv",
        );
    }
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    sandbox.write("privileges.py", REPORTS_PRIVILEGES);
    assert_exit(&exec_from_shell(&sandbox, "exec setpriv --no-new-privs", &[], "privileges.py", &[]), 0);
    let (warm, cold, said) = returns_warm_and_cold(&sandbox, "exec", &[], "privileges.py");
    assert_eq!(warm["runner"], "exec", "{warm}");
    assert_eq!((&warm["no_new_privs"], &cold["no_new_privs"]), (&json!("0"), &json!("0")));
    if *WARM {
        assert!(said.contains("no_new_privs") && said.contains("running cold"), "{said}");
    }
}

#[test]
fn a_lower_oom_score_is_taken_on_and_groups_a_server_may_not_give_run_cold_and_say_so() {
    if !works("exec setpriv --bounding-set=-setgid,-sys_resource --groups 7,8") {
        let name = "a_lower_oom_score_is_taken_on_and_groups_a_server_may_not_give_run_cold_and_say_so";
        return common::skip(name, "setpriv cannot drop capabilities and set groups here");
    }
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    sandbox.write("privileges.py", REPORTS_PRIVILEGES);
    // The server, started by this first run, runs at a higher OOM score adjustment, which a run
    // may lower again, and may not change its groups.
    // The clients have the server's capabilities: other capabilities would send them cold.
    let unprivileged = "exec setpriv --bounding-set=-setgid,-sys_resource";
    let server = format!("echo 500 > /proc/self/oom_score_adj && {unprivileged}");
    assert_exit(&exec_from_shell(&sandbox, &server, &[], "privileges.py", &[]), 0);
    let (warm, cold, _) = returns_warm_and_cold(&sandbox, unprivileged, &[], "privileges.py");
    assert_eq!(warm["runner"], expected_runner(true), "{warm}");
    assert_eq!((&warm["oom_score_adj"], &cold["oom_score_adj"]), (&json!(0), &json!(0)), "{warm}");
    let other_groups = format!("{unprivileged} --groups 7,8");
    let (warm, cold, said) = returns_warm_and_cold(&sandbox, &other_groups, &[], "privileges.py");
    assert_eq!(warm["runner"], "exec", "{warm}");
    assert_eq!((&warm["groups"], &cold["groups"]), (&json!([7, 8]), &json!([7, 8])), "{warm}");
    if *WARM {
        assert!(said.contains("groups") && said.contains("running cold"), "{said}");
    }
}

/// Code that returns the namespaces and capabilities it runs with, and which process runs it.
const REPORTS_CONFINEMENT: &str = "import os\n\
def main(moss):\n\
\x20   status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())\n\
\x20   return {\n\
\x20       'runner': open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1],\n\
\x20       'net': os.readlink('/proc/self/ns/net'),\n\
\x20       'user': os.readlink('/proc/self/ns/user'),\n\
\x20       'bounding': status['CapBnd'].strip(),\n\
\x20   }\n";

#[test]
fn a_client_in_other_namespaces_or_with_other_capabilities_or_personality_runs_cold_and_says_so_when_warm_is_asked() {
    let sandbox = served();
    sandbox.write("confinement.py", REPORTS_CONFINEMENT);
    // A client without network (its own network namespace) must not reach the network through
    // the server; one without a capability must not get it back there.
    let confined = [
        ("exec unshare --user --map-root-user --net", "net namespace"),
        ("exec setpriv --bounding-set=-net_raw", "Cap"),
        ("exec setarch --addr-no-randomize", "personality"),
    ];
    for (shell, setting) in confined {
        if !works(shell) {
            let name = "a_client_in_other_namespaces_or_with_other_capabilities_or_personality_runs_cold_and_says_so_when_warm_is_asked";
            common::skip(name, &format!("`{shell}` is not allowed here: not checked"));
            continue;
        }
        let (warm, cold, said) = returns_warm_and_cold(&sandbox, shell, &[], "confinement.py");
        assert_eq!(warm["runner"], "exec", "{shell}: {warm}");
        // Each client made a namespace of its own: neither run is in the test's.
        let ours = |namespace: &str| std::fs::read_link(format!("/proc/self/ns/{namespace}")).unwrap();
        for (namespace, run) in [("net", &warm), ("net", &cold), ("user", &warm), ("user", &cold)] {
            let theirs = run[namespace].as_str().unwrap();
            assert_eq!(theirs == ours(namespace).to_str().unwrap(), !shell.contains("unshare"), "{shell}: {run}");
        }
        assert_eq!(warm["bounding"], cold["bounding"], "{shell}");
        if *WARM {
            assert!(said.contains(setting) && said.contains("running cold"), "{shell}: {said}");
        }
    }
}

/// Whether `true` runs through `wrapper` (`exec PROGRAM OPTIONS`) here: the program is installed
/// and this process may do what it asks.
fn works(wrapper: &str) -> bool {
    Command::new("sh").args(["-c", &format!("{wrapper} true")]).output().is_ok_and(|out| out.status.success())
}

fn has_program(name: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {name}")]).output().is_ok_and(|out| out.status.success())
}

#[test]
fn a_hard_limit_above_the_servers_runs_cold_and_says_so_when_warm_is_asked() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from ghostos_moss import Moss\n");
    sandbox.write("reports.py", REPORTS);
    assert_exit(&exec_from_shell(&sandbox, "ulimit -n 256 && exec", &[], "reports.py", &[]), 0);
    let (warm, cold, said) = reports_warm_and_cold(&sandbox, "exec", &[]);
    assert_eq!(warm["runner"], "exec", "a run the server cannot give the client's limits runs cold: {warm}");
    assert_eq!(warm["open_files"], cold["open_files"]);
    if *WARM {
        assert!(said.contains("RLIMIT_NOFILE") && said.contains("running cold"), "{said}");
    }
}

#[test]
fn the_run_reads_the_clients_time_zone_and_environment_bytes_as_they_are() {
    let sandbox = served();
    let not_utf8 = OsStr::from_bytes(b"caf\xe9");
    let env = [("TZ", OsStr::new("Asia/Tokyo")), ("MOSS_TEST_BYTES", not_utf8)];
    let (warm, cold, _) = reports_warm_and_cold(&sandbox, "exec", &env);
    assert_eq!(warm["runner"], expected_runner(true), "{warm}");
    assert_eq!((&cold["hour_at_epoch"], &cold["bytes"]), (&json!(9), &json!([99, 97, 102, 233])), "{cold}");
    assert_eq!((&warm["hour_at_epoch"], &warm["bytes"]), (&cold["hour_at_epoch"], &cold["bytes"]), "{warm}");
}

#[test]
fn a_start_up_variable_other_than_the_servers_runs_cold_and_says_so_when_warm_is_asked() {
    let sandbox = served();
    let (warm, cold, said) = reports_warm_and_cold(&sandbox, "exec", &[("PYTHONHASHSEED", OsStr::new("1"))]);
    assert_eq!(warm["runner"], "exec", "{warm}");
    assert_eq!(warm["hash"], cold["hash"]);
    if *WARM {
        assert!(said.contains("PYTHONHASHSEED") && said.contains("running cold"), "{said}");
    }
    sandbox.write("warns.py", "import warnings\ndef main(moss):\n    warnings.warn('careful')\n    return 1\n");
    let env = [("PYTHONWARNINGS", OsStr::new("error"))];
    let [warm, cold] =
        [&[][..], &["--cold"][..]].map(|extra| exec_from_shell(&sandbox, "exec", &env, "warns.py", extra));
    assert_exit(&cold, 1);
    assert_exit(&warm, 1);
}

#[test]
fn a_logging_handler_the_moss_file_set_up_writes_to_the_runs_stderr() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "agent.py",
        "import logging\nfrom ghostos_moss import Moss\n\
         logging.basicConfig(level=logging.INFO, format='LOG %(message)s')\n\
         log = logging.getLogger('agent')\nprint('the body ran')\n",
    );
    sandbox.write("logs.py", "def main(moss):\n    log.info('hello from run')\n    return 1\n");
    for _ in 0..2 {
        let out = sandbox.exec("agent.py", "logs.py", &["--no-context"]);
        assert_exit(&out, 0);
        assert!(stderr(&out).contains("LOG hello from run\n"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("Logging error"), "{}", stderr(&out));
        assert_eq!(common::stdout(&out), "the body ran\n1\n");
    }
}
