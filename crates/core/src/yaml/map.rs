//! A map that keeps insertion order, for the short maps generated files hold (labels,
//! environment variables, compose services, workflow jobs).
//!
//! A vector searched in place: a handful of entries each, so cheaper than a hashed map, and in
//! the app every hashed map type brings its own copy of the table code (twenty of them were
//! about 17 KB of wasm before this type replaced `IndexMap` in the generators).

use std::borrow::Borrow;

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map<K, V>(Vec<(K, V)>);

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map(Vec::new())
    }
}

impl<K: PartialEq, V> Map<K, V> {
    pub fn new() -> Self {
        Map(Vec::new())
    }

    /// Sets `key`, keeping its place when it is already there; returns the value it replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => Some(std::mem::replace(&mut entry.1, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.0
            .iter()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.get(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<K: PartialEq + Borrow<Q>, Q: PartialEq + ?Sized, V> std::ops::Index<&Q> for Map<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no such key in the map")
    }
}

impl<K: PartialEq, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

impl<K: PartialEq, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = Map::new();
        map.extend(pairs);
        map
    }
}

impl<K: PartialEq, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = &'a (K, V);
    type IntoIter = std::slice::Iter<'a, (K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<K: Serialize, V: Serialize> Serialize for Map<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A scalar of a generated file whose kind varies with the settings: text, a flag or a
/// number (an action input, Kubernetes' int-or-string).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Flag(bool),
    Number(u32),
}

impl Scalar {
    /// A whole number when the text is one, else the text: how Kubernetes reads int-or-string.
    pub fn int_or_string(text: &str) -> Scalar {
        text.parse()
            .map_or_else(|_| Scalar::Text(text.to_owned()), Scalar::Number)
    }
}

impl From<&str> for Scalar {
    fn from(text: &str) -> Scalar {
        Scalar::Text(text.to_owned())
    }
}

impl From<&&str> for Scalar {
    fn from(text: &&str) -> Scalar {
        Scalar::Text((*text).to_owned())
    }
}

impl From<String> for Scalar {
    fn from(text: String) -> Scalar {
        Scalar::Text(text)
    }
}

impl From<&String> for Scalar {
    fn from(text: &String) -> Scalar {
        Scalar::Text(text.clone())
    }
}

impl From<bool> for Scalar {
    fn from(flag: bool) -> Scalar {
        Scalar::Flag(flag)
    }
}

impl From<u32> for Scalar {
    fn from(number: u32) -> Scalar {
        Scalar::Number(number)
    }
}

/// An empty mapping, `{}` (a compose volume with the defaults, a trigger with no filter).
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_place_of_a_key_and_the_last_value() {
        let mut map = Map::from([("b", 1), ("a", 2)]);
        assert_eq!(map.insert("b", 3), Some(1));
        assert_eq!(map.insert("c", 4), None);
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(map["b"], 3);
        assert!(map.contains_key("c") && !map.contains_key("d"));
        assert_eq!(crate::yaml::to_string(&map), "---\nb: 3\na: 2\nc: 4\n");
    }
}
