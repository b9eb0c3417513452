//! Lenient, lossless conversion of JSON values into the typed model.
//!
//! Nothing here fails: a value of the wrong type, an unknown key or a dropdown sentinel becomes a
//! finding, and the raw value is kept verbatim in the owning object's `other` map so that the
//! document round-trips without loss.

use super::lite::Lite;
use crate::diag::{Code, Diagnostic};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Conversion context: the findings so far and the path of the value being read.
#[derive(Debug, Default)]
pub(crate) struct Cx {
    pub(crate) diags: Vec<Diagnostic>,
    path: String,
    /// Current node / connection id; buffers reused across elements (no allocation per node).
    node_id: String,
    has_node: bool,
    conn_id: String,
    has_conn: bool,
    /// Inside a value whose strings were already checked for control characters.
    scanned: bool,
}

/// Appends `key` to a property path: `.key` for identifiers, `["a.b/c"]` otherwise.
pub(crate) fn push_key(path: &mut String, key: &str) {
    let ident = !key.is_empty()
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        // `["key"]`, the key escaped exactly as a JSON string (as `serde_json` writes it).
        path.push_str("[\"");
        for c in key.chars() {
            match c {
                '"' => path.push_str("\\\""),
                '\\' => path.push_str("\\\\"),
                '\n' => path.push_str("\\n"),
                '\r' => path.push_str("\\r"),
                '\t' => path.push_str("\\t"),
                '\u{8}' => path.push_str("\\b"),
                '\u{c}' => path.push_str("\\f"),
                c if (c as u32) < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    path.push_str("\\u00");
                    path.push(HEX[(c as usize) >> 4] as char);
                    path.push(HEX[(c as usize) & 15] as char);
                }
                c => path.push(c),
            }
        }
        path.push_str("\"]");
    }
}

/// Joins a base path and a key.
pub(crate) fn join(base: &str, key: &str) -> String {
    let mut p = base.to_owned();
    push_key(&mut p, key);
    p
}

/// Short description of a JSON value's type, for messages.
pub(crate) fn describe(v: &Lite<'_>) -> String {
    match v {
        Lite::Null => "null".into(),
        Lite::Bool(b) => format!("boolean {b}"),
        Lite::Number(n) => format!("number {n}"),
        Lite::Str(s) => format!("string {}", quote(s)),
        Lite::Array(a) => format!("a list of {}", a.len()),
        Lite::Object(_) => "an object".into(),
    }
}

/// Quotes a user string for a message, truncated to keep messages one line.
pub(crate) fn quote(s: &str) -> String {
    let mut t: String = s.chars().take(80).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    Value::String(t).to_string()
}

/// Control characters no text value may hold: C0 except tab, newline and carriage return, DEL,
/// and C1 (U+0080–U+009F, including NEL).
pub(crate) fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// True for the UI's dropdown sentinels, which must never arrive as values.
pub(crate) fn is_sentinel(s: &str) -> bool {
    let t = s.trim().trim_end_matches(['.', '…']);
    t.eq_ignore_ascii_case("custom") && s.trim().len() > 6 || t.eq_ignore_ascii_case("create new")
}

impl Cx {
    pub(crate) fn set_node(&mut self, id: Option<&str>) {
        self.node_id.clear();
        self.node_id.push_str(id.unwrap_or(""));
        self.has_node = id.is_some();
        self.has_conn = false;
        self.path.clear();
    }

    pub(crate) fn set_connection(&mut self, id: Option<&str>) {
        self.conn_id.clear();
        self.conn_id.push_str(id.unwrap_or(""));
        self.has_conn = id.is_some();
        self.has_node = false;
        self.path.clear();
    }

