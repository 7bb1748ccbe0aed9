//! The BG/NBD model (Fader, Hardie and Lee 2005) exactly as lifetimes' `BetaGeoFitter` defines it: the
//! log-likelihood of its section 7, maximised over log-parameters from lifetimes' start (every log-parameter 0.1)
//! with time scaled so the oldest buyer's age is 1 (lifetimes' `_scale_time`; it matters only to the penalizer,
//! which adds `penalizer × (r² + α² + a² + b²)` in that scale to the mean negative log-likelihood). Identical
//! (frequency, recency, age) rows are grouped with weights, so a fit costs one pass over the distinct patterns.
//!
//! Predictions use the closed forms lifetimes uses: P(alive) from Hardie's note 021 and the conditional expected
//! number of purchases of equation (10). Its Gauss hypergeometric term is evaluated after Euler's transformation,
//! `₂F₁(r+x, b+x; a+b+x−1; z) (1−z)^(r+x) = ₂F₁(a+b−1−r, a−1; a+b+x−1; z) (1−z)^(a−1)`, whose series converges at
//! the rate of `z` whatever the frequency and never overflows (lifetimes switches to the same identity when scipy's
//! direct series overflows).

use super::math::{digamma, exp, ln, ln_1p, ln_gamma, sigmoid};
use super::optimize::{minimise, Minimum};
use serde::Serialize;

/// BG/NBD parameters, time in days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BgNbd {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Its scale, in days.
    pub alpha: f64,
    /// First shape of the beta distribution of the drop-out probability.
    pub a: f64,
    /// Its second shape.
    pub b: f64,
}

/// Distinct (frequency, recency, age) patterns with the number of buyers of each, sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patterns {
    /// Repeat purchase days.
    pub x: Vec<u32>,
    /// First → last purchase day.
    pub t_x: Vec<u32>,
    /// First purchase day → last observed day.
    pub t: Vec<u32>,
    /// Buyers with the pattern.
    pub w: Vec<f64>,
}

impl Patterns {
    /// Groups buyers' rows.
    pub fn new(x: &[u32], t_x: &[u32], t: &[u32]) -> Patterns {
        let mut rows: Vec<(u32, u32, u32)> = (0..x.len()).map(|i| (x[i], t_x[i], t[i])).collect();
        rows.sort_unstable();
        let mut out = Patterns::default();
        for row in rows {
            if out.x.last() == Some(&row.0) && out.t_x.last() == Some(&row.1) && out.t.last() == Some(&row.2) {
                *out.w.last_mut().unwrap_or(&mut 0.0) += 1.0;
            } else {
                out.x.push(row.0);
                out.t_x.push(row.1);
                out.t.push(row.2);
                out.w.push(1.0);
            }
        }
        out
    }

