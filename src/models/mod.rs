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
pub mod calibration;
pub mod churn;
pub mod clv;
pub mod elbow;
pub mod gamma;
pub mod kmeans;
pub mod lookalike;
pub mod math;
pub mod optimize;
pub mod summary;

use crate::metrics::TextColumn;
use std::rc::Rc;

/// The values of a model column, one per member (shared: rules, audience indexes and exports read the same column).
#[derive(Clone, Debug, PartialEq)]
pub enum ModelValues {
    /// Numbers (`NaN` where the model says nothing about a member).
    Num(Rc<Vec<f64>>),
    /// Labels from a fixed set.
    Text(Rc<TextColumn>),
}

/// The models, as the catalog and the rule language name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// BG/NBD + Gamma-Gamma ([`clv`]).
    Clv,
    /// k-means ([`kmeans`]).
    Cluster,
    /// Churn risk bands ([`churn`]).
    Churn,
    /// Lookalike scores ([`lookalike`]).
    Lookalike,
    /// Category affinity ([`affinity`]).
    Affinity,
}

impl ModelKind {
    /// Every model.
    pub const ALL: [ModelKind; 5] = [ModelKind::Clv, ModelKind::Cluster, ModelKind::Churn, ModelKind::Lookalike, ModelKind::Affinity];

    /// Its key (`clv`, `cluster` …), as the command line names it.
    pub fn key(self) -> &'static str {
        match self {
            ModelKind::Clv => "clv",
            ModelKind::Cluster => "cluster",
            ModelKind::Churn => "churn",
            ModelKind::Lookalike => "lookalike",
            ModelKind::Affinity => "affinity",
        }
    }

    /// Its name in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            ModelKind::Clv => "客户价值（CLV）模型",
            ModelKind::Cluster => "聚类模型",
            ModelKind::Churn => "流失风险模型",
            ModelKind::Lookalike => "相似人群模型",
            ModelKind::Affinity => "品类关联模型",
        }
    }

    /// Its name in English.
    pub fn en(self) -> &'static str {
        match self {
            ModelKind::Clv => "the CLV model",
            ModelKind::Cluster => "the cluster model",
            ModelKind::Churn => "the churn model",
            ModelKind::Lookalike => "the lookalike model",
            ModelKind::Affinity => "the affinity model",
        }
    }
}

/// What to fit: one model's request, as the tag pack keeps it (`{"model": "clv", "horizonDays": 365, …}`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ModelRequest {
    /// CLV.
    Clv(clv::ClvRequest),
    /// Clusters.
    Cluster(kmeans::ClusterRequest),
    /// Churn risk.
    Churn(churn::ChurnRequest),
    /// Lookalike scores.
    Lookalike(lookalike::LookalikeRequest),
    /// Category affinity.
    Affinity(affinity::AffinityRequest),
}

impl ModelRequest {
    /// The model it fits.
    pub fn kind(&self) -> ModelKind {
        match self {
            ModelRequest::Clv(_) => ModelKind::Clv,
            ModelRequest::Cluster(_) => ModelKind::Cluster,
            ModelRequest::Churn(_) => ModelKind::Churn,
            ModelRequest::Lookalike(_) => ModelKind::Lookalike,
            ModelRequest::Affinity(_) => ModelKind::Affinity,
        }
    }
}

impl ModelKind {
    /// The order models are fitted again in: CLV before churn (which reads P(alive)), lookalike last (its seed
    /// audience may read the others' columns).
    pub fn refit_rank(self) -> u8 {
        match self {
            ModelKind::Clv => 0,
            ModelKind::Cluster => 1,
            ModelKind::Affinity => 2,
            ModelKind::Churn => 3,
            ModelKind::Lookalike => 4,
        }
    }
}

/// A column some model writes, known before any fit so a rule naming it can be told which model to fit.
pub struct KnownColumn {
    /// Its key; `expected_purchases_` stands for every `expected_purchases_<N>d`.
    pub key: &'static str,
    /// Its Chinese name (also accepted in rules).
    pub zh: &'static str,
    /// The model that writes it.
    pub model: ModelKind,
}

/// Every column a model writes.
#[rustfmt::skip]
pub const KNOWN_COLUMNS: &[KnownColumn] = &[
    KnownColumn { key: "p_alive", zh: "存活概率", model: ModelKind::Clv },
    KnownColumn { key: "expected_purchases_", zh: "预计购买天数", model: ModelKind::Clv },
    KnownColumn { key: "expected_spend", zh: "预计客单价", model: ModelKind::Clv },
    KnownColumn { key: "clv", zh: "客户价值", model: ModelKind::Clv },
    KnownColumn { key: "repeat_days", zh: "复购天数", model: ModelKind::Clv },
    KnownColumn { key: "first_to_last_days", zh: "首末购间隔天数", model: ModelKind::Clv },
    KnownColumn { key: "observed_days", zh: "首购至今天数", model: ModelKind::Clv },
    KnownColumn { key: "cluster", zh: "聚类", model: ModelKind::Cluster },
    KnownColumn { key: "cluster_label", zh: "聚类描述", model: ModelKind::Cluster },
    KnownColumn { key: "churn_risk", zh: "流失风险", model: ModelKind::Churn },
    KnownColumn { key: "overdue_ratio", zh: "逾期倍数", model: ModelKind::Churn },
    KnownColumn { key: "lookalike_score", zh: "相似度", model: ModelKind::Lookalike },
    KnownColumn { key: "next_category", zh: "推荐品类", model: ModelKind::Affinity },
    KnownColumn { key: "next_category_confidence", zh: "推荐品类置信度", model: ModelKind::Affinity },
];

/// The model column a name means (its key, its Chinese name, or any `expected_purchases_<N>d`), fitted or not.
pub fn known_column(name: &str) -> Option<&'static KnownColumn> {
    let lower = name.to_lowercase();
    KNOWN_COLUMNS.iter().find(|c| {
        c.key == lower
            || c.zh == name
            || (c.key.ends_with('_')
                && lower
                    .strip_prefix(c.key)
                    .and_then(|d| d.strip_suffix('d'))
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())))
    })
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
    /// Whether a rule names this column: by its key (any case), its Chinese label as written or the Chinese name
    /// of [`KNOWN_COLUMNS`] (`客户价值` for `clv`, whose label names its horizon).
    pub fn is_named(&self, name: &str) -> bool {
        self.key == name.to_lowercase()
            || self.zh == name
            || known_column(name).is_some_and(|k| k.zh == name && self.key.starts_with(k.key))
    }

    /// A fingerprint of the values (kept by the workspace beside the column): results read from a model column
    /// stay cached while it holds, and a refit that changes any value changes it.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = crate::base::dict::hash64(&self.key);
        let mut mix = |w: u64| h = (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        match &self.values {
            ModelValues::Num(v) => v.iter().for_each(|x| mix(x.to_bits())),
            ModelValues::Text(t) => {
                t.codes.iter().for_each(|&c| mix(u64::from(c)));
                t.values.iter().for_each(|s| mix(crate::base::dict::hash64(s)));
            }
        }
        h.max(1)
    }

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
