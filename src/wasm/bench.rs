//! Benchmark helpers: a synthetic dataset built straight into wasm memory and a generated rule pack, so the
//! browser benchmark measures the engine at millions of members without first generating gigabytes of text.

use super::workspace::JsWorkspace;
use crate::sample::synthetic::Size;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    /// Loads synthetic members, orders and events (deterministic for a seed) as if three files were loaded.
    ///
    /// ```js
    /// ws.loadSynthetic(7, 1_000_000, 10_000_000, 5_000_000);
    /// const summary = ws.compute();
    /// ```
    #[wasm_bindgen(js_name = loadSynthetic)]
    pub fn load_synthetic(&mut self, seed: u32, members: f64, orders: f64, events: f64) {
        self.0.load_synthetic(u64::from(seed), Size { members: members as u64, orders: orders as u64, events: events as u64 });
    }
}

/// A generated pack of `n` rule tags covering every kind of rule (the benchmark's workload).
///
/// ```js
/// const text = benchRules(7, 300);
/// ws.importRules(text, new Date().toISOString(), 'bench');
/// ```
#[wasm_bindgen(js_name = benchRules)]
pub fn bench_rules(seed: u32, n: u32) -> String {
    crate::sample::pack::rules(u64::from(seed), n as usize)
}

/// `n` random audience expressions over the tags of `benchRules(seed, tags)` (the benchmark's audience workload).
///
/// ```js
/// const expressions = benchAudiences(7, 300, 1000); // ['b001 and not b017 or monetary > 900', …]
/// ```
#[wasm_bindgen(js_name = benchAudiences)]
pub fn bench_audiences(seed: u32, tags: u32, n: u32) -> Vec<String> {
    crate::sample::pack::audiences(u64::from(seed), tags as usize, n as usize)
}
