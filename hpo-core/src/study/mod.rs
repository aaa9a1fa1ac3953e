//! Studies: [`Study`], its builder, the optimize loop, ask/tell, best trials and export.

mod builder;
mod callbacks;
mod direction;
mod export;
mod heartbeat;
mod log;
mod management;
mod objective;
mod optimize;
mod pareto;
mod tell;
mod typed;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

pub use builder::{IntoStorage, StudyBuilder};
pub use callbacks::{Callback, MaxTrialsCallback};
pub use direction::StudyDirection;
pub use heartbeat::HeartbeatConfig;
pub use management::{
    StudySummary, copy_study, delete_study, get_all_study_names, get_all_study_summaries,
};
pub use objective::ObjectiveValue;
pub use optimize::OptimizeOptions;
pub use pareto::pareto_front;

use crate::error::{Error, Result};
use crate::param::ParamValue;
use crate::param_space::ParamSpace;
use crate::pruners::Pruner;
use crate::samplers::Sampler;
use crate::storage::{Storage, StudyId};
use crate::trial::{Attrs, FrozenTrial, Trial, TrialState};

/// An optimization task: a set of trials in a storage, a sampler that proposes parameters, a
/// pruner that stops hopeless trials, and one or more objective directions.
///
/// `Study` is a cheap handle (`Clone`, `Send + Sync`): clones share everything, so worker
/// threads, callbacks and samplers all see the same study.
///
/// ```
/// use hpo_core::{RandomSampler, Study};
/// let study = Study::builder().sampler(RandomSampler::with_seed(0)).build()?;
/// study.optimize(50, |trial| {
///     let x = trial.suggest_float("x", -10.0, 10.0)?;
///     Ok((x - 2.0).powi(2))
/// })?;
/// assert!(study.best_value()? < 5.0);
/// # Ok::<(), hpo_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Study {
    inner: Arc<Inner>,
    /// A view that sees only some trials (Hyperband's bracket, for its sampler).
    filter: Option<crate::pruners::TrialFilter>,
}

struct Inner {
    study_id: StudyId,
    name: String,
    directions: Vec<StudyDirection>,
    storage: Arc<dyn Storage>,
    sampler: Arc<dyn Sampler>,
    pruner: Arc<dyn Pruner>,
    stop_requested: AtomicBool,
    optimizing: AtomicBool,
    declared_space: parking_lot::RwLock<Option<Arc<crate::space::SpaceTree>>>,
    heartbeat: Option<heartbeat::HeartbeatConfig>,
}

impl std::fmt::Debug for Study {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Study")
            .field("name", &self.inner.name)
            .field("study_id", &self.inner.study_id)
            .field("directions", &self.inner.directions)
            .field("sampler", &self.inner.sampler)
            .field("pruner", &self.inner.pruner)
            .finish_non_exhaustive()
    }
}

impl Study {
    /// A builder to create or load a study.
    pub fn builder() -> StudyBuilder {
        StudyBuilder::new()
    }

    pub(crate) fn from_parts(
        study_id: StudyId,
        name: String,
        directions: Vec<StudyDirection>,
        storage: Arc<dyn Storage>,
        sampler: Arc<dyn Sampler>,
        pruner: Arc<dyn Pruner>,
        heartbeat: Option<heartbeat::HeartbeatConfig>,
    ) -> Result<Study> {
        Ok(Study {
            filter: None,
            inner: Arc::new(Inner {
                study_id,
                name,
                directions,
                storage,
                sampler,
                pruner,
                stop_requested: AtomicBool::new(false),
                optimizing: AtomicBool::new(false),
                declared_space: parking_lot::RwLock::new(None),
                heartbeat,
            }),
        })
    }

    /// The study's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The study's id in its storage.
    pub fn study_id(&self) -> StudyId {
        self.inner.study_id
    }

    /// One direction per objective.
    pub fn directions(&self) -> &[StudyDirection] {
        &self.inner.directions
    }

    /// The direction of a single-objective study.
    pub fn direction(&self) -> Result<StudyDirection> {
        match self.inner.directions.as_slice() {
            [d] => Ok(*d),
            _ => Err(Error::MultiObjective("Study::direction (use `directions`)")),
        }
    }

    /// Whether the study has more than one objective.
    pub fn is_multi_objective(&self) -> bool {
        self.inner.directions.len() > 1
    }

