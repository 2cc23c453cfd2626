//! No file imports another that imports it back, directly or through others: in the Python
//! shipped inside the binary (`src/python`) and in the crate's own Rust files. A cycle makes the
//! order of imports decide what exists when, and ties modules that should stand alone.
//!
//! Python: every `import` and `from ... import` counts, at any level (a function's import, or
//! one under `if TYPE_CHECKING:`, is still an import), relative ones resolved; `from X import Y` imports `X`, and `X.Y` too when
//! `Y` is a shipped module. Importing a submodule is not counted as importing its parent
//! package (Python runs the parent first, which is no cycle of the files' own making).
//! Rust: each `crate::a::b` path, in `use` or in code, ties a file to the file defining `a::b`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, ExceptHandler, Stmt};

/// Who imports whom: importer -> imported -> where (`file:line`) it first does.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(folder: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

/// The strongly connected components of more than one node, each sorted, by Tarjan's algorithm.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            self.on_stack.insert(node);
            let graph = self.graph;
            for next in graph.get(node).into_iter().flat_map(|targets| targets.keys()) {
                if !self.index.contains_key(next.as_str()) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next.as_str()]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next.as_str()) {
                    let low = self.low[node].min(self.index[next.as_str()]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                loop {
                    let member = self.stack.pop().unwrap();
                    self.on_stack.remove(member);
                    component.push(member.to_owned());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
}

/// Each cycle with the imports that close it, for a failure message.
fn describe(graph: &Graph, found: &[Vec<String>]) -> String {
    let mut text = String::new();
    for component in found {
        text += &format!("\n{} in a cycle: {}\n", component.len(), component.join(", "));
        for from in component {
            for (to, place) in &graph[from] {
                if component.contains(to) {
                    text += &format!("    {from} -> {to}  ({place})\n");
                }
            }
        }
    }
    text
}

fn add_edge(graph: &mut Graph, from: &str, to: &str, place: String) {
    if from != to {
        graph.entry(from.to_owned()).or_default().entry(to.to_owned()).or_insert(place);
    }
}

/// The dotted module name of a file of `src/python`, and whether it is a package.
fn python_module(root: &Path, file: &Path) -> (String, bool) {
    let relative = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_str().unwrap().to_owned()).collect();
    let package = parts.last().is_some_and(|last| last == "__init__");
    if package {
        parts.pop();
    }
    (parts.join("."), package)
}

/// `(module, line)` for every import statement in `body` and the bodies nested in it.
fn python_imports(
    body: &[Stmt],
    source: &str,
    own: &str,
    package: bool,
    shipped: &BTreeSet<String>,
) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let line = |offset: ast::text_size::TextSize| source[..usize::from(offset)].matches('\n').count() + 1;
    for stmt in body {
        let nested: Vec<&[Stmt]> = match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    found.push((alias.name.to_string(), line(import.range.start())));
                }
                vec![]
            }
            Stmt::ImportFrom(import) => {
                let level = import.level.map_or(0, |l| l.to_u32()) as usize;
                let from = resolve_relative(own, package, level, import.module.as_ref().map(|m| m.as_str()));
                let at = line(import.range.start());
                for alias in &import.names {
                    let submodule = format!("{from}.{}", alias.name);
                    if shipped.contains(&submodule) {
                        found.push((submodule, at));
                    }
                }
                found.push((from, at));
                vec![]
            }
            Stmt::FunctionDef(f) => vec![&f.body],
            Stmt::AsyncFunctionDef(f) => vec![&f.body],
            Stmt::ClassDef(c) => vec![&c.body],
            Stmt::If(s) => vec![&s.body, &s.orelse],
            Stmt::For(s) => vec![&s.body, &s.orelse],
            Stmt::AsyncFor(s) => vec![&s.body, &s.orelse],
            Stmt::While(s) => vec![&s.body, &s.orelse],
            Stmt::With(s) => vec![&s.body],
            Stmt::AsyncWith(s) => vec![&s.body],
            Stmt::Try(s) => [&s.body, &s.orelse, &s.finalbody]
                .into_iter()
                .map(|b| b.as_slice())
                .chain(handlers(&s.handlers))
                .collect(),
            Stmt::TryStar(s) => [&s.body, &s.orelse, &s.finalbody]
                .into_iter()
                .map(|b| b.as_slice())
                .chain(handlers(&s.handlers))
                .collect(),
            Stmt::Match(s) => s.cases.iter().map(|case| case.body.as_slice()).collect(),
            _ => vec![],
        };
        for inner in nested {
            found.extend(python_imports(inner, source, own, package, shipped));
        }
    }
    found
}

