//! The cleaning rules of issue 15 (docs/ingest.md, "Cleaning"): one fixture per rule showing the default, the
//! report and the switch turned off; a generated messy set cleaned into its truth by the CLI; and clean data (the
//! CDNOW log, the sample) on which no rule fires and results stay as they were.

use huaxiang::base::date::Zone;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::ingest::clean::Cleaning;
use huaxiang::ingest::report::FileReport;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

/// Loads `text` as one file of `kind` with `cleaning`, computes as of 2025-01-01, and returns the workspace
/// and the file's report.
fn load(kind: FileKind, text: &str, cleaning: Cleaning) -> (Workspace, FileReport) {
    let mut ws = Workspace::new();
    ws.set_cleaning(cleaning);
    let report = ws.load_bytes("fixture.csv", Some(kind), text.as_bytes(), 7).unwrap();
    (ws, report)
}

fn count(report: &FileReport, rule: &str) -> u64 {
    report.findings.iter().find(|f| f.rule == rule).map_or(0, |f| f.count)
}

fn off(rule: &str) -> Cleaning {
    let mut c = Cleaning::default();
    assert!(c.set(rule, false));
    c
}

/// (frequency, monetary in fen) of the person holding member id `id`.
fn rfm_of(ws: &mut Workspace, id: &str) -> Option<(u64, i64)> {
    ws.compute(None).unwrap();
    let p = ws.find_person(huaxiang::base::ids::IdKind::Member, id)?;
    ws.rfm().unwrap().rows.iter().find(|r| r.member == p).map(|r| (u64::from(r.frequency), r.monetary))
}

#[test]
fn instants_are_converted_into_the_data_zone_and_wall_clock_is_taken_as_written() {
    let text = "member_id,order_time,amount\n1,2024-05-11T10:00:00+08:00,1\n2,1715392800000,1\n3,2024-05-11 10:00:00,1\n";
    let (_, r) = load(FileKind::Orders, text, Cleaning { time_zone: Zone::parse_fixed("+08:00").unwrap(), ..Cleaning::default() });
    assert_eq!((r.first_time.as_deref(), r.last_time.as_deref()), (Some("2024-05-11 10:00:00"), Some("2024-05-11 10:00:00")));
    assert_eq!(count(&r, "time_zone"), 2);
    assert_eq!(r.findings[0].examples[0].line, 2);
    assert_eq!(r.time_zone, "+08:00");
    // In UTC the two instants are 02:00; the wall-clock row stays at 10:00.
    let (_, r) = load(FileKind::Orders, text, Cleaning::default());
    assert_eq!((r.first_time.as_deref(), r.last_time.as_deref()), (Some("2024-05-11 02:00:00"), Some("2024-05-11 10:00:00")));
}

#[test]
fn spreadsheet_ids_become_integer_text_unless_switched_off_and_leading_zeros_stay() {
    let text = "member_id,order_time,amount\n10000707,2024-05-01,10\n10000707.0,2024-05-02,10\n1.0000707E+7,2024-05-03,10\n";
    let (mut ws, r) = load(FileKind::Orders, text, Cleaning::default());
    assert_eq!(count(&r, "id_number_form"), 2);
    assert_eq!((r.findings[0].examples[0].line, r.findings[0].examples[0].column), (3, 1));
    assert_eq!(rfm_of(&mut ws, "10000707"), Some((3, 3000)));
    let (mut ws, r) = load(FileKind::Orders, text, off("id_number_form"));
    assert_eq!(count(&r, "id_number_form"), 2, "reported, not applied");
    assert!(!r.findings[0].applied);
    assert_eq!(rfm_of(&mut ws, "10000707"), Some((1, 1000)));
    // A column with leading-zero ids is a text id column (`123.0` may have been `00123`): nothing is changed.
    let text = "member_id,order_time,amount\n00123,2024-05-01,10\n123.0,2024-05-02,10\n";
    let (mut ws, r) = load(FileKind::Orders, text, Cleaning::default());
    assert_eq!(count(&r, "id_number_form"), 0);
    assert_eq!(rfm_of(&mut ws, "00123"), Some((1, 1000)));
    assert_eq!(rfm_of(&mut ws, "123.0"), Some((1, 1000)));
    // Text ids are left alone.
    let (_, r) = load(FileKind::Orders, "member_id,order_time,amount\nA1,2024-05-01,10\n12.0,2024-05-02,10\n", Cleaning::default());
    assert_eq!(count(&r, "id_number_form"), 0);
}

