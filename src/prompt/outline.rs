//! Where each class and function of a Python file is, found with rustpython-parser, and the
//! text the prompt shows for one of them: all of it, its signature, or its interface.
//!
//! Outlines are cached on disk by path, modification time and size, so a prompt that reflects
//! many names from a large library parses each file once, not once per run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::UNIX_EPOCH;

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outline {
    definitions: Vec<Definition>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Definition {
    qualname: String,
    is_class: bool,
    /// Byte offsets into the file: the first decorator's `@`, the `def`/`class` keyword, the
    /// first statement of the body, and the end.
    start: usize,
    header: usize,
    body: usize,
    end: usize,
    doc: Option<(usize, usize)>,
    decorators: Vec<(usize, usize)>,
    members: Vec<Member>,
}

/// What a class's interface lists, in source order.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Member {
    Definition(usize),
    /// A field (`name: type = value`), with the docstring under it.
    Field(usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Source,
    Signature,
    Interface,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "source" => Some(Mode::Source),
            "signature" => Some(Mode::Signature),
            "interface" => Some(Mode::Interface),
            _ => None,
        }
    }
}

impl Outline {
    pub fn parse(source: &str) -> Option<Outline> {
        let suite = ast::Suite::parse(source, "<moss>").ok()?;
        let mut outline = Outline { definitions: Vec::new() };
        outline.collect(source, &suite, "");
        Some(outline)
    }

    fn collect(&mut self, source: &str, body: &[Stmt], prefix: &str) -> Vec<Member> {
        let mut members = Vec::new();
        for (i, stmt) in body.iter().enumerate() {
            let (name, decorators, inner, is_class) = match stmt {
                Stmt::FunctionDef(f) => (f.name.as_str(), &f.decorator_list, &f.body, false),
                Stmt::AsyncFunctionDef(f) => (f.name.as_str(), &f.decorator_list, &f.body, false),
                Stmt::ClassDef(c) => (c.name.as_str(), &c.decorator_list, &c.body, true),
                Stmt::AnnAssign(_) | Stmt::Assign(_) => {
                    if public_field(stmt) {
                        let end = match body.get(i + 1) {
                            Some(next) if docstring_of(next).is_some() => next.end().to_usize(),
                            _ => stmt.end().to_usize(),
                        };
                        members.push(Member::Field(stmt.start().to_usize(), end));
                    }
                    continue;
                }
                _ => continue,
            };
            let qualname = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
            let decorator_ranges: Vec<(usize, usize)> =
                decorators.iter().map(|d| (d.start().to_usize(), d.end().to_usize())).collect();
            let start = decorator_ranges.first().map_or(stmt.start().to_usize(), |d| at_sign(source, d.0));
            let header = match decorator_ranges.last() {
                Some(&(_, last)) => keyword_after(source, last).unwrap_or(stmt.start().to_usize()),
                None => stmt.start().to_usize(),
            };
            let index = self.definitions.len();
            self.definitions.push(Definition {
                qualname: qualname.clone(),
                is_class,
                start,
                header: header.max(start),
                body: inner.first().map_or(stmt.end().to_usize(), |s| s.start().to_usize()),
                end: stmt.end().to_usize(),
                doc: inner.first().and_then(docstring_of),
                decorators: decorator_ranges,
                members: Vec::new(),
            });
            let nested_prefix = if is_class { qualname } else { format!("{qualname}.<locals>") };
            let nested = self.collect(source, inner, &nested_prefix);
            self.definitions[index].members = nested;
            if is_class || !name.starts_with('_') || matches!(name, "__init__" | "__call__") {
                members.push(Member::Definition(index));
            }
        }
        members
    }

    /// The definitions named `qualname`, in source order: several when `@overload` variants
    /// precede the implementation, which CPython binds last.
    fn find(&self, qualname: &str) -> Vec<&Definition> {
        self.definitions.iter().filter(|d| d.qualname == qualname).collect()
    }

