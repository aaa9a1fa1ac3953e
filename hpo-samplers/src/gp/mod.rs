//! `GpSampler`: Bayesian optimisation with a Gaussian process, after Optuna 5.0's `GPSampler`
//! (`optuna/samplers/_gp/sampler.py`), plus EI, UCB and PI as alternatives to
//! its LogEI.
//!
//! The pieces, one per file: [`normal`] (the normal distribution deep in its tails), `kernel`
//! (Matérn-5/2 ARD), `model` (the posterior), `prior` and `fit` (MAP hyperparameters with
//! `lbfgsb`), [`acquisition`] (LogEI, EI, UCB, PI), `ehvi` (LogEHVI for several objectives),
//! `scorer` (objective plus constraint terms), `space` (the unit-cube transform) and `optimize`
//! (Sobol candidates plus mixed local search).

pub mod acquisition;
mod ehvi;
mod fit;
mod kernel;
mod lbfgsb;
mod model;
pub mod normal;
mod optimize;
mod parallel;
mod prior;
mod regressor;
mod scorer;
mod space;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use hpo_core::error::invalid_setting;
use hpo_core::rng::Rng;
use hpo_core::{
    Distribution, FrozenTrial, IntersectionSearchSpace, ParamSpace, RandomSampler, Result, Sampler,
    Study, TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;

pub use acquisition::Acquisition;
pub use kernel::KernelParams;
pub use optimize::SearchOptions;
pub use regressor::GaussianProcess;

use model::{Factor, Gp};
use regressor::standardize;
use scorer::{ObjectiveTerm, Scorer};
use space::UnitSpace;

/// The trial system attribute holding a running trial's relative sample (a JSON object of
/// internal values by name), read by other workers to condition on points being evaluated.
pub const RELATIVE_PARAMS_KEY: &str = "gp:relative_params";

/// Quasi-random normal samples for LogEHVI (Optuna: 128).
const N_EHVI_SAMPLES: usize = 128;

/// Bayesian optimisation with a Gaussian process (Optuna's `GPSampler`, 5.0 defaults).
///
/// After 10 random startup trials (Complete ones count), each trial fits a zero-mean GP with a
/// Matérn-5/2 ARD kernel (Hamming distance for categorical parameters) to the Complete trials,
/// hyperparameters by MAP with Optuna's priors (warm-started from the previous fit), and picks
/// the point maximising the acquisition function: [`Acquisition::LogEi`] by default, or EI,
/// UCB, PI. Integer, stepped and log parameters are handled as Optuna does. Constraints
/// (`Trial::set_constraint`) get one GP each and multiply the acquisition by the probability of
/// feasibility; multi-objective studies use LogEHVI. Running trials are *fantasised* at their
/// posterior mean (kriging believer), so parallel workers spread out instead of evaluating the
/// same point. (Optuna 5.0 draws joint-posterior fantasies for a q-batch LogEI instead; the
/// believer needs one extra factorisation per model and no sampling. A running trial's relative
/// sample is shared as one JSON object under [`RELATIVE_PARAMS_KEY`], not in Optuna's chunked
/// string attributes, so an Optuna worker on the same study does not see it.)
///
/// Differences from Optuna that are choices, each measured in BENCHMARKS.md: the hyperparameter
/// fit encodes a warm start's noise exactly (Optuna's `0.99 · floor` encoding costs extra fit
/// steps); beyond 100 observations the hyperparameters are refitted only when the number of
/// observations has grown by a tenth since the last refit, and between refits the previous
/// Cholesky factor is extended in O(n²) (Optuna refits at every trial, O(n³) per trial; the
/// schedule is in the docs of the `fit` module); and [`GpSampler::qmc_startup`] offers a Sobol
/// startup design.
///
/// A trial's refits and acquisition search run on every core by default, shared among the
/// trials choosing their point at the same moment (as Optuna's PyTorch uses every core);
/// [`SearchOptions::threads`] sets the number. The point chosen is the same to the bit on any
/// number of threads.
///
/// ```
/// use hpo_core::Study;
/// use hpo_samplers::GpSampler;
/// let study = Study::builder().sampler(GpSampler::with_seed(1)).build()?;
/// study.optimize(20, |t| {
///     let x = t.suggest_float("x", -3.0, 3.0)?;
///     let y = t.suggest_float("y", -3.0, 3.0)?;
///     Ok((x - 1.0).powi(2) + (y + 0.5).powi(2))
/// })?;
/// assert!(study.best_value()? < 0.05);
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub struct GpSampler {
    n_startup_trials: usize,
    deterministic: bool,
    min_noise: f64,
    acquisition: Acquisition,
    search: SearchOptions,
    warn_independent_sampling: bool,
    qmc_startup: bool,
    /// Seeds the digital shift of the Sobol startup design.
    startup_seed: u64,
    rng: Mutex<Rng>,
    independent: RandomSampler,
    intersection: IntersectionSearchSpace,
    /// Per model (`o<j>` objectives, `c<j>` constraints): the last fitted hyperparameters and
    /// the last trial's factorisation, extended at the next trial between refits.
    fits: Mutex<HashMap<String, ModelState>>,
    warned: Mutex<HashSet<String>>,
    /// Trials fitting their models and searching the acquisition at this moment (they share the
    /// cores).
    choosing: AtomicUsize,
}

/// One trial's turn at fitting its models and searching the acquisition, counted in
/// [`GpSampler`]'s `choosing` while it lasts.
struct Choosing<'a> {
    count: &'a AtomicUsize,
    /// Trials searching at once, this one included, when it started.
    now: usize,
}

