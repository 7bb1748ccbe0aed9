//! Hostile rules (issue 16): chains of thousands of definitions, rules nested or chained thousands deep (in rule
//! text and in a tag pack), and packs of wide, deep dependencies are answered with a diagnostic or evaluated, never
//! a stack overflow or a runaway; the rules saved before stay. The workspace work runs on a thread with a 2 MiB
//! stack: the app's WebAssembly stack is 1 MiB, but this is an unoptimised build, whose frames are several times
//! larger (the browser test `tests/e2e/hostile.test.mjs` runs the same rules in the app).

use crate::fixture;
use huaxiang::engine::Workspace;
use huaxiang::tags::DiagnosticInfo;
use std::process::Command;

/// Runs `f` on a thread with a 2 MiB stack; an overflow fails the test binary.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).expect("a thread").join().expect("no panic")
}

/// A workspace with the small orders fixture computed and one tag saved.
fn workspace() -> Workspace {
    let mut ws = Workspace::new();
    let orders = std::fs::read(fixture("rfm_small.csv")).unwrap();
    ws.load_bytes("rfm_small.csv", None, &orders, 4096).unwrap();
    ws.compute(None).unwrap();
    let (saved, problems) = ws.import_rules("tag 老客 = frequency >= 2", "", "t");
    assert_eq!((saved, problems.len()), (1, 0));
    ws
}

/// Every message is in both languages and short.
fn short_and_bilingual(d: &DiagnosticInfo) {
    assert!(!d.zh.is_empty() && !d.en.is_empty(), "{d:?}");
    assert!(d.zh.chars().count() < 500 && d.en.chars().count() < 500, "{} / {}", d.zh.len(), d.en.len());
    assert!(d.at.line >= 1 && d.at.col >= 1, "{d:?}");
}

/// The members of the tag 老客 (saved before the hostile rules).
fn regulars(ws: &mut Workspace) -> u64 {
    let report = ws.tags().unwrap();
    report.tags.iter().find(|t| t.name == "老客").map(|t| t.count).expect("老客 is still there")
}

#[test]
fn a_chain_of_thousands_of_tags_each_reading_the_next_is_evaluated() {
    small_stack(|| {
        let mut ws = workspace();
        let before = regulars(&mut ws);
        let n = 5_000;
        // Each tag reads the one defined after it, so the order is found by walking the whole chain.
        let mut text: String = (0..n - 1).map(|i| format!("tag t{i} = t{} and frequency >= 1\n", i + 1)).collect();
        text.push_str(&format!("tag t{} = frequency >= 1\n", n - 1));
        let (saved, problems) = ws.import_rules(&text, "", "t");
        assert_eq!((saved, problems.len()), (n, 0));
        let report = ws.tags().unwrap();
        let first = report.tags.iter().find(|t| t.name == "t0").unwrap();
        let last = report.tags.iter().find(|t| t.name == format!("t{}", n - 1)).unwrap();
        assert!(first.count > 0 && first.count == last.count, "{} {}", first.count, last.count);
        assert_eq!(regulars(&mut ws), before);
    });
}

#[test]
fn a_cycle_through_thousands_of_tags_is_named_briefly() {
    small_stack(|| {
        let mut ws = workspace();
        let n = 3_000;
        let text: String = (0..n).map(|i| format!("tag c{i} = c{} or frequency >= 1\n", (i + 1) % n)).collect();
        ws.import_rules(&text, "", "t");
        let report = ws.tags().unwrap();
        let cyclic: Vec<&DiagnosticInfo> = report.tags.iter().flat_map(|t| &t.diagnostics).filter(|d| d.code == "cycle").collect();
        assert_eq!(cyclic.len(), n);
        for d in cyclic {
            short_and_bilingual(d);
            assert!(d.en.contains("3000 definitions") && d.zh.contains("3000"), "{}", d.en);
        }
        assert!(regulars(&mut ws) > 0);
    });
}

