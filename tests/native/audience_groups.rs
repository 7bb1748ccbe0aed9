//! A/B and control groups and campaign lift: split determinism and ratios, stratified exactness, the balance
//! check, and lift figures on a hand-computed campaign.

use huaxiang::audience::lift::{self, LiftRequest};
use huaxiang::audience::split::{self, apportion, arm_of, split_hash, ArmSpec, SplitRequest};
use huaxiang::audience::StaticAudience;
use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::sample::synthetic::Size;
use roaring::RoaringBitmap;

fn synthetic(members: u64) -> Workspace {
    let mut ws = Workspace::new();
    ws.load_synthetic(5, Size { members, orders: members * 4, events: members });
    ws.compute(None).expect("computes");
    ws
}

fn arms(list: &[(&str, f64)]) -> Vec<ArmSpec> {
    list.iter().map(|(n, r)| ArmSpec { name: n.to_string(), ratio: *r }).collect()
}

#[test]
fn the_hash_is_the_documented_one() {
    // SHA-256("salt:M01") = ba596871c7fc9b8c…: its first 8 bytes, big-endian.
    assert_eq!(split_hash("salt", "M01"), 0xba59_6871_c7fc_9b8c);
    assert_eq!(arm_of(0, &[0.9, 0.1]), 0);
    assert_eq!(arm_of(u64::MAX, &[0.9, 0.1]), 1);
    assert_eq!(arm_of(0xba59_6871_c7fc_9b8c, &[0.5, 0.5]), 1, "0.728… ≥ 0.5");
    assert_eq!(apportion(10, &[1.0 / 3.0; 3]), [4, 3, 3], "one member left over, to the earlier arm");
    assert_eq!(apportion(7, &[0.9, 0.1]), [6, 1]);
    assert_eq!(apportion(0, &[0.5, 0.5]), [0, 0]);
}

#[test]
fn splits_are_deterministic_salted_and_near_their_ratios() {
    let mut ws = synthetic(20_000);
    let request = SplitRequest {
        audience: "true".into(),
        salt: "618大促".into(),
        arms: arms(&[("实验组", 90.0), ("对照组", 10.0)]),
        ..SplitRequest::default()
    };
    let a = ws.split_members(&request).unwrap();
    let b = ws.split_members(&request).unwrap();
    assert_eq!(a, b, "the same salt gives the same arms");
    let other = ws.split_members(&SplitRequest { salt: "双11".into(), ..request.clone() }).unwrap();
    assert_ne!(a[1].1, other[1].1, "another salt, another split");
    let share = a[1].1.len() as f64 / 20_000.0;
    // Binomial: sd of the share is √(0.09 / 20000) ≈ 0.0021; allow five of them.
    assert!((share - 0.1).abs() < 0.0106, "control share {share}");
    assert_eq!(a[0].1.len() + a[1].1.len(), 20_000);
    assert!(a[0].1.is_disjoint(&a[1].1));
    // A member's arm depends only on the salt and their key: splitting a part of the audience keeps its arms.
    let part = ws.split_members(&SplitRequest { audience: "frequency >= 3".into(), ..request.clone() }).unwrap();
    assert!(part[1].1.is_subset(&a[1].1) && part[0].1.is_subset(&a[0].1));
    // The report: the control defaults to 对照组; counts and shares add up.
    let report = ws.split_audience(&request).unwrap();
    assert_eq!(report.audience, 20_000);
    assert_eq!(report.balance.control, "对照组");
    assert_eq!(report.arms.iter().map(|x| x.count).collect::<Vec<_>>(), [a[0].1.len(), a[1].1.len()]);
    assert!((report.arms[0].ratio - 0.9).abs() < 1e-12);
    assert!(report.hash.starts_with("first 8 bytes of SHA-256"));
    // Three arms.
    let three = ws.split_members(&SplitRequest { arms: arms(&[("A", 1.0), ("B", 1.0), ("C", 2.0)]), ..request.clone() }).unwrap();
    let shares: Vec<f64> = three.iter().map(|(_, s)| s.len() as f64 / 20_000.0).collect();
    assert!((shares[0] - 0.25).abs() < 0.02 && (shares[1] - 0.25).abs() < 0.02 && (shares[2] - 0.5).abs() < 0.02, "{shares:?}");
    // Bad arms are refused with a message.
    for bad in [arms(&[("A", 1.0), ("A", 1.0)]), arms(&[("A", 0.0), ("B", 1.0)]), arms(&[("", 1.0)])] {
        assert_eq!(ws.split_members(&SplitRequest { arms: bad, ..request.clone() }).unwrap_err().code, "bad_arms");
    }
}

