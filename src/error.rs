//! Errors the tool itself detects, each with the exit code the CLI contract gives it and a hint
//! saying what to do next.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What kind of failure ended a run: `error.kind` of the JSON result. Each kind has one exit
/// code; a kind the Python side names that is not one of these fails to decode, which reports an
/// internal error rather than guessing an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    Exception,
    Syntax,
    NoCode,
    Target,
    Module,
    Context,
    Timeout,
    Interrupted,
    Crash,
    Device,
    ApiError,
    Usage,
    #[default]
    Internal,
}

impl ErrorKind {
    #[cfg(test)]
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::Exception,
        ErrorKind::Syntax,
        ErrorKind::NoCode,
        ErrorKind::Target,
        ErrorKind::Module,
        ErrorKind::Context,
        ErrorKind::Timeout,
        ErrorKind::Interrupted,
        ErrorKind::Crash,
        ErrorKind::Device,
        ErrorKind::ApiError,
        ErrorKind::Usage,
        ErrorKind::Internal,
    ];

    /// The one place a kind becomes an exit code; every code is one of `EXIT_CODES`.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Exception | ErrorKind::Crash | ErrorKind::Internal => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Syntax | ErrorKind::NoCode | ErrorKind::Target => 3,
            ErrorKind::Module | ErrorKind::Context => 4,
            ErrorKind::Device | ErrorKind::ApiError => 5,
            ErrorKind::Timeout => 124,
            ErrorKind::Interrupted => 130,
        }
    }

    /// The name the JSON result gives the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Exception => "exception",
            ErrorKind::Syntax => "syntax",
            ErrorKind::NoCode => "no-code",
            ErrorKind::Target => "target",
            ErrorKind::Module => "module",
            ErrorKind::Context => "context",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::Crash => "crash",
            ErrorKind::Device => "device",
            ErrorKind::ApiError => "api-error",
            ErrorKind::Usage => "usage",
            ErrorKind::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every exit code moss gives and what it means: `--help` shows this table, docs/cli.md's
/// "Exit codes" table must say the same (a test compares them).
pub const EXIT_CODES: [(u8, &str); 8] = [
    (0, "success"),
    (
        1,
        "the generated code raised or crashed the run; a `moss test` case failed; `context get`/`unset` of a missing property",
    ),
    (2, "command-line usage error, such as a `--device` or `MOSS_DEVICE` that is no device spec"),
    (
        3,
        "the reply holds no code, the code has a syntax error, or the target is missing or not callable with the given arguments",
    ),
    (4, "the MOSS file fails to load, a binding is missing, or the context file is invalid or locked past the wait"),
    (5, "the device cannot be reached; the reply is an error of the model's API"),
    (124, "the time limit was reached"),
    (130, "the run was interrupted (Ctrl-C, SIGTERM or SIGHUP to `moss`); nothing of it was saved"),
];

/// The "Exit codes:" text of `--help`, from `EXIT_CODES`.
pub fn exit_codes_help() -> String {
    let lines: Vec<String> = EXIT_CODES.iter().map(|(code, meaning)| format!("  {code:<4} {meaning}")).collect();
    format!("Exit codes:\n{}", lines.join("\n"))
}

/// A failure said for a person: what is wrong, and what to do next when moss knows. The two
/// travel apart so that each output shows the hint its own way: a `hint:` line on stderr,
/// `error.hint` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Problem { message: message.into(), hint: None }
    }

    pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Problem { message: message.into(), hint: Some(hint.into()) }
    }

    /// The same problem said after `context`, as in "cannot set up the device: ...".
    pub fn after(self, context: &str) -> Self {
        Problem { message: format!("{context}: {}", self.message), ..self }
    }

    /// The one-string form, for the outputs that hold a problem as one string (a `warnings`
    /// entry, a device's `unreachable`): the message, then the hint on a `hint:` line, as stderr
    /// shows them.
    pub fn to_text(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{}{HINT_LINE}{hint}", self.message),
            None => self.message.clone(),
        }
    }

    /// Reads back `to_text`: a warning that crossed a process or the journal as one string.
    pub fn from_text(text: &str) -> Self {
        match text.split_once(HINT_LINE) {
            Some((message, hint)) => Problem::hinted(message, hint),
            None => Problem::new(text),
        }
    }
}

