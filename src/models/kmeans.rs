//! k-means clusters of members over chosen metrics.
//!
//! - Rows: the members with every chosen feature present (for recency, frequency and monetary: the buyers).
//! - Features: heavy-tailed money, counts and day counts (recency, frequency, monetary, avg_spend,
//!   purchase_interval, refunds, event_count, tenure) are transformed by `sign(v)·ln(1 + |v|)` (log1p, kept defined
//!   for a negative net spend); every feature is then standardised to mean 0 and (population) standard deviation 1,
//!   as scikit-learn's `StandardScaler` does. A constant feature becomes 0.
//! - Seeding: greedy k-means++ (scikit-learn's: `2 + ⌊ln k⌋` candidates per centre, the one that lowers the
//!   potential most kept) from a [`SplitMix64`] seeded by the request; `n_init` restarts, the lowest inertia kept.
//! - Lloyd iterations until no label changes or the centres move less than `1e-4` (squared, summed; the data's
//!   mean variance is 1), at most `max_iter`; an emptied cluster takes the point farthest from its centre.
//! - Past 65,536 rows the restarts run on a seeded sample of that size and the best start is then iterated on every
//!   row, so a million members cluster in seconds with the quality of a full restart search.
//! - Inertia is the sum of squared distances to the nearest centre in the standardised space; the silhouette is the
//!   mean over a seeded sample of at most 3,000 rows (scikit-learn's `silhouette_score(sample_size=…)`).
//! - Clusters are numbered 1…k by size, largest first; each gets a description of how its centre differs from the
//!   average (features at least half a standard deviation away, strongest first: "高频 · 高消费 · 近期活跃").

use super::math::ln_1p;
use super::{ModelColumn, ModelValues};
use crate::base::random::SplitMix64;
use crate::error::{Error, Result};
use crate::metrics::names::{find_metric, Metric, MetricType};
use crate::metrics::{Frame, TextColumn};
use serde::{Deserialize, Serialize};

/// What a clustering reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClusterRequest {
    /// The number of clusters (2–50; default 5).
    pub k: usize,
    /// Numeric metric keys (default recency, frequency, monetary).
    pub features: Vec<String>,
    /// The seed of k-means++ and of the samples.
    pub seed: u64,
    /// Restarts (1–100; default 10, scikit-learn's `n_init=10`).
    pub n_init: u32,
    /// Lloyd iterations per restart at most (default 300).
    pub max_iter: u32,
}

impl Default for ClusterRequest {
    fn default() -> ClusterRequest {
        ClusterRequest { k: 5, features: vec!["recency".into(), "frequency".into(), "monetary".into()], seed: 1, n_init: 10, max_iter: 300 }
    }
}

/// One feature as it was used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureInfo {
    /// The metric key.
    pub key: String,
    /// Its Chinese name.
    pub zh: String,
    /// Whether log1p was applied.
    pub log1p: bool,
    /// The mean of the (transformed) feature.
    pub mean: f64,
    /// Its population standard deviation.
    pub std: f64,
}

/// How a cluster's centre differs from the average.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Description {
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

/// The clustering, for the page and `model.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterReport {
    /// Clusters.
    pub k: usize,
    /// The features.
    pub features: Vec<FeatureInfo>,
    /// Members clustered.
    pub rows: usize,
    /// Sum of squared distances to the nearest centre, standardised space.
    pub inertia: f64,
    /// Centres in the standardised space, cluster 1 first.
    pub centers: Vec<Vec<f64>>,
    /// Each cluster's mean of every feature in its own units (days, purchases, yuan …).
    pub means: Vec<Vec<f64>>,
    /// Members per cluster.
    pub sizes: Vec<usize>,
    /// Mean silhouette over the sample (−1 to 1; higher is better separated).
    pub silhouette: f64,
    /// Rows the silhouette was computed on.
    pub silhouette_sample: usize,
    /// Each cluster's description.
    pub descriptions: Vec<Description>,
    /// Lloyd iterations of the kept run (and of the final pass over every row when restarts were sampled).
    pub iterations: u32,
    /// Whether restarts ran on a sample.
    pub sampled: bool,
    /// The request's seed and restarts.
    pub seed: u64,
    /// See `seed`.
    pub n_init: u32,
}

/// A clustering: the report and the member columns `cluster` (1…k) and `cluster_label`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterModel {
    /// The report.
    pub report: ClusterReport,
    /// The member columns.
    pub columns: Vec<ModelColumn>,
}

