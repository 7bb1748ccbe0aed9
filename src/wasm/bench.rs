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

/// The "touch every byte" baseline of the ingest benchmark: reads every byte of a chunk (copied into wasm memory
/// as `push` copies it) and returns its newlines plus the byte sum's low bits, so the reading cannot be left out.
/// Streaming a file's chunks through this in the worker that streams them into `push` measures what the machine
/// can do with the same pipeline and no parsing at all.
///
/// ```js
/// let check = 0;
/// for (const chunk of chunks) check = (check + benchTouch(chunk)) >>> 0;
/// ```
#[wasm_bindgen(js_name = benchTouch)]
pub fn bench_touch(bytes: &[u8]) -> u32 {
    let (newlines, sum) =
        bytes.iter().fold((0u32, 0u32), |(n, s), &b| (n.wrapping_add(u32::from(b == b'\n')), s.wrapping_add(u32::from(b))));
    newlines.wrapping_add(sum)
}
