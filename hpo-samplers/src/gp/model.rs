//! The Gaussian-process posterior for fixed kernel hyperparameters: a zero-mean prior, a
//! Cholesky factorisation of the kernel matrix (nalgebra; with jitter when rounding makes it
//! indefinite), and predictions with gradients with respect to the input.
//!
//! Matrix products go through nalgebra's GEMM (the `matrixmultiply` kernels). faer was tried
//! and is faster at factorising, but its AVX-512 GEMM kernels return without `vzeroupper`, and
//! on Intel CPUs every scalar SSE instruction after that runs many times slower (measured: the
//! acquisition's 2048 LogEI evaluations went from 0.5 ms to 6.5 ms).

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

/// A Cholesky factorisation of a kernel matrix.
pub type Llt = Cholesky<f64, Dyn>;

/// Column `j` of a column-major matrix as a slice.
pub fn col(m: &DMatrix<f64>, j: usize) -> &[f64] {
    let r = m.nrows();
    &m.as_slice()[j * r..(j + 1) * r]
}

/// Column `j` of a column-major matrix as a mutable slice.
pub fn col_mut(m: &mut DMatrix<f64>, j: usize) -> &mut [f64] {
    let r = m.nrows();
    &mut m.as_mut_slice()[j * r..(j + 1) * r]
}

/// `L⁻¹` from the Cholesky factor `L` by column-oriented forward substitution (contiguous
/// axpys over the factor's columns, skipping the known zeros).
pub fn lower_inverse(chol: &Llt) -> DMatrix<f64> {
    let l = chol.l_dirty();
    let n = l.nrows();
    let mut linv = DMatrix::<f64>::zeros(n, n);
    let lslice = l.as_slice();
    let mut c = vec![0.0; n];
    for j in 0..n {
        c[j..].iter_mut().for_each(|v| *v = 0.0);
        c[j] = 1.0;
        for k in j..n {
            let xk = c[k] / lslice[k * n + k];
            c[k] = xk;
            if xk != 0.0 {
                for (cv, lv) in c[k + 1..].iter_mut().zip(&lslice[k * n + k + 1..k * n + n]) {
                    *cv -= xk * lv;
                }
            }
        }
        col_mut(&mut linv, j)[j..].copy_from_slice(&c[j..]);
    }
    linv
}

/// `K⁻¹ = L⁻ᵀ L⁻¹` from the Cholesky factor (one GEMM after [`lower_inverse`]; `transpose() *`
/// goes through the blocked kernel, `tr_mul` would take n² scalar dot products).
pub fn inverse_from_cholesky(chol: &Llt) -> DMatrix<f64> {
    let linv = lower_inverse(chol);
    linv.transpose() * &linv
}

use super::kernel::{KernelParams, distance2, matern52, matern52_with_derivative};

/// A fitted zero-mean GP over inputs in `[0, 1]^d` (categorical dimensions hold the choice
/// index) with outputs `y` as given (the caller standardises them).
#[derive(Debug, Clone)]
pub struct Gp {
    x: Vec<Vec<f64>>,
    categorical: Vec<bool>,
    params: KernelParams,
    alpha: Vec<f64>,
    /// `L⁻ᵀ` (upper triangular; column `i` holds row `i` of `L⁻¹`). Variances are computed as
    /// `scale - ‖L⁻¹ k‖²`, a sum of squares, which stays accurate when the kernel matrix is
    /// badly conditioned (many trials close to the incumbent); the quadratic form `kᵀ K⁻¹ k`
    /// loses the small variances there to cancellation. Explicit, so that predictions are
    /// vectorised mat-vecs and one GEMM rather than triangular solves.
    linv_t: DMatrix<f64>,
}

/// The kernel matrix with `noise` (plus `jitter`) on the diagonal.
pub fn kernel_matrix(
    x: &[Vec<f64>],
    categorical: &[bool],
    params: &KernelParams,
    jitter: f64,
) -> DMatrix<f64> {
    let n = x.len();
    let isl = &params.inverse_squared_lengthscales;
    let mut k = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in 0..i {
            let v = params.kernel_scale * matern52(distance2(&x[i], &x[j], isl, categorical));
            k[(i, j)] = v;
            k[(j, i)] = v;
        }
        k[(i, i)] = params.kernel_scale + params.noise_var + jitter;
    }
    k
}

