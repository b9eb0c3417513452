//! The five example workflows of workflow-format.md §6 give exactly the results the spec
//! states: findings, waves and objects.

use celestra_core::plan::Plan;
use celestra_core::{Code, Mode, Report, Severity, ValidateOptions, Workflow, api};
use celestra_fixtures::fixtures_dir;
use std::collections::BTreeSet;

fn load(rel: &str) -> Workflow {
    let p = fixtures_dir().join(rel);
    api::parse_str(&std::fs::read_to_string(&p).expect("fixture")).expect("parses")
}

fn codes(r: &Report, sev: Severity) -> BTreeSet<(String, Option<String>)> {
    r.iter()
        .filter(|d| d.severity == sev)
        .map(|d| (d.code.as_str().to_owned(), d.node_id.clone()))
        .collect()
}

fn set(items: &[(&str, Option<&str>)]) -> BTreeSet<(String, Option<String>)> {
    items
        .iter()
        .map(|(c, n)| ((*c).to_owned(), n.map(str::to_owned)))
        .collect()
}

fn waves(p: &Plan) -> Vec<BTreeSet<String>> {
    p.waves
        .iter()
        .map(|w| w.steps.iter().map(|s| s.name.clone()).collect())
        .collect()
}

fn names(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn objects(p: &Plan) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in p.steps() {
        for o in &s.objects {
            out.insert(format!("{}/{}", o.kind, o.name));
        }
        for a in &s.attached {
            for o in &a.objects {
                out.insert(format!("{}/{}", o.kind, o.name));
            }
        }
    }
    out
}

#[test]
fn ex1_hello_world() {
    let wf = load("workflows/ex1-hello-world.json");
    let r = api::validate(&wf);
    assert!(r.is_valid);
    assert_eq!(
        codes(&r, Severity::Warning),
        set(&[
            ("APP_NO_HEALTH_CHECK", Some("n1")),
            ("RESOURCE_LIMITS_MISSING", Some("n1")),
            ("NETWORK_POLICIES_ABSENT", None)
        ])
    );
    assert_eq!(
        codes(&r, Severity::Info),
        set(&[
            ("PORT_PRIVILEGED", Some("n1")),
            ("PORT_PRIVILEGED", Some("n2"))
        ])
    );
    let p = api::plan(&wf).expect("plan");
    assert_eq!(waves(&p), vec![names(&["hello"]), names(&["hello-svc"])]);
    // Native output: no implicit `hello` Service, because hello-svc selects the App (D1).
    assert_eq!(
        objects(&p),
        names(&["Deployment/hello", "Service/hello-svc"])
    );
}

#[test]
fn ex2_database_with_migration() {
    let wf = load("workflows/ex2-postgres-migration.json");
    let r = api::validate(&wf);
    assert!(r.is_valid);
    assert_eq!(
        codes(&r, Severity::Warning),
        set(&[("NETWORK_POLICIES_ABSENT", None)])
    );
    let p = api::plan(&wf).expect("plan");
    assert_eq!(
        waves(&p),
        vec![
            names(&["pg-auth", "pg-init"]),
            names(&["pg"]),
            names(&["pg-rw"]),
            names(&["pg-migrate"])
        ]
    );
    assert_eq!(
        objects(&p),
        names(&[
            "Secret/pg-auth",
            "ConfigMap/pg-init",
            "StatefulSet/pg",
            "Service/pg",
            "CronJob/pg-backup",
            "PersistentVolumeClaim/pg-backup",
            "Service/pg-rw",
            "Job/pg-migrate"
        ])
    );
}

