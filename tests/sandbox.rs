//! `--sandbox`: the kernel confines the generated code. Every test runs the same code without
//! `--sandbox` too, so that it is the sandbox, not the code, that makes the difference.

mod common;

use std::net::TcpListener;
use std::path::Path;

use common::{Sandbox, assert_exit, stderr};
use serde_json::Value;

const AGENT: &str = "from ghostos_moss import Moss\n";

/// A folder outside the run's current folder, where the code may write only when allowed.
fn outside() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("moss-outside-").tempdir().unwrap()
}

fn write_to(sandbox: &Sandbox, target: &Path) {
    let code = format!(
        "def main(moss):\n    with open({:?}, 'w') as f:\n        f.write('written')\n    return 'done'\n",
        target
    );
    sandbox.write("agent.py", AGENT);
    sandbox.write("gen.py", code);
}

/// The Landlock ABI of the kernel the tests run on; 0 when it has none.
fn landlock_abi() -> i64 {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: asks the kernel for a number; no memory is passed.
    let abi = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    abi.max(0)
}

/// The Landlock ABIs that enforce each part of the sandbox.
const WRITES: i64 = 1;
const TCP: i64 = 4;
const SCOPES: i64 = 6;

/// Checks what moss said of the parts this kernel cannot enforce (named on stderr; nothing
/// named on a kernel that enforces them all), and whether the part needing ABI `needed` can be
/// checked here. When it cannot, the test output says so, so that no test passes in silence.
fn enforceable(what: &str, needed: i64, result: &Value, out: &std::process::Output) -> bool {
    let gaps = result["sandbox"]["unenforced"].as_array().expect("the sandbox report").clone();
    for gap in &gaps {
        assert!(stderr(out).contains(gap.as_str().unwrap()), "an unenforced part must be named on stderr: {gap}");
    }
    let abi = landlock_abi();
    if abi >= SCOPES {
        assert!(gaps.is_empty(), "this kernel (Landlock ABI {abi}) enforces the whole sandbox: {result}");
    }
    if abi < needed {
        assert!(!gaps.is_empty(), "moss must name what this kernel (Landlock ABI {abi}) cannot enforce: {result}");
        eprintln!("NOT CHECKED: {what} needs Landlock ABI {needed}; this kernel has ABI {abi}");
    }
    abi >= needed
}

#[test]
fn writing_outside_the_allowed_folders_raises_permission_error() {
    let sandbox = Sandbox::new();
    let elsewhere = outside();
    let target = elsewhere.path().join("escaped.txt");
    write_to(&sandbox, &target);

    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    if enforceable("write confinement", WRITES, &result, &out) {
        assert_exit(&out, 1);
        assert_eq!(result["error"]["type"], "PermissionError", "{result}");
        assert!(!target.exists(), "the write went through");
    }

    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "done");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "written");
}

#[test]
fn allow_write_opens_a_folder_to_the_code() {
    let sandbox = Sandbox::new();
    let elsewhere = outside();
    let target = elsewhere.path().join("allowed.txt");
    write_to(&sandbox, &target);
    let folder = elsewhere.path().to_str().unwrap();
    let (out, result) =
        sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox", "--allow-write", folder]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "done");
    assert!(target.exists());
}

#[test]
fn the_current_folder_and_a_private_tmpdir_stay_writable() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write(
        "gen.py",
        "import os, tempfile\n\
         def main(moss):\n\
         \x20   with open('notes.txt', 'w') as f:\n\
         \x20       f.write('kept')\n\
         \x20   with tempfile.NamedTemporaryFile() as scratch:\n\
         \x20       scratch.write(b'scratch')\n\
         \x20   return {'tmpdir': tempfile.gettempdir(), 'env': os.environ['TMPDIR']}\n",
    );
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    assert_exit(&out, 0);
    assert_eq!(sandbox.read("notes.txt"), b"kept");
    let private = result["returns"]["tmpdir"].as_str().unwrap();
    assert_eq!(result["returns"]["env"], private);
    assert_eq!(result["sandbox"]["tmpdir"], private);
    assert!(private.contains("moss-sandbox-"), "{private}");
    assert!(!Path::new(private).exists(), "the private temporary folder outlived the run");
}

