//! moss: let a program and a language model talk through Python code.
//!
//! The pipeline, one folder per stage:
//! - `cli`: the command line, declared once; `cmd`: the subcommands beside the pipeline, one file each.
//! - `project`: the MOSS file, its configuration, the context file kept between runs.
//! - `prompt`: what a model reads (`moss prompt`) and taking the code out of what it writes.
//! - `run`: running that code in a supervised child (`moss exec`), its report and journal, and
//!   warm mode (`moss serve`).
//! - `embed`: the embedded CPython and the native module its shipped Python calls.
//! - `device`: the robot a run drives, real (Bluetooth LE) or simulated.
//! - `testsuite`: `moss test`, its worker processes and its reports.
//!
//! Shared by all: `error` (the errors moss detects, each with its exit code) and `json_lines`
//! (the one framing of what its processes say to each other).

pub(crate) mod cli;
pub(crate) mod cmd;
pub mod device;
pub(crate) mod embed;
pub(crate) mod error;
pub(crate) mod json_lines;
pub mod project;
pub mod prompt;
pub(crate) mod run;
pub(crate) mod testsuite;

use crate::cli::Command;
use crate::cli::style;
use crate::run::timings;

/// Runs the command line this process was given and returns its exit code.
pub fn main() -> i32 {
    let started = timings::now();
    timings::mark("client started");
    let cli = cli::words::parse();
    style::configure(cli.color, cli.quiet, cli.verbose);
    if let Some(folder) = python_folder(&cli.command) {
        embed::relaunch::prepare(&folder);
    }
    if cli.verbose {
        cli::verbose::tell_setup(&cli.command, started);
    }
    let code = match &cli.command {
        Command::Prompt(args) => prompt::run(args),
        Command::Exec(args) => run::execute::run(args),
        Command::Test(args) => testsuite::run(args),
        Command::TestWorker(args) => testsuite::worker::run(args),
        Command::Device { action } => cmd::device::run(action),
        Command::Context(args) => reported(cmd::context::run(&args.action)),
        Command::Config(args) => reported(cmd::config::run(args)),
        Command::Log(args) => reported(cmd::log::run(args)),
        Command::Serve(args) => reported(run::serve::run(args)),
        Command::Python(args) => cmd::python::run(args),
        Command::Stubs(args) => reported(cmd::stubs::run(args)),
        Command::Completions { shell } => cmd::completions::completions(*shell),
        Command::Man => cmd::completions::man_page(),
    };
    timings::mark("client done");
    if cli.verbose {
        cli::verbose::tell_stages();
    }
    run::early_end::reap_own_runs();
    i32::from(code)
}
/// For a command that runs Python, the folder whose project decides which Python: the MOSS
/// file's, or the current one for `moss python`.
fn python_folder(command: &Command) -> Option<std::path::PathBuf> {
    let file = match command {
        Command::Prompt(args) => args.file.as_ref()?,
        Command::Exec(args) => &args.file,
        Command::TestWorker(args) => &args.file,
        Command::Serve(args) => &args.file,
        Command::Python(_) => return Some(std::path::PathBuf::from(".")),
        _ => return None,
    };
    let file = std::path::absolute(file).unwrap_or_else(|_| file.clone());
    Some(file.parent().map(std::path::Path::to_path_buf).unwrap_or_default())
}

/// The exit code of a command's result, printing its error if it failed.
fn reported(result: Result<u8, error::MossError>) -> u8 {
    result.unwrap_or_else(|e| {
        style::error(&e.to_string(), e.hint().as_deref());
        e.exit_code()
    })
}