impl<'a> Choosing<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        let now = count.fetch_add(1, Ordering::Relaxed) + 1;
        Choosing { count, now }
    }

    /// The threads this search may use: `setting` when given, else its share of the cores.
    fn threads(&self, setting: usize) -> usize {
        static CORES: OnceLock<usize> = OnceLock::new();
        if setting > 0 {
            return setting;
        }
        let cores =
            *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        (cores / self.now).max(1)
    }
}

impl Drop for Choosing<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the sampler keeps of a model between trials.
struct ModelState {
    /// The hyperparameters of the last refit.
    params: KernelParams,
    /// The number of observations at the last refit.
    refit_at: usize,
    /// The last trial's factorisation under `params` (taken while a trial extends it, so a
    /// concurrent trial on another thread refactorises instead of copying it).
    factor: Option<Arc<Factor>>,
}

impl std::fmt::Debug for GpSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpSampler")
            .field("n_startup_trials", &self.n_startup_trials)
            .field("deterministic_objective", &self.deterministic)
            .field("min_noise", &self.min_noise)
            .field("acquisition", &self.acquisition)
            .field("search", &self.search)
            .finish_non_exhaustive()
    }
}

impl Default for GpSampler {
    fn default() -> Self {
        GpSampler::new()
    }
}

impl GpSampler {
    /// Optuna's defaults (LogEI, 10 startup trials), unseeded.
    pub fn new() -> Self {
        GpSampler {
            n_startup_trials: 10,
            deterministic: false,
            min_noise: prior::MIN_NOISE_VAR,
            acquisition: Acquisition::LogEi,
            search: SearchOptions::default(),
            warn_independent_sampling: true,
            qmc_startup: false,
            startup_seed: Rng::from_entropy().next_u64(),
            rng: Mutex::new(Rng::from_entropy()),
            independent: RandomSampler::new(),
            intersection: IntersectionSearchSpace::new(false),
            fits: Mutex::new(HashMap::new()),
            warned: Mutex::new(HashSet::new()),
            choosing: AtomicUsize::new(0),
        }
    }

    /// Optuna's defaults with a seed: a seeded single-threaded study is reproducible.
    pub fn with_seed(seed: u64) -> Self {
        GpSampler::new().seed(seed)
    }

