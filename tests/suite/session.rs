//! The incremental session: after every edit its output equals a full `generate()` of the edited
//! workflow, byte for byte (files, ledger, warnings, or the same refusal), for every target and
//! for sessions keeping several targets (given at the start or added later); value edits take
//! the fast path and regenerate only the edited node and its neighbours.

use celestra_core::generate::{GenerateOptions, Session};
use celestra_core::{Target, api};
use celestra_fixtures::{Rng, synthetic, valid_workflows};
use proptest::prelude::*;
use serde_json::{Value, json};

const TARGETS: [Target; 4] = [
    Target::Kubernetes,
    Target::Compose,
    Target::Helm,
    Target::Dsl,
];

/// One edit of the JSON document; returns the id of the edited node (for `update_node`), or
/// `None` when the edit must go through `set_workflow` (connections) or `remove_node`.
#[derive(Debug, Clone)]
enum Edit {
    /// A value property (fast path when valid).
    Value(usize, u32),
    /// A property that changes structure (labels, name, a Secret key...).
    Structural(usize, u32),
    /// An invalid value (the session refuses, keeps its last output), later repaired.
    Invalid(usize),
    /// Drop a node.
    Remove(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (any::<usize>(), any::<u32>()).prop_map(|(n, v)| Edit::Value(n, v)),
        2 => (any::<usize>(), any::<u32>()).prop_map(|(n, v)| Edit::Structural(n, v)),
        1 => any::<usize>().prop_map(Edit::Invalid),
        1 => any::<usize>().prop_map(Edit::Remove),
    ]
}

fn node_type(n: &Value) -> &str {
    n["type"].as_str().unwrap_or_default()
}

/// Applies a value edit to the properties of `n`; false when the node type has none.
fn value_edit(n: &mut Value, v: u32) -> bool {
    let t = node_type(n).to_owned();
    let p = &mut n["data"]["properties"];
    if !p.is_object() {
        *p = json!({});
    }
    match (t.as_str(), v % 5) {
        ("celestra-app" | "celestra-statefulapp", 0) => p["replicas"] = json!(1 + v % 4),
        ("celestra-app" | "celestra-statefulapp" | "celestra-job" | "celestra-cronjob", 1) => {
            p["image"] = json!(format!("ghcr.io/acme/edited:{}.{}.0", v % 7, v % 11))
        }
        ("celestra-app" | "celestra-statefulapp" | "celestra-job" | "celestra-cronjob", 2) => {
            p["environment"] =
                json!({"EDITED": format!("value {v} with $ and {{{{ x }}}}"), "MODE": "x"})
        }
        ("celestra-app" | "celestra-statefulapp" | "celestra-job" | "celestra-cronjob", 3) => {
            p["cpuLimit"] = json!(format!("{}m", 100 + v % 900))
        }
        ("celestra-cronjob", 4) => p["schedule"] = json!(format!("{} 3 * * *", v % 60)),
        ("celestra-secret", _) => match p["data"].as_object_mut() {
            Some(d) if !d.is_empty() => {
                for val in d.values_mut() {
                    *val = json!(format!("s3cret-{v}"));
                }
            }
            _ => p["annotations"] = json!({"edited": v.to_string()}),
        },
        ("celestra-configmap", _) => match p["data"].as_object_mut() {
            Some(d) if !d.is_empty() => {
                for val in d.values_mut() {
                    *val = json!(format!("cfg-{v}"));
                }
            }
            _ => p["annotations"] = json!({"edited": v.to_string()}),
        },
        ("celestra-appgroup", _) => return false,
        _ => p["annotations"] = json!({"example.com/edited": format!("{v}")}),
    }
    true
}

fn structural_edit(n: &mut Value, v: u32) {
    let keyed = matches!(node_type(n), "celestra-secret" | "celestra-configmap");
    let p = &mut n["data"]["properties"];
    match v % 3 {
        0 => p["labels"] = json!({"tier": format!("t{}", v % 3)}),
        1 if keyed => p["data"] = json!({"NEW_KEY": "v"}),
        _ => {
            let name = n["data"]["name"].as_str().unwrap_or("x").to_owned();
            n["data"]["name"] = json!(format!("{}-r", &name[..name.len().min(50)]));
        }
    }
}

