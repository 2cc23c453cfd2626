//! The `context_values` suite again, with every `moss exec` on a warm server (MOSS_WARM=1):
//! values must be kept the same way in both modes.

#[path = "context_values.rs"]
mod suite;
