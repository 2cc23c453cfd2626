//! The run journal: one JSON record per `moss exec`, success or failure, in `<stem>.runs.jsonl`
//! beside the context file, so that a failed run, which leaves the context untouched, still
//! leaves a trace a model or a person can read back (`moss log`).
//!
//! Appends happen under a sidecar lock (`<journal>.lock`), as one write of a whole line. A moss
//! killed in the middle of that write can leave a line without its newline; the next append cuts
//! it off before writing, and readers skip it. When the journal would grow past its bound, it is
//! rewritten atomically (temporary file, rename) without its oldest records; the newest record is
//! always kept.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::run::context_diff::ContextDiff;
use crate::run::error_info::ErrorInfo;
use crate::run::report::ExecResult;

/// Records kept when MOSS_JOURNAL_KEEP does not say.
const DEFAULT_KEEP: usize = 200;
/// The journal never grows past this many bytes (the newest record aside).
const MAX_BYTES: usize = 4 << 20;
/// Of stdout and of stderr, this many bytes are kept (the first and the last halves).
const MAX_OUTPUT: usize = 4096;
/// A return value is journaled as JSON up to this many bytes of it, and its repr and an error's
/// message are cut to as many.
const MAX_RETURN: usize = 4096;
/// Of the code, this many bytes are kept.
const MAX_CODE: usize = 64 << 10;
/// The properties a run started from are journaled (for `moss test --replay`) up to this many
/// bytes of JSON; beyond it the record holds none, rather than a part that would replay wrong.
const MAX_START: usize = 64 << 10;
/// Of the run's warnings, this many are kept, each cut to `MAX_WARNING` bytes.
const MAX_WARNINGS: usize = 20;
const MAX_WARNING: usize = 500;
/// How long an append waits for another one before giving up with a warning.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// One run, as the journal keeps it.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunRecord {
    /// When the run ended, RFC 3339 in UTC.
    pub time: String,
    /// The code as it was read, or null when none was (e.g. an unreadable `--code` file).
    pub code: Option<String>,
    /// Where the code came from: the `--code` file, or `<stdin>`.
    pub code_source: Option<String>,
    /// How the code was found in the reply (`python`, `markdown`, `code-tags`, `json`).
    #[serde(default)]
    pub code_format: Option<crate::prompt::reply::Found>,
    pub target: String,
    /// The `--arg` names passed to the target, in call order; empty when `moss` was passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The context's properties when the run started, as stored; null when they were larger than
    /// 64 KiB, or the record was written before moss journaled them.
    #[serde(default)]
    pub start: Option<Map<String, Value>>,
    pub ok: bool,
    /// The exit status of `moss exec`.
    pub exit: u8,
    pub returns: Value,
    pub returns_repr: Option<String>,
    pub stdout: String,
    pub stderr: String,
    pub error: Option<RunError>,
    pub context: ContextDiff,
    pub duration_ms: f64,
    /// The `--device` spec the run was given (or the configuration's), as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// What the run warned of: values not kept, processes left running (at most 20, each cut to
    /// 500 bytes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What a run was asked to do, besides what its result holds.
pub struct RunFacts<'a> {
    /// The MOSS file, as an absolute path.
    pub moss_file: &'a Path,
    pub target: &'a str,
    pub args: &'a [String],
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RunError {
    pub kind: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u64>,
    /// The text of `line`, for a line of the code or a visible line of the MOSS file only: what
    /// the model never reads is never journaled.
    pub line_text: Option<String>,
}

impl RunError {
    /// Whether the error is the operator's to fix, not the code's: the MOSS file, its context or
    /// the device failed, or the model's API answered with an error (exits 4 and 5), the command
    /// line was wrong, or moss itself failed; none of the code ran.
    pub fn is_operators(&self) -> bool {
        matches!(self.kind.as_str(), "module" | "context" | "device" | "api-error" | "usage" | "internal")
    }
}

/// The journal of a run with this context, unless the context is something other than a regular
/// file (a folder, a device, a pipe): that run is refused, and nothing is made beside it.
pub fn for_run(context: &Path) -> Option<PathBuf> {
    let is_special = fs::metadata(context).is_ok_and(|meta| !meta.is_file());
    (!is_special).then(|| path_beside(context))
}

