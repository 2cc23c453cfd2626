//! Project configuration: `[tool.moss]` in `pyproject.toml`, or `moss.toml`, found by walking up
//! from the MOSS file; then `MOSS_*` environment variables; command-line flags win over both.
//! That order is decided here alone: the environment when it is read over the file, the flags in
//! the resolvers (`timeout`, `device`, `allow_imports`, `context_path`) every command asks.
//!
//! Each value remembers where it came from, so `moss config` can say why it is what it is, and a
//! bad one is refused naming the variable, or the file and the key. Every setting is kept as
//! written and checked only when a command uses it and nothing above it (a flag, a variable) gave
//! a value: a bad one fails only what it would decide. What a file cannot hold at all (TOML that
//! does not parse, a key moss does not know) makes the whole file unreadable.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::device::DeviceSpec;
use crate::error::{MossError, Problem};

/// The settings a configuration file may hold, as written there.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileSettings {
    context_dir: Option<toml::Value>,
    timeout: Option<toml::Value>,
    python_path: Option<toml::Value>,
    providers: Option<toml::Value>,
    allow_imports: Option<toml::Value>,
    device: Option<toml::Value>,
    prompt_template: Option<toml::Value>,
    python: Option<toml::Value>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tools>,
}

#[derive(Deserialize)]
struct Tools {
    moss: Option<toml::Value>,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    File(PathBuf),
    Env(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Env(name) => write!(f, "${name}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    fn from(value: Option<T>, origin: &Origin) -> Option<Sourced<T>> {
        value.map(|value| Sourced { value, origin: origin.clone() })
    }
}

/// A value as it was written, not yet checked: a variable's text, or a value in a file.
#[derive(Debug, Clone)]
pub enum Written {
    Text(String),
    Toml(toml::Value),
}

impl Written {
    /// The value as `moss config` shows it: as it was written.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Written::Text(text) => text.as_str().into(),
            Written::Toml(value) => serde_json::to_value(value).expect("a TOML value serialises"),
        }
    }

    /// The words written, as a variable holds them.
    fn words(&self) -> String {
        match self {
            Written::Text(text) => text.clone(),
            Written::Toml(value) => value.to_string(),
        }
    }
}

/// As a problem quotes it: a variable's text in backticks, a file's value as TOML writes it.
impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Text(text) => write!(f, "`{text}`"),
            Written::Toml(value) => write!(f, "{value}"),
        }
    }
}

/// Why a written value is no value of its setting: what is wrong, and what to write instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub problem: String,
    pub fix: String,
}

/// A setting kept as written: its key in a file, and how a written value becomes its value, a
/// relative path taken from the folder given (the configuration file's).
pub struct Rule<T> {
    pub key: &'static str,
    pub read: fn(&Written, &Path) -> Result<T, Invalid>,
}

pub const CONTEXT_DIR: Rule<PathBuf> = Rule { key: "context-dir", read: folder };
pub const TIMEOUT: Rule<f64> = Rule { key: "timeout", read: seconds };
pub const PYTHON_PATH: Rule<Vec<PathBuf>> = Rule { key: "python-path", read: folders };
pub const PROVIDERS: Rule<Vec<String>> = Rule { key: "providers", read: provider_specs };
pub const ALLOW_IMPORTS: Rule<Vec<String>> = Rule { key: "allow-imports", read: module_names };
pub const DEVICE: Rule<DeviceSpec> = Rule { key: "device", read: device_spec };
pub const PROMPT_TEMPLATE: Rule<PathBuf> = Rule { key: "prompt-template", read: template_file };
pub const PYTHON: Rule<PathBuf> = Rule { key: "python", read: interpreter };

impl Sourced<Written> {
    /// The value `rule` reads in what was written, or why it is no value of the setting.
    pub fn read<T>(&self, rule: &Rule<T>) -> Result<T, Invalid> {
        let base = match &self.origin {
            Origin::File(file) => file.parent().unwrap_or(Path::new(".")),
            Origin::Env(_) => Path::new(""),
        };
        (rule.read)(&self.value, base)
    }

