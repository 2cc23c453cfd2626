//! Python 3.12 and later add "Did you mean: 'NAME'?" to a NameError, AttributeError or
//! ImportError in a traceback; a NAME written only on a hidden line of the MOSS file is hidden
//! source, and a typo of the model's must not reveal it.

mod common;

use common::pythons::make_venv;
use common::*;

const AGENT: &str = "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    count: int = 0\n\n\
                     # <moss-hide>\nINTERNAL_API_TOKEN_VALUE = 'x'\n\n\ndef __moss_compiled__(moss):\n    \
                     moss.internal_admin_password_hint = 'pw'\n# </moss-hide>\n";

#[test]
fn a_suggestion_of_a_name_written_on_a_hidden_line_is_left_out_of_the_traceback() {
    let sandbox = Sandbox::new();
    let venv = make_venv(&sandbox, 12, "v312");
    sandbox.write("agent.py", AGENT);
    sandbox.write("global.py", "def main(moss):\n    return INTERNAL_API_TOKEN_VALU\n");
    sandbox.write("attribute.py", "def main(moss):\n    return moss.internal_admin_password_hnt\n");
    sandbox.write("visible.py", "def main(moss):\n    return moss.cont\n");
    let traceback = |code: &str| {
        let args = ["exec", "agent.py", "--code", code, "--json", "--no-context"];
        let out = sandbox.moss().env("VIRTUAL_ENV", &venv).args(args).output().unwrap();
        assert_exit(&out, 1);
        parse_result(&out)["error"]["traceback"].as_str().unwrap_or_default().to_owned()
    };
    let global = traceback("global.py");
    assert!(global.ends_with("NameError: name 'INTERNAL_API_TOKEN_VALU' is not defined\n"), "{global}");
    let attribute = traceback("attribute.py");
    assert!(!attribute.contains("internal_admin_password_hint"), "{attribute}");
    assert!(attribute.ends_with("'Moss' object has no attribute 'internal_admin_password_hnt'\n"), "{attribute}");
    let visible = traceback("visible.py");
    assert!(
        visible.ends_with("has no attribute 'cont'. Did you mean: 'count'?\n"),
        "a visible name is suggested: {visible}"
    );
}
