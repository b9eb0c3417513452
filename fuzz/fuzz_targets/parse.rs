//! Fuzz the whole front of the engine: arbitrary bytes → parse → analyze (validate + plan) →
//! serialize back. Nothing may panic; a document that reads must round-trip.
#![no_main]

use celestra_core::api;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(wf) = api::parse_bytes(data) else { return };
    let analysis = api::analyze(&wf, &Default::default());
    let _ = serde_json_len(&analysis.report);
    let text = api::to_json(&wf);
    let again = api::parse_str(&text).expect("the engine's own output always reads back");
    assert_eq!(api::to_json(&again), text, "round trip changed the document");
});

fn serde_json_len<T: std::fmt::Debug>(x: &T) -> usize {
    format!("{x:?}").len()
}
