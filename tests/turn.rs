//! `moss prompt FILE --task`: the whole prompt of a turn (how to answer, the module view, the last
//! run from the journal, the task), its template, its budget; `moss prompt --tool-schema`.

mod common;

use std::process::Output;

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::{Value, json};

const AGENT: &str = "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    count: int = 0\n";
const TASK: &str = "Count one more.";

fn agent() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox
}

fn prompt(sandbox: &Sandbox, file: &str, extra: &[&str]) -> Output {
    sandbox.moss().env("XDG_CACHE_HOME", sandbox.path("cache")).arg("prompt").arg(file).args(extra).output().unwrap()
}

/// The turn prompt of `agent.py` for TASK; it must succeed.
fn turn(sandbox: &Sandbox) -> String {
    let out = prompt(sandbox, "agent.py", &["--task", TASK]);
    assert_exit(&out, 0);
    stdout(&out)
}

/// The part of a turn prompt under `# title`, up to the next heading of the shipped layout.
fn part(text: &str, title: &str) -> String {
    let text = format!("\n{text}");
    let start = text.find(&format!("\n# {title}\n")).unwrap_or_else(|| panic!("no `# {title}` in:\n{text}"));
    let rest = &text[start + title.len() + 4..];
    let end = ["\n# How to answer\n", "\n# The module\n", "\n# The last run\n", "\n# Your task\n"]
        .iter()
        .filter_map(|heading| rest.find(heading))
        .min()
        .unwrap_or(rest.len());
    rest[..end].to_owned()
}

#[test]
fn after_a_failing_run_the_turn_prompt_shows_the_error_and_its_line_and_the_context_is_untouched() {
    let sandbox = agent();
    sandbox.write("ok.py", "def main(moss):\n    moss.count += 1\n");
    assert_exit(&sandbox.exec("agent.py", "ok.py", &[]), 0);
    let context = sandbox.read(".moss/agent.context.json");
    let reply = "Let me count.\n\n```python\ndef main(moss):\n    moss.count = 5\n    print('about to fail')\n    \
                 return moss.count / 0\n```\n";
    sandbox.write("reply.md", reply);
    assert_exit(&sandbox.exec("agent.py", "reply.md", &[]), 1);
    assert_eq!(sandbox.read(".moss/agent.context.json"), context, "the failed run changed the context");

    let text = turn(&sandbox);
    assert_eq!(sandbox.read(".moss/agent.context.json"), context, "moss prompt changed the context");
    let last = part(&text, "The last run");
    assert!(last.contains("It failed, so nothing it set on `moss` was kept."), "{last}");
    assert!(last.contains("```python\ndef main(moss):\n    moss.count = 5\n"), "the code is shown: {last}");
    assert!(last.contains("The error (exception): ZeroDivisionError: division by zero\n"), "{last}");
    assert!(last.contains("It was raised at line 4 of your code: `return moss.count / 0`"), "{last}");
    assert!(last.contains("about to fail"), "what it printed before failing: {last}");
    assert!(!last.contains("What changed"), "a failed run changed nothing: {last}");
}

#[test]
fn after_a_successful_run_the_turn_prompt_shows_its_output_return_value_and_changes() {
    let sandbox = agent();
    let first = turn(&sandbox);
    assert_eq!(part(&first, "The last run").trim(), "None yet: this is the first run.");
    sandbox.write("ok.py", "def main(moss):\n    moss.count += 1\n    moss.note = 'hi'\n    print('counted')\n    return {'n': moss.count}\n");
    assert_exit(&sandbox.exec("agent.py", "ok.py", &[]), 0);
    let last = part(&turn(&sandbox), "The last run");
    assert!(last.starts_with("\nIt succeeded.\n"), "{last}");
    assert!(last.contains("```text\ncounted\n```"), "{last}");
    assert!(last.contains("`main` returned: {\"n\":1}"), "{last}");
    // The code found `count` at its default: it changed it, from 0.
    assert!(last.contains("- moss.note set to 'hi'\n- moss.count changed from 0 to 1"), "{last}");

    sandbox.write("again.py", "def main(moss):\n    moss.count += 1\n    del moss.note\n");
    assert_exit(&sandbox.exec("agent.py", "again.py", &[]), 0);
    let last = part(&turn(&sandbox), "The last run");
    assert!(last.contains("It printed nothing.") && last.contains("`main` returned None."), "{last}");
    assert!(last.contains("- moss.count changed from 1 to 2\n- moss.note removed (it was 'hi')"), "{last}");
}

