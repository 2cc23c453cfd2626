//! `# <moss-hide>` regions: code that runs but that the model never reads.

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Expr, Ranged, Stmt};
use unicode_normalization::UnicodeNormalization;

const OPEN: &str = "# <moss-hide>";
const CLOSE: &str = "# </moss-hide>";

/// The source without hidden regions and without the marker lines themselves, with `\n` line
/// endings.
///
/// Markers nest: a region closes only when every marker opened inside it is closed. A closing
/// marker with nothing open is dropped like any marker line. Blank lines right after a removed
/// region are dropped when the text before it already ends in two blank lines.
pub fn strip(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut after_region = false;
    for (line, role) in lines(source).zip(roles(source)) {
        match role {
            Role::Close { outermost } => {
                after_region = outermost;
                continue;
            }
            Role::Open | Role::Hidden => continue,
            Role::Visible => {}
        }
        if line.trim().is_empty() {
            if after_region && (out.is_empty() || out.ends_with("\n\n\n")) {
                continue;
            }
        } else {
            after_region = false;
        }
        let text = line.trim_end_matches(['\r', '\n']);
        out.push_str(text);
        if text.len() < line.len() {
            out.push('\n');
        }
    }
    out
}

/// The numbers (from 1) of the lines the model never reads: hidden lines and marker lines.
pub fn hidden_lines(source: &str) -> Vec<usize> {
    roles(source).enumerate().filter(|(_, role)| *role != Role::Visible).map(|(index, _)| index + 1).collect()
}

/// The source's lines as CPython numbers them (in tracebacks, in `ast` line numbers), each with
/// its ending: a line ends at `\r\n`, at a lone `\r` or at `\n`.
pub(crate) fn lines(source: &str) -> impl Iterator<Item = &str> {
    let mut rest = source;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end =
            rest.find(['\r', '\n']).map_or(rest.len(), |at| at + if rest[at..].starts_with("\r\n") { 2 } else { 1 });
        let (line, after) = rest.split_at(end);
        rest = after;
        Some(line)
    })
}

/// Where each line of the source but the first starts, for `line_at`.
pub(crate) fn line_starts(source: &str) -> Vec<usize> {
    lines(source)
        .scan(0, |start, line| {
            *start += line.len();
            Some(*start)
        })
        .filter(|&start| start < source.len())
        .collect()
}

/// The number (from 1) of the line holding byte `offset`, given the source's `line_starts`.
pub(crate) fn line_at(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&start| start <= offset) + 1
}

/// The attributes the source declares or sets on hidden lines: a class attribute assigned in a
/// hidden region, or `obj.name = ...` there (a hook setting `moss.name`). What the code does to
/// them is not told to the model, which must not learn their values. A source this parser cannot
/// read may still run (CPython reads syntax it does not know): then every word written on a
/// hidden line is taken for such an attribute.
pub fn hidden_attributes(source: &str) -> Vec<String> {
    let hidden = hidden_lines(source);
    if hidden.is_empty() {
        return Vec::new();
    }
    let Ok(suite) = ast::Suite::parse(source, "<moss file>") else {
        return words_on_hidden_lines(source);
    };
    let starts = line_starts(source);
    let on_hidden_line = |stmt: &Stmt| hidden.binary_search(&line_at(&starts, stmt.start().to_usize())).is_ok();
    let mut names = Vec::new();
    collect_hidden_attributes(&suite, false, &on_hidden_line, &mut names);
    names.iter().map(|name| as_python_binds(name)).collect()
}

/// A name as Python binds it: identifiers are NFKC-normalised (PEP 3131), so `ﬁeld` written in
/// the source binds `field`, the name the module and the context know.
pub(crate) fn as_python_binds(name: &str) -> String {
    match name.is_ascii() {
        true => name.to_owned(),
        false => name.nfkc().collect(),
    }
}

/// Every word (a run of letters, digits and underscores) written inside hidden regions, once each.
fn words_on_hidden_lines(source: &str) -> Vec<String> {
    let hidden_text = lines(source).zip(roles(source)).filter(|(_, role)| *role == Role::Hidden).map(|(line, _)| line);
    let words = hidden_text.flat_map(|line| line.split(|c: char| !(c.is_alphanumeric() || c == '_')));
    let unique: std::collections::BTreeSet<String> =
        words.filter(|word| !word.is_empty()).map(as_python_binds).collect();
    unique.into_iter().collect()
}

fn collect_hidden_attributes(body: &[Stmt], class_body: bool, hidden: &dyn Fn(&Stmt) -> bool, names: &mut Vec<String>) {
    for stmt in body {
        let targets: &[Expr] = match stmt {
            Stmt::Assign(assign) => &assign.targets,
            Stmt::AnnAssign(assign) => std::slice::from_ref(&*assign.target),
            Stmt::AugAssign(assign) => std::slice::from_ref(&*assign.target),
            _ => &[],
        };
        if hidden(stmt) {
            targets.iter().for_each(|target| assigned_attributes(target, class_body, names));
        }
        for (inner, is_class) in nested_bodies(stmt) {
            collect_hidden_attributes(inner, is_class, hidden, names);
        }
    }
}

