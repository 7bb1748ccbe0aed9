//! The live count and the preview of an audience expression: its exact size, the attrition of its top-level
//! `and` chain (members left after each condition and how many each removes), and a few sample members chosen
//! deterministically (evenly spaced through the audience in member order).

use super::scope::{chain, Scope};
use crate::base::dict::NONE;
use crate::rules::ast::{BinOp, Expr};
use crate::tags::DiagnosticInfo;
use roaring::RoaringBitmap;
use serde::Serialize;

/// The live count of an expression as typed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudienceCount {
    /// Problems in the expression, located in its text.
    pub diagnostics: Vec<DiagnosticInfo>,
    /// Members in the audience (when the expression has no error and data is computed).
    pub count: Option<u64>,
    /// Members in the data.
    pub members: u64,
    /// `count` over `members`.
    pub share: Option<f64>,
    /// Whether the answer was bitmap algebra over cached tag results alone (no metric was read).
    pub bitmap_only: bool,
    /// Whether some condition needed the rule evaluator's pass over every member (it could not be answered from
    /// cached tag results, value sets or rank indexes).
    pub scanned: bool,
}

/// One condition of the top-level `and` chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttritionStep {
    /// The condition as written.
    pub condition: String,
    /// Members it holds for on its own.
    pub alone: u64,
    /// Members left after it and every condition before it.
    pub remaining: u64,
    /// Members it removes from those left by the conditions before it.
    pub removed: u64,
    /// `removed` over the members left before it (0 when none were left).
    pub removed_share: f64,
}

/// A member shown in a preview.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleMember {
    /// The member key.
    pub id: String,
    /// The name from a member file, or `""`.
    pub name: String,
    /// Days since the last purchase (none without purchases).
    pub recency: Option<i32>,
    /// Purchases.
    pub frequency: u32,
    /// Net spend, two decimals (none without purchases).
    pub monetary: Option<String>,
    /// RFM segment (Chinese), or `""` without purchases.
    pub segment: String,
    /// RFM segment (English), or `""` without purchases.
    pub segment_en: String,
}

/// The preview of an audience expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudiencePreview {
    /// Problems in the expression.
    pub diagnostics: Vec<DiagnosticInfo>,
    /// Members in the audience.
    pub count: Option<u64>,
    /// Members in the data.
    pub members: u64,
    /// `count` over `members`.
    pub share: Option<f64>,
    /// The conditions of the top-level `and` chain, in order (one step when there is no `and`).
    pub steps: Vec<AttritionStep>,
    /// A few members of the audience.
    pub samples: Vec<SampleMember>,
}

/// The text of an expression as the user wrote it (its span in `text`), else its canonical form.
pub fn written(e: &Expr, text: &str) -> String {
    text.get(e.span.start as usize..e.span.end as usize)
        .map_or_else(|| e.to_string(), |s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The attrition of `expr`'s top-level `and` chain; returns the audience and the steps.
pub fn attrition(scope: &Scope<'_>, expr: &Expr, text: &str) -> (RoaringBitmap, Vec<AttritionStep>) {
    let mut left = crate::rules::eval::full(scope.members());
    let mut steps = Vec::new();
    for cond in chain(expr, BinOp::And) {
        let bits = scope.bits(cond);
        let before = left.len();
        left &= bits.as_ref();
        let removed = before - left.len();
        steps.push(AttritionStep {
            condition: written(cond, text),
            alone: bits.len(),
            remaining: left.len(),
            removed,
            removed_share: if before == 0 { 0.0 } else { removed as f64 / before as f64 },
        });
    }
    (left, steps)
}

/// `k` members evenly spaced through `set` in member order: the members at ranks `(2i + 1)·|set| / 2k`.
pub fn spaced(set: &RoaringBitmap, k: usize) -> Vec<u32> {
    let n = set.len();
    let k = (k as u64).min(n);
    (0..k).filter_map(|i| set.select(((2 * i + 1) * n / (2 * k)) as u32)).collect()
}

/// A sample member's row.
/// With `mask`, the name and a member key that is a phone or an e-mail are masked ([`crate::base::mask`]).
pub fn sample_member(scope: &Scope<'_>, p: u32, mask: bool) -> SampleMember {
    let d = scope.data();
    let name = match (d.data.members.attr(crate::base::roles::Role::Name), d.people.member_row[p as usize]) {
        (Some(a), row) if row != NONE => a.get(row).to_string(),
        _ => String::new(),
    };
    let row = super::rfm_row(d.rfm, p);
    let node = d.people.resolution.key_node[p as usize];
    let id = d.data.ids.value(node);
    let (id, name) = match mask {
        true => (crate::base::mask::mask_key(id, d.data.ids.kind(node)), crate::base::mask::mask_name(&name)),
        false => (id.to_string(), name),
    };
    SampleMember {
        id,
        name,
        recency: row.map(|r| r.recency),
        frequency: row.map_or(0, |r| r.frequency),
        monetary: row.map(|r| crate::base::values::format_amount(r.monetary)),
        segment: row.map_or(String::new(), |r| r.segment.zh().to_string()),
        segment_en: row.map_or(String::new(), |r| r.segment.en().to_string()),
    }
}