#[test]
fn a_prose_reply_exits_3_no_code_and_the_next_turn_prompt_asks_for_code() {
    let sandbox = agent();
    let out = sandbox
        .moss()
        .args(["exec", "agent.py", "--code", "-"])
        .write_stdin("I would count one more, by adding one to the count.\n")
        .output()
        .unwrap();
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("there is no code"), "{}", stderr(&out));
    let last = part(&turn(&sandbox), "The last run");
    assert!(last.contains("Nothing ran: there is no code in standard input: the reply is prose"), "{last}");
    assert!(last.contains("Answer with code this time: one ```python block that defines `def main(moss):`"), "{last}");
}

#[test]
fn the_module_view_inside_the_turn_prompt_is_byte_identical_to_moss_prompt() {
    let sandbox = Sandbox::with(&["loop/robot.py"]);
    let view = prompt(&sandbox, "robot.py", &[]);
    assert_exit(&view, 0);
    let view = stdout(&view);
    let out = prompt(&sandbox, "robot.py", &["--task", "Drive a square.", "--target", "drive"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains(&format!("# The module\n\n```python\n{view}```\n")), "the module view differs:\n{text}");
    let order: Vec<usize> = ["# How to answer", "# The module", "# The last run", "# Your task\n\nDrive a square.\n"]
        .iter()
        .map(|heading| text.find(heading).unwrap_or_else(|| panic!("no {heading:?} in:\n{text}")))
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "parts out of order: {order:?}");
    assert!(text.ends_with("Drive a square.\n"), "{text}");
    let how = part(&text, "How to answer");
    assert!(how.contains("defines `def drive(moss):`") && how.contains("appended to the module"), "{how}");
    assert!(how.contains("only when the run succeeds") && how.contains("Decimal"), "{how}");
    assert!(!text.contains("def main(moss)"), "the target is drive:\n{text}");
}

#[test]
fn a_moss_agent_ghost_gives_its_persona_and_instruction_at_the_top() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py"]);
    let out = prompt(&sandbox, "agent.py", &["--task", "Say hello and spin.", "--stats"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("You are SpheroGPT, a small robot whose body is a ball"), "{text}");
    let instruction = text.find("1. Talk with the user warmly").expect("the instruction");
    assert!(instruction < text.find("# How to answer").unwrap(), "{text}");
    assert!(!text.contains("MossAgent("), "the hidden region stays hidden:\n{text}");
    let stats = stderr(&out);
    for name in ["persona", "instructions", "<source>", "Ball", "last-run", "task"] {
        assert!(stats.lines().any(|line| line.split_whitespace().nth(1) == Some(name)), "no {name} in:\n{stats}");
    }

    let plain = agent();
    let text = turn(&plain);
    assert!(text.starts_with("# How to answer\n\n"), "no ghost, no persona: {text}");
    let ghost = "\n# <moss-hide>\nclass Older:\n    persona = 'You count.'\n    instructions = 'Count by ones.'\n\n\n\
                 __ghost__ = Older()\n# </moss-hide>\n";
    plain.write("agent.py", format!("{AGENT}{ghost}"));
    let text = turn(&plain);
    assert!(
        text.starts_with("You count.\n\nCount by ones.\n\n# How to answer\n"),
        "`instructions`, as older GhostOS: {text}"
    );
}

#[test]
fn a_project_template_lays_out_the_turn_and_an_unknown_placeholder_is_an_error_naming_it() {
    let sandbox = agent();
    sandbox.write("pyproject.toml", "[tool.moss]\nprompt-template = \"prompts/turn.txt\"\n");
    sandbox.write(
        "prompts/turn.txt",
        "{persona}\n\nTASK: {task}\nCALL {target}\n{{literal}} {\"json\": 1}\n{module}---\n{last_run}\n",
    );
    let text = turn(&sandbox);
    let view = stdout(&prompt(&sandbox, "agent.py", &[]));
    assert_eq!(
        text,
        format!("TASK: {TASK}\nCALL main\n{{literal}} {{\"json\": 1}}\n{view}---\nNone yet: this is the first run.\n")
    );

    sandbox.write("prompts/turn.txt", "{task}\n\nSee {modul}.\n");
    let out = prompt(&sandbox, "agent.py", &["--task", TASK]);
    assert_exit(&out, 2);
    let error = stderr(&out);
    assert!(error.contains("turn.txt:3 uses the unknown placeholder {modul}"), "{error}");
    assert!(error.contains("{module}") && error.contains("{last_run}"), "the hint lists the placeholders: {error}");
    assert_exit(&prompt(&sandbox, "agent.py", &[]), 0);

    sandbox.write("pyproject.toml", "[tool.moss]\nprompt-template = \"missing.txt\"\n");
    let out = prompt(&sandbox, "agent.py", &["--task", TASK]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("cannot read the prompt template") && stderr(&out).contains("missing.txt"));
}

