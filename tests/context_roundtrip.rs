//! The context keeps values exactly: random nested values over every type docs/context-format.md
//! promises are stored by one run, rebuilt and compared type by type by the next (which saves them
//! again byte for byte), and a third run saves the same bytes once more.

mod common;

use std::collections::BTreeSet;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Python that asserts two values are the same: equal, of the same types all the way down, in
/// the same order, with the same zones, factories and maxlens.
const SAME: &str = r#"
import dataclasses


def same(a, b, where):
    assert type(a) is type(b), f"{where}: a {type(a).__name__} came back as a {type(b).__name__}"
    if isinstance(a, float) or isinstance(a, Decimal):
        assert repr(a) == repr(b), f"{where}: {a!r} came back as {b!r}"
    elif isinstance(a, (list, tuple, deque)):
        assert len(a) == len(b) and getattr(a, "maxlen", None) == getattr(b, "maxlen", None), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} came back as {list(b)}"
        assert getattr(a, "default_factory", None) is getattr(b, "default_factory", None), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (set, frozenset)):
        assert {(type(x), x) for x in a} == {(type(y), y) for y in b}, f"{where}: {a!r} came back as {b!r}"
    elif isinstance(a, BaseModel):
        same(dict(a.__dict__), dict(b.__dict__), f"{where}.__dict__")
        same(a.__pydantic_extra__, b.__pydantic_extra__, f"{where}.__pydantic_extra__")
        assert a.model_fields_set == b.model_fields_set, f"{where}: fields set {a.model_fields_set}"
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, (datetime, time)):
        shape = lambda t: (t.isoformat(), type(t.tzinfo), t.tzname(), t.fold)
        assert shape(a) == shape(b), f"{where}: {a!r} came back as {b!r}"
    elif isinstance(a, Enum):
        assert a is b, f"{where}: {a!r} came back as {b!r}"
    else:
        assert a == b, f"{where}: {a!r} came back as {b!r}"
"#;

/// A Python str literal of `text`, every character beyond plain ASCII escaped.
fn py_str(text: &str) -> String {
    let body: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == ' ' || c == '$' {
                c.to_string()
            } else {
                format!("\\U{:08x}", c as u32)
            }
        })
        .collect();
    format!("'{body}'")
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![Just("$moss".to_owned()), "[a-z$ ]{0,4}", any::<String>().prop_map(|s| s.chars().take(5).collect())]
        .boxed()
}

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("None".to_owned()),
        Just("timezone.utc".to_owned()),
        (-1439i32..1440).prop_map(|minutes| format!("timezone(timedelta(minutes={minutes}))")),
        Just("timezone(timedelta(hours=1), 'CET')".to_owned()),
        prop::sample::select(vec!["Europe/Paris", "America/New_York", "UTC"])
            .prop_map(|key| format!("ZoneInfo('{key}')")),
    ]
}

fn datetime() -> impl Strategy<Value = String> {
    (1i32..=9999, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..60, 0u32..1_000_000, zone(), 0u8..2).prop_map(
        |(y, mo, d, h, mi, s, us, tz, fold)| {
            format!("datetime({y}, {mo}, {d}, {h}, {mi}, {s}, {us}, tzinfo={tz}, fold={fold})")
        },
    )
}

