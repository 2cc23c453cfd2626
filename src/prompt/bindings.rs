//! Which module-level names a MOSS file binds in code the model reads, and which only on hidden
//! lines: the prompt explains only what visible code binds. Read from the source with the Rust
//! parser, so that the prompt's child never readies CPython's `ast` node types (a seventh of a
//! light prompt).

use std::collections::BTreeSet;

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Expr, ExprContext, Pattern, Ranged, Stmt};

use crate::prompt::hidden;

/// One name a visible import binds: `bound` in the module; `name` and `asname` as written;
/// the `module` and `level` of a `from` import (`is_from`). A star import binds `*`.
#[derive(Debug, PartialEq, Eq)]
pub struct Import {
    pub bound: String,
    pub name: String,
    pub asname: Option<String>,
    pub module: Option<String>,
    pub level: u32,
    pub is_from: bool,
}

/// The module-level bindings of a source, by where they are written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Bindings {
    /// Visible imports, in the order they are written.
    pub imports: Vec<Import>,
    /// Names visible statements other than imports bind (assignments, defs, classes, ...).
    pub defined: BTreeSet<String>,
    /// Names any hidden line binds.
    pub hidden: BTreeSet<String>,
}

/// Where the source binds its module-level names. A source that this parser cannot read (syntax
/// newer than it knows), or that CPython would refuse, binds nothing visibly: nothing of it is
/// explained.
pub fn bindings(source: &str) -> Bindings {
    let mut found = Bindings::default();
    // CPython refuses text with a NUL or that starts with a byte order mark, which this parser
    // reads.
    if source.contains('\0') || source.starts_with('\u{feff}') {
        return found;
    }
    let Ok(suite) = ast::Suite::parse(source, "<moss file>") else {
        return found;
    };
    let lines = Lines { starts: hidden::line_starts(source), hidden: hidden::hidden_lines(source) };
    module_level(&suite, &lines, &mut found);
    as_python_binds(found)
}

/// The names as Python binds them (NFKC, see `hidden::as_python_binds`), which is how the module's
/// namespace holds them.
fn as_python_binds(found: Bindings) -> Bindings {
    let normal = |name: String| hidden::as_python_binds(&name);
    Bindings {
        imports: (found.imports.into_iter())
            .map(|import| Import {
                bound: normal(import.bound),
                name: normal(import.name),
                asname: import.asname.map(normal),
                module: import.module.map(normal),
                ..import
            })
            .collect(),
        defined: found.defined.into_iter().map(normal).collect(),
        hidden: found.hidden.into_iter().map(normal).collect(),
    }
}

/// The line numbers of offsets, and which lines are hidden.
struct Lines {
    starts: Vec<usize>,
    hidden: Vec<usize>,
}

impl Lines {
    fn of(&self, offset: ast::TextSize) -> usize {
        hidden::line_at(&self.starts, offset.to_usize())
    }

    fn any_hidden(&self, first: usize, last: usize) -> bool {
        let from = self.hidden.partition_point(|&line| line < first);
        self.hidden.get(from).is_some_and(|&line| line <= last)
    }
}

/// Reads the statements that run in the module's namespace: a compound statement binds in its
/// header (see `header_parts`) and its blocks are read in turn; the bodies of functions and
/// classes are not, but their `global` statements bind module names when they run.
fn module_level(body: &[Stmt], lines: &Lines, found: &mut Bindings) {
    for stmt in body {
        let first = lines.of(stmt.start());
        let mut names = Vec::new();
        let (first, last) = match stmt {
            Stmt::Import(ast::StmtImport { names: aliases, .. }) => {
                imports(aliases, None, first, lines, found);
                continue;
            }
            Stmt::ImportFrom(ast::StmtImportFrom { names: aliases, module, level, .. }) => {
                let from = (module.as_ref().map(|m| m.to_string()), level.map_or(0, |l| l.to_u32()));
                imports(aliases, Some(from), first, lines, found);
                continue;
            }
            Stmt::FunctionDef(ast::StmtFunctionDef { name, decorator_list, .. })
            | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { name, decorator_list, .. })
            | Stmt::ClassDef(ast::StmtClassDef { name, decorator_list, .. }) => {
                names.push(name.to_string());
                globals(stmt, &mut names);
                let decorated = decorator_list.iter().map(|d| lines.of(d.start())).min().unwrap_or(first);
                (decorated.min(first), lines.of(stmt.end()))
            }
            _ => {
                let blocks = hidden::nested_bodies(stmt);
                if blocks.is_empty() {
                    statement_names(stmt, &mut names);
                    (first, lines.of(stmt.end()))
                } else {
                    for (part, first, last) in header_parts(stmt, first, lines) {
                        let side = if lines.any_hidden(first, last) { &mut found.hidden } else { &mut found.defined };
                        side.extend(part);
                    }
                    blocks.into_iter().for_each(|(block, _)| module_level(block, lines, found));
                    continue;
                }
            }
        };
        let side = if lines.any_hidden(first, last) { &mut found.hidden } else { &mut found.defined };
        side.extend(names);
    }
}

