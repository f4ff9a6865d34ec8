//! A typed HCL model and a printer whose output is what `terraform fmt` would leave as is:
//! two-space indents, `=` aligned within each run of single-line attributes, a blank line
//! around every multi-line attribute and between blocks.
//!
//! User text only ever enters as [`Expr::Str`], which the printer quotes and escapes
//! (including `${` and `%{`, so it can never start an interpolation or a directive).
//! [`Expr::Raw`] is for references and function calls the generator itself writes.

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Str(String),
    Num(i64),
    Bool(bool),
    /// An expression written by the generator: `var.region`, `module.vpc.vpc_id`, a call.
    Raw(Cow<'static, str>),
    List(Vec<Expr>),
    Object(Vec<(String, Expr)>),
}

/// One line or block of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Attribute names are the generator's own constants.
    Attr(&'static str, Expr),
    Block(Block),
    /// A blank line, which ends a run of aligned attributes.
    Blank,
    Comment(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: &'static str,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

pub fn str(text: impl Into<String>) -> Expr {
    Expr::Str(text.into())
}

pub fn raw(text: impl Into<Cow<'static, str>>) -> Expr {
    Expr::Raw(text.into())
}

pub fn attr(key: &'static str, value: Expr) -> Item {
    Item::Attr(key, value)
}

pub fn block(kind: &'static str, labels: &[&str], body: Vec<Item>) -> Item {
    Item::Block(Block {
        kind,
        labels: labels.iter().map(|l| l.to_string()).collect(),
        body,
    })
}

pub fn object(entries: Vec<(&str, Expr)>) -> Expr {
    Expr::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

pub fn list(items: Vec<Expr>) -> Expr {
    Expr::List(items)
}

pub fn strings<S: AsRef<str>>(items: &[S]) -> Expr {
    Expr::List(items.iter().map(|s| str(s.as_ref())).collect())
}

/// A constant item: the parts of a file that no setting changes are written as tables of these,
/// which cost the web app table bytes rather than the code to build each item one by one.
pub enum Fixed {
    Attr(&'static str, Value),
    Block(&'static str, &'static [&'static str], &'static [Fixed]),
    Blank,
    Comment(&'static str),
}

/// A constant expression, for [`Fixed`].
pub enum Value {
    Str(&'static str),
    Raw(&'static str),
    Num(i64),
    Bool(bool),
    List(&'static [Value]),
    Object(&'static [(&'static str, Value)]),
}

impl Value {
    fn expr(&self) -> Expr {
        match self {
            Value::Str(text) => str(*text),
            Value::Raw(text) => raw(*text),
            Value::Num(n) => Expr::Num(*n),
            Value::Bool(b) => Expr::Bool(*b),
            Value::List(items) => Expr::List(items.iter().map(Value::expr).collect()),
            Value::Object(entries) => Expr::Object(
                entries
                    .iter()
                    .map(|(key, value)| ((*key).to_owned(), value.expr()))
                    .collect(),
            ),
        }
    }
}

/// The items a table of [`Fixed`] describes.
pub fn fixed(items: &[Fixed]) -> Vec<Item> {
    items
        .iter()
        .map(|item| match item {
            Fixed::Attr(key, value) => Item::Attr(key, value.expr()),
            Fixed::Block(kind, labels, body) => block(kind, labels, fixed(body)),
            Fixed::Blank => Item::Blank,
            Fixed::Comment(text) => Item::Comment((*text).to_owned()),
        })
        .collect()
}

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::rules::hcl as read;

/// `prefix` (whole comment lines) and then a whole file, its top-level items separated as
/// `terraform fmt` leaves them; with the items as the rules' reader would read them from the
/// text, at their lines and columns.
pub(crate) fn file_with_tree(prefix: &str, items: &[Item]) -> (String, Vec<read::Item>) {
    let mut out = String::from(prefix);
    let tree = write_body(items, 0, &mut out, &mut Lines::default());
    (out, tree)
}

/// The line the text written so far has reached, counted as it grows.
#[derive(Default)]
struct Lines {
    counted: usize,
    breaks: usize,
}

impl Lines {
    /// The 1-based line the next character of `out` will be on.
    fn next(&mut self, out: &str) -> usize {
        self.breaks += out.as_bytes()[self.counted..]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted = out.len();
        self.breaks + 1
    }
}

/// Lists longer than this are written one element per line.
const MAX_INLINE_LIST: usize = 80;

fn is_multiline(expr: &Expr) -> bool {
    match expr {
        Expr::Object(entries) => !entries.is_empty(),
        Expr::List(items) => list_is_multiline(items),
        _ => false,
    }
}

fn list_is_multiline(items: &[Expr]) -> bool {
    if items.iter().any(is_multiline) {
        return true;
    }
    let mut written = String::new();
    for item in items {
        inline(item, &mut written);
        written.push_str(", ");
        if written.len() > MAX_INLINE_LIST {
            return true;
        }
    }
    false
}

/// A line of a body as it is written: blocks and attributes borrowed from the items (or from
/// an object's entries), multi-line attributes told apart once.
#[derive(Clone, Copy)]
enum Line<'a> {
    Attr(&'a str, &'a Expr, bool),
    Block(&'a Block),
    Blank,
    Comment(&'a str),
}

impl Line<'_> {
    /// Set apart from its neighbours by blank lines.
    fn separate(self) -> bool {
        matches!(self, Line::Block(_) | Line::Attr(_, _, true))
    }
}

/// Writes `items` at `indent`; returns them as the rules read them.
fn write_body(items: &[Item], indent: usize, out: &mut String, at: &mut Lines) -> Vec<read::Item> {
    let lines = items.iter().map(|item| match item {
        Item::Attr(key, value) => Line::Attr(key, value, is_multiline(value)),
        Item::Block(block) => Line::Block(block),
        Item::Blank => Line::Blank,
        Item::Comment(text) => Line::Comment(text),
    });
    write_lines(lines, indent, out, at)
}

fn write_lines<'a>(
    items: impl Iterator<Item = Line<'a>>,
    indent: usize,
    out: &mut String,
    at: &mut Lines,
) -> Vec<read::Item> {
    let mut tree = Vec::new();
    // Normalise separators: a blank line around multi-line attributes and blocks, none doubled,
    // none at the start or end.
    let mut lines: Vec<Line> = Vec::new();
    for item in items {
        let last = lines.last().copied();
        let needs_blank = (item.separate() || last.is_some_and(Line::separate))
            && !matches!(last, None | Some(Line::Blank) | Some(Line::Comment(_)));
        if needs_blank && !matches!(item, Line::Blank) {
            lines.push(Line::Blank);
        }
        if matches!(item, Line::Blank) && matches!(lines.last(), None | Some(Line::Blank)) {
            continue;
        }
        lines.push(item);
    }
    while matches!(lines.last(), Some(Line::Blank)) {
        lines.pop();
    }

    let pad = |out: &mut String| indent_by(out, indent);
    let mut index = 0;
    while index < lines.len() {
        match lines[index] {
            Line::Blank => {
                out.push('\n');
                index += 1;
            }
            Line::Comment(text) => {
                pad(out);
                out.push_str("# ");
                out.push_str(text);
                out.push('\n');
                index += 1;
            }
            Line::Block(block) => {
                let line = at.next(out);
                pad(out);
                out.push_str(block.kind);
                for label in &block.labels {
                    out.push(' ');
                    quote_into(label, out);
                }
                let body = if block.body.is_empty() {
                    out.push_str(" {}\n");
                    Vec::new()
                } else {
                    out.push_str(" {\n");
                    let body = write_body(&block.body, indent + 2, out, at);
                    pad(out);
                    out.push_str("}\n");
                    body
                };
                tree.push(read::Item {
                    kind: read::Kind::Block {
                        kind: block.kind.to_owned(),
                        labels: block.labels.clone(),
                        body,
                    },
                    line,
                    column: indent + 1,
                });
                index += 1;
            }
            Line::Attr(key, value, true) => {
                let line = at.next(out);
                pad(out);
                out.push_str(&key_text(key));
                out.push_str(" = ");
                let start = out.len();
                write_multiline(value, indent, out, at);
                tree.push(attribute(key, value, &out[start..], line, indent));
                out.push('\n');
                index += 1;
            }
            Line::Attr(_, _, false) => {
                // A run of single-line attributes shares one `=` column.
                let start = index;
                while matches!(lines.get(index), Some(Line::Attr(_, _, false))) {
                    index += 1;
                }
                let width = lines[start..index]
                    .iter()
                    .map(|line| match line {
                        Line::Attr(key, ..) => key_text(key).chars().count(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for line in &lines[start..index] {
                    if let Line::Attr(key, value, _) = *line {
                        let number = at.next(out);
                        pad(out);
                        let text = key_text(key);
                        out.push_str(&text);
                        indent_by(out, width - text.chars().count());
                        out.push_str(" = ");
                        let start = out.len();
                        inline(value, out);
                        tree.push(attribute(key, value, &out[start..], number, indent));
                        out.push('\n');
                    }
                }
            }
        }
    }
    tree
}

fn indent_by(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

/// An attribute as the rules read it: its value decoded from the text written for it.
fn attribute(key: &str, value: &Expr, written: &str, line: usize, indent: usize) -> read::Item {
    read::Item {
        kind: read::Kind::Attribute {
            key: key.to_owned(),
            value: read_value(value, written),
        },
        line,
        column: indent + 1,
    }
}

/// What the reader makes of `expr`, written as `written`: literals are known without reading
/// them back; references, calls and collections are read from their text, as the reader does.
fn read_value(expr: &Expr, written: &str) -> read::Value {
    match expr {
        Expr::Str(text) => read::Value::Str(text.clone()),
        Expr::Bool(flag) => read::Value::Bool(*flag),
        Expr::Num(_) => read::Value::Number(written.to_owned()),
        Expr::Raw(_) | Expr::List(_) | Expr::Object(_) => read::value(written),
    }
}

fn write_multiline(expr: &Expr, indent: usize, out: &mut String, at: &mut Lines) {
    match expr {
        Expr::Object(entries) => {
            out.push_str("{\n");
            let lines = entries
                .iter()
                .map(|(key, value)| Line::Attr(key, value, is_multiline(value)));
            write_lines(lines, indent + 2, out, at);
            indent_by(out, indent);
            out.push('}');
        }
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                indent_by(out, indent + 2);
                if is_multiline(item) {
                    write_multiline(item, indent + 2, out, at);
                } else {
                    inline(item, out);
                }
                out.push_str(",\n");
            }
            indent_by(out, indent);
            out.push(']');
        }
        other => inline(other, out),
    }
}

/// Writes `expr` on one line.
fn inline(expr: &Expr, out: &mut String) {
    match expr {
        Expr::Str(text) => quote_into(text, out),
        Expr::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Raw(text) => out.push_str(text),
        Expr::List(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                inline(item, out);
            }
            out.push(']');
        }
        Expr::Object(entries) if entries.is_empty() => out.push_str("{}"),
        Expr::Object(entries) => {
            out.push_str("{ ");
            for (index, (key, value)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(&key_text(key));
                out.push_str(" = ");
                inline(value, out);
            }
            out.push_str(" }");
        }
    }
}

/// Object keys and attribute names: bare when they are identifiers, quoted otherwise.
fn key_text(key: &str) -> Cow<'_, str> {
    let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(quote(key))
    }
}

/// A quoted HCL string. `${` and `%{` are doubled so user text never interpolates.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    quote_into(text, &mut out);
    out
}

fn quote_into(text: &str, out: &mut String) {
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control()
                || crate::text::is_invisible_mark(c)
                || crate::text::is_unicode_line_break(c) =>
            {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_tree_is_what_the_reader_reads() {
        let mut checked = 0;
        for preset in crate::model::PRESETS {
            for file in crate::generate(&preset.project()).files() {
                if let Some(crate::bundle::Tree::Hcl(_)) = &file.tree {
                    file.tree_matches_text().unwrap_or_else(|e| panic!("{e}"));
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "only {checked} files carry a tree");
    }

    /// Checked by hand against `terraform fmt` conventions: aligned `=` per run, blank lines
    /// around multi-line values and between blocks, two-space indents.
    const EXPECTED: &str = r#"module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "6.4.0"

  name            = var.name
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b"]
  private_subnets = [for index in range(2) : cidrsubnet("10.0.0.0/16", 4, index)]

  public_subnet_tags = {
    "kubernetes.io/role/elb" = 1
    Tier                     = "public"
  }

  enable_nat_gateway = true
}

output "cluster_name" {
  description = "EKS cluster name"
  value       = module.eks.cluster_name
}
"#;

    #[test]
    fn prints_like_terraform_fmt() {
        let items = vec![
            block(
                "module",
                &["vpc"],
                vec![
                    attr("source", str("terraform-aws-modules/vpc/aws")),
                    attr("version", str("6.4.0")),
                    Item::Blank,
                    attr("name", raw("var.name")),
                    attr("cidr", str("10.0.0.0/16")),
                    attr("azs", strings(&["eu-west-1a", "eu-west-1b"])),
                    attr(
                        "private_subnets",
                        raw("[for index in range(2) : cidrsubnet(\"10.0.0.0/16\", 4, index)]"),
                    ),
                    attr(
                        "public_subnet_tags",
                        object(vec![
                            ("kubernetes.io/role/elb", Expr::Num(1)),
                            ("Tier", str("public")),
                        ]),
                    ),
                    attr("enable_nat_gateway", Expr::Bool(true)),
                ],
            ),
            block(
                "output",
                &["cluster_name"],
                vec![
                    attr("description", str("EKS cluster name")),
                    attr("value", raw("module.eks.cluster_name")),
                ],
            ),
        ];
        assert_eq!(file_with_tree("", &items).0, EXPECTED);
    }

    #[test]
    fn user_text_cannot_interpolate() {
        assert_eq!(
            quote("${var.x} %{ if true }"),
            r#""$${var.x} %%{ if true }""#
        );
        assert_eq!(quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(quote("$5 and 100%"), r#""$5 and 100%""#);
        assert_eq!(quote("\u{202E}"), r#""\u202E""#);
    }

    #[test]
    fn long_lists_go_one_per_line() {
        let long: Vec<String> = (0..12).map(|i| format!("subnet-{i:08}")).collect();
        let (text, _) = file_with_tree("", &[attr("subnets", strings(&long))]);
        assert!(
            text.starts_with("subnets = [\n  \"subnet-00000000\",\n"),
            "{text}"
        );
        assert!(text.ends_with("  \"subnet-00000011\",\n]\n"), "{text}");
    }
}
