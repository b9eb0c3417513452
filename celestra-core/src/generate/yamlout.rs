//! A block-style YAML writer for JSON values, in the layout of `kubectl` output: sorted keys,
//! list items at their parent key's indentation, multi-line text as literal blocks.
//!
//! Scalars are written plain only when no YAML 1.1 or 1.2 reader can take them for anything
//! but that string (no indicator, no `: ` or ` #`, nothing that looks like a number, a date, a
//! boolean or null); everything else is double-quoted with escapes, so a value can never become
//! structure, a tag, an anchor or another type. Round trips are property-tested against a YAML
//! parser. It replaces a general serializer on the hot path of every target (about 5x faster).

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The YAML document of `v` (a trailing newline included).
pub(crate) fn to_yaml(v: &Value) -> String {
    let mut out = String::with_capacity(1024);
    match v {
        Value::Object(m) if !m.is_empty() => map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => seq(&mut out, a, 0),
        other => {
            inline(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

/// The YAML document of a Kubernetes object: `apiVersion` and `kind` first (as `kubectl`
/// and `k8s-openapi` write them), then the other keys sorted.
pub(crate) fn to_manifest_yaml(v: &Value) -> String {
    let Value::Object(m) = v else {
        return to_yaml(v);
    };
    let mut out = String::with_capacity(1024);
    for key in ["apiVersion", "kind"] {
        if let Some(x) = m.get(key) {
            out.push_str(key);
            out.push(':');
            value_after_key(&mut out, x, 0);
        }
    }
    for (k, x) in m {
        if k != "apiVersion" && k != "kind" {
            scalar_str(&mut out, k);
            out.push(':');
            value_after_key(&mut out, x, 0);
        }
    }
    out
}

fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

fn map(out: &mut String, m: &Map<String, Value>, ind: usize) {
    for (k, v) in m {
        pad(out, ind);
        scalar_str(out, k);
        out.push(':');
        value_after_key(out, v, ind);
    }
}

/// After `key:` — a nested block on the next lines, or ` scalar` on this one.
fn value_after_key(out: &mut String, v: &Value, ind: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            map(out, m, ind + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            seq(out, a, ind);
        }
        other => {
            out.push(' ');
            inline(out, other, ind);
            out.push('\n');
        }
    }
}

fn seq(out: &mut String, a: &[Value], ind: usize) {
    for item in a {
        pad(out, ind);
        out.push('-');
        match item {
            Value::Object(m) if !m.is_empty() => {
                out.push(' ');
                // The first entry on the dash's line, the others below it.
                let mut first = true;
                for (k, v) in m {
                    if !first {
                        pad(out, ind + 2);
                    }
                    first = false;
                    scalar_str(out, k);
                    out.push(':');
                    value_after_key(out, v, ind + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                seq(out, inner, ind + 2);
            }
            other => {
                out.push(' ');
                inline(out, other, ind + 2);
                out.push('\n');
            }
        }
    }
}

/// A scalar or empty collection on the current line (`ind` is the indentation of its key, for
/// literal blocks).
fn inline(out: &mut String, v: &Value, ind: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            let s = n.to_string();
            // Exponents in the form YAML 1.1 readers accept too (`1.0e+300`, not `1e300`).
            match s.split_once(['e', 'E']) {
                Some((m, e)) if n.is_f64() => {
                    out.push_str(m);
                    if !m.contains('.') {
                        out.push_str(".0");
                    }
                    out.push('e');
                    if !e.starts_with(['-', '+']) {
                        out.push('+');
                    }
                    out.push_str(e);
                }
                _ => out.push_str(&s),
            }
        }
        Value::String(s) => {
            if literal_ok(s) {
                literal(out, s, ind + 2);
            } else {
                scalar_str(out, s);
            }
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string key or value on one line: plain when unambiguous, else double-quoted.
fn scalar_str(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else {
        quoted(out, s);
    }
}

/// Characters a plain scalar may hold (printable, no line breaks or specials YAML 1.1 folds).
fn printable(c: char) -> bool {
    match c {
        ' '..='~' => true,
        '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}' => {
            !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
        }
        _ => false,
    }
}

/// Bytes that are never special anywhere in a plain scalar: ASCII letters, digits, `_./-`.
const fn word_bytes() -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'/' || b == b'-';
        c += 1;
    }
    t
}

static WORD: [bool; 256] = word_bytes();

/// Words YAML 1.1 or 1.2 readers resolve to booleans or null.
fn keyword(s: &str) -> bool {
    s.len() <= 5
        && [
            "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "<<", "=",
        ]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(s))
}

fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    // Fast path (names, keys, label values): a letter, then only letters, digits and `_./-`
    // can only be mistaken for a boolean or null word.
    if b.first().is_some_and(u8::is_ascii_alphabetic) && b.iter().all(|&c| WORD[c as usize]) {
        return !keyword(s);
    }
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if last == b' ' || last == b':' {
        return false;
    }
    // A dash may start a plain scalar when a letter follows (`-c`, `--port`), never a number.
    let dash_word = first == b'-'
        && b.get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-');
    if first == b' ' || (!dash_word && b"-?:,[]{}#&*!|>'\"%@`.".contains(&first)) {
        return false;
    }
    if b.starts_with(b"---") && matches!(b.get(3), None | Some(b' ' | b'\t')) {
        return false;
    }
    // One pass: no `: `, no ` #`, no control characters; non-ASCII checked below.
    let mut prev = 0u8;
    let mut ascii = true;
    for &c in b {
        if (c == b' ' && prev == b':') || (c == b'#' && prev == b' ') || c < 0x20 || c == 0x7f {
            return false;
        }
        ascii &= c < 0x80;
        prev = c;
    }
    if !ascii && !s.chars().all(printable) {
        return false;
    }
    // Anything a YAML 1.1 or 1.2 reader could resolve to another type stays quoted.
    if keyword(s) {
        return false;
    }
    if first.is_ascii_digit() || first == b'+' {
        let numeric_like = b.iter().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    b'.' | b'_' | b':' | b'+' | b'-' | b'x' | b'X' | b'o' | b'O'
                )
        });
        // Dates and times (YAML 1.1 timestamps).
        let timestamp_like = b.len() >= 8
            && b.get(4) == Some(&b'-')
            && b[..b.len().min(10)]
                .iter()
                .all(|c| c.is_ascii_digit() || *c == b'-');
        if numeric_like || timestamp_like {
            return false;
        }
    }
    true
}

fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if printable(c) => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
}

/// Multi-line text whose lines are all printable (tabs allowed) and whose first line starts
/// with a visible character: a literal block keeps it readable.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && s.chars().any(|c| !c.is_whitespace())
        && s.chars().all(|c| c == '\n' || c == '\t' || printable(c))
        && s.chars()
            .next()
            .is_some_and(|c| c != ' ' && c != '\t' && c != '\n')
}

fn literal(out: &mut String, s: &str, ind: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push('|');
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, ind);
            out.push_str(line);
        }
    }
    // Keep-chomping: the extra trailing newlines are empty lines of the block.
    for _ in 1..trailing {
        out.push('\n');
    }
}

// ---------------------------------------------------------------------------------------------
// Map keys of serializable values as text.

/// Why a map key has no text (see [`map_key_text`]).
#[derive(Debug)]
pub(crate) struct SerError(String);

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl serde::ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

/// The text of a map key as JSON writes it: strings as they are (without a detour through
/// `Value`: all Kubernetes maps), numbers and booleans as their JSON text; anything else is an
/// error naming what it is. Shared by every serializer that writes maps (YAML here, the Python
/// binding's objects).
pub(crate) fn map_key_text<T: serde::Serialize + ?Sized>(k: &T) -> Result<String, String> {
    let mut text = String::new();
    if k.serialize(KeyText(&mut text)).is_ok() {
        return Ok(text);
    }
    match serde_json::to_value(k).map_err(|e| e.to_string())? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err("a map key must be a string, a number or a boolean".to_owned()),
    }
}

/// Captures a string key; anything else is refused (the caller then converts it).
struct KeyText<'t>(&'t mut String);

