//! [`GaussianProcess`]: the sampler's surrogate model as a standalone regressor, for plots
//! (such as examples/gp_1d.rs) and for users who want the model itself.

use hpo_core::{Error, Result};

use super::fit::{Noise, fit_kernel_params};
use super::kernel::KernelParams;
use super::model::Gp;

/// A GP regressor with the sampler's model: Matérn-5/2 ARD kernel, Optuna's hyperparameter
/// priors, MAP fit with L-BFGS-B, standardised outputs.
///
/// Inputs are expected in `[0, 1]^d` (categorical coordinates hold the choice index).
///
/// ```
/// use hpo_samplers::gp::GaussianProcess;
/// let x: Vec<Vec<f64>> = (0..8).map(|i| vec![i as f64 / 7.0]).collect();
/// let y: Vec<f64> = x.iter().map(|v| (6.0 * v[0]).sin()).collect();
/// let gp = GaussianProcess::fit(&x, &y, &[false])?;
/// let (mean, std) = gp.predict(&[3.0 / 7.0]);
/// assert!((mean - y[3]).abs() < 0.05 && std < 0.1);
/// # Ok::<(), hpo_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GaussianProcess {
    gp: Gp,
    y_mean: f64,
    y_std: f64,
}

impl GaussianProcess {
    /// Fits the model to `(x, y)`; `categorical[k]` marks dimension `k` as categorical.
    pub fn fit(x: &[Vec<f64>], y: &[f64], categorical: &[bool]) -> Result<GaussianProcess> {
        GaussianProcess::fit_with(x, y, categorical, false)
    }

    /// [`GaussianProcess::fit`], with the noise fixed at its floor when `deterministic`.
    pub fn fit_with(
        x: &[Vec<f64>],
        y: &[f64],
        categorical: &[bool],
        deterministic: bool,
    ) -> Result<GaussianProcess> {
        if x.is_empty() || x.len() != y.len() {
            return Err(Error::InvalidArgument(format!(
                "GaussianProcess::fit needs as many inputs as outputs, at least one (got {} and {})",
                x.len(),
                y.len()
            )));
        }
        if let Some(bad) = x.iter().find(|r| r.len() != categorical.len()) {
            return Err(Error::InvalidArgument(format!(
                "GaussianProcess::fit: input {bad:?} has {} coordinates, expected {}",
                bad.len(),
                categorical.len()
            )));
        }
        if let Some(v) = y.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "GaussianProcess::fit: output {v} is not finite"
            )));
        }
        let (z, y_mean, y_std) = standardize(y);
        let params = fit_kernel_params(
            x,
            categorical,
            &z,
            None,
            Noise::optuna(deterministic),
            1e-2,
            1,
        );
        let gp = Gp::new(x.to_vec(), categorical.to_vec(), &z, params).ok_or_else(|| {
            Error::InvalidArgument(
                "GaussianProcess::fit: the kernel matrix cannot be factorised".into(),
            )
        })?;
        Ok(GaussianProcess { gp, y_mean, y_std })
    }

    /// Posterior mean and standard deviation of the latent function at `x`, in `y`'s units.
    pub fn predict(&self, x: &[f64]) -> (f64, f64) {
        let (m, v) = self.gp.posterior(x);
        (self.y_mean + self.y_std * m, self.y_std * v.sqrt())
    }

    /// The fitted hyperparameters (for standardised outputs).
    pub fn kernel_params(&self) -> &KernelParams {
        self.gp.params()
    }
}

/// `(y - mean) / max(std, 1e-10)` with the population standard deviation (as Optuna).
pub(crate) fn standardize(y: &[f64]) -> (Vec<f64>, f64, f64) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let std = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-10);
    (y.iter().map(|v| (v - mean) / std).collect(), mean, std)
}