fn handlers(handlers: &[ExceptHandler]) -> impl Iterator<Item = &[Stmt]> {
    handlers.iter().map(|ExceptHandler::ExceptHandler(h)| h.body.as_slice())
}

/// The absolute name `from .x import` (level 1), `from ..x import` (level 2), ... means in `own`.
fn resolve_relative(own: &str, package: bool, level: usize, module: Option<&str>) -> String {
    if level == 0 {
        return module.unwrap_or_default().to_owned();
    }
    let mut base: Vec<&str> = own.split('.').collect();
    if !package {
        base.pop();
    }
    base.truncate(base.len().saturating_sub(level - 1));
    base.extend(module);
    base.join(".")
}

/// The shipped module an imported name lands in: the name itself, else its longest shipped
/// prefix (`import a.b.c` of a module shipped as `a.b`); None for modules moss does not ship.
fn shipped_target<'a>(name: &str, shipped: &'a BTreeSet<String>) -> Option<&'a String> {
    let parts: Vec<&str> = name.split('.').collect();
    (1..=parts.len()).rev().find_map(|n| shipped.get(&parts[..n].join(".")))
}

fn python_graph() -> Graph {
    let root = crate_root().join("src/python");
    let mut files = Vec::new();
    files_under(&root, "py", &mut files);
    assert!(files.len() > 20, "the shipped Python was found under {}", root.display());
    let shipped: BTreeSet<String> = files.iter().map(|f| python_module(&root, f).0).collect();
    let mut graph = Graph::new();
    for file in &files {
        let (own, package) = python_module(&root, file);
        let source = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(crate_root()).unwrap().display().to_string();
        let suite = ast::Suite::parse(&source, &shown).unwrap_or_else(|e| panic!("{shown} does not parse: {e}"));
        graph.entry(own.clone()).or_default();
        for (imported, line) in python_imports(&suite, &source, &own, package, &shipped) {
            if let Some(target) = shipped_target(&imported, &shipped) {
                add_edge(&mut graph, &own, target, format!("{shown}:{line}"));
            }
        }
    }
    graph
}

#[test]
fn no_shipped_python_module_imports_one_that_imports_it_back() {
    let graph = python_graph();
    let found = cycles(&graph);
    assert!(found.is_empty(), "the shipped Python has import cycles:{}", describe(&graph, &found));
}

/// The engine builds on nothing public: `_moss` owns the contracts, defaults and names, and the
/// public `ghostos_moss` imports them from it, so the two never close a cycle between them.
#[test]
fn the_engine_never_imports_the_public_package() {
    let graph = python_graph();
    let upward: Vec<String> = graph
        .iter()
        .filter(|(from, _)| from.as_str() == "_moss" || from.starts_with("_moss."))
        .flat_map(|(from, targets)| targets.iter().map(move |(to, place)| (from, to, place)))
        .filter(|(_, to, _)| to.as_str() == "ghostos_moss" || to.starts_with("ghostos_moss."))
        .map(|(from, to, place)| format!("    {from} -> {to}  ({place})"))
        .collect();
    assert!(upward.is_empty(), "the engine imports the public package:\n{}", upward.join("\n"));
}

/// The file that defines the module path `segments` (`["run", "host", "Thing"]`): the longest
/// prefix that is a module file, `src/a/b.rs` or `src/a/b/mod.rs`; None for the crate root.
fn rust_file_of(segments: &[&str], src: &Path) -> Option<PathBuf> {
    (1..=segments.len()).rev().find_map(|n| {
        let folder = segments[..n].iter().fold(src.to_path_buf(), |path, segment| path.join(segment));
        [folder.with_extension("rs"), folder.join("mod.rs")].into_iter().find(|file| file.is_file())
    })
}