#[test]
fn rules_chained_or_nested_thousands_deep_are_refused_in_text_and_in_a_pack() {
    small_stack(|| {
        let mut ws = workspace();
        let before = regulars(&mut ws);
        let chained = vec!["frequency >= 1"; 5_000].join(" or ");
        let summed = vec!["recency"; 5_000].join(" + ");
        let nested = format!("{}frequency >= 1{}", "(".repeat(5_000), ")".repeat(5_000));
        let negated = format!("{}frequency >= 1", "not ".repeat(5_000));
        for (name, rule, code) in
            [("长", &chained, "too_long"), ("和", &summed, "too_long"), ("深", &nested, "too_deep"), ("否", &negated, "too_deep")]
        {
            // In rule text: the statement is reported where it went wrong and left out.
            let kind = if name == "和" { "metric" } else { "tag" };
            let (saved, problems) = ws.import_rules(&format!("{kind} {name} = {rule}\n"), "", "t");
            assert_eq!(saved, 0, "{name}");
            assert_eq!(problems.iter().map(|d| d.code).collect::<Vec<_>>(), [code], "{name}");
            short_and_bilingual(&problems[0]);
            assert_eq!(problems[0].at.line, 1);
            // In a tag pack: saved as written, refused when compiled, never evaluated.
            let pack = serde_json::json!({
                "format": "huaxiang-tag-pack", "version": 1,
                "definitions": [{ "kind": kind, "name": name, "rule": rule }],
            });
            ws.import_pack(&pack.to_string(), true).unwrap();
            let report = ws.tags().unwrap();
            let t = report.tags.iter().find(|t| t.name == *name).unwrap();
            assert_eq!(t.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), [code], "{name}");
            short_and_bilingual(&t.diagnostics[0]);
            assert_eq!(t.count, 0);
            assert_eq!(regulars(&mut ws), before);
        }
    });
}

#[test]
fn a_pack_of_wide_deep_dependencies_is_evaluated_once_per_definition() {
    small_stack(|| {
        let mut ws = workspace();
        // Each metric reads the one before it twice, and each tag the two before it: followed naively, the last
        // reads the first 2^150 times.
        let mut defs = vec![serde_json::json!({ "kind": "metric", "name": "m0", "rule": "monetary + 0.5" })];
        for i in 1..150 {
            defs.push(serde_json::json!({ "kind": "metric", "name": format!("m{i}"), "rule": format!("m{0} + m{0} - m{0}", i - 1) }));
        }
        defs.push(serde_json::json!({ "kind": "tag", "name": "w0", "rule": "m149 > 0" }));
        defs.push(serde_json::json!({ "kind": "tag", "name": "w1", "rule": "frequency >= 2" }));
        for i in 2..2_000 {
            defs.push(serde_json::json!({ "kind": "tag", "name": format!("w{i}"), "rule": format!("w{} or w{}", i - 1, i - 2) }));
        }
        let pack = serde_json::json!({ "format": "huaxiang-tag-pack", "version": 1, "definitions": defs });
        ws.import_pack(&pack.to_string(), false).unwrap();
        let report = ws.tags().unwrap();
        let count = |name: &str| report.tags.iter().find(|t| t.name == name).map(|t| t.count).unwrap();
        // m149 = monetary + 0.5 for everyone, so w0 is everyone with an order, and so is every w after w1.
        assert_eq!(count("w1999"), count("w0"));
        assert!(count("w0") > count("w1"));
        assert!(report.tags.iter().all(|t| t.diagnostics.iter().all(|d| d.severity != huaxiang::rules::Severity::Error)));
    });
}

#[test]
fn the_cli_answers_hostile_rules_with_a_message_and_a_failing_status() {
    let dir = std::env::temp_dir().join(format!("hx-hostile-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chained = format!("tag 长 = {}\n", vec!["frequency >= 1"; 20_000].join(" and "));
    let pack = serde_json::json!({
        "format": "huaxiang-tag-pack", "version": 1,
        "definitions": [{ "kind": "metric", "name": "m", "rule": vec!["recency"; 20_000].join(" + ") }],
    })
    .to_string();
    for (file, text) in [("chain.rules", chained), ("pack.json", pack)] {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let out = dir.join("out");
        let run = Command::new(env!("CARGO_BIN_EXE_huaxiang"))
            .args(["profile", "--orders", fixture("rfm_small.csv").to_str().unwrap(), "--rules", path.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{file}: exits with a status, not a signal: {err}");
        assert!(err.contains("too long") && err.contains("条件太长") && err.contains(":1:"), "{file}: {err}");
        assert!(err.lines().all(|l| l.chars().count() < 600), "{file}: bounded lines");
    }
    std::fs::remove_dir_all(dir).ok();
}
