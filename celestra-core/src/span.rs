//! Source positions: where in the JSON text a finding points (for compiler-style output).
//!
//! A finding addresses a node or connection by id and a property path; [`locate`] finds the
//! deepest part of that path present in the text and returns its 1-based line and column.

use crate::diag::Diagnostic;

/// A 1-based position in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

enum Tree<'t> {
    Object(Vec<(String, usize, Spanned<'t>)>),
    Array(Vec<Spanned<'t>>),
    Scalar(&'t str),
}

struct Spanned<'t> {
    start: usize,
    tree: Tree<'t>,
}

struct Scanner<'t> {
    s: &'t str,
    b: &'t [u8],
    i: usize,
}

const MAX_DEPTH: usize = 256;

impl<'t> Scanner<'t> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn string_end(&mut self) -> Option<()> {
        // at opening quote
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                _ => self.i += 1,
            }
        }
        None
    }

    fn value(&mut self, depth: usize) -> Option<Spanned<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let start = self.i;
        match *self.b.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                loop {
                    self.ws();
                    match *self.b.get(self.i)? {
                        b'}' => {
                            self.i += 1;
                            break;
                        }
                        b',' => {
                            self.i += 1;
                            continue;
                        }
                        b'"' => {
                            let kstart = self.i;
                            self.string_end()?;
                            let key: String =
                                serde_json::from_slice(&self.s.as_bytes()[kstart..self.i]).ok()?;
                            self.ws();
                            if *self.b.get(self.i)? != b':' {
                                return None;
                            }
                            self.i += 1;
                            let v = self.value(depth + 1)?;
                            members.push((key, kstart, v));
                        }
                        _ => return None,
                    }
                }
                Some(Spanned {
                    start,
                    tree: Tree::Object(members),
                })
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    match *self.b.get(self.i)? {
                        b']' => {
                            self.i += 1;
                            break;
                        }
                        b',' => {
                            self.i += 1;
                            continue;
                        }
                        _ => items.push(self.value(depth + 1)?),
                    }
                }
                Some(Spanned {
                    start,
                    tree: Tree::Array(items),
                })
            }
            b'"' => {
                self.string_end()?;
                Some(Spanned {
                    start,
                    tree: Tree::Scalar(&self.s[start..self.i]),
                })
            }
            _ => {
                while self.i < self.b.len()
                    && !matches!(self.b[self.i], b',' | b'}' | b']')
                    && !self.b[self.i].is_ascii_whitespace()
                {
                    self.i += 1;
                }
                Some(Spanned {
                    start,
                    tree: Tree::Scalar(&self.s[start..self.i]),
                })
            }
        }
    }
}

enum Seg {
    Key(String),
    Index(usize),
}

fn parse_path(p: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut rest = p;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if rest.starts_with("[\"") {
            // A quoted key: read one JSON string, then the closing bracket.
            let quoted = &rest[1..];
            let mut it =
                serde_json::Deserializer::from_slice(quoted.as_bytes()).into_iter::<String>();
            match it.next() {
                Some(Ok(key)) => {
                    let used = it.byte_offset();
                    out.push(Seg::Key(key));
                    rest = quoted[used..].strip_prefix(']').unwrap_or("");
                }
                _ => break,
            }
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { break };
            match r[..end].parse() {
                Ok(n) => out.push(Seg::Index(n)),
                Err(_) => break,
            }
            rest = &r[end + 1..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Seg::Key(rest[..end].to_owned()));
            rest = &rest[end..];
        }
    }
    out
}

fn get<'a, 't>(v: &'a Spanned<'t>, key: &str) -> Option<(usize, &'a Spanned<'t>)> {
    match &v.tree {
        Tree::Object(m) => m
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, ks, v)| (*ks, v)),
        _ => None,
    }
}

