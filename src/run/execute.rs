//! `moss exec`: run generated code in a compiled MOSS file, in a supervised child process, and
//! save the context when it succeeds.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::cli::ExecArgs;
use crate::cli::style;
use crate::device;
use crate::error::{MossError, Problem};
use crate::project::config::Config;
use crate::project::context::{ContextFile, LastCode};
use crate::project::moss_file;
use crate::prompt::reply::{self, CodeFormat, Extracted, Found, NoCode};
use crate::run::child_report::{ChildReport, ExecOutcome};
use crate::run::context_diff::ContextDiff;
use crate::run::error_info::ErrorInfo;
use crate::run::host;
use crate::run::journal;
use crate::run::leftovers;
use crate::run::report::{self, ExecResult};
use crate::run::request::RunRequest;
use crate::run::sandbox::Sandbox;
use crate::run::supervisor::{self, Supervision};
use crate::run::warm;

pub fn run(args: &ExecArgs) -> u8 {
    let mut result = ExecResult::default();
    let exit = match exec(args, &mut result) {
        Ok(exit) => exit,
        Err(e) => {
            result.error = Some(ErrorInfo::from_moss_error(&e));
            e.exit_code()
        }
    };
    let moss_file = std::path::absolute(&args.file).unwrap_or_else(|_| args.file.clone());
    journal::record(
        &mut result,
        exit,
        &journal::RunFacts { moss_file: &moss_file, target: &args.target, args: &args.args },
    );
    report::exec_result(&result, args.output.json);
    exit
}

/// A run once its inputs are read and checked: the MOSS file, the code, the context it starts
/// from, and how the child runs.
struct Prepared {
    path: PathBuf,
    source: String,
    code: String,
    code_file: String,
    found: Found,
    config: Config,
    context: Option<ContextFile>,
    old_properties: Map<String, Value>,
    request: RunRequest,
    supervision: Supervision,
    /// Held until the run is over: dropping it removes the private temporary folder it grants.
    _sandbox: Option<Sandbox>,
    device: Option<device::Setup>,
}

fn exec(args: &ExecArgs, result: &mut ExecResult) -> Result<u8, MossError> {
    let mut prepared = prepare(args, result)?;
    // Top-level code would run before the run finds no target, as a robot's moves would: the run
    // refuses it once compiled, so that an error only Python's compiler finds is told first.
    prepared.request.no_target = reply::top_level::missing_target(&prepared.code, &prepared.source, &args.target);
    crate::run::timings::mark("client ready");
    let mut report = match run_child(args, &mut prepared, result)? {
        Ok(report) => report,
        Err(exit) => return Ok(exit),
    };
    result.warnings.append(&mut report.warnings);
    result.file_warnings.append(&mut report.outcome.file_warnings);
    result.returns_repr = report.outcome.returns_repr.take();
    if let Some(error) = report.error.take() {
        let error = error.memory_too_small(args.memory_limit.max_memory, &result.stderr);
        let exit = error.exit_code();
        result.error = Some(prepared.found.explain_lines(error.with_default_hint(), &prepared.code_file));
        return Ok(exit);
    }
    result.ok = true;
    result.returns = std::mem::take(&mut report.outcome.returns);
    match prepared.context.take() {
        Some(mut context) => save_context(&mut context, report.outcome, prepared, &args.target, result),
        None => Ok(0),
    }
}

/// Records `error` as the run's: its exit code.
fn failed(result: &mut ExecResult, error: ErrorInfo) -> u8 {
    let exit = error.exit_code();
    result.error = Some(error);
    exit
}

