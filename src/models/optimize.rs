//! Minimisers for the maximum-likelihood fits: BFGS with an analytic gradient and a backtracking (Armijo) line
//! search, as scipy's `minimize` does for lifetimes, and Nelder–Mead as a fallback when BFGS stalls (a flat or
//! badly scaled likelihood). Both work on unconstrained parameters (the fits pass log-parameters).

/// What a minimisation reached.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The parameters at the minimum.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// The largest absolute component of the gradient there.
    pub gradient: f64,
    /// BFGS iterations (plus Nelder–Mead ones when it was needed).
    pub iterations: u32,
    /// Whether the gradient fell below the tolerance.
    pub converged: bool,
}

/// An objective: returns the value at `x` and writes the gradient into the second argument.
pub type Objective<'a> = dyn FnMut(&[f64], &mut [f64]) -> f64 + 'a;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// The largest step a line search tries in any coordinate: a log-parameter moving by more than this in one
/// step multiplies the parameter by e^8, which is never what the optimum wants and may overflow the likelihood.
const MAX_STEP: f64 = 8.0;

/// The largest gradient component at which a minimum counts as converged: scipy's default `gtol`, which lifetimes
/// uses. The minimisers aim lower (their `gtol`) and stop there or where rounding stops the line search.
pub const CONVERGED: f64 = 1e-7;

/// Minimises `f` from `x0` with BFGS; falls back to Nelder–Mead and BFGS again when BFGS does not converge
/// (see [`CONVERGED`]) within `max_iter` iterations.
pub fn minimise(f: &mut Objective<'_>, x0: &[f64], gtol: f64, max_iter: u32) -> Minimum {
    let first = bfgs(f, x0, gtol, max_iter);
    if first.converged {
        return first;
    }
    let start = if first.value.is_finite() { first.x.clone() } else { x0.to_vec() };
    let simplex = nelder_mead(f, &start, 4000);
    let mut second = bfgs(f, &simplex.x, gtol, max_iter);
    second.iterations += first.iterations + simplex.iterations;
    if second.value.is_finite() && (second.value <= first.value || !first.value.is_finite()) {
        second
    } else {
        Minimum { iterations: second.iterations, ..first }
    }
}

/// BFGS with an inverse-Hessian update and a backtracking line search.
pub fn bfgs(f: &mut Objective<'_>, x0: &[f64], gtol: f64, max_iter: u32) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g);
    let mut h = identity(n);
    let mut scaled = false;
    let (mut x_new, mut g_new, mut p) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut iterations = 0;
    while iterations < max_iter {
        if !value.is_finite() || max_abs(&g) < gtol || g.iter().any(|v| !v.is_finite()) {
            break;
        }
        iterations += 1;
        for i in 0..n {
            p[i] = -dot(&h[i], &g);
        }
        let mut slope = dot(&g, &p);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h = identity(n);
            p.iter_mut().zip(&g).for_each(|(p, g)| *p = -g);
            slope = dot(&g, &p);
        }
        let mut step = (MAX_STEP / max_abs(&p)).min(1.0);
        let mut accepted = None;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * p[i];
            }
            let v = f(&x_new, &mut g_new);
            if v.is_finite() && v <= value + 1e-4 * step * slope && g_new.iter().all(|g| g.is_finite()) {
                accepted = Some(v);
                break;
            }
            step *= 0.5;
        }
        let Some(v) = accepted else { break };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            if !scaled {
                let scale = sy / dot(&y, &y);
                h.iter_mut()
                    .enumerate()
                    .for_each(|(i, row)| row.iter_mut().enumerate().for_each(|(j, v)| *v = if i == j { scale } else { 0.0 }));
                scaled = true;
            }
            update_inverse(&mut h, &s, &y, 1.0 / sy);
        }
        let stalled = (value - v).abs() <= 1e-16 * value.abs().max(1.0) && max_abs(&s) < 1e-14;
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        value = v;
        if stalled {
            break;
        }
    }
    let gradient = max_abs(&g);
    Minimum { x, value, gradient, iterations, converged: value.is_finite() && gradient < gtol.max(CONVERGED) }
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect()
}