/// Records an import statement's aliases: visible ones as imports, in order; one on a hidden
/// line (or in a statement whose first line is hidden) as a hidden binding.
fn imports(
    aliases: &[ast::Alias],
    from: Option<(Option<String>, u32)>,
    first: usize,
    lines: &Lines,
    found: &mut Bindings,
) {
    for alias in aliases {
        let name = alias.name.to_string();
        let bound = match &alias.asname {
            _ if name == "*" => "*".to_owned(),
            Some(asname) => asname.to_string(),
            None => name.split('.').next().unwrap_or_default().to_owned(),
        };
        if lines.any_hidden(first, first) || lines.any_hidden(lines.of(alias.start()), lines.of(alias.end())) {
            found.hidden.insert(bound);
            continue;
        }
        let (module, level) = from.clone().unwrap_or_default();
        let asname = alias.asname.as_ref().map(|a| a.to_string());
        found.imports.push(Import { bound, name, asname, module, level, is_from: from.is_some() });
    }
}

/// The names `global` statements anywhere in a definition's body declare.
fn globals(stmt: &Stmt, names: &mut Vec<String>) {
    if let Stmt::Global(global) = stmt {
        names.extend(global.names.iter().map(|name| name.to_string()));
    }
    for (block, _) in hidden::nested_bodies(stmt) {
        block.iter().for_each(|inner| globals(inner, names));
    }
}

/// What the parts of a compound statement outside its blocks bind, each with the lines it spans:
/// `for` targets, `with ... as`, walrus assignments in its tests (from the statement's first line
/// to the end of its header's last expression, so that a name on any line of a header written
/// over several lines counts), each `except ... as` (its clause's line to its type's end) and
/// each `case` capture (its pattern's lines). (Not `case` guards nor `except` types: CPython's
/// own reading of the header, which this mirrors, skips them.)
fn header_parts(stmt: &Stmt, first: usize, lines: &Lines) -> Vec<(Vec<String>, usize, usize)> {
    let header: Vec<&Expr> = match stmt {
        Stmt::For(ast::StmtFor { target, iter, .. }) | Stmt::AsyncFor(ast::StmtAsyncFor { target, iter, .. }) => {
            vec![target, iter]
        }
        Stmt::While(ast::StmtWhile { test, .. }) | Stmt::If(ast::StmtIf { test, .. }) => vec![test],
        Stmt::With(ast::StmtWith { items, .. }) | Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) => items
            .iter()
            .flat_map(|item| [&item.context_expr].into_iter().chain(item.optional_vars.as_deref()))
            .collect(),
        Stmt::Match(ast::StmtMatch { subject, .. }) => vec![subject],
        _ => Vec::new(),
    };
    let mut names = Vec::new();
    header.iter().for_each(|expr| expr_names(expr, &mut names));
    let last = header.iter().map(|expr| lines.of(expr.end())).max().unwrap_or(first);
    let mut parts = vec![(names, first, last)];
    match stmt {
        Stmt::Match(ast::StmtMatch { cases, .. }) => {
            for case in cases {
                let mut captured = Vec::new();
                pattern_names(&case.pattern, &mut captured);
                parts.push((captured, lines.of(case.pattern.start()), lines.of(case.pattern.end())));
            }
        }
        Stmt::Try(ast::StmtTry { handlers, .. }) | Stmt::TryStar(ast::StmtTryStar { handlers, .. }) => {
            for ast::ExceptHandler::ExceptHandler(handler) in handlers {
                let clause = lines.of(handler.start());
                let last = handler.type_.as_ref().map_or(clause, |type_| lines.of(type_.end()));
                parts.push((handler.name.iter().map(|name| name.to_string()).collect(), clause, last));
            }
        }
        _ => {}
    }
    parts
}