/// Reads the MOSS file, the code and the context, and decides how the child runs.
fn prepare(args: &ExecArgs, result: &mut ExecResult) -> Result<Prepared, MossError> {
    let (path, source) = moss_file::read(&args.file)?;
    let config = Config::for_moss_file(&path)?;
    let context_path =
        (!args.context.no_context).then(|| config.context_path(args.context.context.as_deref(), &path)).transpose()?;
    result.journal = context_path.as_deref().and_then(journal::for_run);
    let (Extracted { code, found, left_out }, code_file) = read_code(&args.code, args.code_format, &args.target)?;
    result.warnings.extend(left_out);
    result.code_format = Some(found);
    result.code = Some((code.clone(), code_file.clone()));
    let device = config.device(args.device.spec.as_ref())?;
    result.device_spec = device.as_ref().map(|spec| spec.to_string());
    if device.is_none() && (args.device_outputs.device_trace.is_some() || args.device_outputs.device_png.is_some()) {
        return Err(MossError::usage(Problem::hinted(
            "--device-trace and --device-png need a device",
            "pass --device sim, or set MOSS_DEVICE",
        )));
    }
    let context = context_path.as_deref().map(ContextFile::open).transpose()?;
    if let Some(ctx) = &context {
        ctx.check_module(&path)?;
        result.context.path = Some(ctx.path.display().to_string());
    }
    let old_properties = context.as_ref().map(|c| c.doc.properties.clone()).unwrap_or_default();
    let recorded_module = context.as_ref().and_then(|c| c.doc.module.as_ref()).and_then(|m| m.name.clone());
    result.start = context.as_ref().map(|_| old_properties.clone());

    let request = RunRequest {
        properties: old_properties.clone(),
        recorded_module,
        code: Some(code.clone()),
        code_file: Some(code_file.clone()),
        target: Some(args.target.clone()),
        args: (!args.args.is_empty()).then(|| args.args.clone()),
        device: device.clone(),
        allow_imports: config.allow_imports(args.imports.allow_import.as_ref())?,
        ..RunRequest::new(&path, &source, &config.imports()?)
    };
    let (supervision, sandbox) = supervision(args, &config, context.as_ref(), result)?;
    let outputs = device::Outputs {
        trace: args.device_outputs.device_trace.clone(),
        png: args.device_outputs.device_png.clone(),
        live: !args.output.json && style::colored(),
    };
    outputs.check().map_err(MossError::Usage)?;
    let device = device.map(|spec| device::Setup { spec, outputs });
    Ok(Prepared {
        path,
        source,
        code,
        code_file,
        found,
        config,
        context,
        old_properties,
        request,
        supervision,
        _sandbox: sandbox,
        device,
    })
}

/// The limits the child runs under, and with --sandbox what it may touch (beside the context,
/// what --allow-write names) and the sandbox that grants it a private temporary folder.
fn supervision(
    args: &ExecArgs,
    config: &Config,
    context: Option<&ContextFile>,
    result: &mut ExecResult,
) -> Result<(Supervision, Option<Sandbox>), MossError> {
    let context_dir = context.and_then(|c| c.path.parent()).filter(|dir| !dir.as_os_str().is_empty());
    let sandbox = args.sandbox.asked(context_dir)?;
    if let Some(sandbox) = &sandbox {
        result.warnings.extend(sandbox.gap_warnings());
        result.sandbox = Some(sandbox.policy.clone());
    }
    let supervision = Supervision {
        timeout: config.timeout(args.time_limit.timeout)?.map(Duration::from_secs_f64),
        passthrough: !args.output.json,
        max_output: args.output_limit.max_output.unwrap_or(supervisor::DEFAULT_MAX_OUTPUT as u64) as usize,
        max_memory: args.memory_limit.max_memory,
        sandbox: sandbox.as_ref().map(|s| s.policy.clone()),
    };
    Ok((supervision, sandbox))
}

/// Runs the code on the MOSS file's warm server when one is up and wanted, else in a child of
/// this process. `Ok(Err(exit))`: the run ended without a report, its error is in `result`.
fn run_child(
    args: &ExecArgs,
    prepared: &mut Prepared,
    result: &mut ExecResult,
) -> Result<Result<ChildReport<ExecOutcome>, u8>, MossError> {
    // The device is served from here, warm or cold: its trace, pictures and report are this
    // process's, and a device that cannot be set up fails alike in both modes.
    let (mut companion, device_report) =
        prepared.device.take().map(device::Setup::start).transpose().map_err(MossError::Device)?.unzip();
    let Prepared { config, path, source, request, supervision, .. } = &*prepared;
    let warm = match args.cold {
        true => {
            style::verbose_line("cold: --cold bypasses any warm server");
            None
        }
        false => match warm::exec(config, path, request, supervision, &mut companion, warm::wanted(args.warm)) {
            Ok(warm) => warm,
            Err(warm::Failure::Lost(lost)) => {
                result.error = Some(ErrorInfo::server_lost(lost));
                return Ok(Err(1));
            }
            Err(warm::Failure::NotStarted(error)) => return Ok(Err(failed(result, *error))),
        },
    };
    let run = match warm {
        Some(run) => host::outcome::<ExecOutcome>(run, supervision),
        None => host::call::<ExecOutcome>(path, request, supervision, companion).map_err(MossError::RunNotStarted)?,
    };
    let device_report = device_report.and_then(|report| report.try_recv().ok());
    crate::run::timings::mark("child ended");

    result.stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    // What the model may read next (the JSON result, the journal) quotes no hidden line.
    result.stderr = crate::prompt::hidden::conceal_printed_lines(&String::from_utf8_lossy(&run.stderr), path, source);
    result.duration_ms = run.duration.as_secs_f64() * 1000.0;
    result.device = device_report;
    // A process the MOSS file started is the operator's: its warning is not journaled, since
    // hidden code may have written its command line. Without a report, none is known to be.
    let file_processes = run.outcome.as_ref().ok().map(|report| report.outcome.file_processes.as_deref());
    let (files, codes) = match file_processes {
        Some(None) => (run.left_running, Vec::new()),
        Some(Some(pids)) => leftovers::split_started_by(run.left_running, pids),
        None => (Vec::new(), run.left_running),
    };
    if !files.is_empty() {
        let warning = leftovers::file_warning(&files).to_text();
        result.file_warnings.push(warning.clone());
        result.warnings.push(warning);
    }
    if !codes.is_empty() {
        result.warnings.push(leftovers::warning(&codes).to_text());
    }
    if let Some(unreachable) = result.device.as_ref().and_then(|d| d.unreachable.clone()) {
        result.error = Some(ErrorInfo::device(unreachable));
        return Ok(Err(5));
    }
    match run.outcome {
        Ok(report) => Ok(Ok(report)),
        Err(error) => Ok(Err(failed(result, error.memory_too_small(args.memory_limit.max_memory, &result.stderr)))),
    }
}

