//! Prints a seeded synthetic workflow: `cargo run -p celestra-fixtures --example synth -- 1000 [seed]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    println!(
        "{}",
        serde_json::to_string_pretty(&celestra_fixtures::synthetic(n, seed)).expect("json")
    );
}
