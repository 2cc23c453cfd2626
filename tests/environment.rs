//! What the MOSS file can import: modules beside it, the user's installed packages (pydantic),
//! and the packages of an active virtual environment.

mod common;

use std::process::Command;

use common::*;
use serde_json::json;

#[test]
fn a_module_beside_the_moss_file_is_importable() {
    let sb = Sandbox::new();
    sb.copy_as("env/uses_sibling.py", "lib/uses_sibling.py");
    sb.copy_as("env/shapes.py", "lib/shapes.py");
    sb.copy("env/code/area.py");
    // Run from another folder: the MOSS file's own folder must be importable, not the working one.
    let (out, result) = sb.exec_json("lib/uses_sibling.py", "area.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!(9.0));
}

#[test]
fn pydantic_models_work_as_persistent_properties() {
    let check = Command::new("python3").args(["-c", "import pydantic"]).output().expect("python3 runs");
    assert!(check.status.success(), "pydantic must be installed for python3 (CI installs it): {}", stderr(&check));

    let sb = Sandbox::with(&["env/accounts.py", "env/code/visit.py"]);
    let out = sb.exec("accounts.py", "visit.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "{\"name\":\"ada\",\"tags\":[\"visit 1\"]}\n", "a returned model prints as its fields");
    assert_eq!(
        sb.properties("accounts")["profile"],
        json!({"$moss": "pydantic", "class": "accounts:Profile", "data": {"name": "ada", "tags": ["visit 1"]}})
    );

    let (out, result) = sb.exec_json("accounts.py", "visit.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], json!({"name": "ada", "tags": ["visit 1", "visit 2"]}), "restored as a Profile");
    assert_eq!(result["warnings"], json!([]));
    assert_eq!(sb.properties("accounts")["visits"], 2);
}

#[test]
fn packages_of_the_active_virtual_environment_are_importable() {
    let sb = Sandbox::with(&["env/venv_only.py", "env/code/use_venv_package.py"]);
    let venv = sb.path("venv");
    let made = Command::new("python3").args(["-m", "venv", "--without-pip"]).arg(&venv).output().expect("python3 runs");
    assert!(made.status.success(), "python3 -m venv failed: {}", stderr(&made));
    let site = format!("venv/lib/python{}/site-packages/onlyinvenv/__init__.py", python_version());
    sb.write(&site, "WHERE = \"from the virtual environment\"\n");

    let out = sb
        .moss()
        .env("VIRTUAL_ENV", &venv)
        .args(["exec", "venv_only.py", "--code", "use_venv_package.py", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let result = parse_result(&out);
    assert_eq!(result["returns"], "from the virtual environment");
    assert_eq!(result["warnings"], json!([]));

    let out = sb
        .moss()
        .env_remove("VIRTUAL_ENV")
        .args(["exec", "venv_only.py", "--code", "use_venv_package.py", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let result = parse_result(&out);
    assert_error_kind(&result, "module");
    assert_eq!(result["error"]["type"], "ModuleNotFoundError");
    assert!(error_message(&result).contains("onlyinvenv"), "{result}");
}