impl serde::Serializer for KeyText<'_> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = serde::ser::Impossible<(), SerError>;
    type SerializeTuple = serde::ser::Impossible<(), SerError>;
    type SerializeTupleStruct = serde::ser::Impossible<(), SerError>;
    type SerializeTupleVariant = serde::ser::Impossible<(), SerError>;
    type SerializeMap = serde::ser::Impossible<(), SerError>;
    type SerializeStruct = serde::ser::Impossible<(), SerError>;
    type SerializeStructVariant = serde::ser::Impossible<(), SerError>;

    fn serialize_str(self, v: &str) -> Result<(), SerError> {
        self.0.push_str(v);
        Ok(())
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), SerError> {
        v.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_i8(self, _: i8) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_i16(self, _: i16) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_i32(self, _: i32) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_i64(self, _: i64) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_u8(self, _: u8) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_u16(self, _: u16) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_u32(self, _: u32) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_u64(self, _: u64) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_f32(self, _: f32) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_f64(self, _: f64) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_char(self, v: char) -> Result<(), SerError> {
        self.0.push(v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_none(self) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_some<T: serde::Serialize + ?Sized>(self, _: &T) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_unit(self) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), SerError> {
        self.0.push_str(variant);
        Ok(())
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), SerError> {
        Err(not_text())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(not_text())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(not_text())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(not_text())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(not_text())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(not_text())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Err(not_text())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(not_text())
    }
}

fn not_text() -> SerError {
    SerError("not a string key".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Value) {
        let text = to_yaml(v);
        let back: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(&back, v, "\n{text}");
    }

    #[test]
    fn kubernetes_shapes() {
        round_trip(&json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "api", "labels": {"app.kubernetes.io/name": "api"}, "annotations": {}},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "api", "image": "ghcr.io/acme/api:1.4.2", "args": ["--port", "8080"],
                 "env": [{"name": "A", "value": "true"}, {"name": "B", "value": "1.4"}],
                 "resources": {"limits": {"cpu": "1", "memory": "512Mi"}}}]}},
                "schedule": "0 2 * * *", "tolerations": [], "nested": [[1, 2], [], [{"a": null}]]}
        }));
    }

    #[test]
    fn ambiguous_and_hostile_strings() {
        for s in [
            "",
            " ",
            "true",
            "No",
            "ON",
            "~",
            "null",
            "1",
            "1.4.2",
            "0x1F",
            "1e3",
            "010",
            "1_000",
            "12:30",
            "2001-12-14",
            "2001-12-14T21:59:43Z",
            ".inf",
            "-",
            "- a",
            "a: b",
            "a #b",
            "#x",
            "&a",
            "*a",
            "!tag",
            "|",
            ">",
            "'",
            "\"",
            "%x",
            "@x",
            "`x",
            "[a]",
            "{a}",
            "?",
            "a:",
            "<<",
            "=",
            "line\nbreak",
            "two\n\n",
            "\n",
            "  lead\nx",
            "tab\tx",
            "cr\r\nlf",
            "nel\u{85}x",
            "ls\u{2028}x",
            "bom\u{feff}",
            "del\u{7f}",
            "c1\u{80}",
            "bell\u{7}",
            "emoji 😀 日本語",
            "rtl \u{202e} x",
            "{{ .Release.Name }}",
            "${HOME}",
            "---\nkind: x",
            "...",
            "trailing ",
            "a\\b",
            "-c",
            "--port",
            "-1",
            "-.5",
            "--- x",
            "---",
            "-- x",
            "-x: y",
            "-Inf",
        ] {
            round_trip(&json!({ s: s, "list": [s], "k": {"v": s} }));
        }
    }

    #[test]
    fn floats_in_every_reader_s_syntax() {
        let text = to_yaml(&json!({"a": 1e300, "b": 1.5e-7, "c": 0.1}));
        assert!(text.contains("a: 1.0e+300\n"), "{text}");
        assert!(text.contains("b: 1.5e-7\n"), "{text}");
        round_trip(&json!({"a": 1e300, "b": 1.5e-7, "c": 0.1, "d": -2.5}));
    }

    #[test]
    fn readable_plain_values() {
        let text = to_yaml(
            &json!({"image": "nginx:1.27.0", "cpu": "500m", "path": "/healthz",
            "schedule": "*/5 * * * *", "host": "shop.example.com", "size": "10Gi"}),
        );
        assert!(text.contains("image: nginx:1.27.0\n"), "{text}");
        assert!(text.contains("cpu: 500m\n"));
        assert!(text.contains("size: 10Gi\n"));
        assert!(text.contains("host: shop.example.com\n"));
        assert!(text.contains("schedule: \"*/5 * * * *\"\n"), "{text}");
    }

    #[test]
    fn literal_blocks_keep_text_exactly() {
        for s in [
            "a\nb\n",
            "a\nb",
            "a\n\nb\n\n\n",
            "x:\n  - y\n",
            "tab\tin\nlines\n",
        ] {
            round_trip(&json!({"data": {"f": s}, "l": [s]}));
            assert!(to_yaml(&json!({"f": s})).contains('|'));
        }
    }
}
