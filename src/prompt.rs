//! `moss prompt`: the text a model reads before it writes code for a MOSS file.

pub(crate) mod bindings;
pub mod hidden;
pub(crate) mod outline;
pub(crate) mod reply;
pub(crate) mod tokens;
pub(crate) mod turn;
pub(crate) mod turn_template;

use std::io::Write;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cli::PromptArgs;
use crate::cli::style;
use crate::error::MossError;
use crate::project::config::Config;
use crate::project::context;
use crate::project::moss_file;
use crate::prompt::turn::Turn;
use crate::run::child_report::{PromptOutcome, Section};
use crate::run::host;
use crate::run::report;
use crate::run::request::RunRequest;
use crate::run::sandbox::Sandbox;
use crate::run::supervisor::Supervision;

pub fn run(args: &PromptArgs) -> u8 {
    match prompt(args) {
        Ok(code) => code,
        Err(e) => {
            style::error(&e.to_string(), e.hint().as_deref());
            e.exit_code()
        }
    }
}

fn prompt(args: &PromptArgs) -> Result<u8, MossError> {
    let target = args.target.as_deref().unwrap_or("main");
    if let Some(format) = args.tool_schema {
        if let Some(file) = &args.file {
            moss_file::read(file).map_err(|e| turn::format_as_file(file).unwrap_or(e))?;
        }
        let schema = turn::tool_schema(format, target, args.file.as_deref());
        println!("{}", serde_json::to_string_pretty(&schema).expect("JSON serialises"));
        return Ok(0);
    }
    let file = args.file.as_deref().expect("clap requires FILE unless --tool-schema");
    let (path, source) = moss_file::read(file)?;
    let config = Config::for_moss_file(&path)?;
    let context_path = config.context_path(args.context.as_deref(), &path)?;
    // Another MOSS file's context is refused, as `moss exec` refuses it: its properties and its
    // journal's last run are not this file's.
    let (properties, recorded_module) = match context::read(&context_path)? {
        Some(doc) => {
            doc.check_module(&context_path, &path)?;
            (doc.properties, doc.module.and_then(|m| m.name))
        }
        None => Default::default(),
    };
    // Whatever a turn needs besides the module is read first, so a bad task or template fails fast.
    let turn = Turn::for_prompt(args, &config, &context_path)?;
    let device = config.device(args.device.spec.as_ref())?;
    let payload = RunRequest {
        properties,
        recorded_module,
        device,
        allow_imports: config.allow_imports(args.imports.allow_import.as_ref())?,
        turn: turn.is_some(),
        ..RunRequest::new(&path, &source, &config.imports()?)
    };
    let (supervision, sandbox) = supervision(args, &config)?;
    let max_memory = supervision.max_memory;
    let run = host::call::<PromptOutcome>(&path, &payload, &supervision, None).map_err(MossError::RunNotStarted)?;
    drop(sandbox);

    // What the MOSS file printed while loading is a diagnostic here: stdout holds only the prompt.
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(&run.stdout).and_then(|_| err.write_all(&run.stderr));
    drop(err);

    let report = match run.outcome {
        Ok(report) => report,
        Err(error) => {
            let error = error.memory_too_small(max_memory, &String::from_utf8_lossy(&run.stderr));
            report::print_error(&error);
            return Ok(error.exit_code());
        }
    };
    for warning in &report.warnings {
        style::warning(warning);
    }
    if let Some(error) = report.error {
        let error = error.with_default_hint();
        report::print_error(&error);
        return Ok(error.exit_code());
    }
    let PromptOutcome { prompt, sections, ghost } = report.outcome;
    let text = prompt.unwrap_or_default();
    let (text, sections) = match turn {
        Some(mut turn) => {
            turn.ghost = ghost;
            around(turn.render(&text), sections)
        }
        None => (text, sections),
    };
    Ok(print(args, text, sections))
}

/// How the child that loads the MOSS file is watched: its time and memory limits, and its sandbox
/// (kept until the child has run). The MOSS file, its imports and hooks run here as under `moss
/// exec`, and may be confined alike.
fn supervision(args: &PromptArgs, config: &Config) -> Result<(Supervision, Option<Sandbox>), MossError> {
    let timeout = config.timeout(args.time_limit.timeout)?.map(std::time::Duration::from_secs_f64);
    let sandbox = args.sandbox.asked(None)?;
    sandbox.iter().flat_map(Sandbox::gap_warnings).for_each(|gap| style::warning(&gap));
    let supervision = Supervision {
        timeout,
        max_memory: args.memory_limit.max_memory,
        sandbox: sandbox.as_ref().map(|s| s.policy.clone()),
        ..Supervision::default()
    };
    Ok((supervision, sandbox))
}

