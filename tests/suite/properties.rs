//! Property tests: random workflows never panic; DAGs never report cycles and one back-edge
//! always does; shuffling nodes and connections changes no report or plan; JSON round-trips
//! preserve the model; arbitrary bytes and values are refused cleanly.

use celestra_core::model::*;
use celestra_core::{Code, Target, api};
use celestra_fixtures::{shuffled, synthetic};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const TYPES: &[&str] = &[
    "celestra-app",
    "celestra-statefulapp",
    "celestra-job",
    "celestra-cronjob",
    "celestra-service",
    "celestra-ingress",
    "celestra-networkpolicy",
    "celestra-secret",
    "celestra-configmap",
    "celestra-serviceaccount",
    "celestra-role",
    "celestra-deployment-strategy",
    "celestra-observability",
    "celestra-appgroup",
    "celestra-customresource",
    "celestra-rbac",
    "celestra-clusterrole",
    "celestra-bogus",
];

fn known_keys() -> Vec<&'static str> {
    let mut k: Vec<&'static str> = [
        AppProps::KEYS,
        StatefulAppProps::KEYS,
        JobProps::KEYS,
        CronJobProps::KEYS,
        ServiceProps::KEYS,
        IngressProps::KEYS,
        NetworkPolicyProps::KEYS,
        SecretProps::KEYS,
        ConfigMapProps::KEYS,
        ServiceAccountProps::KEYS,
        RoleProps::KEYS,
        DeploymentStrategyProps::KEYS,
        ObservabilityProps::KEYS,
        AppGroupProps::KEYS,
        CustomResourceProps::KEYS,
    ]
    .concat();
    k.sort();
    k.dedup();
    k.push("bogusKey");
    k
}