/// Whether a metric is log1p-transformed before standardising.
pub fn log_scaled(m: Metric) -> bool {
    matches!(
        m,
        Metric::Recency
            | Metric::Frequency
            | Metric::Monetary
            | Metric::AvgSpend
            | Metric::PurchaseInterval
            | Metric::Refunds
            | Metric::EventCount
            | Metric::Tenure
    )
}

/// `sign(v) · ln(1 + |v|)`.
pub fn signed_log1p(v: f64) -> f64 {
    ln_1p(v.abs()).copysign(v)
}

/// A k-means result over a row-major matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct KMeans {
    /// `k × d` centres, row-major.
    pub centers: Vec<f64>,
    /// The cluster of each row.
    pub labels: Vec<u32>,
    /// Sum of squared distances to the assigned centres.
    pub inertia: f64,
    /// Lloyd iterations.
    pub iterations: u32,
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Greedy k-means++ seeding of `k` centres from the rows of `x` (`d` columns).
pub fn seed_centers(x: &[f64], d: usize, k: usize, rng: &mut SplitMix64) -> Vec<f64> {
    let n = x.len() / d;
    let row = |i: usize| &x[i * d..(i + 1) * d];
    let mut centers = Vec::with_capacity(k * d);
    let first = rng.below(n as u64) as usize;
    centers.extend_from_slice(row(first));
    let mut closest: Vec<f64> = (0..n).map(|i| dist2(row(i), row(first))).collect();
    let mut potential: f64 = closest.iter().sum();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut cumulative = vec![0.0; n];
    let mut candidate = vec![0.0; n];
    let mut best_closest = vec![0.0; n];
    for _ in 1..k {
        let mut acc = 0.0;
        for (c, v) in cumulative.iter_mut().zip(&closest) {
            acc += v;
            *c = acc;
        }
        let mut best: Option<(f64, usize)> = None;
        for _ in 0..trials {
            let target = rng.unit() * acc;
            let pick = cumulative.partition_point(|&c| c <= target).min(n - 1);
            let mut pot = 0.0;
            for i in 0..n {
                candidate[i] = closest[i].min(dist2(row(i), row(pick)));
                pot += candidate[i];
            }
            if best.map_or(true, |(b, _)| pot < b) {
                best = Some((pot, pick));
                best_closest.copy_from_slice(&candidate);
            }
        }
        let (pot, pick) = best.unwrap_or((potential, 0));
        potential = pot;
        closest.copy_from_slice(&best_closest);
        centers.extend_from_slice(row(pick));
    }
    centers
}

/// Assigns every row to its nearest centre; returns the inertia and how many labels changed.
fn assign(x: &[f64], d: usize, centers: &[f64], labels: &mut [u32], dists: &mut [f64]) -> (f64, usize) {
    let k = centers.len() / d;
    let (mut inertia, mut changed) = (0.0, 0);
    for (i, p) in x.chunks_exact(d).enumerate() {
        let (mut best, mut best_c) = (f64::INFINITY, 0u32);
        for c in 0..k {
            let v = dist2(p, &centers[c * d..(c + 1) * d]);
            if v < best {
                best = v;
                best_c = c as u32;
            }
        }
        if labels[i] != best_c {
            changed += 1;
            labels[i] = best_c;
        }
        dists[i] = best;
        inertia += best;
    }
    (inertia, changed)
}

/// Lloyd's iterations from `centers`.
pub fn lloyd(x: &[f64], d: usize, mut centers: Vec<f64>, max_iter: u32) -> KMeans {
    let n = x.len() / d;
    let k = centers.len() / d;
    let mut labels = vec![u32::MAX; n];
    let mut dists = vec![0.0; n];
    let mut iterations = 0;
    let (mut sums, mut counts) = (vec![0.0; k * d], vec![0usize; k]);
    loop {
        let (_, changed) = assign(x, d, &centers, &mut labels, &mut dists);
        if changed == 0 || iterations >= max_iter {
            break;
        }
        iterations += 1;
        sums.iter_mut().for_each(|s| *s = 0.0);
        counts.iter_mut().for_each(|c| *c = 0);
        for (i, p) in x.chunks_exact(d).enumerate() {
            let c = labels[i] as usize;
            counts[c] += 1;
            sums[c * d..(c + 1) * d].iter_mut().zip(p).for_each(|(s, v)| *s += v);
        }
        let mut shift = 0.0;
        for c in 0..k {
            let new: Vec<f64> = if counts[c] == 0 {
                // An emptied cluster takes the row farthest from its centre.
                let far = (0..n).max_by(|&a, &b| dists[a].total_cmp(&dists[b])).unwrap_or(0);
                dists[far] = 0.0;
                x[far * d..(far + 1) * d].to_vec()
            } else {
                sums[c * d..(c + 1) * d].iter().map(|s| s / counts[c] as f64).collect()
            };
            shift += dist2(&new, &centers[c * d..(c + 1) * d]);
            centers[c * d..(c + 1) * d].copy_from_slice(&new);
        }
        if shift <= 1e-4 {
            assign(x, d, &centers, &mut labels, &mut dists);
            break;
        }
    }
    let inertia = dists.iter().sum();
    KMeans { centers, labels, inertia, iterations }
}