#[test]
fn ex3_microservice() {
    let wf = load("workflows/ex3-microservice.json");
    let r = api::validate(&wf);
    assert!(r.is_valid, "{:?}", r.errors);
    assert_eq!(
        codes(&r, Severity::Warning),
        set(&[
            ("APP_NO_HEALTH_CHECK", Some("pg")),
            ("RESOURCE_LIMITS_MISSING", Some("bk"))
        ])
    );
    assert_eq!(
        codes(&r, Severity::Info),
        set(&[("PORT_PRIVILEGED", Some("svc"))])
    );
    let p = api::plan(&wf).expect("plan");
    // §3.5 "Worked waves for Example 3".
    assert_eq!(
        waves(&p),
        vec![
            names(&["shop"]),
            names(&[
                "db-credentials",
                "shop-tls",
                "api-config",
                "api-sa",
                "api-netpol"
            ]),
            names(&["api-reader", "postgres"]),
            names(&["api", "db-backup"]),
            names(&["api-svc"]),
            names(&["shop-ingress"]),
        ]
    );
    let objs = objects(&p);
    for o in [
        "Namespace/shop",
        "ResourceQuota/shop-quota",
        "Secret/db-credentials",
        "Secret/shop-tls",
        "ConfigMap/api-config",
        "ServiceAccount/api-sa",
        "Role/api-reader",
        "RoleBinding/api-reader-api-sa",
        "NetworkPolicy/api-netpol",
        "StatefulSet/postgres",
        "Service/postgres",
        "Deployment/api",
        "CronJob/db-backup",
        "Service/api-svc",
        "Ingress/shop-ingress",
    ] {
        assert!(objs.contains(o), "missing {o} in {objs:?}");
    }
    assert!(
        !objs.contains("Service/api"),
        "api is selected by api-svc: no implicit Service"
    );
    // Readiness gates and reasons.
    let (_, api_step) = p.step_of("api").expect("api step");
    assert_eq!(
        api_step.readiness[0].gate,
        celestra_core::plan::Gate::DeploymentAvailable
    );
    let waits: BTreeSet<&str> = api_step.waits_for.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        waits,
        [
            "api-config",
            "api-netpol",
            "api-reader",
            "db-credentials",
            "postgres",
            "shop"
        ]
        .into_iter()
        .collect()
    );
    let (w0, shop) = p.step_of("g0").expect("group step");
    assert_eq!(w0.index, 0);
    assert_eq!(
        shop.readiness[0].gate,
        celestra_core::plan::Gate::NamespaceActive
    );
}

#[test]
fn ex4_canary_observability_crd() {
    let wf = load("workflows/ex4-canary-observability-crd.json");
    let r = api::validate(&wf);
    assert!(r.is_valid, "{:?}", r.errors);
    let p = api::plan(&wf).expect("plan");
    assert_eq!(
        waves(&p),
        vec![
            names(&["paymentprovider"]),
            names(&["checkout"]),
            names(&["checkout-svc"])
        ]
    );
    let (_, app) = p.step_of("app").expect("app step");
    assert_eq!(app.attached.len(), 1);
    assert_eq!(app.attached[0].name, "checkout-canary");
    let (_, svc) = p.step_of("svc").expect("svc step");
    assert_eq!(svc.attached[0].name, "checkout-obs");
    let objs = objects(&p);
    for o in [
        "CustomResourceDefinition/paymentproviders.payments.acme.io",
        "PaymentProvider/stripe",
        "Rollout/checkout",
        "AnalysisTemplate/checkout-canary-analysis",
        "ServiceMonitor/checkout-obs-checkout-svc",
        "PrometheusRule/checkout-obs-alerts",
        "ConfigMap/checkout-obs-logging-config",
        "ConfigMap/checkout-obs-tracing-config",
    ] {
        assert!(objs.contains(o), "missing {o} in {objs:?}");
    }
    let (_, crd) = p.step_of("crd").expect("crd step");
    assert_eq!(
        crd.readiness[0].gate,
        celestra_core::plan::Gate::CrdEstablished
    );
}

