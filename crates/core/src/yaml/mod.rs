//! A YAML writer for generated files: typed serde structs in, text that yamllint, actionlint
//! and Kubernetes accept out, together with the node tree that text holds, every node at its
//! line and column. The rules read that tree instead of parsing the text again, which is most
//! of what a keystroke would cost; a test checks that the tree is exactly what the parser reads
//! from the text, for every file of every preset.
//!
//! Why not a YAML crate's serializer: the libyaml-based ones (serde_norway, serde_yaml_ng)
//! write sequences flush with their key, which yamllint's default `indentation` rule reports,
//! and they cannot choose literal blocks for scripts. Here, values go through serde into a
//! [`Node`] tree (in field order, see [`ser`]), and this module decides how each scalar is
//! written: plain only when it cannot be read as anything but the same string, a literal block
//! for multi-line text, double-quoted with escapes otherwise. Reading YAML is left to the rules'
//! parser.

pub mod json;
mod map;
mod ser;

pub use map::{Empty, Map, Scalar};

pub(crate) use ser::to_node;

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

use crate::bundle::{GeneratedFile, Tree};
use crate::rules::yaml::{Node, Value};

/// Writes `value` as a YAML document.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut yaml = Yaml::default();
    yaml.document(value);
    yaml.text
}

/// A YAML file being written: its text so far and the documents in it, with positions.
#[derive(Debug, Default)]
pub struct Yaml {
    text: String,
    documents: Vec<Node>,
    /// The line being written (0 until the first character), and where it starts in `text`.
    line: usize,
    line_start: usize,
    /// The comment, if any, for a plain scalar value (see `comment_values`).
    trailing: Option<fn(&str) -> Option<&'static str>>,
}

impl Yaml {
    /// A file that opens with `comments`: whole lines, each starting with `#`.
    pub fn with_comments(comments: &str) -> Yaml {
        let mut yaml = Yaml::default();
        yaml.comments(comments);
        yaml
    }

    /// Appends whole comment lines.
    pub fn comments(&mut self, comments: &str) -> &mut Self {
        debug_assert!(
            comments.is_empty()
                || comments.ends_with('\n') && comments.lines().all(|l| l.starts_with('#')),
            "not whole comment lines: {comments:?}"
        );
        for line in comments.split_inclusive('\n') {
            self.text.push_str(line);
            self.newline_written();
        }
        self
    }

    /// Appends `value` as one more document, opened by `---`.
    pub fn document<T: Serialize + ?Sized>(&mut self, value: &T) -> &mut Self {
        self.node_document(ser::to_node(value), &|_| None)
    }