    /// Runs `f` with `key` appended to the path.
    pub(crate) fn in_key<R>(&mut self, key: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        push_key(&mut self.path, key);
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Runs `f` with `.key` appended to the path; `key` must be a plain identifier (the known
    /// keys of typed objects are).
    pub(crate) fn in_ident<R>(&mut self, key: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        let len = self.path.len();
        if len > 0 {
            self.path.push('.');
        }
        self.path.push_str(key);
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Runs `f` with `[index]` appended to the path.
    pub(crate) fn in_index<R>(&mut self, index: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        self.path.push('[');
        self.path.push_str(&index.to_string());
        self.path.push(']');
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Records a finding at the current path.
    pub(crate) fn report(&mut self, code: Code, message: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::new(code, message);
        d.node_id = self.has_node.then(|| self.node_id.clone());
        d.connection_id = self.has_conn.then(|| self.conn_id.clone());
        if !self.path.is_empty() {
            d.property = Some(self.path.clone());
        }
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    pub(crate) fn type_error(&mut self, expected: &str, got: &Lite<'_>) {
        let msg = format!("`{}` must be {expected}, got {}", self.path, describe(got));
        self.report(Code::ValueType, msg)
            .hint
            .replace(format!("send {expected}; the value is kept but ignored"));
    }

    pub(crate) fn coerced(&mut self, from: &Lite<'_>, to: &str) {
        let msg = format!("`{}`: {} was read as {to}", self.path, describe(from));
        self.report(Code::ValueCoerced, msg);
    }

    /// Converts `v`, reporting sentinels and type errors.
    pub(crate) fn load<T: FromJson>(&mut self, v: &Lite<'_>) -> Option<T> {
        let mut out = None;
        self.load_with(v, &mut |v, cx| out = T::from_json(v, cx));
        out
    }

    /// What `load` does around the conversion, written once for every type (the conversion
    /// comes in as `read`).
    fn load_with(&mut self, v: &Lite<'_>, read: &mut dyn FnMut(&Lite<'_>, &mut Self)) {
        if let Lite::Str(s) = v
            && is_sentinel(s)
        {
            let msg = format!(
                "`{}` is the dropdown sentinel {}, not a value",
                self.path,
                quote(s)
            );
            self.report(Code::ValueSentinel, msg)
                .hint
                .replace("enter the custom value in the field that the sentinel opens".into());
            return;
        }
        if self.scanned {
            return read(v, self);
        }
        self.scan_controls(v);
        self.scanned = true;
        read(v, self);
        self.scanned = false;
    }

    /// Reports every string (value or key) under `v` that holds a control character other than
    /// tab, newline and carriage return. The value is kept; generation refuses it.
    fn scan_controls(&mut self, v: &Lite<'_>) {
        match v {
            Lite::Str(s) => {
                if let Some(c) = s.chars().find(|c| is_forbidden_control(*c)) {
                    let msg = format!(
                        "`{}` contains the control character U+{:04X}",
                        self.path, c as u32
                    );
                    self.report(Code::ValueControlChar, msg).hint.replace(
                        "remove it; binary content belongs in a file with encoding base64".into(),
                    );
                }
            }
            Lite::Array(a) => {
                for (k, item) in a.iter().enumerate() {
                    self.in_index(k, |cx| cx.scan_controls(item));
                }
            }
            Lite::Object(m) => {
                for (k, item) in m {
                    if let Some(c) = k.chars().find(|c| is_forbidden_control(*c)) {
                        let msg = format!(
                            "a key in `{}` contains the control character U+{:04X}",
                            self.path, c as u32
                        );
                        self.report(Code::ValueControlChar, msg);
                    }
                    self.in_key(k, |cx| cx.scan_controls(item));
                }
            }
            _ => {}
        }
    }

    /// Reads `key` from an object (the last one if repeated). A rejected value is copied to
    /// `other`.
    pub(crate) fn field<T: FromJson>(
        &mut self,
        obj: &Lite<'_>,
        key: &str,
        other: &mut BTreeMap<String, Value>,
    ) -> Option<T> {
        let v = obj.get(key)?;
        self.entry(key, v, other)
    }

    /// Reads one entry of an object. `null` is absent; a rejected value is copied to `other`.
    pub(crate) fn entry<T: FromJson>(
        &mut self,
        key: &str,
        v: &Lite<'_>,
        other: &mut BTreeMap<String, Value>,
    ) -> Option<T> {
        let mut out = None;
        self.entry_with(key, v, other, &mut |v, cx| {
            out = cx.load::<T>(v);
            out.is_some()
        });
        out
    }

    /// `entry` for every type: `read` converts and says whether the value was taken.
    fn entry_with(
        &mut self,
        key: &str,
        v: &Lite<'_>,
        other: &mut BTreeMap<String, Value>,
        read: &mut dyn FnMut(&Lite<'_>, &mut Self) -> bool,
    ) {
        if v.is_null() {
            other.remove(key);
            return;
        }
        let taken = self.in_ident(key, |cx| read(v, cx));
        if !taken {
            other.insert(key.to_owned(), v.to_value());
        } else if !other.is_empty() {
            other.remove(key);
        }
    }

    /// Reports an unknown key and keeps its value in `other`.
    pub(crate) fn unknown_entry(
        &mut self,
        key: &str,
        v: &Lite<'_>,
        other: &mut BTreeMap<String, Value>,
        known: &[&str],
    ) {
        self.in_key(key, |cx| {
            let msg = format!("unknown property `{}` (kept, ignored)", cx.path);
            let hint = closest(key, known).map(|s| format!("did you mean `{s}`?"));
            let d = cx.report(Code::PropUnknown, msg);
            d.hint = hint;
        });
        other.insert(key.to_owned(), v.to_value());
    }

    /// Reports the keys of an object that are not in `known`, keeping their values in `other`.
    pub(crate) fn unknown(
        &mut self,
        obj: &Lite<'_>,
        other: &mut BTreeMap<String, Value>,
        known: &[&str],
    ) {
        if let Lite::Object(entries) = obj {
            for (k, v) in entries {
                if !known.contains(&k.as_ref()) {
                    self.unknown_entry(k, v, other, known);
                }
            }
        }
    }

    pub(crate) fn enum_error(&mut self, code: Code, got: &str, allowed: &[&str]) {
        let msg = format!("`{}`: {} is not an allowed value", self.path, quote(got));
        let suggestion = allowed
            .iter()
            .find(|a| normalize(a) == normalize(got))
            .map(|a| format!("did you mean \"{a}\"? "))
            .unwrap_or_default();
        let hint = format!("{suggestion}allowed: {}", allowed.join(", "));
        self.report(code, msg).hint = Some(hint);
    }
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The known key closest to `key` (case-insensitive edit distance ≤ 2), for "did you mean".
pub(crate) fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let k = key.to_ascii_lowercase();
    known
        .iter()
        .map(|c| (edit_distance(&k, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A type the lenient loader can read from JSON. On failure it reports and returns `None`.
pub(crate) trait FromJson: Sized {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self>;
}

impl FromJson for String {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        match v {
            Lite::Str(s) => Some(s.to_string()),
            _ => {
                cx.type_error("a string", v);
                None
            }
        }
    }
}

/// A plain decimal, `[0-9]*(.[0-9]*)?` with at least one digit (`"1.5"`, `".5"`, `"10."`), as the
/// nearest `f64` (what `str::parse::<f64>` gives; infinity past `f64::MAX`); `None` otherwise.
/// Read by serde_json's correctly rounded float reader, which is linked anyway: `str::parse`
/// would bring core's own reader and its 10 KB power-of-five table into the browser engine.
pub(crate) fn decimal(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return None;
    }
    // JSON wants one integer digit, no leading zeros, and a digit after the point.
    let int = int.trim_start_matches('0');
    let text = format!(
        "{}.{}",
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac }
    );
    // serde_json refuses only what overflows.
    Some(serde_json::from_slice::<f64>(text.as_bytes()).unwrap_or(f64::INFINITY))
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit())
}

impl FromJson for i64 {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        match v {
            Lite::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(i)
                } else if n.as_u64().is_some() {
                    Some(i64::MAX)
                } else {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    if f.fract() == 0.0 && f.abs() < 9.0e15 {
                        Some(f as i64)
                    } else {
                        cx.type_error("an integer", v);
                        None
                    }
                }
            }
            Lite::Str(s) if digits_only(s.trim()) => {
                cx.coerced(v, "an integer");
                s.trim().parse().ok()
            }
            _ => {
                cx.type_error("an integer", v);
                None
            }
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        match v {
            Lite::Number(n) => n.as_f64(),
            Lite::Str(s) => match decimal(s.trim()) {
                Some(f) if f.is_finite() => {
                    cx.coerced(v, "a number");
                    Some(f)
                }
                _ => {
                    cx.type_error("a number", v);
                    None
                }
            },
            _ => {
                cx.type_error("a number", v);
                None
            }
        }
    }
}

impl FromJson for bool {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        match v {
            Lite::Bool(b) => Some(*b),
            Lite::Str(s) if s == "true" || s == "false" => {
                cx.coerced(v, "a boolean");
                Some(s == "true")
            }
            _ => {
                cx.type_error("a boolean (true/false)", v);
                None
            }
        }
    }
}

impl FromJson for Value {
    fn from_json(v: &Lite<'_>, _cx: &mut Cx) -> Option<Self> {
        Some(v.to_value())
    }
}

impl FromJson for Map<String, Value> {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        match v {
            Lite::Object(m) => Some(super::lite::to_map(m)),
            _ => {
                cx.type_error("an object", v);
                None
            }
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        let mut out = Vec::new();
        let ok = load_list(v, cx, &mut |item, cx| match cx.load::<T>(item) {
            Some(t) => {
                out.push(t);
                true
            }
            None => false,
        });
        ok.then_some(out)
    }
}

/// `*slot = cx.entry(key, v, other)`, out of line: one body per field type instead of one
/// inlined copy (with the old value's drop) per field of every object.
#[inline(never)]
pub(crate) fn set<T: FromJson>(
    cx: &mut Cx,
    key: &str,
    v: &Lite<'_>,
    slot: &mut Option<T>,
    other: &mut BTreeMap<String, Value>,
) {
    *slot = cx.entry(key, v, other);
}

/// Reads every item of a list with `read` (which says whether it took the item); false when
/// `v` is not a list or an item was refused.
fn load_list(v: &Lite<'_>, cx: &mut Cx, read: &mut dyn FnMut(&Lite<'_>, &mut Cx) -> bool) -> bool {
    let Lite::Array(items) = v else {
        cx.type_error("a list", v);
        return false;
    };
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        ok &= cx.in_index(i, |cx| read(item, cx));
    }
    ok
}

