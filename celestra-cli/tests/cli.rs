//! The `celestra` binary, run as a user would: exit codes, compiler-style output, formats.

use celestra_core::{Code, ValidateOptions, api};
use celestra_fixtures::{fixtures_dir, json_files, stem, valid_workflows};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn celestra(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_celestra"))
        .args(args)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn options_for(p: &Path) -> Option<ValidateOptions> {
    let side = p.with_extension("options.json");
    side.exists().then(|| {
        serde_json::from_str(&std::fs::read_to_string(side).expect("read")).expect("options")
    })
}

#[test]
fn validate_prints_every_invalid_fixture_code_and_exits_accordingly() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures_dir().join("invalid"))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let code = stem(&d);
        for f in json_files(&d) {
            let path = f.to_str().expect("utf-8 path");
            let mut args = vec!["validate", path];
            let opts = options_for(&f).unwrap_or_default();
            if opts.target.is_some() {
                args.extend(["--target", "compose"]);
            }
            let out = celestra(&args);
            let stdout = text(&out);
            assert!(
                stdout.contains(&format!("[{code}]: ")),
                "{path}: output lacks {code}:\n{stdout}"
            );
            let wf = api::parse_str(&std::fs::read_to_string(&f).expect("read")).expect("parses");
            let expected = if api::validate_with(&wf, &opts).is_valid {
                0
            } else {
                1
            };
            assert_eq!(out.status.code(), Some(expected), "{path}");
            // Every finding line carries a file:line:column location.
            for line in stdout.lines().filter(|l| l.starts_with("  --> ")) {
                assert!(line.contains(&format!("{path}:")), "{line}");
            }
        }
    }
}

