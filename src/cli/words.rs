//! How the words of the command line become moss's arguments: the words after `python` belong to
//! the interpreter, and `moss exec --json` reports even a command line it refuses as its object.

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::error::{MossError, Problem};
use crate::run::error_info::ErrorInfo;
use crate::run::report::{self, ExecResult};

/// Parses moss's command line. Every word after `python` is the interpreter's, even one that looks
/// like a global flag of moss (`python -q` is python's quiet mode, not moss's).
pub fn parse() -> Cli {
    let mut words: Vec<OsString> = std::env::args_os().collect();
    let python_words = subcommand_at(&words, "python").map(|at| words.split_off(at + 1));
    let mut cli = Cli::try_parse_from(&words).unwrap_or_else(|error| refuse(error, &words));
    if let (Command::Python(args), Some(python_words)) = (&mut cli.command, python_words) {
        args.args = python_words;
    }
    cli
}

/// Ends the process on a command line clap refused (or on `--help`, `--version`). `moss exec
/// --json` promises one JSON object on stdout whatever happened, so there the refusal is that
/// object, in clap's words; elsewhere clap says it as it does.
fn refuse(error: clap::Error, words: &[OsString]) -> ! {
    let exec_json = subcommand_at(words, "exec")
        .is_some_and(|at| words[at + 1..].iter().take_while(|word| *word != "--").any(|word| word == "--json"));
    if !error.use_stderr() || !exec_json {
        error.exit()
    }
    let refusal = MossError::usage(problem_of(&error.render().to_string()));
    let result = ExecResult { error: Some(ErrorInfo::from_moss_error(&refusal)), ..ExecResult::default() };
    report::exec_result(&result, true);
    std::process::exit(error.exit_code())
}

/// clap's text of a refusal as a problem: its first paragraph the message (without `error: `),
/// the rest (its `hint:` and `tip:` lines, the usage, where to read more) the hint.
fn problem_of(text: &str) -> Problem {
    let text = text.trim().strip_prefix("error:").unwrap_or(text).trim();
    let (first, rest) = text.split_once("\n\n").unwrap_or((text, ""));
    let (message, hint) = first.split_once("\nhint: ").unwrap_or((first, ""));
    let message = message.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let hints = std::iter::once(hint).chain(rest.lines()).map(|line| {
        let line = line.trim();
        line.strip_prefix("tip: ").or_else(|| line.strip_prefix("hint: ")).unwrap_or(line)
    });
    let hint = hints.filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n");
    if hint.is_empty() { Problem::new(message) } else { Problem::hinted(message, hint) }
}

/// Where `subcommand` is, when only global flags come before it.
fn subcommand_at(words: &[OsString], subcommand: &str) -> Option<usize> {
    let command = Cli::command();
    let mut at = 1;
    loop {
        let word = words.get(at)?.to_str()?;
        if word == subcommand {
            return Some(at);
        }
        let (flag, inline_value) = match word.split_once('=') {
            Some((flag, _)) => (flag, true),
            None => (word, false),
        };
        let global = command.get_arguments().find(|arg| match flag.strip_prefix("--") {
            Some(long) => arg.get_long() == Some(long),
            None => flag.len() == 2 && flag.strip_prefix('-').and_then(|s| s.chars().next()) == arg.get_short(),
        })?;
        let value_follows = global.get_action().takes_values() && !inline_value;
        at += if value_follows { 2 } else { 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_in_clap_words_becomes_a_message_and_its_hint() {
        let problem = problem_of(
            "error: the following required arguments were not provided:\n  --code <PATH|->\n\n\
             Usage: moss exec --code <PATH|-> <FILE.py>\n\nFor more information, try '--help'.\n",
        );
        assert_eq!(problem.message, "the following required arguments were not provided: --code <PATH|->");
        assert_eq!(
            problem.hint.as_deref(),
            Some("Usage: moss exec --code <PATH|-> <FILE.py>\nFor more information, try '--help'.")
        );
        let problem = problem_of("error: invalid value 'x' for '--device <SPEC>': no\nhint: use sim\n\nMore.\n");
        assert_eq!(problem.message, "invalid value 'x' for '--device <SPEC>': no");
        assert_eq!(problem.hint.as_deref(), Some("use sim\nMore."));
    }
}
