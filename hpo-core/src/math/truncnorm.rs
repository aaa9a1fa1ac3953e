//! The truncated standard normal as Optuna's `_truncnorm.py` computes it: `log_gauss_mass` (the
//! log of the normal mass in `[a, b]`, with [`gauss_mass`] its linear-space form), `ppf` and
//! `logpdf`, on top of the standard normal of [`super::normal`].
//!
//! `ppf` samples by inverting the CDF in linear space from whichever tail keeps full relative
//! precision (Wichura's AS 241 rational approximations), and falls back to
//! Optuna's log-space Newton iteration when the probabilities underflow.

use super::normal::{
    self as normal, LN_SQRT_2PI, cdf, cdf_by_erf, erfc, log_cdf, quantile, quantile_of_log,
};

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

/// Draws from normals truncated to `[lo, hi]`, the `i`-th with mean `mu[i]`, scale `sigma[i]`,
/// at probability `q[i]`, into `out[i]`: `ppf_with_tails(q[i], a, b, (below[i], above[i])) *
/// sigma[i] + mu[i]` with `a = (lo - mu[i]) / sigma[i]` and `b = (hi - mu[i]) / sigma[i]`, the
/// same bits. The common case (a reliable mass, a quantile in AS 241's central region) is
/// computed for all draws without branches, on the widest vectors the CPU has; the others are
/// then redone one at a time.
#[derive(Debug, Clone, Copy)]
pub struct Draws<'a> {
    /// The truncation range, in the units of `mu`.
    pub lo: f64,
    /// See `lo`.
    pub hi: f64,
    /// The probabilities, in `(0, 1)` for a draw.
    pub q: &'a [f64],
    /// The normals' means.
    pub mu: &'a [f64],
    /// The normals' scales.
    pub sigma: &'a [f64],
    /// `tails(a, b).0` of each draw's standardised range.
    pub below: &'a [f64],
    /// `tails(a, b).1` of each draw's standardised range.
    pub above: &'a [f64],
}

impl Draws<'_> {
    /// The draws into `out` (resized to the number of draws: the shortest slice).
    pub fn run(self, out: &mut Vec<f64>) {
        self.run_with(out, |common| pulp::Arch::new().dispatch(common));
    }

    /// [`run`](Self::run) with its common pass run by `common` (a test runs it on each
    /// vector width).
    fn run_with(self, out: &mut Vec<f64>, common: impl FnOnce(CommonDraws<'_>)) {
        let n = self
            .q
            .len()
            .min(self.mu.len())
            .min(self.sigma.len())
            .min(self.below.len())
            .min(self.above.len());
        out.clear();
        out.resize(n, 0.0);
        let draws = self.first(n);
        common(CommonDraws { draws, out });
        let Draws {
            lo,
            hi,
            q,
            mu,
            sigma,
            below,
            above,
        } = draws;
        // NaN marks the draws the common case does not cover (and those whose value is NaN,
        // which the general path reproduces).
        for (i, o) in out.iter_mut().enumerate() {
            if o.is_nan() {
                let (a, b) = ((lo - mu[i]) / sigma[i], (hi - mu[i]) / sigma[i]);
                *o = ppf_with_tails(q[i], a, b, (below[i], above[i])) * sigma[i] + mu[i];
            }
        }
    }

    /// The first `n` draws (at most as many as every slice holds).
    fn first(self, n: usize) -> Self {
        Draws {
            q: &self.q[..n],
            mu: &self.mu[..n],
            sigma: &self.sigma[..n],
            below: &self.below[..n],
            above: &self.above[..n],
            ..self
        }
    }
}

/// The common case of [`Draws`] into `out` (as long as the draws), compiled once per vector
/// width.
struct CommonDraws<'a> {
    draws: Draws<'a>,
    out: &'a mut [f64],
}

