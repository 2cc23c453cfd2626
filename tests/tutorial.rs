//! docs/tutorial.md, followed as a reader would: in an empty folder, each file it shows is
//! written and each `$` command is run in order, and what the commands print must be what the
//! page shows. Only what changes from run to run on its own (durations, the folder's path) is
//! set aside.

mod common;

use std::process::Command;

/// The folder the tutorial's output shows; the reader's own is put in its place.
const SHOWN_FOLDER: &str = "/home/ada/todo";

enum Step {
    /// `<!-- file: NAME -->` right before a fenced block: the reader saves it as NAME.
    Write { name: String, text: String },
    /// A fenced block of `$ command` lines, each followed by what it prints.
    Run { transcript: String },
}

fn steps(markdown: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut file = None;
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line.trim().strip_prefix("<!-- file: ").and_then(|rest| rest.strip_suffix(" -->")) {
            file = Some(name.to_owned());
        } else if line.starts_with("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|inner| !inner.starts_with("```")).collect();
            let text = body.iter().map(|l| format!("{l}\n")).collect::<String>();
            match file.take() {
                Some(name) => steps.push(Step::Write { name, text }),
                None if body.first().is_some_and(|first| first.starts_with("$ ")) => {
                    steps.push(Step::Run { transcript: text })
                }
                None => {}
            }
        } else if !line.trim().is_empty() {
            file = None;
        }
    }
    steps
}

/// A shell script that prints each command as the transcript shows it, then runs it; `$?` is
/// kept across the echo so that `echo $?` reports the command before it.
fn script(transcript: &str) -> String {
    let mut script = String::from("exec 2>&1\nstatus=0\n");
    for command in transcript.lines().filter_map(|line| line.strip_prefix("$ ")) {
        let shown = format!("$ {command}").replace('\'', r"'\''");
        script.push_str(&format!("printf '%s\\n' '{shown}'\n(exit $status)\n{command}\nstatus=$?\n"));
    }
    script
}

/// Durations differ on every run, and the Python found on PATH between machines; everything else
/// must match.
fn comparable(text: &str) -> String {
    let rules = [
        (r#"("duration_ms": ?)[0-9.]+"#, "${1}N"),
        (r"# runs Python 3\.[0-9]+ as \S+,", "# runs Python 3.N as PYTHON,"),
        (r"finished in [0-9.]+ s", "finished in N s"),
        (r"warm in [0-9]+ ms", "warm in N ms"),
    ];
    rules.iter().fold(text.to_owned(), |text, (pattern, with)| {
        regex::Regex::new(pattern).unwrap().replace_all(&text, *with).into_owned()
    })
}

#[test]
fn the_tutorial_run_in_an_empty_folder_prints_what_it_shows() {
    let markdown = common::fixture_text("../docs/tutorial.md");
    let folder = tempfile::Builder::new().prefix("moss-tutorial-").tempdir().unwrap();
    let root = folder.path().canonicalize().unwrap();
    let moss = assert_cmd::cargo::cargo_bin("moss");
    let path = std::env::join_paths(
        std::iter::once(moss.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let steps = steps(&markdown);
    assert!(steps.iter().filter(|s| matches!(s, Step::Run { .. })).count() >= 8, "the tutorial's commands were found");
    for step in steps {
        match step {
            Step::Write { name, text } => std::fs::write(root.join(name), text).unwrap(),
            Step::Run { transcript } => {
                let output = Command::new("sh")
                    .arg("-c")
                    .arg(script(&transcript))
                    .current_dir(&root)
                    .env("PATH", &path)
                    .env("NO_COLOR", "1")
                    .env_remove("MOSS_WARM")
                    .env_remove("MOSS_CONTEXT")
                    .env_remove("MOSS_DEVICE")
                    .env_remove("MOSS_TIMEOUT")
                    .env_remove("MOSS_LOCK_WAIT")
                    .output()
                    .unwrap();
                let printed = String::from_utf8_lossy(&output.stdout).replace(root.to_str().unwrap(), SHOWN_FOLDER);
                assert_eq!(comparable(&printed), comparable(&transcript), "docs/tutorial.md shows something else");
            }
        }
    }
    let _ = Command::new(&moss).args(["serve", "--stop", "todo.py"]).current_dir(&root).output();
}
