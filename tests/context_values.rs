//! Values kept exactly through the context, or refused by name: pydantic aliases and secrets,
//! collection and enum types, dataclasses whose class changed since the save, attributes that
//! became injected or ClassVar, defaults that reach the code as written, and `moss context set`
//! with negative and big numbers.

mod common;

use common::*;
use serde_json::{Value, json};

/// Writes `source` as the MOSS file `<stem>.py` in the sandbox.
fn moss_file(sb: &Sandbox, stem: &str, source: &str) {
    sb.write(&format!("{stem}.py"), source);
}

/// Runs `code` (a `main(moss)` body, indented by the caller) on `<stem>.py` and returns the result.
fn run(sb: &Sandbox, stem: &str, code: &str, extra: &[&str]) -> Value {
    sb.write("code.py", format!("def main(moss):\n{code}"));
    let (out, result) = sb.exec_json(&format!("{stem}.py"), "code.py", extra);
    assert_exit(&out, 0);
    result
}

/// The run's warnings joined, for `contains` checks.
fn warnings(result: &Value) -> String {
    result["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_owned()).collect::<Vec<_>>().join("\n")
}

const PROFILES: &str = r#"
from pydantic import BaseModel, Field, SecretStr, field_validator
from ghostos_moss import Moss as Parent


class Prof(BaseModel):
    name: str = Field("anon", alias="Name")


class Login(BaseModel):
    user: str = "ada"
    token: SecretStr | None = None


class Shout(BaseModel):
    text: str

    @field_validator("text")
    @classmethod
    def loud(cls, value: str) -> str:
        return value + "!"


class Moss(Parent):
    prof: Prof = Prof(Name="bob")
"#;

// ---------------------------------------------------------------- 1. pydantic aliases and secrets

#[test]
fn an_aliased_pydantic_field_keeps_its_value_across_runs() {
    let sb = Sandbox::new();
    moss_file(&sb, "profiles", PROFILES);
    run(&sb, "profiles", "    moss.prof = Prof(Name='ada')\n", &[]);
    assert_eq!(sb.properties("profiles")["prof"]["data"], json!({"name": "ada"}), "stored by field name");
    for _ in 0..2 {
        let result = run(&sb, "profiles", "    return moss.prof.name\n", &[]);
        assert_eq!(result["returns"], "ada");
        assert_eq!(result["warnings"], json!([]));
    }
}

#[test]
fn an_aliased_pydantic_default_reaches_the_code_as_written_without_a_context() {
    let sb = Sandbox::new();
    moss_file(&sb, "profiles", PROFILES);
    let result = run(&sb, "profiles", "    return moss.prof.name\n", &["--no-context"]);
    assert_eq!(result["returns"], "bob");
}

#[test]
fn a_secret_is_refused_by_name_and_the_file_keeps_what_it_had() {
    let sb = Sandbox::new();
    moss_file(&sb, "profiles", PROFILES);
    run(&sb, "profiles", "    moss.login = Login(user='bo')\n", &[]);
    let stored = sb.properties("profiles")["login"].clone();
    assert_eq!(stored["data"], json!({"user": "bo", "token": null}));

    let result = run(&sb, "profiles", "    moss.login = Login(user='eve', token=SecretStr('hunter' + str(2)))\n", &[]);
    let said = warnings(&result);
    assert!(said.contains("moss.login.token") && said.contains("SecretStr"), "{said}");
    let text = String::from_utf8(sb.read(".moss/profiles.context.json")).unwrap();
    assert!(!text.contains("hunter2") && !text.contains("*****"), "no secret, no mask in the file: {text}");
    assert_eq!(sb.properties("profiles")["login"], stored, "the refused property keeps its stored value");
}

#[test]
fn a_value_that_would_come_back_changed_is_refused_by_name() {
    let sb = Sandbox::new();
    moss_file(&sb, "profiles", PROFILES);
    let result = run(&sb, "profiles", "    moss.shout = Shout(text='hi')\n    return moss.shout.text\n", &[]);
    assert_eq!(result["returns"], "hi!");
    let said = warnings(&result);
    assert!(said.contains("moss.shout.text") && said.contains("hi!!"), "{said}");
    assert!(sb.properties("profiles").get("shout").is_none(), "{}", sb.properties("profiles"));
}

// ---------------------------------------------------------------- 2. collection and enum types

const KINDS: &str = r#"
from collections import Counter, OrderedDict, defaultdict
from enum import Enum, IntEnum
from ghostos_moss import Moss as Parent


class Level(IntEnum):
    LOW = 1
    HIGH = 2


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class Moss(Parent):
    level: Level = Level.HIGH
    color: Color = Color.RED
"#;

#[test]
fn defaultdict_and_counter_come_back_as_themselves() {
    let sb = Sandbox::new();
    moss_file(&sb, "kinds", KINDS);
    run(&sb, "kinds", "    moss.g = defaultdict(list)\n    moss.g['a'].append(1)\n    moss.c = Counter('abca')\n", &[]);
    let code = "    moss.g['new'].append(1)\n    moss.c['z'] += 1\n    return [type(moss.g).__name__, \
                moss.g.default_factory.__name__, type(moss.c).__name__, moss.g, moss.c]\n";
    let result = run(&sb, "kinds", code, &[]);
    assert_eq!(
        result["returns"],
        json!(["defaultdict", "list", "Counter", {"a": [1], "new": [1]}, {"a": 2, "b": 1, "c": 1, "z": 1}])
    );
}

#[test]
fn a_defaultdict_whose_factory_cannot_be_found_again_is_refused_by_name() {
    let sb = Sandbox::new();
    moss_file(&sb, "kinds", KINDS);
    let result = run(&sb, "kinds", "    moss.g = defaultdict(lambda: 0)\n", &[]);
    let said = warnings(&result);
    assert!(said.contains("moss.g") && said.contains("default_factory"), "{said}");
    assert!(sb.properties("kinds").get("g").is_none());
}

#[test]
fn enum_defaults_and_saved_enums_keep_their_enum_types() {
    let sb = Sandbox::new();
    moss_file(&sb, "kinds", KINDS);
    let types = "    return [type(moss.level).__name__, type(moss.color).__name__, moss.color.value]\n";
    let result = run(&sb, "kinds", types, &["--no-context"]);
    assert_eq!(result["returns"], json!(["Level", "Color", "red"]));
    run(&sb, "kinds", "    moss.color = Color.BLUE\n", &[]);
    let result = run(&sb, "kinds", types, &[]);
    assert_eq!(result["returns"], json!(["Level", "Color", "blue"]));
    assert_eq!(sb.properties("kinds")["color"], json!({"$moss": "enum", "class": "kinds:Color", "value": "blue"}));
}

#[test]
fn key_order_is_kept_and_a_change_of_order_alone_is_reported_as_a_change() {
    let sb = Sandbox::new();
    moss_file(&sb, "kinds", KINDS);
    run(&sb, "kinds", "    moss.od = OrderedDict([('b', 1), ('a', 2)])\n    moss.d = {'z': 1, 'y': 2}\n", &[]);
    let result = run(&sb, "kinds", "    moss.od.move_to_end('b')\n    return [list(moss.od), list(moss.d)]\n", &[]);
    assert_eq!(result["returns"], json!([["a", "b"], ["z", "y"]]));
    assert_eq!(result["context"]["changed"], json!(["od"]));
    let text = String::from_utf8(sb.read(".moss/kinds.context.json")).unwrap();
    assert!(text.find("\"a\": 2").unwrap() < text.find("\"b\": 1").unwrap(), "{text}");
}

#[test]
fn a_subclass_of_a_stored_type_is_refused_not_stored_as_its_base() {
    let sb = Sandbox::new();
    moss_file(&sb, "kinds", &format!("{KINDS}\n\nclass Name(str):\n    pass\n"));
    let result = run(&sb, "kinds", "    moss.who = Name('ada')\n", &[]);
    let said = warnings(&result);
    assert!(said.contains("moss.who") && said.contains("str(...)"), "{said}");
    assert!(sb.properties("kinds").get("who").is_none());
}

// ---------------------------------------------------------------- 3. classes changed since the save

const SHAPES_V1: &str = r#"
from dataclasses import dataclass
from ghostos_moss import Moss as Parent


@dataclass
class Point:
    x: int = 0
    y: int = 0


class Moss(Parent):
    home: Point = Point()
"#;

#[test]
fn a_dataclass_restores_with_the_defaults_of_fields_added_since_and_says_what_changed() {
    let sb = Sandbox::new();
    moss_file(&sb, "shapes", SHAPES_V1);
    run(&sb, "shapes", "    moss.home = Point(3, 4)\n", &[]);
    let v2 = SHAPES_V1
        .replace("from dataclasses import dataclass", "from dataclasses import dataclass, field")
        .replace("    y: int = 0\n", "    z: int = 7\n    tags: list = field(default_factory=list)\n");
    moss_file(&sb, "shapes", &v2);
    let result = run(&sb, "shapes", "    return [moss.home.x, moss.home.z, moss.home.tags]\n", &[]);
    assert_eq!(result["returns"], json!([3, 7, []]));
    let said = warnings(&result);
    assert!(said.contains("moss.home") && said.contains("`z`") && said.contains("`tags`"), "{said}");
    assert!(said.contains("`y`"), "the dropped field is named: {said}");
    assert_eq!(sb.properties("shapes")["home"]["data"], json!({"x": 3, "z": 7, "tags": []}));
}

#[test]
fn a_dataclass_with_a_new_field_without_default_is_kept_in_the_file_and_warned() {
    let sb = Sandbox::new();
    moss_file(&sb, "shapes", SHAPES_V1);
    run(&sb, "shapes", "    moss.home = Point(3, 4)\n", &[]);
    let stored = sb.properties("shapes")["home"].clone();
    let v2 = SHAPES_V1
        .replace("    x: int = 0\n    y: int = 0\n", "    x: int\n    y: int\n    w: int\n")
        .replace("Point()", "Point(0, 0, 0)");
    moss_file(&sb, "shapes", &v2);
    let result = run(&sb, "shapes", "    return [moss.home.x, moss.home.w]\n", &[]);
    assert_eq!(result["returns"], json!([0, 0]), "the class default stands in");
    let said = warnings(&result);
    assert!(said.contains("moss.home") && said.contains("`w`"), "{said}");
    assert_eq!(sb.properties("shapes")["home"], stored);
}

#[test]
fn a_stored_value_of_an_attribute_now_injected_is_dropped_with_one_warning() {
    let sb = Sandbox::new();
    moss_file(
        &sb,
        "clocks",
        "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    clock: str = 'utc'\n",
    );
    run(&sb, "clocks", "    pass\n", &[]);
    assert_eq!(sb.properties("clocks")["clock"], "utc");
    let injected = r#"
from ghostos_moss import Moss as Parent


class Clock:
    def now(self) -> str:
        return "tick"


def __moss_compile__(compiler):
    compiler.bind(Clock, Clock())


class Moss(Parent):
    clock: Clock
"#;
    moss_file(&sb, "clocks", injected);
    let result = run(&sb, "clocks", "    return moss.clock.now()\n", &[]);
    assert_eq!(result["returns"], "tick");
    assert!(warnings(&result).contains("moss.clock"), "{result}");
    assert_eq!(sb.properties("clocks"), json!({}));
    let result = run(&sb, "clocks", "    return moss.clock.now()\n", &[]);
    assert_eq!(result["warnings"], json!([]), "warned once");
}

#[test]
fn a_classvar_is_never_saved_nor_restored() {
    let sb = Sandbox::new();
    let source = "from typing import ClassVar\nfrom ghostos_moss import Moss as Parent\n\n\n\
                  class Moss(Parent):\n    LIMIT: ClassVar[int] = 3\n    count: int = 0\n";
    moss_file(&sb, "limits", source);
    run(&sb, "limits", "    moss.count += 1\n", &[]);
    assert_eq!(sb.properties("limits"), json!({"count": 1}));

    let mut context = sb.context("limits");
    context["properties"]["LIMIT"] = json!(99);
    sb.write(".moss/limits.context.json", serde_json::to_vec_pretty(&context).unwrap());
    let result = run(&sb, "limits", "    return moss.LIMIT\n", &[]);
    assert_eq!(result["returns"], 3, "the constant in the MOSS file wins");
    assert!(warnings(&result).contains("moss.LIMIT"), "{result}");
    assert_eq!(sb.properties("limits"), json!({"count": 1}));

    let result = run(&sb, "limits", "    moss.LIMIT = 5\n", &[]);
    assert!(warnings(&result).contains("moss.LIMIT"), "an assignment that is not saved is said: {result}");
    assert_eq!(sb.properties("limits"), json!({"count": 1}));
}

// ---------------------------------------------------------------- 4. defaults that validate in Python

const BOXES: &str = r#"
from pydantic import BaseModel, ConfigDict, computed_field
from ghostos_moss import Moss as Parent


class Box(BaseModel):
    model_config = ConfigDict(extra="forbid")
    width: int = 2

    @computed_field
    @property
    def area(self) -> int:
        return self.width * self.width


class Moss(Parent):
    box: Box = Box()


__moss_test_cases__ = ["test_box"]


def test_box(moss):
    assert moss.box.area == 4
"#;

#[test]
fn a_pydantic_default_with_forbidden_extras_and_a_computed_field_works_in_exec_prompt_and_test() {
    let sb = Sandbox::new();
    moss_file(&sb, "boxes", BOXES);
    let result = run(&sb, "boxes", "    moss.box = Box(width=3)\n    return moss.box.area\n", &[]);
    assert_eq!(result["returns"], 9);
    assert_eq!(sb.properties("boxes")["box"]["data"], json!({"width": 3}), "computed fields are not stored");
    let result = run(&sb, "boxes", "    return moss.box.area\n", &[]);
    assert_eq!(result["returns"], 9);
    assert_exit(&sb.moss().args(["prompt", "boxes.py"]).output().unwrap(), 0);
    assert_exit(&sb.moss().env("CI", "true").args(["test", "boxes.py"]).output().unwrap(), 0);
}

#[test]
fn a_default_that_cannot_be_copied_is_said_and_does_not_break_the_run() {
    let sb = Sandbox::new();
    let source = "import threading\nfrom typing import Any\nfrom pydantic import BaseModel\n\
                  from ghostos_moss import Moss as Parent\n\n\nclass Holder(BaseModel):\n    lock: Any = None\n\n\n\
                  class Moss(Parent):\n    holder: Holder = Holder(lock=threading.Lock())\n";
    moss_file(&sb, "holders", source);
    let result = run(&sb, "holders", "    return moss.holder.lock is not None\n", &[]);
    assert_eq!(result["returns"], true);
    let said = warnings(&result);
    assert!(said.contains("moss.holder") && said.contains("copied"), "{said}");
    assert_exit(&sb.moss().args(["prompt", "holders.py"]).output().unwrap(), 0);
}

// ---------------------------------------------------------------- 5. `moss context set` numbers

#[test]
fn context_set_takes_negative_numbers_without_a_double_dash() {
    let sb = Sandbox::with(&["exec/agent.py", "exec/code/count.py"]);
    let out = sb.context_cmd("set", &["agent.py", "count", "-5"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&sb.context_cmd("get", &["agent.py", "count"])), "-5\n");
    assert_exit(&sb.context_cmd("set", &["--context", "other.json", "count", "-2.5"]), 0);
    let (out, result) = sb.exec_json("agent.py", "count.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"]["count"], -4);
}

