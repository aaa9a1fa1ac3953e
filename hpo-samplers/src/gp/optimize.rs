//! Acquisition maximisation over a mixed space (Optuna's `optimize_acqf_mixed`): score 2048
//! scrambled Sobol points, start local searches from the best one, from warm starts and from
//! points drawn by roulette (`∝ exp(f - f_max)`), and alternate, in each local search, L-BFGS-B
//! on the continuous coordinates (preconditioned by the lengthscales) with a search along each
//! discrete coordinate (every choice when there are at most 16, a golden-section search over
//! the grid otherwise), until a round improves nothing.
//!
//! The candidates' scores and the local searches are independent of one another, so they are
//! shared out over [`SearchOptions::threads`] threads; every piece is computed exactly as on
//! one thread and the results are combined in their order, so the point found is the same to
//! the bit for any number of threads.

use hpo_core::rng::Rng;
use sobol::Sobol;
use sobol::params::JoeKuoD6;

use super::lbfgsb::{self, Options};
use super::parallel::map_parallel;
use super::scorer::Scorer;
use super::space::{DimKind, UnitSpace};

/// Settings of the search.
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    /// Sobol points scored first (Optuna: 2048; at least 1).
    pub n_preliminary: usize,
    /// Local searches (Optuna: 10).
    pub n_local_search: usize,
    /// Tolerance, positive: L-BFGS-B's projected-gradient tolerance is `√tol` (Optuna: 1e-4).
    pub tol: f64,
    /// Threads the search may use (the calling one included); `0`, the default, means one per
    /// core, shared among the trials that are choosing their point at the same time (Optuna's
    /// PyTorch likewise runs its tensor operations on every core). The result does not depend
    /// on it.
    pub threads: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            n_preliminary: 2048,
            n_local_search: 10,
            tol: 1e-4,
            threads: 0,
        }
    }
}

/// `n` points of the Sobol sequence in `dims` dimensions, scrambled by a digital shift
/// (`shift[d]` XORed into dimension `d`), skipping the origin.
pub fn sobol_points(n: usize, dims: usize, shift: &[u32]) -> Vec<Vec<f64>> {
    let dir: Vec<Vec<u32>> =
        Sobol::<u32>::init_direction_vals::<u32>(dims, 32, &JoeKuoD6::minimal());
    let mut state = vec![0u32; dims];
    let mut out = Vec::with_capacity(n);
    for i in 1..=n as u64 {
        // Gray-code order: point i is point i-1 with the direction number of the lowest zero
        // bit of i-1 flipped in.
        let c = (i - 1).trailing_ones() as usize;
        for d in 0..dims {
            state[d] ^= dir[d][c.min(31)];
        }
        out.push(
            (0..dims)
                .map(|d| f64::from(state[d] ^ shift[d]) / 4_294_967_296.0)
                .collect(),
        );
    }
    out
}

/// The scores of `candidates`, in contiguous shares, one per thread (a candidate's score
/// depends only on the candidate).
fn score_parallel(scorer: &Scorer, candidates: &[Vec<f64>], threads: usize) -> Vec<f64> {
    // Shares below a few hundred points cost more to hand out than they save.
    let shares = threads.min(candidates.len() / 256).max(1);
    let size = candidates.len().div_ceil(shares);
    map_parallel(shares, shares, |i| {
        let end = ((i + 1) * size).min(candidates.len());
        scorer.score_batch(&candidates[(i * size).min(end)..end])
    })
    .concat()
}

