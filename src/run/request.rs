//! What every run asks of the shipped Python host (`_moss.host`): one request for `moss exec`,
//! `prompt`, `test` (the collection, each case, each replayed run) and the warm server, passed
//! as the host function's one argument. A field a function does not use is null.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::device::DeviceSpec;
use crate::project::config::Imports;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunRequest {
    /// The MOSS file, and its source as read.
    pub path: String,
    pub source: String,
    /// The context's properties the run starts from, and the module name the context recorded.
    pub properties: Map<String, Value>,
    pub recorded_module: Option<String>,
    /// The code to run, the name it is compiled under, and the function it calls with its words.
    pub code: Option<String>,
    pub code_file: Option<String>,
    pub target: Option<String>,
    pub args: Option<Vec<String>>,
    /// Why the code will find no target, when reading it (and the MOSS file) shows that: the run
    /// compiles the code, so that an error of its own is told first, and runs none of it.
    pub no_target: Option<String>,
    /// The test case to run.
    pub case: Option<String>,
    /// The prompt is a turn's (`moss prompt --task`).
    pub turn: bool,
    pub device: Option<DeviceSpec>,
    pub allow_imports: Option<Vec<String>>,
    /// From the project's configuration: more import roots, and the providers of the container.
    pub python_path: Option<Vec<PathBuf>>,
    pub providers: Option<Vec<String>>,
    /// A warm run's: the environment of the client, which the run takes on; each name and value
    /// is a string of its bytes, one character per byte (Latin-1).
    pub environ: Option<Map<String, Value>>,
}

impl RunRequest {
    /// A request about `path`, whose source is `source`, with the imports the project configures.
    pub fn new(path: &Path, source: &str, imports: &Imports) -> Self {
        RunRequest {
            path: path.to_string_lossy().into_owned(),
            source: source.to_owned(),
            python_path: imports.python_path.clone(),
            providers: imports.providers.clone(),
            ..RunRequest::default()
        }
    }
}