    /// Appends `value` as a document, with the comment `comment` gives for a top-level key
    /// written on the line above that key.
    pub fn document_commented<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        comment: &dyn Fn(&str) -> Option<&'static str>,
    ) -> &mut Self {
        self.node_document(ser::to_node(value), comment)
    }

    /// Appends a document already made a tree (by [`to_node`]). Not generic, so the web app
    /// holds one copy of the writer however many types it writes.
    pub(crate) fn node_document(
        &mut self,
        mut node: Node,
        comment: &dyn Fn(&str) -> Option<&'static str>,
    ) -> &mut Self {
        // Room for a typical document up front, rather than doubling from a few bytes.
        self.text.reserve(2048);
        self.push_str("---");
        self.newline();
        match &mut node.value {
            Value::Mapping(entries) if !entries.is_empty() => {
                node.line = self.line + 1;
                node.column = 1;
                for (index, (key, value)) in entries.iter_mut().enumerate() {
                    if let Some(text) = key.as_str().and_then(comment) {
                        self.push_str("# ");
                        self.push_str(text);
                        self.newline();
                        if index == 0 {
                            node.line = self.line + 1;
                        }
                    }
                    self.entry(key, value, 0);
                }
            }
            Value::Sequence(items) if !items.is_empty() => {
                node.line = self.line + 1;
                node.column = 1;
                self.sequence(items, 0);
            }
            _ => {
                self.inline(&mut node);
                self.newline();
            }
        }
        self.documents.push(node);
        self
    }

    /// From now on, a plain scalar value that `comment` knows gets that comment on its line:
    /// `uses: actions/checkout@<sha>  # v5.1.0`. Only text at line ends: positions stay.
    pub fn comment_values(&mut self, comment: fn(&str) -> Option<&'static str>) -> &mut Self {
        self.trailing = Some(comment);
        self
    }

    /// Appends another file's text and documents after this one's.
    pub fn append(&mut self, other: Yaml) -> &mut Self {
        debug_assert!(self.text.is_empty() || self.text.ends_with('\n'));
        let shift = self.line;
        for mut node in other.documents {
            shift_lines(&mut node, shift);
            self.documents.push(node);
        }
        self.text.push_str(&other.text);
        self.line += other.line;
        self.line_start = self.text.len();
        self
    }

    /// The text written.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The file at `path`, carrying its documents for the rules.
    pub fn into_file(self, path: String) -> GeneratedFile {
        GeneratedFile::with_tree(path, self.text, Tree::Yaml(self.documents))
    }

    fn push_str(&mut self, text: &str) {
        debug_assert!(!text.contains('\n'));
        self.text.push_str(text);
    }

    fn push(&mut self, c: char) {
        self.text.push(c);
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.newline_written();
    }

    fn newline_written(&mut self) {
        self.line += 1;
        self.line_start = self.text.len();
    }

    fn indent(&mut self, width: usize) {
        indent(&mut self.text, width);
    }

    /// Marks `node` as starting here.
    fn mark(&self, node: &mut Node) {
        node.line = self.line + 1;
        node.column = self.column();
    }

    /// The 1-based column of the next character.
    fn column(&self) -> usize {
        let written = &self.text[self.line_start..];
        1 + if written.is_ascii() {
            written.len()
        } else {
            written.chars().count()
        }
    }

    /// Entries at `width`; the first starts where the text is now (after `- ` or an indent).
    fn mapping(&mut self, entries: &mut [(Node, Node)], width: usize, first_inline: bool) {
        for (position, (key, value)) in entries.iter_mut().enumerate() {
            if position > 0 || !first_inline {
                self.indent(width);
            }
            self.entry(key, value, width);
        }
    }

    /// `key: value`, the key at the current position.
    fn entry(&mut self, key: &mut Node, value: &mut Node, width: usize) {
        self.mark(key);
        let column = self.column();
        let Value::Scalar { text, quoted } = &mut key.value else {
            unreachable!("keys are scalars");
        };
        let written = string_scalar(text);
        *quoted = written.starts_with('"');
        self.push_str(&written);
        self.push(':');
        let after = column - 1 + written.chars().count() + 2;
        self.after_indicator(value, width, after);
    }

    fn sequence(&mut self, items: &mut [Node], width: usize) {
        for item in items {
            self.indent(width);
            self.push('-');
            match &mut item.value {
                Value::Mapping(entries) if !entries.is_empty() => {
                    self.push(' ');
                    item.line = self.line + 1;
                    item.column = self.column();
                    self.mapping(entries, width + 2, true);
                }
                _ => self.after_indicator(item, width, width + 2),
            }
        }
    }

    /// Writes what follows `key:` or `-`: a nested block on the next lines, or a scalar starting
    /// at `column`.
    fn after_indicator(&mut self, node: &mut Node, width: usize, column: usize) {
        match &mut node.value {
            Value::Mapping(entries) if !entries.is_empty() => {
                self.newline();
                node.line = self.line + 1;
                node.column = width + 3;
                self.mapping(entries, width + 2, false);
            }
            Value::Sequence(items) if !items.is_empty() => {
                self.newline();
                node.line = self.line + 1;
                node.column = width + 3;
                self.sequence(items, width + 2);
            }
            Value::Scalar {
                text,
                quoted: quoted @ true,
            } if block_literal_fits(text) => {
                self.push(' ');
                let (body, chomp) = match text.strip_suffix('\n') {
                    Some(body) => (body, ""),
                    None => (text.as_ref(), "-"),
                };
                // A block scalar starts where its first line of text does.
                let blank = body.split('\n').take_while(|line| line.is_empty()).count();
                node.line = self.line + 2 + blank;
                node.column = width + 3;
                self.push('|');
                self.push_str(chomp);
                self.newline();
                for line in body.split('\n') {
                    if !line.is_empty() {
                        self.indent(width + 2);
                        self.text.push_str(line);
                    }
                    self.newline();
                }
                *quoted = true;
            }
            Value::Scalar {
                text,
                quoted: quoted @ true,
            } => {
                self.push(' ');
                node.line = self.line + 1;
                node.column = self.column();
                let scalar = string_scalar(text);
                if column + scalar.chars().count() <= MAX_WIDTH {
                    *quoted = scalar.starts_with('"');
                    self.push_str(&scalar);
                    if let Some(note) = self.trailing.and_then(|comment| comment(&scalar)) {
                        // Two spaces before the `#`, as yamllint's `comments` rule asks.
                        self.push_str("  # ");
                        self.push_str(note);
                    }
                } else {
                    *quoted = true;
                    let lines = write_folded(text, column, width + 2, &mut self.text);
                    self.line += lines;
                    if lines > 0 {
                        self.line_start = self.text.rfind('\n').map_or(0, |i| i + 1);
                    }
                }
                self.newline();
            }
            _ => {
                self.push(' ');
                self.inline(node);
                self.newline();
            }
        }
    }

    /// A number, boolean or null as written, or an empty collection in flow style.
    fn inline(&mut self, node: &mut Node) {
        self.mark(node);
        match &mut node.value {
            Value::Scalar {
                text,
                quoted: false,
            } => self.text.push_str(text),
            Value::Scalar { text, quoted } => {
                let written = string_scalar(text);
                *quoted = written.starts_with('"');
                self.text.push_str(&written);
            }
            Value::Sequence(_) => self.push_str("[]"),
            Value::Mapping(_) => self.push_str("{}"),
        }
    }
}

