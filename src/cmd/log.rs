//! `moss log`: the run journal, as blocks a person reads or as one JSON array.

use std::io::Write;

use crate::cli::LogArgs;
use crate::cli::style;
use crate::error::{ContextError, MossError, Problem};
use crate::run::context_diff::ContextDiff;
use crate::run::journal::{self, RunRecord};
use crate::testsuite::replay::PinnedRun;

/// Lines of the code shown per run in plain output.
const CODE_LINES: usize = 6;

pub fn run(args: &LogArgs) -> Result<u8, MossError> {
    let context = match (&args.context, &args.file) {
        (Some(context), _) => context.clone(),
        (None, Some(file)) => {
            let file = std::path::absolute(file).map_err(|e| MossError::usage(e.to_string()))?;
            crate::project::config::Config::for_moss_file(&file)?.context_path(None, &file)?
        }
        (None, None) => {
            return Err(MossError::usage("name the journal: a MOSS file (FILE.py) or --context PATH"));
        }
    };
    let path = journal::path_beside(&context);
    let (records, skipped) =
        journal::read(&path).map_err(|e| ContextError::Unreadable { path: path.clone(), reason: e.to_string() })?;
    for note in &skipped {
        style::warning(note);
    }
    if let (Some(number), Some(file)) = (args.pin, &args.file) {
        let moss_file = std::path::absolute(file).map_err(|e| MossError::usage(e.to_string()))?;
        crate::project::context::check_belongs(&context, &moss_file)?;
        return pin(file, &path, &records, number);
    }
    let first = records.len().saturating_sub(args.last);
    let shown = &records[first..];
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(shown).expect("records serialise"));
    } else if records.is_empty() {
        style::note(&format!("no runs journaled in {}", path.display()));
    } else if shown.is_empty() {
        style::note(&format!("-n 0 shows none of the {} runs journaled in {}", records.len(), path.display()));
    } else {
        let blocks: Vec<String> = shown.iter().zip(first + 1..).map(|(record, number)| block(record, number)).collect();
        let _ = write!(out, "{}", blocks.join("\n"));
    }
    Ok(0)
}

/// One run: a headline, the error and its line, the first lines of the code, what changed.
/// `number` counts the journal's records from 1, oldest first, as `--pin` takes it.
fn block(record: &RunRecord, number: usize) -> String {
    let outcome = match &record.error {
        None => "ok".to_owned(),
        Some(error) => format!("{} (exit {})", error.kind, record.exit),
    };
    let mut text =
        format!("run {number}  {}  {outcome}  target {}  {:.0} ms\n", record.time, record.target, record.duration_ms);
    if let Some(error) = &record.error {
        let message = error.message.lines().next().unwrap_or_default();
        text.push_str(&format!("  error: {}: {message}\n", error.type_name));
        let file = error.file.as_deref().unwrap_or("?");
        match (error.line, &error.line_text) {
            (Some(line), Some(line_text)) => text.push_str(&format!("  at {file}:{line}: {}\n", line_text.trim())),
            (Some(line), None) => text.push_str(&format!("  at {file}:{line}\n")),
            (None, _) => {}
        }
    }
    if let Some(code) = &record.code {
        let source = record.code_source.as_deref().unwrap_or("?");
        text.push_str(&format!("  code ({source}):\n"));
        for line in code.lines().take(CODE_LINES) {
            text.push_str(&format!("    {line}\n"));
        }
        let more = code.lines().count().saturating_sub(CODE_LINES);
        if more > 0 {
            text.push_str(&format!("    … {more} more lines\n"));
        }
    }
    if let Some(repr) = record.returns_repr.as_deref().filter(|r| record.ok && *r != "None") {
        text.push_str(&format!("  returned: {repr}\n"));
    }
    if !record.context.is_empty() {
        text.push_str(&format!("  context: {}\n", changes(&record.context)));
    }
    for warning in &record.warnings {
        text.push_str(&format!("  warning: {}\n", warning.lines().next().unwrap_or_default()));
    }
    text
}

/// `+name = value`, `~name: before → after`, `-name (was value)`, separated by `; `.
fn changes(diff: &ContextDiff) -> String {
    let text = |value: &serde_json::Value| value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
    let added = diff.added.iter().map(|(name, value)| format!("+{name} = {}", text(value)));
    let changed = diff
        .changed
        .iter()
        .map(|(name, pair)| format!("~{name}: {} → {}", text(&pair["before"]), text(&pair["after"])));
    let removed = diff.removed.iter().map(|(name, value)| format!("-{name} (was {})", text(value)));
    added.chain(changed).chain(removed).collect::<Vec<_>>().join("; ")
}

/// Writes run `number` beside the MOSS file as a pinned case, `<stem>.pinned/<time>.json`.
fn pin(
    file: &std::path::Path,
    journal: &std::path::Path,
    records: &[RunRecord],
    number: usize,
) -> Result<u8, MossError> {
    let record = number.checked_sub(1).and_then(|index| records.get(index)).ok_or_else(|| {
        MossError::usage(Problem::hinted(
            format!("{} holds runs 1 to {}, not run {number}", journal.display(), records.len()),
            format!("`moss log {}` numbers the runs", file.display()),
        ))
    })?;
    let run =
        PinnedRun::of(record).map_err(|reason| MossError::usage(format!("run {number} cannot be pinned: {reason}")))?;
    let folder = crate::testsuite::replay::pinned_folder(file);
    let target = folder.join(format!("{}.json", record.time.replace(':', "-")));
    let mut text = serde_json::to_vec_pretty(&run).expect("a pinned run serialises");
    text.push(b'\n');
    let written = std::fs::create_dir_all(&folder).and_then(|_| {
        let mut temp = tempfile::NamedTempFile::new_in(&folder)?;
        temp.write_all(&text)?;
        temp.persist(&target).map(drop).map_err(|e| e.error)
    });
    written.map_err(|e| MossError::usage(format!("cannot write the pinned case {}: {e}", target.display())))?;
    style::note(&format!("pinned run {number} as {}; `moss test {}` runs it", target.display(), file.display()));
    Ok(0)
}
