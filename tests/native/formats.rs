//! Every encoding and format loads to the same members and metrics as the reference CSV.

use crate::{fixture, load};
use huaxiang::base::roles::{FileKind, Role};
use huaxiang::base::values::DateOrder;
use huaxiang::engine::Workspace;
use huaxiang::ingest::{FileLoader, LoadOptions};

/// Per member: key, recency, frequency, monetary, segment — the metrics every variant must reproduce.
type Metrics = Vec<(String, i32, u32, i64, &'static str)>;

fn metrics(ws: &Workspace) -> Metrics {
    let mut rows: Metrics = ws
        .rfm()
        .unwrap()
        .rows
        .iter()
        .map(|r| (ws.person_key(r.member).to_string(), r.recency, r.frequency, r.monetary, r.segment.key()))
        .collect();
    rows.sort();
    rows
}

fn reference() -> Metrics {
    let (ws, _) = load(&[("rfm_small.csv", None)], 1 << 20);
    metrics(&ws)
}

/// Loads one variant in small chunks and checks it against the reference; returns its report.
fn check(name: &str, options: LoadOptions) -> huaxiang::ingest::report::FileReport {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let mut ws = Workspace::new();
    let report = if name.ends_with(".xlsx") {
        ws.load_workbook(name, &bytes, options).unwrap()
    } else {
        ws.begin_file(name, options).unwrap();
        for chunk in bytes.chunks(13) {
            ws.push(chunk).unwrap();
        }
        ws.finish_file().unwrap()
    };
    assert_eq!((report.rows_loaded, report.rows_skipped), (27, 2), "{name}: {:?}", report.problems);
    assert_eq!(report.kind, FileKind::Orders, "{name}");
    ws.compute(None).unwrap();
    assert_eq!(metrics(&ws), reference(), "{name}");
    report
}

fn text(format: huaxiang::ingest::Format) -> LoadOptions {
    LoadOptions { format: Some(format), ..LoadOptions::default() }
}

#[test]
fn tsv_with_slash_dates_and_currency_signs() {
    let r = check("formats/orders.tsv", LoadOptions::default());
    assert_eq!(r.delimiter, "\t");
}

#[test]
fn semicolons_day_first_dates_quoted_newlines_and_crlf() {
    let r = check("formats/orders_semicolon.csv", LoadOptions::default());
    assert_eq!((r.delimiter.as_str(), r.date_order), (";", DateOrder::DayFirst));
    // The multi-line note on line 4 pushes the unreadable rows one line down.
    let lines: Vec<u64> = r.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![30, 31]);
}

#[test]
fn pipes_chinese_dates_and_full_width_digits() {
    let r = check("formats/orders_pipe.txt", LoadOptions::default());
    assert_eq!(r.delimiter, "|");
}

#[test]
fn utf16_le_unicode_text_and_utf16_be() {
    let le = check("formats/orders_utf16le.txt", LoadOptions::default());
    assert_eq!((le.encoding, le.delimiter.as_str()), ("UTF-16LE", "\t"));
    let be = check("formats/orders_utf16be.csv", LoadOptions::default());
    assert_eq!(be.encoding, "UTF-16BE");
}

#[test]
fn utf8_bom_and_gbk() {
    assert_eq!(check("rfm_small_bom.csv", LoadOptions::default()).encoding, "UTF-8 BOM");
    assert_eq!(check("rfm_small_gbk.csv", LoadOptions::default()).encoding, "GBK");
    // The detected encoding can be overridden.
    let forced = LoadOptions { encoding: Some("gbk".into()), ..LoadOptions::default() };
    assert_eq!(check("rfm_small_gbk.csv", forced).encoding, "GBK");
}

#[test]
fn json_lines_with_unix_millisecond_times() {
    let r = check("formats/orders.jsonl", text(huaxiang::ingest::Format::Jsonl));
    assert_eq!(r.format, "jsonl");
}

