//! Customer lifetime value: BG/NBD for how many purchases a buyer will make, Gamma-Gamma for how much each will
//! be, combined as lifetimes' `customer_lifetime_value` does — expected purchases per 30-day month, each month's
//! value discounted at the monthly rate (`(1 + d)^-k` for month `k`). A horizon that is not a whole number of months
//! ends with a partial month discounted at its fractional exponent, so a horizon of 360 days is exactly lifetimes'
//! `time=12`.
//!
//! Every buyer gets P(alive), the expected purchases over the horizon, the expected spend per purchase and the
//! CLV; members without a purchase before the analysis date get none (empty cells).

use super::bgnbd::{self, BgNbd, Patterns};
use super::gamma::{self, GammaGamma};
use super::summary::{buyers, Buyers};
use super::{ModelColumn, ModelValues};
use crate::error::{Error, Result};
use crate::metrics::Frame;
use serde::{Deserialize, Serialize};

/// What a CLV fit reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClvRequest {
    /// Days ahead that expected purchases and CLV cover (1–3,650; default 365).
    pub horizon_days: u32,
    /// The monthly discount rate (0–1; default 0.01).
    pub discount_monthly: f64,
    /// The L2 penalizer of both fits (0–100; default 0, lifetimes' default).
    pub penalizer: f64,
}

impl Default for ClvRequest {
    fn default() -> ClvRequest {
        ClvRequest { horizon_days: 365, discount_monthly: 0.01, penalizer: 0.0 }
    }
}

/// How the two fits went, and what the columns hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClvReport {
    /// The analysis date (the first day not observed).
    pub as_of: String,
    /// Buyers with a purchase before the analysis date.
    pub buyers: usize,
    /// Buyers with purchases on two or more days (the Gamma-Gamma sample).
    pub repeat_buyers: usize,
    /// Distinct (frequency, recency, age) patterns the BG/NBD likelihood was summed over.
    pub patterns: usize,
    /// The request.
    pub horizon_days: u32,
    /// The request.
    pub discount_monthly: f64,
    /// The request.
    pub penalizer: f64,
    /// BG/NBD parameters (days).
    pub bgnbd: BgNbd,
    /// Gamma-Gamma parameters (yuan).
    pub gamma_gamma: GammaGamma,
    /// Whether both fits converged (the gradient of each mean log-likelihood below 1e-7, scipy's default).
    pub converged: bool,
    /// The BG/NBD log-likelihood summed over buyers.
    pub log_likelihood: f64,
    /// The Gamma-Gamma log-likelihood summed over repeat buyers.
    pub gamma_gamma_log_likelihood: f64,
    /// Minimiser iterations: BG/NBD, Gamma-Gamma.
    pub iterations: [u32; 2],
    /// The largest gradient component at the end of each fit: BG/NBD, Gamma-Gamma.
    pub gradients: [f64; 2],
    /// Sums over buyers: expected purchases over the horizon and CLV (yuan); the mean P(alive).
    pub total_expected_purchases: f64,
    /// See `total_expected_purchases`.
    pub total_clv: f64,
    /// See `total_expected_purchases`.
    pub mean_p_alive: f64,
    /// Problems that did not stop the fit (no convergence, q ≤ 1).
    pub warnings: Vec<Error>,
    /// The member columns written (keys).
    pub columns: Vec<String>,
}

/// A fitted CLV model: the report and the member columns.
#[derive(Clone, Debug, PartialEq)]
pub struct ClvModel {
    /// The report.
    pub report: ClvReport,
    /// `p_alive`, `expected_purchases_<N>d`, `expected_spend`, `clv` and the model's inputs per member.
    pub columns: Vec<ModelColumn>,
}

