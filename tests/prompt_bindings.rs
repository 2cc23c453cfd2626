//! A prompt is read from the types: `moss prompt` and `moss test`'s prompt check build it for a
//! `Moss` whose typed attributes nothing binds, while running code still needs every binding.

mod common;

use std::process::Output;

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::Value;

/// fixtures/prompt/bindings: `clock: Clock` (abstract, bound only by the configured provider),
/// `notebook: Notebook` (an `Injection` its `__moss_compile__` binds).
fn clock_sandbox() -> Sandbox {
    Sandbox::with(&["prompt/bindings/agent.py", "prompt/bindings/clock.py", "prompt/bindings/gen.py"])
}

fn prompt(sandbox: &Sandbox, file: &str, extra: &[&str]) -> Output {
    sandbox.moss().env("XDG_CACHE_HOME", sandbox.path("cache")).arg("prompt").arg(file).args(extra).output().unwrap()
}

fn moss_test(sandbox: &Sandbox, file: &str) -> Value {
    let out = sandbox.moss().env("CI", "true").args(["test", "--json", file]).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    doc["files"][0].clone()
}

#[test]
fn the_spherogpt_prompt_needs_no_device_and_is_the_same_as_with_one() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py"]);
    let without = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&without, 0);
    let with_sim = prompt(&sandbox, "agent.py", &["--device", "sim"]);
    assert_exit(&with_sim, 0);
    assert!(stdout(&without).contains("class Ball(ABC):"), "{}", stdout(&without));
    assert_eq!(stdout(&without), stdout(&with_sim), "the prompt must not depend on the robot being bound");
}

#[test]
fn an_unbound_abstract_hint_prompts_exactly_as_when_a_provider_binds_it() {
    let sandbox = clock_sandbox();
    let unbound = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&unbound, 0);
    let text = stdout(&unbound);
    assert!(text.contains("# <attr name=\"Clock\" module=\"clock\">\nclass Clock(ABC):"), "{text}");
    assert!(text.contains("def write(self, note: str) -> None: ..."), "the attr prompts hook ran:\n{text}");
    let diagnostics = stderr(&unbound);
    // `__moss_compile__` gets a real container and binds the notebook, which is injected; the
    // clock nothing binds is simply absent while the prompt is built.
    for expected in ["compiling with a Container", "on_inject notebook", "moss.clock is absent", "on_destroy"] {
        assert!(diagnostics.contains(expected), "missing {expected:?} in:\n{diagnostics}");
    }

    sandbox.write("moss.toml", "providers = ['clock:providers']\n");
    let bound = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&bound, 0);
    assert!(stderr(&bound).contains("moss.clock is set"), "{}", stderr(&bound));
    assert_eq!(text, stdout(&bound), "binding the clock must not change the prompt");
}

#[test]
fn exec_still_refuses_to_run_code_when_a_hint_is_unbound() {
    let sandbox = clock_sandbox();
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &[]);
    assert_exit(&out, 4);
    assert_eq!(result["error"]["type"], "BindingMissing", "{result}");
    assert!(common::error_message(&result).contains("Moss.clock: Clock"), "{result}");
    assert_eq!(result["stdout"], "", "the code must not run: {result}");
    assert!(!sandbox.exists(&Sandbox::context_name("agent")), "nothing is saved");

    sandbox.write("moss.toml", "providers = ['clock:providers']\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["stdout"], "the code ran\n", "{result}");
}

#[test]
fn moss_test_checks_the_prompt_without_bindings_and_fails_only_the_cases_that_need_them() {
    let sandbox = clock_sandbox();
    let file = moss_test(&sandbox, "agent.py");
    assert_eq!(file["checks"], serde_json::json!([]), "compile and prompt checks pass: {file}");
    assert_eq!(file["no_cases"], true, "{file}");

    let sandbox = Sandbox::with(&["spherogpt/with_tests.py"]);
    let file = moss_test(&sandbox, "with_tests.py");
    assert_eq!(file["checks"], serde_json::json!([]), "compile and prompt checks pass: {file}");
    let case = &file["cases"][0];
    assert_eq!(case["name"], "test_spins", "{file}");
    assert_eq!(case["outcome"], "failed", "{file}");
    assert_eq!(case["error"]["type"], "BindingMissing", "{file}");
    assert!(case["error"]["hint"].as_str().unwrap_or_default().contains("--device sim"), "{file}");
}

#[test]
fn a_module_prompt_hook_runs_and_reading_an_unbound_attribute_fails_as_any_unset_one() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "robot.py",
        "from sphero_bolt import Ball\nfrom ghostos_moss import Moss as Parent\n\n\n\
         class Moss(Parent):\n    body: Ball\n\n\n\
         # <moss-hide>\n\
         def __moss_module_prompt__(prompter):\n\
         \x20   return prompter.dump_module_prompt() + '# custom\\n'\n\
         # </moss-hide>\n",
    );
    let out = prompt(&sandbox, "robot.py", &[]);
    assert_exit(&out, 0);
    assert!(stdout(&out).ends_with("# custom\n") && stdout(&out).contains("class Ball(ABC):"), "{}", stdout(&out));

    sandbox.write(
        "reads_body.py",
        "from sphero_bolt import Ball\nfrom ghostos_moss import Moss as Parent\n\n\n\
         class Moss(Parent):\n    body: Ball\n\n\n\
         # <moss-hide>\n\
         def __moss_compiled__(moss):\n\
         \x20   print(f'the body is a {type(moss.body).__name__}')\n\
         # </moss-hide>\n",
    );
    let out = prompt(&sandbox, "reads_body.py", &[]);
    assert_exit(&out, 4);
    assert!(stderr(&out).contains("AttributeError") && stderr(&out).contains("body"), "{}", stderr(&out));
    let out = prompt(&sandbox, "reads_body.py", &["--device", "sim"]);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("the body is a BoltBall"), "{}", stderr(&out));
}
