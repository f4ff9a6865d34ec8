//! YAML with positions, for the rules: every node knows its line and column. Bounded: at most
//! [`MAX_BYTES`] of input, [`MAX_DEPTH`] levels of nesting and [`MAX_NODES`] nodes after alias
//! expansion, so a "billion laughs" document fails fast instead of hanging the tab.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle};

pub const MAX_BYTES: usize = 4 << 20;
pub const MAX_DEPTH: usize = 128;
pub const MAX_NODES: usize = 500_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar as written; `quoted` when it was in quotes (so `"8080"` is not a number).
    Scalar {
        text: Text,
        quoted: bool,
    },
    Sequence(Vec<Node>),
    Mapping(Vec<(Node, Node)>),
}

/// The text of a scalar. Short text (most names, numbers and flags) is held in place and
/// constants are borrowed, so a tree of thousands of scalars is not thousands of allocations.
#[derive(Clone)]
pub struct Text(Repr);

const INLINE: usize = 22;

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Inline(u8, [u8; INLINE]),
    Heap(String),
}

impl Text {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(text) => text,
            // SAFETY: `bytes[..len]` is only ever copied whole from a `str` (see `From<&str>`
            // and `display`, which write complete `str` parts), so it is valid UTF-8.
            Repr::Inline(len, bytes) => unsafe {
                std::str::from_utf8_unchecked(&bytes[..usize::from(*len)])
            },
            Repr::Heap(text) => text,
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Text(Repr::Inline(text.len() as u8, bytes))
        } else {
            Text(Repr::Heap(text.to_owned()))
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        if text.len() <= INLINE {
            Text::from(text.as_str())
        } else {
            Text(Repr::Heap(text))
        }
    }
}

impl Text {
    /// `value` as written by `Display`, without allocating when it is short (numbers are).
    pub fn display(value: impl std::fmt::Display) -> Text {
        struct Buffer {
            bytes: [u8; INLINE],
            len: usize,
            spilled: Option<String>,
        }
        impl std::fmt::Write for Buffer {
            fn write_str(&mut self, part: &str) -> std::fmt::Result {
                if let Some(text) = &mut self.spilled {
                    text.push_str(part);
                } else if self.len + part.len() <= INLINE {
                    self.bytes[self.len..self.len + part.len()].copy_from_slice(part.as_bytes());
                    self.len += part.len();
                } else {
                    let mut text = String::from_utf8_lossy(&self.bytes[..self.len]).into_owned();
                    text.push_str(part);
                    self.spilled = Some(text);
                }
                Ok(())
            }
        }
        let mut buffer = Buffer {
            bytes: [0; INLINE],
            len: 0,
            spilled: None,
        };
        let _ = std::fmt::Write::write_fmt(&mut buffer, format_args!("{value}"));
        match buffer.spilled {
            Some(text) => Text(Repr::Heap(text)),
            None => Text(Repr::Inline(buffer.len as u8, buffer.bytes)),
        }
    }

    /// A constant, borrowed.
    pub fn constant(text: &'static str) -> Text {
        Text(Repr::Static(text))
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// A node and where it starts (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub column: usize,
}

/// Why a document could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Node {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Mapping(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows `path` of keys through nested mappings.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A plain (unquoted) whole number.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => text.parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match text.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// Equal as data, wherever the two nodes stand in the file.
    pub fn same_as(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Scalar { text: a, .. }, Value::Scalar { text: b, .. }) => a == b,
            (Value::Sequence(a), Value::Sequence(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Value::Mapping(a), Value::Mapping(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka.same_as(kb) && va.same_as(vb))
            }
            _ => false,
        }
    }

    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Sequence(items) => items.iter().map(Node::size).sum(),
            Value::Mapping(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
        }
    }
}

enum Frame {
    Sequence(Node, Vec<Node>, usize),
    Mapping(Node, Vec<(Node, Node)>, Option<Node>, usize),
}

