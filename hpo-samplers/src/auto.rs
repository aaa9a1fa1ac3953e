//! `AutoSampler`: picks a sampler per trial from the search space seen so far, the number of
//! objectives and the number of Complete trials, after OptunaHub's `samplers/auto_sampler`.
//!
//! # The rule
//!
//! Before every trial the sampler looks at the study's finished trials and picks one of
//! [`AutoChoice`]; the whole trial (relative and independent sampling, `before_trial`,
//! `after_trial`) then goes to that sampler, and the choice is recorded in the trial's system
//! attribute [`SAMPLER_ATTR`] (`auto:sampler`), with Optuna's class name as its value
//! (`"GPSampler"`, `"TPESampler"`, ...). Words used below:
//!
//! * *Complete*: the number of Complete trials so far;
//! * *categorical*: a categorical parameter in the intersection search space of the Complete
//!   trials;
//! * *conditional*: two finished (Complete or Pruned) trials have different sets of parameter
//!   names (a dynamic or conditional space);
//! * *constrained*: a Complete trial carries constraints (`Trial::set_constraint`).
//!
//! Until the first trial completes, trials are sampled by a [`RandomSampler`]. Then:
//!
//! **One objective** (first matching line wins):
//! 1. the previous choice was TPE → TPE (TPE is final);
//! 2. categorical or conditional → TPE;
//! 3. Complete < [`gp_budget`](AutoSampler::gp_budget) (default 100; OptunaHub's is 250) → GP;
//! 4. constrained → TPE (CMA-ES ignores constraints);
//! 5. otherwise → CMA-ES, warm-started (WS-CMA-ES) from the first `gp_budget` Complete trials by
//!    completion time that have exactly the intersection space's parameters, in range; with fewer
//!    than 10 such trials (the warm start needs 10) or a single-valued parameter in the space it
//!    starts cold, with a warning.
//!
//! **Several objectives**:
//! 1. conditional → TPE;
//! 2. Complete < [`multi_objective_gp_budget`](AutoSampler::multi_objective_gp_budget)
//!    (default 250): four or more objectives, or categorical → TPE; otherwise GP (LogEHVI);
//! 3. otherwise fewer than four objectives → NSGA-II, four or more → NSGA-III.
//!
//! Every trial sampled by something other than NSGA-II/III in a multi-objective study is marked
//! as generation 0 of the genetic sampler the study would switch to (`NSGAIISampler:generation`
//! or `NSGAIIISampler:generation` = 0), so that the genetic sampler starts from the elite of the
//! trials before it instead of another random generation.
//!
//! The inner samplers: TPE is [`TpeSampler`] multivariate with constant liar; GP is
//! [`GpSampler`], CMA-ES [`CmaEsSampler`], NSGA-II/III [`NsgaIISampler`] / [`NsgaIIISampler`],
//! all with their defaults. Constraints set by the objective are honoured by every choice except
//! CMA-ES, which is why rule 4 exists. Each is created once, on first use, with a seed derived
//! from the `AutoSampler`'s seed, so a seeded single-threaded study is reproducible.
//!
//! Differences from OptunaHub's sampler (the registry as of August 2026): constraints are read
//! from the trials rather than from a `constraints_func`; the choice is shared by all worker
//! threads (OptunaHub keeps one per thread) and remembered per trial, so concurrent trials never
//! mix samplers; the NSGA generation mark is set when the trial starts instead of at its first
//! relative sample; and the single-objective GP budget is 100 rather than 250. Measured on the
//! quality problems (BENCHMARKS.md, 300 trials, 10 seeds), handing over to CMA-ES after 100
//! GP trials gave a lower median regret than after 250 on five of the six numeric problems
//! (rosenbrock10 125 against 517, p < 0.001; the others within noise, hartmann6 included), the
//! same results up to 100 trials, and a fifth of the solver time.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use hpo_core::error::invalid_setting;
use hpo_core::rng::{Rng, splitmix64};
use hpo_core::{
    Distribution, FrozenTrial, ParamSpace, RandomSampler, Result, Sampler, Study, TrialEnd,
    TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;

use crate::{CmaEsSampler, GpSampler, NsgaIIISampler, NsgaIISampler, TpeSampler};

/// The trial system attribute holding the name of the sampler that sampled the trial (Optuna's
/// class name, e.g. `"GPSampler"`), as OptunaHub's AutoSampler records it.
pub const SAMPLER_ATTR: &str = "auto:sampler";

/// The generation attributes of Optuna's (and hpo's) genetic samplers.
const NSGA2_GENERATION_KEY: &str = "NSGAIISampler:generation";
const NSGA3_GENERATION_KEY: &str = "NSGAIIISampler:generation";

/// Default Complete trials sampled by the GP in a single-objective study (OptunaHub: 250; see
/// the module docs for why 100).
const DEFAULT_GP_BUDGET: usize = 100;
/// Default Complete trials sampled by the GP or TPE in a multi-objective study (OptunaHub: 250).
const DEFAULT_MULTI_OBJECTIVE_GP_BUDGET: usize = 250;
/// WS-CMA-ES fits the best 10% of its source trials, so it needs at least this many.
const MIN_WARM_START_TRIALS: usize = 10;
/// From four objectives on, OptunaHub prefers TPE to the GP and NSGA-III to NSGA-II.
const MANY_OBJECTIVES: usize = 4;

/// The sampler an [`AutoSampler`] uses for a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AutoChoice {
    /// [`RandomSampler`]: until the first trial completes.
    Random,
    /// [`TpeSampler`], multivariate with constant liar.
    Tpe,
    /// [`GpSampler`].
    Gp,
    /// [`CmaEsSampler`], warm-started from the trials before it.
    CmaEs,
    /// [`NsgaIISampler`].
    NsgaII,
    /// [`NsgaIIISampler`].
    NsgaIII,
}

