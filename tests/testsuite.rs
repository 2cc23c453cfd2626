//! `moss test`: discovery, isolation of crashes and hangs, counts, ordering, -k, -x, JUnit, JSON.

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use common::{Sandbox, assert_exit, fixture, stdout};
use serde_json::Value;

/// A copy of fixtures/testsuite/project with its folders, so caches and reports land in a temp dir.
fn project() -> Sandbox {
    let sandbox = Sandbox::new();
    copy_tree(&fixture("testsuite/project"), sandbox.root());
    sandbox
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn moss_test(sandbox: &Sandbox, extra: &[&str]) -> Output {
    sandbox.moss().env("CI", "true").arg("test").arg("--timeout").arg("2").args(extra).output().unwrap()
}

#[test]
fn counts_cases_and_reports_every_kind_of_failure() {
    let sandbox = project();
    let started = Instant::now();
    let out = moss_test(&sandbox, &[]);
    assert!(started.elapsed() < Duration::from_secs(30), "a hanging case must be cut at --timeout");
    assert_exit(&out, 1);
    let text = stdout(&out);
    // passing: 2; failing: 1 pass + 2 fail; hanging: 1 fail + 1 pass; crashing: 3 fail + 1 pass;
    // broken: 1 failed check.
    assert_eq!(text.lines().last(), Some("5 passed, 7 failed"), "{text}");
    for expected in [
        "FAIL  broken.py (the compile check failed)",
        "RuntimeError: this file is broken on purpose",
        "---- failing.py::test_wrong_sum ----\nAssertionError: the sum is wrong",
        "about to check the sum",
        "stdout differs from",
        "-old output\n+new output",
        "---- nested/hanging.py::test_sleeps_forever ----\ntimed out after 2 s",
        "---- nested/crashing.py::test_exits_the_process ----\nthe run ended without a result: the process exited with status 7",
        "killed by signal 11 (SIGSEGV)",
        "names `test_not_defined`, which the MOSS file does not define",
        "PASS  passing.py (2 cases)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn skips_non_moss_hidden_and_gitignored_files() {
    let sandbox = project();
    let text = stdout(&moss_test(&sandbox, &[]));
    assert!(!text.contains("not_moss.py") && !text.contains("must never run"), "{text}");
    assert!(!text.contains("hidden.py") && !text.contains("ignored.py"), "{text}");
}

#[test]
fn files_are_reported_in_a_stable_order_whatever_the_parallelism() {
    let sandbox = project();
    let order = |jobs: &str| -> Vec<String> {
        stdout(&moss_test(&sandbox, &["--jobs", jobs]))
            .lines()
            .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
            .map(str::to_owned)
            .collect()
    };
    let one = order("1");
    assert_eq!(one.len(), 5);
    assert_eq!(one, order("4"));
    let mut sorted = one.clone();
    sorted.sort_by(|a, b| a[6..].cmp(&b[6..]));
    assert_eq!(one, sorted, "files are reported sorted by path");
}

#[test]
fn k_selects_cases_by_substring() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["passing.py", "failing.py", "-k", "test_ok"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("1 passed, 0 failed"));
}

#[test]
fn x_stops_at_the_first_failure() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["failing.py", "passing.py", "--jobs", "1", "-x"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("stopped at the first failure"), "{text}");
    // failing.py: test_ok passes, test_wrong_sum fails, test_golden is skipped; passing.py never starts.
    assert_eq!(text.lines().last(), Some("1 passed, 1 failed, 1 skipped"), "{text}");
    assert!(!text.contains("passing.py"), "{text}");
}

#[test]
fn all_passing_exits_0() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["passing.py"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("2 passed, 0 failed"));
}

#[test]
fn no_moss_file_exits_4_saying_where_it_looked() {
    let sandbox = Sandbox::new();
    sandbox.write("plain/module.py", "x = 1\n");
    let out = moss_test(&sandbox, &["plain"]);
    assert_exit(&out, 4);
    let err = common::stderr(&out);
    assert!(err.contains("no MOSS files found under plain"), "{err}");
}

