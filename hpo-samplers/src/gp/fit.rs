//! Maximum-a-posteriori fit of the kernel hyperparameters: the log marginal likelihood plus
//! the log prior, maximised with L-BFGS-B over `ln isl`, `ln scale` and
//! `ln(noise - min_noise)`, warm-started from the previous fit (as Optuna does). Optuna encodes
//! a start value with `0.99 · min_noise`, which lifts a noise sitting on its floor by 1% of the
//! floor at every warm start and costs extra iterations to undo; the start is encoded exactly
//! here.
//!
//! # When the sampler refits
//!
//! Optuna refits at every trial; each L-BFGS-B step factorises the n × n kernel matrix, so a
//! trial costs O(n³). The sampler refits on a schedule instead ([`needs_refit`]): at every
//! trial while a model has at most [`REFIT_ALWAYS_UP_TO`] (100) observations, where a refit is
//! cheap and the hyperparameters still move from trial to trial, and after that whenever the
//! number of observations has grown by a tenth ([`REFIT_GROWTH_DIVISOR`]) since the last refit
//! (at 110, 121, 133, … observations). Between refits the previous hyperparameters are kept
//! and the previous trial's Cholesky factor is extended by the new rows (O(n²), see
//! `model::Factor`), so the cost per trial is O(n²) plus an O(n³) refit every n/10 trials,
//! O(n²) amortised.

use nalgebra::{DMatrix, DVector};

use super::kernel::{KernelParams, matern52_with_derivative, sqd};
use super::lbfgsb::{self, Options};
use super::model::{col, col_mut, dot, inverse_from_cholesky, robust_cholesky};
use super::prior::{MIN_NOISE_VAR, log_prior, log_prior_gradient};

/// The training data, with the pairwise per-dimension distances precomputed once per fit.
struct Data {
    n: usize,
    dims: usize,
    /// `sqd[k][i * n + j]`.
    sqd: Vec<Vec<f64>>,
    y: Vec<f64>,
    /// Threads the loss may use (its result does not depend on them).
    threads: usize,
}

impl Data {
    fn new(x: &[Vec<f64>], categorical: &[bool], y: &[f64], threads: usize) -> Data {
        let n = x.len();
        let dims = categorical.len();
        let sqd = (0..dims)
            .map(|k| {
                let mut m = vec![0.0; n * n];
                for i in 0..n {
                    for j in 0..i {
                        let v = sqd(x[i][k], x[j][k], categorical[k]);
                        m[i * n + j] = v;
                        m[j * n + i] = v;
                    }
                }
                m
            })
            .collect();
        Data {
            n,
            dims,
            sqd,
            y: y.to_vec(),
            threads,
        }
    }
}

/// How the noise variance is fitted: its floor, and whether it is fixed there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    /// The smallest noise variance (of the standardised objective) the fit may reach.
    pub floor: f64,
    /// Fix the noise at the floor instead of fitting it (a deterministic objective).
    pub fixed: bool,
}

impl Noise {
    /// Optuna's: fitted, floor 1e-6.
    pub const OPTUNA: Noise = Noise {
        floor: MIN_NOISE_VAR,
        fixed: false,
    };

    /// Optuna's floor, fixed there when `deterministic`.
    pub fn optuna(deterministic: bool) -> Noise {
        Noise {
            fixed: deterministic,
            ..Noise::OPTUNA
        }
    }
}

/// Decodes the optimiser's raw vector into hyperparameters.
fn decode(raw: &[f64], dims: usize, noise: Noise) -> KernelParams {
    KernelParams {
        inverse_squared_lengthscales: raw[..dims].iter().map(|v| v.exp()).collect(),
        kernel_scale: raw[dims].exp(),
        noise_var: if noise.fixed {
            noise.floor
        } else {
            raw[dims + 1].exp() + noise.floor
        },
    }
}

fn encode(p: &KernelParams, noise: Noise) -> Vec<f64> {
    let mut raw: Vec<f64> = p
        .inverse_squared_lengthscales
        .iter()
        .map(|v| v.ln())
        .collect();
    raw.push(p.kernel_scale.ln());
    if !noise.fixed {
        raw.push((p.noise_var - noise.floor).max(1e-12).ln());
    }
    raw
}

