//! HCL with positions, for the Terraform rules: blocks and attributes with their line and
//! column, values simplified to what the rules compare. Bounded by [`MAX_BYTES`] and
//! [`MAX_DEPTH`].
//!
//! A small reader of its own rather than a full HCL crate: the rules only need the structure
//! and literal values, and a complete HCL parser cost the web app 94 KiB of its gzip budget.
//! Expressions are scanned (brackets, strings with `${...}`, heredocs, comments) to find where
//! they end; only literals are decoded, anything else is kept as written.

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

/// How deeply brackets and blocks may nest before the file is refused.
pub const MAX_DEPTH: usize = 128;

/// The top-level items of a Terraform file.
pub fn parse(text: &str) -> Result<Vec<Item>, HclError> {
    if text.len() > MAX_BYTES {
        return Err(HclError {
            line: 1,
            column: 1,
            message: format!("The file is over {} MiB; it is not read.", MAX_BYTES >> 20),
        });
    }
    Reader::new(text).body(None, 0)
}

/// Where a scan of an expression stops, besides an unmatched closing bracket.
#[derive(Clone, Copy)]
struct Stops {
    newline: bool,
    comma: bool,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn error(&self, at: usize, message: impl Into<String>) -> HclError {
        let (line, column) = position(self.text, at);
        HclError {
            line,
            column,
            message: message.into(),
        }
    }