    /// The text of the definition `qualname` in `mode`, shown under `name`; a function's
    /// `@overload` variants come first.
    pub fn render(&self, source: &str, qualname: &str, mode: Mode, name: &str, kept: &[String]) -> Option<String> {
        let found = self.find(qualname);
        let (def, variants) = found.split_last()?;
        let original = qualname.rsplit('.').next().unwrap_or(qualname);
        let mut parts: Vec<String> = variants
            .iter()
            .filter(|v| !v.is_class && mode != Mode::Source)
            .map(|v| dedent(&self.stub(source, v, kept), column(source, v.start)))
            .collect();
        let text = match mode {
            Mode::Source => source[line_start(source, def.start)..def.end].to_owned(),
            Mode::Signature | Mode::Interface => self.stub(source, def, kept),
        };
        parts.push(dedent(&text, column(source, def.start)));
        let text = parts.join("\n\n");
        Some(if name != original { rename_all(&text, original, name) } else { text })
    }

    /// Decorators that matter, the header, the docstring, then the interface of a class's members
    /// or `pass`.
    fn stub(&self, source: &str, def: &Definition, kept: &[String]) -> String {
        let indent = " ".repeat(column(source, def.start));
        let mut out = String::new();
        for &(from, to) in &def.decorators {
            let expr = &source[from..to];
            let callee = expr.split('(').next().unwrap_or(expr);
            let last = callee.rsplit('.').next().unwrap_or(callee).trim();
            if kept.iter().any(|k| k == last) {
                out.push_str(&format!("{indent}@{expr}\n"));
            }
        }
        out.push_str(&indent);
        out.push_str(header_text(&source[def.header..def.body]));
        out.push('\n');
        let body_indent = format!("{indent}    ");
        if let Some((from, to)) = def.doc {
            out.push_str(&body_indent);
            out.push_str(&reindent(&source[from..to], column(source, from), &body_indent));
            out.push('\n');
        }
        let mut listed = false;
        if def.is_class {
            for member in &def.members {
                match member {
                    Member::Definition(index) => {
                        let inner = &self.definitions[*index];
                        out.push_str(&self.stub(source, inner, kept));
                    }
                    Member::Field(from, to) => {
                        out.push_str(&source[line_start(source, *from)..*to]);
                        out.push('\n');
                    }
                }
                listed = true;
            }
        }
        if !listed {
            out.push_str(&body_indent);
            out.push_str("pass\n");
        }
        out
    }
}

/// A file's text and its outline.
pub type Parsed = (Arc<String>, Arc<Outline>);

/// The outline of `path`, from memory, the disk cache, or a fresh parse. `source` stands in for
/// files that exist only inside the binary. None when the parser cannot read the file.
pub fn outline_of(path: &str, source: Option<String>) -> Option<Parsed> {
    static MEMORY: OnceLock<Mutex<HashMap<String, Parsed>>> = OnceLock::new();
    let memory = MEMORY.get_or_init(Default::default);
    if let Some(hit) = memory.lock().unwrap().get(path) {
        return Some(hit.clone());
    }
    let (text, key) = match source {
        Some(text) => (text, None),
        None => {
            let meta = std::fs::metadata(path).ok()?;
            let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
            (std::fs::read_to_string(path).ok()?, Some(format!("{}:{mtime}:{}", env!("CARGO_PKG_VERSION"), meta.len())))
        }
    };
    // Offsets refer to this normalised text, so the prompt never mixes line endings.
    let text = text.replace("\r\n", "\n");
    let cache_file = key.as_ref().and_then(|_| cache_path(path));
    let cached = cache_file.as_ref().zip(key.as_ref()).and_then(|(file, key)| read_cache(file, key));
    let outline = match cached {
        Some(outline) => outline,
        None => {
            let outline = Outline::parse(&text)?;
            if let (Some(file), Some(key)) = (&cache_file, &key) {
                write_cache(file, key, &outline);
            }
            outline
        }
    };
    let entry = (Arc::new(text), Arc::new(outline));
    memory.lock().unwrap().insert(path.to_owned(), entry.clone());
    Some(entry)
}

#[derive(Serialize, Deserialize)]
struct CacheEntry {
    key: String,
    outline: Outline,
}