#[test]
fn the_turn_prompt_ends_in_exactly_one_newline_whatever_the_template_file_ends_in() {
    let sandbox = agent();
    assert!(turn(&sandbox).ends_with(&format!("\n\n{TASK}\n")), "the shipped layout ends with the task's line");
    sandbox.write("pyproject.toml", "[tool.moss]\nprompt-template = \"turn.txt\"\n");
    for template in ["Task: {task}", "Task: {task}\n", "Task: {task}\n\n\n"] {
        sandbox.write("turn.txt", template);
        assert_eq!(turn(&sandbox), format!("Task: {TASK}\n"), "from the template {template:?}");
    }
}

#[test]
fn the_task_comes_from_text_a_file_or_standard_input_and_an_empty_one_is_refused() {
    let sandbox = agent();
    let from_text = turn(&sandbox);
    sandbox.write("task.txt", format!("\n{TASK}\n\n"));
    let from_file = prompt(&sandbox, "agent.py", &["--task-file", "task.txt"]);
    assert_exit(&from_file, 0);
    assert_eq!(stdout(&from_file), from_text);
    let from_stdin = sandbox
        .moss()
        .env("XDG_CACHE_HOME", sandbox.path("cache"))
        .args(["prompt", "agent.py", "--task-file", "-"])
        .write_stdin(TASK)
        .output()
        .unwrap();
    assert_exit(&from_stdin, 0);
    assert_eq!(stdout(&from_stdin), from_text);

    let empty = sandbox.moss().args(["prompt", "agent.py", "--task-file", "-"]).write_stdin(" \n").output().unwrap();
    assert_exit(&empty, 2);
    assert!(stderr(&empty).contains("the task is empty"), "{}", stderr(&empty));
    let both = prompt(&sandbox, "agent.py", &["--task", "a", "--task-file", "task.txt"]);
    assert_exit(&both, 2);
    assert_exit(&prompt(&sandbox, "agent.py", &["--task-file", "nope.txt"]), 2);
    assert_exit(&prompt(&sandbox, "agent.py", &["--target", "plan"]), 2);
}

#[test]
fn a_task_file_loses_its_byte_order_mark_and_windows_line_endings() {
    let sandbox = agent();
    let from_text = prompt(&sandbox, "agent.py", &["--task", "Count one more.\nThen stop."]);
    assert_exit(&from_text, 0);
    sandbox.write("task.txt", "\u{feff}Count one more.\r\nThen stop.\r\n");
    let from_file = prompt(&sandbox, "agent.py", &["--task-file", "task.txt"]);
    assert_exit(&from_file, 0);
    assert_eq!(stdout(&from_file), stdout(&from_text));
}

#[test]
fn stats_json_and_the_token_budget_cover_the_whole_turn_prompt() {
    let sandbox = agent();
    let view = prompt(&sandbox, "agent.py", &["--json"]);
    assert_exit(&view, 0);
    let view: Value = serde_json::from_slice(&view.stdout).unwrap();
    let out = prompt(&sandbox, "agent.py", &["--task", TASK, "--json"]);
    assert_exit(&out, 0);
    let whole: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(whole["prompt"], turn(&sandbox));
    let names: Vec<&str> = whole["sections"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["instructions", "<source>", "Parent", "last-run", "task"]);
    let (view_tokens, whole_tokens) = (view["tokens"].as_u64().unwrap(), whole["tokens"].as_u64().unwrap());
    assert!(whole_tokens > view_tokens + 100, "{whole_tokens} vs {view_tokens}");

    let budget = (whole_tokens - 1).to_string();
    let over = prompt(&sandbox, "agent.py", &["--task", TASK, "--max-tokens", &budget]);
    assert_exit(&over, 1);
    assert!(stderr(&over).contains(&format!("the prompt is {whole_tokens} tokens")), "{}", stderr(&over));
    assert!(stderr(&over).contains("instructions ("), "the biggest part is named: {}", stderr(&over));
    assert!(over.stdout.is_empty());
    assert_exit(&prompt(&sandbox, "agent.py", &["--max-tokens", &budget]), 0);
    assert_exit(&prompt(&sandbox, "agent.py", &["--task", TASK, "--max-tokens", &whole_tokens.to_string()]), 0);
}

#[test]
fn the_instructions_say_that_prose_outside_the_code_reaches_no_one_so_print_it() {
    let sandbox = agent();
    let how = part(&turn(&sandbox), "How to answer");
    assert!(how.contains("text outside the ```python block is shown to no one"), "{how}");
    assert!(how.contains("`print()` it in the code"), "{how}");
}