#[test]
fn ex5_invalid_on_purpose() {
    let wf = load("invalid/ex5-invalid.json");
    let r = api::validate(&wf);
    assert!(!r.is_valid);
    let errors: BTreeSet<&str> = r.errors.iter().map(|d| d.code.as_str()).collect();
    for c in [
        "NAME_FORMAT",
        "PORT_RANGE",
        "REPLICAS_RANGE",
        "IMAGE_REQUIRED",
        "QUANTITY_FORMAT",
        "SECRET_EMPTY",
        "VALUE_SENTINEL",
        "HOST_FORMAT",
        "CRON_SCHEDULE",
        "GRAPH_CYCLE",
        "CONN_INVALID_PAIR",
        "CONN_UNKNOWN_NODE",
        "ING_NO_BACKEND",
    ] {
        assert!(errors.contains(c), "missing error {c}; got {errors:?}");
    }
    let warnings: BTreeSet<&str> = r.warnings.iter().map(|d| d.code.as_str()).collect();
    assert!(
        warnings.contains("IMAGE_LATEST") && warnings.contains("SVC_NO_SELECTOR"),
        "{warnings:?}"
    );
    // The cycle names every node on it, in order, with the connections between them.
    let cycle = r
        .errors
        .iter()
        .find(|d| d.code == Code::GraphCycle)
        .expect("cycle");
    let path: Vec<(Option<&str>, Option<&str>)> = cycle
        .related
        .iter()
        .map(|x| (x.node_id.as_deref(), x.connection_id.as_deref()))
        .collect();
    assert_eq!(path, vec![(Some("a"), Some("x1")), (Some("b"), Some("x2"))]);
    assert_eq!(cycle.message, "dependency cycle: front → back → front");
    // Both invalid pairs are reported on their connection, the CronJob one with a hint.
    let pairs: Vec<&celestra_core::Diagnostic> = r
        .errors
        .iter()
        .filter(|d| d.code == Code::ConnInvalidPair)
        .collect();
    assert_eq!(
        pairs
            .iter()
            .map(|d| d.connection_id.as_deref().unwrap_or(""))
            .collect::<Vec<_>>(),
        vec!["x3", "x4"]
    );
    assert!(pairs[1].hint.as_deref().unwrap_or("").contains("Job"));
    // The plan refuses the cycle with the same finding.
    let e = api::plan(&wf).expect_err("cycle");
    assert_eq!(e.code(), "PLAN_BLOCKED");
    assert_eq!(e.diagnostics()[0].code, Code::GraphCycle);
}

#[test]
fn image_required_is_a_warning_while_editing() {
    let wf = load("invalid/ex5-invalid.json");
    let live = api::validate_with(
        &wf,
        &ValidateOptions {
            mode: Mode::Live,
            target: None,
        },
    );
    let d = live
        .iter()
        .find(|d| d.code == Code::ImageRequired)
        .expect("reported");
    assert_eq!(d.severity, Severity::Warning);
    let generate = api::validate(&wf);
    let d = generate
        .iter()
        .find(|d| d.code == Code::ImageRequired)
        .expect("reported");
    assert_eq!(d.severity, Severity::Error);
}

fn parse(v: serde_json::Value) -> Workflow {
    api::parse_value(&v).expect("reads")
}

fn app(id: &str, name: &str, parent: Option<&str>) -> serde_json::Value {
    let mut n = serde_json::json!({"id": id, "type": "celestra-app", "position": {"x": 0, "y": 0},
        "data": {"name": name, "properties": {"image": "nginx:1.27", "port": 8080}}});
    if let Some(p) = parent {
        n["parent"] = serde_json::json!(p);
    }
    n
}

#[test]
fn duplicate_connection_ids_do_not_make_results_order_dependent() {
    let solid = serde_json::json!({"id": "c1", "source": "a", "target": "b", "style": "solid"});
    let dashed = serde_json::json!({"id": "c1", "source": "a", "target": "b", "style": "dashed"});
    let doc = |conns: serde_json::Value| {
        parse(
            serde_json::json!({"schemaVersion": "1.0", "id": "w", "name": "w",
            "nodes": [app("a", "db", None), app("b", "api", None)], "connections": conns}),
        )
    };
    let x = doc(serde_json::json!([solid.clone(), dashed.clone()]));
    let y = doc(serde_json::json!([dashed, solid]));
    assert_eq!(api::validate(&x), api::validate(&y));
    assert_eq!(api::plan(&x).expect("plan"), api::plan(&y).expect("plan"));
}

