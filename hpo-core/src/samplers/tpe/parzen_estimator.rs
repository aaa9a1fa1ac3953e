//! The Parzen estimator of TPE: a mixture of product kernels, one per observation plus a prior
//! kernel (Optuna's `_ParzenEstimator` and `_MixtureOfProductDistribution`).
//!
//! Numeric dimensions use truncated normals in the transformed space (log for log scales, the
//! range widened by half a step for stepped and integer ones) with the neighbour-distance
//! bandwidth and the magic clip; categorical dimensions use Optuna's smoothed categorical kernel.
//! The per-kernel constants are folded into one vector so that evaluating many candidates is a
//! tight loop the compiler vectorises.

use crate::Distribution;
use crate::rng::Rng;

use crate::math::fast_exp::log_sum_exp_pruned;
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
    Numeric(NumericDim),
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
}

#[derive(Debug, Clone)]
struct CategoricalDim {
    n_choices: usize,
    /// Row-major `n_kernels x n_choices` probabilities.
    probs: Vec<f64>,
}

/// One continuous dimension's share of a log density: the sample's transformed value and the
/// kernels' means and inverse bandwidths.
#[derive(Clone, Copy, Default)]
struct Continuous<'a> {
    x: f64,
    mu: &'a [f64],
    inv_sigma: &'a [f64],
}

