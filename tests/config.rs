//! Project configuration: `[tool.moss]` / `moss.toml` found by walking up, `MOSS_*` variables
//! over the file, flags over both, and `moss config` saying where each value came from.

mod common;

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::Value;

const AGENT: &str = "from ghostos_moss import Moss\n";

/// A folder holding `agent.py`, the configuration file `file` with `settings`, and `gen.py`.
fn configured(file: &str, settings: &str, code: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write(file, settings);
    sandbox.write("agent.py", AGENT);
    sandbox.write("gen.py", code);
    sandbox
}

fn config_json(sandbox: &Sandbox, file: &str, env: &[(&str, &str)]) -> Value {
    let mut cmd = sandbox.moss();
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.args(["config", file, "--json"]).output().unwrap();
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}: {}", stdout(&out)))
}

#[test]
fn tool_moss_is_found_by_walking_up_and_paths_are_relative_to_the_file() {
    let sandbox = Sandbox::new();
    sandbox.write("pyproject.toml", "[project]\nname = 'x'\n\n[tool.moss]\ncontext-dir = 'state'\ntimeout = 12\n");
    sandbox.write("agents/deep/agent.py", AGENT);
    let report = config_json(&sandbox, "agents/deep/agent.py", &[]);
    let root = sandbox.root().canonicalize().unwrap();
    assert_eq!(report["file"], root.join("pyproject.toml").to_str().unwrap());
    assert_eq!(report["settings"]["timeout"]["value"], 12.0);
    // Under context-dir, the file's folder relative to the configuration file's.
    assert_eq!(report["context"], root.join("state/agents/deep/agent.context.json").to_str().unwrap());

    sandbox.write("agents/deep/gen.py", "def main(moss):\n    moss.count = 1\n");
    assert_exit(&sandbox.exec("agents/deep/agent.py", "agents/deep/gen.py", &[]), 0);
    assert!(sandbox.exists("state/agents/deep/agent.context.json"), "the context went to context-dir");
    let shown = sandbox.context_cmd("path", &["agents/deep/agent.py"]);
    assert!(stdout(&shown).trim().ends_with("state/agents/deep/agent.context.json"), "{}", stdout(&shown));
}

#[test]
fn a_pyproject_without_tool_moss_is_passed_over_and_moss_toml_wins_beside_one() {
    let sandbox = Sandbox::new();
    sandbox.write("moss.toml", "timeout = 7\n");
    sandbox.write("app/pyproject.toml", "[project]\nname = 'app'\n");
    sandbox.write("app/agent.py", AGENT);
    let report = config_json(&sandbox, "app/agent.py", &[]);
    assert!(report["file"].as_str().unwrap().ends_with("moss.toml"), "{report}");
    assert_eq!(report["settings"]["timeout"]["value"], 7.0);

    sandbox.write("app/pyproject.toml", "[tool.moss]\ntimeout = 3\n");
    sandbox.write("app/moss.toml", "timeout = 5\n");
    let report = config_json(&sandbox, "app/agent.py", &[]);
    assert_eq!(report["settings"]["timeout"]["value"], 5.0);
}

#[test]
fn the_environment_overrides_the_file_and_a_flag_overrides_both() {
    let code = "import time\ndef main(moss):\n    time.sleep(2)\n    return 'slept'\n";
    let sandbox = configured("moss.toml", "timeout = 0.5\n", code);

    let report = config_json(&sandbox, "agent.py", &[("MOSS_TIMEOUT", "30")]);
    assert_eq!(report["settings"]["timeout"], serde_json::json!({"value": 30.0, "source": "$MOSS_TIMEOUT"}));

    // File: 0.5 s stops the run. Environment: 30 s lets it finish. Flag: 0.5 s beats the variable.
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 124);
    assert_eq!(result["error"]["kind"], "timeout");
    let out = sandbox
        .moss()
        .env("MOSS_TIMEOUT", "30")
        .args(["exec", "agent.py", "--code", "gen.py", "--no-context"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = sandbox
        .moss()
        .env("MOSS_TIMEOUT", "30")
        .args(["exec", "agent.py", "--code", "gen.py", "--no-context", "--timeout", "0.5"])
        .output()
        .unwrap();
    assert_exit(&out, 124);
}

/// The simulated robot's name and the context path of `moss exec --json` with `env` and `flags`.
fn robot_and_context(sandbox: &Sandbox, env: &[(&str, &str)], flags: &[&str]) -> (String, String) {
    let mut cmd = sandbox.moss();
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out =
        cmd.args(["exec", "agent.py", "--code", "gen.py", "--target", "run", "--json"]).args(flags).output().unwrap();
    let result = common::parse_result(&out);
    assert_exit(&out, 0);
    let path = result["context"]["path"].as_str().unwrap();
    let file = std::path::Path::new(path).file_name().unwrap().to_string_lossy().into_owned();
    (result["device"]["name"].as_str().unwrap().to_owned(), file)
}

#[test]
fn the_device_and_the_context_come_from_the_flag_then_the_environment_then_the_file() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/gen.py"]);
    sandbox.write("moss.toml", "device = \"sim:SB-F11E\"\ncontext-dir = \"from-file\"\n");
    assert_eq!(robot_and_context(&sandbox, &[], &[]), ("SB-F11E".into(), "agent.context.json".into()));
    let env = [("MOSS_DEVICE", "sim:SB-E4A1"), ("MOSS_CONTEXT", "from-env.json")];
    assert_eq!(robot_and_context(&sandbox, &env, &[]), ("SB-E4A1".into(), "from-env.json".into()));
    let flags = ["--device", "sim:SB-F1A6", "--context", "from-flag.json"];
    assert_eq!(robot_and_context(&sandbox, &env, &flags), ("SB-F1A6".into(), "from-flag.json".into()));
    assert!(sandbox.exists("from-file/agent.context.json") && sandbox.exists("from-env.json"));
    assert!(sandbox.exists("from-flag.json"));
}