/// Factorises `k`, adding growing jitter (from `1e-10 · diag` up to `1e-2 · diag`) until the
/// factorisation succeeds.
pub fn robust_cholesky(k: &DMatrix<f64>) -> Option<Llt> {
    let n = k.nrows();
    if let Some(c) = Cholesky::new(k.clone()) {
        return Some(c);
    }
    let mean_diag = (0..n).map(|i| k[(i, i)]).sum::<f64>() / n.max(1) as f64;
    if !mean_diag.is_finite() {
        return None;
    }
    let mut jitter = 1e-10 * mean_diag.max(f64::MIN_POSITIVE);
    while jitter <= 1e-2 * mean_diag {
        let mut kj = k.clone();
        for i in 0..n {
            kj[(i, i)] += jitter;
        }
        if let Some(c) = Cholesky::new(kj) {
            return Some(c);
        }
        jitter *= 10.0;
    }
    None
}

/// `v = L⁻¹ k`: `v_i` is column `i` of `L⁻ᵀ` (its first `i + 1` entries) dotted with `k`.
fn forward(linv_t: &DMatrix<f64>, k: &[f64], v: &mut [f64]) {
    for (i, vi) in v.iter_mut().enumerate() {
        *vi = dot(&col(linv_t, i)[..=i], &k[..=i]);
    }
}

/// `Σ a_i b_i` with eight independent partial sums, so that the compiler vectorises it (a
/// plain float `sum()` is one dependency chain, bound by the adder's latency).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f64>() + tail
}

impl Gp {
    /// Conditions the GP on `(x, y)`. `None` only when the kernel matrix cannot be factorised
    /// even with jitter (non-finite inputs or hyperparameters).
    pub fn new(
        x: Vec<Vec<f64>>,
        categorical: Vec<bool>,
        y: &[f64],
        params: KernelParams,
    ) -> Option<Gp> {
        let k = kernel_matrix(&x, &categorical, &params, 0.0);
        let llt = robust_cholesky(&k)?;
        let alpha: Vec<f64> = llt
            .solve(&DVector::from_column_slice(y))
            .iter()
            .copied()
            .collect();
        if alpha.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let linv_t = lower_inverse(&llt).transpose();
        Some(Gp {
            x,
            categorical,
            params,
            alpha,
            linv_t,
        })
    }

    /// The hyperparameters.
    pub fn params(&self) -> &KernelParams {
        &self.params
    }

    /// Which input dimensions are categorical.
    pub fn categorical(&self) -> &[bool] {
        &self.categorical
    }

    fn kvec(&self, x: &[f64]) -> Vec<f64> {
        let isl = &self.params.inverse_squared_lengthscales;
        self.x
            .iter()
            .map(|xi| self.params.kernel_scale * matern52(distance2(x, xi, isl, &self.categorical)))
            .collect()
    }

    /// Posterior mean and variance of the latent function at `x` (variance floored at 0).
    pub fn posterior(&self, x: &[f64]) -> (f64, f64) {
        let k = self.kvec(x);
        let mut v = vec![0.0; k.len()];
        forward(&self.linv_t, &k, &mut v);
        let var = (self.params.kernel_scale - dot(&v, &v)).max(0.0);
        (dot(&k, &self.alpha), var)
    }

    /// Posterior mean and variance with their gradients with respect to the numeric
    /// coordinates of `x` (categorical coordinates get a zero gradient).
    pub fn posterior_with_gradient(
        &self,
        x: &[f64],
        dmean: &mut [f64],
        dvar: &mut [f64],
    ) -> (f64, f64) {
        let isl = &self.params.inverse_squared_lengthscales;
        let n = self.x.len();
        let mut k = vec![0.0; n];
        let mut dk = vec![0.0; n];
        for (i, xi) in self.x.iter().enumerate() {
            let (m, dm) = matern52_with_derivative(distance2(x, xi, isl, &self.categorical));
            k[i] = self.params.kernel_scale * m;
            dk[i] = self.params.kernel_scale * dm;
        }
        let mean = dot(&k, &self.alpha);
        // v = L⁻¹ k, then K⁻¹ k = L⁻ᵀ v as a sum of L⁻ᵀ's columns.
        let mut v = vec![0.0; n];
        forward(&self.linv_t, &k, &mut v);
        let var = (self.params.kernel_scale - dot(&v, &v)).max(0.0);
        let mut kinv_k = vec![0.0; n];
        for (i, &vi) in v.iter().enumerate() {
            for (o, c) in kinv_k[..=i].iter_mut().zip(&col(&self.linv_t, i)[..=i]) {
                *o += vi * c;
            }
        }
        dmean.iter_mut().for_each(|v| *v = 0.0);
        dvar.iter_mut().for_each(|v| *v = 0.0);
        for (i, xi) in self.x.iter().enumerate() {
            // dk_i/dx_d = scale · M'(d²) · isl_d · 2 (x_d - x_id).
            let c = dk[i] * 2.0;
            let (a, b) = (self.alpha[i], kinv_k[i]);
            for d in 0..x.len() {
                if self.categorical[d] {
                    continue;
                }
                let g = c * isl[d] * (x[d] - xi[d]);
                dmean[d] += a * g;
                dvar[d] -= 2.0 * b * g;
            }
        }
        (mean, var)
    }

