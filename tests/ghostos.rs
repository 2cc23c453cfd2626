//! GhostOS's SpheroGPT file, in each of its published shapes, runs unchanged: its prompt, its
//! `run` on the simulated BOLT, `moss test`, its `MossAgent` and its providers hook.

mod common;

use common::{Sandbox, assert_exit, stdout};
use serde_json::{Value, json};

/// The file's published versions, as edits of today's (`fixtures/spherogpt/agent.py`: `ghostos_moss`
/// with `__matrix_providers__`): the older `ghostos.core.moss` with `__shell_providers__`, with
/// `instruction=` and then with `instructions=`.
const VARIANTS: [&[(&str, &str)]; 3] = [
    &[],
    &[
        ("from ghostos_moss import Moss as Parent", "from ghostos.core.moss import Moss as Parent"),
        ("def __matrix_providers__():", "def __shell_providers__():"),
    ],
    &[
        ("from ghostos_moss import Moss as Parent", "from ghostos.core.moss import Moss as Parent"),
        ("def __matrix_providers__():", "def __shell_providers__():"),
        ("    instruction=\"\"\"", "    instructions=\"\"\""),
    ],
];

fn bolt_gpt(variant: &[(&str, &str)]) -> Sandbox {
    let sandbox = Sandbox::with(&["spherogpt/gen.py"]);
    let source = variant.iter().fold(common::fixture_text("spherogpt/agent.py"), |text, (from, to)| {
        assert!(text.contains(from), "the SpheroGPT fixture has `{from}`");
        text.replacen(from, to, 1)
    });
    sandbox.write("bolt_gpt.py", source);
    sandbox
}

#[test]
fn its_prompt_hides_the_hidden_region_and_reflects_the_bolt_api() {
    for variant in VARIANTS {
        let sandbox = bolt_gpt(variant);
        let out = sandbox.moss().args(["prompt", "bolt_gpt.py", "--device", "sim"]).output().unwrap();
        assert_exit(&out, 0);
        let text = stdout(&out);
        for shown in ["class Ball(ABC):", "class Move(ABC):", "class LedMatrix(ABC):", "def example_spin_the_bolt("] {
            assert!(text.contains(shown), "{variant:?}: {shown:?} missing in:\n{text}");
        }
        for hidden in ["MossAgent", "__ghost__", "SpheroGPT", "providers", "SpheroBolt"] {
            assert!(!text.contains(hidden), "{variant:?}: {hidden:?} shown in:\n{text}");
        }
    }
}

#[test]
fn its_run_spins_the_simulated_bolt_a_full_turn() {
    for variant in VARIANTS {
        let sandbox = bolt_gpt(variant);
        let (out, result) = sandbox.exec_json(
            "bolt_gpt.py",
            "gen.py",
            &["--target", "run", "--device", "sim", "--device-trace", "trace.jsonl"],
        );
        assert_exit(&out, 0);
        let trace = String::from_utf8(sandbox.read("trace.jsonl")).unwrap();
        let headings: Vec<u64> = trace
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|p| p["dir"] == "tx" && p["did"] == 0x16 && p["cid"] == 0x07)
            .map(|p| {
                let data = hex::decode(p["data"].as_str().unwrap()).unwrap();
                u64::from(data[1]) << 8 | u64::from(data[2])
            })
            .collect();
        assert!(headings.iter().any(|h| *h > 300), "{variant:?}: the heading passes 300°: {headings:?}");
        assert_eq!(result["device"]["heading"], 0, "{variant:?}: the turn closes at 360° = 0°: {result}");
    }
}

#[test]
fn without_a_device_its_robot_is_a_missing_binding_saying_to_pass_device() {
    for variant in VARIANTS {
        let sandbox = bolt_gpt(variant);
        let (out, result) = sandbox.exec_json("bolt_gpt.py", "gen.py", &["--target", "run"]);
        assert_exit(&out, 4);
        assert_eq!(result["error"]["type"], "BindingMissing", "{variant:?}: {result}");
        assert!(result["error"]["hint"].as_str().unwrap().contains("--device sim"), "{variant:?}: {result}");
    }
}

