//! huaxiang (画像): member profiling that runs entirely in the browser.
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