impl AutoChoice {
    /// Optuna's class name of the sampler (the value of [`SAMPLER_ATTR`]).
    pub fn name(self) -> &'static str {
        match self {
            AutoChoice::Random => "RandomSampler",
            AutoChoice::Tpe => "TPESampler",
            AutoChoice::Gp => "GPSampler",
            AutoChoice::CmaEs => "CmaEsSampler",
            AutoChoice::NsgaII => "NSGAIISampler",
            AutoChoice::NsgaIII => "NSGAIIISampler",
        }
    }

    /// A salt separating the inner samplers' seeds.
    fn salt(self) -> u64 {
        match self {
            AutoChoice::Random => 0x52A1_7D03_9C4E_0001,
            AutoChoice::Tpe => 0x52A1_7D03_9C4E_0002,
            AutoChoice::Gp => 0x52A1_7D03_9C4E_0003,
            AutoChoice::CmaEs => 0x52A1_7D03_9C4E_0004,
            AutoChoice::NsgaII => 0x52A1_7D03_9C4E_0005,
            AutoChoice::NsgaIII => 0x52A1_7D03_9C4E_0006,
        }
    }
}

impl std::fmt::Display for AutoChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Picks a sampler per trial from the search space, the objectives and the number of Complete
/// trials: GP for numeric spaces, TPE for categorical or conditional ones, CMA-ES or NSGA-II
/// once the budget is spent (the exact rule is in the [module documentation](self)). The choice
/// of each trial is in its system attribute [`SAMPLER_ATTR`]; each switch is logged at INFO.
///
/// ```
/// use hpo_core::Study;
/// use hpo_samplers::AutoSampler;
/// use hpo_samplers::auto::{AutoChoice, SAMPLER_ATTR};
///
/// let study = Study::builder().sampler(AutoSampler::with_seed(3)).build()?;
/// study.optimize(15, |t| {
///     let x = t.suggest_float("x", -3.0, 3.0)?;
///     let y = t.suggest_int("y", -3, 3)?;
///     Ok((x - 1.0).powi(2) + (y as f64).powi(2))
/// })?;
/// let last = study.trials()?.pop().expect("15 trials");
/// assert_eq!(last.system_attrs[SAMPLER_ATTR], "GPSampler");
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub struct AutoSampler {
    gp_budget: usize,
    multi_objective_gp_budget: usize,
    state: Mutex<State>,
}

struct State {
    /// The seed every inner sampler's seed derives from.
    seed: u64,
    /// The latest choice (the next trial's starting point).
    current: AutoChoice,
    /// The inner samplers created so far.
    samplers: HashMap<AutoChoice, Arc<dyn Sampler>>,
    /// The choice of each trial that started and has not finished, by trial id.
    trials: HashMap<i64, (AutoChoice, Arc<dyn Sampler>)>,
    /// The study the state belongs to (a sampler reused on another study starts over).
    study_id: Option<i64>,
    history: History,
}