/// `-(log marginal likelihood + log prior)` and its gradient with respect to `raw`. The
/// likelihood is Optuna's `-Σ ln L_ii - ½ yᵀK⁻¹y` (the constant dropped).
fn loss(data: &Data, raw: &[f64], grad: &mut [f64], noise: Noise) -> f64 {
    let (n, dims) = (data.n, data.dims);
    let p = decode(raw, dims, noise);
    let isl = &p.inverse_squared_lengthscales;
    let mut d2 = vec![0.0; n * n];
    for (k, s) in data.sqd.iter().enumerate() {
        let w = isl[k];
        for (a, b) in d2.iter_mut().zip(s) {
            *a += w * b;
        }
    }
    // K and, for the gradient, scale · M'(d²), with one exponential per entry.
    let mut kf = DMatrix::<f64>::zeros(n, n);
    let mut dmat = vec![0.0; n * n];
    for j in 0..n {
        let c = col_mut(&mut kf, j);
        for i in 0..n {
            let (m, dm) = matern52_with_derivative(d2[j * n + i]);
            c[i] = p.kernel_scale * m;
            dmat[j * n + i] = p.kernel_scale * dm;
        }
    }
    let mut kmat = kf.clone();
    for i in 0..n {
        kmat[(i, i)] += p.noise_var;
    }
    let Some(llt) = robust_cholesky(&kmat) else {
        return f64::INFINITY;
    };
    let alpha: Vec<f64> = llt
        .solve(&DVector::from_column_slice(&data.y))
        .iter()
        .copied()
        .collect();
    let l = llt.l_dirty();
    let log_det_half: f64 = (0..n).map(|i| l[(i, i)].ln()).sum();
    let y_alpha: f64 = data.y.iter().zip(&alpha).map(|(a, b)| a * b).sum();
    let mll = -log_det_half - 0.5 * y_alpha;
    let prior = log_prior(isl, p.kernel_scale, p.noise_var);
    let value = -(mll + prior);
    if !value.is_finite() {
        return f64::INFINITY;
    }
    // d mll / dθ = ½ tr(W dK/dθ) with W = ααᵀ - K⁻¹ (all matrices symmetric, so columns can
    // be read as rows). G = W ∘ scale·M'(d²) serves the lengthscale terms; d K / d ln scale
    // is the noise-free kernel matrix.
    let kinv = inverse_from_cholesky(&llt, data.threads);
    let mut g_scale = 0.0;
    let mut trace_w = 0.0;
    let mut g_isl = vec![0.0; dims];
    let mut gmat = vec![0.0; n * n];
    let mut wcol = vec![0.0; n];
    for j in 0..n {
        let aj = alpha[j];
        let (kinv_c, kf_c) = (col(&kinv, j), col(&kf, j));
        let gcol = &mut gmat[j * n..(j + 1) * n];
        let dcol = &dmat[j * n..(j + 1) * n];
        for i in 0..n {
            let w = alpha[i] * aj - kinv_c[i];
            wcol[i] = w;
            gcol[i] = w * dcol[i];
        }
        g_scale += dot(&wcol, kf_c);
        trace_w += aj * aj - kinv_c[j];
    }
    for (k, s) in data.sqd.iter().enumerate() {
        g_isl[k] = 0.5 * dot(&gmat, s) * isl[k];
    }
    let (p_isl, p_scale, p_noise) = log_prior_gradient(isl, p.kernel_scale, p.noise_var);
    for k in 0..dims {
        grad[k] = -(g_isl[k] + p_isl[k]);
    }
    grad[dims] = -(0.5 * g_scale + p_scale);
    if !noise.fixed {
        let dnoise_draw = raw[dims + 1].exp();
        grad[dims + 1] = -(0.5 * trace_w + p_noise) * dnoise_draw;
    }
    value
}

/// Observations up to which the sampler refits the hyperparameters at every trial.
pub const REFIT_ALWAYS_UP_TO: usize = 100;

/// Beyond [`REFIT_ALWAYS_UP_TO`], the sampler refits once the number of observations has grown
/// by `1 / REFIT_GROWTH_DIVISOR` of its value at the last refit.
pub const REFIT_GROWTH_DIVISOR: usize = 10;

/// Whether a model with `n` observations, last refitted at `last_refit` observations, is due
/// for a refit (the schedule in the module docs). Fewer observations than at the last refit
/// (another search space, another study) always refit.
pub fn needs_refit(n: usize, last_refit: usize) -> bool {
    n <= REFIT_ALWAYS_UP_TO
        || n < last_refit
        || n >= last_refit + (last_refit / REFIT_GROWTH_DIVISOR).max(1)
}

