//! The Gaussian-process posterior for fixed kernel hyperparameters: a zero-mean prior, a
//! Cholesky factorisation of the kernel matrix (nalgebra; with jitter when rounding makes it
//! indefinite), and predictions with gradients with respect to the input.
//!
//! The candidates' variances use a kernel of their own ([`SquaredProjections`]); the fit's
//! matrix products go through nalgebra's GEMM (the `matrixmultiply` kernels). faer was tried
//! and is faster at factorising, but its AVX-512 GEMM kernels return without `vzeroupper`, and
//! on Intel CPUs every scalar SSE instruction after that runs many times slower (measured: the
//! acquisition's 2048 LogEI evaluations went from 0.5 ms to 6.5 ms).

use std::sync::Arc;

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

use super::parallel::map_parallel;

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

/// How many shares of columns an n × n inverse is computed in on up to `threads` threads: one
/// per 128 rows at most, since below a few hundred rows a thread costs more to start than it
/// saves.
fn column_shares(n: usize, threads: usize) -> usize {
    threads.clamp(1, (n / 128).max(1))
}

/// `L⁻¹` from the Cholesky factor `L` by column-oriented forward substitution (contiguous
/// axpys over the factor's columns, skipping the known zeros).
pub fn lower_inverse(chol: &Llt, threads: usize) -> DMatrix<f64> {
    let l = chol.l_dirty();
    let n = l.nrows();
    let lslice = l.as_slice();
    // Columns are independent triangular solves, column j costing about (n - j)² / 2: the
    // shares are contiguous ranges of equal cost (the first share is the narrowest).
    let shares = column_shares(n, threads);
    let mut bounds = vec![0];
    for s in 1..shares {
        let left = (1.0 - s as f64 / shares as f64).cbrt();
        bounds.push(((1.0 - left) * n as f64).round() as usize);
    }
    bounds.push(n);
    let parts = map_parallel(shares, shares, |s| {
        let (from, to) = (bounds[s], bounds[s + 1]);
        let mut out = vec![0.0; (to - from) * n];
        let mut c = vec![0.0; n];
        for (j, col) in (from..to).zip(out.chunks_exact_mut(n)) {
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
            col[j..].copy_from_slice(&c[j..]);
        }
        out
    });
    DMatrix::from_vec(n, n, parts.concat())
}

/// `K⁻¹ = L⁻ᵀ L⁻¹` from the Cholesky factor (one GEMM after [`lower_inverse`]; `transpose() *`
/// goes through the blocked kernel, `tr_mul` would take n² scalar dot products), on up to
/// `threads` threads, each multiplying a share of the columns (a column's entries do not depend
/// on the share, so the bits do not depend on `threads`).
pub fn inverse_from_cholesky(chol: &Llt, threads: usize) -> DMatrix<f64> {
    let linv = lower_inverse(chol, threads);
    let n = linv.nrows();
    let lt = linv.transpose();
    let shares = column_shares(n, threads);
    if shares == 1 {
        return lt * &linv;
    }
    let width = n.div_ceil(shares);
    let parts = map_parallel(shares, shares, |s| {
        let from = (s * width).min(n);
        let to = ((s + 1) * width).min(n);
        let block = &lt * linv.columns(from, to - from);
        block.as_slice().to_vec()
    });
    DMatrix::from_vec(n, n, parts.concat())
}

use super::kernel::{KernelParams, distance2, matern52, matern52_with_derivative};

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
    robust_cholesky_with_jitter(k).map(|(c, _)| c)
}

/// [`robust_cholesky`], also returning the jitter that was added to the diagonal (0 when none).
fn robust_cholesky_with_jitter(k: &DMatrix<f64>) -> Option<(Llt, f64)> {
    let n = k.nrows();
    if let Some(c) = Cholesky::new(k.clone()) {
        return Some((c, 0.0));
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
            return Some((c, jitter));
        }
        jitter *= 10.0;
    }
    None
}

/// `Σ a_i b_i` with eight independent partial sums, so that the compiler vectorises it (a
/// plain float `sum()` is one dependency chain, bound by the adder's latency). Always inlined,
/// so that it is compiled for the vector width of its caller.
#[inline(always)]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    dot_from([0.0; 8], a, b, 0)
}

/// [`dot`] resumed: `acc` holds the eight partial sums over the first `from` entries (a multiple
/// of eight); the rest is added exactly as `dot` would, so the result has its bits.
#[inline(always)]
fn dot_from(mut acc: [f64; 8], a: &[f64], b: &[f64], from: usize) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[from..n], &b[from..n]);
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

/// Row `i` (entries `0..=i`) of a row-packed lower-triangular matrix.
#[inline(always)]
fn packed_row(p: &[f64], i: usize) -> &[f64] {
    &p[i * (i + 1) / 2..(i + 1) * (i + 2) / 2]
}

