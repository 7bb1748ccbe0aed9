//! RFM: recency, frequency and monetary value per member, quintile scores and the 8 classic segments.
//!
//! Definitions (also in `docs/rfm.md`):
//! - The analysis date is explicit; by default it is the day after the latest order date.
//!   Orders dated after the analysis date are left out. An order on the analysis date has recency 0.
//! - A *purchase* is an order row with a positive amount; a row with a negative amount is a refund.
//! - Recency: whole days from the day of the last purchase to the analysis date. Refunds do not move it.
//! - Frequency: the number of purchases. Rows sharing an order number count once (order-line exports);
//!   orders on the same day count separately.
//! - Monetary: the sum of all amounts, refunds included (net spend), in minor units.
//! - Only members with at least one purchase are scored ("buyers").
//! - Scores 1–5: `1 + floor(5 × w / n)` where `n` is the number of buyers and `w` the number of buyers with a
//!   strictly worse value (larger recency, smaller frequency or monetary). Tied values get the same score, so
//!   heavy ties (many one-time buyers) put everyone tied in the lower score rather than splitting them arbitrarily.
//! - R, F and M are each *high* when the member's score is strictly above the mean score of all buyers.

use crate::base::date::Day;
use crate::error::{Error, Result};
use crate::model::{Orders, CHUNK};
use roaring::RoaringBitmap;
use serde::Serialize;

/// The 8 classic RFM segments, in the order they are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// 重要价值客户: R high, F high, M high.
    ImportantValue,
    /// 重要发展客户: R high, F low, M high.
    ImportantDevelop,
    /// 重要保持客户: R low, F high, M high.
    ImportantRetain,
    /// 重要挽留客户: R low, F low, M high.
    ImportantWinBack,
    /// 一般价值客户: R high, F high, M low.
    GeneralValue,
    /// 一般发展客户: R high, F low, M low.
    GeneralDevelop,
    /// 一般保持客户: R low, F high, M low.
    GeneralRetain,
    /// 一般挽留客户: R low, F low, M low.
    GeneralWinBack,
}

impl Segment {
    /// Every segment in report order.
    pub const ALL: [Segment; 8] = [
        Segment::ImportantValue,
        Segment::ImportantDevelop,
        Segment::ImportantRetain,
        Segment::ImportantWinBack,
        Segment::GeneralValue,
        Segment::GeneralDevelop,
        Segment::GeneralRetain,
        Segment::GeneralWinBack,
    ];

    /// The segment of a member whose R, F and M are high (`true`) or low.
    pub fn of(r_high: bool, f_high: bool, m_high: bool) -> Segment {
        match (m_high, r_high, f_high) {
            (true, true, true) => Segment::ImportantValue,
            (true, true, false) => Segment::ImportantDevelop,
            (true, false, true) => Segment::ImportantRetain,
            (true, false, false) => Segment::ImportantWinBack,
            (false, true, true) => Segment::GeneralValue,
            (false, true, false) => Segment::GeneralDevelop,
            (false, false, true) => Segment::GeneralRetain,
            (false, false, false) => Segment::GeneralWinBack,
        }
    }

    /// Whether R, F and M are high in this segment.
    pub fn levels(self) -> (bool, bool, bool) {
        let i = self as usize;
        (i % 4 < 2, i % 2 == 0, i < 4)
    }

    /// A stable key such as `important_value`.
    pub fn key(self) -> &'static str {
        [
            "important_value",
            "important_develop",
            "important_retain",
            "important_win_back",
            "general_value",
            "general_develop",
            "general_retain",
            "general_win_back",
        ][self as usize]
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        ["重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户", "一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"]
            [self as usize]
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        [
            "Important value",
            "Important to develop",
            "Important to retain",
            "Important to win back",
            "General value",
            "General to develop",
            "General to retain",
            "General to win back",
        ][self as usize]
    }
}

/// What M scores: total net spend (the default) or net spend per purchase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonetaryBasis {
    /// Total net spend.
    #[default]
    Total,
    /// Net spend ÷ purchases.
    Average,
}

