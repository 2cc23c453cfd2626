//! `moss context`: read and edit a context file from the shell.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::cli::style;
use crate::error::{ContextError, MossError, Problem};
use crate::project::context::{self, ContextDoc, ContextFile};
use crate::run::error_info::ErrorInfo;

#[derive(Debug, Args)]
pub struct ContextArgs {
    #[command(subcommand)]
    pub action: ContextAction,
}

#[derive(Debug, Subcommand)]
pub enum ContextAction {
    /// Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)
    Show {
        #[command(flatten)]
        target: ContextTarget,
    },
    /// Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)
    Get {
        #[command(flatten)]
        target: ContextTarget,
    },
    /// Save one property: NAME then a JSON value (quote strings: '"text"')
    Set {
        #[command(flatten)]
        target: ContextTarget,
    },
    /// Remove one saved property; it falls back to its default
    Unset {
        #[command(flatten)]
        target: ContextTarget,
    },
    /// Remove every saved property and the last code; the run journal stays unless --journal
    Reset {
        #[command(flatten)]
        target: ContextTarget,
        /// Delete the run journal (`<stem>.runs.jsonl`) too
        #[arg(long)]
        journal: bool,
    },
    /// Print the context file's path
    Path {
        #[command(flatten)]
        target: ContextTarget,
    },
}

impl ContextAction {
    fn target(&self) -> &ContextTarget {
        match self {
            ContextAction::Show { target }
            | ContextAction::Get { target }
            | ContextAction::Set { target }
            | ContextAction::Unset { target }
            | ContextAction::Reset { target, .. }
            | ContextAction::Path { target } => target,
        }
    }
}

/// `FILE.py [NAME] [VALUE]` or `--context PATH [NAME] [VALUE]`: with --context, the first word is
/// already the NAME.
#[derive(Debug, Args)]
pub struct ContextTarget {
    /// The context file itself, instead of a MOSS file
    #[arg(long, value_name = "PATH")]
    pub context: Option<PathBuf>,

    /// FILE.py (unless --context is given), then NAME and JSON-VALUE where the action takes them
    #[arg(value_name = "FILE.py|NAME|JSON-VALUE", allow_negative_numbers = true)]
    pub words: Vec<String>,

    #[command(flatten)]
    pub output: crate::cli::groups::JsonOutput,
}

/// The context file named on the command line, and the MOSS file when it was named instead.
struct Resolved {
    path: PathBuf,
    moss_file: Option<PathBuf>,
    words: Vec<String>,
}

/// What an action did, as text for a person and as the document of --json.
struct Done {
    /// What goes to stdout without --json.
    text: String,
    /// A remark on stderr without --json (silenced by --quiet).
    note: Option<String>,
    json: Value,
}

impl Done {
    fn quiet(json: Value) -> Done {
        Done { text: String::new(), note: None, json }
    }
}