    /// Skips spaces and comments; newlines too when `newlines`. A `/* */` comment may span
    /// lines either way, as in HCL.
    fn skip_blank(&mut self, newlines: bool) -> Result<(), HclError> {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' if newlines => self.pos += 1,
                b'#' => self.skip_line_comment(),
                b'/' if self.peek_at(1) == Some(b'/') => self.skip_line_comment(),
                b'/' if self.peek_at(1) == Some(b'*') => self.skip_block_comment()?,
                _ => break,
            }
        }
        Ok(())
    }

    fn skip_line_comment(&mut self) {
        while self.peek().is_some_and(|c| c != b'\n') {
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) -> Result<(), HclError> {
        let start = self.pos;
        match self.text[self.pos + 2..].find("*/") {
            Some(end) => {
                self.pos += 2 + end + 2;
                Ok(())
            }
            None => Err(self.error(start, "This /* comment is never closed.")),
        }
    }

    fn identifier(&mut self) -> &str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// The items of a body, up to the `}` that closes the block opened at `open` (or to the
    /// end of the file for the top level).
    fn body(&mut self, open: Option<usize>, depth: usize) -> Result<Vec<Item>, HclError> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                open.unwrap_or(0),
                format!("Blocks nest more than {MAX_DEPTH} deep here; the file is not read."),
            ));
        }
        let mut items = Vec::new();
        loop {
            self.skip_blank(true)?;
            let start = self.pos;
            match (self.peek(), open) {
                (None, None) => return Ok(items),
                (None, Some(open)) => {
                    return Err(self.error(open, "This block's { is never closed."));
                }
                (Some(b'}'), Some(_)) => {
                    self.pos += 1;
                    return Ok(items);
                }
                (Some(b'}'), None) => {
                    return Err(self.error(start, "This } closes no block."));
                }
                _ => {}
            }
            let name = self.identifier().to_owned();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                let found = self.text[start..].chars().next().unwrap_or(' ');
                return Err(self.error(
                    start,
                    format!("Expected an attribute name or a block type, found {found:?}."),
                ));
            }
            self.skip_blank(false)?;
            if self.peek() == Some(b'=') && self.peek_at(1) != Some(b'=') {
                self.pos += 1;
                self.skip_blank(false)?;
                let value_start = self.pos;
                let end = self.expression(
                    Stops {
                        newline: true,
                        comma: false,
                    },
                    0,
                )?;
                let raw = &self.text[value_start..end];
                if raw.is_empty() {
                    return Err(self.error(value_start, format!("{name} = needs a value.")));
                }
                let (line, column) = position(self.text, start);
                items.push(Item {
                    kind: Kind::Attribute {
                        key: name,
                        value: value(raw),
                    },
                    line,
                    column,
                });
                continue;
            }
            let mut labels = Vec::new();
            loop {
                self.skip_blank(false)?;
                match self.peek() {
                    Some(b'"') => {
                        let label_start = self.pos;
                        self.string()?;
                        labels.push(unquote(&self.text[label_start..self.pos]));
                    }
                    Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                        labels.push(self.identifier().to_owned());
                    }
                    _ => break,
                }
            }
            if self.peek() != Some(b'{') {
                return Err(self.error(
                    self.pos,
                    format!("Expected = (an attribute) or {{ (a block) after {name}."),
                ));
            }
            let brace = self.pos;
            self.pos += 1;
            let body = self.body(Some(brace), depth + 1)?;
            let (line, column) = position(self.text, start);
            items.push(Item {
                kind: Kind::Block {
                    kind: name,
                    labels,
                    body,
                },
                line,
                column,
            });
        }
    }

    /// Scans one expression from here and returns where its text ends (after its last
    /// character that is not blank or a comment). Stops before a closing bracket it did not
    /// open, and at a newline or comma outside brackets when `stops` says so.
    fn expression(&mut self, stops: Stops, depth: usize) -> Result<usize, HclError> {
        let mut open: Vec<(u8, usize)> = Vec::new();
        let mut end = self.pos;
        loop {
            let Some(c) = self.peek() else {
                return match open.last() {
                    Some(&(bracket, at)) => Err(self.error(
                        at,
                        format!("This {:?} is never closed.", char::from(bracket)),
                    )),
                    None => Ok(end),
                };
            };
            match c {
                b' ' | b'\t' | b'\r' => {
                    self.pos += 1;
                    continue;
                }
                b'#' => {
                    self.skip_line_comment();
                    continue;
                }
                b'/' if matches!(self.peek_at(1), Some(b'/' | b'*')) => {
                    self.skip_blank(false)?;
                    continue;
                }
                b'\n' if open.is_empty() && stops.newline => return Ok(end),
                b',' if open.is_empty() && stops.comma => return Ok(end),
                b'"' => self.string_at(depth)?,
                b'<' if self.peek_at(1) == Some(b'<') => self.heredoc()?,
                b'(' | b'[' | b'{' => {
                    if depth + open.len() >= MAX_DEPTH {
                        return Err(self.error(
                            self.pos,
                            format!("Brackets nest more than {MAX_DEPTH} deep here; the file is not read."),
                        ));
                    }
                    open.push((c, self.pos));
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    let Some((bracket, _)) = open.pop() else {
                        return Ok(end);
                    };
                    let expected = match bracket {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    };
                    if c != expected {
                        return Err(self.error(
                            self.pos,
                            format!(
                                "Expected {:?} here, found {:?}.",
                                char::from(expected),
                                char::from(c)
                            ),
                        ));
                    }
                    self.pos += 1;
                }
                _ => {
                    // Step over one whole character, so positions stay on char boundaries.
                    let width = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += width;
                }
            }
            end = self.pos;
        }
    }

    /// Steps over a quoted string, including `${...}` and `%{...}` inside it.
    fn string(&mut self) -> Result<(), HclError> {
        self.string_at(0)
    }

    fn string_at(&mut self, depth: usize) -> Result<(), HclError> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            return Err(self.error(
                start,
                format!("Templates nest more than {MAX_DEPTH} deep here; the file is not read."),
            ));
        }
        self.pos += 1;
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    return Err(self.error(start, "This string is never closed on its line."));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    if self.peek().is_some_and(|c| c != b'\n') {
                        let width = self.text[self.pos..]
                            .chars()
                            .next()
                            .map_or(1, char::len_utf8);
                        self.pos += width;
                    }
                }
                Some(c @ (b'$' | b'%'))
                    if self.peek_at(1) == Some(c) && self.peek_at(2) == Some(b'{') =>
                {
                    self.pos += 3;
                }
                Some(b'$' | b'%') if self.peek_at(1) == Some(b'{') => {
                    let open = self.pos;
                    self.pos += 2;
                    self.expression(
                        Stops {
                            newline: false,
                            comma: false,
                        },
                        depth + 1,
                    )?;
                    if self.peek() != Some(b'}') {
                        return Err(self.error(open, "This ${ is never closed."));
                    }
                    self.pos += 1;
                }
                Some(_) => {
                    let width = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += width;
                }
            }
        }
    }

    /// Steps over `<<MARKER` or `<<-MARKER` and its lines, up to the line holding only MARKER.
    fn heredoc(&mut self) -> Result<(), HclError> {
        let start = self.pos;
        self.pos += 2;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let marker = self.identifier().to_owned();
        if marker.is_empty() {
            return Err(self.error(start, "Expected a heredoc marker after <<."));
        }
        let Some(newline) = self.text[self.pos..].find('\n') else {
            return Err(self.error(start, format!("The heredoc <<{marker} has no lines.")));
        };
        let mut line_start = self.pos + newline + 1;
        loop {
            let rest = &self.text[line_start..];
            let line_end = rest.find('\n').map_or(self.text.len(), |i| line_start + i);
            if self.text[line_start..line_end].trim() == marker {
                self.pos = line_end;
                return Ok(());
            }
            if line_end >= self.text.len() {
                return Err(self.error(start, format!("The heredoc <<{marker} never ends.")));
            }
            line_start = line_end + 1;
        }
    }
}

