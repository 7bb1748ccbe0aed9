//! The built-in sample dataset: deterministic synthetic members and orders.
//!
//! The same seed and size always give the same bytes. Orders are heavy-tailed per member (most buy once, a
//! few buy dozens of times), seasonal (peaks around 6.18 and 11.11), carry refunds, discounts, several
//! categories and channels, dates and amounts in a few export styles, and a handful of unreadable rows, so
//! the sample exercises the same paths as a real export.
#![allow(clippy::expect_used, reason = "the sample generator's calendar dates are constants (or ages within 18–63), valid by construction")]

pub mod pack;
pub mod synthetic;

use crate::base::date::Day;
use std::fmt::Write;

pub use crate::base::random::SplitMix64;

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "婷婷", "欣怡", "子涵",
    "浩然", "雨桐", "梓萱",
];
const CITIES: &[(&str, u32)] = &[
    ("上海", 18),
    ("北京", 15),
    ("广州", 10),
    ("深圳", 12),
    ("杭州", 9),
    ("成都", 8),
    ("南京", 6),
    ("武汉", 6),
    ("西安", 5),
    ("重庆", 5),
    ("苏州", 6),
];
const LEVELS: &[(&str, u32)] = &[("普通会员", 55), ("银卡会员", 25), ("金卡会员", 14), ("钻石会员", 6)];
const CATEGORIES: &[(&str, u32, f64)] =
    &[("美妆", 24, 1.0), ("护肤", 22, 1.3), ("服饰", 18, 1.1), ("零食", 14, 0.3), ("母婴", 8, 0.9), ("珠宝", 4, 4.0), ("家居", 10, 0.8)];
const CHANNELS: &[(&str, u32)] = &[("天猫", 30), ("京东", 15), ("小程序", 25), ("门店", 20), ("抖音", 10)];

/// The first and last day orders are generated for.
fn order_window() -> (Day, Day) {
    (Day::from_ymd(2023, 6, 1).expect("valid date"), Day::from_ymd(2025, 5, 31).expect("valid date"))
}

/// The member key of sample member `i`: eight digits with leading zeros.
pub fn member_key(i: u64) -> String {
    format!("{:08}", 100 + i)
}

/// The sample member file (UTF-8 CSV with Chinese headers).
pub fn members_csv(seed: u64, members: u64) -> Vec<u8> {
    let mut out = String::from("会员编号,姓名,手机号,性别,生日,注册日期,会员等级,城市\n");
    let mut rng = SplitMix64::new(seed ^ 0x6d65_6d62);
    let first_join = Day::from_ymd(2021, 1, 1).expect("valid date");
    for i in 0..members {
        let name = format!("{}{}", SURNAMES[rng.below(SURNAMES.len() as u64) as usize], GIVEN[rng.below(GIVEN.len() as u64) as usize]);
        let phone = format!("1{}{:09}", [3, 5, 7, 8, 9][rng.below(5) as usize], rng.below(1_000_000_000));
        let gender = if rng.unit() < 0.68 { "女" } else { "男" };
        let age = 18 + (rng.unit().powf(1.4) * 45.0) as i32;
        let birthday = Day(Day::from_ymd(2025 - age, 1, 1).expect("valid date").0 + rng.below(365) as i32);
        let joined = Day(first_join.0 + rng.below(4 * 365) as i32);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            member_key(i),
            name,
            phone,
            gender,
            birthday,
            joined,
            rng.weighted(LEVELS),
            rng.weighted(CITIES)
        );
    }
    out.into_bytes()
}

/// The sample order file (UTF-8 CSV with Chinese headers), generated member by member.
pub fn orders_csv(seed: u64, members: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_orders(seed, members, &mut |chunk| out.extend_from_slice(chunk.as_bytes()));
    out
}

/// How many orders and events the generator writes, as multiples of the built-in sample's rates (about
/// [`ORDERS_PER_MEMBER`] orders and [`EVENTS_PER_MEMBER`] events per member). The default, 1 and 1, gives the
/// built-in sample byte for byte.
///
/// A larger order scale gives every buyer proportionally more orders (the heavy tail and its cap scale too) at
/// proportionally shorter intervals, so the orders still span the same window, with the same promotion peaks;
/// a larger event scale gives proportionally more browsing sessions in the same half year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    /// The multiple of the built-in order rate.
    pub orders: f64,
    /// The multiple of the built-in event rate.
    pub events: f64,
}

