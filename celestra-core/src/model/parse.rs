//! Reading a whole workflow document from a JSON value.

use super::lite::Lite;
use super::load::{Cx, FromJson, describe, quote};
use super::*;
use crate::api::Limits;
use crate::diag::Code;
use crate::error::Error;
use serde_json::Value;

const WORKFLOW_KEYS: &[&str] = &[
    "schemaVersion",
    "id",
    "name",
    "description",
    "namespace",
    "settings",
    "nodes",
    "connections",
    "metadata",
];
const NODE_KEYS: &[&str] = &["id", "type", "position", "parent", "label", "data"];
const DATA_KEYS: &[&str] = &["name", "properties", "connections", "validation"];
const CONNECTION_KEYS: &[&str] = &[
    "id",
    "source",
    "sourceOutput",
    "target",
    "targetInput",
    "type",
    "style",
    "data",
];

/// Nodes or connections already read, with the findings made while reading them.
pub(crate) struct Loaded<T> {
    pub(crate) items: Vec<T>,
    pub(crate) rejected: Vec<Value>,
    pub(crate) diags: Vec<crate::diag::Diagnostic>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            items: Vec::new(),
            rejected: Vec::new(),
            diags: Vec::new(),
        }
    }
}

/// Reads one `nodes` entry into `out`.
pub(crate) fn push_node(out: &mut Loaded<Node>, index: usize, item: &Lite<'_>, cx: &mut Cx) {
    match load_node(item, index, cx) {
        Some(n) => out.items.push(n),
        None => out.rejected.push(item.to_value()),
    }
}

/// Reads one `connections` entry into `out`.
pub(crate) fn push_connection(
    out: &mut Loaded<Connection>,
    index: usize,
    item: &Lite<'_>,
    cx: &mut Cx,
) {
    match load_connection(item, index, cx) {
        Some(c) => out.items.push(c),
        None => out.rejected.push(item.to_value()),
    }
}

fn shape_error(v: &Lite<'_>) -> Error {
    Error::Shape {
        message: format!(
            "a workflow document must be a JSON object, got {}",
            describe(v)
        ),
    }
}

