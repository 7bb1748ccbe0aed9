//! A/B and control groups: an audience split into arms by a salted hash of each member's key, optionally
//! stratified, with a balance check of the arms on recency, frequency and monetary.
//!
//! The hash of a member is the first 8 bytes of SHA-256(salt ‖ ":" ‖ member key), read as a big-endian u64 `h`.
//! Without stratification a member goes to the first arm whose cumulative ratio exceeds `h ÷ 2⁶⁴`: the arm
//! depends only on the salt, the key and the ratios, so the same split comes back tomorrow and a member keeps their
//! arm when others join or leave. With stratification, each stratum's members are ordered by `h` and cut into arms
//! of exactly the sizes the ratios give (largest remainders: each arm gets ⌊n·r⌋ and the members left over go to
//! the arms with the largest fractions, ties to the earlier arm), so every stratum is split in the same
//! proportions; an arm then depends on who else is in the stratum.

use super::stats::mean_sd;
use crate::base::dict::NONE;
use crate::error::{Error, Result};
use crate::metrics::names::Metric;
use crate::metrics::Frame;
use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash, as documented in the split report.
pub const HASH: &str = "first 8 bytes of SHA-256(salt ‖ \":\" ‖ member key), big-endian u64";

/// |SMD| above which an arm is flagged as unbalanced.
pub const SMD_THRESHOLD: f64 = 0.1;

/// The most arms a split may have.
pub const MAX_ARMS: usize = 100;

/// The metrics of the balance check.
pub const BALANCE_METRICS: [Metric; 3] = [Metric::Recency, Metric::Frequency, Metric::Monetary];

/// An arm to split into.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmSpec {
    /// Its name (`test`, `control`, 实验组 …).
    pub name: String,
    /// Its weight; weights are normalised to sum to 1 (90 and 10, or 0.9 and 0.1).
    pub ratio: f64,
}

/// A split to make.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SplitRequest {
    /// The audience: an expression or a definition's name (split a snapshot to keep the members fixed).
    pub audience: String,
    /// The salt (a campaign's name, say): the same salt gives the same split.
    pub salt: String,
    /// The arms (default: `test` and `control`, half each).
    pub arms: Vec<ArmSpec>,
    /// A dimension to stratify by (`RFM分群`, or `rfm` for short; any enumerated tag or attribute).
    pub stratify: Option<String>,
    /// The control arm's name (default: the arm called `control` or 对照组, else the last arm).
    pub control: Option<String>,
}

impl SplitRequest {
    /// The arms, defaulted and checked; their ratios normalised to sum to 1.
    pub fn arms(&self) -> Result<Vec<ArmSpec>> {
        let arms = if self.arms.is_empty() {
            vec![ArmSpec { name: "test".into(), ratio: 0.5 }, ArmSpec { name: "control".into(), ratio: 0.5 }]
        } else {
            self.arms.clone()
        };
        if arms.len() > MAX_ARMS {
            return Err(Error::too_many_arms(MAX_ARMS));
        }
        for (i, a) in arms.iter().enumerate() {
            if a.name.trim().is_empty() || arms[..i].iter().any(|b| b.name == a.name) {
                return Err(Error::arm_names());
            }
            if !(a.ratio.is_finite() && a.ratio > 0.0) {
                return Err(Error::arm_ratio(&a.name));
            }
        }
        let total: f64 = arms.iter().map(|a| a.ratio).sum();
        Ok(arms.into_iter().map(|a| ArmSpec { ratio: a.ratio / total, ..a }).collect())
    }

    /// The index of the control arm among `arms`.
    pub fn control_index(&self, arms: &[ArmSpec]) -> Result<usize> {
        match &self.control {
            Some(name) => arms.iter().position(|a| &a.name == name).ok_or_else(|| Error::no_such_arm(name)),
            None => Ok(arms.iter().position(|a| matches!(a.name.as_str(), "control" | "对照组" | "对照")).unwrap_or(arms.len() - 1)),
        }
    }
}