fn invalid_edit(n: &mut Value) {
    match node_type(n) {
        "celestra-app" | "celestra-statefulapp" => n["data"]["properties"]["replicas"] = json!(0),
        "celestra-job" | "celestra-cronjob" => {
            n["data"]["properties"]["cpuLimit"] = json!("2GB");
        }
        _ => n["data"]["properties"]["annotations"] = json!({"bad": "esc\u{1b}[1m"}),
    }
}

/// Session output vs a full generation of `doc`.
fn assert_same(session: &mut Session, doc: &Value, target: Target, what: &str) {
    let wf = api::parse_value(doc).expect("reads");
    match api::generate(&wf, target, &GenerateOptions::default()) {
        Ok(full) => {
            assert!(
                session.last_error().is_none(),
                "{what}: session refused a valid workflow: {:?}",
                session.last_error()
            );
            let got = session.generated_for(target).expect("generated");
            for (path, text) in &full.files {
                assert_eq!(
                    got.files.get(path),
                    Some(text),
                    "{what} {target:?}: file {path} differs"
                );
            }
            assert_eq!(
                got.files.len(),
                full.files.len(),
                "{what} {target:?}: file set"
            );
            assert_eq!(got.warnings, full.warnings, "{what} {target:?}: warnings");
            assert_eq!(got.ledger, full.ledger, "{what} {target:?}: ledger");
        }
        Err(e) => {
            let s = session
                .last_error()
                .unwrap_or_else(|| panic!("{what}: session accepted an invalid workflow ({e})"));
            assert_eq!(s.code(), e.code(), "{what}");
            assert_eq!(s.diagnostics(), e.diagnostics(), "{what}: refusal findings");
        }
    }
}

/// The targets of a session: the bits of `mask` (1..16) pick them, `rot` rotates their order.
fn targets_of(mask: usize, rot: usize) -> Vec<Target> {
    let mut t: Vec<Target> = TARGETS
        .iter()
        .enumerate()
        .filter(|(k, _)| mask & (1 << k) != 0)
        .map(|(_, t)| *t)
        .collect();
    let len = t.len().max(1);
    t.rotate_left(rot % len);
    t
}

/// Every target of the session vs a full generation of `doc`.
fn assert_all(session: &mut Session, doc: &Value, what: &str) {
    for target in session.targets() {
        assert_same(session, doc, target, what);
    }
}

/// Runs `edits` on a session of `targets`; `late` is added after the first edit.
fn run(doc0: &Value, edits: &[Edit], targets: &[Target], late: Option<Target>) {
    let mut doc = doc0.clone();
    let wf = api::parse_value(&doc).expect("reads");
    let mut session =
        Session::with_targets(wf, targets, GenerateOptions::default()).expect("session");
    assert_eq!(session.targets(), targets);
    assert_all(&mut session, &doc, "start");
    let mut broken: Option<(usize, Value)> = None;
    for (k, e) in edits.iter().enumerate() {
        let nodes = doc["nodes"].as_array().map_or(0, Vec::len);
        if nodes == 0 {
            break;
        }
        if k == 1
            && let Some(t) = late
        {
            let _ = session.add_target(t);
            assert!(session.targets().contains(&t));
            assert_all(&mut session, &doc, &format!("{t:?} added"));
        }
        let what = format!("edit {k} {e:?}");
        // Repair a pending invalid edit first, through the fast path as well.
        if let Some((at, old)) = broken.take() {
            doc["nodes"][at] = old.clone();
            let _ = session.update_node(&old);
            assert_all(&mut session, &doc, &format!("{what} (repair)"));
        }
        match e {
            Edit::Value(n, v) => {
                let at = n % nodes;
                let mut node = doc["nodes"][at].clone();
                if !value_edit(&mut node, *v) {
                    continue;
                }
                doc["nodes"][at] = node.clone();
                let valid_before = session.last_error().is_none();
                let r = session.update_node(&node);
                if let (true, Ok(u)) = (valid_before, &r) {
                    assert!(!u.full, "{what}: a value edit took the slow path");
                    assert!(
                        u.regenerated.len() <= 1 + reach2(&doc, &node["id"]),
                        "{what}: regenerated {:?}",
                        u.regenerated
                    );
                }
            }
            Edit::Structural(n, v) => {
                let at = n % nodes;
                let mut node = doc["nodes"][at].clone();
                structural_edit(&mut node, *v);
                doc["nodes"][at] = node.clone();
                let _ = session.update_node(&node);
            }
            Edit::Invalid(n) => {
                let at = n % nodes;
                let old = doc["nodes"][at].clone();
                let mut node = old.clone();
                invalid_edit(&mut node);
                doc["nodes"][at] = node.clone();
                let _ = session.update_node(&node);
                broken = Some((at, old));
            }
            Edit::Remove(n) => {
                let at = n % nodes;
                let id = doc["nodes"][at]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                doc["nodes"].as_array_mut().expect("nodes").remove(at);
                if let Some(c) = doc["connections"].as_array_mut() {
                    c.retain(|c| c["source"] != id.as_str() && c["target"] != id.as_str());
                }
                let _ = session.remove_node(&id);
            }
        }
        assert_all(&mut session, &doc, &what);
    }
}