/// Fits hyperparameters to `(x, y)` by MAP, starting from `start` (a previous fit) when given
/// and otherwise from all ones; when the warm start fails it retries from all ones, and when
/// that also fails it returns the start values. `noise` sets the noise variance's floor and
/// whether it is fixed there (a deterministic objective). The loss's `K⁻¹` is computed on up to
/// `threads` threads, with the same result on any number.
pub fn fit_kernel_params(
    x: &[Vec<f64>],
    categorical: &[bool],
    y: &[f64],
    start: Option<&KernelParams>,
    noise: Noise,
    gtol: f64,
    threads: usize,
) -> KernelParams {
    let dims = categorical.len();
    let data = Data::new(x, categorical, y, threads);
    let ones = KernelParams::ones(dims);
    let mut tries: Vec<KernelParams> = Vec::new();
    if let Some(s) = start.filter(|s| s.inverse_squared_lengthscales.len() == dims) {
        tries.push(s.clone());
    }
    tries.push(ones.clone());
    let inf = vec![f64::INFINITY; dims + 2 - usize::from(noise.fixed)];
    let neg_inf: Vec<f64> = inf.iter().map(|v| -v).collect();
    for init in &tries {
        let mut raw = encode(init, noise);
        let out = lbfgsb::minimize(
            |r, g| loss(&data, r, g, noise),
            &mut raw,
            &neg_inf,
            &inf,
            Options {
                pgtol: gtol,
                ..Options::default()
            },
        );
        if out.f.is_finite() && raw.iter().all(|v| v.is_finite()) {
            return decode(&raw, dims, noise);
        }
    }
    tries.into_iter().next().unwrap_or(ones)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Vec<Vec<f64>>, Vec<bool>, Vec<f64>) {
        let x: Vec<Vec<f64>> = (0..12)
            .map(|i| {
                let t = i as f64 / 11.0;
                vec![t, (t * 7.3).fract(), (i % 3) as f64]
            })
            .collect();
        let y: Vec<f64> = x
            .iter()
            .map(|v| (6.0 * v[0]).sin() + 0.1 * v[1] + if v[2] == 1.0 { 0.5 } else { 0.0 })
            .collect();
        (x, vec![false, false, true], y)
    }

    #[test]
    fn refit_schedule() {
        // Every trial up to 100 observations, then after 10% growth.
        assert!((1..=100).all(|n| needs_refit(n, n - 1)));
        assert!(needs_refit(100, 100));
        assert!(!needs_refit(101, 100) && !needs_refit(109, 100) && needs_refit(110, 100));
        assert!(!needs_refit(120, 110) && needs_refit(121, 110));
        assert!(!needs_refit(1099, 1000) && needs_refit(1100, 1000));
        // Fewer observations than at the last refit: the data changed, refit.
        assert!(needs_refit(150, 200));
        // Refits needed from 100 to 2000 observations: a geometric number, not one per trial.
        let mut last = 100;
        let mut refits = 0;
        for n in 101..=2000 {
            if needs_refit(n, last) {
                last = n;
                refits += 1;
            }
        }
        assert!((30..=33).contains(&refits), "{refits}");
    }

    #[test]
    fn loss_gradient_matches_finite_differences() {
        let (x, cat, y) = toy();
        let data = Data::new(&x, &cat, &y, 1);
        let raw = vec![0.3, -0.5, 0.1, 0.2, -3.0];
        let mut g = vec![0.0; raw.len()];
        loss(&data, &raw, &mut g, Noise::OPTUNA);
        let mut scratch = vec![0.0; raw.len()];
        for k in 0..raw.len() {
            let (mut up, mut dn) = (raw.clone(), raw.clone());
            up[k] += 1e-6;
            dn[k] -= 1e-6;
            let fd = (loss(&data, &up, &mut scratch, Noise::OPTUNA)
                - loss(&data, &dn, &mut scratch, Noise::OPTUNA))
                / 2e-6;
            assert!(
                (g[k] - fd).abs() < 1e-4 * fd.abs().max(1.0),
                "k={k}: {} vs {fd}",
                g[k]
            );
        }
    }

    #[test]
    fn fit_improves_the_posterior_objective_and_is_deterministic() {
        let (x, cat, y) = toy();
        let data = Data::new(&x, &cat, &y, 1);
        let ones = KernelParams::ones(3);
        let fitted = fit_kernel_params(&x, &cat, &y, None, Noise::OPTUNA, 1e-2, 1);
        let mut g = vec![0.0; 5];
        let before = loss(&data, &encode(&ones, Noise::OPTUNA), &mut g, Noise::OPTUNA);
        let after = loss(
            &data,
            &encode(&fitted, Noise::OPTUNA),
            &mut g,
            Noise::OPTUNA,
        );
        assert!(after < before, "{after} >= {before}");
        assert!(fitted.noise_var >= MIN_NOISE_VAR);
        assert_eq!(
            fitted,
            fit_kernel_params(&x, &cat, &y, None, Noise::OPTUNA, 1e-2, 1)
        );
        let det = fit_kernel_params(&x, &cat, &y, None, Noise::optuna(true), 1e-2, 1);
        assert_eq!(det.noise_var, MIN_NOISE_VAR);
    }

    /// On smooth noise-free data the fitted noise sits on its floor: a lower floor lets it go
    /// lower, and a fixed noise stays exactly at the floor given.
    #[test]
    fn the_noise_floor_is_the_one_given() {
        let x: Vec<Vec<f64>> = (0..25).map(|i| vec![f64::from(i) / 24.0]).collect();
        let y: Vec<f64> = x.iter().map(|v| (6.0 * v[0]).sin()).collect();
        let (z, _, _) = crate::gp::regressor::standardize(&y);
        let cat = [false];
        let optuna = fit_kernel_params(&x, &cat, &z, None, Noise::OPTUNA, 1e-2, 1);
        let low = Noise {
            floor: 1e-10,
            fixed: false,
        };
        let fine = fit_kernel_params(&x, &cat, &z, None, low, 1e-2, 1);
        assert!(optuna.noise_var >= MIN_NOISE_VAR, "{optuna:?}");
        assert!(fine.noise_var >= 1e-10 && fine.noise_var < 1e-7, "{fine:?}");
        let fixed = Noise {
            floor: 1e-9,
            fixed: true,
        };
        assert_eq!(
            fit_kernel_params(&x, &cat, &z, None, fixed, 1e-2, 1).noise_var,
            1e-9
        );
    }
}
