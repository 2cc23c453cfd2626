//! How the words of the command line become moss's arguments: the words after `python` belong to
//! the interpreter.

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};

/// Parses moss's command line. Every word after `python` is the interpreter's, even one that looks
/// like a global flag of moss (`python -q` is python's quiet mode, not moss's).
pub fn parse() -> Cli {
    let mut words: Vec<OsString> = std::env::args_os().collect();
    let python_words = python_subcommand_at(&words).map(|at| words.split_off(at + 1));
    let mut cli = Cli::parse_from(words);
    if let (Command::Python(args), Some(python_words)) = (&mut cli.command, python_words) {
        args.args = python_words;
    }
    cli
}

/// Where the `python` subcommand is, when only global flags come before it.
fn python_subcommand_at(words: &[OsString]) -> Option<usize> {
    let command = Cli::command();
    let mut at = 1;
    loop {
        let word = words.get(at)?.to_str()?;
        if word == "python" {
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
