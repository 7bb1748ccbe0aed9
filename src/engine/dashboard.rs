//! The dashboard (总览): headline figures with their change against the previous period, the monthly trend, the
//! lifecycle funnel, cohort retention, RFM segments and the R × F grid with each score's value range, the top tags
//! by coverage and data quality at a glance.
//!
//! Every figure that counts members comes with the audience expression (in the rule language) that selects exactly
//! those members, so the page opens it in the builder and the builder's count equals the figure. Definitions:
//! - A *purchase* is an order row with a positive amount; rows sharing an order number count once (as in RFM).
//!   *Revenue* is the net sum of all order rows (refunds subtract). Rows after the analysis date are left out.
//! - The *period* is the `period_days` days ending on the analysis date (inclusive); the previous period is the
//!   same number of days just before it.
//! - *Members* at the end of a period: people whose first dated row (order or event) is on or before that day,
//!   plus people with no dated row at all (listed only in a member file).
//! - *Buyers*: people with a purchase in the period. *Active*: with a purchase or an event in the period, over the
//!   members. *Average order value*: revenue ÷ purchases. *Repurchase rate*: buyers with two or more purchases
//!   in the period ÷ buyers.
//! - Monthly trend: the twelve calendar months up to the analysis date's month. A month's *new* buyers made their
//!   first purchase (ever, up to the analysis date) in it; *returning* buyers bought in it and had bought before.
//! - Cohorts: people by the month of their first purchase (the last twelve such months); cell `k` counts those who
//!   made a purchase `k` months later.

use super::{Analysis, Workspace};
use crate::base::date::{days_in_month, Day};
use crate::base::values::format_amount;
use crate::error::{Error, Result};
use crate::metrics::names::Metric;
use crate::metrics::Frame;
use crate::metrics::Stage;
use crate::model::CHUNK;
use crate::rfm::Segment;
use crate::rules::lexer::quote_name;
use serde::Serialize;
use std::collections::HashSet;

/// Months in the trend and cohorts.
pub const MONTHS: usize = 12;
/// Tags listed by coverage.
pub const TOP_TAGS: usize = 10;

/// One headline figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Kpi {
    /// `members`, `buyers`, `active_share`, `revenue`, `aov` or `repurchase_rate`.
    pub key: &'static str,
    /// `count`, `money` (yuan) or `share` (0–1).
    pub unit: &'static str,
    /// The value over the period (`None` when undefined, e.g. no purchase).
    pub value: Option<f64>,
    /// The value over the previous period.
    pub previous: Option<f64>,
    /// `value / previous - 1` (for shares: the difference in points, `value - previous`).
    pub change: Option<f64>,
    /// The members the figure counts (its numerator), as an audience expression, if it counts members.
    pub audience: Option<String>,
    /// How many members that audience selects.
    pub audience_count: Option<u64>,
}

/// One month of the trend.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Purchases.
    pub orders: u64,
    /// Net revenue in yuan.
    pub revenue: f64,
    /// Net revenue, two decimals.
    pub revenue_text: String,
    /// People with a purchase in the month.
    pub buyers: u64,
    /// Of those, whose first purchase was in the month.
    pub new_buyers: u64,
    /// Of those, who had bought before.
    pub returning_buyers: u64,
    /// The buyers of the month.
    pub audience: String,
    /// The new buyers of the month.
    pub new_audience: String,
    /// The returning buyers of the month.
    pub returning_audience: String,
}

/// A bar with its members.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bar {
    /// Stable key.
    pub key: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Members.
    pub count: u64,
    /// Share of all members (or of buyers for RFM segments).
    pub share: f64,
    /// The members as an audience expression.
    pub audience: String,
}

/// One first-purchase cohort.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cohort {
    /// `YYYY-MM` of the first purchase.
    pub month: String,
    /// People whose first purchase was in the month.
    pub size: u64,
    /// `cells[k]`: of those, people with a purchase `k` months later (up to the analysis date's month).
    pub cells: Vec<u64>,
    /// The audience of each cell.
    pub audiences: Vec<String>,
}

/// One score's value range among buyers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Range {
    /// The score, 1–5.
    pub score: u8,
    /// Smallest value with this score (`None` when no buyer has it).
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