    /// The storage.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.inner.storage
    }

    /// The sampler.
    pub fn sampler(&self) -> &Arc<dyn Sampler> {
        &self.inner.sampler
    }

    /// The pruner.
    pub fn pruner(&self) -> &Arc<dyn Pruner> {
        &self.inner.pruner
    }

    /// A view of this study that sees only the trials `filter` accepts in [`trials`](Study::trials),
    /// [`trials_in`](Study::trials_in) and [`finished_trials_since`](Study::finished_trials_since)
    /// (Optuna's `_BracketStudy`). Everything else is shared with the study.
    pub fn filtered(&self, filter: crate::pruners::TrialFilter) -> Study {
        Study {
            inner: self.inner.clone(),
            filter: Some(filter),
        }
    }

    /// Whether this is a filtered view.
    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    fn apply_filter(&self, mut trials: Vec<Arc<FrozenTrial>>) -> Vec<Arc<FrozenTrial>> {
        if let Some(f) = &self.filter {
            trials.retain(|t| f(t));
        }
        trials
    }

    /// Every trial, by number (shallow copies: the records are shared, not cloned).
    pub fn trials(&self) -> Result<Vec<Arc<FrozenTrial>>> {
        Ok(self.apply_filter(
            self.inner
                .storage
                .get_all_trials(self.inner.study_id, None)?,
        ))
    }

    /// The trials in any of `states`, by number.
    pub fn trials_in(&self, states: &[TrialState]) -> Result<Vec<Arc<FrozenTrial>>> {
        let trials = self
            .inner
            .storage
            .get_all_trials(self.inner.study_id, Some(states))?;
        Ok(self.apply_filter(trials))
    }

    /// Trials that finished since `cursor` (0: from the start) and the cursor for next time:
    /// [`Storage::finished_trials_since`] through this view's filter. Samplers use it to follow
    /// the history incrementally.
    pub fn finished_trials_since(&self, cursor: usize) -> Result<crate::storage::FinishedSince> {
        let mut out = self
            .inner
            .storage
            .finished_trials_since(self.inner.study_id, cursor)?;
        out.trials = self.apply_filter(out.trials);
        Ok(out)
    }

    /// How many trials the study has, in any state.
    pub fn n_trials(&self) -> Result<usize> {
        self.inner.storage.get_n_trials(self.inner.study_id, None)
    }

    /// The best Complete trial of a single-objective study. When trials carry constraints and
    /// the best one is infeasible, the best feasible trial is returned, as in Optuna.
    pub fn best_trial(&self) -> Result<Arc<FrozenTrial>> {
        if self.is_multi_objective() {
            return Err(Error::MultiObjective(
                "Study::best_trial (use `best_trials`)",
            ));
        }
        let best = match self.inner.storage.get_best_trial(self.inner.study_id) {
            Ok(best) => best,
            Err(Error::NoCompletedTrials { .. }) => return Err(self.no_completed_trials()),
            Err(e) => return Err(e),
        };
        if best.is_feasible() {
            return Ok(best);
        }
        let direction = self.inner.directions[0];
        self.trials_in(&[TrialState::Complete])?
            .into_iter()
            .filter(|t| t.is_feasible() && t.value().is_some())
            .fold(None::<Arc<FrozenTrial>>, |acc, t| match acc {
                Some(b)
                    if !direction.is_better(
                        t.value().unwrap_or(f64::NAN),
                        b.value().unwrap_or(f64::NAN),
                    ) =>
                {
                    Some(b)
                }
                _ => Some(t),
            })
            .ok_or_else(|| Error::NoFeasibleTrials(self.inner.name.clone()))
    }

    /// The objective value of the best trial.
    pub fn best_value(&self) -> Result<f64> {
        let best = self.best_trial()?;
        best.value().ok_or_else(|| self.no_completed_trials())
    }

    /// [`Error::NoCompletedTrials`] for this study, saying how many trials failed and why the
    /// first one did, so "nothing completed" after a run of failures explains itself.
    fn no_completed_trials(&self) -> Error {
        let failed = self.trials_in(&[TrialState::Fail]).unwrap_or_default();
        let first_failure = failed.first().map(|t| {
            let reason = t
                .system_attrs
                .get("fail_reason")
                .and_then(|v| v.as_str())
                .unwrap_or("no reason was recorded");
            (t.number, reason.to_owned())
        });
        Error::NoCompletedTrials {
            study: self.inner.name.clone(),
            failed: failed.len(),
            first_failure,
        }
    }

    /// The parameters of the best trial.
    pub fn best_params(&self) -> Result<IndexMap<String, ParamValue>> {
        Ok(self.best_trial()?.params_map())
    }

    /// The Pareto-optimal Complete trials (for any number of objectives), by number. When any
    /// trial carries constraints, only feasible trials are considered.
    pub fn best_trials(&self) -> Result<Vec<Arc<FrozenTrial>>> {
        let complete = self.trials_in(&[TrialState::Complete])?;
        let constrained = complete.iter().any(|t| t.has_constraints());
        let candidates: Vec<_> = if constrained {
            complete.into_iter().filter(|t| t.is_feasible()).collect()
        } else {
            complete
        };
        Ok(pareto_front(&candidates, &self.inner.directions))
    }

    /// The study's user attributes.
    pub fn user_attrs(&self) -> Result<Attrs> {
        self.inner.storage.get_study_user_attrs(self.inner.study_id)
    }

    /// Sets a study user attribute (any serialisable value).
    pub fn set_user_attr(&self, key: &str, value: impl Serialize) -> Result<()> {
        let value = serde_json::to_value(value)?;
        self.inner
            .storage
            .set_study_user_attr(self.inner.study_id, key, value)
    }

    /// The study's system attributes.
    pub fn system_attrs(&self) -> Result<Attrs> {
        self.inner
            .storage
            .get_study_system_attrs(self.inner.study_id)
    }

    /// Sets a study system attribute (for samplers that keep study-wide state).
    pub fn set_system_attr(&self, key: &str, value: impl Serialize) -> Result<()> {
        let value = serde_json::to_value(value)?;
        self.inner
            .storage
            .set_study_system_attr(self.inner.study_id, key, value)
    }

    /// Names the objectives (stored as Optuna's `study:metric_names` system attribute).
    pub fn set_metric_names(&self, names: &[&str]) -> Result<()> {
        if names.len() != self.inner.directions.len() {
            return Err(Error::InvalidArgument(format!(
                "{} metric names given for {} objectives",
                names.len(),
                self.inner.directions.len()
            )));
        }
        self.set_system_attr("study:metric_names", names)
    }

    /// The objectives' names, if set.
    pub fn metric_names(&self) -> Result<Option<Vec<String>>> {
        Ok(metric_names_in(&self.system_attrs()?))
    }

    /// Asks the running `optimize` loop to stop: trials already running finish, no new one
    /// starts. Typically called from a callback or an objective.
    pub fn stop(&self) {
        self.inner.stop_requested.store(true, Ordering::SeqCst);
    }

    pub(crate) fn stop_requested(&self) -> bool {
        self.inner.stop_requested.load(Ordering::SeqCst)
    }

    /// Starts a trial outside `optimize` (ask-and-tell): the oldest enqueued trial if any,
    /// otherwise a new one. Finish it with [`tell`](Study::tell) or its siblings.
    pub fn ask(&self) -> Result<Trial> {
        self.ask_beating(false)
    }

    /// [`ask`](Study::ask); with `beating` (`optimize` on a study with heartbeats), the trial
    /// starts with a heartbeat: a new trial is created with its first heartbeat in the same
    /// write, so a worker killed right after creating it still leaves a trial that goes stale
    /// (and is failed) instead of one that stays Running forever; a trial taken from the
    /// waiting queue gets one right after. `ask` itself never beats: an ask-and-tell loop has
    /// no heartbeat thread, and its trials must never look dead.
    pub(crate) fn ask_beating(&self, beating: bool) -> Result<Trial> {
        let storage = &self.inner.storage;
        let frozen = match storage.pop_waiting_trial(self.inner.study_id)? {
            Some(t) => {
                if beating {
                    storage.record_heartbeat(t.trial_id)?;
                }
                t
            }
            None if beating => {
                let template = FrozenTrial::new(TrialState::Running).with_system_attr(
                    crate::storage::HEARTBEAT_KEY,
                    crate::storage::heartbeat_now(),
                );
                storage.create_new_trial(self.inner.study_id, Some(&template))?
            }
            None => storage.create_new_trial(self.inner.study_id, None)?,
        };
        Trial::start(self.clone(), FrozenTrial::clone(&frozen))
    }

    /// [`ask`](Study::ask), then suggests every parameter of `fixed_distributions` at once
    /// (Optuna's `ask(fixed_distributions)`), for define-and-run code.
    pub fn ask_with(&self, fixed_distributions: &ParamSpace) -> Result<Trial> {
        let mut trial = self.ask()?;
        for (name, dist) in fixed_distributions {
            trial.suggest_internal(name, dist.clone())?;
        }
        Ok(trial)
    }

    /// Enqueues a trial whose parameters are fixed to `params` (the sampler fills in any others).
    /// It is stored Waiting, with the `fixed_params` system attribute Optuna uses.
    pub fn enqueue_trial<K, V>(&self, params: impl IntoIterator<Item = (K, V)>) -> Result<()>
    where
        K: Into<String>,
        V: Into<ParamValue>,
    {
        self.enqueue_trial_with(params, Attrs::new(), false)
            .map(|_| ())
    }

    /// [`enqueue_trial`](Study::enqueue_trial) with user attributes, and with
    /// `skip_if_exists = true` not enqueuing when a trial with the same parameters (numbers
    /// compared with a relative tolerance of 1e-5, as numpy's `isclose`) already exists.
    /// Returns whether a trial was enqueued.
    pub fn enqueue_trial_with<K, V>(
        &self,
        params: impl IntoIterator<Item = (K, V)>,
        user_attrs: Attrs,
        skip_if_exists: bool,
    ) -> Result<bool>
    where
        K: Into<String>,
        V: Into<ParamValue>,
    {
        let params: IndexMap<String, ParamValue> = params
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        if skip_if_exists && self.has_trial_with_params(&params)? {
            crate::log_info!("trial with params {params:?} already exists; not enqueued");
            return Ok(false);
        }
        let fixed: serde_json::Map<String, Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        let mut template =
            FrozenTrial::new(TrialState::Waiting).with_system_attr("fixed_params", fixed);
        template.user_attrs = user_attrs;
        self.inner
            .storage
            .create_new_trial(self.inner.study_id, Some(&template))?;
        Ok(true)
    }

    fn has_trial_with_params(&self, params: &IndexMap<String, ParamValue>) -> Result<bool> {
        let close = |a: &ParamValue, b: &ParamValue| match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-8 + 1e-5 * y.abs(),
            _ => a == b,
        };
        for t in self.trials()? {
            let existing: IndexMap<String, ParamValue> = match t.system_attrs.get("fixed_params") {
                Some(Value::Object(m)) => m
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), ParamValue::from_json(v)?)))
                    .collect(),
                _ => t.params_map(),
            };
            if existing.len() == params.len()
                && params
                    .iter()
                    .all(|(k, v)| existing.get(k).is_some_and(|e| close(v, e)))
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Adds a finished (or Waiting) trial made elsewhere, e.g. with [`FrozenTrial::new`] and
    /// its `with_*` methods. It is checked as Optuna checks it: a Complete trial needs one
    /// non-NaN value per objective; Fail, Running and Waiting trials carry no values.
    pub fn add_trial(&self, trial: &FrozenTrial) -> Result<Arc<FrozenTrial>> {
        let n = self.inner.directions.len();
        match trial.state {
            TrialState::Complete => match &trial.values {
                Some(v) if v.len() == n && v.iter().all(|x| !x.is_nan()) => {}
                Some(v) => {
                    return Err(Error::InvalidArgument(format!(
                        "a Complete trial needs {n} non-NaN values, got {v:?}"
                    )));
                }
                None => {
                    return Err(Error::InvalidArgument(
                        "a Complete trial needs values".to_owned(),
                    ));
                }
            },
            TrialState::Pruned => {
                if trial.values.as_ref().is_some_and(|v| v.len() != n) {
                    return Err(Error::InvalidArgument(format!(
                        "a Pruned trial has at most {n} values"
                    )));
                }
            }
            state => {
                if trial.values.is_some() {
                    return Err(Error::InvalidArgument(format!(
                        "a {state} trial must not have values"
                    )));
                }
            }
        }
        let mut trial = trial.clone();
        let now = crate::storage::now();
        if trial.state != TrialState::Waiting && trial.datetime_start.is_none() {
            trial.datetime_start = Some(now);
        }
        if trial.state.is_finished() && trial.datetime_complete.is_none() {
            trial.datetime_complete = Some(now);
        }
        self.inner
            .storage
            .create_new_trial(self.inner.study_id, Some(&trial))
    }

    /// [`add_trial`](Study::add_trial) for each trial.
    pub fn add_trials<'a>(
        &self,
        trials: impl IntoIterator<Item = &'a FrozenTrial>,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        trials.into_iter().map(|t| self.add_trial(t)).collect()
    }
}

/// The objectives' names kept in a study's system attributes (`study:metric_names`, where
/// [`Study::set_metric_names`] and Optuna's `set_metric_names` put them), if set.
pub fn metric_names_in(system_attrs: &crate::Attrs) -> Option<Vec<String>> {
    system_attrs.get("study:metric_names").and_then(|v| {
        v.as_array().map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_owned())
                .collect()
        })
    })
}
