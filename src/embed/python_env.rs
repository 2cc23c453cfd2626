//! Which Python a run uses, found as uv finds one: the active virtual environment, else the
//! Python the project's configuration names, else the nearest `.venv` at or above the MOSS file's
//! folder (`moss python`: the current folder), else the `python3` on `PATH`.
//!
//! Finding one reads files only (`pyvenv.cfg`, an installation's `lib/`, pyenv's version files);
//! an interpreter is run to ask about itself only when its files do not say.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Problem;
use crate::project::config::{Config, Origin, Sourced};

/// The CPython 3 minor versions this binary runs on, each tested.
pub const SUPPORTED: std::ops::RangeInclusive<u8> = 10..=13;

/// Why a Python was chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `VIRTUAL_ENV`: an activated virtual environment.
    VirtualEnv,
    /// `python = "..."` in this configuration file.
    Configured(PathBuf),
    /// The `.venv` folder in this folder, the nearest at or above the MOSS file's.
    ProjectVenv(PathBuf),
    /// The first `python3` on `PATH`.
    Path,
    /// The Python moss was built with: no `python3` on `PATH`, or one moss cannot run.
    Built,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::VirtualEnv => write!(f, "$VIRTUAL_ENV"),
            Rule::Configured(file) => write!(f, "python in {}", file.display()),
            Rule::ProjectVenv(folder) => write!(f, "the .venv in {}", folder.display()),
            Rule::Path => write!(f, "the first python3 on PATH"),
            Rule::Built => write!(f, "the Python moss was built with (no usable python3 on PATH)"),
        }
    }
}

impl Rule {
    /// The rule's name in `moss config --json`.
    pub fn key(&self) -> &'static str {
        match self {
            Rule::VirtualEnv => "VIRTUAL_ENV",
            Rule::Configured(_) => "config",
            Rule::ProjectVenv(_) => "project-venv",
            Rule::Path => "PATH",
            Rule::Built => "build",
        }
    }
}

/// The Python a run uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub rule: Rule,
    /// What the interpreter starts as: its installation and virtual environment are this one's.
    pub program: PathBuf,
    /// 11 for Python 3.11.
    pub minor: u8,
    /// The folder holding the installation's `libpython3.so` (or a link to `library` by that name).
    pub lib_dir: PathBuf,
    /// The installation's versioned library, `libpython3.11.so.1.0`: the one to load.
    pub library: PathBuf,
    /// The virtual environment it runs in, if it is one.
    pub venv: Option<PathBuf>,
}

impl Chosen {
    /// "3.12 /p/.venv/bin/python3": what must match between a warm server and its clients.
    pub fn describe(&self) -> String {
        format!("3.{} {}", self.minor, self.program.display())
    }

    /// The files whose change means the environment is another (recreated, or packages installed
    /// or removed): its `pyvenv.cfg` and site-packages folder.
    pub fn environment_files(&self) -> Vec<PathBuf> {
        let Some(venv) = &self.venv else { return Vec::new() };
        vec![venv.join("pyvenv.cfg"), venv.join(format!("lib/python3.{}/site-packages", self.minor))]
    }

    /// Whether its virtual environment is there to run (while one is made anew, it is not).
    pub fn environment_present(&self) -> bool {
        self.venv.as_ref().is_none_or(|venv| venv.join("pyvenv.cfg").is_file() && self.program.exists())
    }
}

/// The Python for runs of MOSS files in `folder` (a MOSS file's folder, or the current one), and
/// warnings about what was passed over.
pub fn choose(folder: &Path) -> (Result<Chosen, Problem>, Vec<Problem>) {
    let mut warnings = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()).map(PathBuf::from) {
        if venv.join("pyvenv.cfg").is_file() {
            return (environment(&venv, Rule::VirtualEnv), warnings);
        }
        warnings.push(Problem::hinted(
            format!("VIRTUAL_ENV is {}, which has no pyvenv.cfg; it is not used", venv.display()),
            "deactivate it, or point VIRTUAL_ENV at a virtual environment",
        ));
    }
    // A configuration moss cannot read is the command's to report; here it names no Python.
    match Config::from_folder(folder).map(|config| config.python()) {
        Ok(Ok(Some(Sourced { value, origin: Origin::File(file) }))) => {
            return (configured_python(&value, &file), warnings);
        }
        Ok(Err(bad)) => return (Err(Problem { message: bad.to_string(), hint: bad.hint() }), warnings),
        _ => {}
    }
    if let Some(venv) = nearest_venv(folder, &mut warnings) {
        let holder = venv.parent().map(Path::to_path_buf).unwrap_or_default();
        return (environment(&venv, Rule::ProjectVenv(holder)), warnings);
    }
    let built = || interpreter(Path::new(env!("MOSS_BUILD_PYTHON")), Rule::Built);
    let chosen = match python3_on_path().map(|python| interpreter(&python, Rule::Path)) {
        Some(Ok(chosen)) => Ok(chosen),
        // Nobody chose this one: it is passed over, where a Python named on purpose is an error.
        Some(Err(reason)) => {
            warnings.push(reason.after("the python3 on PATH is passed over"));
            built()
        }
        None => built(),
    };
    (chosen, warnings)
}

