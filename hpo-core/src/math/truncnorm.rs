//! The truncated standard normal as Optuna's `_truncnorm.py` computes it: `log_ndtr`,
//! `log_gauss_mass` (the log of the normal mass in `[a, b]`), `ppf` and `logpdf`.
//!
//! `ppf` samples by inverting the CDF in linear space from whichever tail keeps full relative
//! precision (Acklam's rational approximation refined by a Halley step), and falls back to
//! Optuna's log-space Newton iteration when the probabilities underflow.

use std::f64::consts::{PI, SQRT_2};

const NORM_PDF_LOG_C: f64 = 0.918_938_533_204_672_8; // ln(sqrt(2 pi))

/// Φ(a), with the erf / erfc branch choice of Optuna's `_ndtr_single`.
pub fn ndtr(a: f64) -> f64 {
    let x = a / SQRT_2;
    if x < -1.0 / SQRT_2 {
        0.5 * libm::erfc(-x)
    } else if x < 1.0 / SQRT_2 {
        0.5 + 0.5 * libm::erf(x)
    } else {
        1.0 - 0.5 * libm::erfc(x)
    }
}

/// log Φ(a), accurate in both tails (Optuna's `_log_ndtr_single`).
pub fn log_ndtr(a: f64) -> f64 {
    if a > 6.0 {
        return -ndtr(-a);
    }
    if a > -20.0 {
        return ndtr(a).ln();
    }
    let log_lhs = -0.5 * a * a - (-a).ln() - 0.5 * (2.0 * PI).ln();
    let mut last_total: f64 = 0.0;
    let mut rhs: f64 = 1.0;
    let mut numerator = 1.0;
    let mut denom_factor = 1.0;
    let denom_cons = 1.0 / (a * a);
    let mut sign = 1.0;
    let mut i = 0.0;
    while (last_total - rhs).abs() > f64::EPSILON {
        i += 1.0;
        last_total = rhs;
        sign = -sign;
        denom_factor *= denom_cons;
        numerator *= 2.0 * i - 1.0;
        rhs += sign * numerator * denom_factor;
    }
    log_lhs + rhs.ln()
}

/// `log(exp(p) - exp(q))` for `p >= q`.
fn log_diff(log_p: f64, log_q: f64) -> f64 {
    log_p + (-(log_q - log_p).exp()).ln_1p()
}

/// log of the standard normal mass in `[a, b]` (Optuna's `_log_gauss_mass`).
pub fn log_gauss_mass(a: f64, b: f64) -> f64 {
    if b <= 0.0 {
        log_diff(log_ndtr(b), log_ndtr(a))
    } else if a > 0.0 {
        log_diff(log_ndtr(-a), log_ndtr(-b))
    } else {
        // Optuna's vectorised `_ndtr` here is 0.5 + 0.5 * erf(x / sqrt 2).
        let ndtr_a = 0.5 + 0.5 * libm::erf(a / SQRT_2);
        let ndtr_mb = 0.5 + 0.5 * libm::erf(-b / SQRT_2);
        (-ndtr_a - ndtr_mb).ln_1p()
    }
}

/// Standard normal quantile for `0 < p < 1`: Acklam's approximation plus one Halley step.
pub fn ndtri(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let x = if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step on e = Φ(x) - p brings the 1e-9 approximation to full precision; for
    // x >= 0, Φ(x) - p is computed as (1 - p) - Q(x) to keep the upper tail's precision.
    let e = if x < 0.0 {
        0.5 * libm::erfc(-x / SQRT_2) - p
    } else {
        (1.0 - p) - 0.5 * libm::erfc(x / SQRT_2)
    };
    let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Optuna's `_ndtri_exp`: x with log Φ(x) = y, by Newton iteration in log space.
pub fn ndtri_exp(y: f64) -> f64 {
    let flipped = y > -0.01;
    let z = if flipped { (-y.exp_m1()).ln() } else { y };
    let mut x = if z < -5.0 {
        -(-2.0 * (z + NORM_PDF_LOG_C)).sqrt()
    } else {
        -(3f64.sqrt() / PI) * (-z).exp_m1().ln()
    };
    for _ in 0..100 {
        let log_ndtr_x = log_ndtr(x);
        let log_norm_pdf_x = -0.5 * x * x - NORM_PDF_LOG_C;
        let dx = (log_ndtr_x - z) * (log_ndtr_x - log_norm_pdf_x).exp();
        x -= dx;
        if dx.abs() < 1e-8 * x.abs() {
            break;
        }
    }
    if flipped { -x } else { x }
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
        ppf_left(q, a, b)
    } else {
        -ppf_left(1.0 - q, -b, -a)
    };
    x.clamp(a, b)
}

/// `ppf` for `a < 0`.
fn ppf_left(q: f64, a: f64, b: f64) -> f64 {
    let pa = ndtr(a);
    let upper_b = ndtr(-b); // 1 - Φ(b), exact in the upper tail
    let mass = 1.0 - pa - upper_b;
    let reliable = mass > 1e-12 && pa > 1e-300;
    if reliable {
        let lower = pa + q * mass;
        if lower <= 0.5 {
            return ndtri(lower);
        }
        let upper = upper_b + (1.0 - q) * mass;
        if upper > 1e-300 {
            return -ndtri(upper);
        }
    }
    // Far tails or a tiny mass: Optuna's log-space method.
    let log_mass = log_gauss_mass(a, b);
    ndtri_exp(log_add(log_ndtr(a), q.ln() + log_mass))
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
    -0.5 * z * z - NORM_PDF_LOG_C - log_mass - scale.ln()
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
        let lnd = [
            (-50.0, -1254.8313611394199),
            (-20.5, -214.0667289632638),
            (-3.0, -6.607726221510348),
            (0.0, -0.6931471805599453),
            (2.0, -0.02301290932896349),
            (7.0, -1.279812543885835e-12),
        ];
        for (x, w) in lnd {
            assert!(close(log_ndtr(x), w, 1e-13), "{x}");
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
        let ye = [
            (-1e-10, 6.361340902411736),
            (-0.5, 0.27028802073873576),
            (-3.0, -1.646921720527715),
            (-50.0, -9.674825283612357),
            (-700.0, -37.295079632647415),
        ];
        for (y, w) in ye {
            assert!(close(ndtri_exp(y), w, 1e-8), "{y}");
        }
    }

    #[test]
    fn ndtri_is_accurate() {
        for (p, x) in [
            (0.975, 1.959963984540054),
            (0.5, 0.0),
            (1e-10, -6.361340902404056),
            (0.02, -2.053748910631823),
            (1.0 - 1e-12, 7.0344869100478356),
        ] {
            assert!(
                close(ndtri(p), x, 1e-12) || (ndtri(p) - x).abs() < 1e-12,
                "p={p}: {}",
                ndtri(p)
            );
        }
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            assert!((ndtr(ndtri(p)) - p).abs() < 1e-15, "{p}");
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
