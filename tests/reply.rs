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
fn an_ipython_fence_runs_and_a_pycon_session_beside_it_does_not() {
    runs("ipython_fence.md", BUMP, "markdown");
}

#[test]
fn a_pycon_session_alone_is_no_code_naming_it() {
    let sb = Sandbox::with(&[AGENT, "reply/pycon_only.md"]);
    let (out, result) = sb.exec_json("agent.py", "pycon_only.md", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "no-code");
    assert!(error_message(&result).contains("in pycon, not in Python"), "{result}");
    assert!(!sb.exists(&Sandbox::context_name("agent")), "nothing of the session ran");
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

#[test]
fn a_reasoning_section_and_the_drafts_in_it_never_run() {
    // A draft with a syntax error, one after a reasoning section never opened (as DeepSeek-R1 writes),
    // and one in a `<Thinking>` section of a local server's message.
    for fixture in ["think_draft.md", "think_unopened.md", "ollama_think.json"] {
        runs(fixture, BUMP, "markdown");
    }
}

#[test]
fn a_usage_example_after_the_answer_is_left_out_with_a_warning_and_a_helper_block_is_kept() {
    let sb = Sandbox::with(&[AGENT, "reply/usage_example.md"]);
    let (out, result) = sb.exec_json("agent.py", "usage_example.md", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "main ran once: {result}");
    assert_eq!(result["stdout"], "", "the example's print did not run: {result}");
    let main = BUMP.replace("double(moss.count)", "twice(moss.count)");
    let code = format!("{main}\ndef twice(x):\n    return double(x)\n");
    assert_eq!(sb.context("agent")["last_code"]["code"], code);
    let warnings = result["warnings"].to_string();
    assert!(warnings.contains("block 3") && warnings.contains("`main`"), "the left-out block is named: {result}");
    assert!(stderr(&out).contains("block 3"), "and said on stderr: {}", stderr(&out));
}

#[test]
fn the_text_of_an_api_answer_without_a_tool_call_is_read_and_its_reasoning_ignored() {
    for fixture in
        ["openai_text.json", "anthropic_text.json", "ollama_chat.json", "ollama_generate.json", "deepseek.json"]
    {
        runs(fixture, BUMP, "markdown");
    }
    runs("responses_text.json", BUMP, "markdown");
    runs("responses_call.json", BUMP, "json");
}

#[test]
fn an_api_error_is_reported_as_the_apis_not_as_the_models_missing_code() {
    for (fixture, says) in [
        ("openai_error.json", "Incorrect API key provided"),
        ("anthropic_error.json", "Overloaded"),
        ("ollama_error.json", "not found, try pulling it first"),
    ] {
        let sb = Sandbox::with(&[AGENT, &format!("reply/{fixture}")]);
        let (out, result) = sb.exec_json("agent.py", fixture, &[]);
        assert_exit(&out, 5);
        assert_error_kind(&result, "api-error");
        assert!(error_message(&result).contains(says), "the API's own message is quoted: {result}");
        assert!(!sb.exists(&Sandbox::context_name("agent")), "nothing ran");
    }
}

#[test]
fn a_tool_call_cut_off_at_the_token_limit_says_so() {
    for fixture in ["openai_cut_off.json", "anthropic_cut_off.json"] {
        let sb = Sandbox::with(&[AGENT, &format!("reply/{fixture}")]);
        let (out, result) = sb.exec_json("agent.py", fixture, &[]);
        assert_exit(&out, 3);
        assert_error_kind(&result, "no-code");
        assert!(error_message(&result).contains("cut off at its token limit"), "{fixture}: {result}");
        let hint = result["error"]["hint"].as_str().unwrap_or_default();
        assert!(hint.contains("max_tokens"), "the hint is to raise the limit: {result}");
    }
}

#[test]
fn a_closing_fence_with_prose_after_it_ends_the_block_and_a_label_may_name_a_file() {
    runs("fence_with_prose_after.md", BUMP, "markdown");
    runs("file_name_label.md", BUMP, "markdown");
}

#[test]
fn code_that_binds_no_target_is_refused_before_anything_runs() {
    let sb = Sandbox::with(&[AGENT, "reply/no_main.md"]);
    let (out, result) = sb.exec_json("agent.py", "no_main.md", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "target");
    assert_eq!(result["error"]["type"], "TargetError", "{result}");
    assert_eq!(error_message(&result), "the code defines no `main` (it defines: moss)", "{result}");
    assert_eq!(result["stdout"], "", "the top-level code did not run: {result}");
    assert!(!sb.exists(&Sandbox::context_name("agent")), "nothing ran, so nothing was saved");

    // Code that may bind the target in ways no reading can tell still runs, as Python decides.
    sb.write("dynamic.py", "exec(\"def main(moss):\\n    return 7\\n\")\n");
    let (out, result) = sb.exec_json("agent.py", "dynamic.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 7, "{result}");
}

/// A message with empty text and no tool call, or with calls of another tool only, says which:
/// it held no reasoning section to blame.
#[test]
fn an_empty_message_or_a_call_of_another_tool_is_no_code_saying_which() {
    let sb = Sandbox::with(&[AGENT]);
    let no_code = |message: serde_json::Value| {
        let args = ["exec", "agent.py", "--code", "-", "--json"];
        let out = sb.moss().args(args).write_stdin(message.to_string()).output().unwrap();
        assert_exit(&out, 3);
        let result = parse_result(&out);
        assert_error_kind(&result, "no-code");
        error_message(&result)
    };
    let empty = no_code(serde_json::json!({"role": "assistant", "content": ""}));
    assert!(empty.ends_with("the JSON has no tool call with code, and the text of its message is empty"), "{empty}");
    let search = serde_json::json!({"role": "assistant", "content": "", "tool_calls": [{"id": "call_1",
        "type": "function", "function": {"name": "web_search", "arguments": "{\"query\": \"moss\"}"}}]});
    let other_tool = no_code(search);
    assert!(other_tool.contains("tool calls (web_search) carry no `code` argument"), "{other_tool}");
    assert!(!empty.contains("reasoning") && !other_tool.contains("reasoning"), "{empty}\n{other_tool}");
}

/// Beside a ```python block an unlabelled block does not run; one that defines a function the
/// code calls is named in a warning, so the model learns why its helper is missing.
#[test]
fn an_unlabelled_block_of_definitions_beside_a_python_block_is_named_in_a_warning() {
    let sb = Sandbox::with(&[AGENT]);
    let reply = "First a helper:\n\n```\ndef helper():\n    return 41\n```\n\nThen:\n\n```python\n\
                 def main(moss):\n    return helper() + 1\n```\n\nExpected output:\n\n```\n42\n```\n";
    sb.write("reply.md", reply);
    let (out, result) = sb.exec_json("agent.py", "reply.md", &[]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "NameError", "{result}");
    let expected = "the reply's unlabelled code block at line 3 was not run, although it defines `helper`: \
                    beside ```python blocks, only they run; label it ```python";
    assert_eq!(result["warnings"], serde_json::json!([expected]), "the output block is no definition: {result}");
}

/// A call of the target at the code's top level, in the same block as its definition, runs it
/// before moss calls it again: it stays (the code is run as written) and is named in a warning.
#[test]
fn a_top_level_call_of_the_target_in_its_own_block_is_named_in_a_warning() {
    let sb = Sandbox::with(&[AGENT]);
    let reply = "```python\ndef main(moss):\n    moss.count += 1\n    return moss.count\n\nresult = main(moss)\n\
                 print(result)\n```\n";
    sb.write("reply.md", reply);
    let (out, result) = sb.exec_json("agent.py", "reply.md", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 2, "the code ran as written: {result}");
    let expected = "the code calls `main` at its top level (line 5: `result = main(moss)`), so it ran there and \
                    again when moss called it: leave that call out, moss calls `main` itself";
    assert_eq!(result["warnings"], serde_json::json!([expected]), "{result}");

    sb.write("guarded.py", "def main(moss):\n    return 1\n\nif __name__ == '__main__':\n    main(moss)\n");
    let (out, result) = sb.exec_json("agent.py", "guarded.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["warnings"], serde_json::json!([]), "a guarded call never runs: {result}");
}

/// A whole conversation passed as the reply (a request's `messages`, a saved chat) runs only the
/// model's latest answer: not the code in the system's or user's messages, nor an earlier turn's
/// tool call, which ran in its own turn.
#[test]
fn a_conversation_runs_only_the_models_latest_answer() {
    let sb = Sandbox::with(&[AGENT]);
    let call = |code: &str| {
        let arguments = serde_json::json!({ "code": code }).to_string();
        serde_json::json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call", "type": "function", "function": {"name": "moss", "arguments": arguments}}]})
    };
    let conversation = serde_json::json!([
        {"role": "system", "content": "An earlier answer:\n```python\nimport sys\nprint('system block ran')\n```"},
        {"role": "user", "content": "```python\nBONUS = 100\n```\nCount one more."},
        call("print('earlier turn ran')\n\ndef main(moss):\n    moss.count += 100\n"),
        {"role": "tool", "tool_call_id": "call", "content": "ok"},
        call(BUMP),
    ]);
    sb.write("chat.json", conversation.to_string());
    let (out, result) = sb.exec_json("agent.py", "chat.json", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "{result}");
    assert_eq!(result["stdout"], "", "no other message's code ran: {result}");
    assert_eq!(sb.context("agent")["last_code"]["code"], BUMP);
}

/// A message's text cut off at the token limit inside its code (a fence left open, or plain
/// Python) would run unfinished, as a robot's last moves missing: it is refused as cut off, and
/// the context is not touched. Cut off after its fence closed, the code is whole and runs.
#[test]
fn a_text_answer_cut_off_inside_its_code_does_not_run() {
    let sb = Sandbox::with(&[AGENT]);
    let completion = |content: &str| serde_json::json!({"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "length"}]});
    let unfinished = "Sure:\n```python\ndef main(moss):\n    moss.count += 1\n    print('step 1')\n";
    sb.write("cut.json", completion(unfinished).to_string());
    let (out, result) = sb.exec_json("agent.py", "cut.json", &[]);
    assert_exit(&out, 3);
    assert_error_kind(&result, "no-code");
    assert!(
        error_message(&result).contains("cut off at its token limit (finish_reason: length) inside its code"),
        "{result}"
    );
    assert_eq!(result["stdout"], "", "none of it ran: {result}");
    assert!(!sb.exists(&Sandbox::context_name("agent")));

    let finished = format!("```python\n{BUMP}```\n\nThis adds one to the count and then it");
    sb.write("whole.json", completion(&finished).to_string());
    let (out, result) = sb.exec_json("agent.py", "whole.json", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "{result}");
}

/// A tool call the model wrote out as text (Hermes, Qwen: `<tool_call>` tags, when the server does
/// not parse them) runs as the tool call it is, after the model's reasoning.
#[test]
fn a_tool_call_written_in_tool_call_tags_runs() {
    let sb = Sandbox::with(&[AGENT]);
    let call = serde_json::json!({"name": "moss", "arguments": {"code": BUMP}});
    sb.write("reply.txt", format!("<think>\nI count with the tool.\n</think>\n\n<tool_call>\n{call}\n</tool_call>"));
    let (out, result) = sb.exec_json("agent.py", "reply.txt", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["code_format"], "json", "{result}");
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "{result}");
}

/// Gemini's answers: a function call's `args`, or the text of its parts (a thought part is its
/// reasoning and never runs); cut off at its token limit inside the code, nothing runs.
#[test]
fn a_gemini_answer_runs_its_function_call_or_the_code_in_its_text() {
    let sb = Sandbox::with(&[AGENT]);
    let candidate = |parts: serde_json::Value, finish: &str| serde_json::json!({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish}]});
    let call = candidate(serde_json::json!([{"functionCall": {"name": "moss", "args": {"code": BUMP}}}]), "STOP");
    sb.write("call.json", call.to_string());
    let (out, result) = sb.exec_json("agent.py", "call.json", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "{result}");

    let thought = serde_json::json!({"thought": true, "text": "```python\nprint('draft')\n```"});
    let text = serde_json::json!({"text": format!("Here:\n```python\n{BUMP}```")});
    sb.write("text.json", candidate(serde_json::json!([thought, text]), "STOP").to_string());
    let (out, result) = sb.exec_json("agent.py", "text.json", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], serde_json::json!({"count": 2, "double": 4}), "{result}");
    assert_eq!(result["stdout"], "", "the thought did not run: {result}");

    let cut = serde_json::json!([{"text": "```python\ndef main(moss):\n    moss.count += 1\n"}]);
    sb.write("cut.json", candidate(cut, "MAX_TOKENS").to_string());
    let (out, result) = sb.exec_json("agent.py", "cut.json", &[]);
    assert_exit(&out, 3);
    assert!(error_message(&result).contains("(finishReason: MAX_TOKENS) inside its code"), "{result}");
}

/// A streamed response saved whole (server-sent events, or Ollama's JSON lines) is chunks of an
/// answer: refused as the caller's to fix (exit 2), not read as Python (`data: {...}` compiles)
/// nor blamed on the model.
#[test]
fn a_streamed_response_is_refused_saying_so() {
    let sb = Sandbox::with(&[AGENT]);
    let chunk = |text: &str| serde_json::json!({"choices": [{"index": 0, "delta": {"content": text}}]});
    let events =
        format!("data: {}\n\ndata: {}\n\ndata: [DONE]\n\n", chunk("def main(moss):\n"), chunk("    return 1\n"));
    let lines = "{\"message\": {\"content\": \"def main\"}, \"done\": false}\n{\"message\": {\"content\": \"(moss): ...\"}, \"done\": true}\n";
    for (file, text, kind) in
        [("events.txt", events.as_str(), "server-sent events"), ("lines.txt", lines, "JSON lines")]
    {
        sb.write(file, text);
        let (out, result) = sb.exec_json("agent.py", file, &[]);
        assert_exit(&out, 2);
        assert_error_kind(&result, "usage");
        assert!(error_message(&result).contains(&format!("{file} is a streamed response, {kind}")), "{result}");
    }
}

/// OpenAI's older function calling (`message.function_call`, before `tool_calls`), which many
/// compatible servers still answer with, runs as a tool call.
#[test]
fn an_openai_function_call_of_the_older_api_runs() {
    let sb = Sandbox::with(&[AGENT]);
    let arguments = serde_json::json!({ "code": BUMP }).to_string();
    let message = serde_json::json!({"role": "assistant", "content": null,
        "function_call": {"name": "moss", "arguments": arguments}});
    sb.write(
        "reply.json",
        serde_json::json!({"choices": [{"message": message, "finish_reason": "function_call"}]}).to_string(),
    );
    let (out, result) = sb.exec_json("agent.py", "reply.json", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["code_format"], "json", "{result}");
    assert_eq!(result["returns"], serde_json::json!({"count": 1, "double": 2}), "{result}");
}