/// The names an assignment target sets: `x.name` anywhere, a bare name in a class body.
fn assigned_attributes(target: &Expr, class_body: bool, names: &mut Vec<String>) {
    match target {
        Expr::Attribute(attribute) => names.push(attribute.attr.to_string()),
        Expr::Name(name) if class_body => names.push(name.id.to_string()),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().for_each(|element| assigned_attributes(element, class_body, names))
        }
        Expr::Starred(starred) => assigned_attributes(&starred.value, class_body, names),
        _ => {}
    }
}

fn handler_bodies(handlers: &[ast::ExceptHandler]) -> Vec<&[Stmt]> {
    handlers.iter().map(|ast::ExceptHandler::ExceptHandler(handler)| handler.body.as_slice()).collect()
}

/// The statement's blocks, each with whether it is a class body.
pub(crate) fn nested_bodies(stmt: &Stmt) -> Vec<(&[Stmt], bool)> {
    let blocks: Vec<&[Stmt]> = match stmt {
        Stmt::ClassDef(class) => return vec![(&class.body, true)],
        Stmt::FunctionDef(function) => vec![&function.body],
        Stmt::AsyncFunctionDef(function) => vec![&function.body],
        Stmt::For(block) => vec![&block.body, &block.orelse],
        Stmt::AsyncFor(block) => vec![&block.body, &block.orelse],
        Stmt::While(block) => vec![&block.body, &block.orelse],
        Stmt::If(block) => vec![&block.body, &block.orelse],
        Stmt::With(block) => vec![&block.body],
        Stmt::AsyncWith(block) => vec![&block.body],
        Stmt::Match(block) => block.cases.iter().map(|case| case.body.as_slice()).collect(),
        Stmt::Try(block) => {
            [vec![&block.body[..], &block.orelse, &block.finalbody], handler_bodies(&block.handlers)].concat()
        }
        Stmt::TryStar(block) => {
            [vec![&block.body[..], &block.orelse, &block.finalbody], handler_bodies(&block.handlers)].concat()
        }
        _ => Vec::new(),
    };
    blocks.into_iter().map(|block| (block, false)).collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Visible,
    Hidden,
    Open,
    /// A closing marker; `outermost` when nothing is open after it.
    Close {
        outermost: bool,
    },
}

/// What each line of `source` is.
fn roles(source: &str) -> impl Iterator<Item = Role> + '_ {
    let mut depth = 0usize;
    lines(source).map(move |line| {
        let code = line.trim_start();
        if code.starts_with(OPEN) {
            depth += 1;
            Role::Open
        } else if code.starts_with(CLOSE) {
            depth = depth.saturating_sub(1);
            Role::Close { outermost: depth == 0 }
        } else if depth > 0 {
            Role::Hidden
        } else {
            Role::Visible
        }
    })
}

