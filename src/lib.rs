//! huaxiang (画像): member profiling that runs entirely in the browser.
// No panic reaches the user: outside tests, `unwrap` and `expect` are refused (issue 16); the few places where an
// invariant holds say so with an `allow` and its reason.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod audience;
pub mod base;
pub mod engine;
pub mod error;
pub mod export;
pub mod identity;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod models;
pub mod rfm;
pub mod rules;
pub mod sample;
pub mod tags;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
