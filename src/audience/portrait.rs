//! The portrait (画像) of an audience against a base (every member, or another audience): for every tag and
//! member attribute each value's share in both and the TGI, histograms of the metrics over shared bins, the
//! traits sorted by how much they set the audience apart, and cross-tabs of two dimensions within the audience.
//!
//! Definitions (also in `docs/audiences.md`):
//! - share = members with the value ÷ members of the group (audience or base; members without a value count in
//!   the denominator), TGI = audience share ÷ base share × 100 (none when the base share is 0);
//! - the sort measure of a trait is its term of the Jeffreys divergence, `(a − b) · ln(a ÷ b)` with `a` and `b`
//!   the audience and base shares smoothed as `(count + 0.5) ÷ (size + 1)`: never negative, large when both the
//!   difference and the ratio are large, symmetric in over- and under-representation, finite when a share is 0;
//!   a trait is ranked only when its audience count, or the count the base share predicts for the audience, is
//!   at least the minimum count;
//! - histogram bins are shared: equal-width "nice" bins (1, 2, 2.5 or 5 × 10ⁿ; whole numbers for whole-number
//!   metrics) from the base's minimum to its 99th percentile, the last bin open-ended (it holds the top tail).

use super::scope::Scope;
use crate::ingest::mapping::Role;
use crate::metrics::TextColumn;
use crate::model::dict::NONE;
use crate::rules::ast::DefKind;
use crate::rules::eval::Outcome;
use crate::rules::names::Metric;
use roaring::RoaringBitmap;
use serde::Serialize;
use std::rc::Rc;

/// The default minimum count of a ranked trait.
pub const DEFAULT_MIN_COUNT: u64 = 30;

/// The default number of histogram bins (before the open last bin).
pub const DEFAULT_BINS: usize = 10;

/// Attribute columns without a known role become dimensions when they have at most this many values.
pub const MAX_ATTRIBUTE_VALUES: usize = 30;

/// The value of a yes/no tag in a portrait.
pub const YES: &str = "是";

/// The metrics a portrait draws, and whether they take whole numbers.
pub const HISTOGRAM_METRICS: [(Metric, bool); 9] = [
    (Metric::Recency, true),
    (Metric::Frequency, true),
    (Metric::Monetary, false),
    (Metric::AvgSpend, false),
    (Metric::Age, true),
    (Metric::Tenure, true),
    (Metric::PurchaseInterval, false),
    (Metric::DiscountShare, false),
    (Metric::EventCount, true),
];

/// A dimension members are counted by.
#[derive(Clone, Debug)]
pub enum Dim<'a> {
    /// An enumerated tag or a member attribute.
    Text {
        /// Its name.
        name: String,
        /// `tag` or `attribute`.
        source: &'static str,
        /// Each member's value.
        column: Rc<TextColumn>,
    },
    /// A yes/no tag.
    Flag {
        /// Its name.
        name: String,
        /// Its members.
        bits: &'a RoaringBitmap,
    },
}

impl Dim<'_> {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            Dim::Text { name, .. } | Dim::Flag { name, .. } => name,
        }
    }

    /// Its values and the members of `set` with each (members without a value last, as `""`, when there are any).
    pub fn counts(&self, set: &RoaringBitmap, all: bool) -> Vec<(String, u64)> {
        match self {
            Dim::Flag { bits, .. } => {
                let yes = if all { bits.len() } else { set.intersection_len(bits) };
                vec![(YES.to_string(), yes), ("否".to_string(), set.len() - yes)]
            }
            Dim::Text { column, .. } => {
                let counts = if all { text_counts(column, None) } else { text_counts(column, Some(set)) };
                label_counts(column, &counts)
            }
        }
    }
}

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

/// Counts by value slot as `(value, count)`, members without a value last (as `""`) when there are any.
fn label_counts(column: &TextColumn, counts: &[u64]) -> Vec<(String, u64)> {
    let none = column.values.len();
    let mut out: Vec<(String, u64)> = column.values.iter().cloned().zip(counts.iter().copied()).collect();
    if counts[none] > 0 {
        out.push((String::new(), counts[none]));
    }
    out
}

