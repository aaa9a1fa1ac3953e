//! The Parzen estimator of TPE: a mixture of product kernels, one per observation plus a prior
//! kernel (Optuna's `_ParzenEstimator` and `_MixtureOfProductDistribution`).
//!
//! Numeric dimensions use truncated normals in the transformed space (log for log scales, the
//! range widened by half a step for stepped and integer ones) with the neighbour-distance
//! bandwidth and the magic clip; categorical dimensions use Optuna's smoothed categorical kernel.
//! The per-kernel constants are folded into one vector so that evaluating many candidates is a
//! tight loop the compiler vectorises, four candidates per pass over the kernels.
//!
//! TPE's bad group gains about one trial per trial, so the sampler refits its estimator in place
//! ([`ParzenEstimator::update`]): only the kernels that joined or left and their neighbours in
//! each dimension's sorted order are recomputed, with the same rules as a full fit and to the
//! same bits.

use crate::Distribution;
use crate::rng::Rng;
use crate::samplers::tpe::history::Sorted;

#[cfg(target_arch = "x86_64")]
use crate::math::fast_exp::log_sum_exp_columns_v4;
use crate::math::fast_exp::{largest, ln_quotients, log_sum_exp_pruned};
use crate::math::normal::{self, LN_SQRT_2PI, SQRT_2PI};
use crate::math::truncnorm::{self, log_gauss_mass};

/// Settings shared by the estimators of one sampler.
#[derive(Debug, Clone, Copy)]
pub struct EstimatorParams {
    /// Weight of the prior kernel (Optuna: 1.0).
    pub prior_weight: f64,
    /// Clip bandwidths below at `range / min(100, 1 + n_kernels)` (Optuna: true).
    pub consider_magic_clip: bool,
    /// Let the range ends count as neighbours of the extreme observations (Optuna: false).
    pub consider_endpoints: bool,
}

/// One dimension, as the estimator sees it.
#[derive(Debug, Clone)]
enum Dim {
    /// Boxed: its buffers make it much larger than a categorical dimension.
    Numeric(Box<NumericDim>),
    Categorical(CategoricalDim),
}

#[derive(Debug, Clone)]
struct NumericDim {
    /// Bounds of the internal values (for snapping and clipping).
    low: f64,
    high: f64,
    /// Grid step (0 for continuous dimensions; 1 for plain ints).
    step: f64,
    log: bool,
    /// Truncation bounds in the transformed space.
    lo: f64,
    hi: f64,
    mu: Vec<f64>,
    sigma: Vec<f64>,
    inv_sigma: Vec<f64>,
    /// Per kernel, the normalising term: `mass * sigma * sqrt(2 pi)` for continuous
    /// dimensions, the log of the truncated mass for stepped ones.
    term: Vec<f64>,
    /// Per kernel, `truncnorm::tails` of its standardised range, filled as draws need them
    /// (empty in an estimator nobody draws from).
    tails: Vec<(f64, f64)>,
    /// The kernels whose values are worth keeping for the next fit, in kernel order: those
    /// near a bound (their term costs error functions), or all of them in an estimator that is
    /// drawn from (their tails do). Most kernels keep their mean and bandwidth from one trial
    /// to the next.
    cache: Vec<Cached>,
    /// Spare buffers for the next fit (which reads this fit's tails and cache).
    spare_tails: Vec<(f64, f64)>,
    spare_cache: Vec<Cached>,
}

/// One kernel of a numeric dimension, as a fit leaves it for the next.
#[derive(Debug, Clone, Copy)]
struct Cached {
    mu: f64,
    sigma: f64,
    term: f64,
    /// Its index in that fit (where its tails are).
    index: u32,
}

#[derive(Debug, Clone)]
struct CategoricalDim {
    n_choices: usize,
    /// Row-major `n_kernels x n_choices` probabilities.
    probs: Vec<f64>,
}

/// Maps a numeric dimension's draws from the transformed space back to internal values: the
/// exponential of a log dimension, then the snap to its grid and the clip to its bounds. One
/// pass per dimension, each branch taken once, not once per value: in the draw loop the
/// compiler computed the exponential of every value, log dimension or not (`exp` is
/// speculatable), at about a fifth of a draw's cost.
fn finish_numeric<'a>(d: &NumericDim, values: impl Iterator<Item = &'a mut f64>) {
    let (low, high, step) = (d.low, d.high, d.step);
    match (d.log, step != 0.0) {
        (false, false) => values.for_each(|x| *x = x.clamp(low, high)),
        (false, true) => values.for_each(|x| *x = snap(*x, low, high, step)),
        (true, false) => values.for_each(|x| *x = x.exp().clamp(low, high)),
        (true, true) => values.for_each(|x| *x = snap(x.exp(), low, high, step)),
    }
}

/// `x` on the grid `low + i * step`, clipped to `[low, high]`.
#[inline(always)]
fn snap(x: f64, low: f64, high: f64, step: f64) -> f64 {
    (low + ((x - low) / step).round() * step).clamp(low, high)
}

/// Samples whose log densities are computed together: each stretch of kernel parameters is
/// read once for all of them. The dense pass is bound by reading those parameters (hundreds of
/// kilobytes at D = 20, beyond the first-level cache), not by its arithmetic.
const BLOCK: usize = 4;

/// One continuous dimension's share of the log densities of a block of samples: the samples'
/// transformed values and the kernels' means and inverse bandwidths.
#[derive(Clone, Copy, Default)]
struct Continuous<'a> {
    xs: [f64; BLOCK],
    mu: &'a [f64],
    inv_sigma: &'a [f64],
}

/// Subtracts the continuous dimensions' `z^2` from every kernel's accumulator of `rows`
/// samples (1 or [`BLOCK`]; row `r` is `acc[r * stride..][..n]`, `stride = acc.len() / rows` a
/// multiple of eight), in one pass for up to five dimensions (in the given order, so the sums
/// round as one at a time would). The accumulators hold twice the log terms: subtracting `z^2`
/// from `2 v` rounds to twice what subtracting `z^2 / 2` from `v` rounds to (a power of two
/// scales a rounding exactly), so halving a row gives the terms' bits with four operations
/// per kernel and dimension instead of five (only when `z^2 / 2` or a sum is subnormal, far
/// below any term that matters, can the two differ). On the widest vectors the CPU has
/// (AVX-512 or AVX2 where present: two-lane SSE2 is all the baseline x86-64 target allows
/// without run-time dispatch).
/// Separate multiplies and subtractions (never fused), so every CPU gives the same bits. When
/// `base` holds values (the doubled log factors) and `dims` is not empty, the pass starts every
/// row from them instead of the accumulators' contents and takes them, so that only the first
/// pass per block reads them. With `top` (one slot per row), the pass also leaves there each
/// row's largest element as [`largest`] finds it (NaN passed over, `-inf` for none), read while
/// the row is written instead of in a second pass over it; returns whether it did (not when
/// `dims` is empty).
fn add_continuous(
    acc: &mut [f64],
    rows: usize,
    n: usize,
    dims: &[Continuous<'_>],
    base: &mut Option<&[f64]>,
    top: Option<&mut [f64]>,
) -> bool {
    if dims.is_empty() {
        return false;
    }
    let from = base.take();
    let filled = top.is_some();
    if rows == 1 {
        dense_rows::<1>(acc, n, dims, from, top);
    } else {
        debug_assert_eq!(rows, BLOCK);
        dense_rows::<BLOCK>(acc, n, dims, from, top);
    }
    filled
}

/// [`add_continuous`] on `C` rows (one to five dimensions).
fn dense_rows<const C: usize>(
    acc: &mut [f64],
    n: usize,
    dims: &[Continuous<'_>],
    from: Option<&[f64]>,
    top: Option<&mut [f64]>,
) {
    let arch = pulp::Arch::new();
    match dims {
        [a] => arch.dispatch(Dense::<1, C> {
            acc,
            n,
            from,
            dims: [*a],
            top,
        }),
        [a, b] => arch.dispatch(Dense::<2, C> {
            acc,
            n,
            from,
            dims: [*a, *b],
            top,
        }),
        [a, b, c] => arch.dispatch(Dense::<3, C> {
            acc,
            n,
            from,
            dims: [*a, *b, *c],
            top,
        }),
        [a, b, c, d] => arch.dispatch(Dense::<4, C> {
            acc,
            n,
            from,
            dims: [*a, *b, *c, *d],
            top,
        }),
        [a, b, c, d, e, ..] => arch.dispatch(Dense::<5, C> {
            acc,
            n,
            from,
            dims: [*a, *b, *c, *d, *e],
            top,
        }),
        [] => {}
    }
}

/// One pass of [`add_continuous`] over `M` dimensions and `C` rows of `n` kernels, starting
/// from `from` instead of the accumulators' contents when given, leaving the rows' largest
/// elements in `top` when given.
struct Dense<'a, 'b, const M: usize, const C: usize> {
    acc: &'a mut [f64],
    n: usize,
    from: Option<&'b [f64]>,
    dims: [Continuous<'b>; M],
    top: Option<&'a mut [f64]>,
}

impl<const M: usize, const C: usize> pulp::WithSimd for Dense<'_, '_, M, C> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        // The loop twice, with and without the maxima, so that neither tests for them.
        if self.top.is_some() {
            self.pass::<S, true>(simd);
        } else {
            self.pass::<S, false>(simd);
        }
    }
}

impl<const M: usize, const C: usize> Dense<'_, '_, M, C> {
    /// The body of the pass; `TOP` when `self.top` is given.
    #[inline(always)]
    fn pass<S: pulp::Simd, const TOP: bool>(self, simd: S) {
        let n = self.n;
        let stride = self.acc.len() / C;
        let lanes = std::mem::size_of::<S::f64s>() / std::mem::size_of::<f64>();
        debug_assert!(stride >= n && stride.is_multiple_of(8));
        let (n_vec, stride_vec) = (n / lanes, stride / lanes);
        let kernels = self.dims.map(|d| {
            (
                &S::as_simd_f64s(&d.mu[..n]).0[..n_vec],
                &S::as_simd_f64s(&d.inv_sigma[..n]).0[..n_vec],
            )
        });
        // Plain loops: in a closure (`map`), each splat became a call to the intrinsic, which
        // the closure, compiled without the vector target, could not inline.
        let mut xs = [[simd.splat_f64s(0.0); BLOCK]; M];
        for (xs, d) in xs.iter_mut().zip(&self.dims) {
            for (x, &v) in xs.iter_mut().zip(&d.xs) {
                *x = simd.splat_f64s(v);
            }
        }
        let from = self.from.map(|f| &f[..n]);
        let from_head = from.map(|f| &S::as_simd_f64s(f).0[..n_vec]);
        // Each row cut to its whole vectors up front: indexing them by `i < n_vec` needs no
        // bounds checks in the loop (indexing the flat buffer at `r * stride + i` did).
        let mut rest = S::as_mut_simd_f64s(self.acc).0;
        let rows: [&mut [S::f64s]; C] = std::array::from_fn(|_| {
            let (row, tail) = std::mem::take(&mut rest).split_at_mut(stride_vec);
            rest = tail;
            &mut row[..n_vec]
        });
        // Plain indexed loops over the constant bounds: the compiler unrolls them and keeps
        // every value in a register (closures over arrays here were left as calls).
        let zero = simd.splat_f64s(0.0);
        // The running maxima, one `max` a vector: on x86's vectors `max(v, m)` is
        // `v > m ? v : m`, which passes over NaN as `largest` does (a compare and a blend
        // cost a second operation on the pipes the pass is bound by).
        let mut high = [simd.splat_f64s(f64::NEG_INFINITY); C];
        for i in 0..n_vec {
            let mut v = [zero; C];
            for r in 0..C {
                v[r] = match from_head {
                    Some(f) => f[i],
                    None => rows[r][i],
                };
            }
            for m in 0..M {
                let (mu, inv_sigma) = (kernels[m].0[i], kernels[m].1[i]);
                for r in 0..C {
                    // `mu - x` squares to the bits of `x - mu` (a rounded difference changes
                    // sign exactly), and lets `x` be read from memory where the registers run
                    // out (AVX2 has sixteen).
                    let z = simd.mul_f64s(simd.sub_f64s(mu, xs[m][r]), inv_sigma);
                    v[r] = simd.sub_f64s(v[r], simd.mul_f64s(z, z));
                }
            }
            for r in 0..C {
                rows[r][i] = v[r];
                if TOP {
                    high[r] = simd.max_f64s(v[r], high[r]);
                }
            }
        }
        let mut tail_high = [f64::NEG_INFINITY; C];
        for k in n_vec * lanes..n {
            for (r, high) in tail_high.iter_mut().enumerate() {
                let slot = &mut self.acc[r * stride + k];
                let mut v = from.map_or(*slot, |f| f[k]);
                for d in &self.dims {
                    let z = (d.mu[k] - d.xs[r]) * d.inv_sigma[k];
                    v -= z * z;
                }
                *slot = v;
                if TOP && v > *high {
                    *high = v;
                }
            }
        }
        if let Some(top) = self.top {
            for ((t, h), tail) in top.iter_mut().zip(high).zip(tail_high) {
                // Neither holds NaN: their maximum is exact in any order.
                *t = simd.reduce_max_f64s(h).max(tail);
            }
        }
    }
}

/// `into[k] = 1 / of[k]`, on the widest vectors the CPU has (a division is exact, so every
/// width gives the same bits).
struct Reciprocals<'a> {
    of: &'a [f64],
    into: &'a mut [f64],
}

impl pulp::WithSimd for Reciprocals<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let n = self.into.len();
        let (head, tail) = S::as_mut_simd_f64s(self.into);
        let (of_head, of_tail) = S::as_simd_f64s(&self.of[..n]);
        let one = simd.splat_f64s(1.0);
        for (r, s) in head.iter_mut().zip(of_head) {
            *r = simd.div_f64s(one, *s);
        }
        for (r, s) in tail.iter_mut().zip(of_tail) {
            *r = 1.0 / s;
        }
    }
}

/// `values[k] /= by`, on the widest vectors the CPU has (a division is exact, so every width
/// gives the same bits).
struct DivideBy<'a> {
    values: &'a mut [f64],
    by: f64,
}

impl pulp::WithSimd for DivideBy<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let (head, tail) = S::as_mut_simd_f64s(self.values);
        let by = simd.splat_f64s(self.by);
        for v in head.iter_mut() {
            *v = simd.div_f64s(*v, by);
        }
        for v in tail.iter_mut() {
            *v /= self.by;
        }
    }
}

