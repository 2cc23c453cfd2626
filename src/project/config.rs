//! Project configuration: `[tool.moss]` in `pyproject.toml`, or `moss.toml`, found by walking up
//! from the MOSS file; then `MOSS_*` environment variables; command-line flags win over both.
//! That order is decided here alone: the environment when it is read over the file, the flags in
//! the resolvers (`timeout`, `device`, `allow_imports`, `context_path`) every command asks.
//!
//! Each value remembers where it came from, so `moss config` can say why it is what it is, and a
//! bad one is refused naming the variable, or the file and the key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::device::DeviceSpec;
use crate::error::{MossError, Problem};

/// The settings a configuration file may hold, as written there.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileSettings {
    context_dir: Option<PathBuf>,
    timeout: Option<f64>,
    python_path: Option<Vec<PathBuf>>,
    providers: Option<Vec<String>>,
    allow_imports: Option<Vec<String>>,
    device: Option<String>,
    prompt_template: Option<PathBuf>,
    python: Option<PathBuf>,
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

/// The configuration that applies to one MOSS file, before command-line flags.
#[derive(Debug, Default)]
pub struct Config {
    /// The configuration file found, if any.
    pub file: Option<PathBuf>,
    /// The context file itself (`MOSS_CONTEXT`).
    pub context: Option<Sourced<PathBuf>>,
    /// The folder for context files, `<stem>.context.json` each (`context-dir`).
    pub context_dir: Option<Sourced<PathBuf>>,
    pub timeout: Option<Sourced<f64>>,
    pub python_path: Option<Sourced<Vec<PathBuf>>>,
    pub providers: Option<Sourced<Vec<String>>>,
    pub allow_imports: Option<Sourced<Vec<String>>>,
    pub device: Option<Sourced<DeviceSpec>>,
    /// The template of `moss prompt --task`'s turn prompt (`prompt-template`).
    pub prompt_template: Option<Sourced<PathBuf>>,
    /// The Python to run (`python`): a virtual environment or an interpreter.
    pub python: Option<Sourced<PathBuf>>,
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
        let mut config = Config::default();
        if let Some((file, settings)) = find_file(folder)? {
            config.apply_file(&file, settings)?;
            config.file = Some(file);
        }
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    fn apply_file(&mut self, file: &Path, settings: FileSettings) -> Result<(), MossError> {
        if let Some(timeout) = settings.timeout {
            check_timeout(timeout).map_err(|detail| invalid(file, &format!("timeout: {detail}")))?;
        }
        if let Some(bad) = settings.providers.iter().flatten().find(|p| !is_provider_spec(p)) {
            return Err(invalid(file, &format!("providers: `{bad}` is not `module:callable`")));
        }
        let device = settings
            .device
            .map(|spec| DeviceSpec::parse(&spec))
            .transpose()
            .map_err(|e| invalid(file, &format!("device: {} ({})", e.problem, e.fix)))?;
        let origin = Origin::File(file.to_path_buf());
        let base = file.parent().unwrap_or(Path::new("."));
        self.timeout = Sourced::from(settings.timeout, &origin);
        self.context_dir = Sourced::from(settings.context_dir.map(|dir| base.join(dir)), &origin);
        self.python_path =
            Sourced::from(settings.python_path.map(|paths| paths.iter().map(|p| base.join(p)).collect()), &origin);
        self.providers = Sourced::from(settings.providers, &origin);
        self.allow_imports = Sourced::from(settings.allow_imports, &origin);
        self.device = Sourced::from(device, &origin);
        self.prompt_template = Sourced::from(settings.prompt_template.map(|path| base.join(path)), &origin);
        self.python = Sourced::from(settings.python.map(|python| python_path(base, &python)), &origin);
        Ok(())
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), MossError> {
        let env = |name: &'static str| var(name).filter(|v| !v.is_empty()).map(|v| (name, v));
        if let Some((name, value)) = env("MOSS_CONTEXT") {
            self.context = Some(Sourced { value: PathBuf::from(value), origin: Origin::Env(name) });
        }
        if let Some((name, text)) = env("MOSS_DEVICE") {
            let value = DeviceSpec::parse(&text).map_err(|e| {
                MossError::usage(Problem::hinted(
                    format!("{name}={text}: {}", e.problem),
                    format!("{}, or unset {name}", e.fix),
                ))
            })?;
            self.device = Some(Sourced { value, origin: Origin::Env(name) });
        }
        if let Some((name, text)) = env("MOSS_TIMEOUT") {
            let value = text.trim().parse::<f64>().map_err(|_| "not a number".to_owned()).and_then(check_timeout);
            let value = value.map_err(|detail| {
                MossError::usage(Problem::hinted(
                    format!("{name}={text} is not a time limit: {detail}"),
                    "set it to a number of seconds, such as 30 or 0.5, or unset it",
                ))
            })?;
            self.timeout = Some(Sourced { value, origin: Origin::Env(name) });
        }
        Ok(())
    }

