//! `moss test --shard K/N`: one of N parts of the MOSS files, so CI jobs can split them.
//!
//! A file's shard is decided by a hash of its path relative to the folder it was found under,
//! not by its place in the sorted list: adding or removing a file moves no other file to
//! another shard, so a shard's history (its timings, its flaky cases) stays its own.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 1.
    pub index: u64,
    pub count: u64,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// `K/N` with 1 ≤ K ≤ N.
pub fn parse(text: &str) -> Result<Shard, String> {
    let numbers = text.split_once('/').and_then(|(k, n)| Some((k.trim().parse::<u64>().ok()?, n.trim().parse().ok()?)));
    match numbers {
        Some((index, count)) if (1..=count).contains(&index) => Ok(Shard { index, count }),
        Some((_, 0)) => Err("there is no shard of 0 shards: N must be at least 1".into()),
        Some((index, count)) => Err(format!(
            "there is no shard {index} of {count}: K must be from 1 to {count} (--shard 1/{count} … {count}/{count})"
        )),
        None => Err(format!("`{text}` is not K/N: pass two whole numbers with 1 ≤ K ≤ N, e.g. --shard 2/3")),
    }
}

impl Shard {
    /// The files of this shard, in their order; `roots` are the paths they were found under.
    pub fn select(&self, files: Vec<PathBuf>, roots: &[PathBuf]) -> Vec<PathBuf> {
        files.into_iter().filter(|file| self.holds(&key(file, roots))).collect()
    }

    fn holds(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let number = u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 digest has 8 bytes"));
        number % self.count == self.index - 1
    }
}

/// The path of `file` relative to the first root it lies under (a file named itself: its name),
/// with `/` between components whatever the system, so every machine splits alike.
fn key(file: &Path, roots: &[PathBuf]) -> String {
    let relative = roots
        .iter()
        .filter_map(|root| std::path::absolute(root).ok())
        .find_map(|root| file.strip_prefix(&root).ok().filter(|r| !r.as_os_str().is_empty()).map(Path::to_path_buf))
        .or_else(|| file.file_name().map(PathBuf::from))
        .unwrap_or_else(|| file.into());
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_shards_that_do_not_exist() {
        assert_eq!(parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(parse("1/1"), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "x", "1/0", "1/", "/3", "-1/3", "1/3/5"] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn the_key_is_relative_to_the_root_so_the_split_does_not_depend_on_where_the_checkout_is() {
        let roots = [PathBuf::from("/a/project/agents")];
        assert_eq!(key(Path::new("/a/project/agents/sub/x.py"), &roots), "sub/x.py");
        assert_eq!(key(Path::new("/b/y.py"), &[PathBuf::from("/b/y.py")]), "y.py");
        let here = std::env::current_dir().unwrap();
        assert_eq!(key(&here.join("sub/z.py"), &[PathBuf::from(".")]), "sub/z.py");
    }
}