/// Runs the action; with --json its one document on stdout, a failure included
/// (`{"ok": false, "error": {...}}`, the error object of `moss exec --json`), which stderr tells
/// the person too.
pub fn run(action: &ContextAction) -> Result<u8, MossError> {
    let json = action.target().output.json;
    let (document, exit) = match perform(action) {
        Ok(done) if !json => {
            let _ = std::io::stdout().lock().write_all(done.text.as_bytes());
            if let Some(note) = &done.note {
                style::note(note);
            }
            return Ok(0);
        }
        Ok(done) => (done.json, 0),
        Err(e) if !json => return Err(e),
        Err(e) => {
            style::error(&e.to_string(), e.hint().as_deref());
            (json!({"ok": false, "error": ErrorInfo::from_moss_error(&e)}), e.exit_code())
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", serde_json::to_string_pretty(&document).expect("JSON serialises"));
    Ok(exit)
}

fn perform(action: &ContextAction) -> Result<Done, MossError> {
    match action {
        ContextAction::Path { target } => {
            let resolved = resolve(target, 0)?;
            let text = format!("{}\n", resolved.path.display());
            Ok(Done {
                text,
                note: None,
                json: json!({"ok": true, "path": resolved.path, "exists": resolved.path.is_file()}),
            })
        }
        ContextAction::Show { target } => {
            let resolved = resolve(target, 0)?;
            let doc = context::read(&resolved.path)?.unwrap_or_else(ContextDoc::empty);
            Ok(shown(&resolved.path, doc))
        }
        ContextAction::Get { target } => {
            let resolved = resolve(target, 1)?;
            let name = &resolved.words[0];
            let doc = context::read(&resolved.path)?.unwrap_or_else(ContextDoc::empty);
            let value = doc
                .properties
                .get(name)
                .ok_or_else(|| ContextError::NoProperty { path: resolved.path.clone(), name: name.clone() })?;
            let text = format!("{}\n", serde_json::to_string(value).expect("JSON serialises"));
            let json = json!({"ok": true, "path": resolved.path, "name": name, "value": value});
            Ok(Done { text, note: None, json })
        }
        ContextAction::Set { target } => set(target),
        ContextAction::Unset { target } => {
            let resolved = resolve(target, 1)?;
            let name = resolved.words[0].clone();
            let path = resolved.path.clone();
            let mut previous = None;
            edit(&resolved, |doc| match doc.properties.shift_remove(&name) {
                Some(value) => {
                    previous = Some(value);
                    Ok(())
                }
                None => Err(ContextError::NoProperty { path, name: name.clone() }),
            })?;
            Ok(Done::quiet(json!({"ok": true, "path": resolved.path, "name": name, "previous": previous})))
        }
        ContextAction::Reset { target, journal } => reset(target, *journal),
    }
}

fn set(target: &ContextTarget) -> Result<Done, MossError> {
    let resolved = resolve(target, 2)?;
    let name = property_name(&resolved.words[0])?;
    let inexact = |reason: String| {
        MossError::usage(Problem::hinted(
            format!("`{}` cannot be stored exactly: {reason}", resolved.words[1]),
            "give the number with the digits a float keeps, or exactly as a Decimal: \
             '{\"$moss\": \"Decimal\", \"value\": \"0.1000000000000000055\"}'",
        ))
    };
    let exact = exact_numbers(&resolved.words[1]).map_err(inexact)?;
    let value: Value = serde_json::from_str(&exact).map_err(|e| {
        MossError::usage(Problem::hinted(
            format!("`{}` is not a JSON value ({e})", resolved.words[1]),
            "quote JSON strings inside shell quotes: '\"text\"'",
        ))
    })?;
    let mut previous = None;
    edit(&resolved, |doc| {
        previous = doc.properties.insert(name.to_owned(), value.clone());
        Ok(())
    })?;
    Ok(Done::quiet(json!({"ok": true, "path": resolved.path, "name": name, "value": value, "previous": previous})))
}

fn reset(target: &ContextTarget, journal: bool) -> Result<Done, MossError> {
    let resolved = resolve(target, 0)?;
    let mut file = ContextFile::open(&resolved.path)?;
    // Another MOSS file's context (MOSS_CONTEXT naming it) is refused, as `set` refuses it,
    // before its journal or its properties are touched.
    if let Some(moss_file) = &resolved.moss_file {
        file.check_module(moss_file)?;
    }
    let mut journal_removed = None;
    if journal {
        let path = crate::run::journal::path_beside(&resolved.path);
        crate::run::journal::remove(&path).map_err(|reason| ContextError::Unwritable { path: path.clone(), reason })?;
        journal_removed = Some(path);
    }
    let removed: Vec<String> = file.doc.properties.keys().cloned().collect();
    if file.existed {
        file.doc.properties.clear();
        file.doc.last_code = None;
        if let Some(moss_file) = &resolved.moss_file {
            file.set_module(moss_file, None);
        }
        file.save()?;
    }
    Ok(Done::quiet(json!({"ok": true, "path": resolved.path, "removed": removed, "journal": journal_removed})))
}

/// Applies `change` under the lock and saves; a context of another MOSS file is refused.
fn edit(
    resolved: &Resolved,
    change: impl FnOnce(&mut ContextDoc) -> Result<(), ContextError>,
) -> Result<(), MossError> {
    let mut file = ContextFile::open(&resolved.path)?;
    if let Some(moss_file) = &resolved.moss_file {
        file.check_module(moss_file)?;
        if file.doc.module.is_none() {
            file.set_module(moss_file, None);
        }
    }
    change(&mut file.doc)?;
    file.save()?;
    Ok(())
}

fn shown(path: &Path, doc: ContextDoc) -> Done {
    let note = doc.properties.is_empty().then(|| format!("no saved properties in {}", path.display()));
    let text = doc
        .properties
        .iter()
        .map(|(name, value)| format!("{name} = {}\n", serde_json::to_string(value).expect("JSON serialises")))
        .collect();
    Done { text, note, json: Value::Object(doc.properties) }
}

fn resolve(target: &ContextTarget, wanted: usize) -> Result<Resolved, MossError> {
    let mut words = target.words.clone();
    let (path, moss_file) = match &target.context {
        Some(path) => (path.clone(), None),
        None if words.is_empty() => {
            return Err(MossError::usage("name the context: a MOSS file (FILE.py) or --context PATH"));
        }
        None => {
            let file = std::path::absolute(words.remove(0)).map_err(|e| MossError::usage(e.to_string()))?;
            (crate::project::config::Config::for_moss_file(&file)?.context_path(None, &file)?, Some(file))
        }
    };
    if words.len() != wanted {
        let expected = match wanted {
            0 => "no further arguments",
            1 => "a property NAME",
            _ => "a property NAME and a JSON-VALUE",
        };
        return Err(MossError::usage(format!(
            "expected {expected} after the context, got {}: {}",
            words.len(),
            if words.is_empty() { "nothing".into() } else { words.join(" ") }
        )));
    }
    Ok(Resolved { path, moss_file, words })
}

/// The JSON text with its numbers as Python reads them, exactly: an integer beyond 64 bits as the
/// tagged big int that `moss exec` stores (`{"$moss": "int", "value": "<digits>"}`), which a JSON
/// number would round to a float, and `-0` as the integer 0 (not the float -0.0). A number with
/// more digits than a float holds is refused, naming it and what it would have become.
fn exact_numbers(json: &str) -> Result<String, String> {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = json.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if in_string {
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
        } else if c == '-' || c.is_ascii_digit() {
            let mut end = start + c.len_utf8();
            while let Some(&(at, next)) =
                chars.peek().filter(|(_, next)| next.is_ascii_alphanumeric() || "+-.".contains(*next))
            {
                end = at + next.len_utf8();
                chars.next();
            }
            out.push_str(&exact_number(&json[start..end])?);
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    Ok(out)
}

/// One number of `exact_numbers`; text that is no JSON number is left for the JSON reader to refuse.
fn exact_number(token: &str) -> Result<String, String> {
    let digits = token.strip_prefix('-').unwrap_or(token);
    let integer = digits.bytes().all(|d| d.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    if integer && !digits.is_empty() {
        return Ok(match token {
            "-0" => "0".to_owned(),
            _ if token.parse::<i64>().is_err() && token.parse::<u64>().is_err() => {
                format!(r#"{{"$moss": "int", "value": "{token}"}}"#)
            }
            _ => token.to_owned(),
        });
    }
    let Ok(Value::Number(number)) = serde_json::from_str(token) else { return Ok(token.to_owned()) };
    let Some(float) = number.as_f64() else { return Ok(token.to_owned()) };
    match (decimal(token), decimal(&format!("{float:e}"))) {
        (Some(written), Some(kept)) if written != kept => {
            Err(format!("{token} has more digits than a float holds: it would be stored as {float:?}"))
        }
        _ => Ok(token.to_owned()),
    }
}

/// The value of a decimal number's text as its sign, significant digits and power of ten, so that
/// `0.10`, `1e-1` and `1.0E-1` compare equal.
fn decimal(text: &str) -> Option<(bool, String, i64)> {
    let negative = text.starts_with('-');
    let (mantissa, exponent) =
        text.trim_start_matches('-').split_once(['e', 'E']).unwrap_or((text.trim_start_matches('-'), "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut power = exponent.parse::<i64>().ok()?.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    let kept = significant.trim_end_matches('0');
    power = power.checked_add(i64::try_from(significant.len() - kept.len()).ok()?)?;
    Some(match kept.is_empty() {
        true => (negative, String::new(), 0),
        false => (negative, kept.to_owned(), power),
    })
}

/// Python's keywords: `moss.class` is a syntax error, so no code could read such a property.
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// What every `moss` has of its own: a stored value of that name would hide it from the code.
const MOSS_OWN: [&str; 3] = ["executing_code", "fetch", "pprint"];

fn property_name(name: &str) -> Result<&str, MossError> {
    let valid =
        name.chars().next().is_some_and(|c| c.is_alphabetic()) && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(MossError::usage(format!(
            "`{name}` is not a property name: it must be a Python identifier not starting with `_`"
        )));
    }
    if KEYWORDS.contains(&name) {
        return Err(MossError::usage(format!(
            "`{name}` is not a property name: it is a Python keyword, so code could not write `moss.{name}`"
        )));
    }
    if MOSS_OWN.contains(&name) {
        return Err(MossError::usage(format!(
            "`{name}` is not a property name: it is `moss.{name}`, which every run sets itself or uses; a stored \
             value would hide it"
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::exact_numbers;

    #[test]
    fn only_integers_beyond_64_bits_outside_strings_are_tagged() {
        let big = r#"{"$moss": "int", "value": "-18446744073709551617"}"#;
        assert_eq!(exact_numbers("-18446744073709551617").unwrap(), big);
        let within = "[18446744073709551615, -9223372036854775808]";
        assert_eq!(exact_numbers(within).unwrap(), within);
        let text = r#"{"a\"99999999999999999999": "99999999999999999999", "f": 1e99999999999999999999}"#;
        assert_eq!(exact_numbers(text).unwrap(), text, "strings, escapes and floats are left alone");
        let broken = "[-, --, 0099999999999999999999]";
        assert_eq!(exact_numbers(broken).unwrap(), broken);
    }

    #[test]
    fn minus_zero_is_the_integer_0_and_a_float_with_more_digits_than_it_keeps_is_refused() {
        assert_eq!(
            exact_numbers("[-0, -0.0, 0.10, 1E-1, 1.5e300, 5e-324]").unwrap(),
            "[0, -0.0, 0.10, 1E-1, 1.5e300, 5e-324]"
        );
        let refused = exact_numbers("[0.1000000000000000055511151231257827]").unwrap_err();
        assert_eq!(
            refused,
            "0.1000000000000000055511151231257827 has more digits than a float holds: it would be stored as 0.1"
        );
        assert!(exact_numbers("1e-400").unwrap_err().ends_with("it would be stored as 0.0"));
        assert!(exact_numbers("9007199254740993.0").is_err(), "2**53 + 1 has no float");
    }
}
