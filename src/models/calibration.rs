//! The CLV model's calibration/holdout check (lifetimes' `calibration_and_holdout_data` with
//! `plot_calibration_purchases_vs_holdout_purchases`): BG/NBD is fitted on the purchases before a cut-off day, and
//! for each buyer of that period the purchase days it predicts for the holdout (the cut-off day up to the last
//! observed day) are compared with the purchase days they actually had, averaged by the number of repeat purchase
//! days in the calibration period.
//!
//! - The holdout is the last `holdout_days` observed days: the cut-off is the analysis date minus `holdout_days`,
//!   the first day not in the calibration period. Calibration summaries are those of [`super::summary`] with the
//!   cut-off in place of the analysis date (buyers whose first purchase is in the holdout are left out, as lifetimes
//!   does).
//! - Actual = distinct purchase days in the holdout; predicted = equation (10) over `holdout_days` days.
//! - Buckets: calibration frequency 0, 1, …, `max_frequency − 1`, and `max_frequency` or more.

use super::bgnbd::{self, BgNbd, Patterns};
use super::summary::purchases_by_member;
use crate::error::{Error, Result};
use crate::metrics::Frame;
use serde::{Deserialize, Serialize};

/// What a calibration check reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CalibrationRequest {
    /// Days at the end of the observation held out (7–1,825; default 90).
    pub holdout_days: u32,
    /// The BG/NBD penalizer (as in the CLV request).
    pub penalizer: f64,
    /// The last bucket holds this many repeat days or more (1–50; default 7).
    pub max_frequency: u32,
}

impl Default for CalibrationRequest {
    fn default() -> CalibrationRequest {
        CalibrationRequest { holdout_days: 90, penalizer: 0.0, max_frequency: 7 }
    }
}

/// One bucket of buyers by calibration frequency.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationBucket {
    /// Repeat purchase days in the calibration period (the last bucket: this many or more).
    pub frequency: u32,
    /// `"3"`, or `"7+"` for the last bucket.
    pub label: String,
    /// Buyers in the bucket.
    pub buyers: usize,
    /// Their mean purchase days in the holdout.
    pub actual: f64,
    /// The mean the model fitted on the calibration period predicts.
    pub predicted: f64,
}

/// The check's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationReport {
    /// The first day of the holdout.
    pub cutoff: String,
    /// The analysis date (the first day after the holdout).
    pub as_of: String,
    /// The request.
    pub holdout_days: u32,
    /// Buyers of the calibration period.
    pub buyers: usize,
    /// BG/NBD fitted on the calibration period.
    pub bgnbd: BgNbd,
    /// Whether that fit converged.
    pub converged: bool,
    /// By calibration frequency.
    pub buckets: Vec<CalibrationBucket>,
    /// Purchase days in the holdout, summed over the calibration buyers: actual and predicted.
    pub total_actual: f64,
    /// See `total_actual`.
    pub total_predicted: f64,
    /// The buyers' mean absolute difference between predicted and actual holdout purchase days.
    pub mean_absolute_error: f64,
}

/// Runs the check over the frame's purchases.
pub fn calibrate(frame: &Frame<'_>, request: &CalibrationRequest) -> Result<CalibrationReport> {
    if !(7..=1825).contains(&request.holdout_days) {
        return Err(Error::bad_model_option("holdoutDays", 7.0, 1825.0));
    }
    if !(1..=50).contains(&request.max_frequency) {
        return Err(Error::bad_model_option("maxFrequency", 1.0, 50.0));
    }
    if !(0.0..=100.0).contains(&request.penalizer) {
        return Err(Error::bad_model_option("penalizer", 0.0, 100.0));
    }
    let cutoff = frame.as_of.0 - request.holdout_days as i32;
    let cutoff_day = crate::base::date::Day(cutoff);
    let (offsets, days, _) = purchases_by_member(frame);
    let last_cal = cutoff - 1;
    let (mut xs, mut txs, mut ts, mut actual) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in 0..frame.len() {
        let ds = &days[offsets[p]..offsets[p + 1]];
        let cal_end = ds.partition_point(|&d| d < cutoff);
        if cal_end == 0 {
            continue;
        }
        let cal = &ds[..cal_end];
        let distinct = |s: &[i32]| s.windows(2).filter(|w| w[0] != w[1]).count() as u32 + u32::from(!s.is_empty());
        xs.push(distinct(cal) - 1);
        txs.push((cal[cal.len() - 1] - cal[0]) as u32);
        ts.push((last_cal - cal[0]) as u32);
        actual.push(f64::from(distinct(&ds[cal_end..])));
    }
    if xs.is_empty() {
        return Err(Error::model_no_history(&cutoff_day.to_string()));
    }
    if xs.iter().all(|&x| x == 0) {
        return Err(Error::model_no_repeat_buyers(xs.len()));
    }
    if ts.iter().all(|&t| t == 0) {
        return Err(Error::model_too_short());
    }
    let fit = bgnbd::fit(&Patterns::new(&xs, &txs, &ts), request.penalizer);
    let m = fit.params;
    let future = f64::from(request.holdout_days);
    let k = request.max_frequency as usize;
    let mut sums = vec![(0usize, 0.0f64, 0.0f64); k + 1];
    let (mut total_actual, mut total_predicted, mut abs_error) = (0.0, 0.0, 0.0);
    for i in 0..xs.len() {
        let predicted = m.expected(future, f64::from(xs[i]), f64::from(txs[i]), f64::from(ts[i]));
        let b = &mut sums[(xs[i] as usize).min(k)];
        b.0 += 1;
        b.1 += actual[i];
        b.2 += predicted;
        total_actual += actual[i];
        total_predicted += predicted;
        abs_error += (predicted - actual[i]).abs();
    }
    let buckets = sums
        .iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0)
        .map(|(f, &(n, a, p))| CalibrationBucket {
            frequency: f as u32,
            label: if f == k { format!("{f}+") } else { f.to_string() },
            buyers: n,
            actual: a / n as f64,
            predicted: p / n as f64,
        })
        .collect();
    Ok(CalibrationReport {
        cutoff: cutoff_day.to_string(),
        as_of: frame.as_of.to_string(),
        holdout_days: request.holdout_days,
        buyers: xs.len(),
        bgnbd: m,
        converged: fit.minimum.converged,
        buckets,
        total_actual,
        total_predicted,
        mean_absolute_error: abs_error / xs.len() as f64,
    })
}
