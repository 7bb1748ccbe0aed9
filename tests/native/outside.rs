//! Issue 19's regressions: bugs found by using the tool from outside with hostile and unusual inputs (wrong
//! results, silent losses, injection through names, terminal escapes, messages).

use crate::fixture;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::ingest::report::FileReport;
use huaxiang::ingest::LoadOptions;
use std::process::Command;

/// Streams `bytes` into a new file of `ws` in chunks of `chunk` bytes, with the given options.
fn push_file(ws: &mut Workspace, name: &str, bytes: &[u8], chunk: usize, options: LoadOptions) -> huaxiang::error::Result<FileReport> {
    ws.begin_file(name, options)?;
    for c in bytes.chunks(chunk) {
        ws.push(c)?;
    }
    ws.finish_file()
}

fn orders() -> LoadOptions {
    LoadOptions { kind: Some(FileKind::Orders), ..LoadOptions::default() }
}

/// A unique scratch directory.
fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hx-outside-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huaxiang")).args(args).output().expect("the CLI runs")
}

// --- JSON Lines without a format (the app passed none) ---

#[test]
fn json_lines_load_whole_when_the_format_is_not_given() {
    let bytes = std::fs::read(fixture("formats/orders.jsonl")).unwrap();
    let lines = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    for name in ["orders.json", "orders.txt", "orders.jsonl"] {
        for chunk in [1, 7, 1 << 20] {
            let mut ws = Workspace::new();
            let r = push_file(&mut ws, name, &bytes, chunk, LoadOptions::default()).unwrap();
            assert_eq!(r.format, "jsonl", "{name}/{chunk}");
            assert_eq!(r.rows_read, lines, "{name}/{chunk}: {:?}", r.problems);
            assert!(r.rows_loaded >= lines - 2, "{name}/{chunk}: {} of {lines} loaded: {:?}", r.rows_loaded, r.problems);
        }
    }
    // Leading blank lines do not make it CSV.
    let mut padded = b"\n\n  \n".to_vec();
    padded.extend_from_slice(&bytes);
    let r = push_file(&mut Workspace::new(), "orders.txt", &padded, 2, LoadOptions::default()).unwrap();
    assert_eq!(r.format, "jsonl");
    assert!(r.rows_loaded >= lines - 2);
}

// --- money ---

fn orders_csv(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut s = String::from("订单号,会员编号,下单时间,实付金额\n");
    for (i, (member, day, amount)) in rows.iter().enumerate() {
        s.push_str(&format!("O{i},{member},{day} 10:00:00,{amount}\n"));
    }
    s.into_bytes()
}

#[test]
fn amounts_beyond_the_type_are_refused_and_large_ones_flagged() {
    let csv = orders_csv(&[
        ("M1", "2025-01-01", "90000000000000000"),
        ("M1", "2025-01-02", "90000000000000000"),
        ("M1", "2025-01-03", "90000000000000000"),
        ("M1", "2025-01-04", "120.50"),
        ("M2", "2025-01-05", "250000000"),
        ("M3", "2025-01-06", "9e99"),
        ("M3", "2025-01-07", "12元"),
    ]);
    let mut ws = Workspace::new();
    let r = push_file(&mut ws, "o.csv", &csv, 5, orders()).unwrap();
    let codes: Vec<(u64, &str)> = r.problems.iter().map(|p| (p.line, p.code)).collect();
    assert_eq!(codes, vec![(2, "amount_out_of_range"), (3, "amount_out_of_range"), (4, "amount_out_of_range"), (7, "amount_out_of_range")]);
    assert!(r.problems[0].zh.contains("10 万亿元") && r.problems[0].en.contains("10 trillion"), "{:?}", r.problems[0]);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!((r.warnings[0].line, r.warnings[0].code, r.warnings[0].value.as_str()), (6, "large_amount", "250000000"));
    ws.compute(None).unwrap();
    let m1 = ws.rfm().unwrap().rows.iter().find(|row| ws.person_key(row.member) == "M1").unwrap().monetary;
    assert_eq!(m1, 12_050, "M1's three absurd orders are refused, not summed with wrapping");
}

