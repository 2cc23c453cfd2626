//! Options that several commands take, declared once each so that every command spells, parses
//! and documents them alike.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::cli::values::{parse_device, parse_seconds, parse_size};
use crate::device::DeviceSpec;
use crate::error::MossError;
use crate::run::sandbox::Sandbox;

/// `--device SPEC` of `moss exec`, `moss prompt` and `moss test`.
#[derive(Debug, Clone, Args)]
pub struct DeviceFlag {
    /// The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated
    /// BOLT, or `bolt`, a BOLT's name (SB-1A2B) or address [env: MOSS_DEVICE]
    #[arg(id = "device", long = "device", value_name = "SPEC", value_parser = parse_device)]
    pub spec: Option<DeviceSpec>,
}

/// What `moss exec` records of its robot besides driving it.
#[derive(Debug, Args)]
pub struct DeviceOutputs {
    /// Write every packet to and from the device to PATH, one JSON object per line
    #[arg(long, value_name = "PATH")]
    pub device_trace: Option<PathBuf>,

    /// With the simulated BOLT, write its final LED matrix and the path it travelled as a PNG
    #[arg(long, value_name = "PATH")]
    pub device_png: Option<PathBuf>,
}

/// `--timeout SECS` of `moss exec`, `moss prompt` and `moss test`.
#[derive(Debug, Clone, Copy, Args)]
pub struct TimeLimit {
    /// Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60)
    /// [env: MOSS_TIMEOUT]
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<f64>,
}

/// `--max-memory SIZE` of `moss exec`, `moss prompt` and `moss test`.
#[derive(Debug, Clone, Copy, Args)]
pub struct MemoryLimit {
    /// Limit the run's memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in
    /// `moss test`, of each case)
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
}

/// `--max-output SIZE` of `moss exec` and `moss test`.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputLimit {
    /// Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M;
    /// in `moss test`, of each case)
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_output: Option<u64>,
}

/// `--allow-import MODULES` of `moss exec`, `moss prompt` and `moss test`.
#[derive(Debug, Args)]
pub struct ImportRule {
    /// Let the code import only these modules (comma-separated; '' for none): others raise
    /// ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case
    #[arg(long, value_name = "MODULES", value_delimiter = ',')]
    pub allow_import: Option<Vec<String>>,
}

/// `--json` of every command that can print its product as data.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonOutput {
    /// Print one JSON document on stdout instead of text (diagnostics stay on stderr)
    #[arg(long)]
    pub json: bool,
}

/// `--sandbox` and what it allows, for `moss exec`, `moss prompt` and `moss test`.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct SandboxArgs {
    /// Confine the code with Landlock: writes only under the current folder, the context's folder
    /// and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError
    #[arg(long)]
    pub sandbox: bool,

    /// With --sandbox, let the code write under PATH too (repeatable)
    #[arg(long, value_name = "PATH", requires = "sandbox")]
    pub allow_write: Vec<PathBuf>,

    /// With --sandbox, let the code open TCP connections and listen on ports
    #[arg(long, requires = "sandbox")]
    pub allow_net: bool,
}

impl SandboxArgs {
    /// The sandbox `--sandbox` asks for, if it does: `context_dir` and each `--allow-write`
    /// writable beside the current folder.
    pub fn asked(&self, context_dir: Option<&Path>) -> Result<Option<Sandbox>, MossError> {
        self.sandbox.then(|| Sandbox::prepare(context_dir, &self.allow_write, self.allow_net)).transpose()
    }
}
