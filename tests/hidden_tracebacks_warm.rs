//! The hidden-traceback suite again, with every `moss exec` on a warm server (MOSS_WARM=1).

#[path = "hidden_tracebacks.rs"]
mod suite;
