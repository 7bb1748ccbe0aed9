//! `cargo bench --bench tags` (part of `make bench`): evaluates a generated pack of rule tags over generated
//! members, orders and events, natively, then counts 1,000 random audience expressions over them (p50, p99) and
//! draws 20 full portraits, and prints the figures (never a pass/fail timing test).
//!
//! Sizes come from the environment: HUAXIANG_BENCH_MEMBERS (default 1,000,000), HUAXIANG_BENCH_ORDERS (default
//! ten per member), HUAXIANG_BENCH_EVENTS (default five per member), HUAXIANG_BENCH_TAGS (default 300),
//! HUAXIANG_BENCH_PORTRAITS (default 20); HUAXIANG_BENCH_SLOWEST=k also prints the k slowest audience expressions,
//! HUAXIANG_BENCH_ROUNDS=r counts them r times (to profile).
//! Figures are also written to results/bench-tags-native.json.

use huaxiang::engine::Workspace;
use huaxiang::sample::synthetic::Size;
use huaxiang::tags::Edit;
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

fn main() {
    let members = env("HUAXIANG_BENCH_MEMBERS", 1_000_000);
    let size = Size { members, orders: env("HUAXIANG_BENCH_ORDERS", members * 10), events: env("HUAXIANG_BENCH_EVENTS", members * 5) };
    let tags = env("HUAXIANG_BENCH_TAGS", 300) as usize;
    let mut ws = Workspace::new();
    let t = Instant::now();
    ws.load_synthetic(7, size);
    let load_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let summary = ws.compute(None).expect("RFM computes");
    let compute_s = t.elapsed().as_secs_f64();
    let rules = huaxiang::sample::pack::rules(7, tags);
    let (saved, problems) = ws.import_rules(&rules, "2025-06-01T00:00:00", "bench");
    assert!(problems.is_empty(), "{problems:?}");
    let t = Instant::now();
    let report = ws.tags().expect("tags evaluate");
    let full_s = t.elapsed().as_secs_f64();
    let errors: usize =
        report.tags.iter().map(|t| t.diagnostics.iter().filter(|d| d.severity == huaxiang::rules::Severity::Error).count()).sum();
    for t in report.tags.iter().filter(|t| !t.diagnostics.is_empty()).take(3) {
        eprintln!("{} = {}: {:?}", t.name, t.rule, t.diagnostics);
    }
    assert_eq!(errors, 0, "the generated pack checks cleanly");
    // Edit one rule that others read: only it and its dependents are evaluated again.
    let edit = Edit { name: "b005".into(), group: "基准".into(), rule: "avg(orders.amount, last 60d) > 120".into(), ..Edit::default() };
    let t = Instant::now();
    let after = ws.save_tag(&edit, "2025-06-01T00:01:00", "bench").expect("saves");
    let edit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = ws.tags().expect("tags evaluate");
    let cached_s = t.elapsed().as_secs_f64();
    // Audiences: 1,000 random expressions over the tags, counted as a user typing them would be.
    let expressions = huaxiang::sample::pack::audiences(7, tags, 1000);
    let mut times = Vec::with_capacity(expressions.len());
    let mut timed = Vec::with_capacity(expressions.len());
    let mut bitmap_only = 0;
    let mut scanned = 0;
    // HUAXIANG_BENCH_ROUNDS=r counts every expression r times (for a profiler; the first round builds indexes).
    let rounds = env("HUAXIANG_BENCH_ROUNDS", 1).max(1) as usize;
    eprintln!("counting {} audience expressions × {rounds}", expressions.len());
    for e in expressions.iter().cycle().take(expressions.len() * rounds) {
        let t = Instant::now();
        let c = ws.audience_count(e).expect("counts");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        timed.push((ms, e));
        assert!(c.count.is_some(), "{e}: {:?}", c.diagnostics);
        bitmap_only += usize::from(c.bitmap_only);
        scanned += usize::from(c.scanned);
    }
    let (bitmap_only, scanned) = (bitmap_only / rounds, scanned / rounds);
    let (text_indexes, number_indexes, index_bytes) = ws.audience_index_usage();
    times.sort_by(f64::total_cmp);
    // HUAXIANG_BENCH_SLOWEST=k prints the k slowest expressions (where the tail comes from).
    timed.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, e) in timed.iter().take(env("HUAXIANG_BENCH_SLOWEST", 0) as usize) {
        eprintln!("{ms:8.3} ms  {e}");
    }
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    // Portraits of the first expressions against every member (HUAXIANG_BENCH_PORTRAITS, default 20).
    let portraits = (env("HUAXIANG_BENCH_PORTRAITS", 20) as usize).clamp(1, expressions.len());
    let mut portrait_times = Vec::with_capacity(portraits);
    let mut traits = 0;
    for e in &expressions[..portraits] {
        let t = Instant::now();
        let p = ws
            .portrait(&huaxiang::audience::PortraitRequest { audience: e.clone(), base: None, min_count: None, bins: None })
            .expect("portrait");
        portrait_times.push(t.elapsed().as_secs_f64());
        traits = traits.max(p.traits.len());
    }
    let portrait_first = portrait_times[0];
    portrait_times.sort_by(f64::total_cmp);
    let portrait_p50 = portrait_times[(portrait_times.len() - 1) / 2];
    let portrait_max = portrait_times[portrait_times.len() - 1];
    let orders = ws.data().orders.len();
    let events = ws.data().events.len();
    println!("\n| tags benchmark (native) | figure |\n|---|---|");
    println!("| data | {} members, {} orders, {} events |", summary.members, orders, events);
    println!("| load synthetic columns + OneID | {load_s:.2} s |");
    println!("| compute (RFM) | {compute_s:.2} s |");
    println!(
        "| evaluate {saved} rule tags + {} built-in (first time) | {full_s:.2} s = {:.1} ms per tag |",
        report.tags.len() - saved,
        full_s * 1000.0 / report.tags.len() as f64
    );
    println!("| edit one rule, re-evaluate it and its {} dependents | {edit_s:.3} s |", after.evaluated.len().saturating_sub(1));
    println!("| report again, nothing changed ({} evaluated) | {cached_s:.3} s |", again.evaluated.len());
    println!(
        "| audience count, 1,000 random expressions ({bitmap_only} tags only, {scanned} scanned by the evaluator) | p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms |",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "| audience indexes built ({text_indexes} value sets, {number_indexes} rank indexes) | {:.1} MB = {:.1} B/member |",
        index_bytes as f64 / 1e6,
        index_bytes as f64 / summary.members.max(1) as f64
    );
    println!(
        "| {portraits} full portraits against every member (up to {traits} traits) | first {portrait_first:.3} s, p50 {portrait_p50:.3} s, max {portrait_max:.3} s |"
    );
    let json = serde_json::json!({
        "audienceP50Ms": pct(0.5), "audienceP99Ms": pct(0.99), "audienceScanned": scanned, "audienceIndexBytes": index_bytes, "portraitSeconds": portrait_p50, "portraitFirstSeconds": portrait_first, "portraitMaxSeconds": portrait_max, "portraits": portraits,
        "members": summary.members, "orders": orders, "events": events, "tags": report.tags.len(),
        "loadSeconds": load_s, "computeSeconds": compute_s, "evaluateSeconds": full_s,
        "editSeconds": edit_s, "editEvaluated": after.evaluated, "cachedSeconds": cached_s,
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    std::fs::create_dir_all(&dir).ok();
    std::fs::write(dir.join("bench-tags-native.json"), serde_json::to_string_pretty(&json).unwrap_or_default()).ok();
}
