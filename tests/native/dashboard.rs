//! The dashboard's figures against an independent computation over the sample files (parsed here with plain
//! string handling, not the engine's reader), and every member figure against the count of its own audience
//! expression (the rule evaluator, a second path through the engine). Also the member page of a sample member.

use huaxiang::engine::Workspace;
use huaxiang::rules::ast::DefKind;
use huaxiang::sample;
use huaxiang::tags::Edit;
use std::collections::{BTreeMap, HashMap, HashSet};

const MEMBERS: u64 = 1500;
const SEED: u64 = 20250601;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// `(year, month)` of a day number.
fn civil(z: i64) -> (i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m)
}

/// The day of `2025-05-03 12:00:00` or `2025/5/3 12:00`.
fn day_of(text: &str) -> i64 {
    let date = text.split(' ').next().unwrap();
    let parts: Vec<i64> = date.split(['-', '/']).map(|p| p.parse().unwrap()).collect();
    days(parts[0], parts[1], parts[2])
}

/// CSV fields with double quotes (no escaped quotes in the sample).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Cents of `123.45`, `"¥1,234.56"` or `-5.00`; `None` for text such as `N/A`.
fn cents(text: &str) -> Option<i64> {
    let t: String = text.chars().filter(|c| *c != '¥' && *c != ',').collect();
    let v: f64 = t.parse().ok()?;
    Some((v * 100.0).round() as i64)
}

struct Order {
    id: String,
    key: String,
    day: i64,
    amount: i64,
}

fn month(day: i64) -> i64 {
    let (y, m) = civil(day);
    y * 12 + m - 1
}