impl pulp::WithSimd for CommonDraws<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let d = self.draws.first(self.out.len());
        let (q, _) = S::as_simd_f64s(d.q);
        let (mu, _) = S::as_simd_f64s(d.mu);
        let (sigma, _) = S::as_simd_f64s(d.sigma);
        let (below, _) = S::as_simd_f64s(d.below);
        let (above, _) = S::as_simd_f64s(d.above);
        let (out, rest) = S::as_mut_simd_f64s(self.out);
        // The last few draws take the general path.
        rest.fill(f64::NAN);
        let splat = |v: f64| simd.splat_f64s(v);
        let (lo, hi) = (splat(d.lo), splat(d.hi));
        let (zero, half, one) = (splat(0.0), splat(0.5), splat(1.0));
        let (nan, sign) = (splat(f64::NAN), simd.splat_u64s(1 << 63));
        let mut num = [zero; 8];
        let mut den = [zero; 8];
        for c in 0..8 {
            num[c] = splat(normal::AS241_A[c]);
            den[c] = splat(normal::AS241_B[c]);
        }
        for i in 0..out.len() {
            let (u, m, s) = (q[i], mu[i], sigma[i]);
            let a = simd.div_f64s(simd.sub_f64s(lo, m), s);
            let b = simd.div_f64s(simd.sub_f64s(hi, m), s);
            // `ppf_with_tails` and `left_plan` lane by lane, without their branches: for
            // `a >= 0` the mirror image, the quantile of `1 - q` on `[-b, -a]`, negated.
            let left = simd.less_than_f64s(a, zero);
            let pa = simd.select_f64s(left, below[i], above[i]);
            let upper_b = simd.select_f64s(left, above[i], below[i]);
            let qq = simd.select_f64s(left, u, simd.sub_f64s(one, u));
            let mass = simd.sub_f64s(simd.sub_f64s(one, pa), upper_b);
            let lower = simd.add_f64s(pa, simd.mul_f64s(qq, mass));
            let upper = simd.add_f64s(upper_b, simd.mul_f64s(simd.sub_f64s(one, qq), mass));
            let from_lower = simd.less_than_or_equal_f64s(lower, half);
            let p = simd.select_f64s(from_lower, lower, upper);
            // `quantile_central(p)`: the same operations (its Horner sums start from their
            // leading coefficient, which is what `0 * r + c` is for a finite `r`).
            let c = simd.sub_f64s(p, half);
            let r = simd.sub_f64s(splat(0.180_625), simd.mul_f64s(c, c));
            let (mut n_r, mut d_r) = (num[7], den[7]);
            for k in (0..7).rev() {
                n_r = simd.add_f64s(simd.mul_f64s(n_r, r), num[k]);
                d_r = simd.add_f64s(simd.mul_f64s(d_r, r), den[k]);
            }
            let x = simd.div_f64s(simd.mul_f64s(c, n_r), d_r);
            let negated =
                simd.transmute_f64s_u64s(simd.xor_u64s(simd.transmute_u64s_f64s(x), sign));
            let x = simd.select_f64s(simd.xor_m64s(from_lower, left), negated, x);
            // `f64::clamp`'s comparisons.
            let x = simd.select_f64s(simd.less_than_f64s(x, a), a, x);
            let x = simd.select_f64s(simd.greater_than_f64s(x, b), b, x);
            let tiny = splat(1e-300);
            let common = [
                simd.not_m64s(simd.equal_f64s(a, b)),
                simd.greater_than_f64s(u, zero),
                simd.less_than_f64s(u, one),
                simd.greater_than_f64s(mass, splat(1e-12)),
                simd.greater_than_f64s(pa, tiny),
                simd.or_m64s(from_lower, simd.greater_than_f64s(upper, tiny)),
                simd.less_than_or_equal_f64s(simd.abs_f64s(c), splat(0.425)),
            ];
            let mut all = common[0];
            for m in &common[1..] {
                all = simd.and_m64s(all, *m);
            }
            out[i] = simd.select_f64s(all, simd.add_f64s(simd.mul_f64s(x, s), m), nan);
        }
    }
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
    use pulp::WithSimd;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// The draws of [`Draws`] are `ppf_with_tails(..) * sigma + mu` to the bit, on every
    /// vector width and every length: draws in the common case and every way out of it (a
    /// probability of 0 or 1 or NaN, a mass too small or too far out to be reliable, a
    /// quantile in AS 241's tails, an empty range, ranges on either side of zero).
    #[test]
    fn draws_are_the_scalar_ppf_to_the_bit() {
        let mut rng = crate::rng::Rng::seed_from_u64(3);
        let (lo, hi) = (-5.0, 5.0);
        let mut cases = Vec::new();
        for i in 0..4000 {
            let mu = match i % 5 {
                0 => rng.next_f64() * 10.0 - 5.0,
                1 => rng.next_f64() * 40.0 - 20.0,
                2 => 5.0 - rng.next_f64() * 1e-3,
                _ => rng.next_f64() - 0.5,
            };
            let sigma = match i % 7 {
                0 => rng.next_f64() * 1e-2,
                1 => 10.0 * rng.next_f64() + 1e-3,
                2 => 1e-9,
                _ => rng.next_f64() + 1e-3,
            };
            let q = match i % 11 {
                0 => rng.next_f64() * 1e-6,
                1 => 1.0 - rng.next_f64() * 1e-9,
                _ => rng.next_f64(),
            };
            cases.push((q, mu, sigma));
        }
        cases.extend([
            (0.0, 0.0, 1.0),
            (1.0, 0.0, 1.0),
            (f64::NAN, 0.0, 1.0),
            (0.5, 0.0, f64::INFINITY),
            (0.3, 60.0, 1.0),
            (0.3, -60.0, 1.0),
            (0.9, 0.0, 1e-300),
            (0.075, 0.0, 1e3),
            (0.925, 0.0, 1e3),
        ]);
        let column = |f: fn(&(f64, f64, f64)) -> f64| cases.iter().map(f).collect::<Vec<_>>();
        let (q, mu, sigma) = (column(|c| c.0), column(|c| c.1), column(|c| c.2));
        let standard = |i: usize| ((lo - mu[i]) / sigma[i], (hi - mu[i]) / sigma[i]);
        let tail: Vec<(f64, f64)> = (0..cases.len())
            .map(|i| {
                let (a, b) = standard(i);
                tails(a, b)
            })
            .collect();
        let (below, above): (Vec<f64>, Vec<f64>) = tail.iter().copied().unzip();
        let want: Vec<u64> = (0..cases.len())
            .map(|i| {
                let (a, b) = standard(i);
                (ppf_with_tails(q[i], a, b, tail[i]) * sigma[i] + mu[i]).to_bits()
            })
            .collect();
        let all = Draws {
            lo,
            hi,
            q: &q,
            mu: &mu,
            sigma: &sigma,
            below: &below,
            above: &above,
        };
        let draws = |n: usize| all.first(n);
        let check = |got: &[f64], width: &str| {
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g.to_bits(), *w, "{width}: draw {i} {:?}: {g}", cases[i]);
            }
        };
        let mut out = Vec::new();
        for n in (0..=40).chain([cases.len()]) {
            draws(n).run(&mut out);
            assert_eq!(out.len(), n);
            check(&out, "dispatched");
        }
        let n = cases.len();
        draws(n).run_with(&mut out, |c| c.with_simd(pulp::Scalar::new()));
        check(&out, "scalar");
        #[cfg(target_arch = "x86_64")]
        if let Some(v3) = pulp::x86::V3::try_new() {
            draws(n).run_with(&mut out, |c| c.with_simd(v3));
            check(&out, "AVX2");
        }
        // Most draws take the common case: the vectors are not a detour to the general path.
        let mut common = vec![0.0; n];
        CommonDraws {
            draws: all,
            out: &mut common,
        }
        .with_simd(pulp::Scalar::new());
        let taken = common.iter().filter(|x| !x.is_nan()).count();
        assert!(taken > n / 3, "{taken} of {n} draws in the common case");
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
