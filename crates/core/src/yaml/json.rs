//! JSON text for the few generated JSON files (the Grafana dashboard) and Dockerfile exec
//! forms, written from the same serializer tree as the YAML files, as serde_json's pretty
//! printer lays it out. serde_json's own value type and printer are not in the app.

use serde::Serialize;

use crate::rules::yaml::{Node, Value};

/// `value` as pretty JSON: two-space indents, one entry per line, `[]` and `{}` when empty.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    write(&super::ser::to_node(value), 0, &mut out);
    out
}

/// A JSON string literal for `text`, escaped as serde_json escapes it.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_string(text, &mut out);
    out
}

fn push_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether a plain scalar of the tree is a JSON literal. The serializer quotes every string
/// that could be read as anything but a string, so a plain number, flag or null was one.
fn is_literal(text: &str) -> bool {
    if matches!(text, "true" | "false" | "null") {
        return true;
    }
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = text.strip_prefix('-').unwrap_or(text);
    let whole = digits(rest);
    if whole == 0 {
        return false;
    }
    let mut rest = &rest[whole..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !exponent.is_empty() && digits(exponent) == exponent.len()
        }
        None => rest.is_empty(),
    }
}

fn write(node: &Node, depth: usize, out: &mut String) {
    let indent = |depth: usize, out: &mut String| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    match &node.value {
        Value::Scalar { text, quoted } => {
            if !quoted && is_literal(text) {
                out.push_str(text);
            } else {
                push_string(text, out);
            }
        }
        Value::Sequence(items) if items.is_empty() => out.push_str("[]"),
        Value::Mapping(entries) if entries.is_empty() => out.push_str("{}"),
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(depth + 1, out);
                write(item, depth + 1, out);
            }
            indent(depth, out);
            out.push(']');
        }
        Value::Mapping(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(depth + 1, out);
                push_string(key.as_str().unwrap_or_default(), out);
                out.push_str(": ");
                write(value, depth + 1, out);
            }
            indent(depth, out);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written exactly as serde_json writes the same values.
    #[test]
    fn matches_serde_json() {
        #[derive(Serialize)]
        struct Sample<'a> {
            text: &'a str,
            number: u32,
            negative: i32,
            flag: bool,
            nothing: Option<u32>,
            list: Vec<&'a str>,
            empty_list: Vec<u32>,
            empty_map: super::super::Empty,
            nested: super::super::Map<&'a str, u32>,
        }
        for text in [
            "plain",
            "",
            "123",
            "true",
            "null",
            "1e3",
            "-1",
            "a \"quoted\" \\ path",
            "line\nbreak\ttab",
            "\u{1}\u{8}\u{c}\r",
            "🚢 ünïcode",
            "{{ not a template }}",
            "${datasource}",
            "0x1F",
            "~",
        ] {
            let sample = Sample {
                text,
                number: 39,
                negative: -5,
                flag: true,
                nothing: None,
                list: vec![text, "b"],
                empty_list: vec![],
                empty_map: super::super::Empty {},
                nested: super::super::Map::from([("x", 0), ("y", 12)]),
            };
            assert_eq!(
                to_string_pretty(&sample),
                serde_json::to_string_pretty(&sample).unwrap(),
                "{text:?}"
            );
            assert_eq!(string(text), serde_json::to_string(text).unwrap());
        }
    }
}