#[test]
fn junit_report_is_valid_xml_with_a_testcase_per_case_and_per_check() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["--junit", "report.xml"]);
    assert_exit(&out, 1);
    let xml = String::from_utf8(sandbox.read("report.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 5);
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    // 11 cases (the broken file has none) + a compile and a prompt check per file.
    assert_eq!(cases.len(), 11 + 2 * 5);
    let failure = cases
        .iter()
        .find(|c| c.attribute("name") == Some("test_wrong_sum"))
        .and_then(|c| c.children().find(|n| n.has_tag_name("failure")))
        .expect("a failure element for test_wrong_sum");
    assert!(failure.attribute("message").unwrap().contains("the sum is wrong"));
    let broken = cases
        .iter()
        .find(|c| c.attribute("classname") == Some("broken.py") && c.attribute("name") == Some("<compile>"))
        .expect("a compile check for broken.py");
    assert!(broken.children().any(|n| n.has_tag_name("failure") || n.has_tag_name("error")));
}

#[test]
fn json_report_holds_every_file_and_the_counts() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["--json"]);
    assert_exit(&out, 1);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert_eq!(doc["passed"], 5);
    assert_eq!(doc["failed"], 7);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    let hanging = files.iter().find(|f| f["path"] == "nested/hanging.py").unwrap();
    assert_eq!(hanging["cases"][0]["outcome"], "failed");
    assert_eq!(hanging["cases"][0]["error"]["kind"], "timeout");
    assert_eq!(hanging["cases"][1]["outcome"], "passed");
    assert!(common::stderr(&out).contains("5 passed, 7 failed"));
}

#[test]
fn a_generator_case_fails_instead_of_passing_without_running() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "gen.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\ndef test_yields(moss):\n    yield\n    assert False\n\n\
         async def test_async_yields(moss):\n    yield\n    assert False\n\n\
         __moss_test_cases__ = ['test_yields', 'test_async_yields']\n# </moss-hide>\n",
    );
    let out = moss_test(&sandbox, &["gen.py"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert_eq!(text.lines().last(), Some("0 passed, 2 failed"), "{text}");
    assert!(
        text.contains("`test_yields` is a generator") && text.contains("`test_async_yields` is a generator"),
        "{text}"
    );
}

#[test]
fn a_failing_case_report_does_not_quote_hidden_lines() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "quota.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\ndef _check(n):\n    \
         raise ValueError('over quota')  # internal: hunter2\n\n\
         def test_over(moss):\n    _check(50)  # internal: ops-pager\n\n\
         __moss_test_cases__ = ['test_over']\n# </moss-hide>\n",
    );
    for extra in [&[][..], &["--json"]] {
        let out = moss_test(&sandbox, &[&["quota.py"], extra].concat());
        assert_exit(&out, 1);
        let text = stdout(&out);
        assert!(text.contains("over quota"), "the message is the run's output, kept: {text}");
        assert!(text.contains("line 5, in <hidden>"), "the frame keeps its place: {text}");
        for hidden in ["hunter2", "ops-pager", "in _check", "in test_over"] {
            assert!(!text.contains(hidden), "`{hidden}` is hidden source: {text}");
        }
    }
}

#[test]
fn k_matching_no_case_is_an_error_exiting_4() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["passing.py", "-k", "test_no_such_case"]);
    assert_exit(&out, 4);
    assert_eq!(stdout(&out).lines().last(), Some("0 passed, 0 failed"), "the summary is still printed");
    assert!(common::stderr(&out).contains("no test case matches -k \"test_no_such_case\""), "{}", common::stderr(&out));
}

#[test]
fn junit_into_a_missing_folder_creates_it() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["passing.py", "--junit", "reports/ci/report.xml"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("2 passed, 0 failed"));
    let xml = String::from_utf8(sandbox.read("reports/ci/report.xml")).unwrap();
    roxmltree::Document::parse(&xml).expect("well-formed XML");
}