/// The R × F grid with audiences and each score's value range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RfGrid {
    /// `counts[r - 1][f - 1]`.
    pub counts: [[u64; 5]; 5],
    /// `audiences[r - 1][f - 1]`.
    pub audiences: Vec<Vec<String>>,
    /// Recency (days) of each R score.
    pub recency: Vec<Range>,
    /// Frequency (purchases) of each F score.
    pub frequency: Vec<Range>,
    /// Monetary (yuan) of each M score.
    pub monetary: Vec<Range>,
}

/// Data quality at a glance.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityGlance {
    /// Files loaded.
    pub files: u64,
    /// Rows read.
    pub rows_read: u64,
    /// Rows skipped.
    pub rows_skipped: u64,
    /// Identifier links refused.
    pub conflicts: u64,
    /// Buyers without a member-file row.
    pub buyers_without_member_row: u64,
    /// Listed members without an order.
    pub members_without_orders: u64,
    /// People seen only in events.
    pub event_only_people: u64,
    /// Order rows after the analysis date.
    pub orders_after_as_of: u64,
    /// Order rows with an implausible date.
    pub implausible_order_dates: u64,
}

/// The dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// The analysis date.
    pub as_of: String,
    /// Days in a period.
    pub period_days: u32,
    /// First day of the period.
    pub period_from: String,
    /// First day of the previous period.
    pub previous_from: String,
    /// Last day of the previous period.
    pub previous_to: String,
    /// Members in all (as in the summary).
    pub members: u64,
    /// Headline figures.
    pub kpis: Vec<Kpi>,
    /// The monthly trend, oldest first.
    pub trend: Vec<MonthPoint>,
    /// Members by lifecycle stage, in stage order.
    pub lifecycle: Vec<Bar>,
    /// Cohorts, oldest first.
    pub cohorts: Vec<Cohort>,
    /// RFM segments (shares of buyers).
    pub segments: Vec<Bar>,
    /// The R × F grid.
    pub grid: RfGrid,
    /// Yes/no tags and audiences by coverage, largest first.
    pub top_tags: Vec<Bar>,
    /// Data quality.
    pub quality: QualityGlance,
}

/// A calendar month as `year * 12 + month - 1`.
fn month_of(day: Day) -> i32 {
    let (y, m, _) = day.ymd();
    y * 12 + m as i32 - 1
}

/// The first and last day of a month index.
fn month_bounds(index: i32) -> (Day, Day) {
    let (y, m) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
    let first = Day::from_ymd(y, m, 1).unwrap_or(Day(0));
    (first, Day(first.0 + days_in_month(y, m) as i32 - 1))
}