fn cache_path(path: &str) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
    let digest = hex::encode(Sha256::digest(path.as_bytes()));
    Some(base.join("moss").join("outlines").join(format!("{}.json", &digest[..32])))
}

fn read_cache(file: &Path, key: &str) -> Option<Outline> {
    let entry: CacheEntry = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    (entry.key == key).then_some(entry.outline)
}

/// Best effort: a cache that cannot be written only costs the next run a parse.
fn write_cache(file: &Path, key: &str, outline: &Outline) {
    let Some(folder) = file.parent() else { return };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let entry = CacheEntry { key: key.to_owned(), outline: outline.clone() };
    if let Ok(mut temp) = tempfile::NamedTempFile::new_in(folder)
        && serde_json::to_writer(&mut temp, &entry).is_ok()
    {
        let _ = temp.persist(file);
    }
}

fn docstring_of(stmt: &Stmt) -> Option<(usize, usize)> {
    match stmt {
        Stmt::Expr(ast::StmtExpr { value, .. }) => match value.as_ref() {
            Expr::Constant(ast::ExprConstant { value: Constant::Str(_), range, .. }) => {
                Some((range.start().to_usize(), range.end().to_usize()))
            }
            _ => None,
        },
        _ => None,
    }
}

fn public_field(stmt: &Stmt) -> bool {
    let public = |target: &Expr| matches!(target, Expr::Name(n) if !n.id.as_str().starts_with('_'));
    match stmt {
        Stmt::AnnAssign(a) => public(&a.target),
        Stmt::Assign(a) => a.targets.iter().all(public),
        _ => false,
    }
}

/// The header of a `def`/`class` up to its colon, without trailing comments or body.
fn header_text(slice: &str) -> &str {
    let mut trimmed = slice.trim_end();
    while let Some(last_line_start) = trimmed.rfind('\n').map(|i| i + 1) {
        if !trimmed[last_line_start..].trim_start().starts_with('#') {
            break;
        }
        trimmed = trimmed[..last_line_start].trim_end();
    }
    let last_line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
    let last_line = &trimmed[last_line_start..];
    match last_line.rfind(':') {
        Some(colon)
            if last_line[colon + 1..].trim().is_empty() || last_line[colon + 1..].trim_start().starts_with('#') =>
        {
            &trimmed[..last_line_start + colon + 1]
        }
        _ => trimmed,
    }
}

/// A docstring found at `from_column`, moved to start at `indent`.
fn reindent(text: &str, from_column: usize, indent: &str) -> String {
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push('\n');
        // Python indents with spaces and tabs only; other white space (a no-break space) is text,
        // and counting its bytes as columns would cut a character in two.
        let strip = line.len() - line.trim_start_matches([' ', '\t']).len();
        if line.trim().is_empty() {
            continue;
        }
        out.push_str(indent);
        out.push_str(&line[strip.min(from_column)..]);
    }
    out
}

fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn column(source: &str, offset: usize) -> usize {
    source[line_start(source, offset)..offset].chars().count()
}

/// The `@` of a decorator whose expression starts at `expr_start`.
fn at_sign(source: &str, expr_start: usize) -> usize {
    source[..expr_start].rfind('@').unwrap_or(expr_start)
}

