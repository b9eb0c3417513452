//! Generated, committed artefacts are fresh: the JSON Schema under `schema/` and the diagnostics
//! reference `docs/diagnostics.md`. Regenerate with `make generate`.

use celestra_core::api;
use celestra_fixtures::repo_root;

fn check(rel: &str, expected: &str) {
    let path = repo_root().join(rel);
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{rel} is stale or missing; run `make generate` and commit the result"
    );
}

#[test]
fn json_schema_is_fresh() {
    let text = serde_json::to_string_pretty(&api::schema_from_types()).expect("json") + "\n";
    check("schema/workflow.schema.json", &text);
    // What the engine serves is that file, embedded.
    assert_eq!(api::schema(), api::schema_from_types());
}

#[test]
fn diagnostics_reference_is_fresh() {
    check("docs/diagnostics.md", &api::diagnostics_markdown());
}

#[test]
fn every_code_is_documented() {
    let doc = api::diagnostics_markdown();
    for c in api::codes() {
        assert!(
            doc.contains(&format!("## {}\n", c.code)),
            "{} has no section",
            c.code
        );
        assert!(
            !c.why.is_empty() && !c.fix.is_empty() && !c.example.is_empty(),
            "{} lacks docs",
            c.code
        );
    }
}

/// The generated schema is a real, working JSON Schema: an independent validator accepts every
/// valid fixture with it and rejects documents whose values have the wrong type.
#[test]
fn the_schema_accepts_the_fixtures_and_rejects_wrong_types() {
    let schema = api::schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for p in celestra_fixtures::valid_workflows() {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} fails the schema: {errors:?}",
            p.display()
        );
    }
    let dir = celestra_fixtures::fixtures_dir().join("invalid/VALUE_TYPE");
    let files = celestra_fixtures::json_files(&dir);
    assert!(!files.is_empty());
    for p in files {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        assert!(
            !validator.is_valid(&doc),
            "{} passes the schema but has a wrongly typed value",
            p.display()
        );
    }
    let dir = celestra_fixtures::fixtures_dir().join("invalid/NODE_TYPE_UNKNOWN");
    for p in celestra_fixtures::json_files(&dir) {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        assert!(
            !validator.is_valid(&doc),
            "{} passes the schema with an unknown node type",
            p.display()
        );
    }
}