#[test]
fn stratified_splits_are_exact_within_each_stratum() {
    let mut ws = synthetic(5_000);
    let request = SplitRequest {
        audience: "true".into(),
        salt: "s1".into(),
        arms: arms(&[("test", 0.7), ("control", 0.3)]),
        stratify: Some("rfm".into()),
        ..SplitRequest::default()
    };
    let report = ws.split_audience(&request).unwrap();
    assert_eq!(report.stratified_by.as_deref(), Some("RFM分群"));
    assert!(report.strata.len() >= 8, "8 segments (and the members without purchases, if any)");
    for s in &report.strata {
        assert_eq!(s.arms, apportion(s.count, &[0.7, 0.3]), "{}", s.value);
        assert!((s.arms[0] as f64 - 0.7 * s.count as f64).abs() < 1.0);
    }
    assert_eq!(report.strata.iter().map(|s| s.count).sum::<u64>(), 5_000);
    assert_eq!(ws.split_audience(&request).unwrap(), report, "deterministic");
    // Stratifying by a yes/no tag or an attribute works the same way.
    let by_city = ws.split_audience(&SplitRequest { stratify: Some("城市".into()), ..request.clone() }).unwrap();
    assert!(by_city.strata.iter().all(|s| s.arms == apportion(s.count, &[0.7, 0.3])));
    let missing = ws.split_audience(&SplitRequest { stratify: Some("nothing".into()), ..request }).unwrap_err();
    assert_eq!(missing.code, "no_such_dimension");
}

#[test]
fn the_balance_check_compares_every_arm_with_the_control() {
    let mut ws = synthetic(8_000);
    let request = SplitRequest { audience: "true".into(), salt: "b".into(), stratify: Some("RFM分群".into()), ..SplitRequest::default() };
    let report = ws.split_audience(&request).unwrap();
    let b = &report.balance;
    assert_eq!((b.control.as_str(), b.threshold), ("control", 0.1));
    assert_eq!(b.metrics.iter().map(|m| m.metric).collect::<Vec<_>>(), ["recency", "frequency", "monetary"]);
    // The figures from the members themselves: frequency of each arm.
    let members = ws.split_members(&request).unwrap();
    let rfm = ws.rfm().unwrap();
    let mut frequency = vec![0.0; 8_000];
    for r in &rfm.rows {
        frequency[r.member as usize] = f64::from(r.frequency);
    }
    let f = &b.metrics[1];
    for (stat, (_, set)) in f.arms.iter().zip(&members) {
        let values: Vec<f64> = set.iter().map(|p| frequency[p as usize]).collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt();
        assert_eq!(stat.n, values.len() as u64);
        assert!((stat.mean - mean).abs() < 1e-9 && (stat.sd - sd).abs() < 1e-9);
    }
    let (t, c) = (&f.arms[0], &f.arms[1]);
    let smd = (t.mean - c.mean) / ((t.sd * t.sd + c.sd * c.sd) / 2.0).sqrt();
    assert!((f.smd[0].smd.unwrap() - smd).abs() < 1e-12);
    // A random half of thousands of members, stratified by segment, is balanced.
    assert!(b.balanced, "{b:#?}");
    // Arms made unequal on purpose (high spenders against the rest) are flagged, on monetary first of all.
    let high = ws.audience_members("monetary > 1000").unwrap();
    let rest = ws.audience_members("not monetary > 1000").unwrap();
    let frame = huaxiang::metrics::Frame::new(ws.data(), ws.people().unwrap(), ws.rfm().unwrap(), Default::default());
    let skewed = split::balance(&frame, &["test".to_string(), "control".to_string()], &[high, rest], 1);
    assert!(!skewed.balanced);
    let monetary = &skewed.metrics[2].smd[0];
    assert!(monetary.flagged && monetary.smd.unwrap() > 0.3, "{monetary:?}");
}

/// Four test and four control members; orders before, inside and after the June window.
const MEMBERS: &str = "会员编号,姓名\nA1,甲\nA2,乙\nA3,丙\nA4,丁\nC1,戊\nC2,己\nC3,庚\nC4,辛\n";
const ORDERS: &str = "订单号,会员编号,下单时间,实付金额
X1,A1,2025-06-03 10:00:00,100.00
X2,A1,2025-06-20 10:00:00,50.00
X3,A2,2025-06-30 23:59:00,200.00
X4,A3,2025-07-02 10:00:00,200.00
X5,C1,2025-06-01 00:00:00,100.00
X6,C2,2025-05-31 23:59:59,80.00
";