/// At most this many samples left in play after the first is scored are scored one row at a
/// time by [`ParzenEstimator::best_ratio`]; more have their rows computed in blocks first.
const FEW_SAMPLES: usize = 3;

/// After two calls in a row in which the prior's bounds spared no block of rows, this many
/// calls of [`ParzenEstimator::best_ratio`] go straight to every row (then one tries them
/// again).
const SKIP_PRIOR: u32 = 7;

/// With at least this many kernels and dimensions, [`ParzenEstimator::best_ratio`]'s rows may
/// start from the last third of the kernels. With fewer, a row costs too little for what that
/// spares to pay for the second pass and the copies (sphere, 1000 trials: 12% faster at ten
/// dimensions, 6% at five, none at four, 3% and 8% slower at three and two).
const TAIL_MIN_KERNELS: usize = 96;

/// ... and dimensions.
const TAIL_MIN_DIMS: usize = 5;

/// Estimators with at most this many kernels (the good group's 26 with the default gamma) score
/// their samples eight at a time on AVX-512 ([`ParzenEstimator::log_pdf_into`]); larger ones
/// one by one, where the log-sum-exp's pruning pays.
#[cfg(target_arch = "x86_64")]
const LANES_MAX_KERNELS: usize = 64;

/// ... and at most this many dimensions (each sample's coordinates stay in registers).
#[cfg(target_arch = "x86_64")]
const LANES_MAX_DIMS: usize = 32;

/// Scratch space of [`ParzenEstimator::log_pdf_into`] and
/// [`ParzenEstimator::best_ratio`], kept between calls.
#[derive(Debug, Clone, Default)]
pub struct LogPdfScratch {
    /// The kernels' terms and the samples' coordinates of eight samples, one per lane.
    #[cfg(target_arch = "x86_64")]
    vectors: Vec<core::arch::x86_64::__m512d>,
    acc: Vec<f64>,
    /// The log factors doubled, where the dense pass's rows start.
    twice_log_factor: Vec<f64>,
    kept: Vec<f64>,
    bound: Vec<f64>,
    outside: Vec<bool>,
    scored: Vec<(usize, f64)>,
    /// Calls of [`ParzenEstimator::best_ratio`] left that go without the prior's bounds, and
    /// how many calls in a row the prior's bounds spared no block of rows.
    skip_prior: u32,
    prior_misses: u32,
    /// Per sample, the row of `acc` that holds its terms (`u32::MAX`: none yet), the first
    /// kernel the row holds a term of, and the largest of those terms.
    slot: Vec<u32>,
    from: Vec<u32>,
    top: Vec<f64>,
    /// Samples whose rows are computed together, and their coordinates side by side.
    which: Vec<u32>,
    gathered: Vec<f64>,
}

/// Halves every element of `row` in place (exact: a dense pass's row of doubled terms becomes
/// the terms) and returns it.
fn halve(row: &mut [f64]) -> &[f64] {
    for x in row.iter_mut() {
        *x *= 0.5;
    }
    row
}

/// The index of the largest score: the first of equal ones, a number before NaN, 0 for none
/// (TPE's choice among its candidates).
pub(crate) fn first_largest(scores: impl Iterator<Item = (usize, f64)>) -> usize {
    let mut best = 0;
    let mut best_score = f64::NEG_INFINITY;
    for (i, score) in scores {
        if score > best_score || (best_score.is_nan() && !score.is_nan()) {
            best_score = score;
            best = i;
        }
    }
    best
}

/// A fitted Parzen estimator over a list of dimensions.
#[derive(Debug, Clone)]
pub struct ParzenEstimator {
    weights: Vec<f64>,
    dims: Vec<Dim>,
    /// Per kernel: log weight minus the log normalising terms of the continuous dimensions
    /// (mass, sigma, sqrt(2 pi)). Every per-dimension term added to it is <= 0, which lets
    /// `log_pdf` drop kernels that can no longer matter.
    log_factor: Vec<f64>,
    /// Per kernel: the product of the continuous dimensions' normalising terms.
    den: Vec<f64>,
    /// The trial numbers of the kernels (prior excluded), when the caller tracks them
    /// ([`track`](Self::track)) so that the next fit may be an [`update`](Self::update).
    ids: Vec<u64>,
    /// Kernel indices sorted by value (when the caller gives no order).
    order: Vec<u32>,
    /// Scratch: the kernels of one dimension that need their own normalising term.
    near: Vec<u32>,
    /// Scratch: the running sums of the weights, by which draws pick their kernels.
    cumulative: Vec<f64>,
    /// Scratch of [`sample_into`](Self::sample_into).
    draws: DrawScratch,
}

/// What [`ParzenEstimator::sample_into`] keeps between its passes (reused between calls).
#[derive(Debug, Clone, Default)]
struct DrawScratch {
    /// Each sample's kernel.
    kernels: Vec<u32>,
    /// One numeric dimension's draws: their uniforms, their kernels' means, bandwidths and
    /// tails, and the draws.
    q: Vec<f64>,
    mu: Vec<f64>,
    sigma: Vec<f64>,
    below: Vec<f64>,
    above: Vec<f64>,
    x: Vec<f64>,
}

/// Takes samples' values of continuous dimension `nd` to its transformed space in place, and
/// marks those outside its range in `outside` (their density is 0): they become `nd.lo`, for
/// which the passes compute something harmless. The logarithm is taken in its own loop: inside
/// the range check's loop, the compiler called it for every value and kept it or not.
fn transform_and_check(nd: &NumericDim, xs: &mut [f64], outside: &mut [bool]) {
    if nd.log {
        for x in xs.iter_mut() {
            *x = x.ln();
        }
    }
    for (x, out) in xs.iter_mut().zip(outside) {
        if *x < nd.lo || *x > nd.hi {
            *out = true;
            *x = nd.lo;
        }
    }
}

/// One numeric kernel's normalising term on `[lo, hi]` (transformed space): for a continuous
/// dimension `mass * sigma * sqrt(2 pi)`, for a stepped one `log(mass)`, where `mass` is the
/// kernel's normal mass inside the range.
fn normalising_term(lo: f64, hi: f64, step: f64, mu: f64, sigma: f64, inv_sigma: f64) -> f64 {
    let (a, b) = ((lo - mu) * inv_sigma, (hi - mu) * inv_sigma);
    if a <= 0.0 && b > 0.0 {
        // Central case: the mass is 1 - Φ(a) - Φ(-b); tails beyond 9 sigma add below 1e-19.
        let pa = if a < -9.0 { 0.0 } else { normal::cdf_by_erf(a) };
        let pb = if b > 9.0 { 0.0 } else { normal::cdf_by_erf(-b) };
        if step == 0.0 {
            (1.0 - pa - pb) * sigma * SQRT_2PI
        } else {
            (-pa - pb).ln_1p()
        }
    } else {
        let log_mass = log_gauss_mass(a, b);
        if step == 0.0 {
            log_mass.exp() * sigma * SQRT_2PI
        } else {
            log_mass
        }
    }
}

/// Every kernel's normalising term as if it were far (beyond 9 σ) from both bounds:
/// `sigma * sqrt(2 pi)` for a continuous dimension, `log(1) = -0.0` for a stepped one (one
/// vectorised pass).
fn far_terms(step: f64, sigma: &[f64], term: &mut Vec<f64>) {
    term.clear();
    term.extend(sigma.iter().map(|&s| far_term(step, s)));
}

/// One kernel's normalising term far from both bounds (see [`far_terms`]).
#[inline(always)]
fn far_term(step: f64, sigma: f64) -> f64 {
    if step == 0.0 { sigma * SQRT_2PI } else { -0.0 }
}

/// Whether a kernel (mean, inverse bandwidth) is within 9 σ of a bound of `[lo, hi]`, where its
/// normalising term needs error functions.
#[inline(always)]
fn is_near(m: f64, is: f64, (lo, hi): (f64, f64)) -> bool {
    !(((lo - m) * is < -9.0) & ((hi - m) * is > 9.0))
}

/// The kernels (indices, in order) within 9 σ of a bound of `[lo, hi]`, whose normalising term
/// needs error functions; every kernel when `all`. Most kernels are far from both bounds, so
/// blocks of eight are tested in one vectorised pass and only blocks with a near kernel are
/// listed one by one.
fn list_near(mu: &[f64], inv_sigma: &[f64], (lo, hi): (f64, f64), all: bool, near: &mut Vec<u32>) {
    near.clear();
    let n = mu.len();
    if all {
        near.extend(0..n as u32);
        return;
    }
    let is_near = |m: f64, is: f64| is_near(m, is, (lo, hi));
    for (b, (mb, ib)) in mu.chunks(8).zip(inv_sigma[..n].chunks(8)).enumerate() {
        let any = mb
            .iter()
            .zip(ib)
            .fold(false, |acc, (&m, &is)| acc | is_near(m, is));
        if any {
            for (i, (&m, &is)) in mb.iter().zip(ib).enumerate() {
                if is_near(m, is) {
                    near.push((b * 8 + i) as u32);
                }
            }
        }
    }
}

/// What [`ParzenEstimator::update`] reads about the kernels, by trial number.
pub(crate) struct KernelSource<'a> {
    /// Per dimension: `(internal value, trial number)` of finished trials (kernels and
    /// others), sorted by value, equal values by number; it holds every kernel, and every trial
    /// that was a kernel in the previous fit.
    pub sorted: &'a [&'a Sorted],
    /// Trial number -> index among the new kernels, `u32::MAX` for other trials.
    pub kernel_of: &'a [u32],
    /// The internal value of dimension `d` in trial `number`.
    pub value: &'a dyn Fn(usize, u64) -> f64,
}

/// How many leading and how many trailing entries `a` and `b` share (not overlapping: together
/// at most the shorter length). Compared eight at a time, which vectorises.
fn same_ends(a: &[u64], b: &[u64]) -> (usize, usize) {
    let differs = |x: &[u64], y: &[u64]| x.iter().zip(y).fold(0, |acc, (p, q)| acc | (p ^ q)) != 0;
    let shorter = a.len().min(b.len());
    let mut head = 0;
    while head + 8 <= shorter && !differs(&a[head..head + 8], &b[head..head + 8]) {
        head += 8;
    }
    while head < shorter && a[head] == b[head] {
        head += 1;
    }
    let (a, b) = (&a[head..], &b[head..]);
    let rest = a.len().min(b.len());
    let mut tail = 0;
    while tail + 8 <= rest
        && !differs(
            &a[a.len() - tail - 8..a.len() - tail],
            &b[b.len() - tail - 8..b.len() - tail],
        )
    {
        tail += 8;
    }
    while tail < rest && a[a.len() - tail - 1] == b[b.len() - tail - 1] {
        tail += 1;
    }
    (head, tail)
}

/// Removes the entries at `left` (ascending indices of `v`), then inserts `fill` at `joined`
/// (ascending indices of the result).
fn splice<T: Copy>(v: &mut Vec<T>, left: &[usize], joined: &[usize], fill: T) {
    for &i in left.iter().rev() {
        v.remove(i);
    }
    for &j in joined {
        v.insert(j, fill);
    }
}

/// A categorical dimension's kernel rows (row-major, `n_choices` per kernel, the prior's
/// last): the prior weight spread over the kernels, plus 1 at each observation's choice,
/// normalised; the uniform row alone when there are no observations.
fn categorical_rows(
    obs: impl ExactSizeIterator<Item = f64>,
    n_choices: usize,
    params: &EstimatorParams,
    probs: &mut Vec<f64>,
) {
    probs.clear();
    let n_kernels = obs.len() + 1;
    if n_kernels == 1 {
        probs.resize(n_choices, 1.0 / n_choices as f64);
        return;
    }
    probs.resize(
        n_kernels * n_choices,
        params.prior_weight / n_kernels as f64,
    );
    for (k, x) in obs.enumerate() {
        probs[k * n_choices + x as usize] += 1.0;
    }
    for row in probs.chunks_mut(n_choices) {
        let s: f64 = row.iter().sum();
        let s = if s == 0.0 { 1.0 } else { s };
        for v in row {
            *v /= s;
        }
    }
}

/// The transform a numeric distribution works in: `(low, high, step, log)` of internal values.
fn numeric_spec(d: &Distribution) -> Option<(f64, f64, f64, bool)> {
    match d {
        Distribution::Float(f) => Some((f.low, f.high, f.step.unwrap_or(0.0), f.log)),
        Distribution::Int(i) => Some((i.low as f64, i.high as f64, i.step as f64, i.log)),
        Distribution::Categorical(_) => None,
    }
}

/// Neighbour-distance bandwidths (Optuna 5.0) for `mus` given in kernel order, written to `out`;
/// `order` lists the kernel indices sorted by value (computed into `scratch` when absent). One
/// pass over the sorted values: each kernel's bandwidth is the larger of its two gaps, the range
/// ends counting as neighbours only with `consider_endpoints`, then clipped.
fn sigmas(
    mus: &[f64],
    order: Option<&[u32]>,
    (lo, hi): (f64, f64),
    params: &EstimatorParams,
    scratch: &mut Vec<u32>,
    out: &mut Vec<f64>,
) {
    let n = mus.len();
    let order: &[u32] = match order {
        Some(o) => o,
        None => {
            scratch.clear();
            scratch.extend(0..n as u32);
            scratch.sort_by(|a, b| mus[*a as usize].total_cmp(&mus[*b as usize]));
            scratch
        }
    };
    let rule = BandwidthRule::new((lo, hi), n, params);
    out.clear();
    out.resize(n, 0.0);
    let value = |rank: usize| mus[order[rank] as usize];
    if n == 0 {
        return;
    }
    if n == 1 {
        out[order[0] as usize] = rule.bandwidth(None, value(0), None);
        return;
    }
    out[order[0] as usize] = rule.bandwidth(None, value(0), Some(value(1)));
    let (mut prev, mut cur) = (value(0), value(1));
    for r in 1..n - 1 {
        let next = value(r + 1);
        out[order[r] as usize] = rule.bandwidth(Some(prev), cur, Some(next));
        (prev, cur) = (cur, next);
    }
    out[order[n - 1] as usize] = rule.bandwidth(Some(prev), cur, None);
}