    /// Seeds the sampler and its random startup sampler.
    pub fn seed(mut self, seed: u64) -> Self {
        self.rng = Mutex::new(Rng::seed_from_u64(seed));
        self.independent = RandomSampler::with_seed(seed ^ 0x6A09_E667_F3BC_C908);
        self.startup_seed = seed ^ 0xBB67_AE85_84CA_A73B;
        self
    }

    hpo_core::setters! {
        /// Random trials before the GP takes over (default 10).
        pub fn n_startup_trials(n: usize) => self.n_startup_trials;

        /// The acquisition function for single-objective studies (default [`Acquisition::LogEi`]).
        pub fn acquisition(acq: Acquisition) => self.acquisition;

        /// Declares the objective noise-free: the noise variance is fixed at its floor (1e-6, or
        /// [`min_noise`](Self::min_noise)).
        pub fn deterministic_objective(yes: bool) => self.deterministic;

        /// The floor of the fitted noise variance, on the standardised objective (default 1e-6,
        /// Optuna's; must be positive and finite). The floor bounds how fine an improvement the
        /// model can resolve: on a smooth, noise-free objective a floor of 1e-10 finds optima
        /// about a thousand times more precisely (branin) at about twice the time per trial; on a
        /// noisy objective the fitted noise stays above it anyway. See BENCHMARKS.md.
        pub fn min_noise(floor: f64) => self.min_noise;

        /// The acquisition search settings (Sobol candidates, local searches, tolerance).
        pub fn search_options(opts: SearchOptions) => self.search;

        /// Draws the startup trials (after the first, which fixes the search space) from a
        /// scrambled Sobol sequence over the relative space instead of at random: a space-filling
        /// initial design. The point of trial `n` is point `n` of the sequence, so parallel workers
        /// never draw the same one. Off by default (Optuna samples the startup at random); see
        /// BENCHMARKS.md for its effect.
        pub fn qmc_startup(yes: bool) => self.qmc_startup;

        /// Whether to warn when a parameter outside the GP's space is sampled at random.
        pub fn warn_independent_sampling(yes: bool) => self.warn_independent_sampling;
    }

    /// The model for `key` on `(x, y)`: hyperparameters refitted when the schedule in
    /// [`fit`]'s docs says so, else the previous ones with the previous factorisation extended
    /// by the new observations (when the old inputs are a prefix of `x`, as they are when
    /// trials complete in order).
    fn fit_model(
        &self,
        key: &str,
        x: &[Vec<f64>],
        cat: &[bool],
        y: &[f64],
        threads: usize,
    ) -> Option<Gp> {
        let (prev, factor) = {
            let mut fits = self.fits.lock();
            match fits.get_mut(key) {
                Some(s) => (Some((s.params.clone(), s.refit_at)), s.factor.take()),
                None => (None, None),
            }
        };
        let n = x.len();
        let reuse = prev.as_ref().filter(|(p, at)| {
            p.inverse_squared_lengthscales.len() == cat.len() && !fit::needs_refit(n, *at)
        });
        let (gp, refit_at) = match reuse {
            Some((params, at)) => {
                let extended = factor.and_then(|mut f| {
                    let m = f.x().len();
                    let prefix = m <= n && f.params() == params && f.x() == &x[..m];
                    (prefix && Arc::make_mut(&mut f).extend(&x[m..])).then_some(f)
                });
                let gp = match extended {
                    Some(f) => Gp::from_factor(f, y),
                    None => Gp::new(x.to_vec(), cat.to_vec(), y, params.clone()),
                };
                (gp, *at)
            }
            None => {
                let start = prev.as_ref().map(|(p, _)| p);
                let noise = fit::Noise {
                    floor: self.min_noise,
                    fixed: self.deterministic,
                };
                let params = fit::fit_kernel_params(x, cat, y, start, noise, 1e-2, threads);
                (Gp::new(x.to_vec(), cat.to_vec(), y, params), n)
            }
        };
        let gp = gp?;
        self.fits.lock().insert(
            key.to_owned(),
            ModelState {
                params: gp.params().clone(),
                refit_at,
                factor: Some(Arc::clone(gp.factor())),
            },
        );
        Some(gp)
    }