#[test]
fn junit_into_a_folder_that_cannot_be_made_fails_before_any_test_runs() {
    let sandbox = project();
    let out = moss_test(&sandbox, &["passing.py", "--junit", "passing.py/report.xml"]);
    assert_exit(&out, 2);
    assert_eq!(stdout(&out), "", "nothing ran");
    assert!(common::stderr(&out).contains("for the JUnit report passing.py/report.xml"), "{}", common::stderr(&out));
}

#[test]
fn test_cases_that_are_not_a_list_of_names_fail_the_compile_check_naming_them() {
    let sandbox = Sandbox::new();
    for (value, shown) in [("5", "not 5"), ("Odd()", "not <repr failed: ValueError: no repr>")] {
        sandbox.write(
            "cases.py",
            format!(
                "from ghostos_moss import Moss\n\n# <moss-hide>\nclass Odd:\n    def __repr__(self):\n        \
                 raise ValueError('no repr')\n\n__moss_test_cases__ = {value}\n# </moss-hide>\n"
            ),
        );
        let out = moss_test(&sandbox, &["cases.py"]);
        assert_exit(&out, 1);
        let text = stdout(&out);
        assert!(text.contains(&format!("__moss_test_cases__ must be a list of function names, {shown}")), "{text}");
        assert!(!text.contains("the host side of moss failed"), "{text}");
    }
}

#[test]
fn ctrl_c_to_moss_test_starts_no_further_case() {
    use std::os::unix::process::CommandExt;
    let sandbox = Sandbox::new();
    sandbox.write(
        "slow.py",
        "from ghostos_moss import Moss\nimport pathlib, time\n\n# <moss-hide>\ndef test_waits(moss):\n    \
         pathlib.Path('started').touch()\n    time.sleep(30)\n\ndef test_after(moss):\n    \
         pathlib.Path('after').touch()\n\n__moss_test_cases__ = ['test_waits', 'test_after']\n# </moss-hide>\n",
    );
    let mut command = sandbox.moss_process();
    // A group of its own, as a terminal's foreground job: Ctrl-C reaches moss test and its workers.
    command.env("CI", "true").args(["test", "slow.py"]).process_group(0);
    let mut child = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while !sandbox.exists("started") {
        assert!(started.elapsed() < common::RUN_LIMIT, "the first case never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGINT).unwrap();
    child.wait().unwrap();
    // The worker outlives moss test briefly; give it the time it would need to start the next case.
    std::thread::sleep(Duration::from_secs(2));
    assert!(!sandbox.exists("after"), "a case started after the interrupt");
}

/// A case's process that left the case's process group (a session of its own) is its case's
/// too: killed and named as one in the group is.
#[test]
fn a_process_a_case_left_in_a_session_of_its_own_is_killed_and_named() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "escapes.py",
        "from ghostos_moss import Moss\nimport subprocess\nimport time\n\n# <moss-hide>\ndef test_escapes(moss):\n    \
         child = subprocess.Popen(['sleep', '49'], start_new_session=True)\n    \
         open('child.pid', 'w').write(str(child.pid))\n    \
         time.sleep(0.3)  # started for sure, not still between fork and exec\n\n\
         __moss_test_cases__ = ['test_escapes']\n# </moss-hide>\n",
    );
    let out = moss_test(&sandbox, &["escapes.py"]);
    assert_exit(&out, 0);
    let pid: i32 = String::from_utf8(sandbox.read("child.pid")).unwrap().parse().expect("the child's pid");
    let err = common::stderr(&out);
    let killed = format!(
        "warning: escapes.py: test_escapes: the code left a process running when the run ended; it was killed: sleep 49 (pid {pid})"
    );
    let is_alive = || {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| stat.contains(") Z "))
    };
    let ended = Instant::now();
    while is_alive() && ended.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let alive = is_alive();
    if alive {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
    }
    assert!(err.contains(&killed), "{err}");
    assert!(!alive, "the case's `sleep 49` (pid {pid}) outlived it");
}

