//! The JS API tests in Node (see shared/mod.rs).
#![cfg(target_arch = "wasm32")]

mod shared;
