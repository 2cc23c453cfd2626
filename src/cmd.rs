//! The subcommands beside the pipeline, one file each: they read or edit what it keeps (`config`,
//! `context`, `log`), or serve the tools around it (`device`, `python`, `stubs`, `completions`).
//! `moss prompt`, `exec`, `test` and `serve` are the pipeline's own entry points: `prompt`,
//! `run::execute`, `testsuite` and `run::serve`.

pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod device;
pub(crate) mod log;
pub(crate) mod python;
pub(crate) mod stubs;
