//! Running model code: the supervised, sandboxed child that calls the shipped Python host, the
//! report of what it did, the run journal, and warm mode (a `moss serve` server and its client).
//! Every run, cold, warm or a test case, asks the host with one `RunRequest` (`request`) and reads
//! back one `ChildReport` (`child_report`) around the outcome of the entry point it called.

pub(crate) mod capture;
pub(crate) mod child_report;
pub(crate) mod context_diff;
pub(crate) mod early_end;
pub(crate) mod error_info;
pub(crate) mod execute;
pub(crate) mod host;
pub(crate) mod journal;
pub(crate) mod leftovers;
pub(crate) mod proc_stat;
pub(crate) mod process_settings;
pub(crate) mod report;
pub(crate) mod request;
pub(crate) mod sandbox;
pub(crate) mod serve;
pub(crate) mod supervisor;
pub(crate) mod timings;
pub(crate) mod warm;
pub(crate) mod warm_protocol;
pub(crate) mod warm_runs;
pub(crate) mod warm_signals;