    /// The point the acquisition prefers, in internal values; `None` to fall back to random.
    fn propose(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<Option<HashMap<String, f64>>> {
        let us = UnitSpace::new(space);
        let cat = us.categorical_mask();
        let complete = study.trials_in(&[TrialState::Complete])?;
        let to_unit = |t: &FrozenTrial| -> Option<Vec<f64>> {
            us.names()
                .iter()
                .enumerate()
                .map(|(k, n)| t.internal_param(n).map(|v| us.to_unit(k, v)))
                .collect()
        };
        let mut x = Vec::new();
        let mut rows = Vec::new();
        for t in &complete {
            if let (Some(u), Some(v)) = (to_unit(t), t.values.as_ref()) {
                x.push(u);
                rows.push((
                    v.clone(),
                    t.constraints(),
                    t.is_feasible(),
                    t.has_constraints(),
                ));
            }
        }
        if x.len() < self.n_startup_trials.max(1) {
            if !self.qmc_startup {
                return Ok(None);
            }
            let mut seeder = Rng::seed_from_u64(self.startup_seed);
            let shift: Vec<u32> = (0..us.len()).map(|_| seeder.next_u64() as u32).collect();
            // Trial 0 runs before any space is known; trials 1.. take Sobol points 1.., which
            // with point 0 form a (t, m, s)-net: the startup is stratified.
            let index = (trial.number as usize).max(1);
            let mut u = optimize::sobol_points(index, us.len(), &shift)
                .pop()
                .expect("index >= 1");
            us.snap(&mut u, true);
            return Ok(Some(
                us.names()
                    .iter()
                    .enumerate()
                    .map(|(k, n)| (n.clone(), us.to_internal(k, u[k])))
                    .collect(),
            ));
        }
        let directions = study.directions().to_vec();
        // Objectives, maximised and standardised; non-finite values clipped to the finite range.
        let mut ys = Vec::new();
        for (j, dir) in directions.iter().enumerate() {
            let raw: Vec<f64> = rows.iter().map(|r| -dir.to_minimize(r.0[j])).collect();
            let finite: Vec<f64> = raw.iter().copied().filter(|v| v.is_finite()).collect();
            let (lo, hi) = finite
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(*v), b.max(*v))
                });
            let (lo, hi) = if finite.is_empty() {
                (0.0, 0.0)
            } else {
                (lo, hi)
            };
            let clipped: Vec<f64> = raw
                .iter()
                .map(|v| if v.is_nan() { lo } else { v.clamp(lo, hi) })
                .collect();
            ys.push(standardize(&clipped).0);
        }
        let constrained = rows.iter().any(|r| r.3);
        let n_cons = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        let cons_usable = constrained && rows.iter().all(|r| r.1.len() == n_cons);
        if constrained && !cons_usable {
            self.warn_once(
                "constraints",
                "GpSampler: trials report different numbers of constraints; constraints are ignored",
            );
        }
        let feasible: Vec<bool> = rows.iter().map(|r| !cons_usable || r.2).collect();

        // Running trials: their relative samples (or full params) to fantasise.
        let mut pending = Vec::new();
        for t in study.trials_in(&[TrialState::Running])? {
            if t.trial_id == trial.trial_id {
                continue;
            }
            let from_attr = match t.system_attrs.get(RELATIVE_PARAMS_KEY) {
                Some(Value::Object(m)) => us
                    .names()
                    .iter()
                    .enumerate()
                    .map(|(k, n)| m.get(n).and_then(Value::as_f64).map(|v| us.to_unit(k, v)))
                    .collect::<Option<Vec<f64>>>(),
                _ => None,
            };
            if let Some(u) = from_attr.or_else(|| to_unit(&t)) {
                pending.push(u);
            }
        }
        let fantasise = |gp: Gp, y: &[f64]| -> Gp {
            if pending.is_empty() {
                return gp;
            }
            let fy: Vec<f64> = pending.iter().map(|p| gp.posterior(p).0).collect();
            gp.with_observations(y, &pending, &fy).unwrap_or(gp)
        };

        // The fits and the acquisition search share the cores with the other trials choosing
        // their point at this moment.
        let choosing = Choosing::enter(&self.choosing);
        let threads = choosing.threads(self.search.threads);
        let mut gps = Vec::new();
        for (j, y) in ys.iter().enumerate() {
            let Some(gp) = self.fit_model(&format!("o{j}"), &x, &cat, y, threads) else {
                return Ok(None);
            };
            gps.push(fantasise(gp, y));
        }
        let mut constraints = Vec::new();
        if cons_usable {
            for c in 0..n_cons {
                let neg: Vec<f64> = rows.iter().map(|r| -r.1[c]).collect();
                let (z, mean, std) = standardize(&neg);
                let Some(gp) = self.fit_model(&format!("c{c}"), &x, &cat, &z, threads) else {
                    return Ok(None);
                };
                constraints.push((fantasise(gp, &z), -mean / std));
            }
        }

        let mut rng = Rng::seed_from_u64(self.rng.lock().next_u64());
        let feasible_idx: Vec<usize> = (0..x.len()).filter(|&i| feasible[i]).collect();
        let mut warm = Vec::new();
        let isl = gps[0].params().inverse_squared_lengthscales.clone();
        let objective = if feasible_idx.is_empty() {
            ObjectiveTerm::Absent
        } else if directions.len() == 1 {
            let gp = gps.remove(0);
            let &bi = feasible_idx
                .iter()
                .max_by(|&&a, &&b| ys[0][a].total_cmp(&ys[0][b]))
                .expect("non-empty");
            warm.push(x[bi].clone());
            ObjectiveTerm::Single {
                gp,
                acq: self.acquisition,
                best: ys[0][bi],
            }
        } else {
            let losses: Vec<Vec<f64>> = feasible_idx
                .iter()
                .map(|&i| ys.iter().map(|y| -y[i]).collect())
                .collect();
            let shift: Vec<u32> = (0..directions.len())
                .map(|_| rng.next_u64() as u32)
                .collect();
            let ehvi = ehvi::Ehvi::new(&losses, N_EHVI_SAMPLES, &shift);
            // Up to n_local_search / 2 random Pareto points as warm starts.
            let ranks = hpo_core::multi_objective::non_domination_ranks(&losses, Some(1));
            let mut front: Vec<usize> = (0..losses.len()).filter(|&i| ranks[i] == 0).collect();
            for _ in 0..(self.search.n_local_search / 2).min(front.len()) {
                let pick = rng.below(front.len() as u64) as usize;
                warm.push(x[feasible_idx[front.swap_remove(pick)]].clone());
            }
            ObjectiveTerm::Multi { gps, ehvi }
        };
        let scorer = Scorer {
            objective,
            constraints,
        };
        let search = SearchOptions {
            threads,
            ..self.search
        };
        let (best, _) = optimize::maximize(&scorer, &us, &warm, &isl, &mut rng, search);
        drop(choosing);
        let params: HashMap<String, f64> = us
            .names()
            .iter()
            .enumerate()
            .map(|(k, n)| (n.clone(), us.to_internal(k, best[k])))
            .collect();
        let attr: serde_json::Map<String, Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect();
        study.storage().set_trial_system_attr(
            trial.trial_id,
            RELATIVE_PARAMS_KEY,
            Value::Object(attr),
        )?;
        Ok(Some(params))
    }

    fn warn_once(&self, key: &str, message: &str) {
        if self.warned.lock().insert(key.to_owned()) {
            hpo_core::log_warn!("{message}");
        }
    }
}