/// Optuna 5.0's neighbour-distance bandwidth for `n` observations on `[lo, hi]` (transformed
/// space): each kernel's bandwidth is the larger of its gaps to its neighbours in sorted order
/// (the range ends count as neighbours of the extreme kernels only with `consider_endpoints`),
/// clipped to `[min_sigma, hi - lo]`. The one place this rule is written: a full fit and an
/// incremental update compute every bandwidth through it.
#[derive(Clone, Copy)]
struct BandwidthRule {
    lo: f64,
    hi: f64,
    min_sigma: f64,
    max_sigma: f64,
    endpoints: bool,
}

impl BandwidthRule {
    fn new((lo, hi): (f64, f64), n: usize, params: &EstimatorParams) -> BandwidthRule {
        let min_sigma = if params.consider_magic_clip {
            (hi - lo) / 100f64.min(1.0 + (n + 1) as f64)
        } else {
            1e-12
        };
        BandwidthRule {
            lo,
            hi,
            min_sigma,
            max_sigma: hi - lo,
            endpoints: params.consider_endpoints,
        }
    }

    /// The bandwidth of the kernel at `cur` whose neighbours in sorted order are `prev` and
    /// `next` (`None` past either end).
    #[inline(always)]
    fn bandwidth(&self, prev: Option<f64>, cur: f64, next: Option<f64>) -> f64 {
        // Plain comparisons rather than `f64::max`: no value here is NaN, and the NaN-aware
        // forms cost several instructions each in the full fit's loop.
        let larger = |a: f64, b: f64| if a > b { a } else { b };
        let gap = match (prev, next) {
            (Some(p), Some(n)) => larger(cur - p, n - cur),
            (None, Some(n)) if self.endpoints => larger(cur - self.lo, n - cur),
            (None, Some(n)) => n - cur,
            (Some(p), None) if self.endpoints => larger(cur - p, self.hi - cur),
            (Some(p), None) => cur - p,
            (None, None) => larger(cur - self.lo, self.hi - cur),
        };
        if gap < self.min_sigma {
            self.min_sigma
        } else if gap > self.max_sigma {
            self.max_sigma
        } else {
            gap
        }
    }
}

impl Default for ParzenEstimator {
    fn default() -> Self {
        ParzenEstimator {
            weights: vec![1.0],
            dims: Vec::new(),
            log_factor: vec![0.0],
            den: Vec::new(),
            ids: Vec::new(),
            order: Vec::new(),
            near: Vec::new(),
            cumulative: Vec::new(),
            draws: DrawScratch::default(),
        }
    }
}

impl ParzenEstimator {
    /// Fits the estimator. `observations[d][k]` is the internal value of kernel `k` in dimension
    /// `d` (kernels in trial-number order); `orders[d]`, when given, lists the kernels sorted by
    /// that dimension's value (saves a sort); `weights` are the observation weights (Optuna's
    /// `weights(n)` or `predetermined_weights`), to which the prior's weight is appended.
    pub fn new(
        space: &[&Distribution],
        observations: &[Vec<f64>],
        orders: Option<&[Vec<u32>]>,
        weights: &[f64],
        params: &EstimatorParams,
    ) -> ParzenEstimator {
        let mut pe = ParzenEstimator::default();
        pe.fit(space, observations, orders, weights, params);
        pe
    }

    /// Refits this estimator in place (the arguments of [`new`](Self::new)), reusing its
    /// buffers: a sampler that fits two estimators per trial allocates nothing once warm.
    pub fn fit(
        &mut self,
        space: &[&Distribution],
        observations: &[Vec<f64>],
        orders: Option<&[Vec<u32>]>,
        weights: &[f64],
        params: &EstimatorParams,
    ) {
        let n_obs = observations.first().map_or(0, Vec::len);
        self.ids.clear();
        self.set_weights(n_obs, weights, params);
        let n_kernels = self.weights.len();
        // The product of the continuous dimensions' normalising terms, per kernel.
        let denominator = &mut self.den;
        denominator.clear();
        denominator.resize(n_kernels, 1.0);
        let mut old_dims = std::mem::take(&mut self.dims).into_iter();
        for (d, dist) in space.iter().enumerate() {
            let obs: &[f64] = observations.get(d).map_or(&[], Vec::as_slice);
            let recycled = old_dims.next();
            match numeric_spec(dist) {
                Some((low, high, step, log)) => {
                    let (mut lo, mut hi) = (low, high);
                    if step != 0.0 {
                        lo -= step / 2.0;
                        hi += step / 2.0;
                    }
                    if log {
                        lo = lo.ln();
                        hi = hi.ln();
                    }
                    let (mut mu, mut sigma, mut inv_sigma, mut term) = Default::default();
                    let (mut old_tails, mut tails, mut old_cache, mut cache) = Default::default();
                    if let Some(Dim::Numeric(nd)) = recycled {
                        let nd = *nd;
                        (mu, sigma, inv_sigma, term) = (nd.mu, nd.sigma, nd.inv_sigma, nd.term);
                        (old_tails, tails) = (nd.tails, nd.spare_tails);
                        (old_cache, cache) = (nd.cache, nd.spare_cache);
                        let same_range = nd.lo.to_bits() == lo.to_bits()
                            && nd.hi.to_bits() == hi.to_bits()
                            && nd.step.to_bits() == step.to_bits();
                        if !same_range {
                            old_cache.clear();
                        }
                    }
                    mu.clear();
                    mu.extend_from_slice(obs);
                    if log {
                        for m in mu.iter_mut() {
                            *m = m.ln();
                        }
                    }
                    let order = orders.and_then(|o| o.get(d)).map(Vec::as_slice);
                    sigmas(&mu, order, (lo, hi), params, &mut self.order, &mut sigma);
                    mu.push(0.5 * (lo + hi));
                    sigma.push(hi - lo);
                    inv_sigma.clear();
                    inv_sigma.resize(n_kernels, 0.0);
                    pulp::Arch::new().dispatch(Reciprocals {
                        of: &sigma,
                        into: &mut inv_sigma,
                    });
                    // Only an estimator that has been drawn from keeps draw tails.
                    let keep_all = !old_tails.is_empty();
                    tails.clear();
                    if keep_all {
                        tails.resize(n_kernels, (f64::NAN, f64::NAN));
                    }
                    cache.clear();
                    // First every kernel's term as if it were far (beyond 9 σ) from both
                    // bounds, where the truncated mass is exactly 1 (what `normalising_term`
                    // gives there), then the list of the kernels that are not.
                    far_terms(step, &sigma, &mut term);
                    let near = &mut self.near;
                    list_near(&mu, &inv_sigma, (lo, hi), keep_all, near);
                    // Then the others, reusing what the previous fit computed for the same mean
                    // and bandwidth. Both fits list their kernels in trial order, so the
                    // previous cache is walked alongside, skipping the few kernels that have
                    // left. Equal inputs give equal terms: a reused term changes no result.
                    let mut j = 0;
                    let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
                    for &k in near.iter() {
                        let k = k as usize;
                        let (m, sd, is) = (mu[k], sigma[k], inv_sigma[k]);
                        let window = &old_cache[j.min(old_cache.len())..];
                        let hit = window.iter().take(4).position(|c| same(c.mu, m));
                        let reused = hit.and_then(|h| {
                            let c = window[h];
                            j += h + 1;
                            same(c.sigma, sd).then_some(c)
                        });
                        term[k] = match reused {
                            Some(c) => {
                                if keep_all {
                                    tails[k] = old_tails[c.index as usize];
                                }
                                c.term
                            }
                            None => normalising_term(lo, hi, step, m, sd, is),
                        };
                        cache.push(Cached {
                            mu: m,
                            sigma: sd,
                            term: term[k],
                            index: k as u32,
                        });
                    }
                    if step == 0.0 {
                        for (den, t) in denominator.iter_mut().zip(term.iter()) {
                            *den *= *t;
                        }
                    }
                    self.dims.push(Dim::Numeric(Box::new(NumericDim {
                        low,
                        high,
                        step,
                        log,
                        lo,
                        hi,
                        mu,
                        sigma,
                        inv_sigma,
                        term,
                        tails,
                        cache,
                        spare_tails: old_tails,
                        spare_cache: old_cache,
                    })));
                }
                None => {
                    let n_choices = dist.choices().map_or(1, <[_]>::len);
                    let mut probs = match recycled {
                        Some(Dim::Categorical(c)) => c.probs,
                        _ => Vec::new(),
                    };
                    categorical_rows(obs.iter().copied(), n_choices, params, &mut probs);
                    self.dims
                        .push(Dim::Categorical(CategoricalDim { n_choices, probs }));
                }
            }
        }
        if !self.set_log_factors() {
            // Products of many small bandwidths left the floating-point range: sum logarithms.
            let (w, log_factor) = (&self.weights, &mut self.log_factor);
            for (lf, w) in log_factor.iter_mut().zip(w) {
                *lf = w.ln();
            }
            for dim in &self.dims {
                if let Dim::Numeric(nd) = dim
                    && nd.step == 0.0
                {
                    for (k, lf) in log_factor.iter_mut().enumerate() {
                        let is = nd.inv_sigma[k];
                        let log_mass =
                            log_gauss_mass((nd.lo - nd.mu[k]) * is, (nd.hi - nd.mu[k]) * is);
                        *lf -= log_mass + LN_SQRT_2PI + nd.sigma[k].ln();
                    }
                }
            }
        }
    }

    /// The normalised weights of `n_obs` observations (`weights[..n_obs]`) and the prior.
    fn set_weights(&mut self, n_obs: usize, weights: &[f64], params: &EstimatorParams) {
        let w = &mut self.weights;
        w.clear();
        if n_obs == 0 {
            w.push(1.0);
        } else {
            w.extend_from_slice(&weights[..n_obs]);
            w.push(params.prior_weight);
        }
        let total: f64 = w.iter().sum();
        pulp::Arch::new().dispatch(DivideBy {
            values: w,
            by: total,
        });
    }

    /// `log_factor = ln(weight / den)` per kernel; false when one is not finite (products of
    /// many small bandwidths leave the floating-point range).
    fn set_log_factors(&mut self) -> bool {
        // Positive, normal and finite quotients have finite logarithms: only others are looked
        // at again.
        ln_quotients(&self.weights, &self.den, &mut self.log_factor)
            || self.log_factor.iter().all(|f| f.is_finite())
    }

    /// Records the trial numbers of the kernels just fitted (prior excluded, in kernel order),
    /// so that the next fit may be an [`update`](Self::update). [`fit`](Self::fit) forgets them.
    pub(crate) fn track(&mut self, ids: &[u64]) {
        debug_assert_eq!(ids.len() + 1, self.weights.len());
        self.ids.clear();
        self.ids.extend_from_slice(ids);
    }

    /// Refits in place when the kernels differ from the tracked ones by a few trials joining
    /// or leaving: only those kernels and their neighbours in each dimension's sorted order
    /// (whose bandwidths depend on them) are recomputed, the rest is moved. What it leaves is
    /// exactly what [`fit`](Self::fit) gives for the same kernels, bit for bit. Returns false,
    /// having done nothing a full fit would not redo, when it cannot: no tracked kernels, a
    /// different space, too many changes, fewer than 98 kernels (the bandwidths' lower clip
    /// still moves with their number), an estimator that has been drawn from, or log factors
    /// out of range.
    ///
    /// `ids` are the new kernels' trial numbers in kernel order (ascending); `src` gives their
    /// values and each dimension's sorted order; `weights` as for [`fit`](Self::fit).
    pub(crate) fn update(
        &mut self,
        space: &[&Distribution],
        ids: &[u64],
        src: &KernelSource<'_>,
        weights: &[f64],
        params: &EstimatorParams,
    ) -> bool {
        /// More changes than this: a full fit is as cheap.
        const MAX_CHANGES: usize = 8;
        let (n_old, n) = (self.ids.len(), ids.len());
        if n_old < 98 || n < 98 || space.len() != self.dims.len() || self.den.len() != n_old + 1 {
            return false;
        }
        for (dist, dim) in space.iter().zip(&self.dims) {
            let same = match (numeric_spec(dist), dim) {
                (Some((low, high, step, log)), Dim::Numeric(nd)) => {
                    nd.low.to_bits() == low.to_bits()
                        && nd.high.to_bits() == high.to_bits()
                        && nd.step.to_bits() == step.to_bits()
                        && nd.log == log
                        && nd.tails.is_empty()
                }
                (None, Dim::Categorical(c)) => dist.choices().map_or(1, <[_]>::len) == c.n_choices,
                _ => false,
            };
            if !same {
                return false;
            }
        }
        // The changes: kernels that left (old indices) and joined (new indices), both
        // ascending; both lists are in trial-number order. The kernels before the first change
        // and after the last are skipped in blocks (most trials change one or two kernels).
        let (head, tail) = same_ends(&self.ids, ids);
        let (mut left, mut joined) = (Vec::new(), Vec::new());
        let (mut i, mut j) = (head, head);
        let (end_old, end) = (n_old - tail, n - tail);
        while i < end_old || j < end {
            if left.len() + joined.len() > MAX_CHANGES {
                return false;
            }
            match (self.ids[..end_old].get(i), ids[..end].get(j)) {
                (Some(a), Some(b)) if a == b => (i, j) = (i + 1, j + 1),
                (Some(a), Some(b)) if a < b => (left.push(i), i += 1).1,
                (Some(_), None) => (left.push(i), i += 1).1,
                _ => (joined.push(j), j += 1).1,
            }
        }
        if left.len() + joined.len() > MAX_CHANGES {
            return false;
        }
        let left_ids: Vec<u64> = left.iter().map(|&i| self.ids[i]).collect();
        let kernel = |number: u64| -> Option<usize> {
            let k = *src.kernel_of.get(number as usize)?;
            (k != u32::MAX).then_some(k as usize)
        };
        // Trial `number`'s place in dimension `d`'s sorted order (one search per change).
        let place = |d: usize, number: u64| -> usize {
            let col = src.sorted[d];
            let v = (src.value)(d, number);
            let q = col.partition_point(|&(w, m)| w.total_cmp(&v).then(m.cmp(&number)).is_lt());
            debug_assert_eq!(col.get(q).map(|c| c.1), Some(number));
            q
        };
        // The kernels (index, place) before and after place `q` of dimension `d`'s sorted
        // order.
        type Near = Option<(usize, usize)>;
        let neighbours = |d: usize, q: usize| -> (Near, Near) {
            let col = src.sorted[d];
            let prev = col
                .rev_from(q)
                .find_map(|(i, &(_, m))| Some((kernel(m)?, i)));
            let next = col
                .iter_from(q + 1)
                .find_map(|(i, &(_, m))| Some((kernel(m)?, i)));
            (prev, next)
        };

        splice(&mut self.den, &left, &joined, 1.0);
        // Each joined kernel and two neighbours per change, per dimension: never regrown.
        let mut touched = Vec::with_capacity((3 * joined.len() + 2 * left.len()) * self.dims.len());
        let mut affected = Vec::new();
        for (d, dim) in self.dims.iter_mut().enumerate() {
            match dim {
                Dim::Numeric(nd) => {
                    let nd = &mut **nd;
                    for v in [&mut nd.mu, &mut nd.sigma, &mut nd.inv_sigma, &mut nd.term] {
                        splice(v, &left, &joined, 0.0);
                    }
                    nd.cache.clear();
                    for &q in &joined {
                        let x = (src.value)(d, ids[q]);
                        nd.mu[q] = if nd.log { x.ln() } else { x };
                    }
                    // Whose bandwidth may have changed: the kernels that joined, and the
                    // neighbours of every kernel that joined or left (with their places in
                    // the sorted order, where their own neighbours are found).
                    affected.clear();
                    for &q in &joined {
                        affected.push((q, place(d, ids[q])));
                    }
                    for i in 0..joined.len() {
                        let (prev, next) = neighbours(d, affected[i].1);
                        affected.extend(prev.into_iter().chain(next));
                    }
                    for &number in &left_ids {
                        let (prev, next) = neighbours(d, place(d, number));
                        affected.extend(prev.into_iter().chain(next));
                    }
                    let rule = BandwidthRule::new((nd.lo, nd.hi), n, params);
                    for &(k, at) in &affected {
                        let (prev, next) = neighbours(d, at);
                        let (prev, next) = (prev.map(|p| p.0), next.map(|q| q.0));
                        let m = nd.mu[k];
                        let sd = rule.bandwidth(prev.map(|p| nd.mu[p]), m, next.map(|q| nd.mu[q]));
                        let is = 1.0 / sd;
                        nd.sigma[k] = sd;
                        nd.inv_sigma[k] = is;
                        nd.term[k] = if is_near(m, is, (nd.lo, nd.hi)) {
                            normalising_term(nd.lo, nd.hi, nd.step, m, sd, is)
                        } else {
                            far_term(nd.step, sd)
                        };
                    }
                    touched.extend(affected.iter().map(|&(k, _)| k));
                }
                Dim::Categorical(c) => {
                    let obs = ids.iter().map(|&number| (src.value)(d, number));
                    categorical_rows(obs, c.n_choices, params, &mut c.probs);
                }
            }
        }
        // Their products of the continuous dimensions' terms, dimension by dimension (the
        // same multiplications in the same order as one kernel at a time).
        touched.sort_unstable();
        touched.dedup();
        for &k in &touched {
            self.den[k] = 1.0;
        }
        for dim in &self.dims {
            if let Dim::Numeric(nd) = dim
                && nd.step == 0.0
            {
                for &k in &touched {
                    self.den[k] *= nd.term[k];
                }
            }
        }
        self.set_weights(n, weights, params);
        self.ids.clear();
        self.ids.extend_from_slice(ids);
        if !self.set_log_factors() {
            self.ids.clear();
            return false;
        }
        true
    }