#[test]
fn valid_fixtures_exit_zero_and_json_matches_the_library() {
    for f in valid_workflows() {
        let path = f.to_str().expect("utf-8 path");
        let out = celestra(&["validate", path, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{path}");
        let wf = api::parse_str(&std::fs::read_to_string(&f).expect("read")).expect("parses");
        let expected = serde_json::to_value(api::validate(&wf)).expect("json");
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
        assert_eq!(got, expected, "{path}");
        let out = celestra(&["plan", path, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{path}");
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
        assert_eq!(
            got,
            serde_json::to_value(api::plan(&wf).expect("plan")).expect("json"),
            "{path}"
        );
    }
}

#[test]
fn plan_prints_the_waves_of_the_microservice_example() {
    let path = fixtures_dir().join("workflows/ex3-microservice.json");
    let out = celestra(&["plan", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out);
    assert!(
        stdout.starts_with("plan: parallel, 6 waves, 12 steps\n"),
        "{stdout}"
    );
    // Group rows by wave number in the first column.
    let mut waves: Vec<Vec<String>> = Vec::new();
    for line in stdout.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            continue;
        }
        if cols[0].chars().all(|c| c.is_ascii_digit()) {
            waves.push(vec![cols[1].to_owned()]);
        } else if let Some(w) = waves.last_mut() {
            w.push(cols[0].to_owned());
        }
    }
    let mut waves: Vec<Vec<String>> = waves
        .into_iter()
        .map(|mut w| {
            w.sort();
            w
        })
        .collect();
    waves.iter_mut().for_each(|w| w.dedup());
    let expected: Vec<Vec<&str>> = vec![
        vec!["shop"],
        vec![
            "api-config",
            "api-netpol",
            "api-sa",
            "db-credentials",
            "shop-tls",
        ],
        vec!["api-reader", "postgres"],
        vec!["api", "db-backup"],
        vec!["api-svc"],
        vec!["shop-ingress"],
    ];
    assert_eq!(waves, expected, "{stdout}");
    assert!(
        stdout.contains("db-credentials (via c02: injects secret)"),
        "{stdout}"
    );
    let mermaid = text(&celestra(&[
        "plan",
        path.to_str().expect("path"),
        "--format",
        "mermaid",
    ]));
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert!(mermaid.contains("subgraph w5[\"wave 5\"]"));
}

#[test]
fn a_cycle_blocks_the_plan_with_exit_one() {
    let path = fixtures_dir().join("invalid/ex5-invalid.json");
    let out = celestra(&["plan", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out);
    assert!(
        stdout.contains("error[GRAPH_CYCLE]: dependency cycle: front → back → front"),
        "{stdout}"
    );
    assert!(
        stdout.contains("= cycle: front --x1--> back --x2--> front"),
        "{stdout}"
    );
}

#[test]
fn malformed_json_gets_a_position_and_exit_one() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_celestra"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\n  \"nodes\": [\n    {\"id\": }\n  ]\n}")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out);
    assert!(
        stdout.starts_with("error[PARSE]: malformed JSON:"),
        "{stdout}"
    );
    assert!(stdout.contains("--> <stdin>:3:12"), "{stdout}");
}

#[test]
fn usage_and_io_problems_exit_two() {
    assert_eq!(
        celestra(&["validate", "/no/such/file.json"]).status.code(),
        Some(2)
    );
    assert_eq!(celestra(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(celestra(&["explain", "NOPE"]).status.code(), Some(2));
}

#[test]
fn schema_codes_and_explain() {
    let out = celestra(&["schema"]);
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(got, api::schema());
    let md = text(&celestra(&["codes", "--format", "markdown"]));
    assert_eq!(md, api::diagnostics_markdown());
    let list = text(&celestra(&["codes"]));
    assert_eq!(list.lines().count(), Code::ALL.len());
    let ex = text(&celestra(&["explain", "port_range"]));
    assert!(ex.starts_with("PORT_RANGE (error"), "{ex}");
    let ex = text(&celestra(&["explain", "PLAN_BLOCKED"]));
    assert!(ex.contains("cycle"), "{ex}");
}

#[test]
fn live_mode_downgrades_missing_images() {
    let path = fixtures_dir().join("invalid/IMAGE_REQUIRED");
    let f = json_files(&path).into_iter().next().expect("fixture");
    let out = celestra(&[
        "validate",
        f.to_str().expect("path"),
        "--mode",
        "live",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let warnings = v["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|d| d["code"] == "IMAGE_REQUIRED"),
        "{v}"
    );
}

#[test]
fn health_reads_yaml_documents_and_lists_and_prints_kstatus_or_the_gate() {
    let dir = std::env::temp_dir().join(format!("celestra-health-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = dir.join("objects.yaml");
    std::fs::write(
        &yaml,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop, generation: 2}\n\
         spec: {replicas: 2}\nstatus: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1}\n\
         ---\n# a comment-only document is skipped\n---\n\
         apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: shop}\n\
         status: {startTime: '2026-01-01T00:00:00Z', active: 1}\n\
         ---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n",
    )
    .unwrap();
    let y = yaml.to_str().unwrap();
    let o = celestra(&["health", y]);
    assert_eq!(o.status.code(), Some(1), "not everything is Current");
    let t = text(&o);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 4, "{t}");
    assert!(
        lines[0].starts_with("APIVERSION") && lines[0].contains("STATUS"),
        "{t}"
    );
    assert!(
        lines[1].contains("Deployment")
            && lines[1].contains("InProgress")
            && lines[1].contains("LessAvailable"),
        "{t}"
    );
    // kstatus calls a running Job Current; the gate waits for it to complete
    assert!(
        lines[2].contains("Job") && lines[2].contains("Current"),
        "{t}"
    );
    let o = celestra(&["health", y, "--gate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[1]["verdict"], "waiting");
    assert_eq!(v[1]["reason"], "JobRunning");
    assert_eq!(v[2]["verdict"], "ready");
    assert_eq!(v[0]["namespace"], "shop");
    // a List from `kubectl get -o json`, on standard input
    let list = r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"},"status":{"phase":"Active"}}]}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_celestra"))
        .args(["health", "-", "--gate"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Namespace") && text(&o).contains("ready"));
    // unreadable input: exit 2 with the document named
    std::fs::write(&yaml, "kind: ConfigMap\n---\n: : :\n  - [\n").unwrap();
    let o = celestra(&["health", y]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("document 2"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(&yaml, "metadata: {name: x}\n").unwrap();
    let o = celestra(&["health", y]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("without a kind"));
    let _ = std::fs::remove_dir_all(dir);
}