/// Finds a point of (approximately) maximal score. `warm_starts` are extra local-search starts
/// (already in unit coordinates); `isl` the objective GP's inverse squared lengthscales;
/// `opts.threads` must already be resolved (at least 1).
pub fn maximize(
    scorer: &Scorer,
    space: &UnitSpace,
    warm_starts: &[Vec<f64>],
    isl: &[f64],
    rng: &mut Rng,
    opts: SearchOptions,
) -> (Vec<f64>, f64) {
    let dims = space.len();
    let shift: Vec<u32> = (0..dims).map(|_| rng.next_u64() as u32).collect();
    let mut candidates = sobol_points(opts.n_preliminary, dims, &shift);
    for c in &mut candidates {
        space.snap(c, true);
    }
    let threads = opts.threads.max(1);
    let scores = score_parallel(scorer, &candidates, threads);
    let finite = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    let best_idx = (0..candidates.len())
        .max_by(|&a, &b| finite(scores[a]).total_cmp(&finite(scores[b])))
        .unwrap_or(0);
    let mut starts = vec![candidates[best_idx].clone()];
    for w in warm_starts
        .iter()
        .take(opts.n_local_search.saturating_sub(1))
    {
        let mut w = w.clone();
        space.snap(&mut w, false);
        starts.push(w);
    }
    // Roulette over the remaining Sobol points, without replacement.
    let n_roulette = opts.n_local_search.saturating_sub(starts.len());
    let fmax = finite(scores[best_idx]);
    let mut weights: Vec<f64> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            if i == best_idx || !fmax.is_finite() {
                if i == best_idx { 0.0 } else { 1.0 }
            } else {
                (finite(s) - fmax).exp()
            }
        })
        .collect();
    if weights.iter().sum::<f64>() <= 0.0 {
        weights
            .iter_mut()
            .enumerate()
            .for_each(|(i, w)| *w = if i == best_idx { 0.0 } else { 1.0 });
    }
    for _ in 0..n_roulette.min(candidates.len().saturating_sub(1)) {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut r = rng.next_f64() * total;
        let mut pick = weights.len() - 1;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                pick = i;
                break;
            }
            r -= w;
        }
        weights[pick] = 0.0;
        starts.push(candidates[pick].clone());
    }
    let mut best = (candidates[best_idx].clone(), finite(scores[best_idx]));
    let searched = map_parallel(starts.len(), threads, |i| {
        local_search(scorer, space, starts[i].clone(), isl, opts.tol)
    });
    for (x, f) in searched {
        if f > best.1 {
            best = (x, f);
        }
    }
    best
}

fn local_search(
    scorer: &Scorer,
    space: &UnitSpace,
    mut x: Vec<f64>,
    isl: &[f64],
    tol: f64,
) -> (Vec<f64>, f64) {
    let continuous: Vec<usize> = (0..space.len())
        .filter(|&k| space.kinds()[k] == DimKind::Continuous)
        .collect();
    let discrete: Vec<usize> = (0..space.len())
        .filter(|&k| space.kinds()[k] != DimKind::Continuous)
        .collect();
    let mut fx = scorer.score(&x);
    if fx.is_nan() {
        fx = f64::NEG_INFINITY;
    }
    for _round in 0..100 {
        let before = fx;
        if !continuous.is_empty() {
            let scale: Vec<f64> = continuous
                .iter()
                .map(|&k| isl[k].sqrt().max(1e-12))
                .collect();
            let mut v: Vec<f64> = continuous
                .iter()
                .zip(&scale)
                .map(|(&k, s)| x[k] * s)
                .collect();
            let lower = vec![0.0; v.len()];
            let upper = scale.clone();
            let mut xt = x.clone();
            let mut full_grad = vec![0.0; x.len()];
            let out = lbfgsb::minimize(
                |vv, g| {
                    for (i, &k) in continuous.iter().enumerate() {
                        xt[k] = vv[i] / scale[i];
                    }
                    let f = scorer.score_with_gradient(&xt, &mut full_grad);
                    for (i, &k) in continuous.iter().enumerate() {
                        g[i] = -full_grad[k] / scale[i];
                    }
                    if f.is_nan() { f64::INFINITY } else { -f }
                },
                &mut v,
                &lower,
                &upper,
                Options {
                    max_iters: 200,
                    pgtol: tol.sqrt(),
                    ..Options::default()
                },
            );
            if -out.f > fx {
                for (i, &k) in continuous.iter().enumerate() {
                    x[k] = (v[i] / scale[i]).clamp(0.0, 1.0);
                }
                fx = scorer.score(&x);
            }
        }
        // With only continuous coordinates one L-BFGS-B run is the whole search; otherwise
        // rounds go on while a discrete coordinate moves (which changes the continuous problem).
        let mut moved = false;
        for &k in &discrete {
            let (idx, f) = search_discrete(scorer, space, &mut x, k, fx);
            if f > fx {
                x[k] = space.unit_of_index(k, idx);
                fx = f;
                moved = true;
            }
        }
        if !moved || fx <= before || !fx.is_finite() {
            break;
        }
    }
    (x, fx)
}