/// `v = L⁻¹ k` and `K⁻¹ k = L⁻ᵀ v` (a sum of the rows of `L⁻¹`) in one pass over the packed
/// `L⁻¹`: row `i` gives `v_i` and, while it is in cache, its share `v_i · row_i` of `K⁻¹ k`.
/// Compiled for the widest vectors the CPU has (pulp's run-time dispatch); the loops are the
/// same plain multiplies and additions in the same order on every width (never fused), so
/// every CPU gives the same bits.
struct ForwardBack<'a> {
    linv: &'a [f64],
    k: &'a [f64],
    v: &'a mut [f64],
    kinv_k: &'a mut [f64],
}

impl pulp::WithSimd for ForwardBack<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        // Rows in blocks of four: their dot products share the loads of `k` and run as four
        // independent chains (one alone is bound by the adder's latency), and their shares of
        // `K⁻¹ k` are added in one pass, still row after row for every entry.
        const B: usize = 4;
        let n = self.v.len();
        let k = &self.k[..n];
        let mut i = 0;
        while i + B <= n {
            let rows: [&[f64]; B] = std::array::from_fn(|r| packed_row(self.linv, i + r));
            // Row i + r has i + r + 1 entries; the first i + 1 are common to the block.
            let common = i + 1;
            let whole = common / 8 * 8;
            let mut acc = [[0.0; 8]; B];
            for c in (0..whole).step_by(8) {
                let kc = &k[c..c + 8];
                for (a, row) in acc.iter_mut().zip(&rows) {
                    let rc = &row[c..c + 8];
                    for l in 0..8 {
                        a[l] += rc[l] * kc[l];
                    }
                }
            }
            let mut vs = [0.0; B];
            for (r, (a, row)) in acc.into_iter().zip(&rows).enumerate() {
                vs[r] = dot_from(a, row, &k[..=i + r], whole);
            }
            self.v[i..i + B].copy_from_slice(&vs);
            let out = &mut self.kinv_k[..i + B];
            let (head, tail) = out.split_at_mut(common);
            let [r0, r1, r2, r3] = rows.map(|r| &r[..common]);
            let [v0, v1, v2, v3] = vs;
            for ((((o, a), b), c), d) in head.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3) {
                *o = *o + v0 * a + v1 * b + v2 * c + v3 * d;
            }
            for r in 1..B {
                for (o, c) in tail[..r].iter_mut().zip(&rows[r][common..]) {
                    *o += vs[r] * c;
                }
            }
            i += B;
        }
        for (i, vi) in self.v.iter_mut().enumerate().skip(i) {
            let row = packed_row(self.linv, i);
            *vi = dot(row, &k[..=i]);
            for (o, c) in self.kinv_k[..=i].iter_mut().zip(row) {
                *o += *vi * c;
            }
        }
    }
}

/// The kernel block `Kc` (m × n, column-major) between candidates (given by dimension) and the
/// GP's inputs, one column per input, and the posterior means `Kc α`; compiled for the widest
/// vectors the CPU has (element by element the same operations on every width).
struct KernelColumns<'a> {
    gp: &'a Gp,
    candidates: &'a [Vec<f64>],
    /// The kernel block in tiles of [`TILE`] candidates (see [`SquaredProjections`]).
    kc: &'a mut [f64],
    means: &'a mut [f64],
}

impl pulp::WithSimd for KernelColumns<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let f = &*self.gp.factor;
        let isl = &f.params.inverse_squared_lengthscales;
        let scale = f.params.kernel_scale;
        let m = self.means.len();
        let n = f.x.len();
        let mut col = vec![0.0; m];
        for (i, (xi, a)) in f.x.iter().zip(&self.gp.alpha).enumerate() {
            col.fill(0.0);
            for (k, cand) in self.candidates.iter().enumerate() {
                let (w, c) = (isl[k], xi[k]);
                if f.categorical[k] {
                    for (d, v) in col.iter_mut().zip(cand) {
                        *d += if *v == c { 0.0 } else { w };
                    }
                } else {
                    for (d, v) in col.iter_mut().zip(cand) {
                        *d += w * (v - c) * (v - c);
                    }
                }
            }
            for d in col.iter_mut() {
                *d = scale * matern52(*d);
            }
            for (mv, c) in self.means.iter_mut().zip(col.iter()) {
                *mv += a * c;
            }
            for (t, chunk) in col.chunks(TILE).enumerate() {
                self.kc[(t * n + i) * TILE..][..chunk.len()].copy_from_slice(chunk);
            }
        }
    }
}

/// Candidates per tile of the kernel block in [`Gp::posterior_batch`]: tile `t` holds, for
/// each input `i`, the kernel values of candidates `t * TILE..(t + 1) * TILE` side by side, so
/// that [`SquaredProjections`] reads each tile front to back.
const TILE: usize = 24;

/// Rows of `L⁻¹` per pass of [`SquaredProjections`].
const PANEL: usize = 8;

