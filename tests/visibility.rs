//! Which names a MOSS file binds in code the model reads is found by the binary's parser
//! (`_moss_native.source_bindings`), not by CPython's `ast`, whose first use costs a prompt a
//! seventh of its work. The binary must find what CPython's parser found: tests/oracle/bindings.py
//! keeps the algorithm it replaced, and runs both on every Python file under fixtures/ and on the
//! edge cases below.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{Value, json};

/// Sources that files do not show well: line endings, characters CPython refuses, a syntax error.
const EDGE_CASES: [(&str, &str); 9] = [
    ("a lone CR", "import os\rshown = 1\n"),
    (
        "lone CRs around a hidden region",
        "import os\r# <moss-hide>\rimport sys\rsecret = 1\r# </moss-hide>\rshown = 2\r",
    ),
    ("CRLF line ends", "import os\r\n# <moss-hide>\r\nimport sys\r\nsecret = 1\r\n# </moss-hide>\r\nshown = 2\r\n"),
    ("a NUL", "import os\nshown = '\0'\n"),
    ("a byte order mark", "\u{feff}import os\nshown = 1\n"),
    ("a syntax error", "import os\nshown = (\n"),
    ("a statement ending in ;", "a = 1;\n# <moss-hide>\nb = 2;\n# </moss-hide>\n"),
    ("an unclosed hidden region", "import os\n# <moss-hide>\nimport sys\nsecret = 1\n"),
    ("no code", ""),
];

fn python_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            python_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "py") {
            found.push(path);
        }
    }
}

/// For each (name, source): what the old algorithm and the binary find, run by `moss python`.
fn both_readings(sandbox: &Sandbox, cases: &[(String, String)]) -> Vec<Value> {
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/bindings.py");
    let input = serde_json::to_string(cases).unwrap();
    let out = sandbox.moss().arg("python").arg(&oracle).write_stdin(input).output().unwrap();
    assert_exit(&out, 0);
    let readings: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    assert_eq!(readings.len(), cases.len(), "one reading per source");
    readings
}

fn disagreements(readings: &[Value]) -> Vec<String> {
    readings
        .iter()
        .filter(|r| r["oracle"] != r["binary"])
        .map(|r| format!("{}:\n  CPython's ast: {}\n  the binary:    {}", r["name"], r["oracle"], r["binary"]))
        .collect()
}

#[test]
fn the_binary_finds_the_bindings_cpythons_parser_found() {
    let mut files = Vec::new();
    python_files(&fixture(""), &mut files);
    files.sort();
    // A source reaches the prompt as text: a file that is not UTF-8 (a declared Latin-1 one) has none.
    let mut cases: Vec<(String, String)> = files
        .iter()
        .filter_map(|path| Some((path.display().to_string(), String::from_utf8(std::fs::read(path).ok()?).ok()?)))
        .collect();
    let snippets = cases.iter().filter(|(name, _)| name.contains("fixtures/visibility/")).count();
    assert!(snippets >= 4, "the snippets of fixtures/visibility are read");
    cases.extend(EDGE_CASES.iter().map(|(name, source)| (name.to_string(), source.to_string())));

    let readings = both_readings(&Sandbox::new(), &cases);
    let differing = disagreements(&readings);
    assert!(
        differing.is_empty(),
        "{} of {} sources read differently:\n{}",
        differing.len(),
        cases.len(),
        differing.join("\n")
    );
    let binding = readings.iter().filter(|r| r["binary"]["defined"].as_array().is_some_and(|d| !d.is_empty()));
    assert!(binding.count() > cases.len() / 2, "most sources bind names: the comparison compares something");
}

