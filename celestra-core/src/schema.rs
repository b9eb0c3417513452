//! Generated artefacts: the JSON Schema of the workflow document (from the Rust types) and the
//! diagnostics reference page (from the code registry). Both are committed and checked for
//! freshness in CI.

use crate::diag::Code;
use crate::model::*;
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Value, json};

fn reference<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

fn node_variant(t: NodeType, g: &mut SchemaGenerator) -> Value {
    let props = match t {
        NodeType::App => reference::<AppProps>(g),
        NodeType::StatefulApp => reference::<StatefulAppProps>(g),
        NodeType::Job => reference::<JobProps>(g),
        NodeType::CronJob => reference::<CronJobProps>(g),
        NodeType::Service => reference::<ServiceProps>(g),
        NodeType::Ingress => reference::<IngressProps>(g),
        NodeType::NetworkPolicy => reference::<NetworkPolicyProps>(g),
        NodeType::Secret => reference::<SecretProps>(g),
        NodeType::ConfigMap => reference::<ConfigMapProps>(g),
        NodeType::ServiceAccount => reference::<ServiceAccountProps>(g),
        NodeType::Role => reference::<RoleProps>(g),
        NodeType::DeploymentStrategy => reference::<DeploymentStrategyProps>(g),
        NodeType::Observability => reference::<ObservabilityProps>(g),
        NodeType::AppGroup => reference::<AppGroupProps>(g),
        NodeType::CustomResource => reference::<CustomResourceProps>(g),
    };
    let mut ids = vec![t.id().to_owned()];
    for alias in [
        "celestra-rbac",
        "celestra-clusterrole",
        "celestra-deploymentstrategy",
    ] {
        if NodeType::parse(alias).is_some_and(|(x, _)| x == t) {
            ids.push(alias.to_owned());
        }
    }
    let position = reference::<Position>(g);
    json!({
        "title": t.id(),
        "type": "object",
        "required": ["id", "type", "position", "data"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Unique node id; never used to derive Kubernetes names."},
            "type": {"enum": ids, "description": "Node type (legacy aliases are accepted with a TYPE_ALIAS warning)."},
            "position": position,
            "parent": {"type": "string", "description": "Id of the AppGroup this node belongs to."},
            "label": {"type": "string", "description": "Display label (ignored)."},
            "data": {
                "type": "object",
                "required": ["name", "properties"],
                "properties": {
                    "name": {"type": "string", "description": "Kubernetes object name."},
                    "properties": props,
                    "connections": {"description": "Accepted from older clients and ignored."},
                    "validation": {"description": "Accepted from older clients and ignored."}
                }
            }
        }
    })
}

/// The JSON Schema of the workflow document.
pub(crate) fn workflow_schema() -> Value {
    let mut g = SchemaSettings::draft2020_12().into_generator();
    let variants: Vec<Value> = NodeType::ALL
        .iter()
        .map(|t| node_variant(*t, &mut g))
        .collect();
    let settings = reference::<Settings>(&mut g);
    let connection = reference::<Connection>(&mut g);
    let mut defs = g.take_definitions(true);
    for v in defs.values_mut() {
        loosen_string_maps(v);
    }
    defs.insert(
        "Node".into(),
        json!({
            "description": "A node of the graph; `data.properties` depends on `type`.",
            "oneOf": variants
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://celestra.dev/schema/workflow-1.0.json",
        "title": "Celestra workflow document",
        "description": "A deployment drawn as a graph of nodes and connections (workflow-format.md §1–2). Generated from the Rust types of celestra-core; do not edit.",
        "type": "object",
        "required": ["schemaVersion", "id", "name", "nodes", "connections"],
        "properties": {
            "schemaVersion": {"type": "string", "pattern": "^1\\.[0-9]+$", "description": "Document version; this engine writes \"1.0\"."},
            "id": {"type": "string", "minLength": 1, "maxLength": 128},
            "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63, "description": "DNS-1123 label: chart name, Compose project, root group name."},
            "description": {"type": "string"},
            "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63, "default": "default"},
            "settings": settings,
            "nodes": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
            "connections": {"type": "array", "items": connection},
            "metadata": {"type": "object", "description": "Client metadata; round-tripped, ignored by the engine."}
        },
        "$defs": Value::Object(defs)
    })
}

/// Key/value maps (labels, env, data…) accept numbers and booleans, which are stringified
/// (workflow-format.md §1.3); the schema says so.
fn loosen_string_maps(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let is_object = match m.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.contains(&json!("object")),
                _ => false,
            };
            let string_map =
                is_object && m.get("additionalProperties") == Some(&json!({"type": "string"}));
            if string_map {
                m.insert(
                    "additionalProperties".into(),
                    json!({"type": ["string", "number", "boolean"]}),
                );
            }
            for child in m.values_mut() {
                loosen_string_maps(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(loosen_string_maps),
        _ => {}
    }
}

/// The diagnostics reference page.
pub(crate) fn diagnostics_markdown() -> String {
    let mut s = String::new();
    s.push_str("# Diagnostic codes\n\n");
    s.push_str(
        "Generated by `celestra codes --format markdown` from the registry in \
         `celestra-core/src/diag/codes.rs`; do not edit by hand (CI checks it is fresh).\n\n\
         Every finding of `validate()` carries one of these codes, a severity, a one-line \
         message, the node / connection / property it is about, and a hint. Codes are stable: \
         never renumbered, renamed or reused. `origin` names the section of \
         `workflow-format.md` the rule comes from, or `engine` for rules the engine adds.\n\n\
         Every code has at least one example workflow under `tests/fixtures/invalid/<CODE>/`.\n\n",
    );
    s.push_str("| Code | Severity | Level | Summary |\n|---|---|---|---|\n");
    for c in Code::ALL {
        let i = c.info();
        s.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            i.code,
            i.code.to_ascii_lowercase(),
            i.severity.as_str(),
            serde_json::to_value(i.level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            i.title
        ));
    }
    for c in Code::ALL {
        let i = c.info();
        s.push_str(&format!(
            "\n## {}\n\n{} · {} · origin: {}\n\n**{}.** {}\n\n**Fix:** {}\n\n**Example:** `{}`\n",
            i.code,
            i.severity.as_str(),
            serde_json::to_value(i.level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            i.origin,
            crate::objects::capitalize(i.title),
            i.why,
            i.fix,
            i.example.replace('`', "'")
        ));
    }
    s
}
