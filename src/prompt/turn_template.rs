//! The layout of a turn prompt: text with `{placeholder}`s, the shipped one or a project's own
//! (`prompt-template` in `[tool.moss]`).
//!
//! `{name}` is a placeholder when `name` is a word (letters, digits, `_`); every other brace is
//! text, and `{{` / `}}` write a brace where a word follows. An optional part (the persona of a
//! file without `__ghost__`) must leave no hole: a line holding nothing but a placeholder whose
//! value is empty disappears, with the blank line after it.

use std::path::Path;

use crate::error::{MossError, Problem};

/// Every placeholder a template may use, in the order the docs list them.
pub const PLACEHOLDERS: [&str; 8] =
    ["persona", "instruction", "protocol", "target", "module", "fence", "last_run", "task"];

/// The layout `moss prompt --task` uses when the project names no template.
pub const DEFAULT: &str = "\
{persona}

{instruction}

# How to answer

{protocol}

# The module

{fence}python
{module}{fence}

# The last run

{last_run}

# Your task

{task}
";

#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Slot(&'static str),
}

#[derive(Debug)]
struct Line {
    pieces: Vec<Piece>,
    newline: bool,
}

#[derive(Debug)]
pub struct Template {
    lines: Vec<Line>,
}

impl Template {
    /// The shipped layout.
    pub fn shipped() -> Template {
        Template::parse(DEFAULT).expect("the shipped template uses known placeholders")
    }

    /// A project's template file; an unreadable file or an unknown placeholder is an error that
    /// names the file (and the line).
    pub fn read(path: &Path) -> Result<Template, MossError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            MossError::usage(Problem::hinted(
                format!("cannot read the prompt template {shown}: {}", crate::project::moss_file::io_reason(&e)),
                "fix `prompt-template` in the configuration (`moss config` shows where it is set); its path is \
                 relative to that file",
            ))
        })?;
        Template::parse(&text).map_err(|(line, name)| {
            MossError::usage(Problem::hinted(
                format!("the prompt template {shown}:{line} uses the unknown placeholder {{{name}}}"),
                format!(
                    "the placeholders are {}; write {{{{ and }}}} for a literal brace before or after a word",
                    PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ),
            ))
        })
    }

    /// The template's lines, or the 1-based line and the name of the first unknown placeholder.
    fn parse(text: &str) -> Result<Template, (usize, String)> {
        let lines = text
            .split_inclusive('\n')
            .enumerate()
            .map(|(index, line)| {
                let newline = line.ends_with('\n');
                let pieces = pieces(line.strip_suffix('\n').unwrap_or(line)).map_err(|name| (index + 1, name))?;
                Ok(Line { pieces, newline })
            })
            .collect::<Result<_, _>>()?;
        Ok(Template { lines })
    }

    /// The text with each placeholder replaced by its value.
    pub fn render(&self, value: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        let mut after_dropped = false;
        for line in &self.lines {
            let blank = line.pieces.iter().all(|piece| matches!(piece, Piece::Text(text) if text.trim().is_empty()));
            if std::mem::take(&mut after_dropped) && blank {
                continue;
            }
            let values: Vec<String> = line
                .pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => text.clone(),
                    Piece::Slot(name) => value(name),
                })
                .collect();
            let slots = line.pieces.iter().filter(|piece| matches!(piece, Piece::Slot(_))).count();
            if slots == 1 && values.iter().all(|value| value.trim().is_empty()) {
                after_dropped = true;
                continue;
            }
            out.extend(values);
            if line.newline {
                out.push('\n');
            }
        }
        out
    }
}

/// A line cut into text and placeholders, or the name of an unknown placeholder.
fn pieces(line: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(['{', '}']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("{{").or_else(|| rest.strip_prefix("}}")) {
            text.push_str(&rest[..1]);
            rest = after;
            continue;
        }
        let word_end = rest[1..].find(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(rest.len(), |end| end + 1);
        let word = &rest[1..word_end];
        if rest.starts_with('{') && !word.is_empty() && rest[word_end..].starts_with('}') {
            let slot = PLACEHOLDERS.iter().find(|known| **known == word).ok_or_else(|| word.to_owned())?;
            pieces.push(Piece::Text(std::mem::take(&mut text)));
            pieces.push(Piece::Slot(slot));
            rest = &rest[word_end + 1..];
        } else {
            text.push_str(&rest[..1]);
            rest = &rest[1..];
        }
    }
    text.push_str(rest);
    pieces.push(Piece::Text(text));
    pieces.retain(|piece| !matches!(piece, Piece::Text(text) if text.is_empty()));
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, values: &[(&str, &str)]) -> String {
        let value =
            |name: &str| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()).unwrap_or_default();
        Template::parse(template).unwrap().render(value)
    }

    #[test]
    fn placeholders_are_words_in_braces_and_other_braces_are_text() {
        let out = render("{task} {\"a\": {{task}}} { } {", &[("task", "T")]);
        assert_eq!(out, "T {\"a\": {task}} { } {");
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_its_line() {
        assert_eq!(Template::parse("ok\n{task}\nsee {tsak}\n").unwrap_err(), (3, "tsak".to_owned()));
    }

    #[test]
    fn a_line_of_an_empty_placeholder_goes_with_the_blank_line_after_it() {
        let template = "{persona}\n\n{instruction}\n\nRules.\n{task}\n";
        assert_eq!(render(template, &[("task", "T")]), "Rules.\nT\n");
        assert_eq!(render(template, &[("persona", "P"), ("task", "T")]), "P\n\nRules.\nT\n");
        assert_eq!(render("a {persona} b\n", &[]), "a  b\n", "only a line of the placeholder alone goes");
    }
}