#[test]
fn the_shared_temporary_folder_is_read_only_in_the_sandbox() {
    let sandbox = Sandbox::new();
    let shared = tempfile::Builder::new().prefix("moss-shared-").tempfile().unwrap();
    write_to(&sandbox, shared.path());
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    if enforceable("write confinement", WRITES, &result, &out) {
        assert_exit(&out, 1);
        assert_eq!(result["error"]["type"], "PermissionError", "{result}");
    }
    let (out, _) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
}

#[test]
fn processes_the_code_starts_are_confined_too() {
    let sandbox = Sandbox::new();
    let elsewhere = outside();
    let target = elsewhere.path().join("from-shell.txt");
    sandbox.write("agent.py", AGENT);
    sandbox.write(
        "gen.py",
        format!(
            "import subprocess\ndef main(moss):\n    return subprocess.run(['sh', '-c', 'echo x > {}'], capture_output=True).returncode\n",
            target.display()
        ),
    );
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    if enforceable("write confinement", WRITES, &result, &out) {
        assert_ne!(result["returns"], 0, "{result}");
        assert!(!target.exists());
    }
    let (_, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_eq!(result["returns"], 0);
    assert!(target.exists());
}

#[test]
fn tcp_connect_and_bind_are_denied_unless_allow_net() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write(
        "gen.py",
        format!(
            "import socket\n\
             def main(moss):\n\
             \x20   socket.create_connection(('127.0.0.1', {port}), timeout=5).close()\n\
             \x20   server = socket.socket()\n\
             \x20   server.bind(('127.0.0.1', 0))\n\
             \x20   server.close()\n\
             \x20   return 'connected'\n"
        ),
    );
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    assert_eq!(result["sandbox"]["network"], false);
    if enforceable("TCP confinement", TCP, &result, &out) {
        assert_exit(&out, 1);
        assert_eq!(result["error"]["type"], "PermissionError", "{result}");
    }
    for extra in [&["--sandbox", "--allow-net"][..], &[]] {
        let (out, result) = sandbox.exec_json("agent.py", "gen.py", &[&["--no-context"], extra].concat());
        assert_exit(&out, 0);
        assert_eq!(result["returns"], "connected");
    }
}

#[test]
fn signals_to_processes_outside_the_sandbox_are_denied() {
    let mut outsider = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write(
        "gen.py",
        format!(
            "import os, signal\ndef main(moss):\n    os.kill({}, signal.SIGTERM)\n    return 'sent'\n",
            outsider.id()
        ),
    );
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    if enforceable("signal scoping", SCOPES, &result, &out) {
        assert_exit(&out, 1);
        assert_eq!(result["error"]["type"], "PermissionError", "{result}");
        assert!(outsider.try_wait().unwrap().is_none(), "the signal reached a process outside the sandbox");
    }
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "sent");
    let _ = outsider.kill();
    assert!(outsider.wait().unwrap().code().is_none(), "without --sandbox the signal ends the process");
}

#[test]
fn abstract_unix_sockets_outside_the_sandbox_cannot_be_reached() {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("moss-test-{}", std::process::id());
    let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind_addr(&address).unwrap();
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write(
        "gen.py",
        format!(
            "import socket\ndef main(moss):\n    s = socket.socket(socket.AF_UNIX)\n    s.connect('\\0{name}')\n    \
             s.close()\n    return 'connected'\n"
        ),
    );
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    if enforceable("abstract Unix socket scoping", SCOPES, &result, &out) {
        assert_exit(&out, 1);
        assert_eq!(result["error"]["type"], "PermissionError", "{result}");
    }
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "connected");
}

#[test]
fn the_context_is_saved_and_the_robot_driven_from_inside_the_sandbox() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/gen.py"]);
    let elsewhere = outside();
    let context = elsewhere.path().join("state").join("agent.context.json");
    let context = context.to_str().unwrap();
    let args = ["--target", "run", "--device", "sim", "--sandbox", "--context", context];
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &args);
    assert_exit(&out, 0);
    assert_eq!(result["context"]["saved"], true, "{result}");
    assert!(result["device"]["packets_sent"].as_u64().unwrap() > 0, "{result}");
    assert!(Path::new(context).exists());
}

