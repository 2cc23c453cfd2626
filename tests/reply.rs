//! `moss exec --code` takes a model's reply as it comes: prose around fenced blocks, `<code>`
//! tags, or the JSON of a tool call. What was taken out is what runs and what is recorded.

mod common;

use common::*;

const AGENT: &str = "exec/agent.py";

/// The code every reply below carries, as the model wrote it.
const BUMP: &str =
    "def main(moss):\n    moss.count += 1\n    return {\"count\": moss.count, \"double\": double(moss.count)}\n";

/// Runs a reply fixture and checks that its code ran, was recorded as extracted, and was found as said.
#[track_caller]
fn runs(fixture: &str, code: &str, found: &str) {
    let sb = Sandbox::with(&[AGENT, &format!("reply/{fixture}")]);
    let (out, result) = sb.exec_json("agent.py", fixture, &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "{result}");
    assert_eq!(result["code_format"], found, "{result}");
    let last_code = &sb.context("agent")["last_code"];
    assert_eq!(last_code["code"], code, "the context records the code that ran, not the reply");
    assert_eq!(last_code["file"], fixture);
    let log = sb.moss().args(["log", "agent.py", "--json"]).output().unwrap();
    let runs: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(runs[0]["code"], code, "the journal records the code that ran");
    assert_eq!(runs[0]["code_format"], found, "and how it was found");
}

#[test]
fn a_python_fence_runs_and_the_bash_and_output_blocks_around_it_do_not() {
    runs("python_fence.md", BUMP, "markdown");
}

#[test]
fn an_unlabelled_fence_runs() {
    runs("unlabelled_fence.md", BUMP, "markdown");
}

#[test]
fn a_fence_inside_a_numbered_list_item_runs_without_the_items_indentation() {
    let code = BUMP.replace("+= 1\n", "+= 1\n\n");
    runs("list_item.md", &code, "markdown");
}

#[test]
fn code_tags_run_and_an_inline_code_tag_in_the_prose_does_not() {
    runs("code_tags.txt", BUMP, "code-tags");
}

#[test]
fn a_tool_calls_code_argument_runs() {
    runs("arguments.json", BUMP, "json");
}

#[test]
fn an_openai_chat_completion_with_arguments_as_a_json_string_runs() {
    runs("openai.json", BUMP, "json");
}

#[test]
fn an_anthropic_message_with_a_tool_use_block_runs() {
    runs("anthropic.json", BUMP, "json");
}

#[test]
fn an_openai_message_read_from_standard_input_runs() {
    let sb = Sandbox::with(&[AGENT]);
    let arguments = serde_json::json!({ "code": BUMP }).to_string();
    let message = serde_json::json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "moss", "arguments": arguments}}]});
    let out = sb
        .moss()
        .args(["exec", "agent.py", "--code", "-", "--json"])
        .write_stdin(message.to_string())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let result = parse_result(&out);
    assert_eq!(result["code_format"], "json", "{result}");
    assert_eq!(sb.context("agent")["last_code"]["code"], BUMP);
}

#[test]
fn plain_python_with_fences_and_code_tags_in_its_docstring_runs_as_it_is() {
    let sb = Sandbox::with(&[AGENT, "reply/docstring_with_markdown.py"]);
    let (out, result) = sb.exec_json("agent.py", "docstring_with_markdown.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["code_format"], "python", "{result}");
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "fence": "```"}), "{result}");
    assert_eq!(result["stdout"], "", "nothing from the docstring ran: {result}");
    assert_eq!(sb.context("agent")["last_code"]["code"], fixture_text("reply/docstring_with_markdown.py"));
}

#[test]
fn a_prose_only_reply_is_no_code_with_a_message_the_model_can_act_on() {
    let sb = Sandbox::with(&[AGENT, "reply/prose.md"]);
    let (out, result) = sb.exec_json("agent.py", "prose.md", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "no-code");
    assert!(error_message(&result).contains("prose"), "{result}");
    let hint = result["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("```python") && hint.contains("def main(moss)"), "the hint shows the way: {result}");
    assert!(!sb.exists(&Sandbox::context_name("agent")), "nothing ran, so nothing was saved");
}

#[test]
fn a_syntax_error_in_a_fence_points_at_the_line_of_the_extracted_code_and_says_so() {
    let sb = Sandbox::with(&[AGENT, "reply/syntax_error.md"]);
    let (out, result) = sb.exec_json("agent.py", "syntax_error.md", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "syntax");
    let error = &result["error"];
    assert_eq!((error["file"].as_str(), error["line"].as_u64()), (Some("syntax_error.md"), Some(3)), "{result}");
    assert_eq!(error["column"], 24, "the column counts in the code's own line: {result}");
    assert!(error["traceback"].as_str().unwrap_or_default().contains("return moss.count +* 2"), "{result}");
    assert!(error["hint"].as_str().unwrap_or_default().contains("not of the whole reply"), "{result}");
}

#[test]
fn a_forced_format_reads_the_reply_only_that_way() {
    let sb = Sandbox::with(&[AGENT, "reply/python_fence.md", "exec/code/count.py"]);
    let (out, result) = sb.exec_json("agent.py", "python_fence.md", &["--code-format", "python"]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "syntax");
    assert_eq!(result["error"]["line"], 1, "the whole reply was compiled: {result}");
    for (format, says) in [("json", "not JSON"), ("markdown", "no fenced")] {
        let (out, result) = sb.exec_json("agent.py", "count.py", &["--code-format", format]);
        assert_exit(&out, 3);
        assert_error_kind(&result, "no-code");
        assert!(error_message(&result).contains(says), "{format}: {result}");
    }
    let (out, result) = sb.exec_json("agent.py", "python_fence.md", &["--code-format", "markdown"]);
    assert_exit(&out, 0);
    assert_eq!(result["code_format"], "markdown", "{result}");
}
