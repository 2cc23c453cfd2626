//! Loading the chosen Python's library. The loader gave this process a `libpython3.so` before
//! `main` ran: the one in `LD_LIBRARY_PATH`, else the build Python's (RUNPATH). When that is not
//! the chosen installation's library (another version, or another installation of the same
//! version, whose patch release may differ from its standard library's), moss runs itself again,
//! once, with that installation's library folder first in `LD_LIBRARY_PATH`; the run it starts
//! puts the variable back as it was, so that the programs the code starts see the user's
//! environment. The binary binds libpython's functions lazily (.cargo/config.toml), so even a
//! library too old to run (3.9, first in a user's `LD_LIBRARY_PATH`) gets moss this far.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::sync::OnceLock;

use crate::embed::libpython;
use crate::embed::python_env::{self, Chosen};
use crate::error::Problem;

/// Set in the run moss starts again: `=` and the original `LD_LIBRARY_PATH`, or empty if it was
/// unset. Its presence also says not to start again.
const MARKER: &str = "MOSS_PYTHON_LIBRARY_WAS";
const LIBRARY_PATH: &str = "LD_LIBRARY_PATH";

/// The chosen Python (or why there is none) and warnings about what was passed over.
type Choice = (Result<Chosen, Problem>, Vec<Problem>);

static CHOICE: OnceLock<Choice> = OnceLock::new();

/// Chooses the Python for runs of MOSS files in `folder` and makes sure its library is the one
/// loaded, running moss again if need be (then this never returns). Call at start-up, while the
/// process has a single thread.
pub fn prepare(folder: &Path) {
    CHOICE.get_or_init(|| {
        let relaunched = restore_library_path();
        let (chosen, warnings) = python_env::choose(folder);
        let chosen = chosen.and_then(|chosen| load(chosen, relaunched));
        if let Ok(chosen) = &chosen {
            enter_environment(chosen);
        }
        (chosen, warnings)
    });
}

/// Runs in the chosen virtual environment as `uv run` does when it is not the active one:
/// `VIRTUAL_ENV` names it and its `bin` comes first on `PATH`, so that the programs the code
/// starts by name (`python`, `pip`, `pytest`) are the environment's.
fn enter_environment(chosen: &Chosen) {
    let Some(venv) = chosen.venv.as_ref().filter(|_| chosen.rule != python_env::Rule::VirtualEnv) else { return };
    let bin = venv.join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut entries: Vec<_> = std::env::split_paths(&path).collect();
    if entries.first() != Some(&bin) {
        entries.insert(0, bin);
    }
    // SAFETY: called at start-up, while the process has a single thread.
    unsafe {
        std::env::set_var("VIRTUAL_ENV", venv);
        if let Ok(path) = std::env::join_paths(entries) {
            std::env::set_var("PATH", path);
        }
    }
}

/// The Python `prepare` chose (for the current folder if it was not called), or why none.
pub fn chosen() -> (Result<&'static Chosen, Problem>, &'static [Problem]) {
    let (chosen, warnings) = CHOICE.get_or_init(|| {
        let (chosen, warnings) = python_env::choose(Path::new("."));
        (chosen.and_then(|chosen| load(chosen, true)), warnings)
    });
    (chosen.as_ref().map_err(Clone::clone), warnings)
}

fn load(chosen: Chosen, relaunched: bool) -> Result<Chosen, Problem> {
    let (loaded, text) = libpython::loaded_version();
    let real = |path: &Path| std::fs::canonicalize(path).ok();
    let same_library = libpython::loaded_library().and_then(|path| real(&path)) == real(&chosen.library);
    // Another installation of the same version, moss started again already: it runs.
    if loaded == Some(chosen.minor) && (same_library || relaunched) {
        return Ok(chosen);
    }
    if relaunched {
        return Err(Problem::hinted(
            format!(
                "moss chose Python 3.{} ({}: {}) but loaded the library of Python {text} from {}",
                chosen.minor,
                chosen.rule,
                chosen.program.display(),
                std::env::var(LIBRARY_PATH).unwrap_or_default(),
            ),
            format!("check that {} holds libpython3.so of Python 3.{}", chosen.lib_dir.display(), chosen.minor),
        ));
    }
    let original = std::env::var_os(LIBRARY_PATH);
    let mut marker = OsString::new();
    let mut library_path = chosen.lib_dir.clone().into_os_string();
    if let Some(original) = &original {
        marker.push("=");
        marker.push(original);
        library_path.push(":");
        library_path.push(original);
    }
    let exe = std::env::current_exe()
        .map_err(|e| Problem::new(format!("cannot find the moss binary to run it again: {e}")))?;
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    command.arg0(args.next().unwrap_or_else(|| "moss".into())).args(args);
    let error = command.env(LIBRARY_PATH, library_path).env(MARKER, marker).exec();
    Err(Problem::new(format!("cannot run moss again on the library of Python 3.{}: {error}", chosen.minor)))
}

/// In a run moss started again: puts `LD_LIBRARY_PATH` back as the user had it. Whether this is
/// such a run.
fn restore_library_path() -> bool {
    let Some(marker) = std::env::var_os(MARKER) else { return false };
    let original = marker.as_bytes().strip_prefix(b"=").map(|bytes| OsString::from_vec(bytes.to_vec()));
    // SAFETY: called at start-up, while the process has a single thread.
    unsafe {
        std::env::remove_var(MARKER);
        match original {
            Some(value) => std::env::set_var(LIBRARY_PATH, value),
            None => std::env::remove_var(OsStr::new(LIBRARY_PATH)),
        }
    }
    true
}