/// Every document of `text`.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    if text.len() > MAX_BYTES {
        return Err(YamlError {
            line: 1,
            column: 1,
            message: format!("The file is over {} MiB; it is not read.", MAX_BYTES >> 20),
        });
    }
    let mut documents = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Anchors by the parser's id, which counts up from 1 as anchors appear.
    let mut anchors: Vec<Option<Node>> = Vec::new();
    let mut nodes = 0usize;
    let mut parser = Parser::new_from_str(text);
    let fail = |line: usize, column: usize, message: String| {
        Err(YamlError {
            line,
            column,
            message,
        })
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(error) => {
                return fail(
                    error.marker().line(),
                    error.marker().col() + 1,
                    error.info().to_owned(),
                );
            }
        };
        let (line, column) = (span.start.line(), span.start.col() + 1);
        let mut finished: Option<(Node, usize)> = None;
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let quoted = !matches!(style, ScalarStyle::Plain);
                let node = Node {
                    value: Value::Scalar {
                        text: match text {
                            Cow::Borrowed(text) => Text::from(text),
                            Cow::Owned(text) => Text::from(text),
                        },
                        quoted,
                    },
                    line,
                    column,
                };
                finished = Some((node, anchor));
            }
            Event::Alias(id) => {
                let Some(Some(target)) = anchors.get(id) else {
                    return fail(
                        line,
                        column,
                        "An alias names an anchor that is not defined before it.".into(),
                    );
                };
                nodes += target.size();
                if nodes > MAX_NODES {
                    return fail(
                        line,
                        column,
                        "Aliases expand to too many nodes (a \"billion laughs\" document?).".into(),
                    );
                }
                finished = Some((
                    Node {
                        line,
                        column,
                        ..target.clone()
                    },
                    0,
                ));
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return fail(
                        line,
                        column,
                        format!("Nested more than {MAX_DEPTH} levels deep."),
                    );
                }
                stack.push(Frame::Sequence(
                    Node {
                        value: Value::Sequence(Vec::new()),
                        line,
                        column,
                    },
                    Vec::new(),
                    anchor,
                ));
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return fail(
                        line,
                        column,
                        format!("Nested more than {MAX_DEPTH} levels deep."),
                    );
                }
                stack.push(Frame::Mapping(
                    Node {
                        value: Value::Mapping(Vec::new()),
                        line,
                        column,
                    },
                    Vec::new(),
                    None,
                    anchor,
                ));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Sequence(mut node, items, anchor)) = stack.pop() {
                    node.value = Value::Sequence(items);
                    finished = Some((node, anchor));
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping(mut node, entries, _, anchor)) = stack.pop() {
                    node.value = Value::Mapping(entries);
                    finished = Some((node, anchor));
                }
            }
            _ => {}
        }
        if let Some((node, anchor)) = finished {
            nodes += 1;
            if nodes > MAX_NODES {
                return fail(
                    line,
                    column,
                    format!("More than {MAX_NODES} nodes; the file is not read."),
                );
            }
            if anchor > 0 {
                if anchors.len() <= anchor {
                    anchors.resize(anchor + 1, None);
                }
                anchors[anchor] = Some(node.clone());
            }
            match stack.last_mut() {
                Some(Frame::Sequence(_, items, _)) => items.push(node),
                Some(Frame::Mapping(_, entries, key, _)) => match key.take() {
                    Some(k) => entries.push((k, node)),
                    None => *key = Some(node),
                },
                None => documents.push(node),
            }
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_positions() {
        let docs =
            parse("---\nkind: Deployment\nspec:\n  replicas: 2\n  name: \"8080\"\n---\n- a\n")
                .unwrap();
        assert_eq!(docs.len(), 2);
        let replicas = docs[0].at(&["spec", "replicas"]).unwrap();
        assert_eq!(
            (replicas.as_u64(), replicas.line, replicas.column),
            (Some(2), 4, 13)
        );
        assert_eq!(
            docs[0].at(&["spec", "name"]).unwrap().as_u64(),
            None,
            "quoted is not a number"
        );
        assert_eq!(docs[1].items()[0].as_str(), Some("a"));
    }

    #[test]
    fn errors_carry_their_position() {
        let error = parse("a: b\n  c: d\n").unwrap_err();
        assert_eq!(error.line, 2, "{error:?}");
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = format!("*a{}", level - 1);
            text.push_str(&format!(
                "a{level}: &a{level} [{}]\n",
                vec![previous; 10].join(", ")
            ));
        }
        let started = std::time::Instant::now();
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("too many nodes"), "{error:?}");
        assert!(started.elapsed().as_secs() < 2);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(MAX_DEPTH + 5);
        assert!(parse(&text).unwrap_err().message.contains("Nested"));
    }
}
