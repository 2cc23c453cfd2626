//! The code in the JSON of a model API's answer: a tool call's `code` when there is one, else the
//! text of the message, read as a reply of its own. An API's error body is told apart, and so is
//! an answer cut off at its token limit.

use serde_json::{Map, Value};

use super::{Extracted, Found, joined};

/// The code of every tool call in a JSON reply, joined in order; without a tool call, the code in
/// the message's text.
pub fn from_json(value: &Value, target: &str) -> Result<Extracted, String> {
    let mut parts = Parts::default();
    parts.collect(value).and_then(|()| parts.extracted(target))
}

/// The tool calls a model wrote as text, each in a `<tool_call>` tag that starts a line (Hermes and
/// Qwen do when the server does not parse them): `{"name": "moss", "arguments": {"code": ...}}`.
/// None when the reply has no such tag; a tag that holds no JSON is said as the reason.
pub fn from_tool_call_tags(reply: &str, target: &str) -> Option<Result<Extracted, String>> {
    const OPEN: &str = "<tool_call>";
    const CLOSE: &str = "</tool_call>";
    let mut calls = Vec::new();
    let mut rest = reply;
    while let Some(at) = rest.find(OPEN) {
        let line_start = rest[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let body = &rest[at + OPEN.len()..];
        let end = body.find(CLOSE).unwrap_or(body.len());
        if rest[line_start..at].trim().is_empty() {
            calls.push(body[..end].trim().to_owned());
        }
        rest = &body[(end + CLOSE.len()).min(body.len())..];
    }
    if calls.is_empty() {
        return None;
    }
    let parsed: Result<Vec<Value>, String> = calls
        .iter()
        .map(|call| serde_json::from_str(call).map_err(|e| format!("its <tool_call> tag holds no JSON ({e})")))
        .collect();
    Some(parsed.and_then(|calls| from_json(&Value::Array(calls), target)))
}

/// What streamed response a reply is, if it is one rather than one answer: server-sent events
/// (`data: {...}` lines, as OpenAI's and Anthropic's APIs stream), or JSON lines (Ollama's).
pub fn streamed(reply: &str) -> Option<&'static str> {
    let lines: Vec<&str> = reply.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    let object = |text: &str| serde_json::from_str::<Value>(text).is_ok_and(|value| value.is_object());
    let event_line = |line: &&str| ["data:", "event:", "id:", ":"].iter().any(|field| line.starts_with(field));
    let data = |line: &&str| line.strip_prefix("data:").is_some_and(|data| object(data.trim()));
    if lines.iter().all(event_line) && lines.iter().any(data) {
        return Some("server-sent events (`data:` lines)");
    }
    (lines.len() > 1 && lines.iter().all(|line| object(line))).then_some("JSON lines, one object per chunk")
}

/// Whether a reply's code runs to its very end, so that a reply cut off at the model's token
/// limit was cut inside its code: its last fence or `<code>` tag was left open, or the reply is
/// code throughout.
pub fn ends_inside_code(reply: &str) -> bool {
    let (blocks, left_open) = super::fenced_blocks(reply);
    if !blocks.is_empty() {
        return left_open;
    }
    match reply.rfind("<code>") {
        Some(open) if !super::code_tags(reply).is_empty() => !reply[open..].contains("</code>"),
        _ => true,
    }
}

/// The text of the answer's messages, as `from_json` reads it when there is no tool call.
pub fn answer_text(value: &Value) -> String {
    let mut parts = Parts::default();
    let _ = parts.collect(value);
    parts.texts.join("\n\n")
}