/// Reads a workflow from an already-parsed value. Fails only when the value is not an object
/// or exceeds `limits`.
pub(crate) fn load_workflow(v: &Lite<'_>, limits: &Limits) -> Result<Workflow, Error> {
    let Lite::Object(_) = v else {
        return Err(shape_error(v));
    };
    let count = |k: &str| {
        v.get(k)
            .and_then(Lite::as_array)
            .map_or(0, <[Lite<'_>]>::len)
    };
    if count("nodes") > limits.max_nodes {
        return Err(Error::TooLarge {
            what: "nodes",
            actual: count("nodes"),
            limit: limits.max_nodes,
        });
    }
    if count("connections") > limits.max_connections {
        return Err(Error::TooLarge {
            what: "connections",
            actual: count("connections"),
            limit: limits.max_connections,
        });
    }
    let nodes = v.get("nodes").and_then(Lite::as_array).map(|items| {
        let mut cx = Cx::default();
        let mut out = Loaded {
            items: Vec::with_capacity(items.len()),
            ..Loaded::default()
        };
        for (i, item) in items.iter().enumerate() {
            push_node(&mut out, i, item, &mut cx);
        }
        out.diags = cx.diags;
        out
    });
    let connections = v.get("connections").and_then(Lite::as_array).map(|items| {
        let mut cx = Cx::default();
        let mut out = Loaded {
            items: Vec::with_capacity(items.len()),
            ..Loaded::default()
        };
        for (i, item) in items.iter().enumerate() {
            push_connection(&mut out, i, item, &mut cx);
        }
        out.diags = cx.diags;
        out
    });
    Ok(assemble(v, nodes, connections))
}

/// Builds the workflow from its top-level object and the nodes / connections already read (when
/// they were arrays; otherwise `map` holds whatever was sent and it is reported).
pub(crate) fn assemble(
    map: &Lite<'_>,
    nodes: Option<Loaded<Node>>,
    connections: Option<Loaded<Connection>>,
) -> Workflow {
    let mut cx = Cx::default();
    let mut wf = Workflow::default();

    // schemaVersion
    match map.get("schemaVersion") {
        None | Some(Lite::Null) => {
            cx.in_key("schemaVersion", |cx| {
                cx.report(Code::SchemaVersion, "`schemaVersion` is missing")
                    .hint = Some(format!("add \"schemaVersion\": \"{SCHEMA_VERSION}\""));
            });
        }
        Some(Lite::Str(s)) => {
            check_version(s, &mut cx);
            wf.schema_version = s.to_string();
        }
        Some(other) => {
            cx.in_key("schemaVersion", |cx| {
                cx.report(
                    Code::SchemaVersion,
                    format!(
                        "`schemaVersion` must be a string like \"1.0\", got {}",
                        describe(other)
                    ),
                );
            });
            wf.other.insert("schemaVersion".into(), other.to_value());
        }
    }

    // id and name
    for key in ["id", "name"] {
        let target = if key == "id" {
            &mut wf.id
        } else {
            &mut wf.name
        };
        match map.get(key) {
            Some(Lite::Str(s)) => *target = s.to_string(),
            None | Some(Lite::Null) => {
                if key == "id" {
                    cx.in_key("id", |cx| {
                        cx.report(Code::FieldRequired, "the workflow `id` is missing");
                    });
                }
                // a missing name is NAME_REQUIRED, reported by validate()
            }
            Some(other) => {
                cx.in_key(key, |cx| cx.type_error("a string", other));
                wf.other.insert(key.into(), other.to_value());
            }
        }
    }

    wf.description = cx.field(map, "description", &mut wf.other);
    wf.namespace = cx.field(map, "namespace", &mut wf.other);
    wf.settings = cx.field(map, "settings", &mut wf.other);
    wf.metadata = map
        .get("metadata")
        .filter(|m| !m.is_null())
        .map(Lite::to_value);

    // nodes
    match nodes {
        Some(loaded) => {
            wf.nodes = loaded.items;
            wf.rejected_nodes = loaded.rejected;
            cx.diags.extend(loaded.diags);
        }
        None => match map.get("nodes") {
            None | Some(Lite::Null) => {
                cx.set_node(None);
                cx.in_key("nodes", |cx| {
                    cx.report(Code::FieldRequired, "the workflow has no `nodes` list")
                        .hint = Some("add \"nodes\": []".into());
                });
            }
            Some(other) => {
                cx.set_node(None);
                cx.in_key("nodes", |cx| cx.type_error("a list of nodes", other));
                wf.other.insert("nodes".into(), other.to_value());
            }
        },
    }

    // connections
    match connections {
        Some(loaded) => {
            wf.connections = loaded.items;
            wf.rejected_connections = loaded.rejected;
            cx.diags.extend(loaded.diags);
        }
        None => match map.get("connections") {
            None | Some(Lite::Null) => {
                cx.set_connection(None);
                cx.in_key("connections", |cx| {
                    cx.report(
                        Code::FieldRequired,
                        "the workflow has no `connections` list",
                    )
                    .hint = Some("add \"connections\": []".into());
                });
            }
            Some(other) => {
                cx.set_connection(None);
                cx.in_key("connections", |cx| {
                    cx.type_error("a list of connections", other)
                });
                wf.other.insert("connections".into(), other.to_value());
            }
        },
    }

    cx.set_node(None);
    cx.unknown(map, &mut wf.other, WORKFLOW_KEYS);
    wf.load_diagnostics = LoadDiagnostics(cx.diags);
    wf
}

fn check_version(s: &str, cx: &mut Cx) {
    cx.in_key("schemaVersion", |cx| {
        let mut parts = s.split('.');
        let major = parts.next().unwrap_or("");
        let minor_ok = parts.next().is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_none();
        if major == "1" && minor_ok {
            if s != SCHEMA_VERSION {
                cx.report(
                    Code::SchemaVersion,
                    format!("schemaVersion {} is newer than {SCHEMA_VERSION}; unknown fields are ignored", quote(s)),
                )
                .severity = crate::diag::Severity::Warning;
            }
        } else {
            cx.report(
                Code::SchemaVersion,
                format!("unsupported schemaVersion {}; this engine reads {SCHEMA_VERSION}", quote(s)),
            )
            .hint = Some(format!("set \"schemaVersion\": \"{SCHEMA_VERSION}\""));
        }
    });
}

fn required_string(
    map: &Lite<'_>,
    key: &str,
    what: impl FnOnce() -> String,
    cx: &mut Cx,
) -> Option<String> {
    match map.get(key) {
        Some(Lite::Str(s)) if !s.is_empty() => Some(s.to_string()),
        Some(Lite::Str(_)) | None | Some(Lite::Null) => {
            cx.in_key(key, |cx| {
                cx.report(Code::FieldRequired, format!("{} has no `{key}`", what()));
            });
            None
        }
        Some(other) => {
            cx.in_key(key, |cx| cx.type_error("a string", other));
            None
        }
    }
}

fn load_node(v: &Lite<'_>, index: usize, cx: &mut Cx) -> Option<Node> {
    cx.set_node(None);
    let Lite::Object(_) = v else {
        cx.in_key("nodes", |cx| {
            cx.in_index(index, |cx| cx.type_error("a node object", v))
        });
        return None;
    };
    let map = v;
    // Address findings by position until the id is known.
    let id = {
        let mut tmp = Cx::default();
        let id = tmp.in_key("nodes", |t| {
            t.in_index(index, |t| {
                required_string(map, "id", || format!("node #{index}"), t)
            })
        });
        cx.diags.append(&mut tmp.diags);
        id?
    };
    cx.set_node(Some(&id));

    let type_str = required_string(map, "type", || format!("node {}", quote(&id)), cx)?;
    let (kind, alias) = match NodeType::parse(&type_str) {
        Some((t, alias)) => {
            if alias.is_some() {
                cx.in_key("type", |cx| {
                    cx.report(
                        Code::TypeAlias,
                        format!(
                            "type {} is a legacy alias of \"{}\"",
                            quote(&type_str),
                            t.id()
                        ),
                    )
                    .hint = Some(format!("use \"type\": \"{}\"", t.id()));
                });
            }
            (NodeKind::Known(t), alias)
        }
        None => {
            cx.in_key("type", |cx| {
                cx.report(
                    Code::NodeTypeUnknown,
                    format!("unknown node type {}", quote(&type_str)),
                )
                .hint = Some(format!(
                    "use one of: {}",
                    NodeType::ALL
                        .iter()
                        .map(|t| t.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            });
            (NodeKind::Unknown(type_str), None)
        }
    };

    let mut other = BTreeMap::new();
    let position = match map.get("position") {
        None | Some(Lite::Null) => {
            cx.in_key("position", |cx| {
                cx.report(
                    Code::FieldRequired,
                    format!("node {} has no `position`", quote(&id)),
                )
                .hint = Some("add \"position\": {\"x\": 0, \"y\": 0}".into());
            });
            Position::default()
        }
        Some(p) => match cx.in_key("position", |cx| load_position(p, cx)) {
            Some(pos) => pos,
            None => {
                other.insert("position".into(), p.to_value());
                Position::default()
            }
        },
    };
    let parent = cx.field::<String>(map, "parent", &mut other);
    let label = cx.field::<String>(map, "label", &mut other);

    let data = match map.get("data") {
        Some(d @ Lite::Object(_)) => cx.in_key("data", |cx| load_data(d, &kind, alias, &id, cx)),
        None | Some(Lite::Null) => {
            cx.in_key("data", |cx| {
                cx.report(
                    Code::FieldRequired,
                    format!("node {} has no `data`", quote(&id)),
                )
                .hint = Some("add \"data\": {\"name\": \"...\", \"properties\": {}}".into());
            });
            empty_data(&kind, alias)
        }
        Some(d) => {
            cx.in_key("data", |cx| cx.type_error("an object", d));
            other.insert("data".into(), d.to_value());
            empty_data(&kind, None)
        }
    };
    cx.unknown(map, &mut other, NODE_KEYS);
    Some(Node {
        id,
        kind,
        position,
        parent,
        label,
        data,
        other,
    })
}

fn load_position(v: &Lite<'_>, cx: &mut Cx) -> Option<Position> {
    let Lite::Object(m) = v else {
        cx.type_error("an object {\"x\": number, \"y\": number}", v);
        return None;
    };
    let num = |k: &str| match v.get(k) {
        Some(Lite::Number(n)) => Some(n.clone()),
        _ => None,
    };
    match (num("x"), num("y")) {
        (Some(x), Some(y)) if m.iter().all(|(k, _)| k == "x" || k == "y") => {
            Some(Position { x, y })
        }
        _ => {
            cx.type_error("an object {\"x\": number, \"y\": number}", v);
            None
        }
    }
}

fn empty_data(kind: &NodeKind, alias: Option<Alias>) -> NodeData {
    NodeData {
        name: String::new(),
        properties: match kind {
            NodeKind::Known(t) => apply_alias(Properties::empty(*t), alias),
            NodeKind::Unknown(_) => Properties::Unknown(BTreeMap::new()),
        },
        other: BTreeMap::new(),
    }
}

fn apply_alias(mut p: Properties, alias: Option<Alias>) -> Properties {
    if alias == Some(Alias::ClusterRole) {
        if let Properties::Role(r) = &mut p {
            if r.kind.is_none() && !r.other.contains_key("kind") {
                r.kind = Some(RoleKind::ClusterRole);
            }
        }
    }
    p
}

fn load_data(
    d: &Lite<'_>,
    kind: &NodeKind,
    alias: Option<Alias>,
    id: &str,
    cx: &mut Cx,
) -> NodeData {
    let mut other = BTreeMap::new();
    let name = match d.get("name") {
        Some(Lite::Str(s)) => s.to_string(),
        None | Some(Lite::Null) => String::new(),
        Some(v) => {
            cx.in_key("name", |cx| cx.type_error("a string", v));
            other.insert("name".into(), v.to_value());
            String::new()
        }
    };
    let properties = match (kind, d.get("properties")) {
        (NodeKind::Known(t), Some(v @ Lite::Object(_))) => apply_alias(
            cx.in_key("properties", |cx| load_properties(*t, v, cx)),
            alias,
        ),
        (NodeKind::Unknown(_), Some(Lite::Object(m))) => Properties::Unknown(crate::sort::map(
            m.iter().map(|(k, v)| (k.to_string(), v.to_value())),
        )),
        (_, None | Some(Lite::Null)) => {
            cx.in_key("properties", |cx| {
                cx.report(
                    Code::FieldRequired,
                    format!("node {} has no `data.properties`", quote(id)),
                )
                .hint = Some("add \"properties\": {}".into());
            });
            empty_data(kind, alias).properties
        }
        (_, Some(v)) => {
            cx.in_key("properties", |cx| cx.type_error("an object", v));
            other.insert("properties".into(), v.to_value());
            // Rejected properties are written back verbatim, so an alias cannot add `kind`.
            empty_data(kind, None).properties
        }
    };
    // `connections` and `validation` from older clients: accepted and ignored, kept verbatim.
    for k in ["connections", "validation"] {
        if let Some(v) = d.get(k) {
            other.insert(k.into(), v.to_value());
        }
    }
    cx.unknown(d, &mut other, DATA_KEYS);
    NodeData {
        name,
        properties,
        other,
    }
}

fn load_properties(t: NodeType, v: &Lite<'_>, cx: &mut Cx) -> Properties {
    fn get<T: FromJson + Default>(v: &Lite<'_>, cx: &mut Cx) -> T {
        T::from_json(v, cx).unwrap_or_default()
    }
    match t {
        NodeType::App => Properties::App(get(v, cx)),
        NodeType::StatefulApp => Properties::StatefulApp(get(v, cx)),
        NodeType::Job => Properties::Job(get(v, cx)),
        NodeType::CronJob => Properties::CronJob(get(v, cx)),
        NodeType::Service => Properties::Service(get(v, cx)),
        NodeType::Ingress => Properties::Ingress(get(v, cx)),
        NodeType::NetworkPolicy => Properties::NetworkPolicy(get(v, cx)),
        NodeType::Secret => Properties::Secret(get(v, cx)),
        NodeType::ConfigMap => Properties::ConfigMap(get(v, cx)),
        NodeType::ServiceAccount => Properties::ServiceAccount(get(v, cx)),
        NodeType::Role => Properties::Role(get(v, cx)),
        NodeType::DeploymentStrategy => Properties::DeploymentStrategy(get(v, cx)),
        NodeType::Observability => Properties::Observability(get(v, cx)),
        NodeType::AppGroup => Properties::AppGroup(get(v, cx)),
        NodeType::CustomResource => Properties::CustomResource(get(v, cx)),
    }
}

fn load_connection(v: &Lite<'_>, index: usize, cx: &mut Cx) -> Option<Connection> {
    cx.set_connection(None);
    let Lite::Object(_) = v else {
        cx.in_key("connections", |cx| {
            cx.in_index(index, |cx| cx.type_error("a connection object", v))
        });
        return None;
    };
    let map = v;
    let id = {
        let mut tmp = Cx::default();
        let id = tmp.in_key("connections", |t| {
            t.in_index(index, |t| {
                required_string(map, "id", || format!("connection #{index}"), t)
            })
        });
        cx.diags.append(&mut tmp.diags);
        id?
    };
    cx.set_connection(Some(&id));
    let what = || format!("connection {}", quote(&id));
    let source = required_string(map, "source", what, cx);
    let target = required_string(map, "target", what, cx);
    let (Some(source), Some(target)) = (source, target) else {
        return None;
    };
    let mut other = BTreeMap::new();
    let source_output = cx.field(map, "sourceOutput", &mut other);
    let target_input = cx.field(map, "targetInput", &mut other);
    let conn_type = cx.field(map, "type", &mut other);
    let style = cx.field(map, "style", &mut other);
    let data = cx.field(map, "data", &mut other);
    cx.unknown(map, &mut other, CONNECTION_KEYS);
    Some(Connection {
        id,
        source,
        source_output,
        target,
        target_input,
        conn_type,
        style,
        data,
        other,
    })
}

/// Reads one node on its own (an edit in a live session), with the findings made while reading
/// it. Fails when the value is not a node a workflow could hold (no object, no id, no type).
pub(crate) fn load_one_node(v: &Value) -> Result<(Node, Vec<crate::diag::Diagnostic>), Error> {
    let lite = Lite::from_value(v);
    let mut cx = Cx::default();
    match load_node(&lite, 0, &mut cx) {
        Some(n) => Ok((n, cx.diags)),
        None => Err(Error::Shape {
            message: match cx.diags.first() {
                Some(d) => format!("the node cannot be read: {}", d.message),
                None => "the node cannot be read".to_owned(),
            },
        }),
    }
}