/// JSON values with hostile strings, for the YAML writer.
fn yaml_value() -> impl Strategy<Value = Value> {
    let s = prop_oneof![
        any::<String>(),
        "[ -~\n\t]{0,12}",
        prop::sample::select(vec![
            "",
            "-",
            "- x",
            "-c",
            ":",
            "a: b",
            "#",
            "~",
            "null",
            "yes",
            "No",
            "0x1F",
            "1e3",
            "2001-12-14",
            "12:30",
            ".5",
            "{{ x }}",
            "${X}",
            "---",
            "...",
            "\n",
            "a\n",
            " a",
        ])
        .prop_map(str::to_owned),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        s.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(s.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..70000).prop_map(|n| json!(n)),
        (-1.0f64..2.0).prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            "3",
            "web",
            "nginx:1.27",
            "acme/front",
            "Bad_Name",
            "500m",
            "1.5",
            "2GB",
            "10Gi",
            "1G",
            "*/5 * * * *",
            "*/61 * * *",
            "@daily",
            "10m",
            "24h",
            "UTC",
            "Mars/Olympus",
            "Custom...",
            "Create New...",
            "ClusterIP",
            "NodePort",
            "ExternalName",
            "Prefix",
            "/",
            "api",
            "https://x.io",
            "shop.example.com",
            "10.0.0.0/8",
            "0644",
            "kubernetes.io/tls",
            "Opaque",
            "env",
            "volume",
            "Canary",
            "BlueGreen",
            "Prometheus",
            "Role",
            "ClusterRole",
            "Never",
            "Always",
            "Forbid",
            "tls.crt",
            "metrics",
            "http",
            "n1",
            "n2",
            "g0",
            "default",
            "kube-system",
        ])
        .prop_map(|s| json!(s)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "port",
                    "name",
                    "path",
                    "host",
                    "key",
                    "content",
                    "encoding",
                    "type",
                    "peers",
                    "cidr",
                    "environments",
                    "x"
                ]),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn props() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(prop::sample::select(known_keys()), value(), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

/// A node; with `unreadable`, some entries are not objects or have no id.
fn node(ids: usize, unreadable: bool) -> impl Strategy<Value = Value> {
    (
        0..ids.max(1),
        prop::sample::select(TYPES.to_vec()),
        prop::sample::select(vec!["web", "db", "api-svc", "creds", "Bad_Name", "", "x"]),
        props(),
        prop::option::of(0..ids.max(1)),
        if unreadable { 0u8..20 } else { 2u8..20 },
    )
        .prop_map(|(id, ty, name, props, parent, mangle)| {
            let mut n = json!({
                "id": format!("n{id}"),
                "type": ty,
                "position": {"x": 0, "y": 0},
                "data": {"name": format!("{name}{id}"), "properties": props}
            });
            if let Some(p) = parent {
                n["parent"] = json!(format!("n{p}"));
            }
            match mangle {
                0 => n = json!(42),
                1 => {
                    n.as_object_mut().expect("object").remove("id");
                }
                2 => n["data"]["properties"] = json!([1, 2]),
                3 => n["position"] = json!("here"),
                _ => {}
            }
            n
        })
}

fn connection(ids: usize) -> impl Strategy<Value = Value> {
    (
        0..ids.max(1) + 1,
        0..ids.max(1) + 1,
        prop::option::of(prop::sample::select(vec![
            "dependency",
            "configuration",
            "security",
            "monitoring",
            "Exposes",
            "weird",
        ])),
        prop::option::of(prop::sample::select(vec![
            "solid", "dashed", "double", "slashed", "wavy",
        ])),
        prop::option::of(value()),
        0u32..1000,
    )
        .prop_map(move |(s, t, ty, style, data, k)| {
            let id = |i: usize| {
                if i == ids.max(1) {
                    "zzz".to_owned()
                } else {
                    format!("n{i}")
                }
            };
            let mut c = json!({"id": format!("c{k}"), "source": id(s), "target": id(t)});
            if let Some(ty) = ty {
                c["type"] = json!(ty);
            }
            if let Some(st) = style {
                c["style"] = json!(st);
            }
            if let Some(d) = data {
                c["data"] = d;
            }
            c
        })
}

fn document(max_nodes: usize, unreadable: bool) -> impl Strategy<Value = Value> {
    (1..max_nodes).prop_flat_map(move |n| {
        (
            prop::collection::vec(node(n, unreadable), n),
            prop::collection::vec(connection(n), 0..(2 * n).min(600)),
            prop::sample::select(vec!["parallel", "phased", "sequential", "mixed", "bogus"]),
            prop::option::of(prop::sample::select(vec!["production", "staging"])),
        )
            .prop_map(|(nodes, conns, mode, env)| {
                let mut settings = Map::new();
                settings.insert("executionMode".into(), json!(mode));
                if let Some(e) = env {
                    settings.insert("environment".into(), json!(e));
                }
                json!({"schemaVersion": "1.0", "id": "wf", "name": "random", "settings": settings, "nodes": nodes, "connections": conns})
            })
    })
}

/// Where two texts first differ, with some context (keeps failure messages readable).
fn first_difference(a: &str, b: &str) -> String {
    let i = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = i.saturating_sub(200);
    let cut = |s: &str| {
        s.get(from..(i + 200).min(s.len()))
            .unwrap_or("")
            .replace('\n', "⏎")
    };
    format!(
        "first difference at byte {i}:\n  left: …{}\n right: …{}",
        cut(a),
        cut(b)
    )
}

fn report_and_plan(doc: &Value) -> (String, String) {
    let wf = api::parse_value(doc).expect("objects always read");
    let report = serde_json::to_string(&api::validate(&wf)).expect("json");
    let plan = match api::plan(&wf) {
        Ok(p) => serde_json::to_string(&p).expect("json"),
        Err(e) => format!(
            "error {} {}",
            e.code(),
            serde_json::to_string(e.diagnostics()).expect("json")
        ),
    };
    (report, plan)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random workflows of up to 300 nodes, some entries unreadable, never panic.
    #[test]
    fn random_workflows_never_panic(doc in document(300, true)) {
        let _ = report_and_plan(&doc);
    }

    /// Generating any target from a random workflow never panics: output or a clean refusal.
    #[test]
    fn random_workflows_never_panic_in_generators(doc in document(120, true)) {
        let wf = api::parse_value(&doc).expect("reads");
        for t in [Target::Kubernetes, Target::Compose, Target::Helm, Target::Dsl] {
            match api::generate(&wf, t, &Default::default()) {
                Ok(g) => prop_assert!(!g.files.is_empty()),
                Err(e) => prop_assert!(["INVALID", "PLAN_BLOCKED"].contains(&e.code()), "{e}"),
            }
        }
    }

    /// The YAML writer round-trips any JSON value (any string: quotes, newlines, unicode,
    /// things that look like numbers, booleans, dates or YAML syntax).
    #[test]
    fn yaml_writer_round_trips(v in yaml_value()) {
        let text = celestra_core::generate::to_yaml(&v);
        let back = celestra_core::generate::parse_yaml(&text);
        prop_assert!(back.as_ref() == Ok(&v), "{back:?}\n{text}");
    }

    /// Shuffling nodes and connections changes no report and no plan. (Entries without an id
    /// can only be addressed by their position in the list, so this runs on documents whose
    /// entries all have ids; everything else is as random as above.)
    #[test]
    fn random_workflows_ignore_order(doc in document(300, false), seed in any::<u64>()) {
        let (r1, p1) = report_and_plan(&doc);
        let (r2, p2) = report_and_plan(&shuffled(&doc, seed));
        prop_assert!(r1 == r2, "report changed: {}", first_difference(&r1, &r2));
        prop_assert!(p1 == p2, "plan changed: {}", first_difference(&p1, &p2));
    }

    /// Reading, writing and reading again gives the same model and the same bytes.
    #[test]
    fn json_round_trips_preserve_the_model(doc in document(60, true)) {
        let wf = api::parse_value(&doc).expect("reads");
        let text = api::to_json(&wf);
        let again = api::parse_str(&text).expect("re-reads");
        let text2 = api::to_json(&again);
        prop_assert!(text == text2, "output changed: {}", first_difference(&text, &text2));
        let what = wf
            .nodes
            .iter()
            .zip(&again.nodes)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("{a:?}\n  became\n{b:?}"))
            .or_else(|| wf.connections.iter().zip(&again.connections).find(|(a, b)| a != b).map(|(a, b)| format!("{a:?}\n  became\n{b:?}")))
            .unwrap_or_else(|| "top level".into());
        prop_assert!(wf == again, "model changed: {}", what);
    }

    /// Reading JSON text (streamed) and reading the parsed value give the same workflow and
    /// the same report.
    #[test]
    fn text_and_value_paths_agree(doc in document(80, true)) {
        let from_value = api::parse_value(&doc).expect("reads");
        let from_text = api::parse_str(&doc.to_string()).expect("reads");
        prop_assert!(from_value == from_text, "models differ");
        let a = serde_json::to_string(&api::validate(&from_value)).expect("json");
        let b = serde_json::to_string(&api::validate(&from_text)).expect("json");
        prop_assert!(a == b, "reports differ: {}", first_difference(&a, &b));
    }

    /// Arbitrary bytes never panic the parser.
    #[test]
    fn arbitrary_bytes_are_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = api::parse_bytes(&bytes);
    }

    /// Arbitrary JSON values never panic reading, validation or planning.
    #[test]
    fn arbitrary_values_never_panic(v in value()) {
        if let Ok(wf) = api::parse_value(&v) {
            let _ = api::validate(&wf);
            let _ = api::plan(&wf);
        }
        let wrapped = json!({"schemaVersion": "1.0", "id": "x", "name": "x", "nodes": [v.clone()], "connections": [v]});
        let wf = api::parse_value(&wrapped).expect("objects always read");
        let _ = api::validate(&wf);
        let _ = api::plan(&wf);
    }
}

