//! What Python source binds at its top level, read without running it: whether the code and the
//! MOSS file leave the target undefined, and which blocks of a reply run: not a usage example
//! beside the block that defines the target, nor an unlabelled block beside Python ones.
//!
//! Every answer errs towards running: when a source does not parse with moss's own Python
//! grammar, or could bind names in ways no reading follows (`exec`, `globals()`, a star import,
//! a hook of the MOSS file), the code runs and Python decides, as it did before the check.

use rustpython_parser::ast::{self, Expr, Ranged, Stmt};
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Parse, Tok};

use super::{Block, PYTHON_LABELS};

/// Names through which code can bind a module name without a statement that names it: running
/// text as code, writing a namespace, or a MOSS file's hooks, which get the compiler and the run.
const DYNAMIC: [&str; 15] = [
    "exec",
    "eval",
    "globals",
    "locals",
    "vars",
    "setattr",
    "__import__",
    "__dict__",
    "__setattr__",
    "__builtins__",
    "modules",
    "with_locals",
    "__moss_compile__",
    "__moss_compiled__",
    "__moss_exec__",
];

/// Names the run itself puts in the module's namespace: `moss`, its class, and the dunders.
fn given_by_the_run(name: &str) -> bool {
    name.starts_with("__") || name == "moss" || name == "Moss"
}

/// The message of a run whose target nothing binds, as the run itself would give it, when that
/// is certain before anything runs; `None` when the code or the MOSS file binds the target, or
/// might.
pub fn missing_target(code: &str, moss_source: &str, target: &str) -> Option<String> {
    if given_by_the_run(target) {
        return None;
    }
    let mut code_binds = Vec::new();
    for (index, source) in [code, moss_source].into_iter().enumerate() {
        let suite = ast::Suite::parse(source, "<source>").ok()?;
        if binds(&suite, target) || may_bind_unseen(&tokens(source)?, target) {
            return None;
        }
        if index == 0 {
            code_binds = names_bound(&suite);
        }
    }
    let listed = match code_binds.is_empty() {
        true => String::new(),
        false => format!(" (it defines: {})", code_binds.join(", ")),
    };
    Some(format!("the code defines no `{target}`{listed}"))
}

/// The blocks that run, and why the others do not: when one of several blocks defines the
/// target, a block beside it runs only if it defines or imports things, so that a usage example
/// such as `print(main(moss))` does not run the target once more before moss calls it.
pub(super) fn without_usage(blocks: &[&Block], target: &str) -> (Vec<String>, Vec<String>) {
    let roles: Vec<BlockRole> = match blocks.len() {
        0 | 1 => Vec::new(),
        _ => blocks.iter().map(|block| block_role(&block.code, target)).collect(),
    };
    if !roles.contains(&BlockRole::DefinesTarget) {
        return (blocks.iter().map(|block| block.code.clone()).collect(), Vec::new());
    }
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for (number, (block, role)) in blocks.iter().zip(roles).enumerate() {
        match role {
            BlockRole::LeftOut(why) => left_out.push(format!(
                "the reply's code block {} of {} (at line {}) was left out: {why}; beside a block that defines \
                 `{target}`, only blocks of definitions and imports run",
                number + 1,
                blocks.len(),
                block.line
            )),
            BlockRole::DefinesTarget | BlockRole::Kept => kept.push(block.code.clone()),
        }
    }
    (kept, left_out)
}

/// Beside ```python blocks an unlabelled block does not run; one that defines functions or classes
/// was most likely meant to, so each is named with what it defines, for the model to label it.
pub(super) fn unlabelled_definitions(blocks: &[Block]) -> Vec<String> {
    if !blocks.iter().any(|block| PYTHON_LABELS.contains(&block.label.as_str())) {
        return Vec::new();
    }
    let unlabelled = blocks.iter().filter(|block| block.label.is_empty());
    unlabelled
        .filter_map(|block| {
            let defined = functions_and_classes(&block.code);
            (!defined.is_empty()).then(|| {
                format!(
                    "the reply's unlabelled code block at line {} was not run, although it defines {}: beside \
                     ```python blocks, only they run; label it ```python",
                    block.line,
                    defined.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
                )
            })
        })
        .collect()
}

