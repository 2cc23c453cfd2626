//! What a successful run imports: nothing that only errors need, and nothing a MOSS file that
//! does not import it should pay for. `inspect`, `traceback`, `linecache` (with `tokenize`), `dis`
//! and `ast` are imported when an error is described or the code asks for them; `typing` (with
//! `re` and `enum`) only when the MOSS file or its libraries use it; `_ast` (whose first use readies
//! all of CPython's syntax-tree types, a seventh of a light prompt) not even for a prompt. No timing: the modules
//! loaded are compared with what the interpreter's own start-up loads, in a clean virtual
//! environment (a system site-packages may hold `.pth` start-up hooks that import `typing` and
//! `re` themselves, which would hide what moss imports).

mod common;

use common::*;

const LIGHT: &str = "bench/light/agent.py";

/// Modules only an error report (or a prompt's reflection) needs, then what `typing` imports.
const NOT_FOR_SUCCESS: [&str; 14] = [
    "inspect",
    "tokenize",
    "traceback",
    "linecache",
    "dis",
    "ast",
    "_ast",
    "textwrap",
    "typing",
    "re",
    "enum",
    "importlib",
    "warnings",
    "contextvars",
];

/// The modules of NOT_FOR_SUCCESS the interpreter's start-up (`site`, `.pth` hooks) loads by itself,
/// before moss does anything: moss cannot be blamed for those.
fn loaded_at_start(sb: &Sandbox, venv: &std::path::Path) -> Vec<String> {
    let probe = format!("import sys; print(' '.join(m for m in {NOT_FOR_SUCCESS:?} if m in sys.modules))");
    let out = sb.moss().env("VIRTUAL_ENV", venv).args(["python", "-c", &probe]).output().unwrap();
    assert_exit(&out, 0);
    stdout(&out).split_whitespace().map(str::to_owned).collect()
}

#[test]
fn a_successful_run_imports_none_of_the_modules_only_errors_need() {
    let sb = Sandbox::with(&[LIGHT]);
    let code = format!(
        "import sys\n\ndef main(moss):\n    moss.total += moss.meter.distance(3, 4)\n    \
         return [m for m in {NOT_FOR_SUCCESS:?} if m in sys.modules]\n"
    );
    sb.write("gen.py", code);
    let venv = pythons::make_venv(&sb, pythons::build_minor(), "clean-venv");
    let exec = ["exec", "agent.py", "--code", "gen.py", "--json", "--cold"];
    let out = sb.moss().env("VIRTUAL_ENV", &venv).args(exec).output().unwrap();
    let result = parse_result(&out);
    assert_exit(&out, 0);
    let at_start = loaded_at_start(&sb, &venv);
    let loaded: Vec<&str> = result["returns"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let by_moss: Vec<&&str> = loaded.iter().filter(|m| !at_start.iter().any(|s| s == *m)).collect();
    assert!(by_moss.is_empty(), "a successful run imported {by_moss:?} (the interpreter's start-up: {at_start:?})");
    assert_eq!(sb.properties("agent")["total"], 5.0, "the run did its work and saved it");
}

#[test]
fn a_successful_prompt_imports_no_syntax_tree() {
    let sb = Sandbox::with(&[LIGHT]);
    let venv = pythons::make_venv(&sb, pythons::build_minor(), "clean-venv");
    // The interpreter notes each import on stderr (`import 'name' # ...`), which the prompt passes on.
    let out =
        sb.moss().env("VIRTUAL_ENV", &venv).env("PYTHONVERBOSE", "1").args(["prompt", "agent.py"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("<attr name=\"Parent\""), "the prompt explains the imports: {}", stdout(&out));
    let notes = stderr(&out);
    let imported: Vec<&str> =
        notes.lines().filter_map(|line| line.strip_prefix("import '")?.split('\'').next()).collect();
    assert!(imported.contains(&"_moss.visibility"), "the notes are read: {imported:?}");
    let at_start = loaded_at_start(&sb, &venv);
    let syntax_tree: Vec<&&str> =
        imported.iter().filter(|m| ["_ast", "ast"].contains(m) && !at_start.iter().any(|s| s == *m)).collect();
    assert!(syntax_tree.is_empty(), "a successful prompt imported {syntax_tree:?}");
}

#[test]
fn an_error_still_shows_the_lines_of_code_that_has_no_file() {
    let sb = Sandbox::with(&[LIGHT]);
    let code = "def main(moss):\n    return helper()\n\ndef helper():\n    return {}['no such key']\n";
    let out =
        sb.moss().args(["exec", "agent.py", "--code", "-", "--json", "--cold"]).write_stdin(code).output().unwrap();
    assert_exit(&out, 1);
    let result = parse_result(&out);
    assert_eq!(result["error"]["type"], "KeyError");
    assert_eq!(result["error"]["file"], "<stdin>");
    assert_eq!(result["error"]["line"], 5);
    let traceback = result["error"]["traceback"].as_str().unwrap();
    assert!(traceback.contains("return helper()"), "the caller's line is quoted: {traceback}");
    assert!(traceback.contains("return {}['no such key']"), "the failing line is quoted: {traceback}");
}

#[test]
fn code_that_formats_its_own_traceback_sees_its_lines() {
    let sb = Sandbox::with(&[LIGHT]);
    let code = "def main(moss):\n    try:\n        1 / 0\n    except ZeroDivisionError:\n        \
                import traceback\n        return traceback.format_exc()\n";
    let out =
        sb.moss().args(["exec", "agent.py", "--code", "-", "--json", "--cold"]).write_stdin(code).output().unwrap();
    assert_exit(&out, 0);
    let formatted = parse_result(&out)["returns"].as_str().unwrap().to_owned();
    assert!(formatted.contains("File \"<stdin>\", line 3"), "{formatted}");
    assert!(formatted.contains("1 / 0"), "the code's own line is quoted: {formatted}");
}
