//! The `journal` suite again, with every `moss exec` on a warm server (MOSS_WARM=1): the journal
//! must not depend on the mode. `tests/common` turns warm mode on for targets named `*_warm`.

#[path = "journal.rs"]
mod suite;
