//! What changed between two bundles: the files added, removed and modified, and for each a
//! line diff in hunks with context, like `diff -u`. It answers "what does turning on
//! autoscaling do?" with the exact lines, across every file.
//!
//! The line diff is a longest common subsequence over what is left once the common first and
//! last lines are set aside. A settings change touches a few lines of a few files, so that
//! middle is small; when it is not (over [`MAX_CELLS`]), the middle is shown as removed and
//! added whole rather than spending the keystroke on it.

use crate::bundle::Bundle;

/// Lines of context around each change, as `diff -u` shows.
pub const CONTEXT: usize = 3;
/// The largest middle (lines before times lines after) compared line by line.
pub const MAX_CELLS: usize = 250_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Modified,
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiff {
    pub path: String,
    pub change: Change,
    pub added: usize,
    pub removed: usize,
    pub hunks: Vec<Hunk>,
}

/// A run of lines around changes, with where it starts on each side (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    pub before_start: usize,
    pub after_start: usize,
    pub lines: Vec<Line>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Same(String),
    Removed(String),
    Added(String),
}

/// The files that differ between `before` and `after`, in `after`'s order, then the removed
/// ones. Cheap (a comparison per file): the line diff of a file is made when it is shown.
pub fn changed(before: &Bundle, after: &Bundle) -> Vec<(String, Change)> {
    let mut changed = Vec::new();
    for file in after.files() {
        match before.get(&file.path) {
            Some(old) if old.contents == file.contents => {}
            Some(_) => changed.push((file.path.clone(), Change::Modified)),
            None => changed.push((file.path.clone(), Change::Added)),
        }
    }
    for file in before.files() {
        if after.get(&file.path).is_none() {
            changed.push((file.path.clone(), Change::Removed));
        }
    }
    changed
}

/// The line diff of the file at `path` between the two bundles.
pub fn file(before: &Bundle, after: &Bundle, path: &str, change: Change) -> FileDiff {
    fn text<'a>(bundle: &'a Bundle, path: &str) -> &'a str {
        bundle.get(path).map_or("", |f| f.contents.as_str())
    }
    file_diff(path, change, text(before, path), text(after, path))
}

/// Every changed file with its line diff (for tests and the CLI; the app diffs one file at a
/// time).
pub fn bundles(before: &Bundle, after: &Bundle) -> Vec<FileDiff> {
    changed(before, after)
        .into_iter()
        .map(|(path, change)| file(before, after, &path, change))
        .collect()
}

fn file_diff(path: &str, change: Change, before: &str, after: &str) -> FileDiff {
    let lines = lines(before, after);
    let added = lines.iter().filter(|l| matches!(l, Line::Added(_))).count();
    let removed = lines
        .iter()
        .filter(|l| matches!(l, Line::Removed(_)))
        .count();
    FileDiff {
        path: path.to_owned(),
        change,
        added,
        removed,
        hunks: hunks(lines),
    }
}

/// The whole of both texts as one sequence of same, removed and added lines.
pub fn lines(before: &str, after: &str) -> Vec<Line> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (middle_a, middle_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let same = |s: &[&str]| {
        s.iter()
            .map(|l| Line::Same((*l).to_owned()))
            .collect::<Vec<_>>()
    };
    let mut out = same(&a[..prefix]);
    if middle_a.len().saturating_mul(middle_b.len()) <= MAX_CELLS {
        out.extend(common_subsequence(middle_a, middle_b));
    } else {
        out.extend(middle_a.iter().map(|l| Line::Removed((*l).to_owned())));
        out.extend(middle_b.iter().map(|l| Line::Added((*l).to_owned())));
    }
    out.extend(same(&a[a.len() - suffix..]));
    out
}

/// The classic table: `lengths[i][j]` is the longest common subsequence of `a[i..]` and
/// `b[j..]`; walking it from the top left gives the edit, removals before additions.
fn common_subsequence(a: &[&str], b: &[&str]) -> Vec<Line> {
    let width = b.len() + 1;
    let mut lengths = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i * width + j] = if a[i] == b[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(Line::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if j == b.len()
            || (i < a.len() && lengths[(i + 1) * width + j] >= lengths[i * width + j + 1])
        {
            out.push(Line::Removed(a[i].to_owned()));
            i += 1;
        } else {
            out.push(Line::Added(b[j].to_owned()));
            j += 1;
        }
    }
    out
}

/// Groups the changed lines with up to [`CONTEXT`] same lines around each; changes closer
/// than twice that share a hunk.
fn hunks(lines: Vec<Line>) -> Vec<Hunk> {
    let changed: Vec<usize> = (0..lines.len())
        .filter(|&i| !matches!(lines[i], Line::Same(_)))
        .collect();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        let start = i.saturating_sub(CONTEXT);
        let end = (i + CONTEXT + 1).min(lines.len());
        match ranges.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => ranges.push((start, end)),
        }
    }
    // Line numbers on each side at the start of every line.
    let mut before_line = 1;
    let mut after_line = 1;
    let mut starts = Vec::with_capacity(lines.len());
    for line in &lines {
        starts.push((before_line, after_line));
        match line {
            Line::Same(_) => {
                before_line += 1;
                after_line += 1;
            }
            Line::Removed(_) => before_line += 1,
            Line::Added(_) => after_line += 1,
        }
    }
    ranges
        .into_iter()
        .map(|(start, end)| Hunk {
            before_start: starts[start].0,
            after_start: starts[start].1,
            lines: lines[start..end].to_vec(),
        })
        .collect()
}

