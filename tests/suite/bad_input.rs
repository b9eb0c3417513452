//! Bad input never panics: it gets a clear error or finding naming what and where, and the
//! document loses nothing.

use celestra_core::api::{self, Limits};
use celestra_core::{Code, Error, Severity, Target};
use serde_json::{Value, json};

fn doc(nodes: Value, connections: Value) -> Value {
    json!({"schemaVersion": "1.0", "id": "wf", "name": "demo", "nodes": nodes, "connections": connections})
}

fn app(id: &str, name: &str, props: Value) -> Value {
    json!({"id": id, "type": "celestra-app", "position": {"x": 0, "y": 0}, "data": {"name": name, "properties": props}})
}

#[test]
fn malformed_json_reports_line_and_column() {
    let text = "{\n  \"schemaVersion\": \"1.0\",\n  \"nodes\": [,]\n}";
    match api::parse_str(text) {
        Err(Error::Parse {
            line,
            column,
            message,
            ..
        }) => {
            assert_eq!((line, column), (3, 13), "{message}");
            assert!(
                !message.contains(" at line "),
                "position is not repeated: {message}"
            );
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    for bad in [
        "",
        "{",
        "{\"a\": 1} trailing",
        "[1, 2",
        "{\"a\": tru}",
        "\u{feff}{}",
    ] {
        let e = api::parse_str(bad).expect_err(bad);
        assert_eq!(e.code(), "PARSE", "{bad:?}");
    }
    let e = api::parse_bytes(&[b'{', 0xff, b'}']).expect_err("invalid utf-8");
    assert_eq!(e.code(), "PARSE");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(200_000);
    assert_eq!(api::parse_str(&deep).expect_err("too deep").code(), "PARSE");
}

#[test]
fn a_document_that_is_not_an_object_is_refused() {
    for v in [json!([]), json!(3), json!("x"), json!(null)] {
        let e = api::parse_value(&v).expect_err("shape");
        assert_eq!(e.code(), "SHAPE");
        assert!(e.to_string().contains("JSON object"));
    }
}

#[test]
fn wrong_schema_version_is_a_finding() {
    let mut d = doc(json!([]), json!([]));
    d["schemaVersion"] = json!("2.0");
    let r = api::validate(&api::parse_value(&d).expect("reads"));
    let f = r
        .errors
        .iter()
        .find(|d| d.code == Code::SchemaVersion)
        .expect("error");
    assert_eq!(f.property.as_deref(), Some("schemaVersion"));
    d["schemaVersion"] = json!("1.3");
    let r = api::validate(&api::parse_value(&d).expect("reads"));
    let f = r
        .iter()
        .find(|d| d.code == Code::SchemaVersion)
        .expect("warning");
    assert_eq!(f.severity, Severity::Warning);
    d.as_object_mut().expect("object").remove("schemaVersion");
    let r = api::validate(&api::parse_value(&d).expect("reads"));
    assert!(r.errors.iter().any(|d| d.code == Code::SchemaVersion));
}

#[test]
fn unknown_node_type_is_a_finding_and_is_kept() {
    let d = doc(
        json!([
            {"id": "x", "type": "celestra-daemonset", "position": {"x": 1, "y": 2}, "data": {"name": "agent", "properties": {"image": "a:1", "hostPID": true}}},
            app("a", "web", json!({"image": "nginx:1.27"}))
        ]),
        json!([{"id": "c1", "source": "x", "target": "a"}]),
    );
    let wf = api::parse_value(&d).expect("reads");
    let r = api::validate(&wf);
    let f = r
        .errors
        .iter()
        .find(|d| d.code == Code::NodeTypeUnknown)
        .expect("finding");
    assert_eq!(
        (f.node_id.as_deref(), f.property.as_deref()),
        (Some("x"), Some("type"))
    );
    assert!(f.message.contains("celestra-daemonset"));
    assert!(
        !r.has(Code::ConnUnknownNode),
        "the node exists, only its type is unknown"
    );
    let back: Value = serde_json::from_str(&api::to_json(&wf)).expect("json");
    assert_eq!(back["nodes"][0], d["nodes"][0], "nothing lost");
}

#[test]
fn wrong_value_types_name_node_and_property_and_are_kept() {
    let d = doc(
        json!([app(
            "a",
            "web",
            json!({"image": "nginx:1.27", "replicas": "three", "port": true, "environment": {"A": {"nested": 1}}, "ports": [{"port": "x"}]})
        )]),
        json!([]),
    );
    let wf = api::parse_value(&d).expect("reads");
    let r = api::validate(&wf);
    let props: Vec<&str> = r
        .errors
        .iter()
        .filter(|d| d.code == Code::ValueType)
        .map(|d| d.property.as_deref().unwrap_or(""))
        .collect();
    for p in [
        "data.properties.replicas",
        "data.properties.port",
        "data.properties.environment.A",
        "data.properties.ports[0].port",
    ] {
        assert!(props.contains(&p), "missing VALUE_TYPE at {p}: {props:?}");
    }
    assert!(
        r.errors
            .iter()
            .all(|d| d.code != Code::ValueType || d.node_id.as_deref() == Some("a"))
    );
    let back: Value = serde_json::from_str(&api::to_json(&wf)).expect("json");
    assert_eq!(
        back["nodes"][0]["data"]["properties"],
        d["nodes"][0]["data"]["properties"]
    );
}

#[test]
fn digit_strings_are_coerced_with_an_info() {
    let d = doc(
        json!([app(
            "a",
            "web",
            json!({"image": "nginx:1.27", "replicas": "3"})
        )]),
        json!([]),
    );
    let wf = api::parse_value(&d).expect("reads");
    let r = api::validate(&wf);
    let f = r
        .infos
        .iter()
        .find(|d| d.code == Code::ValueCoerced)
        .expect("info");
    assert_eq!(f.property.as_deref(), Some("data.properties.replicas"));
    match &wf.nodes[0].data.properties {
        celestra_core::model::Properties::App(p) => assert_eq!(p.replicas, Some(3)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_properties_are_kept_and_reported_with_a_suggestion() {
    let d = doc(
        json!([app(
            "a",
            "web",
            json!({"image": "nginx:1.27", "replica": 3})
        )]),
        json!([]),
    );
    let wf = api::parse_value(&d).expect("reads");
    let r = api::validate(&wf);
    let f = r
        .warnings
        .iter()
        .find(|d| d.code == Code::PropUnknown)
        .expect("warning");
    assert_eq!(f.property.as_deref(), Some("data.properties.replica"));
    assert!(f.hint.as_deref().unwrap_or("").contains("replicas"));
    let back: Value = serde_json::from_str(&api::to_json(&wf)).expect("json");
    assert_eq!(back["nodes"][0]["data"]["properties"]["replica"], json!(3));
}

#[test]
fn unreadable_nodes_and_connections_are_reported_and_kept() {
    let d = doc(
        json!([42, {"type": "celestra-app"}, app("a", "web", json!({"image": "nginx:1.27"}))]),
        json!(["x", {"id": "c1", "target": "a"}]),
    );
    let wf = api::parse_value(&d).expect("reads");
    assert_eq!(wf.nodes.len(), 1);
    let r = api::validate(&wf);
    let at: Vec<&str> = r
        .errors
        .iter()
        .filter_map(|d| d.property.as_deref())
        .collect();
    for p in ["nodes[0]", "nodes[1].id", "connections[0]", "source"] {
        assert!(at.contains(&p), "missing finding at {p}: {at:?}");
    }
    let back: Value = serde_json::from_str(&api::to_json(&wf)).expect("json");
    assert_eq!(
        back["nodes"].as_array().map(Vec::len),
        Some(3),
        "nothing lost"
    );
    assert_eq!(
        back["connections"].as_array().map(Vec::len),
        Some(2),
        "nothing lost"
    );
}

#[test]
fn a_hundred_megabyte_document_is_refused_before_parsing() {
    let mut text = String::with_capacity(100 * 1024 * 1024 + 32);
    text.push_str("{\"nodes\": \"");
    text.push_str(&"a".repeat(100 * 1024 * 1024));
    text.push_str("\"}");
    match api::parse_str(&text) {
        Err(Error::TooLarge {
            what,
            actual,
            limit,
        }) => {
            assert_eq!(what, "bytes");
            assert!(actual > limit);
        }
        other => panic!("expected TooLarge, got {:?}", other.map(|_| ())),
    }
}

fn many_nodes(n: usize) -> Value {
    let nodes: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("n{i}"), "type": "celestra-configmap", "position": {"x": 0, "y": 0},
                   "data": {"name": format!("cfg-{i}"), "properties": {"data": {"k": "v"}}}})
        })
        .collect();
    doc(Value::Array(nodes), json!([]))
}

#[test]
fn a_hundred_thousand_node_graph_is_handled_and_one_more_is_refused() {
    let d = many_nodes(100_000);
    let wf = api::parse_value(&d).expect("within the limit");
    let r = api::validate(&wf);
    assert!(r.is_valid);
    let plan = api::plan(&wf).expect("plans");
    assert_eq!(plan.total_steps, 100_000);
    let mut d = d;
    let first = d["nodes"][0].clone();
    d["nodes"].as_array_mut().expect("array").push(first);
    match api::parse_value(&d) {
        Err(Error::TooLarge {
            what: "nodes",
            actual: 100_001,
            limit: 100_000,
        }) => {}
        other => panic!("expected TooLarge, got {:?}", other.map(|_| ())),
    }
    let small = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    assert!(api::parse_value_with(&many_nodes(11), &small).is_err());
}

#[test]
fn streamed_text_is_refused_with_the_exact_size_and_odd_shapes_agree() {
    let small = Limits {
        max_nodes: 10,
        max_connections: 3,
        ..Limits::default()
    };
    let text = many_nodes(12).to_string();
    match api::parse_str_with(&text, &small) {
        Err(Error::TooLarge {
            what: "nodes",
            actual: 12,
            limit: 10,
        }) => {}
        other => panic!("expected TooLarge, got {:?}", other.map(|_| ())),
    }
    let conns: Vec<Value> = (0..5)
        .map(|i| json!({"id": format!("c{i}"), "source": "a", "target": "b"}))
        .collect();
    let text = doc(json!([]), Value::Array(conns)).to_string();
    match api::parse_str_with(&text, &small) {
        Err(Error::TooLarge {
            what: "connections",
            actual: 5,
            limit: 3,
        }) => {}
        other => panic!("expected TooLarge, got {:?}", other.map(|_| ())),
    }
    // Repeated and oddly typed lists: the text path and the value path agree (last key wins).
    for text in [
        r#"{"schemaVersion": "1.0", "id": "x", "name": "x", "nodes": [], "nodes": {"a": 1}, "connections": []}"#,
        r#"{"schemaVersion": "1.0", "id": "x", "name": "x", "nodes": 3, "nodes": [], "connections": "no"}"#,
        r#"{"nodes": [{"id": "a"}], "connections": [], "connections": [1]}"#,
    ] {
        let v: Value = serde_json::from_str(text).expect("json");
        let a = api::parse_str(text).expect("reads");
        let b = api::parse_value(&v).expect("reads");
        assert_eq!(a, b, "{text}");
        assert_eq!(api::validate(&a), api::validate(&b), "{text}");
        assert_eq!(api::to_json(&a), api::to_json(&b), "{text}");
    }
}

#[test]
fn sentinels_are_rejected_wherever_they_appear() {
    let d = doc(
        json!([app(
            "a",
            "web",
            json!({"image": "nginx:1.27", "cpuLimit": "Custom...", "labels": {"tier": "Create New..."}})
        )]),
        json!([]),
    );
    let r = api::validate(&api::parse_value(&d).expect("reads"));
    let at: Vec<&str> = r
        .errors
        .iter()
        .filter(|d| d.code == Code::ValueSentinel)
        .filter_map(|d| d.property.as_deref())
        .collect();
    assert_eq!(
        at,
        vec!["data.properties.cpuLimit", "data.properties.labels.tier"]
    );
}

#[test]
fn repeated_keys_follow_last_one_wins_and_round_trip() {
    // Found by the fuzzer: a position with a repeated key used to be rejected, then written
    // back in another place. JSON objects with repeated keys keep the last value, everywhere.
    let text = r#"{"schemaVersion": "1.0", "id": "wf", "name": "demo", "connections": [],
      "nodes": [{"id": "a", "type": "celestra-app", "position": {"x": 0, "x": 5, "y": 1},
                 "data": {"name": "web", "properties": {"image": "nginx:1.27", "port": "x", "port": 8080}}}]}"#;
    let wf = api::parse_str(text).expect("reads");
    assert_eq!(wf.nodes[0].position.x, serde_json::Number::from(5));
    match &wf.nodes[0].data.properties {
        celestra_core::model::Properties::App(p) => {
            assert_eq!(p.port, Some(8080));
            assert!(
                p.other.is_empty(),
                "the rejected first value is superseded: {:?}",
                p.other
            );
        }
        other => panic!("{other:?}"),
    }
    let out = api::to_json(&wf);
    assert_eq!(api::to_json(&api::parse_str(&out).expect("re-reads")), out);
}

