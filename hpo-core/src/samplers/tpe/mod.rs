//! `TpeSampler`: the Tree-structured Parzen Estimator, Optuna 5.0's default sampler.

mod history;
mod parzen_estimator;
mod split;
mod weights;

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::invalid_setting;
use crate::json::write_python_str;
use crate::rng::Rng;
use crate::{
    Distribution, FrozenTrial, GroupDecomposedSearchSpace, IntersectionSearchSpace, ParamSpace,
    ParamValue, RandomSampler, Result, Sampler, Study, TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;

use parzen_estimator::KernelSource;
#[cfg(debug_assertions)]
use parzen_estimator::first_largest;
pub use parzen_estimator::{EstimatorParams, LogPdfScratch, ParzenEstimator};
pub use weights::{
    default_gamma, default_gamma_multiobjective, default_weights, hyperopt_default_gamma,
};

use history::History;

/// The system attribute prefix under which TPE shares a running trial's relative sample with
/// other workers (constant liar), in chunks of at most 2045 characters, as Optuna does.
pub const RELATIVE_PARAMS_KEY: &str = "tpe:relative_params";
/// The key of the first chunk of [`RELATIVE_PARAMS_KEY`].
const RELATIVE_PARAMS_FIRST_KEY: &str = "tpe:relative_params:0";
const SYSTEM_ATTR_MAX_LENGTH: usize = 2045;

/// How many trials are "good": a function of the number of finished trials.
pub type GammaFn = Arc<dyn Fn(usize) -> usize + Send + Sync>;
/// Kernel weights for `n` observations ordered by trial number.
pub type WeightsFn = Arc<dyn Fn(usize) -> Vec<f64> + Send + Sync>;

/// The Tree-structured Parzen Estimator (Optuna's `TPESampler`, 5.0 defaults): after 10 random
/// startup trials, it splits the finished trials into good and bad groups (gamma
/// `min(ceil(0.1 n), 25)`), fits a Parzen estimator to each, draws 24 candidates from the good one
/// and keeps the candidate maximising `log l(x) - log g(x)`. Multivariate (one product kernel per
/// trial) for single-objective studies, constant liar on, multi-objective with non-domination
/// ranks and a hypervolume tie-break, constraints honoured.
///
/// ```
/// use hpo_core::Study;
/// use hpo_core::samplers::TpeSampler;
/// let study = Study::builder().sampler(TpeSampler::with_seed(42)).build()?;
/// study.optimize(30, |t| Ok((t.suggest_float("x", -10.0, 10.0)? - 2.0).powi(2)))?;
/// assert!(study.best_value()? < 1.0);
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub struct TpeSampler {
    n_startup_trials: usize,
    n_ei_candidates: usize,
    params: EstimatorParams,
    multivariate: Option<bool>,
    group: bool,
    constant_liar: bool,
    gamma: Option<GammaFn>,
    /// The observation weights; `None` for Optuna's default, written into kept buffers.
    weights: Option<WeightsFn>,
    rng: Mutex<Rng>,
    random: RandomSampler,
    state: Mutex<State>,
    /// Refit the bad group in place where possible (off only in tests, which compare).
    track_kernels: bool,
    /// Keep the good group's estimator while its inputs are unchanged (off only in tests,
    /// which compare).
    keep_below: bool,
}

#[derive(Default)]
struct State {
    history: History,
    intersection: Option<IntersectionSearchSpace>,
    groups: Option<GroupDecomposedSearchSpace>,
    work: Workspace,
}

/// Buffers one sample needs, kept between trials so that a warm sampler allocates nothing
/// proportional to the history.
#[derive(Default)]
struct Workspace {
    below: ParzenEstimator,
    above: ParzenEstimator,
    candidates: Vec<f64>,
    log_below: Vec<f64>,
    /// The groups' observation weights.
    below_weights: Vec<f64>,
    above_weights: Vec<f64>,
    scratch: LogPdfScratch,
    /// Per dimension: the good and bad groups' observations, and the bad kernels by value.
    below_obs: Vec<Vec<f64>>,
    /// What `below` was last fitted on.
    below_fitted_on: Option<FitInputs>,
    above_obs: Vec<Vec<f64>>,
    orders: Vec<Vec<u32>>,
    /// Trial number -> index of its (finished) kernel in the bad group, `u32::MAX` if none.
    kernel_of: Vec<u32>,
    /// History positions of the bad group's kernels.
    positions: Vec<u32>,
    /// Per finished trial (history position): 0 if it has every parameter sampled, else NaN.
    missing: Vec<f64>,
    /// Per finished trial (history position): whether it is in the good group.
    is_below: Vec<bool>,
    /// How many bad-group fits were in-place updates (tests).
    #[cfg(test)]
    updates: usize,
    /// How many good-group fits were skipped as unchanged (tests).
    #[cfg(test)]
    below_reuses: usize,
    /// Trial numbers of the bad group's kernels.
    above_ids: Vec<u64>,
    /// The bad group's kernels by trial number, and where each one's values are.
    above_src: Vec<(u64, Source)>,
    /// Bad-group estimators that track their kernels (see `ParzenEstimator::update`), one per
    /// space sampled lately in the current study: one for a multivariate sampler, one per
    /// parameter for an independent one, one per group. `above` serves the fits that cannot
    /// be tracked (running trials as kernels, filtered studies).
    tracked: Vec<Tracked>,
    /// Counts uses of `tracked`, to stamp them.
    clock: u64,
}

/// Everything a [`ParzenEstimator::fit`] without kernel orders reads besides the sampler's
/// settings: the space, the observations and the weights. The good group rarely changes late in
/// a study, and a fit on the same inputs gives the same estimator, so its estimator is refit only
/// when these differ (bit for bit) from the last fit's, and keeps the tails its draws computed.
struct FitInputs {
    dists: Vec<Distribution>,
    obs: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

impl FitInputs {
    /// Records a fit's inputs in `slot`, reusing the buffers of the last ones.
    fn record(
        slot: &mut Option<FitInputs>,
        dists: &[&Distribution],
        obs: &[Vec<f64>],
        weights: &[f64],
    ) {
        let inputs = slot.get_or_insert_with(|| FitInputs {
            dists: Vec::new(),
            obs: Vec::new(),
            weights: Vec::new(),
        });
        inputs.dists.clear();
        inputs.dists.extend(dists.iter().map(|d| (*d).clone()));
        inputs.obs.resize_with(obs.len(), Vec::new);
        for (kept, o) in inputs.obs.iter_mut().zip(obs) {
            kept.clone_from(o);
        }
        inputs.weights.clear();
        inputs.weights.extend_from_slice(weights);
    }

    fn matches(&self, dists: &[&Distribution], obs: &[Vec<f64>], weights: &[f64]) -> bool {
        let same = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        };
        self.dists.len() == dists.len()
            && self.dists.iter().zip(dists).all(|(a, b)| a == *b)
            && self.obs.len() == obs.len()
            && self.obs.iter().zip(obs).all(|(a, b)| same(a, b))
            && same(&self.weights, weights)
    }
}

/// A parameter of the space being sampled: its name and distribution, borrowed from the
/// relative search space (no copy per trial).
type SpaceEntry<'a> = (&'a str, &'a Distribution);

/// The tracked estimators hold at most about this many kernel-dimensions together (about 40
/// bytes each: 40 MB); past it, the spaces sampled longest ago are dropped (they fit in full
/// next time). The one in use is always kept.
const MAX_TRACKED_KERNEL_DIMS: usize = 1 << 20;

/// A bad-group estimator kept up to date for one study and space.
struct Tracked {
    study: i64,
    space: Vec<(String, Distribution)>,
    estimator: ParzenEstimator,
    /// When it was last used (`Workspace::clock`).
    used: u64,
}

/// The index in `tracked` of the estimator for `space` in study `id` (created if new), stamped
/// as used now. Other studies' estimators are dropped, and the least recently used others
/// while all of them would hold more than `budget` kernel-dimensions with this one at
/// `needed`.
fn tracked_slot(
    tracked: &mut Vec<Tracked>,
    clock: &mut u64,
    (id, space): (i64, &[SpaceEntry<'_>]),
    needed: usize,
    budget: usize,
) -> usize {
    tracked.retain(|t| t.study == id);
    *clock += 1;
    let same = |t: &Tracked| {
        t.space.len() == space.len()
            && (t.space.iter().zip(space)).all(|((n, d), (m, e))| n == m && d == *e)
    };
    let mut i = match tracked.iter().position(same) {
        Some(i) => i,
        None => {
            tracked.push(Tracked {
                study: id,
                space: space
                    .iter()
                    .map(|(n, d)| (n.to_string(), (*d).clone()))
                    .collect(),
                estimator: ParzenEstimator::default(),
                used: 0,
            });
            tracked.len() - 1
        }
    };
    tracked[i].used = *clock;
    let size = |t: &Tracked| t.estimator.n_kernels() * t.space.len().max(1);
    let mut held = needed
        + (tracked.iter().enumerate())
            .filter(|(j, _)| *j != i)
            .map(|(_, t)| size(t))
            .sum::<usize>();
    while held > budget {
        let lru = (tracked.iter().enumerate())
            .filter(|(j, _)| *j != i)
            .min_by_key(|(_, t)| t.used)
            .map(|(j, _)| j);
        let Some(j) = lru else {
            break;
        };
        held -= size(&tracked.remove(j));
        if j < i {
            i -= 1;
        }
    }
    i
}

/// `v` as `n` empty vectors, keeping the allocations it already has.
fn refill<T>(v: &mut Vec<Vec<T>>, n: usize) -> &mut [Vec<T>] {
    v.resize_with(n, Vec::new);
    for inner in v.iter_mut() {
        inner.clear();
    }
    v
}

impl std::fmt::Debug for TpeSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TpeSampler")
            .field("n_startup_trials", &self.n_startup_trials)
            .field("n_ei_candidates", &self.n_ei_candidates)
            .field("params", &self.params)
            .field("multivariate", &self.multivariate)
            .field("group", &self.group)
            .field("constant_liar", &self.constant_liar)
            .finish_non_exhaustive()
    }
}

impl Default for TpeSampler {
    fn default() -> Self {
        TpeSampler::new()
    }
}

impl TpeSampler {
    /// Optuna 5.0's defaults, unseeded.
    pub fn new() -> Self {
        TpeSampler {
            n_startup_trials: 10,
            n_ei_candidates: 24,
            params: EstimatorParams {
                prior_weight: 1.0,
                consider_magic_clip: true,
                consider_endpoints: false,
            },
            multivariate: None,
            group: false,
            constant_liar: true,
            gamma: None,
            weights: None,
            rng: Mutex::new(Rng::from_entropy()),
            random: RandomSampler::new(),
            state: Mutex::new(State::default()),
            track_kernels: true,
            keep_below: true,
        }
    }

    /// Optuna's defaults with a seed: a seeded single-threaded study is reproducible bit for bit.
    pub fn with_seed(seed: u64) -> Self {
        TpeSampler::new().seed(seed)
    }

    /// Seeds the sampler (its own draws and its random startup sampler).
    pub fn seed(mut self, seed: u64) -> Self {
        self.rng = Mutex::new(Rng::seed_from_u64(seed));
        self.random = RandomSampler::with_seed(seed ^ 0x5EED_5EED_5EED_5EED);
        self
    }

    crate::setters! {
        /// Random trials before TPE starts (default 10; Complete and Pruned trials count).
        pub fn n_startup_trials(n: usize) => self.n_startup_trials;

        /// Candidates drawn from the good estimator per sample (default 24; must be at least 1).
        pub fn n_ei_candidates(n: usize) => self.n_ei_candidates;

        /// Weight of the prior kernel (default 1.0; must be finite and >= 0).
        pub fn prior_weight(w: f64) => self.params.prior_weight;

        /// Clip bandwidths from below by `range / min(100, 1 + n_kernels)` (default true).
        pub fn consider_magic_clip(yes: bool) => self.params.consider_magic_clip;

        /// Let the range ends count as neighbours of the extreme observations (default false).
        pub fn consider_endpoints(yes: bool) => self.params.consider_endpoints;

        /// Joint (multivariate) sampling of the parameters common to all trials; default: on for
        /// single-objective studies, off for multi-objective ones.
        pub fn multivariate(yes: bool) => self.multivariate = Some;

        /// Decompose conditional spaces into groups of parameters that always appear together and
        /// sample each group jointly (implies multivariate). With a declared typed space
        /// (`Study::declare_space`, done by `optimize_typed`) the groups come from its static tree.
        pub fn group(yes: bool) => self.group;

        /// Treat running trials as bad ("constant liar") so parallel workers spread out
        /// (default true).
        pub fn constant_liar(yes: bool) => self.constant_liar;
    }

    /// Replaces gamma, the size of the good group as a function of the finished trials.
    pub fn gamma(mut self, gamma: impl Fn(usize) -> usize + Send + Sync + 'static) -> Self {
        self.gamma = Some(Arc::new(gamma));
        self
    }

    /// Replaces the observation weights (by trial number, oldest first).
    pub fn weights(mut self, weights: impl Fn(usize) -> Vec<f64> + Send + Sync + 'static) -> Self {
        self.weights = Some(Arc::new(weights));
        self
    }

    /// The weights of `n` observations into `out`.
    fn weights_into(&self, n: usize, out: &mut Vec<f64>) {
        match &self.weights {
            None => weights::default_weights_into(n, out),
            Some(f) => *out = f(n),
        }
    }

    fn is_multivariate(&self, study: &Study) -> bool {
        match self.multivariate {
            Some(m) => m || self.group,
            None => self.group || !study.is_multi_objective(),
        }
    }

    fn gamma_of(&self, study: &Study, n: usize) -> usize {
        match &self.gamma {
            Some(g) => g(n),
            None if study.is_multi_objective() => default_gamma_multiobjective(n),
            None => default_gamma(n),
        }
    }

    /// The groups of the relative space (group mode).
    fn groups(&self, study: &Study, state: &mut State) -> Result<Vec<ParamSpace>> {
        if let Some(tree) = study.declared_space() {
            return Ok(tree.groups().into_iter().map(|(_, g)| g).collect());
        }
        let calc = state
            .groups
            .get_or_insert_with(|| GroupDecomposedSearchSpace::new(true));
        calc.calculate(study)
    }

    /// TPE proper on `space` (one or several parameters): returns internal values.
    fn sample_space(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &[SpaceEntry<'_>],
        state: &mut State,
    ) -> Result<HashMap<String, f64>> {
        let State {
            history: hist,
            work,
            ..
        } = state;
        let hist: &History = hist;
        let running: Vec<Arc<FrozenTrial>> = if self.constant_liar {
            let mut r = study.trials_in(&[TrialState::Running])?;
            r.retain(|t| t.number != trial.number);
            r
        } else {
            Vec::new()
        };
        let n = hist.len();
        let n_below = self.gamma_of(study, n);
        let below = split::below_numbers(hist, study.directions(), n_below);
        let is_below = &mut work.is_below;
        is_below.clear();
        is_below.resize(hist.len(), false);
        for number in &below {
            if let Some(pos) = hist
                .pos_of_number
                .get(*number as usize)
                .filter(|p| **p != u32::MAX)
            {
                is_below[*pos as usize] = true;
            }
        }
        let columns: Vec<Option<&history::Column>> = space
            .iter()
            .map(|(name, _)| hist.columns.get(*name))
            .collect();
        // Which finished trials have every parameter of `space`: all of them when every
        // column is full (no conditional parameter), else one dense pass per column. `0 * v`
        // is 0 for a value and NaN for a missing one, so the sums stay 0 exactly where every
        // parameter is present (a float sum vectorises; a boolean `and` did not).
        let all_full = columns.iter().all(|c| c.is_some_and(|c| c.missing == 0));
        let missing = &mut work.missing;
        missing.clear();
        if !all_full {
            let no_column = if columns.iter().all(Option::is_some) {
                0.0
            } else {
                f64::NAN
            };
            missing.resize(n, no_column);
            for c in columns.iter().flatten() {
                for (m, v) in missing.iter_mut().zip(&c.values) {
                    *m += 0.0 * v;
                }
            }
        }
        let has_all = |pos: usize| all_full || missing[pos] == 0.0;
        let dists: Vec<&Distribution> = space.iter().map(|(_, d)| *d).collect();
        let d_n = space.len();

        // Below: finished trials only (running trials are always above).
        let mut below_pos: Vec<usize> = Vec::with_capacity(below.len());
        below_pos.extend(below.iter().filter_map(|number| {
            let pos = *hist.pos_of_number.get(*number as usize)? as usize;
            (pos != u32::MAX as usize && has_all(pos)).then_some(pos)
        }));
        below_pos.sort_unstable();
        let below_obs = refill(&mut work.below_obs, d_n);
        // A parameter no finished trial has (new in this trial) has no column; then no
        // finished trial passes `has_all`, and only running trials can be kernels.
        let values_of = |d: usize| columns[d].map_or(&[][..], |c| c.values.as_slice());
        for (d, obs) in below_obs.iter_mut().enumerate() {
            let values = values_of(d);
            obs.extend(below_pos.iter().map(|&p| values[p]));
        }

        // Above: finished trials not below, plus running trials (constant liar), by number.
        let running_obs: Vec<(u64, Vec<f64>)> = running
            .iter()
            .filter_map(|t| running_observation(t, space).map(|o| (t.number, o)))
            .collect();
        let mut above_src = std::mem::take(&mut work.above_src);
        above_src.clear();
        for (p, e) in hist.entries.iter().enumerate() {
            if !is_below[p] && has_all(p) {
                above_src.push((e.number, Source::Finished(p)));
            }
        }
        if !running_obs.is_empty() {
            above_src.extend(
                running_obs
                    .iter()
                    .enumerate()
                    .map(|(i, (n, _))| (*n, Source::Running(i))),
            );
            above_src.sort_by_key(|(n, _)| *n);
        }
        let mut below_weights = std::mem::take(&mut work.below_weights);
        if study.is_multi_objective() {
            below_weights.clear();
            below_weights.resize(below_pos.len(), 1.0);
        } else {
            self.weights_into(below_pos.len(), &mut below_weights);
        }
        let mut above_weights = std::mem::take(&mut work.above_weights);
        self.weights_into(above_src.len(), &mut above_weights);
        let below_unchanged = self.keep_below
            && work
                .below_fitted_on
                .as_ref()
                .is_some_and(|f| f.matches(&dists, &work.below_obs, &below_weights));
        if below_unchanged {
            // A fresh fit would give the same estimator.
            #[cfg(debug_assertions)]
            {
                let fresh = ParzenEstimator::new(
                    &dists,
                    &work.below_obs,
                    None,
                    &below_weights,
                    &self.params,
                );
                if let Some(diff) = work.below.difference(&fresh) {
                    panic!("the kept good-group estimator differs from a fit: {diff}");
                }
            }
        } else {
            work.below
                .fit(&dists, &work.below_obs, None, &below_weights, &self.params);
            FitInputs::record(
                &mut work.below_fitted_on,
                &dists,
                &work.below_obs,
                &below_weights,
            );
        }
        #[cfg(test)]
        {
            work.below_reuses += usize::from(below_unchanged);
        }
        // The bad group changes by about one trial per trial: refit it in place when its
        // estimator tracks its kernels for this study and space (finished trials only).
        let trackable = self.track_kernels && running_obs.is_empty() && !study.is_filtered();
        let slot = trackable.then(|| {
            let needed = (above_src.len() + 1) * d_n.max(1);
            let key = (study.study_id(), space);
            tracked_slot(
                &mut work.tracked,
                &mut work.clock,
                key,
                needed,
                MAX_TRACKED_KERNEL_DIMS,
            )
        });
        let above = match slot {
            Some(i) => &mut work.tracked[i].estimator,
            None => &mut work.above,
        };
        let use_orders = above_src.len() > 32;
        if use_orders || trackable {
            // Trial number -> kernel index (indexed by every finished trial's number, so the
            // loops below need no bounds test).
            // The sources are in trial-number order: the last has the largest number.
            let max_number = above_src.last().map_or(0, |(n, _)| *n) as usize;
            let kernel_of = &mut work.kernel_of;
            kernel_of.clear();
            kernel_of.resize((max_number + 1).max(hist.pos_of_number.len()), u32::MAX);
            for (k, (n, s)) in above_src.iter().enumerate() {
                if let Source::Finished(_) = s {
                    kernel_of[*n as usize] = k as u32;
                }
            }
        }
        let above_ids = &mut work.above_ids;
        above_ids.clear();
        above_ids.extend(above_src.iter().map(|(n, _)| *n));
        let updated = slot.is_some() && {
            let sorted: Vec<&history::Sorted> = columns
                .iter()
                .map(|c| c.map_or(&history::NO_ENTRIES, |c| &c.sorted))
                .collect();
            let value =
                |d: usize, number: u64| values_of(d)[hist.pos_of_number[number as usize] as usize];
            let src = KernelSource {
                sorted: &sorted,
                kernel_of: &work.kernel_of,
                value: &value,
            };
            above.update(&dists, above_ids, &src, &above_weights, &self.params)
        };
        #[cfg(test)]
        {
            work.updates += usize::from(updated);
        }
        // An update leaves exactly what a full fit of the same kernels gives.
        #[cfg(debug_assertions)]
        if updated {
            let obs: Vec<Vec<f64>> = (0..d_n)
                .map(|d| {
                    let values = values_of(d);
                    let pos = |n: &u64| hist.pos_of_number[*n as usize] as usize;
                    work.above_ids.iter().map(|n| values[pos(n)]).collect()
                })
                .collect();
            let fresh = ParzenEstimator::new(&dists, &obs, None, &above_weights, &self.params);
            if let Some(diff) = above.difference(&fresh) {
                panic!("the bad group's update differs from a full fit: {diff}");
            }
        }
        if !updated {
            let above_obs = refill(&mut work.above_obs, d_n);
            if running_obs.is_empty() {
                // Finished trials only: a plain gather by history position.
                let positions = &mut work.positions;
                positions.clear();
                positions.extend(above_src.iter().filter_map(|(_, s)| match s {
                    Source::Finished(p) => Some(*p as u32),
                    Source::Running(_) => None,
                }));
                for (d, obs) in above_obs.iter_mut().enumerate() {
                    let values = values_of(d);
                    obs.extend(positions.iter().map(|&p| values[p as usize]));
                }
            } else {
                for (d, obs) in above_obs.iter_mut().enumerate() {
                    let values = values_of(d);
                    obs.extend(above_src.iter().map(|(_, s)| match s {
                        Source::Finished(p) => values[*p],
                        Source::Running(i) => running_obs[*i].1[d],
                    }));
                }
            }
            // Kernel order by value per dimension, from the history's sorted columns (no sort).
            if use_orders {
                let kernel_of = &work.kernel_of;
                let running_kernels: Vec<u32> = above_src
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, s))| matches!(s, Source::Running(_)))
                    .map(|(k, _)| k as u32)
                    .collect();
                let orders = refill(&mut work.orders, d_n);
                for (d, order) in orders.iter_mut().enumerate() {
                    order.reserve(above_src.len());
                    let sorted = columns[d].map_or(&history::NO_ENTRIES, |c| &c.sorted);
                    if running_kernels.is_empty() {
                        // Branch-free: every entry is written, the position advances past
                        // kernels only (one spare slot takes the writes after the last kernel).
                        order.resize(above_src.len() + 1, 0);
                        let mut len = 0;
                        for &(_, number) in sorted.iter() {
                            let k = kernel_of[number as usize];
                            order[len] = k;
                            len += usize::from(k != u32::MAX);
                        }
                        order.truncate(len);
                        continue;
                    }
                    let mut extra: Vec<(f64, u32)> = running_kernels
                        .iter()
                        .map(|&k| (above_obs[d][k as usize], k))
                        .collect();
                    extra.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let mut e = extra.into_iter().peekable();
                    for &(v, number) in sorted.iter() {
                        let k = kernel_of[number as usize];
                        if k != u32::MAX {
                            // Equal values in kernel (trial number) order: the order a stable
                            // sort of the kernels by value gives, as when the kernels are sorted.
                            while let Some(&(ev, ek)) = e.peek() {
                                if ev.total_cmp(&v).then(ek.cmp(&k)).is_lt() {
                                    order.push(ek);
                                    e.next();
                                } else {
                                    break;
                                }
                            }
                            order.push(k);
                        }
                    }
                    order.extend(e.map(|(_, k)| k));
                }
                // The orders must be the ones a stable sort of the kernels by value gives: ties
                // decide which equal observation gets which neighbour distance as its bandwidth.
                #[cfg(debug_assertions)]
                for (d, order) in work.orders.iter().enumerate() {
                    let obs = &work.above_obs[d];
                    let mut sorted: Vec<u32> = (0..obs.len() as u32).collect();
                    sorted.sort_by(|a, b| obs[*a as usize].total_cmp(&obs[*b as usize]));
                    debug_assert_eq!(order, &sorted, "kernel order of dimension {d}");
                }
            }

            above.fit(
                &dists,
                &work.above_obs,
                use_orders.then_some(work.orders.as_slice()),
                &above_weights,
                &self.params,
            );
            if slot.is_some() {
                above.track(&work.above_ids);
            }
        }
        let n_candidates = self.n_ei_candidates;
        work.below
            .sample_into(&mut self.rng.lock(), n_candidates, &mut work.candidates);
        work.below
            .log_pdf_into(&work.candidates, &mut work.log_below, &mut work.scratch);
        let best = above.best_ratio(&work.candidates, &work.log_below, &mut work.scratch);
        // The pruned choice is the one scoring every candidate gives.
        #[cfg(debug_assertions)]
        {
            let mut log_above = Vec::new();
            above.log_pdf_into(&work.candidates, &mut log_above, &mut work.scratch);
            let scores = work
                .log_below
                .iter()
                .zip(&log_above)
                .map(|(lb, la)| lb - la);
            assert_eq!(
                best,
                first_largest(scores.enumerate()),
                "TPE's pruned choice"
            );
        }
        work.above_src = above_src;
        work.below_weights = below_weights;
        work.above_weights = above_weights;
        let chosen = &work.candidates[best * d_n..][..d_n];
        Ok(space
            .iter()
            .enumerate()
            .map(|(d, (name, _))| (name.to_string(), chosen[d]))
            .collect())
    }
}

