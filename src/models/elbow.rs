//! Choosing k for k-means: the elbow of the inertia curve and a sampled silhouette, for each k of a range.
//!
//! - Rows, features, transforms and standardisation are those of [`super::kmeans::fit`] (the same matrix).
//! - Each k is clustered on one seeded sample of at most `sampleRows` rows (default 20,000) with `nInit` restarts
//!   (default 3); `inertia` is the sample's inertia scaled to every row (× rows ÷ sampled rows), so it reads on
//!   the scale of a fit's inertia. `silhouette` is the mean silhouette over a seeded sample of at most 2,000 of
//!   those rows.
//! - The **elbow** is the k whose point is farthest from the straight line joining the first and the last points
//!   of the curve (k and inertia each scaled to 0–1: the "kneedle" rule). The **suggested k** is the one with the
//!   highest silhouette among the elbow and its two neighbours (ties: the smaller k).

use super::kmeans::{kmeans, matrix, metrics_of, sample_rows, silhouette, standardise};
use crate::base::random::SplitMix64;
use crate::error::{Error, Result};
use crate::metrics::Frame;
use serde::{Deserialize, Serialize};

/// What the elbow scan reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ElbowRequest {
    /// Numeric metric keys (default recency, frequency, monetary).
    pub features: Vec<String>,
    /// The smallest k (at least 2; default 2).
    pub k_min: usize,
    /// The largest k (at most 20; default 10).
    pub k_max: usize,
    /// The seed of the samples and of k-means++.
    pub seed: u64,
    /// Restarts per k (1–20; default 3).
    pub n_init: u32,
    /// Rows clustered per k at most (1,000–200,000; default 20,000).
    pub sample_rows: usize,
}

impl Default for ElbowRequest {
    fn default() -> ElbowRequest {
        ElbowRequest {
            features: vec!["recency".into(), "frequency".into(), "monetary".into()],
            k_min: 2,
            k_max: 10,
            seed: 1,
            n_init: 3,
            sample_rows: 20_000,
        }
    }
}

/// One k of the scan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ElbowPoint {
    /// The number of clusters.
    pub k: usize,
    /// Inertia scaled to every row (standardised space).
    pub inertia: f64,
    /// Mean silhouette over the sample.
    pub silhouette: f64,
}

/// The scan's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ElbowReport {
    /// Rows with every feature present.
    pub rows: usize,
    /// Rows clustered per k.
    pub sampled_rows: usize,
    /// Rows the silhouette was averaged over.
    pub silhouette_rows: usize,
    /// Each k.
    pub points: Vec<ElbowPoint>,
    /// The elbow of the inertia curve.
    pub elbow: usize,
    /// The suggested k.
    pub suggested: usize,
}

/// Scans k over the frame.
pub fn scan(frame: &Frame<'_>, request: &ElbowRequest) -> Result<ElbowReport> {
    if request.k_min < 2 || request.k_max > 20 || request.k_min + 2 > request.k_max {
        return Err(Error::bad_model_option("kMin … kMax", 2.0, 20.0));
    }
    if !(1..=20).contains(&request.n_init) {
        return Err(Error::bad_model_option("nInit", 1.0, 20.0));
    }
    if !(1_000..=200_000).contains(&request.sample_rows) {
        return Err(Error::bad_model_option("sampleRows", 1_000.0, 200_000.0));
    }
    if request.features.is_empty() || request.features.len() > 16 {
        return Err(Error::bad_model_option("features", 1.0, 16.0));
    }
    let metrics = metrics_of(&request.features)?;
    let d = metrics.len();
    let (members, mut x) = matrix(frame, &metrics);
    let n = members.len();
    if n < request.k_max {
        return Err(Error::model_too_few_rows(n, request.k_max));
    }
    standardise(&mut x, d);
    let mut rng = SplitMix64::new(request.seed ^ 0x0065_6c62_6f77);
    let picks = sample_rows(n, request.sample_rows, &mut rng);
    let sample: Vec<f64> = picks.iter().flat_map(|&i| x[i * d..(i + 1) * d].iter().copied()).collect();
    let m = picks.len();
    let sil_picks = sample_rows(m, 2_000, &mut rng);
    let points: Vec<ElbowPoint> = (request.k_min..=request.k_max)
        .map(|k| {
            let (run, _) = kmeans(&sample, d, k, request.seed, request.n_init, 300);
            ElbowPoint { k, inertia: run.inertia * n as f64 / m as f64, silhouette: silhouette(&sample, d, &run.labels, k, &sil_picks) }
        })
        .collect();
    let elbow = elbow_of(&points);
    let suggested = points
        .iter()
        .filter(|p| p.k + 1 >= elbow && p.k <= elbow + 1)
        .fold(None::<&ElbowPoint>, |best, p| match best {
            Some(b) if b.silhouette >= p.silhouette || p.silhouette.is_nan() => Some(b),
            _ => Some(p),
        })
        .map_or(elbow, |p| p.k);
    Ok(ElbowReport { rows: n, sampled_rows: m, silhouette_rows: sil_picks.len(), points, elbow, suggested })
}

/// The k farthest from the chord of the normalised inertia curve.
pub fn elbow_of(points: &[ElbowPoint]) -> usize {
    let (Some(first), Some(last)) = (points.first(), points.last()) else { return 0 };
    let (k0, k1) = (first.k as f64, last.k as f64);
    let (hi, lo) = (first.inertia, last.inertia);
    let span = (hi - lo).abs().max(f64::MIN_POSITIVE);
    let mut best = (first.k, f64::NEG_INFINITY);
    for p in points {
        // On the normalised curve the chord runs from (0, 1) to (1, 0): the distance is proportional to 1 − u − v.
        let u = (p.k as f64 - k0) / (k1 - k0);
        let v = (p.inertia - lo) / span;
        let gap = 1.0 - u - v;
        if gap > best.1 {
            best = (p.k, gap);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_elbow_is_the_bend_of_the_curve() {
        let curve = [(2, 100.0), (3, 60.0), (4, 20.0), (5, 17.0), (6, 15.0), (7, 14.0)];
        let points: Vec<ElbowPoint> = curve.iter().map(|&(k, inertia)| ElbowPoint { k, inertia, silhouette: 0.0 }).collect();
        assert_eq!(elbow_of(&points), 4);
        let late = [(2, 100.0), (3, 95.0), (4, 90.0), (5, 85.0), (6, 20.0), (7, 18.0)];
        let points: Vec<ElbowPoint> = late.iter().map(|&(k, inertia)| ElbowPoint { k, inertia, silhouette: 0.0 }).collect();
        assert_eq!(elbow_of(&points), 6);
    }
}
