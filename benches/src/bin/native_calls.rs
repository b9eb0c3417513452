//! Native timings of the calls the bindings expose, for the binding-overhead benchmarks
//! (`celestra-py/bench/overhead.py`): each call reads the workflow from JSON bytes, as a binding
//! call given bytes does. The system allocator on purpose (the Python extension uses it too).
//! `native_calls WORKFLOW.json REPEATS` prints `{"validate": µs, "plan": µs, "generate-k8s": µs,
//! ...}` (medians).

use celestra_core::generate::GenerateOptions;
use celestra_core::{Target, api};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(repeats: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..repeats.div_ceil(10) {
        f();
    }
    median(
        (0..repeats)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, repeats] = args.as_slice() else {
        eprintln!("usage: native_calls WORKFLOW.json REPEATS");
        std::process::exit(2)
    };
    let repeats: usize = repeats.parse().unwrap_or(200).max(1);
    let bytes = std::fs::read(path).expect("read the workflow");
    let opts = GenerateOptions::default();
    let mut out = BTreeMap::new();
    out.insert(
        "validate",
        time(repeats, || {
            let wf = api::parse_bytes(&bytes).expect("parses");
            black_box(api::validate(&wf));
        }),
    );
    out.insert(
        "plan",
        time(repeats, || {
            let wf = api::parse_bytes(&bytes).expect("parses");
            black_box(api::plan(&wf).expect("plans"));
        }),
    );
    for (name, target) in [
        ("generate-kubernetes", Target::Kubernetes),
        ("generate-compose", Target::Compose),
        ("generate-helm", Target::Helm),
        ("generate-dsl", Target::Dsl),
    ] {
        out.insert(
            name,
            time(repeats, || {
                let wf = api::parse_bytes(&bytes).expect("parses");
                black_box(api::generate(&wf, target, &opts).expect("generates"));
            }),
        );
    }
    println!("{}", serde_json::to_string(&out).expect("json"));
}
