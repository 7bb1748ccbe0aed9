//! Synthetic datasets built straight into columns (no CSV text), for benchmarks at millions of members: members
//! with attributes, heavy-tailed seasonal orders and behaviour events, all from one seed.

use super::{SplitMix64, CATEGORIES, CHANNELS, CITIES, LEVELS};
use crate::base::date::Day;
use crate::base::dict::{hash64, Dict};
use crate::base::ids::IdKind;
use crate::base::roles::Role;
use crate::model::batch::{Batch, BatchRows, EventRows, IdColumn, OrderRows};
use crate::model::Attribute;

/// Sizes of a synthetic dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Members.
    pub members: u64,
    /// Orders in all (about; heavy-tailed per member).
    pub orders: u64,
    /// Events in all (about).
    pub events: u64,
}

fn id_column(members: u64) -> (Dict, Vec<u32>) {
    let mut dict = Dict::new();
    for i in 0..members {
        dict.intern(&super::member_key(i));
    }
    (dict, Vec::new())
}

fn attribute(header: &str, role: Role, values: &[&str]) -> Attribute {
    let mut dict = Dict::new();
    for v in values {
        dict.intern(v);
    }
    Attribute { header: header.into(), role: Some(role), values: dict, codes: Vec::new() }
}

/// The member batch: key, gender, birthday, registration date, level and city.
pub fn members(seed: u64, size: Size) -> Batch {
    let mut rng = SplitMix64::new(seed ^ 0x7379_6e6d);
    let (values, mut codes) = id_column(size.members);
    let mut gender = attribute("性别", Role::Gender, &["女", "男"]);
    let mut level = attribute("会员等级", Role::Level, &LEVELS.iter().map(|l| l.0).collect::<Vec<_>>());
    let mut city = attribute("城市", Role::City, &CITIES.iter().map(|c| c.0).collect::<Vec<_>>());
    let mut birthday = Attribute { header: "生日".into(), role: Some(Role::Birthday), ..Attribute::default() };
    let mut joined = Attribute { header: "注册日期".into(), role: Some(Role::RegisterDate), ..Attribute::default() };
    let first_join = Day::from_ymd(2021, 1, 1).unwrap_or(Day(0));
    let level_index: Vec<(usize, u32)> = LEVELS.iter().enumerate().map(|(i, l)| (i, l.1)).collect();
    let city_index: Vec<(usize, u32)> = CITIES.iter().enumerate().map(|(i, c)| (i, c.1)).collect();
    for i in 0..size.members {
        codes.push(i as u32);
        gender.codes.push(u32::from(rng.unit() >= 0.68));
        level.codes.push(*rng.weighted(&level_index) as u32);
        city.codes.push(*rng.weighted(&city_index) as u32);
        let age = 18 + (rng.unit().powf(1.4) * 45.0) as i32;
        let born = Day(Day::from_ymd(2025 - age, 1, 1).unwrap_or(Day(0)).0 + rng.below(365) as i32);
        birthday.codes.push(birthday.values.intern(&born.to_string()));
        joined.codes.push(joined.values.intern(&Day(first_join.0 + rng.below(4 * 365) as i32).to_string()));
    }
    Batch {
        ids: vec![IdColumn { kind: IdKind::Member, values, codes }],
        lines: (2..size.members as u32 + 2).collect(),
        rows: BatchRows::Members(vec![gender, birthday, joined, level, city]),
    }
}