    /// Posterior means and variances at many points at once (one matrix product with `K⁻¹`).
    pub fn posterior_batch(&self, xs: &[Vec<f64>]) -> Vec<(f64, f64)> {
        let n = self.x.len();
        let m = xs.len();
        let dims = self.categorical.len();
        let isl = &self.params.inverse_squared_lengthscales;
        // Candidates by dimension, so each kernel column is computed with vectorised passes.
        let by_dim: Vec<Vec<f64>> = (0..dims)
            .map(|k| xs.iter().map(|x| x[k]).collect())
            .collect();
        let mut kc = DMatrix::<f64>::zeros(m, n);
        let mut means = vec![0.0; m];
        for (i, xi) in self.x.iter().enumerate() {
            let col = col_mut(&mut kc, i);
            for k in 0..dims {
                let (w, c) = (isl[k], xi[k]);
                if self.categorical[k] {
                    for (d, v) in col.iter_mut().zip(&by_dim[k]) {
                        *d += if *v == c { 0.0 } else { w };
                    }
                } else {
                    for (d, v) in col.iter_mut().zip(&by_dim[k]) {
                        *d += w * (v - c) * (v - c);
                    }
                }
            }
            let scale = self.params.kernel_scale;
            for d in col.iter_mut() {
                *d = scale * matern52(*d);
            }
            let a = self.alpha[i];
            for (mv, c) in means.iter_mut().zip(col.iter()) {
                *mv += a * c;
            }
        }
        // q_r = ‖L⁻¹ k_r‖² = Σ_i (Kc L⁻ᵀ)_ri²: one GEMM, then column-wise squares (vectorised).
        let proj = &kc * &self.linv_t;
        let mut q = vec![0.0; m];
        for i in 0..n {
            for (qv, p) in q.iter_mut().zip(col(&proj, i)) {
                *qv += p * p;
            }
        }
        means
            .into_iter()
            .zip(q)
            .map(|(mv, qv)| (mv, (self.params.kernel_scale - qv).max(0.0)))
            .collect()
    }