/// Values that can sit in a set or be a dict's value anywhere: every scalar kind.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("None".to_owned()),
        any::<bool>().prop_map(|b| if b { "True" } else { "False" }.to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<i128>().prop_map(|n| n.to_string()),
        prop::sample::select(vec!["2**63", "-(2**63) - 1", "2**64 - 1", "2**64", "-(10**40)"]).prop_map(String::from),
        any::<f64>().prop_filter("JSON holds finite floats", |f| f.is_finite()).prop_map(|f| format!("float('{f:?}')")),
        text().prop_map(|s| py_str(&s)),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(|b| format!("bytes.fromhex('{}')", hex::encode(b))),
        (any::<i64>(), -30i32..30).prop_map(|(m, e)| format!("Decimal('{m}E{e}')")),
        prop::sample::select(vec!["Decimal('-0.00')", "Decimal('Infinity')", "Decimal('1.10')"]).prop_map(String::from),
        (1i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("date({y}, {m}, {d})")),
        datetime(),
        (0u32..24, 0u32..60, 0u32..1_000_000, zone(), 0u8..2)
            .prop_map(|(h, m, us, tz, fold)| format!("time({h}, {m}, 0, {us}, tzinfo={tz}, fold={fold})")),
        (-999_999_999i64..=999_999_999, 0i64..86_400, 0i64..1_000_000)
            .prop_map(|(d, s, us)| format!("timedelta(days={d}, seconds={s}, microseconds={us})")),
        any::<u128>().prop_map(|n| format!("UUID(int={n})")),
        prop::sample::select(vec![
            "PurePosixPath('a/b.txt')",
            "PureWindowsPath('C:/x/y')",
            "Path('rel/dir')",
            "Path('/abs')"
        ])
        .prop_map(String::from),
        prop::sample::select(vec![
            "Color.RED",
            "Color.PAIR",
            "Level.HIGH",
            "Mode.FAST",
            "Perm.R | Perm.X",
            "Perm.W",
            "Bits.A | Bits.C",
            "Bits(0)"
        ])
        .prop_map(String::from),
        scalar_tuple(),
    ]
}

fn scalar_tuple() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<i32>(), 0..3)
        .prop_map(|items| tuple(&items.iter().map(i32::to_string).collect::<Vec<_>>()))
}

fn tuple(items: &[String]) -> String {
    format!("({}{})", items.join(", "), if items.len() == 1 { "," } else { "" })
}

fn entries(values: &[(String, String)]) -> String {
    values.iter().map(|(k, v)| format!("{}: {v}", py_str(k))).collect::<Vec<_>>().join(", ")
}

/// Any storable value, nested up to a few levels: containers of every kind, models, dataclasses.
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        let items = prop::collection::vec(inner.clone(), 0..4).boxed();
        let pairs = prop::collection::vec((text(), inner.clone()), 0..4).boxed();
        let hashables = prop::collection::vec(scalar(), 0..4).prop_map(|items| items.join(", ")).boxed();
        prop_oneof![
            items.clone().prop_map(|items| format!("[{}]", items.join(", "))),
            items.clone().prop_map(|items| tuple(&items)),
            pairs.clone().prop_map(|pairs| format!("{{{}}}", entries(&pairs))),
            prop::collection::vec((scalar(), inner.clone()), 0..4).prop_map(|pairs| {
                format!("{{{}}}", pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
            }),
            hashables.clone().prop_map(|items| format!("set([{items}])")),
            hashables.prop_map(|items| format!("frozenset([{items}])")),
            (prop::sample::select(vec!["list", "int", "None", "Pair"]), pairs.clone())
                .prop_map(|(factory, pairs)| format!("defaultdict({factory}, {{{}}})", entries(&pairs))),
            prop::collection::vec((text(), any::<i32>()), 0..4).prop_map(|counts| {
                format!(
                    "Counter({{{}}})",
                    entries(&counts.into_iter().map(|(k, n)| (k, n.to_string())).collect::<Vec<_>>())
                )
            }),
            pairs.prop_map(|pairs| format!(
                "OrderedDict([{}])",
                pairs.iter().map(|(k, v)| format!("({}, {v})", py_str(k))).collect::<Vec<_>>().join(", ")
            )),
            (items.clone(), prop::option::of(4usize..6)).prop_map(|(items, maxlen)| {
                let maxlen = maxlen.map_or("None".to_owned(), |n| n.to_string());
                format!("deque([{}], maxlen={maxlen})", items.join(", "))
            }),
            (inner.clone(), inner.clone()).prop_map(|(left, right)| format!("Pair(left={left}, right={right})")),
            scalar().prop_map(|item| format!("Frozen(item={item})")),
            inner.clone().prop_map(|item| format!("Loose(item={item})")),
            (text(), any::<bool>(), prop::option::of(datetime()), inner.clone()).prop_map(
                |(name, high, when, item)| {
                    let level = if high { "Level.HIGH" } else { "Level.LOW" };
                    let when = when.unwrap_or_else(|| "None".to_owned());
                    format!("Tagged(Name={}, level={level}, when={when}, Item={item})", py_str(&name))
                }
            ),
            (inner.clone(), items).prop_map(|(item, items)| {
                format!("Nest(inner=Tagged(Name='in', Item={item}), items=[{}])", items.join(", "))
            }),
        ]
    })
}

