//! The standard normal distribution in the forms a Gaussian process needs: density, CDF, their
//! logarithms far into the tails, and the log of the expected-improvement kernel
//! `h(z) = log(φ(z) + z Φ(z))`, stable where plain EI underflows (Ament et al., 2023).

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// `ln(√(2π))`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The standard normal density `φ(z)`.
pub fn pdf(z: f64) -> f64 {
    (-0.5 * z * z - LN_SQRT_2PI).exp()
}

/// `ln φ(z)`.
pub fn log_pdf(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// The standard normal CDF `Φ(z)`.
pub fn cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * FRAC_1_SQRT_2)
}

/// The scaled complementary error function `erfcx(x) = exp(x²) erfc(x)`, accurate for every
/// `x` (it decays like `1 / (x √π)` instead of underflowing).
pub fn erfcx(x: f64) -> f64 {
    if x < 25.0 {
        // erfc(25) is about 8e-274 and exp(625) about 3e271: both representable.
        libm::erfc(x) * (x * x).exp()
    } else {
        // Asymptotic series Σ (-1)^n (2n-1)!! / (2x²)^n; at x >= 25 eight terms leave a
        // relative error below 1e-20.
        let r = 1.0 / (2.0 * x * x);
        let (mut sum, mut term) = (0.0, 1.0);
        for n in 0..8 {
            sum += term;
            term *= -(2.0 * n as f64 + 1.0) * r;
        }
        sum / (x * PI.sqrt())
    }
}

/// `ln Φ(z)`, finite down to `z ≈ -1e154`.
pub fn log_cdf(z: f64) -> f64 {
    if z > -5.0 {
        cdf(z).ln()
    } else {
        // Φ(z) = ½ erfc(t) = ½ erfcx(t) e^{-t²} with t = -z/√2.
        let t = -z * FRAC_1_SQRT_2;
        (0.5 * erfcx(t)).ln() - t * t
    }
}

/// `ln(1 - e^x)` for `x < 0`, without cancellation.
pub fn log1mexp(x: f64) -> f64 {
    if x > -std::f64::consts::LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// `h(z) = ln(φ(z) + z Φ(z))`, the log of expected improvement per unit of standard deviation.
/// Stable for every finite `z`: direct for `z > -1`, through `erfcx` and `log1mexp` below, and
/// asymptotic (`-z²/2 - ln√(2π) - 2 ln|z|`) past `-1/√ε`.
pub fn log_h(z: f64) -> f64 {
    if z > -1.0 {
        (pdf(z) + z * cdf(z)).ln()
    } else if z > -1.0 / f64::EPSILON.sqrt() {
        // φ(z) + zΦ(z) = φ(z) (1 - |z| Φ(z)/φ(z)) and Φ(z)/φ(z) = √(π/2) erfcx(-z/√2).
        let mills = (PI / 2.0).sqrt() * erfcx(-z * FRAC_1_SQRT_2);
        log_pdf(z) + log1mexp((-z).ln() + mills.ln())
    } else {
        log_pdf(z) - 2.0 * (-z).ln()
    }
}

/// `h'(z) = Φ(z) / (φ(z) + z Φ(z))`, evaluated in log space.
pub fn log_h_derivative(z: f64) -> f64 {
    (log_cdf(z) - log_h(z)).exp()
}

/// `d ln Φ(z) / dz = φ(z) / Φ(z)`, evaluated in log space.
pub fn log_cdf_derivative(z: f64) -> f64 {
    (log_pdf(z) - log_cdf(z)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn cdf_and_pdf_reference_values() {
        assert!(close(cdf(0.0), 0.5, 1e-15));
        assert!(close(cdf(1.0), 0.841_344_746_068_542_9, 1e-14));
        assert!(close(cdf(-3.0), 0.001_349_898_031_630_094_6, 1e-13));
        assert!(close(pdf(1.0), 0.241_970_724_519_143_37, 1e-14));
    }

    #[test]
    fn log_cdf_in_the_far_tail() {
        // ln Φ(-40) = -804.6084420137538 (mpmath).
        assert!(close(log_cdf(-40.0), -804.608_442_013_753_8, 1e-12));
        // Continuity across the branch at -5.
        let a = log_cdf(-5.0 + 1e-9);
        let b = log_cdf(-5.0 - 1e-9);
        assert!((a - b).abs() < 1e-7);
        assert!(close(log_cdf(-5.0), cdf(-5.0).ln(), 1e-12));
    }

    #[test]
    fn erfcx_matches_both_branches() {
        assert!(close(erfcx(1.0), 0.427_583_576_155_807, 1e-13));
        assert!(close(erfcx(30.0), 0.018_795_888_861_416_75, 1e-12));
        let a = erfcx(25.0 - 1e-9);
        let b = erfcx(25.0 + 1e-9);
        assert!(close(a, b, 1e-9));
    }

    #[test]
    fn log_h_matches_the_closed_form_and_stays_finite() {
        for z in [-0.9, -0.5, 0.0, 0.7, 3.0, -1.5, -4.0, -8.0] {
            let direct = (pdf(z) + z * cdf(z)).ln();
            assert!(
                close(log_h(z), direct, 1e-9),
                "z={z}: {} vs {direct}",
                log_h(z)
            );
        }
        // Where plain EI underflows to zero, log EI stays finite and decreasing.
        assert_eq!(pdf(-40.0) + -40.0 * cdf(-40.0), 0.0);
        let (a, b) = (log_h(-40.0), log_h(-41.0));
        assert!(a.is_finite() && b.is_finite() && b < a);
        // Asymptote: h(z) ≈ ln φ(z) - 2 ln|z|.
        assert!(close(log_h(-1e9), log_pdf(-1e9) - 2.0 * 1e9f64.ln(), 1e-12));
        // The derivative matches finite differences on both branches.
        for z in [-30.0, -3.0, -0.5, 2.0] {
            let fd = (log_h(z + 1e-6) - log_h(z - 1e-6)) / 2e-6;
            assert!(close(log_h_derivative(z), fd, 1e-5), "z={z}");
        }
    }
}
