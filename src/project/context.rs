//! The PyContext file: what `moss` keeps between runs, as versioned JSON.
//!
//! The file is only ever replaced whole (write a temporary file beside it, fsync, rename), so no
//! reader sees half a file and a crash at any moment leaves the old or the new version. A sidecar
//! `<file>.lock`, held with an OS file lock for the whole read-modify-write, makes concurrent runs
//! queue instead of losing updates; the OS drops the lock when its holder dies, so a killed run
//! never leaves a stale lock behind.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ContextError;

pub const FORMAT: &str = "moss-context";
pub const VERSION: u64 = 1;

/// How long to wait for another run's lock when MOSS_LOCK_WAIT does not say.
const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContextDoc {
    pub format: String,
    pub version: u64,
    /// The MOSS file this context belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<ModuleRef>,
    /// Properties of `moss`, by name: JSON values, or tagged objects (see docs/context-format.md).
    #[serde(default)]
    pub properties: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_code: Option<LastCode>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleRef {
    /// The MOSS file, relative to the context file's folder where possible.
    pub file: PathBuf,
    /// The name the compiled module had, which stored classes defined in the file refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastCode {
    pub file: String,
    pub target: String,
    pub code: String,
    pub executed_at: String,
}

impl ContextDoc {
    pub fn empty() -> Self {
        ContextDoc { format: FORMAT.into(), version: VERSION, module: None, properties: Map::new(), last_code: None }
    }

    /// Refuses this context, read from `path`, when it is recorded for another MOSS file.
    pub fn check_module(&self, path: &Path, moss_file: &Path) -> Result<(), ContextError> {
        let Some(module) = &self.module else { return Ok(()) };
        let path = link_target(path);
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let recorded = folder.join(&module.file);
        if same_file(&recorded, moss_file) {
            Ok(())
        } else {
            Err(ContextError::OtherModule { path, recorded, current: moss_file.into() })
        }
    }
}

/// The default context of a MOSS file: `.moss/<stem>.context.json` in the file's folder.
pub fn default_path(moss_file: &Path) -> PathBuf {
    let stem = moss_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "moss".into());
    moss_file.parent().unwrap_or(Path::new(".")).join(".moss").join(format!("{stem}.context.json"))
}

/// An open context: its content as loaded, and the lock that keeps other writers out until drop.
pub struct ContextFile {
    pub path: PathBuf,
    pub doc: ContextDoc,
    pub existed: bool,
    _lock: File,
}

impl ContextFile {
    /// Takes the lock (waiting up to MOSS_LOCK_WAIT seconds), then reads and validates the file.
    /// A symbolic link is followed to its target, which is locked, read and replaced instead.
    pub fn open(path: &Path) -> Result<Self, ContextError> {
        let path = &link_target(path);
        refuse_special(path)?;
        let lock = acquire_lock(path)?;
        let (doc, existed) = match fs::read(path) {
            Ok(bytes) => (parse(path, &bytes)?, true),
            Err(e) if e.kind() == ErrorKind::NotFound => (ContextDoc::empty(), false),
            Err(e) => return Err(ContextError::Unreadable { path: path.into(), reason: e.to_string() }),
        };
        Ok(ContextFile { path: path.into(), doc, existed, _lock: lock })
    }

    /// Refuses a context recorded for another MOSS file.
    pub fn check_module(&self, moss_file: &Path) -> Result<(), ContextError> {
        self.doc.check_module(&self.path, moss_file)
    }

    /// Records `moss_file` as this context's MOSS file.
    pub fn set_module(&mut self, moss_file: &Path, module_name: Option<&str>) {
        let folder = self.folder().canonicalize().unwrap_or_else(|_| self.folder());
        let file = pathdiff::diff_paths(moss_file, &folder).unwrap_or_else(|| moss_file.into());
        let name = module_name.map(str::to_owned).or_else(|| self.doc.module.take().and_then(|m| m.name));
        self.doc.module = Some(ModuleRef { file, name });
    }

    fn folder(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.into(),
            _ => PathBuf::from("."),
        }
    }

    /// Replaces the file with the current content, atomically.
    pub fn save(&mut self) -> Result<(), ContextError> {
        let unwritable =
            |e: std::io::Error| ContextError::Unwritable { path: self.path.clone(), reason: e.to_string() };
        let folder = self.folder();
        fs::create_dir_all(&folder).map_err(unwritable)?;
        let mut text = serde_json::to_vec_pretty(&self.doc).expect("a context always serialises");
        text.push(b'\n');
        let mut temp = tempfile::Builder::new()
            .prefix(".moss-context-")
            .suffix(".tmp")
            .tempfile_in(&folder)
            .map_err(unwritable)?;
        temp.write_all(&text).map_err(unwritable)?;
        if let Ok(meta) = fs::metadata(&self.path) {
            temp.as_file().set_permissions(meta.permissions()).map_err(unwritable)?;
        }
        temp.as_file().sync_all().map_err(unwritable)?;
        temp.persist(&self.path).map_err(|e| unwritable(e.error))?;
        // The rename is durable only once the folder's entry is on disk.
        if let Ok(dir) = File::open(&folder) {
            let _ = dir.sync_all();
        }
        self.existed = true;
        Ok(())
    }
}

