//! `native_calls` with mimalloc as the global allocator: the native baseline for the Node addon,
//! which uses mimalloc (in Node's multi-threaded process glibc's malloc leaves its single-thread
//! fast path; measured in celestra-node/bench).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    celestra_benches::native_calls::native_calls_main();
}
