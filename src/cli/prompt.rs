//! The arguments of `moss prompt`: the module view, the turn prompt, the tool schema.

use std::path::PathBuf;

use clap::{ArgGroup, Args, ValueEnum};

use crate::cli::groups::{DeviceFlag, ImportRule, JsonOutput, MemoryLimit, SandboxArgs, TimeLimit};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("turn").args(["task", "task_file", "tool_schema"]).multiple(true)))]
pub struct PromptArgs {
    /// The MOSS file (optional only with --tool-schema)
    #[arg(value_name = "FILE.py", required_unless_present = "tool_schema")]
    pub file: Option<PathBuf>,

    /// Print the whole turn prompt: instructions, the module, the last run from the journal, then TEXT
    #[arg(long, value_name = "TEXT", conflicts_with = "task_file")]
    pub task: Option<String>,

    /// As --task, with the task read from a file, or - for standard input
    #[arg(long, value_name = "PATH|-")]
    pub task_file: Option<String>,

    /// The name the model's code must define, as `moss exec --target` will call it (default: main)
    #[arg(long, value_name = "NAME", requires = "turn")]
    pub target: Option<String>,

    /// Print the JSON Schema of a `moss` tool whose one parameter, `code`, is the Python to run,
    /// wrapped as FORMAT's API declares tools (default: openai)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "openai",
        conflicts_with_all = ["task", "task_file", "context", "json", "stats", "max_tokens", "timeout", "device", "allow_import", "sandbox", "max_memory"]
    )]
    pub tool_schema: Option<ToolSchema>,

    /// The context whose saved properties `moss` starts with (default: the MOSS file's own)
    #[arg(long, value_name = "PATH")]
    pub context: Option<PathBuf>,

    #[command(flatten)]
    pub output: JsonOutput,

    /// Print a token count per section and the total on stderr
    #[arg(long)]
    pub stats: bool,

    /// Fail (exit 1) naming the biggest sections when the prompt has more than N tokens
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<usize>,

    #[command(flatten)]
    pub time_limit: TimeLimit,

    #[command(flatten)]
    pub device: DeviceFlag,

    #[command(flatten)]
    pub imports: ImportRule,

    #[command(flatten)]
    pub memory_limit: MemoryLimit,

    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// How `moss prompt --tool-schema` wraps the tool's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToolSchema {
    /// `{"type": "function", "function": {"name", "description", "parameters"}}` (also for OpenAI-compatible servers)
    Openai,
    /// `{"name", "description", "input_schema"}`
    Anthropic,
}