/// Rows kept for the restarts past this many rows.
pub const SAMPLE_ROWS: usize = 65_536;

/// k-means with `n_init` seeded restarts (on a sample past [`SAMPLE_ROWS`]); returns the result and whether the
/// restarts were sampled.
pub fn kmeans(x: &[f64], d: usize, k: usize, seed: u64, n_init: u32, max_iter: u32) -> (KMeans, bool) {
    let n = x.len() / d;
    let mut rng = SplitMix64::new(seed);
    let sampled = n > SAMPLE_ROWS;
    let sample: Vec<f64> = if sampled {
        let picks = sample_rows(n, SAMPLE_ROWS, &mut rng);
        picks.iter().flat_map(|&i| x[i * d..(i + 1) * d].iter().copied()).collect()
    } else {
        Vec::new()
    };
    let data = if sampled { &sample[..] } else { x };
    let mut best: Option<KMeans> = None;
    for _ in 0..n_init.max(1) {
        let start = seed_centers(data, d, k, &mut rng);
        let run = lloyd(data, d, start, max_iter);
        if best.as_ref().map_or(true, |b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    let best = best.unwrap_or(KMeans { centers: Vec::new(), labels: Vec::new(), inertia: f64::NAN, iterations: 0 });
    if sampled {
        let full = lloyd(x, d, best.centers, max_iter);
        (full, true)
    } else {
        (best, false)
    }
}

/// `m` distinct row indices out of `n`, in increasing order (a partial Fisher–Yates shuffle).
pub fn sample_rows(n: usize, m: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let m = m.min(n);
    for i in 0..m {
        let j = i + rng.below((n - i) as u64) as usize;
        idx.swap(i, j);
    }
    idx.truncate(m);
    idx.sort_unstable();
    idx
}

/// The mean silhouette of the labelled rows `picks` (Euclidean distance; 0 for a row alone in its cluster).
pub fn silhouette(x: &[f64], d: usize, labels: &[u32], k: usize, picks: &[usize]) -> f64 {
    if k < 2 || picks.len() < 2 {
        return f64::NAN;
    }
    let mut total = 0.0;
    let mut sums = vec![0.0; k];
    let mut counts = vec![0usize; k];
    for &i in picks {
        counts[labels[i] as usize] += 1;
    }
    for &i in picks {
        sums.iter_mut().for_each(|s| *s = 0.0);
        for &j in picks {
            if i != j {
                sums[labels[j] as usize] += dist2(&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]).sqrt();
            }
        }
        let own = labels[i] as usize;
        if counts[own] <= 1 {
            continue;
        }
        let a = sums[own] / (counts[own] - 1) as f64;
        let b = (0..k).filter(|&c| c != own && counts[c] > 0).map(|c| sums[c] / counts[c] as f64).fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / picks.len() as f64
}

/// Words for a feature far above (`true`) or below the average: (Chinese, English).
fn words(m: Metric, high: bool) -> (String, String) {
    let fixed = |zh: &str, en: &str| (zh.to_string(), en.to_string());
    match (m, high) {
        (Metric::Recency, false) => fixed("近期活跃", "recent"),
        (Metric::Recency, true) => fixed("久未购买", "lapsed"),
        (Metric::Frequency, true) => fixed("高频", "frequent"),
        (Metric::Frequency, false) => fixed("低频", "infrequent"),
        (Metric::Monetary, true) => fixed("高消费", "high spend"),
        (Metric::Monetary, false) => fixed("低消费", "low spend"),
        (Metric::AvgSpend, true) => fixed("高客单", "high basket"),
        (Metric::AvgSpend, false) => fixed("低客单", "low basket"),
        _ => {
            let info = m.info();
            if high {
                (format!("{}高", info.zh), format!("high {}", info.key))
            } else {
                (format!("{}低", info.zh), format!("low {}", info.key))
            }
        }
    }
}

/// The description of a centre (standardised coordinates) over the features.
pub fn describe(center: &[f64], metrics: &[Metric]) -> Description {
    let mut far: Vec<(f64, usize)> = center.iter().enumerate().filter(|(_, z)| z.abs() >= 0.5).map(|(i, z)| (z.abs(), i)).collect();
    far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if far.is_empty() {
        return Description { zh: "接近平均".into(), en: "about average".into() };
    }
    let parts: Vec<(String, String)> = far.iter().map(|&(_, i)| words(metrics[i], center[i] > 0.0)).collect();
    Description {
        zh: parts.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join(" · "),
        en: parts.iter().map(|p| p.1.as_str()).collect::<Vec<_>>().join(" · "),
    }
}

/// Resolves the request's features to numeric metrics.
pub fn metrics_of(features: &[String]) -> Result<Vec<Metric>> {
    features
        .iter()
        .map(|f| match find_metric(f.trim()) {
            Some(info) if info.ty == MetricType::Num => Ok(info.metric),
            _ => Err(Error::model_bad_feature(f)),
        })
        .collect()
}

/// The feature matrix: the members with every feature present, and their transformed (not yet standardised)
/// values, row-major.
pub fn matrix(frame: &Frame<'_>, metrics: &[Metric]) -> (Vec<u32>, Vec<f64>) {
    let columns: Vec<_> = metrics.iter().map(|&m| frame.num(m)).collect();
    let (mut members, mut x) = (Vec::new(), Vec::new());
    for p in 0..frame.len() {
        if columns.iter().any(|c| c[p].is_nan()) {
            continue;
        }
        members.push(p as u32);
        for (c, &m) in columns.iter().zip(metrics) {
            x.push(if log_scaled(m) { signed_log1p(c[p]) } else { c[p] });
        }
    }
    (members, x)
}

/// Standardises the columns of `x` in place; returns each column's mean and population standard deviation.
pub fn standardise(x: &mut [f64], d: usize) -> Vec<(f64, f64)> {
    let n = (x.len() / d).max(1) as f64;
    (0..d)
        .map(|j| {
            let mean = x.iter().skip(j).step_by(d).sum::<f64>() / n;
            let var = x.iter().skip(j).step_by(d).map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
            let std = var.sqrt();
            x.iter_mut().skip(j).step_by(d).for_each(|v| *v = if std > 0.0 { (*v - mean) / std } else { 0.0 });
            (mean, std)
        })
        .collect()
}

/// Clusters the frame's members.
pub fn fit(frame: &Frame<'_>, request: &ClusterRequest) -> Result<ClusterModel> {
    if !(2..=50).contains(&request.k) {
        return Err(Error::bad_model_option("k", 2.0, 50.0));
    }
    if !(1..=100).contains(&request.n_init) {
        return Err(Error::bad_model_option("nInit", 1.0, 100.0));
    }
    if request.features.is_empty() || request.features.len() > 16 {
        return Err(Error::bad_model_option("features", 1.0, 16.0));
    }
    let metrics = metrics_of(&request.features)?;
    let d = metrics.len();
    let k = request.k;
    let (members, mut x) = matrix(frame, &metrics);
    let n = members.len();
    if n < k {
        return Err(Error::model_too_few_rows(n, k));
    }
    let raw_columns: Vec<_> = metrics.iter().map(|&m| frame.num(m)).collect();
    let stats = standardise(&mut x, d);
    let (run, sampled) = kmeans(&x, d, k, request.seed, request.n_init, request.max_iter.max(1));

    // Number clusters by size, largest first.
    let mut sizes = vec![0usize; k];
    run.labels.iter().for_each(|&l| sizes[l as usize] += 1);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank = vec![0u32; k];
    order.iter().enumerate().for_each(|(r, &c)| rank[c] = r as u32);
    let labels: Vec<u32> = run.labels.iter().map(|&l| rank[l as usize]).collect();
    let centers: Vec<Vec<f64>> = order.iter().map(|&c| run.centers[c * d..(c + 1) * d].to_vec()).collect();
    let sizes: Vec<usize> = order.iter().map(|&c| sizes[c]).collect();
    let mut means = vec![vec![0.0; d]; k];
    for (i, &p) in members.iter().enumerate() {
        for j in 0..d {
            means[labels[i] as usize][j] += raw_columns[j][p as usize];
        }
    }
    means.iter_mut().zip(&sizes).for_each(|(m, &s)| m.iter_mut().for_each(|v| *v /= s.max(1) as f64));

    let mut rng = SplitMix64::new(request.seed ^ 0x7369_6c68);
    let picks = sample_rows(n, 3000, &mut rng);
    let silhouette = silhouette(&x, d, &labels, k, &picks);
    let descriptions: Vec<Description> = centers.iter().map(|c| describe(c, &metrics)).collect();

    let mut cluster = vec![f64::NAN; frame.len()];
    let mut codes = vec![crate::base::dict::NONE; frame.len()];
    for (i, &p) in members.iter().enumerate() {
        cluster[p as usize] = f64::from(labels[i] + 1);
        codes[p as usize] = labels[i];
    }
    let values = descriptions.iter().enumerate().map(|(c, desc)| format!("{} · {}", c + 1, desc.zh)).collect();
    let columns = vec![
        ModelColumn { key: "cluster".into(), zh: "聚类".into(), en: "Cluster".into(), values: ModelValues::Num(cluster.into()) },
        ModelColumn {
            key: "cluster_label".into(),
            zh: "聚类描述".into(),
            en: "Cluster description".into(),
            values: ModelValues::Text(TextColumn { codes, values }.into()),
        },
    ];
    let features = metrics
        .iter()
        .zip(&stats)
        .map(|(&m, &(mean, std))| FeatureInfo {
            key: m.info().key.to_string(),
            zh: m.info().zh.to_string(),
            log1p: log_scaled(m),
            mean,
            std,
        })
        .collect();
    let report = ClusterReport {
        k,
        features,
        rows: n,
        inertia: run.inertia,
        centers,
        means,
        sizes,
        silhouette,
        silhouette_sample: picks.len(),
        descriptions,
        iterations: run.iterations,
        sampled,
        seed: request.seed,
        n_init: request.n_init,
    };
    Ok(ClusterModel { report, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three tight blobs in two dimensions.
    fn blobs(seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        let mut x = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for _ in 0..200 {
                x.push(cx + 0.3 * rng.normal());
                x.push(cy + 0.3 * rng.normal());
            }
        }
        x
    }

    #[test]
    fn separates_well_separated_blobs_and_the_inertia_is_the_within_sum_of_squares() {
        let x = blobs(3);
        let (run, sampled) = kmeans(&x, 2, 3, 42, 5, 300);
        assert!(!sampled);
        for blob in 0..3 {
            let first = run.labels[blob * 200];
            assert!(run.labels[blob * 200..(blob + 1) * 200].iter().all(|&l| l == first), "blob {blob} is one cluster");
        }
        let mut brute = 0.0;
        for (i, p) in x.chunks_exact(2).enumerate() {
            let c = run.labels[i] as usize;
            brute += dist2(p, &run.centers[c * 2..c * 2 + 2]);
        }
        assert!((brute - run.inertia).abs() < 1e-9 * brute);
        // Each blob's variance is 2 × 0.09 per point.
        assert!((run.inertia / 600.0 - 0.18).abs() < 0.04, "{}", run.inertia);
        let picks: Vec<usize> = (0..600).collect();
        assert!(silhouette(&x, 2, &run.labels, 3, &picks) > 0.9);
    }

    #[test]
    fn the_same_seed_gives_the_same_clusters_and_another_seed_may_not_start_alike() {
        let x = blobs(5);
        assert_eq!(kmeans(&x, 2, 4, 7, 3, 300), kmeans(&x, 2, 4, 7, 3, 300));
        let mut a = SplitMix64::new(1);
        let mut b = SplitMix64::new(2);
        assert_ne!(seed_centers(&x, 2, 4, &mut a), seed_centers(&x, 2, 4, &mut b));
    }

    #[test]
    fn standardising_gives_mean_zero_and_unit_population_deviation() {
        let mut x = vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 6.0, 5.0];
        let stats = standardise(&mut x, 2);
        assert_eq!(stats[0], (3.0, (14.0f64 / 4.0).sqrt()));
        assert_eq!(stats[1], (5.0, 0.0));
        assert!(x.iter().skip(1).step_by(2).all(|&v| v == 0.0));
        let mean: f64 = x.iter().step_by(2).sum::<f64>() / 4.0;
        let var: f64 = x.iter().step_by(2).map(|v| v * v).sum::<f64>() / 4.0;
        assert!(mean.abs() < 1e-15 && (var - 1.0).abs() < 1e-12);
    }

    #[test]
    fn descriptions_name_the_features_far_from_the_average() {
        let m = [Metric::Recency, Metric::Frequency, Metric::AvgSpend];
        assert_eq!(describe(&[-1.2, 0.9, 0.6], &m).zh, "近期活跃 · 高频 · 高客单");
        assert_eq!(describe(&[0.1, -0.2, 0.3], &m).en, "about average");
        assert_eq!(describe(&[0.7, -2.0, 0.0], &m).en, "infrequent · lapsed");
        assert_eq!(signed_log1p(-(std::f64::consts::E - 1.0)), -1.0);
    }
}
