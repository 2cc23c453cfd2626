//! Finding the MOSS files under the paths `moss test` is given.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Tok};

/// Folders that hold installed code, not the project's own MOSS files (as do virtual environments
/// and folders written by `moss stubs`).
const SKIPPED_DIRS: &[&str] = &["__pycache__", "node_modules", "site-packages"];

/// What the search of `moss test`'s paths found.
pub struct Found {
    /// The MOSS files, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Folders of pinned runs (`<stem>.pinned/`) beside no `<stem>.py`: their MOSS file was
    /// renamed or removed, so no `moss test` runs them any more.
    pub orphaned_pins: Vec<PathBuf>,
}

/// The MOSS files named or found under `paths`. Folders are searched recursively, honouring
/// .gitignore files and skipping hidden folders, virtual environments and `__pycache__`; a file
/// named explicitly is taken as it is, unless `only_moss` asks that it be a MOSS file, as a file
/// found in a folder must be.
pub fn moss_files(paths: &[PathBuf], only_moss: bool) -> Found {
    let mut found = Vec::new();
    let mut orphaned_pins = Vec::new();
    for path in paths {
        if path.is_file() {
            if !only_moss || std::fs::read_to_string(path).is_ok_and(|text| is_moss_source(&text)) {
                found.push(absolute(path));
            }
            continue;
        }
        let walker = WalkBuilder::new(path)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                !is_dir || !(is_skipped_dir(entry.path()))
            })
            .build();
        for entry in walker.flatten() {
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_dir())
                && path.extension().is_some_and(|e| e == "pinned")
                && !path.with_extension("py").is_file()
            {
                orphaned_pins.push(absolute(path));
            }
            if entry.file_type().is_some_and(|t| t.is_file())
                && path.extension().is_some_and(|e| e == "py")
                && std::fs::read_to_string(path).is_ok_and(|text| is_moss_source(&text))
            {
                found.push(absolute(path));
            }
        }
    }
    found.sort();
    found.dedup();
    orphaned_pins.sort();
    orphaned_pins.dedup();
    Found { files: found, orphaned_pins }
}

fn is_skipped_dir(dir: &Path) -> bool {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    SKIPPED_DIRS.contains(&name) || dir.join("pyvenv.cfg").is_file() || dir.join(crate::cmd::stubs::MANIFEST).is_file()
}

/// A MOSS file imports `ghostos_moss` (or a module of it) or assigns `__moss_test_cases__`. The
/// file's tokens are read, so a docstring, a string or a comment that names them does not make
/// one; a file moss's lexer cannot read is judged by its lines.
pub fn is_moss_source(text: &str) -> bool {
    let tokens: Option<Vec<Tok>> = lex(text, Mode::Module).map(|token| token.ok().map(|(tok, _)| tok)).collect();
    match tokens {
        Some(tokens) => declares_moss(&tokens),
        None => text.lines().any(|line| {
            let code = line.trim_start();
            ["from ", "import "].iter().any(|keyword| {
                let module = code.strip_prefix(keyword).map(|rest| rest.trim_start().split(['.', ' ', '\t', ',']));
                module.is_some_and(|mut parts| parts.next() == Some(PACKAGE))
            }) || code.strip_prefix(TEST_CASES).is_some_and(|rest| rest.trim_start().starts_with(['=', ':', '+']))
        }),
    }
}

const PACKAGE: &str = "ghostos_moss";
const TEST_CASES: &str = "__moss_test_cases__";

fn declares_moss(tokens: &[Tok]) -> bool {
    let named = |tok: &Tok, wanted: &str| matches!(tok, Tok::Name { name } if name == wanted);
    // Between `from` and the end of its statement the names after `import` are not modules.
    let mut in_from = false;
    let mut imports_modules = false;
    let mut previous = &Tok::Newline;
    for tok in tokens {
        let found = match previous {
            Tok::From => named(tok, PACKAGE),
            Tok::Import | Tok::Comma if imports_modules => named(tok, PACKAGE),
            Tok::Name { name } if name == TEST_CASES => {
                matches!(tok, Tok::Equal | Tok::Colon | Tok::PlusEqual)
            }
            _ => false,
        };
        if found {
            return true;
        }
        match tok {
            Tok::From => in_from = true,
            Tok::Import => imports_modules = !in_from,
            Tok::Newline | Tok::Semi => (in_from, imports_modules) = (false, false),
            _ => {}
        }
        previous = tok;
    }
    false
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.into())
}

/// A path as the user would type it: relative to the current folder where possible.
pub fn display(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| pathdiff::diff_paths(path, cwd))
        .filter(|relative| !relative.starts_with(".."))
        .unwrap_or_else(|| path.into())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::is_moss_source;

    #[test]
    fn recognises_moss_files_by_their_import_or_test_cases() {
        assert!(is_moss_source("import os\nfrom ghostos_moss import Moss\n"));
        assert!(is_moss_source("import ghostos_moss\n"));
        assert!(is_moss_source("__moss_test_cases__ = ['a']\n"));
        assert!(!is_moss_source("# from ghostos_moss import Moss\nx = 'import ghostos_moss'\n"));
        assert!(!is_moss_source("import os\n"));
        assert!(is_moss_source("import os, ghostos_moss.abcd as m\n"));
        assert!(is_moss_source("if True:\n    from ghostos_moss import Moss\n"));
        assert!(is_moss_source("__moss_test_cases__: list[str] = []\n"));
        assert!(!is_moss_source("\"\"\"Use it as:\n    import ghostos_moss\n\"\"\"\n"));
        assert!(!is_moss_source("import ghostos_moss_tools\nfrom pkg import ghostos_moss\n"));
        assert!(is_moss_source("from ghostos_moss import Moss\nx = 'unterminated\n"));
        assert!(!is_moss_source("import ghostos_mossy\nx = 'unterminated\n"));
    }
}
