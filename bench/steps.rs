//! `cargo bench --bench steps` (run by `bench/duckdb.mjs`, part of `make bench`): the native CLI's figures for the
//! steps of the DuckDB-WASM comparison, on the same files: load members + orders + events CSV, RFM + 8 segments,
//! the generated pack of 100 tags, 1,000 audience counts one by one, and 20 portraits. It prints the figures
//! (never a pass/fail timing test) and writes them, with every tag's count and every audience's count for the
//! browser's cross-check, to results/bench-steps-native.json.
//!
//! HUAXIANG_BENCH_FILES names the folder holding sample_members.csv, sample_orders.csv and sample_events.csv
//! (required); HUAXIANG_BENCH_TAGS (default 100), HUAXIANG_BENCH_AUDIENCES (1,000) and HUAXIANG_BENCH_PORTRAITS (20)
//! size the workload. The files are read into memory before the clock starts, so "load" is the engine's time
//! (parse, type, OneID staging), without the disk. One run, from an empty workspace. HUAXIANG_BENCH_COUNT_ROUNDS
//! repeats the counts that many times in all, untimed after the first, so that a profiler sees the count path.
//!
//! Tags the SQL export skips (and audience expressions that read them) are left out, as the browser benchmark
//! leaves them out of both engines.

use huaxiang::audience::PortraitRequest;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::export::sql::{tag_pack_sql, Dialect, SqlOptions};
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

