//! `CmaEsSampler`: the covariance matrix adaptation evolution strategy (Optuna's
//! `CmaEsSampler`, with the `cmaes` package's algorithms).

mod history;
mod margin;
mod optimizer;
mod run;
mod sep;
mod warm_start;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use hpo_core::error::invalid_setting;
use hpo_core::rng::Rng;
use hpo_core::transform::{SearchSpaceTransform, TransformOptions};
use hpo_core::{
    Distribution, Error, FrozenTrial, IntersectionSearchSpace, ParamSpace, ParamValue,
    RandomSampler, Result, Sampler, Study, StudyDirection, TrialEnd,
};
use parking_lot::Mutex;
use serde_json::Value;

use history::{History, Keys};
use run::{Run, Settings};

/// How CMA-ES restarts once it has converged (its termination criteria fire: flat values,
/// a collapsed or diverging distribution, an ill-conditioned covariance).
///
/// Optuna 5.0 deprecates and ignores its `restart_strategy` argument; hpo implements both
/// strategies. Each restart starts from a uniformly random mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartStrategy {
    /// IPOP-CMA-ES (Auger and Hansen, 2005): each restart multiplies the population size by
    /// `inc_popsize` (default 2).
    Ipop,
    /// BIPOP-CMA-ES (Hansen, 2009): alternates restarts with a large population (growing by
    /// `inc_popsize` each time) and restarts with a small, random population and a smaller
    /// step size, giving each regime about the same budget of evaluations.
    Bipop,
}

/// Samples with CMA-ES, the covariance matrix adaptation evolution strategy (Optuna's
/// `CmaEsSampler`): a multivariate normal distribution over the Float and Int parameters
/// common to all finished trials, in coordinates scaled to `[0, 1]` (log parameters on the log
/// scale), updated every `popsize` trials from their ranking.
///
/// * Defaults follow Optuna 5.0: one random startup trial, initial mean at the centre,
///   `sigma0 = 1/6` of the scaled range, population `4 + floor(3 ln n)`, up to `10 n`
///   resamplings of an out-of-bounds candidate before it is clipped.
/// * Categorical parameters and parameters outside the relative search space are sampled by
///   the independent sampler (a seeded [`RandomSampler`] by default).
/// * Variants: separable CMA-ES ([`use_separable_cma`](Self::use_separable_cma)), CMA-ES with
///   margin for integer and stepped parameters ([`with_margin`](Self::with_margin)),
///   learning-rate adaptation ([`lr_adapt`](Self::lr_adapt)), warm starting from another
///   study's trials ([`source_trials`](Self::source_trials)), and IPOP / BIPOP restarts
///   ([`restart_strategy`](Self::restart_strategy)).
/// * Single-objective only: a multi-objective study gets [`Error::MultiObjective`]. Constraints
///   are ignored (with a warning).
///
/// The optimizer lives in the sampler's memory. Each sampled trial records its generation in
/// the system attributes `cma:generation`, `cma:n_restarts`, `cma:search_space` (a fingerprint
/// of the space), `cma:popsize` and `cma:x` (the sampled `[0, 1]` vector) (prefix `sepcma:` or
/// `cmawm:` for those variants); the seed of each restart is a study system attribute
/// (`cma:restart_seed:<space>:<restart>`). A generation is told once `popsize` of its trials
/// have finished (the first `popsize` by trial number), and a new sampler on an existing study
/// replays the history to the same state, so a resumed study continues exactly where it
/// stopped. A change of the search space starts a new optimizer.
///
/// With a seed, a single-threaded study is reproducible bit for bit: every draw comes from the
/// seed and the trial number.
///
/// ```
/// use hpo_core::Study;
/// use hpo_samplers::CmaEsSampler;
/// let study = Study::builder().sampler(CmaEsSampler::with_seed(42)).build()?;
/// study.optimize(120, |t| {
///     let x = t.suggest_float("x", -5.0, 5.0)?;
///     let y = t.suggest_float("y", -5.0, 5.0)?;
///     Ok((x - 1.0).powi(2) + (y + 2.0).powi(2))
/// })?;
/// assert!(study.best_value()? < 0.01);
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub struct CmaEsSampler {
    settings: Settings,
    n_startup_trials: usize,
    warn_independent_sampling: bool,
    seed: AtomicU64,
    independent: Arc<dyn Sampler>,
    custom_independent: bool,
    warned_constraints: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The study the run belongs to (a sampler reused on another study starts afresh).
    study_id: Option<i64>,
    history: History,
    intersection: Option<IntersectionSearchSpace>,
    run: Option<Run>,
    warned_params: HashSet<String>,
}

