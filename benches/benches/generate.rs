//! Generation: every target on seeded synthetic workflows of 100 and 1,000 nodes, all four
//! targets together (four generations, or one session of the four targets, which reads,
//! validates and plans once and builds the Kubernetes objects once), and a one-node edit in an
//! incremental session of 1,000 nodes.
//! Run with `make bench`; the README table comes from these numbers.

use celestra_core::generate::{GenerateOptions, Session};
use celestra_core::{Target, api};
use celestra_fixtures::synthetic;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;

/// The allocator of the `celestra` CLI (see the README's performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TARGETS: [(Target, &str); 4] = [
    (Target::Kubernetes, "k8s"),
    (Target::Compose, "compose"),
    (Target::Helm, "helm"),
    (Target::Dsl, "dsl"),
];

fn full(c: &mut Criterion) {
    let opts = GenerateOptions::default();
    for n in [100, 1_000] {
        let wf = api::parse_value(&synthetic(n, 42)).expect("parses");
        let mut g = c.benchmark_group(format!("generate-{n}"));
        for (t, name) in TARGETS {
            g.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter(|| black_box(api::generate(black_box(&wf), t, &opts).expect("generates")))
            });
        }
        g.bench_function(BenchmarkId::from_parameter("all-four"), |b| {
            b.iter(|| {
                for (t, _) in TARGETS {
                    black_box(api::generate(black_box(&wf), t, &opts).expect("generates"));
                }
            })
        });
        // Sessions take the workflow: each iteration gets a copy (made outside the timing).
        let targets: Vec<Target> = TARGETS.iter().map(|(t, _)| *t).collect();
        g.bench_function(BenchmarkId::from_parameter("four-sessions"), |b| {
            b.iter_batched(
                || vec![wf.clone(); 4],
                |copies| {
                    for (w, t) in copies.into_iter().zip(&targets) {
                        black_box(Session::new(w, *t, opts.clone()).expect("session"));
                    }
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function(BenchmarkId::from_parameter("one-session-of-four"), |b| {
            b.iter_batched(
                || wf.clone(),
                |w| black_box(Session::with_targets(w, &targets, opts.clone()).expect("session")),
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

/// The App node `t<k>a` of the synthetic workflow, with a different image tag.
fn edited_app(doc: &Value, k: usize, tag: usize) -> Value {
    let id = format!("t{k}a");
    let mut node = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["id"] == id.as_str())
        .expect("app node")
        .clone();
    node["data"]["properties"]["image"] = json!(format!("ghcr.io/acme/api:1.4.{tag}"));
    node
}

fn edit(c: &mut Criterion) {
    let doc = synthetic(1_000, 42);
    let mut g = c.benchmark_group("session-edit-1000");
    for (t, name) in TARGETS {
        let wf = api::parse_value(&doc).expect("parses");
        let mut session = Session::new(wf, t, GenerateOptions::default()).expect("session");
        let edits: Vec<Value> = (0..2).map(|tag| edited_app(&doc, 50, tag)).collect();
        let mut k = 0;
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                k += 1;
                let u = session.update_node(&edits[k % 2]).expect("valid edit");
                assert!(!u.full);
                black_box(session.files().len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, full, edit);
criterion_main!(benches);
