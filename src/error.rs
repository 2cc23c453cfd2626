//! Errors the tool itself detects, each with the exit code the CLI contract gives it and a hint
//! saying what to do next.

use std::path::PathBuf;

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

    /// The message may end in `\nhint: ...`, shown as the hint.
    #[error("{}", .0.split("\nhint: ").next().unwrap_or_default())]
    Usage(String),

    #[error("invalid configuration in {}: {detail}", path.display())]
    Config { path: PathBuf, detail: String },

    #[error("could not start the run: {0}")]
    RunNotStarted(std::io::Error),

    /// The message may end in `\nhint: ...`, shown as the hint.
    #[error("{}", .0.split("\nhint: ").next().unwrap_or_default())]
    Device(String),
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
    pub fn exit_code(&self) -> u8 {
        match self {
            MossError::Usage(_) | MossError::CodeUnreadable { .. } | MossError::Config { .. } => 2,
            MossError::Device(_) | MossError::ApiError { .. } => 5,
            MossError::CodeNotText { .. } | MossError::NoCode { .. } | MossError::CutOff { .. } => 3,
            MossError::Context(ContextError::InvalidLockWait { .. }) => 2,
            MossError::Context(ContextError::NoProperty { .. }) => 1,
            MossError::MossFileUnreadable { .. }
            | MossError::MossFileNotText { .. }
            | MossError::Context(_)
            | MossError::RunNotStarted(_) => 4,
        }
    }

    /// The `error.kind` of `moss exec --json`.
    pub fn kind(&self) -> &'static str {
        match self {
            MossError::MossFileUnreadable { .. } | MossError::MossFileNotText { .. } | MossError::RunNotStarted(_) => {
                "module"
            }
            MossError::CodeNotText { .. } => "syntax",
            MossError::NoCode { .. } | MossError::CutOff { .. } => "no-code",
            MossError::ApiError { .. } => "api-error",
            MossError::Context(ContextError::InvalidLockWait { .. }) => "usage",
            MossError::Context(_) => "context",
            MossError::Device(_) => "device",
            MossError::Usage(_) | MossError::CodeUnreadable { .. } | MossError::Config { .. } => "usage",
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
                                         tokens (max_tokens, max_output_tokens, num_predict), or ask for shorter code"
                .into(),
            MossError::Context(e) => return e.hint(),
            MossError::Usage(message) => return message.split_once("\nhint: ").map(|(_, hint)| hint.to_owned()),
            MossError::Config { .. } => {
                "fix the file: `moss config` shows the keys it reads (context-dir, timeout, python-path, providers, allow-imports, device, prompt-template)".into()
            }
            MossError::Device(message) => return message.split_once("\nhint: ").map(|(_, hint)| hint.to_owned()),
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