#[test]
fn a_process_a_case_left_running_is_killed_and_named_in_a_warning() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "spawns.py",
        "from ghostos_moss import Moss\nimport subprocess\nimport time\n\n# <moss-hide>\ndef test_spawns(moss):\n    \
         subprocess.Popen(['sleep', '41'])\n    time.sleep(0.3)  # started for sure, not still between fork and exec\n\n__moss_test_cases__ = ['test_spawns']\n# </moss-hide>\n",
    );
    let out = moss_test(&sandbox, &["spawns.py"]);
    assert_exit(&out, 0);
    let err = common::stderr(&out);
    assert!(err.contains("warning: spawns.py: test_spawns: the code left a process running"), "{err}");
    assert!(err.contains("sleep 41 (pid "), "{err}");

    let out = moss_test(&sandbox, &["spawns.py", "--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert!(doc["files"][0]["warnings"].to_string().contains("sleep 41 (pid "), "{doc}");
}

/// The reference's convention: cases, `main` and `__moss_test_cases__` under
/// `if __name__ == "__test__":`, which runs only in the module compiled as `__test__`.
fn reference_suites() -> Sandbox {
    Sandbox::with(&[
        "testsuite/reference/suite.py",
        "testsuite/reference/failing_suite.py",
        "testsuite/reference/no_cases.py",
    ])
}

#[test]
fn cases_under_the_test_guard_run_in_the_module_compiled_as_test() {
    let sandbox = reference_suites();
    let out = moss_test(&sandbox, &["suite.py"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("PASS  suite.py (3 cases)"), "{text}");
    assert_eq!(text.lines().last(), Some("3 passed, 0 failed"), "{text}");
}

#[test]
fn a_failing_case_under_the_test_guard_fails_the_run() {
    let sandbox = reference_suites();
    let out = moss_test(&sandbox, &["failing_suite.py"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("---- failing_suite.py::test_triple ----\nAssertionError: double(3) is not 9"), "{text}");
    assert_eq!(text.lines().last(), Some("1 passed, 1 failed"), "{text}");
}

#[test]
fn a_file_without_cases_says_so_and_its_checks_still_count() {
    let sandbox = reference_suites();
    let out = moss_test(&sandbox, &["no_cases.py"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("PASS  no_cases.py (no test cases: only the compile and prompt checks ran)"));
    let json: Value = serde_json::from_slice(&moss_test(&sandbox, &["--json", "no_cases.py"]).stdout).unwrap();
    assert_eq!(json["files"][0]["no_cases"], true, "{json}");
    assert_eq!(json["files"][0]["cases"], serde_json::json!([]), "{json}");
    sandbox.write("no_cases.py", "from ghostos_moss import Moss\n\nraise RuntimeError('broken before any case')\n");
    let out = moss_test(&sandbox, &["no_cases.py"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains("FAIL  no_cases.py (the compile check failed)"), "{}", stdout(&out));
}

#[test]
fn the_test_module_of_a_file_in_a_package_keeps_its_relative_imports() {
    let sandbox = Sandbox::new();
    sandbox.write("pkg/__init__.py", "");
    sandbox.write("pkg/helpers.py", "BASE = 41\n");
    sandbox.write(
        "pkg/agent.py",
        "from ghostos_moss import Moss\nfrom .helpers import BASE\n\n# <moss-hide>\nif __name__ == \"__test__\":\n\
         \x20   def test_base(moss):\n        assert BASE + 1 == 42\n\n    __moss_test_cases__ = [\"test_base\"]\n\
         # </moss-hide>\n",
    );
    let out = moss_test(&sandbox, &["pkg/agent.py"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("1 passed, 0 failed"), "{}", stdout(&out));
}

#[test]
fn the_prompt_check_builds_the_prompt_of_the_file_under_its_own_name() {
    // A prompt hook that refuses to build under `__test__` shows which module the check used.
    let sandbox = Sandbox::new();
    sandbox.write(
        "agent.py",
        "from ghostos_moss import Moss\n\n# <moss-hide>\ndef __moss_module_prompt__(prompter, attr_prompts=None):\n\
         \x20   assert __name__ == \"agent\", __name__\n    return \"the prompt\"\n\n\n\
         if __name__ == \"__test__\":\n    def test_ok(moss):\n        pass\n\n    __moss_test_cases__ = [\"test_ok\"]\n\
         # </moss-hide>\n",
    );
    let out = moss_test(&sandbox, &["agent.py"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().last(), Some("1 passed, 0 failed"), "{}", stdout(&out));
}

/// The files `moss test --shard SHARD --json` ran, by path.
fn shard_files(sandbox: &Sandbox, shard: &str) -> Vec<String> {
    let out = moss_test(sandbox, &["--shard", shard, "--json"]);
    assert_exit(&out, 0);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let index_and_count: Vec<u64> = shard.split('/').map(|n| n.parse().unwrap()).collect();
    assert_eq!(
        (report["shard"]["index"].as_u64(), report["shard"]["count"].as_u64()),
        (Some(index_and_count[0]), Some(index_and_count[1])),
        "the report says which shard ran"
    );
    report["files"].as_array().unwrap().iter().map(|file| file["path"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn shards_hold_every_file_exactly_once_and_split_the_same_way_every_time() {
    let sandbox = Sandbox::new();
    let all: Vec<String> = (0..9).map(|n| format!("agents/a{n}.py")).collect();
    for file in &all {
        sandbox.write(file, "from ghostos_moss import Moss\n");
    }
    let shards: Vec<Vec<String>> = ["1/3", "2/3", "3/3"].iter().map(|shard| shard_files(&sandbox, shard)).collect();
    let mut union: Vec<String> = shards.concat();
    union.sort();
    assert_eq!(union, all, "every file in exactly one shard: {shards:?}");
    assert!(shards.iter().filter(|files| !files.is_empty()).count() > 1, "the files are split: {shards:?}");
    assert_eq!(shard_files(&sandbox, "2/3"), shards[1], "the same split twice");
    assert_eq!(shard_files(&sandbox, "1/1"), all);

    let text = stdout(&moss_test(&sandbox, &["--shard", "2/3"]));
    assert!(text.contains(&format!("shard 2/3: {} of 9 MOSS files", shards[1].len())), "{text}");
}

#[test]
fn a_shard_that_does_not_exist_is_a_usage_error() {
    let sandbox = Sandbox::new();
    sandbox.write("a.py", "from ghostos_moss import Moss\n");
    for (shard, message) in [
        ("0/3", "there is no shard 0 of 3: K must be from 1 to 3"),
        ("4/3", "there is no shard 4 of 3"),
        ("1/0", "N must be at least 1"),
        ("x", "`x` is not K/N"),
    ] {
        let out = moss_test(&sandbox, &["--shard", shard]);
        assert_exit(&out, 2);
        assert!(common::stderr(&out).contains(message), "--shard {shard}: {}", common::stderr(&out));
    }
}

/// The processes of a process group that have not ended, from /proc.
fn live_members(group: i32) -> Vec<i32> {
    let stat_of = |pid: i32| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            stat_of(*pid).and_then(|stat| {
                let fields: Vec<String> = stat.rsplit_once(") ")?.1.split_whitespace().map(str::to_owned).collect();
                Some(fields[0] != "Z" && fields[2].parse::<i32>().ok()? == group)
            }) == Some(true)
        })
        .collect()
}

#[test]
fn a_worker_between_cases_is_still_ended_by_sigterm() {
    use std::os::unix::process::CommandExt;
    let sandbox = Sandbox::new();
    sandbox.write(
        "pair.py",
        "from ghostos_moss import Moss\nimport pathlib\n\n# <moss-hide>\ndef test_first(moss):\n    \
         pathlib.Path('first').touch()\n\ndef test_second(moss):\n    pass\n\n\
         __moss_test_cases__ = ['test_first', 'test_second']\n# </moss-hide>\n",
    );
    // The first case's golden file is a FIFO nobody writes: the worker, comparing the output after
    // the case ended, waits there, outside any run.
    nix::unistd::mkfifo(&sandbox.path("pair.test_first.out"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let mut command = sandbox.moss_process();
    command.env("CI", "true").args(["test", "pair.py"]).process_group(0);
    let mut child = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let group = child.id() as i32;
    let started = Instant::now();
    while !sandbox.exists("first") {
        assert!(started.elapsed() < common::RUN_LIMIT, "the first case never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGTERM).unwrap();
    child.wait().unwrap();
    let ended = Instant::now();
    while !live_members(group).is_empty() && ended.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = live_members(group);
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGKILL);
    assert!(left.is_empty(), "SIGTERM left processes of moss test running: {left:?}");
}

#[test]
fn moss_test_ended_alone_takes_its_workers_and_their_cases_with_it() {
    // A CI runner's time limit, or `kill PID`, signals moss test and not its process group.
    use std::os::unix::process::CommandExt;
    let sandbox = Sandbox::new();
    sandbox.write(
        "slow.py",
        "from ghostos_moss import Moss\nimport os, pathlib, time\n\n# <moss-hide>\ndef test_slow(moss):\n    \
         pathlib.Path('case.pid').write_text(str(os.getpid()))\n    time.sleep(60)\n\n\
         __moss_test_cases__ = ['test_slow']\n# </moss-hide>\n",
    );
    let mut command = sandbox.moss_process();
    command.args(["test", "slow.py"]).process_group(0);
    let mut child = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let group = child.id() as i32;
    let started = Instant::now();
    let case = loop {
        if let Some(pid) = std::fs::read_to_string(sandbox.path("case.pid")).ok().and_then(|t| t.parse::<i32>().ok()) {
            break pid;
        }
        assert!(started.elapsed() < common::RUN_LIMIT, "the case never ran");
        std::thread::sleep(Duration::from_millis(20));
    };
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGTERM).unwrap();
    child.wait().unwrap();
    let alive = |pid: i32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
    };
    let ended = Instant::now();
    while (alive(case) || !live_members(group).is_empty()) && ended.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (case_alive, workers) = (alive(case), live_members(group));
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGKILL);
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(case), nix::sys::signal::Signal::SIGKILL);
    assert!(workers.is_empty(), "moss test's workers outlived it: {workers:?}");
    assert!(!case_alive, "a case outlived moss test: pid {case}");
}

#[test]
fn a_bad_device_or_time_limit_written_for_every_file_is_one_usage_error_unless_a_flag_overrides_it() {
    let sandbox = project();
    let bad = [
        ("", &[("MOSS_DEVICE", "toaster")][..], "MOSS_DEVICE=toaster", &["--device", "sim"][..]),
        ("device = 'toaster'\n", &[], "moss.toml: device: `toaster`", &["--device", "sim"]),
        ("", &[("MOSS_TIMEOUT", "soon")], "MOSS_TIMEOUT=soon", &["--timeout", "2"]),
    ];
    for (file, env, named, flags) in bad {
        sandbox.write("moss.toml", file);
        let moss = || {
            let mut command = sandbox.moss();
            command.env("CI", "true").envs(env.iter().copied()).args(["test", "passing.py", "failing.py"]);
            command
        };
        let out = moss().output().unwrap();
        assert_exit(&out, 2);
        let errors = common::stderr(&out);
        assert_eq!(errors.matches("error:").count(), 1, "one error, not one per file: {errors}");
        assert!(errors.contains(named), "{errors}");
        assert!(!stdout(&out).contains("FAIL"), "{}", stdout(&out));

        let out = moss().args(flags).arg("-k").arg("passing").output().unwrap();
        assert_exit(&out, 0);
    }
}