/// The monthly steps of a horizon: (end day of the month, its discount factor).
pub fn steps(horizon_days: u32, discount_monthly: f64) -> Vec<(f64, f64)> {
    let months = horizon_days.div_ceil(30);
    (1..=months)
        .map(|k| {
            let end = f64::from((30 * k).min(horizon_days));
            (end, super::math::pow(1.0 + discount_monthly, -end / 30.0))
        })
        .collect()
}

fn check(request: &ClvRequest) -> Result<()> {
    if !(1..=3650).contains(&request.horizon_days) {
        return Err(Error::bad_model_option("horizonDays", 1.0, 3650.0));
    }
    if !(0.0..=1.0).contains(&request.discount_monthly) {
        return Err(Error::bad_model_option("discountMonthly", 0.0, 1.0));
    }
    if !(0.0..=100.0).contains(&request.penalizer) {
        return Err(Error::bad_model_option("penalizer", 0.0, 100.0));
    }
    Ok(())
}

/// Fits BG/NBD and Gamma-Gamma to the frame's buyers and scores every buyer.
pub fn fit(frame: &Frame<'_>, request: &ClvRequest) -> Result<ClvModel> {
    check(request)?;
    let b = buyers(frame);
    fit_buyers(&b, frame.len(), &frame.as_of.to_string(), request)
}