/// The file a context path leads to: symbolic links in its last component are followed, also
/// to a target that does not exist yet. Replacing the path itself would turn a link into a
/// regular file, leaving its target stale and the two names locked apart.
pub fn link_target(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // As many links as the system follows in one path (Linux's MAXSYMLINKS); a longer chain is a
    // loop, and opening it reports the system's error.
    for _ in 0..40 {
        match fs::read_link(&path) {
            Ok(target) => path = path.parent().unwrap_or(Path::new("")).join(target),
            Err(_) => break,
        }
    }
    path
}

/// Whether the context at `path` exists and is recorded for `moss_file`.
pub fn belongs_to(path: &Path, moss_file: &Path) -> bool {
    let path = link_target(path);
    let folder = path.parent().unwrap_or(Path::new("."));
    let recorded = read(&path).ok().flatten().and_then(|doc| doc.module).map(|module| folder.join(module.file));
    recorded.is_some_and(|recorded| same_file(&recorded, moss_file))
}

/// Whether two paths name one file; compared as written when either does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Refuses the context at `path` when it is recorded for another MOSS file: its journal's runs are
/// that file's. A context not yet written, or one that records no file, belongs to any.
pub fn check_belongs(path: &Path, moss_file: &Path) -> Result<(), ContextError> {
    read(path)?.map_or(Ok(()), |doc| doc.check_module(path, moss_file))
}

/// Reads a context without taking the lock (for `show`, `get`, `path`): the file is only ever
/// replaced whole, so a reader sees the old or the new version.
pub fn read(path: &Path) -> Result<Option<ContextDoc>, ContextError> {
    refuse_special(path)?;
    match fs::read(path) {
        Ok(bytes) => parse(path, &bytes).map(Some),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ContextError::Unreadable { path: path.into(), reason: e.to_string() }),
    }
}

/// Refuses a path that exists but is no regular file, before anything is read or a lock file is
/// made beside it: reading a FIFO would block forever, and /dev/null reads as an empty file.
fn refuse_special(path: &Path) -> Result<(), ContextError> {
    use std::os::unix::fs::FileTypeExt;
    let Ok(meta) = fs::metadata(path) else { return Ok(()) };
    let kind = meta.file_type();
    let what = match () {
        _ if kind.is_file() => return Ok(()),
        _ if kind.is_dir() => "a directory",
        _ if kind.is_char_device() => "a character device",
        _ if kind.is_block_device() => "a block device",
        _ if kind.is_fifo() => "a named pipe",
        _ if kind.is_socket() => "a socket",
        _ => "not a regular file",
    };
    Err(ContextError::NotAFile { path: path.into(), what })
}

pub fn parse(path: &Path, bytes: &[u8]) -> Result<ContextDoc, ContextError> {
    let value: Value = serde_json::from_slice(crate::project::moss_file::json_without_bom(bytes))
        .map_err(|e| ContextError::Corrupt { path: path.into(), detail: e.to_string() })?;
    let foreign = |detail: &str| ContextError::Foreign { path: path.into(), detail: detail.into() };
    let object = value.as_object().ok_or_else(|| foreign("its top level is not a JSON object"))?;
    if object.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(foreign(&format!("it has no \"format\": \"{FORMAT}\" field")));
    }
    let version =
        object.get("version").and_then(Value::as_u64).ok_or_else(|| foreign("its \"version\" is not a number"))?;
    if version > VERSION {
        return Err(ContextError::FutureVersion { path: path.into(), found: version, supported: VERSION });
    }
    serde_json::from_value(value).map_err(|e| foreign(&e.to_string()))
}

/// MOSS_LOCK_WAIT seconds, or the default when it is unset or empty; anything else that is not
/// a time is refused rather than quietly replaced by the default.
fn lock_wait() -> Result<Duration, ContextError> {
    match std::env::var("MOSS_LOCK_WAIT") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or(ContextError::InvalidLockWait { value: text }),
        _ => Ok(DEFAULT_LOCK_WAIT),
    }
}

fn acquire_lock(path: &Path) -> Result<File, ContextError> {
    let wait = lock_wait()?;
    let unwritable = |e: std::io::Error| ContextError::Unwritable { path: lock_path(path), reason: e.to_string() };
    lock_beside(path, wait)
        .map_err(unwritable)?
        .ok_or_else(|| ContextError::Locked { path: path.into(), waited_secs: wait.as_secs_f64() })
}

/// Takes the OS lock on the sidecar `<path>.lock` (made if need be), waiting up to `wait` for
/// another holder; None when it kept the lock that long. The OS drops the lock when its holder
/// dies, so a killed process never leaves a stale lock behind.
pub fn lock_beside(path: &Path, wait: Duration) -> std::io::Result<Option<File>> {
    let lock_path = lock_path(path);
    if let Some(folder) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(folder)?;
    }
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(fs::TryLockError::WouldBlock) => return Ok(None),
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest::proptest! {
        #[test]
        fn any_bytes_load_or_are_refused_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse(Path::new("x.json"), &bytes);
        }

        #[test]
        fn saved_properties_load_back_as_they_were(
            properties in proptest::collection::btree_map("[a-z_]{1,8}", proptest::prop_oneof![
                proptest::num::i64::ANY.prop_map(Value::from),
                "[ -~]{0,12}".prop_map(Value::from),
                proptest::bool::ANY.prop_map(Value::from),
            ], 0..8),
        ) {
            let mut doc = ContextDoc::empty();
            doc.properties = properties.into_iter().collect();
            let bytes = serde_json::to_vec_pretty(&doc).unwrap();
            let loaded = parse(Path::new("x.json"), &bytes).unwrap();
            proptest::prop_assert_eq!(loaded.properties, doc.properties);
        }
    }
}