/// The 11-segment scheme (Champions … Lost) on a grid of the R score against FM, the mean of the F and M scores
/// rounded half up. Two variants of this scheme circulate: one over R and F only (10 segments, no *Lost*) and
/// one over R and the F–M mean (11 segments). This is the second, with the overlapping published ranges
/// resolved into one grid (see `docs/rules.md`):
///
/// ```text
///        FM=1          FM=2            FM=3            FM=4          FM=5
/// R=5    New           Potential       Potential       Champions     Champions
/// R=4    Promising     Potential       Loyal           Champions     Champions
/// R=3    About to sleep Need attention Need attention  Loyal         Loyal
/// R=2    Hibernating   About to sleep  At risk         At risk       Can't lose
/// R=1    Lost          Hibernating     At risk         Can't lose    Can't lose
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment11 {
    /// Bought recently, often and much.
    Champions,
    /// Buy regularly and spend well.
    Loyal,
    /// Recent buyers with some frequency: could become loyal.
    Potential,
    /// Bought very recently, once or little.
    New,
    /// Recent, but little so far.
    Promising,
    /// Middling on every score.
    NeedAttention,
    /// Slipping away after little activity.
    AboutToSleep,
    /// Used to buy well, not for a while.
    AtRisk,
    /// Were the best customers, not seen for long.
    CantLose,
    /// Long ago and little.
    Hibernating,
    /// Lowest on every score.
    Lost,
}

impl Segment11 {
    /// Every segment in report order.
    pub const ALL: [Segment11; 11] = [
        Segment11::Champions,
        Segment11::Loyal,
        Segment11::Potential,
        Segment11::New,
        Segment11::Promising,
        Segment11::NeedAttention,
        Segment11::AboutToSleep,
        Segment11::AtRisk,
        Segment11::CantLose,
        Segment11::Hibernating,
        Segment11::Lost,
    ];

    /// The segment of an R score and F, M scores (all 1–5).
    pub fn of(r: u8, f: u8, m: u8) -> Segment11 {
        use Segment11::*;
        const GRID: [[Segment11; 5]; 5] = [
            [Lost, Hibernating, AtRisk, CantLose, CantLose],
            [Hibernating, AboutToSleep, AtRisk, AtRisk, CantLose],
            [AboutToSleep, NeedAttention, NeedAttention, Loyal, Loyal],
            [Promising, Potential, Loyal, Champions, Champions],
            [New, Potential, Potential, Champions, Champions],
        ];
        let fm = (u16::from(f) + u16::from(m)).div_ceil(2).clamp(1, 5) as usize;
        GRID[usize::from(r.clamp(1, 5)) - 1][fm - 1]
    }

    /// The English name (as used in rules: `rfm.segment11 == "Champions"`).
    pub fn en(self) -> &'static str {
        [
            "Champions",
            "Loyal",
            "Potential Loyalist",
            "New Customers",
            "Promising",
            "Need Attention",
            "About to Sleep",
            "At Risk",
            "Can't Lose Them",
            "Hibernating",
            "Lost",
        ][self as usize]
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        ["冠军客户", "忠诚客户", "潜力客户", "新客户", "有望客户", "需要关注", "即将沉睡", "有流失风险", "不能失去", "冬眠客户", "已流失"]
            [self as usize]
    }
}

/// One buyer's RFM values, scores and segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RfmRow {
    /// The member index.
    pub member: u32,
    /// Days since the last purchase.
    pub recency: i32,
    /// Number of purchases.
    pub frequency: u32,
    /// Net spend in minor units.
    pub monetary: i64,
    /// Recency score 1–5 (5 = most recent).
    pub r: u8,
    /// Frequency score 1–5.
    pub f: u8,
    /// Monetary score 1–5.
    pub m: u8,
    /// The segment.
    pub segment: Segment,
}

