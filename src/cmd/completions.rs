//! `moss completions SHELL` and `moss man`: generated from the same definitions as `--help`, so
//! they cannot drift from the command line (a test compares them with the committed files).

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;

pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "moss", &mut out);
    u8::from(out.flush().is_err())
}

pub fn man_page() -> u8 {
    let mut out = std::io::stdout().lock();
    let rendered = clap_mangen::Man::new(Cli::command()).render(&mut out);
    u8::from(rendered.and_then(|_| out.flush()).is_err())
}