    /// The context file of `moss_file`: `--context` (the flag), else MOSS_CONTEXT, else
    /// `<stem>.context.json` in its contexts folder.
    pub fn context_path(&self, flag: Option<&Path>, moss_file: &Path) -> PathBuf {
        if let Some(context) = flag.or(self.context.as_ref().map(|c| c.value.as_path())) {
            return context.to_path_buf();
        }
        let name =
            crate::project::context::default_path(moss_file).file_name().expect("a context file name").to_owned();
        let path = self.contexts_folder(moss_file).join(&name);
        // Before contexts under context-dir mirrored the files' folders, each was directly in it:
        // one that belongs to this very file is still its context.
        let flat = self.context_dir.as_ref().map(|dir| dir.value.join(&name));
        match flat {
            Some(flat) if flat != path && !path.exists() && crate::project::context::belongs_to(&flat, moss_file) => {
                flat
            }
            _ => path,
        }
    }

    /// The folder of `moss_file`'s context and warm server: `.moss/` beside the file or, under
    /// `context-dir`, the file's folder relative to the configuration file's, so that files of
    /// the same name in different folders never share a context or a server.
    pub fn contexts_folder(&self, moss_file: &Path) -> PathBuf {
        let folder = moss_file.parent().unwrap_or(Path::new("."));
        let Some(dir) = &self.context_dir else { return folder.join(".moss") };
        let base = match &dir.origin {
            Origin::File(file) => file.parent().unwrap_or(Path::new(".")),
            Origin::Env(_) => return dir.value.clone(),
        };
        match lexical(folder).strip_prefix(lexical(base)) {
            Ok(relative) => dir.value.join(relative),
            Err(_) => dir.value.clone(),
        }
    }

    pub fn timeout(&self, flag: Option<f64>) -> Option<f64> {
        chosen(flag.as_ref(), &self.timeout).copied()
    }

    pub fn device(&self, flag: Option<&DeviceSpec>) -> Option<DeviceSpec> {
        chosen(flag, &self.device).cloned()
    }

    /// The import allow-list as the host takes it: `--allow-import ''` allows nothing.
    pub fn allow_imports(&self, flag: Option<&Vec<String>>) -> Option<Vec<String>> {
        let names = chosen(flag, &self.allow_imports)?;
        Some(names.iter().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect())
    }
}

/// A setting as a command uses it: its flag when given, else the environment's or the file's
/// value, which `apply_env` has already chosen between.
fn chosen<'a, T>(flag: Option<&'a T>, setting: &'a Option<Sourced<T>>) -> Option<&'a T> {
    flag.or(setting.as_ref().map(|s| &s.value))
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

/// `python = "..."` of a file in `base`: `~/` is the home folder, a relative path is the file's
/// folder's, and `..` is resolved, so that `sys.executable` reads as a user would write it.
fn python_path(base: &Path, python: &Path) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|home| !home.is_empty()).map(PathBuf::from);
    let expanded = match (python.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => python.to_path_buf(),
    };
    lexical(&std::path::absolute(base.join(expanded)).unwrap_or_else(|_| base.join(python)))
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