#[test]
fn over_the_budget_the_hint_fits_the_biggest_part_the_last_runs_output() {
    let sandbox = agent();
    sandbox
        .write("loud.py", "def main(moss):\n    for n in range(400):\n        print('line', n, 'of a long report')\n");
    assert_exit(&sandbox.exec("agent.py", "loud.py", &[]), 0);
    let over = prompt(&sandbox, "agent.py", &["--task", TASK, "--max-tokens", "100"]);
    assert_exit(&over, 1);
    let said = stderr(&over);
    assert!(said.contains("the biggest sections: last-run ("), "{said}");
    assert!(said.contains("the last run takes the most") && said.contains("code that prints less"), "{said}");
    assert!(!said.contains("moss-hide"), "the module is not what is long: {said}");
}

#[test]
fn the_tool_schema_is_json_and_a_tool_call_in_its_shape_runs() {
    let sandbox = agent();
    let schema = |extra: &[&str]| {
        let out = sandbox.moss().arg("prompt").args(extra).output().unwrap();
        assert_exit(&out, 0);
        serde_json::from_slice::<Value>(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&out)))
    };
    let openai = schema(&["--tool-schema"]);
    assert_eq!(openai["type"], "function");
    let function = &openai["function"];
    let parameters = &function["parameters"];
    assert_eq!(parameters["required"], json!(["code"]));
    assert_eq!(parameters["properties"]["code"]["type"], "string");
    assert_eq!(schema(&["--tool-schema=openai"]), openai);
    let described = schema(&["--tool-schema", "agent.py", "--target", "plan"]);
    let description = described["function"]["description"].as_str().unwrap();
    assert!(description.contains("`agent.py`") && description.contains("def plan(moss):"), "{description}");

    let name = function["name"].as_str().unwrap();
    let code = "def main(moss):\n    moss.count += 2\n    return moss.count\n";
    let arguments = json!({"code": code}).to_string();
    let reply = json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}]}}]});
    let run = sandbox.moss().args(["exec", "agent.py", "--code", "-"]).write_stdin(reply.to_string()).output().unwrap();
    assert_exit(&run, 0);
    assert_eq!(stdout(&run).trim(), "2");

    let anthropic = schema(&["--tool-schema=anthropic"]);
    assert_eq!(anthropic["input_schema"], *parameters);
    let reply = json!({"role": "assistant", "content": [{"type": "text", "text": "Counting."},
        {"type": "tool_use", "id": "toolu_1", "name": anthropic["name"], "input": {"code": code}}]});
    let run = sandbox.moss().args(["exec", "agent.py", "--code", "-"]).write_stdin(reply.to_string()).output().unwrap();
    assert_exit(&run, 0);
    assert_eq!(stdout(&run).trim(), "4");

    let spaced = sandbox.moss().args(["prompt", "--tool-schema", "anthropic"]).output().unwrap();
    assert_exit(&spaced, 2);
    assert!(stderr(&spaced).contains("--tool-schema=anthropic"), "{}", stderr(&spaced));
    assert_exit(&sandbox.moss().args(["prompt", "--tool-schema", "nope.py"]).output().unwrap(), 4);
    assert_exit(&sandbox.moss().args(["prompt"]).output().unwrap(), 2);
    assert_exit(&sandbox.moss().args(["prompt", "--tool-schema", "--task", "x"]).output().unwrap(), 2);
}

/// A context of another MOSS file is refused by `moss prompt` as `moss exec` refuses it: its
/// properties and its journal's last run are not this file's, and a loop given the wrong
/// `--context` learns it before the model answers, not after.
#[test]
fn another_moss_files_context_is_refused_as_exec_refuses_it() {
    let sandbox = agent();
    sandbox.write("other.py", AGENT);
    sandbox.write("count.py", "def main(moss):\n    moss.count += 1\n");
    assert_exit(&sandbox.exec("agent.py", "count.py", &["--context", "shared.json"]), 0);
    let exec = sandbox.exec("other.py", "count.py", &["--context", "shared.json"]);
    assert_exit(&exec, 4);
    for extra in [&["--context", "shared.json"][..], &["--context", "shared.json", "--task", TASK]] {
        let out = prompt(&sandbox, "other.py", extra);
        assert_exit(&out, 4);
        assert!(stderr(&out).contains("the context file shared.json belongs to ./agent.py"), "{}", stderr(&out));
    }
    assert_exit(&prompt(&sandbox, "agent.py", &["--context", "shared.json", "--task", TASK]), 0);
}