/// A map of strings. Numbers and booleans are stringified (labels, env, data values).
impl FromJson for BTreeMap<String, String> {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        let Lite::Object(m) = v else {
            cx.type_error("an object of strings", v);
            return None;
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (k, item) in m {
            let s = match item {
                Lite::Str(s) => {
                    if is_sentinel(s) {
                        cx.in_key(k, |cx| cx.load::<String>(item))
                    } else {
                        Some(s.to_string())
                    }
                }
                Lite::Number(n) => Some(n.to_string()),
                Lite::Bool(b) => Some(b.to_string()),
                Lite::Null => {
                    out.remove(k.as_ref());
                    continue;
                }
                _ => cx.in_key(k, |cx| {
                    cx.type_error("a string", item);
                    None
                }),
            };
            match s {
                Some(s) => {
                    out.insert(k.to_string(), s);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// Implements `FromJson` for `BTreeMap<String, T>` for concrete value types.
macro_rules! map_of {
    ($($t:ty),*) => {$(
        impl FromJson for BTreeMap<String, $t> {
            fn from_json(v: &$crate::model::lite::Lite<'_>, cx: &mut $crate::model::load::Cx) -> Option<Self> {
                let $crate::model::lite::Lite::Object(m) = v else {
                    cx.type_error("an object", v);
                    return None;
                };
                let mut out = BTreeMap::new();
                let mut ok = true;
                for (k, item) in m {
                    match cx.in_key(k, |cx| cx.load::<$t>(item)) {
                        Some(t) => { out.insert(k.to_string(), t); }
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
        }
    )*};
}
pub(crate) use map_of;

/// Helper used by `json_object!`: reads an object, or reports a type error.
pub(crate) fn as_object<'v, 'a>(
    v: &'v Lite<'a>,
    cx: &mut Cx,
    what: &str,
) -> Option<&'v [(Cow<'a, str>, Lite<'a>)]> {
    match v {
        Lite::Object(m) => Some(m),
        _ => {
            cx.type_error(what, v);
            None
        }
    }
}

/// Declares a typed JSON object: every field optional, unknown keys and rejected values kept in
/// `other`. Generates the struct (Serialize + JsonSchema), its key list and its loader.
/// The keys of `known` whose flag in `set` is on, and the keys of `other`, sorted (shared by
/// every property struct: one copy, not one per struct).
pub(crate) fn present_keys<'a>(
    known: &'static [&'static str],
    set: &[bool],
    other: &'a BTreeMap<String, Value>,
) -> Vec<&'a str> {
    let mut v: Vec<&str> = known
        .iter()
        .zip(set)
        .filter(|(_, on)| **on)
        .map(|(k, _)| *k)
        .collect();
    v.extend(other.keys().map(String::as_str));
    crate::sort::sort(&mut v);
    v.dedup();
    v
}

macro_rules! json_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty = $key:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, schemars::JsonSchema)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(rename = $key, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Unknown properties and values that could not be read, kept verbatim.
            #[serde(flatten)]
            pub other: std::collections::BTreeMap<String, serde_json::Value>,
        }

        impl $name {
            /// The JSON keys this object knows.
            pub const KEYS: &'static [&'static str] = &[$($key),*];

            /// The keys this object holds: set fields and kept unknown keys, sorted (the keys
            /// of its JSON form, without building it).
            pub fn present_keys(&self) -> Vec<&str> {
                $crate::model::load::present_keys(Self::KEYS, &[$( self.$field.is_some() ),*], &self.other)
            }
        }

