//! Taking the code out of a model's reply as it comes: plain Python, Markdown with fenced blocks,
//! `<code>` tags, or the JSON of a tool call that carries the code.
//!
//! Auto-detection must never misread plain Python as Markdown, so Python is recognised by its
//! grammar, not by the absence of fences: a reply that compiles (and is more than a bare word)
//! is Python, whatever its strings and docstrings contain. Backticks and a `<code>` tag at the
//! start of a line are not Python, so a reply with either never compiles and its markup decides.

mod json;
pub mod top_level;

use std::borrow::Cow;

use clap::ValueEnum;
use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Expr, Stmt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::run::error_info::ErrorInfo;

/// How `moss exec --code-format` reads the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodeFormat {
    /// Detect: JSON (a tool call, or a model API's answer), else Python that compiles, else Markdown
    /// or <code> tags
    Auto,
    /// The reply is the code, as it is
    Python,
    /// Fenced blocks (python, py, python3, ipython; else unlabelled ones) or <code> tags, with prose
    /// around them
    Markdown,
    /// A model API's answer: the code of its tool calls ({"code": ...}, OpenAI's tool_calls, the
    /// Responses API's function_call, Ollama's tool calls, Anthropic's tool_use), else its message's
    /// text read as a reply of its own
    Json,
}

/// How the code was found: `code_format` in `moss exec --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Found {
    Python,
    Markdown,
    CodeTags,
    Json,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Extracted {
    pub code: String,
    pub found: Found,
    /// The blocks of the reply left out of the code, and why: warnings for the run's result.
    pub left_out: Vec<String>,
}

