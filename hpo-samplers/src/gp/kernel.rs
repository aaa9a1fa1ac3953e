//! The Matérn-5/2 kernel with automatic relevance determination, as Optuna's GPSampler uses it:
//! `k(x, x') = scale · M(d²)`, `d² = Σ_k isl_k · sqd_k(x, x')`, where `isl_k` is the inverse
//! squared lengthscale of dimension `k` and `sqd_k` is `(x_k - x'_k)²` for numeric dimensions
//! and the Hamming distance `1[x_k ≠ x'_k]` for categorical ones.

use hpo_core::math::fast_exp::exp_nonpositive;

/// Hyperparameters of the kernel and the observation noise.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelParams {
    /// One inverse squared lengthscale per input dimension.
    pub inverse_squared_lengthscales: Vec<f64>,
    /// The prior variance of the latent function.
    pub kernel_scale: f64,
    /// The observation noise variance added on the diagonal.
    pub noise_var: f64,
}

impl KernelParams {
    /// Optuna's starting point: every value 1 (noise just above its floor).
    pub fn ones(dims: usize) -> Self {
        KernelParams {
            inverse_squared_lengthscales: vec![1.0; dims],
            kernel_scale: 1.0,
            noise_var: 1.0,
        }
    }
}

/// `M(d²) = exp(-√(5 d²)) (5/3 d² + √(5 d²) + 1)` (always inlined, so that it is compiled
/// for the vector width of its caller).
#[inline(always)]
pub fn matern52(d2: f64) -> f64 {
    let r = (5.0 * d2).sqrt();
    exp_nonpositive(-r) * (r * r / 3.0 + r + 1.0)
}

/// `dM/d(d²) = -5/6 (√(5 d²) + 1) exp(-√(5 d²))`, finite at zero (`-5/6`).
#[cfg(test)]
pub fn matern52_derivative(d2: f64) -> f64 {
    let r = (5.0 * d2).sqrt();
    -5.0 / 6.0 * (r + 1.0) * (-r).exp()
}

/// `(M(d²), dM/d(d²))` with a single (vectorisable) exponential.
#[inline]
pub fn matern52_with_derivative(d2: f64) -> (f64, f64) {
    let r = (5.0 * d2).sqrt();
    let e = exp_nonpositive(-r);
    (e * (r * r / 3.0 + r + 1.0), -5.0 / 6.0 * (r + 1.0) * e)
}

/// The per-dimension distance term between two coordinates.
#[inline]
pub fn sqd(a: f64, b: f64, categorical: bool) -> f64 {
    if categorical {
        if a == b { 0.0 } else { 1.0 }
    } else {
        (a - b) * (a - b)
    }
}

/// `d²(x, x')` under inverse squared lengthscales `isl`.
#[inline]
pub fn distance2(x: &[f64], y: &[f64], isl: &[f64], categorical: &[bool]) -> f64 {
    let mut s = 0.0;
    for k in 0..x.len() {
        s += isl[k] * sqd(x[k], y[k], categorical[k]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matern_values_and_derivative() {
        assert_eq!(matern52(0.0), 1.0);
        // r = sqrt(5): exp(-r)(5/3 + r + 1).
        let r = 5f64.sqrt();
        assert!((matern52(1.0) - (-r).exp() * (5.0 / 3.0 + r + 1.0)).abs() < 1e-15);
        assert!(
            (matern52(0.3) - (-(1.5f64.sqrt())).exp() * (0.5 + 1.5f64.sqrt() + 1.0)).abs() < 1e-15
        );
        for d2 in [1e-6, 0.3, 2.0] {
            let fd = (matern52(d2 + 1e-7) - matern52(d2 - 1e-7)) / 2e-7;
            assert!((matern52_derivative(d2) - fd).abs() < 1e-6, "d2={d2}");
        }
        assert_eq!(matern52_derivative(0.0), -5.0 / 6.0);
        for d2 in [0.0, 0.7, 3.0] {
            let (m, dm) = matern52_with_derivative(d2);
            assert!(
                (m - matern52(d2)).abs() < 1e-15 && (dm - matern52_derivative(d2)).abs() < 1e-15
            );
        }
    }

    #[test]
    fn hamming_distance_for_categoricals() {
        let isl = [2.0, 3.0];
        let cat = [false, true];
        assert_eq!(distance2(&[0.5, 1.0], &[0.0, 1.0], &isl, &cat), 0.5);
        assert_eq!(distance2(&[0.5, 1.0], &[0.5, 2.0], &isl, &cat), 3.0);
    }
}