fn dag(n: usize, edges: &[(usize, usize)], perm: &[usize]) -> Value {
    let nodes: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("a{}", perm[i]), "type": "celestra-app", "position": {"x": 0, "y": 0},
                   "data": {"name": format!("app-{}", perm[i]), "properties": {"image": "nginx:1.27"}}})
        })
        .collect();
    let conns: Vec<Value> = edges
        .iter()
        .enumerate()
        .map(|(k, (s, t))| json!({"id": format!("e{k}"), "source": format!("a{}", perm[*s]), "target": format!("a{}", perm[*t])}))
        .collect();
    json!({"schemaVersion": "1.0", "id": "dag", "name": "dag", "nodes": nodes, "connections": conns})
}

fn dag_case() -> impl Strategy<Value = (usize, Vec<(usize, usize)>, Vec<usize>)> {
    (2usize..60).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0..n, 0..n), 1..(3 * n)).prop_map(|pairs| {
                let mut e: Vec<(usize, usize)> = pairs
                    .into_iter()
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| (a.min(b), a.max(b)))
                    .collect();
                e.sort();
                e.dedup();
                e
            }),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random DAGs give no GRAPH_CYCLE and a plan that respects every edge; adding one
    /// back-edge always gives a GRAPH_CYCLE whose nodes form a real cycle.
    #[test]
    fn dags_have_no_cycle_and_a_back_edge_makes_one((n, edges, perm) in dag_case(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!edges.is_empty());
        let doc = dag(n, &edges, &perm);
        let wf = api::parse_value(&doc).expect("reads");
        prop_assert!(!api::validate(&wf).has(Code::GraphCycle));
        let plan = api::plan(&wf).expect("a DAG always plans");
        for (s, t) in &edges {
            let ws = plan.step_of(&format!("a{}", perm[*s])).expect("step").0.index;
            let wt = plan.step_of(&format!("a{}", perm[*t])).expect("step").0.index;
            prop_assert!(ws < wt, "edge {s}->{t} runs in waves {ws} and {wt}");
        }
        // Back-edge closing a path s -> t.
        let (s, t) = edges[pick.index(edges.len())];
        let mut with_back = edges.clone();
        with_back.push((t, s));
        let doc = dag(n, &with_back, &perm);
        let wf = api::parse_value(&doc).expect("reads");
        let report = api::validate(&wf);
        let cycle = report.errors.iter().find(|d| d.code == Code::GraphCycle);
        prop_assert!(cycle.is_some(), "no GRAPH_CYCLE after adding {t}->{s}");
        let related = &cycle.expect("checked").related;
        let ids: Vec<&str> = related.iter().map(|r| r.node_id.as_deref().expect("node")).collect();
        let is_edge = |a: &str, b: &str| with_back.iter().any(|(x, y)| format!("a{}", perm[*x]) == a && format!("a{}", perm[*y]) == b);
        for k in 0..ids.len() {
            prop_assert!(is_edge(ids[k], ids[(k + 1) % ids.len()]), "{} -> {} is not an edge", ids[k], ids[(k + 1) % ids.len()]);
        }
        prop_assert!(api::plan(&wf).is_err());
    }
}

#[test]
fn synthetic_graphs_are_valid_and_shuffle_invariant() {
    for n in [10, 100, 1000] {
        let doc = synthetic(n, 7);
        let wf = api::parse_value(&doc).expect("reads");
        assert_eq!(wf.nodes.len(), n);
        let r = api::validate(&wf);
        assert!(
            r.is_valid,
            "synthetic({n}) has errors: {:?}",
            &r.errors[..r.errors.len().min(3)]
        );
        let a = report_and_plan(&doc);
        for seed in 0..3 {
            assert_eq!(
                a,
                report_and_plan(&shuffled(&doc, seed)),
                "n={n} seed={seed}"
            );
        }
    }
}

#[test]
fn fixtures_are_shuffle_invariant_and_round_trip() {
    for p in celestra_fixtures::valid_workflows() {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        let a = report_and_plan(&doc);
        for seed in 0..5 {
            assert_eq!(
                a,
                report_and_plan(&shuffled(&doc, seed)),
                "{} seed={seed}",
                p.display()
            );
        }
        let wf = api::parse_value(&doc).expect("reads");
        let again = api::parse_str(&api::to_json(&wf)).expect("re-reads");
        assert_eq!(wf, again, "{}", p.display());
    }
}