    /// The number of distinct patterns.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// A fitted BG/NBD model and how the fit went.
#[derive(Clone, Debug, PartialEq)]
pub struct BgNbdFit {
    /// The parameters (days).
    pub params: BgNbd,
    /// The log-likelihood at the parameters, summed over buyers, in days.
    pub log_likelihood: f64,
    /// The minimiser's report (on the scaled mean negative log-likelihood).
    pub minimum: Minimum,
}

/// The mean negative log-likelihood (plus the penalty) at log-parameters `lp`, time scaled by `scale`, with its
/// gradient with respect to `lp`.
pub fn objective(p: &Patterns, scale: f64, penalizer: f64, lp: &[f64], grad: &mut [f64]) -> f64 {
    let (r, alpha, a, b) = (exp(lp[0]), exp(lp[1]), exp(lp[2]), exp(lp[3]));
    let max_day = p.t.iter().copied().max().unwrap_or(0) as usize;
    // ln(α + s·d) and 1/(α + s·d) for every day count.
    let (mut log_at, mut inv_at) = (Vec::with_capacity(max_day + 1), Vec::with_capacity(max_day + 1));
    for d in 0..=max_day {
        let v = alpha + scale * d as f64;
        log_at.push(ln(v));
        inv_at.push(1.0 / v);
    }
    let (ln_alpha, ln_a) = (ln(alpha), ln(a));
    let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
    let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(a + b));
    let (mut ll, mut gr, mut ga_, mut ga, mut gb, mut total) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    // Terms of one frequency, recomputed when it changes (patterns are sorted by frequency).
    let mut current = u32::MAX;
    let (mut a12, mut dr, mut da, mut db, mut ln_bx1, mut inv_bx1) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..p.len() {
        let (x, w) = (p.x[i], p.w[i]);
        let xf = f64::from(x);
        if x != current {
            current = x;
            let (lg_rx, lg_bx, lg_abx) = (ln_gamma(r + xf), ln_gamma(b + xf), ln_gamma(a + b + xf));
            a12 = lg_rx - lg_r + r * ln_alpha + lg_ab + lg_bx - lg_b - lg_abx;
            let dg_abx = digamma(a + b + xf);
            dr = digamma(r + xf) - dg_r + ln_alpha;
            da = dg_ab - dg_abx;
            db = dg_ab + digamma(b + xf) - dg_b - dg_abx;
            ln_bx1 = ln(b + xf.max(1.0) - 1.0);
            inv_bx1 = 1.0 / (b + xf.max(1.0) - 1.0);
        }
        let (lt, it) = (log_at[p.t[i] as usize], inv_at[p.t[i] as usize]);
        let rx = r + xf;
        total += w;
        if x == 0 {
            ll += w * (a12 - rx * lt);
            gr += w * (dr - lt);
            ga_ += w * (r / alpha - rx * it);
            ga += w * da;
            gb += w * db;
        } else {
            let (lr, ir) = (log_at[p.t_x[i] as usize], inv_at[p.t_x[i] as usize]);
            let d = ln_a - ln_bx1 + rx * (lt - lr);
            // sigmoid(d) and softplus(d) from one exponential.
            let e = exp(-d.abs());
            let s = if d >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            ll += w * (a12 - rx * lt + d.max(0.0) + ln_1p(e));
            gr += w * (dr - ((1.0 - s) * lt + s * lr));
            ga_ += w * (r / alpha - rx * ((1.0 - s) * it + s * ir));
            ga += w * (da + s / a);
            gb += w * (db - s * inv_bx1);
        }
    }
    let theta = [r, alpha, a, b];
    let g = [gr, ga_, ga, gb];
    for k in 0..4 {
        grad[k] = -g[k] * theta[k] / total + 2.0 * penalizer * theta[k] * theta[k];
    }
    -ll / total + penalizer * theta.iter().map(|v| v * v).sum::<f64>()
}

/// Fits BG/NBD to the patterns by maximum likelihood. The caller checks there is a repeat buyer and a positive age.
pub fn fit(p: &Patterns, penalizer: f64) -> BgNbdFit {
    let max_t = p.t.iter().copied().max().unwrap_or(1).max(1);
    let scale = 1.0 / f64::from(max_t);
    let mut f = |lp: &[f64], g: &mut [f64]| objective(p, scale, penalizer, lp, g);
    let minimum = minimise(&mut f, &[0.1; 4], 1e-9, 1000);
    let params = BgNbd { r: exp(minimum.x[0]), alpha: exp(minimum.x[1]) / scale, a: exp(minimum.x[2]), b: exp(minimum.x[3]) };
    let mut g = [0.0; 4];
    let lp = [params.r, params.alpha, params.a, params.b].map(ln);
    let total: f64 = p.w.iter().sum();
    let log_likelihood = -objective(p, 1.0, 0.0, &lp, &mut g) * total;
    BgNbdFit { params, log_likelihood, minimum }
}