/// `q_r += Σ_j (Σ_i Kc_ri P_ij)²` for every candidate `r`: `kc` is the candidates' kernel
/// block in tiles ([`TILE`]; `q.len()` is a whole number of tiles, `n` inputs per tile),
/// `panel` is [`PANEL`] rows of `L⁻¹` laid out by column (`P_ij = L⁻¹_{t0+j, i}`, zero past
/// the diagonal and the matrix) for the first `panel.len() / PANEL` inputs. Each candidate's
/// sums are the same fused multiply-adds in the same order (over `i`, then over `j`) whichever
/// vector width computes it, so the result depends neither on the CPU nor on how the
/// candidates are shared between threads. On AVX-512 a tile is three vectors by the eight
/// panel columns (24 accumulators); narrower widths take it one vector at a time.
struct SquaredProjections<'a> {
    kc: &'a [f64],
    n: usize,
    panel: &'a [f64],
    q: &'a mut [f64],
}

impl pulp::WithSimd for SquaredProjections<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(mut self, simd: S) {
        let lanes = std::mem::size_of::<S::f64s>() / std::mem::size_of::<f64>();
        debug_assert!(TILE.is_multiple_of(lanes), "a tile is whole vectors");
        for t in 0..self.q.len() / TILE {
            if 3 * lanes == TILE {
                self.rows::<S, 3>(simd, t, 0, lanes);
            } else {
                for k in 0..TILE / lanes {
                    self.rows::<S, 1>(simd, t, k * lanes, lanes);
                }
            }
        }
    }
}

impl SquaredProjections<'_> {
    /// Candidates `from..from + R * lanes` of tile `t`.
    #[inline(always)]
    fn rows<S: pulp::Simd, const R: usize>(
        &mut self,
        simd: S,
        t: usize,
        from: usize,
        lanes: usize,
    ) {
        let end = self.panel.len() / PANEL;
        let zero = simd.splat_f64s(0.0);
        let mut acc = [[zero; PANEL]; R];
        let tile = &self.kc[t * self.n * TILE..][..end * TILE];
        for (column, p) in tile.chunks_exact(TILE).zip(self.panel.chunks_exact(PANEL)) {
            let (vectors, _) = S::as_simd_f64s(&column[from..from + R * lanes]);
            for j in 0..PANEL {
                let b = simd.splat_f64s(p[j]);
                for k in 0..R {
                    acc[k][j] = simd.mul_add_f64s(vectors[k], b, acc[k][j]);
                }
            }
        }
        let q = &mut self.q[t * TILE + from..][..R * lanes];
        let (slots, _) = S::as_mut_simd_f64s(q);
        for k in 0..R {
            let mut v = slots[k];
            for s in acc[k] {
                v = simd.mul_add_f64s(s, s, v);
            }
            slots[k] = v;
        }
    }
}

/// The factorised kernel matrix of a set of inputs under fixed hyperparameters: `L` and `L⁻¹`
/// (`K + (noise + jitter) I = L Lᵀ`), both row-packed, so that one more observation appends
/// one row to each in O(n²) ([`Factor::extend`]) instead of refactorising in O(n³).
///
/// `L⁻¹` is kept explicitly because variances are computed as `scale - ‖L⁻¹ k‖²`, a sum of
/// squares, which stays accurate when the kernel matrix is badly conditioned (many trials
/// close to the incumbent), where the quadratic form `kᵀ K⁻¹ k` loses the small variances to
/// cancellation; and explicit rows make predictions vectorised dot products and GEMMs rather
/// than triangular solves.
#[derive(Debug, Clone)]
pub struct Factor {
    x: Vec<Vec<f64>>,
    /// The inputs by dimension (`by_dim[k][i] = x[i][k]`), for vectorised distance passes.
    by_dim: Vec<Vec<f64>>,
    categorical: Vec<bool>,
    params: KernelParams,
    /// Added to every diagonal entry (non-zero only when rounding made `K` indefinite).
    jitter: f64,
    /// `L`, row `i` at `i(i+1)/2`.
    l: Vec<f64>,
    /// `L⁻¹`, row `i` at `i(i+1)/2` (row `i` of `L⁻¹` is column `i` of `L⁻ᵀ`).
    linv: Vec<f64>,
}

impl Factor {
    /// Factorises the kernel matrix of `x` from scratch (O(n³)); also returns nalgebra's
    /// factorisation, for the caller's first solve.
    fn build(
        x: Vec<Vec<f64>>,
        categorical: Vec<bool>,
        params: KernelParams,
    ) -> Option<(Factor, Llt)> {
        let n = x.len();
        let k = kernel_matrix(&x, &categorical, &params, 0.0);
        let (llt, jitter) = robust_cholesky_with_jitter(&k)?;
        let l_full = llt.l_dirty();
        let linv_full = lower_inverse(&llt, 1);
        let mut l = Vec::with_capacity(n * (n + 1) / 2);
        let mut linv = Vec::with_capacity(n * (n + 1) / 2);
        for i in 0..n {
            for j in 0..=i {
                l.push(l_full[(i, j)]);
                linv.push(linv_full[(i, j)]);
            }
        }
        let by_dim = (0..categorical.len())
            .map(|k| x.iter().map(|r| r[k]).collect())
            .collect();
        Some((
            Factor {
                x,
                by_dim,
                categorical,
                params,
                jitter,
                l,
                linv,
            },
            llt,
        ))
    }

