//! The examples the README shows, run as a reader would run them.

mod common;

use std::path::Path;

use common::{assert_exit, stdout};

#[test]
fn the_agent_loop_with_the_stand_in_model_drives_the_square() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("sh")
        .arg(root.join("fixtures/loop/loop.sh"))
        .env("MOSS", assert_cmd::cargo::cargo_bin("moss"))
        .env_remove("LLM")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let expected =
        (1..=4).map(|n| format!("step {n}: \"side {n} driven at heading {}\"\n", (n - 1) * 90)).collect::<String>();
    assert_eq!(stdout(&out), expected);
}
