//! `moss prompt`: what the model reads. Each reflection rule, aliases, the hooks, hidden
//! regions, the parser fallback, determinism, the token budget, and the outline cache.

mod common;

use std::process::Output;

use common::{Sandbox, assert_exit, stderr, stdout};
use serde_json::Value;

fn reflect_sandbox() -> Sandbox {
    Sandbox::with(&["prompt/reflect/tools.py", "prompt/reflect/agent.py"])
}

fn prompt(sandbox: &Sandbox, file: &str, extra: &[&str]) -> Output {
    sandbox.moss().env("XDG_CACHE_HOME", sandbox.path("cache")).arg("prompt").arg(file).args(extra).output().unwrap()
}

/// The text of the `<attr>` section named `name`, or None.
fn section(prompt: &str, name: &str) -> Option<String> {
    let open = format!("# <attr name=\"{name}\"");
    let start = prompt.find(&open)?;
    let end = prompt[start..].find("# </attr>")? + start;
    Some(prompt[start..end].to_owned())
}

#[test]
fn source_is_shown_without_hidden_regions_or_markers() {
    let sandbox = reflect_sandbox();
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("from math import sqrt\n"), "{text}");
    assert!(text.contains("class Moss(Parent):\n    helper: Plain"), "{text}");
    assert!(!text.contains("HIDDEN_MARKER") && !text.contains("__moss_compile__"), "{text}");
    assert!(!text.contains("moss-hide"), "{text}");
}