/// The journal beside a context file: `.context.json` (or the last extension) becomes
/// `.runs.jsonl`. A symbolic link is followed, so the journal sits beside the file it leads to.
pub fn path_beside(context: &Path) -> PathBuf {
    let context = crate::project::context::link_target(context);
    let name = context.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = name
        .strip_suffix(".context.json")
        .or_else(|| name.rsplit_once('.').map(|(stem, _)| stem).filter(|stem| !stem.is_empty()))
        .unwrap_or(&name);
    context.with_file_name(format!("{stem}.runs.jsonl"))
}

/// Journals a finished run; a journal that cannot be written becomes a warning, never a failure.
pub fn record(result: &mut ExecResult, exit: u8, facts: &RunFacts) {
    let Some(path) = result.journal.clone() else { return };
    let record = RunRecord::of(result, exit, facts);
    if let Err(reason) = append(&path, &record) {
        result.warnings.push(format!("the run was not journaled in {}: {reason}", path.display()));
    }
}

impl RunRecord {
    fn of(result: &ExecResult, exit: u8, facts: &RunFacts) -> Self {
        let (code, code_source) = match &result.code {
            Some((code, source)) => (Some(cut(code, MAX_CODE, false)), Some(source.clone())),
            None => (None, None),
        };
        RunRecord {
            time: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            error: result.error.as_ref().map(|e| RunError::of(e, result.code.as_ref(), facts.moss_file)),
            code,
            code_source,
            code_format: result.code_format,
            target: facts.target.to_owned(),
            args: facts.args.to_vec(),
            start: result
                .start
                .clone()
                .filter(|start| serde_json::to_string(start).is_ok_and(|text| text.len() <= MAX_START)),
            ok: result.ok,
            exit,
            returns: Some(&result.returns)
                .filter(|returns| serde_json::to_string(returns).is_ok_and(|text| text.len() <= MAX_RETURN))
                .cloned()
                .unwrap_or(Value::Null),
            returns_repr: result.returns_repr.as_deref().map(|repr| cut(repr, MAX_RETURN, true)),
            stdout: cut(&result.stdout, MAX_OUTPUT, true),
            stderr: cut(&result.stderr, MAX_OUTPUT, true),
            context: result.context.diff.clone(),
            duration_ms: result.duration_ms,
            device: result.device_spec.clone(),
            warnings: result
                .warnings
                .iter()
                .filter(|w| !result.file_warnings.contains(w))
                .take(MAX_WARNINGS)
                .map(|w| cut(w, MAX_WARNING, false))
                .collect(),
        }
    }
}

impl RunError {
    fn of(error: &ErrorInfo, code: Option<&(String, String)>, moss_file: &Path) -> Self {
        let (file, text) = match (&error.file, code) {
            (Some(file), Some((code, source))) if source == file => (Some(file.clone()), Some(code.clone())),
            (Some(file), _) => {
                let folder = moss_file.parent().unwrap_or(Path::new(""));
                let is_moss_file = Path::new(file) == moss_file;
                (Some(shown_path(Path::new(file), folder)), is_moss_file.then(|| visible_source(moss_file)).flatten())
            }
            (None, _) => (None, None),
        };
        let line_text = error.line.zip(text).and_then(|(line, text)| {
            text.lines()
                .nth(usize::try_from(line).ok()?.checked_sub(1)?)
                .filter(|t| !t.trim().is_empty())
                .map(str::to_owned)
        });
        RunError {
            kind: error.kind.as_str().to_owned(),
            type_name: error.type_name.clone(),
            message: cut(&error.message, MAX_RETURN, true),
            file,
            line: error.line,
            line_text,
        }
    }
}

/// The MOSS file's source with every line the model never reads blanked, so that a line of it
/// is journaled only when the model may read it.
fn visible_source(moss_file: &Path) -> Option<String> {
    let source = fs::read_to_string(moss_file).ok()?;
    let hidden = crate::prompt::hidden::hidden_lines(&source);
    let lines = crate::prompt::hidden::lines(&source).enumerate();
    let lines =
        lines.map(|(index, line)| if hidden.contains(&(index + 1)) { "" } else { line.trim_end_matches(['\r', '\n']) });
    Some(lines.collect::<Vec<_>>().join("\n"))
}

