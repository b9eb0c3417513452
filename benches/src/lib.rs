//! Benchmarks live in `benches/`; the library holds what two benchmark programs share.

/// Native timings of the calls the bindings expose (see `src/bin/native_calls.rs`).
pub mod native_calls {
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

    /// Writes `v` as JSON when `json` (the `+json` entries).
    fn finish<T: serde::Serialize>(json: bool, v: &T) {
        if json {
            black_box(serde_json::to_vec(v).expect("json"));
        }
    }

    /// The `native_calls` program: `native_calls WORKFLOW.json REPEATS` prints the medians as JSON.
    pub fn native_calls_main() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let [path, repeats] = args.as_slice() else {
            eprintln!("usage: native_calls WORKFLOW.json REPEATS");
            std::process::exit(2)
        };
        let repeats: usize = repeats.parse().unwrap_or(200).max(1);
        let bytes = std::fs::read(path).expect("read the workflow");
        let opts = GenerateOptions::default();
        let mut out = BTreeMap::new();
        for json in [false, true] {
            let key = |name: &str| {
                if json {
                    format!("{name}+json")
                } else {
                    name.to_owned()
                }
            };
            out.insert(
                key("validate"),
                time(repeats, || {
                    let wf = api::parse_bytes(&bytes).expect("parses");
                    let r = black_box(api::validate(&wf));
                    finish(json, &r);
                }),
            );
            out.insert(
                key("plan"),
                time(repeats, || {
                    let wf = api::parse_bytes(&bytes).expect("parses");
                    let p = black_box(api::plan(&wf).expect("plans"));
                    finish(json, &p);
                }),
            );
            for (name, target) in [
                ("generate-kubernetes", Target::Kubernetes),
                ("generate-compose", Target::Compose),
                ("generate-helm", Target::Helm),
                ("generate-dsl", Target::Dsl),
            ] {
                out.insert(
                    key(name),
                    time(repeats, || {
                        let wf = api::parse_bytes(&bytes).expect("parses");
                        let g = black_box(api::generate(&wf, target, &opts).expect("generates"));
                        finish(json, &g);
                    }),
                );
            }
        }
        println!("{}", serde_json::to_string(&out).expect("json"));
    }
}