/// Why a reply gives no code to run.
#[derive(Debug, PartialEq, Eq)]
pub enum NoCode {
    /// Said for the model that wrote the reply: "it is empty", "the reply is prose: ...".
    Missing(String),
    /// The reply is a model API's error body, no model's answer: the API's own message.
    ApiError(String),
    /// The answer stopped at the request's token limit before its code was whole: what is missing.
    CutOff(String),
    /// The reply is a streamed response, chunks of an answer rather than one: which kind.
    Streamed(&'static str),
}

/// Labels of fenced blocks that hold Python. An `ipython` block is a notebook cell, Python as it is
/// (a magic such as `%pip` fails as the syntax error it is); a `pycon` block is a console session,
/// prompts and output interleaved: what ran once, shown, not code to run, so it is not Python here.
const PYTHON_LABELS: [&str; 5] = ["python", "py", "python3", "ipython", "ipython3"];

/// Sections of a reasoning model's reply that hold its thinking, drafts included, not its answer.
const REASONING_TAGS: [&str; 3] = ["think", "thinking", "reasoning"];

/// The code in a reply, or why there is none, said so that the model can answer better; `target`
/// is the name the code must define, which tells the answer from a usage example.
pub fn extract(reply: &str, format: CodeFormat, target: &str) -> Result<Extracted, NoCode> {
    if reply.trim().is_empty() {
        return Err(NoCode::Missing("it is empty".into()));
    }
    let json = |value: Value| {
        if let Some(message) = json::api_error(&value) {
            return Err(NoCode::ApiError(message));
        }
        let limit = json::cut_off(&value);
        match (json::from_json(&value, target), limit) {
            // Code read from the message's text, where the cut left it unfinished: it must not run.
            (Ok(found), Some(limit))
                if found.found != Found::Json
                    && json::ends_inside_code(&without_reasoning(&json::answer_text(&value))) =>
            {
                Err(NoCode::CutOff(format!(
                    "the model's output was cut off at its token limit ({limit}) inside its code, which would run \
                     unfinished"
                )))
            }
            (Ok(found), _) => Ok(found),
            (Err(reason), Some(limit)) => Err(NoCode::CutOff(format!(
                "the model's output was cut off at its token limit ({limit}) before the answer was complete ({reason})"
            ))),
            (Err(reason), None) => Err(NoCode::Missing(reason)),
        }
    };
    let extracted = match format {
        CodeFormat::Python => Ok(Extracted::whole(reply.to_owned(), Found::Python)),
        CodeFormat::Markdown => from_markup(&without_reasoning(reply), target)
            .unwrap_or_else(|| {
                Err("the reply has no fenced ```python block and no <code> tag (--code-format markdown)".into())
            })
            .map_err(NoCode::Missing),
        CodeFormat::Json => match serde_json::from_str(reply) {
            Ok(value) => json(value),
            Err(e) => match json::streamed(reply) {
                Some(kind) => Err(NoCode::Streamed(kind)),
                None => Err(NoCode::Missing(format!("the reply is not JSON (--code-format json): {e}"))),
            },
        },
        CodeFormat::Auto => match as_json(reply) {
            Some(value) => json(value),
            None => match json::streamed(reply) {
                Some(kind) => Err(NoCode::Streamed(kind)),
                None => auto(reply, target).map_err(NoCode::Missing),
            },
        },
    };
    extracted.map(|mut found| {
        found.left_out.extend(top_level::target_called(&found.code, target));
        found
    })
}

/// Detects how a reply holds its code (see `CodeFormat::Auto`), JSON included.
fn auto(reply: &str, target: &str) -> Result<Extracted, String> {
    if let Some(value) = as_json(reply) {
        return json::from_json(&value, target);
    }
    if is_program(reply) {
        return Ok(Extracted::whole(reply.to_owned(), Found::Python));
    }
    let answer = without_reasoning(reply);
    if answer.trim().is_empty() {
        return Err("it holds only reasoning (a <think> section), no answer after it".into());
    }
    let python = || Ok(Extracted::whole(answer.to_string(), Found::Python));
    if is_program(&answer) || first_statement(&answer).is_some_and(starts_statement) {
        return python();
    }
    if let Some(found) = json::from_tool_call_tags(&answer, target) {
        return found;
    }
    if let Some(found) = from_markup(&answer, target) {
        return found;
    }
    if answer.lines().any(starts_statement) {
        return python();
    }
    Err("the reply is prose: it has no ```python block, no <code> tag and no line of Python".into())
}

impl Extracted {
    fn whole(code: String, found: Found) -> Self {
        Extracted { code, found, left_out: Vec::new() }
    }
}

impl Found {
    /// An error pointing at a line of code taken out of a reply says so: the model counts the
    /// lines of the code it wrote, not of its whole reply.
    pub fn explain_lines(&self, mut error: ErrorInfo, code_file: &str) -> ErrorInfo {
        let how = match self {
            Found::Python => return error,
            Found::Markdown => "fenced block(s)",
            Found::CodeTags => "<code> tag(s)",
            Found::Json => "tool call",
        };
        if let (Some(line), Some(code_file)) = (error.line, error.file.as_deref().filter(|file| *file == code_file)) {
            let note = format!(
                "{code_file}:{line} is line {line} of the code taken from the reply's {how}, not of the whole reply"
            );
            error.hint = Some(match error.hint {
                Some(hint) => format!("{note}; {hint}"),
                None => note,
            });
        }
        error
    }
}

/// Python that compiles and is more than bare words: `Sorry` or `Done` alone compile, but are prose.
fn is_program(reply: &str) -> bool {
    let bare = |statement: &Stmt| match statement {
        Stmt::Expr(ast::StmtExpr { value, .. }) => matches!(**value, Expr::Name(_) | Expr::Constant(_)),
        _ => false,
    };
    ast::Suite::parse(reply, "<reply>").is_ok_and(|suite| !suite.iter().all(bare))
}

/// The first line that is neither blank nor a comment.
fn first_statement(reply: &str) -> Option<&str> {
    reply.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether a line starts a definition (even a broken one, such as `def main(moss)` without its
/// colon), or is, alone, an import or an assignment: what prose does not look like.
fn starts_statement(line: &str) -> bool {
    let line = line.trim();
    let header = line.strip_prefix("async ").unwrap_or(line);
    if let Some(rest) = header.strip_prefix("def ").or_else(|| header.strip_prefix("class ")) {
        let name_end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        return !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && after.trim_start().starts_with(['(', ':']);
    }
    let source = if line.starts_with('@') { format!("{line}\ndef decorated(): pass") } else { line.to_owned() };
    ast::Suite::parse(&source, "<line>").is_ok_and(|suite| {
        matches!(suite.as_slice(), [Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_) | Stmt::FunctionDef(_)])
    })
}

/// The reply as JSON, when it is a JSON object or array.
fn as_json(reply: &str) -> Option<Value> {
    reply.trim_start().starts_with(['{', '[']).then(|| serde_json::from_str(reply).ok()).flatten()
}

/// The reply without its reasoning sections (`<think>`, `<thinking>` or `<reasoning>`, in any
/// case, opened at the start of a line), each replaced by its line breaks so that the lines after
/// it keep their numbers. A closing tag that starts a line with no opening tag before it ends a
/// section that began with the reply, as when the server put the opening tag in the prompt; a
/// section left open runs to the end of the reply.
fn without_reasoning(reply: &str) -> Cow<'_, str> {
    // ASCII lowercase keeps every byte where it was, so offsets found in it hold in the reply.
    let lower = reply.to_ascii_lowercase();
    let mut sections = Vec::new();
    let first_close = REASONING_TAGS
        .iter()
        .filter_map(|tag| Some((tag_at_line_start(&lower, &format!("</{tag}>"), 0)?, *tag)))
        .min_by_key(|(at, _)| *at);
    if let Some((at, tag)) = first_close.filter(|(at, tag)| !lower[..*at].contains(&format!("<{tag}>"))) {
        sections.push(0..at + tag.len() + 3);
    }
    let mut from = sections.last().map_or(0, |section| section.end);
    while let Some((at, tag)) = next_reasoning(&lower, from) {
        let close = format!("</{tag}>");
        let end = lower[at..].find(&close).map_or(reply.len(), |close_at| at + close_at + close.len());
        sections.push(at..end);
        from = end;
    }
    if sections.is_empty() {
        return Cow::Borrowed(reply);
    }
    let mut answer = String::with_capacity(reply.len());
    let mut kept_from = 0;
    for section in sections {
        answer.push_str(&reply[kept_from..section.start]);
        answer.extend(reply[section.clone()].matches('\n'));
        kept_from = section.end;
    }
    answer.push_str(&reply[kept_from..]);
    Cow::Owned(answer)
}

/// The first opening tag of a reasoning section at or after `from` that starts a line.
fn next_reasoning<'t>(lower: &str, from: usize) -> Option<(usize, &'t str)> {
    REASONING_TAGS
        .iter()
        .filter_map(|tag| Some((tag_at_line_start(lower, &format!("<{tag}>"), from)?, *tag)))
        .min_by_key(|(at, _)| *at)
}