/// Nodes within two connections of a node (an upper bound of what a value edit regenerates).
fn reach2(doc: &Value, id: &Value) -> usize {
    let conns = doc["connections"].as_array().cloned().unwrap_or_default();
    let mut seen = vec![id.clone()];
    for _ in 0..2 {
        for c in &conns {
            for (a, b) in [(&c["source"], &c["target"]), (&c["target"], &c["source"])] {
                if seen.contains(a) && !seen.contains(b) {
                    seen.push(b.clone());
                }
            }
        }
    }
    seen.len() - 1
}

fn fixture_docs() -> Vec<Value> {
    valid_workflows()
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn session_equals_full_generation_on_fixtures(
        fixture in 0usize..64,
        target in 0usize..4,
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let docs = fixture_docs();
        let doc = &docs[fixture % docs.len()];
        run(doc, &edits, &[TARGETS[target]], None);
    }

    #[test]
    fn session_equals_full_generation_on_synthetic(
        seed in 0u64..1000,
        target in 0usize..4,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        run(&synthetic(60, seed), &edits, &[TARGETS[target]], None);
    }

    #[test]
    fn a_session_of_several_targets_equals_their_full_generations(
        fixture in 0usize..64,
        mask in 1usize..16,
        rot in 0usize..4,
        late in 0usize..5,
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let docs = fixture_docs();
        let doc = &docs[fixture % docs.len()];
        run(doc, &edits, &targets_of(mask, rot), TARGETS.get(late).copied());
    }

    #[test]
    fn a_session_of_several_targets_equals_their_full_generations_on_synthetic(
        seed in 0u64..1000,
        mask in 1usize..16,
        rot in 0usize..4,
        late in 0usize..5,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        run(&synthetic(60, seed), &edits, &targets_of(mask, rot), TARGETS.get(late).copied());
    }
}

/// A value edit of every node of `doc` in a session of `targets`, each on the fast path; then
/// every target against a full generation.
fn value_edit_every_node(doc: &Value, targets: &[Target], seed: u64) {
    let mut d = doc.clone();
    let wf = api::parse_value(&d).expect("reads");
    let mut session =
        Session::with_targets(wf, targets, GenerateOptions::default()).expect("session");
    let n = d["nodes"].as_array().map_or(0, Vec::len);
    let mut rng = Rng::new(seed);
    for at in 0..n {
        let mut node = d["nodes"][at].clone();
        if !value_edit(&mut node, rng.next_u64() as u32) {
            continue;
        }
        d["nodes"][at] = node.clone();
        let u = session.update_node(&node).expect("valid edit");
        assert!(!u.full, "{} {targets:?}: {}", d["name"], node["id"]);
    }
    assert_all(&mut session, &d, &format!("{} all nodes", d["name"]));
}

#[test]
fn every_fixture_and_target_survives_a_value_edit_of_every_node() {
    for doc in fixture_docs() {
        for target in TARGETS {
            value_edit_every_node(&doc, &[target], 7);
        }
    }
}

