//! Lookalike audiences (相似人群扩展): from a seed audience, score every member by how much they look like it.
//!
//! - Features: numeric metrics (default recency, frequency, monetary, avg_spend, event_count), transformed as
//!   k-means transforms them (`sign(v)·ln(1+|v|)` for money and counts), a missing value replaced by the feature's
//!   mean, then standardised.
//! - Model: L2-regularised logistic regression of "in the seed" against every other member (the intercept is not
//!   penalised), fitted by Newton's method (iteratively reweighted least squares) to a change below 1e-10.
//! - Check: a seeded split holds out `holdout` of the members (default 30 %); a model fitted on the rest scores them
//!   and the report gives the holdout AUC (the probability that a held-out seed member outranks a held-out other
//!   member; ties count half). The scores written are from the model refitted on every member.
//! - Columns: `lookalike_score` (0–1) for every member with the seed marked in the report's counts; the report also
//!   gives the score of the `top_n`-th best member outside the seed, the threshold of a top-N expansion.

use super::kmeans::{log_scaled, metrics_of, signed_log1p, standardise};
use super::math::sigmoid;
use super::{ModelColumn, ModelValues};
use crate::base::random::SplitMix64;
use crate::error::{Error, Result};
use crate::metrics::Frame;
use serde::{Deserialize, Serialize};

/// What a lookalike model reads (besides the seed, which the caller resolves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LookalikeRequest {
    /// The seed audience: an expression or a definition's name (the workspace resolves it).
    pub seed_audience: String,
    /// Numeric metric keys.
    pub features: Vec<String>,
    /// The L2 penalty per member (λ/n; default 1e-4).
    pub l2: f64,
    /// The share of members held out for the AUC (0.05–0.5; default 0.3).
    pub holdout: f64,
    /// The seed of the holdout split.
    pub seed: u64,
    /// Size of the expansion whose threshold the report gives (default 1,000).
    pub top_n: usize,
}

impl Default for LookalikeRequest {
    fn default() -> LookalikeRequest {
        LookalikeRequest {
            seed_audience: String::new(),
            features: ["recency", "frequency", "monetary", "avg_spend", "event_count"].map(String::from).to_vec(),
            l2: 1e-4,
            holdout: 0.3,
            seed: 1,
            top_n: 1000,
        }
    }
}

/// The fitted lookalike model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LookalikeReport {
    /// Members in the seed.
    pub seed_members: usize,
    /// Members scored.
    pub members: usize,
    /// The features (metric keys).
    pub features: Vec<String>,
    /// The intercept and one weight per standardised feature (final model).
    pub weights: Vec<f64>,
    /// AUC on the held-out members.
    pub holdout_auc: f64,
    /// Held-out members: in the seed, outside it.
    pub holdout: [usize; 2],
    /// Newton iterations of the final fit.
    pub iterations: u32,
    /// The score of the `top_n`-th best member outside the seed (NaN when fewer).
    pub top_n_threshold: f64,
    /// The request's `top_n`.
    pub top_n: usize,
}

/// A lookalike model: the report and the `lookalike_score` column.
#[derive(Clone, Debug, PartialEq)]
pub struct LookalikeModel {
    /// The report.
    pub report: LookalikeReport,
    /// The member column.
    pub columns: Vec<ModelColumn>,
}

/// Fits an L2-regularised logistic regression on the rows `rows` of `x` (`d` columns, standardised) by Newton's
/// method; returns the intercept and weights and the iterations.
pub fn logistic(x: &[f64], d: usize, y: &[bool], rows: &[usize], l2: f64) -> (Vec<f64>, u32) {
    let m = d + 1;
    let mut w = vec![0.0; m];
    let n = rows.len().max(1) as f64;
    let positives = rows.iter().filter(|&&i| y[i]).count() as f64;
    // Start from the base rate, so the first step is already small for a rare seed.
    w[0] = super::math::ln((positives + 0.5) / (n - positives + 0.5));
    let mut iterations = 0;
    for _ in 0..50 {
        iterations += 1;
        let mut grad = vec![0.0; m];
        let mut hess = vec![0.0; m * m];
        let mut row = vec![1.0; m];
        for &i in rows {
            row[1..].copy_from_slice(&x[i * d..(i + 1) * d]);
            let z: f64 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let r = p - if y[i] { 1.0 } else { 0.0 };
            let s = (p * (1.0 - p)).max(1e-12);
            for a in 0..m {
                grad[a] += r * row[a];
                for b in 0..=a {
                    hess[a * m + b] += s * row[a] * row[b];
                }
            }
        }
        for a in 0..m {
            grad[a] /= n;
            for b in 0..=a {
                hess[a * m + b] /= n;
                hess[b * m + a] = hess[a * m + b];
            }
        }
        for a in 1..m {
            grad[a] += l2 * w[a];
            hess[a * m + a] += l2;
        }
        hess[0] += 1e-12;
        let step = solve(&mut hess, &grad, m);
        let mut change = 0.0f64;
        for a in 0..m {
            w[a] -= step[a];
            change = change.max(step[a].abs());
        }
        if change < 1e-10 || !change.is_finite() {
            break;
        }
    }
    (w, iterations)
}