#[test]
fn placeholder_ids_and_a_dominant_id_are_left_out_unless_switched_off() {
    let mut text = String::from("member_id,order_time,amount\n");
    for (i, id) in ["guest", "匿名", "游客", "null", "NA", "0", "-1"].iter().enumerate() {
        text.push_str(&format!("{id},2024-05-0{},10\n", i + 1));
    }
    for m in 0..40 {
        text.push_str(&format!("{},2024-06-01,20\n", 1000 + m));
    }
    for d in 0..60 {
        text.push_str(&format!("88888888,2024-07-{:02},5\n", 1 + d % 28));
    }
    let (mut ws, r) = load(FileKind::Orders, &text, Cleaning::default());
    assert_eq!(count(&r, "placeholder_id"), 67);
    assert_eq!((r.rows_loaded, r.rows_dropped), (40, 67));
    let s = ws.compute(None).unwrap();
    assert_eq!((s.members, s.buyers), (40, 40));
    assert_eq!(rfm_of(&mut ws, "guest"), None);
    let (mut ws, r) = load(FileKind::Orders, &text, off("placeholder_id"));
    assert_eq!((count(&r, "placeholder_id"), r.rows_dropped), (67, 0));
    assert_eq!(ws.compute(None).unwrap().members, 48);
}

#[test]
fn exact_duplicate_rows_are_dropped_and_conflicting_order_numbers_reported() {
    let text = "order,member,time,amount,sku\nA,1,2024-05-01 10:00,100,x\nA,1,2024-05-01 10:00,100,x\nA,1,2024-05-01 10:00,100,y\n\
                B,1,2024-05-02 10:00,50,x\nB,2,2024-05-02 10:00,50,x\nC,1,2024-05-03 10:00,20,x\nC,1,2024-05-05 12:00,-20,x\n";
    let (mut ws, r) = load(FileKind::Orders, text, Cleaning::default());
    assert_eq!(count(&r, "duplicate_row"), 1);
    assert_eq!(r.findings[0].examples[0].line, 3);
    assert_eq!(r.findings[0].examples[0].value, "= 2");
    assert_eq!(count(&r, "conflicting_order"), 1, "B has two members; C's refund comes later by nature");
    // A's two order lines (they differ in an unmapped column) stay: 100 + 100.
    assert_eq!(rfm_of(&mut ws, "1"), Some((3, 25_000)));
    let (mut ws, r) = load(FileKind::Orders, text, off("duplicate_row"));
    assert_eq!((count(&r, "duplicate_row"), r.rows_dropped), (1, 0));
    assert_eq!(rfm_of(&mut ws, "1"), Some((3, 35_000)));
}

#[test]
fn implausible_dates_are_left_out_and_birthdays_left_blank() {
    let text =
        "member_id,order_time,amount\n1,1970-01-01 08:00:00,10\n1,1900-01-01,10\n1,2024-05-01,10\n1,2024-05-02,10\n1,2030-01-01,10\n";
    let as_of = Cleaning { as_of: Some("2025-01-01".into()), ..Cleaning::default() };
    let (mut ws, r) = load(FileKind::Orders, text, as_of.clone());
    assert_eq!((count(&r, "implausible_date"), r.rows_dropped), (3, 3));
    assert_eq!(rfm_of(&mut ws, "1"), Some((2, 2000)));
    let (_, r) = load(FileKind::Orders, text, Cleaning { implausible_date: false, ..as_of });
    assert_eq!((count(&r, "implausible_date"), r.rows_loaded), (3, 5));
    let members = "member_id,birthday\n1,1900-01-01\n2,1990-05-01\n";
    let (ws, r) = load(FileKind::Members, members, Cleaning::default());
    assert_eq!(count(&r, "implausible_birthday"), 1);
    let birthday = ws.data().members.attr(huaxiang::base::roles::Role::Birthday).unwrap();
    assert_eq!((birthday.get(0), birthday.get(1)), ("", "1990-05-01"));
    let (ws, _) = load(FileKind::Members, members, off("implausible_birthday"));
    assert_eq!(ws.data().members.attr(huaxiang::base::roles::Role::Birthday).unwrap().get(0), "1900-01-01");
}

