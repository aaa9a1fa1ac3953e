//! The truncated standard normal as Optuna's `_truncnorm.py` computes it: `log_gauss_mass` (the
//! log of the normal mass in `[a, b]`, with [`gauss_mass`] its linear-space form), `ppf` and
//! `logpdf`, on top of the standard normal of [`normal`](super::normal).
//!
//! `ppf` samples by inverting the CDF in linear space from whichever tail keeps full relative
//! precision (Wichura's AS 241 rational approximations), and falls back to
//! Optuna's log-space Newton iteration when the probabilities underflow.

use super::normal::{LN_SQRT_2PI, cdf, cdf_by_erf, erfc, log_cdf, quantile, quantile_of_log};

/// `log(exp(p) - exp(q))` for `p >= q`.
fn log_diff(log_p: f64, log_q: f64) -> f64 {
    log_p + (-(log_q - log_p).exp()).ln_1p()
}

/// `Φ(b) - Φ(a)` for `a <= b`, accurate in both tails: the difference is taken on the side of
/// zero where both terms keep their relative precision (PED-ANOVA's grid kernels).
pub fn gauss_mass(a: f64, b: f64) -> f64 {
    const SQRT_2: f64 = std::f64::consts::SQRT_2;
    if a >= 0.0 {
        0.5 * (erfc(a / SQRT_2) - erfc(b / SQRT_2))
    } else if b <= 0.0 {
        0.5 * (erfc(-b / SQRT_2) - erfc(-a / SQRT_2))
    } else {
        1.0 - 0.5 * (erfc(-a / SQRT_2) + erfc(b / SQRT_2))
    }
}

/// log of the standard normal mass in `[a, b]` (Optuna's `_log_gauss_mass`).
pub fn log_gauss_mass(a: f64, b: f64) -> f64 {
    if b <= 0.0 {
        log_diff(log_cdf(b), log_cdf(a))
    } else if a > 0.0 {
        log_diff(log_cdf(-a), log_cdf(-b))
    } else {
        // Optuna's vectorised `_ndtr` here is 0.5 + 0.5 * erf(x / sqrt 2).
        let ndtr_a = cdf_by_erf(a);
        let ndtr_mb = cdf_by_erf(-b);
        (-ndtr_a - ndtr_mb).ln_1p()
    }
}

