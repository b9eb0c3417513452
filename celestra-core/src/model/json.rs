//! The model as JSON values, for the session's content hashes and the graph's look-alike
//! tie-breaks: the same value `serde_json::to_value` gives (a test checks every fixture), built
//! through [`ToJson`](crate::json::ToJson). serde's derived serializers, with `flatten` and
//! `untagged`, cost the browser engine about 50 KB for the same result; the bindings that print
//! a workflow still use them.

use super::load::NumOrStr;
use super::props::{ConfigValue, EnvVars, HotReload, IntOrString};
use super::{Connection, Node, NodeData, NodeKind, Position, Properties};
use crate::json::ToJson;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Inserts `key: value` (one body for every field of every object).
pub(crate) fn put(m: &mut Map<String, Value>, key: &str, value: Value) {
    m.insert(key.to_owned(), value);
}

/// Inserts `key: value` when the field is set. Out of line, one body per field type. The model's
/// fields are all options; `crate::json::field` (for any `Omit` type) written for them makes the
/// browser engine 15 KB larger, so they keep this writer.
#[inline(never)]
pub(crate) fn field<T: ToJson>(m: &mut Map<String, Value>, key: &str, v: &Option<T>) {
    if let Some(v) = v {
        put(m, key, v.to_json());
    }
}

/// Appends an object's kept unknown entries (after its fields: they win, as with serde's
/// `flatten`).
pub(crate) fn put_other(m: &mut Map<String, Value>, other: &BTreeMap<String, Value>) {
    for (k, v) in other {
        m.insert(k.clone(), v.clone());
    }
}

impl ToJson for IntOrString {
    fn to_json(&self) -> Value {
        match self {
            IntOrString::Int(i) => Value::from(*i),
            IntOrString::Name(s) => Value::from(s.clone()),
        }
    }
}

impl ToJson for NumOrStr {
    fn to_json(&self) -> Value {
        match self {
            NumOrStr::Number(n) => Value::Number(n.clone()),
            NumOrStr::Text(s) => Value::from(s.clone()),
        }
    }
}

impl ToJson for EnvVars {
    fn to_json(&self) -> Value {
        match self {
            EnvVars::Map(m) => m.to_json(),
            EnvVars::Text(s) => Value::from(s.clone()),
        }
    }
}

impl ToJson for ConfigValue {
    fn to_json(&self) -> Value {
        match self {
            ConfigValue::Text(s) => Value::from(s.clone()),
            ConfigValue::Json(v) => v.clone(),
        }
    }
}

impl ToJson for HotReload {
    fn to_json(&self) -> Value {
        match self {
            HotReload::Toggle(b) => Value::from(*b),
            HotReload::Mode(m) => m.to_json(),
        }
    }
}

impl ToJson for NodeKind {
    fn to_json(&self) -> Value {
        Value::from(self.id())
    }
}

impl ToJson for Position {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        put(&mut m, "x", Value::Number(self.x.clone()));
        put(&mut m, "y", Value::Number(self.y.clone()));
        Value::Object(m)
    }
}

impl ToJson for Properties {
    fn to_json(&self) -> Value {
        match self {
            Properties::App(p) => p.to_json(),
            Properties::StatefulApp(p) => p.to_json(),
            Properties::Job(p) => p.to_json(),
            Properties::CronJob(p) => p.to_json(),
            Properties::Service(p) => p.to_json(),
            Properties::Ingress(p) => p.to_json(),
            Properties::NetworkPolicy(p) => p.to_json(),
            Properties::Secret(p) => p.to_json(),
            Properties::ConfigMap(p) => p.to_json(),
            Properties::ServiceAccount(p) => p.to_json(),
            Properties::Role(p) => p.to_json(),
            Properties::DeploymentStrategy(p) => p.to_json(),
            Properties::Observability(p) => p.to_json(),
            Properties::AppGroup(p) => p.to_json(),
            Properties::CustomResource(p) => p.to_json(),
            Properties::Unknown(m) => m.to_json(),
        }
    }
}

impl ToJson for NodeData {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.other.contains_key("name") {
            put(&mut m, "name", self.name.to_json());
        }
        if !self.other.contains_key("properties") {
            put(&mut m, "properties", self.properties.to_json());
        }
        put_other(&mut m, &self.other);
        Value::Object(m)
    }
}

impl ToJson for Node {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        put(&mut m, "id", self.id.to_json());
        put(&mut m, "type", self.kind.to_json());
        if !self.other.contains_key("position") {
            put(&mut m, "position", self.position.to_json());
        }
        field(&mut m, "parent", &self.parent);
        field(&mut m, "label", &self.label);
        if !self.other.contains_key("data") {
            put(&mut m, "data", self.data.to_json());
        }
        put_other(&mut m, &self.other);
        Value::Object(m)
    }
}