/// A warning when the code's top level calls the target (`result = main(moss)`, `print(main(moss))`
/// after `def main`): that call runs it once before moss calls it again, so what it does happens
/// twice. Said for the model, which then leaves such a call out.
pub fn target_called(code: &str, target: &str) -> Option<String> {
    let suite = ast::Suite::parse(code, "<code>").ok()?;
    let calls = |statement: &&Stmt| {
        let simple = matches!(statement, Stmt::Expr(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_));
        let text = &code[statement.range()];
        simple
            && tokens(text).is_some_and(|tokens| {
                tokens.windows(2).any(|pair| matches!(pair, [Tok::Name { name }, Tok::Lpar] if name == target))
            })
    };
    let statement = suite.iter().find(calls)?;
    let start = usize::from(statement.range().start());
    let line = code[..start].matches('\n').count() + 1;
    let text = code[start..].lines().next().unwrap_or_default().trim_end();
    Some(format!(
        "the code calls `{target}` at its top level (line {line}: `{text}`), so it ran there and again when moss \
         called it: leave that call out, moss calls `{target}` itself"
    ))
}

/// What a block of a reply is to the code that runs, beside a block that defines the target.
#[derive(Debug, PartialEq, Eq)]
pub enum BlockRole {
    DefinesTarget,
    /// Only definitions and imports, or code that does not compile for Python to report.
    Kept,
    /// Something to leave out, and why: a usage example or an interactive session.
    LeftOut(String),
}

pub fn block_role(code: &str, target: &str) -> BlockRole {
    let Ok(suite) = ast::Suite::parse(code, "<block>") else {
        return match tokens(code).is_some_and(|tokens| names(&tokens).any(|name| name == target)) {
            true => BlockRole::LeftOut(format!(
                "it does not compile and names `{target}`, as a `>>> {target}(moss)` session does"
            )),
            false => BlockRole::Kept,
        };
    };
    if binds(&suite, target) {
        return BlockRole::DefinesTarget;
    }
    match suite.iter().find(|statement| !defines_only(statement, code, target)) {
        None => BlockRole::Kept,
        Some(statement) => {
            let start = usize::from(statement.range().start());
            let line = code[..start].matches('\n').count() + 1;
            let text = code[start..].lines().next().unwrap_or_default().trim_end();
            BlockRole::LeftOut(format!("its line {line} runs `{text}` at the top level, as a usage example does"))
        }
    }
}

/// The functions and classes a block defines at its top level, in order; none when it does not parse.
pub fn functions_and_classes(code: &str) -> Vec<String> {
    let Ok(suite) = ast::Suite::parse(code, "<block>") else { return Vec::new() };
    suite
        .iter()
        .filter_map(|statement| match statement {
            Stmt::FunctionDef(def) => Some(def.name.to_string()),
            Stmt::AsyncFunctionDef(def) => Some(def.name.to_string()),
            Stmt::ClassDef(class) => Some(class.name.to_string()),
            _ => None,
        })
        .collect()
}

/// Whether a top-level statement only defines something (a function, a class, an import, a
/// constant, a docstring) without naming the target outside a function's or class's body.
fn defines_only(statement: &Stmt, code: &str, target: &str) -> bool {
    let names_target = || {
        let text = &code[statement.range()];
        tokens(text).is_none_or(|tokens| names(&tokens).any(|name| name == target))
    };
    let all = |statements: &[Stmt]| statements.iter().all(|inner| defines_only(inner, code, target));
    match statement {
        Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => true,
        Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Pass(_) | Stmt::TypeAlias(_) => true,
        Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => !names_target(),
        Stmt::Expr(ast::StmtExpr { value, .. }) => matches!(**value, Expr::Constant(_)),
        // `try: import fast except ImportError: import slow`, and the like.
        Stmt::Try(ast::StmtTry { body, handlers, orelse, finalbody, .. }) => {
            all(body)
                && all(orelse)
                && all(finalbody)
                && handlers.iter().all(|ast::ExceptHandler::ExceptHandler(handler)| all(&handler.body))
        }
        _ => false,
    }
}