#[test]
fn xlsx_second_sheet_with_excel_dates() {
    let bytes = std::fs::read(fixture("formats/orders.xlsx")).unwrap();
    let preview = FileLoader::preview("orders.xlsx", &bytes, true, &LoadOptions::default()).unwrap();
    assert_eq!(preview.sheets, vec!["说明", "订单"]);
    let r = check("formats/orders.xlsx", LoadOptions { sheet: Some("订单".into()), ..LoadOptions::default() });
    assert_eq!((r.format, r.sheet.as_deref()), ("xlsx", Some("订单")));
    assert_eq!(r.problems[0].line, 29, "spreadsheet rows are numbered as in Excel");
}

#[test]
fn headerless_files_get_generated_names_and_user_roles() {
    let bytes = std::fs::read(fixture("formats/orders_headerless.csv")).unwrap();
    let preview = FileLoader::preview("orders_headerless.csv", &bytes, true, &LoadOptions::default()).unwrap();
    assert!(!preview.report.has_header);
    assert_eq!(preview.report.columns[0].header, "列1");
    assert_eq!(preview.report.columns[2].role, Some(Role::OrderTime), "dates are recognised by their values");
    assert_eq!(preview.rows[0][1], "00101");
    let roles = [Role::OrderId, Role::MemberId, Role::OrderTime, Role::Amount, Role::Category, Role::Channel].map(Some).to_vec();
    let r = check("formats/orders_headerless.csv", LoadOptions { roles: Some(roles), ..LoadOptions::default() });
    assert!(!r.has_header);
}

#[test]
fn every_variant_agrees() {
    let variants = [
        "rfm_small.csv",
        "rfm_small_bom.csv",
        "rfm_small_gbk.csv",
        "formats/orders.tsv",
        "formats/orders_semicolon.csv",
        "formats/orders_pipe.txt",
        "formats/orders_utf16le.txt",
        "formats/orders_utf16be.csv",
        "formats/orders.jsonl",
        "formats/orders.xlsx",
    ];
    let all: Vec<Metrics> = variants
        .iter()
        .map(|name| {
            let mut ws = Workspace::new();
            let bytes = std::fs::read(fixture(name)).unwrap();
            let options = LoadOptions { sheet: name.ends_with(".xlsx").then(|| "订单".to_string()), ..LoadOptions::default() };
            let format = huaxiang::ingest::Format::detect(name, &bytes);
            if format == huaxiang::ingest::Format::Xlsx {
                ws.load_workbook(name, &bytes, options).unwrap();
            } else {
                ws.begin_file(name, LoadOptions { format: Some(format), ..options }).unwrap();
                ws.push(&bytes).unwrap();
                ws.finish_file().unwrap();
            }
            ws.compute(None).unwrap();
            metrics(&ws)
        })
        .collect();
    for (name, m) in variants.iter().zip(&all) {
        assert_eq!(m, &all[0], "{name} differs from {}", variants[0]);
    }
    assert_eq!(all[0].len(), 10);
}

#[test]
fn preview_proposes_roles_with_their_source_and_a_missing_column_error() {
    let bytes = std::fs::read(fixture("rfm_small_gbk.csv")).unwrap();
    let p = FileLoader::preview("orders.csv", &bytes[..300], false, &LoadOptions::default()).unwrap();
    assert_eq!(p.report.encoding, "GBK");
    assert_eq!(p.report.columns[1].header, "会员编号");
    assert!(p.error.is_none());
    assert!(p.rows.len() < 10 && p.rows.iter().all(|r| r.len() == 6), "a cut-off last line is left out: {:?}", p.rows);
    let bad =
        FileLoader::preview("x.csv", b"a,b\n1,2\n", true, &LoadOptions { kind: Some(FileKind::Orders), ..LoadOptions::default() }).unwrap();
    assert_eq!(bad.error.unwrap().code, "missing_column");
}