#[test]
fn moss_test_passes_its_checks_and_says_it_has_no_cases() {
    let sandbox = bolt_gpt(VARIANTS[0]);
    let out = sandbox.moss().env("CI", "true").args(["test", "bolt_gpt.py", "--device", "sim"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("PASS  bolt_gpt.py (no test cases: only the compile and prompt checks ran)"));
}

#[test]
fn its_moss_agent_keeps_what_it_was_given_whichever_instruction_keyword() {
    for variant in VARIANTS {
        let sandbox = bolt_gpt(variant);
        sandbox.write(
            "agent_fields.py",
            "def main(moss):\n    g = __ghost__\n    return [g.name, g.moss_module, g.instruction.split()[:3], g.persona.split()[:3]]\n",
        );
        let (out, result) = sandbox.exec_json("bolt_gpt.py", "agent_fields.py", &["--device", "sim", "--no-context"]);
        assert_exit(&out, 0);
        assert_eq!(
            result["returns"],
            json!(["SpheroGPT", "bolt_gpt", ["1.", "Talk", "with"], ["You", "are", "SpheroGPT,"]]),
            "{variant:?}"
        );
    }
}

#[test]
fn a_moss_agent_without_an_instruction_or_with_two_is_refused_by_name() {
    let sandbox = Sandbox::with(&["spherogpt/gen.py"]);
    for (keywords, file) in [("", "none.py"), ("instruction='a', instructions='b', ", "both.py")] {
        sandbox.write(
            file,
            format!(
                "from ghostos_moss import Moss\n# <moss-hide>\nfrom ghostos.ghosts.moss_agent import MossAgent\n\
                 __ghost__ = MossAgent(name='x', persona='p', {keywords}moss_module=__name__)\n# </moss-hide>\n"
            ),
        );
        let (out, result) = sandbox.exec_json(file, "gen.py", &["--target", "run"]);
        assert_exit(&out, 4);
        assert!(
            result["error"]["message"].as_str().unwrap().contains("MossAgent takes its instruction once"),
            "{result}"
        );
    }
}

#[test]
fn the_providers_hook_registers_what_it_yields_without_a_device() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "greeter.py",
        "from ghostos_moss import Moss as Parent\n\n\nclass Greeter:\n    def greet(self, name: str) -> str:\n\
         \x20       return 'hello ' + name\n\n\nclass Moss(Parent):\n    greeter: Greeter\n\n\n# <moss-hide>\n\
         def __matrix_providers__():\n    from ghostos_container import provide\n\
         \x20   yield provide(Greeter)(lambda container: Greeter())\n# </moss-hide>\n",
    );
    sandbox.write("greet.py", "def main(moss):\n    return moss.greeter.greet('ada')\n");
    let (out, result) = sandbox.exec_json("greeter.py", "greet.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "hello ada");
}

#[test]
fn a_providers_hook_returning_something_else_is_refused_naming_it() {
    let sandbox = Sandbox::with(&["spherogpt/gen.py"]);
    sandbox.write(
        "odd.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\ndef __shell_providers__():\n    return [42]\n# </moss-hide>\n",
    );
    let (out, result) = sandbox.exec_json("odd.py", "gen.py", &["--target", "run"]);
    assert_exit(&out, 4);
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("__shell_providers__() returned 42, which is not a provider"), "{result}");
}

#[test]
fn the_runtime_provider_gives_the_bolt_that_the_ball_drives() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "bolt.py",
        "from ghostos.prototypes.spherogpt.bolt import Ball, SpheroBoltRuntime\nfrom ghostos_moss import Moss as Parent\n\n\n\
         class Moss(Parent):\n    body: Ball\n    runtime: SpheroBoltRuntime\n\n\n# <moss-hide>\n\
         def __matrix_providers__():\n    from ghostos.prototypes.spherogpt.bolt import (\n\
         \x20       SpheroBoltBallAPIProvider, ShellSpheroBoltRuntimeProvider, SpheroBoltLedMatrixProvider)\n\
         \x20   return [SpheroBoltBallAPIProvider(), ShellSpheroBoltRuntimeProvider(), SpheroBoltLedMatrixProvider()]\n\
         # </moss-hide>\n",
    );
    sandbox.write("same.py", "def main(moss):\n    return moss.body.bolt is moss.runtime\n");
    let (out, result) = sandbox.exec_json("bolt.py", "same.py", &["--device", "sim", "--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], true, "{result}");
    let (out, result) = sandbox.exec_json("bolt.py", "same.py", &["--no-context"]);
    assert_exit(&out, 4);
    assert_eq!(result["error"]["type"], "BindingMissing", "{result}");
}

#[test]
fn a_moss_whose_only_robot_is_the_bolt_runtime_is_told_to_pass_device_too() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "runtime_only.py",
        "from ghostos.prototypes.spherogpt.bolt import SpheroBoltRuntime\nfrom ghostos_moss import Moss as Parent\n\n\n\
         class Moss(Parent):\n    bolt: SpheroBoltRuntime\n",
    );
    sandbox.write("gen.py", "def main(moss):\n    return 1\n");
    let (out, result) = sandbox.exec_json("runtime_only.py", "gen.py", &[]);
    assert_exit(&out, 4);
    assert_eq!(result["error"]["type"], "BindingMissing", "{result}");
    assert!(result["error"]["hint"].as_str().unwrap_or_default().contains("--device sim"), "{result}");
}
