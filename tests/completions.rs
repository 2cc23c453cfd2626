//! The committed completion scripts and manual page are exactly what the binary generates, so
//! they never drift from the command line.

mod common;

use std::path::Path;

use common::{Sandbox, assert_exit};

const REGENERATE: &str = "regenerate them: for s in bash zsh fish elvish powershell; do moss completions $s; done \
    (into completions/moss.bash, _moss, moss.fish, moss.elv, _moss.ps1) and moss man > docs/moss.1";

#[test]
fn committed_completions_match_the_command_line() {
    let sandbox = Sandbox::new();
    for (shell, file) in [
        ("bash", "moss.bash"),
        ("zsh", "_moss"),
        ("fish", "moss.fish"),
        ("elvish", "moss.elv"),
        ("powershell", "_moss.ps1"),
    ] {
        let out = sandbox.moss().args(["completions", shell]).output().unwrap();
        assert_exit(&out, 0);
        let committed =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions").join(file)).unwrap_or_default();
        assert!(out.stdout == committed, "completions/{file} is out of date; {REGENERATE}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("serve"), "{shell}: every command is completed");
    }
}

#[test]
fn committed_manual_page_matches_the_command_line() {
    let sandbox = Sandbox::new();
    let out = sandbox.moss().arg("man").output().unwrap();
    assert_exit(&out, 0);
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/moss.1")).unwrap_or_default();
    assert!(out.stdout == committed, "docs/moss.1 is out of date; {REGENERATE}");
}

#[test]
fn an_unknown_shell_is_a_usage_error_listing_the_shells() {
    let out = Sandbox::new().moss().args(["completions", "tcsh"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(common::stderr(&out).contains("bash"), "{}", common::stderr(&out));
}
