//! The `sandbox` suite again, with every `moss exec` on a warm server (MOSS_WARM=1): the sandbox
//! must confine a warm run exactly as a cold one. `tests/common` turns warm mode on for `*_warm`.

#[path = "sandbox.rs"]
mod suite;
