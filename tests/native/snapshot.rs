//! The workspace snapshot (`engine::snapshot`): the loaded data written to bytes and read back into a fresh
//! workspace gives the same answers as the workspace that wrote it — summary, quality report, RFM page, tag counts
//! and audience counts — and bytes that are cut, altered or of another version are refused without a change.

use huaxiang::audience::PortraitRequest;
use huaxiang::engine::{SortKey, Workspace, SNAPSHOT_VERSION};
use huaxiang::sample;
use serde_json::Value;

const RULES: &str = "tag 女性 = gender == \"女\"\ntag 大客户 = monetary >= 1000\ntag 近期活跃 = recency <= 90\n";
const AUDIENCES: [&str; 3] = ["女性 and 大客户", "近期活跃 or 大客户", "not 女性"];

/// A workspace with the sample members, orders and events (one order file in two parts, so columns are extended).
fn loaded(members: u64) -> Workspace {
    let orders = String::from_utf8(sample::orders_csv(11, members)).unwrap();
    let mut lines: Vec<&str> = orders.lines().collect();
    let header = lines.remove(0);
    let (a, b) = lines.split_at(lines.len() / 2);
    let part = |rows: &[&str]| format!("{header}\n{}\n", rows.join("\n")).into_bytes();
    let mut ws = Workspace::new();
    ws.load_bytes("会员.csv", None, &sample::members_csv(11, members), 1 << 16).unwrap();
    ws.load_bytes("订单1.csv", None, &part(a), 1 << 16).unwrap();
    ws.load_bytes("订单2.csv", None, &part(b), 1 << 16).unwrap();
    ws.load_bytes("行为.csv", None, &sample::events_csv(11, members), 1 << 16).unwrap();
    ws.import_rules(RULES, "t", "t");
    ws
}

/// Everything a user reads off a computed workspace, as JSON (the summary without its memory figures, which
/// count reserved capacity and so depend on how the columns grew).
fn answers(ws: &mut Workspace) -> Value {
    let mut summary = serde_json::to_value(ws.compute(None).unwrap()).unwrap();
    summary.as_object_mut().unwrap().remove("memory");
    let page = serde_json::to_value(ws.member_page(0, 200, SortKey::Monetary, true).unwrap()).unwrap();
    let counts: Vec<Value> = AUDIENCES.iter().map(|a| serde_json::to_value(ws.audience_count(a).unwrap()).unwrap()).collect();
    let request = PortraitRequest { audience: AUDIENCES[0].into(), min_count: Some(1), ..PortraitRequest::default() };
    let portrait = serde_json::to_value(ws.portrait(&request).unwrap()).unwrap();
    let rfm: Vec<(u32, i32, u32, i64, u8, u8, u8)> =
        ws.rfm().unwrap().rows.iter().map(|r| (r.member, r.recency, r.frequency, r.monetary, r.r, r.f, r.m)).collect();
    serde_json::json!({ "summary": summary, "page": page, "counts": counts, "portrait": portrait, "rfm": rfm })
}

#[test]
fn a_restored_snapshot_gives_the_same_answers() {
    let mut ws = loaded(3000);
    let expected = answers(&mut ws);
    let bytes = ws.data_snapshot();
    assert_eq!(&bytes[..8], b"HXSNAP\r\n");
    let mut fresh = Workspace::new();
    fresh.import_rules(RULES, "t", "t");
    fresh.restore_snapshot(&bytes).unwrap();
    assert!(answers(&mut fresh) == expected, "the restored workspace answers differently");
    assert_eq!(fresh.data_snapshot(), bytes, "a restored workspace writes the same bytes");
    // The count of a tag is not trivially equal on both sides: it holds some members and not all.
    let women = expected["counts"][2]["count"].as_u64().unwrap();
    assert!(women > 0 && women < expected["summary"]["members"].as_u64().unwrap());
    // A later file appends to restored columns as it does to loaded ones.
    let more = sample::orders_csv(12, 400);
    ws.load_bytes("更多.csv", None, &more, 1 << 16).unwrap();
    fresh.load_bytes("更多.csv", None, &more, 1 << 16).unwrap();
    assert!(answers(&mut fresh) == answers(&mut ws), "a file appended after restoring gives other answers");
}

#[test]
fn damaged_or_foreign_bytes_are_refused_and_change_nothing() {
    let mut ws = loaded(300);
    let bytes = ws.data_snapshot();
    // A second computation, so that `before` and the check below both report changes against a previous one.
    answers(&mut ws);
    let before = answers(&mut ws);
    let mut check = |b: &[u8], code: &str| {
        let err = ws.restore_snapshot(b).unwrap_err();
        assert_eq!(err.code, code);
    };
    for cut in [0, 7, 12, bytes.len() / 2, bytes.len() - 1] {
        check(&bytes[..cut], "snapshot_damaged");
    }
    for at in [20, bytes.len() / 3, bytes.len() - 6] {
        let mut altered = bytes.clone();
        altered[at] ^= 0x40;
        check(&altered, "snapshot_damaged");
    }
    let mut other = bytes.clone();
    other[8..12].copy_from_slice(&(SNAPSHOT_VERSION + 1).to_le_bytes());
    check(&other, "snapshot_version");
    check(b"member_id,phone\n1,2\n", "snapshot_damaged");
    assert!(answers(&mut ws) == before, "a refused snapshot changed the workspace");
}

#[test]
fn an_empty_workspace_round_trips() {
    let ws = Workspace::new();
    let mut fresh = loaded(50);
    fresh.restore_snapshot(&ws.data_snapshot()).unwrap();
    assert_eq!(fresh.data().orders.len(), 0);
    assert_eq!(fresh.data().ids.len(), 0);
    assert!(fresh.compute(None).is_err(), "no orders after restoring an empty snapshot");
}
