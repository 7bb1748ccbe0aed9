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

use super::histogram::{histogram, text_counts, BaseBins, Histogram};
use super::scope::Scope;
use crate::base::dict::NONE;
use crate::base::roles::Role;
use crate::metrics::names::Metric;
use crate::metrics::TextColumn;
use crate::rules::ast::DefKind;
use crate::rules::eval::Outcome;
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