impl Default for Rates {
    fn default() -> Rates {
        Rates { orders: 1.0, events: 1.0 }
    }
}

impl Rates {
    /// The scales that give about `orders` orders and `events` events per member.
    pub fn per_member(orders: f64, events: f64) -> Rates {
        Rates { orders: orders / ORDERS_PER_MEMBER, events: events / EVENTS_PER_MEMBER }
    }
}

/// Orders per member of the built-in sample (refund rows included), measured over a million members.
pub const ORDERS_PER_MEMBER: f64 = 1.47;

/// Behaviour events per member of the built-in sample, measured over a million members.
pub const EVENTS_PER_MEMBER: f64 = 5.37;

/// Streams the sample order file to `sink` in chunks (for files too big to build in memory).
pub fn write_orders(seed: u64, members: u64, sink: &mut dyn FnMut(&str)) {
    write_orders_at(seed, members, 1.0, sink);
}

/// Streams the order file with `scale` times the built-in order rate (see [`Rates`]) to `sink` in chunks.
pub fn write_orders_at(seed: u64, members: u64, scale: f64, sink: &mut dyn FnMut(&str)) {
    let (start, end) = order_window();
    let span = i64::from(end.0 - start.0);
    let mut rng = SplitMix64::new(seed ^ 0x6f72_6465);
    let mut buf = String::from("订单号,会员编号,下单时间,实付金额,优惠金额,商品品类,渠道\n");
    let mut order_no: u64 = 0;
    for i in 0..members {
        if rng.unit() < 0.12 {
            continue; // A prospect: a member who never bought.
        }
        let count = (rng.unit().max(1e-9).powf(-1.0 / 1.6) * scale).floor().min(80.0 * scale) as u32;
        let rhythm = (20.0 + rng.unit() * 120.0) / scale;
        let aov = (4.8 + 0.6 * rng.normal()).exp();
        let favourite = rng.below(CATEGORIES.len() as u64) as usize;
        let channel = rng.weighted(CHANNELS);
        let mut day = i64::from(start.0) + rng.below(span as u64) as i64;
        for _ in 0..count.max(1) {
            if day > i64::from(end.0) {
                break;
            }
            let mut d = day;
            if rng.unit() < 0.12 {
                // A promotion day: 6.18 or 11.11 of the order's year, if inside the window.
                let (y, _, _) = Day(d as i32).ymd();
                let promo = if rng.unit() < 0.5 { Day::from_ymd(y, 6, 18) } else { Day::from_ymd(y, 11, 11) };
                if let Some(p) = promo.filter(|p| *p >= start && *p <= end) {
                    d = i64::from(p.0);
                }
            }
            let cat = if rng.unit() < 0.6 { favourite } else { rng.below(CATEGORIES.len() as u64) as usize };
            let (category, _, price_factor) = CATEGORIES[cat];
            let cents = ((aov * price_factor * (0.5 + rng.unit())) * 100.0).round().max(100.0) as i64;
            let discount = if rng.unit() < 0.35 { cents / 10 * (1 + rng.below(3) as i64) } else { 0 };
            let secs = rng.below(86_400) as i64;
            let order_channel = if rng.unit() < 0.8 { channel } else { rng.weighted(CHANNELS) };
            order_no += 1;
            let id = format!("SO{:09}", order_no);
            let key = member_key(i);
            let when = Day(d as i32);
            let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            let roll = rng.unit();
            let (time, amount) = if roll < 0.0005 {
                (format!("{when} {h:02}:{mi:02}:{s:02}"), "N/A".to_string())
            } else if roll < 0.05 {
                let (y, m, dd) = when.ymd();
                (format!("{y}/{m}/{dd} {h}:{mi:02}"), format!("\"¥{}\"", thousands(cents)))
            } else {
                (format!("{when} {h:02}:{mi:02}:{s:02}"), crate::base::values::format_amount(cents))
            };
            let _ = writeln!(buf, "{id},{key},{time},{amount},{},{category},{order_channel}", crate::base::values::format_amount(discount));
            if rng.unit() < 0.03 {
                // A refund a few days later, under the same order number.
                let refund_day = Day((d + 1 + rng.below(10) as i64).min(i64::from(end.0)) as i32);
                let _ = writeln!(
                    buf,
                    "{id},{key},{refund_day} 12:00:00,-{},0.00,{category},{order_channel}",
                    crate::base::values::format_amount(cents)
                );
            }
            day = d + 1 + (-(rng.unit().max(1e-9)).ln() * rhythm) as i64;
        }
        if buf.len() > 1 << 16 {
            sink(&buf);
            buf.clear();
        }
    }
    sink(&buf);
}

