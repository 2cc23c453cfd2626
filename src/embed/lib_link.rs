//! A folder holding `libpython3.so` for an installation that ships only its versioned library
//! (Debian's and Ubuntu's `python3`: `libpython3.11.so.1.0`, and no package installs
//! `libpython3.so`). The binary asks the loader for `libpython3.so`; a link of that name to the
//! versioned library, in a folder of moss's own, is what `LD_LIBRARY_PATH` then names.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::error::Problem;

/// A folder whose `libpython3.so` is a link to `library`: under moss's cache
/// (`$XDG_CACHE_HOME/moss/lib/<hash of the library's path>/`, else `~/.cache/...`), else under the
/// temporary folder.
pub fn folder_for(library: &Path) -> Result<PathBuf, Problem> {
    use sha2::Digest;
    let name = hex::encode(&sha2::Sha256::digest(library.as_os_str().as_encoded_bytes())[..8]);
    let mut tried = Vec::new();
    for base in [cache_base(), Some(private_temp())].into_iter().flatten() {
        let folder = base.join(&name);
        match linked(&folder, library) {
            Ok(()) => return Ok(folder),
            Err(e) => tried.push(format!("{}: {e}", folder.display())),
        }
    }
    Err(Problem::hinted(
        format!("cannot make a folder with libpython3.so for {} ({})", library.display(), tried.join("; ")),
        "make $XDG_CACHE_HOME or the temporary folder writable",
    ))
}

fn cache_base() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| Path::new(&h).join(".cache")))?;
    Some(cache.join("moss").join("lib"))
}

/// `<tmp>/moss-<uid>/lib`, made by this user and readable by no one else: a folder another user
/// made there could hold a library of their choosing.
fn private_temp() -> PathBuf {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { nix::libc::getuid() };
    std::env::temp_dir().join(format!("moss-{uid}")).join("lib")
}

/// Makes `folder/libpython3.so` a link to `library` unless it is one already. The link is made
/// beside it and renamed into place, so a run at the same moment sees the old link or the new.
fn linked(folder: &Path, library: &Path) -> std::io::Result<()> {
    let link = folder.join("libpython3.so");
    if std::fs::read_link(&link).is_ok_and(|target| target == library) {
        return owned_by_me(folder);
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(folder)?;
    owned_by_me(folder)?;
    let partial = folder.join(format!("libpython3.so.{}.partial", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    std::os::unix::fs::symlink(library, &partial)?;
    std::fs::rename(&partial, &link).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

fn owned_by_me(folder: &Path) -> std::io::Result<()> {
    // SAFETY: getuid cannot fail.
    let me = unsafe { nix::libc::getuid() };
    if std::fs::metadata(folder)?.uid() == me {
        Ok(())
    } else {
        Err(std::io::Error::other("the folder belongs to another user"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_made_once_and_names_the_library() {
        let dir = tempfile::tempdir().unwrap();
        let library = dir.path().join("libpython3.11.so.1.0");
        std::fs::write(&library, "").unwrap();
        let folder = dir.path().join("cache/abc");
        linked(&folder, &library).unwrap();
        linked(&folder, &library).unwrap();
        assert_eq!(std::fs::read_link(folder.join("libpython3.so")).unwrap(), library);
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "no partial link is left");
    }
}
