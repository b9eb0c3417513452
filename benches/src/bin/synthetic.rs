//! Prints the seeded synthetic workflow of N nodes (the one the benchmarks use) as JSON:
//! `synthetic N [SEED]`. Used by `benches/compare_celestra.py`.

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: synthetic N [SEED]");
        std::process::exit(2)
    });
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    println!("{}", celestra_fixtures::synthetic(n, seed));
}