/// What the rule reads from the finished trials, followed incrementally.
#[derive(Default)]
struct History {
    cursor: usize,
    stats: Stats,
}

#[derive(Default, Clone)]
struct Stats {
    n_complete: usize,
    first_keys: Option<BTreeSet<String>>,
    conditional: bool,
    constrained: bool,
    /// The intersection search space of the Complete trials (`None` before the first).
    intersection: Option<ParamSpace>,
}

impl Stats {
    fn absorb(&mut self, t: &FrozenTrial) {
        if !matches!(t.state, TrialState::Complete | TrialState::Pruned) {
            return;
        }
        let keys: BTreeSet<String> = t.params.keys().cloned().collect();
        match &self.first_keys {
            None => self.first_keys = Some(keys),
            Some(first) => self.conditional |= *first != keys,
        }
        if t.state == TrialState::Complete {
            self.n_complete += 1;
            self.constrained |= t.has_constraints();
            match &mut self.intersection {
                None => self.intersection = Some(t.distributions()),
                Some(space) => space.retain(|name, d| t.distribution(name) == Some(d)),
            }
        }
    }

    fn categorical(&self) -> bool {
        self.intersection.as_ref().is_some_and(|space| {
            space
                .values()
                .any(|d| matches!(d, Distribution::Categorical(_)))
        })
    }
}

impl std::fmt::Debug for AutoSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoSampler")
            .field("current", &self.current())
            .field("gp_budget", &self.gp_budget)
            .field("multi_objective_gp_budget", &self.multi_objective_gp_budget)
            .finish_non_exhaustive()
    }
}

impl Default for AutoSampler {
    fn default() -> Self {
        AutoSampler::new()
    }
}

impl AutoSampler {
    /// The rule above with its default budgets, unseeded.
    pub fn new() -> Self {
        AutoSampler {
            gp_budget: DEFAULT_GP_BUDGET,
            multi_objective_gp_budget: DEFAULT_MULTI_OBJECTIVE_GP_BUDGET,
            state: Mutex::new(State {
                seed: Rng::from_entropy().next_u64(),
                current: AutoChoice::Random,
                samplers: HashMap::new(),
                trials: HashMap::new(),
                study_id: None,
                history: History::default(),
            }),
        }
    }

    /// The rule with a seed: a seeded single-threaded study is reproducible.
    pub fn with_seed(seed: u64) -> Self {
        AutoSampler::new().seed(seed)
    }

    /// Seeds the sampler: every inner sampler's seed is derived from this one.
    pub fn seed(self, seed: u64) -> Self {
        self.state.lock().seed = seed;
        self
    }

    hpo_core::setters! {
        /// Complete trials sampled by the GP in a single-objective numeric study before CMA-ES (or
        /// TPE, with constraints) takes over (default 100, where OptunaHub's is 250; at least 1).
        /// The GP's cost per trial grows with the square of the number of trials (with the cube
        /// at its occasional hyperparameter refits).
        pub fn gp_budget(n: usize) => self.gp_budget;

        /// Complete trials sampled by the GP (or TPE) in a multi-objective study before NSGA-II /
        /// NSGA-III takes over (default 250, OptunaHub's; at least 1).
        pub fn multi_objective_gp_budget(n: usize) => self.multi_objective_gp_budget;
    }

    /// The latest choice: the sampler of the most recently started trial.
    pub fn current(&self) -> AutoChoice {
        self.state.lock().current
    }

    /// The choice for the next trial of `study`, from its finished trials.
    fn decide(
        &self,
        study: &Study,
        stats: &Stats,
        current: AutoChoice,
    ) -> (AutoChoice, &'static str) {
        if stats.n_complete == 0 {
            return (current, "no Complete trial yet");
        }
        let n_objectives = study.directions().len();
        if n_objectives == 1 {
            if current == AutoChoice::Tpe {
                (AutoChoice::Tpe, "TPE is kept once chosen")
            } else if stats.categorical() {
                (AutoChoice::Tpe, "a categorical parameter")
            } else if stats.conditional {
                (AutoChoice::Tpe, "a conditional search space")
            } else if stats.n_complete < self.gp_budget {
                (AutoChoice::Gp, "a numeric search space")
            } else if stats.constrained {
                (
                    AutoChoice::Tpe,
                    "the GP budget is spent and trials carry constraints",
                )
            } else {
                (AutoChoice::CmaEs, "the GP budget is spent")
            }
        } else if stats.conditional {
            (AutoChoice::Tpe, "a conditional search space")
        } else if stats.n_complete < self.multi_objective_gp_budget {
            if n_objectives >= MANY_OBJECTIVES {
                (AutoChoice::Tpe, "four or more objectives")
            } else if stats.categorical() {
                (AutoChoice::Tpe, "a categorical parameter")
            } else {
                (AutoChoice::Gp, "a numeric search space")
            }
        } else if n_objectives < MANY_OBJECTIVES {
            (AutoChoice::NsgaII, "the multi-objective GP budget is spent")
        } else {
            (
                AutoChoice::NsgaIII,
                "the multi-objective GP budget is spent",
            )
        }
    }

