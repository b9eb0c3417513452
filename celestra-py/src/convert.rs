//! Python objects <-> JSON for the engine.
//!
//! In: a workflow (or node) given as a `dict`, a JSON `str` or `bytes`; a `dict` is walked into a
//! `serde_json::Value` (anything that is not JSON is refused with its path). Out: any
//! `Serialize` result becomes plain Python objects (`dict`, `list`, `str`, `int`, `float`,
//! `bool`, `None`) through a serde `Serializer`, without a JSON text in between; struct field
//! names are made into Python strings once per call.

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple,
};
use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Number;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Deepest nesting accepted in a `dict` workflow (below the JSON parser's own limit of 128, so
/// a too-deep value is reported here, with its path).
const MAX_DEPTH: usize = 100;

/// A workflow or node as JSON text (a `dict` is written as JSON by `input`).
pub(crate) enum Input {
    Text(String),
    Bytes(Vec<u8>),
}

/// Why an input is not JSON: `(path, what)`.
pub(crate) struct NotJson {
    pub(crate) path: String,
    pub(crate) what: String,
}

/// Reads a `dict`, `str`, `bytes` or `bytearray`; `what` names the argument in messages.
pub(crate) fn input(obj: &Bound<'_, PyAny>, what: &str) -> Result<Input, NotJson> {
    if let Ok(s) = obj.cast::<PyString>() {
        return with_utf8(s, |t| Input::Text(t.to_owned()))
            .ok_or_else(|| not_json(what, "a str that is not valid UTF-8 (lone surrogates)"));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Input::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Input::Bytes(b.to_vec()));
    }
    // Anything else is written as JSON text; a non-object is then refused by the engine (SHAPE).
    let mut path = what.to_owned();
    let mut out = String::with_capacity(4096);
    write_json(obj, &mut out, &mut path, 0)?;
    Ok(Input::Text(out))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "value".to_owned())
}

fn not_json(path: &str, what: impl Into<String>) -> NotJson {
    NotJson {
        path: path.to_owned(),
        what: what.into(),
    }
}

/// Writes a Python value as JSON text into `out` (the engine's streaming parser then reads it:
/// faster than building a `serde_json::Value` and converting it). `path` is the location for
/// messages (restored on success).
fn write_json(
    obj: &Bound<'_, PyAny>,
    out: &mut String,
    path: &mut String,
    depth: usize,
) -> Result<(), NotJson> {
    if depth > MAX_DEPTH {
        return Err(not_json(
            path,
            format!("nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    // str first: most values are.
    if let Ok(s) = obj.cast::<PyString>() {
        return with_utf8(s, |text| json_string(out, text))
            .ok_or_else(|| not_json(path, "a str that is not valid UTF-8 (lone surrogates)"));
    }
    if obj.is_none() {
        out.push_str("null");
        return Ok(());
    }
    // bool before int: `True` is an int in Python.
    if let Ok(b) = obj.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
        return Ok(());
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            let _ = write!(out, "{i}");
            return Ok(());
        }
        if let Ok(u) = obj.extract::<u64>() {
            let _ = write!(out, "{u}");
            return Ok(());
        }
        return Err(not_json(path, "an integer outside the 64-bit range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let n = Number::from_f64(f.value())
            .ok_or_else(|| not_json(path, "NaN or infinity (not JSON)"))?;
        let _ = write!(out, "{n}");
        return Ok(());
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        // Read live (a snapshot of the items costs a tuple per entry); if Python code run
        // during the walk (a nested mapping's `items()`, a `__del__`) changes this dict, pyo3's
        // iterator panics: that is caught here and refused like any other bad value.
        let start = out.len();
        let read = catch_unwind(AssertUnwindSafe(|| write_dict(d, out, path, depth)));
        return match read {
            Ok(r) => r,
            Err(_) => {
                out.truncate(start);
                Err(not_json(path, "a dict that changed while it was read"))
            }
        };
    }
    // Other mappings (e.g. `types.MappingProxyType`, custom `Mapping`s) read like dicts.
    if let Ok(m) = obj.cast::<PyMapping>() {
        let items = m
            .items()
            .map_err(|_| not_json(path, "a mapping whose items cannot be read"))?;
        let d = PyDict::new(obj.py());
        for pair in items.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair
                .extract()
                .map_err(|_| not_json(path, "a mapping whose items cannot be read"))?;
            d.set_item(k, v)
                .map_err(|_| not_json(path, "a mapping with an unhashable key"))?;
        }
        return write_json(d.as_any(), out, path, depth);
    }
    // Lists and tuples by their items (not a subclass's own `__iter__`, as `json.dumps` does);
    // a snapshot, as for dicts.
    let items = if let Ok(l) = obj.cast::<PyList>() {
        Some(l.to_tuple())
    } else {
        obj.cast::<PyTuple>().ok().map(|t| t.to_owned())
    };
    if let Some(items) = items {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let len = path.len();
            let _ = write!(path, "[{i}]");
            write_json(&item, out, path, depth + 1)?;
            path.truncate(len);
        }
        out.push(']');
        return Ok(());
    }
    Err(not_json(path, format!("a {} (not JSON)", type_name(obj))))
}

fn write_dict(
    d: &Bound<'_, PyDict>,
    out: &mut String,
    path: &mut String,
    depth: usize,
) -> Result<(), NotJson> {
    out.push('{');
    for (k, (key, v)) in d.iter().enumerate() {
        let Ok(key) = key.cast::<PyString>() else {
            return Err(not_json(
                path,
                format!("a {} key (JSON object keys are str)", type_name(&key)),
            ));
        };
        if k > 0 {
            out.push(',');
        }
        let len = path.len();
        with_utf8(key, |key| {
            json_string(out, key);
            push_key(path, key);
        })
        .ok_or_else(|| not_json(path, "a key that is not valid UTF-8 (lone surrogates)"))?;
        out.push(':');
        write_json(&v, out, path, depth + 1)?;
        path.truncate(len);
    }
    out.push('}');
    Ok(())
}

/// Runs `f` on the UTF-8 text of a Python str (one copy, out of CPython's encoder; `to_cow`
/// under abi3 for 3.9 makes a second one). `None` for strs with lone surrogates.
fn with_utf8<R>(s: &Bound<'_, PyString>, f: impl FnOnce(&str) -> R) -> Option<R> {
    let bytes = s.encode_utf8().ok()?;
    std::str::from_utf8(bytes.as_bytes()).ok().map(f)
}

/// A JSON string literal: `"` and `\\` escaped, control characters as `\\u00XX`.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            out.push_str(&s[start..i]);
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\t' => out.push_str("\\t"),
                b'\r' => out.push_str("\\r"),
                _ => {
                    let _ = write!(out, "\\u{b:04x}");
                }
            }
            start = i + 1;
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn push_key(path: &mut String, key: &str) {
    if !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit())
    {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        json_string(path, key);
        path.push(']');
    }
}