/// Whether the statements bind `name` in the module's namespace: at the top level or in the
/// blocks of `if`, `for`, `while`, `with`, `try` and `match` there, not in a function's or
/// class's body.
fn binds(statements: &[Stmt], name: &str) -> bool {
    statements.iter().any(|statement| match statement {
        Stmt::FunctionDef(def) => def.name.as_str() == name,
        Stmt::AsyncFunctionDef(def) => def.name.as_str() == name,
        Stmt::ClassDef(class) => class.name.as_str() == name,
        Stmt::Assign(assign) => assign.targets.iter().any(|target| assigns(target, name)),
        Stmt::AnnAssign(assign) => assigns(&assign.target, name),
        Stmt::AugAssign(assign) => assigns(&assign.target, name),
        Stmt::TypeAlias(alias) => assigns(&alias.name, name),
        Stmt::Import(import) => import.names.iter().any(|alias| imported_as(alias) == name),
        Stmt::ImportFrom(import) => import.names.iter().any(|alias| imported_as(alias) == name),
        Stmt::For(ast::StmtFor { target, body, orelse, .. })
        | Stmt::AsyncFor(ast::StmtAsyncFor { target, body, orelse, .. }) => {
            assigns(target, name) || binds(body, name) || binds(orelse, name)
        }
        Stmt::While(ast::StmtWhile { body, orelse, .. }) | Stmt::If(ast::StmtIf { body, orelse, .. }) => {
            binds(body, name) || binds(orelse, name)
        }
        Stmt::With(ast::StmtWith { items, body, .. }) | Stmt::AsyncWith(ast::StmtAsyncWith { items, body, .. }) => {
            items.iter().any(|item| item.optional_vars.as_deref().is_some_and(|vars| assigns(vars, name)))
                || binds(body, name)
        }
        Stmt::Try(ast::StmtTry { body, handlers, orelse, finalbody, .. })
        | Stmt::TryStar(ast::StmtTryStar { body, handlers, orelse, finalbody, .. }) => {
            binds(body, name)
                || binds(orelse, name)
                || binds(finalbody, name)
                || handlers.iter().any(|ast::ExceptHandler::ExceptHandler(handler)| {
                    handler.name.as_ref().is_some_and(|bound| bound.as_str() == name) || binds(&handler.body, name)
                })
        }
        Stmt::Match(matched) => matched.cases.iter().any(|case| binds(&case.body, name)),
        _ => false,
    })
}

/// Whether an assignment target binds `name` itself (not an attribute or item of something).
fn assigns(target: &Expr, name: &str) -> bool {
    match target {
        Expr::Name(bound) => bound.id.as_str() == name,
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().any(|element| assigns(element, name))
        }
        Expr::Starred(starred) => assigns(&starred.value, name),
        _ => false,
    }
}

/// The name an import binds: `import a.b` binds `a`.
fn imported_as(alias: &ast::Alias) -> &str {
    match &alias.asname {
        Some(asname) => asname.as_str(),
        None => alias.name.as_str().split('.').next().unwrap_or_default(),
    }
}

/// Whether the source could bind `name` where [`binds`] does not look: through a dynamic name, a
/// star import, a `global` statement in a function, a walrus, or a `match` capture.
fn may_bind_unseen(tokens: &[Tok], name: &str) -> bool {
    let named = |tok: &Tok| matches!(tok, Tok::Name { name: found } if found == name);
    tokens.iter().any(|tok| match tok {
        Tok::Name { name: found } => DYNAMIC.contains(&found.as_str()),
        Tok::Global => true,
        Tok::Match => tokens.iter().any(named),
        _ => false,
    }) || tokens.windows(2).any(|pair| match pair {
        [Tok::Import, Tok::Star] => true,
        [first, Tok::ColonEqual] => named(first),
        _ => false,
    })
}

/// The names the top-level statements bind, in order, as the run lists them when the target is
/// missing: what is defined, imported or assigned, with the names inside an assignment's target.
fn names_bound(suite: &[Stmt]) -> Vec<String> {
    let mut bound: Vec<String> = Vec::new();
    for statement in suite {
        let mut targets: Vec<&Expr> = Vec::new();
        match statement {
            Stmt::FunctionDef(def) => bound.push(def.name.to_string()),
            Stmt::AsyncFunctionDef(def) => bound.push(def.name.to_string()),
            Stmt::ClassDef(class) => bound.push(class.name.to_string()),
            Stmt::Import(import) => bound.extend(import.names.iter().map(|alias| imported_as(alias).to_owned())),
            Stmt::ImportFrom(import) => bound.extend(import.names.iter().map(|alias| imported_as(alias).to_owned())),
            Stmt::Assign(assign) => targets.extend(&assign.targets),
            Stmt::AnnAssign(assign) => targets.push(&assign.target),
            Stmt::AugAssign(assign) => targets.push(&assign.target),
            _ => {}
        }
        for target in targets {
            names_in(target, &mut bound);
        }
    }
    let mut seen = std::collections::HashSet::new();
    bound.retain(|name| seen.insert(name.clone()));
    bound
}

