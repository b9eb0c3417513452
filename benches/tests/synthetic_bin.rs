//! The `synthetic` program the benchmark and binding scripts run: a valid workflow of the asked
//! size, the same bytes for the same seed, other bytes for another seed. (Being an integration
//! test, it also makes `cargo test --workspace` build the program: scripts/test-bins.sh.)

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_synthetic"))
        .args(args)
        .output()
        .expect("synthetic runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn prints_a_valid_seeded_workflow_of_the_asked_size() {
    let (ok, a) = run(&["100", "7"]);
    assert!(ok);
    let wf = celestra_core::api::parse_str(&a).expect("a workflow");
    assert_eq!(wf.nodes.len(), 100);
    let report = celestra_core::api::validate(&wf);
    assert!(report.is_valid, "{:?}", report.errors);
    assert_eq!(run(&["100", "7"]).1, a, "same seed, same bytes");
    assert_ne!(run(&["100", "8"]).1, a, "another seed");
    let (ok, _) = run(&["many"]);
    assert!(!ok, "a bad size is refused");
}
