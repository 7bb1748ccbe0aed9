//! Native integration tests: one binary, fixture files in, expected results out.
#![cfg(not(target_arch = "wasm32"))]

mod activation;
mod audience;
mod audience_groups;
mod audience_props;
mod cleaning;
mod cli;
mod corpus;
mod dashboard;
mod delta;
mod export_paths;
mod formats;
mod fuzz_replay;
mod hostile;
mod hostile_rules;
mod ingest;
mod model_catalog;
mod model_checks;
mod model_rules;
mod models;
mod names;
mod oneid;
mod outside;
mod rfm;
mod rules;
mod rules_catalog;
mod rules_diagnostics;
mod rules_docs;
mod rules_fuzz;
mod rules_reference;
mod rules_reference_props;
mod rules_semantics;
mod scale_docs;
mod snapshot;
mod sql;
mod tidy;
mod tidy_www;

use huaxiang::base::roles::FileKind;
use huaxiang::engine::{Summary, Workspace};
use std::path::PathBuf;

/// The path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Loads fixture files (members first) in chunks of `chunk` bytes and computes RFM with the default date.
pub fn load(files: &[(&str, Option<FileKind>)], chunk: usize) -> (Workspace, Summary) {
    let mut ws = Workspace::new();
    for (name, kind) in files {
        let bytes = std::fs::read(fixture(name)).expect("fixture exists");
        ws.load_bytes(name, *kind, &bytes, chunk).expect("fixture loads");
    }
    let summary = ws.compute(None).expect("RFM computes");
    (ws, summary)
}

/// Segment counts in report order.
pub fn counts(summary: &Summary) -> Vec<u64> {
    summary.segments.iter().map(|s| s.count).collect()
}
