//! The log prior Optuna 5.0 puts on the GP hyperparameters (`optuna/_gp/prior.py`), with its
//! gradient with respect to the log-parameters the fit works in.

/// Minimum noise variance (Optuna's `DEFAULT_MINIMUM_NOISE_VAR`).
pub const MIN_NOISE_VAR: f64 = 1e-6;

/// `log p(θ) = -Σ_k (0.1/isl_k + 0.1 isl_k) + Gamma(2, 1)(scale) + Gamma(1.1, 30)(noise)`, each
/// Gamma term being `(k - 1) ln x - rate · x` (normalising constants dropped).
pub fn log_prior(isl: &[f64], scale: f64, noise: f64) -> f64 {
    let ls: f64 = isl.iter().map(|&v| 0.1 / v + 0.1 * v).sum();
    -ls + (scale.ln() - scale) + (0.1 * noise.ln() - 30.0 * noise)
}

/// Partial derivatives of [`log_prior`] with respect to `ln isl_k`, `ln scale` and `noise`
/// (the last one in natural units; the caller applies its own chain rule).
pub fn log_prior_gradient(isl: &[f64], scale: f64, noise: f64) -> (Vec<f64>, f64, f64) {
    let d_isl = isl.iter().map(|&v| 0.1 / v - 0.1 * v).collect();
    (d_isl, 1.0 - scale, 0.1 / noise - 30.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let isl = [0.5, 2.0];
        let (scale, noise) = (1.7, 0.01);
        let (g_isl, g_scale, g_noise) = log_prior_gradient(&isl, scale, noise);
        let h: f64 = 1e-6;
        for k in 0..2 {
            let mut up = isl;
            let mut dn = isl;
            up[k] *= h.exp();
            dn[k] *= (-h).exp();
            let fd = (log_prior(&up, scale, noise) - log_prior(&dn, scale, noise)) / (2.0 * h);
            assert!((g_isl[k] - fd).abs() < 1e-6);
        }
        let fd = (log_prior(&isl, scale * h.exp(), noise)
            - log_prior(&isl, scale * (-h).exp(), noise))
            / (2.0 * h);
        assert!((g_scale - fd).abs() < 1e-6);
        let fd =
            (log_prior(&isl, scale, noise + 1e-9) - log_prior(&isl, scale, noise - 1e-9)) / 2e-9;
        assert!((g_noise - fd).abs() < 1e-3);
    }
}