#[test]
fn overrides_that_break_the_pod_template_are_dropped_with_a_reason_not_a_panic() {
    // `jobSpec` replaces the pod template with a string; `volumeTemplates` then has nowhere to
    // go. Every target generates; the Kubernetes ledger says why the volumes were dropped.
    for template in [json!("not an object"), json!(7), json!(["a"])] {
        let cron = json!({"id": "c", "type": "celestra-cronjob", "position": {"x": 0, "y": 0},
            "data": {"name": "nightly", "properties": {
                "image": "busybox:1.36", "schedule": "0 1 * * *",
                "jobSpec": {"template": template},
                "volumeTemplates": [{"name": "scratch", "emptyDir": {}}]}}});
        let wf = api::parse_value(&doc(json!([cron]), json!([]))).expect("parses");
        for target in [Target::Kubernetes, Target::Helm, Target::Dsl] {
            let g = api::generate(
                &wf,
                target,
                &celestra_core::generate::GenerateOptions::default(),
            )
            .unwrap_or_else(|e| panic!("{target:?}: {e}"));
            assert!(!g.files.is_empty(), "{target:?}");
            if target == Target::Kubernetes {
                let e = g
                    .ledger
                    .entries
                    .iter()
                    .find(|e| e.property == "volumeTemplates")
                    .expect("a ledger line for volumeTemplates");
                match &e.fidelity {
                    celestra_core::generate::Fidelity::Dropped { why } => {
                        assert!(why.contains("non-object"), "{why}")
                    }
                    other => panic!("expected dropped, got {other:?}"),
                }
            }
        }
    }
}