impl std::fmt::Debug for CmaEsSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.settings;
        f.debug_struct("CmaEsSampler")
            .field("x0", &s.x0)
            .field("sigma0", &s.sigma0)
            .field("n_startup_trials", &self.n_startup_trials)
            .field("independent_sampler", &self.independent)
            .field("consider_pruned_trials", &s.consider_pruned)
            .field("restart_strategy", &s.restart)
            .field("popsize", &s.popsize)
            .field("inc_popsize", &s.inc_popsize)
            .field("use_separable_cma", &s.separable)
            .field("with_margin", &s.margin)
            .field("lr_adapt", &s.lr_adapt)
            .field("source_trials", &s.source_trials.as_ref().map(|t| t.len()))
            .finish_non_exhaustive()
    }
}

impl Default for CmaEsSampler {
    fn default() -> Self {
        CmaEsSampler::new()
    }
}

/// A generator for draw `index` of stream `stream` of a sampler seeded with `seed`.
pub(crate) fn derived_rng(seed: u64, stream: u64, index: u64) -> Rng {
    let mut base = Rng::seed_from_u64(seed ^ stream);
    let k = base.next_u64();
    Rng::seed_from_u64(k ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

const ASK_STREAM: u64 = 0x4153_4B41_534B_4153;
const INDEPENDENT_SALT: u64 = 0xC3A5_C85C_97CB_3127;

/// A stable fingerprint of a search space (FNV-1a over names and distributions).
fn fingerprint(space: &[(String, Distribution)]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, dist) in space {
        for b in name
            .bytes()
            .chain([0u8])
            .chain(dist.to_string().into_bytes())
            .chain([1u8])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl CmaEsSampler {
    /// Optuna 5.0's defaults, unseeded.
    pub fn new() -> Self {
        let seed = Rng::from_entropy().next_u64();
        CmaEsSampler {
            settings: Settings {
                inc_popsize: 2,
                ..Settings::default()
            },
            n_startup_trials: 1,
            warn_independent_sampling: true,
            seed: AtomicU64::new(seed),
            independent: Arc::new(RandomSampler::with_seed(seed ^ INDEPENDENT_SALT)),
            custom_independent: false,
            warned_constraints: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        }
    }

    /// Optuna's defaults with a seed: a seeded single-threaded study is reproducible bit for bit.
    pub fn with_seed(seed: u64) -> Self {
        CmaEsSampler::new().seed(seed)
    }

    /// Seeds the sampler (its CMA-ES draws, its restarts and the default independent sampler).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = AtomicU64::new(seed);
        if !self.custom_independent {
            self.independent = Arc::new(RandomSampler::with_seed(seed ^ INDEPENDENT_SALT));
        }
        self
    }

    /// Initial mean, as external parameter values by name (default: the centre of each range,
    /// also for parameters it does not name). Values are mapped into the scaled space and kept
    /// in range.
    pub fn x0<K: Into<String>, V: Into<ParamValue>>(
        mut self,
        x0: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.settings.x0 = Some(x0.into_iter().map(|(k, v)| (k.into(), v.into())).collect());
        self
    }

    hpo_core::setters! {
        /// Initial step size in the `[0, 1]`-scaled space (default `1/6`, Optuna's `min(range)/6`
        /// there). Must be positive.
        pub fn sigma0(sigma0: f64) => self.settings.sigma0 = Some;

        /// Finished trials (Complete, and Pruned with
        /// [`consider_pruned_trials`](Self::consider_pruned_trials)) before CMA-ES starts; until
        /// then every parameter is sampled independently (default 1).
        pub fn n_startup_trials(n: usize) => self.n_startup_trials;
    }

    /// The sampler for categorical parameters, parameters outside the relative search space,
    /// and the startup trials (default: a [`RandomSampler`] with the sampler's seed).
    pub fn independent_sampler(mut self, sampler: impl Sampler + 'static) -> Self {
        self.independent = Arc::new(sampler);
        self.custom_independent = true;
        self
    }

    hpo_core::setters! {
        /// Log a warning (once per parameter) when a parameter is sampled independently after the
        /// startup trials (default true).
        pub fn warn_independent_sampling(yes: bool) => self.warn_independent_sampling;

        /// Learn from Pruned trials too, with their last intermediate value as their value; the
        /// relative search space then includes their parameters (default false).
        pub fn consider_pruned_trials(yes: bool) => self.settings.consider_pruned;

        /// Restart CMA-ES when it converges (default: never).
        pub fn restart_strategy(strategy: RestartStrategy) => self.settings.restart = Some;

        /// Population size multiplier between restarts (default 2; must be at least 1).
        pub fn inc_popsize(factor: usize) => self.settings.inc_popsize;

        /// Population size: trials per generation (default `4 + floor(3 ln n)` for `n` parameters;
        /// at least 2).
        pub fn popsize(popsize: usize) => self.settings.popsize = Some;

        /// Separable CMA-ES: a diagonal covariance, faster to learn, best on separable problems
        /// (default false). A one-parameter space uses plain CMA-ES.
        pub fn use_separable_cma(yes: bool) => self.settings.separable;

        /// CMA-ES with margin: keeps integer and stepped parameters from getting stuck on one grid
        /// value (default false).
        pub fn with_margin(yes: bool) => self.settings.margin;

        /// Learning-rate adaptation (LRA-CMA-ES), robust on multimodal and noisy problems (default
        /// false; not with the separable or margin variants).
        pub fn lr_adapt(yes: bool) => self.settings.lr_adapt;
    }

    /// Warm start (WS-CMA-ES): fit the initial distribution to the best 10% of these trials of
    /// a similar task (at least 10 trials with exactly the parameters of the search space).
    /// Not with `x0`, `sigma0` or the separable variant.
    pub fn source_trials<T: Into<Arc<FrozenTrial>>>(
        mut self,
        trials: impl IntoIterator<Item = T>,
    ) -> Self {
        self.settings.source_trials = Some(trials.into_iter().map(Into::into).collect());
        self
    }

    fn check(&self, study: &Study) -> Result<()> {
        if study.is_multi_objective() {
            return Err(Error::MultiObjective("CmaEsSampler"));
        }
        self.validate()
    }

    fn keys(&self) -> Keys {
        Keys::new(self.settings.prefix())
    }
}

impl Sampler for CmaEsSampler {
    /// Checks that the options fit together (Optuna's constructor checks) and the independent
    /// sampler's settings. The study builder calls this; the sampler also runs it itself and
    /// returns its error from the first sample.
    fn validate(&self) -> Result<()> {
        let s = &self.settings;
        let bad = |m: &str| Err(Error::InvalidArgument(format!("CmaEsSampler: {m}")));
        if s.source_trials.is_some() && (s.x0.is_some() || s.sigma0.is_some()) {
            return bad("`source_trials` cannot be combined with `x0` or `sigma0`");
        }
        if s.source_trials.is_some() && s.separable {
            return bad("`source_trials` cannot be combined with `use_separable_cma`");
        }
        if s.lr_adapt && (s.separable || s.margin) {
            return bad("`lr_adapt` cannot be combined with `use_separable_cma` or `with_margin`");
        }
        if s.separable && s.margin {
            return bad("`use_separable_cma` and `with_margin` cannot be combined");
        }
        if let Some(sigma0) = s.sigma0
            && !(sigma0 > 0.0 && sigma0.is_finite())
        {
            return Err(invalid_setting(
                "CmaEsSampler",
                "sigma0",
                "must be positive and finite",
                sigma0,
            ));
        }
        if let Some(p) = s.popsize
            && p < 2
        {
            return Err(invalid_setting(
                "CmaEsSampler",
                "popsize",
                "must be at least 2",
                p,
            ));
        }
        if s.inc_popsize < 1 {
            return Err(invalid_setting(
                "CmaEsSampler",
                "inc_popsize",
                "must be at least 1",
                s.inc_popsize,
            ));
        }
        self.independent.validate()
    }

    fn before_trial(&self, study: &Study, trial: &FrozenTrial) -> Result<()> {
        self.independent.before_trial(study, trial)
    }

    fn infer_relative_search_space(
        &self,
        study: &Study,
        _trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        let space = if study.is_filtered() {
            IntersectionSearchSpace::new(self.settings.consider_pruned).calculate(study)?
        } else {
            let mut state = self.state.lock();
            state
                .intersection
                .get_or_insert_with(|| IntersectionSearchSpace::new(self.settings.consider_pruned))
                .calculate(study)?
        };
        Ok(space
            .into_iter()
            .filter(|(_, d)| {
                !d.single() && matches!(d, Distribution::Float(_) | Distribution::Int(_))
            })
            .collect())
    }

    fn sample_relative(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        self.check(study)?;
        let mut space: Vec<(String, Distribution)> = space
            .iter()
            .filter(|(_, d)| {
                !d.single() && matches!(d, Distribution::Float(_) | Distribution::Int(_))
            })
            .map(|(k, d)| (k.clone(), d.clone()))
            .collect();
        if space.is_empty() {
            return Ok(HashMap::new());
        }
        space.sort_by(|a, b| a.0.cmp(&b.0));
        let keys = self.keys();
        let mut guard = self.state.lock();
        let state = &mut *guard;
        state
            .history
            .refresh(study, &keys, self.settings.consider_pruned)?;
        if state.history.len() < self.n_startup_trials {
            return Ok(HashMap::new());
        }
        let maximize = study.direction()? == StudyDirection::Maximize;
        let fp = fingerprint(&space);
        if state.study_id != Some(study.study_id()) {
            state.study_id = Some(study.study_id());
            state.run = None;
        }
        if state.run.as_ref().is_none_or(|r| r.fingerprint != fp) {
            if self.settings.separable && space.len() == 1 {
                hpo_core::log_warn!(
                    "separable CMA-ES does not work on a one-dimensional search space; \
                     CmaEsSampler uses plain CMA-ES there"
                );
            }
            // CMA-ES with margin handles the grid itself: its ranges are not padded.
            let options = TransformOptions::new()
                .step(!self.settings.margin)
                .unit(true);
            let transform = SearchSpaceTransform::new(space.iter().map(|(n, d)| (n, d)), options);
            state.run = Some(Run::start(&self.settings, transform, fp, maximize)?);
        }
        let run = state.run.as_mut().expect("set above");
        let seed = self.seed.load(Ordering::Relaxed);
        run.advance(&self.settings, &state.history, &keys, study, seed)?;

        let mut rng = derived_rng(seed, ASK_STREAM, trial.number);
        let (x_eval, x_tell) = run.optimizer.ask(&mut rng);
        let storage = study.storage();
        let id = trial.trial_id;
        storage.set_trial_system_attr(
            id,
            &keys.generation,
            Value::from(run.optimizer.generation() as u64),
        )?;
        storage.set_trial_system_attr(id, &keys.restart, Value::from(run.restarts.index))?;
        storage.set_trial_system_attr(
            id,
            &keys.popsize,
            Value::from(run.optimizer.popsize() as u64),
        )?;
        storage.set_trial_system_attr(id, &keys.space, Value::from(run.fingerprint.clone()))?;
        storage.set_trial_system_attr(id, &keys.x, Value::from(x_tell))?;
        let values = run.transform.untransform_clamped(&x_eval);
        Ok(run.transform.names().iter().cloned().zip(values).collect())
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        self.check(study)?;
        if self.warn_independent_sampling {
            let keys = self.keys();
            let mut state = self.state.lock();
            state
                .history
                .refresh(study, &keys, self.settings.consider_pruned)?;
            if state.history.len() >= self.n_startup_trials
                && state.warned_params.insert(name.to_owned())
            {
                hpo_core::log_warn!(
                    "CmaEsSampler samples parameter `{name}` (trial {}) with its independent \
                     sampler: categorical parameters and dynamic search spaces are not \
                     supported by CMA-ES",
                    trial.number
                );
            }
        }
        self.independent
            .sample_independent(study, trial, name, distribution)
    }

    fn after_trial(&self, study: &Study, trial: &FrozenTrial, end: TrialEnd<'_>) -> Result<()> {
        if trial.has_constraints() && !self.warned_constraints.swap(true, Ordering::Relaxed) {
            hpo_core::log_warn!(
                "constraints have been set, but CmaEsSampler does not use them for optimization"
            );
        }
        self.independent.after_trial(study, trial, end)
    }

    fn reseed_rng(&self, seed: Option<u64>) {
        let s = seed.unwrap_or_else(|| Rng::from_entropy().next_u64());
        self.seed.store(s, Ordering::Relaxed);
        self.independent
            .reseed_rng(seed.map(|s| s ^ INDEPENDENT_SALT));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpo_core::InMemoryStorage;

    fn objective(t: &mut hpo_core::Trial) -> hpo_core::TrialResult {
        let x = t.suggest_float("x", -3.0, 3.0)?;
        let y = t.suggest_float_log("y", 1e-3, 10.0)?;
        let k = t.suggest_int("k", -4, 4)?;
        Ok((x - 1.0).powi(2) + (y.ln() - 0.5).powi(2) + (k as f64 - 2.0).powi(2))
    }

    /// The in-memory optimizer after `n` trials equals the one a fresh sampler replays from
    /// the study, to the last bit.
    #[test]
    fn replayed_state_equals_in_memory_state() {
        let configs: Vec<fn() -> CmaEsSampler> = vec![
            || CmaEsSampler::with_seed(11),
            || CmaEsSampler::with_seed(11).use_separable_cma(true),
            || CmaEsSampler::with_seed(11).with_margin(true),
            || CmaEsSampler::with_seed(11).lr_adapt(true),
            || {
                CmaEsSampler::with_seed(11)
                    .restart_strategy(RestartStrategy::Bipop)
                    .popsize(4)
            },
        ];
        for make in configs {
            let storage: Arc<dyn hpo_core::Storage> = Arc::new(InMemoryStorage::new());
            let live = Arc::new(make());
            let study = Study::builder()
                .name("replay")
                .storage_arc(storage.clone())
                .sampler_arc(live.clone())
                .build()
                .unwrap();
            study.optimize(90, objective).unwrap();
            // One more relative sample on each sampler for the same new trial.
            let trial = study.ask().unwrap();
            let frozen = trial.frozen().clone();
            let space = live.infer_relative_search_space(&study, &frozen).unwrap();
            let a = live.sample_relative(&study, &frozen, &space).unwrap();

            let fresh = make();
            let b = fresh.sample_relative(&study, &frozen, &space).unwrap();
            assert_eq!(a, b, "{live:?}");
            let sa = live.state.lock();
            let sb = fresh.state.lock();
            let (ra, rb) = (sa.run.as_ref().unwrap(), sb.run.as_ref().unwrap());
            assert!(ra.optimizer.generation() > 3);
            assert_eq!(ra.optimizer.generation(), rb.optimizer.generation());
            assert_eq!(ra.restarts.index, rb.restarts.index);
            assert_eq!(ra.optimizer.mean(), rb.optimizer.mean());
            assert_eq!(
                ra.optimizer.sigma().to_bits(),
                rb.optimizer.sigma().to_bits()
            );
            if let (run::Optimizer::Full(x), run::Optimizer::Full(y)) =
                (&ra.optimizer, &rb.optimizer)
            {
                assert_eq!(x.cov(), y.cov());
            }
        }
    }

    #[test]
    fn fingerprints_tell_spaces_apart() {
        let f = |hi: f64| {
            vec![(
                "x".to_string(),
                Distribution::Float(
                    hpo_core::FloatDistribution::new(0.0, hi, false, None).unwrap(),
                ),
            )]
        };
        assert_eq!(fingerprint(&f(1.0)), fingerprint(&f(1.0)));
        assert_ne!(fingerprint(&f(1.0)), fingerprint(&f(2.0)));
    }

    #[test]
    fn conflicting_options_are_rejected() {
        let sources: Vec<FrozenTrial> = Vec::new();
        assert!(CmaEsSampler::new().validate().is_ok());
        assert!(CmaEsSampler::new().sigma0(0.0).validate().is_err());
        assert!(CmaEsSampler::new().popsize(1).validate().is_err());
        assert!(
            CmaEsSampler::new()
                .use_separable_cma(true)
                .with_margin(true)
                .validate()
                .is_err()
        );
        assert!(
            CmaEsSampler::new()
                .lr_adapt(true)
                .with_margin(true)
                .validate()
                .is_err()
        );
        assert!(
            CmaEsSampler::new()
                .source_trials(sources.clone())
                .sigma0(0.1)
                .validate()
                .is_err()
        );
        assert!(
            CmaEsSampler::new()
                .source_trials(sources)
                .use_separable_cma(true)
                .validate()
                .is_err()
        );
    }
}