/// The message of an API's error body, quoted with its type and code: OpenAI's and Ollama's
/// `{"error": {"message": ...}}` or `{"error": "..."}`, Anthropic's `{"type": "error", "error": {...}}`.
pub fn api_error(value: &Value) -> Option<String> {
    // An answer may carry a field named `error` of its own, as a tool call's arguments might.
    const ANSWER_KEYS: [&str; 7] = ["code", "choices", "content", "message", "response", "tool_calls", "function"];
    let object = value.as_object()?;
    if ANSWER_KEYS.iter().any(|key| object.contains_key(*key)) {
        return None;
    }
    match object.get("error")? {
        Value::String(message) if !message.trim().is_empty() => Some(format!("\"{message}\"")),
        Value::Object(error) => {
            let message = error.get("message")?.as_str()?;
            let detail: Vec<String> = ["type", "code"]
                .iter()
                .filter_map(|key| Some(format!("{key} {}", scalar(error.get(*key)?)?)))
                .collect();
            Some(match detail.is_empty() {
                true => format!("\"{message}\""),
                false => format!("\"{message}\" ({})", detail.join(", ")),
            })
        }
        _ => None,
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// How the answer says it stopped at its token limit, if it does: OpenAI's `finish_reason`,
/// Anthropic's `stop_reason`, Ollama's `done_reason`, the Responses API's `incomplete_details`,
/// Gemini's `finishReason`.
pub fn cut_off(value: &Value) -> Option<String> {
    const LIMITS: [(&str, &str); 5] = [
        ("finish_reason", "length"),
        ("stop_reason", "max_tokens"),
        ("done_reason", "length"),
        ("reason", "max_output_tokens"),
        ("finishReason", "MAX_TOKENS"),
    ];
    match value {
        Value::Array(items) => items.iter().find_map(cut_off),
        Value::Object(object) => LIMITS
            .iter()
            .find(|(key, limit)| object.get(*key).and_then(Value::as_str) == Some(*limit))
            .map(|(key, limit)| format!("{key}: {limit}"))
            .or_else(|| object.values().find_map(cut_off)),
        _ => None,
    }
}

/// Of a list, what answers: in a conversation (chat messages, as a request's `messages` or a saved
/// chat holds them), the items after its last message that is not the model's, since the user's,
/// system's and tools' messages are no answer and earlier answers' code ran in their turns; any
/// other list (content blocks, the Responses API's output) whole.
fn latest_answer(items: &[Value]) -> &[Value] {
    const NOT_THE_MODELS: [&str; 5] = ["user", "system", "developer", "tool", "function"];
    let not_the_models =
        |item: &Value| item.get("role").and_then(Value::as_str).is_some_and(|r| NOT_THE_MODELS.contains(&r));
    match items.iter().rposition(not_the_models) {
        Some(last) => &items[last + 1..],
        None => items,
    }
}

/// The tool calls' code and the messages' text of an answer, in order.
#[derive(Default)]
struct Parts {
    codes: Vec<String>,
    texts: Vec<String>,
    /// The names of the tool calls that carry no `code`: calls of another tool.
    codeless_calls: Vec<String>,
}

impl Parts {
    fn collect(&mut self, value: &Value) -> Result<(), String> {
        let object = match value {
            Value::Array(items) => return latest_answer(items).iter().try_for_each(|item| self.collect(item)),
            Value::Object(object) => object,
            _ => return Ok(()),
        };
        if let Some(Value::String(code)) = object.get("code") {
            self.codes.push(code.clone());
            return Ok(());
        }
        match object.get("type").and_then(Value::as_str) {
            Some("tool_use") => return object.get("input").map_or(Ok(()), |input| self.arguments(input, object)),
            // The Responses API's tool call: its arguments are the item's own.
            Some("function_call") => {
                return object.get("arguments").map_or(Ok(()), |input| self.arguments(input, object));
            }
            // Anthropic's text block, the Responses API's message part; reasoning blocks are other types.
            Some("text" | "output_text") => {
                self.texts.extend(object.get("text").and_then(Value::as_str).map(str::to_owned));
                return Ok(());
            }
            _ => {}
        }
        if let Some(function) = object.get("function").and_then(Value::as_object) {
            return function.get("arguments").map_or(Ok(()), |arguments| self.arguments(arguments, function));
        }
        // Gemini's content: text parts (a thought part is reasoning) and function calls.
        if let Some(Value::Array(parts)) = object.get("parts") {
            for part in parts.iter().filter(|part| part.get("thought") != Some(&Value::Bool(true))) {
                match (part.get("functionCall").and_then(Value::as_object), part.get("text").and_then(Value::as_str)) {
                    (Some(call), _) => call.get("args").map_or(Ok(()), |args| self.arguments(args, call))?,
                    (None, Some(text)) => self.texts.push(text.to_owned()),
                    (None, None) => {}
                }
            }
            return Ok(());
        }
        // A tool call written out by the model itself (Hermes, Qwen, Mistral): its name and arguments.
        if let (Some(Value::String(_)), Some(arguments)) = (object.get("name"), object.get("arguments")) {
            return self.arguments(arguments, object);
        }
        self.text_of(object);
        // The envelopes around tool calls and messages: a chat completion, a message, a content
        // list, the Responses API's output, Gemini's candidates, OpenAI's older `function_call`. A
        // message's `reasoning_content` is never read.
        ["choices", "message", "tool_calls", "function_call", "content", "output", "candidates"]
            .iter()
            .filter_map(|key| object.get(*key))
            .try_for_each(|inner| self.collect(inner))
    }

    /// A message's text: `content` (chat completions, Ollama's /api/chat) or `response` (Ollama's
    /// /api/generate).
    fn text_of(&mut self, object: &Map<String, Value>) {
        for key in ["content", "response"] {
            self.texts.extend(object.get(key).and_then(Value::as_str).map(str::to_owned));
        }
    }

    /// A tool call's arguments; OpenAI sends them as a JSON document inside a string. `call` is
    /// the object that names the tool.
    fn arguments(&mut self, arguments: &Value, call: &Map<String, Value>) -> Result<(), String> {
        let parsed;
        let arguments = match arguments {
            Value::String(text) => {
                parsed =
                    serde_json::from_str(text).map_err(|e| format!("the tool call's arguments are not JSON: {e}"))?;
                &parsed
            }
            other => other,
        };
        match arguments.get("code").and_then(Value::as_str) {
            Some(code) => self.codes.push(code.to_owned()),
            None => self.codeless_calls.push(call.get("name").and_then(Value::as_str).unwrap_or("unnamed").to_owned()),
        }
        Ok(())
    }

    fn extracted(self, target: &str) -> Result<Extracted, String> {
        if !self.codes.is_empty() {
            return joined(self.codes, Found::Json, "the tool call's `code` is empty");
        }
        let text = self.texts.join("\n\n");
        if !text.trim().is_empty() {
            return super::auto(&text, target).map_err(|reason| {
                format!("the JSON has no tool call with code, and the text of its message has no code: {reason}")
            });
        }
        if !self.codeless_calls.is_empty() {
            return Err(format!(
                "the JSON's tool calls ({}) carry no `code` argument, and its message has no text",
                self.codeless_calls.join(", ")
            ));
        }
        if !self.texts.is_empty() {
            return Err("the JSON has no tool call with code, and the text of its message is empty".into());
        }
        Err("the JSON carries no code: moss looks for {\"code\": \"...\"}, a tool call's arguments (OpenAI's \
             tool_calls, the Responses API's function_call, Anthropic's tool_use, Gemini's functionCall) and else \
             the text of the message (choices[].message.content, Anthropic's and the Responses API's text blocks, \
             Ollama's message or response, Gemini's parts)"
            .into())
    }
}
