//! Histograms of a metric for an audience against a base over shared, rounded bins, with each group's summary
//! statistics, and the members counted by each value of a text column. The audience index keeps the base's side
//! of both ([`BaseBins`], [`text_counts`]) so portraits against every member do not count it again.

use crate::base::dict::NONE;
use crate::metrics::names::Metric;
use crate::metrics::TextColumn;
use roaring::RoaringBitmap;
use serde::Serialize;

/// Members with each value of `column` (the last slot: without a value), among `set` (`None`: every member).
pub fn text_counts(column: &TextColumn, set: Option<&RoaringBitmap>) -> Vec<u64> {
    let mut counts = vec![0u64; column.values.len() + 1];
    let none = column.values.len();
    let slot = |c: u32| if c == NONE { none } else { c as usize };
    match set {
        None => {
            for &c in &column.codes {
                counts[slot(c)] += 1;
            }
        }
        Some(set) => {
            for p in set {
                counts[slot(column.codes[p as usize])] += 1;
            }
        }
    }
    counts
}

/// Summary statistics of a metric in one group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Members with a value.
    pub n: u64,
    /// Members without one.
    pub missing: u64,
    /// Mean (none without values).
    pub mean: Option<f64>,
    /// Median (the lower middle value; none without values).
    pub median: Option<f64>,
}

/// A histogram bin: `low ≤ x < high` (`high` none for the open last bin).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bin {
    /// Lower edge (included).
    pub low: f64,
    /// Upper edge (excluded); none for the last bin.
    pub high: Option<f64>,
    /// Audience members in the bin.
    pub audience_count: u64,
    /// Their share of the audience members with a value.
    pub audience_share: f64,
    /// Base members in the bin.
    pub base_count: u64,
    /// Their share of the base members with a value.
    pub base_share: f64,
}

/// A metric's histogram for the audience and the base over shared bins.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    /// The metric's key (`monetary`).
    pub metric: &'static str,
    /// Its Chinese name.
    pub zh: &'static str,
    /// The bins.
    pub bins: Vec<Bin>,
    /// The audience's statistics.
    pub audience: Stats,
    /// The base's statistics.
    pub base: Stats,
}

fn stats(mut values: Vec<f64>, size: u64) -> Stats {
    let n = values.len();
    if n == 0 {
        return Stats { n: 0, missing: size, mean: None, median: None };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let (_, median, _) = values.select_nth_unstable_by((n - 1) / 2, f64::total_cmp);
    Stats { n: n as u64, missing: size - n as u64, mean: Some(mean), median: Some(*median) }
}

/// 1, 2, 2.5 or 5 × 10ⁿ at or above `x` (1, 2 or 5 × 10ⁿ, at least 1, for whole numbers).
fn nice(x: f64, whole: bool) -> f64 {
    if x.is_nan() || x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let e = 10f64.powi(x.log10().floor() as i32);
    let steps: &[f64] = if whole { &[1.0, 2.0, 5.0, 10.0] } else { &[1.0, 2.0, 2.5, 5.0, 10.0] };
    let step = steps.iter().map(|s| s * e).find(|&s| s >= x * (1.0 - 1e-12)).unwrap_or(10.0 * e);
    if whole {
        step.max(1.0).round()
    } else {
        step
    }
}

/// The base's side of a histogram: the shared bins, the base's count in each, its statistics.
#[derive(Clone, Debug)]
pub struct BaseBins {
    /// The first bin's lower edge.
    start: f64,
    /// The bins' width.
    width: f64,
    /// Base members in each bin (none when no base member has a value).
    counts: Vec<u64>,
    /// Base members with a value.
    present: usize,
    /// The base's statistics.
    stats: Stats,
}

impl BaseBins {
    /// The bins of `values` over `base` (`all`: every member).
    pub fn of(values: &[f64], base: &RoaringBitmap, all: bool, whole: bool, bins: usize) -> BaseBins {
        let b: Vec<f64> = if all {
            values.iter().copied().filter(|x| !x.is_nan()).collect()
        } else {
            base.iter().map(|p| values[p as usize]).filter(|x| !x.is_nan()).collect()
        };
        let mut out = BaseBins { start: 0.0, width: 1.0, counts: Vec::new(), present: b.len(), stats: Stats::default() };
        if !b.is_empty() {
            let mut sorted = b.clone();
            let lo = sorted.iter().copied().fold(f64::INFINITY, f64::min);
            let rank = ((0.99 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            let (_, p99, _) = sorted.select_nth_unstable_by(rank, f64::total_cmp);
            let mut hi = *p99;
            if hi <= lo {
                hi = b.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            }
            out.width = nice((hi - lo) / bins.max(1) as f64, whole);
            out.start = (lo / out.width).floor() * out.width;
            let count = if hi > lo { (((hi - out.start) / out.width + 1e-9).floor() as usize + 1).min(bins.max(1) + 1) } else { 1 };
            let mut counts = vec![0u64; count];
            out.counts = vec![0; count];
            for &x in &b {
                counts[out.index(x)] += 1;
            }
            out.counts = counts;
        }
        out.stats = stats(b, base.len());
        out
    }

    /// The bin of `x`.
    fn index(&self, x: f64) -> usize {
        // `max(0) as usize` truncates what is not negative: the floor, without a call to `floor`.
        (((x - self.start) / self.width + 1e-9).max(0.0) as usize).min(self.counts.len() - 1)
    }
}

/// The histogram of one metric: the audience's counts over the base's bins.
pub fn histogram(m: Metric, values: &[f64], audience: &RoaringBitmap, base: &BaseBins) -> Histogram {
    let a: Vec<f64> = audience.iter().map(|p| values[p as usize]).filter(|x| !x.is_nan()).collect();
    let info = m.info();
    let mut out = Histogram { metric: info.key, zh: info.zh, bins: Vec::new(), audience: Stats::default(), base: base.stats.clone() };
    if !base.counts.is_empty() {
        let count = base.counts.len();
        let mut ca = vec![0u64; count];
        for &x in &a {
            ca[base.index(x)] += 1;
        }
        let share = |c: u64, n: usize| if n == 0 { 0.0 } else { c as f64 / n as f64 };
        let (start, width) = (base.start, base.width);
        out.bins = (0..count)
            .map(|i| Bin {
                low: start + i as f64 * width,
                high: (i + 1 < count).then(|| start + (i + 1) as f64 * width),
                audience_count: ca[i],
                audience_share: share(ca[i], a.len()),
                base_count: base.counts[i],
                base_share: share(base.counts[i], base.present),
            })
            .collect();
    }
    out.audience = stats(a, audience.len());
    out
}