#[test]
fn nested_hidden_regions_close_only_when_every_marker_closes() {
    let sandbox = Sandbox::with(&["prompt/hooks/nested_hide.py"]);
    let out = prompt(&sandbox, "nested_hide.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("VISIBLE_BEFORE = 1") && text.contains("VISIBLE_AFTER = 5"), "{text}");
    for hidden in ["HIDDEN_OUTER", "HIDDEN_INNER", "STILL_HIDDEN", "moss-hide"] {
        assert!(!text.contains(hidden), "{hidden} leaked into:\n{text}");
    }
}

#[test]
fn functions_are_signature_docstring_and_pass_never_the_body() {
    let sandbox = reflect_sandbox();
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    let plus = section(&text, "plus").expect("a section for the aliased function");
    assert!(
        plus.contains("def plus(a: int, b: int = 2) -> int:\n    \"\"\"Add two numbers.\"\"\"\n    pass"),
        "{plus}"
    );
    assert!(!text.contains("secret_body_marker"), "a function body leaked:\n{text}");
}

#[test]
fn an_aliased_import_is_shown_under_the_name_the_code_uses_and_labelled_with_its_origin() {
    let sandbox = reflect_sandbox();
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    let plus = section(&text, "plus").unwrap();
    assert!(plus.starts_with("# <attr name=\"plus\" from=\"tools.add\">"), "{plus}");
    assert!(!plus.contains("def add("), "{plus}");
}

#[test]
fn data_and_abstract_classes_are_shown_as_source() {
    let sandbox = reflect_sandbox();
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    for (name, expected) in [
        ("Shape", "class Shape(ABC):\n    \"\"\"A shape.\"\"\"\n\n    @abstractmethod\n    def area(self) -> float:"),
        ("Config", "class Config(BaseModel):\n    \"\"\"Settings.\"\"\"\n\n    name: str = \"x\""),
        ("Point", "@dataclass\nclass Point:\n    x: int = 0"),
        ("Movie", "class Movie(TypedDict):\n    title: str"),
        ("Mood", "class Mood(Enum):\n    HAPPY = 1"),
    ] {
        let body = section(&text, name).unwrap_or_else(|| panic!("no section for {name}:\n{text}"));
        assert!(body.contains(expected), "{name}:\n{body}");
    }
}

#[test]
fn plain_classes_appear_only_when_a_type_hint_or_watching_asks_and_then_as_interface() {
    let sandbox = reflect_sandbox();
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    assert!(section(&text, "Unasked").is_none(), "an unasked plain class was reflected:\n{text}");
    let plain = section(&text, "Plain").expect("the type-hinted class");
    assert!(plain.contains("class Plain:\n    \"\"\"A plain helper, shown only when asked for.\"\"\""), "{plain}");
    assert!(plain.contains("size: int = 3\n    \"\"\"How big it is.\"\"\""), "{plain}");
    assert!(plain.contains("def __init__(self, size: int) -> None:"), "{plain}");
    assert!(
        plain.contains("def grow(self, by: int) -> \"Plain\":\n        \"\"\"Grow it.\"\"\"\n        pass"),
        "{plain}"
    );
    assert!(!plain.contains("plain_body_marker") && !plain.contains("_private"), "{plain}");
    let watched = section(&text, "Watched").expect("the class in __watching__");
    assert!(watched.contains("def look(self) -> str:"), "{watched}");
}

#[test]
fn custom_prompts_typing_aliases_builtins_and_modules() {
    let sandbox = reflect_sandbox();
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    assert!(section(&text, "Described").unwrap().contains("class Described: # custom class prompt"));
    assert!(section(&text, "widget").unwrap().contains("widget = Widget()  # custom object prompt"));
    assert!(section(&text, "Color").unwrap().contains("Color = typing.Literal['red', 'green']"));
    let sqrt = section(&text, "sqrt").expect("a C function by signature");
    assert!(sqrt.contains("def sqrt(x, /):") && sqrt.contains("square root"), "{sqrt}");
    let tools = section(&text, "tools").expect("the imported module's interface");
    assert!(tools.contains("\"\"\"Tools for the agent.\"\"\""), "{tools}");
    assert!(tools.contains("Shape") && tools.contains("see their own sections"), "{tools}");
    assert!(tools.contains("add (as plus)"), "{tools}");
}

#[test]
fn the_moss_base_class_costs_a_few_lines_not_its_source() {
    let sandbox = reflect_sandbox();
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    let base = section(&text, "Parent").expect("a note on the base class");
    assert!(base.contains("main(moss)") && base.contains("persists"), "{base}");
    assert!(base.lines().count() <= 5, "{base}");
    assert!(!base.contains("pprint") && !base.contains("executing_code"), "{base}");
}

#[test]
fn attr_prompt_hook_overrides_hides_and_adds_sections() {
    let sandbox = Sandbox::with(&["prompt/hooks/attr_prompts.py", "prompt/hooks/tools_for_hooks.py"]);
    let out = prompt(&sandbox, "attr_prompts.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(section(&text, "add").is_none(), "an empty prompt must hide `add`:\n{text}");
    assert!(section(&text, "sub").unwrap().contains("subtract, overridden"), "{text}");
    assert!(section(&text, "extra").unwrap().contains("an extra section"), "{text}");
}

#[test]
fn module_prompt_hook_replaces_the_prompt_and_gets_a_working_prompter() {
    let sandbox = Sandbox::with(&["prompt/hooks/module_prompt.py", "prompt/hooks/tools_for_hooks.py"]);
    let out = prompt(&sandbox, "module_prompt.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "CUSTOM PROMPT\nnames: add, Parent\nsource has hidden code: False\n\
         imported block mentions add: True\ndefault is longer than 10: True"
    );
}

#[test]
fn a_file_the_rust_parser_cannot_read_falls_back_to_cpython() {
    // A Latin-1 source file is valid Python (its coding line says so) but not UTF-8.
    let sandbox = Sandbox::with(&["prompt/legacy/agent.py", "prompt/legacy/latin.py"]);
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    let greet = section(&stdout(&out), "greet").expect("a section for greet");
    assert!(greet.contains("def greet(name: str) -> str:"), "{greet}");
    assert!(greet.contains("café style"), "{greet}");
    assert!(!greet.contains("return \"bonjour"), "{greet}");
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let sandbox = reflect_sandbox();
    let first = prompt(&sandbox, "agent.py", &[]);
    let second = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&first, 0);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn json_reports_tokens_sections_and_a_hash_of_the_prompt() {
    let sandbox = reflect_sandbox();
    let plain = stdout(&prompt(&sandbox, "agent.py", &[]));
    let out = prompt(&sandbox, "agent.py", &["--json"]);
    assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["prompt"], plain);
    let tokens = doc["tokens"].as_u64().unwrap();
    assert!(tokens > 100 && tokens < plain.len() as u64, "{tokens} tokens for {} chars", plain.len());
    let sections = doc["sections"].as_array().unwrap();
    assert_eq!(sections[0]["name"], "<source>");
    let plus = sections.iter().find(|s| s["name"] == "plus").expect("a plus section");
    assert_eq!(plus["module"], "tools.add");
    assert_eq!(plus["kind"], "function");
    assert!(plus["tokens"].as_u64().unwrap() > 5);
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn stats_go_to_stderr_and_the_prompt_stays_alone_on_stdout() {
    let sandbox = reflect_sandbox();
    let plain = stdout(&prompt(&sandbox, "agent.py", &[]));
    let out = prompt(&sandbox, "agent.py", &["--stats"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), plain);
    let stats = stderr(&out);
    assert!(stats.contains("<source>") && stats.contains("plus") && stats.contains("total (o200k_base)"), "{stats}");
}

#[test]
fn over_budget_exits_1_naming_the_biggest_sections() {
    let sandbox = reflect_sandbox();
    let out = prompt(&sandbox, "agent.py", &["--max-tokens", "50"]);
    assert_exit(&out, 1);
    assert!(out.stdout.is_empty(), "no prompt on stdout when over budget");
    let err = stderr(&out);
    assert!(err.contains("over the budget of 50") && err.contains("tokens)"), "{err}");
    let within = prompt(&sandbox, "agent.py", &["--max-tokens", "100000"]);
    assert_exit(&within, 0);
}

#[test]
fn a_moss_file_that_fails_to_import_exits_4_with_a_trimmed_traceback() {
    let sandbox = Sandbox::new();
    sandbox.write("broken.py", "from ghostos_moss import Moss\nimport no_such_module_here\n");
    let out = prompt(&sandbox, "broken.py", &[]);
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert!(err.contains("ModuleNotFoundError") && err.contains("broken.py\", line 2"), "{err}");
    assert!(!err.contains("<moss>/") && !err.contains("<frozen"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn prints_of_the_moss_file_do_not_reach_the_prompt() {
    let sandbox = Sandbox::new();
    sandbox.write("noisy.py", "from ghostos_moss import Moss\nprint('LOADING', 'NOISE')\n");
    let out = prompt(&sandbox, "noisy.py", &[]);
    assert_exit(&out, 0);
    assert!(!stdout(&out).contains("LOADING NOISE"));
    assert!(stderr(&out).contains("LOADING NOISE"));
}

#[test]
fn the_outline_cache_is_written_and_reused() {
    let sandbox = reflect_sandbox();
    let first = prompt(&sandbox, "agent.py", &[]);
    let cached: Vec<_> = std::fs::read_dir(sandbox.path("cache/moss/outlines")).expect("a cache folder").collect();
    assert!(!cached.is_empty());
    // A stale entry must not be used: change the file and the prompt follows.
    let tools = String::from_utf8(sandbox.read("tools.py")).unwrap().replace("Add two numbers.", "Add two integers.");
    sandbox.write("tools.py", tools + "\n\n");
    let second = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&second, 0);
    assert!(stdout(&second).contains("Add two integers."));
    assert_ne!(first.stdout, second.stdout);
}

fn special_prompt() -> (String, String) {
    let sandbox = Sandbox::with(&["prompt/special/agent.py", "prompt/special/library.py"]);
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    (stdout(&out), stderr(&out))
}

#[test]
fn an_exporter_shows_the_interface_of_each_exported_name() {
    let (text, _) = special_prompt();
    let exports = section(&text, "Exports").expect("a section for the Exporter");
    assert!(exports.contains("class Exports(Exporter):"), "{exports}");
    assert!(exports.contains("def start(self, power: int = 1) -> None:"), "{exports}");
    assert!(exports.contains("def refuel(litres: float) -> str:"), "{exports}");
    assert!(!exports.contains("engine_body_marker"), "{exports}");
}

#[test]
fn a_magic_prompter_lists_the_matching_names_of_the_module() {
    let (text, _) = special_prompt();
    let tools = section(&text, "tools").expect("a section for the magic prompter");
    assert!(tools.contains("subclasses of Tool in this module: Hammer, Saw"), "{tools}");
}

#[test]
fn a_name_without_source_is_shown_by_signature_with_a_warning() {
    let (text, err) = special_prompt();
    let generated = section(&text, "generated").expect("a section for the generated function");
    assert!(
        generated.contains("def generated(x: int) -> int:") && generated.contains("Made at run time."),
        "{generated}"
    );
    assert!(err.contains("warning: generated: its source was not found"), "{err}");
}

#[test]
fn a_name_whose_reflection_fails_is_left_out_with_a_warning() {
    let (text, err) = special_prompt();
    assert!(section(&text, "Broken").is_none(), "{text}");
    assert!(
        err.contains("warning: Broken was left out of the prompt") && err.contains("this prompt is broken"),
        "{err}"
    );
}

#[test]
fn nothing_bound_only_in_a_hidden_region_reaches_any_prompt_output() {
    let sandbox =
        Sandbox::with(&["prompt/hidden/agent.py", "prompt/hidden/internal_admin.py", "prompt/hidden/shown.py"]);
    let secrets = ["sk-live-secret", "sk_live_module", "hunter2", "drop_all_tables", "SecretTool", "SecretHammer"];
    for flags in [&[][..], &["--json"], &["--stats"]] {
        let out = prompt(&sandbox, "agent.py", flags);
        assert_exit(&out, 0);
        let (text, err) = (stdout(&out), stderr(&out));
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} leaked with {flags:?}:\n{text}");
            assert!(!err.contains(secret), "{secret} leaked on stderr with {flags:?}:\n{err}");
        }
    }
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    assert!(section(&text, "greet").unwrap().contains("def greet(name: str) -> str:"), "{text}");
    assert!(section(&text, "tools").unwrap().contains("subclasses of Tool in this module: Hammer\n"), "{text}");
}

#[test]
fn names_the_file_defines_visibly_are_not_repeated_as_sections() {
    let sandbox =
        Sandbox::with(&["prompt/hidden/agent.py", "prompt/hidden/internal_admin.py", "prompt/hidden/shown.py"]);
    let text = stdout(&prompt(&sandbox, "agent.py", &[]));
    assert!(text.contains("X = list[int]\n"), "{text}");
    assert!(section(&text, "X").is_none(), "a visible assignment was repeated as a section:\n{text}");
}

#[test]
fn a_docstring_line_indented_with_a_no_break_space_is_reflected_not_a_crash() {
    let sb = Sandbox::new();
    // Three spaces, then a no-break space: Python's indentation is the spaces only.
    sb.write(
        "tools.py",
        "def helper() -> int:\n    \"\"\"Count things.\n   \u{a0}Then report them.\n    \"\"\"\n    return 1\n",
    );
    sb.write("agent.py", "from tools import helper\nfrom ghostos_moss import Moss\n");
    let out = sb.moss().args(["prompt", "agent.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("\u{a0}Then report them."), "{}", stdout(&out));
}

#[test]
fn lines_ended_by_lone_carriage_returns_are_lines_and_their_hidden_regions_are_hidden() {
    let sandbox = Sandbox::new();
    let source = "from ghostos_moss import Moss as Parent\r# <moss-hide>\rAPI_KEY = \"sk-live-SECRET-CR\"\r\
                  # </moss-hide>\rclass Moss(Parent):\r    pass\r";
    sandbox.write("agent.py", source);
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("from ghostos_moss import Moss as Parent\nclass Moss(Parent):\n    pass\n"), "{text}");
    assert!(!text.contains("SECRET") && !text.contains("moss-hide"), "{text}");
}

/// `tools.py` for the binding tests: objects that write their own prompt, and a secret function.
const PROMPTED_TOOLS: &str = r#"class Prompted:
    def __init__(self, text):
        self.text = text

    def __prompt__(self):
        return self.text


def helper(a: int) -> int:
    """Public helper."""
    return a


def secret_fn(key: str) -> str:
    """SECRET-DOC: do not show."""
    return key
"#;

#[test]
fn a_name_bound_on_a_hidden_line_of_a_header_written_over_several_lines_is_not_explained() {
    let sandbox = Sandbox::new();
    sandbox.write("tools.py", PROMPTED_TOOLS);
    let source = r#"from ghostos_moss import Moss as Parent
import contextlib
from tools import Prompted

with contextlib.nullcontext(Prompted("SHOWN-with")) as SHOWN_WITH:
    pass

with (
    contextlib.nullcontext(Prompted("ALSO-HIDDEN-with")) as HEADER_SHARED,
    # <moss-hide>
    contextlib.nullcontext(Prompted("LEAK-with")) as WITH_SECRET,
    # </moss-hide>
):
    pass

for (
    FOR_SHARED,
    # <moss-hide>
    FOR_SECRET,
    # </moss-hide>
) in [(Prompted("ALSO-HIDDEN-for"), Prompted("LEAK-for"))]:
    pass

for SHOWN_FOR in [Prompted("SHOWN-for")]:
    # <moss-hide>
    HIDDEN_IN_BLOCK = Prompted("LEAK-block")
    # </moss-hide>

if (
    # <moss-hide>
    IF_SECRET := Prompted("LEAK-walrus")
    # </moss-hide>
):
    pass

match {"k": Prompted("LEAK-capture")}:
    # <moss-hide>
    case {"k": CAPTURED}:
        pass
    # </moss-hide>
    case _:
        pass


class Moss(Parent):
    pass
"#;
    sandbox.write("agent.py", source);
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for name in ["WITH_SECRET", "FOR_SECRET", "IF_SECRET", "CAPTURED", "HIDDEN_IN_BLOCK"] {
        assert!(section(&text, name).is_none(), "{name} is bound on a hidden line: {text}");
    }
    for name in ["HEADER_SHARED", "FOR_SHARED"] {
        assert!(section(&text, name).is_none(), "{name} shares its header with a hidden line: {text}");
    }
    assert!(!text.contains("LEAK-with") && !text.contains("LEAK-walrus") && !text.contains("LEAK-block"), "{text}");
    let shown = |name: &str, prompt: &str| section(&text, name).is_some_and(|s| s.contains(prompt));
    assert!(shown("SHOWN_WITH", "SHOWN-with") && shown("SHOWN_FOR", "SHOWN-for"), "visible headers: {text}");
}

#[test]
fn a_visible_import_rebound_by_a_hidden_import_loses_its_section() {
    let sandbox = Sandbox::new();
    sandbox.write("tools.py", PROMPTED_TOOLS);
    let source = "from ghostos_moss import Moss as Parent\nfrom tools import helper\n\n# <moss-hide>\n\
                  import tools as _t\n_t.helper = _t.secret_fn\nfrom tools import helper\n# </moss-hide>\n\n\n\
                  class Moss(Parent):\n    pass\n";
    sandbox.write("agent.py", source);
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(section(&text, "helper").is_none() && !text.contains("SECRET-DOC"), "{text}");
    assert!(section(&text, "Parent").is_some(), "the other import keeps its section: {text}");
}

#[test]
fn a_hidden_rebinding_spelt_with_a_compatibility_character_takes_the_section_away() {
    // `ＮOTE` (a full-width N) binds `NOTE`, as Python normalises identifiers (NFKC).
    let sandbox = Sandbox::new();
    sandbox.write("tools.py", PROMPTED_TOOLS);
    let source = "from ghostos_moss import Moss as Parent\nfrom tools import Prompted\n\nNOTE = Prompted('shown')\n\n\
                  # <moss-hide>\n\u{ff2e}OTE = Prompted('SECRET-PROMPT')\n# </moss-hide>\n\n\n\
                  class Moss(Parent):\n    pass\n";
    sandbox.write("agent.py", source);
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(section(&text, "NOTE").is_none() && !text.contains("SECRET-PROMPT"), "{text}");
}

/// From Python 3.11 `os` and `posixpath` are frozen modules, whose functions name
/// `<frozen posixpath>` as their file: their source is read from the file the module was frozen
/// from, as for any module, with no warning that it was not found.
#[test]
fn a_function_of_a_frozen_standard_library_module_is_shown_from_its_source() {
    let sandbox = Sandbox::new();
    sandbox.write("agent.py", "from os.path import join\nfrom ghostos_moss import Moss\n");
    let out = prompt(&sandbox, "agent.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "its source was found");
    let join = section(&stdout(&out), "join").unwrap_or_else(|| panic!("no join section: {}", stdout(&out)));
    assert!(join.contains("def join(a, *p):\n    \"\"\"Join two or more pathname components"), "{join}");
}