#[test]
fn sums_beyond_the_type_are_an_error_not_a_wrapped_number() {
    // Each row is the largest amount accepted; 10,000 of them for one member pass i64::MAX.
    let max_yuan = (huaxiang::base::values::MAX_AMOUNT / 100).to_string();
    let rows: Vec<(&str, &str, &str)> = (0..10_000).map(|_| ("M1", "2025-01-01", max_yuan.as_str())).collect();
    let mut ws = Workspace::new();
    let r = push_file(&mut ws, "o.csv", &orders_csv(&rows), 1 << 16, orders()).unwrap();
    assert_eq!(r.rows_loaded, 10_000);
    let e = ws.compute(None).unwrap_err();
    assert_eq!(e.code, "money_overflow");
    assert!(!e.zh.is_empty() && !e.en.is_empty());
}

// --- unterminated quotes ---

/// 25 data lines; line 2 opens a quote that is never closed.
fn unclosed_quote_csv() -> Vec<u8> {
    let mut s = String::from("订单号,会员编号,下单时间,实付金额,备注\n");
    for i in 0..25 {
        let note = if i == 0 { "\"12 寸披萨".to_string() } else { format!("备注{i}") };
        s.push_str(&format!("O{i},M{i},2025-01-{:02} 10:00:00,10.00,{note}\n", i % 28 + 1));
    }
    s.into_bytes()
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opened_and_the_lines_after_it_are_read() {
    let csv = unclosed_quote_csv();
    for chunk in [1, 3, 64, 1 << 20] {
        let mut ws = Workspace::new();
        let r = push_file(&mut ws, "o.csv", &csv, chunk, orders()).unwrap();
        assert_eq!((r.rows_read, r.rows_loaded, r.rows_skipped), (25, 25, 0), "chunk {chunk}: {:?}", r.problems);
        assert_eq!(r.warnings.len(), 1, "chunk {chunk}");
        assert_eq!((r.warnings[0].code, r.warnings[0].line), ("unterminated_quote", 2), "chunk {chunk}");
        assert!(r.warnings[0].zh.contains("第 2 行") && r.warnings[0].en.contains("line 2"));
        ws.compute(None).unwrap();
        assert_eq!(ws.rfm().unwrap().rows.len(), 25, "chunk {chunk}");
    }
}

#[test]
fn a_quote_left_open_for_megabytes_is_reread_before_the_end_of_the_file() {
    let mut s = String::from("订单号,会员编号,下单时间,实付金额,备注\nO0,M0,2025-01-01 10:00:00,10.00,\"open\n");
    let rows = 150_000;
    for i in 1..=rows {
        s.push_str(&format!("O{i},M{},2025-01-02 10:00:00,10.00,x\n", i % 5000));
    }
    assert!(s.len() > 5 << 20);
    let mut ws = Workspace::new();
    let r = push_file(&mut ws, "o.csv", s.as_bytes(), 1 << 20, orders()).unwrap();
    assert_eq!(r.rows_loaded, rows + 1, "{:?}", r.problems);
    assert_eq!(r.warnings.iter().map(|w| (w.code, w.line)).collect::<Vec<_>>(), vec![("unterminated_quote", 2)]);
}

#[test]
fn the_cli_keeps_every_row_after_an_unclosed_quote_and_says_where() {
    let dir = scratch("quote");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, unclosed_quote_csv()).unwrap();
    let good = fixture("rfm_small.csv");
    let out = dir.join("out");
    let run = cli(&["profile", "--orders", good.to_str().unwrap(), "--orders", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("bad.csv:2: warning:") && stderr.contains("第 2 行"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["files"][1]["rowsLoaded"], 25);
    std::fs::remove_dir_all(dir).ok();
}

// --- the default analysis date ---

#[test]
fn a_date_in_9999_does_not_move_the_default_analysis_date() {
    let csv = orders_csv(&[("M1", "2025-03-01", "10"), ("M2", "2025-03-09", "10"), ("M3", "9999-12-31", "10")]);
    let mut ws = Workspace::new();
    push_file(&mut ws, "o.csv", &csv, 64, orders()).unwrap();
    let s = ws.compute(None).unwrap();
    assert_eq!(s.as_of, "2025-03-10");
    assert_eq!(s.implausible_order_dates, 1);
    let w = s.as_of_warning.as_ref().expect("a warning says why");
    assert_eq!(w.code, "implausible_dates");
    assert!(w.zh.contains("2025-03-10") && w.en.contains("9999"), "{w:?}");
    // A date the user gives is theirs: no warning.
    let s = ws.compute(huaxiang::base::date::Day::parse_iso("2025-04-01")).unwrap();
    assert!(s.as_of_warning.is_none());
    // Plain data: no warning, the usual default.
    let mut ws = Workspace::new();
    push_file(&mut ws, "o.csv", &orders_csv(&[("M1", "2025-03-01", "10")]), 64, orders()).unwrap();
    let s = ws.compute(None).unwrap();
    assert_eq!((s.as_of.as_str(), s.implausible_order_dates, s.as_of_warning.is_none()), ("2025-03-02", 0, true));
}

#[test]
fn the_cli_warns_about_the_default_analysis_date() {
    let dir = scratch("asof");
    let file = dir.join("o.csv");
    std::fs::write(&file, orders_csv(&[("M1", "2025-03-01", "10"), ("M3", "9999-12-31", "10")])).unwrap();
    let run = cli(&["profile", "--orders", file.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("as of 2025-03-02") && stderr.contains("warning:") && stderr.contains("9999"), "{stderr}");
    std::fs::remove_dir_all(dir).ok();
}

// --- tag packs ---

#[test]
fn a_pack_with_wrong_keys_or_nothing_in_it_is_refused() {
    let mut ws = Workspace::new();
    ws.import_rules("tag 老客 = frequency >= 2", "", "t");
    let e = ws.import_pack(r#"{"format": "huaxiang-tag-pack", "tags": [{"name": "a", "rule": "frequency > 1"}]}"#, false).unwrap_err();
    assert_eq!(e.code, "bad_pack");
    assert!(e.en.contains("definitions") && e.en.contains("tags") && e.zh.contains("tags"), "{e:?}");
    let e = ws.import_pack(r#"{"name": "x"}"#, true).unwrap_err();
    assert!(e.en.contains("format") && e.en.contains("name"), "{e:?}");
    let e = ws.import_pack(r#"{"format": "huaxiang-tag-pack", "version": 1, "definitions": []}"#, false).unwrap_err();
    assert_eq!(e.code, "empty_pack");
    assert!(ws.catalog().get("老客").is_some(), "a refused pack changes nothing");
    // The CLI says so and fails.
    let dir = scratch("pack");
    let pack = dir.join("pack.json");
    std::fs::write(&pack, r#"{"tags": []}"#).unwrap();
    let run = cli(&[
        "profile",
        "--orders",
        fixture("rfm_small.csv").to_str().unwrap(),
        "--rules",
        pack.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("tag pack"), "{}", String::from_utf8_lossy(&run.stderr));
    std::fs::remove_dir_all(dir).ok();
}

// --- files that cannot be read, terminal escapes, messages ---

#[test]
fn the_cli_keeps_the_good_files_lists_the_bad_and_fails() {
    let dir = scratch("files");
    let bad = dir.join("bad.csv");
    // A header with terminal escapes (set the window title, clear the screen) and no usable columns.
    std::fs::write(&bad, "\u{1b}]0;pwned\u{7}\u{1b}[2J,b\n1,2\n").unwrap();
    let good = fixture("rfm_small.csv");
    let out = dir.join("out");
    let run = cli(&["profile", "--orders", good.to_str().unwrap(), "--orders", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(!run.stderr.contains(&0x1b) && !run.stderr.contains(&0x07), "control bytes reach the terminal: {stderr}");
    assert!(stderr.contains("\\u{1b}]0;pwned"), "{stderr}");
    assert!(stderr.contains("1 of 2 file(s) could not be read") && stderr.contains("bad.csv") && stderr.contains("无法读取"), "{stderr}");
    let csv = std::fs::read_to_string(out.join("members.csv")).expect("the good file's results are written");
    assert_eq!(csv.lines().count(), 11);
    // --strict stops at the first bad file and writes nothing.
    let out2 = dir.join("out2");
    let run = cli(&[
        "profile",
        "--strict",
        "--orders",
        bad.to_str().unwrap(),
        "--orders",
        good.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--strict"));
    assert!(!out2.exists());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_cli_prints_row_problems_in_both_languages() {
    let dir = scratch("rows");
    let file = dir.join("o.csv");
    std::fs::write(&file, orders_csv(&[("M1", "2025-03-01", "10"), ("M2", "not a date", "10"), ("M3", "2025-03-02", "abc")])).unwrap();
    let run = cli(&["profile", "--orders", file.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("o.csv:3:") || l.contains("o.csv:4:")).collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    for l in lines {
        assert!(l.contains(" / ") && l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{l}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn one_long_line_without_a_newline_is_not_called_empty() {
    // 8 MB on one line and nothing else. The preview sees the first MiB without a line break.
    let line = "会员编号x,".repeat(800_000);
    let head = &line.as_bytes()[..1 << 20];
    let p = Workspace::new().preview("one-line.csv", head, false, &LoadOptions::default()).unwrap();
    let e = p.error.expect("the preview says what is wrong");
    assert_eq!(e.code, "no_line_end");
    assert!(e.en.contains("1.0 MB") && e.zh.contains("没有换行"), "{e:?}");
    // Loading it whole names the problem in a message of readable length (not 8 MB of headers).
    let e = push_file(&mut Workspace::new(), "one-line.csv", line.as_bytes(), 1 << 20, orders()).unwrap_err();
    assert_ne!(e.code, "empty_file");
    assert!(e.en.len() < 4_000 && e.zh.len() < 4_000, "{} bytes", e.en.len());
    assert!(e.en.contains("more)") && e.zh.contains("另有"), "the list says how many headers are not shown");
    // A truly empty file still is empty.
    let e = push_file(&mut Workspace::new(), "empty.csv", b"", 1, LoadOptions::default()).unwrap_err();
    assert_eq!(e.code, "empty_file");
}

// --- a catalog of thousands of tags ---

#[test]
fn lineage_is_drawn_around_the_selected_tag_and_duplicates_are_summarised() {
    let mut ws = Workspace::new();
    ws.load_bytes("rfm_small.csv", None, &std::fs::read(fixture("rfm_small.csv")).unwrap(), 4096).unwrap();
    ws.compute(None).unwrap();
    // A chain of 40 tags, each reading the one before, and 12 tags with the same members.
    let mut text = String::from("tag c0 = frequency >= 1\n");
    for i in 1..40 {
        text.push_str(&format!("tag c{i} = c{} and monetary >= {}\n", i - 1, i % 3));
    }
    for i in 0..12 {
        text.push_str(&format!("tag d{i} = frequency >= {}\n", if i % 2 == 0 { "1" } else { "0.5" }));
    }
    let (saved, diags) = ws.import_rules(&text, "t", "t");
    assert_eq!(saved, 52, "{diags:?}");
    let depth = huaxiang::tags::report::LINEAGE_DEPTH;
    let g = ws.lineage("c20").unwrap();
    let defs: Vec<&str> = g.nodes.iter().filter(|n| n.id.starts_with("def:")).map(|n| n.label.as_str()).collect();
    let want: Vec<String> = (20 - depth..=20 + depth).map(|i| format!("c{i}")).collect();
    let mut got: Vec<&str> = defs.clone();
    got.sort_by_key(|n| n[1..].parse::<usize>().unwrap());
    assert_eq!(got, want.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((g.more_up, g.more_down), (1, 1), "one more each way is counted, not drawn");
    let report = ws.tags().unwrap();
    let d0 = report.tags.iter().find(|t| t.name == "d0").unwrap();
    assert!(d0.flags.duplicate_count >= 11, "{:?}", d0.flags);
    assert_eq!(d0.flags.duplicates.len(), huaxiang::tags::report::DUPLICATES_LISTED);
}