#[test]
fn moss_device_and_moss_context_choose_the_robot_and_the_context_file() {
    let sandbox = Sandbox::with(&["spherogpt/agent.py", "spherogpt/gen.py"]);
    let out = sandbox
        .moss()
        .env("MOSS_DEVICE", "sim")
        .env("MOSS_CONTEXT", "elsewhere.json")
        .args(["exec", "agent.py", "--code", "gen.py", "--target", "run", "--json"])
        .output()
        .unwrap();
    let result = common::parse_result(&out);
    assert_exit(&out, 0);
    assert!(result["device"]["packets_sent"].as_u64().unwrap() > 0, "{result}");
    assert!(result["context"]["path"].as_str().unwrap().ends_with("elsewhere.json"), "{result}");
    assert!(sandbox.exists("elsewhere.json"));
}

#[test]
fn python_path_and_providers_bind_a_project_service_for_every_run() {
    let sandbox = Sandbox::new();
    sandbox.write("moss.toml", "python-path = ['lib']\nproviders = ['services:providers']\n");
    sandbox.write(
        "lib/services.py",
        "from ghostos_container import Provider\n\n\
         class Clock:\n    def now(self) -> str:\n        return 'noon'\n\n\
         class ClockProvider(Provider[Clock]):\n    def factory(self, container):\n        return Clock()\n\n\
         def providers():\n    return [ClockProvider()]\n",
    );
    sandbox.write("agent.py", "from ghostos_moss import Moss as Parent\nfrom services import Clock\n\nclass Moss(Parent):\n    clock: Clock\n");
    sandbox.write("gen.py", "def main(moss):\n    return moss.clock.now()\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "noon");

    // Without the configuration nothing binds `clock`, and the file cannot even import services.
    std::fs::remove_file(sandbox.path("moss.toml")).unwrap();
    let (out, _) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 4);
}

#[test]
fn a_provider_that_fails_is_reported_with_the_configuration_to_fix() {
    let sandbox =
        configured("moss.toml", "providers = ['no_such_module:providers']\n", "def main(moss):\n    return 1\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 4);
    assert_eq!(result["error"]["type"], "ProviderFailed", "{result}");
    assert!(result["error"]["message"].as_str().unwrap().contains("no_such_module:providers"), "{result}");
    assert!(result["error"]["hint"].as_str().unwrap().contains("moss config"), "{result}");
}

#[test]
fn allow_imports_in_the_file_blocks_imports_and_the_flag_replaces_it() {
    let code = "import json\ndef main(moss):\n    return json.dumps(1)\n";
    let sandbox = configured("pyproject.toml", "[tool.moss]\nallow-imports = ['math']\n", code);
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 1);
    assert_eq!(result["error"]["type"], "ImportError");
    assert!(result["error"]["message"].as_str().unwrap().contains("math"), "{result}");
    let (out, _) = sandbox.exec_json("agent.py", "gen.py", &["--no-context", "--allow-import", "json"]);
    assert_exit(&out, 0);
    let prompt = sandbox.moss().args(["prompt", "agent.py"]).output().unwrap();
    assert!(stdout(&prompt).contains("math"), "the prompt states the configured rule: {}", stdout(&prompt));
}

