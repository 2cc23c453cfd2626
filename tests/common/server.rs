//! A `moss serve` for the tests of warm runs, and a project whose runs say which process runs
//! them.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::{Sandbox, assert_exit};

/// Code that says which process runs it: a run forked by a server has the server as its
/// parent; a cold run has the client.
pub const WHO_RUNS: &str = "import os\n\
def main(moss):\n\
\x20   return open(f'/proc/{os.getppid()}/cmdline').read().split('\\0')[1]\n";

/// A `moss serve` in the background, stopped when dropped.
pub struct Server {
    pub child: Child,
}

impl Server {
    pub fn start(sandbox: &Sandbox, moss_file: &str) -> Server {
        Server::start_at(sandbox, moss_file, &socket(sandbox, moss_file), &[])
    }

    /// A server whose socket is expected at `socket`, with the options `extra`.
    pub fn start_at(sandbox: &Sandbox, moss_file: &str, socket: &std::path::Path, extra: &[&str]) -> Server {
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

pub fn socket(sandbox: &Sandbox, moss_file: &str) -> PathBuf {
    let stem = std::path::Path::new(moss_file).file_stem().unwrap().to_str().unwrap();
    sandbox.path(&format!(".moss/{stem}.serve.sock"))
}

pub fn runner(sandbox: &Sandbox, extra: &[&str]) -> String {
    let (out, result) = sandbox.exec_json("agent.py", "who.py", &[&["--no-context"], extra].concat());
    assert_exit(&out, 0);
    result["returns"].as_str().unwrap().to_owned()
}

pub fn project() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("helpers.py", "def answer() -> int:\n    return 1\n");
    sandbox.write("agent.py", "from ghostos_moss import Moss\nimport helpers\n");
    sandbox.write("who.py", WHO_RUNS);
    sandbox.write("gen.py", "def main(moss):\n    return helpers.answer()\n");
    sandbox
}

/// Waits until the code has written its parent's pid to `started.txt`, and checks that parent is
/// the server: the run was warm.
pub fn assert_started_on_the_server(sandbox: &Sandbox, server: &Server) {
    let started = Instant::now();
    while std::fs::read_to_string(sandbox.path("started.txt")).unwrap_or_default().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "the run never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let parent: u32 = std::fs::read_to_string(sandbox.path("started.txt")).unwrap().parse().unwrap();
    assert_eq!(parent, server.child.id(), "the run did not start on the server");
}
