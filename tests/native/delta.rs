//! Data that keeps arriving: appending this week's orders gives exactly what a fresh load of all files gives.

use huaxiang::engine::Workspace;
use huaxiang::sample;

/// Splits the sample orders into an older file and a delta file (each with the header).
fn split(seed: u64, members: u64) -> (Vec<u8>, Vec<u8>) {
    let text = String::from_utf8(sample::orders_csv(seed, members)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut old, mut delta) = (format!("{header}\n"), format!("{header}\n"));
    for line in lines {
        // Orders from May 2025 on arrive later.
        if line.contains(",2025-05-") || line.contains(",2025/5/") {
            delta.push_str(line);
            delta.push('\n');
        } else {
            old.push_str(line);
            old.push('\n');
        }
    }
    (old.into_bytes(), delta.into_bytes())
}

#[test]
fn appending_a_delta_equals_a_fresh_load() {
    let members = sample::members_csv(5, 3000);
    let (old, delta) = split(5, 3000);
    let mut ws = Workspace::new();
    ws.load_bytes("members.csv", None, &members, 1 << 16).unwrap();
    ws.load_bytes("orders.csv", None, &old, 1 << 16).unwrap();
    let before = ws.compute(None).unwrap();
    assert!(before.changes.is_none());
    let report = ws.load_bytes("orders_week.csv", None, &delta, 1 << 16).unwrap();
    assert!(report.rows_loaded > 100);
    let after = ws.compute(None).unwrap();

    let mut fresh = Workspace::new();
    for (name, bytes) in [("members.csv", &members), ("orders.csv", &old), ("orders_week.csv", &delta)] {
        fresh.load_bytes(name, None, bytes, 4096).unwrap();
    }
    let expected = fresh.compute(None).unwrap();
    let counts = |s: &huaxiang::engine::Summary| s.segments.iter().map(|x| x.count).collect::<Vec<_>>();
    assert_eq!(counts(&after), counts(&expected));
    assert_eq!((after.buyers, after.orders, after.as_of.clone()), (expected.buyers, expected.orders, expected.as_of.clone()));
    assert_ne!(counts(&after), counts(&before), "the delta moves members between segments");

    let changes = after.changes.expect("a second computation reports changes");
    assert_eq!(changes.buyers_before, before.buyers);
    assert_eq!(changes.new_buyers, after.buyers - before.buyers);
    assert!(changes.segment_changed > 0);
    assert_eq!(changes.segments_before, counts(&before));
}

#[test]
fn loading_the_same_orders_twice_does_not_count_them_twice() {
    let (old, _) = split(6, 500);
    let mut ws = Workspace::new();
    ws.load_bytes("orders.csv", None, &old, 1 << 16).unwrap();
    let first = ws.compute(None).unwrap();
    let again = ws.load_bytes("orders (1).csv", None, &old, 1 << 16).unwrap();
    assert_eq!(again.rows_loaded, 0);
    assert_eq!(
        again.skipped_by_reason.iter().find(|r| r.code == "duplicate_order").unwrap().count,
        again.rows_skipped - again.skipped_by_reason.iter().filter(|r| r.code != "duplicate_order").map(|r| r.count).sum::<u64>()
    );
    let second = ws.compute(None).unwrap();
    assert_eq!(first.segments, second.segments);
    assert_eq!(second.changes.unwrap().segment_changed, 0);
}

#[test]
fn a_refund_under_a_known_order_number_is_not_a_duplicate() {
    let mut ws = Workspace::new();
    ws.load_bytes("w1.csv", None, "订单号,会员编号,下单时间,实付金额\nSO1,M1,2025-05-01,100\nSO2,M2,2025-05-02,50\n".as_bytes(), 64)
        .unwrap();
    let week2 = ws
        .load_bytes("w2.csv", None, "订单号,会员编号,下单时间,实付金额\nSO1,M1,2025-05-08,-100\nSO2,M2,2025-05-02,50\n".as_bytes(), 64)
        .unwrap();
    assert_eq!((week2.rows_loaded, week2.rows_skipped), (1, 1));
    assert_eq!(week2.problems[0].code, "duplicate_order");
    assert_eq!((week2.problems[0].line, week2.problems[0].value.as_str()), (3, "SO2"));
    let s = ws.compute(None).unwrap();
    assert_eq!(s.buyers, 2);
    let m1 = ws.find_person(huaxiang::base::ids::IdKind::Member, "M1").unwrap();
    assert_eq!(ws.rfm().unwrap().rows.iter().find(|r| r.member == m1).unwrap().monetary, 0);
}

#[test]
fn tags_after_appending_data_follow_the_new_data_without_a_manual_recompute() {
    let members = sample::members_csv(5, 800);
    let (old, delta) = split(5, 800);
    let mut ws = Workspace::new();
    ws.load_bytes("orders.csv", None, &old, 1 << 16).unwrap();
    ws.compute(None).unwrap();
    ws.import_rules("tag 买过 = frequency >= 1\n", "t0", "test");
    let before = ws.tags().unwrap();
    // New people arrive (the member file lists people without orders) before anyone recomputes.
    ws.load_bytes("members.csv", None, &members, 1 << 16).unwrap();
    ws.load_bytes("orders_week.csv", None, &delta, 1 << 16).unwrap();
    let after = ws.tags().unwrap();
    assert_eq!(after.members, 800, "every member of the member file is counted");
    assert!(after.members > before.members);
    let bought = |r: &huaxiang::engine::TagsReport| r.tags.iter().find(|t| t.name == "买过").unwrap().count;
    let mut fresh = Workspace::new();
    for (name, bytes) in [("orders.csv", &old), ("members.csv", &members), ("orders_week.csv", &delta)] {
        fresh.load_bytes(name, None, bytes, 4096).unwrap();
    }
    fresh.compute(None).unwrap();
    fresh.import_rules("tag 买过 = frequency >= 1\n", "t0", "test");
    assert_eq!(bought(&after), bought(&fresh.tags().unwrap()));
    assert_eq!(ws.tag_members("买过", None).unwrap().len(), bought(&after));
}
