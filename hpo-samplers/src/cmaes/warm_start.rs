//! Warm starting CMA-ES (WS-CMA-ES, Nomura et al., AAAI 2021, arXiv:2012.06932): the initial
//! distribution is estimated from the best solutions of a similar, earlier task.
//!
//! The promising distribution is a Gaussian fitted to the top `gamma` fraction of the source
//! solutions, with a prior `alpha^2 I` added to its covariance (as `cmaes.get_warm_start_mgd`
//! computes it, `gamma = 0.1` and `alpha = 0.1`). The covariance is then split into a step size
//! and a unit-determinant shape.

use nalgebra::DMatrix;

use super::optimizer::sort_solutions;

/// Fraction of the source solutions that count as good.
pub(crate) const GAMMA: f64 = 0.1;
/// Prior standard deviation added to the fitted covariance.
pub(crate) const ALPHA: f64 = 0.1;

/// The warm-start distribution: mean, step size and covariance (determinant 1).
#[derive(Debug, Clone)]
pub(crate) struct WarmStart {
    pub mean: Vec<f64>,
    pub sigma: f64,
    pub cov: DMatrix<f64>,
}

/// Fits the warm-start distribution to `(x, value)` source solutions (lower is better). Fails
/// when fewer than one solution falls in the top `gamma` fraction, or when the fitted covariance
/// is degenerate.
pub(crate) fn warm_start(
    mut solutions: Vec<(Vec<f64>, f64)>,
    gamma: f64,
    alpha: f64,
) -> Result<WarmStart, String> {
    if solutions.is_empty() {
        return Err("no source solution".into());
    }
    sort_solutions(&mut solutions);
    let top = (solutions.len() as f64 * gamma).floor() as usize;
    if top == 0 {
        return Err(format!(
            "the top {gamma} of {} source solutions is empty; at least {} are needed",
            solutions.len(),
            (1.0 / gamma).ceil()
        ));
    }
    let n = solutions[0].0.len();
    let best = &solutions[..top];
    let mut mean = vec![0.0; n];
    for (x, _) in best {
        for i in 0..n {
            mean[i] += x[i];
        }
    }
    for m in &mut mean {
        *m /= top as f64;
    }
    // alpha^2 I + E[x x^T] - mu mu^T over the top solutions.
    let mut second = DMatrix::<f64>::zeros(n, n);
    for (x, _) in best {
        for r in 0..n {
            for c in 0..n {
                second[(r, c)] += x[r] * x[c];
            }
        }
    }
    let sigma_m = DMatrix::from_fn(n, n, |r, c| {
        let prior = if r == c { alpha * alpha } else { 0.0 };
        prior + second[(r, c)] / top as f64 - mean[r] * mean[c]
    });
    let det = sigma_m.determinant();
    if !(det.is_finite() && det > 0.0) {
        return Err(format!(
            "the fitted covariance is degenerate (determinant {det})"
        ));
    }
    let sigma = det.powf(1.0 / 2.0 / n as f64);
    let cov = sigma_m / det.powf(1.0 / n as f64);
    Ok(WarmStart { mean, sigma, cov })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_top_solutions() {
        // 20 solutions; the top 2 are (0.2, 0.4) and (0.4, 0.4).
        let mut sols: Vec<(Vec<f64>, f64)> = (0..18)
            .map(|i| (vec![0.9, i as f64 / 20.0], 10.0 + i as f64))
            .collect();
        sols.push((vec![0.2, 0.4], 1.0));
        sols.push((vec![0.4, 0.4], 2.0));
        let ws = warm_start(sols, GAMMA, ALPHA).unwrap();
        assert!((ws.mean[0] - 0.3).abs() < 1e-12 && (ws.mean[1] - 0.4).abs() < 1e-12);
        // Sigma = diag(0.01 + 0.01, 0.01): det = 2e-4.
        let det: f64 = 2e-4;
        assert!((ws.sigma - det.powf(0.25)).abs() < 1e-12);
        assert!((ws.cov.determinant() - 1.0).abs() < 1e-9);
        assert!((ws.cov[(0, 0)] / ws.cov[(1, 1)] - 2.0).abs() < 1e-9);
        assert!(ws.cov[(0, 1)].abs() < 1e-12);
    }

    #[test]
    fn too_few_solutions_is_an_error() {
        let sols = vec![(vec![0.5, 0.5], 1.0); 9];
        assert!(warm_start(sols, GAMMA, ALPHA).is_err());
    }
}
