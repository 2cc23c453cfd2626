//! Finding and reading the MOSS file that every command starts from.

use std::path::{Path, PathBuf};

use crate::error::{MossError, Problem};

/// The MOSS file's absolute path and its source.
pub fn read(path: &Path) -> Result<(PathBuf, String), MossError> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.into());
    if path.to_str().is_none() {
        // Python would be given another path (imports from its folder would fail) and the
        // context records the path as text: refused before anything runs or is written.
        return Err(MossError::usage(Problem::hinted(
            format!("the MOSS file's path {} is not UTF-8", path.display()),
            "rename the file, or the folders on its path, with UTF-8 names",
        )));
    }
    if path.is_dir() {
        return Err(MossError::MossFileUnreadable { path, reason: "it is a directory".into() });
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| MossError::MossFileUnreadable { path: path.clone(), reason: io_reason(&e) })?;
    let source = String::from_utf8(bytes)
        .map_err(|e| MossError::MossFileNotText { path: path.clone(), offset: e.utf8_error().valid_up_to() })?;
    Ok((path, without_bom(source)))
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Python accepts a UTF-8 byte-order mark at the start of a file; `compile()` of a str does not.
pub fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// A JSON file's bytes without the byte-order mark a Windows editor puts first when it saves a
/// hand edit: no part of the JSON, which serde_json refuses.
pub fn json_without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes)
}
