//! The log of the expected-improvement kernel `h(z) = ln(φ(z) + z Φ(z))`, stable where plain EI
//! underflows (Ament et al., 2023), with its derivative. The standard normal itself (`φ`, `Φ`,
//! their logarithms, `erfcx`, `log1mexp`) is [`hpo_core::math::normal`], re-exported here.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

pub use hpo_core::math::normal::{cdf, erfcx, log_cdf, log_cdf_derivative, log_pdf, log1mexp, pdf};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn log_h_is_accurate_deep_in_the_tail() {
        // ln(φ(z) + zΦ(z)) and Φ(z) / (φ(z) + zΦ(z)) to 20 digits (mpmath, 60-digit precision),
        // across the erfcx branch and the asymptote Optuna's LogEI hands over to at z = -25.
        // A flattened tail would make LogEI of a far-from-the-incumbent point wrong by orders of
        // magnitude and mislead the acquisition search.
        let reference = [
            (-2.0, -4.768_783_523_917_114, 2.679_416_883_955_586),
            (-5.0, -16.744_301_162_660_99, 5.361_816_241_288_089),
            (-10.0, -55.553_122_036_122_36, 10.194_383_033_412_553),
            (-20.0, -206.917_838_509_425_1, 20.099_262_811_101_28),
            (-25.0, -319.861_463_581_495_95, 25.079_620_234_266_53),
            (-26.0, -345.439_546_722_318, 26.076_585_186_632_7),
            (-30.0, -457.724_653_760_598, 30.066_446_154_162_42),
            (-37.5, -711.294_748_447_512_7, 37.553_220_117_980_275),
            (-50.0, -1_258.744_182_868_461, 50.039_952_133_872_66),
        ];
        for (z, h, dh) in reference {
            assert!(close(log_h(z), h, 1e-12), "z={z}: {} vs {h}", log_h(z));
            assert!(
                close(log_h_derivative(z), dh, 1e-9),
                "z={z}: {} vs {dh}",
                log_h_derivative(z)
            );
        }
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