#[test]
fn dashboard_figures_match_an_independent_count() {
    let members = sample::members_csv(SEED, MEMBERS);
    let orders_csv = sample::orders_csv(SEED, MEMBERS);
    let events_csv = sample::events_csv(SEED, MEMBERS);
    let mut ws = Workspace::new();
    ws.load_bytes("m.csv", None, &members, 1 << 16).unwrap();
    ws.load_bytes("o.csv", None, &orders_csv, 1 << 16).unwrap();
    ws.load_bytes("e.csv", None, &events_csv, 1 << 16).unwrap();
    ws.compute(None).unwrap();
    let d = ws.dashboard(30).unwrap();

    // The reference.
    let mut people: HashSet<String> = HashSet::new();
    for line in String::from_utf8(members).unwrap().lines().skip(1) {
        people.insert(fields(line)[0].clone());
    }
    let mut orders = Vec::new();
    for line in String::from_utf8(orders_csv).unwrap().lines().skip(1) {
        let f = fields(line);
        people.insert(f[1].clone());
        if let Some(amount) = cents(&f[3]) {
            orders.push(Order { id: f[0].clone(), key: f[1].clone(), day: day_of(&f[2]), amount });
        }
    }
    let mut events: Vec<(String, i64)> = Vec::new();
    for line in String::from_utf8(events_csv).unwrap().lines().skip(1) {
        let f = fields(line);
        people.insert(f[0].clone());
        events.push((f[0].clone(), day_of(&f[2])));
    }
    let as_of = orders.iter().map(|o| o.day).max().unwrap() + 1;
    assert_eq!(d.as_of, format!("{}-{:02}-{:02}", civil(as_of).0, civil(as_of).1, { as_of - days(civil(as_of).0, civil(as_of).1, 1) + 1 }));
    let periods = [(as_of - 29, as_of), (as_of - 59, as_of - 30)];
    let mut first_seen: HashMap<&str, i64> = HashMap::new();
    for (key, day) in orders.iter().map(|o| (o.key.as_str(), o.day)).chain(events.iter().map(|(k, d)| (k.as_str(), *d))) {
        let e = first_seen.entry(key).or_insert(day);
        *e = (*e).min(day);
    }
    for (p, &(from, to)) in periods.iter().enumerate() {
        let in_period = |day: i64| day >= from && day <= to;
        let members = people.iter().filter(|k| first_seen.get(k.as_str()).is_none_or(|&d| d <= to)).count() as f64;
        let mut purchases: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut revenue = 0i64;
        for o in orders.iter().filter(|o| in_period(o.day)) {
            revenue += o.amount;
            if o.amount > 0 {
                purchases.entry(&o.key).or_default().insert(&o.id);
            }
        }
        let buyers = purchases.len() as f64;
        let orders_n: usize = purchases.values().map(|s| s.len()).sum();
        let repeat = purchases.values().filter(|s| s.len() >= 2).count() as f64;
        let mut active: HashSet<&str> = purchases.keys().copied().collect();
        active.extend(events.iter().filter(|(_, d)| in_period(*d)).map(|(k, _)| k.as_str()));
        let expect = [
            members,
            buyers,
            active.len() as f64 / members,
            revenue as f64 / 100.0,
            revenue as f64 / 100.0 / orders_n as f64,
            repeat / buyers,
        ];
        for (k, kpi) in d.kpis.iter().enumerate() {
            let got = if p == 0 { kpi.value } else { kpi.previous }.unwrap();
            assert!((got - expect[k]).abs() < 1e-9 * expect[k].abs().max(1.0), "{} period {p}: {got} vs {}", kpi.key, expect[k]);
        }
    }
    assert!(d.kpis[1].value.unwrap() > 0.0, "the sample has buyers in the last 30 days");

    // The monthly trend and cohorts.
    let last = month(as_of);
    let mut first_purchase: HashMap<&str, i64> = HashMap::new();
    for o in orders.iter().filter(|o| o.amount > 0 && o.day <= as_of) {
        let e = first_purchase.entry(&o.key).or_insert(o.day);
        *e = (*e).min(o.day);
    }
    let mut month_orders: BTreeMap<i64, HashSet<(&str, &str)>> = BTreeMap::new();
    let mut month_revenue: BTreeMap<i64, i64> = BTreeMap::new();
    let mut month_buyers: BTreeMap<i64, HashSet<&str>> = BTreeMap::new();
    for o in orders.iter().filter(|o| o.day <= as_of) {
        *month_revenue.entry(month(o.day)).or_default() += o.amount;
        if o.amount > 0 {
            month_orders.entry(month(o.day)).or_default().insert((&o.key, &o.id));
            month_buyers.entry(month(o.day)).or_default().insert(&o.key);
        }
    }
    assert_eq!(d.trend.len(), 12);
    for (k, point) in d.trend.iter().enumerate() {
        let m = last - 11 + k as i64;
        assert_eq!(point.month, format!("{}-{:02}", m / 12, m % 12 + 1));
        assert_eq!(point.orders, month_orders.get(&m).map_or(0, |s| s.len()) as u64, "orders of {}", point.month);
        assert_eq!((point.revenue * 100.0).round() as i64, month_revenue.get(&m).copied().unwrap_or(0), "revenue of {}", point.month);
        let buyers = month_buyers.get(&m).cloned().unwrap_or_default();
        let new = buyers.iter().filter(|k| month(first_purchase[*k]) == m).count() as u64;
        assert_eq!((point.new_buyers, point.returning_buyers), (new, buyers.len() as u64 - new), "buyers of {}", point.month);
    }
    for (k, cohort) in d.cohorts.iter().enumerate() {
        let c = last - 11 + k as i64;
        let of: HashSet<&str> = first_purchase.iter().filter(|(_, &day)| month(day) == c).map(|(k, _)| *k).collect();
        assert_eq!(cohort.size, of.len() as u64);
        for (j, &cell) in cohort.cells.iter().enumerate() {
            let expect = month_buyers.get(&(c + j as i64)).map_or(0, |b| b.iter().filter(|k| of.contains(*k)).count());
            assert_eq!(cell, expect as u64, "cohort {} +{j}", cohort.month);
        }
    }
    assert!(d.cohorts.iter().any(|c| c.size > 0 && c.cells.len() > 1 && c.cells[1] > 0), "some cohort comes back");

    // Every member figure equals its audience's count.
    let mut checks: Vec<(String, u64)> = Vec::new();
    for kpi in &d.kpis {
        if let (Some(a), Some(n)) = (&kpi.audience, kpi.audience_count) {
            checks.push((a.clone(), n));
        }
    }
    for p in &d.trend[9..] {
        checks.push((p.audience.clone(), p.buyers));
        checks.push((p.new_audience.clone(), p.new_buyers));
        checks.push((p.returning_audience.clone(), p.returning_buyers));
    }
    for c in &d.cohorts[8..] {
        checks.extend(c.audiences.iter().cloned().zip(c.cells.iter().copied()));
    }
    for bar in d.lifecycle.iter().chain(&d.segments).chain(&d.top_tags) {
        checks.push((bar.audience.clone(), bar.count));
    }
    for r in 0..5 {
        for f in 0..5 {
            checks.push((d.grid.audiences[r][f].clone(), d.grid.counts[r][f]));
        }
    }
    for (expr, n) in checks {
        assert_eq!(ws.audience_count(&expr).unwrap().count, Some(n), "{expr}");
    }
    assert_eq!(d.lifecycle.iter().map(|b| b.count).sum::<u64>(), people.len() as u64);
    let buyers: u64 = d.grid.counts.iter().flatten().sum();
    assert_eq!(buyers, first_purchase.len() as u64);
    // The score ranges do not overlap: R 5 is the most recent.
    let r = &d.grid.recency;
    assert!(r[4].max.unwrap() <= r[3].min.unwrap(), "{r:?}");
    assert_eq!(d.quality.files, 3);
}