/// Subtracts the continuous dimensions' `z^2 / 2` from every kernel's accumulator, in one pass
/// for up to four dimensions (in the given order, so the sums round as one at a time would).
fn add_continuous(acc: &mut [f64], dims: &[Continuous<'_>]) {
    let n = acc.len();
    match dims {
        [] => {}
        [a] => {
            let (a_mu, a_is) = (&a.mu[..n], &a.inv_sigma[..n]);
            for k in 0..n {
                let za = (a.x - a_mu[k]) * a_is[k];
                acc[k] -= 0.5 * za * za;
            }
        }
        [a, b] => {
            let (a_mu, a_is, b_mu, b_is) =
                (&a.mu[..n], &a.inv_sigma[..n], &b.mu[..n], &b.inv_sigma[..n]);
            for k in 0..n {
                let za = (a.x - a_mu[k]) * a_is[k];
                let zb = (b.x - b_mu[k]) * b_is[k];
                acc[k] = acc[k] - 0.5 * za * za - 0.5 * zb * zb;
            }
        }
        [a, b, c] => {
            let (a_mu, a_is, b_mu, b_is) =
                (&a.mu[..n], &a.inv_sigma[..n], &b.mu[..n], &b.inv_sigma[..n]);
            let (c_mu, c_is) = (&c.mu[..n], &c.inv_sigma[..n]);
            for k in 0..n {
                let za = (a.x - a_mu[k]) * a_is[k];
                let zb = (b.x - b_mu[k]) * b_is[k];
                let zc = (c.x - c_mu[k]) * c_is[k];
                acc[k] = acc[k] - 0.5 * za * za - 0.5 * zb * zb - 0.5 * zc * zc;
            }
        }
        [a, b, c, d, ..] => {
            let (a_mu, a_is, b_mu, b_is) =
                (&a.mu[..n], &a.inv_sigma[..n], &b.mu[..n], &b.inv_sigma[..n]);
            let (c_mu, c_is, d_mu, d_is) =
                (&c.mu[..n], &c.inv_sigma[..n], &d.mu[..n], &d.inv_sigma[..n]);
            for k in 0..n {
                let za = (a.x - a_mu[k]) * a_is[k];
                let zb = (b.x - b_mu[k]) * b_is[k];
                let zc = (c.x - c_mu[k]) * c_is[k];
                let zd = (d.x - d_mu[k]) * d_is[k];
                acc[k] = acc[k] - 0.5 * za * za - 0.5 * zb * zb - 0.5 * zc * zc - 0.5 * zd * zd;
            }
        }
    }
}

/// Scratch space of [`ParzenEstimator::log_pdf_into`], kept between calls.
#[derive(Debug, Clone, Default)]
pub struct LogPdfScratch {
    acc: Vec<f64>,
    kept: Vec<f64>,
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
    /// Per kernel and discrete dimension (in dimension order): the log normalising mass.
    discrete_log_mass: Vec<Vec<f64>>,
    scratch: SigmaScratch,
}

/// The transform a numeric distribution works in: `(low, high, step, log)` of internal values.
fn numeric_spec(d: &Distribution) -> Option<(f64, f64, f64, bool)> {
    match d {
        Distribution::Float(f) => Some((f.low, f.high, f.step.unwrap_or(0.0), f.log)),
        Distribution::Int(i) => Some((i.low as f64, i.high as f64, i.step as f64, i.log)),
        Distribution::Categorical(_) => None,
    }
}

/// Scratch space of [`sigmas`], kept between fits.
#[derive(Debug, Clone, Default)]
struct SigmaScratch {
    order: Vec<u32>,
    ext: Vec<f64>,
    sorted_sigma: Vec<f64>,
}

/// Neighbour-distance bandwidths (Optuna 5.0) for `mus` given in kernel order, written to `out`;
/// `order` lists the kernel indices sorted by value (computed when absent).
fn sigmas(
    mus: &[f64],
    order: Option<&[u32]>,
    (lo, hi): (f64, f64),
    params: &EstimatorParams,
    scratch: &mut SigmaScratch,
    out: &mut Vec<f64>,
) {
    let n = mus.len();
    let order: &[u32] = match order {
        Some(o) => o,
        None => {
            scratch.order.clear();
            scratch.order.extend(0..n as u32);
            scratch
                .order
                .sort_by(|a, b| mus[*a as usize].total_cmp(&mus[*b as usize]));
            &scratch.order
        }
    };
    // ext = [lo, sorted mus..., hi]; each kernel's bandwidth is the larger of its two gaps.
    let ext = &mut scratch.ext;
    ext.clear();
    ext.push(lo);
    ext.extend(order.iter().map(|&k| mus[k as usize]));
    ext.push(hi);
    let sorted_sigma = &mut scratch.sorted_sigma;
    sorted_sigma.clear();
    sorted_sigma.extend(ext.windows(3).map(|w| (w[1] - w[0]).max(w[2] - w[1])));
    if !params.consider_endpoints && n >= 2 {
        sorted_sigma[0] = ext[2] - ext[1];
        sorted_sigma[n - 1] = ext[n] - ext[n - 1];
    }
    let max_sigma = hi - lo;
    let min_sigma = if params.consider_magic_clip {
        (hi - lo) / 100f64.min(1.0 + (n + 1) as f64)
    } else {
        1e-12
    };
    out.clear();
    out.resize(n, 0.0);
    for (rank, &k) in order.iter().enumerate() {
        out[k as usize] = sorted_sigma[rank].max(min_sigma).min(max_sigma);
    }
}

impl Default for ParzenEstimator {
    fn default() -> Self {
        ParzenEstimator {
            weights: vec![1.0],
            dims: Vec::new(),
            log_factor: vec![0.0],
            discrete_log_mass: Vec::new(),
            scratch: SigmaScratch::default(),
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
        let w = &mut self.weights;
        w.clear();
        if n_obs == 0 {
            w.push(1.0);
        } else {
            w.extend_from_slice(&weights[..n_obs]);
            w.push(params.prior_weight);
        }
        let total: f64 = w.iter().sum();
        for x in w.iter_mut() {
            *x /= total;
        }
        let n_kernels = w.len();
        // The product of the continuous dimensions' normalising terms, per kernel (reuses the
        // log-factor buffer, which it becomes below).
        let denominator = &mut self.log_factor;
        denominator.clear();
        denominator.resize(n_kernels, 1.0);
        let mut old_dims = std::mem::take(&mut self.dims).into_iter();
        let mut old_masses = std::mem::take(&mut self.discrete_log_mass).into_iter();
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
                    let (mut mu, mut sigma, mut inv_sigma) = match recycled {
                        Some(Dim::Numeric(nd)) => (nd.mu, nd.sigma, nd.inv_sigma),
                        _ => Default::default(),
                    };
                    mu.clear();
                    mu.extend_from_slice(obs);
                    if log {
                        lo = lo.ln();
                        hi = hi.ln();
                        for m in &mut mu {
                            *m = m.ln();
                        }
                    }
                    let order = orders.and_then(|o| o.get(d)).map(Vec::as_slice);
                    sigmas(&mu, order, (lo, hi), params, &mut self.scratch, &mut sigma);
                    mu.push(0.5 * (lo + hi));
                    sigma.push(hi - lo);
                    inv_sigma.clear();
                    inv_sigma.extend(sigma.iter().map(|s| 1.0 / s));
                    let mut dlm = if step == 0.0 {
                        Vec::new()
                    } else {
                        let mut v = old_masses.next().unwrap_or_default();
                        v.clear();
                        v.resize(n_kernels, 0.0);
                        v
                    };
                    for k in 0..n_kernels {
                        let (a, b) = ((lo - mu[k]) * inv_sigma[k], (hi - mu[k]) * inv_sigma[k]);
                        if a <= 0.0 && b > 0.0 {
                            // Central case: the mass is 1 - Φ(a) - Φ(-b); tails beyond 9
                            // sigma add below 1e-19.
                            let pa = if a < -9.0 { 0.0 } else { normal::cdf_by_erf(a) };
                            let pb = if b > 9.0 { 0.0 } else { normal::cdf_by_erf(-b) };
                            let mass = 1.0 - pa - pb;
                            if step == 0.0 {
                                denominator[k] *= mass * sigma[k] * SQRT_2PI;
                            } else {
                                dlm[k] = (-pa - pb).ln_1p();
                            }
                        } else {
                            let log_mass = log_gauss_mass(a, b);
                            if step == 0.0 {
                                denominator[k] *= log_mass.exp() * sigma[k] * SQRT_2PI;
                            } else {
                                dlm[k] = log_mass;
                            }
                        }
                    }
                    if step != 0.0 {
                        self.discrete_log_mass.push(dlm);
                    }
                    self.dims.push(Dim::Numeric(NumericDim {
                        low,
                        high,
                        step,
                        log,
                        lo,
                        hi,
                        mu,
                        sigma,
                        inv_sigma,
                    }));
                }
                None => {
                    let n_choices = dist.choices().map_or(1, <[_]>::len);
                    let mut probs = match recycled {
                        Some(Dim::Categorical(c)) => c.probs,
                        _ => Vec::new(),
                    };
                    probs.clear();
                    if n_obs == 0 {
                        probs.resize(n_choices, 1.0 / n_choices as f64);
                    } else {
                        probs.resize(
                            n_kernels * n_choices,
                            params.prior_weight / n_kernels as f64,
                        );
                        for (k, x) in obs.iter().enumerate() {
                            probs[k * n_choices + *x as usize] += 1.0;
                        }
                        for row in probs.chunks_mut(n_choices) {
                            let s: f64 = row.iter().sum();
                            let s = if s == 0.0 { 1.0 } else { s };
                            for v in row {
                                *v /= s;
                            }
                        }
                    }
                    self.dims
                        .push(Dim::Categorical(CategoricalDim { n_choices, probs }));
                }
            }
        }
        let w = &self.weights;
        let log_factor = &mut self.log_factor;
        for (lf, w) in log_factor.iter_mut().zip(w) {
            *lf = (w / *lf).ln();
        }
        if log_factor.iter().any(|f| !f.is_finite()) {
            // Products of many small bandwidths left the floating-point range: sum logarithms.
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

    /// Number of kernels (observations plus the prior).
    pub fn n_kernels(&self) -> usize {
        self.weights.len()
    }

    /// Draws `n` samples (`[sample][dim]`, internal values): a kernel by weight, then each
    /// dimension from that kernel.
    pub fn sample(&self, rng: &mut Rng, n: usize) -> Vec<Vec<f64>> {
        let mut flat = Vec::new();
        self.sample_into(rng, n, &mut flat);
        flat.chunks(self.dims.len().max(1))
            .map(<[f64]>::to_vec)
            .collect()
    }

    /// [`sample`](Self::sample) into `out`, flat: sample `i`'s dimension `d` at
    /// `out[i * n_dims + d]`.
    pub fn sample_into(&self, rng: &mut Rng, n: usize, out: &mut Vec<f64>) {
        let n_k = self.weights.len();
        out.clear();
        out.reserve(n * self.dims.len());
        let total: f64 = self.weights.iter().sum();
        for _ in 0..n {
            // The kernel: the first whose cumulative weight exceeds u (as a search over the
            // cumulative sums would find it).
            let u = rng.next_f64() * total;
            let mut acc = 0.0;
            let mut k = n_k - 1;
            for (i, w) in self.weights.iter().enumerate() {
                acc += w;
                if acc > u {
                    k = i;
                    break;
                }
            }
            for dim in &self.dims {
                out.push(match dim {
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
                    Dim::Numeric(d) => {
                        let (mu, sigma) = (d.mu[k], d.sigma[k]);
                        let (a, b) = ((d.lo - mu) / sigma, (d.hi - mu) / sigma);
                        let mut x = truncnorm::ppf(rng.next_f64(), a, b) * sigma + mu;
                        if d.log {
                            x = x.exp();
                        }
                        if d.step != 0.0 {
                            (d.low + ((x - d.low) / d.step).round() * d.step).clamp(d.low, d.high)
                        } else {
                            x.clamp(d.low, d.high)
                        }
                    }
                });
            }
        }
    }

    /// The term dimension `d` adds to kernel `k`'s log density at `x` (always <= 0).
    #[inline]
    fn term(&self, d: usize, discrete_index: usize, k: usize, x: f64) -> f64 {
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
                (lm - self.discrete_log_mass[discrete_index][k]).min(0.0)
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
        let n_k = self.weights.len();
        let acc = &mut scratch.acc;
        out.clear();
        for x in samples.chunks(self.dims.len().max(1)) {
            acc.clear();
            acc.extend_from_slice(&self.log_factor);
            let mut discrete_index = 0;
            let mut outside = false;
            let mut pending: [Continuous<'_>; 4] = Default::default();
            let mut n_pending = 0;
            for (d, dim) in self.dims.iter().enumerate() {
                match dim {
                    Dim::Numeric(nd) if nd.step == 0.0 => {
                        let xt = if nd.log { x[d].ln() } else { x[d] };
                        if xt < nd.lo || xt > nd.hi {
                            outside = true;
                            break;
                        }
                        // Continuous dimensions are added four at a time (one pass over the
                        // kernels instead of four); the order of the additions is unchanged.
                        pending[n_pending] = Continuous {
                            x: xt,
                            mu: &nd.mu,
                            inv_sigma: &nd.inv_sigma,
                        };
                        n_pending += 1;
                        if n_pending == 4 {
                            add_continuous(acc, &pending);
                            n_pending = 0;
                        }
                    }
                    _ => {
                        add_continuous(acc, &pending[..n_pending]);
                        n_pending = 0;
                        for (k, a) in acc.iter_mut().enumerate().take(n_k) {
                            *a += self.term(d, discrete_index, k, x[d]);
                        }
                        if matches!(dim, Dim::Numeric(_)) {
                            discrete_index += 1;
                        }
                    }
                }
            }
            if !outside {
                add_continuous(acc, &pending[..n_pending]);
            }
            out.push(if outside {
                f64::NEG_INFINITY
            } else {
                log_sum_exp_pruned(acc, &mut scratch.kept)
            });
        }
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

    /// Kernels, bandwidths, weights and densities as Optuna 5.0's `_ParzenEstimator` computes
    /// them for the same five-dimensional observations (float, log float, int, stepped float,
    /// categorical).
    #[test]
    fn matches_optuna_on_a_small_mixed_space() {
        let space = [
            Distribution::float(-5.0, 5.0).unwrap(),
            Distribution::float_log(1e-4, 1.0).unwrap(),
            Distribution::int(1, 10).unwrap(),
            Distribution::float_step(0.0, 1.0, 0.25).unwrap(),
            Distribution::categorical(["a", "b", "c"]).unwrap(),
        ];
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

    #[test]
    fn no_observations_means_the_prior_alone() {
        let d = Distribution::float(0.0, 1.0).unwrap();
        let pe = ParzenEstimator::new(&[&d], &[vec![]], None, &[], &params());
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
        let pe = ParzenEstimator::new(&dists, &obs, None, &[1.0; 3], &params());
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