const SEED: u64 = 7;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// The percentile `p` (0–1) of sorted times: the smallest time at or above that share of the times.
fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// The tag names an expression or rule reads (`b001` …).
fn tag_names(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 4 && w.starts_with('b') && w[1..].bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::var("HUAXIANG_BENCH_FILES").expect("HUAXIANG_BENCH_FILES names the folder of the sample CSV files"),
    );
    let n_tags = env("HUAXIANG_BENCH_TAGS", 100);
    let n_audiences = env("HUAXIANG_BENCH_AUDIENCES", 1000);
    let n_portraits = env("HUAXIANG_BENCH_PORTRAITS", 20);
    let files: Vec<(FileKind, String, Vec<u8>)> =
        [(FileKind::Members, "sample_members.csv"), (FileKind::Orders, "sample_orders.csv"), (FileKind::Events, "sample_events.csv")]
            .into_iter()
            .map(|(kind, name)| (kind, name.to_string(), std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))))
            .collect();
    let bytes: usize = files.iter().map(|f| f.2.len()).sum();

    let mut ws = Workspace::new();
    let t = Instant::now();
    for (kind, name, data) in &files {
        ws.load_bytes(name, Some(*kind), data, 4 << 20).unwrap_or_else(|e| panic!("{name}: {}", e.en));
    }
    let load_s = t.elapsed().as_secs_f64();
    drop(files);
    let t = Instant::now();
    let summary = ws.compute(None).expect("RFM computes");
    let rfm_s = t.elapsed().as_secs_f64();

    // The pack without the tags the SQL export skips (found from the pack and the loaded columns, untimed).
    let pack = huaxiang::sample::pack::rules(SEED, n_tags);
    let mut catalog = huaxiang::tags::Catalog::new();
    catalog.import_text(&pack, "2025-06-01T00:00:00", "bench");
    let export = tag_pack_sql(&catalog, &huaxiang::tags::schema_of(ws.data()), &SqlOptions::new(Dialect::DuckDb)).expect("exports");
    let skipped: HashSet<String> = export.skipped().map(|d| d.name.clone()).collect();
    let kept: String =
        pack.lines().filter(|l| !tag_names(l).first().is_some_and(|n| skipped.contains(*n))).map(|l| format!("{l}\n")).collect();
    let t = Instant::now();
    let (saved, problems) = ws.import_rules(&kept, "2025-06-01T00:00:01", "bench");
    let report = ws.tags().expect("tags evaluate");
    let tags_s = t.elapsed().as_secs_f64();
    assert!(problems.is_empty(), "{problems:?}");
    let tag_counts: BTreeMap<String, serde_json::Value> = report
        .tags
        .iter()
        .filter(|t| !t.builtin)
        .map(|t| (t.name.clone(), serde_json::json!({ "count": t.count, "values": t.values.iter().map(|v| (v.value.clone(), v.count)).collect::<BTreeMap<_, _>>() })))
        .collect();

    let expressions: Vec<String> = huaxiang::sample::pack::audiences(SEED, n_tags, n_audiences)
        .into_iter()
        .filter(|e| tag_names(e).iter().all(|n| !skipped.contains(*n)))
        .collect();
    let mut times = Vec::with_capacity(expressions.len());
    let mut counts = Vec::with_capacity(expressions.len());
    let t = Instant::now();
    for e in &expressions {
        let t = Instant::now();
        let c = ws.audience_count(e).expect("counts");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        counts.push(c.count.unwrap_or_else(|| panic!("{e}: {:?}", c.diagnostics)));
    }
    let counts_s = t.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    // More rounds of the same counts, untimed, for a profiler to see the count path above the load
    // (HUAXIANG_BENCH_COUNT_ROUNDS, default 1: none).
    for _ in 1..env("HUAXIANG_BENCH_COUNT_ROUNDS", 1) {
        for e in &expressions {
            std::hint::black_box(ws.audience_count(e).expect("counts"));
        }
    }
    let mut portrait_times = Vec::new();
    let t = Instant::now();
    for e in expressions.iter().take(n_portraits) {
        let t = Instant::now();
        ws.portrait(&PortraitRequest { audience: e.clone(), base: None, min_count: None, bins: None }).expect("portrait");
        portrait_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let portraits_s = t.elapsed().as_secs_f64();
    portrait_times.sort_by(f64::total_cmp);

    let memory = ws.memory();
    println!("\n| native CLI steps (one run) | figure |\n|---|---|");
    println!(
        "| data | {} members, {} orders, {} events, {:.1} MB CSV |",
        summary.members,
        ws.data().orders.len(),
        ws.data().events.len(),
        bytes as f64 / 1e6
    );
    println!("| load (from memory) | {load_s:.2} s = {:.0} MB/s |", bytes as f64 / 1e6 / load_s);
    println!("| RFM + 8 segments | {rfm_s:.3} s |");
    println!("| {saved} tags ({} skipped by the SQL export) | {tags_s:.2} s |", skipped.len());
    println!(
        "| {} audience counts | {counts_s:.2} s, p50 {:.3} ms, p99 {:.3} ms |",
        expressions.len(),
        pct(&times, 0.5),
        pct(&times, 0.99)
    );
    println!(
        "| {} portraits | {portraits_s:.2} s, p50 {:.1} ms, p99 {:.1} ms |",
        portrait_times.len(),
        pct(&portrait_times, 0.5),
        pct(&portrait_times, 0.99)
    );
    println!(
        "| data held | {:.0} MB = {:.0} B/member, {:.1} B/order, {:.1} B/event |",
        memory.bytes as f64 / 1e6,
        memory.per_member,
        memory.per_order,
        memory.per_event
    );
    let (o, e) = (ws.data().orders.len() as f64, ws.data().events.len() as f64);
    let budget = 150.0 * summary.members as f64 + 16.0 * o + 12.0 * e;
    let p = &memory.parts;
    println!(
        "| held by part | identifiers {:.0} MB, member rows {:.0} MB, orders {:.0} MB, events {:.0} MB; budget 150·M + 16·O + 12·E = {:.0} MB |",
        p.identifiers as f64 / 1e6,
        p.members as f64 / 1e6,
        p.orders as f64 / 1e6,
        p.events as f64 / 1e6,
        budget / 1e6
    );
    let json = serde_json::json!({
        "members": summary.members, "orders": ws.data().orders.len(), "events": ws.data().events.len(), "bytes": bytes,
        "loadSeconds": load_s, "rfmSeconds": rfm_s, "tagsSeconds": tags_s, "tags": saved, "skipped": skipped.into_iter().collect::<Vec<_>>(),
        "countsSeconds": counts_s, "countP50Ms": pct(&times, 0.5), "countP99Ms": pct(&times, 0.99),
        "portraitsSeconds": portraits_s, "portraitP50Ms": pct(&portrait_times, 0.5), "portraitP99Ms": pct(&portrait_times, 0.99),
        "heldBytes": memory.bytes, "heldParts": { "identifiers": p.identifiers, "members": p.members, "orders": p.orders, "events": p.events }, "tagCounts": tag_counts, "audienceCounts": counts,
        "segments": summary.segments.iter().map(|s| (s.key, s.count)).collect::<BTreeMap<_, _>>(),
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    std::fs::create_dir_all(&out).ok();
    std::fs::write(out.join("bench-steps-native.json"), serde_json::to_string_pretty(&json).unwrap_or_default()).ok();
}