/// The order batch: about `size.orders` orders, heavy-tailed per member (a Pareto-like count), seasonal (6.18
/// and 11.11 peaks), with discounts, refunds, categories and channels.
pub fn orders(seed: u64, size: Size) -> Batch {
    let mut rng = SplitMix64::new(seed ^ 0x7379_6f72);
    let (start, end) = super::order_window();
    let span = i64::from(end.0 - start.0);
    let (values, mut codes) = id_column(size.members);
    let mut o = OrderRows::default();
    for (name, _, _) in CATEGORIES {
        o.categories.intern(name);
    }
    for (name, _) in CHANNELS {
        o.channels.intern(name);
    }
    let cat_index: Vec<(usize, u32)> = CATEGORIES.iter().enumerate().map(|(i, c)| (i, c.1)).collect();
    let chan_index: Vec<(usize, u32)> = CHANNELS.iter().enumerate().map(|(i, c)| (i, c.1)).collect();
    // Counts with mean `orders / members`: a Pareto tail (alpha 1.6) scaled to the wanted mean.
    let mean = size.orders as f64 / size.members.max(1) as f64;
    let scale = mean * 0.6 / 1.6;
    let mut next_order = 0u64;
    for i in 0..size.members {
        let count = ((rng.unit().max(1e-9).powf(-1.0 / 1.6)) * scale).round().min(400.0) as u64;
        let aov = (4.8 + 0.6 * rng.normal()).exp();
        let favourite = *rng.weighted(&cat_index);
        let channel = *rng.weighted(&chan_index);
        for _ in 0..count {
            let mut d = i64::from(start.0) + rng.below(span as u64) as i64;
            if rng.unit() < 0.1 {
                let (y, _, _) = Day(d as i32).ymd();
                let promo = if rng.unit() < 0.5 { Day::from_ymd(y, 6, 18) } else { Day::from_ymd(y, 11, 11) };
                if let Some(p) = promo.filter(|p| *p >= start && *p <= end) {
                    d = i64::from(p.0);
                }
            }
            let cat = if rng.unit() < 0.6 { favourite } else { *rng.weighted(&cat_index) };
            let cents = ((aov * CATEGORIES[cat].2 * (0.5 + rng.unit())) * 100.0).round().max(100.0) as i64;
            let ts = Day(d as i32).start() + rng.below(86_400) as i64;
            next_order += 1;
            let id = hash64(&format!("SO{next_order}"));
            let refund = rng.unit() < 0.03;
            let discount = if rng.unit() < 0.35 { cents / 10 } else { 0 };
            let chan = if rng.unit() < 0.8 { channel } else { *rng.weighted(&chan_index) };
            for (amount, when) in
                [(cents, ts), (-cents, ts + 86_400 * (1 + rng.below(10) as i64))].into_iter().take(1 + usize::from(refund))
            {
                codes.push(i as u32);
                o.ts.push(when);
                o.amount.push(amount);
                o.discount.push(if amount > 0 { discount } else { 0 });
                o.order_id.push(id);
                o.category.push(cat as u32);
                o.channel.push(chan as u32);
            }
        }
    }
    let rows = codes.len() as u32;
    Batch {
        ids: vec![IdColumn { kind: IdKind::Member, values, codes }],
        lines: (2..rows + 2).collect(),
        rows: BatchRows::Orders(Box::new(o)),
    }
}

/// The event batch: about `size.events` views, add-to-carts, favourites and shares, more of them recently.
pub fn events(seed: u64, size: Size) -> Batch {
    let mut rng = SplitMix64::new(seed ^ 0x7379_6576);
    let (_, end) = super::order_window();
    let (values, mut codes) = id_column(size.members);
    let mut e = EventRows::default();
    for t in ["view", "add_cart", "collect", "share"] {
        e.types.intern(t);
    }
    for (name, _, _) in CATEGORIES {
        e.targets.intern(name);
    }
    let types = [(0u32, 70), (1, 18), (2, 7), (3, 5)];
    let mean = size.events as f64 / size.members.max(1) as f64;
    for i in 0..size.members {
        let count = (-(rng.unit().max(1e-9)).ln() * mean).round() as u64;
        for _ in 0..count {
            let ago = (rng.unit().powi(2) * 365.0) as i32;
            codes.push(i as u32);
            e.ts.push(Day(end.0 - ago).start() + rng.below(86_400) as i64);
            e.event_type.push(*rng.weighted(&types));
            e.target.push(rng.below(CATEGORIES.len() as u64) as u32);
        }
    }
    let rows = codes.len() as u32;
    Batch {
        ids: vec![IdColumn { kind: IdKind::Member, values, codes }],
        lines: (2..rows + 2).collect(),
        rows: BatchRows::Events(Box::new(e)),
    }
}