/// The nearest `moss.toml`, or `pyproject.toml` with a `[tool.moss]` table, in `folder` or above.
/// A `moss.toml` wins over a `pyproject.toml` in the same folder.
fn find_file(folder: &Path) -> Result<Option<(PathBuf, FileSettings)>, MossError> {
    for dir in folder.ancestors() {
        let moss_toml = dir.join("moss.toml");
        if moss_toml.is_file() {
            let text = read(&moss_toml)?;
            let settings = toml::from_str(&text).map_err(|e| invalid(&moss_toml, &e.to_string()))?;
            return Ok(Some((moss_toml, settings)));
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let text = read(&pyproject)?;
            let project: PyProject = toml::from_str(&text).map_err(|e| invalid(&pyproject, &e.to_string()))?;
            if let Some(table) = project.tool.and_then(|t| t.moss) {
                let settings =
                    table.try_into().map_err(|e: toml::de::Error| invalid(&pyproject, &format!("[tool.moss]: {e}")))?;
                return Ok(Some((pyproject, settings)));
            }
        }
    }
    Ok(None)
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
        let settings = FileSettings { timeout: Some(10.0), device: Some("sim:FILE".into()), ..FileSettings::default() };
        config.apply_file(Path::new("/p/moss.toml"), settings).unwrap();
        assert_eq!(config.timeout(None), Some(10.0));
        config.apply_env(env(&[("MOSS_TIMEOUT", "2.5")])).unwrap();
        assert_eq!(config.timeout(None), Some(2.5));
        assert_eq!(config.timeout.as_ref().unwrap().origin, Origin::Env("MOSS_TIMEOUT"));
        assert_eq!(config.timeout(Some(1.0)), Some(1.0));
        assert_eq!(config.device(None).unwrap().as_str(), "sim:FILE");
        config.apply_env(env(&[("MOSS_DEVICE", "sim:ENV")])).unwrap();
        assert_eq!(config.device(None).unwrap().as_str(), "sim:ENV");
        let flag = DeviceSpec::parse("sim:FLAG").unwrap();
        assert_eq!(config.device(Some(&flag)), Some(flag));
    }

    #[test]
    fn a_bad_environment_value_is_a_usage_error_naming_it() {
        let mut config = Config::default();
        let error = config.apply_env(env(&[("MOSS_TIMEOUT", "soon")])).unwrap_err();
        assert!(error.to_string().contains("MOSS_TIMEOUT=soon"), "{error}");
        let error = config.apply_env(env(&[("MOSS_DEVICE", "toaster")])).unwrap_err();
        assert!(error.to_string().contains("MOSS_DEVICE=toaster") && error.hint().unwrap().contains("sim:NAME"));
    }

    #[test]
    fn paths_in_a_file_are_relative_to_it() {
        let mut config = Config::default();
        let settings = FileSettings {
            context_dir: Some("state".into()),
            python_path: Some(vec!["lib".into()]),
            prompt_template: Some("prompts/turn.txt".into()),
            ..FileSettings::default()
        };
        config.apply_file(Path::new("/p/moss.toml"), settings).unwrap();
        assert_eq!(config.context_path(None, Path::new("/p/a.py")), Path::new("/p/state/a.context.json"));
        assert_eq!(config.context_path(None, Path::new("/p/agents/a.py")), Path::new("/p/state/agents/a.context.json"));
        assert_eq!(
            config.context_path(None, Path::new("/p/x/../agents/a.py")),
            Path::new("/p/state/agents/a.context.json")
        );
        assert_eq!(config.python_path.unwrap().value, vec![PathBuf::from("/p/lib")]);
        assert_eq!(config.prompt_template.unwrap().value, PathBuf::from("/p/prompts/turn.txt"));
    }
}