#[test]
fn an_unchanged_node_regenerates_nothing_and_a_changed_one_does() {
    let doc = synthetic(40, 3);
    let wf = api::parse_value(&doc).expect("reads");
    for target in TARGETS {
        let mut session =
            Session::new(wf.clone(), target, GenerateOptions::default()).expect("session");
        let before = session.files().clone();
        let app = doc["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|n| n["type"] == "celestra-app")
            .expect("an App")
            .clone();
        // The same node again: nothing to do.
        let u = session.update_node(&app).expect("same node");
        assert!(!u.full && u.regenerated.is_empty(), "{target:?}: {u:?}");
        assert_eq!(session.files(), &before);
        // A new image: the fast path, the node regenerated.
        let mut edited = app.clone();
        edited["data"]["properties"]["image"] = json!("registry.example/other:2.0");
        let u = session.update_node(&edited).expect("value edit");
        assert!(
            !u.full
                && u.regenerated
                    .contains(&app["id"].as_str().unwrap().to_owned()),
            "{target:?}: {u:?}"
        );
        // The same edit again: nothing to do; back to the first node: regenerated again.
        let u = session.update_node(&edited).expect("same edit");
        assert!(!u.full && u.regenerated.is_empty(), "{target:?}: {u:?}");
        let u = session.update_node(&app).expect("undo");
        assert!(!u.full && !u.regenerated.is_empty(), "{target:?}: {u:?}");
        assert_eq!(
            session.files(),
            &before,
            "{target:?}: undoing the edit restores the output"
        );
        // A new name changes the structure: everything is regenerated.
        let mut renamed = app.clone();
        renamed["data"]["name"] = json!("renamed-app");
        assert!(
            session.update_node(&renamed).expect("rename").full,
            "{target:?}"
        );
    }
}

#[test]
fn an_unreadable_node_is_refused_and_changes_nothing() {
    let doc = synthetic(30, 1);
    let wf = api::parse_value(&doc).expect("reads");
    let mut session =
        Session::new(wf, Target::Kubernetes, GenerateOptions::default()).expect("session");
    let before = session.files().clone();
    for bad in [
        json!(42),
        json!({"type": "celestra-app"}),
        json!({"id": "x"}),
    ] {
        let e = session.update_node(&bad).expect_err("refused");
        assert_eq!(e.code(), "SHAPE");
        assert_eq!(session.files(), &before);
    }
}

#[test]
fn per_object_layout_and_redaction_hold_across_edits() {
    use celestra_core::generate::Layout;
    let opts = GenerateOptions {
        layout: Layout::PerObject,
        redact_secrets: true,
        ..GenerateOptions::default()
    };
    for doc in fixture_docs().into_iter().take(8) {
        let mut d = doc.clone();
        let wf = api::parse_value(&d).expect("reads");
        let mut session = Session::new(wf, Target::Kubernetes, opts.clone()).expect("session");
        let n = d["nodes"].as_array().map_or(0, Vec::len);
        for at in (0..n).step_by(2) {
            let mut node = d["nodes"][at].clone();
            if !value_edit(&mut node, at as u32 * 5 + 1) {
                continue;
            }
            d["nodes"][at] = node.clone();
            let u = session.update_node(&node).expect("valid edit");
            assert!(!u.full);
        }
        let full = api::generate(
            &api::parse_value(&d).expect("reads"),
            Target::Kubernetes,
            &opts,
        )
        .expect("generates");
        assert_eq!(session.files(), &full.files, "{}", d["name"]);
        assert!(full.files.len() > 1);
    }
}

#[test]
fn a_session_of_all_targets_takes_value_edits_on_the_fast_path_for_each() {
    for doc in fixture_docs() {
        value_edit_every_node(&doc, &TARGETS, 11);
    }
}

#[test]
fn targets_are_kept_once_added_late_and_refused_when_none() {
    let doc = synthetic(30, 5);
    let wf = api::parse_value(&doc).expect("reads");
    let e =
        Session::with_targets(wf.clone(), &[], GenerateOptions::default()).expect_err("no target");
    assert_eq!(e.code(), "OPTION");
    let mut session = Session::with_targets(
        wf,
        &[Target::Helm, Target::Kubernetes, Target::Helm],
        GenerateOptions::default(),
    )
    .expect("session");
    assert_eq!(session.targets(), [Target::Helm, Target::Kubernetes]);
    assert_eq!(session.target(), Target::Helm);
    assert!(session.files_for(Target::Compose).is_none());
    // A target it keeps: nothing to do.
    let u = session.add_target(Target::Kubernetes).expect("kept");
    assert!(!u.full && u.regenerated.is_empty());
    // A new one: generated from the analysis the session holds.
    let u = session.add_target(Target::Compose).expect("added");
    assert!(u.full && u.regenerated.len() == 30);
    assert!(
        session
            .files_for(Target::Compose)
            .expect("compose")
            .contains_key("docker-compose.yml")
    );
    assert_all(&mut session, &doc, "after adding Compose");
}
