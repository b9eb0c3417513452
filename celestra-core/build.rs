//! Embeds the committed JSON Schema (`schema/workflow.schema.json`, pretty for readers) without
//! its insignificant whitespace: half the bytes in every binary that serves it (the browser
//! engine is 60 KB smaller). No dependencies: whitespace outside strings is dropped.

// The build script runs on the build machine; the no-environment, no-filesystem rule is for
// the engine (clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let src = manifest.join("../schema/workflow.schema.json");
    println!("cargo::rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(&src).expect("schema/workflow.schema.json is readable");
    let mut out = String::with_capacity(text.len() / 2);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            in_string = c == '"';
            out.push(c);
        }
    }
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(dest.join("workflow.schema.min.json"), out).expect("OUT_DIR is writable");
}
