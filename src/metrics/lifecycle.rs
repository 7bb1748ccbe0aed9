//! Lifecycle stages (潜客 prospect, 新客 new, 活跃 active, 沉默 dormant, 流失预警 at risk, 流失 lost) and their
//! thresholds, which default from the data's own purchase rhythm and can each be set.
//!
//! With `I` the median purchase interval of repeat buyers (whole days, at least 7 and at most 365; 90 when
//! nobody bought twice), the defaults are: new within `I` days of the first purchase, active within `I` days
//! of the last, dormant within `2I`, at risk within `3I`, lost beyond. Members without a purchase are prospects.
//! The stages are checked in that order: a member whose first purchase is recent is new, whatever else holds.

use serde::Serialize;

/// A lifecycle stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No purchase yet.
    Prospect,
    /// First purchase recently.
    New,
    /// Bought recently.
    Active,
    /// Has not bought for a while.
    Dormant,
    /// Close to being lost.
    AtRisk,
    /// Has not bought for a long time.
    Lost,
}

impl Stage {
    /// Every stage in order.
    pub const ALL: [Stage; 6] = [Stage::Prospect, Stage::New, Stage::Active, Stage::Dormant, Stage::AtRisk, Stage::Lost];

    /// The Chinese name (the value rules compare with: `lifecycle == "沉默"`).
    pub fn zh(self) -> &'static str {
        ["潜客", "新客", "活跃", "沉默", "流失预警", "流失"][self as usize]
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        ["Prospect", "New", "Active", "Dormant", "At risk", "Lost"][self as usize]
    }

    /// The stage of a member from days since the last purchase and since the first (`NaN` without purchases).
    pub fn of(recency: f64, since_first: f64, t: &Thresholds) -> Stage {
        if recency.is_nan() {
            Stage::Prospect
        } else if since_first <= f64::from(t.new_days) {
            Stage::New
        } else if recency <= f64::from(t.active_days) {
            Stage::Active
        } else if recency <= f64::from(t.dormant_days) {
            Stage::Dormant
        } else if recency <= f64::from(t.at_risk_days) {
            Stage::AtRisk
        } else {
            Stage::Lost
        }
    }
}

/// Thresholds set by the user (`None` = default from the data).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LifecycleConfig {
    /// First purchase within this many days: new.
    pub new_days: Option<u32>,
    /// Last purchase within this many days: active.
    pub active_days: Option<u32>,
    /// Within this many: dormant.
    pub dormant_days: Option<u32>,
    /// Within this many: at risk; beyond: lost.
    pub at_risk_days: Option<u32>,
}

/// The thresholds in force, with the median interval they defaulted from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// Median purchase interval of repeat buyers, in days (`None` when nobody bought twice).
    pub median_interval: Option<f64>,
    /// New.
    pub new_days: u32,
    /// Active.
    pub active_days: u32,
    /// Dormant.
    pub dormant_days: u32,
    /// At risk.
    pub at_risk_days: u32,
}

impl Thresholds {
    /// The thresholds from the settings, defaulting from the members' purchase intervals (`NaN` = fewer than two).
    pub fn resolve(config: &LifecycleConfig, intervals: &[f64]) -> Thresholds {
        let mut known: Vec<f64> = intervals.iter().copied().filter(|v| !v.is_nan()).collect();
        known.sort_by(f64::total_cmp);
        let median = if known.is_empty() {
            None
        } else {
            let mid = known.len() / 2;
            Some(if known.len() % 2 == 1 { known[mid] } else { (known[mid - 1] + known[mid]) / 2.0 })
        };
        let base = median.map_or(90, |m| (m.round() as u32).clamp(7, 365));
        let active = config.active_days.unwrap_or(base);
        let dormant = config.dormant_days.unwrap_or(2 * base).max(active);
        let at_risk = config.at_risk_days.unwrap_or(3 * base).max(dormant);
        Thresholds {
            median_interval: median,
            new_days: config.new_days.unwrap_or(base),
            active_days: active,
            dormant_days: dormant,
            at_risk_days: at_risk,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_median_interval() {
        let t = Thresholds::resolve(&LifecycleConfig::default(), &[f64::NAN, 20.0, 40.0, 30.0]);
        assert_eq!((t.new_days, t.active_days, t.dormant_days, t.at_risk_days), (30, 30, 60, 90));
        let set = LifecycleConfig { active_days: Some(45), ..LifecycleConfig::default() };
        assert_eq!(Thresholds::resolve(&set, &[]).active_days, 45);
        assert_eq!(Thresholds::resolve(&LifecycleConfig::default(), &[]).at_risk_days, 270);
        assert_eq!(Stage::of(f64::NAN, f64::NAN, &t), Stage::Prospect);
        assert_eq!(Stage::of(10.0, 10.0, &t), Stage::New);
        assert_eq!(Stage::of(10.0, 100.0, &t), Stage::Active);
        assert_eq!(Stage::of(61.0, 100.0, &t), Stage::AtRisk);
        assert_eq!(Stage::of(91.0, 100.0, &t), Stage::Lost);
    }
}