/// `logaddexp`.
fn log_add(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// The `q`-quantile of the standard normal truncated to `[a, b]`.
pub fn ppf(q: f64, a: f64, b: f64) -> f64 {
    ppf_with_tails(q, a, b, tails(a, b))
}

/// `(Φ(a), Φ(-b))`: the normal mass below and above `[a, b]`, which [`ppf_with_tails`] takes
/// so that a caller drawing often from the same `[a, b]` computes them once.
pub fn tails(a: f64, b: f64) -> (f64, f64) {
    (cdf(a), cdf(-b))
}

/// [`ppf`] given `tails(a, b)`; the same result to the bit.
pub fn ppf_with_tails(q: f64, a: f64, b: f64, (below, above): (f64, f64)) -> f64 {
    if a == b {
        return f64::NAN;
    }
    if q <= 0.0 {
        return a;
    }
    if q >= 1.0 {
        return b;
    }
    let x = if a < 0.0 {
        ppf_left(q, a, b, below, above)
    } else {
        -ppf_left(1.0 - q, -b, -a, above, below)
    };
    x.clamp(a, b)
}

/// `ppf` for `a < 0`, given `pa = Φ(a)` and `upper_b = Φ(-b)` (`1 - Φ(b)`, exact in the upper
/// tail).
fn ppf_left(q: f64, a: f64, b: f64, pa: f64, upper_b: f64) -> f64 {
    let mass = 1.0 - pa - upper_b;
    let reliable = mass > 1e-12 && pa > 1e-300;
    if reliable {
        let lower = pa + q * mass;
        if lower <= 0.5 {
            return quantile(lower);
        }
        let upper = upper_b + (1.0 - q) * mass;
        if upper > 1e-300 {
            return -quantile(upper);
        }
    }
    // Far tails or a tiny mass: Optuna's log-space method.
    let log_mass = log_gauss_mass(a, b);
    quantile_of_log(log_add(log_cdf(a), q.ln() + log_mass))
}

/// Log density at `x` of the normal `(loc, scale)` truncated to `[loc + a*scale, loc + b*scale]`;
/// `log_mass` is `log_gauss_mass(a, b)`.
pub fn logpdf(x: f64, a: f64, b: f64, loc: f64, scale: f64, log_mass: f64) -> f64 {
    let z = (x - loc) / scale;
    if a == b {
        return f64::NAN;
    }
    if z < a || z > b {
        return f64::NEG_INFINITY;
    }
    -0.5 * z * z - LN_SQRT_2PI - log_mass - scale.ln()
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // Golden values printed by Optuna, kept verbatim.
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// Values printed by Optuna 5.0's `_truncnorm` for the same inputs.
    #[test]
    fn matches_optuna() {
        let a = [-3.0, -0.5, -40.0, 0.0, -1e-3];
        let b = [2.0, 7.0, 0.5, 100.0, 1e-3];
        let want = [
            -0.024395187554887357,
            -0.36894641529050726,
            -0.36894641528865635,
            -0.6931471805599453,
            -7.133546798293504,
        ];
        for i in 0..5 {
            assert!(close(log_gauss_mass(a[i], b[i]), want[i], 1e-13), "{i}");
        }
        let tails = [
            (5.0, 6.0, -15.06844609652945),
            (-12.0, -11.0, -63.82494339220964),
            (30.0, 31.0, -454.3212439563432),
        ];
        for (a, b, w) in tails {
            assert!(close(log_gauss_mass(a, b), w, 1e-12), "{a} {b}");
        }
        let q = [0.0, 0.1, 0.5, 0.9, 0.999999, 1.0];
        let w = [
            -2.0,
            -1.2065933286343837,
            -0.0552454370168053,
            1.0033273672154175,
            1.4999929705468804,
            1.5,
        ];
        for i in 0..6 {
            assert!(
                close(ppf(q[i], -2.0, 1.5), w[i], 1e-9),
                "q={} got {}",
                q[i],
                ppf(q[i], -2.0, 1.5)
            );
        }
        assert!(close(ppf(0.3, -0.1, 50.0), 0.31105478674994397, 1e-9));
        assert!(close(ppf(0.7, -30.0, 0.2), -0.2391831173191725, 1e-9));
        let lm = log_gauss_mass(-2.0, 1.5);
        assert!(close(
            logpdf(0.3, -2.0, 1.5, 0.1, 2.0, lm),
            -1.523261363030628,
            1e-13
        ));
        assert!(close(
            logpdf(-1.0, -2.0, 1.5, 0.1, 2.0, lm),
            -1.6695113630306282,
            1e-13
        ));
    }

    #[test]
    fn gauss_mass_in_tails_and_middle() {
        assert!((gauss_mass(-1.0, 1.0) - 0.682_689_492_137_085_9).abs() < 1e-15);
        // Far tail: Phi(-9) - Phi(-10), relative accuracy kept.
        let m = gauss_mass(-10.0, -9.0);
        assert!(
            (m / 1.128_512_207_423_600_6e-19 - 1.0).abs() < 1e-10,
            "{m:e}"
        );
        assert!((gauss_mass(9.0, 10.0) - m).abs() < 1e-30);
        // The linear and log forms agree.
        for (a, b) in [(-3.0, 2.0), (0.5, 4.0), (-12.0, -11.0)] {
            let (lin, log) = (gauss_mass(a, b), log_gauss_mass(a, b).exp());
            assert!((lin / log - 1.0).abs() < 1e-12, "{a} {b}: {lin:e} {log:e}");
        }
    }

    #[test]
    fn ppf_stays_inside_and_inverts_the_cdf() {
        for &(a, b) in &[
            (-3.0, 0.5),
            (-0.1, 80.0),
            (-90.0, 0.01),
            (-1e-3, 1e-3),
            (0.0, 5.0),
            (-5.0, 0.0),
        ] {
            let lm = log_gauss_mass(a, b);
            for i in 0..=100 {
                let q = i as f64 / 100.0;
                let x = ppf(q, a, b);
                assert!(x >= a && x <= b, "{a} {b} {q} -> {x}");
                if q > 0.0 && q < 1.0 {
                    // CDF of the truncated normal at x equals q.
                    let cdf = (log_gauss_mass(a, x) - lm).exp();
                    assert!((cdf - q).abs() < 1e-9, "{a} {b} {q}: cdf {cdf}");
                }
            }
        }
    }
}