#[test]
fn an_invalid_configuration_is_a_usage_error_naming_the_file_and_the_key() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", AGENT);
    sandbox.write("gen.py", "def main(moss):\n    return 1\n");
    for (text, needle) in [
        ("timeout = 'soon'\n", "timeout"),
        ("time-out = 3\n", "time-out"),
        ("providers = ['just_a_module']\n", "just_a_module"),
        ("timeout = -1\n", "timeout"),
        ("[broken\n", "moss.toml"),
    ] {
        sandbox.write("moss.toml", text);
        let out = sandbox.exec("agent.py", "gen.py", &["--no-context"]);
        assert_exit(&out, 2);
        let message = stderr(&out);
        assert!(
            message.contains("moss.toml") && message.contains(needle) && message.contains("hint:"),
            "{text}: {message}"
        );
    }
    std::fs::remove_file(sandbox.path("moss.toml")).unwrap();
    let out =
        sandbox.moss().env("MOSS_TIMEOUT", "soon").args(["exec", "agent.py", "--code", "gen.py"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("MOSS_TIMEOUT=soon"), "{}", stderr(&out));
}

#[test]
fn moss_config_prints_each_value_with_its_source() {
    let sandbox = Sandbox::new();
    sandbox.write("moss.toml", "timeout = 9\n");
    sandbox.write("agent.py", AGENT);
    let out = sandbox.moss().env("MOSS_DEVICE", "sim").args(["config", "agent.py"]).output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("timeout = 9.0  # ") && text.contains("moss.toml"), "{text}");
    assert!(text.contains("device = \"sim\"  # $MOSS_DEVICE"), "{text}");
    assert!(text.contains("# allow-imports is not set: every import is allowed"), "{text}");
    assert!(text.contains("context = ") && text.contains("# default"), "{text}");
}

#[test]
fn a_time_limit_too_long_for_any_timer_is_a_usage_error_from_every_source() {
    let sandbox = configured("moss.toml", "timeout = 1e20\n", "def main(moss):\n    return 1\n");
    let out = sandbox.moss().args(["exec", "agent.py", "--code", "gen.py", "--json"]).output().unwrap();
    assert_exit(&out, 2);
    let result = common::parse_result(&out);
    assert_eq!(result["error"]["kind"], "usage", "{result}");
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("moss.toml") && message.contains("more than a year"), "{result}");

    std::fs::remove_file(sandbox.path("moss.toml")).unwrap();
    let out = sandbox
        .moss()
        .env("MOSS_TIMEOUT", "1e20")
        .args(["exec", "agent.py", "--code", "gen.py", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let result = common::parse_result(&out);
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("MOSS_TIMEOUT=1e20") && message.contains("more than a year"), "{result}");

    let out = sandbox.moss().args(["exec", "agent.py", "--code", "gen.py", "--timeout", "1e20"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("more than a year"), "{}", stderr(&out));
}

#[test]
fn a_bad_setting_fails_only_the_commands_that_use_it_and_never_one_whose_flag_overrides_it() {
    let sandbox = configured("moss.toml", "", "def main(moss):\n    import json\n    return json.dumps(1)\n");
    let bad = [
        ("", &[("MOSS_TIMEOUT", "soon")][..], &["--timeout", "5"][..]),
        ("timeout = -1\n", &[], &["--timeout", "5"]),
        ("timeout = 'soon'\n", &[("MOSS_TIMEOUT", "5")], &[]),
        ("allow-imports = 'json'\n", &[], &["--allow-import", "json"]),
        ("", &[("MOSS_DEVICE", "toaster")], &["--device", "sim"]),
    ];
    for (file, env, flags) in bad {
        sandbox.write("moss.toml", file);
        let moss = |words: &[&str]| sandbox.moss().envs(env.iter().copied()).args(words).output().unwrap();
        let exec = moss(&[&["exec", "agent.py", "--code", "gen.py"][..], flags].concat());
        assert_exit(&exec, 0);
        let prompt = moss(&[&["prompt", "agent.py"][..], flags].concat());
        assert_exit(&prompt, 0);
        for words in [&["context", "show", "agent.py"][..], &["log", "agent.py"], &["context", "path", "agent.py"]] {
            assert_exit(&moss(words), 0);
        }
    }
    // Nothing above it: the bad value is the run's, refused naming the file and the key.
    sandbox.write("moss.toml", "allow-imports = 'json'\n");
    let out = sandbox.exec("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("moss.toml: allow-imports: \"json\" is not a list"), "{}", stderr(&out));
}