impl Sampler for GpSampler {
    /// Checks the acquisition's and the search's settings: UCB's `kappa` finite and >= 0, at
    /// least one preliminary point, a positive finite tolerance.
    fn validate(&self) -> Result<()> {
        if let Acquisition::Ucb { kappa } = self.acquisition
            && !(kappa.is_finite() && kappa >= 0.0)
        {
            return Err(invalid_setting(
                "GpSampler",
                "kappa",
                "must be finite and >= 0",
                kappa,
            ));
        }
        if self.search.n_preliminary < 1 {
            return Err(invalid_setting(
                "GpSampler",
                "n_preliminary",
                "must be at least 1",
                self.search.n_preliminary,
            ));
        }
        if !(self.min_noise.is_finite() && self.min_noise > 0.0) {
            return Err(invalid_setting(
                "GpSampler",
                "min_noise",
                "must be positive and finite",
                self.min_noise,
            ));
        }
        let tol = self.search.tol;
        if !(tol.is_finite() && tol > 0.0) {
            return Err(invalid_setting(
                "GpSampler",
                "tol",
                "must be positive and finite",
                tol,
            ));
        }
        Ok(())
    }

    fn infer_relative_search_space(
        &self,
        study: &Study,
        _trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        let mut space = self.intersection.calculate(study)?;
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
        Ok(self.propose(study, trial, space)?.unwrap_or_default())
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        if self.warn_independent_sampling
            && !distribution.single()
            && study.n_trials()? > self.n_startup_trials
        {
            self.warn_once(
                name,
                &format!(
                    "GpSampler: parameter `{name}` is outside the relative search space and is \
                     sampled at random"
                ),
            );
        }
        self.independent
            .sample_independent(study, trial, name, distribution)
    }

