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
    Raw(String),
    List(Vec<Expr>),
    Object(Vec<(String, Expr)>),
}

/// One line or block of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
    /// A blank line, which ends a run of aligned attributes.
    Blank,
    Comment(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

pub fn str(text: impl Into<String>) -> Expr {
    Expr::Str(text.into())
}

pub fn raw(text: impl Into<String>) -> Expr {
    Expr::Raw(text.into())
}

pub fn attr(key: &str, value: Expr) -> Item {
    Item::Attr(key.into(), value)
}

pub fn block(kind: &str, labels: &[&str], body: Vec<Item>) -> Item {
    Item::Block(Block {
        kind: kind.into(),
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

use crate::rules::hcl as read;

/// A whole file: top-level items separated as `terraform fmt` leaves them.
pub fn file(items: &[Item]) -> String {
    let mut out = String::new();
    write_body(items, 0, &mut out, &mut Lines::default());
    out
}

/// `prefix` (whole comment lines) and then the file, with its items as the rules' reader
/// would read them from the text, at their lines and columns.
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
    items.iter().any(is_multiline)
        || items.iter().map(|i| inline(i).len() + 2).sum::<usize>() > MAX_INLINE_LIST
}

/// Writes `items` at `indent`; returns them as the rules read them.
fn write_body(items: &[Item], indent: usize, out: &mut String, at: &mut Lines) -> Vec<read::Item> {
    let mut tree = Vec::new();
    // Normalise separators: a blank line around multi-line attributes and blocks, none doubled,
    // none at the start or end.
    let mut lines: Vec<&Item> = Vec::new();
    for item in items {
        let separate = match item {
            Item::Block(_) => true,
            Item::Attr(_, value) => is_multiline(value),
            _ => false,
        };
        let previous_separate = match lines.last() {
            Some(Item::Block(_)) => true,
            Some(Item::Attr(_, value)) => is_multiline(value),
            _ => false,
        };
        let needs_blank = (separate || previous_separate)
            && !matches!(
                lines.last(),
                None | Some(Item::Blank) | Some(Item::Comment(_))
            );
        if needs_blank && !matches!(item, Item::Blank) {
            lines.push(&Item::Blank);
        }
        if matches!(item, Item::Blank) && matches!(lines.last(), None | Some(Item::Blank)) {
            continue;
        }
        lines.push(item);
    }
    while matches!(lines.last(), Some(Item::Blank)) {
        lines.pop();
    }

    let pad = " ".repeat(indent);
    let mut index = 0;
    while index < lines.len() {
        match lines[index] {
            Item::Blank => {
                out.push('\n');
                index += 1;
            }
            Item::Comment(text) => {
                out.push_str(&format!("{pad}# {text}\n"));
                index += 1;
            }
            Item::Block(block) => {
                let line = at.next(out);
                out.push_str(&pad);
                out.push_str(&block.kind);
                for label in &block.labels {
                    out.push(' ');
                    out.push_str(&quote(label));
                }
                let body = if block.body.is_empty() {
                    out.push_str(" {}\n");
                    Vec::new()
                } else {
                    out.push_str(" {\n");
                    let body = write_body(&block.body, indent + 2, out, at);
                    out.push_str(&format!("{pad}}}\n"));
                    body
                };
                tree.push(read::Item {
                    kind: read::Kind::Block {
                        kind: block.kind.clone(),
                        labels: block.labels.clone(),
                        body,
                    },
                    line,
                    column: indent + 1,
                });
                index += 1;
            }
            Item::Attr(..) => {
                // A run of single-line attributes shares one `=` column.
                let start = index;
                while index < lines.len()
                    && matches!(lines[index], Item::Attr(_, value) if !is_multiline(value))
                {
                    index += 1;
                }
                if index == start {
                    let Item::Attr(key, value) = lines[index] else {
                        unreachable!()
                    };
                    let line = at.next(out);
                    out.push_str(&format!("{pad}{} = ", key_text(key)));
                    let start = out.len();
                    write_multiline(value, indent, out, at);
                    tree.push(attribute(key, &out[start..], line, indent));
                    out.push('\n');
                    index += 1;
                    continue;
                }
                let width = lines[start..index]
                    .iter()
                    .map(|item| match item {
                        Item::Attr(key, _) => key_text(key).chars().count(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for item in &lines[start..index] {
                    if let Item::Attr(key, value) = item {
                        let line = at.next(out);
                        let text = key_text(key);
                        let spaces = width - text.chars().count();
                        let written = inline(value);
                        out.push_str(&format!("{pad}{text}{} = {written}\n", " ".repeat(spaces),));
                        tree.push(attribute(key, &written, line, indent));
                    }
                }
            }
        }
    }
    tree
}

/// An attribute as the rules read it: its value decoded from the text written for it.
fn attribute(key: &str, written: &str, line: usize, indent: usize) -> read::Item {
    read::Item {
        kind: read::Kind::Attribute {
            key: key.to_owned(),
            value: read::value(written),
        },
        line,
        column: indent + 1,
    }
}

fn write_multiline(expr: &Expr, indent: usize, out: &mut String, lines: &mut Lines) {
    let pad = " ".repeat(indent);
    match expr {
        Expr::Object(entries) => {
            out.push_str("{\n");
            let items: Vec<Item> = entries
                .iter()
                .map(|(k, v)| Item::Attr(k.clone(), v.clone()))
                .collect();
            write_body(&items, indent + 2, out, lines);
            out.push_str(&format!("{pad}}}"));
        }
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&format!("{pad}  "));
                if is_multiline(item) {
                    write_multiline(item, indent + 2, out, lines);
                } else {
                    out.push_str(&inline(item));
                }
                out.push_str(",\n");
            }
            out.push_str(&format!("{pad}]"));
        }
        other => out.push_str(&inline(other)),
    }
}

fn inline(expr: &Expr) -> String {
    match expr {
        Expr::Str(text) => quote(text),
        Expr::Num(n) => n.to_string(),
        Expr::Bool(b) => b.to_string(),
        Expr::Raw(text) => text.clone(),
        Expr::List(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        Expr::Object(entries) if entries.is_empty() => "{}".into(),
        Expr::Object(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{} = {}", key_text(k), inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// Object keys and attribute names: bare when they are identifiers, quoted otherwise.
fn key_text(key: &str) -> String {
    let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        key.to_owned()
    } else {
        quote(key)
    }
}

/// A quoted HCL string. `${` and `%{` are doubled so user text never interpolates.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
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
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_tree_is_what_the_reader_reads() {
        let mut checked = 0;
        for preset in crate::model::PRESETS {
            for file in crate::generate(&preset.project()).files() {
                if let Some(crate::bundle::Tree::Hcl(items)) = &file.tree {
                    let parsed = read::parse(&file.contents)
                        .unwrap_or_else(|e| panic!("{}: {e:?}", file.path));
                    assert_eq!(&parsed, items, "{}\n{}", file.path, file.contents);
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
        assert_eq!(file(&items), EXPECTED);
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
        let text = file(&[attr("subnets", strings(&long))]);
        assert!(
            text.starts_with("subnets = [\n  \"subnet-00000000\",\n"),
            "{text}"
        );
        assert!(text.ends_with("  \"subnet-00000011\",\n]\n"), "{text}");
    }
}
