//! The commands that only read or show what the pipeline keeps: each file is one subcommand.
//! (`moss prompt`, `exec`, `test` and `serve` start their own stage: see `prompt`, `run::execute`,
//! `testsuite` and `run::serve`.)

pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod device;
pub(crate) mod log;
pub(crate) mod python;
pub(crate) mod stubs;
