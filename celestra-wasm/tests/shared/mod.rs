//! Tests of the exported JS API inside a real JS engine; `node.rs` runs them in Node,
//! `browser.rs` in headless Chromium (wasm-bindgen-test-runner + chromedriver).

mod fixtures;

use celestra_core::generate::GenerateOptions;
use celestra_core::{Target, api};
use celestra_wasm::{
    Session, analyze, diagnostic_codes, error_codes, generate, plan, schema, validate,
};
use fixtures::FIXTURES;
use js_sys::{JSON, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const TARGETS: [&str; 4] = ["kubernetes", "compose", "helm", "dsl"];

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("an object")
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v)
        .expect("JSON")
        .as_string()
        .expect("a string")
}

/// The body of an insta snapshot (what follows its `---` header), as the Rust suite compares.
fn snapshot_body(snap: &str) -> String {
    let end = snap[4..].find("\n---\n").expect("insta header") + 4 + 5;
    snap[end..].trim_end_matches('\n').replace("\r\n", "\n")
}

/// The snapshot text of a generation's files (`all_text` in tests/suite/generate.rs).
fn all_text(files: &JsValue) -> String {
    let keys = js_sys::Object::keys(files.unchecked_ref::<js_sys::Object>());
    let mut names: Vec<String> = keys.iter().map(|k| k.as_string().expect("key")).collect();
    names.sort();
    let parts: Vec<String> = names
        .iter()
        .map(|k| format!("### {k}\n{}", get(files, k).as_string().expect("text")))
        .collect();
    parts
        .join("\n")
        .trim_end_matches('\n')
        .replace("\r\n", "\n")
}

/// The thrown value as (name, code, message); panics if it is not a JS Error.
fn error_parts(e: &JsValue) -> (String, String, String) {
    let err = e.dyn_ref::<js_sys::Error>().expect("a real JS Error");
    (
        String::from(err.name()),
        get(e, "code").as_string().expect("a code"),
        String::from(err.message()),
    )
}

