//! The JavaScript binding: the only module that names wasm-bindgen, js-sys or serde-wasm-bindgen.
//!
//! Each JS-facing type is a thin newtype over a core type. Results cross as plain JSON-compatible objects,
//! errors as JS `Error`s carrying `code`, `zh` and `en`. The dataset itself never crosses into JS.

mod audience;
// Only the benchmark build (`make bench`, into pkg-bench/) exports the benchmark helpers; the app's pkg/ has none.
#[cfg(feature = "bench")]
mod bench;
mod error;
mod models;
mod pages;
mod sample;
mod tags;
mod workspace;

pub use sample::{sample_members_csv, sample_orders_csv};
use wasm_bindgen::prelude::*;
pub use workspace::JsWorkspace;

/// Installs the panic hook so a bug shows a readable message in the console instead of `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version, e.g. `"0.1.0"`.
///
/// ```js
/// import init, { version } from './pkg/huaxiang.js';
/// await init();
/// console.log(version());
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The words the page shares with the core: metrics with their labels in both languages, rule keywords and
/// duration units, file kinds, identifier kinds and column roles (see `engine::vocabulary`).
///
/// ```js
/// const { metrics, keywords, roles } = vocabulary();
/// metrics.find((m) => m.key === 'recency').en; // 'Days since last purchase'
/// for (const r of roles) select.add(new Option(r.zh, r.role));
/// ```
#[wasm_bindgen]
pub fn vocabulary() -> Result<JsValue, JsValue> {
    error::to_js(&crate::engine::vocabulary::vocabulary())
}
