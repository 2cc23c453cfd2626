//! moss: let a program and a language model talk through Python code.

mod ble;
mod cli;
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
mod log_cmd;
mod moss_file;
mod native;
mod outline;
mod packet;
mod picture;
mod prompt;
mod python_cmd;
mod reply;
mod report;
mod sandbox;
mod serve;
mod sim;
mod style;
mod supervisor;
mod test_report;
mod test_worker;
mod testsuite;
mod timings;
mod tokens;
mod warm;

use crate::cli::Command;

fn main() {
    timings::mark("client started");
    let cli = cli_words::parse();
    style::configure(cli.color, cli.quiet);
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
        Command::Completions { shell } => completions::completions(*shell),
        Command::Man => completions::man_page(),
    };
    timings::mark("client done");
    std::process::exit(code.into());
}

/// The exit code of a command's result, printing its error if it failed.
fn reported(result: Result<u8, error::MossError>) -> u8 {
    result.unwrap_or_else(|e| {
        style::error(&e.to_string(), e.hint().as_deref());
        e.exit_code()
    })
}