impl ToJson for Connection {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        put(&mut m, "id", self.id.to_json());
        put(&mut m, "source", self.source.to_json());
        field(&mut m, "sourceOutput", &self.source_output);
        put(&mut m, "target", self.target.to_json());
        field(&mut m, "targetInput", &self.target_input);
        field(&mut m, "type", &self.conn_type);
        field(&mut m, "style", &self.style);
        field(&mut m, "data", &self.data);
        put_other(&mut m, &self.other);
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use crate::json::ToJson;

    /// Every node of every fixture (with its unknown keys, rejected values, sentinels...) gives
    /// the value serde gives.
    #[test]
    fn nodes_give_the_values_serde_gives() {
        let mut nodes = 0;
        for text in crate::test_fixtures::WORKFLOWS {
            let wf = crate::api::parse_str(text).expect("fixture parses");
            for n in &wf.nodes {
                assert_eq!(
                    n.to_json(),
                    serde_json::to_value(n).unwrap(),
                    "node {}",
                    n.id
                );
                nodes += 1;
            }
        }
        assert!(nodes > 100, "only {nodes} nodes checked");
    }

    /// The invalid and hostile fixtures: wrong types, sentinels, unknown keys and rejected
    /// values all end up in `other` maps.
    #[test]
    #[allow(clippy::disallowed_methods)] // a test reading the repository's fixtures
    fn nodes_of_bad_documents_give_the_values_serde_gives() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).expect("fixture directory") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "json") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut files = Vec::new();
        walk(&root.join("invalid"), &mut files);
        walk(&root.join("hostile"), &mut files);
        let (mut nodes, mut conns) = (0, 0);
        for f in &files {
            let Ok(wf) = crate::api::parse_str(&std::fs::read_to_string(f).expect("read")) else {
                continue;
            };
            for n in &wf.nodes {
                assert_eq!(
                    n.to_json(),
                    serde_json::to_value(n).unwrap(),
                    "{f:?} node {}",
                    n.id
                );
                nodes += 1;
            }
            for c in &wf.connections {
                assert_eq!(
                    c.to_json(),
                    serde_json::to_value(c).unwrap(),
                    "{f:?} connection {}",
                    c.id
                );
                conns += 1;
            }
        }
        assert!(
            files.len() > 90 && nodes > 200 && conns > 50,
            "{} files, {nodes} nodes, {conns} connections",
            files.len()
        );
    }

    /// Every optional top-level part of a node and a connection, and the ones kept in `other`.
    #[test]
    fn rare_parts_give_the_values_serde_gives() {
        let doc = serde_json::json!({
            "name": "rare", "nodes": [
                {"id": "g", "type": "celestra-app-group", "label": "Group", "position": {"x": 1.5, "y": -2},
                 "data": {"name": "grp", "properties": {"namespace": "team"}, "validation": {"x": 1}}},
                {"id": "a", "type": "celestra-app", "parent": "g", "label": "The app", "extra": [1, {"b": null}],
                 "position": "not a position",
                 "data": {"name": "web", "properties": {"image": "nginx:1", "replicas": "3", "ports": [{"port": "80", "name": 7}],
                          "hotReload": true, "envVars": "A=1", "unknownProp": {"deep": [true]}, "cpuRequest": 0.5}}},
                {"id": "b", "type": "celestra-job", "data": "not data"},
                {"id": "c", "type": "some-future-node", "data": {"name": "x", "properties": {"anything": [1, 2]}}}
            ],
            "connections": [
                {"id": "e1", "source": "a", "target": "g", "sourceOutput": "out", "targetInput": "in",
                 "type": "dependency", "style": "dashed", "data": {"port": 8080, "bogus": 1}, "meta": {"k": "v"}},
                {"id": "e2", "source": "a", "target": "b", "style": 5}
            ]
        });
        let wf = crate::api::parse_value(&doc).expect("reads");
        assert_eq!(wf.nodes.len(), 4);
        for n in &wf.nodes {
            assert_eq!(
                n.to_json(),
                serde_json::to_value(n).unwrap(),
                "node {}",
                n.id
            );
        }
        for c in &wf.connections {
            assert_eq!(
                c.to_json(),
                serde_json::to_value(c).unwrap(),
                "connection {}",
                c.id
            );
        }
    }

    #[test]
    fn connections_give_the_values_serde_gives() {
        let mut conns = 0;
        for text in crate::test_fixtures::WORKFLOWS {
            let wf = crate::api::parse_str(text).expect("fixture parses");
            for c in &wf.connections {
                assert_eq!(
                    c.to_json(),
                    serde_json::to_value(c).unwrap(),
                    "connection {}",
                    c.id
                );
                conns += 1;
            }
        }
        assert!(conns > 50, "only {conns} connections checked");
    }
}
