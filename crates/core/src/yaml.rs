//! A YAML writer for generated files: typed serde structs in, text that yamllint, actionlint
//! and Kubernetes accept out.
//!
//! Why not a YAML crate's serializer: the libyaml-based ones (serde_norway, serde_yaml_ng)
//! write sequences flush with their key, which yamllint's default `indentation` rule reports,
//! and they cannot choose literal blocks for scripts. Here, values go through serde into
//! `serde_json::Value` (in field order), and this module decides how each scalar is written:
//! plain only when it cannot be read as anything but the same string, a literal block for
//! multi-line text, double-quoted with escapes otherwise. Reading YAML is left to serde_norway.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// Writes `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let value = serde_json::to_value(value).expect("generator types always serialize");
    // An explicit document start, as yamllint's default rules ask.
    let mut out = String::from("---\n");
    match &value {
        Value::Object(map) if !map.is_empty() => write_mapping(map, 0, false, &mut out),
        Value::Array(items) if !items.is_empty() => write_sequence(items, 0, &mut out),
        scalar => {
            out.push_str(&inline_scalar(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

/// Entries at `width`; with `first_inline` the first one continues a `- ` already written.
fn write_mapping(
    map: &serde_json::Map<String, Value>,
    width: usize,
    first_inline: bool,
    out: &mut String,
) {
    for (position, (key, value)) in map.iter().enumerate() {
        if position > 0 || !first_inline {
            indent(out, width);
        }
        let key = string_scalar(key);
        out.push_str(&key);
        out.push(':');
        write_value_after_indicator(value, width, width + key.chars().count() + 2, out);
    }
}

fn write_sequence(items: &[Value], width: usize, out: &mut String) {
    for item in items {
        indent(out, width);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                write_mapping(map, width + 2, true, out);
            }
            other => write_value_after_indicator(other, width, width + 2, out),
        }
    }
}

/// Writes what follows `key:` or `-`: a nested block on the next lines, or a scalar starting
/// at `column`.
fn write_value_after_indicator(value: &Value, width: usize, column: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(map, width + 2, false, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(items, width + 2, out);
        }
        Value::String(text) if block_literal_fits(text) => {
            let (body, chomp) = match text.strip_suffix('\n') {
                Some(body) => (body, ""),
                None => (text.as_str(), "-"),
            };
            out.push_str(" |");
            out.push_str(chomp);
            out.push('\n');
            for line in body.split('\n') {
                if !line.is_empty() {
                    indent(out, width + 2);
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        Value::String(text) => {
            out.push(' ');
            let scalar = string_scalar(text);
            if column + scalar.chars().count() <= MAX_WIDTH {
                out.push_str(&scalar);
            } else {
                write_folded(text, column, width + 2, out);
            }
            out.push('\n');
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline_scalar(scalar));
            out.push('\n');
        }
    }
}

/// Lines longer than this are folded, as yamllint's default `line-length` rule asks.
const MAX_WIDTH: usize = 80;

/// A long string, double-quoted and folded with escaped line breaks: a `\` at the end of a line
/// joins it to the next without adding anything, so the value is exactly the original.
/// Continuation lines drop their leading spaces, so a space that would start one is escaped.
fn write_folded(text: &str, column: usize, continuation: usize, out: &mut String) {
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
}

fn inline_scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_scalar(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A literal block keeps multi-line text exactly, when the text has no trailing spaces (which
/// linters flag), at most one final newline, nothing invisible, and a first line that does not
/// start with a space (the block's indentation would swallow it).
fn block_literal_fits(text: &str) -> bool {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.contains('\n')
        && !body.ends_with('\n')
        && !body.starts_with([' ', '\t'])
        && body.split('\n').all(|line| {
            !line.ends_with([' ', '\t']) && !line.chars().all(|c| c == ' ' || c == '\t')
                || line.is_empty()
        })
        && body
            .chars()
            .all(|c| c == '\n' || c == '\t' || !needs_escape(c))
}

/// A string as a scalar: plain when nothing else could be read from it, else double-quoted.
pub fn string_scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        double_quoted(text)
    }
}

fn is_plain_safe(text: &str) -> bool {
    let Some(&first) = text.as_bytes().first() else {
        return false;
    };
    // Digits, signs and dots start numbers, versions, dates and times: always quote those.
    if !(first.is_ascii_alphabetic() || matches!(first, b'/' | b'_' | b'$')) {
        return false;
    }
    if text.ends_with([' ', ':']) || text.contains(": ") || text.contains(" #") {
        return false;
    }
    // Flow indicators ({ } [ ] ,) only matter at the start or inside flow collections, and this
    // writer uses flow style only for empty collections.
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" _./-=+~@()$%^;&|!?*<>:'{}[],".contains(&b))
    {
        return false;
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
    use serde_json::json;

    fn round_trip(value: &Value) {
        let text = to_string(value);
        let back: Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(&back, value, "\n{text}");
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
        ] {
            round_trip(&json!({ "k": text, "list": [text] }));
        }
    }

    #[test]
    fn long_strings_fold_within_80_columns_and_read_back_unchanged() {
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
