//! Token counts as an OpenAI-compatible BPE (o200k_base) sees them; the vocabulary ships inside
//! the binary and is loaded only when a count is asked for.

use std::sync::OnceLock;

use tiktoken_rs::CoreBPE;

pub const ENCODING: &str = "o200k_base";

pub fn count(text: &str) -> usize {
    static BPE: OnceLock<CoreBPE> = OnceLock::new();
    BPE.get_or_init(|| tiktoken_rs::o200k_base().expect("the shipped vocabulary loads")).encode_ordinary(text).len()
}