    /// The statistics of `study`'s finished trials: followed incrementally for the study itself
    /// (`history` belongs to it),
    /// recomputed for a filtered view (a pruner's bracket), whose trials the cursor cannot follow.
    fn stats(&self, history: &mut History, study: &Study) -> Result<Stats> {
        if study.is_filtered() {
            let mut stats = Stats::default();
            for t in study.trials_in(&[TrialState::Complete, TrialState::Pruned])? {
                stats.absorb(&t);
            }
            return Ok(stats);
        }
        let new = study
            .storage()
            .finished_trials_since(study.study_id(), history.cursor)?;
        history.cursor = new.cursor;
        for t in &new.trials {
            history.stats.absorb(t);
        }
        Ok(history.stats.clone())
    }

    /// The inner sampler for `choice`, created (seeded from `seed`) on first use.
    fn inner(
        &self,
        state: &mut State,
        study: &Study,
        stats: &Stats,
        choice: AutoChoice,
    ) -> Result<Arc<dyn Sampler>> {
        if let Some(s) = state.samplers.get(&choice) {
            return Ok(s.clone());
        }
        let seed = splitmix64(state.seed ^ choice.salt());
        let sampler: Arc<dyn Sampler> = match choice {
            AutoChoice::Random => Arc::new(RandomSampler::with_seed(seed)),
            AutoChoice::Tpe => Arc::new(
                TpeSampler::with_seed(seed)
                    .multivariate(true)
                    .constant_liar(true),
            ),
            AutoChoice::Gp => Arc::new(GpSampler::with_seed(seed)),
            AutoChoice::CmaEs => {
                let sources = self.warm_start_trials(study, stats)?;
                let cmaes = CmaEsSampler::with_seed(seed);
                if sources.len() >= MIN_WARM_START_TRIALS {
                    Arc::new(cmaes.source_trials(sources))
                } else {
                    hpo_core::log_warn!(
                        "AutoSampler: CMA-ES starts cold: {} Complete trials fit the search \
                         space (the warm start needs {MIN_WARM_START_TRIALS} with exactly its \
                         parameters and no single-valued one)",
                        sources.len()
                    );
                    Arc::new(cmaes)
                }
            }
            AutoChoice::NsgaII => Arc::new(NsgaIISampler::with_seed(seed)),
            AutoChoice::NsgaIII => Arc::new(NsgaIIISampler::with_seed(seed)),
        };
        state.samplers.insert(choice, sampler.clone());
        Ok(sampler)
    }

    /// The first `gp_budget` Complete trials (by completion time) with exactly the parameters of
    /// the intersection space, each in range; none when the space has a single-valued parameter
    /// (CMA-ES leaves those out of its space, so no trial would match it exactly).
    fn warm_start_trials(&self, study: &Study, stats: &Stats) -> Result<Vec<Arc<FrozenTrial>>> {
        let Some(space) = &stats.intersection else {
            return Ok(Vec::new());
        };
        if space.is_empty() || space.values().any(Distribution::single) {
            return Ok(Vec::new());
        }
        let mut trials: Vec<Arc<FrozenTrial>> = study
            .trials_in(&[TrialState::Complete])?
            .into_iter()
            .filter(|t| {
                t.params.len() == space.len()
                    && space.iter().all(|(name, d)| {
                        t.params
                            .get(name)
                            .is_some_and(|p| p.distribution == *d && d.contains(p.internal))
                    })
            })
            .collect();
        trials.sort_by_key(|t| (t.datetime_complete, t.number));
        trials.truncate(self.gp_budget);
        Ok(trials)
    }