// ------------------------------------------------------------------------------------------
// Rust -> Python

/// Plain Python objects of a serializable value.
pub(crate) fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let mut keys = Keys::default();
    v.serialize(PySer {
        py,
        keys: &mut keys,
    })
    .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.0))
}

/// Python strings of struct field names and enum variant names, made once per call (keyed by
/// the address of the `&'static str`), and recently made short strings (ids, kinds, property
/// names repeat hundreds of times in a ledger or a plan; Python strings are immutable, so equal
/// values can share one object).
#[derive(Default)]
struct Keys<'py> {
    fields: Vec<Option<(usize, usize, Bound<'py, PyString>)>>,
    /// Direct-mapped: a new string replaces what its slot held.
    recent: Vec<Option<Recent<'py>>>,
    /// The bytes of the strings in `recent` (appended, never freed during a call).
    arena: String,
}

/// Strings up to this many bytes go through the `recent` cache (ids, names, kinds, ledger
/// reasons; not file contents).
const RECENT_MAX: usize = 128;
/// Slots of the `recent` cache (a power of two).
const RECENT_SLOTS: usize = 1024;
/// Slots of the field-name table (a power of two; results have a few dozen distinct names).
const FIELD_SLOTS: usize = 256;

struct Recent<'py> {
    start: u32,
    len: u32,
    string: Bound<'py, PyString>,
}

impl<'py> Keys<'py> {
    /// A Python string equal to `s`, shared with an earlier equal one when it is still cached.
    fn text(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        let b = s.as_bytes();
        if b.is_empty() || b.len() > RECENT_MAX || self.arena.len() > u32::MAX as usize / 2 {
            return PyString::new(py, s);
        }
        if self.recent.is_empty() {
            self.recent.resize_with(RECENT_SLOTS, || None);
        }
        // A cheap position from the length and four bytes (a miss only costs a new string).
        let h = b
            .len()
            .wrapping_mul(0x9e37)
            .wrapping_add(usize::from(b[0]).wrapping_mul(31))
            .wrapping_add(usize::from(b[b.len() / 3]).wrapping_mul(131))
            .wrapping_add(usize::from(b[b.len() * 2 / 3]).wrapping_mul(557))
            .wrapping_add(usize::from(b[b.len() - 1]).wrapping_mul(1031));
        let slot = &mut self.recent[h & (RECENT_SLOTS - 1)];
        if let Some(r) = slot
            && r.len as usize == b.len()
            && self.arena.as_bytes()[r.start as usize..][..b.len()] == *b
        {
            return r.string.clone();
        }
        let string = PyString::new(py, s);
        let start = self.arena.len() as u32;
        self.arena.push_str(s);
        *slot = Some(Recent {
            start,
            len: b.len() as u32,
            string: string.clone(),
        });
        string
    }