fn find_by_id<'a, 't>(root: &'a Spanned<'t>, list: &str, id: &str) -> Option<&'a Spanned<'t>> {
    let (_, arr) = get(root, list)?;
    let Tree::Array(items) = &arr.tree else {
        return None;
    };
    items.iter().find(|item| {
        get(item, "id").is_some_and(|(_, v)| match v.tree {
            Tree::Scalar(raw) => {
                serde_json::from_slice::<String>(raw.as_bytes())
                    .ok()
                    .as_deref()
                    == Some(id)
            }
            _ => false,
        })
    })
}

/// Finds where a finding points in `text`: the deepest existing part of its node / connection
/// and property path. `None` when the text is not parseable or the element is absent.
pub fn locate(text: &str, d: &Diagnostic) -> Option<Position> {
    let mut sc = Scanner {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let root = sc.value(0)?;
    let mut cur = &root;
    let mut offset = root.start;
    if let Some(id) = &d.node_id {
        cur = find_by_id(&root, "nodes", id)?;
        offset = cur.start;
    } else if let Some(id) = &d.connection_id {
        cur = find_by_id(&root, "connections", id)?;
        offset = cur.start;
    }
    if let Some(p) = &d.property {
        for seg in parse_path(p) {
            let next = match (&seg, &cur.tree) {
                (Seg::Key(k), _) => get(cur, k),
                (Seg::Index(n), Tree::Array(items)) => items.get(*n).map(|v| (v.start, v)),
                _ => None,
            };
            match next {
                Some((at, v)) => {
                    offset = at;
                    cur = v;
                }
                None => break,
            }
        }
    }
    Some(position_of(text, offset))
}

/// Converts a byte offset into a 1-based line and column.
pub fn position_of(text: &str, offset: usize) -> Position {
    let upto = &text[..offset.min(text.len())];
    let line = upto.bytes().filter(|b| *b == b'\n').count() + 1;
    let col_start = upto.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line,
        column: upto[col_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic};

    #[test]
    fn finds_nested_property() {
        let text = "{\n  \"nodes\": [\n    {\"id\": \"a\", \"data\": {\"properties\": {\"ports\": [{\"port\": 1}, {\"port\": 99999}]}}}\n  ]\n}";
        let d = Diagnostic::new(Code::PortRange, "x")
            .node("a")
            .at("data.properties.ports[1].port");
        let p = locate(text, &d).unwrap();
        assert_eq!(p.line, 3);
        assert_eq!(
            &text.lines().nth(2).unwrap()[p.column - 1..p.column + 5],
            "\"port\""
        );
        let d = Diagnostic::new(Code::PortRange, "x")
            .node("a")
            .at("data.properties.missing");
        assert_eq!(locate(text, &d).unwrap().line, 3);
    }

    #[test]
    fn awkward_keys_never_panic() {
        let text =
            r#"{"nodes": [{"id": "s", "data": {"properties": {"files": {"a\\": {"éx": 1}}}}}]}"#;
        let d = Diagnostic::new(Code::ValueType, "x")
            .node("s")
            .at(r#"data.properties.files["a\\"]["éx"]"#);
        let p = locate(text, &d).expect("found");
        assert_eq!(&text[p.column - 1..p.column + 4], "\"éx\"");
        for path in [r#"a["b"#, r#"a["\"]"#, "a[", "a[x]", "[\"é", "é.é[\"é\"]"] {
            let d = Diagnostic::new(Code::ValueType, "x").node("s").at(path);
            let _ = locate(text, &d);
        }
    }

    #[test]
    fn quoted_keys() {
        let text =
            r#"{"nodes": [{"id": "a", "data": {"properties": {"labels": {"a.b/c": "x"}}}}]}"#;
        let d = Diagnostic::new(Code::LabelFormat, "x")
            .node("a")
            .at("data.properties.labels[\"a.b/c\"]");
        let p = locate(text, &d).unwrap();
        assert_eq!(&text[p.column - 1..p.column + 6], "\"a.b/c\"");
    }
}
