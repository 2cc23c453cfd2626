//! Any bytes as a context file: the loader accepts them or refuses them with an error, never
//! panics; an accepted document saves and loads back to the same properties.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use moss::project::context;

fuzz_target!(|bytes: &[u8]| {
    let Ok(doc) = context::parse(Path::new("fuzz.context.json"), bytes) else { return };
    let saved = serde_json::to_vec(&doc).expect("a loaded document serialises");
    let again = context::parse(Path::new("fuzz.context.json"), &saved).expect("a saved document loads");
    assert_eq!(again.properties, doc.properties);
});
