//! A serde serializer whose output is a YAML node tree rather than text: typed generator
//! structs become [`Node`]s in field order, which the writer then prints and positions.
//!
//! It reads values the way `serde_json::to_value` does (map keys become strings, `None` and
//! unit become null, an enum variant with data becomes a one-key mapping) but builds plain
//! vectors instead of hashed maps, since a generated file is written once and read in order.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

use crate::rules::yaml::{Node, Text, Value};

/// `value` as a node tree, without positions yet. Strings are marked `quoted`: they must be
/// read back as strings, which the writer ensures (and then records how it wrote them).
pub(crate) fn to_node<T: Serialize + ?Sized>(value: &T) -> Node {
    match value.serialize(NodeSerializer) {
        Ok(node) => node,
        Err(never) => match never {},
    }
}

fn scalar(text: Text, string: bool) -> Node {
    Node {
        value: Value::Scalar {
            text,
            quoted: string,
        },
        line: 0,
        column: 0,
    }
}

/// A string scalar.
pub(crate) fn string(text: &'static str) -> Node {
    scalar(Text::constant(text), true)
}

fn null() -> Node {
    scalar(Text::constant("null"), false)
}

fn collection(value: Value) -> Node {
    Node {
        value,
        line: 0,
        column: 0,
    }
}

/// Never made: a generator type that cannot become YAML (a map keyed by a list, say) is a bug,
/// and serializing it panics. Being uninhabited, it lets the compiler drop every error path of
/// every type's serialization, which keeps the web app small.
#[derive(Debug)]
pub(crate) enum Error {}

impl fmt::Display for Error {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        panic!("generator types always serialize: {message}")
    }
}

struct NodeSerializer;

macro_rules! numbers {
    ($($method:ident: $type:ty),*) => {
        $(fn $method(self, v: $type) -> Result<Node, Error> {
            Ok(scalar(Text::display(v), false))
        })*
    };
}

impl ser::Serializer for NodeSerializer {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = Sequence;
    type SerializeTuple = Sequence;
    type SerializeTupleStruct = Sequence;
    type SerializeTupleVariant = Variant<Sequence>;
    type SerializeMap = Mapping;
    type SerializeStruct = Mapping;
    type SerializeStructVariant = Variant<Mapping>;

    fn serialize_bool(self, v: bool) -> Result<Node, Error> {
        Ok(scalar(
            Text::constant(if v { "true" } else { "false" }),
            false,
        ))
    }