/// Serde of an optional `Problem` in its one-string form, for a format that holds it so (a
/// device report's `unreachable`).
pub mod problem_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Problem;

    pub fn serialize<S: Serializer>(problem: &Option<Problem>, serializer: S) -> Result<S::Ok, S::Error> {
        problem.as_ref().map(Problem::to_text).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Problem>, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map(|text| Problem::from_text(&text)))
    }
}

/// Where the one-string form of a `Problem` starts its hint.
const HINT_LINE: &str = "\nhint: ";

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem::new(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Problem::new(message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MossError {
    #[error("cannot read the MOSS file {}: {reason}", path.display())]
    MossFileUnreadable { path: PathBuf, reason: String },

    #[error("the MOSS file {} is not UTF-8 text (byte {offset} is invalid)", path.display())]
    MossFileNotText { path: PathBuf, offset: usize },

    #[error("cannot read the code from {source_name}: {reason}")]
    CodeUnreadable { source_name: String, reason: String },

    #[error("the code in {source_name} is not UTF-8 text (byte {offset} is invalid)")]
    CodeNotText { source_name: String, offset: usize },

    /// The reason is said for the model that wrote the reply: "it is empty", "the reply is prose: ...".
    #[error("there is no code in {source_name}: {reason}")]
    NoCode { source_name: String, reason: String },

    /// The reply is a model API's error body: no model answered, so there is nothing for it to fix.
    #[error("{source_name} is an error from the model's API, not a reply: {message}")]
    ApiError { source_name: String, message: String },

    /// The answer reached the request's token limit before its code was whole.
    #[error("there is no whole code in {source_name}: {reason}")]
    CutOff { source_name: String, reason: String },

    #[error(transparent)]
    Context(#[from] ContextError),

    #[error("{0}")]
    Usage(Problem),

    #[error("invalid configuration in {}: {detail}", path.display())]
    Config { path: PathBuf, detail: String },

    #[error("could not start the run: {0}")]
    RunNotStarted(std::io::Error),

    #[error("{0}")]
    Device(Problem),
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot read the context file {}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },

    #[error("the context file {} is not valid JSON: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },

    #[error("{} is not a moss context file: {detail}", path.display())]
    Foreign { path: PathBuf, detail: String },

    #[error("the context file {} has format version {found}; this moss reads up to version {supported}", path.display())]
    FutureVersion { path: PathBuf, found: u64, supported: u64 },

    #[error("the context file {} belongs to {}, not to {}", path.display(), recorded.display(), current.display())]
    OtherModule { path: PathBuf, recorded: PathBuf, current: PathBuf },

    #[error("the context file {} is locked by another moss process, still after {waited_secs} s", path.display())]
    Locked { path: PathBuf, waited_secs: f64 },

    #[error("cannot write the context file {}: {reason}", path.display())]
    Unwritable { path: PathBuf, reason: String },

    #[error("no property `{name}` in the context file {}", path.display())]
    NoProperty { path: PathBuf, name: String },

    #[error("the context file {} is {what}, not a file moss can keep a context in", path.display())]
    NotAFile { path: PathBuf, what: &'static str },

    #[error("MOSS_LOCK_WAIT={value} is not a number of seconds")]
    InvalidLockWait { value: String },
}

impl MossError {
    /// The command line (or a setting) asks for what cannot be: exit 2.
    pub fn usage(problem: impl Into<Problem>) -> Self {
        MossError::Usage(problem.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            // Not a failure of a run: the lookup's answer is "there is none".
            MossError::Context(ContextError::NoProperty { .. }) => 1,
            _ => self.kind().exit_code(),
        }
    }

    /// The `error.kind` of `moss exec --json`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            MossError::MossFileUnreadable { .. } | MossError::MossFileNotText { .. } | MossError::RunNotStarted(_) => {
                ErrorKind::Module
            }
            MossError::CodeNotText { .. } => ErrorKind::Syntax,
            MossError::NoCode { .. } | MossError::CutOff { .. } => ErrorKind::NoCode,
            MossError::ApiError { .. } => ErrorKind::ApiError,
            MossError::Context(ContextError::InvalidLockWait { .. }) => ErrorKind::Usage,
            MossError::Context(_) => ErrorKind::Context,
            MossError::Device(_) => ErrorKind::Device,
            MossError::Usage(_) | MossError::CodeUnreadable { .. } | MossError::Config { .. } => ErrorKind::Usage,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            MossError::MossFileUnreadable { .. } => "check the path; a MOSS file is a Python module such as agent.py".into(),
            MossError::MossFileNotText { .. } => "a MOSS file must be Python source saved as UTF-8".into(),
            MossError::CodeUnreadable { .. } => "pass --code PATH to a file of generated code, or --code - to read standard input".into(),
            MossError::CodeNotText { .. } => "the code must be Python source in UTF-8; regenerate it".into(),
            MossError::NoCode { .. } => "answer with Python that defines the target, such as `def main(moss): ...`: \
                                         as plain code, in a ```python block, or as the `code` argument of a tool call"
                .into(),
            MossError::ApiError { .. } => "nothing ran: fix what the API refused (its key, the model's name, the \
                                           request's size) or send the request again later, then pass moss the answer"
                .into(),
            MossError::CutOff { .. } => "the answer was longer than the request allows: raise its maximum of output \
                                         tokens (max_tokens, max_output_tokens, maxOutputTokens, num_predict), or ask for shorter code"
                .into(),
            MossError::Context(e) => return e.hint(),
            MossError::Usage(problem) | MossError::Device(problem) => return problem.hint.clone(),
            MossError::Config { .. } => {
                "fix the file: `moss config` shows the keys it reads (context-dir, timeout, python-path, providers, allow-imports, device, prompt-template, python)".into()
            }
            MossError::RunNotStarted(_) => {
                "the system refused a new process or pipe; check the limits on processes and open files (ulimit -u, ulimit -n)".into()
            }
        })
    }
}

