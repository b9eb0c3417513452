//! parse + validate + plan on seeded synthetic workflows of 10, 100, 1,000 and 10,000 nodes.
//! Run with `make bench`; the README table comes from these numbers.

use celestra_core::api;
use celestra_fixtures::synthetic;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse+validate+plan");
    for n in SIZES {
        let text = serde_json::to_string(&synthetic(n, 42)).expect("json");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let wf = api::parse_str(black_box(text)).expect("parses");
                let report = api::validate(&wf);
                let plan = api::plan(&wf).expect("plans");
                black_box((report, plan))
            });
        });
    }
    g.finish();
    let mut g = c.benchmark_group("parse+analyze");
    for n in SIZES {
        let text = serde_json::to_string(&synthetic(n, 42)).expect("json");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let wf = api::parse_str(black_box(text)).expect("parses");
                black_box(api::analyze(&wf, &Default::default()))
            });
        });
    }
    g.finish();
}

fn stages(c: &mut Criterion) {
    for n in [1_000, 10_000] {
        let text = serde_json::to_string(&synthetic(n, 42)).expect("json");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        let wf = api::parse_str(&text).expect("parses");
        let mut g = c.benchmark_group(format!("stages-{n}"));
        g.bench_function("json", |b| {
            b.iter(|| {
                black_box(
                    serde_json::from_str::<serde_json::Value>(black_box(&text)).expect("json"),
                )
            })
        });
        g.bench_function("parse", |b| {
            b.iter(|| black_box(api::parse_str(black_box(&text)).expect("parses")))
        });
        g.bench_function("load", |b| {
            b.iter(|| black_box(api::parse_value(black_box(&value)).expect("loads")))
        });
        g.bench_function("validate", |b| {
            b.iter(|| black_box(api::validate(black_box(&wf))))
        });
        g.bench_function("plan", |b| {
            b.iter(|| black_box(api::plan(black_box(&wf)).expect("plans")))
        });
        g.finish();
    }
}

criterion_group!(benches, pipeline, stages);
criterion_main!(benches);