#[test]
fn context_set_stores_integers_beyond_64_bits_exactly() {
    let sb = Sandbox::with(&["exec/agent.py"]);
    let big = "12345678901234567890123";
    assert_exit(&sb.context_cmd("set", &["agent.py", "big", big]), 0);
    assert_exit(
        &sb.context_cmd("set", &["agent.py", "mixed", "[-99999999999999999999, 1.5e30, 18446744073709551615]"]),
        0,
    );
    let properties = sb.properties("agent");
    assert_eq!(properties["big"], json!({"$moss": "int", "value": big}));
    assert_eq!(
        properties["mixed"],
        json!([{"$moss": "int", "value": "-99999999999999999999"}, 1.5e30, 18446744073709551615u64])
    );
    let result = run(&sb, "agent", "    return [type(moss.big).__name__, str(moss.big), str(moss.mixed[0])]\n", &[]);
    assert_eq!(result["returns"], json!(["int", big, "-99999999999999999999"]));
    assert_eq!(sb.properties("agent")["big"], json!({"$moss": "int", "value": big}), "saved back the same");
}

#[test]
fn standard_library_values_the_code_imported_itself_come_back_in_the_next_run() {
    let sb = Sandbox::new();
    moss_file(&sb, "plain", "from ghostos_moss import Moss as Parent\n\n\nclass Moss(Parent):\n    pass\n");
    let stored = "    import datetime, decimal, uuid, pathlib\n    moss.price = decimal.Decimal('9.99')\n    \
                  moss.id = uuid.UUID(int=7)\n    moss.when = datetime.date(2026, 11, 30)\n    \
                  moss.where = pathlib.PurePosixPath('/srv/data')\n";
    run(&sb, "plain", stored, &[]);
    let result = run(
        &sb,
        "plain",
        "    return [type(moss.price).__name__, str(moss.price), type(moss.id).__name__, moss.when.isoformat(), \
         type(moss.where).__name__]\n",
        &[],
    );
    assert_eq!(result["returns"], json!(["Decimal", "9.99", "UUID", "2026-11-30", "PurePosixPath"]), "{result}");
    assert_eq!(warnings(&result), "", "{result}");
}