/// Where `tag` first starts a line (after blank space) at or after `from`: a tag inside a
/// sentence or a string of code names the tag, it opens or closes nothing.
fn tag_at_line_start(text: &str, tag: &str, from: usize) -> Option<usize> {
    let starts_line = |at: usize| text[..at].rsplit('\n').next().is_some_and(|before| before.trim().is_empty());
    text[from..].match_indices(tag).map(|(at, _)| from + at).find(|at| starts_line(*at))
}

/// The code in fenced blocks or else `<code>` tags, or `None` when the reply has neither.
fn from_markup(reply: &str, target: &str) -> Option<Result<Extracted, String>> {
    let (blocks, _) = fenced_blocks(reply);
    if blocks.is_empty() {
        let tagged = code_tags(reply);
        return (!tagged.is_empty()).then(|| joined(tagged, Found::CodeTags, "its <code> tag is empty"));
    }
    let labelled: Vec<&Block> = blocks.iter().filter(|b| PYTHON_LABELS.contains(&b.label.as_str())).collect();
    // An unlabelled block beside a python one is most often the output the model expects.
    let chosen = match labelled.is_empty() {
        false => labelled,
        true => blocks.iter().filter(|b| b.label.is_empty()).collect(),
    };
    if chosen.is_empty() {
        let mut languages: Vec<&str> = Vec::new();
        for block in &blocks {
            if !languages.contains(&block.label.as_str()) {
                languages.push(&block.label);
            }
        }
        return Some(Err(format!("its fenced blocks are in {}, not in Python", languages.join(", "))));
    }
    let (kept, mut left_out) = top_level::without_usage(&chosen, target);
    left_out.extend(top_level::unlabelled_definitions(&blocks));
    Some(joined(kept, Found::Markdown, "its ```python block is empty").map(|found| Extracted { left_out, ..found }))
}

/// Blocks joined in order, a blank line between them.
fn joined(blocks: Vec<String>, found: Found, when_empty: &str) -> Result<Extracted, String> {
    let code = blocks.join("\n");
    match code.trim().is_empty() {
        true => Err(when_empty.into()),
        false => Ok(Extracted::whole(code, found)),
    }
}

struct Block {
    label: String,
    code: String,
    /// The line of the reply the block's opening fence is on, from 1.
    line: usize,
}

/// A fence that opens a block: its indentation, character and length, and the block's language.
struct Fence {
    indent: usize,
    marker: char,
    length: usize,
    label: String,
}