        impl $crate::json::ToJson for $name {
            fn to_json(&self) -> serde_json::Value {
                let mut m = serde_json::Map::new();
                $( $crate::model::json::field(&mut m, $key, &self.$field); )*
                $crate::model::json::put_other(&mut m, &self.other);
                serde_json::Value::Object(m)
            }
        }

        impl $crate::model::load::FromJson for $name {
            fn from_json(v: &$crate::model::lite::Lite<'_>, cx: &mut $crate::model::load::Cx) -> Option<Self> {
                let entries = $crate::model::load::as_object(v, cx, "an object")?;
                let mut out = Self::default();
                // One pass over the entries; a repeated key: the last one wins.
                for (k, val) in entries {
                    // The key's index in KEYS (one search for every object type), then the
                    // field of that index.
                    match $crate::model::load::key_index(Self::KEYS, k) {
                        Some(idx) => {
                            let mut n = 0usize;
                            $(
                                if idx == n {
                                    $crate::model::load::set(cx, $key, val, &mut out.$field, &mut out.other);
                                }
                                n += 1;
                            )*
                            let _ = n;
                        }
                        None => cx.unknown_entry(k, val, &mut out.other, Self::KEYS),
                    }
                }
                Some(out)
            }
        }
    };
}
pub(crate) use json_object;

