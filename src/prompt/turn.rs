//! `moss prompt --task`: the whole prompt of one turn of an agent loop. How to answer, the module
//! view (exactly as `moss prompt FILE` prints it), what the last run did (read from the run
//! journal, so a failed run, which leaves the context as it was, still teaches the model), and
//! the task. Also the tool schema a tool-calling API declares for `moss exec`.

use std::io::Read;
use std::path::Path;

use serde_json::{Value, json};

use crate::cli::{PromptArgs, ToolSchema};
use crate::error::{ContextError, MossError, Problem};
use crate::project::config::Config;
use crate::prompt::turn_template::Template;
use crate::run::child_report::Ghost;
use crate::run::context_diff;
use crate::run::journal::{self, RunRecord};

/// Of stdout and of stderr of the last run, this many bytes are shown (the first and last halves).
const OUTPUT_BUDGET: usize = 1500;
/// An error message or a return value is cut to this many bytes.
const VALUE_BUDGET: usize = 1000;

/// One part of the turn prompt, for token accounting.
pub struct Part {
    pub name: &'static str,
    pub text: String,
}

pub struct Rendered {
    pub text: String,
    /// The parts before the module view, then those after it.
    pub before: Vec<Part>,
    pub after: Vec<Part>,
}

/// What a turn prompt is made of besides the module view.
pub struct Turn {
    pub task: String,
    pub target: String,
    pub ghost: Option<Ghost>,
    pub last_run: Option<RunRecord>,
    pub template: Template,
}

impl Turn {
    /// The turn `moss prompt` asks for with `--task` or `--task-file`, if any: its task, target,
    /// layout and last run (the ghost comes later, from the compiled file).
    pub fn for_prompt(args: &PromptArgs, config: &Config, context: &Path) -> Result<Option<Turn>, MossError> {
        let Some(task) = read_task(args)? else { return Ok(None) };
        let template = match config.prompt_template()? {
            Some(path) => Template::read(&path)?,
            None => Template::shipped(),
        };
        let (last_run, skipped) = newest_run(context)?;
        skipped.iter().for_each(|note| crate::cli::style::warning(note));
        let target = args.target.clone().unwrap_or_else(|| "main".to_owned());
        Ok(Some(Turn { task, target, ghost: None, last_run, template }))
    }

    pub fn render(&self, module: &str) -> Rendered {
        let ghost = self.ghost.as_ref();
        let persona = ghost.map(|g| g.persona.clone()).unwrap_or_default();
        let instruction = ghost.map(|g| g.instruction.clone()).unwrap_or_default();
        let last_run = last_run(self.last_run.as_ref(), &self.target);
        // Without content, the layout renders as its own text only: the `instructions` part.
        let value = |name: &str, with_content: bool| match name {
            "persona" if with_content => persona.clone(),
            "instruction" if with_content => instruction.clone(),
            "protocol" => protocol(&self.target),
            "target" => self.target.clone(),
            "module" if with_content => module.to_owned(),
            "fence" => fence_for(module),
            "last_run" if with_content => last_run.trim_end().to_owned(),
            "task" if with_content => self.task.clone(),
            _ => String::new(),
        };
        let mut text = self.template.render(|name| value(name, true));
        // Printed to a terminal or a pipe, the prompt is text: its last line ends once, whether the
        // template file ended without a newline or with blank lines.
        text.truncate(text.trim_end_matches('\n').len());
        text.push('\n');
        let mut before = Vec::new();
        let ghost_parts = [persona.as_str(), instruction.as_str()];
        let ghost_text = ghost_parts.into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n");
        if !ghost_text.is_empty() {
            before.push(Part { name: "persona", text: ghost_text });
        }
        before.push(Part { name: "instructions", text: self.template.render(|name| value(name, false)) });
        let after = vec![Part { name: "last-run", text: last_run }, Part { name: "task", text: self.task.clone() }];
        Rendered { text, before, after }
    }
}

/// The task of `--task` or `--task-file`, trimmed; None when neither is given.
fn read_task(args: &PromptArgs) -> Result<Option<String>, MossError> {
    let unreadable = |source: &str, reason: String| {
        MossError::usage(Problem::hinted(
            format!("cannot read the task from {source}: {reason}"),
            "pass --task-file PATH to a UTF-8 text file, --task-file - to read standard input, or the task itself \
             with --task TEXT",
        ))
    };
    let text = match (&args.task, args.task_file.as_deref()) {
        (Some(text), _) => text.clone(),
        (None, Some("-")) => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| unreadable("standard input", e.to_string()))?;
            text
        }
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| unreadable(path, crate::project::moss_file::io_reason(&e)))?
        }
        (None, None) => return Ok(None),
    };
    // Read as reply files are: an editor's byte order mark and Windows line endings are not the task's.
    let text = crate::project::moss_file::without_bom(text).replace("\r\n", "\n");
    match text.trim() {
        "" => Err(MossError::usage(Problem::hinted(
            "the task is empty",
            "say what the model should do, e.g. --task 'drive a square'",
        ))),
        task => Ok(Some(task.to_owned())),
    }
}