/// The best index of discrete dimension `k` with the other coordinates held.
fn search_discrete(
    scorer: &Scorer,
    space: &UnitSpace,
    x: &mut [f64],
    k: usize,
    fx: f64,
) -> (u64, f64) {
    let current = x[k];
    let n = match space.kinds()[k] {
        DimKind::Grid(n) => n,
        DimKind::Categorical(n) => n as u64,
        DimKind::Continuous => unreachable!("only discrete dimensions are searched here"),
    };
    let cur_idx = space.index_of_unit(k, current);
    let eval = |idx: u64, x: &mut [f64]| {
        x[k] = space.unit_of_index(k, idx);
        let f = scorer.score(x);
        if f.is_nan() { f64::NEG_INFINITY } else { f }
    };
    let mut best = (cur_idx, fx);
    if matches!(space.kinds()[k], DimKind::Categorical(_)) || n <= 16 {
        for idx in 0..n {
            if idx == cur_idx {
                continue;
            }
            let f = eval(idx, x);
            if f > best.1 {
                best = (idx, f);
            }
        }
    } else {
        // Golden-section search for a maximum of the score over the grid index, reading the
        // score between grid points by linear interpolation.
        let mut memo = std::collections::HashMap::new();
        let mut at = |t: f64, x: &mut [f64]| -> f64 {
            let lo = t.floor().max(0.0) as u64;
            let hi = (lo + 1).min(n - 1);
            let mut get = |i: u64, x: &mut [f64]| *memo.entry(i).or_insert_with(|| eval(i, x));
            let (a, b) = (get(lo, x), get(hi, x));
            let w = t - lo as f64;
            if w <= 0.0 { a } else { a * (1.0 - w) + b * w }
        };
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut a, mut b) = (0.0, (n - 1) as f64);
        let mut c = b - g * (b - a);
        let mut d = a + g * (b - a);
        let (mut fc, mut fd) = (at(c, x), at(d, x));
        while b - a > 0.25 {
            if fc >= fd {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = at(c, x);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = at(d, x);
            }
        }
        let idx = ((a + b) / 2.0).round() as u64;
        for i in [idx.saturating_sub(1), idx, (idx + 1).min(n - 1)] {
            if i != cur_idx {
                let f = eval(i, x);
                if f > best.1 {
                    best = (i, f);
                }
            }
        }
    }
    x[k] = current;
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sobol_points_are_stratified() {
        // Points 0..64 of the unscrambled sequence put exactly one point in every 1/8 x 1/8
        // cell; we skip the origin, so the 63 returned points fill all other cells once.
        let pts = sobol_points(63, 2, &[0, 0]);
        let mut cells = [[0; 8]; 8];
        for p in &pts {
            cells[(p[0] * 8.0) as usize][(p[1] * 8.0) as usize] += 1;
        }
        assert_eq!(cells[0][0], 0);
        assert_eq!(
            cells.iter().flatten().filter(|&&c| c == 1).count(),
            63,
            "{cells:?}"
        );
        let shifted = sobol_points(4, 2, &[0xdead_beef, 0x1234_5678]);
        assert!(shifted.iter().flatten().all(|v| (0.0..1.0).contains(v)));
    }
}