    /// Where this estimator and `other` differ, bit for bit, in anything a log density or a
    /// draw reads (`None` when they are the same): checks that an
    /// [`update`](Self::update) left what a full fit gives.
    #[cfg(any(test, debug_assertions))]
    pub(crate) fn difference(&self, other: &ParzenEstimator) -> Option<String> {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let differs = |what: &str, a: &[f64], b: &[f64]| {
            (bits(a) != bits(b)).then(|| format!("{what}: {a:?} vs {b:?}"))
        };
        if self.dims.len() != other.dims.len() {
            return Some("number of dimensions".into());
        }
        let mut diffs = vec![
            differs("weights", &self.weights, &other.weights),
            differs("log factors", &self.log_factor, &other.log_factor),
        ];
        for (d, (a, b)) in self.dims.iter().zip(&other.dims).enumerate() {
            match (a, b) {
                (Dim::Numeric(a), Dim::Numeric(b)) => {
                    diffs.push(differs(&format!("mu {d}"), &a.mu, &b.mu));
                    diffs.push(differs(&format!("sigma {d}"), &a.sigma, &b.sigma));
                    diffs.push(differs(
                        &format!("inv_sigma {d}"),
                        &a.inv_sigma,
                        &b.inv_sigma,
                    ));
                    diffs.push(differs(&format!("term {d}"), &a.term, &b.term));
                }
                (Dim::Categorical(a), Dim::Categorical(b)) => {
                    diffs.push(differs(&format!("probs {d}"), &a.probs, &b.probs));
                }
                _ => return Some(format!("kind of dimension {d}")),
            }
        }
        diffs.into_iter().flatten().next()
    }

    /// Number of kernels (observations plus the prior).
    pub fn n_kernels(&self) -> usize {
        self.weights.len()
    }

    /// Draws `n` samples (`[sample][dim]`, internal values): a kernel by weight, then each
    /// dimension from that kernel.
    pub fn sample(&mut self, rng: &mut Rng, n: usize) -> Vec<Vec<f64>> {
        let mut flat = Vec::new();
        self.sample_into(rng, n, &mut flat);
        flat.chunks(self.dims.len().max(1))
            .map(<[f64]>::to_vec)
            .collect()
    }