/// The newest run journaled beside the context, with notes on lines that are not records.
fn newest_run(context: &Path) -> Result<(Option<RunRecord>, Vec<String>), MossError> {
    let Some(path) = journal::for_run(context) else { return Ok((None, Vec::new())) };
    let (mut records, skipped) =
        journal::read(&path).map_err(|e| ContextError::Unreadable { path: path.clone(), reason: e.to_string() })?;
    Ok((records.pop(), skipped))
}

/// How to answer, in a few lines: what the code defines, where it runs, what persists, what
/// comes back.
fn protocol(target: &str) -> String {
    format!(
        "Answer with one ```python block that defines `def {target}(moss):` (and any helpers it needs). \
         moss runs it and calls `{target}(moss)` once, with `moss` the module's `Moss` instance.\n\
         - Only the code is used: text outside the ```python block is shown to no one. To say something \
         (to the user, or as your persona), `print()` it in the code.\n\
         - Your code is appended to the module below and runs in its namespace: what the module imports \
         and defines is already there. Do not import it again or redefine it.\n\
         - Attributes typed in `Moss` without a value (a robot, a service) are given to you: use them, \
         do not assign them.\n\
         - Only attributes you set on `moss` are kept for the next turn, and only when the run succeeds; \
         a failed run keeps nothing. Kept exactly: None, bool, int, float, str, list, dict, tuple, set, \
         frozenset, bytes, enums, datetime values, Decimal, UUID, paths, the `collections` types, and \
         dataclasses and pydantic models of classes the module imports. Other values are not kept.\n\
         - Next turn you see what the run printed and what `{target}` returned (as JSON, else its repr), \
         or the error with the line of your code that raised it, and what changed on `moss`."
    )
}

/// The last run, told to the model that wrote its code.
fn last_run(record: Option<&RunRecord>, target: &str) -> String {
    let Some(record) = record else {
        return "None yet: this is the first run.\n".to_owned();
    };
    // Before the code is looked at: a run refused before its reply was read (an unreadable
    // `--code`, an error body of the model's API) has no code, and is not the model's to mend.
    if let Some(error) = record.error.as_ref().filter(|e| e.is_operators()) {
        return not_the_codes_fault(error);
    }
    let Some(code) = &record.code else {
        let error = record.error.as_ref().map(|e| e.message.as_str()).unwrap_or("no code was read");
        return format!(
            "Nothing ran: {}.\nAnswer with code this time: one ```python block that defines `def {target}(moss):`.\n",
            cut(error)
        );
    };
    let mut text = match &record.error {
        None => "It succeeded.\n".to_owned(),
        Some(_) => "It failed, so nothing it set on `moss` was kept.\n".to_owned(),
    };
    let fence = fence_for(code);
    text.push_str(&format!("\nYour code:\n{fence}python\n{}", code));
    if !code.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("{fence}\n"));
    if let Some(error) = &record.error {
        text.push_str(&error_text(error, record.code_source.as_deref()));
    }
    text.push_str(&output_text(record));
    if record.error.is_none() {
        text.push_str(&returned_text(record));
        text.push_str(&changes_text(&record.context));
    }
    text.push_str(&warnings_text(&record.warnings));
    text
}

/// A run that failed before any of the code ran, for a reason the operator must fix. Its
/// message is not quoted: it may come from the MOSS file's hidden regions.
fn not_the_codes_fault(error: &journal::RunError) -> String {
    let (what, fix) = match error.kind.as_str() {
        "context" => ("the context file could not be used", "fix or remove the context file"),
        "device" => ("the device could not be reached", "connect the device or choose another"),
        "usage" => ("moss was started with a wrong command line", "fix the command line"),
        "internal" => ("moss itself failed", "report the failure"),
        "api-error" => ("the model's API answered with an error instead of a reply", "send the request again"),
        _ => ("the MOSS file failed to load", "fix the MOSS file"),
    };
    format!(
        "Your code did not run: {what} ({}). That was not your code's fault, and nothing was kept; the \
         operator must {fix}. Answer the task as if that run had not happened.\n",
        error.type_name
    )
}

/// What the run warned of: above all, what it set on `moss` that was not kept.
fn warnings_text(warnings: &[String]) -> String {
    let shown: Vec<String> = warnings
        .iter()
        .filter(|w| !w.starts_with("--sandbox:"))
        .map(|w| format!("- {}", cut(w).replace('\n', "\n  ")))
        .collect();
    match shown.is_empty() {
        true => String::new(),
        false => format!("\nWarnings (what was not kept, and why):\n{}\n", shown.join("\n")),
    }
}

