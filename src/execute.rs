//! `moss exec`: run generated code in a compiled MOSS file, in a supervised child process, and
//! save the context when it succeeds.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use pyo3::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::cli::ExecArgs;
use crate::context::{self, ContextFile, LastCode};
use crate::convert;
use crate::error::MossError;
use crate::interpreter;
use crate::moss_file;
use crate::report::{self, ErrorInfo, ExecResult};
use crate::supervisor::{self, Ending, Supervision};

/// What the child needs to know; built before the fork, so the child simply has it.
struct Request {
    path: PathBuf,
    source: String,
    properties: Map<String, Value>,
    code: String,
    code_file: String,
    target: String,
    args: Option<Vec<String>>,
}

/// What the child sends back.
#[derive(Debug, Serialize, Deserialize)]
struct ChildReport {
    ok: bool,
    #[serde(default)]
    returns: Value,
    returns_repr: Option<String>,
    error: Option<ErrorInfo>,
    properties: Option<Map<String, Value>>,
    #[serde(default)]
    unrestored: Vec<String>,
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

pub fn run(args: &ExecArgs) -> u8 {
    let mut result = ExecResult::default();
    let exit = match exec(args, &mut result) {
        Ok(exit) => exit,
        Err(e) => {
            result.error = Some(ErrorInfo::from_moss_error(&e));
            e.exit_code()
        }
    };
    report::exec_result(&result, args.json);
    exit
}

fn exec(args: &ExecArgs, result: &mut ExecResult) -> Result<u8, MossError> {
    let (path, source) = moss_file::read(&args.file)?;
    let (code, code_file) = read_code(&args.code)?;

    let mut context = match (&args.context.context, args.context.no_context) {
        (_, true) => None,
        (Some(explicit), false) => Some(ContextFile::open(explicit)?),
        (None, false) => Some(ContextFile::open(&context::default_path(&path))?),
    };
    if let Some(ctx) = &context {
        ctx.check_module(&path)?;
        result.context.path = Some(ctx.path.display().to_string());
    }
    let old_properties = context.as_ref().map(|c| c.doc.properties.clone()).unwrap_or_default();

    let request = Request {
        path: path.clone(),
        source,
        properties: old_properties.clone(),
        code,
        code_file,
        target: args.target.clone(),
        args: (!args.args.is_empty()).then(|| args.args.clone()),
    };
    let supervision = Supervision { timeout: args.timeout.map(Duration::from_secs_f64), passthrough: !args.json };
    let run = supervisor::run_isolated(&supervision, || child(&request))
        .map_err(|e| MossError::Interpreter(format!("could not start the run: {e}")))?;

    result.stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    result.stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    result.duration_ms = run.duration.as_secs_f64() * 1000.0;

    let report = match (run.ending, run.report.as_deref().map(serde_json::from_slice::<ChildReport>)) {
        (Ending::TimedOut, _) => {
            result.error = Some(ErrorInfo::timeout(args.timeout.unwrap_or_default()));
            return Ok(124);
        }
        (_, Some(Ok(report))) => report,
        (ending, _) => {
            result.error = Some(ErrorInfo::crash(ending));
            return Ok(1);
        }
    };
    result.warnings = report.warnings;
    result.returns_repr = report.returns_repr;
    if let Some(error) = report.error {
        let exit = error.exit_code();
        result.error = Some(error.with_default_hint());
        return Ok(exit);
    }
    result.ok = true;
    result.returns = report.returns;

    if let Some(ctx) = context.as_mut() {
        let mut properties = report.properties.unwrap_or_default();
        for name in &report.unrestored {
            if let (false, Some(kept)) = (properties.contains_key(name), old_properties.get(name)) {
                properties.insert(name.clone(), kept.clone());
            }
        }
        result.context.changed = changed(&old_properties, &properties);
        ctx.doc.properties = properties;
        ctx.set_module(&path, report.module.as_deref());
        ctx.doc.last_code = Some(LastCode {
            file: request.code_file.clone(),
            target: request.target.clone(),
            code: request.code.clone(),
            executed_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        });
        if let Err(e) = ctx.save() {
            result.ok = false;
            result.context.changed.clear();
            return Err(e.into());
        }
        result.context.saved = true;
    }
    Ok(0)
}

/// Runs in the child process: start Python, compile, execute, and describe the outcome as JSON.
fn child(request: &Request) -> Vec<u8> {
    let report = run_in_python(request).unwrap_or_else(|message| ChildReport {
        ok: false,
        returns: Value::Null,
        returns_repr: None,
        error: Some(ErrorInfo::internal(&message)),
        properties: None,
        unrestored: Vec::new(),
        module: None,
        warnings: Vec::new(),
    });
    serde_json::to_vec(&report).expect("a report always serialises")
}

fn run_in_python(request: &Request) -> Result<ChildReport, String> {
    let payload = json!({
        "path": request.path.to_string_lossy(),
        "source": request.source,
        "properties": request.properties,
        "code": request.code,
        "code_file": request.code_file,
        "target": request.target,
        "args": request.args,
    });
    let (mut report, warnings) = interpreter::call_host(&request.path, "run_exec", &payload, |outcome| {
        // The return value may have no JSON form; everything else the host returns has one.
        let returns = outcome.get_item("returns")?;
        let returns = convert::from_py(&returns).unwrap_or(Value::Null);
        outcome.set_item("returns", outcome.py().None())?;
        let rest = convert::from_py(outcome).map_err(pyo3::exceptions::PyValueError::new_err)?;
        let mut report: ChildReport =
            serde_json::from_value(rest).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        report.returns = returns;
        Ok(report)
    })?;
    report.warnings.splice(0..0, warnings);
    Ok(report)
}

/// The generated code and the file name it is compiled under (`<stdin>` for `-`).
fn read_code(spec: &str) -> Result<(String, String), MossError> {
    let (bytes, name) = if spec == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| MossError::CodeUnreadable { source_name: "standard input".into(), reason: e.to_string() })?;
        (bytes, "<stdin>".to_owned())
    } else {
        let bytes = std::fs::read(spec)
            .map_err(|e| MossError::CodeUnreadable { source_name: spec.into(), reason: moss_file::io_reason(&e) })?;
        (bytes, spec.to_owned())
    };
    let code = String::from_utf8(bytes)
        .map_err(|e| MossError::CodeNotText { source_name: name.clone(), offset: e.utf8_error().valid_up_to() })?;
    Ok((code, name))
}

/// Names whose stored value differs between two property sets, sorted.
fn changed(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}
