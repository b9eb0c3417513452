//! A light, borrowed JSON tree the loader reads from.
//!
//! `serde_json::Value` allocates a `BTreeMap` and a `String` key for every object; for a
//! 10,000-node document that intermediate tree costs more than everything else. `Lite` keeps
//! objects as vectors in document order and borrows strings from the input whenever they contain
//! no escapes. Only values the model keeps verbatim (unknown keys, rejected values) are turned
//! into `serde_json::Value`.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON value borrowing from its source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lite<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Lite<'a>>),
    /// Entries in document order; a repeated key is kept, and the last one wins (as in
    /// `serde_json::Value`).
    Object(Vec<(Cow<'a, str>, Lite<'a>)>),
}

impl<'a> Lite<'a> {
    /// Borrows a `serde_json::Value` as a `Lite` tree.
    pub(crate) fn from_value(v: &'a Value) -> Lite<'a> {
        match v {
            Value::Null => Lite::Null,
            Value::Bool(b) => Lite::Bool(*b),
            Value::Number(n) => Lite::Number(n.clone()),
            Value::String(s) => Lite::Str(Cow::Borrowed(s)),
            Value::Array(a) => Lite::Array(a.iter().map(Lite::from_value).collect()),
            Value::Object(m) => Lite::Object(
                m.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Lite::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// An owned `serde_json::Value` (for values the model keeps verbatim).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Lite::Null => Value::Null,
            Lite::Bool(b) => Value::Bool(*b),
            Lite::Number(n) => Value::Number(n.clone()),
            Lite::Str(s) => Value::String(s.to_string()),
            Lite::Array(a) => Value::Array(a.iter().map(Lite::to_value).collect()),
            Lite::Object(m) => Value::Object(to_map(m)),
        }
    }

    /// The value of `key` in an object (the last one if repeated).
    pub(crate) fn get(&self, key: &str) -> Option<&Lite<'a>> {
        match self {
            Lite::Object(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Lite::Null)
    }

    pub(crate) fn as_array(&self) -> Option<&[Lite<'a>]> {
        match self {
            Lite::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// An owned object from `Lite` entries (later repeated keys win).
pub(crate) fn to_map(m: &[(Cow<'_, str>, Lite<'_>)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in m {
        out.insert(k.to_string(), v.to_value());
    }
    out
}

pub(crate) struct LiteVisitor;

impl<'de> Visitor<'de> for LiteVisitor {
    type Value = Lite<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Lite<'de>, E> {
        Ok(Lite::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Lite<'de>, E> {
        Ok(Lite::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Lite<'de>, E> {
        Ok(Lite::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Lite<'de>, E> {
        Ok(Number::from_f64(v).map_or(Lite::Null, Lite::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Lite<'de>, E> {
        Ok(Lite::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Lite<'de>, E> {
        Ok(Lite::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Lite<'de>, E> {
        Ok(Lite::Str(Cow::Owned(v)))
    }
    fn visit_none<E>(self) -> Result<Lite<'de>, E> {
        Ok(Lite::Null)
    }
    fn visit_unit<E>(self) -> Result<Lite<'de>, E> {
        Ok(Lite::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Lite<'de>, D::Error> {
        Lite::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lite<'de>, A::Error> {
        // serde_json gives no size hint; starting at a few slots avoids most regrowth.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(4096));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Lite::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lite<'de>, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8).min(256));
        while let Some(k) = map.next_key::<Key<'de>>()? {
            let v = map.next_value()?;
            out.push((k.0, v));
        }
        Ok(Lite::Object(out))
    }
}

impl<'de> Deserialize<'de> for Lite<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LiteVisitor)
    }
}

/// An object key, borrowed when possible.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_value() {
        let text = r#"{"a": [1, -2, 3.5, "x\"y", null, true], "b": {"c": {}}, "a2": "plain"}"#;
        let lite: Lite<'_> = serde_json::from_str(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(lite.to_value(), value);
        assert_eq!(Lite::from_value(&value).to_value(), value);
        match lite.get("a2") {
            Some(Lite::Str(Cow::Borrowed(s))) => assert_eq!(*s, "plain"),
            other => panic!("expected a borrowed string, got {other:?}"),
        }
    }

    #[test]
    fn last_repeated_key_wins() {
        let lite: Lite<'_> = serde_json::from_str(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(lite.get("a"), Some(&Lite::Number(2.into())));
        assert_eq!(lite.to_value(), serde_json::json!({"a": 2}));
    }
}