/// Declares a closed set of string values. Unknown strings are reported with `$code`
/// (usually `ENUM_VALUE`) and a hint listing the allowed values; aliases are accepted with
/// `VALUE_COERCED`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident [$code:ident] {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $s:literal $(| $alias:literal)*
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $s)]
                $variant,
            )*
        }

        impl $name {
            /// Every value, in catalogue order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The canonical strings, in catalogue order.
            pub const STRS: &'static [&'static str] = &[$($s),*];
            /// Accepted aliases and the index of the value each stands for.
            const ALIASES: &'static [(&'static str, usize)] = &[$($(($alias, $name::$variant as usize),)*)*];

            /// The canonical string.
            pub const fn as_str(self) -> &'static str {
                Self::STRS[self as usize]
            }

            /// Parses the canonical string (`false`) or an accepted alias (`true`).
            pub fn parse(s: &str) -> Option<(Self, bool)> {
                $crate::model::load::pick(s, Self::STRS, Self::ALIASES).map(|(i, alias)| (Self::ALL[i], alias))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::json::ToJson for $name {
            fn to_json(&self) -> serde_json::Value {
                serde_json::Value::from(self.as_str())
            }
        }

        impl $crate::model::load::FromJson for $name {
            fn from_json(v: &$crate::model::lite::Lite<'_>, cx: &mut $crate::model::load::Cx) -> Option<Self> {
                $crate::model::load::load_enum(v, cx, $crate::diag::Code::$code, Self::STRS, Self::ALIASES)
                    .map(|i| Self::ALL[i])
            }
        }
    };
}
pub(crate) use string_enum;

/// The index of `key` among a typed object's known keys.
pub(crate) fn key_index(keys: &[&str], key: &str) -> Option<usize> {
    keys.iter().position(|k| *k == key)
}

/// The index of `s` among `strs` (`false`), or of the value an alias stands for (`true`): one
/// body for every `string_enum!`.
pub(crate) fn pick(s: &str, strs: &[&str], aliases: &[(&str, usize)]) -> Option<(usize, bool)> {
    if let Some(i) = strs.iter().position(|x| *x == s) {
        return Some((i, false));
    }
    aliases
        .iter()
        .find(|(a, _)| *a == s)
        .map(|(_, i)| (*i, true))
}

/// Reads a `string_enum!` value as its index: an alias is accepted with `VALUE_COERCED`, an
/// unknown string reported with `code` and the allowed values.
pub(crate) fn load_enum(
    v: &Lite<'_>,
    cx: &mut Cx,
    code: Code,
    strs: &[&str],
    aliases: &[(&str, usize)],
) -> Option<usize> {
    match v {
        Lite::Str(s) => match pick(s, strs, aliases) {
            Some((i, alias)) => {
                if alias {
                    cx.coerced(v, &format!("\"{}\"", strs[i]));
                }
                Some(i)
            }
            None => {
                cx.enum_error(code, s, strs);
                None
            }
        },
        _ => {
            cx.type_error(&format!("one of {}", strs.join(", ")), v);
            None
        }
    }
}