    /// The inputs, in the order of the factor's rows.
    pub fn x(&self) -> &[Vec<f64>] {
        &self.x
    }

    /// The hyperparameters the kernel matrix was built with.
    pub fn params(&self) -> &KernelParams {
        &self.params
    }

    /// `d²(x, x_i)` for every input `x_i`, one vectorised pass per dimension (the same sums,
    /// in the same order, as [`distance2`]).
    fn distances(&self, x: &[f64]) -> Vec<f64> {
        let isl = &self.params.inverse_squared_lengthscales;
        let mut d2 = vec![0.0; self.x.len()];
        for (k, col) in self.by_dim.iter().enumerate() {
            let (w, c) = (isl[k], x[k]);
            if self.categorical[k] {
                for (d, v) in d2.iter_mut().zip(col) {
                    *d += if *v == c { 0.0 } else { w };
                }
            } else {
                for (d, v) in d2.iter_mut().zip(col) {
                    *d += w * ((v - c) * (v - c));
                }
            }
        }
        d2
    }

    /// The kernel between `x` and every input, `scale · M(d²)`.
    fn kvec(&self, x: &[f64]) -> Vec<f64> {
        let scale = self.params.kernel_scale;
        let mut k = self.distances(x);
        for v in k.iter_mut() {
            *v = scale * matern52(*v);
        }
        k
    }

    /// `v = L⁻¹ k`: `v_i` is row `i` of `L⁻¹` dotted with `k`.
    fn forward(&self, k: &[f64], v: &mut [f64]) {
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = dot(packed_row(&self.linv, i), &k[..=i]);
        }
    }

    /// Appends the observations at `extra` (O(n²) each): with `l = L⁻¹ k` and
    /// `d = √(k(x, x) + noise + jitter - ‖l‖²)`, `L` gains the row `[lᵀ, d]` and `L⁻¹` the row
    /// `[-lᵀ L⁻¹ / d, 1 / d]`. Returns `false`, leaving the factor partly extended (the caller
    /// refactorises from scratch), when a new pivot `d²` falls below half of the noise on the
    /// diagonal, which exact arithmetic rules out: the point nearly duplicates earlier ones
    /// and rounding has taken over.
    pub fn extend(&mut self, extra: &[Vec<f64>]) -> bool {
        let diag_noise = self.params.noise_var + self.jitter;
        for p in extra {
            let n = self.x.len();
            let k = self.kvec(p);
            let mut l = vec![0.0; n];
            self.forward(&k, &mut l);
            let d2 = self.params.kernel_scale + diag_noise - dot(&l, &l);
            if !(d2.is_finite() && d2 > 0.5 * diag_noise && d2 > 0.0) {
                return false;
            }
            let d = d2.sqrt();
            let mut r = vec![0.0; n + 1];
            for (i, &li) in l.iter().enumerate() {
                if li != 0.0 {
                    for (rv, lv) in r[..=i].iter_mut().zip(packed_row(&self.linv, i)) {
                        *rv += li * lv;
                    }
                }
            }
            r[..n].iter_mut().for_each(|v| *v = -*v / d);
            r[n] = 1.0 / d;
            self.l.extend_from_slice(&l);
            self.l.push(d);
            self.linv.extend_from_slice(&r);
            for (col, v) in self.by_dim.iter_mut().zip(p) {
                col.push(*v);
            }
            self.x.push(p.clone());
        }
        true
    }

    /// `K⁻¹ y` by forward and back substitution with `L` (O(n²)).
    fn solve(&self, y: &[f64]) -> Vec<f64> {
        let n = self.x.len();
        let mut a = vec![0.0; n];
        for i in 0..n {
            let row = packed_row(&self.l, i);
            a[i] = (y[i] - dot(&row[..i], &a[..i])) / row[i];
        }
        for i in (0..n).rev() {
            let row = packed_row(&self.l, i);
            let ai = a[i] / row[i];
            a[i] = ai;
            for (av, lv) in a[..i].iter_mut().zip(&row[..i]) {
                *av -= ai * lv;
            }
        }
        a
    }
}

/// A fitted zero-mean GP over inputs in `[0, 1]^d` (categorical dimensions hold the choice
/// index) with outputs `y` as given (the caller standardises them).
#[derive(Debug, Clone)]
pub struct Gp {
    /// Shared with the sampler's cache, which extends it for the next trial.
    factor: Arc<Factor>,
    alpha: Vec<f64>,
}

impl Gp {
    /// Conditions the GP on `(x, y)`, factorising from scratch. `None` only when the kernel
    /// matrix cannot be factorised even with jitter (non-finite inputs or hyperparameters).
    pub fn new(
        x: Vec<Vec<f64>>,
        categorical: Vec<bool>,
        y: &[f64],
        params: KernelParams,
    ) -> Option<Gp> {
        let (factor, llt) = Factor::build(x, categorical, params)?;
        let alpha: Vec<f64> = llt
            .solve(&DVector::from_column_slice(y))
            .iter()
            .copied()
            .collect();
        Gp::with_alpha(Arc::new(factor), alpha)
    }