    /// The same model conditioned on extra observations, hyperparameters unchanged (used to
    /// fantasise running trials).
    pub fn with_observations(
        &self,
        y: &[f64],
        extra_x: &[Vec<f64>],
        extra_y: &[f64],
    ) -> Option<Gp> {
        let mut x = self.x.clone();
        x.extend(extra_x.iter().cloned());
        let mut all_y = y.to_vec();
        all_y.extend_from_slice(extra_y);
        Gp::new(x, self.categorical.clone(), &all_y, self.params.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(isl: f64, scale: f64, noise: f64) -> KernelParams {
        KernelParams {
            inverse_squared_lengthscales: vec![isl],
            kernel_scale: scale,
            noise_var: noise,
        }
    }

    #[test]
    fn dot_matches_the_plain_sum() {
        let a: Vec<f64> = (0..37).map(|i| i as f64 * 0.5 - 3.0).collect();
        let b: Vec<f64> = (0..37).map(|i| (i as f64).sin()).collect();
        let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-12);
        assert_eq!(dot(&[], &[]), 0.0);
    }

    #[test]
    fn one_point_posterior_by_hand() {
        // One observation y = 2 at x = 0, k(0,0) = 1, noise 0.5:
        // mean(x) = k(x,0) · 2 / 1.5, var(x) = 1 - k(x,0)² / 1.5.
        let gp = Gp::new(vec![vec![0.0]], vec![false], &[2.0], params(1.0, 1.0, 0.5)).unwrap();
        let (m, v) = gp.posterior(&[0.0]);
        assert!((m - 4.0 / 3.0).abs() < 1e-14);
        assert!((v - (1.0 - 1.0 / 1.5)).abs() < 1e-14);
        let k = matern52(0.25);
        let (m, v) = gp.posterior(&[0.5]);
        assert!((m - k * 2.0 / 1.5).abs() < 1e-14);
        assert!((v - (1.0 - k * k / 1.5)).abs() < 1e-14);
    }

    #[test]
    fn two_point_posterior_by_hand() {
        // x = {0, 1}, y = {1, -1}, scale 2, noise 0.1, isl 1: K = [[2.1, c], [c, 2.1]] with
        // c = 2 M(1). At x = 0.5 both kernel values are k = 2 M(0.25), so the mean is 0 by
        // symmetry and var = 2 - 2 k² / (2.1 + c).
        let gp = Gp::new(
            vec![vec![0.0], vec![1.0]],
            vec![false],
            &[1.0, -1.0],
            params(1.0, 2.0, 0.1),
        )
        .unwrap();
        let c = 2.0 * matern52(1.0);
        let k = 2.0 * matern52(0.25);
        let (m, v) = gp.posterior(&[0.5]);
        assert!(m.abs() < 1e-14);
        assert!((v - (2.0 - 2.0 * k * k / (2.1 + c))).abs() < 1e-13);
        // At x = 0: mean = [2, c] · K⁻¹ y with K⁻¹ from the 2x2 inverse formula.
        let det = 2.1 * 2.1 - c * c;
        let a0 = (2.1 + c) / det; // (2.1 · 1 - c · -1) / det
        let a1 = (-2.1 - c) / det; // (2.1 · -1 - c · 1) / det
        let (m, _) = gp.posterior(&[0.0]);
        assert!((m - (2.0 * a0 + c * a1)).abs() < 1e-13);
        // The batch path agrees with the single-point one.
        let batch = gp.posterior_batch(&[vec![0.0], vec![0.5], vec![0.9]]);
        for (x, (bm, bv)) in [0.0, 0.5, 0.9].iter().zip(batch) {
            let (m, v) = gp.posterior(&[*x]);
            assert!((m - bm).abs() < 1e-12 && (v - bv).abs() < 1e-12);
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let x = vec![
            vec![0.1, 0.2, 0.0],
            vec![0.7, 0.4, 1.0],
            vec![0.3, 0.9, 2.0],
        ];
        let p = KernelParams {
            inverse_squared_lengthscales: vec![3.0, 0.5, 1.0],
            kernel_scale: 1.3,
            noise_var: 1e-3,
        };
        let gp = Gp::new(x, vec![false, false, true], &[0.5, -1.0, 2.0], p).unwrap();
        let at = [0.4, 0.5, 1.0];
        let (mut dm, mut dv) = ([0.0; 3], [0.0; 3]);
        gp.posterior_with_gradient(&at, &mut dm, &mut dv);
        for d in 0..2 {
            let mut hi = at;
            let mut lo = at;
            hi[d] += 1e-6;
            lo[d] -= 1e-6;
            let (mh, vh) = gp.posterior(&hi);
            let (ml, vl) = gp.posterior(&lo);
            assert!((dm[d] - (mh - ml) / 2e-6).abs() < 1e-6, "mean d={d}");
            assert!((dv[d] - (vh - vl) / 2e-6).abs() < 1e-6, "var d={d}");
        }
        assert_eq!(dm[2], 0.0);
    }

    #[test]
    fn near_duplicate_points_do_not_produce_nan() {
        // Ten copies of almost the same point with no noise: the kernel matrix is singular to
        // working precision; jitter keeps the factorisation alive.
        let x: Vec<Vec<f64>> = (0..10).map(|i| vec![0.5 + i as f64 * 1e-13, 0.5]).collect();
        let y: Vec<f64> = (0..10).map(|i| (i % 3) as f64).collect();
        let p = KernelParams {
            inverse_squared_lengthscales: vec![1.0, 1.0],
            kernel_scale: 1e3,
            noise_var: 0.0,
        };
        let gp = Gp::new(x, vec![false, false], &y, p).expect("jitter rescues the factorisation");
        for at in [[0.5, 0.5], [0.2, 0.9]] {
            let (m, v) = gp.posterior(&at);
            assert!(m.is_finite() && v.is_finite() && v >= 0.0, "{m} {v}");
        }
        for (m, v) in gp.posterior_batch(&[vec![0.5, 0.5], vec![0.0, 0.0]]) {
            assert!(m.is_finite() && v.is_finite());
        }
    }
}