/// What a simple statement binds.
fn statement_names(stmt: &Stmt, names: &mut Vec<String>) {
    let exprs: Vec<&Expr> = match stmt {
        Stmt::Assign(ast::StmtAssign { targets, value, .. }) => targets.iter().chain([&**value]).collect(),
        Stmt::AugAssign(ast::StmtAugAssign { target, value, .. }) => vec![target, value],
        Stmt::AnnAssign(ast::StmtAnnAssign { target, annotation, value, .. }) => {
            [&**target, annotation].into_iter().chain(value.as_deref()).collect()
        }
        Stmt::TypeAlias(ast::StmtTypeAlias { name, type_params, value, .. }) => {
            let bounds = type_params.iter().filter_map(|param| match param {
                ast::TypeParam::TypeVar(var) => var.bound.as_deref(),
                _ => None,
            });
            [&**name, value].into_iter().chain(bounds).collect()
        }
        Stmt::Delete(ast::StmtDelete { targets, .. }) => targets.iter().collect(),
        Stmt::Expr(ast::StmtExpr { value, .. }) => vec![value],
        Stmt::Return(ast::StmtReturn { value, .. }) => value.as_deref().into_iter().collect(),
        Stmt::Raise(ast::StmtRaise { exc, cause, .. }) => exc.iter().chain(cause).map(|e| &**e).collect(),
        Stmt::Assert(ast::StmtAssert { test, msg, .. }) => [&**test].into_iter().chain(msg.as_deref()).collect(),
        _ => Vec::new(),
    };
    exprs.into_iter().for_each(|expr| expr_names(expr, names));
}

/// The names an expression stores or deletes: targets, walrus assignments and comprehension
/// variables, except inside lambdas.
fn expr_names(expr: &Expr, names: &mut Vec<String>) {
    let mut walk = |inner: &Expr| expr_names(inner, names);
    match expr {
        Expr::Name(ast::ExprName { id, ctx, .. }) => {
            if matches!(ctx, ExprContext::Store | ExprContext::Del) {
                names.push(id.to_string());
            }
        }
        Expr::Lambda(_) | Expr::Constant(_) => {}
        Expr::BoolOp(ast::ExprBoolOp { values: items, .. })
        | Expr::Set(ast::ExprSet { elts: items, .. })
        | Expr::List(ast::ExprList { elts: items, .. })
        | Expr::Tuple(ast::ExprTuple { elts: items, .. })
        | Expr::JoinedStr(ast::ExprJoinedStr { values: items, .. }) => items.iter().for_each(walk),
        Expr::NamedExpr(ast::ExprNamedExpr { target: left, value: right, .. })
        | Expr::BinOp(ast::ExprBinOp { left, right, .. })
        | Expr::Subscript(ast::ExprSubscript { value: left, slice: right, .. }) => {
            walk(left);
            walk(right);
        }
        Expr::UnaryOp(ast::ExprUnaryOp { operand: inner, .. })
        | Expr::Await(ast::ExprAwait { value: inner, .. })
        | Expr::YieldFrom(ast::ExprYieldFrom { value: inner, .. })
        | Expr::Attribute(ast::ExprAttribute { value: inner, .. })
        | Expr::Starred(ast::ExprStarred { value: inner, .. }) => walk(inner),
        Expr::Yield(ast::ExprYield { value, .. }) => value.iter().for_each(|inner| walk(inner)),
        Expr::IfExp(ast::ExprIfExp { test, body, orelse, .. }) => {
            [test, body, orelse].into_iter().for_each(|e| walk(e))
        }
        Expr::Dict(ast::ExprDict { keys, values, .. }) => keys.iter().flatten().chain(values).for_each(walk),
        Expr::Compare(ast::ExprCompare { left, comparators, .. }) => {
            walk(left);
            comparators.iter().for_each(walk);
        }
        Expr::Call(ast::ExprCall { func, args, keywords, .. }) => {
            walk(func);
            args.iter().chain(keywords.iter().map(|keyword| &keyword.value)).for_each(walk);
        }
        Expr::FormattedValue(ast::ExprFormattedValue { value, format_spec, .. }) => {
            walk(value);
            format_spec.iter().for_each(|spec| walk(spec));
        }
        Expr::Slice(ast::ExprSlice { lower, upper, step, .. }) => {
            lower.iter().chain(upper).chain(step).for_each(|part| walk(part))
        }
        Expr::ListComp(ast::ExprListComp { elt, generators, .. })
        | Expr::SetComp(ast::ExprSetComp { elt, generators, .. })
        | Expr::GeneratorExp(ast::ExprGeneratorExp { elt, generators, .. }) => {
            walk(elt);
            comprehension_names(generators, names);
        }
        Expr::DictComp(ast::ExprDictComp { key, value, generators, .. }) => {
            walk(key);
            walk(value);
            comprehension_names(generators, names);
        }
    }
}