#[test]
fn the_snippets_bind_what_each_rule_says() {
    let cases: Vec<(String, String)> = ["statements", "definitions", "matching", "hidden_regions", "headers"]
        .iter()
        .map(|name| (name.to_string(), fixture_text(&format!("visibility/{name}.py"))))
        .collect();
    let readings = both_readings(&Sandbox::new(), &cases);
    let reading = |name: &str| readings.iter().find(|r| r["name"] == name).unwrap()["binary"].clone();
    let has = |reading: &Value, part: &str, name: &str| reading[part].as_array().unwrap().contains(&json!(name));

    let statements = reading("statements");
    for name in ["loop_var", "rest", "handle", "two", "error", "line", "cond", "other_cond", "k", "j", "o", "s", "t"] {
        assert!(has(&statements, "defined", name), "statements.py binds {name}: {statements}");
    }
    for name in ["u", "v", "w", "exc_type", "kk"] {
        assert!(
            !has(&statements, "defined", name),
            "statements.py does not bind {name} (lambda, except type, module global): {statements}"
        );
    }
    let relative = json!(["kin", "cousin", "kin", null, 2, true]);
    assert!(statements["imports"].as_array().unwrap().contains(&relative), "{statements}");

    let definitions = reading("definitions");
    for name in ["from_function", "from_inner", "from_local_class", "from_class", "from_deep", "multi_line_decorator"] {
        assert!(has(&definitions, "defined", name), "definitions.py binds {name}: {definitions}");
    }
    for name in ["half_hidden_decorators", "hidden_function", "from_hidden_function", "HiddenClass"] {
        assert!(has(&definitions, "hidden", name), "definitions.py hides {name}: {definitions}");
    }
    assert!(!has(&definitions, "defined", "default_walrus"), "a default value is not read: {definitions}");

    let matching = reading("matching");
    for name in ["subject", "first", "others", "value", "remaining", "px", "py", "number", "text_value"] {
        assert!(has(&matching, "defined", name), "matching.py binds {name}: {matching}");
    }
    assert!(!has(&matching, "defined", "guard"), "a guard is not read: {matching}");

    let hidden = reading("hidden_regions");
    let imports: Vec<&str> = hidden["imports"].as_array().unwrap().iter().map(|i| i[0].as_str().unwrap()).collect();
    assert_eq!(imports, ["visible_module", "shown", "also_shown", "*"], "{hidden}");
    for name in
        ["hidden_module", "concealed", "renamed", "*", "value", "hidden_in_if", "hidden_in_block", "Secret", "both"]
    {
        assert!(has(&hidden, "hidden", name), "hidden_regions.py hides {name}: {hidden}");
    }

    let headers = reading("headers");
    for name in ["with_shown", "with_hidden", "for_first", "for_hidden", "while_hidden", "if_first", "if_hidden"] {
        assert!(has(&headers, "hidden", name), "headers.py hides {name}, on a header with a hidden line: {headers}");
    }
    for name in ["case_hidden", "case_shown", "case_half_hidden", "except_hidden", "in_hidden_block"] {
        assert!(has(&headers, "hidden", name), "headers.py hides {name}: {headers}");
    }
    for name in ["other_capture", "except_shown", "loop_shown"] {
        assert!(has(&headers, "defined", name), "headers.py binds {name} visibly: {headers}");
    }
}

/// CPython 3.12 reads f-strings that the binary's parser does not know (PEP 701): such a file
/// binds nothing visibly, as one with a syntax error, so none of its names is explained.
#[test]
fn syntax_newer_than_the_binarys_parser_explains_nothing() {
    let sandbox = Sandbox::new();
    let venv = pythons::make_venv(&sandbox, 12, "venv-3.12");
    let moss_file = |greeting: &str| {
        format!("from ghostos_moss import Moss as Parent\n\nGREETING = {greeting}\n\n\nclass Moss(Parent):\n    pass\n")
    };
    let newer = moss_file("f\"{'a' + \"b\"}\"");
    let older = moss_file("f\"{'a' + 'b'}\"");
    let cases = [("newer".to_owned(), newer.clone()), ("older".to_owned(), older.clone())];
    let input = serde_json::to_string(&cases).unwrap();
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/bindings.py");
    let out = sandbox.moss().env("VIRTUAL_ENV", &venv).arg("python").arg(&oracle).write_stdin(input).output().unwrap();
    assert_exit(&out, 0);
    let readings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let empty = json!({"imports": [], "defined": [], "hidden": []});
    assert_eq!(readings[0]["binary"], empty, "{}", readings[0]);
    assert_ne!(readings[0]["oracle"], empty, "CPython 3.12 reads it: {}", readings[0]);
    assert_eq!(readings[1]["binary"], readings[1]["oracle"], "{}", readings[1]);

    let prompt = |source: &str| {
        sandbox.write("agent.py", source);
        let out = sandbox.moss().env("VIRTUAL_ENV", &venv).args(["prompt", "agent.py"]).output().unwrap();
        assert_exit(&out, 0);
        stdout(&out)
    };
    let explained = "<attr name=\"Parent\"";
    assert!(prompt(&older).contains(explained), "an f-string both parsers read: the import is explained");
    let prompt = prompt(&newer);
    assert!(prompt.contains("GREETING = f\"{'a' + \"b\"}\""), "the source is shown: {prompt}");
    assert!(!prompt.contains(explained), "nothing of it is explained: {prompt}");
}