/// A number or a string, kept as given (quantities such as `500m`, `1.5`, `10Gi`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum NumOrStr {
    /// A JSON number, e.g. `1.5` cores.
    Number(Number),
    /// A string, e.g. `"500m"`.
    Text(String),
}

impl NumOrStr {
    /// The textual form (`1.5`, `500m`).
    pub fn text(&self) -> String {
        match self {
            NumOrStr::Number(n) => n.to_string(),
            NumOrStr::Text(s) => s.clone(),
        }
    }
}

impl FromJson for NumOrStr {
    fn from_json(v: &Lite<'_>, cx: &mut Cx) -> Option<Self> {
        match v {
            Lite::Number(n) => Some(NumOrStr::Number(n.clone())),
            Lite::Str(s) => Some(NumOrStr::Text(s.to_string())),
            _ => {
                cx.type_error("a number or a string", v);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels() {
        assert!(is_sentinel("Custom..."));
        assert!(is_sentinel("Custom…"));
        assert!(is_sentinel("Create New..."));
        assert!(!is_sentinel("custom"));
        assert!(!is_sentinel("Custom Metrics"));
    }

    #[test]
    fn paths() {
        let mut p = String::new();
        push_key(&mut p, "data");
        push_key(&mut p, "labels");
        push_key(&mut p, "app.kubernetes.io/name");
        assert_eq!(p, "data.labels[\"app.kubernetes.io/name\"]");
    }

    #[test]
    fn keys_in_paths_are_escaped_as_json_strings() {
        for key in [
            "a.b/c",
            "x\"y",
            "back\\slash",
            "nl\nx",
            "ctl\u{1}\u{1f}\u{7f}",
            "tab\t\r\u{8}\u{c}",
            "ünï 😀",
            "",
            "1a",
        ] {
            let mut p = String::from("props");
            push_key(&mut p, key);
            assert_eq!(
                p,
                format!("props[{}]", Value::String(key.to_owned())),
                "{key:?}"
            );
        }
    }

    #[test]
    fn sentinels_without_case_or_padding() {
        for s in [" custom… ", "CUSTOM..", "CREATE NEW", "create new."] {
            assert!(is_sentinel(s), "{s:?}");
        }
        for s in ["CUSTOM", "customer", "create", "new", ""] {
            assert!(!is_sentinel(s), "{s:?}");
        }
    }

    #[test]
    fn closest_key() {
        assert_eq!(closest("replica", &["replicas", "image"]), Some("replicas"));
        assert_eq!(closest("zzz", &["replicas", "image"]), None);
    }
}

#[cfg(test)]
mod decimal_tests {
    use super::decimal;

    /// What the callers used before: `str::parse::<f64>` on plain decimals.
    fn same(s: &str) {
        let want = s.parse::<f64>().ok().filter(|_| {
            s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && s.bytes().filter(|b| *b == b'.').count() <= 1
        });
        assert_eq!(
            decimal(s).map(f64::to_bits),
            want.map(f64::to_bits),
            "{s:?}"
        );
    }

    #[test]
    fn plain_decimals_read_as_str_parse_reads_them() {
        for s in [
            "0",
            "00",
            "0.",
            ".0",
            ".5",
            "5.",
            "1.5",
            "007.250",
            "",
            ".",
            "..",
            "1.2.3",
            "1e5",
            "+1",
            "-1",
            " 1",
            "inf",
            "NaN",
            "0.1",
            "0.30000000000000004",
            "9007199254740993",
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000\
             0000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
             0000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
             00000000000000000000000000000000000000000000000000000000000000000000000000000000.0",
        ] {
            same(s);
        }
        // Overflow is infinity, as with str::parse.
        same(&"9".repeat(400));
        same(&format!("0.{}1", "0".repeat(400)));
        same(&format!("0.{}1", "0".repeat(330)));
    }

    #[test]
    fn random_decimals_read_as_str_parse_reads_them() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..100_000 {
            // Digits (zeros more often), then mostly one point, sometimes two.
            let len = (next() % 40) as usize;
            let mut s: String = (0..len)
                .map(|_| match next() % 12 {
                    0 | 1 => '0',
                    k => char::from(b'0' + (k % 10) as u8),
                })
                .collect();
            for _ in 0..[0, 1, 1, 1, 2][(next() % 5) as usize] {
                let at = (next() as usize) % (s.len() + 1);
                s.insert(at, '.');
            }
            same(&s);
        }
    }
}