/// A number as Rust reads one: an optional sign, digits with an optional fraction (one side
/// of the point may be empty), an optional exponent. Checked by hand: `str::parse::<f64>`
/// would bring 4 KB of float parsing into the app for a yes or no.
fn is_number(raw: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let unsigned = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    let whole = digits(unsigned);
    let mut rest = &unsigned[whole..];
    let mut fraction = 0;
    if let Some(after) = rest.strip_prefix('.') {
        fraction = digits(after);
        rest = &after[fraction..];
    }
    if whole + fraction == 0 {
        return false;
    }
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !exponent.is_empty() && digits(exponent) == exponent.len()
        }
        None => rest.is_empty(),
    }
}

/// The value of an expression's text: literals decoded, anything else as written.
pub(crate) fn value(raw: &str) -> Value {
    match raw {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    let first = raw.as_bytes()[0];
    if is_number(raw) {
        return Value::Number(raw.to_owned());
    }
    if first == b'"' && is_whole(raw, |r| r.string()) && !has_template(raw) {
        return Value::Str(unquote(raw));
    }
    let inner = raw.get(1..raw.len() - 1).unwrap_or("").trim_start();
    let is_for = inner.starts_with("for ") || inner.starts_with("for\t");
    if first == b'['
        && raw.ends_with(']')
        && !is_for
        && let Some(items) = split(inner, false)
    {
        return Value::List(items.into_iter().map(value).collect());
    }
    if first == b'{'
        && raw.ends_with('}')
        && !is_for
        && let Some(entries) = split(inner, true)
            .and_then(|items| items.into_iter().map(entry).collect::<Option<Vec<_>>>())
    {
        return Value::Object(entries);
    }
    Value::Expression(raw.to_owned())
}

/// Whether `scan` consumes all of `raw` without error.
fn is_whole(raw: &str, scan: impl FnOnce(&mut Reader) -> Result<(), HclError>) -> bool {
    let mut reader = Reader::new(raw);
    scan(&mut reader).is_ok() && reader.pos == raw.len()
}

/// Whether a quoted string holds an interpolation or a directive (it is a template).
fn has_template(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'\\', _) => i += 2,
            (b'$', b'$') | (b'%', b'%') if bytes.get(i + 2) == Some(&b'{') => i += 3,
            (b'$' | b'%', b'{') => return true,
            _ => i += 1,
        }
    }
    false
}

/// The items of a list or object body, split at commas (and newlines for objects) outside
/// brackets and strings. None when the text does not scan.
fn split(inner: &str, newlines: bool) -> Option<Vec<&str>> {
    let mut reader = Reader::new(inner);
    let mut items = Vec::new();
    loop {
        reader.skip_blank(true).ok()?;
        if reader.peek().is_none() {
            return Some(items);
        }
        let start = reader.pos;
        let end = reader
            .expression(
                Stops {
                    newline: newlines,
                    comma: true,
                },
                0,
            )
            .ok()?;
        match reader.peek() {
            None => {}
            Some(b',' | b'\n') => reader.pos += 1,
            Some(_) => return None,
        }
        if end > start {
            items.push(&inner[start..end]);
        }
    }
}

/// `key = value` or `key: value` inside an object.
fn entry(item: &str) -> Option<(String, Value)> {
    let mut reader = Reader::new(item);
    let key = match reader.peek()? {
        b'"' => {
            reader.string().ok()?;
            unquote(&item[..reader.pos])
        }
        b'(' => {
            let end = item.find(')')?;
            reader.pos = end + 1;
            item[..=end].to_owned()
        }
        _ => reader.identifier().to_owned(),
    };
    if key.is_empty() {
        return None;
    }
    reader.skip_blank(false).ok()?;
    match reader.peek()? {
        b'=' | b':' => reader.pos += 1,
        _ => return None,
    }
    let rest = item[reader.pos..].trim();
    (!rest.is_empty()).then(|| (key, value(rest)))
}

