//! The command line: every flag is declared and documented here, once.

pub(crate) mod groups;
pub(crate) mod prompt;
pub(crate) mod style;
pub(crate) mod values;
pub(crate) mod verbose;
pub(crate) mod words;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use serde::{Deserialize, Serialize};

pub use crate::cli::groups::{
    DeviceFlag, DeviceOutputs, ImportRule, JsonOutput, MemoryLimit, OutputLimit, SandboxArgs, TimeLimit,
};
pub use crate::cli::prompt::{PromptArgs, ToolSchema};
use crate::cli::style::ColorChoice;
use crate::cli::values::{parse_device, parse_seconds};
use crate::device::DeviceSpec;
use crate::prompt::reply::CodeFormat;

#[derive(Debug, Parser)]
#[command(
    name = "moss",
    version,
    about = "Let a program and a language model talk through Python code",
    long_about = "Let a program and a language model talk through Python code.\n\n\
        A MOSS file is a Python module that defines what a model may use: a `Moss` class whose typed \
        attributes are injected by the host and whose plain attributes persist between runs. \
        `moss prompt` turns the file into the text the model reads; `moss exec` runs the code the \
        model answers with (`def main(moss): ...`) inside that module and saves what it stored on \
        `moss` in a JSON context file.",
    after_help = "Example agent loop, one turn:\n  \
        moss prompt agent.py --task 'drive a square' | llm > reply.md\n  \
        moss exec agent.py --code reply.md",
    after_long_help = crate::error::exit_codes_help()
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print no warnings, only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Tell on stderr how a run is set up and where its time goes: the configuration file, the
    /// Python and why, the context file, warm or cold and why, and the time of each stage
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the prompt a model reads before writing code for a MOSS file
    #[command(
        long_about = "Print the prompt a model reads before writing code for a MOSS file.\n\n\
            The MOSS file is compiled as `moss exec` compiles it (same injections), then printed \
            without its `# <moss-hide>` regions, followed by a quoted block with one `<attr>` section \
            per imported name the code may use: functions as their signature and docstring, abstract \
            classes, pydantic models, dataclasses, TypedDicts and enums as source, other classes \
            named in `Moss` type hints as their interface, imported project modules as their \
            interface. `__moss_attr_prompts__()` overrides sections; `__moss_module_prompt__(prompter)` \
            replaces the whole prompt. The same inputs always give the same bytes.\n\n\
            With --task (or --task-file), it prints the whole prompt of one turn of an agent loop: \
            the persona and instruction of the file's `__ghost__` (a GhostOS MossAgent), how to answer \
            (the target to define, what persists on `moss`, what comes back), the module view above, \
            the last run from the run journal (its code, output, return value or error with the failing \
            line, and what changed on `moss`), then the task. `prompt-template` in the configuration \
            lays it out another way. --stats, --json (the prompt, its tokens, its sections and its \
            sha256) and --max-tokens count the whole of it. --device binds the robot for the file's \
            hooks; the prompt is the same bytes without it. \
            --tool-schema prints instead the declaration of a `moss` tool for tool-calling APIs.",
        after_help = "Examples:\n  \
            moss prompt agent.py > prompt.txt\n  \
            moss prompt agent.py --stats > /dev/null\n  \
            moss prompt agent.py --max-tokens 4000 > /dev/null   # a CI gate\n  \
            moss prompt agent.py --json | jq .tokens\n  \
            moss prompt agent.py --task 'drive a square' | llm > reply.md\n  \
            moss prompt --tool-schema=anthropic",
        after_long_help = crate::error::exit_codes_help()
    )]
    Prompt(PromptArgs),

    /// Run generated code inside a MOSS file and save what it stored on `moss`
    #[command(
        long_about = "Run generated code inside a MOSS file and save what it stored on `moss`.\n\n\
            The MOSS file is compiled in a fresh module, `moss` is built (saved properties restored, \
            bindings injected), the code is executed in the module's namespace and its target \
            (default `main`) is called with `moss`. The target's return value is printed as JSON \
            (or its repr when it has no JSON form). The context file is written only when the run \
            succeeds, atomically and under a lock; after any failure it is byte-for-byte what it was.\n\n\
            The run happens in a child process: a time limit, a crash or a hang in the generated \
            code cannot take the result or the context file with it. --json prints one object: the \
            return value, the output, the error and the context.",
        after_help = "Examples:\n  \
            moss exec agent.py --code gen.py\n  \
            llm < prompt.txt | moss exec agent.py --code - --json\n  \
            moss exec agent.py --code gen.py --target plan --arg moss --timeout 30",
        after_long_help = crate::error::exit_codes_help()
    )]
    Exec(ExecArgs),

    /// Check MOSS files: each compiles, its prompt builds, and its test cases pass
    #[command(
        long_about = "Check MOSS files: each compiles, its prompt builds, and its test cases pass.\n\n\
            PATHs are MOSS files or folders searched recursively (default: the current folder), \
            honouring .gitignore and skipping hidden folders, virtual environments and __pycache__. \
            A MOSS file is a .py file that imports ghostos_moss or defines __moss_test_cases__, a \
            list of names of functions that take `moss`. Each case runs in a fresh runtime with no \
            context, in a process of its own, and passes when it returns without raising. A case \
            with a golden file `<file stem>.<case>.out` beside the MOSS file must also print \
            exactly that on stdout. The runs pinned with `moss log FILE --pin N` \
            (`<stem>.pinned/*.json`) are cases too. Files run in parallel; results are reported in \
            file order. The last line of the report is `N passed, N failed` (`, N skipped` may \
            follow), counting cases; a file that does not compile or whose prompt does not build \
            counts as one failed case.\n\n\
            --shard K/N tests one of N parts of the files, each file's part fixed by a hash of its \
            path below the PATH it was found under. --replay runs, instead of the cases, each \
            successful run in the file's journal again (`run N`), from the properties it started \
            from, against the file as it is now; it saves nothing. With --device each case gets a \
            fresh robot (a fresh simulated BOLT for `sim`). --json prints one report of every file \
            and case; the summary line still goes to stderr.",
        after_help = "Examples:\n  \
            moss test\n  \
            moss test agents/ --jobs 4 --junit report.xml --shard 2/4\n  \
            moss test agent.py -k roll -x\n  \
            moss test --replay agent.py",
        after_long_help = "Exit codes:\n  \
            0    every case passed\n  \
            1    a case or a check failed\n  \
            2    command-line usage error (such as a --device that is no device spec), a configuration or a \
            MOSS_* variable the cases use is invalid (one error, before any file runs), or the --junit report \
            cannot be written\n  \
            4    no MOSS file was found under the given paths, or no case matches -k\n  \
            5    a case failed because the device cannot be reached"
    )]
    Test(TestArgs),

    /// Test one MOSS file and print its report as JSON (what `moss test` runs per file)
    #[command(hide = true)]
    TestWorker(TestWorkerArgs),

    /// Find Sphero BOLTs nearby, or ask one for its battery and firmware
    #[command(
        long_about = "Find Sphero BOLTs nearby, or ask one for its battery and firmware.\n\n\
            Real robots are reached over Bluetooth LE (BlueZ through D-Bus on Linux). `sim` is the \
            simulated BOLT that `moss exec --device sim` drives: it answers every command a real \
            one does, so scripts can be written and tested without a robot.",
        after_help = "Examples:\n  \
            moss device scan --timeout 10\n  \
            moss device info --device SB-1A2B\n  \
            moss device info --device sim",
        after_long_help = crate::error::exit_codes_help()
    )]
    Device {
        #[command(subcommand)]
        action: DeviceAction,
    },

    /// Read and edit a MOSS file's saved context
    #[command(
        long_about = "Read and edit the context file where `moss exec` keeps the properties of `moss`.\n\n\
            Name the context by its MOSS file (its default context, `.moss/<name>.context.json` \
            beside it) or by --context PATH. Values are JSON. Edits take the same lock as \
            `moss exec` and are written atomically. A file that is not a valid context is reported \
            (exit 4) and never overwritten.",
        after_help = "Examples:\n  \
            moss context show agent.py\n  \
            moss context get agent.py count\n  \
            moss context set agent.py greeting '\"hello\"'\n  \
            moss context show --context state.json --json | jq .count",
        after_long_help = crate::error::exit_codes_help()
    )]
    Context(crate::cmd::context::ContextArgs),

    /// Show the run journal: what the last runs of `moss exec` did, failed ones included
    #[command(
        long_about = "Show the run journal: what the last runs of `moss exec` did, failed ones included.\n\n\
            Every `moss exec` with a context appends one JSON record to `<stem>.runs.jsonl` beside \
            the context file: the time, the code as read, the target, whether it succeeded, the \
            return value, the output (first and last 2 KiB of each stream), the error with the text \
            of its line, and the context's changes with short before/after values. The journal keeps \
            the newest 200 records (MOSS_JOURNAL_KEEP) and at most 4 MiB. `moss exec --no-context` \
            journals nothing. Name the journal by its MOSS file or by the context's --context PATH. \
            Plain output is one block per run, oldest first, numbered from 1 for the oldest run the \
            journal keeps; --json prints one JSON array of records. --pin N keeps run N, with the \
            properties it started from, as a case of `moss test`: `<stem>.pinned/<time>.json` \
            beside the MOSS file.",
        after_help = "Examples:\n  \
            moss log agent.py\n  \
            moss log agent.py -n 1 --json | jq '.[0].error'\n  \
            moss log --context state.json -n 3\n  \
            moss log agent.py --pin 7",
        after_long_help = "Exit codes:\n  \
            0    the journal was shown (an empty or missing journal shows nothing)\n  \
            2    command-line usage error, or run N cannot be pinned\n  \
            4    the journal cannot be read"
    )]
    Log(LogArgs),

    /// Show the configuration that applies to a MOSS file, and where each value came from
    #[command(
        long_about = "Show the configuration that applies to a MOSS file, and where each value came from.\n\n\
            moss reads `[tool.moss]` in pyproject.toml, or moss.toml, from the MOSS file's folder or \
            the nearest folder above that has one (moss.toml wins in the same folder). Keys: \
            context-dir (folder for context files), timeout (seconds), python-path (extra import \
            roots), providers (`module:callable` returning providers to register for every run), \
            allow-imports (the import allow-list), device (a --device SPEC). Paths are relative to \
            the file. MOSS_CONTEXT, MOSS_DEVICE and MOSS_TIMEOUT override the file; command-line \
            flags override both. --json prints one object: the file found, the context path, and each \
            setting with its source.",
        after_help = "Examples:\n  \
            moss config agent.py\n  \
            moss config agent.py --json | jq .settings.timeout\n  \
            MOSS_TIMEOUT=5 moss config agent.py",
        after_long_help = "Exit codes:\n  \
            0    the configuration was shown\n  \
            2    a configuration file or a MOSS_* variable is invalid (the message names it)"
    )]
    Config(ConfigArgs),

    /// Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds
    #[command(
        long_about = "Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds.\n\n\
            The server starts Python once, imports what the MOSS file imports, runs the file's body \
            once in a throwaway module with its output discarded (so that libraries finish their \
            lazy imports; each run compiles the file afresh), and listens on `<stem>.serve.sock` in the folder of the file's contexts. While it \
            is up, `moss exec` on that file runs there: each run is forked from the warm server into \
            a process of its own, with the client's folder, environment, stdout and stderr, the \
            MOSS file compiled afresh, and the same time limit, memory limit, sandbox and device as \
            a cold run. Results, exit codes and the context file are the same either way; the \
            client still loads, locks and saves the context. `moss exec --cold` bypasses the \
            server, `moss exec --warm` starts one when none is up.\n\n\
            The server restarts itself when the MOSS file, its configuration, a project module it \
            imported or the moss binary changes, and stops on Ctrl-C, SIGTERM, `--stop`, after \
            --idle-timeout, or when its socket is removed.",
        after_help = "Examples:\n  \
            moss serve agent.py &\n  \
            moss exec agent.py --code gen.py      # runs on the server\n  \
            moss serve --stop agent.py\n  \
            MOSS_WARM=1 ./agent-loop.sh           # every exec starts or reuses a server",
        after_long_help = "Exit codes:\n  \
            0    the server stopped (Ctrl-C, SIGTERM, --stop, idle, socket removed), or --stop found none\n  \
            2    a server already runs for the file, or the socket cannot be made\n  \
            4    the MOSS file cannot be read"
    )]
    Serve(ServeArgs),

    /// Run the embedded Python with the packages moss ships importable, like `python`
    #[command(
        long_about = "Run the embedded Python with the packages moss ships importable, like `python`.\n\n\
            Every argument after `python` is the interpreter's own, as for `python` itself: `-c CODE`, \
            `-m MODULE`, a script and its arguments, `-` for standard input, or nothing for the \
            interactive prompt. The interpreter sees the same site-packages as `moss exec` (the \
            active virtual environment's, else those of the python moss was built with), and \
            `ghostos_moss` (with `ghostos_container` and `ghostos`, unless installed) imports from moss \
            itself, so a project's scripts and test suites run against the packages moss ships \
            without installing anything. The exit status is the interpreter's.",
        after_help = "Examples:\n  \
            moss python -m pytest tests/\n  \
            moss python -c 'import ghostos_moss; print(ghostos_moss.__file__)'\n  \
            moss python script.py --its-own-flag\n  \
            moss python                       # the interactive prompt",
        disable_help_flag = true
    )]
    Python(PythonArgs),

    Stubs(crate::cmd::stubs::StubsArgs),

    /// Print a shell completion script
    #[command(
        long_about = "Print a shell completion script for moss.\n\n\
            The same scripts are in the completions/ folder of the source: moss.bash, _moss (zsh), \
            moss.fish, moss.elv and _moss.ps1.",
        after_help = "Examples:\n  \
            moss completions bash > ~/.local/share/bash-completion/completions/moss\n  \
            moss completions zsh > ~/.zfunc/_moss\n  \
            moss completions fish > ~/.config/fish/completions/moss.fish"
    )]
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff), as in docs/moss.1
    #[command(hide = true)]
    Man,
}

