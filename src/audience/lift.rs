//! Campaign lift (效果追踪): after the orders of a campaign window are loaded, each arm's conversion rate (members
//! with at least one purchase in the window) and revenue per member (net amount of the window's order rows, refunds
//! included, over every member of the arm), and each test arm against the control:
//! - conversion: the difference of rates with a 95% interval `d ± 1.96·√(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)` and the
//!   two-proportion z-test (pooled rate) for its p-value;
//! - revenue per member: Welch's t interval `d ± t(0.975, ν)·√(s₁²/n₁ + s₀²/n₀)` with Welch–Satterthwaite degrees
//!   of freedom ν, and its p-value;
//! - lift = difference ÷ control value × 100%.
//!
//! The window runs from the start date's first second to the end date's last, whatever the analysis date.

use super::split::SplitRequest;
use super::stats::{mean_sd, normal_two_sided, t_critical, t_two_sided, Z_975};
use crate::base::date::Day;
use crate::model::{Dataset, People};
use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

/// Daily series are given for windows up to this many days.
pub const MAX_DAILY: i32 = 731;

/// A lift to measure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LiftRequest {
    /// The split the campaign used (the same audience, salt, arms and stratification give the same arms).
    pub split: SplitRequest,
    /// The window's first day, `YYYY-MM-DD`.
    pub start: String,
    /// The window's last day, `YYYY-MM-DD` (included).
    pub end: String,
}

/// One arm's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmOutcome {
    /// The arm.
    pub name: String,
    /// Members in it.
    pub members: u64,
    /// Members with at least one purchase in the window.
    pub converters: u64,
    /// `converters ÷ members`.
    pub conversion_rate: f64,
    /// Net revenue of the arm in the window (yuan).
    pub revenue: f64,
    /// `revenue ÷ members`.
    pub revenue_per_member: f64,
    /// Standard deviation of revenue per member.
    pub revenue_sd: f64,
}

/// A test arm minus the control, with its 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    /// Test − control.
    pub difference: f64,
    /// Lower end of the 95% interval (none when it cannot be computed).
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// Difference ÷ control value × 100 (none when the control value is 0).
    pub lift: Option<f64>,
    /// The z or t statistic.
    pub statistic: Option<f64>,
    /// Degrees of freedom (Welch).
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// p < 0.05.
    pub significant: bool,
}

/// A test arm against the control.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiftComparison {
    /// The test arm.
    pub arm: String,
    /// The control arm.
    pub control: String,
    /// Conversion rate.
    pub conversion: Interval,
    /// Revenue per member.
    pub revenue_per_member: Interval,
}

/// Cumulative figures at the end of one day of the window, per arm (for a line chart).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiftDay {
    /// The day.
    pub date: String,
    /// Each arm's conversion rate so far.
    pub conversion: Vec<f64>,
    /// Each arm's revenue per member so far.
    pub revenue_per_member: Vec<f64>,
}

/// The lift of a campaign.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiftReport {
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
    /// Days in the window.
    pub days: u32,
    /// Order rows in the window.
    pub orders: u64,
    /// The control arm.
    pub control: String,
    /// Each arm.
    pub arms: Vec<ArmOutcome>,
    /// Each test arm against the control.
    pub comparisons: Vec<LiftComparison>,
    /// Day by day (windows up to [`MAX_DAILY`] days).
    pub daily: Vec<LiftDay>,
}

/// The conversion interval of `x₁/n₁` against `x₀/n₀`.
pub fn conversion_interval(x1: u64, n1: u64, x0: u64, n0: u64) -> Interval {
    let rate = |x: u64, n: u64| if n == 0 { 0.0 } else { x as f64 / n as f64 };
    let (p1, p0) = (rate(x1, n1), rate(x0, n0));
    let d = p1 - p0;
    let (n1f, n0f) = (n1 as f64, n0 as f64);
    let defined = n1 > 0 && n0 > 0;
    let se = (p1 * (1.0 - p1) / n1f + p0 * (1.0 - p0) / n0f).sqrt();
    let pooled = rate(x1 + x0, n1 + n0);
    let se0 = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n0f)).sqrt();
    let z = if !defined {
        None
    } else if se0 > 0.0 {
        Some(d / se0)
    } else {
        Some(0.0)
    };
    let p_value = z.map(normal_two_sided);
    Interval {
        difference: d,
        low: defined.then_some(d - Z_975 * se),
        high: defined.then_some(d + Z_975 * se),
        lift: (p0 > 0.0).then(|| d / p0 * 100.0),
        statistic: z,
        df: None,
        p_value,
        significant: p_value.is_some_and(|p| p < 0.05),
    }
}

/// Welch's interval of mean `m₁` (sd `s₁`, `n₁` values) against `m₀`.
pub fn welch_interval(m1: f64, s1: f64, n1: u64, m0: f64, s0: f64, n0: u64) -> Interval {
    let d = m1 - m0;
    let (v1, v0) = (s1 * s1 / n1 as f64, s0 * s0 / n0 as f64);
    let se = (v1 + v0).sqrt();
    let defined = n1 >= 2 && n0 >= 2;
    let (df, t, p, half) = if !defined {
        (None, None, None, None)
    } else if se > 0.0 {
        let df = (v1 + v0).powi(2) / (v1 * v1 / (n1 - 1) as f64 + v0 * v0 / (n0 - 1) as f64);
        let t = d / se;
        (Some(df), Some(t), Some(t_two_sided(t, df)), Some(t_critical(0.05, df) * se))
    } else {
        // Every member of both arms has the same value: no spread, and no difference unless the means differ.
        (None, None, Some(if d == 0.0 { 1.0 } else { 0.0 }), Some(0.0))
    };
    Interval {
        difference: d,
        low: half.map(|h| d - h),
        high: half.map(|h| d + h),
        lift: (m0 != 0.0).then(|| d / m0 * 100.0),
        statistic: t,
        df,
        p_value: p,
        significant: p.is_some_and(|p| p < 0.05),
    }
}