/// A member's hash: the first 8 bytes of SHA-256(salt ‖ ":" ‖ key), big-endian.
pub fn split_hash(salt: &str, key: &str) -> u64 {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(key.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The arm of a hash without stratification: the first arm whose cumulative ratio exceeds `h ÷ 2⁶⁴`.
pub fn arm_of(hash: u64, ratios: &[f64]) -> usize {
    let x = hash as f64 / 18_446_744_073_709_551_616.0;
    let mut cumulative = 0.0;
    for (i, r) in ratios.iter().enumerate() {
        cumulative += r;
        if x < cumulative {
            return i;
        }
    }
    ratios.len().saturating_sub(1)
}

/// Sizes of the arms for `n` members: ⌊n·rᵢ⌋ each, the rest to the largest fractions (ties to the earlier arm).
pub fn apportion(n: u64, ratios: &[f64]) -> Vec<u64> {
    let quotas: Vec<f64> = ratios.iter().map(|r| n as f64 * r).collect();
    let mut sizes: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let mut left = n.saturating_sub(sizes.iter().sum());
    let mut order: Vec<usize> = (0..ratios.len()).collect();
    order.sort_by(|&a, &b| (quotas[b] - quotas[b].floor()).total_cmp(&(quotas[a] - quotas[a].floor())).then(a.cmp(&b)));
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        sizes[i] += 1;
        left -= 1;
    }
    sizes
}

/// Splits `audience` into arms. `key` gives a member's key; `strata`, when given, a stratum code per member.
pub fn split<'k>(
    audience: &RoaringBitmap,
    key: impl Fn(u32) -> &'k str,
    salt: &str,
    ratios: &[f64],
    strata: Option<&[u32]>,
) -> Vec<RoaringBitmap> {
    let mut arms = vec![RoaringBitmap::new(); ratios.len()];
    match strata {
        None => {
            for p in audience {
                arms[arm_of(split_hash(salt, key(p)), ratios)].insert(p);
            }
        }
        Some(codes) => {
            let mut groups: std::collections::BTreeMap<u32, Vec<(u64, u32)>> = std::collections::BTreeMap::new();
            for p in audience {
                groups.entry(codes[p as usize]).or_default().push((split_hash(salt, key(p)), p));
            }
            for members in groups.values_mut() {
                members.sort_unstable();
                let sizes = apportion(members.len() as u64, ratios);
                let mut it = members.iter();
                for (arm, &size) in sizes.iter().enumerate() {
                    for &(_, p) in it.by_ref().take(size as usize) {
                        arms[arm].insert(p);
                    }
                }
            }
        }
    }
    arms
}

/// One arm of a split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arm {
    /// Its name.
    pub name: String,
    /// Its ratio (normalised).
    pub ratio: f64,
    /// Members in it.
    pub count: u64,
    /// `count` over the audience.
    pub share: f64,
}

/// One stratum of a stratified split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stratum {
    /// Its value (`""` for members without one).
    pub value: String,
    /// Members in it.
    pub count: u64,
    /// Members of it in each arm.
    pub arms: Vec<u64>,
}

/// A metric's statistics in one arm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArmStat {
    /// The arm.
    pub arm: String,
    /// Members with a value.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
}

/// The standardised mean difference of one arm against the control.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Smd {
    /// The arm.
    pub arm: String,
    /// (mean − control mean) ÷ √((sd² + control sd²) ÷ 2); none when both deviations are 0 and the means differ.
    pub smd: Option<f64>,
    /// |SMD| above the threshold (or undefined).
    pub flagged: bool,
}

/// The balance of one metric across the arms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceMetric {
    /// The metric's key.
    pub metric: &'static str,
    /// Its Chinese name.
    pub zh: &'static str,
    /// Each arm's statistics.
    pub arms: Vec<ArmStat>,
    /// Each arm but the control against the control.
    pub smd: Vec<Smd>,
}