/// Solves `A s = b` for a symmetric positive definite `A` (Cholesky); `A` is overwritten.
fn solve(a: &mut [f64], b: &[f64], m: usize) -> Vec<f64> {
    for j in 0..m {
        let mut diag = a[j * m + j];
        for k in 0..j {
            diag -= a[j * m + k] * a[j * m + k];
        }
        let diag = diag.max(1e-300).sqrt();
        a[j * m + j] = diag;
        for i in j + 1..m {
            let mut v = a[i * m + j];
            for k in 0..j {
                v -= a[i * m + k] * a[j * m + k];
            }
            a[i * m + j] = v / diag;
        }
    }
    let mut z = b.to_vec();
    for i in 0..m {
        for k in 0..i {
            z[i] -= a[i * m + k] * z[k];
        }
        z[i] /= a[i * m + i];
    }
    for i in (0..m).rev() {
        for k in i + 1..m {
            z[i] -= a[k * m + i] * z[k];
        }
        z[i] /= a[i * m + i];
    }
    z
}

/// The score of row `i`.
pub fn score(x: &[f64], d: usize, w: &[f64], i: usize) -> f64 {
    sigmoid(w[0] + x[i * d..(i + 1) * d].iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f64>())
}

/// The AUC of scores for positives against negatives (Mann–Whitney; ties count half).
pub fn auc(scored: &mut [(f64, bool)]) -> f64 {
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = scored.iter().filter(|s| s.1).count() as f64;
    let negatives = scored.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    // Sum of the positives' (average) ranks.
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < scored.len() {
        let mut j = i;
        while j < scored.len() && scored[j].0 == scored[i].0 {
            j += 1;
        }
        let mid = (i + 1 + j) as f64 / 2.0;
        rank_sum += mid * scored[i..j].iter().filter(|s| s.1).count() as f64;
        i = j;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Fits on the rows of a standardised matrix; `in_seed` marks the seed. Returns the report's numbers and the
/// final scores.
pub fn fit_matrix(x: &[f64], d: usize, in_seed: &[bool], request: &LookalikeRequest) -> (LookalikeReport, Vec<f64>) {
    let n = in_seed.len();
    let mut rng = SplitMix64::new(request.seed ^ 0x6c6f_6f6b);
    let held: Vec<bool> = (0..n).map(|_| rng.unit() < request.holdout).collect();
    let train: Vec<usize> = (0..n).filter(|&i| !held[i]).collect();
    let (w_train, _) = logistic(x, d, in_seed, &train, request.l2);
    let mut scored: Vec<(f64, bool)> = (0..n).filter(|&i| held[i]).map(|i| (score(x, d, &w_train, i), in_seed[i])).collect();
    let holdout = [scored.iter().filter(|s| s.1).count(), scored.iter().filter(|s| !s.1).count()];
    let holdout_auc = auc(&mut scored);
    let all: Vec<usize> = (0..n).collect();
    let (weights, iterations) = logistic(x, d, in_seed, &all, request.l2);
    let scores: Vec<f64> = (0..n).map(|i| score(x, d, &weights, i)).collect();
    let mut outside: Vec<f64> = (0..n).filter(|&i| !in_seed[i]).map(|i| scores[i]).collect();
    outside.sort_by(|a, b| b.total_cmp(a));
    let top_n_threshold = if request.top_n >= 1 && outside.len() >= request.top_n { outside[request.top_n - 1] } else { f64::NAN };
    let report = LookalikeReport {
        seed_members: in_seed.iter().filter(|&&s| s).count(),
        members: n,
        features: Vec::new(),
        weights,
        holdout_auc,
        holdout,
        iterations,
        top_n_threshold,
        top_n: request.top_n,
    };
    (report, scores)
}

/// Scores every member of the frame against the seed (`in_seed[member]`).
pub fn fit(frame: &Frame<'_>, in_seed: &[bool], request: &LookalikeRequest) -> Result<LookalikeModel> {
    if !(0.05..=0.5).contains(&request.holdout) {
        return Err(Error::bad_model_option("holdout", 0.05, 0.5));
    }
    if !(0.0..=100.0).contains(&request.l2) {
        return Err(Error::bad_model_option("l2", 0.0, 100.0));
    }
    if request.features.is_empty() || request.features.len() > 32 {
        return Err(Error::bad_model_option("features", 1.0, 32.0));
    }
    let n = frame.len();
    let seeds = in_seed.iter().filter(|&&s| s).count();
    if seeds == 0 || seeds == n {
        return Err(Error::model_bad_seed(seeds, n - seeds));
    }
    let metrics = metrics_of(&request.features)?;
    let d = metrics.len();
    let mut x = vec![0.0; n * d];
    for (j, &m) in metrics.iter().enumerate() {
        let col = frame.num(m);
        let value = |v: f64| if log_scaled(m) { signed_log1p(v) } else { v };
        let present: Vec<f64> = col.iter().filter(|v| !v.is_nan()).map(|&v| value(v)).collect();
        let mean = if present.is_empty() { 0.0 } else { present.iter().sum::<f64>() / present.len() as f64 };
        for p in 0..n {
            x[p * d + j] = if col[p].is_nan() { mean } else { value(col[p]) };
        }
    }
    standardise(&mut x, d);
    let (mut report, scores) = fit_matrix(&x, d, in_seed, request);
    report.features = metrics.iter().map(|m| m.info().key.to_string()).collect();
    let columns = vec![ModelColumn {
        key: "lookalike_score".into(),
        zh: "相似度".into(),
        en: "Lookalike score".into(),
        values: ModelValues::Num(scores.into()),
    }];
    Ok(LookalikeModel { report, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_pairs_and_ties() {
        let mut s = vec![(0.1, false), (0.4, true), (0.35, false), (0.8, true)];
        assert_eq!(auc(&mut s), 0.75 + 0.25);
        let mut s = vec![(0.1, false), (0.4, true), (0.5, false), (0.8, true)];
        assert_eq!(auc(&mut s), 0.75);
        let mut tied = vec![(0.5, false), (0.5, true)];
        assert_eq!(auc(&mut tied), 0.5);
    }

    #[test]
    fn newton_matches_the_closed_form_of_a_single_binary_feature() {
        // One feature, ±1: the unpenalised fit reproduces the log-odds of each group exactly.
        let x: Vec<f64> = (0..400).map(|i| if i < 200 { -1.0 } else { 1.0 }).collect();
        let y: Vec<bool> = (0..400).map(|i| if i < 200 { i % 4 == 0 } else { i % 4 != 0 }).collect();
        let rows: Vec<usize> = (0..400).collect();
        let (w, _) = logistic(&x, 1, &y, &rows, 0.0);
        let (low, high) = ((0.25f64 / 0.75).ln(), (0.75f64 / 0.25).ln());
        assert!((w[0] - w[1] - low).abs() < 1e-9 && (w[0] + w[1] - high).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn recovers_a_planted_segment_from_part_of_it() {
        // 20,000 members, 5 standard-normal features; a planted segment of 10 % is shifted by 2 in two features.
        // The seed is a third of the segment; the rest of the segment must outrank everyone else.
        let (n, d) = (20_000, 5);
        let mut rng = SplitMix64::new(2024);
        let mut x = vec![0.0; n * d];
        let mut segment = vec![false; n];
        let mut in_seed = vec![false; n];
        for i in 0..n {
            segment[i] = rng.unit() < 0.1;
            for j in 0..d {
                x[i * d + j] = rng.normal() + if segment[i] && (j == 1 || j == 3) { 2.0 } else { 0.0 };
            }
            in_seed[i] = segment[i] && rng.unit() < 1.0 / 3.0;
        }
        standardise(&mut x, d);
        let (report, scores) = fit_matrix(&x, d, &in_seed, &LookalikeRequest::default());
        assert!(report.holdout_auc >= 0.9, "holdout AUC {}", report.holdout_auc);
        // Recovery: among members outside the seed, the planted rest against the others.
        let mut rest: Vec<(f64, bool)> = (0..n).filter(|&i| !in_seed[i]).map(|i| (scores[i], segment[i])).collect();
        let recovery = auc(&mut rest);
        assert!(recovery >= 0.9, "planted segment recovered with AUC {recovery}");
        // The features that carry the segment get the weight.
        assert!(report.weights[2] > 0.5 && report.weights[4] > 0.5, "{:?}", report.weights);
        assert!(report.weights[1].abs() < 0.2 && report.weights[3].abs() < 0.2 && report.weights[5].abs() < 0.2);
    }
}