/// The nearest `.venv` holding a `pyvenv.cfg` at or above `folder`, as `uv run` and `uv python
/// find` look for one (a workspace member's runs use the workspace root's). A `.venv` that is no
/// environment is passed over with a warning: quietly running another Python would surprise.
fn nearest_venv(folder: &Path, warnings: &mut Vec<Problem>) -> Option<PathBuf> {
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    for venv in folder.ancestors().map(|dir| dir.join(".venv")) {
        if venv.join("pyvenv.cfg").is_file() {
            return Some(venv);
        }
        let Ok(entry) = venv.symlink_metadata() else { continue };
        let what = if entry.is_symlink() && !venv.exists() {
            format!("a link to {}, which is gone", std::fs::read_link(&venv).unwrap_or_default().display())
        } else {
            "not a virtual environment (it has no pyvenv.cfg)".to_owned()
        };
        warnings.push(Problem::hinted(
            format!("{} is {what}; it is passed over", venv.display()),
            format!("recreate it (`python3 -m venv {}` or `uv venv`), or remove it", venv.display()),
        ));
    }
    None
}

/// `python = "..."` of a configuration file: a virtual environment, an interpreter, or an
/// installation's folder.
fn configured_python(path: &Path, file: &Path) -> Result<Chosen, Problem> {
    let file = &std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let rule = Rule::Configured(file.to_path_buf());
    let bad = |what: &str| {
        let written = path.strip_prefix(file.parent().unwrap_or(Path::new(""))).unwrap_or(path);
        Problem::hinted(
            format!("python = {:?} in {}: {what}", written.display().to_string(), file.display()),
            "name a virtual environment's folder or a python3 interpreter, relative to that file",
        )
    };
    let chosen = if path.join("pyvenv.cfg").is_file() {
        environment(path, rule)
    } else if path.is_dir() {
        let python = path.join("bin/python3");
        if !python.is_file() {
            return Err(bad("a folder that is neither a virtual environment (no pyvenv.cfg) nor has bin/python3"));
        }
        interpreter(&python, rule)
    } else if path.is_file() {
        interpreter(path, rule)
    } else {
        return Err(bad("no such file or folder"));
    };
    chosen.map_err(|reason| reason.after(&format!("python in {}", file.display())))
}

/// The first `python3` on `PATH`.
fn python3_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("python3")).find(|python| is_executable(python))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A Python interpreter named by path: in a virtual environment, a pyenv shim, or installed.
fn interpreter(python: &Path, rule: Rule) -> Result<Chosen, Problem> {
    if let Some(venv) = python.parent().and_then(Path::parent).filter(|venv| venv.join("pyvenv.cfg").is_file()) {
        return environment(venv, rule);
    }
    let python = pyenv_shim_target(python).unwrap_or_else(|| python.to_path_buf());
    let found = installation(&python)?;
    Ok(Chosen {
        rule,
        program: found.executable,
        minor: found.minor,
        lib_dir: found.lib_dir,
        library: found.library,
        venv: None,
    })
}

/// A virtual environment: started as its own python, on its base installation's library.
fn environment(venv: &Path, rule: Rule) -> Result<Chosen, Problem> {
    let cfg_path = venv.join("pyvenv.cfg");
    let cfg = std::fs::read_to_string(&cfg_path)
        .map_err(|e| Problem::new(format!("cannot read {}: {e}", cfg_path.display())))?;
    let home = cfg
        .lines()
        .filter_map(|line| line.split_once('='))
        .find(|(key, _)| key.trim() == "home")
        .map(|(_, value)| PathBuf::from(value.trim()))
        .ok_or_else(|| Problem::new(format!("{} names no home (the Python it was made from)", cfg_path.display())))?;
    let base =
        ["python3", "python"].iter().map(|name| home.join(name)).find(|python| python.exists()).ok_or_else(|| {
            let gone = format!(
                "the virtual environment {} was made from a Python in {}, which is gone",
                venv.display(),
                home.display()
            );
            Problem::hinted(gone, "recreate the environment")
        })?;
    let found = installation(&base)?;
    let program = ["bin/python3", "bin/python"].iter().map(|name| venv.join(name)).find(|p| p.exists());
    Ok(Chosen {
        rule,
        program: program.unwrap_or(found.executable),
        minor: found.minor,
        lib_dir: found.lib_dir,
        library: found.library,
        venv: Some(venv.to_path_buf()),
    })
}