    /// Conditions the GP on outputs `y` for the inputs of an existing factorisation (O(n²)).
    pub fn from_factor(factor: Arc<Factor>, y: &[f64]) -> Option<Gp> {
        let alpha = factor.solve(y);
        Gp::with_alpha(factor, alpha)
    }

    fn with_alpha(factor: Arc<Factor>, alpha: Vec<f64>) -> Option<Gp> {
        if alpha.iter().any(|v| !v.is_finite()) {
            return None;
        }
        Some(Gp { factor, alpha })
    }

    /// The factorisation the posterior uses (for the sampler to extend on the next trial).
    pub fn factor(&self) -> &Arc<Factor> {
        &self.factor
    }

    /// The hyperparameters.
    pub fn params(&self) -> &KernelParams {
        &self.factor.params
    }

    /// Which input dimensions are categorical.
    pub fn categorical(&self) -> &[bool] {
        &self.factor.categorical
    }

    /// Posterior mean and variance of the latent function at `x` (variance floored at 0).
    pub fn posterior(&self, x: &[f64]) -> (f64, f64) {
        let k = self.factor.kvec(x);
        let mut v = vec![0.0; k.len()];
        self.factor.forward(&k, &mut v);
        let var = (self.params().kernel_scale - dot(&v, &v)).max(0.0);
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
        let f = &*self.factor;
        let isl = &f.params.inverse_squared_lengthscales;
        let n = f.x.len();
        let scale = f.params.kernel_scale;
        let mut k = f.distances(x);
        let mut dk = vec![0.0; n];
        for (kv, dv) in k.iter_mut().zip(dk.iter_mut()) {
            let (m, dm) = matern52_with_derivative(*kv);
            *kv = scale * m;
            *dv = scale * dm;
        }
        let mean = dot(&k, &self.alpha);
        let mut v = vec![0.0; n];
        let mut kinv_k = vec![0.0; n];
        pulp::Arch::new().dispatch(ForwardBack {
            linv: &f.linv,
            k: &k,
            v: &mut v,
            kinv_k: &mut kinv_k,
        });
        let var = (scale - dot(&v, &v)).max(0.0);
        // dk_i/dx_d = scale · M'(d²) · isl_d · 2 (x_d - x_id), summed over the inputs in their
        // order, one dimension at a time over its contiguous column.
        let alpha = &self.alpha[..n];
        let (dk, kinv_k) = (&dk[..n], &kinv_k[..n]);
        for (d, col) in f.by_dim.iter().enumerate() {
            let (mut gm, mut gv) = (0.0, 0.0);
            if !f.categorical[d] {
                let (w, xd) = (isl[d], x[d]);
                for (i, &xid) in col[..n].iter().enumerate() {
                    let g = dk[i] * 2.0 * w * (xd - xid);
                    gm += alpha[i] * g;
                    gv -= 2.0 * kinv_k[i] * g;
                }
            }
            dmean[d] = gm;
            dvar[d] = gv;
        }
        (mean, var)
    }

    /// Posterior means and variances at many points at once: the kernel block `Kc` (m × n)
    /// column by column into tiles of candidates, then `‖L⁻¹ k_r‖²` from `Kc L⁻ᵀ`, eight rows
    /// of `L⁻¹` at a time, each using only the inputs up to its diagonal (half the flops of
    /// one dense product), squared and summed in registers ([`SquaredProjections`]).
    pub fn posterior_batch(&self, xs: &[Vec<f64>]) -> Vec<(f64, f64)> {
        let f = &*self.factor;
        let n = f.x.len();
        let m = xs.len();
        if m == 0 {
            return Vec::new();
        }
        let dims = f.categorical.len();
        let scale = f.params.kernel_scale;
        // Candidates by dimension, so each kernel column is computed with vectorised passes.
        let by_dim: Vec<Vec<f64>> = (0..dims)
            .map(|k| xs.iter().map(|x| x[k]).collect())
            .collect();
        let tiles = m.div_ceil(TILE);
        let mut kc = vec![0.0; tiles * n * TILE];
        let mut means = vec![0.0; m];
        pulp::Arch::new().dispatch(KernelColumns {
            gp: self,
            candidates: &by_dim,
            kc: &mut kc,
            means: &mut means,
        });
        // q_r = ‖L⁻¹ k_r‖² = Σ_t (Σ_i Kc_ri L⁻¹_ti)², eight rows t of L⁻¹ at a time; row t is
        // zero past column t, so a block ending at row `end` needs only the first `end`
        // inputs. (The last tile's padding candidates are computed and dropped.)
        let mut q = vec![0.0; tiles * TILE];
        let mut panel = Vec::new();
        let arch = pulp::Arch::new();
        for t0 in (0..n).step_by(PANEL) {
            let end = (t0 + PANEL).min(n);
            panel.clear();
            panel.resize(end * PANEL, 0.0);
            for j in 0..end - t0 {
                for (i, v) in packed_row(&f.linv, t0 + j).iter().enumerate() {
                    panel[i * PANEL + j] = *v;
                }
            }
            arch.dispatch(SquaredProjections {
                kc: &kc,
                n,
                panel: &panel,
                q: &mut q,
            });
        }
        means
            .into_iter()
            .zip(q)
            .map(|(mv, qv)| (mv, (scale - qv).max(0.0)))
            .collect()
    }