#[test]
fn an_attached_node_waits_for_its_group_through_its_target() {
    let wf = parse(
        serde_json::json!({"schemaVersion": "1.0", "id": "w", "name": "w",
        "nodes": [
            {"id": "g", "type": "celestra-appgroup", "position": {"x": 0, "y": 0},
             "data": {"name": "mon", "properties": {"namespace": "monitoring"}}},
            {"id": "o", "type": "celestra-observability", "parent": "g", "position": {"x": 0, "y": 0},
             "data": {"name": "api-obs", "properties": {"logging": "Fluentd"}}},
            app("a", "api", None)],
        "connections": [{"id": "c1", "source": "o", "target": "a"}]}),
    );
    let p = api::plan(&wf).expect("plan");
    let (wave, step) = p.step_of("a").expect("api step");
    assert_eq!(
        wave.index, 1,
        "api (carrying the observability objects) runs after the namespace"
    );
    assert_eq!(step.attached[0].name, "api-obs");
    assert!(matches!(
        &step.waits_for[0].reason,
        celestra_core::plan::WaitReason::Attached { attached_name, .. } if attached_name == "api-obs"
    ));
}

#[test]
fn a_service_without_ports_exposes_its_workloads_first_port() {
    let wf = parse(
        serde_json::json!({"schemaVersion": "1.0", "id": "w", "name": "w",
        "nodes": [app("a", "api", None),
            {"id": "s", "type": "celestra-service", "position": {"x": 0, "y": 0},
             "data": {"name": "api-svc", "properties": {}}},
            {"id": "i", "type": "celestra-ingress", "position": {"x": 0, "y": 0},
             "data": {"name": "edge", "properties": {"host": "shop.example.com"}}}],
        "connections": [{"id": "c1", "source": "a", "target": "s"},
                        {"id": "c2", "source": "s", "target": "i", "data": {"port": 8080}}]}),
    );
    let r = api::validate(&wf);
    assert!(!r.has(Code::IngBackendPort), "{:?}", r.errors);
    assert!(r.is_valid);
}

#[test]
fn a_service_consumed_across_namespaces_is_a_mismatch() {
    let wf = parse(
        serde_json::json!({"schemaVersion": "1.0", "id": "w", "name": "w", "namespace": "platform",
        "nodes": [
            {"id": "g", "type": "celestra-appgroup", "position": {"x": 0, "y": 0},
             "data": {"name": "billing", "properties": {}}},
            app("w1", "worker", Some("g")),
            app("a", "api", None),
            {"id": "s", "type": "celestra-service", "position": {"x": 0, "y": 0},
             "data": {"name": "api-svc", "properties": {"port": 80, "targetPort": 8080}}}],
        "connections": [{"id": "c1", "source": "a", "target": "s"}, {"id": "c2", "source": "s", "target": "w1"}]}),
    );
    let r = api::validate(&wf);
    let d = r
        .errors
        .iter()
        .find(|d| d.code == Code::NamespaceMismatch)
        .expect("mismatch");
    assert_eq!(d.connection_id.as_deref(), Some("c2"));
}

#[test]
fn thousands_of_same_named_nodes_give_bounded_findings() {
    let nodes: Vec<serde_json::Value> = (0..2000)
        .map(|i| serde_json::json!({"id": format!("s{i}"), "type": "celestra-secret", "position": {"x": 0, "y": 0},
            "data": {"name": "same", "properties": {"data": {"k": "v"}}}}))
        .collect();
    let wf = parse(
        serde_json::json!({"schemaVersion": "1.0", "id": "w", "name": "w", "nodes": nodes, "connections": []}),
    );
    let r = api::validate(&wf);
    let dups: Vec<_> = r
        .errors
        .iter()
        .filter(|d| d.code == Code::NameDuplicate)
        .collect();
    assert_eq!(dups.len(), 2000);
    assert!(
        dups.iter()
            .all(|d| d.related.len() <= 5 && d.message.ends_with("and 1994 more"))
    );
}