impl std::ops::AddAssign for Yaml {
    fn add_assign(&mut self, other: Yaml) {
        self.append(other);
    }
}

impl std::ops::Add for Yaml {
    type Output = Yaml;

    fn add(mut self, other: Yaml) -> Yaml {
        self.append(other);
        self
    }
}

/// The entries of mapping `node` under `keys`, in that order, as a new mapping.
pub(crate) fn subset(node: &Node, keys: &[&'static str]) -> Node {
    let entries = keys
        .iter()
        .map(|key| {
            let value = node.get(key).unwrap_or_else(|| panic!("no {key}"));
            (ser::string(key), value.clone())
        })
        .collect();
    mapping(entries)
}

/// [`subset`], moving the entries out of `node` rather than copying them.
pub(crate) fn into_subset(node: Node, keys: &[&'static str]) -> Node {
    let Value::Mapping(entries) = node.value else {
        panic!("not a mapping");
    };
    let mut entries: Vec<Option<(Node, Node)>> = entries.into_iter().map(Some).collect();
    let picked = keys
        .iter()
        .map(|key| {
            entries
                .iter_mut()
                .find(|entry| entry.as_ref().is_some_and(|(k, _)| k.as_str() == Some(key)))
                .and_then(Option::take)
                .unwrap_or_else(|| panic!("no {key}"))
        })
        .collect();
    mapping(picked)
}

fn mapping(entries: Vec<(Node, Node)>) -> Node {
    Node {
        value: Value::Mapping(entries),
        line: 0,
        column: 0,
    }
}

fn indent(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

fn shift_lines(node: &mut Node, shift: usize) {
    node.line += shift;
    match &mut node.value {
        Value::Scalar { .. } => {}
        Value::Sequence(items) => items.iter_mut().for_each(|item| shift_lines(item, shift)),
        Value::Mapping(entries) => entries.iter_mut().for_each(|(key, value)| {
            shift_lines(key, shift);
            shift_lines(value, shift);
        }),
    }
}

/// Lines longer than this are folded. yamllint's default is 80; the bundle's `.yamllint.yaml`
/// (generate/repository.rs) allows 120, so an action pinned to a full commit SHA keeps its
/// version comment on its line, and hashFiles keys and URLs are not folded mid-word.
pub(crate) const MAX_WIDTH: usize = 120;

/// A long string, double-quoted and folded with escaped line breaks: a `\` at the end of a line
/// joins it to the next without adding anything, so the value is exactly the original.
/// Continuation lines drop their leading spaces, so a space that would start one is escaped.
/// Returns how many line breaks it wrote.
fn write_folded(text: &str, column: usize, continuation: usize, out: &mut String) -> usize {
    // Every character escaped once; token `i` is `escaped[starts[i]..starts[i + 1]]`.
    let mut escaped = String::with_capacity(text.len() + 8);
    let mut starts = Vec::with_capacity(text.len() + 1);
    for c in text.chars() {
        starts.push(escaped.len());
        push_escaped(c, &mut escaped);
    }
    starts.push(escaped.len());
    let count = starts.len() - 1;
    let token = |i: usize| &escaped[starts[i]..starts[i + 1]];

    let mut breaks = 0;
    out.push('"');
    let mut budget = MAX_WIDTH.saturating_sub(column + 2).max(20);
    // The line so far: `prefix` (an escaped leading space, or nothing), then tokens
    // `line_start..index`.
    let mut prefix = "";
    let mut line_start = 0;
    let mut index = 0;
    while index < count {
        let offset = usize::from(!prefix.is_empty());
        let line_tokens = offset + index - line_start;
        let line_len = prefix.len() + starts[index] - starts[line_start];
        if line_len + token(index).len() > budget && line_tokens > 0 {
            // Prefer to break just after a space, if one is near the end of the line.
            let end = (line_start..index)
                .rev()
                .find(|&t| token(t) == " ")
                .filter(|&t| {
                    let position = offset + t - line_start;
                    position + 1 < line_tokens && line_tokens - position < 24
                })
                .map_or(index, |t| t + 1);
            out.push_str(prefix);
            out.push_str(&escaped[starts[line_start]..starts[end]]);
            out.push_str("\\\n");
            breaks += 1;
            indent(out, continuation);
            budget = MAX_WIDTH.saturating_sub(continuation + 1).max(20);
            index = end;
            prefix = "";
            if token(index) == " " {
                prefix = "\\x20";
                index += 1;
            }
            line_start = index;
            continue;
        }
        index += 1;
    }
    out.push_str(prefix);
    out.push_str(&escaped[starts[line_start]..starts[index]]);
    out.push('"');
    breaks
}

/// A literal block keeps multi-line text exactly, when the text has no trailing spaces (which
/// linters flag), at most one final newline, nothing invisible, and a first line of text that
/// does not start with a space or tab (the block takes its indentation from that line, so the
/// extra spaces would be lost, even after blank lines).
fn block_literal_fits(text: &str) -> bool {
    // Most strings are one short line: a byte scan settles those.
    if !text.bytes().any(|b| b == b'\n') {
        return false;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.contains('\n')
        && !body.ends_with('\n')
        && !body
            .split('\n')
            .find(|line| !line.is_empty())
            .is_some_and(|line| line.starts_with([' ', '\t']))
        && body.split('\n').all(|line| {
            !line.ends_with([' ', '\t']) && !line.chars().all(|c| c == ' ' || c == '\t')
                || line.is_empty()
        })
        && body
            .chars()
            .all(|c| c == '\n' || c == '\t' || !needs_escape(c))
}

/// A string as a scalar: plain when nothing else could be read from it, else double-quoted.
pub fn string_scalar(text: &str) -> Cow<'_, str> {
    if is_plain_safe(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(double_quoted(text))
    }
}

/// The bytes a plain scalar may hold (after its first).
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let others = b" _./-=+~@()$%^;&|!?*<>:'{}[],";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

fn is_plain_safe(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    // Digits, signs and dots start numbers, versions, dates and times: always quote those.
    if !(first.is_ascii_alphabetic() || matches!(first, b'/' | b'_' | b'$'))
        || matches!(last, b' ' | b':')
    {
        return false;
    }
    // Flow indicators ({ } [ ] ,) only matter at the start or inside flow collections, and this
    // writer uses flow style only for empty collections. `: ` would start a value, and `#` is
    // never plain, so it cannot start a comment.
    let mut previous = 0;
    for &b in bytes {
        if !PLAIN[usize::from(b)] || (previous == b':' && b == b' ') {
            return false;
        }
        previous = b;
    }
    !(text.len() <= 5
        && ["true", "false", "yes", "no", "on", "off", "y", "n", "null"]
            .iter()
            .any(|word| text.eq_ignore_ascii_case(word)))
}

/// Characters written as escapes even inside quotes: controls, and the invisible marks that
/// make text read differently from what it is.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '\u{A0}'
        || crate::text::is_invisible_mark(c)
        || crate::text::is_unicode_line_break(c)
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        push_escaped(c, &mut out);
    }
    out.push('"');
    out
}

/// Writes one character as it is written inside double quotes.
fn push_escaped(c: char, out: &mut String) {
    if matches!(c, ' '..='~') && c != '"' && c != '\\' {
        out.push(c);
        return;
    }
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if needs_escape(c) => {
            let code = c as u32;
            if code <= 0xFF {
                let _ = write!(out, "\\x{code:02X}");
            } else {
                let _ = write!(out, "\\u{code:04X}");
            }
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Reads back as the same value, and the writer's tree is what the parser reads.
    fn round_trip(value: &Value) {
        let mut yaml = Yaml::with_comments("# A comment first, to move every line.\n");
        yaml.document(value);
        let text = yaml.text();
        let back: Value = serde_norway::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(&back, value, "\n{text}");
        assert_tree_is_parsed(text, &yaml.documents);
    }

    /// The first node where the writer's tree and the parser's differ, with its place.
    fn first_difference(written: &Node, parsed: &Node) -> Option<String> {
        let here = || {
            Some(format!(
                "written {:?} at {}:{}, parsed {:?} at {}:{}",
                written.as_str(),
                written.line,
                written.column,
                parsed.as_str(),
                parsed.line,
                parsed.column
            ))
        };
        if (written.line, written.column) != (parsed.line, parsed.column) {
            return here();
        }
        match (&written.value, &parsed.value) {
            (super::Value::Scalar { .. }, super::Value::Scalar { .. })
                if written.value == parsed.value =>
            {
                None
            }
            (super::Value::Sequence(a), super::Value::Sequence(b)) if a.len() == b.len() => {
                a.iter().zip(b).find_map(|(x, y)| first_difference(x, y))
            }
            (super::Value::Mapping(a), super::Value::Mapping(b)) if a.len() == b.len() => {
                a.iter().zip(b).find_map(|((ka, va), (kb, vb))| {
                    first_difference(ka, kb).or_else(|| first_difference(va, vb))
                })
            }
            _ => here(),
        }
    }

    pub(crate) fn assert_tree_is_parsed(text: &str, documents: &[Node]) {
        let parsed = crate::rules::yaml::parse(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert_eq!(parsed.len(), documents.len(), "{text}");
        for (written, parsed) in documents.iter().zip(&parsed) {
            if let Some(difference) = first_difference(written, parsed) {
                panic!("{difference}\n{text}");
            }
        }
        assert_eq!(parsed, documents);
    }

    #[test]
    fn every_generated_tree_is_what_the_parser_reads() {
        let mut checked = 0;
        for preset in crate::model::PRESETS {
            for file in crate::generate(&preset.project()).files() {
                if let Some(crate::bundle::Tree::Yaml(documents)) = &file.tree {
                    assert_tree_is_parsed(&file.contents, documents);
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} files carry a tree");
    }

    #[test]
    fn appended_files_keep_their_positions() {
        let mut first = Yaml::with_comments("# one\n# two\n");
        first.document(&json!({"a": [1, {"b": "x\ny\n"}]}));
        let mut second = Yaml::default();
        second.document(&json!({"c": "d"}));
        second.document(&json!(["e"]));
        let all = first + second;
        assert_tree_is_parsed(all.text(), &all.documents);
    }

    #[test]
    fn comments_above_top_level_keys() {
        let mut yaml = Yaml::default();
        yaml.document_commented(
            &json!({"port": 80, "name": "x", "nested": {"port": 1}}),
            &|key| (key == "port").then_some("The port."),
        );
        assert_eq!(
            yaml.text(),
            "---\n# The port.\nport: 80\nname: x\nnested:\n  port: 1\n"
        );
        assert_tree_is_parsed(yaml.text(), &yaml.documents);
    }

    #[test]
    fn comments_after_known_values_keep_every_position() {
        let mut yaml = Yaml::default();
        yaml.comment_values(|value| (value == "a/b@1234").then_some("v1.2.3"));
        yaml.document(
            &json!({"steps": [{"uses": "a/b@1234", "with": {"uses": "c"}}, {"uses": "x/y@9"}]}),
        );
        assert_eq!(
            yaml.text(),
            "---\nsteps:\n  - uses: a/b@1234  # v1.2.3\n    with:\n      uses: c\n  - uses: x/y@9\n"
        );
        assert_tree_is_parsed(yaml.text(), &yaml.documents);
    }

    #[test]
    fn sequences_are_indented_under_their_key() {
        let text = to_string(
            &json!({"on": {"push": {"branches": ["main", "dev"]}}, "steps": [{"uses": "actions/checkout@v5", "with": {"depth": 1}}]}),
        );
        assert_eq!(
            text,
            "---\n\"on\":\n  push:\n    branches:\n      - main\n      - dev\nsteps:\n  - uses: actions/checkout@v5\n    with:\n      depth: 1\n"
        );
    }

    #[test]
    fn scripts_become_literal_blocks() {
        let text = to_string(&json!({"run": "npm ci\nnpm test\n", "other": "a\nb"}));
        assert_eq!(
            text,
            "---\nrun: |\n  npm ci\n  npm test\nother: |-\n  a\n  b\n"
        );
        round_trip(&json!({"run": "one\n\ntwo\n"}));
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for text in [
            "true",
            "No",
            "null",
            "~",
            "3.13",
            "24",
            "0x1F",
            "1e3",
            "2024-01-01",
            "1:30",
            "-a",
            ": x",
            "a: b",
            "a #b",
            "",
            " lead",
            "trail ",
            "*ref",
            "&anchor",
            "!tag",
            "%x",
            "@x",
            "`x",
            "{a}",
            "[a]",
            "'q'",
            "\"q\"",
            "#c",
            "x:",
        ] {
            let scalar = string_scalar(text);
            assert!(
                scalar.starts_with('"'),
                "{text:?} was written plain: {scalar}"
            );
            round_trip(&json!({ "k": text }));
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for text in [
            "main",
            "ubuntu-24.04",
            "actions/checkout@v5",
            "/healthz",
            "npm ci",
            "${{ github.sha }}",
            "a:b",
            "a,b",
            "x[0]",
        ] {
            assert_eq!(string_scalar(text), text);
        }
    }

    #[test]
    fn hostile_strings_survive() {
        for text in [
            "\u{202E}evil",
            "tab\there",
            "cr\r\nlf",
            "bell\u{7}",
            "nel\u{85}",
            "emoji 🚢",
            "back\\slash",
            "line\n  indented\n",
            "\n",
            "\n\n",
            "trailing  \nspace",
            "${{ secrets.X }}",
            "---",
            "...",
            "key: value\n- item",
            "\nafter a blank line",
            "\n\ntwo blank lines\nfirst",
            "\n  indented after a blank line\nb",
            "\n\n\tindented by a tab",
        ] {
            round_trip(&json!({ "k": text, "list": [text] }));
        }
    }

    #[test]
    fn long_strings_fold_within_the_line_length_and_read_back_unchanged() {
        let long = format!(
            "poetry-${{{{ runner.os }}}}-3.13-${{{{ hashFiles('{}/poetry.lock') }}}}",
            "a".repeat(150)
        );
        let spaces = "word ".repeat(40);
        let hostile = format!("{}\"\\ \u{202E}  {}", "x".repeat(90), " ".repeat(30));
        for text in [long.as_str(), spaces.as_str(), hostile.as_str()] {
            let value = json!({ "jobs": { "build": { "steps": [{ "with": { "key": text } }] } } });
            let written = to_string(&value);
            for line in written.lines() {
                assert!(
                    line.chars().count() <= MAX_WIDTH,
                    "{line:?} is {} long",
                    line.chars().count()
                );
            }
            round_trip(&value);
        }
    }

    #[test]
    fn empty_collections_and_nulls() {
        round_trip(&json!({"a": [], "b": {}, "c": null, "d": [[1, 2], []]}));
    }
}