/// The context file up to `last_code`: everything a run saves but the code and its time.
fn saved_values(sandbox: &Sandbox) -> String {
    let text = String::from_utf8(sandbox.read(".moss/kinds.context.json")).unwrap();
    text.split("\"last_code\"").next().unwrap().to_owned()
}

fn run(sandbox: &Sandbox, code: &str) {
    sandbox.write("code.py", code);
    let (out, result) = sandbox.exec_json("kinds.py", "code.py", &[]);
    assert_exit(&out, 0);
    assert_eq!(result["warnings"], serde_json::json!([]), "{code}");
}

/// Stores `values` as moss.v0, v1, ...; checks the next run sees each exactly as built and saves
/// the same bytes, and so does the run after it. Returns the saved file.
fn assert_round_trip(values: &[String]) -> serde_json::Value {
    let sandbox = Sandbox::with(&["context/kinds.py"]);
    let assign: String = values.iter().enumerate().map(|(i, v)| format!("    moss.v{i} = {v}\n")).collect();
    run(&sandbox, &format!("def main(moss):\n{assign}"));
    let first = saved_values(&sandbox);
    let checks: String =
        values.iter().enumerate().map(|(i, v)| format!("    same(moss.v{i}, {v}, 'moss.v{i}')\n")).collect();
    run(&sandbox, &format!("{SAME}\n\ndef main(moss):\n{checks}"));
    assert_eq!(saved_values(&sandbox), first, "restoring and saving again changed the file");
    run(&sandbox, "def main(moss):\n    pass\n");
    assert_eq!(saved_values(&sandbox), first, "a third save changed the file");
    sandbox.context("kinds")
}

proptest! {
    // Each case is three runs of moss: few cases, few shrinking steps.
    #![proptest_config(Config {
        cases: 16,
        max_shrink_iters: 40,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn random_values_of_every_kind_come_back_exactly(values in prop::collection::vec(value(), 3)) {
        assert_round_trip(&values);
    }
}

/// Every tag in `value`, recursively.
fn tags(value: &serde_json::Value, found: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Array(items) => items.iter().for_each(|item| tags(item, found)),
        serde_json::Value::Object(map) => {
            if let Some(tag) = map.get("$moss").and_then(|t| t.as_str()) {
                found.insert(tag.to_owned());
            }
            map.values().for_each(|item| tags(item, found));
        }
        _ => {}
    }
}

#[test]
fn one_value_of_each_documented_kind_comes_back_exactly() {
    let every_kind = [
        "[None, True, -5, 2**70, -0.0, 1e-300, 'caf\\u00e9', {'$moss': 1}, {'k': [1]}]",
        "(1, 'two', (3,))",
        "[set(['a', 1]), frozenset([b'x']), b'\\x00\\xff', bytearray(b'ab')]",
        "[defaultdict(list, {'a': [1]}), Counter('abca'), OrderedDict([('z', 1), ('a', 2)]), deque([1, 2], maxlen=3)]",
        "[{1: 'a', (2, 3): 'b', Level.LOW: None, True: 0}, Counter([1, 1, 2]), defaultdict(int, {b'k': 1})]",
        "[datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo('Europe/Paris'), fold=1), date(1, 1, 1)]",
        "[time(23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5), 'EST')), timedelta(days=-1, microseconds=1)]",
        "[Decimal('-0.000'), UUID(int=7), PurePosixPath('a/b'), Path('/tmp')]",
        "[Color.PAIR, Level.LOW, Mode.SLOW, Perm.R | Perm.W, Bits.B]",
        "[Pair(1, Frozen((1, 2))), Loose([1])]",
        "Nest(inner=Tagged(Name=' ada ', level=Level.HIGH, when=datetime(2020, 1, 1), Item={'s': {1}}), \
         items=[Pair()])",
    ];
    let saved = assert_round_trip(&every_kind.map(String::from));
    let mut stored = BTreeSet::new();
    tags(&saved["properties"], &mut stored);
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/context-format.md")).unwrap();
    let documented: BTreeSet<String> =
        docs.split("{\"$moss\": \"").skip(1).filter_map(|rest| rest.split('"').next()).map(String::from).collect();
    assert_eq!(stored, documented, "every documented tag is covered, and only those");
}