fn month_label(index: i32) -> String {
    format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

/// `time between "from" and "to"`: the rows of those whole days.
fn between(from: Day, to: Day) -> String {
    format!("time between \"{from}\" and \"{to}\"")
}

/// Members with a purchase between two days.
fn bought(from: Day, to: Day) -> String {
    format!("count(orders where amount > 0 and {}) > 0", between(from, to))
}

fn change(value: Option<f64>, previous: Option<f64>, share: bool) -> Option<f64> {
    match (value, previous) {
        (Some(v), Some(p)) if share => Some(v - p),
        (Some(v), Some(p)) if p != 0.0 => Some(v / p - 1.0),
        _ => None,
    }
}

/// What one pass over the orders finds per person and day range.
struct Walk {
    /// First purchase day per person (`i32::MAX` without one).
    first_purchase: Vec<i32>,
    /// First dated row (order or event) per person.
    first_seen: Vec<i32>,
    /// Purchases per period (0 current, 1 previous) and person.
    period_purchases: [Vec<u32>; 2],
    /// Net revenue per period in minor units.
    period_revenue: [i64; 2],
    /// Whether each person had an event per period.
    period_event: [Vec<bool>; 2],
    /// Purchases per trend month.
    month_orders: Vec<u64>,
    /// Revenue per trend month.
    month_revenue: Vec<i64>,
    /// The (person, month index) pairs with a purchase.
    bought_in: HashSet<(u32, i32)>,
}

impl Analysis<'_> {
    /// The dashboard over the last computation, with periods of `period_days` days (at least 1).
    pub fn dashboard(&self, period_days: u32) -> Result<Dashboard> {
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let period_days = period_days.max(1);
        let as_of = c.rfm.as_of;
        let n = c.people.len();
        let frame = Frame::with_cache(&self.data, &c.people, &c.rfm, self.catalog.settings.clone(), self.frame_cache_ref());
        let current = (Day(as_of.0 - period_days as i32 + 1), as_of);
        let previous = (Day(as_of.0 - 2 * period_days as i32 + 1), Day(as_of.0 - period_days as i32));
        let last_month = month_of(as_of);
        let first_month = last_month - MONTHS as i32 + 1;
        let walk = self.walk(&frame, [current, previous], first_month, last_month);

        // Headline figures for each period.
        let numbered_only = self.orders_all_numbered();
        let kpi_for = |p: usize| {
            let (from, to) = if p == 0 { current } else { previous };
            let members = (0..n).filter(|&i| walk.first_seen[i] == i32::MAX || walk.first_seen[i] <= to.0).count() as u64;
            let purchases = &walk.period_purchases[p];
            let buyers = purchases.iter().filter(|&&k| k > 0).count() as u64;
            let repeat = purchases.iter().filter(|&&k| k >= 2).count() as u64;
            let active = (0..n).filter(|&i| purchases[i] > 0 || walk.period_event[p][i]).count() as u64;
            let orders: u64 = purchases.iter().map(|&k| u64::from(k)).sum();
            let revenue = walk.period_revenue[p] as f64 / 100.0;
            let _ = from;
            [
                Some(members as f64),
                Some(buyers as f64),
                (members > 0).then(|| active as f64 / members as f64),
                Some(revenue),
                (orders > 0).then(|| revenue / orders as f64),
                (buyers > 0).then(|| repeat as f64 / buyers as f64),
            ]
        };
        let (now, before) = (kpi_for(0), kpi_for(1));
        let (from, to) = current;
        let repeat_expr = if numbered_only {
            format!("distinct(orders.order_id where amount > 0 and {}) >= 2", between(from, to))
        } else {
            format!("count(orders where amount > 0 and {}) >= 2", between(from, to))
        };
        let audiences = [
            None,
            Some(bought(from, to)),
            Some(format!("{} or count(events where {}) > 0", bought(from, to), between(from, to))),
            None,
            None,
            Some(repeat_expr),
        ];
        let counts = [
            None,
            Some(walk.period_purchases[0].iter().filter(|&&k| k > 0).count() as u64),
            Some((0..n).filter(|&i| walk.period_purchases[0][i] > 0 || walk.period_event[0][i]).count() as u64),
            None,
            None,
            Some(walk.period_purchases[0].iter().filter(|&&k| k >= 2).count() as u64),
        ];
        let keys = ["members", "buyers", "active_share", "revenue", "aov", "repurchase_rate"];
        let units = ["count", "count", "share", "money", "money", "share"];
        let kpis = (0..6)
            .map(|k| Kpi {
                key: keys[k],
                unit: units[k],
                value: now[k],
                previous: before[k],
                change: change(now[k], before[k], units[k] == "share"),
                audience: audiences[k].clone(),
                audience_count: counts[k],
            })
            .collect();

        // The monthly trend.
        let mut buyers_of = [(0u64, 0u64); MONTHS];
        for &(person, month) in &walk.bought_in {
            if month < first_month {
                continue;
            }
            let slot = &mut buyers_of[(month - first_month) as usize];
            if month_of(Day(walk.first_purchase[person as usize])) == month {
                slot.0 += 1;
            } else {
                slot.1 += 1;
            }
        }
        let trend = (0..MONTHS)
            .map(|k| {
                let month = first_month + k as i32;
                let (a, b) = month_bounds(month);
                MonthPoint {
                    month: month_label(month),
                    orders: walk.month_orders[k],
                    revenue: walk.month_revenue[k] as f64 / 100.0,
                    revenue_text: format_amount(walk.month_revenue[k]),
                    buyers: buyers_of[k].0 + buyers_of[k].1,
                    new_buyers: buyers_of[k].0,
                    returning_buyers: buyers_of[k].1,
                    audience: bought(a, b),
                    new_audience: format!("first_purchase between \"{a}\" and \"{b}\""),
                    returning_audience: format!("first_purchase < \"{a}\" and {}", bought(a, b)),
                }
            })
            .collect();

        // Lifecycle.
        let stages = frame.text(Metric::Lifecycle);
        let mut stage_counts = [0u64; 6];
        for i in 0..n {
            let v = stages.get(i);
            if let Some(s) = Stage::ALL.iter().position(|s| s.zh() == v) {
                stage_counts[s] += 1;
            }
        }
        let share = |count: u64, of: u64| if of == 0 { 0.0 } else { count as f64 / of as f64 };
        let lifecycle = Stage::ALL
            .iter()
            .map(|&s| Bar {
                key: format!("{s:?}").to_lowercase(),
                zh: s.zh().to_string(),
                en: s.en().to_string(),
                count: stage_counts[s as usize],
                share: share(stage_counts[s as usize], n as u64),
                audience: format!("lifecycle == \"{}\"", s.zh()),
            })
            .collect();

        // Cohorts.
        let mut cohort_size = [0u64; MONTHS];
        for &day in &walk.first_purchase {
            if day != i32::MAX {
                let m = month_of(Day(day));
                if m >= first_month && m <= last_month {
                    cohort_size[(m - first_month) as usize] += 1;
                }
            }
        }
        let mut cells = vec![vec![0u64; MONTHS]; MONTHS];
        for &(person, month) in &walk.bought_in {
            let first = month_of(Day(walk.first_purchase[person as usize]));
            if first >= first_month && month >= first {
                cells[(first - first_month) as usize][(month - first) as usize] += 1;
            }
        }
        let cohorts = (0..MONTHS)
            .map(|k| {
                let month = first_month + k as i32;
                let (a, b) = month_bounds(month);
                let span = (last_month - month + 1) as usize;
                Cohort {
                    month: month_label(month),
                    size: cohort_size[k],
                    cells: cells[k][..span].to_vec(),
                    audiences: (0..span)
                        .map(|j| {
                            let (x, y) = month_bounds(month + j as i32);
                            format!("first_purchase between \"{a}\" and \"{b}\" and {}", bought(x, y))
                        })
                        .collect(),
                }
            })
            .collect();

        // RFM.
        let buyers = c.rfm.rows.len() as u64;
        let segments = Segment::ALL
            .iter()
            .map(|&s| {
                let count = c.rfm.segments[s as usize].len();
                Bar {
                    key: s.key().to_string(),
                    zh: s.zh().to_string(),
                    en: s.en().to_string(),
                    count,
                    share: share(count, buyers),
                    audience: format!("rfm.segment == \"{}\"", s.zh()),
                }
            })
            .collect();
        let mut counts = [[0u64; 5]; 5];
        let mut ranges = [[(f64::INFINITY, f64::NEG_INFINITY); 5]; 3];
        for row in &c.rfm.rows {
            counts[row.r as usize - 1][row.f as usize - 1] += 1;
            for (axis, (score, value)) in
                [(row.r, f64::from(row.recency)), (row.f, f64::from(row.frequency)), (row.m, row.monetary as f64 / 100.0)]
                    .into_iter()
                    .enumerate()
            {
                let r = &mut ranges[axis][score as usize - 1];
                *r = (r.0.min(value), r.1.max(value));
            }
        }
        let range = |axis: usize| {
            (0..5)
                .map(|s| {
                    let (lo, hi) = ranges[axis][s];
                    Range { score: s as u8 + 1, min: lo.is_finite().then_some(lo), max: hi.is_finite().then_some(hi) }
                })
                .collect()
        };
        let grid = RfGrid {
            counts,
            audiences: (1..=5).map(|r| (1..=5).map(|f| format!("rfm.r == {r} and rfm.f == {f}")).collect()).collect(),
            recency: range(0),
            frequency: range(1),
            monetary: range(2),
        };

        // Tags by coverage.
        let report = self.tags()?;
        let mut top: Vec<Bar> = report
            .tags
            .iter()
            .filter(|t| t.value_type == "bool" && t.kind != "metric")
            .map(|t| Bar {
                key: t.name.clone(),
                zh: t.name.clone(),
                en: t.name.clone(),
                count: t.count,
                share: t.share,
                audience: quote_name(&t.name).into_owned(),
            })
            .collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        top.truncate(TOP_TAGS);

        let summary = self.summarise(c, &frame.order_person.map(|p| p));
        Ok(Dashboard {
            as_of: as_of.to_string(),
            period_days,
            period_from: current.0.to_string(),
            previous_from: previous.0.to_string(),
            previous_to: previous.1.to_string(),
            members: n as u64,
            kpis,
            trend,
            lifecycle,
            cohorts,
            segments,
            grid,
            top_tags: top,
            quality: QualityGlance {
                files: summary.files.len() as u64,
                rows_read: summary.quality.rows_read,
                rows_skipped: summary.quality.rows_skipped,
                conflicts: summary.identity.conflicts,
                buyers_without_member_row: summary.quality.buyers_without_member_row,
                members_without_orders: summary.quality.members_without_orders,
                event_only_people: summary.quality.event_only_people,
                orders_after_as_of: summary.orders_after_as_of,
                implausible_order_dates: summary.implausible_order_dates,
            },
        })
    }

    /// Whether every order row has an order number.
    fn orders_all_numbered(&self) -> bool {
        let o = &self.data.orders;
        let mut buf = Vec::new();
        (0..o.len()).step_by(CHUNK).all(|lo| o.order_id.chunk(lo, (lo + CHUNK).min(o.len()), &mut buf).iter().all(|&id| id != 0))
    }

    /// One pass over orders and events: first days, period figures, monthly figures.
    fn walk(&self, frame: &Frame<'_>, periods: [(Day, Day); 2], first_month: i32, last_month: i32) -> Walk {
        let n = frame.len();
        let mut w = Walk {
            first_purchase: vec![i32::MAX; n],
            first_seen: vec![i32::MAX; n],
            period_purchases: [vec![0; n], vec![0; n]],
            period_revenue: [0; 2],
            period_event: [vec![false; n], vec![false; n]],
            month_orders: vec![0; MONTHS],
            month_revenue: vec![0; MONTHS],
            bought_in: HashSet::new(),
        };
        let o = &self.data.orders;
        // Purchases with an order number count once per person: (person, number, period or month slot).
        let mut seen: HashSet<(u32, u64, i32)> = HashSet::new();
        let (mut ts_buf, mut amount_buf, mut id_buf, mut person_buf) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for lo in (0..frame.order_person.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(frame.order_person.len());
            let ts = o.ts.chunk(lo, hi, &mut ts_buf);
            let amount = o.amount.chunk(lo, hi, &mut amount_buf);
            let ids = o.order_id.chunk(lo, hi, &mut id_buf);
            for (k, &p) in frame.order_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
                if ts[k] >= frame.limit {
                    continue;
                }
                let (i, day) = (p as usize, Day::of_timestamp(ts[k]));
                w.first_seen[i] = w.first_seen[i].min(day.0);
                let purchase = amount[k] > 0;
                // A new purchase in a slot unless the same numbered order was already counted there.
                let mut fresh = |slot: i32| ids[k] == 0 || seen.insert((p, ids[k] as u64, slot));
                for (j, &(from, to)) in periods.iter().enumerate() {
                    if day >= from && day <= to {
                        w.period_revenue[j] += amount[k];
                        if purchase && fresh(-1 - j as i32) {
                            w.period_purchases[j][i] += 1;
                        }
                    }
                }
                if purchase {
                    w.first_purchase[i] = w.first_purchase[i].min(day.0);
                    let month = month_of(day);
                    w.bought_in.insert((p, month));
                    if month >= first_month && month <= last_month {
                        let slot = (month - first_month) as usize;
                        if fresh(month) {
                            w.month_orders[slot] += 1;
                        }
                    }
                }
                let month = month_of(day);
                if month >= first_month && month <= last_month {
                    w.month_revenue[(month - first_month) as usize] += amount[k];
                }
            }
        }
        let e = &self.data.events;
        let (mut ts_buf, mut person_buf) = (Vec::new(), Vec::new());
        for lo in (0..frame.event_person.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(frame.event_person.len());
            let ts = e.ts.chunk(lo, hi, &mut ts_buf);
            for (k, &p) in frame.event_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
                if ts[k] >= frame.limit {
                    continue;
                }
                let (i, day) = (p as usize, Day::of_timestamp(ts[k]));
                w.first_seen[i] = w.first_seen[i].min(day.0);
                for (j, &(from, to)) in periods.iter().enumerate() {
                    if day >= from && day <= to {
                        w.period_event[j][i] = true;
                    }
                }
            }
        }
        w
    }
}

impl Workspace {
    /// [`Analysis::dashboard`] after a [`Workspace::refresh`].
    pub fn dashboard(&mut self, period_days: u32) -> Result<Dashboard> {
        self.analysis()?.dashboard(period_days)
    }
}
