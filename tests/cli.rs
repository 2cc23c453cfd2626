//! The command line itself: help, and usage errors (exit 2) that never run any code.

mod common;

use common::*;

#[test]
fn every_command_has_help() {
    let sb = Sandbox::new();
    for words in
        [&["--help"][..], &["exec", "--help"][..], &["context", "--help"][..], &["context", "set", "--help"][..]]
    {
        let out = sb.moss().args(words).output().unwrap();
        assert_exit(&out, 0);
        assert!(stdout(&out).contains("Usage:"), "{words:?}: {}", stdout(&out));
    }
    let out = sb.moss().args(["exec", "--help"]).output().unwrap();
    for flag in ["--code", "--target", "--arg", "--context", "--no-context", "--timeout", "--json"] {
        assert!(stdout(&out).contains(flag), "exec --help mentions {flag}");
    }
}

#[test]
fn exec_without_code_is_a_usage_error() {
    let sb = Sandbox::with(&["exec/agent.py"]);
    let out = sb.moss().args(["exec", "agent.py"]).output().unwrap();
    assert_exit(&out, 2);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("--code"), "{}", stderr(&out));
    assert!(!sb.exists(".moss"));
}

#[test]
fn unknown_flags_and_commands_are_usage_errors() {
    let sb = Sandbox::with(&["exec/agent.py", "exec/code/count.py"]);
    assert_exit(&sb.exec("agent.py", "count.py", &["--bogus"]), 2);
    assert_exit(&sb.moss().arg("frobnicate").output().unwrap(), 2);
    assert_exit(&sb.moss().args(["context", "frobnicate", "agent.py"]).output().unwrap(), 2);
    assert_exit(&sb.moss().output().unwrap(), 2);
    assert!(!sb.exists(".moss"), "no usage error may run the code");
}

#[test]
fn quiet_silences_warnings_but_not_errors() {
    let sb = Sandbox::with(&["exec/agent.py", "exec/code/unstorable.py", "exec/code/raises.py"]);
    let out = sb.moss().args(["-q", "exec", "agent.py", "--code", "unstorable.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(!stderr(&out).contains("warning:"), "{}", stderr(&out));
    let out = sb.moss().args(["exec", "agent.py", "--code", "unstorable.py"]).output().unwrap();
    assert!(stderr(&out).contains("warning:"), "without -q the warning shows: {}", stderr(&out));

    let out = sb.moss().args(["exec", "agent.py", "--code", "raises.py", "--quiet"]).output().unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).lines().any(|l| l.starts_with("error: ")), "{}", stderr(&out));
}

#[test]
fn diagnostics_are_coloured_only_when_asked() {
    let sb = Sandbox::with(&["exec/agent.py", "exec/code/raises.py"]);
    let out = sb.moss().env_remove("NO_COLOR").args(["exec", "agent.py", "--code", "raises.py"]).output().unwrap();
    assert!(!stderr(&out).contains('\u{1b}'), "not a terminal: no colour: {:?}", stderr(&out));
    let out = sb
        .moss()
        .env_remove("NO_COLOR")
        .args(["--color", "always", "exec", "agent.py", "--code", "raises.py"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("\u{1b}["), "--color always colours: {:?}", stderr(&out));
    let out = sb.moss().args(["exec", "agent.py", "--code", "raises.py", "--color", "never"]).output().unwrap();
    assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
    assert_exit(&out, 1);
}

/// Runs `moss ARGS` on a terminal of its own (through `script`) and returns what it showed.
fn on_a_terminal(sb: &Sandbox, args: &str, no_color: Option<&str>) -> String {
    let moss = assert_cmd::cargo::cargo_bin("moss");
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &format!("{} {args}", moss.display()), "/dev/null"])
        .current_dir(sb.root())
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        cmd.env("NO_COLOR", value);
    }
    let out = cmd.output().expect("`script` (util-linux) runs a command on a terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn on_a_terminal_auto_colours_unless_no_color_is_set() {
    let sb = Sandbox::with(&["exec/agent.py", "exec/code/raises.py"]);
    let shown = on_a_terminal(&sb, "exec agent.py --code raises.py", None);
    assert!(shown.contains("error:") && shown.contains("\u{1b}["), "a terminal gets colour: {shown:?}");
    let shown = on_a_terminal(&sb, "exec agent.py --code raises.py", Some("1"));
    assert!(shown.contains("error:") && !shown.contains("\u{1b}["), "NO_COLOR=1 turns it off: {shown:?}");
    let shown = on_a_terminal(&sb, "exec agent.py --code raises.py", Some(""));
    assert!(shown.contains("\u{1b}["), "an empty NO_COLOR counts as unset: {shown:?}");
    let shown = on_a_terminal(&sb, "--color never exec agent.py --code raises.py", None);
    assert!(!shown.contains("\u{1b}["), "--color never wins on a terminal: {shown:?}");
}