/// The sample behaviour events (UTF-8 CSV with Chinese headers): page views, add-to-cart, favourites and shares
/// in the last half year of the order window, more of them recently, for about 70% of members.
pub fn events_csv(seed: u64, members: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_events_at(seed, members, 1.0, &mut |chunk| out.extend_from_slice(chunk.as_bytes()));
    out
}

/// Streams the events file with `scale` times the built-in event rate (see [`Rates`]) to `sink` in chunks.
pub fn write_events_at(seed: u64, members: u64, scale: f64, sink: &mut dyn FnMut(&str)) {
    let (_, end) = order_window();
    let mut rng = SplitMix64::new(seed ^ 0x6576_656e);
    let mut out = String::from("会员编号,行为类型,发生时间,行为对象\n");
    for i in 0..members {
        if rng.unit() < 0.3 {
            continue;
        }
        // The mean number of sessions, about 3 at scale 1, grows in proportion to the scale.
        let sessions = 1 + (-(rng.unit().max(1e-9)).ln() * (3.0 * scale - 0.5)) as u32;
        let key = member_key(i);
        for _ in 0..sessions.min((30.0 * scale) as u32) {
            // Recent days are likelier: the square of a uniform number leans towards 0 days ago.
            let ago = (rng.unit().powi(2) * 180.0) as i32;
            let day = Day(end.0 - ago);
            let mut secs = rng.below(86_400 - 3_600) as i64;
            let (category, _, _) = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize];
            let emit = |kind: &str, secs: i64, out: &mut String| {
                let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
                let _ = writeln!(out, "{key},{kind},{day} {h:02}:{m:02}:{s:02},{category}");
            };
            for _ in 0..1 + rng.below(3) {
                emit("view", secs, &mut out);
                secs += 20 + rng.below(300) as i64;
            }
            if rng.unit() < 0.35 {
                emit("add_cart", secs, &mut out);
            }
            if rng.unit() < 0.1 {
                emit("collect", secs + 5, &mut out);
            }
            if rng.unit() < 0.08 {
                emit("share", secs + 10, &mut out);
            }
        }
        if out.len() > 1 << 16 {
            sink(&out);
            out.clear();
        }
    }
    sink(&out);
}

fn thousands(cents: i64) -> String {
    let whole = (cents / 100).to_string();
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_shaped() {
        let a = orders_csv(7, 300);
        assert_eq!(a, orders_csv(7, 300));
        assert_ne!(a, orders_csv(8, 300));
        assert_eq!(members_csv(7, 300), members_csv(7, 300));
        let events = String::from_utf8(events_csv(7, 300)).unwrap();
        assert_eq!(events.as_bytes(), events_csv(7, 300));
        assert!(events.lines().count() > 300 && events.contains(",add_cart,"));
        let text = String::from_utf8(members_csv(7, 3)).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.lines().nth(1).unwrap().starts_with("00000100,"));
        assert_eq!(thousands(123_456_789), "1,234,567.89");
    }

    #[test]
    fn rates_scale_the_row_counts() {
        type Writer = fn(u64, u64, f64, &mut dyn FnMut(&str));
        let collect = |write: Writer, scale: f64| {
            let mut out = String::new();
            write(5, 2000, scale, &mut |chunk| out.push_str(chunk));
            out
        };
        let orders = collect(write_orders_at, 1.0);
        assert_eq!(orders.as_bytes(), orders_csv(5, 2000));
        let rates = Rates::per_member(10.0, 30.0);
        let many = collect(write_orders_at, rates.orders);
        let ratio = many.lines().count() as f64 / orders.lines().count() as f64;
        assert!((5.0..9.0).contains(&ratio), "orders grew {ratio}×");
        let events = collect(write_events_at, rates.events);
        let per_member = (events.lines().count() - 1) as f64 / 2000.0;
        assert!((24.0..36.0).contains(&per_member), "{per_member} events per member");
        assert_eq!(events, collect(write_events_at, rates.events));
    }
}