#[wasm_bindgen_test]
fn every_fixture_generates_the_snapshot_bytes_for_every_target() {
    for (name, text, snaps) in FIXTURES {
        let input = JsValue::from_str(text);
        for (target, snap) in TARGETS.iter().zip(snaps) {
            let g = generate(&input, target, None).expect("generates");
            assert_eq!(
                all_text(&get(&g, "files")),
                snapshot_body(snap),
                "{name} {target}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn results_carry_exactly_what_the_core_returns() {
    for (name, text, _) in FIXTURES.iter().step_by(3) {
        let wf = api::parse_str(text).expect("parses");
        let input = JsValue::from_str(text);
        let report = validate(&input, None).expect("validates");
        assert_eq!(
            stringify(&report),
            serde_json::to_string(&api::validate(&wf)).unwrap(),
            "{name}"
        );
        let p = plan(&input).expect("plans");
        assert_eq!(
            stringify(&p),
            serde_json::to_string(&api::plan(&wf).unwrap()).unwrap(),
            "{name}"
        );
        let g = generate(&input, "helm", None).expect("generates");
        let native = api::generate(&wf, Target::Helm, &GenerateOptions::default()).unwrap();
        assert_eq!(
            stringify(&g),
            serde_json::to_string(&native).unwrap(),
            "{name}"
        );
        // The same document as a JS object and as UTF-8 bytes gives the same result.
        let obj = JSON::parse(text).unwrap();
        assert_eq!(stringify(&plan(&obj).unwrap()), stringify(&p), "{name}");
        let bytes: JsValue = js_sys::Uint8Array::from(text.as_bytes()).into();
        assert_eq!(stringify(&plan(&bytes).unwrap()), stringify(&p), "{name}");
    }
}

#[wasm_bindgen_test]
fn analyze_gives_the_live_report_and_the_plan_of_one_pass() {
    let live = JSON::parse(r#"{"live": true}"#).unwrap();
    for (name, text, _) in FIXTURES {
        let input = JsValue::from_str(text);
        let a = analyze(&input, Some(live.clone())).expect("analyzes");
        assert_eq!(
            stringify(&get(&a, "report")),
            stringify(&validate(&input, Some(live.clone())).unwrap()),
            "{name}"
        );
        assert_eq!(
            stringify(&get(&a, "plan")),
            stringify(&plan(&input).unwrap()),
            "{name}"
        );
    }
    // A cycle: no plan, and the report names it.
    let cycle = include_str!(
        "../../../tests/fixtures/invalid/GRAPH_CYCLE/two-apps-wait-for-each-other.json"
    );
    let a = analyze(&JsValue::from_str(cycle), None).expect("analyzes");
    assert!(get(&a, "plan").is_null());
    assert!(stringify(&get(&a, "report")).contains("GRAPH_CYCLE"));
    assert!(plan(&JsValue::from_str(cycle)).is_err());
}

#[wasm_bindgen_test]
fn malformed_json_throws_a_parse_error_with_its_position() {
    let e = plan(&JsValue::from_str("{\n  \"nodes\": [")).unwrap_err();
    let (name, code, message) = error_parts(&e);
    assert_eq!((name.as_str(), code.as_str()), ("ParseError", "PARSE"));
    assert!(message.contains("line 2"), "{message}");
    assert_eq!(get(&e, "line").as_f64(), Some(2.0));
    assert!(get(&e, "column").as_f64().is_some());
    assert_eq!(js_sys::Array::from(&get(&e, "diagnostics")).length(), 0);
}

#[wasm_bindgen_test]
fn values_that_are_not_json_are_refused_by_name() {
    let cyclic = js_sys::Object::new();
    Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let big = js_sys::BigInt::from(5u64);
    let holder = js_sys::Object::new();
    Reflect::set(&holder, &"nodes".into(), &big.into()).unwrap();
    for bad in [
        cyclic.into(),
        holder.into(),
        JsValue::UNDEFINED,
        JsValue::symbol(Some("x")),
    ] {
        let e = validate(&bad, None).unwrap_err();
        let (name, code, message) = error_parts(&e);
        assert_eq!(
            (name.as_str(), code.as_str()),
            ("ParseError", "PARSE"),
            "{message}"
        );
        assert!(
            message.starts_with("workflow: not a JSON value"),
            "{message}"
        );
    }
    // JSON, but not a workflow document.
    let e = validate(&JsValue::from_str("[1, 2]"), None).unwrap_err();
    assert_eq!(error_parts(&e).1, "SHAPE");
}

#[wasm_bindgen_test]
fn a_workflow_with_errors_is_refused_with_the_findings_validate_gives() {
    let doc = include_str!("../../../tests/fixtures/invalid/ex5-invalid.json");
    let input = JsValue::from_str(doc);
    let e = generate(&input, "kubernetes", None).unwrap_err();
    let (name, code, _) = error_parts(&e);
    assert_eq!(
        (name.as_str(), code.as_str()),
        ("ValidationError", "INVALID")
    );
    let report = validate(&input, None).unwrap();
    assert!(!get(&report, "isValid").as_bool().unwrap());
    assert_eq!(
        stringify(&get(&e, "diagnostics")),
        stringify(&get(&report, "errors"))
    );
}

#[wasm_bindgen_test]
fn bad_targets_and_options_are_generate_errors_naming_the_problem() {
    let input = JsValue::from_str(FIXTURES[2].1);
    let e = generate(&input, "terraform", None).unwrap_err();
    let (name, code, message) = error_parts(&e);
    assert_eq!((name.as_str(), code.as_str()), ("GenerateError", "OPTION"));
    assert!(message.contains("terraform"), "{message}");
    let typo = JSON::parse(r#"{"redactSecret": true}"#).unwrap();
    let (_, code, message) =
        error_parts(&generate(&input, "helm", Some(typo.clone())).unwrap_err());
    assert_eq!(code, "OPTION");
    assert!(message.contains("redactSecret"), "{message}");
    let old = JSON::parse(r#"{"kubernetesVersion": "1.5"}"#).unwrap();
    assert_eq!(
        error_parts(&generate(&input, "kubernetes", Some(old.clone())).unwrap_err()).1,
        "OPTION"
    );
    let live = JSON::parse(r#"{"live": "yes"}"#).unwrap();
    assert_eq!(
        error_parts(&validate(&input, Some(live.clone())).unwrap_err()).1,
        "OPTION"
    );
}

#[wasm_bindgen_test]
fn options_reach_the_engine() {
    let input = JsValue::from_str(FIXTURES[0].1); // batch-etl-cronjobs
    let opts = JSON::parse(r#"{"kubernetesVersion": "1.20", "layout": "perObject"}"#).unwrap();
    let g = generate(&input, "kubernetes", Some(opts.clone())).unwrap();
    let files = get(&g, "files");
    let names = js_sys::Object::keys(files.unchecked_ref::<js_sys::Object>());
    assert!(names.length() > 1);
    let text: String = names
        .iter()
        .map(|k| get(&files, &k.as_string().unwrap()).as_string().unwrap())
        .collect();
    assert!(text.contains("apiVersion: batch/v1beta1"));
    let ms = JsValue::from_str(FIXTURES[4].1); // ex3-microservice has a Secret
    let plain = stringify(&get(&generate(&ms, "compose", None).unwrap(), "files"));
    let redacted = JSON::parse(r#"{"redactSecrets": true}"#).unwrap();
    let red = stringify(&get(
        &generate(&ms, "compose", Some(redacted.clone())).unwrap(),
        "files",
    ));
    assert!(red != plain && red.contains("<redacted>"));
    let live = JSON::parse(r#"{"live": true, "target": "compose"}"#).unwrap();
    assert!(validate(&ms, Some(live.clone())).is_ok());
}

#[wasm_bindgen_test]
fn catalogues() {
    let codes = js_sys::Array::from(&diagnostic_codes().unwrap());
    assert_eq!(codes.length() as usize, api::codes().len());
    let first = codes.get(0);
    for key in ["code", "severity", "title", "why", "fix"] {
        assert!(get(&first, key).is_string(), "{key}");
    }
    let errs = error_codes().unwrap();
    for code in [
        "PARSE",
        "SHAPE",
        "TOO_LARGE",
        "PLAN_BLOCKED",
        "INVALID",
        "OPTION",
    ] {
        assert!(get(&errs, code).is_string(), "{code}");
    }
    assert_eq!(
        get(&schema().unwrap(), "type").as_string().as_deref(),
        Some("object")
    );
}

/// The workflow with its first node that has an image given `registry.example/web:9.9`, and
/// that node.
fn with_new_image(text: &str) -> (serde_json::Value, serde_json::Value) {
    let mut doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let node = doc["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["data"]["properties"].get("image").is_some())
        .expect("a node with an image");
    node["data"]["properties"]["image"] = "registry.example/web:9.9".into();
    let edited = node.clone();
    (doc, edited)
}

#[wasm_bindgen_test]
fn a_session_regenerates_an_edit_as_a_full_generation_would() {
    let text = FIXTURES[4].1; // ex3-microservice
    let mut s = Session::new(
        &JsValue::from_str(text),
        &JsValue::from_str("kubernetes"),
        None,
    )
    .unwrap();
    assert_eq!(s.target(), "kubernetes");
    let (doc, edited) = with_new_image(text);
    let u = s
        .update_node(&JsValue::from_str(&edited.to_string()))
        .unwrap();
    assert!(!get(&u, "full").as_bool().unwrap());
    let full = generate(&JsValue::from_str(&doc.to_string()), "kubernetes", None).unwrap();
    assert_eq!(
        stringify(&s.files(None).unwrap()),
        stringify(&get(&full, "files"))
    );
    assert!(
        s.file("manifests.yaml", None)
            .unwrap()
            .unwrap()
            .contains("registry.example/web:9.9")
    );
    assert_eq!(s.paths(None).unwrap(), vec!["manifests.yaml".to_owned()]);
    assert!(s.last_error().is_undefined());
    // An edit that introduces an error is refused; the last good output stays.
    let before = stringify(&s.files(None).unwrap());
    let mut bad = edited.clone();
    bad["data"]["properties"]["image"] = "".into();
    let e = s
        .update_node(&JsValue::from_str(&bad.to_string()))
        .unwrap_err();
    assert_eq!(error_parts(&e).1, "INVALID");
    assert_eq!(stringify(&s.files(None).unwrap()), before);
    assert_eq!(error_parts(&s.last_error()).0, "ValidationError");
    // Repaired, and the ledger and generated() match a full generation.
    s.update_node(&JsValue::from_str(&edited.to_string()))
        .unwrap();
    assert!(s.last_error().is_undefined());
    assert_eq!(stringify(&s.generated(None).unwrap()), stringify(&full));
    assert_eq!(
        stringify(&s.ledger(None).unwrap()),
        stringify(&get(&full, "ledger"))
    );
    let id = edited["id"].as_str().unwrap();
    let u = s.remove_node(id).unwrap();
    assert!(get(&u, "full").as_bool().unwrap());
    assert!(
        !s.file("manifests.yaml", None)
            .unwrap()
            .unwrap()
            .contains("registry.example/web:9.9")
    );
    let e = s.update_node(&JsValue::from_str("{\"id\": ")).unwrap_err();
    assert_eq!(error_parts(&e).1, "PARSE");
}

#[wasm_bindgen_test]
fn a_session_of_several_targets_keeps_each_equal_to_its_full_generation() {
    let text = FIXTURES[4].1; // ex3-microservice
    let list = js_sys::Array::of2(&"helm".into(), &"dsl".into());
    let mut s = Session::new(&JsValue::from_str(text), &list, None).unwrap();
    assert_eq!(s.target(), "helm");
    assert_eq!(s.targets(), vec!["helm".to_owned(), "dsl".to_owned()]);
    // Not kept yet: named in the error; then added from the session's analysis.
    let e = s.files(Some("compose".into())).unwrap_err();
    assert_eq!(error_parts(&e).1, "OPTION");
    assert!(
        error_parts(&e).2.contains("addTarget"),
        "{}",
        error_parts(&e).2
    );
    let u = s.add_target("compose").unwrap();
    assert!(get(&u, "full").as_bool().unwrap());
    let (doc, edited) = with_new_image(text);
    let u = s
        .update_node(&JsValue::from_str(&edited.to_string()))
        .unwrap();
    assert!(!get(&u, "full").as_bool().unwrap());
    for t in ["helm", "dsl", "compose"] {
        let full = generate(&JsValue::from_str(&doc.to_string()), t, None).unwrap();
        assert_eq!(
            stringify(&s.generated(Some(t.into())).unwrap()),
            stringify(&full),
            "{t}"
        );
        assert_eq!(
            stringify(&s.warnings(Some(t.into())).unwrap()),
            stringify(&get(&full, "warnings")),
            "{t}"
        );
    }
    assert_eq!(
        stringify(&s.files(None).unwrap()),
        stringify(&s.files(Some("helm".into())).unwrap())
    );
    let Err(e) = Session::new(&JsValue::from_str(text), &JsValue::from(7), None) else {
        panic!("a number is not a target");
    };
    assert_eq!(error_parts(&e).1, "OPTION");
    let Err(e) = Session::new(&JsValue::from_str(text), &js_sys::Array::new(), None) else {
        panic!("a session needs a target");
    };
    assert_eq!(error_parts(&e).1, "OPTION");
}