/// A pyenv shim's interpreter, as pyenv would choose it (`PYENV_VERSION`, a `.python-version`
/// at or above the current folder, the global version file), when that is an installed version:
/// running the shim to ask would cost more than the rest of moss's start.
fn pyenv_shim_target(python: &Path) -> Option<PathBuf> {
    let shims = python.parent().filter(|dir| dir.file_name().is_some_and(|name| name == "shims"))?;
    let root = shims.parent()?;
    let versions = root.join("versions");
    let chosen = std::env::var("PYENV_VERSION").ok().filter(|v| !v.trim().is_empty()).or_else(|| {
        let cwd = std::env::current_dir().ok()?;
        let file = cwd.ancestors().map(|dir| dir.join(".python-version")).find(|file| file.is_file());
        std::fs::read_to_string(file.unwrap_or_else(|| root.join("version"))).ok()
    })?;
    let name = chosen.split(|c: char| c == ':' || c.is_whitespace()).find(|name| !name.is_empty())?;
    let python = versions.join(name).join("bin/python3");
    python.is_file().then_some(python)
}

/// An installed CPython: where it is, its version, its shared library and the folder holding
/// `libpython3.so` for it.
struct Installation {
    executable: PathBuf,
    minor: u8,
    lib_dir: PathBuf,
    library: PathBuf,
}

/// What `python3.N`'s own installation says (`<prefix>/lib/libpython3.N.so.1.0` beside
/// `libpython3.so`), else what the interpreter says of itself.
fn installation(python: &Path) -> Result<Installation, Problem> {
    if let Ok(real) = std::fs::canonicalize(python) {
        let minor = real.file_name().and_then(|n| n.to_str()?.strip_prefix("python3.")?.parse::<u8>().ok());
        let lib_dir = real.parent().and_then(Path::parent).map(|prefix| prefix.join("lib"));
        if let (Some(minor), Some(lib_dir)) = (minor, lib_dir)
            && lib_dir.join("libpython3.so").is_file()
            && lib_dir.join(format!("libpython3.{minor}.so.1.0")).is_file()
        {
            let library = lib_dir.join(format!("libpython3.{minor}.so.1.0"));
            return supported(python, minor).map(|minor| Installation { executable: real, minor, lib_dir, library });
        }
    }
    ask(python)
}

/// Asks the interpreter (isolated, without site) for its kind, version and library folder.
fn ask(python: &Path) -> Result<Installation, Problem> {
    const SCRIPT: &str = "import sys, sysconfig\nv = sysconfig.get_config_var\n\
        print(sys.implementation.name, sys.version_info[0], sys.version_info[1], int(bool(v('Py_GIL_DISABLED'))), \
        int(bool(v('Py_ENABLE_SHARED'))))\nprint(sys.executable)\n\
        for name in ('LIBDIR', 'INSTSONAME', 'LDLIBRARY'): print(v(name) or '')";
    let output = Command::new(python)
        .args(["-I", "-S", "-c", SCRIPT])
        .output()
        .map_err(|e| Problem::new(format!("cannot run {}: {e}", python.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let facts: Vec<&str> = lines.first().map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let [name, major, minor, free_threaded, shared] = facts[..] else {
        return Err(Problem::new(format!(
            "{} did not run as a Python interpreter: {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    };
    let version = format!("{name} {major}.{minor}");
    let minor = match (name, major, minor.parse::<u8>()) {
        ("cpython", "3", Ok(minor)) => supported(python, minor)?,
        _ => return Err(unsupported(python, &version)),
    };
    if free_threaded == "1" {
        return Err(unsupported(python, &format!("{version}, a free-threaded build")));
    }
    let line = |n: usize| PathBuf::from(lines.get(n).copied().unwrap_or_default());
    let lib_dir = line(2);
    // INSTSONAME is the library the loader opens (libpython3.11.so.1.0); LDLIBRARY the name
    // programs link with, the same library.
    let library = [line(3), line(4)].into_iter().map(|name| lib_dir.join(name)).find(|library| library.is_file());
    let (Some(library), "1") = (library, shared) else {
        return Err(Problem::hinted(
            format!(
                "{} ({version}) has no shared library libpython3.{minor}.so in {}; moss loads it",
                python.display(),
                lib_dir.display()
            ),
            "use a Python built with --enable-shared (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)",
        ));
    };
    // Distributions ship the versioned library without libpython3.so.
    let lib_dir =
        if lib_dir.join("libpython3.so").is_file() { lib_dir } else { crate::embed::lib_link::folder_for(&library)? };
    Ok(Installation { executable: line(1), minor, lib_dir, library })
}

fn supported(python: &Path, minor: u8) -> Result<u8, Problem> {
    if SUPPORTED.contains(&minor) { Ok(minor) } else { Err(unsupported(python, &format!("CPython 3.{minor}"))) }
}

fn unsupported(python: &Path, what: &str) -> Problem {
    Problem::hinted(
        format!(
            "{} is {what}; moss runs CPython 3.{} to 3.{} (with the GIL)",
            python.display(),
            SUPPORTED.start(),
            SUPPORTED.end()
        ),
        "make a virtual environment with one of those, or name one with python = \"...\" under [tool.moss]",
    )
}
