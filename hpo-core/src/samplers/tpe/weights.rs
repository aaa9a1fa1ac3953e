//! TPE's default gamma (how many trials count as "good") and kernel weights.

/// Optuna's `default_gamma`: `min(ceil(0.1 n), 25)` (single objective).
pub fn default_gamma(n: usize) -> usize {
    ((0.1 * n as f64).ceil() as usize).min(25)
}

/// Optuna's `default_gamma_multiobjective`: `ceil(0.1 n)`, no cap.
pub fn default_gamma_multiobjective(n: usize) -> usize {
    (0.1 * n as f64).ceil() as usize
}

/// Optuna's deprecated `hyperopt_default_gamma`: `min(ceil(0.25 sqrt(n)), 25)`.
pub fn hyperopt_default_gamma(n: usize) -> usize {
    ((0.25 * (n as f64).sqrt()).ceil() as usize).min(25)
}

/// Optuna's `default_weights`: ones for fewer than 25 observations; otherwise a linear ramp
/// from `1/n` to 1 over the oldest `n - 25` (by trial number) and ones for the newest 25.
pub fn default_weights(n: usize) -> Vec<f64> {
    let mut w = Vec::new();
    default_weights_into(n, &mut w);
    w
}

/// [`default_weights`] into a buffer kept between calls (TPE's, every trial).
pub(crate) fn default_weights_into(n: usize, w: &mut Vec<f64>) {
    w.clear();
    if n < 25 {
        w.resize(n, 1.0);
    } else {
        let ramp = n - 25;
        w.reserve(n);
        // numpy.linspace(1/n, 1.0, num=ramp): its last value is exactly the end.
        let start = 1.0 / n as f64;
        if ramp == 1 {
            w.push(start);
        } else if ramp > 1 {
            let step = (1.0 - start) / (ramp - 1) as f64;
            w.resize(ramp - 1, 0.0);
            pulp::Arch::new().dispatch(Ramp {
                out: w,
                start,
                step,
            });
            w.push(1.0);
        }
        w.resize(n, 1.0);
    }
}

/// `out[i] = start + i * step` (a multiply, then an add: never fused), on the widest vectors
/// the CPU has. The indices are counted in floating point (exact below 2^53), so the same bits
/// as `i as f64` on every width.
struct Ramp<'a> {
    out: &'a mut [f64],
    start: f64,
    step: f64,
}

impl pulp::WithSimd for Ramp<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let (head, tail) = S::as_mut_simd_f64s(self.out);
        let lanes = std::mem::size_of::<S::f64s>() / std::mem::size_of::<f64>();
        let iota: [f64; 8] = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let mut index = simd.partial_load_f64s(&iota[..lanes]);
        let next = simd.splat_f64s(lanes as f64);
        let (start, step) = (simd.splat_f64s(self.start), simd.splat_f64s(self.step));
        for h in head.iter_mut() {
            *h = simd.add_f64s(start, simd.mul_f64s(index, step));
            index = simd.add_f64s(index, next);
        }
        let done = head.len() * lanes;
        for (j, t) in tail.iter_mut().enumerate() {
            *t = self.start + (done + j) as f64 * self.step;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectorised ramp gives the bits of the scalar formula, on every length (whole
    /// vectors and a tail) and on the portable code.
    #[test]
    fn the_ramp_is_the_scalar_formula_to_the_bit() {
        for n in (25..200).chain([975, 1000, 1001, 4096, 10_007]) {
            let w = default_weights(n);
            let ramp = n - 25;
            let start = 1.0 / n as f64;
            let step = (1.0 - start) / (ramp as f64 - 1.0);
            for (i, x) in w.iter().enumerate() {
                let want = if ramp == 1 && i == 0 {
                    start
                } else if i + 1 < ramp {
                    start + i as f64 * step
                } else {
                    1.0
                };
                assert_eq!(x.to_bits(), want.to_bits(), "n {n}, weight {i}");
            }
            let mut portable = vec![0.0; ramp.saturating_sub(1)];
            pulp::Simd::vectorize(
                pulp::Scalar::new(),
                Ramp {
                    out: &mut portable,
                    start,
                    step,
                },
            );
            assert_eq!(portable, w[..portable.len()], "n {n}, portable");
        }
    }

    #[test]
    fn gammas_and_weights() {
        assert_eq!(default_gamma(0), 0);
        assert_eq!(default_gamma(10), 1);
        assert_eq!(default_gamma(11), 2);
        assert_eq!(default_gamma(1000), 25);
        assert_eq!(default_gamma_multiobjective(1000), 100);
        assert_eq!(hyperopt_default_gamma(100), 3);
        assert_eq!(default_weights(3), vec![1.0; 3]);
        let w = default_weights(30);
        assert_eq!(w.len(), 30);
        assert_eq!(w[0], 1.0 / 30.0);
        assert_eq!(w[4], 1.0);
        assert!((w[2] - (1.0 / 30.0 + 2.0 * (1.0 - 1.0 / 30.0) / 4.0)).abs() < 1e-15);
        assert!(w[5..].iter().all(|x| *x == 1.0));
        assert_eq!(default_weights(26), {
            let mut v = vec![1.0 / 26.0];
            v.extend(vec![1.0; 25]);
            v
        });
    }
}
