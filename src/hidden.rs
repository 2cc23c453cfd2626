//! `# <moss-hide>` regions: code that runs but that the model never reads.

const OPEN: &str = "# <moss-hide>";
const CLOSE: &str = "# </moss-hide>";

/// The source without hidden regions and without the marker lines themselves.
///
/// Markers nest: a region closes only when every marker opened inside it is closed. A closing
/// marker with nothing open is dropped like any marker line. Runs of blank lines left behind by a
/// removed region are folded to at most two.
pub fn strip(source: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(source.len());
    let mut blank_run = 0;
    for line in source.split_inclusive('\n') {
        let code = line.trim_start();
        if code.starts_with(OPEN) {
            depth += 1;
            continue;
        }
        if code.starts_with(CLOSE) {
            depth = depth.saturating_sub(1);
            continue;
        }
        if depth > 0 {
            continue;
        }
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 2 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip;

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
    fn marker_text_inside_a_line_is_not_a_marker() {
        let src = "x = '# <moss-hide>'\n";
        assert_eq!(strip(src), src);
    }
}