fn names_in(expr: &Expr, names: &mut Vec<String>) {
    match expr {
        Expr::Name(name) => names.push(name.id.to_string()),
        Expr::Attribute(attribute) => names_in(&attribute.value, names),
        Expr::Subscript(subscript) => {
            names_in(&subscript.value, names);
            names_in(&subscript.slice, names);
        }
        Expr::Starred(starred) => names_in(&starred.value, names),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().for_each(|element| names_in(element, names))
        }
        _ => {}
    }
}

/// The source's tokens, or `None` when it does not lex.
fn tokens(source: &str) -> Option<Vec<Tok>> {
    lex(source, Mode::Module).map(|token| token.ok().map(|(tok, _)| tok)).collect()
}

fn names(tokens: &[Tok]) -> impl Iterator<Item = &str> {
    tokens.iter().filter_map(|tok| match tok {
        Tok::Name { name } => Some(name.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOSS_FILE: &str = "from ghostos_moss import Moss as Parent\n\ndef double(x):\n    return x * 2\n";

    #[test]
    fn code_that_binds_the_target_anywhere_at_its_top_level_passes() {
        for code in [
            "def main(moss): pass",
            "async def main(moss): pass",
            "class main: pass",
            "main = print",
            "main: object = print",
            "a, (b, *main) = 1, (2, 3)",
            "from os import path as main",
            "import main",
            "if True:\n    def main(moss): pass",
            "try:\n    pass\nexcept Exception as main:\n    pass",
            "with open('x') as main: pass",
            "for main in []: pass",
            "(main := print)",
        ] {
            assert_eq!(missing_target(code, MOSS_FILE, "main"), None, "{code}");
        }
    }

    #[test]
    fn the_moss_file_may_bind_the_target_and_the_run_binds_moss_and_dunders() {
        assert_eq!(missing_target("x = 1", MOSS_FILE, "double"), None);
        assert_eq!(missing_target("x = 1", MOSS_FILE, "moss"), None);
        assert_eq!(missing_target("x = 1", MOSS_FILE, "__name__"), None);
    }

    #[test]
    fn what_no_reading_can_follow_runs() {
        for code in [
            "exec('def main(moss): pass')",
            "globals()['main'] = print",
            "from os.path import *",
            "def f():\n    global main\n    main = print\nf()",
            "import sys\nsetattr(sys.modules[__name__], 'main', print)",
            "match 1:\n    case main: pass",
            "def main(moss)\n    pass",
        ] {
            assert_eq!(missing_target(code, MOSS_FILE, "main"), None, "{code}");
        }
        let hooked = format!("{MOSS_FILE}\ndef __moss_compile__(compiler):\n    return compiler\n");
        assert_eq!(missing_target("x = 1", &hooked, "main"), None);
    }

    #[test]
    fn a_missing_target_is_said_as_the_run_says_it() {
        assert_eq!(
            missing_target("import os\nx = y[i] = 1\nmoss.count = 2\nprint(x)\ndef main2(): pass\n", MOSS_FILE, "main"),
            Some("the code defines no `main` (it defines: os, x, y, i, moss, main2)".into())
        );
        assert_eq!(missing_target("print(1)", MOSS_FILE, "main"), Some("the code defines no `main`".into()));
        assert_eq!(
            missing_target("def main(m): pass", MOSS_FILE, "run"),
            Some("the code defines no `run` (it defines: main)".into())
        );
    }

    #[test]
    fn blocks_of_definitions_are_kept_and_usage_examples_left_out() {
        assert_eq!(block_role("def main(moss):\n    return 1\n", "main"), BlockRole::DefinesTarget);
        for helper in [
            "import math\n\nSPEED = 3\n\ndef helper(x):\n    return main(x)\n",
            "\"\"\"Helpers.\"\"\"\nclass Point:\n    x: int = 0\n",
            "try:\n    import numpy\nexcept ImportError:\n    numpy = None\n",
            "def broken(:\n",
        ] {
            assert_eq!(block_role(helper, "main"), BlockRole::Kept, "{helper}");
        }
        for (usage, says) in [
            ("result = main(moss)\nprint(result)\n", "line 1 runs `result = main(moss)`"),
            ("x = 1\nprint(x)\n", "line 2 runs `print(x)`"),
            ("if __name__ == \"__main__\":\n    main(moss)\n", "line 1"),
            (">>> main(moss)\n3\n", "does not compile"),
        ] {
            match block_role(usage, "main") {
                BlockRole::LeftOut(why) => assert!(why.contains(says), "{usage}: {why}"),
                other => panic!("{usage}: {other:?}"),
            }
        }
    }
}