/// "3 files changed: 1 added, 2 modified", or that nothing changed.
pub fn summary(changed: &[(String, Change)]) -> String {
    if changed.is_empty() {
        return "No file changed.".into();
    }
    let count = |change| changed.iter().filter(|(_, c)| *c == change).count();
    let mut kinds = Vec::new();
    for (change, word) in [
        (Change::Added, "added"),
        (Change::Modified, "modified"),
        (Change::Removed, "removed"),
    ] {
        let n = count(change);
        if n > 0 {
            kinds.push(format!("{n} {word}"));
        }
    }
    format!(
        "{} {} changed: {}",
        changed.len(),
        if changed.len() == 1 { "file" } else { "files" },
        kinds.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::model::{Part, preset};

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                Line::Same(t) => format!(" {t}"),
                Line::Removed(t) => format!("-{t}"),
                Line::Added(t) => format!("+{t}"),
            })
            .collect()
    }

    #[test]
    fn a_line_diff_keeps_what_both_share() {
        let diff = lines("a\nb\nc\nd\n", "a\nc\nx\nd\n");
        assert_eq!(texts(&diff), [" a", "-b", " c", "+x", " d"]);
        assert_eq!(texts(&lines("", "a\n")), ["+a"]);
        assert_eq!(texts(&lines("a\n", "")), ["-a"]);
        assert!(
            lines("same\n", "same\n")
                .iter()
                .all(|l| matches!(l, Line::Same(_)))
        );
    }

    /// Rebuilding either side from the diff gives back that side, for many pairs of texts.
    #[test]
    fn either_side_comes_back_from_the_diff() {
        let words = ["a", "b", "c", "", "  d: 1", "e"];
        let text = |seed: u64, len: u64| -> String {
            (0..len)
                .map(|i| {
                    words[((seed.wrapping_mul(2654435761) >> (i % 13)) as usize + i as usize)
                        % words.len()]
                })
                .map(|w| format!("{w}\n"))
                .collect()
        };
        for seed in 0..200 {
            let (a, b) = (text(seed, seed % 17), text(seed + 7, (seed * 3) % 19));
            let diff = lines(&a, &b);
            let side = |keep_removed: bool| -> String {
                diff.iter()
                    .filter_map(|l| match l {
                        Line::Same(t) => Some(format!("{t}\n")),
                        Line::Removed(t) if keep_removed => Some(format!("{t}\n")),
                        Line::Added(t) if !keep_removed => Some(format!("{t}\n")),
                        _ => None,
                    })
                    .collect()
            };
            assert_eq!(side(true), a, "{seed}");
            assert_eq!(side(false), b, "{seed}");
        }
    }

    #[test]
    fn hunks_carry_three_lines_of_context_and_their_line_numbers() {
        let before: String = (1..=20).map(|n| format!("{n}\n")).collect();
        let after = before.replace("10\n", "ten\n");
        let diff = file_diff("f", Change::Modified, &before, &after);
        assert_eq!((diff.added, diff.removed), (1, 1));
        assert_eq!(diff.hunks.len(), 1);
        let hunk = &diff.hunks[0];
        assert_eq!((hunk.before_start, hunk.after_start), (7, 7));
        assert_eq!(
            texts(&hunk.lines),
            [" 7", " 8", " 9", "-10", "+ten", " 11", " 12", " 13"]
        );
    }

    #[test]
    fn turning_on_autoscaling_shows_exactly_the_files_it_touches() {
        let before = preset("node-express").unwrap().project();
        let mut after = before.clone();
        after.set_part(0, Part::Autoscaling, true).unwrap();
        let diffs = bundles(&generate(&before), &generate(&after));
        assert!(!diffs.is_empty());
        let hpa = diffs
            .iter()
            .find(|d| {
                d.hunks
                    .iter()
                    .flat_map(|h| &h.lines)
                    .any(|l| *l == Line::Added("kind: HorizontalPodAutoscaler".into()))
            })
            .expect("an HPA appears");
        assert!(hpa.added > 0);
        let listed = changed(&generate(&before), &generate(&after));
        assert_eq!(listed.len(), diffs.len());
        assert!(
            summary(&listed).ends_with("modified"),
            "{}",
            summary(&listed)
        );
        // Nothing changed, nothing listed.
        assert_eq!(bundles(&generate(&before), &generate(&before)), vec![]);
        assert_eq!(summary(&[]), "No file changed.");
    }

    #[test]
    fn a_huge_rewrite_is_shown_whole_rather_than_compared() {
        let before: String = (0..1000).map(|n| format!("a{n}\n")).collect();
        let after: String = (0..1000).map(|n| format!("b{n}\n")).collect();
        let diff = lines(&before, &after);
        assert_eq!(diff.len(), 2000);
        assert!(matches!(diff[0], Line::Removed(_)) && matches!(diff[1999], Line::Added(_)));
    }
}
