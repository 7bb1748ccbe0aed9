//! Numerics shared by the models: the transcendental functions through the pure-Rust `libm` (so a fit gives the
//! same bits natively and in wasm, where the platform's own `ln`/`exp` may differ in the last place), the log-gamma
//! and digamma functions, and a numerically safe logistic function.

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// `e^x`.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// `ln(1 + x)`, accurate for small `x`.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// `x^y`.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// The logistic function `1 / (1 + e^-x)`, without overflow for large `|x|`.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}

/// `ln(1 + e^x)`, without overflow for large `x`.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + ln_1p(exp(-x.abs()))
}

/// Lanczos coefficients (g = 7, n = 9): about 15 significant digits over the positive reals.
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0` (Lanczos; the reflection formula below 0.5). Past 10 it uses Stirling's series, which
/// is exact to the last digits there and keeps large arguments (`r + x` for a frequent buyer) accurate.
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return ln(pi / libm::sin(pi * x).abs()) - ln_gamma(1.0 - x);
    }
    if x >= 10.0 {
        let inv = 1.0 / x;
        let inv2 = inv * inv;
        let series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0))));
        return (x - 0.5) * ln(x) - x + 0.5 * ln(std::f64::consts::TAU) + series;
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * ln(std::f64::consts::TAU) + (x + 0.5) * ln(t) - t + ln(sum)
}

/// The digamma function `ψ(x) = d/dx ln Γ(x)` for `x > 0`: the recurrence up to 10, then the asymptotic series.
pub fn digamma(mut x: f64) -> f64 {
    let mut out = 0.0;
    while x < 10.0 {
        out -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    out + ln(x) - 0.5 * inv - inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials_and_half_integers() {
        let mut fact = 1.0f64;
        for n in 1..60u32 {
            // Γ(n + 1) = n!
            fact *= f64::from(n);
            let got = ln_gamma(f64::from(n) + 1.0);
            assert!((got - fact.ln()).abs() <= 1e-13 * fact.ln().abs().max(1.0), "n = {n}: {got} vs {}", fact.ln());
        }
        // Γ(1/2) = √π, Γ(3/2) = √π / 2, and a value near 0.
        let sqrt_pi = std::f64::consts::PI.sqrt();
        assert!((ln_gamma(0.5) - sqrt_pi.ln()).abs() < 1e-14);
        assert!((ln_gamma(1.5) - (sqrt_pi / 2.0).ln()).abs() < 1e-14);
        // Γ(0.01) = 99.4325851191506… (Γ(x) ≈ 1/x − γ near 0).
        assert!((ln_gamma(0.01) - 99.432_585_119_150_6f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn digamma_is_the_derivative_of_ln_gamma() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, and central differences elsewhere.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-13);
        for &x in &[0.03, 0.7, 2.5, 9.9, 10.1, 47.0, 1234.5] {
            let h = 1e-5 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - numeric).abs() < 1e-6 * digamma(x).abs().max(1.0), "x = {x}: {} vs {numeric}", digamma(x));
        }
    }

    #[test]
    fn logistic_helpers_do_not_overflow() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.3) - 1.0 / (1.0 + (-0.3f64).exp())).abs() < 1e-16);
        assert!((softplus(800.0) - 800.0).abs() < 1e-12);
        assert!((softplus(-2.0) - (1.0 + (-2.0f64).exp()).ln()).abs() < 1e-15);
    }
}