    fn reseed_rng(&self, seed: Option<u64>) {
        *self.rng.lock() = seed.map_or_else(Rng::from_entropy, Rng::seed_from_u64);
        self.independent
            .reseed_rng(seed.map(|s| s ^ 0x6A09_E667_F3BC_C908));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_extended_between_scheduled_refits() {
        let sampler = GpSampler::with_seed(3);
        let cat = vec![false, false];
        let x: Vec<Vec<f64>> = (0..125)
            .map(|i| {
                let t = i as f64;
                vec![(t * 0.618_033_988_7).fract(), (t * 0.754_877_666_2).fract()]
            })
            .collect();
        let y: Vec<f64> = x
            .iter()
            .map(|v| (4.0 * v[0]).cos() + (v[1] - 0.3).powi(2))
            .collect();
        let state = |s: &GpSampler| {
            let fits = s.fits.lock();
            let m = &fits["o0"];
            let len = m.factor.as_ref().map_or(0, |f| f.x().len());
            (m.refit_at, len, m.params.clone())
        };
        let mut refits = Vec::new();
        let mut last_params: Option<KernelParams> = None;
        for n in 99..=122 {
            let (z, _, _) = standardize(&y[..n]);
            let gp = sampler.fit_model("o0", &x[..n], &cat, &z, 1).unwrap();
            let (refit_at, len, params) = state(&sampler);
            assert_eq!(len, n, "the cache holds this trial's factorisation");
            if refit_at == n {
                refits.push(n);
            } else {
                // Between refits: the old hyperparameters, and the extended factorisation
                // predicts what a fresh one does.
                assert_eq!(Some(&params), last_params.as_ref());
                let fresh = Gp::new(x[..n].to_vec(), cat.clone(), &z, params.clone()).unwrap();
                for p in [[0.1, 0.9], [0.5, 0.5], [0.77, 0.2]] {
                    let (a, b) = (gp.posterior(&p), fresh.posterior(&p));
                    assert!(
                        (a.0 - b.0).abs() < 1e-8 && (a.1 - b.1).abs() < 1e-8,
                        "{a:?} {b:?}"
                    );
                }
            }
            last_params = Some(params);
        }
        // Every trial up to 100 observations, then at 110 and 121.
        assert_eq!(refits, vec![99, 100, 110, 121]);
        // A search space of another dimension refits at once (125 alone would not).
        let x3: Vec<Vec<f64>> = x[..125].iter().map(|v| vec![v[0], v[1], 0.5]).collect();
        let (z, _, _) = standardize(&y[..125]);
        sampler
            .fit_model("o0", &x3, &[false, false, false], &z, 1)
            .unwrap();
        assert_eq!(state(&sampler).0, 125);
    }
}