    /// The value `rule` reads in what was written, or the error naming where it was written.
    pub fn checked<T>(&self, rule: &Rule<T>) -> Result<T, MossError> {
        self.read(rule).map_err(|e| self.refusal(rule, e))
    }

    /// Why the value is refused, named by the variable, or the file and the key.
    pub fn refusal<T>(&self, rule: &Rule<T>, Invalid { problem, fix }: Invalid) -> MossError {
        match &self.origin {
            Origin::Env(name) => MossError::usage(Problem::hinted(
                format!("{name}={}: {problem}", self.value.words()),
                format!("{fix}, or unset {name}"),
            )),
            Origin::File(file) => invalid(file, &format!("{}: {problem} ({fix})", rule.key)),
        }
    }
}

/// The configuration that applies to one MOSS file, before command-line flags.
#[derive(Debug, Default)]
pub struct Config {
    /// The configuration file found, if any.
    pub file: Option<PathBuf>,
    /// The context file itself (`MOSS_CONTEXT`).
    pub context: Option<Sourced<PathBuf>>,
    /// The folder for context files, `<stem>.context.json` each: read with `CONTEXT_DIR`, by
    /// `contexts_folder`.
    pub context_dir: Option<Sourced<Written>>,
    /// Read with `TIMEOUT`, by `timeout`.
    pub timeout: Option<Sourced<Written>>,
    /// More import roots, and the container's providers: read with `PYTHON_PATH` and `PROVIDERS`,
    /// by `imports`.
    pub python_path: Option<Sourced<Written>>,
    pub providers: Option<Sourced<Written>>,
    /// Read with `ALLOW_IMPORTS`, by `allow_imports`.
    pub allow_imports: Option<Sourced<Written>>,
    /// Read with `DEVICE`, by `device`.
    pub device: Option<Sourced<Written>>,
    /// The template of `moss prompt --task`'s turn prompt: read with `PROMPT_TEMPLATE`, by
    /// `prompt_template`.
    pub prompt_template: Option<Sourced<Written>>,
    /// The Python to run, a virtual environment or an interpreter: read with `PYTHON`, by `python`.
    pub python: Option<Sourced<Written>>,
}

/// What a run imports beyond the MOSS file's folder, as the configuration sets it.
#[derive(Debug, Default, Clone)]
pub struct Imports {
    pub python_path: Option<Vec<PathBuf>>,
    pub providers: Option<Vec<String>>,
}

impl Config {
    /// The configuration for a MOSS file: the nearest configuration file above it, then the
    /// environment.
    pub fn for_moss_file(moss_file: &Path) -> Result<Config, MossError> {
        let folder = std::path::absolute(moss_file)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        Config::from_folder(&folder)
    }

    /// The configuration for MOSS files in `folder`.
    pub fn from_folder(folder: &Path) -> Result<Config, MossError> {
        match Config::as_far_as_readable(folder) {
            (config, None) => Ok(config),
            (_, Some(unreadable)) => Err(unreadable),
        }
    }

    /// The configuration for MOSS files in `folder`, without the file when it cannot be read (it
    /// is no TOML, or holds an unknown key or a value of the wrong type), with why beside it: what
    /// `moss config` shows, around the file's error.
    pub fn as_far_as_readable(folder: &Path) -> (Config, Option<MossError>) {
        let mut config = Config::default();
        let mut unreadable = None;
        if let Some((file, settings)) = find_file(folder) {
            match settings {
                Ok(settings) => config.apply_file(&file, settings),
                Err(error) => unreadable = Some(error),
            }
            config.file = Some(file);
        }
        config.apply_env(|name| std::env::var(name).ok());
        (config, unreadable)
    }

