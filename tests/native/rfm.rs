//! RFM on the hand-checked fixture (see docs/rfm.md for the worked example).

use crate::{counts, load};
use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;

/// Member key, recency, frequency, monetary (fen), R, F, M scores and segment.
type Expected = (&'static str, i32, u32, i64, u8, u8, u8, &'static str);

/// Every buyer of the fixture, worked out by hand.
const EXPECTED: [Expected; 10] = [
    ("00101", 1, 5, 250_000, 5, 5, 5, "重要价值客户"),
    ("00102", 6, 4, 180_000, 5, 4, 3, "一般价值客户"),
    ("00103", 11, 1, 300_000, 4, 1, 5, "重要发展客户"),
    ("00104", 21, 3, 30_000, 4, 4, 2, "一般价值客户"),
    ("00105", 31, 2, 120_000, 3, 3, 3, "一般保持客户"),
    ("00106", 61, 6, 220_000, 3, 5, 4, "重要保持客户"),
    ("00107", 91, 1, 10_000, 2, 1, 1, "一般挽留客户"),
    ("00108", 122, 2, 15_000, 2, 3, 2, "一般保持客户"),
    ("00109", 181, 1, 200_000, 1, 1, 4, "重要挽留客户"),
    ("00110", 212, 1, 8_000, 1, 1, 1, "一般挽留客户"),
];

#[test]
fn hand_checked_scores_and_segments() {
    let (ws, summary) = load(&[("rfm_small.csv", None)], 1 << 16);
    assert_eq!(summary.as_of, "2025-07-01");
    assert!(summary.as_of_default);
    assert_eq!((summary.buyers, summary.orders), (10, 27));
    assert_eq!((summary.means.r, summary.means.f, summary.means.m), (3.0, 2.8, 3.0));
    let rfm = ws.rfm().unwrap();
    for (key, recency, frequency, monetary, r, f, m, segment) in EXPECTED {
        let row = rfm.rows.iter().find(|row| ws.person_key(row.member) == key).unwrap_or_else(|| panic!("{key} is scored"));
        assert_eq!(
            (row.recency, row.frequency, row.monetary, row.r, row.f, row.m, row.segment.zh()),
            (recency, frequency, monetary, r, f, m, segment),
            "{key}"
        );
    }
    assert_eq!(counts(&summary), vec![1, 1, 1, 1, 2, 0, 2, 2]);
    let g = summary.grid.counts;
    assert_eq!((g[4][4], g[4][3], g[3][0], g[3][3], g[2][2], g[2][4], g[1][0], g[1][2], g[0][0]), (1, 1, 1, 1, 1, 1, 1, 1, 2));
    assert_eq!(g.iter().flatten().sum::<u64>(), 10);
}

#[test]
fn an_explicit_analysis_date_leaves_later_orders_out() {
    let (mut ws, _) = load(&[("rfm_small.csv", None)], 1 << 16);
    let s = ws.compute(Some(Day::from_ymd(2025, 6, 1).unwrap())).unwrap();
    assert!(!s.as_of_default);
    // Orders after 2025-06-01: 00101 ×2, 00102, 00103, 00104 (sale and refund).
    assert_eq!(s.orders_after_as_of, 6);
    // 00103 bought only on 2025-06-20, so it is no longer a buyer.
    assert_eq!(s.buyers, 9);
    let rfm = ws.rfm().unwrap();
    let person = ws.find_person(huaxiang::base::ids::IdKind::Member, "00101").unwrap();
    let row = rfm.rows.iter().find(|r| r.member == person).unwrap();
    assert_eq!((row.recency, row.frequency, row.monetary), (12, 3, 150_000));
}

#[test]
fn refunds_reduce_spend_but_not_frequency_and_order_lines_count_once() {
    let text = "order,member,time,amount\nA,1,2025-01-01,100\nA,1,2025-01-01,50\nB,1,2025-01-03,80\nB,1,2025-01-05,-80\n,2,2025-01-02 10:00,10\n,2,2025-01-02 11:00,10\n";
    let mut ws = Workspace::new();
    ws.load_bytes("lines.csv", Some(FileKind::Orders), text.as_bytes(), 9).unwrap();
    ws.compute(None).unwrap();
    let rfm = ws.rfm().unwrap();
    let one = &rfm.rows[0];
    assert_eq!((one.frequency, one.monetary, one.recency), (2, 15_000, 3));
    let two = &rfm.rows[1];
    assert_eq!((two.frequency, two.monetary), (2, 2_000));
}

#[test]
fn scores_are_always_one_to_five_and_segments_partition_buyers() {
    for seed in 1..6 {
        let mut ws = Workspace::new();
        ws.load_bytes("o.csv", None, &huaxiang::sample::orders_csv(seed, 500 * seed), 4096).unwrap();
        let s = ws.compute(None).unwrap();
        let rfm = ws.rfm().unwrap();
        assert!(rfm.rows.iter().all(|r| (1..=5).contains(&r.r) && (1..=5).contains(&r.f) && (1..=5).contains(&r.m)));
        let mut union = roaring::RoaringBitmap::new();
        for seg in &rfm.segments {
            assert!(union.is_disjoint(seg));
            union |= seg;
        }
        assert_eq!(union.len(), s.buyers);
        // Deterministic: the same input gives the same summary.
        let mut again = Workspace::new();
        again.load_bytes("o.csv", None, &huaxiang::sample::orders_csv(seed, 500 * seed), 999).unwrap();
        assert_eq!(again.compute(None).unwrap(), s);
    }
}