/// The paths a `use` tree after `crate::` names, groups expanded: `a::{b, c::d}` gives
/// `a::b` and `a::c::d`. `rest` is the text after `crate::`.
fn crate_paths(rest: &str) -> Vec<Vec<String>> {
    fn tree(text: &[char], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        loop {
            while *at < text.len() && text[*at].is_whitespace() {
                *at += 1;
            }
            if *at < text.len() && text[*at] == '{' {
                *at += 1;
                loop {
                    tree(text, at, path.clone(), out);
                    while *at < text.len() && text[*at].is_whitespace() {
                        *at += 1;
                    }
                    match text.get(*at) {
                        Some(',') => *at += 1,
                        Some('}') => {
                            *at += 1;
                            return;
                        }
                        _ => return,
                    }
                    while *at < text.len() && text[*at].is_whitespace() {
                        *at += 1;
                    }
                    if text.get(*at) == Some(&'}') {
                        *at += 1;
                        return;
                    }
                }
            }
            let start = *at;
            while *at < text.len() && (text[*at].is_alphanumeric() || text[*at] == '_') {
                *at += 1;
            }
            if *at > start {
                path.push(text[start..*at].iter().collect());
            }
            if text[*at..].starts_with(&[':', ':']) {
                *at += 2;
                continue;
            }
            out.push(path);
            return;
        }
    }
    let text: Vec<char> = rest.chars().collect();
    let mut out = Vec::new();
    tree(&text, &mut 0, Vec::new(), &mut out);
    out
}

fn rust_graph() -> Graph {
    let root = crate_root();
    let src = root.join("src");
    let mut files = Vec::new();
    files_under(&src, "rs", &mut files);
    let mut graph = Graph::new();
    for file in &files {
        let shown = file.strip_prefix(&root).unwrap().display().to_string();
        graph.entry(shown.clone()).or_default();
        let source = std::fs::read_to_string(file).unwrap();
        // Comments mention paths without using them.
        let code: String =
            source.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        for (offset, _) in code.match_indices("crate::") {
            let before = code[..offset].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let line = code[..offset].matches('\n').count() + 1;
            for path in crate_paths(&code[offset + "crate::".len()..]) {
                let segments: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(target) = rust_file_of(&segments, &src) {
                    let target = target.strip_prefix(&root).unwrap().display().to_string();
                    add_edge(&mut graph, &shown, &target, format!("{shown}:{line}"));
                }
            }
        }
    }
    graph
}

#[test]
fn no_rust_file_uses_one_that_uses_it_back() {
    let graph = rust_graph();
    assert!(graph.values().map(BTreeMap::len).sum::<usize>() > 20, "the crate's uses were found: {graph:?}");
    let found = cycles(&graph);
    assert!(found.is_empty(), "the crate's files use each other in cycles:{}", describe(&graph, &found));
}

#[test]
fn the_graphs_see_cycles_and_resolve_paths_as_python_and_rust_do() {
    let mut graph = Graph::new();
    add_edge(&mut graph, "a", "b", "a:1".into());
    add_edge(&mut graph, "b", "c", "b:1".into());
    add_edge(&mut graph, "c", "a", "c:1".into());
    add_edge(&mut graph, "c", "d", "c:2".into());
    add_edge(&mut graph, "d", "d", "d:1".into());
    assert_eq!(cycles(&graph), vec![vec!["a".to_owned(), "b".into(), "c".into()]]);
    assert!(describe(&graph, &cycles(&graph)).contains("c -> a  (c:1)"));

    assert_eq!(resolve_relative("pkg.sub.mod", false, 1, Some("x")), "pkg.sub.x");
    assert_eq!(resolve_relative("pkg.sub.mod", false, 2, None), "pkg");
    assert_eq!(resolve_relative("pkg.sub", true, 1, Some("x")), "pkg.sub.x");
    assert_eq!(resolve_relative("pkg", false, 0, Some("os.path")), "os.path");

    let source = "import os\ndef f():\n    try:\n        from . import b\n    except ImportError:\n        \
                  from .c import d as e\nif X:\n    import pkg.b.inner\n";
    let suite = ast::Suite::parse(source, "<test>").unwrap();
    let shipped: BTreeSet<String> = ["pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.c.d"].map(String::from).into();
    let found = python_imports(&suite, source, "pkg.a", false, &shipped);
    let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["os", "pkg.b", "pkg", "pkg.c.d", "pkg.c", "pkg.b.inner"]);
    assert_eq!(shipped_target("pkg.b.inner", &shipped), Some(&"pkg.b".to_owned()));
    assert_eq!(found[3].1, 6, "the line of a nested import");

    let paths = crate_paths("run::{host::{self, Host}, serve}, x;");
    assert_eq!(paths, [vec!["run", "host", "self"], vec!["run", "host", "Host"], vec!["run", "serve"]]);
    let src = crate_root().join("src");
    assert_eq!(rust_file_of(&["run", "host", "Host"], &src), Some(src.join("run/host.rs")));
    assert_eq!(rust_file_of(&["error", "MossError"], &src), Some(src.join("error.rs")));
}