/// Every dimension: enumerated and yes/no tags (built-in and the catalog's), then member attributes (gender,
/// level, city, channel, and other columns with few values).
pub fn dimensions<'a>(scope: &Scope<'a>) -> Vec<Dim<'a>> {
    let compiled = scope.compiled();
    let mut out = Vec::new();
    for (j, def) in compiled.program.defs.iter().enumerate() {
        if def.kind != DefKind::Tag || def.name.starts_with('\u{0}') {
            continue;
        }
        match scope.outcome(j) {
            Some(Outcome::Text(t)) => out.push(Dim::Text { name: def.name.clone(), source: "tag", column: t.clone() }),
            Some(Outcome::Bool(b)) => out.push(Dim::Flag { name: def.name.clone(), bits: b }),
            _ => {}
        }
    }
    let members = &scope.data().data.members;
    for (i, a) in members.attrs.iter().enumerate() {
        let wanted = match a.role {
            Some(r) => matches!(r, Role::Gender | Role::Level | Role::City | Role::Channel),
            None => !a.values.is_empty() && a.values.len() <= MAX_ATTRIBUTE_VALUES,
        };
        if wanted {
            out.push(Dim::Text { name: a.header.clone(), source: "attribute", column: scope.attribute(i) });
        }
    }
    out
}

/// Finds a dimension by name: a tag's name, an attribute's header, or a role's key or Chinese name (`city`, 城市).
pub fn find_dimension<'a, 'd>(dims: &'d [Dim<'a>], members: &crate::model::MemberRows, name: &str) -> Option<&'d Dim<'a>> {
    let name = if name == "rfm" || name == "rfm.segment" { "RFM分群" } else { name };
    dims.iter().find(|d| d.name() == name).or_else(|| {
        let role = Role::all().find(|r| r.key() == name.to_lowercase() || r.zh() == name)?;
        let header = &members.attr(role)?.header;
        dims.iter().find(|d| matches!(d, Dim::Text { source: "attribute", .. }) && d.name() == header)
    })
}

/// One value of a dimension in a portrait.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraitValue {
    /// The value (`""` for members without one).
    pub value: String,
    /// Audience members with it.
    pub audience_count: u64,
    /// Their share of the audience.
    pub audience_share: f64,
    /// Base members with it.
    pub base_count: u64,
    /// Their share of the base.
    pub base_share: f64,
    /// Audience share ÷ base share × 100 (none when the base share is 0).
    pub tgi: Option<f64>,
    /// The sort measure (see the module documentation).
    pub score: f64,
}

/// One dimension of a portrait.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dimension {
    /// Its name.
    pub name: String,
    /// `tag` or `attribute`.
    pub source: &'static str,
    /// `enum` (one value per member) or `flag` (a yes/no tag: one value, 是).
    pub kind: &'static str,
    /// Its values, most common in the audience first (for a flag, only 是).
    pub values: Vec<TraitValue>,
}

/// A ranked trait.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trait {
    /// The dimension.
    pub dimension: String,
    /// `enum` or `flag`.
    pub kind: &'static str,
    /// The value.
    #[serde(flatten)]
    pub value: TraitValue,
    /// Over-represented in the audience (TGI above 100).
    pub over: bool,
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

/// The portrait of an audience against a base.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Portrait {
    /// Members in the audience.
    pub audience: u64,
    /// Members in the base.
    pub base: u64,
    /// The minimum count a ranked trait needs.
    pub min_count: u64,
    /// Traits sorted by the sort measure, largest first.
    pub traits: Vec<Trait>,
    /// Every dimension with every value.
    pub dimensions: Vec<Dimension>,
    /// Metric histograms.
    pub histograms: Vec<Histogram>,
}

/// Options of a portrait.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The minimum count of a ranked trait.
    pub min_count: u64,
    /// Histogram bins before the open last bin.
    pub bins: usize,
}

/// A trait value from counts.
pub fn trait_value(value: String, ca: u64, na: u64, cb: u64, nb: u64) -> TraitValue {
    let share = |c: u64, n: u64| if n == 0 { 0.0 } else { c as f64 / n as f64 };
    let (a, b) = (share(ca, na), share(cb, nb));
    let (sa, sb) = ((ca as f64 + 0.5) / (na as f64 + 1.0), (cb as f64 + 0.5) / (nb as f64 + 1.0));
    TraitValue {
        value,
        audience_count: ca,
        audience_share: a,
        base_count: cb,
        base_share: b,
        tgi: (b > 0.0).then(|| a / b * 100.0),
        score: (sa - sb) * (sa / sb).ln(),
    }
}