/// The text of a quoted string literal, its escapes decoded (`$${` and `%%{` stand for a
/// literal `${` and `%{`).
fn unquote(raw: &str) -> String {
    let mut rest = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let mut out = String::with_capacity(rest.len());
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            out.push(c);
            out.push('{');
            rest = &rest[3..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(escaped) = rest.chars().next() else {
            out.push('\\');
            break;
        };
        rest = &rest[escaped.len_utf8()..];
        match escaped {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' | 'U' => {
                let width = if escaped == 'u' { 4 } else { 8 };
                let digits = rest.get(..width).unwrap_or("");
                match u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(decoded) if digits.len() == width => {
                        out.push(decoded);
                        rest = &rest[width..];
                    }
                    _ => {
                        out.push('\\');
                        out.push(escaped);
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_told_apart_as_rust_parses_them() {
        let samples = [
            "0", "42", "-1", "+7", "3.14", ".5", "1.", "1e3", "1E-3", "2.5e+10", "", ".", "-",
            "e3", "1e", "1e+", "1.2.3", "--1", "1-", "0x1F", "inf", "NaN", "1_000", "12a",
        ];
        // Words Rust also reads as numbers (inf, NaN) are not numbers in HCL.
        let numeric = |b: u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-');
        for raw in samples {
            let rust = raw.bytes().all(numeric) && raw.parse::<f64>().is_ok();
            assert_eq!(is_number(raw), rust, "{raw:?}");
        }
    }

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
    fn reads_comments_heredocs_templates_and_one_line_blocks() {
        let text = "# top\n/* a\n block */ locals {\n  a = \"x-${var.y[\"}\"]}\" // tail\n  b = <<-EOT\n    {\n    EOT\n  c = [for s in var.l : upper(s)]\n  d = { \"k.1\" = 1, e: [true, -2.5e3] }\n  f = \"$${literal} \\u00e9\\n\"\n}\nvariable \"v\" { type = string }\n";
        let items = parse(text).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].line, items[0].column), (3, 11));
        let value = |key| items[0].attribute(key).unwrap().1.clone();
        assert_eq!(
            value("a"),
            Value::Expression("\"x-${var.y[\"}\"]}\"".into())
        );
        assert_eq!(
            value("b"),
            Value::Expression("<<-EOT\n    {\n    EOT".into())
        );
        assert_eq!(
            value("c"),
            Value::Expression("[for s in var.l : upper(s)]".into())
        );
        assert_eq!(
            value("d"),
            Value::Object(vec![
                ("k.1".into(), Value::Number("1".into())),
                (
                    "e".into(),
                    Value::List(vec![Value::Bool(true), Value::Number("-2.5e3".into())])
                ),
            ])
        );
        assert_eq!(value("f"), Value::Str("${literal} é\n".into()));
        assert_eq!(items[1].labels(), ["v"]);
        assert_eq!(
            items[1].attribute("type").unwrap().1,
            &Value::Expression("string".into())
        );
    }

    #[test]
    fn errors_point_at_what_is_left_open() {
        let at = |text: &str| {
            let error = parse(text).unwrap_err();
            (error.line, error.column)
        };
        assert_eq!(at("a {\n  b = 1\n"), (1, 3));
        assert_eq!(at("a = [1,\n  2\n"), (1, 5));
        assert_eq!(at("a = \"open\nb = 1\n"), (1, 5));
        assert_eq!(at("x {\n  a = (1]\n}\n"), (2, 9));
        assert_eq!(at("}\n"), (1, 1));
        assert_eq!(at("a = <<EOT\nno end\n"), (1, 5));
        assert_eq!(at("a b c\n"), (1, 6));
        assert_eq!(at("/* never"), (1, 1));
        assert_eq!(at("= 1"), (1, 1));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let blocks = "a {\n".repeat(10_000);
        assert!(parse(&blocks).unwrap_err().message.contains("nest"));
        let brackets = format!("a = {}", "[".repeat(100_000));
        assert!(parse(&brackets).unwrap_err().message.contains("nest"));
        let templates = format!("a = {}", "\"${".repeat(10_000));
        assert!(parse(&templates).unwrap_err().message.contains("nest"));
    }

    #[test]
    fn errors_carry_their_position() {
        let error = parse("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
    }
}