/// A file as the journal names it: relative to the MOSS file's folder when under it, else its
/// name alone; never the machine's absolute path.
fn shown_path(file: &Path, folder: &Path) -> String {
    match file.strip_prefix(folder) {
        Ok(relative) if file.is_absolute() => relative.display().to_string(),
        _ if !file.is_absolute() => file.display().to_string(),
        _ => file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default(),
    }
}

/// At most `limit` bytes of `text`: its start, or with `both_ends` its first and last halves,
/// with a note of how much was cut between them.
pub fn cut(text: &str, limit: usize, both_ends: bool) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let boundary_at_or_before = |mut at: usize| {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let head_end = boundary_at_or_before(if both_ends { limit / 2 } else { limit });
    let tail_start = if both_ends { boundary_at_or_before(text.len() - limit / 2) } else { text.len() };
    let dropped = bytes_standing_for(&text[head_end..tail_start]);
    format!("{}\n[… {dropped} bytes cut …]\n{}", &text[..head_end], &text[tail_start..])
}

/// How many bytes of the run's output a cut-out part of a text stands for: its own length, where a
/// note of an earlier cut in it (the journal's, or `--max-output`'s) counts as the bytes it says
/// were cut, so that output cut twice tells how much of it is missing.
fn bytes_standing_for(part: &str) -> usize {
    const NOTES: [(&str, &str, &str); 2] =
        [("\n[… ", " bytes cut …]\n", ""), ("\n[moss: ", " bytes of output dropped here", "]\n")];
    let mut total = part.len();
    for (opening, counted, closing) in NOTES {
        for (at, _) in part.match_indices(opening) {
            let rest = &part[at + opening.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let Some(after) = rest[digits..].strip_prefix(counted) else { continue };
            let (Ok(said), Some(end)) = (rest[..digits].parse::<usize>(), after.find(closing)) else { continue };
            let note = opening.len() + digits + counted.len() + end + closing.len();
            total = total + said - note;
        }
    }
    total
}

/// How many records to keep: MOSS_JOURNAL_KEEP, or the default when it is unset or empty.
fn keep() -> Result<usize, String> {
    match std::env::var("MOSS_JOURNAL_KEEP") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("MOSS_JOURNAL_KEEP=`{text}` is not a positive number of records")),
        _ => Ok(DEFAULT_KEEP),
    }
}

/// Appends one record as one whole line, under the journal's lock.
pub fn append(path: &Path, record: &RunRecord) -> Result<(), String> {
    let keep = keep()?;
    let line = crate::json_lines::encode(record).expect("a run record serialises");
    append_within(path, &line, keep, MAX_BYTES)
}

/// Appends `line`. When the journal would hold more than `keep` lines or `max_bytes` bytes, the
/// oldest lines are dropped down to three quarters of both bounds first: the rewrite that drops
/// them (a copy of the journal and an fsync) then comes once every quarter of the bound, not at
/// every run of a full journal. `line` itself is always written.
fn append_within(path: &Path, line: &[u8], keep: usize, max_bytes: usize) -> Result<(), String> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    let _lock = lock(path)?;
    let mut file = OpenOptions::new().create(true).read(true).append(true).open(path).map_err(|e| e.to_string())?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).map_err(|e| e.to_string())?;
    let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
    let mut lines: Vec<&[u8]> = text[..whole].split_inclusive(|&b| b == b'\n').collect();
    let mut bytes = whole;
    let mut dropped = 0;
    if lines.len() + 1 > keep || bytes + line.len() > max_bytes {
        let (keep, max_bytes) = (keep * 3 / 4, max_bytes * 3 / 4);
        while dropped < lines.len() && (lines.len() - dropped + 1 > keep || bytes + line.len() > max_bytes) {
            bytes -= lines[dropped].len();
            dropped += 1;
        }
    }
    if dropped == 0 {
        // A line cut short by a killed append is removed before the next one is written.
        if whole < text.len() {
            file.set_len(whole as u64).map_err(|e| e.to_string())?;
        }
        return file.write_all(line).map_err(|e| e.to_string());
    }
    lines.drain(..dropped);
    let mut temp =
        tempfile::Builder::new().prefix(".moss-runs-").suffix(".tmp").tempfile_in(folder).map_err(|e| e.to_string())?;
    for kept in lines.iter().chain([&line]) {
        temp.write_all(kept).map_err(|e| e.to_string())?;
    }
    temp.as_file().sync_all().map_err(|e| e.to_string())?;
    temp.persist(path).map_err(|e| e.error.to_string())?;
    Ok(())
}

