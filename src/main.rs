//! moss: let a program and a language model talk through Python code.

mod ble;
mod cli;
mod cli_prompt;
mod cli_words;
mod completions;
mod config;
mod config_cmd;
mod context;
mod context_cmd;
mod convert;
mod device;
mod device_cmd;
mod device_spec;
mod discover;
mod error;
mod execute;
mod hidden;
mod host;
mod interpreter;
mod journal;
mod lib_link;
mod libpython;
mod log_cmd;
mod moss_file;
mod native;
mod outline;
mod packet;
mod picture;
mod prompt;
mod python_cmd;
mod python_env;
mod relaunch;
mod replay;
mod reply;
mod report;
mod sandbox;
mod serve;
mod shard;
mod sim;
mod stubs_cmd;
mod style;
mod supervisor;
mod test_report;
mod test_worker;
mod testsuite;
mod timings;
mod tokens;
mod turn;
mod turn_template;
mod warm;

use crate::cli::Command;

fn main() {
    timings::mark("client started");
    let cli = cli_words::parse();
    style::configure(cli.color, cli.quiet);
    if let Some(folder) = python_folder(&cli.command) {
        relaunch::prepare(&folder);
    }
    let code = match &cli.command {
        Command::Prompt(args) => prompt::run(args),
        Command::Exec(args) => execute::run(args),
        Command::Test(args) => testsuite::run(args),
        Command::TestWorker(args) => test_worker::run(args),
        Command::Device { action } => device_cmd::run(action),
        Command::Context(args) => reported(context_cmd::run(&args.action)),
        Command::Config(args) => reported(config_cmd::run(args)),
        Command::Log(args) => reported(log_cmd::run(args)),
        Command::Serve(args) => reported(serve::run(args)),
        Command::Python(args) => python_cmd::run(args),
        Command::Stubs(args) => reported(stubs_cmd::run(args)),
        Command::Completions { shell } => completions::completions(*shell),
        Command::Man => completions::man_page(),
    };
    timings::mark("client done");
    std::process::exit(code.into());
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
