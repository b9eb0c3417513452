//! Every fixture workflow: valid ones validate without errors and plan; every diagnostic code
//! has at least one invalid fixture that reports it; reports and plans are snapshot-tested.

use celestra_core::{Code, ValidateOptions, api};
use celestra_fixtures::{fixtures_dir, json_files, stem, valid_workflows};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn load(p: &Path) -> celestra_core::Workflow {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    api::parse_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn options_for(p: &Path) -> ValidateOptions {
    let side = p.with_extension("options.json");
    if side.exists() {
        let text = std::fs::read_to_string(&side).expect("options file");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", side.display()))
    } else {
        ValidateOptions::default()
    }
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("serializes")
}

/// The snapshot names of the targets in tests/suite/generate.rs.
const GENERATE_TARGETS: &[&str] = &["k8s", "compose", "helm", "dsl"];

fn invalid_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("invalid"))
        .expect("invalid fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn there_are_at_least_fifteen_valid_workflows() {
    let n = valid_workflows().len();
    assert!(n >= 15, "only {n} valid fixture workflows");
}

#[test]
fn valid_fixtures_have_no_errors_and_plan() {
    for p in valid_workflows() {
        let wf = load(&p);
        let report = api::validate(&wf);
        assert!(
            report.is_valid,
            "{} has errors:\n{}",
            p.display(),
            pretty(&report.errors)
        );
        let plan = api::plan(&wf).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(plan.total_steps > 0, "{}: empty plan", p.display());
    }
}

#[test]
fn every_code_has_a_fixture_that_reports_it() {
    let dirs = invalid_dirs();
    let names: BTreeSet<String> = dirs.iter().map(|d| stem(d)).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !names.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture directory: {missing:?}"
    );
    for d in &dirs {
        let code = Code::parse(&stem(d))
            .unwrap_or_else(|| panic!("{} is not a diagnostic code", d.display()));
        let files = json_files(d);
        assert!(!files.is_empty(), "{} has no fixture", d.display());
        for f in files {
            let wf = load(&f);
            let report = api::validate_with(&wf, &options_for(&f));
            assert!(
                report.has(code),
                "{} does not report {code}; it reports:\n{}",
                f.display(),
                report
                    .iter()
                    .map(|d| format!("  {} {}", d.code, d.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

#[test]
fn analyze_equals_validate_plus_plan() {
    let mut files = valid_workflows();
    files.push(fixtures_dir().join("invalid/ex5-invalid.json"));
    for d in invalid_dirs() {
        files.extend(json_files(&d));
    }
    for p in files {
        let wf = load(&p);
        let opts = options_for(&p);
        let a = api::analyze(&wf, &opts);
        assert_eq!(a.report, api::validate_with(&wf, &opts), "{}", p.display());
        assert_eq!(a.plan, api::plan(&wf).ok(), "{}", p.display());
    }
}

#[test]
fn snapshots_of_valid_workflows() {
    for p in valid_workflows() {
        let wf = load(&p);
        let name = stem(&p);
        insta::assert_snapshot!(format!("report__{name}"), pretty(&api::validate(&wf)));
        insta::assert_snapshot!(
            format!("plan__{name}"),
            pretty(&api::plan(&wf).expect("plans"))
        );
    }
}

#[test]
fn snapshots_of_invalid_workflows() {
    for d in invalid_dirs() {
        for f in json_files(&d) {
            let wf = load(&f);
            let report = api::validate_with(&wf, &options_for(&f));
            insta::assert_snapshot!(
                format!("invalid__{}__{}", stem(&d), stem(&f)),
                pretty(&report)
            );
        }
    }
    for f in json_files(&fixtures_dir().join("invalid")) {
        let wf = load(&f);
        insta::assert_snapshot!(
            format!("invalid__{}", stem(&f)),
            pretty(&api::validate(&wf))
        );
    }
}

/// CI never accepts snapshots automatically and rejects stale ones: every committed snapshot
/// must belong to a fixture that still exists.
#[test]
fn no_unreferenced_snapshots() {
    let mut expected = BTreeSet::new();
    for p in valid_workflows() {
        expected.insert(format!("fixtures__report__{}.snap", stem(&p)));
        expected.insert(format!("fixtures__plan__{}.snap", stem(&p)));
        // tests/suite/generate.rs: one snapshot of the files and one of the ledger per target.
        for target in GENERATE_TARGETS {
            expected.insert(format!("generate__{target}__{}.snap", stem(&p)));
            expected.insert(format!("generate__ledger__{target}__{}.snap", stem(&p)));
        }
    }
    for d in invalid_dirs() {
        for f in json_files(&d) {
            expected.insert(format!(
                "fixtures__invalid__{}__{}.snap",
                stem(&d),
                stem(&f)
            ));
        }
    }
    for f in json_files(&fixtures_dir().join("invalid")) {
        expected.insert(format!("fixtures__invalid__{}.snap", stem(&f)));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("suite/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let stale: Vec<String> = entries
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap") || n.ends_with(".snap.new"))
        .filter(|n| !expected.contains(n))
        .collect();
    assert!(
        stale.is_empty(),
        "unreferenced or pending snapshots: {stale:?}"
    );
}
