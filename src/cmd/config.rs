//! `moss config`: the configuration that applies to a MOSS file, and where each value came from.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::cli::ConfigArgs;
use crate::cli::style;
use crate::embed::python_env::{self, Chosen};
use crate::error::{MossError, Problem};
use crate::project::config::{
    ALLOW_IMPORTS, CONTEXT_DIR, Config, DEVICE, PROMPT_TEMPLATE, PROVIDERS, PYTHON, PYTHON_PATH, Rule, Sourced,
    TIMEOUT, Written,
};

/// One line of the report: a key, its value as TOML would write it, and where it came from.
struct Line {
    key: &'static str,
    value: Option<Shown>,
    /// What it means that the key is not set.
    unset: &'static str,
}

struct Shown {
    value: Value,
    origin: String,
    /// Why a command that uses the value refuses it: the problem alone, for the line, and the
    /// error that command reports.
    invalid: Option<(String, MossError)>,
}

pub fn run(args: &ConfigArgs) -> Result<u8, MossError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let file = args.file.as_ref().map(std::path::absolute).transpose().map_err(|e| MossError::usage(e.to_string()))?;
    let folder = file.as_ref().and_then(|file| file.parent()).map_or(cwd, Path::to_path_buf);
    let (config, unreadable) = Config::as_far_as_readable(&folder);
    // A context-dir that cannot be read leaves the context unknown; its line says why.
    let context = file.and_then(|file| {
        let path = config.context_path(None, &file).ok()?;
        Some((file, path))
    });
    let (python, python_warnings) = python_env::choose(&folder);
    let lines = lines(&config);
    let report = Report { config: &config, unreadable: unreadable.as_ref(), context: context.as_ref(), lines: &lines };
    if args.output.json {
        println!("{}", report.to_json(&python, &python_warnings));
    } else {
        print!("{}", report.render());
        print!("{}", render_python(&python, &python_warnings));
    }
    // The whole report is shown; then what a command would refuse is refused as it would be.
    let invalid = lines.iter().filter_map(|line| Some(&line.value.as_ref()?.invalid.as_ref()?.1));
    let mut exit = 0;
    for error in unreadable.iter().chain(invalid) {
        style::error(&error.to_string(), error.hint().as_deref());
        exit = error.exit_code();
    }
    Ok(exit)
}

/// What `moss config` reports of the configuration: the file found (and why it cannot be read,
/// when it cannot), the context of the MOSS file named, and each setting.
struct Report<'a> {
    config: &'a Config,
    unreadable: Option<&'a MossError>,
    context: Option<&'a (PathBuf, PathBuf)>,
    lines: &'a [Line],
}