    fn apply_file(&mut self, file: &Path, settings: FileSettings) {
        let origin = Origin::File(file.to_path_buf());
        let written = |value: Option<toml::Value>| Sourced::from(value.map(Written::Toml), &origin);
        self.context_dir = written(settings.context_dir);
        self.timeout = written(settings.timeout);
        self.python_path = written(settings.python_path);
        self.providers = written(settings.providers);
        self.allow_imports = written(settings.allow_imports);
        self.device = written(settings.device);
        self.prompt_template = written(settings.prompt_template);
        self.python = written(settings.python);
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        let env = |name: &'static str| var(name).filter(|v| !v.is_empty()).map(|v| (name, v));
        if let Some((name, value)) = env("MOSS_CONTEXT") {
            self.context = Some(Sourced { value: PathBuf::from(value), origin: Origin::Env(name) });
        }
        if let Some((name, text)) = env("MOSS_DEVICE") {
            self.device = Some(Sourced { value: Written::Text(text), origin: Origin::Env(name) });
        }
        if let Some((name, text)) = env("MOSS_TIMEOUT") {
            self.timeout = Some(Sourced { value: Written::Text(text), origin: Origin::Env(name) });
        }
    }

    /// The context file of `moss_file`: `--context` (the flag), else MOSS_CONTEXT, else
    /// `<stem>.context.json` in its contexts folder.
    pub fn context_path(&self, flag: Option<&Path>, moss_file: &Path) -> Result<PathBuf, MossError> {
        if let Some(context) = flag.or(self.context.as_ref().map(|c| c.value.as_path())) {
            return Ok(context.to_path_buf());
        }
        let name =
            crate::project::context::default_path(moss_file).file_name().expect("a context file name").to_owned();
        let path = self.contexts_folder(moss_file)?.join(&name);
        // Before contexts under context-dir mirrored the files' folders, each was directly in it:
        // one that belongs to this very file is still its context.
        let flat = chosen(None, &self.context_dir, &CONTEXT_DIR)?.map(|dir| dir.join(&name));
        Ok(match flat {
            Some(flat) if flat != path && !path.exists() && crate::project::context::belongs_to(&flat, moss_file) => {
                flat
            }
            _ => path,
        })
    }

    /// The folder of `moss_file`'s context and warm server: `.moss/` beside the file or, under
    /// `context-dir`, the file's folder relative to the configuration file's, so that files of
    /// the same name in different folders never share a context or a server.
    pub fn contexts_folder(&self, moss_file: &Path) -> Result<PathBuf, MossError> {
        let folder = moss_file.parent().unwrap_or(Path::new("."));
        let Some(setting) = &self.context_dir else { return Ok(folder.join(".moss")) };
        let dir = setting.checked(&CONTEXT_DIR)?;
        let base = match &setting.origin {
            Origin::File(file) => file.parent().unwrap_or(Path::new(".")),
            Origin::Env(_) => return Ok(dir),
        };
        Ok(match lexical(folder).strip_prefix(lexical(base)) {
            Ok(relative) => dir.join(relative),
            Err(_) => dir,
        })
    }

    /// What a run imports beyond the MOSS file's folder.
    pub fn imports(&self) -> Result<Imports, MossError> {
        Ok(Imports {
            python_path: chosen(None, &self.python_path, &PYTHON_PATH)?,
            providers: chosen(None, &self.providers, &PROVIDERS)?,
        })
    }

    pub fn prompt_template(&self) -> Result<Option<PathBuf>, MossError> {
        chosen(None, &self.prompt_template, &PROMPT_TEMPLATE)
    }

    /// The Python the configuration names, and where it names it.
    pub fn python(&self) -> Result<Option<Sourced<PathBuf>>, MossError> {
        let read = |setting: &Sourced<Written>| {
            Ok(Sourced { value: setting.checked(&PYTHON)?, origin: setting.origin.clone() })
        };
        self.python.as_ref().map(read).transpose()
    }

    pub fn timeout(&self, flag: Option<f64>) -> Result<Option<f64>, MossError> {
        chosen(flag, &self.timeout, &TIMEOUT)
    }

    pub fn device(&self, flag: Option<&DeviceSpec>) -> Result<Option<DeviceSpec>, MossError> {
        chosen(flag.cloned(), &self.device, &DEVICE)
    }