fn comprehension_names(generators: &[ast::Comprehension], names: &mut Vec<String>) {
    for generator in generators {
        [&generator.target, &generator.iter].into_iter().chain(&generator.ifs).for_each(|e| expr_names(e, names));
    }
}

/// The names a `case` pattern captures.
fn pattern_names(pattern: &Pattern, names: &mut Vec<String>) {
    let mut walk = |inner: &Pattern| pattern_names(inner, names);
    match pattern {
        Pattern::MatchValue(_) | Pattern::MatchSingleton(_) => {}
        Pattern::MatchSequence(ast::PatternMatchSequence { patterns, .. })
        | Pattern::MatchOr(ast::PatternMatchOr { patterns, .. }) => patterns.iter().for_each(walk),
        Pattern::MatchClass(ast::PatternMatchClass { patterns, kwd_patterns, .. }) => {
            patterns.iter().chain(kwd_patterns).for_each(walk)
        }
        Pattern::MatchMapping(ast::PatternMatchMapping { patterns, rest, .. }) => {
            patterns.iter().for_each(walk);
            names.extend(rest.as_ref().map(|name| name.to_string()));
        }
        Pattern::MatchStar(ast::PatternMatchStar { name, .. }) => names.extend(name.as_ref().map(|n| n.to_string())),
        Pattern::MatchAs(ast::PatternMatchAs { pattern, name, .. }) => {
            pattern.iter().for_each(|inner| walk(inner));
            names.extend(name.as_ref().map(|n| n.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bindings;

    fn names(set: &std::collections::BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_hidden_decorator_hides_the_definition_and_its_globals() {
        let src = "# <moss-hide>\n@cache\n# </moss-hide>\ndef f():\n    global g\n\ndef h():\n    pass\n";
        let found = bindings(src);
        assert_eq!(names(&found.hidden), ["f", "g"]);
        assert_eq!(names(&found.defined), ["h"]);
    }

    #[test]
    fn a_source_this_parser_cannot_read_binds_nothing() {
        // Python 3.12 reads this f-string (PEP 701); this parser does not, so nothing is explained.
        let found = bindings("import os\nx = f\"{'a' + \"b\"}\"\n");
        assert!(found.imports.is_empty() && found.defined.is_empty() && found.hidden.is_empty(), "{found:?}");
        assert_eq!(names(&bindings("import os\nx = f\"{'a' + 'b'}\"\n").defined), ["x"]);
    }

    #[test]
    fn a_lone_cr_ends_a_line_as_for_cpython() {
        let found = bindings("import os\r# <moss-hide>\rimport sys\rsecret = 1\r# </moss-hide>\rshown = 2\r");
        assert_eq!(names(&found.hidden), ["secret", "sys"]);
        assert_eq!(names(&found.defined), ["shown"]);
        assert_eq!(found.imports.iter().map(|i| i.bound.as_str()).collect::<Vec<_>>(), ["os"]);
    }
}
