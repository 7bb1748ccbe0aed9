//! The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005; Hardie's note 025) as lifetimes'
//! `GammaGammaFitter` defines it: fitted on repeat buyers' (frequency, mean spend of the repeat days) from
//! lifetimes' start (every log-parameter 0.1), the penalty `penalizer × (p² + q² + v²)` added to the mean negative
//! log-likelihood; the expected spend per purchase of a buyer is the credibility-weighted mean of equation (5).

use super::math::{digamma, exp, ln, ln_gamma};
use super::optimize::{minimise, Minimum};
use serde::Serialize;

/// Gamma-Gamma parameters, money in yuan.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GammaGamma {
    /// Shape of the gamma distribution of a buyer's transactions.
    pub p: f64,
    /// Shape of the gamma distribution of its scale across buyers.
    pub q: f64,
    /// Scale of that distribution, in yuan.
    pub v: f64,
}

/// A fitted Gamma-Gamma model.
#[derive(Clone, Debug, PartialEq)]
pub struct GammaGammaFit {
    /// The parameters.
    pub params: GammaGamma,
    /// The log-likelihood at the parameters, summed over repeat buyers.
    pub log_likelihood: f64,
    /// The minimiser's report (on the mean negative log-likelihood).
    pub minimum: Minimum,
}

/// Distinct (frequency, mean spend) pairs of repeat buyers with their weights, sorted by frequency.
struct Pairs {
    x: Vec<f64>,
    ln_x: Vec<f64>,
    m: Vec<f64>,
    ln_m: Vec<f64>,
    w: Vec<f64>,
}

fn pairs(x: &[u32], m: &[f64]) -> Pairs {
    let mut rows: Vec<(u32, u64)> = x.iter().zip(m).filter(|(&x, &m)| x > 0 && m > 0.0).map(|(&x, &m)| (x, m.to_bits())).collect();
    rows.sort_unstable();
    let mut out = Pairs { x: Vec::new(), ln_x: Vec::new(), m: Vec::new(), ln_m: Vec::new(), w: Vec::new() };
    let mut last = None;
    for row in rows {
        if last == Some(row) {
            *out.w.last_mut().unwrap_or(&mut 0.0) += 1.0;
            continue;
        }
        last = Some(row);
        let (x, m) = (f64::from(row.0), f64::from_bits(row.1));
        out.x.push(x);
        out.ln_x.push(ln(x));
        out.m.push(m);
        out.ln_m.push(ln(m));
        out.w.push(1.0);
    }
    out
}

/// The mean negative log-likelihood plus the penalty at log-parameters `lp`, with its gradient.
fn objective(d: &Pairs, penalizer: f64, lp: &[f64], grad: &mut [f64]) -> f64 {
    let (p, q, v) = (exp(lp[0]), exp(lp[1]), exp(lp[2]));
    let (lg_q, dg_q, ln_v) = (ln_gamma(q), digamma(q), ln(v));
    let (mut ll, mut gp, mut gq, mut gv, mut total) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut current = f64::NAN;
    let (mut lg, mut dg_pxq, mut dg_px) = (0.0, 0.0, 0.0);
    for i in 0..d.x.len() {
        let (x, w) = (d.x[i], d.w[i]);
        let px = p * x;
        if x != current {
            current = x;
            lg = ln_gamma(px + q) - ln_gamma(px) - lg_q;
            dg_pxq = digamma(px + q);
            dg_px = digamma(px);
        }
        let xmv = x * d.m[i] + v;
        let ln_xmv = ln(xmv);
        ll += w * (lg + q * ln_v + (px - 1.0) * d.ln_m[i] + px * d.ln_x[i] - (px + q) * ln_xmv);
        gp += w * x * (dg_pxq - dg_px + d.ln_m[i] + d.ln_x[i] - ln_xmv);
        gq += w * (dg_pxq - dg_q + ln_v - ln_xmv);
        gv += w * (q / v - (px + q) / xmv);
        total += w;
    }
    let theta = [p, q, v];
    let g = [gp, gq, gv];
    for k in 0..3 {
        grad[k] = -g[k] * theta[k] / total + 2.0 * penalizer * theta[k] * theta[k];
    }
    -ll / total + penalizer * theta.iter().map(|t| t * t).sum::<f64>()
}

/// Fits Gamma-Gamma to repeat buyers (`x > 0`, `m > 0`; other rows are ignored). `None` without any.
pub fn fit(x: &[u32], m: &[f64], penalizer: f64) -> Option<GammaGammaFit> {
    let d = pairs(x, m);
    if d.x.is_empty() {
        return None;
    }
    let mut f = |lp: &[f64], g: &mut [f64]| objective(&d, penalizer, lp, g);
    let minimum = minimise(&mut f, &[0.1; 3], 1e-9, 1000);
    let params = GammaGamma { p: exp(minimum.x[0]), q: exp(minimum.x[1]), v: exp(minimum.x[2]) };
    let total: f64 = d.w.iter().sum();
    let log_likelihood = -objective(&d, 0.0, &minimum.x, &mut [0.0; 3]) * total;
    Some(GammaGammaFit { params, log_likelihood, minimum })
}

impl GammaGamma {
    /// The population mean spend per purchase, `v p / (q − 1)` (infinite or negative when `q ≤ 1`).
    pub fn population_mean(&self) -> f64 {
        self.v * self.p / (self.q - 1.0)
    }

    /// The expected spend per purchase of a buyer with `x` repeat days of mean spend `m` (equation (5)); the
    /// population mean for a buyer without repeats.
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let weight = self.p * x / (self.p * x + self.q - 1.0);
        (1.0 - weight) * self.population_mean() + weight * m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_is_the_derivative_of_the_objective() {
        let d = pairs(&[1, 2, 2, 5, 9, 1], &[10.0, 35.5, 35.5, 12.0, 80.0, 3.0]);
        assert_eq!(d.w, vec![1.0, 1.0, 2.0, 1.0, 1.0]);
        let lp = [0.7, 0.9, 2.1];
        let mut g = [0.0; 3];
        objective(&d, 0.001, &lp, &mut g);
        for k in 0..3 {
            let (mut up, mut down) = (lp, lp);
            up[k] += 1e-6;
            down[k] -= 1e-6;
            let numeric = (objective(&d, 0.001, &up, &mut [0.0; 3]) - objective(&d, 0.001, &down, &mut [0.0; 3])) / 2e-6;
            assert!((g[k] - numeric).abs() < 1e-7, "parameter {k}: {} vs {numeric}", g[k]);
        }
    }

    #[test]
    fn expected_spend_moves_from_the_population_mean_toward_the_buyers_own() {
        let m = GammaGamma { p: 5.0, q: 4.0, v: 20.0 };
        assert!((m.expected_spend(0.0, 0.0) - m.population_mean()).abs() < 1e-12);
        let few = m.expected_spend(1.0, 100.0);
        let many = m.expected_spend(50.0, 100.0);
        assert!(m.population_mean() < few && few < many && many < 100.0);
    }
}
