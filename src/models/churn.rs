//! Churn risk (流失风险): a band per buyer from two signals an analyst reads together.
//!
//! - P(alive) from the BG/NBD model (`crate::models::clv`): the model's view of whether the buyer is still active.
//! - The member's own rhythm: the *overdue ratio* = days since the last purchase (RFM recency) ÷ the member's
//!   typical interval (`purchase_interval`: days from first to last purchase ÷ (purchases − 1)); for a member with a
//!   single purchase, the median interval of the members with two or more.
//! - Bands (thresholds in the request; defaults below): 高 / high when P(alive) < 0.3 or the ratio > 3; otherwise
//!   中 / medium when P(alive) < 0.7 or the ratio > 1.5; otherwise 低 / low. BG/NBD gives a one-day buyer P(alive) =
//!   1 by construction, so for them the rhythm decides. Members without a purchase get no band.
//! - Columns: `churn_risk` (高 / 中 / 低) and `overdue_ratio`.

use super::{ModelColumn, ModelValues};
use crate::error::{Error, Result};
use crate::metrics::names::Metric;
use crate::metrics::{Frame, TextColumn};
use serde::{Deserialize, Serialize};

/// The thresholds of the bands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChurnRequest {
    /// P(alive) below this is high risk (default 0.3).
    pub high_p_alive: f64,
    /// P(alive) below this is at least medium risk (default 0.7).
    pub medium_p_alive: f64,
    /// An overdue ratio above this is high risk (default 3).
    pub high_overdue: f64,
    /// An overdue ratio above this is at least medium risk (default 1.5).
    pub medium_overdue: f64,
}

impl Default for ChurnRequest {
    fn default() -> ChurnRequest {
        ChurnRequest { high_p_alive: 0.3, medium_p_alive: 0.7, high_overdue: 3.0, medium_overdue: 1.5 }
    }
}

impl ChurnRequest {
    /// This request with the thresholds a pack sets (`set churn.…`) in place of its own.
    pub fn with_settings(&self, set: &crate::metrics::ChurnSettings) -> ChurnRequest {
        ChurnRequest {
            high_p_alive: set.high_p_alive.unwrap_or(self.high_p_alive),
            medium_p_alive: set.medium_p_alive.unwrap_or(self.medium_p_alive),
            high_overdue: set.high_overdue.unwrap_or(self.high_overdue),
            medium_overdue: set.medium_overdue.unwrap_or(self.medium_overdue),
        }
    }
}

/// The bands' sizes and the thresholds used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChurnReport {
    /// The thresholds.
    pub thresholds: ChurnRequest,
    /// The median interval used for one-purchase members (days).
    pub median_interval: f64,
    /// Members per band: high, medium, low.
    pub sizes: [usize; 3],
}

/// Churn risk: the report and the columns.
#[derive(Clone, Debug, PartialEq)]
pub struct ChurnModel {
    /// The report.
    pub report: ChurnReport,
    /// `churn_risk` and `overdue_ratio`.
    pub columns: Vec<ModelColumn>,
}

/// The band of one member: 0 high, 1 medium, 2 low.
pub fn band(p_alive: f64, overdue: f64, t: &ChurnRequest) -> u32 {
    if p_alive < t.high_p_alive || overdue > t.high_overdue {
        0
    } else if p_alive < t.medium_p_alive || overdue > t.medium_overdue {
        1
    } else {
        2
    }
}

/// Bands every buyer from `p_alive` (one per member, NaN for members the model did not score).
pub fn fit(frame: &Frame<'_>, p_alive: &[f64], request: &ChurnRequest) -> Result<ChurnModel> {
    for (name, v, low, high) in [
        ("highPAlive", request.high_p_alive, 0.0, 1.0),
        ("mediumPAlive", request.medium_p_alive, request.high_p_alive, 1.0),
        ("highOverdue", request.high_overdue, request.medium_overdue, 1000.0),
        ("mediumOverdue", request.medium_overdue, 0.0, 1000.0),
    ] {
        if !(low..=high).contains(&v) {
            return Err(Error::bad_model_option(name, low, high));
        }
    }
    let recency = frame.num(Metric::Recency);
    let interval = frame.num(Metric::PurchaseInterval);
    let mut known: Vec<f64> = interval.iter().copied().filter(|v| !v.is_nan()).collect();
    known.sort_by(f64::total_cmp);
    let median = match known.len() {
        0 => f64::NAN,
        k if k % 2 == 1 => known[k / 2],
        k => (known[k / 2 - 1] + known[k / 2]) / 2.0,
    };
    let n = frame.len();
    let mut codes = vec![crate::base::dict::NONE; n];
    let mut overdue = vec![f64::NAN; n];
    let mut sizes = [0usize; 3];
    for p in 0..n {
        if recency[p].is_nan() {
            continue;
        }
        let typical = if interval[p].is_nan() { median } else { interval[p] };
        let ratio = if typical > 0.0 { recency[p] / typical } else { f64::NAN };
        let alive = p_alive.get(p).copied().unwrap_or(f64::NAN);
        // A missing signal never raises the risk on its own.
        let b = band(if alive.is_nan() { 1.0 } else { alive }, if ratio.is_nan() { 0.0 } else { ratio }, request);
        codes[p] = b;
        overdue[p] = ratio;
        sizes[b as usize] += 1;
    }
    let columns = vec![
        ModelColumn {
            key: "churn_risk".into(),
            zh: "流失风险".into(),
            en: "Churn risk".into(),
            values: ModelValues::Text(TextColumn { codes, values: ["高", "中", "低"].map(String::from).to_vec() }.into()),
        },
        ModelColumn {
            key: "overdue_ratio".into(),
            zh: "逾期倍数".into(),
            en: "Overdue ratio".into(),
            values: ModelValues::Num(overdue.into()),
        },
    ];
    Ok(ChurnModel { report: ChurnReport { thresholds: request.clone(), median_interval: median, sizes }, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_documented_thresholds() {
        let t = ChurnRequest::default();
        assert_eq!(band(0.2, 0.5, &t), 0);
        assert_eq!(band(0.9, 3.5, &t), 0);
        assert_eq!(band(0.5, 0.5, &t), 1);
        assert_eq!(band(0.9, 2.0, &t), 1);
        assert_eq!(band(0.9, 1.0, &t), 2);
        assert_eq!(band(0.7, 1.5, &t), 2, "the thresholds themselves are not past them");
    }
}
