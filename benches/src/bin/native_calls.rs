//! Native timings of the calls the bindings expose, for the binding-overhead benchmarks
//! (`celestra-py/bench/overhead.py`): each call reads the workflow from JSON bytes, as a binding
//! call given bytes does. The system allocator on purpose (the Python extension uses it too).
//! `native_calls WORKFLOW.json REPEATS` prints `{"validate": µs, "plan": µs, "generate-k8s": µs,
//! ...}` (medians); the `+json` entries also write the result as compact JSON (what the
//! bindings' JSON-out calls do).

fn main() {
    celestra_benches::native_calls::native_calls_main();
}