impl Fence {
    fn opening(line: &str) -> Option<Fence> {
        let rest = line.trim_start_matches([' ', '\t']);
        let marker = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let length = rest.chars().take_while(|c| *c == marker).count();
        let info = rest[length..].trim();
        // A backtick in the info string makes it inline code (```x```), as in CommonMark.
        if length < 3 || (marker == '`' && info.contains('`')) {
            return None;
        }
        // The language is the info string's first word, as in `python title="x"`, `{python}`,
        // `.python` or `python:main.py`.
        let word = info.trim_start_matches(['{', '.']);
        let end = word.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '+' | '-'))).unwrap_or(word.len());
        let label = word[..end].to_ascii_lowercase();
        Some(Fence { indent: line.len() - rest.len(), marker, length, label })
    }

    /// Whether a line closes the block. Backticks never start a line of Python, so a run of them
    /// as long as the fence closes it even with prose after it (```` ``` That's it! ````); tildes
    /// can (`~~~x` is Python), so a tilde fence closes only on a line of its own.
    fn closed_by(&self, line: &str) -> bool {
        let line = line.trim();
        let run = line.chars().take_while(|c| *c == self.marker).count();
        run >= self.length && (self.marker == '`' || run == line.chars().count())
    }

    /// A line of the block without the fence's own indentation, so that a block inside a list
    /// item comes out as it would stand alone.
    fn content<'a>(&self, line: &'a str) -> &'a str {
        let removable = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[removable.min(self.indent)..]
    }
}

/// Every fenced block, in order, and whether the last was left open: it runs to the reply's end.
fn fenced_blocks(reply: &str) -> (Vec<Block>, bool) {
    let mut blocks = Vec::new();
    let mut lines = reply.lines().enumerate();
    let mut left_open = false;
    while let Some((index, line)) = lines.next() {
        let Some(fence) = Fence::opening(line) else { continue };
        let mut code = String::new();
        left_open = true;
        for (_, line) in lines.by_ref() {
            if fence.closed_by(line) {
                left_open = false;
                break;
            }
            code.push_str(fence.content(line));
            code.push('\n');
        }
        blocks.push(Block { label: fence.label, code, line: index + 1 });
    }
    (blocks, left_open)
}