#[test]
fn allow_write_of_a_missing_path_is_a_usage_error_with_a_hint() {
    let sandbox = Sandbox::new();
    write_to(&sandbox, Path::new("x.txt"));
    let out = sandbox.exec("agent.py", "gen.py", &["--sandbox", "--allow-write", "no/such/folder"]);
    assert_exit(&out, 2);
    let text = stderr(&out);
    assert!(text.contains("--allow-write no/such/folder") && text.contains("hint:"), "{text}");
}

#[test]
fn widening_flags_need_sandbox() {
    let sandbox = Sandbox::new();
    write_to(&sandbox, Path::new("x.txt"));
    for extra in [&["--allow-net"][..], &["--allow-write", "."]] {
        let out = sandbox.exec("agent.py", "gen.py", extra);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains("--sandbox"), "{}", stderr(&out));
    }
}

#[test]
fn moss_test_runs_cases_in_the_sandbox() {
    let sandbox = Sandbox::new();
    let elsewhere = outside();
    let target = elsewhere.path().join("case.txt");
    sandbox.write(
        "agent_test.py",
        format!(
            "from ghostos_moss import Moss\n\n\
             def test_writes_elsewhere(moss):\n\
             \x20   with open({:?}, 'w') as f:\n\
             \x20       f.write('x')\n\n\
             __moss_test_cases__ = ['test_writes_elsewhere']\n",
            target
        ),
    );
    let confined = sandbox.moss().args(["test", "agent_test.py", "--sandbox", "--json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&confined.stdout).unwrap();
    let abi = landlock_abi();
    if abi < WRITES {
        assert!(report.to_string().contains("--sandbox:"), "the report names what is not enforced: {report}");
        eprintln!("NOT CHECKED: write confinement needs Landlock ABI {WRITES}; this kernel has ABI {abi}");
    } else {
        assert_exit(&confined, 1);
        assert!(report.to_string().contains("PermissionError"), "{report}");
        assert!(!target.exists());
    }
    let free = sandbox.moss().args(["test", "agent_test.py"]).output().unwrap();
    assert_exit(&free, 0);
    assert!(target.exists());
}

#[test]
fn a_file_cannot_grow_past_one_gibibyte_in_the_sandbox() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    // A sparse file: the size is what counts, no disk is used.
    sandbox.write(
        "gen.py",
        "def main(moss):\n    with open('big.bin', 'wb') as f:\n        f.truncate(2 << 30)\n    return 'grown'\n",
    );
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--sandbox"]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "OSError", "{result}");
    assert!(result["error"]["message"].as_str().unwrap().contains("too large"), "{result}");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "grown");
}

#[test]
fn moss_prompt_loads_the_moss_file_in_the_sandbox() {
    let sandbox = Sandbox::new();
    let elsewhere = outside();
    let target = elsewhere.path().join("loaded.txt");
    sandbox.write("agent.py", format!("{AGENT}\nwith open({target:?}, 'w') as f:\n    f.write('x')\n"));
    let confined = sandbox.moss().args(["prompt", "agent.py", "--sandbox"]).output().unwrap();
    let abi = landlock_abi();
    if abi < WRITES {
        assert!(stderr(&confined).contains("--sandbox:"), "what is not enforced is named: {}", stderr(&confined));
        eprintln!("NOT CHECKED: write confinement needs Landlock ABI {WRITES}; this kernel has ABI {abi}");
    } else {
        assert_exit(&confined, 4);
        assert!(stderr(&confined).contains("PermissionError"), "{}", stderr(&confined));
        assert!(!target.exists());
        let folder = elsewhere.path().to_str().unwrap();
        let allowed =
            sandbox.moss().args(["prompt", "agent.py", "--sandbox", "--allow-write", folder]).output().unwrap();
        assert_exit(&allowed, 0);
        assert!(target.exists());
        std::fs::remove_file(&target).unwrap();
    }
    let free = sandbox.moss().args(["prompt", "agent.py"]).output().unwrap();
    assert_exit(&free, 0);
    assert!(target.exists());
}
