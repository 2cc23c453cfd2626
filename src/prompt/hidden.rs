//! `# <moss-hide>` regions: code that runs but that the model never reads.

const OPEN: &str = "# <moss-hide>";
const CLOSE: &str = "# </moss-hide>";

/// The source without hidden regions and without the marker lines themselves, with `\n` line
/// endings.
///
/// Markers nest: a region closes only when every marker opened inside it is closed. A closing
/// marker with nothing open is dropped like any marker line. Blank lines right after a removed
/// region are dropped when the text before it already ends in two blank lines.
pub fn strip(source: &str) -> String {
    let source = source.replace("\r\n", "\n");
    let mut out = String::with_capacity(source.len());
    let mut after_region = false;
    for (line, role) in source.split_inclusive('\n').zip(roles(&source)) {
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
        out.push_str(line);
    }
    out
}

/// The numbers (from 1) of the lines the model never reads: hidden lines and marker lines.
pub fn hidden_lines(source: &str) -> Vec<usize> {
    let source = source.replace("\r\n", "\n");
    roles(&source).enumerate().filter(|(_, role)| *role != Role::Visible).map(|(index, _)| index + 1).collect()
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

/// What each `\n`-terminated line of `source` is.
fn roles(source: &str) -> impl Iterator<Item = Role> + '_ {
    let mut depth = 0usize;
    source.split_inclusive('\n').map(move |line| {
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

#[cfg(test)]
mod tests {
    use super::{CLOSE, OPEN, hidden_lines, strip};

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