/// `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ`.
fn update_inverse(h: &mut [Vec<f64>], s: &[f64], y: &[f64], rho: f64) {
    let n = s.len();
    let hy: Vec<f64> = (0..n).map(|i| dot(&h[i], y)).collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            h[i][j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
        }
    }
}

/// Nelder–Mead with the standard coefficients, from a simplex of unit steps around `x0`.
pub fn nelder_mead(f: &mut Objective<'_>, x0: &[f64], max_iter: u32) -> Minimum {
    let n = x0.len();
    let mut scratch = vec![0.0; n];
    let mut eval = |x: &[f64]| {
        let v = f(x, &mut scratch);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut pts: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..n {
        let mut p = x0.to_vec();
        p[i] += if p[i].abs() > 1e-3 { 0.5 * p[i].abs().max(0.5) } else { 0.5 };
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| eval(p)).collect();
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let spread = (vals[n] - vals[0]).abs();
        let size = pts.iter().skip(1).map(|p| p.iter().zip(&pts[0]).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))).fold(0.0f64, f64::max);
        if spread <= 1e-14 * vals[0].abs().max(1.0) && size < 1e-10 {
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|j| pts[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64).collect();
        let toward = |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (pts[n][j] - centroid[j])).collect() };
        let reflected = toward(-1.0);
        let fr = eval(&reflected);
        if fr < vals[0] {
            let expanded = toward(-2.0);
            let fe = eval(&expanded);
            (pts[n], vals[n]) = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < vals[n - 1] {
            (pts[n], vals[n]) = (reflected, fr);
        } else {
            let contracted = if fr < vals[n] { toward(-0.5) } else { toward(0.5) };
            let fc = eval(&contracted);
            if fc < vals[n].min(fr) {
                (pts[n], vals[n]) = (contracted, fc);
            } else {
                for i in 1..=n {
                    pts[i] = (0..n).map(|j| pts[0][j] + 0.5 * (pts[i][j] - pts[0][j])).collect();
                    vals[i] = eval(&pts[i]);
                }
            }
        }
    }
    let best = (0..=n).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    Minimum { x: pts[best].clone(), value: vals[best], gradient: f64::NAN, iterations, converged: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's valley, a classic hard case, with its exact gradient.
    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn bfgs_finds_the_bottom_of_rosenbrocks_valley() {
        let m = bfgs(&mut rosenbrock, &[-1.2, 1.0], 1e-9, 500);
        assert!(m.converged, "{m:?}");
        assert!((m.x[0] - 1.0).abs() < 1e-7 && (m.x[1] - 1.0).abs() < 1e-7, "{m:?}");
    }

    #[test]
    fn nelder_mead_gets_close_without_gradients() {
        let m = nelder_mead(&mut rosenbrock, &[-1.2, 1.0], 5000);
        assert!((m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4, "{m:?}");
    }

    #[test]
    fn minimise_survives_an_objective_that_is_infinite_away_from_the_optimum() {
        // A log barrier: finite only for x < 3; (x − 1)² − ln(3 − x) is least where 2(x − 1) + 1/(3 − x) = 0, at 2 − √1.5.
        let mut f = |x: &[f64], g: &mut [f64]| {
            if x[0] >= 3.0 {
                g[0] = f64::NAN;
                return f64::INFINITY;
            }
            g[0] = 2.0 * (x[0] - 1.0) + 1.0 / (3.0 - x[0]);
            (x[0] - 1.0).powi(2) - (3.0 - x[0]).ln()
        };
        let m = minimise(&mut f, &[2.9], 1e-10, 200);
        let exact = 2.0 - 1.5f64.sqrt();
        assert!(m.converged && (m.x[0] - exact).abs() < 1e-8, "{m:?} vs {exact}");
    }
}
