//! Generators on every fixture: snapshots, byte-identical output under shuffles, the objects the
//! plan announces, a complete fidelity ledger, version rules, refusal of invalid workflows and
//! redaction. (The real tools judge the same output in scripts/judge.sh.)

use celestra_core::generate::{Fidelity, GenerateOptions, Layout};
use celestra_core::{Target, Workflow, api};
use celestra_fixtures::{shuffled, stem, valid_workflows};
use serde_json::Value;
use std::collections::BTreeSet;

const TARGETS: &[(Target, &str)] = &[
    (Target::Kubernetes, "k8s"),
    (Target::Compose, "compose"),
    (Target::Helm, "helm"),
    (Target::Dsl, "dsl"),
];

fn load(p: &std::path::Path) -> (Value, Workflow) {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
    let wf = api::parse_value(&doc).expect("reads");
    (doc, wf)
}

fn all_text(g: &celestra_core::Generated) -> String {
    g.files
        .iter()
        .map(|(k, v)| format!("### {k}\n{v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn snapshots_of_every_target_for_every_fixture() {
    for p in valid_workflows() {
        let (_, wf) = load(&p);
        for (t, name) in TARGETS {
            let g = api::generate(&wf, *t, &GenerateOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            insta::assert_snapshot!(format!("{name}__{}", stem(&p)), all_text(&g));
            insta::assert_snapshot!(
                format!("ledger__{name}__{}", stem(&p)),
                serde_json::to_string_pretty(&g.ledger).expect("json")
            );
        }
    }
}

#[test]
fn output_is_byte_identical_when_nodes_and_connections_are_shuffled() {
    for p in valid_workflows() {
        let (doc, wf) = load(&p);
        for (t, _) in TARGETS {
            let a = api::generate(&wf, *t, &GenerateOptions::default()).expect("generates");
            for seed in 0..4 {
                let wf2 = api::parse_value(&shuffled(&doc, seed)).expect("reads");
                let b = api::generate(&wf2, *t, &GenerateOptions::default()).expect("generates");
                assert!(a == b, "{} {t:?} seed {seed}: output changed", p.display());
            }
        }
    }
}

fn objects_of(wf: &Workflow, version: Option<&str>) -> Vec<Value> {
    let g = api::generate(
        wf,
        Target::Kubernetes,
        &GenerateOptions {
            kubernetes_version: version.map(str::to_owned),
            layout: Layout::PerObject,
            redact_secrets: false,
        },
    )
    .expect("generates");
    g.files
        .values()
        .map(|text| celestra_core::generate::parse_yaml(text).expect("our YAML parses"))
        .collect()
}

#[test]
fn the_kubernetes_target_emits_exactly_the_objects_the_plan_announces() {
    for p in valid_workflows() {
        let (_, wf) = load(&p);
        let emitted: BTreeSet<(String, String, String)> = objects_of(&wf, None)
            .iter()
            .map(|o| {
                (
                    o["kind"].as_str().unwrap_or("").to_owned(),
                    o["metadata"]["namespace"].as_str().unwrap_or("").to_owned(),
                    o["metadata"]["name"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let plan = api::plan(&wf).expect("plan");
        let mut announced = BTreeSet::new();
        for s in plan.steps() {
            for o in s
                .objects
                .iter()
                .chain(s.attached.iter().flat_map(|a| a.objects.iter()))
            {
                announced.insert((
                    o.kind.to_string(),
                    o.namespace.clone().unwrap_or_default(),
                    o.name.clone(),
                ));
            }
        }
        assert_eq!(emitted, announced, "{}", p.display());
    }
}

#[test]
fn every_property_and_connection_is_in_the_ledger() {
    for p in valid_workflows() {
        let (_, wf) = load(&p);
        for (t, _) in TARGETS {
            let g = api::generate(&wf, *t, &GenerateOptions::default()).expect("generates");
            for n in &wf.nodes {
                let props = serde_json::to_value(&n.data.properties).expect("json");
                for key in props.as_object().into_iter().flat_map(|m| m.keys()) {
                    assert!(
                        g.ledger.get(&n.id, key).is_some(),
                        "{} {t:?}: node {} property {key} is not in the ledger",
                        p.display(),
                        n.id
                    );
                }
            }
            for c in &wf.connections {
                assert!(
                    g.ledger
                        .entries
                        .iter()
                        .any(|e| e.connection_id.as_deref() == Some(&c.id)),
                    "{} {t:?}: connection {} is not in the ledger",
                    p.display(),
                    c.id
                );
            }
        }
    }
}

#[test]
fn kubernetes_1_20_output_follows_1_20_rules() {
    let p = celestra_fixtures::fixtures_dir().join("workflows/batch-etl-cronjobs.json");
    let (_, wf) = load(&p);
    let objs = objects_of(&wf, Some("1.20"));
    let cronjobs: Vec<&Value> = objs.iter().filter(|o| o["kind"] == "CronJob").collect();
    assert!(!cronjobs.is_empty());
    for c in &cronjobs {
        assert_eq!(
            c["apiVersion"], "batch/v1beta1",
            "CronJob before 1.21 is batch/v1beta1"
        );
        assert!(
            c["spec"].get("timeZone").is_none(),
            "no timeZone before 1.25"
        );
    }
    let g = api::generate(
        &wf,
        Target::Kubernetes,
        &GenerateOptions {
            kubernetes_version: Some("1.20".into()),
            ..GenerateOptions::default()
        },
    )
    .expect("generates");
    if wf.nodes.iter().any(|n| matches!(&n.data.properties, celestra_core::model::Properties::CronJob(c) if c.time_zone.is_some())) {
        assert!(g.ledger.entries.iter().any(|e| e.property == "timeZone" && matches!(e.fidelity, Fidelity::Dropped { .. })));
    }
    for o in objs.iter().filter(|o| o["kind"] != "CronJob") {
        let api_version = o["apiVersion"].as_str().unwrap_or("");
        assert!(
            !api_version.ends_with("v1beta1") || api_version.starts_with("argoproj"),
            "{api_version}"
        );
    }
    // Newer clusters get batch/v1.
    for o in objects_of(&wf, Some("1.21"))
        .iter()
        .filter(|o| o["kind"] == "CronJob")
    {
        assert_eq!(o["apiVersion"], "batch/v1");
    }
    let e = api::generate(
        &wf,
        Target::Kubernetes,
        &GenerateOptions {
            kubernetes_version: Some("1.19".into()),
            ..GenerateOptions::default()
        },
    )
    .expect_err("1.19 is not supported");
    assert_eq!(e.code(), "OPTION");
}

#[test]
fn a_workflow_with_errors_is_refused_with_its_errors() {
    let p = celestra_fixtures::fixtures_dir().join("invalid/ex5-invalid.json");
    let (_, wf) = load(&p);
    for (t, _) in TARGETS {
        let e = api::generate(&wf, *t, &GenerateOptions::default()).expect_err("refused");
        assert_eq!(e.code(), "INVALID");
        assert_eq!(e.diagnostics().len(), api::validate(&wf).errors.len());
    }
}

#[test]
fn redaction_keeps_every_secret_value_out() {
    let mut secrets_seen = 0;
    for p in valid_workflows() {
        let (_, wf) = load(&p);
        let g = api::generate(
            &wf,
            Target::Kubernetes,
            &GenerateOptions {
                redact_secrets: true,
                layout: Layout::PerObject,
                ..GenerateOptions::default()
            },
        )
        .expect("generates");
        for text in g.files.values() {
            let o = celestra_core::generate::parse_yaml(text).expect("yaml");
            if o["kind"] != "Secret" {
                continue;
            }
            secrets_seen += 1;
            for (k, v) in o["stringData"].as_object().into_iter().flatten() {
                assert_eq!(v, "<redacted>", "{} {k}", p.display());
            }
            for (k, v) in o["data"].as_object().into_iter().flatten() {
                assert_eq!(
                    v,
                    "PHJlZGFjdGVkPg==",
                    "{} {k}: base64 of <redacted>",
                    p.display()
                );
            }
        }
    }
    assert!(secrets_seen > 10, "the fixtures hold secrets");
}

#[test]
fn redaction_keeps_secret_values_out_of_every_target() {
    let mut checked = 0;
    for p in valid_workflows() {
        let (doc, wf) = load(&p);
        // Text of everything but the Secret nodes: a secret value that also
        // appears there (a database name used in a command line) is not a leak.
        let mut public = doc.clone();
        if let Some(nodes) = public["nodes"].as_array_mut() {
            nodes.retain(|n| n["type"] != "celestra-secret");
        }
        let mut public_strings: Vec<String> = Vec::new();
        strings_of(&public, &mut public_strings);
        let mut values: Vec<String> = Vec::new();
        for n in &wf.nodes {
            if let celestra_core::model::Properties::Secret(s) = &n.data.properties {
                values.extend(s.data.iter().flatten().map(|(_, v)| v.clone()));
                values.extend(
                    s.files
                        .iter()
                        .flatten()
                        .filter_map(|(_, f)| f.content.clone()),
                );
            }
        }
        // Short values ("app") also occur as names; long ones only as secret data.
        values.retain(|v| v.len() >= 8 && !public_strings.iter().any(|s| s.contains(v.as_str())));
        checked += values.len();
        for (t, _) in TARGETS {
            let g = api::generate(
                &wf,
                *t,
                &GenerateOptions {
                    redact_secrets: true,
                    ..GenerateOptions::default()
                },
            )
            .expect("generates");
            for (path, text) in &g.files {
                if path.starts_with("secrets/") {
                    assert_eq!(text, "<redacted>", "{} {path}", p.display());
                }
                for v in &values {
                    assert!(
                        !text.contains(v.as_str()),
                        "{} {t:?} {path}: secret value leaked",
                        p.display()
                    );
                }
            }
        }
    }
    assert!(checked > 10, "the fixtures hold secret values to look for");
}

/// Every string (keys and values) in a JSON document.
fn strings_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings_of(x, out);
        }),
        _ => {}
    }
}
