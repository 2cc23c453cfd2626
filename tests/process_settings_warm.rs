//! The `process_settings` suite again, with every `moss exec` on a warm server (MOSS_WARM=1):
//! results must not depend on the mode. `tests/common` turns warm mode on for targets named `*_warm`.

#[path = "process_settings.rs"]
mod suite;