enum Source {
    Finished(usize),
    Running(usize),
}

/// A running trial's internal values for `space`: its relative sample shared through the
/// `tpe:relative_params` attributes, updated with the parameters it has already suggested.
fn running_observation(t: &FrozenTrial, space: &[SpaceEntry<'_>]) -> Option<Vec<f64>> {
    let mut chunks = String::new();
    let mut i = 0;
    while let Some(Value::String(s)) = t.system_attrs.get(&format!("{RELATIVE_PARAMS_KEY}:{i}")) {
        chunks.push_str(s);
        i += 1;
    }
    let shared: Option<serde_json::Map<String, Value>> = if chunks.is_empty() {
        None
    } else {
        serde_json::from_str(&chunks).ok()
    };
    space
        .iter()
        .map(|(name, dist)| {
            if let Some(p) = t.params.get(*name) {
                return dist.to_internal(&p.value).ok();
            }
            let v = ParamValue::from_json(shared.as_ref()?.get(*name)?)?;
            dist.to_internal(&v).ok()
        })
        .collect()
}

impl Sampler for TpeSampler {
    fn validate(&self) -> Result<()> {
        if self.n_ei_candidates < 1 {
            return Err(invalid_setting(
                "TpeSampler",
                "n_ei_candidates",
                "must be at least 1",
                self.n_ei_candidates,
            ));
        }
        let w = self.params.prior_weight;
        if !(w.is_finite() && w >= 0.0) {
            return Err(invalid_setting(
                "TpeSampler",
                "prior_weight",
                "must be finite and >= 0",
                w,
            ));
        }
        Ok(())
    }

    fn infer_relative_search_space(
        &self,
        study: &Study,
        _trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        if !self.is_multivariate(study) {
            return Ok(ParamSpace::new());
        }
        let mut state = self.state.lock();
        let mut space = if self.group {
            let mut out = ParamSpace::new();
            for g in self.groups(study, &mut state)? {
                let mut g: Vec<(String, Distribution)> = g.into_iter().collect();
                g.sort_by(|a, b| a.0.cmp(&b.0));
                out.extend(g);
            }
            out
        } else if study.is_filtered() {
            IntersectionSearchSpace::new(true).calculate(study)?
        } else {
            state
                .intersection
                .get_or_insert_with(|| IntersectionSearchSpace::new(true))
                .calculate(study)?
        };
        // In place: the index is rebuilt only when a parameter is dropped.
        space.retain(|_, d| !d.single());
        Ok(space)
    }

    fn sample_relative(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        if space.is_empty() {
            return Ok(HashMap::new());
        }
        let mut state = self.state.lock();
        state.history.refresh(study)?;
        if state.history.len() < self.n_startup_trials {
            return Ok(HashMap::new());
        }
        let mut out = HashMap::new();
        if self.group {
            let groups = self.groups(study, &mut state)?;
            for g in groups {
                let mut sub: Vec<(String, Distribution)> = g
                    .into_iter()
                    .filter(|(name, d)| !d.single() && space.contains_key(name))
                    .collect();
                sub.sort_by(|a, b| a.0.cmp(&b.0));
                if !sub.is_empty() {
                    let sub: Vec<SpaceEntry<'_>> =
                        sub.iter().map(|(n, d)| (n.as_str(), d)).collect();
                    out.extend(self.sample_space(study, trial, &sub, &mut state)?);
                }
            }
        } else {
            let sub: Vec<SpaceEntry<'_>> = space.iter().map(|(k, d)| (k.as_str(), d)).collect();
            out = self.sample_space(study, trial, &sub, &mut state)?;
        }
        drop(state);
        if !out.is_empty() && self.constant_liar {
            // `json.dumps` of the sampled values by name, written directly: building a
            // `serde_json` map first cost a third of a microsecond a parameter.
            let mut text = String::with_capacity(2 + 32 * out.len());
            text.push('{');
            for (name, dist) in space {
                let Some(x) = out.get(name) else { continue };
                if text.len() > 1 {
                    text.push_str(", ");
                }
                write_python_str(name, &mut text);
                text.push_str(": ");
                dist.to_external(*x).write_python_json(&mut text);
            }
            text.push('}');
            if text.len() <= SYSTEM_ATTR_MAX_LENGTH {
                // One chunk (the usual case): the text itself, under a fixed key.
                study.storage().set_trial_system_attr(
                    trial.trial_id,
                    RELATIVE_PARAMS_FIRST_KEY,
                    Value::String(text),
                )?;
                return Ok(out);
            }
            for (i, chunk) in text.as_bytes().chunks(SYSTEM_ATTR_MAX_LENGTH).enumerate() {
                let chunk = String::from_utf8_lossy(chunk).into_owned();
                study.storage().set_trial_system_attr(
                    trial.trial_id,
                    &format!("{RELATIVE_PARAMS_KEY}:{i}"),
                    Value::String(chunk),
                )?;
            }
        }
        Ok(out)
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        let mut state = self.state.lock();
        state.history.refresh(study)?;
        if state.history.len() < self.n_startup_trials {
            drop(state);
            return self
                .random
                .sample_independent(study, trial, name, distribution);
        }
        let out = self.sample_space(study, trial, &[(name, distribution)], &mut state)?;
        Ok(out[name])
    }

    fn reseed_rng(&self, seed: Option<u64>) {
        *self.rng.lock() = seed.map_or_else(Rng::from_entropy, Rng::seed_from_u64);
        self.random
            .reseed_rng(seed.map(|s| s ^ 0x5EED_5EED_5EED_5EED));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sampler: TpeSampler) -> String {
        match sampler.validate() {
            Err(crate::Error::InvalidArgument(m)) => m,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    /// The constant liar's attribute is `json.dumps` of the sampled values by name: the text
    /// the general writer gives for the parsed object, with every trial's own values.
    #[test]
    fn the_shared_relative_params_are_python_json_of_the_sampled_values() {
        let study = Study::builder()
            .sampler(TpeSampler::with_seed(3).n_startup_trials(2))
            .build()
            .unwrap();
        for _ in 0..6 {
            let mut t = study.ask().unwrap();
            let x = t.suggest_float("x", -1.0, 1.0).unwrap();
            let lr = t.suggest_float_log("lr", 1e-9, 1e-6).unwrap();
            let n = t.suggest_int("n", -3, 3).unwrap();
            let c = t.suggest_categorical("c", &["é", "b"]).unwrap();
            study
                .tell(t, x * x + lr + n as f64 + f64::from(u8::from(c == "b")))
                .unwrap();
        }
        let trials = study.trials().unwrap();
        for t in &trials[2..] {
            let Some(Value::String(text)) = t.system_attrs.get("tpe:relative_params:0") else {
                panic!("trial {} has no shared relative params", t.number);
            };
            let parsed = crate::json::parse_python_json(text).unwrap();
            assert_eq!(&crate::json::to_python_json(&parsed), text);
            let Value::Object(map) = parsed else {
                panic!("not an object: {text}")
            };
            assert_eq!(map.len(), 4, "{text}");
            for (name, value) in &map {
                assert_eq!(
                    &t.params[name.as_str()].value.to_json(),
                    value,
                    "{name} in {text}"
                );
            }
        }
    }

    /// A relative sample too long for one attribute is shared in chunks of at most 2045
    /// characters under `tpe:relative_params:0`, `:1`, ..., whose text joined is the JSON.
    #[test]
    fn a_long_shared_relative_sample_is_split_into_chunks() {
        let study = Study::builder()
            .sampler(TpeSampler::with_seed(5).n_startup_trials(2))
            .build()
            .unwrap();
        let names: Vec<String> = (0..40)
            .map(|i| format!("{i:02}_{}", "p".repeat(60)))
            .collect();
        for _ in 0..4 {
            let mut t = study.ask().unwrap();
            let mut y = 0.0;
            for name in &names {
                y += t.suggest_float(name, -1.0, 1.0).unwrap().abs();
            }
            study.tell(t, y).unwrap();
        }
        let last = study.trials().unwrap().pop().unwrap();
        let chunk = |i: usize| match last.system_attrs.get(&format!("tpe:relative_params:{i}")) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let chunks: Vec<String> = (0..).map_while(chunk).collect();
        assert_eq!(chunks.len(), 2, "{chunks:?}");
        assert!(chunks.iter().all(|c| c.len() <= 2045));
        let joined = chunks.concat();
        let Value::Object(map) = crate::json::parse_python_json(&joined).unwrap() else {
            panic!("not an object: {joined}")
        };
        assert_eq!(map.len(), 40);
        for (name, value) in &map {
            assert_eq!(&last.params[name.as_str()].value.to_json(), value, "{name}");
        }
    }

    #[test]
    fn settings_are_checked_by_validate_not_clamped() {
        assert!(TpeSampler::new().validate().is_ok());
        assert!(TpeSampler::new().prior_weight(0.0).validate().is_ok());
        assert_eq!(
            message(TpeSampler::new().prior_weight(-1.0)),
            "TpeSampler: `prior_weight` must be finite and >= 0, got -1"
        );
        assert_eq!(
            message(TpeSampler::new().prior_weight(f64::NAN)),
            "TpeSampler: `prior_weight` must be finite and >= 0, got NaN"
        );
        assert_eq!(
            message(TpeSampler::new().n_ei_candidates(0)),
            "TpeSampler: `n_ei_candidates` must be at least 1, got 0"
        );
    }

    /// The bad group's estimators refitted in place give the same studies, bit for bit, as
    /// full fits, in each way TPE splits a space: multivariate, one parameter at a time,
    /// groups of a conditional space, and a two-objective study (independent by default).
    #[test]
    fn in_place_refits_give_the_same_studies_as_full_fits() {
        for (name, make, objectives) in CONFIGS {
            let (tracked, updates, _) = run_mixed(make(), objectives);
            let mut untracked = make();
            untracked.track_kernels = false;
            let (full, none, _) = run_mixed(untracked, objectives);
            assert_eq!(none, 0);
            assert!(updates > 50, "{name}: only {updates} in-place refits");
            assert!(tracked == full, "{name}: the studies differ");
        }
    }

    /// Custom weights are used: Optuna's default given as a function gives the default's
    /// studies (which write into kept buffers), and flat weights give other studies.
    #[test]
    fn custom_weights_are_used() {
        let make = || TpeSampler::with_seed(4).multivariate(true);
        let (default, _, _) = run_mixed(make(), 1);
        let (as_function, _, _) = run_mixed(make().weights(default_weights), 1);
        assert!(
            default == as_function,
            "the default weights as a function differ"
        );
        let (flat, _, _) = run_mixed(make().weights(|n| vec![1.0; n]), 1);
        assert!(default != flat, "flat weights were not used");
    }

    /// Keeping the good group's estimator while what it is fitted on is unchanged gives the
    /// same studies as fitting it every trial; debug builds (the tests) also compare every kept
    /// estimator with a fresh fit. The spaces of the independent and group samplers (one
    /// parameter each, two objectives included; the two groups) take turns with one estimator,
    /// so there little is kept, and nothing may be mixed up.
    #[test]
    fn an_unchanged_good_group_keeps_its_estimator() {
        for (name, make, objectives) in CONFIGS {
            let (kept, _, reuses) = run_mixed(make(), objectives);
            let mut refit = make();
            refit.keep_below = false;
            let (full, _, none) = run_mixed(refit, objectives);
            assert_eq!(none, 0);
            if name == "multivariate" {
                assert!(reuses > 20, "{name}: only {reuses} kept estimators");
            }
            assert!(kept == full, "{name}: the studies differ");
        }
    }

    type Config = (&'static str, fn() -> TpeSampler, usize);
    const CONFIGS: [Config; 4] = [
        ("multivariate", || TpeSampler::with_seed(5), 1),
        (
            "independent",
            || TpeSampler::with_seed(5).multivariate(false),
            1,
        ),
        ("group", || TpeSampler::with_seed(5).group(true), 1),
        ("two objectives", || TpeSampler::with_seed(5), 2),
    ];

    /// 200 trials on a mixed, conditional space: every sampled value's bits, and how many
    /// bad-group fits were in-place updates and good-group fits were kept.
    fn run_mixed(sampler: TpeSampler, objectives: usize) -> (Vec<u64>, usize, usize) {
        {
            let sampler = Arc::new(sampler);
            let study = Study::builder()
                .sampler_arc(sampler.clone())
                .directions(vec![crate::StudyDirection::Minimize; objectives])
                .build()
                .unwrap();
            let mut bits = Vec::new();
            for _ in 0..200 {
                let mut t = study.ask().unwrap();
                let x = t.suggest_float("x", -5.0, 5.0).unwrap();
                let y = t.suggest_float_log("y", 1e-3, 10.0).unwrap();
                let n = t.suggest_int("n", 1, 9).unwrap();
                let c = t.suggest_categorical("c", &["a", "b", "c"]).unwrap();
                // Conditional: only some trials have `z`.
                let z = if c == "a" {
                    t.suggest_float("z", 0.0, 1.0).unwrap()
                } else {
                    0.5
                };
                bits.extend([x, y, n as f64, z].map(f64::to_bits));
                let f = x * x + (y.ln() - 1.0).powi(2) + (n as f64 - 4.0).abs() + z;
                if objectives == 1 {
                    study.tell(t, f).unwrap();
                } else {
                    study.tell(t, vec![f, (x - 1.0).powi(2) + z]).unwrap();
                }
            }
            let work = &sampler.state.lock().work;
            (bits, work.updates, work.below_reuses)
        }
    }

    /// Tracked estimators are found by space, and the least recently used give way when
    /// together they would exceed the budget; another study's are dropped.
    #[test]
    fn tracked_estimators_are_kept_within_a_budget_least_recently_used_first() {
        let dist = Distribution::float(0.0, 1.0).unwrap();
        let space = |names: &[&str]| -> Vec<(String, Distribution)> {
            names
                .iter()
                .map(|n| (n.to_string(), dist.clone()))
                .collect()
        };
        let (a, b, c, e) = (
            space(&["a"]),
            space(&["b"]),
            space(&["c", "d"]),
            space(&["e"]),
        );
        let params = TpeSampler::new().params;
        let (mut tracked, mut clock) = (Vec::new(), 0);
        // A slot fitted with `k` kernels holds `k` per dimension; the budget is 100.
        let mut use_slot = |id, s: &[(String, Distribution)], k: usize| -> Vec<String> {
            let entries: Vec<SpaceEntry<'_>> = s.iter().map(|(n, d)| (n.as_str(), d)).collect();
            let i = tracked_slot(&mut tracked, &mut clock, (id, &entries), k * s.len(), 100);
            let dists: Vec<&Distribution> = s.iter().map(|(_, d)| d).collect();
            let obs = vec![(0..k - 1).map(|j| j as f64 / k as f64).collect::<Vec<_>>(); s.len()];
            tracked[i]
                .estimator
                .fit(&dists, &obs, None, &vec![1.0; k - 1], &params);
            assert_eq!(tracked[i].space, s);
            let mut held: Vec<String> = tracked.iter().map(|t| t.space[0].0.clone()).collect();
            held.sort();
            held
        };
        assert_eq!(use_slot(1, &a, 40), ["a"]);
        assert_eq!(use_slot(1, &b, 40), ["a", "b"]);
        assert_eq!(use_slot(1, &a, 40), ["a", "b"]);
        // e needs 30: 110 in all, so b, used longer ago than a, gives way.
        assert_eq!(use_slot(1, &e, 30), ["a", "e"]);
        // c needs 80: a (40) and e (30) both go.
        assert_eq!(use_slot(1, &c, 40), ["c"]);
        assert_eq!(use_slot(1, &b, 40), ["b"]);
        assert_eq!(use_slot(1, &a, 40), ["a", "b"]);
        // Another study starts afresh.
        assert_eq!(use_slot(2, &c, 40), ["c"]);
        assert!(tracked.iter().all(|t| t.study == 2));
    }

    #[test]
    fn the_study_builder_refuses_an_invalid_sampler() {
        let err = Study::builder()
            .sampler(TpeSampler::new().prior_weight(-1.0))
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("`prior_weight`") && err.to_string().contains("-1"),
            "{err}"
        );
    }
}