/// The run's stderr without the hidden lines of the MOSS file that Python prints itself: the source
/// line under a warning raised on one (`agent.py:9: UserWarning: ...`, then `  <that line>`), and
/// the frames of a traceback the code printed (`traceback.print_exc()`, an exception left uncaught
/// in a thread), shown as moss's own tracebacks show them: `in <hidden>`, `(hidden)`.
pub fn conceal_printed_lines(stderr: &str, moss_file: &std::path::Path, source: &str) -> String {
    if stderr.is_empty() {
        return String::new();
    }
    let hidden = hidden_lines(source);
    if hidden.is_empty() {
        return stderr.to_owned();
    }
    let is_hidden = |file: &str, number: &str| {
        number.parse().is_ok_and(|number: usize| hidden.binary_search(&number).is_ok())
            && crate::project::context::same_file(std::path::Path::new(file), moss_file)
    };
    let warned_on_hidden_line = |line: &str| {
        line.match_indices(':').any(|(colon, _)| {
            let rest = &line[colon + 1..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            digits > 0 && rest[digits..].starts_with(": ") && is_hidden(&line[..colon], &rest[..digits])
        })
    };
    // `  File "<file>", line <number>, in <function>`
    let hidden_frame = |line: &str| {
        let (file, rest) = line.strip_prefix("  File \"")?.rsplit_once("\", line ")?;
        let (number, _) = rest.split_once(", in ")?;
        is_hidden(file, number.trim()).then(|| format!("  File \"{file}\", line {number}, in <hidden>\n"))
    };
    let mut concealed = String::with_capacity(stderr.len());
    // After a hidden frame, its indented source lines (and carets); after a warning, its one line.
    let mut hiding: Option<(&str, bool)> = None;
    for line in stderr.split_inclusive('\n') {
        if let Some((indent, only_one)) = hiding.filter(|(indent, _)| line.starts_with(indent)) {
            let shown = format!("{indent}(hidden)\n");
            if !concealed.ends_with(&shown) {
                concealed.push_str(&shown);
            }
            hiding = (!only_one).then_some((indent, false));
            continue;
        }
        if let Some(frame) = hidden_frame(line.trim_end_matches(['\r', '\n'])) {
            concealed.push_str(&frame);
            hiding = Some(("    ", false));
        } else {
            concealed.push_str(line);
            hiding = warned_on_hidden_line(line).then_some(("  ", true));
        }
    }
    concealed
}

#[cfg(test)]
mod tests {
    use super::{CLOSE, OPEN, hidden_attributes, hidden_lines, strip};

    #[test]
    fn removes_region_and_markers() {
        let src = "a = 1\n# <moss-hide>\nsecret = 2\n# </moss-hide>\nb = 3\n";
        assert_eq!(strip(src), "a = 1\nb = 3\n");
    }

    #[test]
    fn nested_regions_close_only_when_all_markers_close() {
        let src = "a\n# <moss-hide>\nx\n    # <moss-hide>\ny\n    # </moss-hide>\nstill hidden\n# </moss-hide>\nb\n";
        assert_eq!(strip(src), "a\nb\n");
    }

    #[test]
    fn stray_close_marker_is_dropped() {
        assert_eq!(strip("a\n# </moss-hide>\nb"), "a\nb");
    }

    #[test]
    fn unclosed_region_hides_to_the_end() {
        assert_eq!(strip("a\n# <moss-hide>\nb\nc\n"), "a\n");
    }

    #[test]
    fn blank_lines_in_visible_code_are_kept() {
        let src = "TEXT = \"\"\"a\n\n\n\n\nb\"\"\"\n";
        assert_eq!(strip(src), src);
    }

    #[test]
    fn blank_lines_around_a_removed_region_are_folded() {
        let src = "a = 1\n\n\n# <moss-hide>\nx = 2\n# </moss-hide>\n\n\nb = 3\n";
        assert_eq!(strip(src), "a = 1\n\n\nb = 3\n");
    }

    #[test]
    fn hidden_lines_are_the_region_and_its_markers() {
        let src = "a\r\n# <moss-hide>\r\nx\r\n  # <moss-hide>\r\ny\r\n  # </moss-hide>\r\n# </moss-hide>\r\nb\r\n";
        assert_eq!(hidden_lines(src), vec![2, 3, 4, 5, 6, 7]);
        assert_eq!(hidden_lines("a\n# </moss-hide>\nb"), vec![2]);
    }

    #[test]
    fn hidden_attributes_are_those_set_on_hidden_lines() {
        let src = "class Moss:\n    shown: int = 1\n    # <moss-hide>\n    secret: int = 2\n    # </moss-hide>\n\n\
                   # <moss-hide>\ndef hook(moss):\n    if moss:\n        moss.token, (moss.key, *rest) = 1, (2, 3)\n\
                   local = 4\n# </moss-hide>\nmoss.visible = 5\n";
        assert_eq!(hidden_attributes(src), vec!["secret", "token", "key"]);
        assert_eq!(hidden_attributes("a = (\n"), Vec::<String>::new());
    }

    #[test]
    fn a_source_this_parser_cannot_read_hides_every_word_of_its_hidden_lines() {
        let src = "def f():\n \treturn 1\n\nclass Moss:\n    shown = 1\n    # <moss-hide>\n    api_key: str = 'k'\n    # </moss-hide>\n";
        assert_eq!(hidden_attributes(src), vec!["api_key", "k", "str"]);
    }

    #[test]
    fn a_lone_cr_ends_a_line_as_for_cpython() {
        let src = "a\r# <moss-hide>\rx\r\n# </moss-hide>\nb\r";
        assert_eq!(hidden_lines(src), vec![2, 3, 4]);
        assert_eq!(strip(src), "a\nb\n");
        assert_eq!(hidden_attributes("class A:\r    # <moss-hide>\r    key = 1\r    # </moss-hide>\r"), vec!["key"]);
        assert_eq!(super::line_at(&super::line_starts("a\rb\r\nc\nd"), 6), 3);
    }

    #[test]
    fn crlf_line_endings_become_lf() {
        assert_eq!(strip("a\r\n# <moss-hide>\r\nx\r\n# </moss-hide>\r\nb\r\n"), "a\nb\n");
    }

    proptest::proptest! {
        #[test]
        fn marker_lines_never_survive(lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("# <moss-hide>".to_owned()),
                proptest::strategy::Just("    # </moss-hide>".to_owned()),
                "[a-z =#<>/\\-]{0,20}",
            ],
            0..40,
        )) {
            let out = strip(&lines.join("\n"));
            for line in out.lines() {
                let code = line.trim_start();
                proptest::prop_assert!(!code.starts_with(OPEN) && !code.starts_with(CLOSE), "{line}");
            }
        }

        #[test]
        fn source_without_markers_is_unchanged(text in "[a-z =#()\n\t]{0,200}") {
            proptest::prop_assume!(!text.contains("moss-hide"));
            proptest::prop_assert_eq!(strip(&text), text);
        }
    }

    #[test]
    fn marker_text_inside_a_line_is_not_a_marker() {
        let src = "x = '# <moss-hide>'\n";
        assert_eq!(strip(src), src);
    }
}