    /// The import allow-list as the host takes it: `--allow-import ''` allows nothing.
    pub fn allow_imports(&self, flag: Option<&Vec<String>>) -> Result<Option<Vec<String>>, MossError> {
        let names = chosen(flag.cloned(), &self.allow_imports, &ALLOW_IMPORTS)?;
        Ok(names.map(|names| names.iter().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect()))
    }
}

/// A setting as a command uses it: its flag when given, else the environment's or the file's
/// value (`apply_env` has already chosen between them), read only now.
fn chosen<T>(flag: Option<T>, setting: &Option<Sourced<Written>>, rule: &Rule<T>) -> Result<Option<T>, MossError> {
    match flag {
        Some(value) => Ok(Some(value)),
        None => setting.as_ref().map(|written| written.checked(rule)).transpose(),
    }
}

const SECONDS_FIX: &str = "set it to a number of seconds, such as 30 or 0.5";

/// A time limit: a number in a file, a number's text in a variable.
fn seconds(written: &Written, _: &Path) -> Result<f64, Invalid> {
    let seconds = match written {
        Written::Text(text) => text.trim().parse::<f64>().ok(),
        Written::Toml(toml::Value::Float(seconds)) => Some(*seconds),
        Written::Toml(toml::Value::Integer(seconds)) => Some(*seconds as f64),
        Written::Toml(_) => None,
    };
    let not_a_number = || Invalid { problem: format!("{written} is not a number"), fix: SECONDS_FIX.into() };
    check_timeout(seconds.ok_or_else(not_a_number)?).map_err(|problem| Invalid { problem, fix: SECONDS_FIX.into() })
}

fn device_spec(written: &Written, _: &Path) -> Result<DeviceSpec, Invalid> {
    match written {
        Written::Text(spec) | Written::Toml(toml::Value::String(spec)) => {
            DeviceSpec::parse(spec).map_err(|e| Invalid { problem: e.problem, fix: e.fix.into() })
        }
        Written::Toml(_) => Err(Invalid {
            problem: format!("{written} is not a device spec"),
            fix: "write it as a string, such as \"sim\"".into(),
        }),
    }
}

fn module_names(written: &Written, _: &Path) -> Result<Vec<String>, Invalid> {
    strings(written).ok_or_else(|| Invalid {
        problem: format!("{written} is not a list of module names"),
        fix: "write a list of strings, such as [\"math\", \"myapp\"]".into(),
    })
}

fn provider_specs(written: &Written, _: &Path) -> Result<Vec<String>, Invalid> {
    let fix = || "write a list of `module:callable` strings, such as [\"myapp.providers:database\"]".to_owned();
    let specs = strings(written)
        .ok_or_else(|| Invalid { problem: format!("{written} is not a list of providers"), fix: fix() })?;
    match specs.iter().find(|spec| !is_provider_spec(spec)) {
        Some(bad) => Err(Invalid { problem: format!("`{bad}` is not `module:callable`"), fix: fix() }),
        None => Ok(specs),
    }
}