/// The `def`, `async def` or `class` keyword following the decorators ending at `after`.
fn keyword_after(source: &str, after: usize) -> Option<usize> {
    let mut offset = after;
    for line in source[after..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if ["def ", "async ", "class "].iter().any(|k| trimmed.starts_with(k)) {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

fn dedent(text: &str, by: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.trim_end().split('\n') {
        let spaces = line.len() - line.trim_start_matches([' ', '\t']).len();
        out.push_str(&line[spaces.min(by)..]);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// Shows definitions under the name the code must use: `def add(` becomes `def plus(`, in every
/// top-level header (each `@overload` variant has one).
fn rename_all(text: &str, from: &str, to: &str) -> String {
    text.split('\n')
        .map(|line| {
            for keyword in ["def ", "async def ", "class "] {
                if let Some(rest) = line.strip_prefix(keyword).and_then(|r| r.strip_prefix(from))
                    && rest.starts_with(['(', ':', '['])
                {
                    return format!("{keyword}{to}{rest}");
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
import abc


@abc.abstractmethod
@functools.lru_cache(maxsize=2)
def add(a: int, b: int = 2) -> int:  # adds
    """Add two numbers."""
    return a + b


class Ball(abc.ABC):
    """A robot ball."""

    speed: int = 0
    """How fast it rolls."""

    _secret: int = 1

    def roll(self, heading: int,
             speed: int) -> "Ball":
        """Roll.

        Keep rolling.
        """
        do_it()
        return self

    def _hidden(self): pass

    class Inner:
        def deep(self): return 1
"#;

    fn render(qualname: &str, mode: Mode, name: &str) -> String {
        let outline = Outline::parse(SOURCE).unwrap();
        let kept = vec!["abstractmethod".to_owned()];
        outline.render(SOURCE, qualname, mode, name, &kept).unwrap()
    }

    #[test]
    fn signature_keeps_meaningful_decorators_and_docstring() {
        assert_eq!(
            render("add", Mode::Signature, "add"),
            "@abc.abstractmethod\ndef add(a: int, b: int = 2) -> int:\n    \"\"\"Add two numbers.\"\"\"\n    pass"
        );
    }

    #[test]
    fn alias_renames_the_definition() {
        assert!(render("add", Mode::Signature, "plus").contains("def plus(a: int"));
    }

    #[test]
    fn source_is_the_whole_definition() {
        let text = render("add", Mode::Source, "add");
        assert!(text.starts_with("@abc.abstractmethod\n@functools.lru_cache(maxsize=2)\ndef add"));
        assert!(text.ends_with("return a + b"));
    }

    #[test]
    fn method_signature_is_dedented_and_multiline_header_kept() {
        let text = render("Ball.roll", Mode::Signature, "roll");
        assert!(text.starts_with("def roll(self, heading: int,\n         speed: int) -> \"Ball\":"), "{text}");
        assert!(text.contains("    \"\"\"Roll.\n\n    Keep rolling.\n    \"\"\""), "{text}");
        assert!(text.ends_with("    pass"));
        assert!(!text.contains("do_it"));
    }

    #[test]
    fn interface_lists_fields_and_public_methods() {
        let text = render("Ball", Mode::Interface, "Ball");
        assert!(text.starts_with("class Ball(abc.ABC):\n    \"\"\"A robot ball.\"\"\""), "{text}");
        assert!(text.contains("    speed: int = 0\n    \"\"\"How fast it rolls.\"\"\""), "{text}");
        assert!(!text.contains("_secret") && !text.contains("_hidden"), "{text}");
        assert!(text.contains("    def roll(self"), "{text}");
        assert!(text.contains("    class Inner:\n        def deep(self):\n            pass"), "{text}");
    }

    #[test]
    fn overload_variants_precede_the_implementation() {
        let src = "from typing import overload\n\n@overload\ndef conv(x: int) -> int: ...\n@overload\ndef conv(x: str) -> str: ...\ndef conv(x):\n    \"\"\"Convert.\"\"\"\n    return x\n";
        let outline = Outline::parse(src).unwrap();
        let kept = vec!["overload".to_owned()];
        let text = outline.render(src, "conv", Mode::Signature, "convert", &kept).unwrap();
        assert_eq!(
            text,
            "@overload\ndef convert(x: int) -> int:\n    pass\n\n@overload\ndef convert(x: str) -> str:\n    pass\n\ndef convert(x):\n    \"\"\"Convert.\"\"\"\n    pass"
        );
    }

    #[test]
    fn comments_between_header_and_body_are_left_out() {
        let src = "def f(a):  # trailing\n    # a comment\n    \"\"\"Doc.\"\"\"\n    return a\n";
        let outline = Outline::parse(src).unwrap();
        assert_eq!(
            outline.render(src, "f", Mode::Signature, "f", &[]).unwrap(),
            "def f(a):\n    \"\"\"Doc.\"\"\"\n    pass"
        );
    }

    #[test]
    fn unparseable_source_gives_none() {
        assert!(Outline::parse("def broken(:\n").is_none());
    }
}