/// The balance check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Balance {
    /// The control arm.
    pub control: String,
    /// The |SMD| threshold.
    pub threshold: f64,
    /// Recency, frequency and monetary.
    pub metrics: Vec<BalanceMetric>,
    /// No SMD is flagged.
    pub balanced: bool,
}

/// A split and its balance.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitReport {
    /// Members in the audience.
    pub audience: u64,
    /// The salt.
    pub salt: String,
    /// The hash used.
    pub hash: &'static str,
    /// The dimension stratified by.
    pub stratified_by: Option<String>,
    /// The arms.
    pub arms: Vec<Arm>,
    /// The strata (stratified splits only).
    pub strata: Vec<Stratum>,
    /// The balance check.
    pub balance: Balance,
}

/// The balance of `arms` on recency, frequency and monetary against arm `control`.
pub fn balance(frame: &Frame<'_>, names: &[String], arms: &[RoaringBitmap], control: usize) -> Balance {
    let mut metrics = Vec::new();
    for m in BALANCE_METRICS {
        let values = frame.num(m);
        let stats: Vec<ArmStat> = names
            .iter()
            .zip(arms)
            .map(|(name, set)| {
                let (n, mean, sd) = mean_sd(set.iter().map(|p| values[p as usize]).filter(|x| !x.is_nan()));
                ArmStat { arm: name.clone(), n, mean, sd }
            })
            .collect();
        let c = &stats[control];
        let smd = stats
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != control)
            .map(|(_, s)| {
                let pooled = ((s.sd * s.sd + c.sd * c.sd) / 2.0).sqrt();
                let smd = if pooled > 0.0 {
                    Some((s.mean - c.mean) / pooled)
                } else if s.mean == c.mean {
                    Some(0.0)
                } else {
                    None
                };
                Smd { arm: s.arm.clone(), smd, flagged: !matches!(smd, Some(x) if x.abs() <= SMD_THRESHOLD) }
            })
            .collect();
        let info = m.info();
        metrics.push(BalanceMetric { metric: info.key, zh: info.zh, arms: stats, smd });
    }
    let balanced = metrics.iter().all(|m| m.smd.iter().all(|s| !s.flagged));
    Balance { control: names[control].clone(), threshold: SMD_THRESHOLD, metrics, balanced }
}

/// The report of a split.
pub fn report(
    salt: &str,
    specs: &[ArmSpec],
    arms: &[RoaringBitmap],
    strata: Option<(String, &crate::metrics::TextColumn)>,
    balance: Balance,
) -> SplitReport {
    let audience: u64 = arms.iter().map(RoaringBitmap::len).sum();
    let share = |c: u64| if audience == 0 { 0.0 } else { c as f64 / audience as f64 };
    let mut out = SplitReport {
        audience,
        salt: salt.to_string(),
        hash: HASH,
        stratified_by: None,
        arms: specs
            .iter()
            .zip(arms)
            .map(|(s, a)| Arm { name: s.name.clone(), ratio: s.ratio, count: a.len(), share: share(a.len()) })
            .collect(),
        strata: Vec::new(),
        balance,
    };
    if let Some((name, column)) = strata {
        let mut by: std::collections::BTreeMap<u32, Vec<u64>> = std::collections::BTreeMap::new();
        for (i, set) in arms.iter().enumerate() {
            for p in set {
                by.entry(column.codes[p as usize]).or_insert_with(|| vec![0; arms.len()])[i] += 1;
            }
        }
        out.strata = by
            .into_iter()
            .map(|(code, counts)| Stratum {
                value: if code == NONE { String::new() } else { column.values[code as usize].clone() },
                count: counts.iter().sum(),
                arms: counts,
            })
            .collect();
        out.stratified_by = Some(name);
    }
    out
}