/// The RFM table of every buyer.
#[derive(Clone, Debug)]
pub struct Rfm {
    /// The analysis date.
    pub as_of: Day,
    /// Whether the analysis date was the default.
    pub as_of_default: bool,
    /// One row per buyer, in member index order.
    pub rows: Vec<RfmRow>,
    /// Mean R, F and M scores.
    pub means: [f64; 3],
    /// Members of each segment, in [`Segment::ALL`] order.
    pub segments: Vec<RoaringBitmap>,
    /// Order rows on or before the analysis date.
    pub orders_used: u64,
    /// Order rows after the analysis date (left out).
    pub orders_after: u64,
    /// Every person's net spend on or before the analysis date, in minor units (refunds included; 0 without
    /// orders): summed once here, and read by the metric frame's `monetary`.
    pub spend: Vec<i64>,
    /// Order rows dated outside the plausible window ([`PLAUSIBLE_FROM`] to [`PLAUSIBLE_UNTIL`]), which the default
    /// analysis date ignores.
    pub implausible_dates: u64,
}

/// The first day an order date is taken as real for the default analysis date: 1990-01-01.
pub const PLAUSIBLE_FROM: Day = Day(7_305);
/// The first day past the plausible window: 2100-01-01. A date in 9999 (a placeholder for "never") would
/// otherwise move the default analysis date past every real order.
pub const PLAUSIBLE_UNTIL: Day = Day(47_482);

/// The latest order time inside the plausible window (the default analysis date follows it) and how many orders
/// fall outside the window; `latest` is the column's maximum, so the column is read only when it is implausible.
fn plausible_latest(orders: &Orders, latest: i64) -> (i64, u64) {
    let inside = |ts: i64| (PLAUSIBLE_FROM..PLAUSIBLE_UNTIL).contains(&Day::of_timestamp(ts));
    let earliest = orders.ts.min().unwrap_or(latest);
    if inside(latest) && inside(earliest) {
        return (latest, 0);
    }
    let (mut best, mut outside, mut buf) = (None, 0u64, Vec::new());
    for lo in (0..orders.ts.len()).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(orders.ts.len());
        for &ts in orders.ts.chunk(lo, hi, &mut buf) {
            if inside(ts) {
                best = Some(best.map_or(ts, |b: i64| b.max(ts)));
            } else {
                outside += 1;
            }
        }
    }
    (best.unwrap_or(latest), outside)
}

/// Computes RFM for every person with a purchase on or before `as_of` (default: the latest order day + 1).
/// `person_of_order` gives each order's person (a dense index below `people`).
pub fn compute(orders: &Orders, person_of_order: &[u32], people: usize, as_of: Option<Day>, basis: MonetaryBasis) -> Result<Rfm> {
    let Some(latest) = orders.ts.max() else {
        return Err(Error::no_orders());
    };
    let as_of_default = as_of.is_none();
    let (latest, implausible) = plausible_latest(orders, latest);
    let as_of = as_of.unwrap_or(Day(Day::of_timestamp(latest).0 + 1));
    let n = people;
    let limit = as_of.end();
    let mut last = vec![i32::MIN; n];
    let mut count = vec![0u32; n];
    let mut spend = vec![0i64; n];
    let mut numbered: Vec<(u32, u64)> = Vec::new();
    let (mut used, mut after) = (0u64, 0u64);
    let (mut ts_buf, mut amount_buf, mut id_buf) = (Vec::new(), Vec::new(), Vec::new());
    for lo in (0..person_of_order.len()).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(person_of_order.len());
        let ts = orders.ts.chunk(lo, hi, &mut ts_buf);
        let amount = orders.amount.chunk(lo, hi, &mut amount_buf);
        let ids = orders.order_id.chunk(lo, hi, &mut id_buf);
        for (k, &person) in person_of_order[lo..hi].iter().enumerate() {
            if ts[k] >= limit {
                after += 1;
                continue;
            }
            used += 1;
            let m = person as usize;
            spend[m] = spend[m].checked_add(amount[k]).ok_or_else(Error::money_overflow)?;
            if amount[k] > 0 {
                last[m] = last[m].max(Day::of_timestamp(ts[k]).0);
                if ids[k] == 0 {
                    count[m] += 1;
                } else {
                    numbered.push((m as u32, ids[k] as u64));
                }
            }
        }
    }
    numbered.sort_unstable();
    numbered.dedup();
    for (m, _) in numbered {
        count[m as usize] += 1;
    }
    let buyers: Vec<u32> = (0..n as u32).filter(|&m| count[m as usize] > 0).collect();
    if buyers.is_empty() {
        return Err(Error::no_purchases(&as_of.to_string()));
    }
    let recency: Vec<i64> = buyers.iter().map(|&m| i64::from(as_of.0 - last[m as usize])).collect();
    let frequency: Vec<i64> = buyers.iter().map(|&m| i64::from(count[m as usize])).collect();
    let monetary: Vec<i64> = buyers.iter().map(|&m| spend[m as usize]).collect();
    // Lower recency is better, so score its negation.
    let r = scores(&recency.iter().map(|v| -v).collect::<Vec<_>>());
    let f = scores(&frequency);
    let m = match basis {
        MonetaryBasis::Total => scores(&monetary),
        // Average spend per purchase, in minor units rounded down: exact and platform-independent.
        MonetaryBasis::Average => scores(&monetary.iter().zip(&frequency).map(|(&s, &n)| s.div_euclid(n.max(1))).collect::<Vec<_>>()),
    };
    let mean = |s: &[u8]| s.iter().map(|&x| f64::from(x)).sum::<f64>() / s.len() as f64;
    let means = [mean(&r), mean(&f), mean(&m)];
    let mut segments = vec![RoaringBitmap::new(); 8];
    let rows = buyers
        .iter()
        .enumerate()
        .map(|(i, &member)| {
            let segment = Segment::of(f64::from(r[i]) > means[0], f64::from(f[i]) > means[1], f64::from(m[i]) > means[2]);
            segments[segment as usize].insert(member);
            RfmRow {
                member,
                recency: recency[i] as i32,
                frequency: frequency[i] as u32,
                monetary: monetary[i],
                r: r[i],
                f: f[i],
                m: m[i],
                segment,
            }
        })
        .collect();
    Ok(Rfm { as_of, as_of_default, rows, means, segments, orders_used: used, orders_after: after, spend, implausible_dates: implausible })
}

