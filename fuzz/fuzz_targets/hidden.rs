//! Any source text: stripping hidden regions never panics, never keeps a marker line, and never
//! adds a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moss::prompt::hidden;

fuzz_target!(|source: &str| {
    let stripped = hidden::strip(source);
    assert!(stripped.lines().count() <= source.lines().count());
    let marker = |line: &str| ["# <moss-hide>", "# </moss-hide>"].iter().any(|m| line.trim_start().starts_with(m));
    assert!(!stripped.lines().any(marker));
});
