//! Building `moss` from a MOSS file: class-level defaults, `__moss_compile__` bindings (values,
//! factories, providers, locals, direct injections), missing bindings, `Injection` lifecycle and
//! the `__moss_compiled__` hook.

mod common;

use common::*;
use serde_json::json;

#[test]
fn compile_hook_bindings_fill_the_type_hints() {
    let sb = Sandbox::with(&["inject/bound.py", "inject/code/use_bindings.py"]);
    let (out, result) = sb.exec_json("bound.py", "use_bindings.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(
        result["returns"],
        json!({
            "ball": "the red ball rolls",
            "clock": "12:00",
            "log": "[log]",
            "greeting": "hello from the host",
            "robot": "bolt",
        })
    );
}

#[test]
fn injected_values_are_not_saved_in_the_context() {
    let sb = Sandbox::with(&["inject/bound.py", "inject/code/use_bindings.py"]);
    let (out, _) = sb.exec_json("bound.py", "use_bindings.py", &[]);
    assert_exit(&out, 0);
    let properties = sb.properties("bound");
    assert_eq!(properties, json!({"count": 1}), "only the plain property is stored");
}

#[test]
fn an_unbound_type_hint_exits_4_naming_it_and_runs_no_code() {
    let sb = Sandbox::with(&["inject/unbound.py", "exec/code/announce.py"]);
    let (out, result) = sb.exec_json("unbound.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "BindingMissing");
    let message = error_message(&result);
    assert!(message.contains("lamp"), "names the attribute: {message}");
    assert!(message.contains("Lamp"), "names the type: {message}");
    assert_eq!(result["stdout"], "", "the generated code must not run");
    assert!(!sb.exists(&Sandbox::context_name("unbound")), "nothing was saved");

    let out = sb.exec("unbound.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_eq!(stdout(&out), "", "the generated code must not run");
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("error: ") && l.contains("lamp") && l.contains("Lamp")), "{err}");
    assert!(err.lines().any(|l| l.starts_with("hint: ")), "{err}");
}

#[test]
fn a_binding_added_to_the_file_fixes_the_missing_one() {
    let sb = Sandbox::with(&["inject/unbound.py", "exec/code/announce.py"]);
    let mut source = fixture_text("inject/unbound.py");
    source.push_str("\n\ndef __moss_compile__(compiler):\n    compiler.bind(Lamp, Lamp())\n");
    sb.write("unbound.py", source);
    let out = sb.exec("unbound.py", "announce.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "the generated code ran\nmain ran\n\"done\"\n");
}

#[test]
fn injections_are_told_when_injected_and_destroyed_and_the_compiled_hook_runs_between() {
    let sb = Sandbox::with(&["inject/lifecycle.py", "inject/code/sensor_ok.py"]);
    let (out, result) = sb.exec_json("lifecycle.py", "sensor_ok.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "sensor", "on_inject received the attribute name");
    assert_eq!(
        result["stdout"],
        "on_inject sensor into Moss\n\
         compiled hook sees count=0 and sensor=sensor\n\
         main reads 21\n\
         on_destroy sensor\n"
    );
}

#[test]
fn the_compiled_hook_sees_restored_properties() {
    let sb = Sandbox::with(&["inject/lifecycle.py", "inject/code/sensor_ok.py"]);
    assert_exit(&sb.exec("lifecycle.py", "sensor_ok.py", &[]), 0);
    assert_exit(&sb.exec("lifecycle.py", "sensor_ok.py", &[]), 0);
    let (out, result) = sb.exec_json("lifecycle.py", "sensor_ok.py", &[]);
    assert_exit(&out, 0);
    let printed = result["stdout"].as_str().unwrap();
    assert!(printed.contains("compiled hook sees count=2 "), "{printed}");
}

#[test]
fn on_destroy_runs_even_when_the_code_raised() {
    let sb = Sandbox::with(&["inject/lifecycle.py", "inject/code/sensor_raise.py"]);
    let (out, result) = sb.exec_json("lifecycle.py", "sensor_raise.py", &[]);
    assert_exit(&out, 1);
    assert_error_kind(&result, "exception");
    assert_eq!(result["error"]["type"], "RuntimeError");
    let printed = result["stdout"].as_str().unwrap();
    assert!(printed.ends_with("main fails\non_destroy sensor\n"), "{printed}");
}

#[test]
fn an_on_destroy_error_whose_str_raises_is_a_warning_not_a_bug_in_moss() {
    let sb = Sandbox::with(&["inject/code/sensor_ok.py"]);
    let source = fixture_text("inject/lifecycle.py").replace(
        "        print(f\"on_destroy {self.attr}\")",
        "        class Odd(Exception):\n            def __str__(self):\n                raise RuntimeError('no text')\n\n        \
         raise Odd()",
    );
    sb.write("lifecycle.py", source);
    let (out, result) = sb.exec_json("lifecycle.py", "sensor_ok.py", &[]);
    assert_exit(&out, 0);
    let warnings = result["warnings"].to_string();
    assert!(
        warnings.contains("moss.sensor.on_destroy() raised Odd: <str() of this Odd raised RuntimeError>"),
        "{warnings}"
    );
}

#[test]
fn a_file_without_a_moss_class_gets_the_base_moss() {
    let sb = Sandbox::with(&["inject/no_moss_class.py", "inject/code/base_moss.py"]);
    let (out, result) = sb.exec_json("no_moss_class.py", "base_moss.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], true);
    assert_eq!(sb.properties("no_moss_class"), json!({"area": 12.57}));
}

#[test]
fn class_level_values_are_the_defaults_of_the_properties() {
    let sb = Sandbox::with(&["context/typed.py"]);
    sb.write("peek.py", "def main(moss):\n    return [moss.count, moss.ratio, moss.enabled, moss.label, moss.nothing, moss.items, moss.table, list(moss.pos), moss.home.x]\n");
    let (out, result) = sb.exec_json("typed.py", "peek.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!([0, 0.5, false, "start", null, [], {}, [1, 2], 0]));
}

#[test]
fn mutable_defaults_are_fresh_in_every_run() {
    // Appending to a class-level list must not leak into the class default of the next run.
    let sb = Sandbox::with(&["context/typed.py"]);
    sb.write(
        "append.py",
        "def main(moss):\n    moss.items.append('x')\n    return [len(moss.items), len(Moss.items)]\n",
    );
    let (out, result) = sb.exec_json("typed.py", "append.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!([1, 0]));
}

#[test]
fn a_type_hint_filled_by_injects_needs_no_binding() {
    let sb = Sandbox::with(&["inject/injects_instead.py", "inject/code/switch_on.py"]);
    let (out, result) = sb.exec_json("injects_instead.py", "switch_on.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "light");
    assert_eq!(sb.properties("injects_instead"), json!({}), "an injected value is not a property");
}

#[test]
fn a_failing_compile_hook_exits_4_pointing_at_its_line() {
    let sb = Sandbox::with(&["inject/failing_hook.py", "exec/code/announce.py"]);
    let (out, result) = sb.exec_json("failing_hook.py", "announce.py", &[]);
    assert_exit(&out, 4);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "KeyError");
    let line = line_of("inject/failing_hook.py", "SETTINGS[\"port\"]");
    assert!(
        result["error"]["traceback"].as_str().unwrap().contains(&format!("failing_hook.py\", line {line}")),
        "{result}"
    );
    assert_eq!(result["stdout"], "", "no generated code ran");
}
