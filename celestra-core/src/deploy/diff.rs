//! Diffs of Kubernetes objects, pure: what changed between the live object and what a
//! server-side dry run of the apply returns, both normalized (`kube::normalize`), as JSON
//! pointers and as `kubectl diff`-style unified YAML. Secret values never appear: each value of
//! a Secret's `data` is replaced by `<redacted>`, or `<redacted (before)>` and `<redacted (after)>` where it
//! differs.

use serde::Serialize;
use serde_json::Value;

/// What a deploy would do to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DiffOp {
    /// Not on the server.
    Create,
    /// On the server, and the apply would change it.
    Update,
    /// The apply would change nothing.
    Unchanged,
    /// The server refuses the update (an immutable field): delete and create again.
    Replace,
    /// A member whose node left the workflow: pruned.
    Delete,
}

impl DiffOp {
    /// `create`, `update`…
    pub fn as_str(self) -> &'static str {
        match self {
            DiffOp::Create => "create",
            DiffOp::Update => "update",
            DiffOp::Unchanged => "unchanged",
            DiffOp::Replace => "replace",
            DiffOp::Delete => "delete",
        }
    }
}

/// One object's diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDiff {
    /// `Kind/namespace/name` (`Kind/name` when cluster-scoped).
    pub object: String,
    /// The node it belongs to (empty for a member of no known node).
    pub node_id: String,
    /// What a deploy would do.
    pub op: DiffOp,
    /// JSON pointers of the fields that differ (`/spec/replicas`), sorted.
    pub paths: Vec<String>,
    /// Unified diff of the normalized YAML (`--- live`, `+++ desired`), empty when unchanged.
    pub diff: String,
    /// Why the server was not asked (a namespace or CRD the deploy creates first), or why a
    /// replace is needed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A whole project's diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeDiff {
    /// The project.
    pub project: String,
    /// Its namespace.
    pub namespace: String,
    /// Objects in apply order, then deletions.
    pub objects: Vec<ObjectDiff>,
}

impl KubeDiff {
    /// True when a deploy would change something.
    pub fn changed(&self) -> bool {
        self.objects.iter().any(|o| o.op != DiffOp::Unchanged)
    }
    /// `kubectl diff`-style text: every changed object's unified diff.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for o in self.objects.iter().filter(|o| o.op != DiffOp::Unchanged) {
            if o.diff.is_empty() {
                out.push_str(&format!("{} {}", o.op.as_str(), o.object));
                if !o.note.is_empty() {
                    out.push_str(&format!(" ({})", o.note));
                }
                out.push('\n');
            } else {
                if !o.note.is_empty() {
                    out.push_str(&format!("# {} {}: {}\n", o.op.as_str(), o.object, o.note));
                }
                out.push_str(&o.diff);
            }
        }
        out
    }
    /// One line per object: op and object.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for o in &self.objects {
            out.push_str(&format!("{:<10} {}", o.op.as_str(), o.object));
            if !o.note.is_empty() {
                out.push_str(&format!("  ({})", o.note));
            }
            out.push('\n');
        }
        out
    }
}

/// JSON pointers where `a` and `b` differ (a key on one side only counts), sorted.
pub fn changed_paths(a: &Value, b: &Value) -> Vec<String> {
    fn walk(a: Option<&Value>, b: Option<&Value>, at: &mut String, out: &mut Vec<String>) {
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                crate::sort::sort(&mut keys);
                keys.dedup();
                for k in keys {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    walk(x.get(k), y.get(k), at, out);
                    at.truncate(len);
                }
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    walk(Some(p), Some(q), at, out);
                    at.truncate(len);
                }
            }
            (x, y) if x == y => {}
            _ => out.push(if at.is_empty() {
                "/".into()
            } else {
                at.clone()
            }),
        }
    }
    let mut out = Vec::new();
    walk(Some(a), Some(b), &mut String::new(), &mut out);
    out
}

/// Masks the values of a Secret pair: equal values become `<redacted>`, differing ones
/// `<redacted (before)>` and `<redacted (after)>`, keys are kept; the `celestra.io/hash`
/// annotation (which follows every change) is left out of both. Other kinds keep their data.
pub fn mask_secrets(live: &mut Value, desired: &mut Value) {
    for v in [&mut *live, &mut *desired] {
        if let Some(Value::Object(a)) = v.pointer_mut("/metadata/annotations") {
            a.remove(super::kube::HASH);
        }
    }
    let is_secret = |v: &Value| v.get("kind").and_then(Value::as_str) == Some("Secret");
    if !is_secret(live) && !is_secret(desired) {
        return;
    }
    let before = live.get("data").cloned();
    let after = desired.get("data").cloned();
    let mask = |v: &mut Value, other: &Option<Value>, side: &str| {
        if let Some(Value::Object(m)) = v.get_mut("data") {
            for (k, val) in m.iter_mut() {
                let same = other.as_ref().and_then(|o| o.get(k)) == Some(val);
                *val = Value::String(if same {
                    "<redacted>".into()
                } else {
                    format!("<redacted ({side})>")
                });
            }
        }
        if let Some(Value::Object(m)) = v.get_mut("stringData") {
            for val in m.values_mut() {
                *val = Value::String("<redacted>".into());
            }
        }
    };
    mask(live, &after, "before");
    mask(desired, &before, "after");
}