/// The portrait of `audience` against `base` (`base_all`: the base is every member).
pub fn portrait(scope: &Scope<'_>, audience: &RoaringBitmap, base: &RoaringBitmap, base_all: bool, options: Options) -> Portrait {
    let (na, nb) = (audience.len(), base.len());
    let mut dims = Vec::new();
    let mut traits = Vec::new();
    let indexes = scope.indexes();
    for dim in dimensions(scope) {
        let a = dim.counts(audience, false);
        let b = match &dim {
            Dim::Text { column, .. } if base_all => label_counts(column, &indexes.counts_of_all(column)),
            _ => dim.counts(base, base_all),
        };
        let (kind, take) = match dim {
            Dim::Flag { .. } => ("flag", 1),
            Dim::Text { .. } => ("enum", a.len()),
        };
        let mut values: Vec<TraitValue> = a
            .into_iter()
            .take(take)
            .map(|(value, ca)| {
                let cb = b.iter().find(|(v, _)| *v == value).map_or(0, |x| x.1);
                trait_value(value, ca, na, cb, nb)
            })
            .collect();
        values.sort_by(|x, y| y.audience_count.cmp(&x.audience_count).then(y.base_count.cmp(&x.base_count)).then(x.value.cmp(&y.value)));
        for v in values.iter().filter(|v| !v.value.is_empty()) {
            let support = (v.audience_count as f64).max(v.base_share * na as f64);
            if support >= options.min_count as f64 && na > 0 {
                traits.push(Trait { dimension: dim.name().to_string(), kind, value: v.clone(), over: v.audience_share > v.base_share });
            }
        }
        let source = match &dim {
            Dim::Text { source, .. } => source,
            Dim::Flag { .. } => "tag",
        };
        dims.push(Dimension { name: dim.name().to_string(), source, kind, values });
    }
    traits.sort_by(|x, y| {
        y.value.score.total_cmp(&x.value.score).then_with(|| x.dimension.cmp(&y.dimension)).then_with(|| x.value.value.cmp(&y.value.value))
    });
    let frame = scope.frame();
    let histograms = HISTOGRAM_METRICS
        .iter()
        .map(|&(m, whole)| {
            let values = frame.num(m);
            let shared = if base_all {
                indexes.base_bins(&values, whole, options.bins, || BaseBins::of(&values, base, true, whole, options.bins))
            } else {
                Rc::new(BaseBins::of(&values, base, false, whole, options.bins))
            };
            histogram(m, &values, audience, &shared)
        })
        .collect();
    Portrait { audience: na, base: nb, min_count: options.min_count, traits, dimensions: dims, histograms }
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

/// Members of an audience counted by two dimensions.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossTab {
    /// The row dimension.
    pub row: String,
    /// The column dimension.
    pub column: String,
    /// Row values (`""` for members without one).
    pub row_values: Vec<String>,
    /// Column values.
    pub column_values: Vec<String>,
    /// `counts[r][c]`: members with row value `r` and column value `c`.
    pub counts: Vec<Vec<u64>>,
    /// Members in the audience.
    pub total: u64,
}

/// The cross-tab of two dimensions within `audience`.
pub fn crosstab(row: &Dim<'_>, column: &Dim<'_>, audience: &RoaringBitmap) -> CrossTab {
    // Each dimension as a value index per member of the audience.
    let index = |d: &Dim<'_>| -> (Vec<String>, Vec<usize>) {
        match d {
            Dim::Flag { bits, .. } => {
                (vec![YES.to_string(), "否".to_string()], audience.iter().map(|p| usize::from(!bits.contains(p))).collect())
            }
            Dim::Text { column, .. } => {
                let mut values = column.values.clone();
                let none = values.len();
                let idx: Vec<usize> = audience
                    .iter()
                    .map(|p| match column.codes[p as usize] {
                        NONE => none,
                        c => c as usize,
                    })
                    .collect();
                if idx.contains(&none) {
                    values.push(String::new());
                }
                (values, idx)
            }
        }
    };
    let (rv, ri) = index(row);
    let (cv, ci) = index(column);
    let mut counts = vec![vec![0u64; cv.len()]; rv.len()];
    for (r, c) in ri.iter().zip(&ci) {
        counts[*r][*c] += 1;
    }
    // Values nobody in the audience has are left out.
    let keep_r: Vec<usize> = (0..rv.len()).filter(|&r| counts[r].iter().any(|&x| x > 0)).collect();
    let keep_c: Vec<usize> = (0..cv.len()).filter(|&c| counts.iter().any(|row| row[c] > 0)).collect();
    CrossTab {
        row: row.name().to_string(),
        column: column.name().to_string(),
        row_values: keep_r.iter().map(|&r| rv[r].clone()).collect(),
        column_values: keep_c.iter().map(|&c| cv[c].clone()).collect(),
        counts: keep_r.iter().map(|&r| keep_c.iter().map(|&c| counts[r][c]).collect()).collect(),
        total: audience.len(),
    }
}