    /// [`sample`](Self::sample) into `out`, flat: sample `i`'s dimension `d` at
    /// `out[i * n_dims + d]`.
    pub fn sample_into(&mut self, rng: &mut Rng, n: usize, out: &mut Vec<f64>) {
        let n_k = self.weights.len();
        out.clear();
        let total: f64 = self.weights.iter().sum();
        // The running sums, added in order once for all draws.
        let cumulative = &mut self.cumulative;
        cumulative.clear();
        cumulative.extend(self.weights.iter().scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        }));
        let n_dims = self.dims.len();
        let DrawScratch {
            kernels,
            q,
            mu,
            sigma,
            below,
            above,
            x,
        } = &mut self.draws;
        // First the random numbers, in the order of drawing one sample at a time: each
        // sample's kernel, then per dimension a category, or the uniform that the numeric
        // dimensions map to values below.
        kernels.clear();
        out.resize(n * n_dims, 0.0);
        for s in 0..n {
            // The kernel: the first whose cumulative weight exceeds u (as a search over the
            // cumulative sums would find it).
            let u = rng.next_f64() * total;
            let k = cumulative.iter().position(|&c| c > u).unwrap_or(n_k - 1);
            kernels.push(k as u32);
            let row = &mut out[s * n_dims..(s + 1) * n_dims];
            for (o, dim) in row.iter_mut().zip(&self.dims) {
                *o = match dim {
                    Dim::Categorical(c) => {
                        let row = &c.probs[k.min(c.probs.len() / c.n_choices - 1) * c.n_choices..]
                            [..c.n_choices];
                        let u = rng.next_f64();
                        let mut cum = 0.0;
                        let mut index = 0;
                        for (i, p) in row.iter().enumerate() {
                            cum += p;
                            if i + 1 == row.len() {
                                cum = 1.0;
                            }
                            if cum < u {
                                index = i + 1;
                            }
                        }
                        index.min(c.n_choices - 1) as f64
                    }
                    Dim::Numeric(_) => rng.next_f64(),
                };
            }
        }
        // Then each numeric dimension's uniforms to truncated normal draws (in the transformed
        // space; `finish_numeric` maps them back below), all of a dimension's together.
        for (j, dim) in self.dims.iter_mut().enumerate() {
            let Dim::Numeric(d) = dim else { continue };
            if d.tails.is_empty() {
                d.tails.resize(n_k, (f64::NAN, f64::NAN));
            }
            for v in [&mut *q, &mut *mu, &mut *sigma, &mut *below, &mut *above] {
                v.clear();
                v.resize(n, 0.0);
            }
            let rows = out.chunks_exact(n_dims).map(|row| row[j]);
            let draws = q.iter_mut().zip(mu.iter_mut()).zip(sigma.iter_mut());
            let tails = below.iter_mut().zip(above.iter_mut());
            for ((((qs, ms), ss), (bs, us)), (u, &k)) in draws.zip(tails).zip(rows.zip(&*kernels)) {
                let k = k as usize;
                let (m, sd) = (d.mu[k], d.sigma[k]);
                if d.tails[k].0.is_nan() {
                    d.tails[k] = truncnorm::tails((d.lo - m) / sd, (d.hi - m) / sd);
                }
                (*qs, *ms, *ss) = (u, m, sd);
                (*bs, *us) = d.tails[k];
            }
            truncnorm::Draws {
                lo: d.lo,
                hi: d.hi,
                q,
                mu,
                sigma,
                below,
                above,
            }
            .run(x);
            for (row, &v) in out.chunks_exact_mut(n_dims).zip(x.iter()) {
                row[j] = v;
            }
        }
        for (j, dim) in self.dims.iter().enumerate() {
            if let Dim::Numeric(d) = dim {
                finish_numeric(d, out.iter_mut().skip(j).step_by(n_dims));
            }
        }
    }

    /// The term dimension `d` adds to kernel `k`'s log density at `x` (always <= 0).
    #[inline]
    fn term(&self, d: usize, k: usize, x: f64) -> f64 {
        match &self.dims[d] {
            Dim::Categorical(c) => {
                let row = if c.probs.len() == c.n_choices { 0 } else { k };
                c.probs[row * c.n_choices + x as usize].ln()
            }
            Dim::Numeric(nd) if nd.step == 0.0 => {
                let z = (x - nd.mu[k]) * nd.inv_sigma[k];
                -0.5 * z * z
            }
            Dim::Numeric(nd) => {
                let (left, right) = if nd.log {
                    ((x - nd.step / 2.0).ln(), (x + nd.step / 2.0).ln())
                } else {
                    (x - nd.step / 2.0, x + nd.step / 2.0)
                };
                let is = nd.inv_sigma[k];
                let lm = log_gauss_mass((left - nd.mu[k]) * is, (right - nd.mu[k]) * is);
                (lm - nd.term[k]).min(0.0)
            }
        }
    }

    /// log density of each sample (`[sample][dim]`, internal values) under the mixture.
    pub fn log_pdf(&self, samples: &[Vec<f64>]) -> Vec<f64> {
        let flat: Vec<f64> = samples.iter().flatten().copied().collect();
        let mut out = Vec::new();
        self.log_pdf_into(&flat, &mut out, &mut LogPdfScratch::default());
        out
    }

    /// [`log_pdf`](Self::log_pdf) of flat samples (as [`sample_into`](Self::sample_into)
    /// writes them) into `out`, with reusable scratch space.
    pub fn log_pdf_into(&self, samples: &[f64], out: &mut Vec<f64>, scratch: &mut LogPdfScratch) {
        #[cfg(target_arch = "x86_64")]
        if self.weights.len() <= LANES_MAX_KERNELS
            && (1..=LANES_MAX_DIMS).contains(&self.dims.len())
            && self
                .dims
                .iter()
                .all(|d| matches!(d, Dim::Numeric(nd) if nd.step == 0.0))
            && let pulp::Arch::V4(simd) = pulp::Arch::new()
        {
            return simd.vectorize(
                #[inline(always)]
                || self.log_pdf_lanes_v4(simd, samples, out, &mut scratch.vectors),
            );
        }
        let stride = self.stride();
        let n_k = self.weights.len();
        let acc = &mut scratch.acc;
        if acc.len() < BLOCK * stride {
            acc.resize(BLOCK * stride, 0.0);
        }
        self.twice_log_factor_into(&mut scratch.twice_log_factor);
        out.clear();
        for (block, rows) in self.blocks(samples) {
            let acc = &mut acc[..rows * stride];
            let (outside, _) = self.block_terms(block, rows, acc, &scratch.twice_log_factor, None);
            for (r, row) in acc.chunks_exact_mut(stride).enumerate() {
                out.push(if outside[r] {
                    f64::NEG_INFINITY
                } else {
                    log_sum_exp_pruned(halve(&mut row[..n_k]), &mut scratch.kept)
                });
            }
        }
    }

    /// [`log_pdf_into`](Self::log_pdf_into) on AVX-512 for an estimator of at most
    /// [`LANES_MAX_KERNELS`] kernels over continuous dimensions only (the good group's, as a
    /// rule): eight samples at once, one in each lane, each kernel's terms in a vector. The
    /// same operations in the same order per sample and kernel as the dense pass (so the same
    /// terms), and [`log_sum_exp_columns_v4`]'s sums are those of the pruned log-sum-exp: the
    /// same bits, without a pass and a log-sum-exp call per sample over a handful of kernels.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn log_pdf_lanes_v4(
        &self,
        simd: pulp::x86::V4,
        samples: &[f64],
        out: &mut Vec<f64>,
        vectors: &mut Vec<core::arch::x86_64::__m512d>,
    ) {
        let f = simd.avx512f;
        let (n_k, n_d) = (self.weights.len(), self.dims.len());
        let n_s = samples.len() / n_d;
        out.clear();
        let half = f._mm512_set1_pd(0.5);
        let mut kernels: [(&[f64], &[f64]); LANES_MAX_DIMS] = [(&[], &[]); LANES_MAX_DIMS];
        for (k, dim) in kernels.iter_mut().zip(&self.dims) {
            let Dim::Numeric(nd) = dim else {
                unreachable!("the caller checked that every dimension is continuous")
            };
            *k = (&nd.mu[..n_k], &nd.inv_sigma[..n_k]);
        }
        let kernels = &kernels[..n_d];
        if vectors.len() < n_k + n_d {
            vectors.resize(n_k + n_d, f._mm512_setzero_pd());
        }
        let (rows, xs) = vectors.split_at_mut(n_k);
        let xs = &mut xs[..n_d];
        for first in (0..n_s).step_by(8) {
            let lanes = (n_s - first).min(8);
            let mut outside = [false; 8];
            for (d, (x, dim)) in xs.iter_mut().zip(&self.dims).enumerate() {
                let Dim::Numeric(nd) = dim else {
                    unreachable!("the caller checked that every dimension is continuous")
                };
                let mut v = [nd.lo; 8];
                for (lane, v) in v.iter_mut().enumerate().take(lanes) {
                    *v = samples[(first + lane) * n_d + d];
                }
                transform_and_check(nd, &mut v[..lanes], &mut outside);
                *x = pulp::cast(v);
            }
            // Four kernels at a time, the dimensions in order (their sums in registers, four
            // chains of additions in flight; the last group repeats its last kernel).
            for k0 in (0..n_k).step_by(4) {
                let ks: [usize; 4] = std::array::from_fn(|j| (k0 + j).min(n_k - 1));
                let mut t = [f._mm512_setzero_pd(); 4];
                for (t, &k) in t.iter_mut().zip(&ks) {
                    *t = f._mm512_set1_pd(self.log_factor[k]);
                }
                for (&x, &(mu, inv_sigma)) in xs.iter().zip(kernels) {
                    for (t, &k) in t.iter_mut().zip(&ks) {
                        let z = f._mm512_mul_pd(
                            f._mm512_sub_pd(x, f._mm512_set1_pd(mu[k])),
                            f._mm512_set1_pd(inv_sigma[k]),
                        );
                        *t = f._mm512_sub_pd(*t, f._mm512_mul_pd(f._mm512_mul_pd(half, z), z));
                    }
                }
                for (row, t) in rows[k0..].iter_mut().zip(t) {
                    *row = t;
                }
            }
            let lse = log_sum_exp_columns_v4(simd, rows);
            out.extend((0..lanes).map(|lane| {
                if outside[lane] {
                    f64::NEG_INFINITY
                } else {
                    lse[lane]
                }
            }));
        }
    }

    /// The index of the sample (flat, as in [`log_pdf_into`](Self::log_pdf_into)) with the
    /// largest `log_num[i] - log_pdf(sample i)`: TPE's choice among its candidates, with
    /// `log_num` the good group's log densities. The first of equal scores wins, and a number
    /// beats NaN (0 when no score is a number).
    ///
    /// The same index as scoring every sample, without every log density: the log-sum-exp of
    /// a sample's kernel terms is at least any one of them, so `log_num[i]` less one term
    /// bounds its score from above. The samples are scored from the highest bound down, and
    /// those whose bound falls below the best score so far (strictly: they cannot tie it) are
    /// never scored. Any valid bounds give the same index; tighter ones score fewer samples.
    ///
    /// The first bounds come from the last kernels' terms: the prior's alone (in many
    /// dimensions it is every sample's largest term, as the observations' narrow kernels are
    /// far off in some dimension, and then one or two samples' rows of terms are all a trial
    /// computes), or, after two calls in a row in which the prior's bounds spared no block of
    /// rows, for the next seven calls the last third of the kernels (the latest trials', where
    /// a sample's largest term most often lies when the prior's is not). Rows are completed
    /// as they are needed, and the completed ones' bounds become their rows' largest terms:
    /// after the prior's bounds, the first sample's row alone, then every sample still in
    /// play in blocks; after the last kernels' bounds, the four highest bounds' rows at a
    /// time. Where a bound is not a finite number, every sample is scored.
    pub fn best_ratio(
        &self,
        samples: &[f64],
        log_num: &[f64],
        scratch: &mut LogPdfScratch,
    ) -> usize {
        let stride = self.stride();
        let n_k = self.weights.len();
        let n_d = self.dims.len().max(1);
        let n_s = samples.len() / n_d;
        debug_assert_eq!(log_num.len(), n_s);
        let LogPdfScratch {
            acc,
            twice_log_factor,
            kept,
            #[cfg(target_arch = "x86_64")]
                vectors: _,
            bound,
            outside,
            scored,
            skip_prior,
            prior_misses,
            slot,
            from,
            top,
            which,
            gathered,
        } = scratch;
        // Two rows per sample (a row started from the last kernels is completed in a new
        // one), room for a block's padding, and a row of slack: a block of rows that starts
        // at kernel `a` is written from `a` on.
        let n_rows = 2 * n_s + BLOCK;
        if acc.len() < n_rows * stride {
            acc.resize(n_rows * stride, 0.0);
        }
        let acc = &mut acc[..n_rows * stride];
        self.twice_log_factor_into(twice_log_factor);
        bound.clear();
        outside.clear();
        slot.clear();
        slot.resize(n_s, u32::MAX);
        // Per sample, the first kernel its row holds a term of (0: the row is complete), and
        // the largest term of that part of the row.
        from.clear();
        from.resize(n_s, 0);
        top.clear();
        top.resize(n_s, f64::NEG_INFINITY);
        let skipping = *skip_prior > 0;
        let mut lazy = !skipping;
        if lazy {
            // The prior's (last) term of every sample, with the bits its full row gives it.
            let prior = n_k - 1;
            let mut terms = [0.0; BLOCK * 8];
            for (block, rows) in self.blocks(samples) {
                let terms = &mut terms[..rows * 8];
                let (out, _) =
                    self.block_terms_of(block, rows, terms, twice_log_factor, None, prior..n_k);
                for r in 0..rows {
                    bound.push(log_num[bound.len()] - terms[r * 8] * 0.5);
                    outside.push(out[r]);
                }
            }
            // Rows as they are needed while the prior's bounds hold: every one finite, no
            // sample outside.
            lazy = bound.iter().all(|b| b.is_finite()) && !outside.contains(&true);
        } else {
            *skip_prior -= 1;
            bound.resize(n_s, f64::NAN);
            outside.resize(n_s, false);
        }
        let mut used = 0;
        if !lazy {
            // While the prior's bounds are skipped, the rows from the last third of the
            // kernels first, completed as long as their bounds hold; else whole rows.
            let tail = if skipping { self.tail_start() } else { 0 };
            which.clear();
            which.extend(0..n_s as u32);
            used = self.full_rows(
                samples,
                which,
                acc,
                0,
                twice_log_factor,
                gathered,
                tail..n_k,
                {
                    let (bound, outside, slot, from, top) = (
                        &mut *bound,
                        &mut *outside,
                        &mut *slot,
                        &mut *from,
                        &mut *top,
                    );
                    move |i, s, t, out| {
                        (bound[i], outside[i], slot[i]) = (log_num[i] - t, out, s as u32);
                        (from[i], top[i]) = (tail as u32, t);
                    }
                },
            );
            if tail > 0 && (outside.contains(&true) || !bound.iter().all(|b| b.is_finite())) {
                // Every row whole, as below, where a bound is not a finite number.
                which.retain(|&i| from[i as usize] != 0);
                used = self.complete_rows(
                    samples,
                    log_num,
                    which,
                    acc,
                    used,
                    twice_log_factor,
                    gathered,
                    bound,
                    slot,
                    from,
                    top,
                );
            }
        }
        scored.clear();
        if bound.iter().all(|b| b.is_finite()) {
            // The samples from the highest bound down (the order among equal bounds does not
            // change the index found); a scored sample's bound is set to -inf.
            let highest = |bound: &[f64]| {
                (0..n_s).fold(None, |best: Option<usize>, i| match best {
                    Some(j) if bound[j] >= bound[i] => Some(j),
                    _ if bound[i] == f64::NEG_INFINITY => best,
                    _ => Some(i),
                })
            };
            let mut best = f64::NEG_INFINITY;
            while let Some(i) = highest(bound) {
                if bound[i] < best {
                    // None of the rest can reach the best score either.
                    break;
                }
                if from[i] != 0 {
                    // A row begun from the last kernels: it and the (up to) three others in
                    // play with the highest bounds are completed together (a block of rows
                    // costs less than half as much a row as one alone), and their largest
                    // terms become their bounds. The four are kept in order by insertion (no
                    // sort of all those in play: perf put it at 2% of a D = 5 trial).
                    which.clear();
                    for j in 0..n_s {
                        if from[j] == 0 || bound[j] < best {
                            continue;
                        }
                        let at = which.partition_point(|&k| bound[k as usize] >= bound[j]);
                        if at < BLOCK {
                            which.insert(at, j as u32);
                            which.truncate(BLOCK);
                        }
                    }
                    used = self.complete_rows(
                        samples,
                        log_num,
                        which,
                        acc,
                        used,
                        twice_log_factor,
                        gathered,
                        bound,
                        slot,
                        from,
                        top,
                    );
                    continue;
                }
                if slot[i] == u32::MAX {
                    // Past the first score, more than a few samples in play without rows: their
                    // rows in blocks, and their largest terms as their bounds. Otherwise this
                    // sample's row alone.
                    which.clear();
                    which
                        .extend((0..n_s as u32).filter(|&j| {
                            bound[j as usize] >= best && slot[j as usize] == u32::MAX
                        }));
                    if scored.is_empty() || which.len() <= FEW_SAMPLES {
                        let row = &mut acc[used * stride..][..stride];
                        self.block_terms(
                            &samples[i * n_d..][..n_d],
                            1,
                            row,
                            twice_log_factor,
                            None,
                        );
                        slot[i] = used as u32;
                        used += 1;
                        continue;
                    }
                    // The prior's bounds did not spare a block: after two such calls in a
                    // row, the next calls go without them (see `tail_start`).
                    lazy = false;
                    *prior_misses += 1;
                    if *prior_misses >= 2 {
                        *skip_prior = SKIP_PRIOR;
                    }
                    used = self.full_rows(
                        samples,
                        which,
                        acc,
                        used,
                        twice_log_factor,
                        gathered,
                        0..n_k,
                        {
                            let (bound, slot) = (&mut *bound, &mut *slot);
                            move |i, s, t, _| (bound[i], slot[i]) = (log_num[i] - t, s as u32)
                        },
                    );
                    continue;
                }
                let s = self.score_row(acc, slot[i] as usize, outside[i], log_num[i], kept);
                best = best.max(s);
                scored.push((i, s));
                bound[i] = f64::NEG_INFINITY;
            }
            if lazy {
                *prior_misses = 0;
            }
            scored.sort_unstable_by_key(|(i, _)| *i);
        } else {
            // Only with every row computed (a bound from the prior's term is finite when the
            // largest term is).
            for i in 0..n_s {
                let s = self.score_row(acc, slot[i] as usize, outside[i], log_num[i], kept);
                scored.push((i, s));
            }
        }
        first_largest(scored.iter().copied())
    }

    /// Where [`best_ratio`](Self::best_ratio)'s rows start when they start from the last
    /// kernels: a multiple of eight (so the rows' vectors stay whole) about two thirds of the
    /// way along; 0 (whole rows) with fewer than [`TAIL_MIN_KERNELS`] kernels or
    /// [`TAIL_MIN_DIMS`] dimensions.
    fn tail_start(&self) -> usize {
        let n_k = self.weights.len();
        if n_k < TAIL_MIN_KERNELS || self.dims.len() < TAIL_MIN_DIMS {
            return 0;
        }
        (n_k - n_k / 3) / 8 * 8
    }

    /// Completes the rows of the samples `which`, each holding the terms from kernel
    /// `from[i]` on (the same for all) in row `slot[i]`: their first kernels' terms into new
    /// rows from row `first` (a block at a time, as [`full_rows`](Self::full_rows)), the rest
    /// copied after them. Each sample's bound becomes `log_num` less its whole row's largest
    /// term. Returns the next free row.
    #[allow(clippy::too_many_arguments)]
    fn complete_rows(
        &self,
        samples: &[f64],
        log_num: &[f64],
        which: &[u32],
        acc: &mut [f64],
        mut first: usize,
        twice_log_factor: &[f64],
        gathered: &mut Vec<f64>,
        bound: &mut [f64],
        slot: &mut [u32],
        from: &mut [u32],
        top: &mut [f64],
    ) -> usize {
        let (stride, n_k) = (self.stride(), self.weights.len());
        let Some(&j) = which.first() else {
            return first;
        };
        let start = from[j as usize] as usize;
        debug_assert!(which.iter().all(|&i| from[i as usize] as usize == start));
        for chunk in which.chunks(BLOCK) {
            // Each sample's new row and its head's largest term (`full_rows` calls back in
            // the order of `chunk`).
            let mut done = [(0, 0.0); BLOCK];
            let mut r = 0;
            let next = self.full_rows(
                samples,
                chunk,
                acc,
                first,
                twice_log_factor,
                gathered,
                0..start,
                |_, s, t, _| {
                    done[r] = (s, t);
                    r += 1;
                },
            );
            for (&i, &(s, t)) in chunk.iter().zip(&done) {
                let i = i as usize;
                let old = slot[i] as usize * stride;
                acc.copy_within(old + start..old + n_k, s * stride + start);
                // The largest of two parts' largest terms is the row's (neither is NaN).
                let t = t.max(top[i]);
                (slot[i], from[i], top[i], bound[i]) = (s as u32, 0, t, log_num[i] - t);
            }
            first = next;
        }
        first
    }

    /// `log_num - log_pdf` of the sample whose doubled terms are in row `slot` of `acc` (halved
    /// in place: a row is scored once).
    fn score_row(
        &self,
        acc: &mut [f64],
        slot: usize,
        outside: bool,
        log_num: f64,
        kept: &mut Vec<f64>,
    ) -> f64 {
        let (stride, n_k) = (self.stride(), self.weights.len());
        let la = if outside {
            f64::NEG_INFINITY
        } else {
            log_sum_exp_pruned(halve(&mut acc[slot * stride..][..n_k]), kept)
        };
        log_num - la
    }

    /// The rows of the samples `which` (indices into `samples`) over the kernels `kernels`, in
    /// blocks of [`BLOCK`], into consecutive rows of `acc` from row `first` (each row's terms
    /// from its element `kernels.start` on; a last, padded block writes up to `BLOCK - 1` rows
    /// past them); for each sample, calls `each(sample, row, t, outside)` with `t` the largest
    /// of its terms (`-inf` outside the range). Returns the next free row.
    #[allow(clippy::too_many_arguments)]
    fn full_rows(
        &self,
        samples: &[f64],
        which: &[u32],
        acc: &mut [f64],
        first: usize,
        twice_log_factor: &[f64],
        gathered: &mut Vec<f64>,
        kernels: std::ops::Range<usize>,
        mut each: impl FnMut(usize, usize, f64, bool),
    ) -> usize {
        let stride = self.stride();
        let n = kernels.len();
        let n_d = self.dims.len().max(1);
        let mut done = 0;
        for chunk in which.chunks(BLOCK) {
            // A last block of fewer samples is padded with copies of its last one (one pass
            // over the kernels for a block costs less than one per sample).
            gathered.clear();
            for r in 0..BLOCK {
                let i = chunk[r.min(chunk.len() - 1)] as usize;
                gathered.extend_from_slice(&samples[i * n_d..][..n_d]);
            }
            let acc = &mut acc[(first + done) * stride + kernels.start..][..BLOCK * stride];
            let mut tops = [f64::NEG_INFINITY; BLOCK];
            let (out, fused) = self.block_terms_of(
                gathered,
                BLOCK,
                acc,
                twice_log_factor,
                Some(&mut tops),
                kernels.clone(),
            );
            // The padding's rows are left as they are.
            for (r, (row, &i)) in acc.chunks_exact(stride).zip(chunk).enumerate() {
                // Outside the range the density is 0 (an infinite bound: scored exactly). The
                // rows hold twice the terms: halving their largest is exact.
                let top = if out[r] {
                    f64::NEG_INFINITY
                } else if fused {
                    tops[r] * 0.5
                } else {
                    largest(&row[..n]) * 0.5
                };
                each(i as usize, first + done + r, top, out[r]);
            }
            done += chunk.len();
        }
        first + done
    }

    /// The log factors doubled into `out`, where [`block_terms`](Self::block_terms)' rows
    /// start.
    fn twice_log_factor_into(&self, out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.log_factor.iter().map(|f| 2.0 * f));
    }

    /// Rows start on a multiple of eight, so every row is whole vectors plus a tail.
    fn stride(&self) -> usize {
        self.weights.len().next_multiple_of(8)
    }

    /// `samples` in blocks of [`BLOCK`] samples while there are that many, then one by one:
    /// each block with its number of samples.
    fn blocks<'s>(&self, samples: &'s [f64]) -> impl Iterator<Item = (&'s [f64], usize)> {
        let n_d = self.dims.len().max(1);
        let mut rest = samples;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let rows = if rest.len() >= BLOCK * n_d { BLOCK } else { 1 };
            let (block, tail) = rest.split_at((rows * n_d).min(rest.len()));
            rest = tail;
            Some((block, rows))
        })
    }

    /// Twice every kernel's term of the log density of each of the `rows` samples in `block`
    /// (1 or [`BLOCK`]), left in `acc` (row `r` at `r * stride`, see [`add_continuous`]): the
    /// log-sum-exp of a halved row is the sample's log density. `twice_log_factor` is the log
    /// factors doubled. Returns which samples lie outside a dimension's range (their density is
    /// 0, whatever their row holds), and whether `top` (one slot per row) holds the rows'
    /// largest elements over the kernels, as [`largest`] finds them: when the last dimension is
    /// continuous, the last pass leaves them.
    fn block_terms(
        &self,
        block: &[f64],
        rows: usize,
        acc: &mut [f64],
        twice_log_factor: &[f64],
        top: Option<&mut [f64]>,
    ) -> ([bool; BLOCK], bool) {
        self.block_terms_of(
            block,
            rows,
            acc,
            twice_log_factor,
            top,
            0..self.weights.len(),
        )
    }

    /// [`block_terms`](Self::block_terms) for the kernels in `kernels` only: row `r` holds
    /// their terms from `r * stride` on, each with the bits the full rows give it (the same
    /// operations on each kernel).
    fn block_terms_of(
        &self,
        block: &[f64],
        rows: usize,
        acc: &mut [f64],
        twice_log_factor: &[f64],
        top: Option<&mut [f64]>,
        kernels: std::ops::Range<usize>,
    ) -> ([bool; BLOCK], bool) {
        let n_k = kernels.len();
        let twice_log_factor = &twice_log_factor[kernels.clone()];
        let n_d = self.dims.len().max(1);
        let stride = acc.len() / rows;
        let x_of = |r: usize, d: usize| block[r * n_d + d];
        // Every accumulator is set from the log factors by the first pass over the kernels
        // (the first dense pass reads them directly: no separate copy per sample).
        let mut base = Some(twice_log_factor);
        let mut outside = [false; BLOCK];
        let mut pending: [Continuous<'_>; 5] = Default::default();
        let mut n_pending = 0;
        let continuous = |d: usize| {
            self.dims
                .get(d)
                .is_some_and(|dim| matches!(dim, Dim::Numeric(nd) if nd.step == 0.0))
        };
        for (d, dim) in self.dims.iter().enumerate() {
            match dim {
                Dim::Numeric(nd) if nd.step == 0.0 => {
                    let mut xs = [0.0; BLOCK];
                    for (r, x) in xs.iter_mut().enumerate().take(rows) {
                        *x = x_of(r, d);
                    }
                    transform_and_check(nd, &mut xs[..rows], &mut outside);
                    // Continuous dimensions are added four at a time (one pass over the
                    // kernels instead of four), five when the fifth would be left to a pass
                    // of its own; the order of the additions is unchanged.
                    pending[n_pending] = Continuous {
                        xs,
                        mu: &nd.mu[kernels.clone()],
                        inv_sigma: &nd.inv_sigma[kernels.clone()],
                    };
                    n_pending += 1;
                    let lone_fifth = continuous(d + 1) && !continuous(d + 2);
                    // The last dimension's pass is left to the end, where it finds the maxima.
                    let last = d + 1 == self.dims.len();
                    if !last && (n_pending == 5 || (n_pending == 4 && !lone_fifth)) {
                        add_continuous(acc, rows, n_k, &pending[..n_pending], &mut base, None);
                        n_pending = 0;
                    }
                }
                _ => {
                    add_continuous(acc, rows, n_k, &pending[..n_pending], &mut base, None);
                    n_pending = 0;
                    for r in 0..rows {
                        let row = &mut acc[r * stride..][..n_k];
                        if let Some(b) = base {
                            row.copy_from_slice(b);
                        }
                        for (k, a) in kernels.clone().zip(row.iter_mut()) {
                            *a += 2.0 * self.term(d, k, x_of(r, d));
                        }
                    }
                    base = None;
                }
            }
        }
        let fused = add_continuous(acc, rows, n_k, &pending[..n_pending], &mut base, top);
        if let Some(b) = base {
            for r in 0..rows {
                acc[r * stride..][..n_k].copy_from_slice(b);
            }
        }
        (outside, fused)
    }

    /// Kernel means and bandwidths of numeric dimension `d` in the transformed space (tests,
    /// plots).
    pub fn numeric_kernels(&self, d: usize) -> Option<(&[f64], &[f64])> {
        match &self.dims[d] {
            Dim::Numeric(n) => Some((&n.mu, &n.sigma)),
            Dim::Categorical(_) => None,
        }
    }

    /// The normalised kernel weights (prior last).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Row `k` of categorical dimension `d`.
    pub fn categorical_row(&self, d: usize, k: usize) -> Option<&[f64]> {
        match &self.dims[d] {
            Dim::Categorical(c) => Some(&c.probs[k * c.n_choices..(k + 1) * c.n_choices]),
            Dim::Numeric(_) => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // Golden values printed by Optuna, kept verbatim.
mod tests {
    use super::*;

    /// The shared ends found eight at a time are the naive scan's, on lengths around the
    /// blocks, with changes at the ends, in the middle and none.
    #[test]
    fn same_ends_matches_a_plain_scan() {
        let naive = |a: &[u64], b: &[u64]| {
            let shorter = a.len().min(b.len());
            let head = (0..shorter).take_while(|&i| a[i] == b[i]).count();
            let rest = shorter - head;
            let tail = (0..rest)
                .take_while(|&i| a[a.len() - 1 - i] == b[b.len() - 1 - i])
                .count();
            (head, tail)
        };
        for n in [0usize, 1, 7, 8, 9, 16, 17, 100] {
            let a: Vec<u64> = (0..n as u64).map(|i| 3 * i).collect();
            let mut cases = vec![a.clone()];
            for at in [0, n / 2, n.saturating_sub(1), n] {
                let mut joined = a.clone();
                joined.insert(at.min(n), 3 * at as u64 + 1);
                cases.push(joined);
                if at < n {
                    let mut left = a.clone();
                    left.remove(at);
                    cases.push(left);
                    let mut both = a.clone();
                    both.remove(at);
                    both.push(10_000);
                    cases.push(both);
                }
            }
            for b in &cases {
                assert_eq!(same_ends(&a, b), naive(&a, b), "{a:?} vs {b:?}");
                assert_eq!(same_ends(b, &a), naive(b, &a), "{b:?} vs {a:?}");
            }
        }
    }

    fn params() -> EstimatorParams {
        EstimatorParams {
            prior_weight: 1.0,
            consider_magic_clip: true,
            consider_endpoints: false,
        }
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12 * y.abs().max(1.0), "{a:?} vs {b:?}");
        }
    }

    /// One dimension of each kind: float, log float, int, stepped float, categorical.
    /// `n` draws from each dimension's prior alone, as observations (`[dim][obs]`).
    fn prior_draws(dists: &[&Distribution], n: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
        dists
            .iter()
            .map(|d| {
                let mut prior = ParzenEstimator::new(&[*d], &[], None, &[], &params());
                (0..n).map(|_| prior.sample(rng, 1)[0][0]).collect()
            })
            .collect()
    }

    fn mixed_space() -> [Distribution; 5] {
        [
            Distribution::float(-5.0, 5.0).unwrap(),
            Distribution::float_log(1e-4, 1.0).unwrap(),
            Distribution::int(1, 10).unwrap(),
            Distribution::float_step(0.0, 1.0, 0.25).unwrap(),
            Distribution::categorical(["a", "b", "c"]).unwrap(),
        ]
    }

    /// [`Dense`] over `dims` and `C` rows of `n` kernels on the given vector width, with the
    /// rows' maxima into `top` when given.
    fn dense_on<S: pulp::Simd, const C: usize>(
        simd: S,
        acc: &mut [f64],
        n: usize,
        dims: &[Continuous<'_>],
        from: Option<&[f64]>,
        top: Option<&mut [f64]>,
    ) {
        use pulp::WithSimd;
        match dims {
            [a] => Dense::<1, C> {
                acc,
                n,
                from,
                dims: [*a],
                top,
            }
            .with_simd(simd),
            [a, b] => Dense::<2, C> {
                acc,
                n,
                from,
                dims: [*a, *b],
                top,
            }
            .with_simd(simd),
            [a, b, c] => Dense::<3, C> {
                acc,
                n,
                from,
                dims: [*a, *b, *c],
                top,
            }
            .with_simd(simd),
            [a, b, c, d] => Dense::<4, C> {
                acc,
                n,
                from,
                dims: [*a, *b, *c, *d],
                top,
            }
            .with_simd(simd),
            [a, b, c, d, e] => Dense::<5, C> {
                acc,
                n,
                from,
                dims: [*a, *b, *c, *d, *e],
                top,
            }
            .with_simd(simd),
            _ => unreachable!("one to five dimensions"),
        }
    }

    /// A pass's rows, and the maxima it left when asked for them.
    type Passed = (Vec<f64>, Option<Vec<f64>>);

    /// The dense pass on one row and on a block of rows, on every width, without the maxima
    /// and with them.
    fn dense_all_widths<const C: usize>(
        acc: &[f64],
        n: usize,
        dims: &[Continuous<'_>],
        from: Option<&[f64]>,
    ) -> Vec<(String, Passed)> {
        type Pass<'p> = &'p dyn Fn(&mut [f64], Option<&mut [f64]>);
        let dispatched = |a: &mut [f64], top: Option<&mut [f64]>| {
            let filled = top.is_some();
            assert_eq!(
                add_continuous(a, C, n, dims, &mut from.clone(), top),
                filled
            );
        };
        let scalar = |a: &mut [f64], top: Option<&mut [f64]>| {
            dense_on::<_, C>(pulp::Scalar, a, n, dims, from, top)
        };
        let w128 = |a: &mut [f64], top: Option<&mut [f64]>| {
            dense_on::<_, C>(pulp::Scalar128b, a, n, dims, from, top)
        };
        let w256 = |a: &mut [f64], top: Option<&mut [f64]>| {
            dense_on::<_, C>(pulp::Scalar256b, a, n, dims, from, top)
        };
        let w512 = |a: &mut [f64], top: Option<&mut [f64]>| {
            dense_on::<_, C>(pulp::Scalar512b, a, n, dims, from, top)
        };
        let passes: [(&str, Pass<'_>); 5] = [
            ("dispatched", &dispatched),
            ("scalar", &scalar),
            ("128-bit", &w128),
            ("256-bit", &w256),
            ("512-bit", &w512),
        ];
        let mut out = Vec::new();
        for (width, pass) in passes {
            for with_top in [false, true] {
                let mut got = acc.to_vec();
                let mut top = vec![f64::NAN; C];
                pass(&mut got, with_top.then_some(&mut top[..]));
                let name = format!("{width}{}", if with_top { " with maxima" } else { "" });
                out.push((name, (got, with_top.then_some(top))));
            }
        }
        out
    }

    /// The vectorised passes give the bits of the plain scalar formulas on every width (one
    /// lane, two, four emulated, and whatever this CPU dispatches to) and for one sample or a
    /// block of them, so seeded studies are the same on every x86-64 CPU; lengths that no width
    /// divides exercise the tails. The maxima a pass leaves are [`largest`]'s over each row,
    /// which passes over NaN (some elements, and a whole row, start as NaN).
    #[test]
    fn vector_passes_give_the_scalar_bits_on_every_width() {
        let wave = |i: usize, f: f64| ((i as f64 + 1.0) * f).sin();
        // NaN compared as NaN, whatever its payload.
        let bits = |v: &[f64]| {
            v.iter()
                .map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() })
                .collect::<Vec<_>>()
        };
        for n in [1usize, 3, 37, 976] {
            let stride = n.next_multiple_of(8);
            let mu: Vec<Vec<f64>> = (0..5)
                .map(|d| (0..n).map(|k| 4.0 * wave(k * 4 + d, 0.37)).collect())
                .collect();
            let inv_sigma: Vec<Vec<f64>> = (0..5)
                .map(|d| {
                    (0..n)
                        .map(|k| 1.0 / (0.05 + wave(k + d, 0.11).abs()))
                        .collect()
                })
                .collect();
            // Rows of different contents, with junk in the padding between them, some NaN and
            // (at n = 37) row 2 all NaN.
            let start: Vec<f64> = (0..BLOCK * stride)
                .map(|i| {
                    if i % 13 == 5 || (n == 37 && i / stride == 2) {
                        f64::NAN
                    } else {
                        -3.0 * wave(i, 0.7).abs()
                    }
                })
                .collect();
            let base: Vec<f64> = (0..n).map(|k| 2.0 * wave(k, 0.3)).collect();
            for m in 1..=5 {
                let dims: Vec<Continuous<'_>> = (0..m)
                    .map(|d| Continuous {
                        xs: std::array::from_fn(|r| wave(d * 7 + r, 1.3) * 3.0),
                        mu: &mu[d],
                        inv_sigma: &inv_sigma[d],
                    })
                    .collect();
                for from in [None, Some(&base[..])] {
                    let mut want = start.clone();
                    for r in 0..BLOCK {
                        for k in 0..n {
                            let w = &mut want[r * stride + k];
                            *w = from.map_or(*w, |f| f[k]);
                            for d in &dims {
                                let z = (d.xs[r] - d.mu[k]) * d.inv_sigma[k];
                                *w -= z * z;
                            }
                        }
                    }
                    let want_top = |r: usize| largest(&want[r * stride..][..n]);
                    for (width, (got, top)) in dense_all_widths::<BLOCK>(&start, n, &dims, from) {
                        assert_eq!(bits(&got), bits(&want), "{width}, block, n={n} m={m}");
                        if let Some(top) = top {
                            let want: Vec<f64> = (0..BLOCK).map(want_top).collect();
                            assert_eq!(bits(&top), bits(&want), "{width}, block, n={n} m={m}");
                        }
                    }
                    let (one, want_one) = (&start[..stride], &want[..stride]);
                    for (width, (got, top)) in dense_all_widths::<1>(one, n, &dims, from) {
                        assert_eq!(bits(&got), bits(want_one), "{width}, one, n={n} m={m}");
                        if let Some(top) = top {
                            assert_eq!(bits(&top), bits(&[want_top(0)]), "{width}, one, n={n}");
                        }
                    }
                }
                // Doubled rows halve to the terms `z^2 / 2` at a time gives, to the bit.
                let twice: Vec<f64> = base.iter().map(|b| 2.0 * b).collect();
                let mut got = start.clone();
                add_continuous(&mut got, BLOCK, n, &dims, &mut Some(&twice[..]), None);
                for r in 0..BLOCK {
                    for k in 0..n {
                        let mut term = base[k];
                        for d in &dims {
                            let z = (d.xs[r] - d.mu[k]) * d.inv_sigma[k];
                            term -= 0.5 * z * z;
                        }
                        let halved = got[r * stride + k] * 0.5;
                        assert_eq!(halved.to_bits(), term.to_bits(), "halved, n={n} m={m}");
                    }
                }
            }
            let of: Vec<f64> = (0..n).map(|k| 0.01 + wave(k, 0.9).abs()).collect();
            let want: Vec<f64> = of.iter().map(|s| 1.0 / s).collect();
            let mut got = vec![0.0; n];
            pulp::Arch::new().dispatch(Reciprocals {
                of: &of,
                into: &mut got,
            });
            assert_eq!(got, want, "reciprocals, n={n}");
            // Divisions by one number (the weights by their sum), whose quotients a multiply
            // by the reciprocal would round differently.
            let by = 3.0 + wave(n, 0.5).abs();
            let want: Vec<u64> = of.iter().map(|v| (v / by).to_bits()).collect();
            let mut got = of.clone();
            pulp::Arch::new().dispatch(DivideBy {
                values: &mut got,
                by,
            });
            let got: Vec<u64> = got.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "divisions, n={n}");
        }
    }

    /// The blocked test for kernels near a bound lists exactly those a test per kernel does.
    #[test]
    fn near_kernels_are_listed_exactly() {
        let (lo, hi) = (-5.0, 5.0);
        // Blocks with no near kernel, one, and several, and a short last block.
        let mu: Vec<f64> = (0..45)
            .map(|k| match k % 11 {
                0 => -4.9,
                7 => 4.95,
                _ => (k as f64 * 0.21).sin(),
            })
            .collect();
        let inv_sigma: Vec<f64> = (0..45).map(|k| 10.0 / (1.0 + (k % 5) as f64)).collect();
        let want: Vec<u32> = (0..45u32)
            .filter(|&k| {
                let (m, is) = (mu[k as usize], inv_sigma[k as usize]);
                !((lo - m) * is < -9.0 && (hi - m) * is > 9.0)
            })
            .collect();
        assert!(!want.is_empty() && want.len() < 45);
        let mut near = vec![7, 7, 7];
        list_near(&mu, &inv_sigma, (lo, hi), false, &mut near);
        assert_eq!(near, want);
        list_near(&mu, &inv_sigma, (lo, hi), true, &mut near);
        assert_eq!(near, (0..45).collect::<Vec<u32>>());
    }

    /// Kernels, bandwidths, weights and densities as Optuna 5.0's `_ParzenEstimator` computes
    /// them for the same five-dimensional observations (float, log float, int, stepped float,
    /// categorical).
    #[test]
    fn matches_optuna_on_a_small_mixed_space() {
        let space = mixed_space();
        let dists: Vec<&Distribution> = space.iter().collect();
        let obs = vec![
            vec![-1.0, 0.5, 2.0, 2.2],
            vec![1e-3, 0.01, 0.5, 0.2],
            vec![1.0, 5.0, 7.0, 10.0],
            vec![0.0, 0.5, 0.75, 0.25],
            vec![0.0, 2.0, 2.0, 1.0],
        ];
        let pe = ParzenEstimator::new(&dists, &obs, None, &[1.0; 4], &params());
        close(pe.weights(), &[0.2; 5]);
        // x: sorted [-1, .5, 2, 2.2] in [-5, 5]; neighbour distances clipped below at
        // 10 / min(100, 1 + 5) = 1.667; the prior is centred with sigma = 10.
        let (mu, sigma) = pe.numeric_kernels(0).unwrap();
        close(mu, &[-1.0, 0.5, 2.0, 2.2, 0.0]);
        close(
            sigma,
            &[1.6666666666666667; 4]
                .iter()
                .copied()
                .chain([10.0])
                .collect::<Vec<_>>(),
        );
        let (mu, sigma) = pe.numeric_kernels(1).unwrap();
        close(
            mu,
            &[
                -6.907755278982137,
                -4.605170185988091,
                -0.6931471805599453,
                -1.6094379124341003,
                -4.605170185988091,
            ],
        );
        close(
            sigma,
            &[
                2.302585092994046,
                2.9957322735539904,
                1.535056728662697,
                2.9957322735539904,
                9.210340371976182,
            ],
        );
        // int 1..10: widened by half a step to [0.5, 10.5].
        let (mu, sigma) = pe.numeric_kernels(2).unwrap();
        close(mu, &[1.0, 5.0, 7.0, 10.0, 5.5]);
        close(sigma, &[4.0, 4.0, 3.0, 3.0, 10.0]);
        let (mu, sigma) = pe.numeric_kernels(3).unwrap();
        close(mu, &[0.0, 0.5, 0.75, 0.25, 0.5]);
        close(sigma, &[0.25, 0.25, 0.25, 0.25, 1.25]);
        // Categorical rows: prior weight spread over the 5 kernels, +1 at the observation.
        close(pe.categorical_row(4, 0).unwrap(), &[0.75, 0.125, 0.125]);
        close(pe.categorical_row(4, 3).unwrap(), &[0.125, 0.75, 0.125]);
        close(pe.categorical_row(4, 4).unwrap(), &[1.0 / 3.0; 3]);
        let lp = pe.log_pdf(&[
            vec![0.0, 0.005, 3.0, 0.5, 2.0],
            vec![2.1, 0.3, 9.0, 1.0, 0.0],
        ]);
        close(&lp, &[-8.287666731795008, -9.330719182568494]);
    }

    /// Samples scored in blocks get exactly the densities they get one at a time: with
    /// continuous dimensions before, between and after the others, a sample outside the range
    /// inside a block (density 0, the others in its block unaffected), and a count that leaves
    /// single samples after the blocks.
    /// `best_ratio` picks what scoring every sample picks: with far and near candidates, one
    /// outside a range, a NaN numerator, exact ties (the first wins) and numerators that are
    /// all equal; and it leaves most candidates unscored where their bounds allow.
    #[test]
    fn the_best_ratio_is_the_choice_scoring_every_sample_gives() {
        let float = Distribution::float(-5.0, 5.0).unwrap();
        let plain = vec![float.clone(); 5];
        let wide = vec![float.clone(); 20];
        // The bad group spread out, or (last) as close to the candidates as the good group,
        // where the prior's term bounds nothing well.
        let spaces = [
            (plain.clone(), 1.0),
            (mixed_space().to_vec(), 1.0),
            (wide, 1.0),
            (plain, 0.2),
        ];
        for (space, spread) in spaces {
            let dists: Vec<&Distribution> = space.iter().collect();
            let mut rng = Rng::seed_from_u64(11);
            // The plain float dimensions' draws shrunk by `scale` (the good group's cluster).
            let draw = |rng: &mut Rng, n: usize, scale: f64| -> Vec<Vec<f64>> {
                let mut obs = prior_draws(&dists, n, rng);
                for (col, d) in obs.iter_mut().zip(&dists) {
                    if let Distribution::Float(f) = d
                        && !f.log
                    {
                        col.iter_mut().for_each(|x| *x *= scale);
                    }
                }
                obs
            };
            let above_obs = draw(&mut rng, 400, spread);
            let below_obs = draw(&mut rng, 20, 0.2);
            let above = ParzenEstimator::new(
                &dists,
                &above_obs,
                None,
                &crate::samplers::tpe::weights::default_weights(400),
                &params(),
            );
            let mut below = ParzenEstimator::new(
                &dists,
                &below_obs,
                None,
                &crate::samplers::tpe::weights::default_weights(20),
                &params(),
            );
            let mut scratch = LogPdfScratch::default();
            let (mut pruned, mut few_rows, mut skipped, mut tailed) = (0, 0, 0, 0);
            let mut twice = Vec::new();
            above.twice_log_factor_into(&mut twice);
            let (n_k, stride) = (above.weights.len(), above.stride());
            for case in 0..40 {
                let mut samples = Vec::new();
                below.sample_into(&mut rng, 24, &mut samples);
                let n_d = dists.len();
                let mut log_num = Vec::new();
                below.log_pdf_into(&samples, &mut log_num, &mut scratch);
                match case % 6 {
                    // A candidate outside the first dimension's range.
                    1 => samples[7 * n_d] = 9.0,
                    // A numerator that is not a number.
                    2 => log_num[3] = f64::NAN,
                    // The best candidate twice, and a copy of it first: the first copy wins.
                    3 => {
                        let mut la = Vec::new();
                        above.log_pdf_into(&samples, &mut la, &mut scratch);
                        let scores = log_num.iter().zip(&la).map(|(b, a)| b - a);
                        let top = first_largest(scores.enumerate());
                        let row: Vec<f64> = samples[top * n_d..][..n_d].to_vec();
                        samples[..n_d].copy_from_slice(&row);
                        samples[20 * n_d..][..n_d].copy_from_slice(&row);
                        log_num[0] = log_num[top];
                        log_num[20] = log_num[top];
                    }
                    4 => log_num.fill(0.0),
                    // Scores within 0.1 of each other: the bounds decide little, and a bound
                    // that undercut a score would lose the winner.
                    5 => {
                        let mut la = Vec::new();
                        above.log_pdf_into(&samples, &mut la, &mut scratch);
                        for (i, (b, a)) in log_num.iter_mut().zip(&la).enumerate() {
                            *b = a + 0.1 * ((i * 7) % 24) as f64 / 24.0;
                        }
                    }
                    _ => {}
                }
                let mut log_den = Vec::new();
                above.log_pdf_into(&samples, &mut log_den, &mut scratch);
                let scores = log_num.iter().zip(&log_den).map(|(b, a)| b - a);
                let want = first_largest(scores.enumerate());
                let got = above.best_ratio(&samples, &log_num, &mut scratch);
                assert_eq!(got, want, "case {case}");
                if case % 6 == 3 {
                    assert_eq!(got, 0, "case {case}: the first of two equal scores");
                }
                pruned += 24 - scratch.scored.len();
                // How many rows of terms the choice computed, and whether it went without the
                // prior's bounds.
                let rows = scratch.slot.iter().filter(|s| **s != u32::MAX).count();
                few_rows += usize::from(rows <= FEW_SAMPLES + 1);
                skipped += usize::from(scratch.skip_prior > 0 && scratch.skip_prior < SKIP_PRIOR);
                // Rows begun from the last kernels and left so (the work the choice spared).
                tailed += usize::from(scratch.from.iter().any(|f| *f != 0));
                // Every whole row not scored (a scored one is halved in place) holds the bits
                // of the sample's full row: completed rows are the head computed after the
                // tail, the tail copied along.
                for i in 0..24 {
                    let s = scratch.slot[i];
                    if s == u32::MAX
                        || scratch.from[i] != 0
                        || scratch.scored.iter().any(|x| x.0 == i)
                    {
                        continue;
                    }
                    let mut row = vec![0.0; stride];
                    above.block_terms(&samples[i * n_d..][..n_d], 1, &mut row, &twice, None);
                    let held = &scratch.acc[s as usize * stride..][..n_k];
                    assert!(
                        row[..n_k]
                            .iter()
                            .zip(held)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "case {case}: sample {i}'s row"
                    );
                }
            }
            if spread == 1.0 {
                // Far from the bad group's kernels, the prior's term bounds the candidates'
                // scores well enough that most choices compute a few rows.
                assert!(few_rows > 40 / 3, "{} dims: {few_rows} of 40", dists.len());
            } else {
                // Near them it does not: after two such calls the prior is skipped, and the
                // rows start from the last kernels, most of them never completed.
                assert!(skipped > 40 / 2, "{skipped} of 40 went without the prior");
                assert!(tailed > 40 / 4, "{tailed} of 40 left rows unfinished");
            }
            // The bounds leave most candidates unscored where scores are apart (an outside
            // candidate or a NaN numerator makes every candidate scored).
            assert!(
                pruned > 20 * 24 / 2,
                "only {pruned} candidates left unscored"
            );
        }
    }

    /// The terms of a range of kernels (the prior's alone, as `best_ratio` bounds with it, and
    /// others) have the bits of the same kernels' entries in the full rows, for a block of
    /// samples and for one, with continuous dimensions around the others and log scales.
    #[test]
    fn a_range_of_kernels_has_the_terms_of_the_full_rows() {
        let space = mixed_space();
        let dists: Vec<&Distribution> = space.iter().collect();
        let mut rng = Rng::seed_from_u64(5);
        let obs = prior_draws(&dists, 37, &mut rng);
        let weights = crate::samplers::tpe::weights::default_weights(37);
        let mut pe = ParzenEstimator::new(&dists, &obs, None, &weights, &params());
        let (n_k, n_d, stride) = (pe.weights.len(), dists.len(), pe.stride());
        let mut twice = Vec::new();
        pe.twice_log_factor_into(&mut twice);
        let mut samples = Vec::new();
        pe.sample_into(&mut rng, BLOCK, &mut samples);
        for rows in [1, BLOCK] {
            let block = &samples[..rows * n_d];
            let mut full = vec![0.0; rows * stride];
            pe.block_terms(block, rows, &mut full, &twice, None);
            for kernels in [n_k - 1..n_k, 0..1, 3..20, 0..n_k] {
                let width = kernels.len().next_multiple_of(8);
                let mut part = vec![f64::NAN; rows * width];
                pe.block_terms_of(block, rows, &mut part, &twice, None, kernels.clone());
                for r in 0..rows {
                    for (j, k) in kernels.clone().enumerate() {
                        assert_eq!(
                            part[r * width + j].to_bits(),
                            full[r * stride + k].to_bits(),
                            "rows {rows}, kernels {kernels:?}, row {r}, kernel {k}"
                        );
                    }
                }
            }
        }
    }

    /// The log densities one sample at a time, kernel terms then the pruned log-sum-exp (the
    /// path every estimator can take), as `log_pdf_into` computed them before the lanes.
    fn log_pdf_one_by_one(pe: &ParzenEstimator, samples: &[f64]) -> Vec<f64> {
        let n_d = pe.dims.len().max(1);
        let n_k = pe.weights.len();
        let stride = pe.stride();
        let (mut acc, mut kept, mut twice) = (vec![0.0; stride], Vec::new(), Vec::new());
        pe.twice_log_factor_into(&mut twice);
        samples
            .chunks(n_d)
            .map(|x| {
                let (outside, _) = pe.block_terms(x, 1, &mut acc, &twice, None);
                if outside[0] {
                    f64::NEG_INFINITY
                } else {
                    log_sum_exp_pruned(halve(&mut acc[..n_k]), &mut kept)
                }
            })
            .collect()
    }

    /// Few kernels over continuous dimensions, eight samples at a time on AVX-512: the bits of
    /// one sample at a time, with log-scale dimensions, samples outside a range, NaN, every
    /// count of samples (whole groups of eight and not) and every kernel count to the limit.
    #[test]
    fn samples_in_lanes_score_as_one_by_one() {
        let float = Distribution::float(-5.0, 5.0).unwrap();
        let log = Distribution::float_log(1e-4, 1.0).unwrap();
        let mut rng = Rng::seed_from_u64(17);
        let mut scratch = LogPdfScratch::default();
        for space in [
            vec![float.clone()],
            vec![float.clone(), log.clone(), float.clone()],
        ] {
            let dists: Vec<&Distribution> = space.iter().collect();
            for n_obs in [0, 1, 5, 25, 40, 63, 64] {
                let obs = prior_draws(&dists, n_obs, &mut rng);
                let weights: Vec<f64> = (0..n_obs).map(|k| 0.5 + (k % 3) as f64).collect();
                let mut pe = ParzenEstimator::new(&dists, &obs, None, &weights, &params());
                for n_s in [1, 7, 8, 9, 24, 25] {
                    let mut samples = Vec::new();
                    pe.sample_into(&mut rng, n_s, &mut samples);
                    if n_s > 5 {
                        samples[3 * dists.len()] = 7.5;
                        samples[5 * dists.len()] = f64::NAN;
                    }
                    let mut got = Vec::new();
                    pe.log_pdf_into(&samples, &mut got, &mut scratch);
                    let want = log_pdf_one_by_one(&pe, &samples);
                    assert_eq!(got.len(), want.len());
                    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                            "{} dims, {n_obs} kernels, sample {i} of {n_s}: {g} vs {w}",
                            dists.len()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_block_of_samples_scores_as_each_sample_alone() {
        let float = Distribution::float(-5.0, 5.0).unwrap();
        let mut first_continuous = vec![float.clone(), float.clone(), float.clone()];
        first_continuous.extend(mixed_space());
        first_continuous.push(float.clone());
        let mut first_categorical = mixed_space().to_vec();
        first_categorical.reverse();
        for space in [first_continuous, first_categorical] {
            let dists: Vec<&Distribution> = space.iter().collect();
            let log_float = space
                .iter()
                .position(|d| matches!(d, Distribution::Float(f) if f.log));
            let plain_float = space.iter().position(|d| d == &float).unwrap();
            let mut rng = Rng::seed_from_u64(3);
            let n_obs = 61;
            let obs = prior_draws(&dists, n_obs, &mut rng);
            let weights: Vec<f64> = (0..n_obs).map(|k| 0.5 + (k % 3) as f64).collect();
            let pe = ParzenEstimator::new(&dists, &obs, None, &weights, &params());
            let mut samples = pe.clone().sample(&mut rng, 11);
            samples[2][plain_float] = 7.5;
            samples[9][log_float.unwrap()] = 1e-7;
            let together = pe.log_pdf(&samples);
            assert_eq!(together.len(), 11);
            for (i, s) in samples.iter().enumerate() {
                let alone = pe.log_pdf(std::slice::from_ref(s))[0];
                assert_eq!(together[i].to_bits(), alone.to_bits(), "sample {i}");
                assert_eq!(
                    alone == f64::NEG_INFINITY,
                    i == 2 || i == 9,
                    "sample {i}: {alone}"
                );
            }
        }
    }

    /// An in-place update gives, bit for bit, what a full fit of the same kernels gives, along
    /// a history where one trial joins the bad group per step (new, or pushed out of the good
    /// group), the good group sometimes grows (a kernel leaves from the middle), and now and
    /// then many change at once (a full fit instead). Values tie (grids, rounding), sit on the
    /// bounds, and come in every kind of dimension; with and without `consider_endpoints`.
    #[test]
    fn an_update_is_exactly_a_full_fit() {
        let float = Distribution::float(-5.0, 5.0).unwrap();
        let mut space = mixed_space().to_vec();
        space.push(float);
        let dists: Vec<&Distribution> = space.iter().collect();
        for endpoints in [false, true] {
            let params = EstimatorParams {
                consider_endpoints: endpoints,
                ..params()
            };
            let mut rng = Rng::seed_from_u64(11);
            let draw = |rng: &mut Rng| -> Vec<f64> {
                let u = rng.next_f64();
                let mut v = vec![
                    if u < 0.1 {
                        5.0
                    } else {
                        -5.0 + 10.0 * rng.next_f64()
                    },
                    (1e-4f64).powf(rng.next_f64()),
                    1.0 + (9.0 * rng.next_f64()).round(),
                    0.25 * (4.0 * rng.next_f64()).round(),
                    (3.0 * rng.next_f64()).floor(),
                    (4.0 * rng.next_f64()).round() - 2.0,
                ];
                if u > 0.9 {
                    v[1] = 1e-4;
                }
                v
            };
            let mut trials: Vec<Vec<f64>> = (0..110).map(|_| draw(&mut rng)).collect();
            let mut good: Vec<u64> = (0..11).map(|i| i * 10).collect();
            let mut est = ParzenEstimator::default();
            let (mut updates, mut steps) = (0, 0);
            for step in 0..160 {
                // The good group changes like TPE's split does.
                let number = trials.len() as u64;
                trials.push(draw(&mut rng));
                let u = rng.next_f64();
                if u < 0.15 {
                    good.push(number);
                    let out = (rng.next_f64() * good.len() as f64) as usize;
                    good.remove(out.min(good.len() - 2));
                } else if u < 0.2 {
                    let above: Vec<u64> = (0..=number).filter(|n| !good.contains(n)).collect();
                    good.push(above[(rng.next_f64() * above.len() as f64) as usize]);
                } else if step % 40 == 39 {
                    good = (0..12).map(|i| number - 3 * i).collect();
                }
                let ids: Vec<u64> = (0..=number).filter(|n| !good.contains(n)).collect();
                let sorted: Vec<Sorted> = (0..dists.len())
                    .map(|d| {
                        let mut col = Sorted::new();
                        for (n, t) in trials.iter().enumerate() {
                            col.insert(t[d], n as u64);
                        }
                        col
                    })
                    .collect();
                let sorted_refs: Vec<&Sorted> = sorted.iter().collect();
                let mut kernel_of = vec![u32::MAX; trials.len()];
                for (k, &n) in ids.iter().enumerate() {
                    kernel_of[n as usize] = k as u32;
                }
                let value = |d: usize, n: u64| trials[n as usize][d];
                let src = KernelSource {
                    sorted: &sorted_refs,
                    kernel_of: &kernel_of,
                    value: &value,
                };
                let weights = crate::samplers::tpe::weights::default_weights(ids.len());
                let obs: Vec<Vec<f64>> = (0..dists.len())
                    .map(|d| ids.iter().map(|&n| value(d, n)).collect())
                    .collect();
                steps += 1;
                if est.update(&dists, &ids, &src, &weights, &params) {
                    updates += 1;
                } else {
                    est.fit(&dists, &obs, None, &weights, &params);
                    est.track(&ids);
                }
                let fresh = ParzenEstimator::new(&dists, &obs, None, &weights, &params);
                if let Some(diff) = est.difference(&fresh) {
                    panic!("step {step}, endpoints {endpoints}: {diff}");
                }
                let probes = fresh.clone().sample(&mut rng, 9);
                let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
                assert_eq!(bits(est.log_pdf(&probes)), bits(fresh.log_pdf(&probes)));
            }
            // Most steps are updates; the large changes are full fits.
            assert!(
                updates >= steps - 8 && updates < steps,
                "{updates} of {steps}"
            );
        }
    }

    /// A refitted estimator reuses the terms and draw tails of kernels whose mean and bandwidth
    /// did not change. Refitting one estimator along a growing, shifting history (kernels
    /// joining, leaving, moving near the bounds, bandwidths changing) must give exactly what a
    /// fresh estimator gives: the same densities and, from the same random stream, the same draws.
    #[test]
    fn refitting_in_place_is_exactly_a_fresh_fit() {
        let space = mixed_space();
        let dists: Vec<&Distribution> = space.iter().collect();
        let mut rng = Rng::seed_from_u64(7);
        let mut history: Vec<Vec<f64>> = Vec::new();
        let mut refitted = ParzenEstimator::default();
        let (mut draws_refitted, mut draws_fresh) = (Rng::seed_from_u64(9), Rng::seed_from_u64(9));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let probes: Vec<f64> = (0..40)
            .flat_map(|i| {
                let u = i as f64 / 39.0;
                [
                    -5.0 + 10.0 * u,
                    (1e-4f64).powf(1.0 - u),
                    1.0 + (9.0 * u).round(),
                    0.25 * (4.0 * u).round(),
                    (i % 3) as f64,
                ]
            })
            .collect();
        for step in 0..120 {
            // Mostly appended trials, some kept near the bounds; now and then one leaves (a
            // kernel moving to the other group) from the middle.
            let edge = step % 4 == 0;
            let x = if edge {
                4.95 + 0.05 * rng.next_f64()
            } else {
                10.0 * rng.next_f64() - 5.0
            };
            history.push(vec![
                x,
                if edge {
                    1e-4 * (1.0 + rng.next_f64())
                } else {
                    rng.next_f64().max(1e-4)
                },
                (1.0 + 9.0 * rng.next_f64()).round(),
                0.25 * (4.0 * rng.next_f64()).round(),
                (3.0 * rng.next_f64()).floor().min(2.0),
            ]);
            if step % 7 == 3 && history.len() > 4 {
                history.remove(history.len() / 2);
            }
            let obs: Vec<Vec<f64>> = (0..space.len())
                .map(|d| history.iter().map(|h| h[d]).collect())
                .collect();
            let weights: Vec<f64> = (0..history.len()).map(|i| 1.0 + i as f64 * 0.01).collect();
            refitted.fit(&dists, &obs, None, &weights, &params());
            let mut fresh = ParzenEstimator::new(&dists, &obs, None, &weights, &params());
            let mut scratch = LogPdfScratch::default();
            let (mut out_r, mut out_f) = (Vec::new(), Vec::new());
            refitted.log_pdf_into(&probes, &mut out_r, &mut scratch);
            fresh.log_pdf_into(&probes, &mut out_f, &mut scratch);
            assert_eq!(
                out_r.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                out_f.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "step {step}"
            );
            refitted.sample_into(&mut draws_refitted, 24, &mut a);
            fresh.sample_into(&mut draws_fresh, 24, &mut b);
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "draws at step {step}"
            );
        }
    }

    #[test]
    fn no_observations_means_the_prior_alone() {
        let d = Distribution::float(0.0, 1.0).unwrap();
        let mut pe = ParzenEstimator::new(&[&d], &[vec![]], None, &[], &params());
        close(pe.weights(), &[1.0]);
        let (mu, sigma) = pe.numeric_kernels(0).unwrap();
        close(mu, &[0.5]);
        close(sigma, &[1.0]);
        let mut rng = Rng::seed_from_u64(1);
        for s in pe.sample(&mut rng, 100) {
            assert!((0.0..=1.0).contains(&s[0]));
        }
    }

    #[test]
    fn samples_respect_grids_and_bounds() {
        let space = [
            Distribution::int_log(1, 100).unwrap(),
            Distribution::float_step(0.0, 1.0, 0.1).unwrap(),
        ];
        let dists: Vec<&Distribution> = space.iter().collect();
        let obs = vec![vec![2.0, 50.0, 99.0], vec![0.1, 0.9, 0.3]];
        let mut pe = ParzenEstimator::new(&dists, &obs, None, &[1.0; 3], &params());
        let mut rng = Rng::seed_from_u64(2);
        for s in pe.sample(&mut rng, 500) {
            assert!(
                s[0].fract() == 0.0 && (1.0..=100.0).contains(&s[0]),
                "{s:?}"
            );
            let k = (s[1] / 0.1).round();
            assert!(
                (s[1] - k * 0.1).abs() < 1e-9 && (0.0..=1.0).contains(&s[1]),
                "{s:?}"
            );
        }
        // Joint mass over one dimension's grid = marginal probability of the other's value.
        let joint: f64 = (1..=100)
            .flat_map(|n| (0..=10).map(move |i| (n, i)))
            .map(|(n, i)| pe.log_pdf(&[vec![n as f64, i as f64 * 0.1]])[0].exp())
            .sum();
        assert!((joint - 1.0).abs() < 1e-9, "joint mass {joint}");
    }
}
