//! What a run changed in the context, names with short values: shown by `moss exec --json`,
//! kept in the run journal, and read back by `moss log` and the turn prompt.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A value in the context diff is shown as its JSON text, cut to this many characters.
const SHORT_VALUE: usize = 100;

/// Python reprs of stored values by name, as they were before a run and after it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Reprs {
    #[serde(default)]
    pub before: Map<String, Value>,
    #[serde(default)]
    pub after: Map<String, Value>,
}

/// What a run changed in the context: names added, changed and removed, each with a short form
/// of its values (the Python repr, else the stored JSON text, cut to 100 characters, ending in `…`
/// when cut).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ContextDiff {
    pub added: Map<String, Value>,
    pub changed: Map<String, Value>,
    pub removed: Map<String, Value>,
}

impl ContextDiff {
    /// The difference between two property sets; values compared as written (key order counts),
    /// shown by their reprs where `reprs` has them.
    pub fn between(before: &Map<String, Value>, after: &Map<String, Value>, reprs: &Reprs) -> Self {
        let shown = |reprs: &Map<String, Value>, name: &str, stored: &Value| match reprs.get(name) {
            Some(Value::String(repr)) => short_text(repr.clone()),
            _ => short_text(short_unbounded(stored)),
        };
        let mut diff = ContextDiff::default();
        for (name, new) in after {
            let new_shown = shown(&reprs.after, name, new);
            match before.get(name) {
                None => _ = diff.added.insert(name.clone(), new_shown.into()),
                Some(old) if short_unbounded(old) != short_unbounded(new) => {
                    let pair = serde_json::json!({"before": shown(&reprs.before, name, old), "after": new_shown});
                    diff.changed.insert(name.clone(), pair);
                }
                Some(_) => {}
            }
        }
        for (name, old) in before.iter().filter(|(name, _)| !after.contains_key(*name)) {
            diff.removed.insert(name.clone(), shown(&reprs.before, name, old).into());
        }
        diff
    }

    /// Leaves `names` out of the diff.
    pub fn leave_out(&mut self, names: &[String]) {
        for name in names {
            self.added.remove(name);
            self.changed.remove(name);
            self.removed.remove(name);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

fn short_unbounded(value: &Value) -> String {
    serde_json::to_string(value).expect("JSON serialises")
}

fn short_text(text: String) -> String {
    match text.char_indices().nth(SHORT_VALUE) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