impl ContextError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ContextError::Unreadable { .. } => "check the file's permissions, or pass another --context".into(),
            ContextError::Corrupt { path, .. } | ContextError::Foreign { path, .. } => format!(
                "moss never overwrites a file it cannot read; move it away (mv {0} {0}.bak) or pass another --context",
                path.display()
            ),
            ContextError::FutureVersion { .. } => "upgrade moss, or pass another --context".into(),
            ContextError::OtherModule { recorded, .. } => format!(
                "nothing was changed; this context keeps {}'s properties: give this file a context of its own with \
                 --context PATH (or MOSS_CONTEXT)",
                recorded.display()
            ),
            ContextError::Locked { .. } => {
                "another `moss exec` is using this context; wait for it, or raise MOSS_LOCK_WAIT (seconds)".into()
            }
            ContextError::Unwritable { .. } => {
                "check the folder's permissions and free space; the old file is intact".into()
            }
            ContextError::NoProperty { .. } => "`moss context show` lists the saved properties".into(),
            ContextError::NotAFile { .. } => {
                "pass --context the path of a JSON file (moss creates it on the first successful run), or --no-context to keep nothing".into()
            }
            ContextError::InvalidLockWait { .. } => {
                "set MOSS_LOCK_WAIT to how long to wait for another run's lock, such as 30 or 0.5, or unset it".into()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{ContextError, EXIT_CODES, ErrorKind, MossError, Problem};

    #[test]
    fn every_kind_exits_with_a_listed_code_and_is_named_as_in_json() {
        for kind in ErrorKind::ALL {
            assert!(EXIT_CODES.iter().any(|(code, _)| *code == kind.exit_code()), "{kind} exits unlisted");
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn a_hint_is_never_part_of_the_message() {
        let errors = [
            MossError::usage(Problem::hinted("the task is empty", "say what the model should do")),
            MossError::usage("name the context"),
            MossError::Device(Problem::hinted("no Bluetooth adapter was found", "plug one in")),
            MossError::NoCode { source_name: "reply.md".into(), reason: "it is empty".into() },
            MossError::Context(ContextError::InvalidLockWait { value: "soon".into() }),
        ];
        for error in errors {
            assert!(!error.to_string().contains("hint"), "{error}");
        }
        let hinted = MossError::usage(Problem::hinted("the task is empty", "say what the model should do"));
        assert_eq!(hinted.hint().as_deref(), Some("say what the model should do"));
        assert_eq!(MossError::usage("name the context").hint(), None);
    }

    #[test]
    fn the_one_string_form_reads_back_as_the_problem_it_was() {
        for problem in [Problem::hinted("gone: it left", "bring it back"), Problem::new("gone")] {
            assert_eq!(Problem::from_text(&problem.to_text()), problem);
        }
        assert_eq!(Problem::hinted("gone", "bring it back").to_text(), "gone\nhint: bring it back");
    }
}