/// A unified diff of two texts by lines, with 3 lines of context (`--- a_name`, `+++ b_name`,
/// `@@ -l,n +l,n @@` hunks); empty when they are equal.
pub fn unified(a: &str, b: &str, a_name: &str, b_name: &str) -> String {
    let x: Vec<&str> = a.lines().collect();
    let y: Vec<&str> = b.lines().collect();
    if x == y {
        return String::new();
    }
    // longest common subsequence table, from the end
    let (n, m) = (x.len(), y.len());
    let mut t = vec![0u32; (n + 1) * (m + 1)];
    let idx = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[idx(i, j)] = if x[i] == y[j] {
                t[idx(i + 1, j + 1)] + 1
            } else {
                t[idx(i + 1, j)].max(t[idx(i, j + 1)])
            };
        }
    }
    // the edit script: (tag, a line, b line)
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] {
            ops.push((' ', i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || t[idx(i + 1, j)] >= t[idx(i, j + 1)]) {
            ops.push(('-', i, j));
            i += 1;
        } else {
            ops.push(('+', i, j));
            j += 1;
        }
    }
    const CTX: usize = 3;
    let mut out = format!("--- {a_name}\n+++ {b_name}\n");
    let mut k = 0;
    while k < ops.len() {
        if ops[k].0 == ' ' {
            k += 1;
            continue;
        }
        // a hunk: from CTX lines before this change to CTX lines after the last change that is
        // at most 2*CTX lines away from the next
        let start = k.saturating_sub(CTX);
        let mut end = k;
        let mut last_change = k;
        while end < ops.len() {
            if ops[end].0 != ' ' {
                last_change = end;
            } else if end - last_change > 2 * CTX {
                break;
            }
            end += 1;
        }
        let end = (last_change + CTX + 1).min(ops.len());
        let a_start = ops[start].1;
        let b_start = ops[start].2;
        let a_len = ops[start..end].iter().filter(|o| o.0 != '+').count();
        let b_len = ops[start..end].iter().filter(|o| o.0 != '-').count();
        let line = |s: usize, l: usize| {
            if l == 0 {
                format!("{s},0")
            } else {
                format!("{},{l}", s + 1)
            }
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            line(a_start, a_len),
            line(b_start, b_len)
        ));
        for &(tag, ai, bj) in &ops[start..end] {
            let text = if tag == '+' { y[bj] } else { x[ai] };
            out.push(tag);
            out.push_str(text);
            out.push('\n');
        }
        k = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_every_difference() {
        let a = json!({"spec": {"replicas": 1, "template": {"containers": [{"image": "a"}, {"image": "b"}]}}, "x": 1});
        let b = json!({"spec": {"replicas": 2, "template": {"containers": [{"image": "a"}, {"image": "c"}]}}, "y": 1});
        assert_eq!(
            changed_paths(&a, &b),
            [
                "/spec/replicas",
                "/spec/template/containers/1/image",
                "/x",
                "/y"
            ]
        );
        assert!(changed_paths(&a, &a).is_empty());
        assert_eq!(
            changed_paths(&json!({"a/b": 1}), &json!({"a/b": 2})),
            ["/a~1b"]
        );
        assert_eq!(changed_paths(&json!([1]), &json!([1, 2])), ["/"]);
    }

    #[test]
    fn unified_is_like_diff_u() {
        let a = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let b = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n";
        let d = unified(a, b, "live", "desired");
        assert_eq!(
            d,
            "--- live\n+++ desired\n@@ -2,9 +2,10 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n j\n+k\n"
        );
        assert_eq!(unified(a, a, "x", "y"), "");
        let far = unified(
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
            "0\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n13\n",
            "a",
            "b",
        );
        assert_eq!(far.matches("@@ ").count(), 2, "{far}");
        assert_eq!(
            unified("", "x\n", "a", "b"),
            "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n"
        );
    }

    #[test]
    fn secrets_are_masked() {
        let mut live = json!({"kind": "Secret", "data": {"a": "c2VjcmV0", "b": "eA=="}});
        let mut want =
            json!({"kind": "Secret", "data": {"a": "c2VjcmV0", "b": "eQ==", "c": "eg=="}});
        mask_secrets(&mut live, &mut want);
        assert_eq!(
            live["data"],
            json!({"a": "<redacted>", "b": "<redacted (before)>"})
        );
        assert_eq!(
            want["data"],
            json!({"a": "<redacted>", "b": "<redacted (after)>", "c": "<redacted (after)>"})
        );
        let text = serde_json::to_string(&(live, want)).unwrap();
        assert!(!text.contains("c2VjcmV0"));
        let mut cm = json!({"kind": "ConfigMap", "data": {"a": "1"}});
        let mut cm2 = cm.clone();
        mask_secrets(&mut cm, &mut cm2);
        assert_eq!(cm["data"]["a"], "1");
    }
}