/// Keeps what the code left on `moss` in the context and saves it, unless an interrupt came first.
fn save_context(
    ctx: &mut ContextFile,
    report: ExecOutcome,
    prepared: Prepared,
    target: &str,
    result: &mut ExecResult,
) -> Result<u8, MossError> {
    let Prepared { path, source, code, code_file, old_properties, .. } = prepared;
    let keeping_unrestored = |mut properties: Map<String, Value>| {
        for name in &report.unrestored {
            if let (false, Some(kept)) = (properties.contains_key(name), old_properties.get(name)) {
                properties.insert(name.clone(), kept.clone());
            }
        }
        properties
    };
    let properties = keeping_unrestored(report.properties.unwrap_or_default());
    // What the file's defaults and hooks set before the code ran is not the code's doing, and
    // may come from hidden regions: the diff starts where the code started.
    let started = report.started.map(keeping_unrestored).unwrap_or_else(|| old_properties.clone());
    result.context.changed = changed(&old_properties, &properties);
    result.context.diff = ContextDiff::between(&started, &properties, &report.reprs);
    // Attributes the file declares or sets on hidden lines are not the model's to see.
    result.context.diff.leave_out(&crate::prompt::hidden::hidden_attributes(&source));
    ctx.doc.properties = properties;
    ctx.set_module(&path, report.module.as_deref());
    ctx.doc.last_code = Some(LastCode {
        file: code_file,
        target: target.to_owned(),
        code,
        executed_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    });
    // An interrupt after the run ended still means "stop": the context stays as it was.
    if let Some(signal) = supervisor::interrupted() {
        result.ok = false;
        result.context.changed.clear();
        result.context.diff = Default::default();
        result.error = Some(ErrorInfo::interrupted(signal, String::new()));
        return Ok(report::INTERRUPTED_EXIT);
    }
    if let Err(e) = ctx.save() {
        result.ok = false;
        result.context.changed.clear();
        result.context.diff = Default::default();
        return Err(e.into());
    }
    result.context.saved = true;
    crate::run::timings::mark("context saved");
    Ok(0)
}

/// The code taken out of the reply, and the file name it is compiled under (`<stdin>` for `-`).
fn read_code(spec: &str, format: CodeFormat, target: &str) -> Result<(Extracted, String), MossError> {
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
    let reply = moss_file::without_bom(code);
    let source_name = if spec == "-" { "standard input".to_owned() } else { name.clone() };
    match reply::extract(&reply, format, target) {
        Ok(extracted) => Ok((extracted, name)),
        Err(NoCode::Missing(reason)) => Err(MossError::NoCode { source_name, reason }),
        Err(NoCode::ApiError(message)) => Err(MossError::ApiError { source_name, message }),
        Err(NoCode::CutOff(reason)) => Err(MossError::CutOff { source_name, reason }),
        Err(NoCode::Streamed(kind)) => Err(MossError::usage(Problem::hinted(
            format!("{source_name} is a streamed response, {kind}, not one answer: moss reads an answer whole"),
            "ask the model's API without streaming (\"stream\": false), or join the stream into one answer first",
        ))),
    }
}

/// Names whose stored value differs between two property sets, sorted. Compared as written, since
/// `Value`'s equality ignores key order, which is part of a stored dict.
fn changed(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let written = |value: Option<&Value>| value.map(|v| serde_json::to_string(v).expect("JSON serialises"));
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|name| written(before.get(*name)) != written(after.get(*name)))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}