#[test]
fn member_profile_finds_a_member_by_phone_with_timelines() {
    let members = sample::members_csv(SEED, 300);
    let mut ws = Workspace::new();
    ws.load_bytes("m.csv", None, &members, 1 << 16).unwrap();
    ws.load_bytes("o.csv", None, &sample::orders_csv(SEED, 300), 1 << 16).unwrap();
    ws.load_bytes("e.csv", None, &sample::events_csv(SEED, 300), 1 << 16).unwrap();
    ws.compute(None).unwrap();
    let text = String::from_utf8(sample::orders_csv(SEED, 300)).unwrap();
    let events = String::from_utf8(sample::events_csv(SEED, 300)).unwrap();
    let key = fields(text.lines().nth(1).unwrap())[1].clone();
    let row = String::from_utf8(members).unwrap().lines().map(fields).find(|f| f[0] == key).unwrap();
    let phone = row[2].clone();
    let p = ws.member_profile(&phone, true, 1000).unwrap();
    assert_eq!(p.id, key);
    let rows = text.lines().skip(1).map(fields).filter(|f| f[1] == key).count();
    assert_eq!(p.order_total, rows as u64);
    assert_eq!(p.event_total, events.lines().skip(1).filter(|l| fields(l)[0] == key).count() as u64);
    assert!(p.orders.windows(2).all(|w| w[0].time >= w[1].time), "newest first");
    let phone_attr = p.attributes.iter().find(|a| a.role == Some("phone")).unwrap();
    assert!(phone_attr.masked && phone_attr.value.contains("****") && !phone_attr.value.contains(&phone[3..7]));
    assert!(p.identifiers.iter().any(|i| i.value.contains("****")));
    let open = ws.member_profile(&key, false, 5).unwrap();
    assert!(open.attributes.iter().any(|a| a.value == phone));
    assert!(open.orders.len() <= 5);
    assert!(p.tags.iter().any(|t| t.name == "RFM分群" || t.builtin), "built-in tags are listed");
    // A saved audience the member is in is listed; one they are not in is not.
    let edit = |name: &str, rule: &str| Edit { kind: Some(DefKind::Audience), name: name.into(), rule: rule.into(), ..Edit::default() };
    ws.save_tag(&edit("含此人", "frequency >= 0"), "2025-06-01T00:00:00Z", "t").unwrap();
    ws.save_tag(&edit("无此人", "frequency > 100000"), "2025-06-01T00:00:00Z", "t").unwrap();
    let p = ws.member_profile(&key, true, 10).unwrap();
    assert!(p.audiences.contains(&"含此人".to_string()) && !p.audiences.contains(&"无此人".to_string()), "{:?}", p.audiences);
    assert_eq!(p.rfm.is_some(), p.lifecycle != "prospect");
    assert!(ws.member_profile("no-such-id", true, 10).is_err());
}