#[test]
fn lift_on_a_hand_computed_campaign() {
    let mut ws = Workspace::new();
    ws.load_bytes("members.csv", Some(FileKind::Members), MEMBERS.as_bytes(), 64).unwrap();
    ws.load_bytes("orders.csv", Some(FileKind::Orders), ORDERS.as_bytes(), 64).unwrap();
    ws.compute(None).unwrap();
    let set = |keys: &[&str]| -> RoaringBitmap { keys.iter().map(|k| ws.find_member(k).unwrap()).collect() };
    let arms = [set(&["A1", "A2", "A3", "A4"]), set(&["C1", "C2", "C3", "C4"])];
    let names = ["test".to_string(), "control".to_string()];
    let (start, end) = (Day::from_ymd(2025, 6, 1).unwrap(), Day::from_ymd(2025, 6, 30).unwrap());
    let r = lift::lift(ws.data(), ws.people().unwrap(), &names, &arms, 1, start, end);
    assert_eq!((r.days, r.orders, r.control.as_str()), (30, 4, "control"));
    // Test: A1 150, A2 200 of 4 members; control: C1 100 of 4 (C2's order is the day before, A3's after).
    let t = &r.arms[0];
    let c = &r.arms[1];
    assert_eq!((t.members, t.converters, t.revenue), (4, 2, 350.0));
    assert_eq!((c.members, c.converters, c.revenue), (4, 1, 100.0));
    assert_eq!((t.conversion_rate, t.revenue_per_member, c.revenue_per_member), (0.5, 87.5, 25.0));
    // sd of [150, 200, 0, 0] = √(31875 / 3); of [100, 0, 0, 0] = 50.
    assert!((t.revenue_sd - (31_875.0f64 / 3.0).sqrt()).abs() < 1e-9 && (c.revenue_sd - 50.0).abs() < 1e-9);
    let cmp = &r.comparisons[0];
    let close = |x: Option<f64>, want: f64, tol: f64| assert!(x.is_some_and(|x| (x - want).abs() < tol), "{x:?} against {want}");
    // Conversion: 0.5 − 0.25 = 0.25 ± 1.96·√(0.25/4 + 0.1875/4); pooled 3/8 gives z = 0.7303, p = 0.4652.
    assert!((cmp.conversion.difference - 0.25).abs() < 1e-12);
    close(cmp.conversion.low, -0.398_197_160_217, 1e-9);
    close(cmp.conversion.high, 0.898_197_160_217, 1e-9);
    close(cmp.conversion.statistic, 0.730_296_743_340, 1e-9);
    close(cmp.conversion.p_value, 0.465_208_818_452, 1e-6);
    close(cmp.conversion.lift, 100.0, 1e-9);
    assert!(!cmp.conversion.significant);
    // Revenue per member (Welch): 62.5 ± t(0.975, 4.3377)·57.2822, t = 1.0911, p = 0.3321.
    let rev = &cmp.revenue_per_member;
    assert!((rev.difference - 62.5).abs() < 1e-12);
    close(rev.df, 4.337_704_918_033, 1e-9);
    close(rev.statistic, 1.091_089_451_180, 1e-9);
    close(rev.p_value, 0.332_096_518_257, 1e-6);
    close(rev.low, -91.774_727_406_889, 1e-5);
    close(rev.high, 216.774_727_406_889, 1e-5);
    close(rev.lift, 250.0, 1e-9);
    // Day by day: C1 bought on the first day; A2 on the last.
    assert_eq!(r.daily.len(), 30);
    assert_eq!((r.daily[0].date.as_str(), r.daily[0].conversion.clone()), ("2025-06-01", vec![0.0, 0.25]));
    assert_eq!(r.daily[2].conversion, [0.25, 0.25], "A1 on 06-03");
    assert_eq!(r.daily[29].conversion, [0.5, 0.25]);
    assert_eq!(r.daily[29].revenue_per_member, [87.5, 25.0]);

    // Through the workspace: a split of a static audience, the window as dates.
    ws.save_static_audience(
        &StaticAudience {
            name: "活动人群".into(),
            ids: ["A1", "A2", "A3", "A4", "C1", "C2", "C3", "C4"].map(String::from).to_vec(),
            ..Default::default()
        },
        "2025-05-31T00:00:00",
        "王",
    )
    .unwrap();
    let request = LiftRequest {
        split: SplitRequest { audience: "活动人群".into(), salt: "六月".into(), ..SplitRequest::default() },
        start: "2025-06-01".into(),
        end: "2025-06-30".into(),
    };
    let through = ws.campaign_lift(&request).unwrap();
    let members = ws.split_members(&request.split).unwrap();
    let (n, s): (Vec<String>, Vec<RoaringBitmap>) = members.into_iter().unzip();
    assert_eq!(through, lift::lift(ws.data(), ws.people().unwrap(), &n, &s, 1, start, end));
    assert_eq!(through.arms.iter().map(|a| a.members).sum::<u64>(), 8);
    let bad = LiftRequest { start: "2025-07-01".into(), ..request.clone() };
    assert_eq!(ws.campaign_lift(&bad).unwrap_err().code, "bad_window");
    let bad = LiftRequest { end: "六月底".into(), ..request };
    assert_eq!(ws.campaign_lift(&bad).unwrap_err().code, "bad_date");
}