/// The strings of a list written in a file.
fn strings(written: &Written) -> Option<Vec<String>> {
    match written {
        Written::Toml(toml::Value::Array(items)) => items.iter().map(|item| item.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

/// A path as written: a variable's text, or a string in a file.
fn path_text(written: &Written, fix: &str) -> Result<PathBuf, Invalid> {
    match written {
        Written::Text(text) | Written::Toml(toml::Value::String(text)) => Ok(PathBuf::from(text)),
        Written::Toml(_) => Err(Invalid { problem: format!("{written} is not a path"), fix: fix.to_owned() }),
    }
}

fn folder(written: &Written, base: &Path) -> Result<PathBuf, Invalid> {
    Ok(base.join(path_text(written, "write the folder's path as a string, such as \".state\"")?))
}

fn template_file(written: &Written, base: &Path) -> Result<PathBuf, Invalid> {
    Ok(base.join(path_text(written, "write the template's path as a string, such as \"prompts/turn.md\"")?))
}

fn folders(written: &Written, base: &Path) -> Result<Vec<PathBuf>, Invalid> {
    let folders = strings(written).ok_or_else(|| Invalid {
        problem: format!("{written} is not a list of folders"),
        fix: "write a list of paths, such as [\"src\"], even for one folder".into(),
    })?;
    Ok(folders.iter().map(|folder| base.join(folder)).collect())
}

/// `python = "..."` of a file in `base`: `~/` is the home folder, a relative path is the file's
/// folder's, and `..` is resolved, so that `sys.executable` reads as a user would write it.
fn interpreter(written: &Written, base: &Path) -> Result<PathBuf, Invalid> {
    let python = path_text(written, "name a virtual environment's folder or a python3 interpreter as a string")?;
    let home = std::env::var_os("HOME").filter(|home| !home.is_empty()).map(PathBuf::from);
    let expanded = match (python.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => python.clone(),
    };
    Ok(lexical(&std::path::absolute(base.join(expanded)).unwrap_or_else(|_| base.join(&python))))
}

/// The path with `.` and `..` resolved by its words alone, as the folder walk that found the
/// configuration file saw it.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Longest time limit accepted: a year, far beyond any run, well within what timers can hold.
const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// The one bound on a time limit, wherever it comes from (a flag, a MOSS_* variable, a file).
pub fn check_timeout(seconds: f64) -> Result<f64, String> {
    if seconds > MAX_SECONDS {
        Err(format!("{seconds} seconds is more than a year, the longest time limit"))
    } else if seconds.is_finite() && seconds > 0.0 {
        Ok(seconds)
    } else {
        Err(format!("{seconds} is not a positive number of seconds"))
    }
}

fn is_provider_spec(spec: &str) -> bool {
    spec.split_once(':').is_some_and(|(module, name)| !module.trim().is_empty() && !name.trim().is_empty())
}

fn invalid(file: &Path, detail: &str) -> MossError {
    MossError::Config { path: file.to_path_buf(), detail: detail.trim().to_owned() }
}

/// The nearest `moss.toml`, or `pyproject.toml` with a `[tool.moss]` table, in `folder` or above,
/// with its settings or why they cannot be read. A `moss.toml` wins over a `pyproject.toml` in the
/// same folder; a `pyproject.toml` that cannot be read may hold `[tool.moss]`, so it is the one.
fn find_file(folder: &Path) -> Option<(PathBuf, Result<FileSettings, MossError>)> {
    for dir in folder.ancestors() {
        let moss_toml = dir.join("moss.toml");
        if moss_toml.is_file() {
            let settings = read(&moss_toml)
                .and_then(|text| toml::from_str(&text).map_err(|e| invalid(&moss_toml, &e.to_string())));
            return Some((moss_toml, settings));
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let project = read(&pyproject)
                .and_then(|text| toml::from_str::<PyProject>(&text).map_err(|e| invalid(&pyproject, &e.to_string())));
            let settings = match project.map(|project| project.tool.and_then(|tools| tools.moss)) {
                Ok(None) => continue,
                Ok(Some(table)) => {
                    table.try_into().map_err(|e: toml::de::Error| invalid(&pyproject, &format!("[tool.moss]: {e}")))
                }
                Err(unreadable) => Err(unreadable),
            };
            return Some((pyproject, settings));
        }
    }
    None
}

fn read(path: &Path) -> Result<String, MossError> {
    std::fs::read_to_string(path).map_err(|e| invalid(path, &crate::project::moss_file::io_reason(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_wins_over_the_file_and_a_flag_over_both() {
        let mut config = Config::default();
        let settings = FileSettings {
            timeout: Some(toml::Value::Integer(10)),
            device: Some("sim:FILE".into()),
            ..FileSettings::default()
        };
        config.apply_file(Path::new("/p/moss.toml"), settings);
        assert_eq!(config.timeout(None).unwrap(), Some(10.0));
        config.apply_env(env(&[("MOSS_TIMEOUT", "2.5")]));
        assert_eq!(config.timeout(None).unwrap(), Some(2.5));
        assert_eq!(config.timeout.as_ref().unwrap().origin, Origin::Env("MOSS_TIMEOUT"));
        assert_eq!(config.timeout(Some(1.0)).unwrap(), Some(1.0));
        assert_eq!(config.device(None).unwrap().unwrap().as_str(), "sim:FILE");
        config.apply_env(env(&[("MOSS_DEVICE", "sim:ENV")]));
        assert_eq!(config.device(None).unwrap().unwrap().as_str(), "sim:ENV");
        let flag = DeviceSpec::parse("sim:FLAG").unwrap();
        assert_eq!(config.device(Some(&flag)).unwrap(), Some(flag));
    }

    #[test]
    fn a_bad_value_is_refused_naming_where_it_was_written_only_when_it_is_the_one_used() {
        let mut config = Config::default();
        let settings = FileSettings {
            timeout: Some(toml::Value::String("30".into())),
            allow_imports: Some(toml::Value::String("math".into())),
            ..FileSettings::default()
        };
        config.apply_file(Path::new("/p/moss.toml"), settings);
        let error = config.timeout(None).unwrap_err();
        assert!(error.to_string().contains("moss.toml: timeout: \"30\" is not a number"), "{error}");
        assert!(config.allow_imports(None).unwrap_err().to_string().contains("allow-imports"));
        assert_eq!(config.allow_imports(Some(&vec![" math".into(), "".into()])).unwrap(), Some(vec!["math".into()]));
        config.apply_env(env(&[("MOSS_TIMEOUT", "soon"), ("MOSS_DEVICE", "toaster")]));
        let error = config.timeout(None).unwrap_err();
        assert_eq!(error.to_string(), "MOSS_TIMEOUT=soon: `soon` is not a number");
        assert_eq!(config.timeout(Some(3.0)).unwrap(), Some(3.0));
        let error = config.device(None).unwrap_err();
        assert!(error.to_string().contains("MOSS_DEVICE=toaster") && error.hint().unwrap().contains("sim:NAME"));
        assert!(error.hint().unwrap().ends_with("or unset MOSS_DEVICE"), "{:?}", error.hint());
    }

    #[test]
    fn paths_in_a_file_are_relative_to_it() {
        let mut config = Config::default();
        let settings = FileSettings {
            context_dir: Some("state".into()),
            python_path: Some(toml::Value::Array(vec!["lib".into()])),
            prompt_template: Some("prompts/turn.txt".into()),
            ..FileSettings::default()
        };
        config.apply_file(Path::new("/p/moss.toml"), settings);
        let context = |file: &str| config.context_path(None, Path::new(file)).unwrap();
        assert_eq!(context("/p/a.py"), Path::new("/p/state/a.context.json"));
        assert_eq!(context("/p/agents/a.py"), Path::new("/p/state/agents/a.context.json"));
        assert_eq!(context("/p/x/../agents/a.py"), Path::new("/p/state/agents/a.context.json"));
        assert_eq!(config.imports().unwrap().python_path, Some(vec![PathBuf::from("/p/lib")]));
        assert_eq!(config.prompt_template().unwrap(), Some(PathBuf::from("/p/prompts/turn.txt")));
    }

    #[test]
    fn a_path_setting_of_the_wrong_type_is_refused_only_where_it_is_read() {
        let mut config = Config::default();
        let settings = FileSettings {
            context_dir: Some(toml::Value::Integer(3)),
            python_path: Some("src".into()),
            providers: Some(toml::Value::Array(vec!["nocolon".into()])),
            ..FileSettings::default()
        };
        config.apply_file(Path::new("/p/moss.toml"), settings);
        assert_eq!(config.context_path(Some(Path::new("c.json")), Path::new("/p/a.py")).unwrap(), Path::new("c.json"));
        let error = config.context_path(None, Path::new("/p/a.py")).unwrap_err().to_string();
        assert!(error.contains("context-dir: 3 is not a path"), "{error}");
        let error = config.imports().unwrap_err().to_string();
        assert!(
            error.contains("python-path: \"src\" is not a list of folders") && error.contains("[\"src\"]"),
            "{error}"
        );
        config.python_path = None;
        let error = config.imports().unwrap_err().to_string();
        assert!(error.contains("providers: `nocolon` is not `module:callable`"), "{error}");
        assert_eq!(config.prompt_template().unwrap(), None);
    }
}