    fn get(&mut self, py: Python<'py>, k: &'static str) -> Bound<'py, PyString> {
        // Open addressing on the name's address: a few nanoseconds per field, where a hash
        // map lookup was a measurable part of building a plan.
        if self.fields.is_empty() {
            self.fields.resize_with(FIELD_SLOTS, || None);
        }
        let addr = k.as_ptr() as usize;
        let mut i = (addr ^ (addr >> 7) ^ k.len()) & (FIELD_SLOTS - 1);
        for _ in 0..FIELD_SLOTS {
            match &self.fields[i] {
                Some((a, l, string)) if *a == addr && *l == k.len() => return string.clone(),
                Some(_) => i = (i + 1) & (FIELD_SLOTS - 1),
                None => {
                    let string = PyString::new(py, k);
                    self.fields[i] = Some((addr, k.len(), string.clone()));
                    return string;
                }
            }
        }
        // Full (more than FIELD_SLOTS distinct names in one result): no sharing.
        PyString::new(py, k)
    }
}

#[derive(Debug)]
pub(crate) struct SerError(String);

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

fn py_err(e: PyErr) -> SerError {
    SerError(e.to_string())
}

struct PySer<'a, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'py>,
}

type Out<'py> = Result<Bound<'py, PyAny>, SerError>;

impl<'a, 'py> ser::Serializer for PySer<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    type SerializeSeq = Seq<'a, 'py>;
    type SerializeTuple = Seq<'a, 'py>;
    type SerializeTupleStruct = Seq<'a, 'py>;
    type SerializeTupleVariant = Impossible<Bound<'py, PyAny>, SerError>;
    type SerializeMap = Dict<'a, 'py>;
    type SerializeStruct = Dict<'a, 'py>;
    type SerializeStructVariant = Impossible<Bound<'py, PyAny>, SerError>;

    fn serialize_bool(self, v: bool) -> Out<'py> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Out<'py> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Out<'py> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Out<'py> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        Ok(PyInt::new(self.py, v).into_any())
    }
    fn serialize_u8(self, v: u8) -> Out<'py> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Out<'py> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Out<'py> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        Ok(PyInt::new(self.py, v).into_any())
    }
    fn serialize_f32(self, v: f32) -> Out<'py> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Out<'py> {
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        Ok(self.keys.text(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        Ok(PyBytes::new(self.py, v).into_any())
    }
    fn serialize_none(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Out<'py> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Out<'py> {
        Ok(self.keys.get(self.py, variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Out<'py> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Out<'py> {
        let py = self.py;
        let key = self.keys.get(py, variant);
        let value = v.serialize(PySer {
            py,
            keys: self.keys,
        })?;
        let d = PyDict::new(py);
        d.set_item(key, value).map_err(py_err)?;
        Ok(d.into_any())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a, 'py>, SerError> {
        Ok(Seq {
            py: self.py,
            keys: self.keys,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a, 'py>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a, 'py>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(SerError("tuple variants are not used by the engine".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Dict<'a, 'py>, SerError> {
        Ok(Dict {
            dict: PyDict::new(self.py),
            py: self.py,
            keys: self.keys,
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Dict<'a, 'py>, SerError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(SerError(
            "struct variants are not used by the engine".into(),
        ))
    }
}

pub(crate) struct Seq<'a, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'py>,
    items: Vec<Bound<'py, PyAny>>,
}

impl<'py> Seq<'_, 'py> {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        let item = v.serialize(PySer {
            py: self.py,
            keys: self.keys,
        })?;
        self.items.push(item);
        Ok(())
    }
    fn list(self) -> Out<'py> {
        Ok(PyList::new(self.py, self.items).map_err(py_err)?.into_any())
    }
}

impl<'py> ser::SerializeSeq for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> Out<'py> {
        self.list()
    }
}

impl<'py> ser::SerializeTuple for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> Out<'py> {
        self.list()
    }
}

impl<'py> ser::SerializeTupleStruct for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> Out<'py> {
        self.list()
    }
}

pub(crate) struct Dict<'a, 'py> {
    dict: Bound<'py, PyDict>,
    py: Python<'py>,
    keys: &'a mut Keys<'py>,
    key: Option<Bound<'py, PyAny>>,
}

impl<'py> ser::SerializeMap for Dict<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), SerError> {
        let text = celestra_core::generate::map_key_text(k).map_err(SerError)?;
        self.key = Some(PyString::new(self.py, &text).into_any());
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerError("a map value without a key".into()))?;
        let value = v.serialize(PySer {
            py: self.py,
            keys: self.keys,
        })?;
        self.dict.set_item(key, value).map_err(py_err)
    }
    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}

impl<'py> ser::SerializeStruct for Dict<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        k: &'static str,
        v: &T,
    ) -> Result<(), SerError> {
        let key = self.keys.get(self.py, k);
        let value = v.serialize(PySer {
            py: self.py,
            keys: self.keys,
        })?;
        self.dict.set_item(key, value).map_err(py_err)
    }
    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}
