//! The JS API tests in headless Chromium (see shared/mod.rs); needs CHROMEDRIVER.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod shared;
