//! Times the engine's Kubernetes generation of a workflow the way `benches/compare_celestra.py`
//! times celestra 0.0.3: parse, validate, plan, generate and write the YAML into a directory,
//! one file per object (`per-object`) or one multi-document file (`single`, the default layout).
//! `engine_time WORKFLOW.json OUT_DIR REPEATS per-object|single` prints
//! `{"objects": n, "median_ms": t, "write_ms": w}` (`w`: the part spent writing the files).

use celestra_core::generate::{GenerateOptions, Layout};
use celestra_core::{Target, api};
use std::time::Instant;

/// The allocator of the `celestra` CLI.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, out, repeats, layout] = args.as_slice() else {
        eprintln!("usage: engine_time WORKFLOW.json OUT_DIR REPEATS per-object|single");
        std::process::exit(2)
    };
    let repeats: usize = repeats.parse().unwrap_or(5).max(1);
    let text = std::fs::read_to_string(path).expect("read the workflow");
    let opts = GenerateOptions {
        layout: if layout == "single" {
            Layout::SingleFile
        } else {
            Layout::PerObject
        },
        ..GenerateOptions::default()
    };
    let mut times = Vec::with_capacity(repeats);
    let mut writes = Vec::with_capacity(repeats);
    let mut objects = 0;
    for _ in 0..repeats {
        let _ = std::fs::remove_dir_all(out);
        std::fs::create_dir_all(out).expect("output directory");
        let t = Instant::now();
        let wf = api::parse_str(&text).expect("the workflow parses");
        let g = api::generate(&wf, Target::Kubernetes, &opts).expect("the workflow generates");
        let w = Instant::now();
        for (name, body) in &g.files {
            std::fs::write(std::path::Path::new(out).join(name), body).expect("write");
        }
        writes.push(w.elapsed().as_secs_f64() * 1000.0);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        objects = g
            .files
            .values()
            .map(|text| text.matches("\n---\n").count() + usize::from(text.starts_with("---\n")))
            .sum::<usize>()
            .max(g.files.len());
    }
    times.sort_by(f64::total_cmp);
    writes.sort_by(f64::total_cmp);
    println!(
        "{{\"objects\": {objects}, \"median_ms\": {:.4}, \"write_ms\": {:.4}}}",
        times[times.len() / 2],
        writes[writes.len() / 2]
    );
}