/// `(code, meaning)` of each row of docs/cli.md's "Exit codes" table, backticks dropped.
fn documented_exit_codes() -> Vec<(String, String)> {
    let docs = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md")).unwrap();
    let table = docs.split("\n## Exit codes\n").nth(1).expect("docs/cli.md has an Exit codes section");
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (code, meaning) = (cells.get(1)?, cells.get(2)?);
            code.parse::<u8>().ok().map(|_| (code.to_string(), meaning.replace('`', "")))
        })
        .collect()
}

#[test]
fn the_exit_codes_of_help_are_the_documented_ones() {
    let out = Sandbox::new().moss().args(["exec", "--help"]).output().unwrap();
    assert_exit(&out, 0);
    let help = stdout(&out);
    let section = help.split("Exit codes:").nth(1).expect("--help lists the exit codes");
    // Entries start at two spaces and a code; clap wraps longer ones onto further lines.
    let mut listed: Vec<(String, String)> = Vec::new();
    for line in section.lines().filter(|line| !line.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.first().and_then(|w| w.parse::<u8>().ok()) {
            Some(code) if line.starts_with("  ") && line[2..].starts_with(&code.to_string()) => {
                listed.push((code.to_string(), words[1..].join(" ")))
            }
            _ => listed.last_mut().expect("a code first").1.push_str(&format!(" {}", words.join(" "))),
        }
    }
    let listed: Vec<(String, String)> =
        listed.into_iter().map(|(code, meaning)| (code, meaning.replace('`', ""))).collect();
    let documented = documented_exit_codes();
    assert!(!documented.is_empty(), "docs/cli.md's exit-code table has no rows");
    assert_eq!(listed, documented, "--help and docs/cli.md list different exit codes");
}

#[test]
fn exec_json_prints_its_one_object_for_a_usage_error_in_the_arguments_too() {
    let sb = Sandbox::with(&["exec/agent.py", "exec/code/count.py"]);
    let exec = |words: &[&str]| sb.moss().arg("exec").args(words).output().unwrap();
    for (words, message, hint) in [
        (&["agent.py", "--code", "count.py", "--json", "--device", "toaster"][..], "'--device <SPEC>'", "sim:NAME"),
        (&["--json", "agent.py", "--code", "count.py", "--timeout", "abc"], "'--timeout <SECS>'", "--help"),
        (&["agent.py", "--json"], "--code", "--help"),
        (&["agent.py", "--code", "count.py", "--jsno", "--json"], "'--jsno'", "--json"),
    ] {
        let out = exec(words);
        assert_exit(&out, 2);
        let result = parse_result(&out);
        assert_error_kind(&result, "usage");
        assert_eq!(result["ok"], false, "{result}");
        assert!(error_message(&result).contains(message), "{words:?}: {result}");
        assert!(!error_message(&result).starts_with("error:"), "{words:?}: {result}");
        assert!(result["error"]["hint"].as_str().unwrap().contains(hint), "{words:?}: {result}");
    }
    // Without --json, and for the help, clap's own words on their own streams.
    let out = exec(&["agent.py", "--code", "count.py", "--device", "toaster"]);
    assert_exit(&out, 2);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("`toaster` is not a device"), "{}", stderr(&out));
    let out = exec(&["--json", "--help"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Usage:"), "{}", stdout(&out));
    assert!(!sb.exists(".moss"), "no usage error may run the code");
}
