//! Reading a document straight from JSON text: each node and connection is read as soon as the
//! parser has it, while it is still in the CPU cache, and its light tree is dropped at once. The
//! rest of the document goes through the same `assemble` as already-parsed values, so both paths
//! give the same workflow and the same findings.

use super::lite::Lite;
use super::load::Cx;
use super::parse::{Loaded, assemble, push_connection, push_node};
use super::{Connection, Node, Workflow};
use crate::api::Limits;
use crate::error::Error;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Marker of the error that aborts parsing when a list exceeds its limit.
const OVER_LIMIT: &str = "celestra: list over the size limit";

/// What a streamed array key produced.
enum Streamed<T> {
    /// The value was an array and was read element by element.
    Loaded(Loaded<T>),
    /// The value was something else, kept for `assemble` to report.
    Other(Lite<'static>),
}

#[derive(Clone, Copy)]
enum Which {
    Nodes,
    Connections,
}

struct ArraySeed<'s, T> {
    which: Which,
    limit: usize,
    over: &'s mut Option<(&'static str, usize, usize)>,
    _t: std::marker::PhantomData<T>,
}

trait Element: Sized {
    fn push(out: &mut Loaded<Self>, index: usize, item: &Lite<'_>, cx: &mut Cx);
}

impl Element for Node {
    fn push(out: &mut Loaded<Self>, index: usize, item: &Lite<'_>, cx: &mut Cx) {
        push_node(out, index, item, cx);
    }
}

impl Element for Connection {
    fn push(out: &mut Loaded<Self>, index: usize, item: &Lite<'_>, cx: &mut Cx) {
        push_connection(out, index, item, cx);
    }
}

impl<'de, T: Element> DeserializeSeed<'de> for ArraySeed<'_, T> {
    type Value = Streamed<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Element> Visitor<'de> for ArraySeed<'_, T> {
    type Value = Streamed<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut cx = Cx::default();
        let mut out = Loaded::default();
        let mut index = 0;
        while let Some(item) = seq.next_element::<Lite<'de>>()? {
            if index == self.limit {
                // Count the rest without reading it, then refuse with the exact size.
                let mut n = index + 1;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                let what = match self.which {
                    Which::Nodes => "nodes",
                    Which::Connections => "connections",
                };
                *self.over = Some((what, n, self.limit));
                return Err(serde::de::Error::custom(OVER_LIMIT));
            }
            T::push(&mut out, index, &item, &mut cx);
            index += 1;
        }
        out.diags = cx.diags;
        Ok(Streamed::Loaded(out))
    }

    // Anything but a list is kept as a value and reported by `assemble`.
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Streamed::Other(Lite::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Streamed::Other(Lite::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Streamed::Other(Lite::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Streamed::Other(
            serde_json::Number::from_f64(v).map_or(Lite::Null, Lite::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Streamed::Other(Lite::Str(Cow::Owned(v.to_owned()))))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Streamed::Other(Lite::Null))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let v: Lite<'de> = map.next_value()?;
            entries.push((Cow::Owned(k), owned(v)));
        }
        Ok(Streamed::Other(Lite::Object(entries)))
    }
}

/// Detaches a light tree from its source text.
fn owned(v: Lite<'_>) -> Lite<'static> {
    match v {
        Lite::Null => Lite::Null,
        Lite::Bool(b) => Lite::Bool(b),
        Lite::Number(n) => Lite::Number(n),
        Lite::Str(s) => Lite::Str(Cow::Owned(s.into_owned())),
        Lite::Array(a) => Lite::Array(a.into_iter().map(owned).collect()),
        Lite::Object(m) => Lite::Object(
            m.into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), owned(v)))
                .collect(),
        ),
    }
}

/// The whole document: streamed lists plus the other top-level entries.
enum Doc<'de> {
    Object {
        top: Vec<(Cow<'de, str>, Lite<'de>)>,
        nodes: Option<Loaded<Node>>,
        connections: Option<Loaded<Connection>>,
    },
    NotObject(Lite<'de>),
}

struct DocSeed<'s> {
    limits: &'s Limits,
    over: &'s mut Option<(&'static str, usize, usize)>,
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a workflow document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut top: Vec<(Cow<'de, str>, Lite<'de>)> = Vec::new();
        let mut nodes = None;
        let mut connections = None;
        while let Some(key) = map.next_key::<super::lite::Key<'de>>()? {
            let key = key.0;
            let which = match key.as_ref() {
                "nodes" => Some(Which::Nodes),
                "connections" => Some(Which::Connections),
                _ => None,
            };
            // A repeated key: the last one wins, as everywhere else.
            let streamed_other = match which {
                Some(Which::Nodes) => {
                    let seed = ArraySeed::<Node> {
                        which: Which::Nodes,
                        limit: self.limits.max_nodes,
                        over: &mut *self.over,
                        _t: std::marker::PhantomData,
                    };
                    match map.next_value_seed(seed)? {
                        Streamed::Loaded(l) => {
                            nodes = Some(l);
                            None
                        }
                        Streamed::Other(v) => {
                            nodes = None;
                            Some(v)
                        }
                    }
                }
                Some(Which::Connections) => {
                    let seed = ArraySeed::<Connection> {
                        which: Which::Connections,
                        limit: self.limits.max_connections,
                        over: &mut *self.over,
                        _t: std::marker::PhantomData,
                    };
                    match map.next_value_seed(seed)? {
                        Streamed::Loaded(l) => {
                            connections = Some(l);
                            None
                        }
                        Streamed::Other(v) => {
                            connections = None;
                            Some(v)
                        }
                    }
                }
                None => {
                    let v: Lite<'de> = map.next_value()?;
                    top.push((key, v));
                    continue;
                }
            };
            top.retain(|(k, _)| k != &key);
            if let Some(v) = streamed_other {
                top.push((key, v));
            }
        }
        Ok(Doc::Object {
            top,
            nodes,
            connections,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let v = serde::de::Visitor::visit_seq(super::lite::LiteVisitor, seq)?;
        Ok(Doc::NotObject(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Doc::NotObject(Lite::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Doc::NotObject(Lite::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Doc::NotObject(Lite::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Doc::NotObject(
            serde_json::Number::from_f64(v).map_or(Lite::Null, Lite::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Doc::NotObject(Lite::Str(Cow::Owned(v.to_owned()))))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Doc::NotObject(Lite::Null))
    }
}

/// Reads a workflow from JSON bytes, streaming nodes and connections. `parse_error` converts a
/// JSON syntax error.
pub(crate) fn read_workflow(
    bytes: &[u8],
    limits: &Limits,
    parse_error: impl FnOnce(serde_json::Error) -> Error,
) -> Result<Workflow, Error> {
    let mut over = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = DocSeed {
        limits,
        over: &mut over,
    };
    let doc = match seed.deserialize(&mut de).and_then(|d| de.end().map(|()| d)) {
        Ok(d) => d,
        Err(e) => {
            if let Some((what, actual, limit)) = over {
                return Err(Error::TooLarge {
                    what,
                    actual,
                    limit,
                });
            }
            return Err(parse_error(e));
        }
    };
    match doc {
        Doc::NotObject(v) => Err(Error::Shape {
            message: format!(
                "a workflow document must be a JSON object, got {}",
                super::load::describe(&v)
            ),
        }),
        Doc::Object {
            top,
            nodes,
            connections,
        } => Ok(assemble(&Lite::Object(top), nodes, connections)),
    }
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = Doc<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}