/// The journal's lock, the same kind of sidecar lock as the context's.
fn lock(path: &Path) -> Result<File, String> {
    crate::project::context::lock_beside(path, LOCK_WAIT)
        .map_err(|e| format!("{}.lock: {e}", path.display()))?
        .ok_or_else(|| format!("another run held its lock for {} s", LOCK_WAIT.as_secs()))
}

/// The journal's records, oldest first. A last line without its newline is an append still
/// being written, or cut short by a kill, and is skipped; so is any line that is not a record,
/// with a note of where.
pub fn read(path: &Path) -> Result<(Vec<RunRecord>, Vec<String>), std::io::Error> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for (index, line) in text[..whole].split(|&b| b == b'\n').enumerate().filter(|(_, l)| !l.is_empty()) {
        match serde_json::from_slice(line) {
            Ok(record) => records.push(record),
            Err(e) => skipped.push(format!("{}:{}: not a run record ({e}); skipped", path.display(), index + 1)),
        }
    }
    Ok((records, skipped))
}

/// Removes the journal, under its lock so no append is cut in two.
pub fn remove(path: &Path) -> Result<(), String> {
    if !path.exists() {
        return Ok(());
    }
    let _lock = lock(path)?;
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_sits_beside_the_context_under_its_stem() {
        assert_eq!(path_beside(Path::new("/p/.moss/a.context.json")), Path::new("/p/.moss/a.runs.jsonl"));
        assert_eq!(path_beside(Path::new("state.json")), Path::new("state.runs.jsonl"));
        assert_eq!(path_beside(Path::new("/p/state")), Path::new("/p/state.runs.jsonl"));
    }

    #[test]
    fn the_oldest_lines_are_dropped_to_stay_within_the_bounds_never_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.runs.jsonl");
        for n in 0..6 {
            append_within(&path, format!("{n}\n").as_bytes(), 4, 100).unwrap();
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "2\n3\n4\n5\n", "at most 4 lines, cut to 3 at the 5th");
        append_within(&path, b"12345\n", 4, 12).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "5\n12345\n", "cut to 3/4 of both bounds: 9 bytes");
        append_within(&path, b"12345678\n", 4, 12).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "12345678\n", "at most 12 bytes, cut to 9");
        let long = format!("{}\n", "x".repeat(19));
        append_within(&path, long.as_bytes(), 4, 12).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), long, "the newest line stays, alone, whatever its size");
    }

    #[test]
    fn a_file_is_named_relative_to_the_moss_files_folder_never_absolutely() {
        let folder = Path::new("/p/agents");
        assert_eq!(shown_path(Path::new("/p/agents/bot.py"), folder), "bot.py");
        assert_eq!(shown_path(Path::new("/p/agents/lib/util.py"), folder), "lib/util.py");
        assert_eq!(shown_path(Path::new("/usr/lib/python3/json/decoder.py"), folder), "decoder.py");
        assert_eq!(shown_path(Path::new("gen.py"), folder), "gen.py");
    }

    #[test]
    fn cut_keeps_both_ends_on_character_boundaries() {
        let text = "é".repeat(3000);
        let kept = cut(&text, 101, true);
        assert!(kept.starts_with("éé") && kept.ends_with("éé") && kept.contains("bytes cut"));
        assert_eq!(cut("short", 10, true), "short");
    }

    #[test]
    fn output_cut_twice_tells_how_much_is_missing_in_all() {
        let output = "x".repeat(10_000);
        let journaled = cut(&output, 4096, true);
        assert!(journaled.contains("[… 5904 bytes cut …]"), "{journaled}");
        assert!(cut(&journaled, 1500, true).contains("[… 8500 bytes cut …]"));
        let capped = format!(
            "{}\n[moss: 9000 bytes of output dropped here; --max-output keeps the first and last 500 bytes]\n{}",
            "a".repeat(500),
            "b".repeat(500)
        );
        let note = capped.len() - 1000;
        assert!(cut(&capped, 100, true).contains(&format!("[… {} bytes cut …]", capped.len() - 100 - note + 9000)));
    }
}
