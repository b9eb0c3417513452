//! Hostile values: rejected by validation, or inert data in every target.
//!
//! The corpus is `tests/fixtures/workflows/hostile-values.json` (made by
//! `tests/fixtures/hostile/make_hostile.py`): quotes, newlines, `{{ }}`, `${}`, YAML tags, anchors,
//! `#`, `---`, Python quoting and format syntax, Unicode tricks, in env values, args, ConfigMap and
//! Secret data, annotations and a CR instance. The judge (`tests/judge/judge.py`) reads the
//! outputs back with the real tools; these tests check the structure of the text itself.

use celestra_core::generate::{GenerateOptions, parse_yaml};
use celestra_core::{Target, Workflow, api};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn fixture() -> (Value, Workflow) {
    let p = celestra_fixtures::fixtures_dir().join("workflows/hostile-values.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
    let wf = api::parse_value(&doc).expect("reads");
    (doc, wf)
}

fn hostile_env(doc: &Value) -> BTreeMap<String, String> {
    let app = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["data"]["name"] == "hostile-app")
        .expect("hostile-app");
    serde_json::from_value(app["data"]["properties"]["environment"].clone()).expect("env")
}

/// The same document with every hostile string replaced by a harmless one of no structure.
fn benign(doc: &Value, hostile: &[String]) -> Value {
    match doc {
        Value::String(s) if hostile.contains(s) => json!("x"),
        Value::Array(a) => Value::Array(a.iter().map(|v| benign(v, hostile)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), benign(v, hostile)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn generate(wf: &Workflow, t: Target) -> BTreeMap<String, String> {
    api::generate(wf, t, &GenerateOptions::default())
        .unwrap_or_else(|e| panic!("{t:?}: {e}"))
        .files
}

#[test]
fn the_corpus_is_valid_and_hostile() {
    let (doc, wf) = fixture();
    let report = api::validate(&wf);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let env = hostile_env(&doc);
    assert!(env.len() >= 40);
    for needle in [
        "{{", "${", "\n", "---", "!!python", "&anchor", "*alias", "\u{202e}", "'''",
    ] {
        assert!(
            env.values().any(|v| v.contains(needle)),
            "the corpus lacks {needle:?}"
        );
    }
}

#[test]
fn kubernetes_yaml_reads_back_every_value_and_nothing_more() {
    let (doc, wf) = fixture();
    let env = hostile_env(&doc);
    let text = &generate(&wf, Target::Kubernetes)["manifests.yaml"];
    let docs: Vec<Value> = text
        .split("\n---\n")
        .map(|d| parse_yaml(d.trim_start_matches("---\n")).expect("each document parses"))
        .collect();
    // One document per object: no value opened a new document.
    let plan = api::plan(&wf).expect("plan");
    let inventory: usize = plan
        .steps()
        .map(|s| s.objects.len() + s.attached.iter().map(|a| a.objects.len()).sum::<usize>())
        .sum();
    assert_eq!(docs.len(), inventory);
    let dep = docs
        .iter()
        .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == "hostile-app")
        .expect("deployment");
    let got: BTreeMap<String, String> = dep["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_owned(),
                e["value"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert_eq!(got, env);
    let cm = docs
        .iter()
        .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == "hostile-config")
        .expect("configmap");
    for (i, v) in env.values().enumerate() {
        assert_eq!(cm["data"][format!("h{i:02}")], json!(v));
    }
}

#[test]
fn compose_escapes_interpolation_and_reads_back() {
    let (doc, wf) = fixture();
    let env = hostile_env(&doc);
    let files = generate(&wf, Target::Compose);
    let compose = parse_yaml(&files["docker-compose.yml"]).expect("parses");
    let got = &compose["services"]["hostile-app"]["environment"];
    for (k, v) in &env {
        // Compose interpolates `$`; `$$` is its escape for a literal dollar.
        assert_eq!(got[k], json!(v.replace('$', "$$")), "{k}");
    }
    for (i, v) in env.values().enumerate() {
        assert_eq!(
            files
                .get(&format!("secrets/hostile-secret/h{i:02}"))
                .map(String::as_str),
            Some(v.as_str()),
            "secret files hold the raw bytes"
        );
    }
}

#[test]
fn helm_templates_never_carry_a_user_template_action() {
    let (doc, wf) = fixture();
    let env = hostile_env(&doc);
    let hostile: Vec<String> = env.values().cloned().collect();
    let files = generate(&wf, Target::Helm);
    let values = parse_yaml(&files["values.yaml"]).expect("values.yaml parses");
    assert_eq!(values["apps"]["hostile-app"]["env"], json!(env));
    let plain = generate(
        &api::parse_value(&benign(&doc, &hostile)).expect("reads"),
        Target::Helm,
    );
    for (path, text) in &files {
        if !path.starts_with("templates/") {
            continue;
        }
        // The template actions are the engine's own: the same as with harmless values, once the
        // escapes of user braces (`{{ "{{" }}`) are set aside.
        assert_eq!(
            actions(text),
            actions(&plain[path]),
            "{path}: a value added a template action"
        );
        // No value added a line.
        assert_eq!(
            text.lines().count(),
            plain[path].lines().count(),
            "{path}: a value changed the template's line structure"
        );
    }
}

#[test]
fn dsl_program_is_ascii_and_values_cannot_add_lines() {
    let (doc, wf) = fixture();
    let env = hostile_env(&doc);
    let hostile: Vec<String> = env.values().cloned().collect();
    let program = &generate(&wf, Target::Dsl)["workflow.py"];
    assert!(
        program.is_ascii(),
        "the program is pure ASCII (no bidi tricks)"
    );
    let plain = generate(
        &api::parse_value(&benign(&doc, &hostile)).expect("reads"),
        Target::Dsl,
    );
    assert_eq!(
        program.lines().count(),
        plain["workflow.py"].lines().count(),
        "a value changed the program's line structure"
    );
    // Every value is one escaped string literal.
    for v in &hostile {
        let lit = serde_json::to_string(v).expect("json");
        if v.is_ascii() && !v.contains('\u{7f}') {
            assert!(program.contains(&lit), "{lit} is not in the program");
        }
    }
}

#[test]
fn structural_fields_reject_hostile_values() {
    let hostile = [
        "a\"b",
        "line\nbreak",
        "{{ .Release.Name }}",
        "${HOME}",
        "!!python/object",
        "&anchor",
        "# x",
        "---",
        "rtl\u{202e}x",
    ];
    // (where, builder): each puts the value into one field that becomes structure.
    type Place = fn(&str) -> Value;
    let places: [(&str, Place); 5] = [
        ("node name", |v| {
            app(json!({"image": "nginx:1.27.0"}), v, json!({}))
        }),
        ("label value", |v| {
            app(
                json!({"image": "nginx:1.27.0", "labels": {"team": v}}),
                "web",
                json!({}),
            )
        }),
        ("label key", |v| {
            app(
                json!({"image": "nginx:1.27.0", "labels": {v: "x"}}),
                "web",
                json!({}),
            )
        }),
        ("image", |v| app(json!({"image": v}), "web", json!({}))),
        ("namespace", |v| {
            app(
                json!({"image": "nginx:1.27.0"}),
                "web",
                json!({"namespace": v}),
            )
        }),
    ];
    for (place, make) in places {
        for v in hostile {
            let wf = api::parse_value(&make(v)).expect("reads");
            let report = api::validate(&wf);
            assert!(
                !report.errors.is_empty(),
                "{place} = {v:?} must be rejected by validation"
            );
            for t in [
                Target::Kubernetes,
                Target::Compose,
                Target::Helm,
                Target::Dsl,
            ] {
                assert!(
                    api::generate(&wf, t, &GenerateOptions::default()).is_err(),
                    "{place} = {v:?}: {t:?} must refuse"
                );
            }
        }
    }
}

#[test]
fn control_characters_are_rejected_everywhere_text_goes() {
    let p = celestra_fixtures::fixtures_dir().join("hostile/rejected-text.json");
    let values: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
    assert!(values.len() >= 5);
    for v in &values {
        for (field, props) in [
            (
                "environment",
                json!({"image": "nginx:1.27.0", "environment": {"A": v}}),
            ),
            (
                "annotations",
                json!({"image": "nginx:1.27.0", "annotations": {"a/b": v}}),
            ),
        ] {
            let wf = api::parse_value(&app(props, "web", json!({}))).expect("reads");
            let report = api::validate(&wf);
            assert!(
                report
                    .errors
                    .iter()
                    .any(|d| d.code.as_str() == "VALUE_CONTROL_CHAR"
                        && d.property.as_deref().is_some_and(|p| p.contains(field))),
                "{field} = {v:?}: {:?}",
                report.errors
            );
            // The value is kept (nothing lost): it round-trips through the model.
            let back: Value = serde_json::from_str(&api::to_json(&wf)).expect("json");
            let kept = &back["nodes"][0]["data"]["properties"][field];
            assert!(
                kept.as_object().is_some_and(|m| m.values().any(|x| x == v)),
                "{field} = {v:?} is kept in the document"
            );
        }
    }
}

/// The Go template actions of a text (`{{` … `}}`), without the escapes of literal braces.
fn actions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(k) = rest.find("{{") {
        let after = &rest[k..];
        let end = if after.starts_with("{{ \"{{\" }}") {
            "{{ \"{{\" }}".len()
        } else {
            after.find("}}").map_or(after.len(), |e| e + 2)
        };
        let action = &after[..end];
        if action != "{{ \"{{\" }}" {
            out.push(action);
        }
        rest = &after[end..];
    }
    out.sort_unstable();
    out
}

#[test]
fn hostile_env_names_come_out_portable() {
    for v in [
        "a\"b",
        "line\nbreak",
        "{{ x }}",
        "${HOME}",
        "# x",
        "rtl\u{202e}x",
        "9lives",
    ] {
        let wf = api::parse_value(&app(
            json!({"image": "nginx:1.27.0", "environment": {v: "x"}}),
            "web",
            json!({}),
        ))
        .expect("reads");
        assert!(
            api::validate(&wf)
                .warnings
                .iter()
                .any(|d| d.code.as_str() == "ENV_NAME"),
            "{v:?} is reported"
        );
        let k8s = &generate(&wf, Target::Kubernetes)["manifests.yaml"];
        let compose = &generate(&wf, Target::Compose)["docker-compose.yml"];
        let portable = |s: &str| {
            s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let dep = parse_yaml(k8s.split("\n---\n").last().expect("doc")).expect("yaml");
        for e in dep["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .expect("env")
        {
            assert!(portable(e["name"].as_str().expect("name")), "{e}");
        }
        let c = parse_yaml(compose).expect("yaml");
        for k in c["services"]["web"]["environment"]
            .as_object()
            .expect("env")
            .keys()
        {
            assert!(portable(k), "{k}");
        }
    }
}

fn app(props: Value, name: &str, top: Value) -> Value {
    let mut doc = json!({
        "schemaVersion": "1.0",
        "id": "wf-hostile-field",
        "name": "hostile-field",
        "nodes": [{"id": "n1", "type": "celestra-app", "position": {"x": 0, "y": 0},
                   "data": {"name": name, "properties": props}}],
        "connections": []
    });
    if let (Some(m), Value::Object(t)) = (doc.as_object_mut(), top) {
        m.extend(t);
    }
    doc
}