    /// The same model conditioned on extra observations, hyperparameters unchanged (used to
    /// fantasise running trials): the factor extended by the extra points (O(n²) each), or
    /// refactorised when that fails.
    pub fn with_observations(
        &self,
        y: &[f64],
        extra_x: &[Vec<f64>],
        extra_y: &[f64],
    ) -> Option<Gp> {
        let mut all_y = y.to_vec();
        all_y.extend_from_slice(extra_y);
        let mut factor = (*self.factor).clone();
        if factor.extend(extra_x) {
            return Gp::from_factor(Arc::new(factor), &all_y);
        }
        let f = &*self.factor;
        let mut x = f.x.clone();
        x.extend(extra_x.iter().cloned());
        Gp::new(x, f.categorical.clone(), &all_y, f.params.clone())
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

    /// The squared projections give the bits of the plain scalar formula on every vector
    /// width (one lane, two, four emulated, eight emulated, and what this CPU dispatches to),
    /// with a panel that stops short of the matrix and a padded last tile.
    #[test]
    fn squared_projections_give_the_scalar_bits_on_every_width() {
        use pulp::WithSimd;
        let wave = |i: usize, f: f64| ((i as f64 + 1.0) * f).sin();
        let (tiles, n) = (3, 21);
        let kc: Vec<f64> = (0..tiles * n * TILE).map(|i| wave(i, 0.37)).collect();
        for end in [1, 8, 21] {
            let panel: Vec<f64> = (0..end * PANEL).map(|i| wave(i, 0.11) * 0.5).collect();
            let start: Vec<f64> = (0..tiles * TILE).map(|i| wave(i, 0.7).abs()).collect();
            let mut want = start.clone();
            for (r, w) in want.iter_mut().enumerate() {
                let (t, k) = (r / TILE, r % TILE);
                for j in 0..PANEL {
                    let mut s = 0.0;
                    for i in 0..end {
                        let a: f64 = kc[(t * n + i) * TILE + k];
                        s = a.mul_add(panel[i * PANEL + j], s);
                    }
                    *w = s.mul_add(s, *w);
                }
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let run = |f: &dyn Fn(SquaredProjections<'_>)| {
                let mut q = start.clone();
                f(SquaredProjections {
                    kc: &kc,
                    n,
                    panel: &panel,
                    q: &mut q,
                });
                bits(&q)
            };
            type Width<'f> = (&'f str, &'f dyn Fn(SquaredProjections<'_>));
            let widths: [Width<'_>; 5] = [
                ("dispatched", &|sp| pulp::Arch::new().dispatch(sp)),
                ("scalar", &|sp| sp.with_simd(pulp::Scalar)),
                ("128-bit", &|sp| sp.with_simd(pulp::Scalar128b)),
                ("256-bit", &|sp| sp.with_simd(pulp::Scalar256b)),
                ("512-bit", &|sp| sp.with_simd(pulp::Scalar512b)),
            ];
            for (width, f) in widths {
                assert_eq!(run(f), bits(&want), "{width}, end {end}");
            }
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

    /// `n` points in `[0, 1]² × {0, 1, 2}` spread by a low-discrepancy rule, and smooth
    /// outputs.
    fn spread(n: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let x: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let t = i as f64;
                vec![
                    (t * 0.618_033_988_7).fract(),
                    (t * 0.754_877_666_2).fract(),
                    (i % 3) as f64,
                ]
            })
            .collect();
        let y = x
            .iter()
            .map(|v| (5.0 * v[0]).sin() + v[1] * v[1] - 0.3 * v[2])
            .collect();
        (x, y)
    }

    fn params3() -> KernelParams {
        KernelParams {
            inverse_squared_lengthscales: vec![4.0, 2.0, 0.5],
            kernel_scale: 1.2,
            noise_var: 1e-4,
        }
    }

