//! HCL with positions, for the Terraform rules: blocks and attributes with their line and
//! column, values simplified to what the rules compare. Bounded by [`MAX_BYTES`].

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{BlockLabel, Body, Structure};

pub const MAX_BYTES: usize = 4 << 20;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Number(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
    /// Anything else (references, calls, templates), as written.
    Expression(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Attribute {
        key: String,
        value: Value,
    },
    Block {
        kind: String,
        labels: Vec<String>,
        body: Vec<Item>,
    },
}

/// A block or an attribute, and where it starts (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: Kind,
    pub line: usize,
    pub column: usize,
}

impl Item {
    /// Blocks of this block's body of type `kind`.
    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Item> {
        self.body()
            .iter()
            .filter(move |i| matches!(&i.kind, Kind::Block { kind: k, .. } if k == kind))
    }

    pub fn body(&self) -> &[Item] {
        match &self.kind {
            Kind::Block { body, .. } => body,
            Kind::Attribute { .. } => &[],
        }
    }

    pub fn labels(&self) -> &[String] {
        match &self.kind {
            Kind::Block { labels, .. } => labels,
            Kind::Attribute { .. } => &[],
        }
    }

    /// The attribute `key` of this block, with its item (for the position).
    pub fn attribute(&self, key: &str) -> Option<(&Item, &Value)> {
        self.body().iter().find_map(|item| match &item.kind {
            Kind::Attribute { key: k, value } if k == key => Some((item, value)),
            _ => None,
        })
    }
}

/// Why a file could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HclError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The top-level items of a Terraform file.
pub fn parse(text: &str) -> Result<Vec<Item>, HclError> {
    if text.len() > MAX_BYTES {
        return Err(HclError {
            line: 1,
            column: 1,
            message: format!("The file is over {} MiB; it is not read.", MAX_BYTES >> 20),
        });
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|error| HclError {
        line: error.location().line(),
        column: error.location().column(),
        message: error.message().to_owned(),
    })?;
    Ok(convert_body(&body, text))
}

fn position(text: &str, span: Option<std::ops::Range<usize>>) -> (usize, usize) {
    let offset = span.map_or(0, |s| s.start).min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn convert_body(body: &Body, text: &str) -> Vec<Item> {
    body.iter()
        .map(|structure| match structure {
            Structure::Attribute(attribute) => {
                let (line, column) = position(text, attribute.span());
                Item {
                    kind: Kind::Attribute {
                        key: attribute.key.as_str().to_owned(),
                        value: convert(&attribute.value),
                    },
                    line,
                    column,
                }
            }
            Structure::Block(block) => {
                let (line, column) = position(text, block.span());
                let labels = block
                    .labels
                    .iter()
                    .map(|label| match label {
                        BlockLabel::Ident(ident) => ident.as_str().to_owned(),
                        BlockLabel::String(string) => string.value().clone(),
                    })
                    .collect();
                Item {
                    kind: Kind::Block {
                        kind: block.ident.as_str().to_owned(),
                        labels,
                        body: convert_body(&block.body, text),
                    },
                    line,
                    column,
                }
            }
        })
        .collect()
}

fn convert(expression: &Expression) -> Value {
    match expression {
        Expression::String(string) => Value::Str(string.value().clone()),
        Expression::Bool(boolean) => Value::Bool(*boolean.value()),
        Expression::Number(number) => Value::Number(number.to_string()),
        Expression::Array(array) => Value::List(array.iter().map(convert).collect()),
        Expression::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(Expression::String(string)) => string.value().clone(),
                        ObjectKey::Expression(other) => other.to_string().trim().to_owned(),
                    };
                    (key, convert(value.expr()))
                })
                .collect(),
        ),
        other => Value::Expression(other.to_string().trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_know_their_positions_and_values() {
        let items = parse("terraform {\n  required_version = \">= 1.10\"\n}\n\nresource \"aws_db_instance\" \"db\" {\n  publicly_accessible = false\n  tags = { Name = \"db\" }\n}\n").unwrap();
        assert_eq!(items.len(), 2);
        let (attribute, value) = items[0].attribute("required_version").unwrap();
        assert_eq!((attribute.line, attribute.column), (2, 3));
        assert_eq!(value, &Value::Str(">= 1.10".into()));
        assert_eq!(items[1].labels(), ["aws_db_instance", "db"]);
        assert_eq!(items[1].line, 5);
        assert_eq!(
            items[1].attribute("publicly_accessible").unwrap().1,
            &Value::Bool(false)
        );
    }

    #[test]
    fn errors_carry_their_position() {
        let error = parse("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
    }
}