/// Quintile scores: `1 + floor(5 × (values strictly smaller) / n)`; larger values are better.
pub fn scores(values: &[i64]) -> Vec<u8> {
    // Positions sorted by value; walking them in order, the values strictly smaller than a run of equal values
    // are the positions before the run (one sort, no binary search per value).
    let mut order: Vec<(i64, u32)> = values.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    order.sort_unstable();
    let n = values.len() as u64;
    let mut out = vec![0u8; values.len()];
    let mut run_start = 0;
    for (k, &(v, i)) in order.iter().enumerate() {
        if k > 0 && order[k - 1].0 != v {
            run_start = k;
        }
        out[i as usize] = (1 + 5 * run_start as u64 / n) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_with_and_without_ties() {
        assert_eq!(scores(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(scores(&[1, 1, 1, 1, 2, 2, 3, 4, 5, 6]), vec![1, 1, 1, 1, 3, 3, 4, 4, 5, 5]);
        assert_eq!(scores(&[7]), vec![1]);
        assert_eq!(scores(&[3, 3, 3]), vec![1, 1, 1]);
        assert_eq!(scores(&[]), Vec::<u8>::new());
        // Against the definition, on values with many ties in any order.
        let values: Vec<i64> = (0..1000i64).map(|i| (i * 7919) % 97 - (i % 3) * 40).collect();
        let by_definition: Vec<u8> =
            values.iter().map(|v| (1 + 5 * values.iter().filter(|x| *x < v).count() as u64 / values.len() as u64) as u8).collect();
        assert_eq!(scores(&values), by_definition);
    }

    #[test]
    fn every_eleven_segment_is_reachable() {
        let mut seen = std::collections::HashSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    seen.insert(Segment11::of(r, f, m));
                }
            }
        }
        assert_eq!(seen.len(), 11);
        assert_eq!(Segment11::of(5, 5, 4), Segment11::Champions);
        assert_eq!(Segment11::of(1, 1, 1), Segment11::Lost);
        assert_eq!(Segment11::of(1, 4, 5), Segment11::CantLose);
    }

    #[test]
    fn segment_levels_round_trip() {
        for s in Segment::ALL {
            let (r, f, m) = s.levels();
            assert_eq!(Segment::of(r, f, m), s, "{}", s.zh());
        }
        assert_eq!(Segment::of(true, false, true).zh(), "重要发展客户");
        assert_eq!(Segment::of(false, true, false).zh(), "一般保持客户");
    }
}