impl Report<'_> {
    fn to_json(&self, python: &Result<Chosen, Problem>, python_warnings: &[Problem]) -> Value {
        let settings: Map<String, Value> = self
            .lines
            .iter()
            .map(|line| {
                let value = line.value.as_ref().map(|shown| match &shown.invalid {
                    None => json!({ "value": shown.value, "source": shown.origin }),
                    Some((_, error)) => json!({
                        "value": shown.value, "source": shown.origin, "error": error.to_string(), "hint": error.hint(),
                    }),
                });
                (line.key.to_owned(), value.unwrap_or(Value::Null))
            })
            .collect();
        let python = match python {
            Ok(chosen) => json!({
                "program": chosen.program,
                "version": format!("3.{}", chosen.minor),
                "library": chosen.lib_dir,
                "rule": chosen.rule.key(),
                "because": chosen.rule.to_string(),
            }),
            Err(problem) => json!({ "error": problem.to_text() }),
        };
        json!({
            "file": self.config.file,
            "file_error": self.unreadable.map(ToString::to_string),
            "context": self.context.map(|(_, path)| path),
            "python": python,
            "python_warnings": python_warnings.iter().map(Problem::to_text).collect::<Vec<_>>(),
            "settings": settings,
        })
    }

    fn render(&self) -> String {
        let config = self.config;
        let mut out = String::new();
        match (&config.file, self.unreadable) {
            (Some(file), None) => out.push_str(&format!("# configuration file: {}\n", file.display())),
            (Some(file), Some(_)) => out.push_str(&format!(
                "# configuration file: {}, invalid: none of its values is used (the error follows)\n",
                file.display()
            )),
            (None, _) => out.push_str("# no moss.toml, nor pyproject.toml with [tool.moss], in this folder or above\n"),
        }
        if let Some((file, path)) = self.context {
            let origin = match (&config.context, &config.context_dir) {
                (Some(context), _) => context.origin.to_string(),
                (None, Some(dir)) => format!("context-dir, from {}", dir.origin),
                (None, None) => "default".to_owned(),
            };
            out.push_str(&format!("# for {}\n", file.display()));
            out.push_str(&format!("context = {}  # {origin}\n", Value::from(path.to_string_lossy())));
        }
        for line in self.lines {
            match &line.value {
                Some(Shown { value, origin, invalid: None }) => {
                    out.push_str(&format!("{} = {value}  # {origin}\n", line.key))
                }
                Some(Shown { value, origin, invalid: Some((problem, _)) }) => {
                    out.push_str(&format!("{} = {value}  # {origin}, invalid: {problem}\n", line.key))
                }
                None => out.push_str(&format!("# {} is not set: {}\n", line.key, line.unset)),
            }
        }
        out
    }
}

fn lines(config: &Config) -> Vec<Line> {
    /// The line of a setting kept as written: the value it reads as, or what was written and why
    /// it is refused; `unset` says what it means that it is not set.
    fn line<T: serde::Serialize>(setting: &Option<Sourced<Written>>, rule: &Rule<T>, unset: &'static str) -> Line {
        Line { key: rule.key, value: shown(setting, rule), unset }
    }
    fn shown<T: serde::Serialize>(setting: &Option<Sourced<Written>>, rule: &Rule<T>) -> Option<Shown> {
        let setting = setting.as_ref()?;
        let origin = setting.origin.to_string();
        Some(match setting.read(rule) {
            Ok(value) => Shown { value: json_of(&value), origin, invalid: None },
            Err(e) => {
                let problem = e.problem.clone();
                Shown { value: setting.value.to_json(), origin, invalid: Some((problem, setting.refusal(rule, e))) }
            }
        })
    }
    vec![
        line(&config.context_dir, &CONTEXT_DIR, ".moss/ beside each MOSS file"),
        line(&config.timeout, &TIMEOUT, "no time limit"),
        line(&config.python_path, &PYTHON_PATH, "only the MOSS file's folder is added to sys.path"),
        line(&config.providers, &PROVIDERS, "none registered"),
        line(&config.allow_imports, &ALLOW_IMPORTS, "every import is allowed"),
        line(&config.device, &DEVICE, "no robot"),
        line(&config.prompt_template, &PROMPT_TEMPLATE, "`moss prompt --task` lays out the turn prompt its own way"),
        line(&config.python, &PYTHON, "$VIRTUAL_ENV, else the nearest .venv at or above, else python3 on PATH"),
    ]
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("a setting serialises")
}

/// Which Python runs the file's code, and the rule that chose it.
fn render_python(python: &Result<Chosen, Problem>, warnings: &[Problem]) -> String {
    let mut out = String::new();
    for warning in warnings {
        out.push_str(&format!("# warning: {}\n", warning.to_text().replace('\n', "\n#   ")));
    }
    match python {
        Ok(chosen) => out.push_str(&format!(
            "# runs Python 3.{} as {}, chosen by {}\n",
            chosen.minor,
            chosen.program.display(),
            chosen.rule
        )),
        Err(problem) => out.push_str(&format!("# no Python to run: {}\n", problem.to_text().replace('\n', "\n#   "))),
    }
    out
}