#[derive(Debug, Args)]
pub struct PythonArgs {
    /// The interpreter's own arguments, exactly as `python` takes them
    #[arg(value_name = "ARGS", trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The MOSS file to keep warm
    #[arg(value_name = "FILE.py")]
    pub file: PathBuf,

    /// Stop after this many seconds without a run (default: never)
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub idle_timeout: Option<f64>,

    /// Stop the server of FILE.py instead of starting one
    #[arg(long)]
    pub stop: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The MOSS file whose runs to show (its context's journal)
    #[arg(value_name = "FILE.py", required_unless_present = "context")]
    pub file: Option<PathBuf>,

    /// The context file whose journal to show, instead of the MOSS file's default one (with
    /// --pin, the runs of this journal are pinned beside FILE.py)
    #[arg(long, value_name = "PATH")]
    pub context: Option<PathBuf>,

    /// Show the last N runs
    #[arg(short = 'n', long = "last", value_name = "N", default_value_t = 10)]
    pub last: usize,

    #[command(flatten)]
    pub output: JsonOutput,

    /// Pin run N (as numbered here) as a case that `moss test` runs: `<stem>.pinned/<time>.json`
    #[arg(long, value_name = "N", requires = "file", conflicts_with = "json")]
    pub pin: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The MOSS file whose configuration to show (default: the current folder's)
    #[arg(value_name = "FILE.py")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub output: JsonOutput,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The MOSS file: a Python module defining what the code may use
    #[arg(value_name = "FILE.py")]
    pub file: PathBuf,

    /// The model's reply holding the code: a file, or - to read standard input
    #[arg(long, value_name = "PATH|-")]
    pub code: String,

    /// How to find the code in the reply: plain Python, Markdown fences or <code> tags, or a tool call's JSON
    #[arg(long, value_enum, default_value_t = CodeFormat::Auto, value_name = "FORMAT")]
    pub code_format: CodeFormat,

    /// The module-level name to call (or return, when it is not callable) after the code ran
    #[arg(long, default_value = "main", value_name = "NAME")]
    pub target: String,

    /// A module-level name whose value is passed to the target; repeat in call order.
    /// Without it, a target taking a positional parameter receives `moss`
    #[arg(long = "arg", value_name = "NAME")]
    pub args: Vec<String>,

    #[command(flatten)]
    pub context: ContextChoice,

    #[command(flatten)]
    pub time_limit: TimeLimit,

    #[command(flatten)]
    pub output: JsonOutput,

    #[command(flatten)]
    pub output_limit: OutputLimit,

    #[command(flatten)]
    pub memory_limit: MemoryLimit,

    #[command(flatten)]
    pub imports: ImportRule,

    #[command(flatten)]
    pub sandbox: SandboxArgs,

    #[command(flatten)]
    pub device: DeviceFlag,

    #[command(flatten)]
    pub device_outputs: DeviceOutputs,

    /// Run on the MOSS file's warm server, starting one in the background if none is up
    /// (it stops after 15 idle minutes) [env: MOSS_WARM=1]
    #[arg(long, conflicts_with = "cold")]
    pub warm: bool,

    /// Run cold even when a warm server for the MOSS file is up
    #[arg(long)]
    pub cold: bool,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// MOSS files, or folders to search for them (default: the current folder)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How many files to test at once (default: the number of cores)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    #[command(flatten)]
    pub time_limit: TimeLimit,

    /// Write a JUnit XML report to PATH
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    #[command(flatten)]
    pub output: JsonOutput,

    /// Run only the cases whose `path::case` contains PATTERN
    #[arg(short = 'k', value_name = "PATTERN")]
    pub filter: Option<String>,

    /// Stop at the first failure
    #[arg(short = 'x', long = "exitfirst")]
    pub exit_first: bool,

    #[command(flatten)]
    pub device: DeviceFlag,

    /// Test only shard K of N: the files split by a hash of their path, the same way every time
    #[arg(long, value_name = "K/N", value_parser = crate::testsuite::shard::parse)]
    pub shard: Option<crate::testsuite::shard::Shard>,

    /// Re-run the successful runs in each file's journal against the file as it is now; saves nothing
    #[arg(long)]
    pub replay: bool,

    /// With --replay: the context file whose journal to replay, for runs made with `moss exec --context` (one MOSS file)
    #[arg(long, value_name = "PATH", requires = "replay")]
    pub context: Option<PathBuf>,

    /// Of the files named, test only MOSS files, and pass when none is (for pre-commit hooks)
    #[arg(long)]
    pub only_moss_files: bool,

    #[command(flatten)]
    pub sandbox: SandboxArgs,

    #[command(flatten)]
    pub memory_limit: MemoryLimit,

    #[command(flatten)]
    pub output_limit: OutputLimit,

    #[command(flatten)]
    pub imports: ImportRule,

    /// Write the packets of each case's device to a file of its own in DIR (created if missing):
    /// `<file>.<case>.jsonl`, one JSON object per line
    #[arg(long, value_name = "DIR")]
    pub device_trace: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestWorkerArgs {
    pub file: PathBuf,
    /// How to test it, as `moss test` hands it over: one JSON word
    #[arg(long, value_parser = parse_job)]
    pub job: WorkerJob,
}

/// What of `moss test`'s command line decides how one file's cases run: handed to its worker as
/// data, so that the worker reads exactly what `moss test` parsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerJob {
    pub timeout: Option<f64>,
    pub filter: Option<String>,
    pub exit_first: bool,
    pub device: Option<DeviceSpec>,
    pub replay: bool,
    /// Absolute: the worker may run elsewhere than where the path was typed.
    pub context: Option<PathBuf>,
    pub sandbox: SandboxArgs,
    pub max_memory: Option<u64>,
    pub max_output: Option<u64>,
    pub allow_import: Option<Vec<String>>,
    /// Absolute, as `context`.
    pub device_trace: Option<PathBuf>,
}

impl WorkerJob {
    pub fn of(args: &TestArgs) -> WorkerJob {
        WorkerJob {
            timeout: args.time_limit.timeout,
            filter: args.filter.clone(),
            exit_first: args.exit_first,
            device: args.device.spec.clone(),
            replay: args.replay,
            context: args.context.as_deref().map(absolute),
            sandbox: args.sandbox.clone(),
            max_memory: args.memory_limit.max_memory,
            max_output: args.output_limit.max_output,
            allow_import: args.imports.allow_import.clone(),
            device_trace: args.device_trace.as_deref().map(absolute),
        }
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn parse_job(text: &str) -> Result<WorkerJob, String> {
    serde_json::from_str(text).map_err(|e| format!("not a test worker's job: {e}"))
}

#[derive(Debug, Args)]
pub struct ContextChoice {
    /// The context file to load and save (default: .moss/<name>.context.json beside the MOSS file) [env: MOSS_CONTEXT]
    #[arg(long, value_name = "PATH", conflicts_with = "no_context")]
    pub context: Option<PathBuf>,

    /// Load and save no context: every property starts at its default
    #[arg(long)]
    pub no_context: bool,
}

#[derive(Debug, Subcommand)]
pub enum DeviceAction {
    /// List the BOLTs advertising nearby: name, address, signal strength
    Scan {
        /// How long to listen
        #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = parse_seconds)]
        timeout: f64,
    },
    /// Connect to a device and print its battery and firmware version
    Info {
        /// `sim`, `bolt` (the first found), a name (SB-1A2B) or an address
        #[arg(long, value_name = "SPEC", value_parser = parse_device)]
        device: DeviceSpec,
    },
}
