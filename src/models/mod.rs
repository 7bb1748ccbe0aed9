//! Predictive models over the metric frame: customer lifetime value (BG/NBD + Gamma-Gamma, as lifetimes defines
//! them), k-means clusters, churn risk, lookalike scores and category affinity. Each model reads a
//! [`crate::metrics::Frame`], returns a small serialisable report of its fit (parameters, convergence,
//! diagnostics) and writes member columns ([`ModelColumn`]) that exports and audiences read like any metric.
//!
//! Everything is deterministic: randomness comes from a [`crate::base::random::SplitMix64`] seeded by the request,
//! sums run in a fixed order, and the transcendental functions come from `libm` ([`math`]), so the same request
//! gives the same bits natively and in wasm. `docs/models.md` states every definition.

pub mod affinity;
pub mod bgnbd;
pub mod churn;
pub mod clv;
pub mod gamma;
pub mod kmeans;
pub mod lookalike;
pub mod math;
pub mod optimize;
pub mod summary;

use crate::metrics::TextColumn;

/// The values of a model column, one per member.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelValues {
    /// Numbers (`NaN` where the model says nothing about a member).
    Num(Vec<f64>),
    /// Labels from a fixed set.
    Text(TextColumn),
}

/// A member column a model wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelColumn {
    /// Its key (`clv`, `p_alive`, `cluster` …); exports name it `model:KEY`.
    pub key: String,
    /// Its label in Chinese.
    pub zh: String,
    /// Its label in English.
    pub en: String,
    /// The values.
    pub values: ModelValues,
}

impl ModelColumn {
    /// Whether the model gave a member a value (it scored them).
    pub fn has_value(&self, member: usize) -> bool {
        match &self.values {
            ModelValues::Num(v) => v.get(member).is_some_and(|x| !x.is_nan()),
            ModelValues::Text(t) => t.codes.get(member).is_some_and(|&c| c != crate::base::dict::NONE),
        }
    }

    /// A member's value as a number (`None` for a missing value or a label).
    pub fn number(&self, member: usize) -> Option<f64> {
        match &self.values {
            ModelValues::Num(v) => v.get(member).copied().filter(|x| !x.is_nan()),
            ModelValues::Text(_) => None,
        }
    }
}
