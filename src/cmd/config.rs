//! `moss config`: the configuration that applies to a MOSS file, and where each value came from.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::cli::ConfigArgs;
use crate::embed::python_env::{self, Chosen};
use crate::error::{MossError, Problem};
use crate::project::config::{Config, Sourced};

/// One line of the report: a key, its value as TOML would write it, and where it came from.
struct Line {
    key: &'static str,
    value: Option<(Value, String)>,
    /// What it means that the key is not set.
    unset: &'static str,
}

pub fn run(args: &ConfigArgs) -> Result<u8, MossError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, context, folder) = match &args.file {
        Some(file) => {
            let file = std::path::absolute(file).map_err(|e| MossError::usage(e.to_string()))?;
            let config = Config::for_moss_file(&file)?;
            let context = config.context_path(None, &file);
            let folder = file.parent().map_or_else(|| cwd.clone(), Path::to_path_buf);
            (config, Some((file, context)), folder)
        }
        None => (Config::from_folder(&cwd)?, None, cwd),
    };
    let (python, python_warnings) = python_env::choose(&folder);
    let lines = lines(&config);
    if args.output.json {
        let settings: Map<String, Value> = lines
            .iter()
            .map(|line| {
                let value = line.value.as_ref().map(|(value, origin)| json!({ "value": value, "source": origin }));
                (line.key.to_owned(), value.unwrap_or(Value::Null))
            })
            .collect();
        let python = match &python {
            Ok(chosen) => json!({
                "program": chosen.program,
                "version": format!("3.{}", chosen.minor),
                "library": chosen.lib_dir,
                "rule": chosen.rule.key(),
                "because": chosen.rule.to_string(),
            }),
            Err(problem) => json!({ "error": problem.to_text() }),
        };
        let report = json!({
            "file": config.file,
            "context": context.as_ref().map(|(_, path)| path),
            "python": python,
            "python_warnings": python_warnings.iter().map(Problem::to_text).collect::<Vec<_>>(),
            "settings": settings,
        });
        println!("{report}");
        return Ok(0);
    }
    print!("{}", render(&config, context.as_ref().map(|(file, path)| (file.as_path(), path.as_path())), &lines));
    print!("{}", render_python(&python, &python_warnings));
    Ok(0)
}

fn lines(config: &Config) -> Vec<Line> {
    fn entry<T: serde::Serialize>(setting: &Option<Sourced<T>>) -> Option<(Value, String)> {
        setting.as_ref().map(|s| (serde_json::to_value(&s.value).expect("a setting serialises"), s.origin.to_string()))
    }
    vec![
        Line { key: "context-dir", value: entry(&config.context_dir), unset: ".moss/ beside each MOSS file" },
        Line { key: "timeout", value: entry(&config.timeout), unset: "no time limit" },
        Line {
            key: "python-path",
            value: entry(&config.python_path),
            unset: "only the MOSS file's folder is added to sys.path",
        },
        Line { key: "providers", value: entry(&config.providers), unset: "none registered" },
        Line { key: "allow-imports", value: entry(&config.allow_imports), unset: "every import is allowed" },
        Line { key: "device", value: entry(&config.device), unset: "no robot" },
        Line {
            key: "prompt-template",
            value: entry(&config.prompt_template),
            unset: "`moss prompt --task` lays out the turn prompt its own way",
        },
        Line {
            key: "python",
            value: entry(&config.python),
            unset: "$VIRTUAL_ENV, else the nearest .venv at or above, else python3 on PATH",
        },
    ]
}

fn render(config: &Config, context: Option<(&Path, &Path)>, lines: &[Line]) -> String {
    let mut out = String::new();
    match &config.file {
        Some(file) => out.push_str(&format!("# configuration file: {}\n", file.display())),
        None => out.push_str("# no moss.toml, nor pyproject.toml with [tool.moss], in this folder or above\n"),
    }
    if let Some((file, path)) = context {
        let origin = match (&config.context, &config.context_dir) {
            (Some(context), _) => context.origin.to_string(),
            (None, Some(dir)) => format!("context-dir, from {}", dir.origin),
            (None, None) => "default".to_owned(),
        };
        out.push_str(&format!("# for {}\n", file.display()));
        out.push_str(&format!("context = {}  # {origin}\n", Value::from(path.to_string_lossy())));
    }
    for line in lines {
        match &line.value {
            Some((value, origin)) => out.push_str(&format!("{} = {value}  # {origin}\n", line.key)),
            None => out.push_str(&format!("# {} is not set: {}\n", line.key, line.unset)),
        }
    }
    out
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