/// Measures the lift of `arms` (names and members) against arm `control` over the days `start..=end`.
pub fn lift(data: &Dataset, people: &People, names: &[String], arms: &[RoaringBitmap], control: usize, start: Day, end: Day) -> LiftReport {
    let n = people.len();
    let mut arm_of = vec![u8::MAX; n];
    for (i, set) in arms.iter().enumerate() {
        for p in set {
            arm_of[p as usize] = i as u8;
        }
    }
    let days = (end.0 - start.0 + 1).max(0);
    let (from, to) = (start.start(), Day(end.0 + 1).start());
    let mut revenue = vec![0i64; n];
    let mut first_day = vec![i32::MAX; n];
    let daily = days <= MAX_DAILY;
    let mut day_revenue = vec![vec![0i64; if daily { days as usize } else { 0 }]; arms.len()];
    let o = &data.orders;
    let mut orders = 0u64;
    let (mut ts_buf, mut amount_buf, mut node_buf) = (Vec::new(), Vec::new(), Vec::new());
    for lo in (0..o.len()).step_by(crate::model::CHUNK) {
        let hi = (lo + crate::model::CHUNK).min(o.len());
        let ts = o.ts.chunk(lo, hi, &mut ts_buf);
        let amount = o.amount.chunk(lo, hi, &mut amount_buf);
        let node = o.node.chunk(lo, hi, &mut node_buf);
        for k in 0..hi - lo {
            let ts = ts[k];
            if ts < from || ts >= to {
                continue;
            }
            orders += 1;
            let p = people.resolution.person(node[k]) as usize;
            let arm = arm_of[p];
            if arm == u8::MAX {
                continue;
            }
            let day = Day::of_timestamp(ts).0 - start.0;
            // Rows are at most `MAX_AMOUNT`; sums saturate rather than wrap (RFM refuses data whose sums overflow).
            revenue[p] = revenue[p].saturating_add(amount[k]);
            if amount[k] > 0 {
                first_day[p] = first_day[p].min(day);
            }
            if daily {
                let d = &mut day_revenue[arm as usize][day as usize];
                *d = d.saturating_add(amount[k]);
            }
        }
    }
    let mut outcomes = Vec::new();
    let mut day_converters = vec![vec![0u64; if daily { days as usize } else { 0 }]; arms.len()];
    for (i, set) in arms.iter().enumerate() {
        let (count, _, sd) = mean_sd(set.iter().map(|p| revenue[p as usize] as f64 / 100.0));
        // The mean from the exact total in cents (a running mean drifts in the last digit).
        let total = set.iter().map(|p| i128::from(revenue[p as usize])).sum::<i128>() as f64 / 100.0;
        let mean = if count == 0 { 0.0 } else { total / count as f64 };
        let mut converters = 0;
        for p in set {
            let d = first_day[p as usize];
            if d != i32::MAX {
                converters += 1;
                if daily {
                    day_converters[i][d as usize] += 1;
                }
            }
        }
        outcomes.push(ArmOutcome {
            name: names[i].clone(),
            members: count,
            converters,
            conversion_rate: if count == 0 { 0.0 } else { converters as f64 / count as f64 },
            revenue: total,
            revenue_per_member: mean,
            revenue_sd: sd,
        });
    }
    let c = &outcomes[control];
    let comparisons = outcomes
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != control)
        .map(|(_, a)| LiftComparison {
            arm: a.name.clone(),
            control: c.name.clone(),
            conversion: conversion_interval(a.converters, a.members, c.converters, c.members),
            revenue_per_member: welch_interval(
                a.revenue_per_member,
                a.revenue_sd,
                a.members,
                c.revenue_per_member,
                c.revenue_sd,
                c.members,
            ),
        })
        .collect();
    let mut series = Vec::new();
    if daily {
        let (mut conv, mut rev) = (vec![0u64; arms.len()], vec![0i64; arms.len()]);
        for d in 0..days as usize {
            for i in 0..arms.len() {
                conv[i] += day_converters[i][d];
                rev[i] += day_revenue[i][d];
            }
            let per = |x: f64, i: usize| if outcomes[i].members == 0 { 0.0 } else { x / outcomes[i].members as f64 };
            series.push(LiftDay {
                date: Day(start.0 + d as i32).to_string(),
                conversion: (0..arms.len()).map(|i| per(conv[i] as f64, i)).collect(),
                revenue_per_member: (0..arms.len()).map(|i| per(rev[i] as f64 / 100.0, i)).collect(),
            });
        }
    }
    LiftReport {
        start: start.to_string(),
        end: end.to_string(),
        days: days as u32,
        orders,
        control: names[control].clone(),
        arms: outcomes,
        comparisons,
        daily: series,
    }
}
