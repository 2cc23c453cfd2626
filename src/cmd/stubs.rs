//! `moss stubs [DIR]`: the packages moss ships, written out as their typed sources, so that
//! editors and type checkers resolve `import ghostos_moss` (and the rest) and check code against
//! exactly what runs.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::cli::style;
use crate::embed::interpreter::embedded;
use crate::error::{MossError, Problem};

/// Where the stubs go when no DIR is given: inside the project's `.moss` folder, which
/// `moss test` never searches and a `.gitignore` line keeps out of version control.
pub const DEFAULT_DIR: &str = ".moss/stubs";
/// The file that marks a folder as written by `moss stubs`, listing what it wrote, so a
/// re-run can remove what no longer exists and never touches a folder it did not write.
pub const MANIFEST: &str = ".moss-stubs.json";
/// The types of the functions the moss binary gives the shipped Python (`import _moss_native`).
const NATIVE_STUB: &str = include_str!("../python/_moss_native.pyi");
/// Put at the top of the host package's modules: the public packages import it, so it must be
/// there for imports to resolve, but its internals are not the user's to type-check.
const HOST_HEADER: &str = "# mypy: ignore-errors\n\
    # moss's private host package, written here because the public packages import it; not an API.\n";

/// Put at the top of a public package's private modules (`_driver.py`): the package's public
/// modules are typed for `mypy --strict`; what they build on is not the user's to type-check.
const PRIVATE_HEADER: &str = "# mypy: ignore-errors\n# a private module of its package, not an API.\n";

/// A module whose own name is private (`pkg/_driver.py`), not a package's `__init__.py`.
fn is_private(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    name.starts_with('_') && !name.starts_with("__")
}

#[derive(Debug, Args)]
#[command(
    about = "Write the packages moss ships as typed sources, for editors and type checkers",
    long_about = "Write the packages moss ships as typed sources, for editors and type checkers.\n\n\
        `ghostos_moss`, `ghostos_container`, the `ghostos` stand-ins and `sphero_bolt` live inside the \
        moss binary, so an editor or mypy does not find them. `moss stubs` writes their exact sources \
        (with `py.typed` markers), the private `_moss` package they import, and `_moss_native.pyi` \
        to DIR, then prints the pyproject.toml settings that point mypy and pyright at it. Run it \
        where pyproject.toml is; the printed paths are relative to the current folder.\n\n\
        Running it again rewrites the folder: files that moss no longer ships are removed. A folder \
        that is not empty and was not written by `moss stubs` (it has no .moss-stubs.json) is \
        refused, and nothing is written.",
    after_help = "Examples:\n  \
        moss stubs                  # writes .moss/stubs, prints the settings\n  \
        moss stubs typings/moss\n  \
        mypy agent.py               # with the printed settings in pyproject.toml",
    after_long_help = "Exit codes:\n  \
        0    the stubs were written\n  \
        2    DIR is not empty and is no stubs folder, or cannot be written"
)]
pub struct StubsArgs {
    /// The folder to write (made if missing; default: .moss/stubs)
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    /// The moss version that wrote the folder.
    moss: String,
    /// Every file written, relative to the folder, with `/` between components.
    files: BTreeSet<String>,
}

pub fn run(args: &StubsArgs) -> Result<u8, MossError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    let previous = previous_manifest(&dir)?;
    let files = shipped_files();
    let manifest =
        Manifest { moss: env!("CARGO_PKG_VERSION").into(), files: files.iter().map(|(p, _)| p.clone()).collect() };
    let unwritable = |path: &Path, e: std::io::Error| MossError::usage(format!("cannot write {}: {e}", path.display()));
    for (relative, text) in &files {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().expect("a file in the folder")).map_err(|e| unwritable(&path, e))?;
        fs::write(&path, text).map_err(|e| unwritable(&path, e))?;
    }
    for gone in previous.iter().flat_map(|old| old.files.difference(&manifest.files)) {
        remove_with_empty_folders(&dir, gone);
    }
    let text = serde_json::to_string_pretty(&manifest).expect("a manifest serialises") + "\n";
    fs::write(dir.join(MANIFEST), text).map_err(|e| unwritable(&dir.join(MANIFEST), e))?;

    style::note(&format!(
        "wrote {} files to {}; these pyproject.toml settings point mypy and pyright at them:",
        files.len(),
        dir.display()
    ));
    let quoted = toml::Value::String(dir.display().to_string()).to_string();
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "[tool.mypy]\nmypy_path = {quoted}\n\n[tool.pyright]\nextraPaths = [{quoted}]\n");
    Ok(0)
}

/// What moss ships, as (path relative to the folder, text): every embedded module's source,
/// the native module's stub, and a `py.typed` marker in each top-level package.
fn shipped_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut packages = BTreeSet::new();
    for module in embedded::MODULES {
        let relative = module.file.strip_prefix("<moss>/").unwrap_or(module.file).to_owned();
        if let Some((package, _)) = relative.split_once('/') {
            packages.insert(package.to_owned());
        }
        let text = match relative.starts_with("_moss/") {
            true => format!("{HOST_HEADER}{}", module.source),
            false if is_private(&relative) => format!("{PRIVATE_HEADER}{}", module.source),
            false => module.source.to_owned(),
        };
        files.push((relative, text));
    }
    files.push(("_moss_native.pyi".into(), NATIVE_STUB.into()));
    files.extend(packages.into_iter().map(|package| (format!("{package}/py.typed"), String::new())));
    files
}

/// The manifest of the previous `moss stubs` into `dir`; None for a folder that is missing or
/// empty; an error for any other folder, which is not ours to write into.
fn previous_manifest(dir: &Path) -> Result<Option<Manifest>, MossError> {
    let refuse = |why: String| {
        MossError::usage(Problem::hinted(
            format!(
                "{} {why}; moss stubs writes only into a new or empty folder, or one it wrote before",
                dir.display()
            ),
            format!("pass another DIR, or remove {} first", dir.display()),
        ))
    };
    let mut entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if dir.exists() && !dir.is_dir() => return Err(refuse(format!("is not a folder ({e})"))),
        Err(e) => return Err(refuse(format!("cannot be read ({e})"))),
    };
    if entries.next().is_none() {
        return Ok(None);
    }
    let text = fs::read(dir.join(MANIFEST))
        .map_err(|_| refuse(format!("is not empty and was not written by `moss stubs` (it has no {MANIFEST})")))?;
    serde_json::from_slice(&text).map(Some).map_err(|e| refuse(format!("has a {MANIFEST} that is not moss's ({e})")))
}

/// Removes a file written before, and the folders that removing it leaves empty. A listed path
/// that leads out of the folder is not one moss wrote, and is left alone.
fn remove_with_empty_folders(dir: &Path, relative: &str) {
    let inside = Path::new(relative).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    let path = dir.join(relative);
    if !inside || fs::remove_file(&path).is_err() {
        return;
    }
    let mut folder = path.parent();
    while let Some(current) = folder.filter(|f| *f != dir) {
        if fs::remove_dir(current).is_err() {
            break;
        }
        folder = current.parent();
    }
}