/// The turn prompt, and its parts as sections around those of the module view.
fn around(rendered: turn::Rendered, module_sections: Vec<Section>) -> (String, Vec<Section>) {
    let section = |part: turn::Part| Section {
        name: part.name.to_owned(),
        module: String::new(),
        kind: "turn".to_owned(),
        text: part.text,
    };
    let before = rendered.before.into_iter().map(section);
    let sections = before.chain(module_sections).chain(rendered.after.into_iter().map(section)).collect();
    (rendered.text, sections)
}

/// A section of the prompt and its tokens (0 when nothing asked for them).
struct Counted {
    section: Section,
    tokens: usize,
}

/// Prints the prompt (or its JSON document), its token counts when asked, or the budget's error.
fn print(args: &PromptArgs, text: String, sections: Vec<Section>) -> u8 {
    let counting = args.output.json || args.stats || args.max_tokens.is_some();
    let count = |text: &str| if counting { tokens::count(text) } else { 0 };
    let total = count(&text);
    let sections: Vec<Counted> =
        sections.into_iter().map(|section| Counted { tokens: count(&section.text), section }).collect();
    if args.stats {
        print_stats(&sections, total);
    }
    if let Some(budget) = args.max_tokens.filter(|budget| total > *budget) {
        let mut biggest: Vec<&Counted> = sections.iter().collect();
        biggest.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.section.name.cmp(&b.section.name)));
        let named: Vec<String> =
            biggest.iter().take(3).map(|s| format!("{} ({} tokens)", s.section.name, s.tokens)).collect();
        style::error(
            &format!(
                "the prompt is {total} tokens, over the budget of {budget}; the biggest sections: {}",
                named.join(", ")
            ),
            Some(budget_hint(&biggest[0].section)),
        );
        return 1;
    }

    let mut out = std::io::stdout().lock();
    if args.output.json {
        let document = json!({
            "prompt": text,
            "tokens": total,
            "encoding": tokens::ENCODING,
            "sections": sections
                .iter()
                .map(|Counted { section: s, tokens }| {
                    json!({"name": s.name, "module": s.module, "kind": s.kind, "tokens": tokens})
                })
                .collect::<Vec<_>>(),
            "sha256": hex::encode(Sha256::digest(text.as_bytes())),
        });
        let _ = writeln!(out, "{}", serde_json::to_string(&document).expect("JSON serialises"));
    } else {
        let _ = out.write_all(text.as_bytes());
    }
    let _ = out.flush();
    0
}

/// What shortens the prompt, for the part of it that takes the most.
fn budget_hint(biggest: &Section) -> &'static str {
    match (biggest.kind.as_str(), biggest.name.as_str()) {
        ("turn", "last-run") => {
            "the last run takes the most (its code, and up to 1500 bytes of each output stream): ask for \
             code that prints less; the next run's record replaces it"
        }
        ("turn", "task") => "the task takes the most: shorten it",
        ("turn", "persona") => "the persona and instruction of the file's `__ghost__` take the most: shorten them",
        ("turn", _) => "the instructions take the most: shorten the prompt template (`prompt-template`)",
        _ => "hide what the model does not need in `# <moss-hide>` regions, or shorten it with `__moss_attr_prompts__`",
    }
}

fn print_stats(sections: &[Counted], total: usize) {
    let width = sections.iter().map(|s| s.section.name.len()).max().unwrap_or(0).max(7);
    let mut lines = format!("{:>7}  {:width$}  {:10}  module\n", "tokens", "section", "kind");
    for Counted { section: s, tokens } in sections {
        lines.push_str(&format!("{:>7}  {:width$}  {:10}  {}\n", tokens, s.name, s.kind, s.module));
    }
    lines.push_str(&format!("{total:>7}  total ({})\n", tokens::ENCODING));
    let _ = std::io::stderr().lock().write_all(lines.as_bytes());
}