    numbers!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128
    );

    fn serialize_f32(self, v: f32) -> Result<Node, Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Node, Error> {
        // As JSON writes it (`1.0`, not `1`, so it stays a float); NaN and infinities are null.
        Ok(match serde_json::Number::from_f64(v) {
            Some(number) => scalar(Text::display(number), false),
            None => null(),
        })
    }

    fn serialize_char(self, v: char) -> Result<Node, Error> {
        Ok(scalar(Text::display(v), true))
    }

    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        Ok(scalar(Text::from(v), true))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Error> {
        let items = v.iter().map(|b| scalar(Text::display(b), false)).collect();
        Ok(collection(Value::Sequence(items)))
    }

    fn serialize_none(self) -> Result<Node, Error> {
        Ok(null())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Node, Error> {
        Ok(null())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node, Error> {
        Ok(null())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node, Error> {
        Ok(scalar(Text::constant(variant), true))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        let entry = (
            scalar(Text::constant(variant), true),
            value.serialize(self)?,
        );
        Ok(collection(Value::Mapping(vec![entry])))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Sequence, Error> {
        Ok(Sequence(Vec::with_capacity(len.unwrap_or(0))))
    }

    fn serialize_tuple(self, len: usize) -> Result<Sequence, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Sequence, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Sequence>, Error> {
        Ok(Variant(variant, Sequence(Vec::with_capacity(len))))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Mapping, Error> {
        Ok(Mapping(Vec::with_capacity(len.unwrap_or(0)), None))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Mapping, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Mapping>, Error> {
        Ok(Variant(variant, Mapping(Vec::with_capacity(len), None)))
    }
}

pub(crate) struct Sequence(Vec<Node>);

impl ser::SerializeSeq for Sequence {
    type Ok = Node;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let value = value.serialize(NodeSerializer)?;
        self.push(value);
        Ok(())
    }

    fn end(self) -> Result<Node, Error> {
        Ok(collection(Value::Sequence(self.0)))
    }
}

impl ser::SerializeTuple for Sequence {
    type Ok = Node;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Node, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Sequence {
    type Ok = Node;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Node, Error> {
        ser::SerializeSeq::end(self)
    }
}

/// Entries, and a key waiting for its value.
pub(crate) struct Mapping(Vec<(Node, Node)>, Option<Node>);

impl Mapping {
    /// Adds an entry; a repeated key keeps its first place and takes the new value, as a JSON
    /// object would.
    fn insert(&mut self, key: Node, value: Node) {
        match self.0.iter_mut().find(|(k, _)| k.same_as(&key)) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

impl ser::SerializeMap for Mapping {
    type Ok = Node;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.1 = Some(key.serialize(KeySerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let value = value.serialize(NodeSerializer)?;
        self.insert_value(value);
        Ok(())
    }

    fn end(self) -> Result<Node, Error> {
        Ok(collection(Value::Mapping(self.0)))
    }
}

impl ser::SerializeStruct for Mapping {
    type Ok = Node;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let value = value.serialize(NodeSerializer)?;
        self.push_field(key, value);
        Ok(())
    }

    fn end(self) -> Result<Node, Error> {
        Ok(collection(Value::Mapping(self.0)))
    }
}

impl Sequence {
    /// Out of line, like `Mapping::push_field`.
    #[inline(never)]
    fn push(&mut self, value: Node) {
        self.0.push(value);
    }
}

impl Mapping {
    /// The value for the key `serialize_key` left waiting; out of line, like `push_field`.
    #[inline(never)]
    fn insert_value(&mut self, value: Node) {
        let key = self.1.take().expect("a map value comes after its key");
        self.insert(key, value);
    }

    /// The part of `serialize_field` that does not depend on the value's type, kept out of
    /// line so the many instances of that generic method stay small.
    #[inline(never)]
    fn push_field(&mut self, key: &'static str, value: Node) {
        // Field names are distinct, so no search for an earlier entry.
        self.0.push((scalar(Text::constant(key), true), value));
    }
}

/// A variant with data: a one-key mapping from the variant's name.
pub(crate) struct Variant<T>(&'static str, T);

impl ser::SerializeTupleVariant for Variant<Sequence> {
    type Ok = Node;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.1, value)
    }

    fn end(self) -> Result<Node, Error> {
        let inner = ser::SerializeSeq::end(self.1)?;
        Ok(collection(Value::Mapping(vec![(
            scalar(Text::constant(self.0), true),
            inner,
        )])))
    }
}

impl ser::SerializeStructVariant for Variant<Mapping> {
    type Ok = Node;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
    }

    fn end(self) -> Result<Node, Error> {
        let inner = ser::SerializeStruct::end(self.1)?;
        Ok(collection(Value::Mapping(vec![(
            scalar(Text::constant(self.0), true),
            inner,
        )])))
    }
}

/// Map keys: strings as they are, numbers, booleans and characters as their text (JSON's
/// rule); anything else is refused.
struct KeySerializer;

fn key(text: Text) -> Result<Node, Error> {
    Ok(scalar(text, true))
}

macro_rules! number_keys {
    ($($method:ident: $type:ty),*) => {
        $(fn $method(self, v: $type) -> Result<Node, Error> {
            key(Text::display(v))
        })*
    };
}

fn not_a_key<T>() -> Result<T, Error> {
    panic!("a map key of a generated file must be a string or a number")
}

impl ser::Serializer for KeySerializer {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = Impossible<Node, Error>;
    type SerializeTuple = Impossible<Node, Error>;
    type SerializeTupleStruct = Impossible<Node, Error>;
    type SerializeTupleVariant = Impossible<Node, Error>;
    type SerializeMap = Impossible<Node, Error>;
    type SerializeStruct = Impossible<Node, Error>;
    type SerializeStructVariant = Impossible<Node, Error>;

    number_keys!(
        serialize_bool: bool,
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128, serialize_char: char
    );

    fn serialize_f32(self, _v: f32) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_f64(self, _v: f64) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        key(Text::from(v))
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_none(self) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_unit(self) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node, Error> {
        key(Text::constant(variant))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Node, Error> {
        not_a_key()
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        not_a_key()
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        not_a_key()
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        not_a_key()
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        not_a_key()
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        not_a_key()
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        not_a_key()
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        not_a_key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// The tree as JSON, to compare with what serde_json makes of the same value.
    fn as_json(node: &Node) -> serde_json::Value {
        match &node.value {
            Value::Scalar { text, quoted: true } => json!(text.as_str()),
            Value::Scalar {
                text,
                quoted: false,
            } => serde_json::from_str(text).unwrap(),
            Value::Sequence(items) => items.iter().map(as_json).collect(),
            Value::Mapping(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap().to_owned(), as_json(v)))
                    .collect(),
            ),
        }
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(u8, bool),
        Struct { a: Option<String> },
    }

    #[derive(Serialize)]
    struct Everything {
        text: &'static str,
        number: i64,
        float: f64,
        whole_float: f64,
        flag: bool,
        missing: Option<u8>,
        list: Vec<Shape>,
        by_number: BTreeMap<u16, char>,
        #[serde(flatten)]
        extra: BTreeMap<String, u8>,
    }

    #[test]
    fn reads_values_as_serde_json_does() {
        let value = Everything {
            text: "8080",
            number: -3,
            float: 0.25,
            whole_float: 2.0,
            flag: true,
            missing: None,
            list: vec![
                Shape::Unit,
                Shape::Newtype(1),
                Shape::Tuple(2, false),
                Shape::Struct { a: None },
            ],
            by_number: BTreeMap::from([(80, 'x')]),
            extra: BTreeMap::from([("z".into(), 1), ("a".into(), 2)]),
        };
        let node = to_node(&value);
        assert_eq!(as_json(&node), serde_json::to_value(&value).unwrap());
        // Keys keep their order (serde_json's preserve_order), strings stay strings.
        let keys: Vec<_> = node.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys.first(), Some(&Some("text")));
        assert_eq!(keys.last(), Some(&Some("z")));
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_takes_the_last_value() {
        struct Twice;
        impl Serialize for Twice {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeMap;
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("a", &1)?;
                map.serialize_entry("b", &2)?;
                map.serialize_entry("a", &3)?;
                map.end()
            }
        }
        assert_eq!(as_json(&to_node(&Twice)), json!({"a": 3, "b": 2}));
        assert_eq!(
            serde_json::to_string(&as_json(&to_node(&Twice))).unwrap(),
            serde_json::to_string(&serde_json::to_value(Twice).unwrap()).unwrap()
        );
    }
}