impl BgNbd {
    /// `ln` of the odds of being dead, for a repeat buyer (lifetimes' `log_div`).
    fn log_odds_dead(&self, x: f64, t_x: f64, t: f64) -> f64 {
        (self.r + x) * ln((self.alpha + t) / (self.alpha + t_x)) + ln(self.a / (self.b + x.max(1.0) - 1.0))
    }

    /// The probability that a buyer with this history is still alive (1 for a buyer without repeats).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x == 0.0 {
            1.0
        } else {
            sigmoid(-self.log_odds_dead(x, t_x, t))
        }
    }

    /// `(a + b + x − 1) / (a − 1)`: the first factor of equation (10).
    pub fn leading(&self, x: f64) -> f64 {
        (self.a + self.b + x - 1.0) / (self.a - 1.0)
    }

    /// `₂F₁(r+x, b+x; a+b+x−1; z) · ((α+T)/(α+T+t))^(r+x)` with `z = t/(α+T+t)`, through Euler's transformation
    /// (see the module documentation). 1 at `t = 0`; NaN if the series does not converge.
    pub fn tail(&self, x: f64, t: f64, future: f64) -> f64 {
        if future <= 0.0 {
            return 1.0;
        }
        let denom = self.alpha + t + future;
        let z = future / denom;
        let ln_one_minus_z = ln((self.alpha + t) / denom);
        let (aa, bb, cc) = (self.a + self.b - 1.0 - self.r, self.a - 1.0, self.a + self.b + x - 1.0);
        let (mut term, mut sum, mut scale) = (1.0f64, 1.0f64, 0.0f64);
        let mut n = 0.0f64;
        loop {
            let ratio = (aa + n) * (bb + n) / ((cc + n) * (n + 1.0)) * z;
            term *= ratio;
            sum += term;
            n += 1.0;
            if sum.abs() > 1e280 {
                sum *= 1e-280;
                term *= 1e-280;
                scale += 280.0 * std::f64::consts::LN_10;
            }
            if ratio.abs() < 1.0 && term.abs() <= 1e-17 * sum.abs() {
                break;
            }
            if n > 2e6 || !sum.is_finite() {
                return f64::NAN;
            }
        }
        if scale == 0.0 {
            sum * exp(bb * ln_one_minus_z)
        } else {
            sum.signum() * exp(ln(sum.abs()) + scale + bb * ln_one_minus_z)
        }
    }

    /// The expected number of purchases in the next `future` days of a buyer with this history (equation (10)).
    pub fn expected(&self, future: f64, x: f64, t_x: f64, t: f64) -> f64 {
        self.leading(x) * (1.0 - self.tail(x, t, future)) * self.p_alive(x, t_x, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Patterns {
        // A small history set with one-time buyers, repeat buyers and a lapsed one.
        let rows = [(0, 0, 30), (0, 0, 200), (2, 40, 90), (5, 150, 160), (1, 10, 300), (3, 60, 61), (0, 0, 30), (7, 280, 300)];
        let x: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let tx: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let t: Vec<u32> = rows.iter().map(|r| r.2).collect();
        Patterns::new(&x, &tx, &t)
    }

    #[test]
    fn patterns_group_identical_rows_with_weights() {
        let p = sample();
        assert_eq!(p.len(), 7);
        assert_eq!(p.w.iter().sum::<f64>(), 8.0);
        assert_eq!((p.x[0], p.t_x[0], p.t[0], p.w[0]), (0, 0, 30, 2.0));
    }

    #[test]
    fn the_gradient_is_the_derivative_of_the_objective() {
        let p = sample();
        let lp = [-0.3, 0.4, 0.2, -0.1];
        let mut g = [0.0; 4];
        objective(&p, 1.0 / 300.0, 0.01, &lp, &mut g);
        for k in 0..4 {
            let (mut up, mut down) = (lp, lp);
            up[k] += 1e-6;
            down[k] -= 1e-6;
            let mut scratch = [0.0; 4];
            let numeric =
                (objective(&p, 1.0 / 300.0, 0.01, &up, &mut scratch) - objective(&p, 1.0 / 300.0, 0.01, &down, &mut scratch)) / 2e-6;
            assert!((g[k] - numeric).abs() < 1e-7, "parameter {k}: {} vs {numeric}", g[k]);
        }
    }

    #[test]
    fn the_tail_matches_the_direct_hypergeometric_series() {
        let m = BgNbd { r: 0.27, alpha: 42.0, a: 0.48, b: 2.1 };
        for &(x, t, future) in &[(0.0, 100.0, 30.0), (2.0, 400.0, 365.0), (10.0, 50.0, 90.0), (1.0, 0.0, 360.0)] {
            // ₂F₁(r+x, b+x; a+b+x−1; z) summed directly (it converges for these z), times (1−z)^(r+x).
            let z: f64 = future / (m.alpha + t + future);
            let (aa, bb, cc) = (m.r + x, m.b + x, m.a + m.b + x - 1.0);
            let (mut term, mut sum) = (1.0f64, 1.0f64);
            for n in 0..20000 {
                let n = f64::from(n);
                term *= (aa + n) * (bb + n) / ((cc + n) * (n + 1.0)) * z;
                sum += term;
            }
            let direct = sum * (1.0 - z).powf(m.r + x);
            let got = m.tail(x, t, future);
            assert!((got - direct).abs() < 1e-12 * direct.abs(), "x={x} T={t} t={future}: {got} vs {direct}");
        }
        assert_eq!(m.tail(3.0, 10.0, 0.0), 1.0);
    }

    /// Buyers simulated from the BG/NBD process itself, their times rounded down to days.
    fn simulate(truth: BgNbd, n: usize, seed: u64) -> Patterns {
        let mut rng = crate::base::random::SplitMix64::new(seed);
        let gamma = |rng: &mut crate::base::random::SplitMix64, shape: f64| -> f64 {
            // Marsaglia–Tsang (boosted below 1).
            let (k, boost) = if shape < 1.0 { (shape + 1.0, rng.unit().max(1e-300).powf(1.0 / shape)) } else { (shape, 1.0) };
            let d = k - 1.0 / 3.0;
            let c = 1.0 / (9.0 * d).sqrt();
            loop {
                let z = rng.normal();
                let v = (1.0 + c * z).powi(3);
                if v > 0.0 && rng.unit().max(1e-300).ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                    return d * v * boost;
                }
            }
        };
        let (mut xs, mut txs, mut ts) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let lambda = gamma(&mut rng, truth.r) / truth.alpha;
            let ga = gamma(&mut rng, truth.a);
            let p = ga / (ga + gamma(&mut rng, truth.b));
            let age = 100 + rng.below(300) as u32;
            let (mut now, mut x, mut last) = (0.0f64, 0u32, 0.0f64);
            loop {
                now += -rng.unit().max(1e-300).ln() / lambda;
                if now > f64::from(age) {
                    break;
                }
                x += 1;
                last = now;
                if rng.unit() < p {
                    break;
                }
            }
            // Continuous times rounded down to days, as a purchase-day summary would see them.
            xs.push(x);
            txs.push(last.floor() as u32);
            ts.push(age);
        }
        Patterns::new(&xs, &txs, &ts)
    }

    #[test]
    fn a_fit_recovers_the_parameters_of_simulated_buyers() {
        let truth = BgNbd { r: 0.8, alpha: 20.0, a: 0.9, b: 3.0 };
        let f = fit(&simulate(truth, 20000, 11), 0.0);
        assert!(f.minimum.converged, "{:?}", f.minimum);
        let got = f.params;
        for (name, g, t) in [("r", got.r, truth.r), ("alpha", got.alpha, truth.alpha), ("a", got.a, truth.a), ("b", got.b, truth.b)] {
            assert!((g / t - 1.0).abs() < 0.25, "{name}: {g} vs {t} ({got:?})");
        }
    }
}
