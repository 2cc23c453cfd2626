//! Taking the code out of a model's reply as it comes: plain Python, Markdown with fenced blocks,
//! `<code>` tags, or the JSON of a tool call that carries the code.
//!
//! Auto-detection must never misread plain Python as Markdown, so Python is recognised by its
//! grammar, not by the absence of fences: a reply that compiles (and is more than a bare word)
//! is Python, whatever its strings and docstrings contain. Backticks and a `<code>` tag at the
//! start of a line are not Python, so a reply with either never compiles and its markup decides.

use clap::ValueEnum;
use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Expr, Stmt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::ErrorInfo;

/// How `moss exec --code-format` reads the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodeFormat {
    /// Detect: JSON of a tool call, else Python that compiles, else Markdown or <code> tags
    Auto,
    /// The reply is the code, as it is
    Python,
    /// Fenced blocks (python, py or unlabelled) or <code> tags, with prose around them
    Markdown,
    /// A tool call: {"code": ...}, OpenAI's tool_calls or Anthropic's tool_use
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
}

/// Labels of fenced blocks that hold Python.
const PYTHON_LABELS: [&str; 3] = ["python", "py", "python3"];

/// The code in a reply, or why there is none, said so that the model can answer better.
pub fn extract(reply: &str, format: CodeFormat) -> Result<Extracted, String> {
    if reply.trim().is_empty() {
        return Err("it is empty".into());
    }
    let python = || Ok(Extracted { code: reply.to_owned(), found: Found::Python });
    match format {
        CodeFormat::Python => python(),
        CodeFormat::Markdown => from_markup(reply).unwrap_or_else(|| {
            Err("the reply has no fenced ```python block and no <code> tag (--code-format markdown)".into())
        }),
        CodeFormat::Json => match serde_json::from_str(reply) {
            Ok(value) => from_json(&value),
            Err(e) => Err(format!("the reply is not JSON (--code-format json): {e}")),
        },
        CodeFormat::Auto => {
            if let Some(value) = as_json(reply) {
                return from_json(&value);
            }
            if is_program(reply) || first_statement(reply).is_some_and(starts_statement) {
                return python();
            }
            if let Some(found) = from_markup(reply) {
                return found;
            }
            if reply.lines().any(starts_statement) {
                return python();
            }
            Err("the reply is prose: it has no ```python block, no <code> tag and no line of Python".into())
        }
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

/// The code of every tool call in a JSON reply, joined in order.
fn from_json(value: &Value) -> Result<Extracted, String> {
    let mut codes = Vec::new();
    codes_in_json(value, &mut codes)?;
    if codes.is_empty() {
        return Err("the JSON carries no code: moss looks for {\"code\": \"...\"}, OpenAI's \
                    tool_calls[].function.arguments and Anthropic's tool_use input"
            .into());
    }
    joined(codes, Found::Json, "the tool call's `code` is empty")
}

fn codes_in_json(value: &Value, codes: &mut Vec<String>) -> Result<(), String> {
    let object = match value {
        Value::Array(items) => return items.iter().try_for_each(|item| codes_in_json(item, codes)),
        Value::Object(object) => object,
        _ => return Ok(()),
    };
    if let Some(Value::String(code)) = object.get("code") {
        codes.push(code.clone());
        return Ok(());
    }
    if object.get("type").and_then(Value::as_str) == Some("tool_use") {
        return object.get("input").map_or(Ok(()), |input| codes_in_json(input, codes));
    }
    if let Some(arguments) = object.get("function").and_then(|function| function.get("arguments")) {
        return match arguments {
            // OpenAI sends the arguments as a JSON document inside a string.
            Value::String(text) => match serde_json::from_str(text) {
                Ok(arguments) => codes_in_json(&arguments, codes),
                Err(e) => Err(format!("the tool call's arguments are not JSON: {e}")),
            },
            other => codes_in_json(other, codes),
        };
    }
    // The envelopes around tool calls: a chat completion, a message, a content list.
    ["choices", "message", "tool_calls", "content"]
        .iter()
        .filter_map(|key| object.get(*key))
        .try_for_each(|inner| codes_in_json(inner, codes))
}

/// The code in fenced blocks or else `<code>` tags, or `None` when the reply has neither.
fn from_markup(reply: &str) -> Option<Result<Extracted, String>> {
    let blocks = fenced_blocks(reply);
    if !blocks.is_empty() {
        let labelled: Vec<String> =
            blocks.iter().filter(|b| PYTHON_LABELS.contains(&b.label.as_str())).map(|b| b.code.clone()).collect();
        // An unlabelled block beside a python one is most often the output the model expects.
        let chosen = match labelled.is_empty() {
            false => labelled,
            true => blocks.iter().filter(|b| b.label.is_empty()).map(|b| b.code.clone()).collect(),
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
        return Some(joined(chosen, Found::Markdown, "its ```python block is empty"));
    }
    let tagged = code_tags(reply);
    (!tagged.is_empty()).then(|| joined(tagged, Found::CodeTags, "its <code> tag is empty"))
}

/// Blocks joined in order, a blank line between them.
fn joined(blocks: Vec<String>, found: Found, when_empty: &str) -> Result<Extracted, String> {
    let code = blocks.join("\n");
    match code.trim().is_empty() {
        true => Err(when_empty.into()),
        false => Ok(Extracted { code, found }),
    }
}

struct Block {
    label: String,
    code: String,
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
        let word = info.split_whitespace().next().unwrap_or_default();
        let label = word.trim_start_matches(['{', '.']).trim_end_matches('}').to_ascii_lowercase();
        Some(Fence { indent: line.len() - rest.len(), marker, length, label })
    }

    fn closed_by(&self, line: &str) -> bool {
        let line = line.trim();
        line.len() >= self.length && line.chars().all(|c| c == self.marker)
    }

    /// A line of the block without the fence's own indentation, so that a block inside a list
    /// item comes out as it would stand alone.
    fn content<'a>(&self, line: &'a str) -> &'a str {
        let removable = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[removable.min(self.indent)..]
    }
}