    fn assert_close(a: f64, b: f64, tol: f64, what: &str) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        );
    }

    #[test]
    fn extended_factor_matches_a_full_factorisation() {
        let cat = vec![false, false, true];
        let (x, y) = spread(90);
        let full = Gp::new(x.clone(), cat.clone(), &y, params3()).unwrap();
        // 30 points factorised, 60 appended one call at a time and in one batch.
        let start = Gp::new(x[..30].to_vec(), cat.clone(), &y[..30], params3()).unwrap();
        let mut one_by_one = (**start.factor()).clone();
        for p in &x[30..] {
            assert!(one_by_one.extend(std::slice::from_ref(p)));
        }
        let mut at_once = (**start.factor()).clone();
        assert!(at_once.extend(&x[30..]));
        for f in [one_by_one, at_once] {
            assert_eq!(f.x(), &x[..]);
            let gp = Gp::from_factor(Arc::new(f), &y).unwrap();
            for (a, b) in gp.alpha.iter().zip(&full.alpha) {
                assert_close(*a, *b, 1e-8, "alpha");
            }
            let probes: Vec<Vec<f64>> = (0..20)
                .map(|i| vec![i as f64 / 19.0, 1.0 - i as f64 / 23.0, (i % 3) as f64])
                .collect();
            for p in &probes {
                let (m, v) = gp.posterior(p);
                let (fm, fv) = full.posterior(p);
                assert_close(m, fm, 1e-8, "mean");
                assert_close(v, fv, 1e-8, "variance");
            }
            // The fantasy path extends the factor too.
            let extra = vec![vec![0.5, 0.5, 1.0]];
            let more = gp.with_observations(&y, &extra, &[0.25]).unwrap();
            let mut all_x = x.clone();
            all_x.extend(extra.iter().cloned());
            let mut all_y = y.clone();
            all_y.push(0.25);
            let direct = Gp::new(all_x, cat.clone(), &all_y, params3()).unwrap();
            let (m, v) = more.posterior(&[0.45, 0.55, 1.0]);
            let (dm, dv) = direct.posterior(&[0.45, 0.55, 1.0]);
            assert_close(m, dm, 1e-8, "fantasy mean");
            assert_close(v, dv, 1e-8, "fantasy variance");
        }
    }

    #[test]
    fn extending_by_a_duplicate_without_noise_fails_instead_of_going_indefinite() {
        let p = KernelParams {
            inverse_squared_lengthscales: vec![1.0, 1.0],
            kernel_scale: 1.0,
            noise_var: 0.0,
        };
        let x = vec![vec![0.2, 0.3], vec![0.8, 0.1]];
        let gp = Gp::new(x.clone(), vec![false, false], &[1.0, 2.0], p).unwrap();
        let mut f = (**gp.factor()).clone();
        assert!(!f.extend(&[x[0].clone()]));
    }

    #[test]
    fn batch_posterior_matches_pointwise_across_blocks() {
        let cat = vec![false, false, true];
        // 150 = 64 + 64 + 22 columns; 130 = 64 + 66 (a last block narrower than 8 joins the
        // one before); 7: a single thin block.
        for n in [150, 130, 7] {
            let (x, y) = spread(n);
            let gp = Gp::new(x, cat.clone(), &y, params3()).unwrap();
            let probes: Vec<Vec<f64>> = (0..40)
                .map(|i| vec![(i as f64 * 0.37).fract(), i as f64 / 39.0, (i % 3) as f64])
                .collect();
            for (p, (bm, bv)) in probes.iter().zip(gp.posterior_batch(&probes)) {
                let (m, v) = gp.posterior(p);
                assert_close(bm, m, 1e-12, "batch mean");
                assert_close(bv, v, 1e-12, "batch variance");
            }
        }
    }

    /// [`Gp::posterior_with_gradient`] at `at` against the plain formulas, bit for bit: v = L⁻¹k
    /// row by row, K⁻¹k = L⁻ᵀv column by column, each dimension's gradient summed in input
    /// order.
    fn posterior_gradient_is_the_plain_one(gp: &Gp, at: &[f64]) {
        let f = &**gp.factor();
        let n = f.x().len();
        let dims = at.len();
        let (mut dmean, mut dvar) = (vec![9.0; dims], vec![9.0; dims]);
        let (mean, var) = gp.posterior_with_gradient(at, &mut dmean, &mut dvar);
        let p = gp.params();
        let d2 = f.distances(at);
        let k: Vec<f64> = d2.iter().map(|&d| p.kernel_scale * matern52(d)).collect();
        let dk: Vec<f64> = d2
            .iter()
            .map(|&d| p.kernel_scale * matern52_with_derivative(d).1)
            .collect();
        let want_v: Vec<f64> = (0..n)
            .map(|i| dot(packed_row(&f.linv, i), &k[..=i]))
            .collect();
        let want_kinv_k: Vec<f64> = (0..n)
            .map(|j| {
                let mut s = 0.0;
                for (i, vi) in want_v.iter().enumerate().skip(j) {
                    s += vi * packed_row(&f.linv, i)[j];
                }
                s
            })
            .collect();
        assert_eq!(mean.to_bits(), dot(&k, &gp.alpha).to_bits());
        let want_var = (p.kernel_scale - dot(&want_v, &want_v)).max(0.0);
        assert_eq!(var.to_bits(), want_var.to_bits());
        for d in 0..dims {
            let (mut gm, mut gv) = (0.0, 0.0);
            if !gp.categorical()[d] {
                let w = p.inverse_squared_lengthscales[d];
                for i in 0..n {
                    let g = dk[i] * 2.0 * w * (at[d] - f.x()[i][d]);
                    gm += gp.alpha[i] * g;
                    gv -= 2.0 * want_kinv_k[i] * g;
                }
            }
            assert_eq!(dmean[d].to_bits(), gm.to_bits(), "dmean[{d}] of {dims}");
            assert_eq!(dvar[d].to_bits(), gv.to_bits(), "dvar[{d}] of {dims}");
        }
    }

    /// The passes compiled for the widest vectors (run-time dispatch) give the bits of the
    /// plain formulas, element by element and sum by sum in the same order, so they add no
    /// difference between CPUs (in an optimised build, where the dispatched loops are
    /// vectorised, this compares AVX-512 or AVX2 code with scalar code). Seeded GP studies can
    /// still differ in the last bits from one CPU model to another: the refit's GEMM
    /// (matrixmultiply, for `K⁻¹`) and the system's `exp` and `ln` pick CPU-specific kernels.
    #[test]
    fn dispatched_passes_give_the_bits_of_the_plain_formulas() {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // 77 inputs: rows of every length mod 8 (the dot products' tails).
        let n = 77;
        let (x, y) = spread(n);
        let gp = Gp::new(x, vec![false, false, true], &y, params3()).unwrap();
        let f = &**gp.factor();
        // The posterior with its gradient, against the plain formulas, on this GP and on one
        // with seven dimensions (a full group of four numeric ones, a short one, a categorical).
        posterior_gradient_is_the_plain_one(&gp, &[0.3, 0.6, 1.0]);
        let x7: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let t = i as f64;
                (0..7)
                    .map(|d| {
                        if d == 4 {
                            (i % 3) as f64
                        } else {
                            (t * (0.37 + 0.11 * d as f64)).fract()
                        }
                    })
                    .collect()
            })
            .collect();
        let y7: Vec<f64> = x7
            .iter()
            .map(|v| (3.0 * v[0]).sin() + v[5] - v[6] * v[1])
            .collect();
        let mut cat7 = vec![false; 7];
        cat7[4] = true;
        let p7 = KernelParams {
            inverse_squared_lengthscales: vec![4.0, 2.0, 0.5, 1.5, 0.7, 3.0, 0.9],
            kernel_scale: 1.1,
            noise_var: 1e-4,
        };
        let gp7 = Gp::new(x7, cat7, &y7, p7).unwrap();
        posterior_gradient_is_the_plain_one(&gp7, &[0.2, 0.9, 0.4, 0.6, 2.0, 0.1, 0.75]);

        let m: usize = 37;
        let candidates: Vec<Vec<f64>> = vec![
            (0..m).map(|i| (i as f64 * 0.31).fract()).collect(),
            (0..m).map(|i| (i as f64 * 0.77).fract()).collect(),
            (0..m).map(|i| (i % 3) as f64).collect(),
        ];
        let mut kc = vec![0.0; m.div_ceil(TILE) * n * TILE];
        let mut means = vec![0.0; m];
        pulp::Arch::new().dispatch(KernelColumns {
            gp: &gp,
            candidates: &candidates,
            kc: &mut kc,
            means: &mut means,
        });
        let p = gp.params();
        let mut want_means = vec![0.0; m];
        for (i, xi) in f.x().iter().enumerate() {
            for r in 0..m {
                let mut d2 = 0.0;
                for (d, cand) in candidates.iter().enumerate() {
                    let w = p.inverse_squared_lengthscales[d];
                    d2 += if d == 2 {
                        if cand[r] == xi[d] { 0.0 } else { w }
                    } else {
                        w * (cand[r] - xi[d]) * (cand[r] - xi[d])
                    };
                }
                let want = p.kernel_scale * matern52(d2);
                let at = ((r / TILE) * n + i) * TILE + r % TILE;
                assert_eq!(kc[at].to_bits(), want.to_bits(), "Kc[{r}, {i}]");
                want_means[r] += gp.alpha[i] * want;
            }
        }
        assert_eq!(bits(&means), bits(&want_means));
    }

    /// `L⁻¹` and `K⁻¹` are shared out over threads by columns: the bits must not depend on how
    /// many (uneven shares included), and `L⁻¹ L` must be the identity.
    #[test]
    fn inverses_have_the_same_bits_on_any_number_of_threads() {
        let bits = |m: &DMatrix<f64>| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for n in [77, 300, 400] {
            let (x, _) = spread(n);
            let k = kernel_matrix(&x, &[false, false, true], &params3(), 0.0);
            let (llt, _) = robust_cholesky_with_jitter(&k).unwrap();
            let one = lower_inverse(&llt, 1);
            let eye = &one * llt.l();
            for i in 0..n {
                for j in 0..n {
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!(
                        (eye[(i, j)] - want).abs() < 1e-6,
                        "L⁻¹L[{i}, {j}] = {}",
                        eye[(i, j)]
                    );
                }
            }
            let kinv = inverse_from_cholesky(&llt, 1);
            for threads in [2, 3, 4] {
                assert_eq!(
                    bits(&lower_inverse(&llt, threads)),
                    bits(&one),
                    "L⁻¹, n={n} on {threads}"
                );
                assert_eq!(
                    bits(&inverse_from_cholesky(&llt, threads)),
                    bits(&kinv),
                    "K⁻¹, n={n} on {threads}"
                );
            }
        }
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