/// The text of every `<code>` tag that starts a line; a tag left open runs to the end of the
/// reply, as when `</code>` was the model's stop sequence. A `<code>` inside a sentence names
/// something, it holds no program.
fn code_tags(reply: &str) -> Vec<String> {
    const OPEN: &str = "<code>";
    const CLOSE: &str = "</code>";
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(found) = reply[from..].find(OPEN) {
        let at = from + found;
        let body = at + OPEN.len();
        let line_start = reply[..at].rfind('\n').map_or(0, |newline| newline + 1);
        if !reply[line_start..at].trim().is_empty() {
            from = body;
            continue;
        }
        let end = reply[body..].find(CLOSE).map_or(reply.len(), |close| body + close);
        let text = reply[body..end].trim_start_matches([' ', '\t']).trim_start_matches(['\r', '\n']).trim_end();
        blocks.push(format!("{text}\n"));
        from = (end + CLOSE.len()).min(reply.len());
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn auto(reply: &str) -> Result<Extracted, String> {
        extract_as(reply, CodeFormat::Auto)
    }

    /// The code, or why there is none: an API's error is said as "api error: MESSAGE".
    fn extract_as(reply: &str, format: CodeFormat) -> Result<Extracted, String> {
        extract(reply, format, "main").map_err(|no_code| match no_code {
            NoCode::Missing(reason) | NoCode::CutOff(reason) => reason,
            NoCode::ApiError(message) => format!("api error: {message}"),
            NoCode::Streamed(kind) => format!("streamed: {kind}"),
        })
    }

    #[track_caller]
    fn found(reply: &str, code: &str, how: Found) {
        assert_eq!(auto(reply), Ok(Extracted::whole(code.into(), how)), "{reply}");
    }

    #[test]
    fn python_with_markdown_in_its_strings_stays_python() {
        let code = concat!(
            "def main(moss):\n    \"\"\"Answer like this:\n\n```python\nx = 1\n```\n<code>y</code>\n    \"\"\"\n",
            "    return \"```\"\n"
        );
        found(code, code, Found::Python);
    }

    #[test]
    fn python_with_a_syntax_error_stays_python_for_python_to_report() {
        for code in ["def main(moss)\n    return 1\n", "import os\nx = = 1\n\"\"\"\n```python\n\"\"\"\n"] {
            found(code, code, Found::Python);
        }
    }

    #[test]
    fn python_blocks_win_over_unlabelled_ones_and_other_languages_are_ignored() {
        let reply = "Run:\n```bash\nls\n```\n```py\na = 1\n```\nOutput:\n```\n1\n```\n~~~python3\nb = 2\n~~~\n";
        found(reply, "a = 1\n\nb = 2\n", Found::Markdown);
        found("Try:\n```\na = 1\n```\nthen\n```\nb = 2\n```\n", "a = 1\n\nb = 2\n", Found::Markdown);
    }

    #[test]
    fn a_block_in_a_list_item_loses_the_items_indentation_and_a_longer_fence_holds_a_shorter_one() {
        let reply = "1. Define it:\n\n   ```python\n   def main(moss):\n\n       return '```'\n   ```\n";
        found(reply, "def main(moss):\n\n    return '```'\n", Found::Markdown);
        found("x\n````python\ns = '''\n```\n'''\n````\n", "s = '''\n```\n'''\n", Found::Markdown);
    }

    #[test]
    fn code_tags_start_a_line_and_may_be_left_open() {
        found("Thought: roll.\n<code>\nmain = print\n</code>\n", "main = print\n", Found::CodeTags);
        found("I use <code>moss</code>.\n<code>\nx = 1\n", "x = 1\n", Found::CodeTags);
    }

    #[test]
    fn tool_calls_of_every_shape_carry_their_code() {
        let openai = concat!(
            r#"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","#,
            r#""function":{"name":"moss","arguments":"{\"code\": \"x = 1\\n\"}"}}]}}]}"#
        );
        found(openai, "x = 1\n", Found::Json);
        let anthropic = concat!(
            r#"{"content":[{"type":"text","text":"I will."},"#,
            r#"{"type":"tool_use","id":"t","name":"moss","input":{"code":"y = 2"}}]}"#
        );
        found(anthropic, "y = 2", Found::Json);
        found(r#"{"code": "z = 3"}"#, "z = 3", Found::Json);
    }

    #[test]
    fn reasoning_sections_are_dropped_and_the_lines_after_keep_their_numbers() {
        found("<think>\n```python\nx = 1\n```\n</think>\n```python\ny = 2\n```\n", "y = 2\n", Found::Markdown);
        found("<REASONING>\nx = 1\n</reasoning>\ny = 2\n", "\n\n\ny = 2\n", Found::Python);
        found("Thinking aloud: x = 1.\n</think>\n```python\ny = 2\n```\n", "y = 2\n", Found::Markdown);
        found("I use the <think> tag.\n```python\ny = 2\n```\n", "y = 2\n", Found::Markdown);
        let split = "```python\nanswer = text.split(\"</think>\")[-1]\n```\n";
        found(split, "answer = text.split(\"</think>\")[-1]\n", Found::Markdown);
        assert!(auto("<think>\n```python\nx = 1\n```\n").unwrap_err().contains("only reasoning"));
        let forced =
            extract_as("<Thinking>\n```python\nx = 1\n```\n</Thinking>\n```py\ny = 2\n```", CodeFormat::Markdown);
        assert_eq!(forced.map(|e| e.code), Ok("y = 2\n".into()));
    }

    #[test]
    fn a_usage_example_beside_the_block_that_defines_the_target_is_left_out() {
        let reply = "```python\ndef main(moss):\n    return 1\n```\nUse:\n```python\nprint(main(moss))\n```\n\
                     ```python\nimport math\n```\n";
        let extracted = auto(reply).unwrap();
        assert_eq!(extracted.code, "def main(moss):\n    return 1\n\nimport math\n");
        assert_eq!(extracted.left_out.len(), 1, "{:?}", extracted.left_out);
        assert!(
            extracted.left_out[0].contains("code block 2 of 3 (at line 6) was left out"),
            "{:?}",
            extracted.left_out
        );
        // With no block defining the target, every block runs, as written.
        found("```python\nx = 1\n```\n```python\nprint(x)\n```\n", "x = 1\n\nprint(x)\n", Found::Markdown);
    }

    #[test]
    fn a_backtick_run_closes_a_block_whatever_follows_and_a_label_may_carry_more() {
        found("```python\nx = 1\n``` That's it!\nThen `y`.\n", "x = 1\n", Found::Markdown);
        for label in ["python:main.py", "python title=\"x.py\"", "{python}", "{.python .numberLines}", "Python"] {
            found(&format!("Here:\n```{label}\nx = 1\n```\n```\nout\n```\n"), "x = 1\n", Found::Markdown);
        }
        found("Here:\n~~~python\nx = ~~~1\n~~~\n", "x = ~~~1\n", Found::Markdown);
    }

    #[test]
    fn without_a_tool_call_the_messages_text_is_read_and_an_api_error_is_told_apart() {
        let completion = r#"{"choices": [{"message": {"role": "assistant",
            "reasoning_content": "```python\nx = 0\n```", "content": "Here:\n```python\nx = 1\n```"}}]}"#;
        found(completion, "x = 1\n", Found::Markdown);
        found(r#"{"response": "x = 2\n"}"#, "x = 2\n", Found::Python);
        found(r#"{"output": [{"type": "function_call", "arguments": "{\"code\": \"x = 3\"}"}]}"#, "x = 3", Found::Json);
        let overloaded = r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#;
        assert_eq!(auto(overloaded), Err("api error: \"Overloaded\" (type overloaded_error)".into()));
        assert_eq!(auto(r#"{"error": "no such model"}"#), Err("api error: \"no such model\"".into()));
        found(r#"{"code": "x = 4", "error": "an argument of the tool"}"#, "x = 4", Found::Json);
        let incomplete = r#"{"error": null, "status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"},
            "output": [{"type": "function_call", "arguments": "{\"code\": \"x"}]}"#;
        assert!(auto(incomplete).unwrap_err().contains("cut off at its token limit (reason: max_output_tokens)"));
    }

    #[test]
    fn no_code_says_why() {
        assert_eq!(auto(" \n\t"), Err("it is empty".into()));
        assert!(auto("Sorry, I cannot do that.\nDone").unwrap_err().contains("prose"));
        assert!(auto("Sorry").unwrap_err().contains("prose"), "a bare word compiles, but is no program");
        assert!(auto("Run:\n```bash\nls\n```\n").unwrap_err().contains("bash"));
        assert!(
            auto(r#"{"choices": [{"message": {"role": "assistant", "content": null}}]}"#)
                .unwrap_err()
                .contains("carries no code")
        );
        assert!(auto("```python\n\n```").unwrap_err().contains("empty"));
        assert!(extract_as("x = 1", CodeFormat::Json).unwrap_err().contains("not JSON"));
        assert!(extract_as("x = 1", CodeFormat::Markdown).unwrap_err().contains("no fenced"));
        assert_eq!(extract_as("Sorry", CodeFormat::Python).map(|e| e.found), Ok(Found::Python));
    }

    /// A sentence: never a fence, a `<code>` tag, a definition, an import or an assignment.
    fn prose_line() -> impl Strategy<Value = String> {
        "[A-Za-z][A-Za-z ,!?']{0,50}[.!?]"
    }

    fn code_line() -> impl Strategy<Value = String> {
        "[ -~]{0,50}".prop_filter("not a closing fence", |line| !line.trim().starts_with("```"))
    }

    proptest! {
        #[test]
        fn any_code_in_a_fence_comes_back_exactly(
            before in prop::collection::vec(prose_line(), 0..4),
            code in prop::collection::vec(code_line(), 1..8),
            after in prop::collection::vec(prose_line(), 0..4),
            label in prop::sample::select(vec!["python", "py", ""]),
            indent in 0usize..6,
        ) {
            let pad = " ".repeat(indent);
            let code = format!("{}\n", code.join("\n"));
            prop_assume!(!code.trim().is_empty());
            let fenced: String = code.lines().map(|line| format!("{pad}{line}\n")).collect();
            let reply = format!("{}\n{pad}```{label}\n{fenced}{pad}```\n{}", before.join("\n"), after.join("\n"));
            prop_assert_eq!(auto(&reply), Ok(Extracted::whole(code, Found::Markdown)));
        }

        #[test]
        fn python_that_compiles_is_never_read_as_markup(
            names in prop::collection::vec("[a-z]{1,8}", 1..5),
            text in "[ -~&&[^\\\\\"]]{0,40}",
        ) {
            let body: String = names.iter().map(|name| format!("    {name} = \"{text}\"\n")).collect();
            let code = format!("def main(moss):\n    \"\"\"\n```python\n<code>\n    \"\"\"\n{body}    return 1\n");
            prop_assert_eq!(auto(&code), Ok(Extracted::whole(code.clone(), Found::Python)));
        }
    }
}