    /// Decides the sampler of `trial`, records it (trial map, system attributes, log) and
    /// starts the trial on it.
    fn assign(&self, study: &Study, trial: &FrozenTrial) -> Result<Arc<dyn Sampler>> {
        let (choice, sampler) = {
            let mut state = self.state.lock();
            if state.study_id != Some(study.study_id()) {
                state.study_id = Some(study.study_id());
                state.history = History::default();
                state.current = AutoChoice::Random;
                state.samplers.clear();
            }
            let stats = self.stats(&mut state.history, study)?;
            let (choice, reason) = self.decide(study, &stats, state.current);
            let sampler = self.inner(&mut state, study, &stats, choice)?;
            if choice != state.current {
                hpo_core::log_info!(
                    "AutoSampler: trial {} switches from {} to {} ({reason}; {} Complete trials)",
                    trial.number,
                    state.current,
                    choice,
                    stats.n_complete
                );
                state.current = choice;
            }
            state
                .trials
                .insert(trial.trial_id, (choice, sampler.clone()));
            (choice, sampler)
        };
        let storage = study.storage();
        storage.set_trial_system_attr(trial.trial_id, SAMPLER_ATTR, Value::from(choice.name()))?;
        if study.is_multi_objective() && !matches!(choice, AutoChoice::NsgaII | AutoChoice::NsgaIII)
        {
            let key = if study.directions().len() < MANY_OBJECTIVES {
                NSGA2_GENERATION_KEY
            } else {
                NSGA3_GENERATION_KEY
            };
            storage.set_trial_system_attr(trial.trial_id, key, Value::from(0))?;
        }
        sampler.before_trial(study, trial)?;
        Ok(sampler)
    }

    /// The sampler chosen for `trial` (deciding now if the trial skipped `before_trial`).
    fn sampler_for(&self, study: &Study, trial: &FrozenTrial) -> Result<Arc<dyn Sampler>> {
        let known = self
            .state
            .lock()
            .trials
            .get(&trial.trial_id)
            .map(|(_, s)| s.clone());
        match known {
            Some(s) => Ok(s),
            None => self.assign(study, trial),
        }
    }
}

impl Sampler for AutoSampler {
    /// Both budgets must be at least 1 (with 0 the GP would never run: use
    /// [`CmaEsSampler`] or [`NsgaIISampler`] directly).
    fn validate(&self) -> Result<()> {
        if self.gp_budget == 0 {
            return Err(invalid_setting(
                "AutoSampler",
                "gp_budget",
                "must be at least 1",
                self.gp_budget,
            ));
        }
        if self.multi_objective_gp_budget == 0 {
            return Err(invalid_setting(
                "AutoSampler",
                "multi_objective_gp_budget",
                "must be at least 1",
                self.multi_objective_gp_budget,
            ));
        }
        Ok(())
    }

    fn before_trial(&self, study: &Study, trial: &FrozenTrial) -> Result<()> {
        self.assign(study, trial).map(|_| ())
    }

    fn infer_relative_search_space(
        &self,
        study: &Study,
        trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        self.sampler_for(study, trial)?
            .infer_relative_search_space(study, trial)
    }

    fn sample_relative(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        self.sampler_for(study, trial)?
            .sample_relative(study, trial, space)
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        self.sampler_for(study, trial)?
            .sample_independent(study, trial, name, distribution)
    }

    fn after_trial(&self, study: &Study, trial: &FrozenTrial, end: TrialEnd<'_>) -> Result<()> {
        let sampler = {
            let mut s = self.state.lock();
            match s.trials.remove(&trial.trial_id) {
                Some((_, sampler)) => Some(sampler),
                None => s.samplers.get(&s.current).cloned(),
            }
        };
        match sampler {
            Some(sampler) => sampler.after_trial(study, trial, end),
            None => Ok(()),
        }
    }

    /// Reseeds the `AutoSampler` and every inner sampler created so far (each with its own seed
    /// derived from the new one); `None` draws the new seed from entropy.
    fn reseed_rng(&self, seed: Option<u64>) {
        let mut state = self.state.lock();
        state.seed = seed.unwrap_or_else(|| Rng::from_entropy().next_u64());
        for (choice, sampler) in &state.samplers {
            sampler.reseed_rng(Some(splitmix64(state.seed ^ choice.salt())));
        }
    }
}