#[test]
fn value_variants_of_event_types_are_folded_and_amount_oddities_only_flagged() {
    let text = "member_id,event_type,event_time\n1,view,2024-05-01\n2,VIEW,2024-05-01\n3,ｖｉｅｗ,2024-05-01\n4,view,2024-05-02\n";
    let (ws, r) = load(FileKind::Events, text, Cleaning::default());
    assert_eq!(count(&r, "value_variant"), 2);
    let e = &ws.data().events;
    assert!((0..4).all(|i| e.types.get(e.event_type.get(i)) == "view"));
    let (ws, _) = load(FileKind::Events, text, off("value_variant"));
    assert_eq!(ws.data().events.types.len(), 3);
    let mut orders = String::from("member_id,order_time,amount\n");
    for d in 1..=9 {
        orders.push_str(&format!("1,2024-05-0{d},{}\n", 50 + d));
    }
    orders.push_str("1,2024-06-01,9000\n2,2024-06-01,30\n2,2024-06-02,-500\n");
    let (mut ws, r) = load(FileKind::Orders, &orders, Cleaning::default());
    assert_eq!((count(&r, "amount_outlier"), count(&r, "amount_sign"), r.rows_dropped), (1, 1, 0));
    assert_eq!(r.findings.iter().find(|f| f.rule == "amount_outlier").unwrap().examples[0].line, 11);
    // Flagged, not changed: the outlier still counts in full.
    assert_eq!(rfm_of(&mut ws, "1"), Some((10, (50 * 9 + 45 + 9000) * 100)));
}

/// Every member's (recency, frequency, monetary in fen) in a members.csv the CLI wrote.
fn members_csv(path: &std::path::Path) -> HashMap<String, (i64, u64, i64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (id, r, f, m) = (at("member_id"), at("recency"), at("frequency"), at("monetary"));
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let fen = (c[m].parse::<f64>().unwrap() * 100.0).round() as i64;
            (c[id].to_string(), (c[r].parse().unwrap(), c[f].parse().unwrap(), fen))
        })
        .collect()
}

#[test]
fn the_cli_cleans_the_generated_messy_set_into_its_truth() {
    let dir = std::env::temp_dir().join(format!("huaxiang-messy-{}", std::process::id()));
    let gen = Command::new("node").args(["tests/messy/generate.mjs", dir.to_str().unwrap()]).status().expect("node runs the generator");
    assert!(gen.success());
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
    let out = dir.join("out");
    let file = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let run = Command::new(env!("CARGO_BIN_EXE_huaxiang"))
        .args(["profile", "--orders", &file("orders.csv"), "--members", &file("members.csv"), "--events", &file("events.csv")])
        .args(["--tz", truth["timeZone"].as_str().unwrap(), "--as-of", truth["asOf"].as_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in ["members", "buyers", "orders"] {
        assert_eq!(summary[key], truth[key], "{key}");
    }
    let got = members_csv(&out.join("members.csv"));
    let want: HashMap<String, (i64, u64, i64)> = truth["rfm"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["member"].as_str().unwrap().to_string(),
                (r["recency"].as_i64().unwrap(), r["frequency"].as_u64().unwrap(), r["monetary"].as_i64().unwrap()),
            )
        })
        .collect();
    assert_eq!(got, want);
    // Every planted defect was found.
    let rules: Vec<&str> = summary["quality"]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for rule in
        ["id_number_form", "placeholder_id", "duplicate_row", "implausible_date", "implausible_birthday", "value_variant", "time_zone"]
    {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Loads files with `cleaning` and returns the summary as JSON, without the parts that name the settings.
fn summary_of(files: &[(&str, FileKind, Vec<u8>)], cleaning: Cleaning) -> Value {
    let mut ws = Workspace::new();
    ws.set_cleaning(cleaning);
    for (name, kind, bytes) in files {
        ws.load_bytes(name, Some(*kind), bytes, 1 << 20).unwrap();
    }
    let mut s = serde_json::to_value(ws.compute(None).unwrap()).unwrap();
    for f in s["files"].as_array_mut().unwrap() {
        assert_eq!(f["findings"], Value::Array(vec![]), "no rule fires on clean data: {}", f["name"]);
    }
    s
}

#[test]
fn no_rule_fires_on_the_cdnow_log_or_the_sample_and_results_are_unchanged() {
    let sample = vec![
        ("members.csv", FileKind::Members, huaxiang::sample::members_csv(15, 3000)),
        ("orders.csv", FileKind::Orders, huaxiang::sample::orders_csv(15, 3000)),
        ("events.csv", FileKind::Events, huaxiang::sample::events_csv(15, 3000)),
    ];
    let mut sets = vec![sample];
    if let Some(dir) = crate::models::reference_dir() {
        sets.push(vec![("cdnow_orders.csv", FileKind::Orders, std::fs::read(dir.join("cdnow_orders.csv")).unwrap())]);
    }
    for files in sets {
        let on = summary_of(&files, Cleaning::default());
        let off = summary_of(&files, Cleaning::off(Zone::utc()));
        assert_eq!(on, off, "{}", files[0].0);
        assert!(on["quality"]["findings"].as_array().unwrap().is_empty());
    }
}