fn error_text(error: &journal::RunError, code_source: Option<&str>) -> String {
    let mut text = format!("\nThe error ({}): {}: {}\n", error.kind, error.type_name, cut(&error.message));
    let in_own_code = error.file.is_some() && error.file.as_deref() == code_source;
    let place = match (&error.file, in_own_code) {
        (_, true) => "your code".to_owned(),
        (Some(file), false) => format!("`{file}`"),
        (None, _) => return text,
    };
    match (error.line, &error.line_text) {
        (Some(line), Some(line_text)) => {
            text.push_str(&format!("It was raised at line {line} of {place}: `{}`\n", line_text.trim()))
        }
        (Some(line), None) if in_own_code => text.push_str(&format!("It was raised at line {line} of {place}.\n")),
        // A line of another file whose text is not journaled may be one the model cannot read.
        _ => text.push_str(&format!("It was raised in {place}.\n")),
    }
    text
}

fn output_text(record: &RunRecord) -> String {
    let mut text = String::new();
    for (stream, output) in [("stdout", &record.stdout), ("stderr", &record.stderr)] {
        if !output.is_empty() {
            let shown = journal::cut(output, OUTPUT_BUDGET, true);
            let fence = fence_for(&shown);
            let newline = if shown.ends_with('\n') { "" } else { "\n" };
            text.push_str(&format!("\nWhat it printed on {stream}:\n{fence}text\n{shown}{newline}{fence}\n"));
        }
    }
    if text.is_empty() {
        text.push_str("\nIt printed nothing.\n");
    }
    text
}

fn returned_text(record: &RunRecord) -> String {
    let shown = match (&record.returns, &record.returns_repr) {
        (Value::Null, Some(repr)) if repr != "None" => repr.clone(),
        (Value::Null, _) => return format!("\n`{}` returned None.\n", record.target),
        (value, _) => serde_json::to_string(value).expect("JSON serialises"),
    };
    format!("\n`{}` returned: {}\n", record.target, cut(&shown))
}

fn changes_text(diff: &context_diff::ContextDiff) -> String {
    if diff.is_empty() {
        return "\nNothing changed on `moss`.\n".to_owned();
    }
    let text = |value: &Value| value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
    let mut lines = vec!["\nWhat changed on `moss`:".to_owned()];
    lines.extend(diff.added.iter().map(|(name, value)| format!("- moss.{name} set to {}", text(value))));
    lines.extend(diff.changed.iter().map(|(name, pair)| {
        format!("- moss.{name} changed from {} to {}", text(&pair["before"]), text(&pair["after"]))
    }));
    lines.extend(diff.removed.iter().map(|(name, value)| format!("- moss.{name} removed (it was {})", text(value))));
    lines.join("\n") + "\n"
}

fn cut(text: &str) -> String {
    journal::cut(text.trim_end(), VALUE_BUDGET, false)
}

/// A fence of backticks longer than any run of backticks in `text`, so the text cannot close it.
pub fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The error for `--tool-schema anthropic`, where the format, written without `=`, was taken
/// for the MOSS file.
pub fn format_as_file(file: &Path) -> Option<MossError> {
    let word = file.to_str().filter(|word| <ToolSchema as clap::ValueEnum>::from_str(word, true).is_ok())?;
    Some(MossError::usage(Problem::hinted(
        format!("there is no MOSS file `{word}`"),
        format!("give the format with an equals sign: --tool-schema={word}"),
    )))
}

/// The declaration of a `moss` tool for a tool-calling API: one required string parameter, `code`.
pub fn tool_schema(format: ToolSchema, target: &str, file: Option<&Path>) -> Value {
    let module =
        file.and_then(Path::file_name).map(|name| format!(" `{}`", name.to_string_lossy())).unwrap_or_default();
    let description = format!(
        "Run Python inside the MOSS module{module}. `code` must define `def {target}(moss):`, which is called \
         once with `moss`. Returns what the code printed and what `{target}` returned, or the error and the \
         line of the code that raised it. Attributes set on `moss` are kept for the next call when the run \
         succeeds."
    );
    let parameters = json!({
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "description": format!(
                    "Python source defining `def {target}(moss):` and any helpers; it is appended to the \
                     module, so do not import again or redefine what the module has."
                ),
            },
        },
        "required": ["code"],
        "additionalProperties": false,
    });
    match format {
        ToolSchema::Openai => json!({
            "type": "function",
            "function": {"name": "moss", "description": description, "parameters": parameters},
        }),
        ToolSchema::Anthropic => json!({"name": "moss", "description": description, "input_schema": parameters}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_is_longer_than_any_run_of_backticks_inside() {
        assert_eq!(fence_for("x = 1\n"), "```");
        assert_eq!(fence_for("s = '````'\n"), "`````");
    }
}
