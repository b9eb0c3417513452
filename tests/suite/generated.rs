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
    let text = serde_json::to_string_pretty(&api::schema()).expect("json") + "\n";
    check("schema/workflow.schema.json", &text);
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