/// [`fit`] over a ready purchase-day summary of `members` members.
pub fn fit_buyers(b: &Buyers, members: usize, as_of: &str, request: &ClvRequest) -> Result<ClvModel> {
    check(request)?;
    if b.is_empty() {
        return Err(Error::model_no_history(as_of));
    }
    let repeat_buyers = b.frequency.iter().filter(|&&x| x > 0).count();
    if repeat_buyers == 0 {
        return Err(Error::model_no_repeat_buyers(b.len()));
    }
    if b.age.iter().all(|&t| t == 0) {
        return Err(Error::model_too_short());
    }
    let patterns = Patterns::new(&b.frequency, &b.recency, &b.age);
    let bg = bgnbd::fit(&patterns, request.penalizer);
    let gg = gamma::fit(&b.frequency, &b.monetary, request.penalizer).ok_or_else(|| Error::model_no_repeat_buyers(b.len()))?;
    let mut warnings = Vec::new();
    if !bg.minimum.converged {
        warnings.push(Error::model_not_converged("BG/NBD"));
    }
    if !gg.minimum.converged {
        warnings.push(Error::model_not_converged("Gamma-Gamma"));
    }
    if gg.params.q <= 1.0 {
        warnings.push(Error::model_gamma_gamma_q(gg.params.q));
    }
    let (m, g) = (bg.params, gg.params);
    let steps = steps(request.horizon_days, request.discount_monthly);

    // The tail of equation (10) depends on (frequency, age) only: compute the discounted sum once per pair.
    let mut pairs: Vec<u64> = (0..b.len()).map(|i| (u64::from(b.frequency[i]) << 32) | u64::from(b.age[i])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let per_pair: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&key| {
            let (x, t) = (f64::from((key >> 32) as u32), f64::from(key as u32));
            let (mut before, mut discounted) = (1.0, 0.0);
            for &(end, factor) in &steps {
                let now = m.tail(x, t, end);
                discounted += (before - now) * factor;
                before = now;
            }
            (1.0 - before, discounted)
        })
        .collect();

    let nan = || vec![f64::NAN; members];
    let (mut p_alive, mut expected, mut spend, mut clv) = (nan(), nan(), nan(), nan());
    let (mut freq_col, mut rec_col, mut age_col) = (nan(), nan(), nan());
    let (mut total_expected, mut total_clv, mut total_alive) = (0.0, 0.0, 0.0);
    for i in 0..b.len() {
        let (x, t_x, t) = (f64::from(b.frequency[i]), f64::from(b.recency[i]), f64::from(b.age[i]));
        let key = (u64::from(b.frequency[i]) << 32) | u64::from(b.age[i]);
        let (reached, discounted) = per_pair[pairs.binary_search(&key).unwrap_or(0)];
        let alive = m.p_alive(x, t_x, t);
        let lead = m.leading(x) * alive;
        let s = g.expected_spend(x, b.monetary[i]);
        let p = b.member[i] as usize;
        p_alive[p] = alive;
        expected[p] = lead * reached;
        spend[p] = s;
        clv[p] = s * lead * discounted;
        (freq_col[p], rec_col[p], age_col[p]) = (x, t_x, t);
        total_expected += expected[p];
        total_clv += clv[p];
        total_alive += alive;
    }
    let n = request.horizon_days;
    let num = |key: String, zh: String, en: String, values: Vec<f64>| ModelColumn { key, zh, en, values: ModelValues::Num(values.into()) };
    let columns = vec![
        num("p_alive".into(), "存活概率".into(), "P(alive)".into(), p_alive),
        num(
            format!("expected_purchases_{n}d"),
            format!("未来{n}天预计购买天数"),
            format!("Expected purchase days in the next {n} days"),
            expected,
        ),
        num("expected_spend".into(), "预计客单价".into(), "Expected spend per purchase day".into(), spend),
        num("clv".into(), format!("未来{n}天客户价值"), format!("CLV over the next {n} days"), clv),
        num("repeat_days".into(), "复购天数".into(), "Repeat purchase days".into(), freq_col),
        num("first_to_last_days".into(), "首末购间隔天数".into(), "Days from first to last purchase".into(), rec_col),
        num("observed_days".into(), "首购至今天数".into(), "Days from first purchase to the last observed day".into(), age_col),
    ];
    let report = ClvReport {
        as_of: as_of.to_string(),
        buyers: b.len(),
        repeat_buyers,
        patterns: patterns.len(),
        horizon_days: request.horizon_days,
        discount_monthly: request.discount_monthly,
        penalizer: request.penalizer,
        bgnbd: m,
        gamma_gamma: g,
        converged: bg.minimum.converged && gg.minimum.converged,
        log_likelihood: bg.log_likelihood,
        gamma_gamma_log_likelihood: gg.log_likelihood,
        iterations: [bg.minimum.iterations, gg.minimum.iterations],
        gradients: [bg.minimum.gradient, gg.minimum.gradient],
        total_expected_purchases: total_expected,
        total_clv,
        mean_p_alive: total_alive / b.len() as f64,
        warnings,
        columns: columns.iter().map(|c| c.key.clone()).collect(),
    };
    Ok(ClvModel { report, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_thirty_day_months_with_a_partial_last_month() {
        let s = steps(365, 0.01);
        assert_eq!(s.len(), 13);
        assert_eq!(s[0].0, 30.0);
        assert_eq!(s[12].0, 365.0);
        assert!((s[11].1 - 1.01f64.powi(-12)).abs() < 1e-15);
        assert!((s[12].1 - 1.01f64.powf(-365.0 / 30.0)).abs() < 1e-15);
        assert_eq!(steps(360, 0.0).iter().map(|s| s.1).sum::<f64>(), 12.0);
    }

    #[test]
    fn refuses_without_repeat_buyers_and_with_bad_options() {
        let b = Buyers {
            member: vec![0, 1],
            frequency: vec![0, 0],
            recency: vec![0, 0],
            age: vec![5, 9],
            monetary: vec![0.0, 0.0],
            last_day: crate::base::date::Day(100),
        };
        assert_eq!(fit_buyers(&b, 2, "2024-01-01", &ClvRequest::default()).unwrap_err().code, "model_no_repeat_buyers");
        let bad = ClvRequest { horizon_days: 0, ..ClvRequest::default() };
        assert_eq!(fit_buyers(&b, 2, "2024-01-01", &bad).unwrap_err().code, "bad_model_option");
        let none = Buyers::empty(crate::base::date::Day(100));
        assert_eq!(fit_buyers(&none, 0, "2024-01-01", &ClvRequest::default()).unwrap_err().code, "model_no_history");
    }
}