/// A path setting of the wrong type stops only the commands that read it, each saying what to
/// write; the others, and `moss config`, go on with the rest of the file.
#[test]
fn a_bad_path_setting_fails_only_the_commands_that_read_it() {
    let sandbox = configured("moss.toml", "", "def main(moss):\n    moss.n = 1\n");
    assert_exit(&sandbox.exec("agent.py", "gen.py", &[]), 0);
    let context = sandbox.read(".moss/agent.context.json");
    /// The file's words; commands that do not read the bad setting; one that does; its problem.
    type Case<'a> = (&'a str, &'a [&'a [&'a str]], &'a [&'a str], &'a str);
    let cases: [Case; 4] = [
        (
            "prompt-template = 3\n",
            &[&["exec", "agent.py", "--code", "gen.py", "--no-context"], &["prompt", "agent.py"]],
            &["prompt", "agent.py", "--task", "go"],
            "prompt-template: 3 is not a path",
        ),
        (
            "python-path = 'lib'\n",
            &[&["context", "show", "agent.py"], &["log", "agent.py"]],
            &["exec", "agent.py", "--code", "gen.py"],
            "python-path: \"lib\" is not a list of folders",
        ),
        (
            "providers = ['nocolon']\n",
            &[&["context", "show", "agent.py"]],
            &["prompt", "agent.py"],
            "providers: `nocolon` is not `module:callable`",
        ),
        (
            "context-dir = 3\n",
            &[&["exec", "agent.py", "--code", "gen.py", "--context", "other.json"]],
            &["exec", "agent.py", "--code", "gen.py"],
            "context-dir: 3 is not a path",
        ),
    ];
    for (file, unaffected, affected, problem) in cases {
        sandbox.write("moss.toml", file);
        for words in unaffected {
            let out = sandbox.moss().args(*words).output().unwrap();
            assert_exit(&out, 0);
        }
        let out = sandbox.moss().args(affected).output().unwrap();
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(&format!("moss.toml: {problem}")), "{file}: {}", stderr(&out));
        let out = sandbox.moss().args(["config", "agent.py"]).output().unwrap();
        assert_exit(&out, 2);
        let key = file.split(' ').next().unwrap();
        assert!(
            stdout(&out).contains(&format!("invalid: {}", problem.split_once(": ").unwrap().1)),
            "{}",
            stdout(&out)
        );
        assert!(stdout(&out).contains("# timeout is not set") && !stdout(&out).contains("none of its values"), "{key}");
    }
    // As any Python moss cannot use: the run's `module` error (python.md).
    sandbox.write("moss.toml", "python = 3\n");
    let out = sandbox.exec("agent.py", "gen.py", &[]);
    assert_exit(&out, 4);
    assert!(stderr(&out).contains("moss.toml: python: 3 is not a path"), "{}", stderr(&out));
    assert_exit(&sandbox.moss().args(["context", "show", "agent.py"]).output().unwrap(), 0);
    assert_eq!(sandbox.read(".moss/agent.context.json"), context, "no failure touched the context");
}

#[test]
fn moss_config_shows_a_bad_value_saying_it_is_invalid_with_the_rest() {
    let sandbox = configured("moss.toml", "timeout = 9\ndevice = 'toaster'\n", "");
    let out = sandbox.moss().env("MOSS_TIMEOUT", "soon").args(["config", "agent.py"]).output().unwrap();
    assert_exit(&out, 2);
    let text = stdout(&out);
    assert!(text.contains("timeout = \"soon\"  # $MOSS_TIMEOUT, invalid: `soon` is not a number"), "{text}");
    assert!(text.contains("device = \"toaster\"  # ") && text.contains("invalid: `toaster` is not a device"), "{text}");
    assert!(text.contains("# allow-imports is not set") && text.contains("# runs Python"), "the rest: {text}");
    let errors = stderr(&out);
    assert!(errors.contains("error: MOSS_TIMEOUT=soon") && errors.contains("moss.toml: device:"), "{errors}");

    let out = sandbox.moss().env("MOSS_TIMEOUT", "soon").args(["config", "agent.py", "--json"]).output().unwrap();
    assert_exit(&out, 2);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["settings"]["timeout"]["value"], "soon", "{report}");
    assert!(report["settings"]["timeout"]["error"].as_str().unwrap().contains("MOSS_TIMEOUT=soon"), "{report}");
    assert_eq!(report["settings"]["device"]["value"], "toaster", "{report}");
    assert!(report["context"].as_str().unwrap().ends_with("agent.context.json"), "{report}");

    // A file that cannot be read at all: the rest is still shown, and the file's error said.
    sandbox.write("moss.toml", "time-out = 3\n");
    let out = sandbox.moss().env("MOSS_DEVICE", "sim").args(["config", "agent.py"]).output().unwrap();
    assert_exit(&out, 2);
    let text = stdout(&out);
    assert!(text.contains("moss.toml, invalid: none of its values is used"), "{text}");
    assert!(text.contains("device = \"sim\"  # $MOSS_DEVICE") && text.contains("# runs Python"), "{text}");
    assert!(stderr(&out).contains("time-out"), "{}", stderr(&out));
    let out = sandbox.moss().args(["config", "--json"]).output().unwrap();
    assert_exit(&out, 2);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["file_error"].as_str().unwrap().contains("time-out"), "{report}");
}
