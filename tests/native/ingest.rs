//! Ingest: encodings, Chinese headers, chunking, malformed rows, member files.

use crate::{counts, fixture, load};
use huaxiang::base::ids::IdKind;
use huaxiang::base::roles::{FileKind, Role};
use huaxiang::engine::Workspace;

#[test]
fn utf8_bom_and_gbk_fixtures_load_identically_at_any_chunk_size() {
    let (_, reference) = load(&[("rfm_small.csv", None)], 1 << 20);
    for (name, encoding) in [("rfm_small.csv", "UTF-8"), ("rfm_small_bom.csv", "UTF-8 BOM"), ("rfm_small_gbk.csv", "GBK")] {
        for chunk in [1, 3, 17, 4096] {
            let (ws, summary) = load(&[(name, None)], chunk);
            let report = &ws.files()[0];
            assert_eq!(report.encoding, encoding, "{name}");
            assert_eq!(report.kind, FileKind::Orders, "{name}");
            assert_eq!((report.rows_read, report.rows_loaded, report.rows_skipped), (29, 27, 2), "{name} chunk {chunk}");
            let roles: Vec<Option<Role>> = report.columns.iter().map(|c| c.role).collect();
            assert_eq!(
                roles,
                [Role::OrderId, Role::MemberId, Role::OrderTime, Role::Amount, Role::Category, Role::Channel].map(Some),
                "{name}"
            );
            assert_eq!(report.columns[1].header, "会员编号");
            assert_eq!(counts(&summary), counts(&reference), "{name} chunk {chunk}");
            assert_eq!(summary.grid, reference.grid);
        }
    }
}

#[test]
fn malformed_rows_are_reported_with_line_column_and_value() {
    let (ws, _) = load(&[("rfm_small_gbk.csv", None)], 7);
    let problems = &ws.files()[0].problems;
    assert_eq!(problems.len(), 2);
    assert_eq!((problems[0].line, problems[0].column, problems[0].header.as_str(), problems[0].value.as_str()), (29, 4, "实付金额", "abc"));
    assert_eq!(problems[0].code, "bad_amount");
    assert!(problems[0].zh.contains("金额") && problems[0].en.contains("amount"));
    assert_eq!((problems[1].line, problems[1].column, problems[1].value.as_str(), problems[1].code), (30, 3, "not-a-date", "bad_date"));
}

#[test]
fn quoted_newlines_crlf_and_semicolons_keep_line_numbers() {
    let text = "member;time;amount;note\r\n1;2025-01-01;10;\"two\r\nlines\"\r\n2;2025-01-02;oops;x\r\n";
    let mut ws = Workspace::new();
    let report = ws.load_bytes("semi.csv", Some(FileKind::Orders), text.as_bytes(), 5).unwrap();
    assert_eq!(report.delimiter, ";");
    assert_eq!((report.rows_loaded, report.rows_skipped), (1, 1));
    assert_eq!((report.problems[0].line, report.problems[0].column), (4, 3));
}

#[test]
fn member_file_joins_orders_and_keeps_leading_zeros() {
    let (ws, summary) = load(&[("members_small.csv", None), ("rfm_small.csv", None)], 64);
    assert_eq!(ws.files()[0].kind, FileKind::Members);
    assert_eq!((summary.members, summary.buyers, summary.members_without_orders, summary.orders_without_member), (11, 10, 1, 0));
    let name = ws.data().members.attr(Role::Name).unwrap();
    let person = ws.find_person(IdKind::Member, "00101").expect("key kept exactly as written");
    assert_eq!(ws.person_key(person), "00101");
    assert_eq!(name.get(ws.people().unwrap().member_row[person as usize]), "张伟");
}

#[test]
fn an_unusable_header_fails_clearly_and_keeps_earlier_data() {
    let mut ws = Workspace::new();
    ws.load_bytes("rfm_small.csv", None, &std::fs::read(fixture("rfm_small.csv")).unwrap(), 100).unwrap();
    let err = ws.load_bytes("bad.csv", Some(FileKind::Orders), "foo,bar\n1,2\n".as_bytes(), 100).unwrap_err();
    assert_eq!(err.code, "missing_column");
    assert!(err.zh.contains("会员编号") && err.en.contains("Member ID"), "{err}");
    assert_eq!(ws.files().len(), 1);
    assert_eq!(ws.compute(None).unwrap().buyers, 10);
    let empty = ws.load_bytes("empty.csv", None, b"", 100).unwrap_err();
    assert_eq!(empty.code, "empty_file");
}

#[test]
fn the_sample_dataset_loads_with_a_few_messy_rows() {
    let mut ws = Workspace::new();
    ws.load_bytes("m.csv", None, &huaxiang::sample::members_csv(1, 3000), 65536).unwrap();
    let report = ws.load_bytes("o.csv", None, &huaxiang::sample::orders_csv(1, 3000), 65536).unwrap();
    assert_eq!(report.kind, FileKind::Orders);
    assert!(report.rows_loaded > 3000, "{}", report.rows_loaded);
    assert!(report.rows_skipped < report.rows_read / 100);
    let s = ws.compute(None).unwrap();
    assert_eq!(s.members, 3000);
    assert_eq!(s.segments.iter().map(|x| x.count).sum::<u64>(), s.buyers);
    assert!(s.members_without_orders > 0);
}

#[test]
fn a_file_too_large_for_the_memory_budget_stops_early_with_advice() {
    let mut ws = Workspace::new();
    ws.load_bytes("rfm_small.csv", None, &std::fs::read(fixture("rfm_small.csv")).unwrap(), 100).unwrap();
    let big = huaxiang::sample::orders_csv(3, 60_000);
    ws.set_memory_limit(8 << 20);
    let options = huaxiang::ingest::LoadOptions { size: Some(big.len() as u64 * 20), ..Default::default() };
    ws.begin_file("big_orders.csv", options).unwrap();
    let err = big.chunks(1 << 20).map(|c| ws.push(c)).find_map(Result::err).expect("the load is stopped");
    assert_eq!(err.code, "file_too_large");
    assert!(err.zh.contains("big_orders.csv") && err.zh.contains("命令行") && err.en.contains("split"), "{err}");
    assert!(ws.open_report().is_none(), "the file is closed");
    assert_eq!(ws.compute(None).unwrap().buyers, 10, "earlier data stays");
}

/// docs/ingest.md promises the complete list of header synonyms; every one in the code must be in its table.
#[test]
fn the_docs_list_every_header_synonym() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ingest.md")).unwrap();
    let table: Vec<&str> = doc.lines().filter(|l| l.starts_with("| ")).collect();
    for role in huaxiang::base::roles::Role::all() {
        let row = table.iter().find(|l| l.contains(role.zh())).unwrap_or_else(|| panic!("no row for {}", role.en()));
        for syn in role.synonyms() {
            assert!(row.split([' ', '|']).any(|w| w == *syn), "{syn} ({}) is missing from docs/ingest.md", role.en());
        }
    }
}