/// Every fenced block, in order; a block left open runs to the end of the reply.
fn fenced_blocks(reply: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = reply.lines();
    while let Some(line) = lines.next() {
        let Some(fence) = Fence::opening(line) else { continue };
        let mut code = String::new();
        for line in lines.by_ref().take_while(|line| !fence.closed_by(line)) {
            code.push_str(fence.content(line));
            code.push('\n');
        }
        blocks.push(Block { label: fence.label, code });
    }
    blocks
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
        extract(reply, CodeFormat::Auto)
    }

    #[track_caller]
    fn found(reply: &str, code: &str, how: Found) {
        assert_eq!(auto(reply), Ok(Extracted { code: code.into(), found: how }), "{reply}");
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
    fn no_code_says_why() {
        assert_eq!(auto(" \n\t"), Err("it is empty".into()));
        assert!(auto("Sorry, I cannot do that.\nDone").unwrap_err().contains("prose"));
        assert!(auto("Sorry").unwrap_err().contains("prose"), "a bare word compiles, but is no program");
        assert!(auto("Run:\n```bash\nls\n```\n").unwrap_err().contains("bash"));
        assert!(
            auto(r#"{"error": {"code": 429, "message": "rate limited"}}"#).unwrap_err().contains("carries no code")
        );
        assert!(auto("```python\n\n```").unwrap_err().contains("empty"));
        assert!(extract("x = 1", CodeFormat::Json).unwrap_err().contains("not JSON"));
        assert!(extract("x = 1", CodeFormat::Markdown).unwrap_err().contains("no fenced"));
        assert_eq!(extract("Sorry", CodeFormat::Python).map(|e| e.found), Ok(Found::Python));
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
            prop_assert_eq!(auto(&reply), Ok(Extracted { code, found: Found::Markdown }));
        }

        #[test]
        fn python_that_compiles_is_never_read_as_markup(
            names in prop::collection::vec("[a-z]{1,8}", 1..5),
            text in "[ -~&&[^\\\\\"]]{0,40}",
        ) {
            let body: String = names.iter().map(|name| format!("    {name} = \"{text}\"\n")).collect();
            let code = format!("def main(moss):\n    \"\"\"\n```python\n<code>\n    \"\"\"\n{body}    return 1\n");
            prop_assert_eq!(auto(&code), Ok(Extracted { code: code.clone(), found: Found::Python }));
        }
    }
}
