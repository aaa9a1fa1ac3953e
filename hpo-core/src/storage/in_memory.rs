//! `InMemoryStorage`: the default storage, per process and thread-safe.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::Utc;
use parking_lot::RwLock;
use serde_json::Value;

use super::chunked::ChunkedVec;
use super::{FinishedSince, StudyId, StudyRecord, TrialId};
use crate::distributions::Distribution;
use crate::error::{Error, Result};
use crate::storage::Storage;
use crate::study::StudyDirection;
use crate::trial::{Attrs, FrozenTrial, Param, TrialState};

/// A thread-safe storage in process memory (Optuna's `InMemoryStorage`): the default.
///
/// Every operation a trial performs (create, set a param, report, finish) costs O(1) however
/// large the study grows: trials are indexed by id, Waiting trials sit in a queue, the best trial
/// is maintained incrementally, and finished trials are logged for
/// [`Storage::finished_trials_since`].
#[derive(Debug, Default)]
pub struct InMemoryStorage {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default, Clone)]
struct Inner {
    studies: HashMap<StudyId, StudyData>,
    names: HashMap<String, StudyId>,
    next_study_id: StudyId,
    /// Indexed by trial id; `None` once its study is deleted.
    trials: ChunkedVec<Option<TrialSlot>>,
}

#[derive(Debug, Clone)]
struct TrialSlot {
    study_id: StudyId,
    trial: Arc<FrozenTrial>,
}

#[derive(Debug, Clone)]
struct StudyData {
    record: StudyRecord,
    /// Trial ids by number.
    trial_ids: ChunkedVec<TrialId>,
    /// The first distribution recorded for each parameter name.
    distributions: HashMap<String, Distribution>,
    waiting: VecDeque<TrialId>,
    finished: ChunkedVec<TrialId>,
    /// Running and Waiting trials, so that asking for them (a constant liar does, every
    /// trial) costs what they number, not what the study does.
    unfinished: std::collections::BTreeSet<TrialId>,
    best: Option<TrialId>,
}

impl InMemoryStorage {
    /// An empty storage.
    pub fn new() -> InMemoryStorage {
        InMemoryStorage::default()
    }
}

impl InMemoryStorage {
    /// Sets `key` in the user attributes of `owner` (a study, or an unfinished trial), or in
    /// its system attributes when `system`.
    fn set_attr(&self, owner: AttrOwner, key: &str, value: Value, system: bool) -> Result<()> {
        let mut inner = self.inner.write();
        let (user_attrs, system_attrs) = match owner {
            AttrOwner::Study(id) => {
                let record = &mut inner.study_mut(id)?.record;
                (&mut record.user_attrs, &mut record.system_attrs)
            }
            AttrOwner::Trial(id) => {
                let trial = inner.updatable(id)?.1;
                (&mut trial.user_attrs, &mut trial.system_attrs)
            }
        };
        let attrs = if system { system_attrs } else { user_attrs };
        attrs.insert(key.to_owned(), value);
        Ok(())
    }

    /// An independent copy of the current state (trials are shared `Arc`s, so this is cheap):
    /// journal writers without a lock change a copy and keep it only if their append wins.
    pub(crate) fn snapshot(&self) -> InMemoryStorage {
        InMemoryStorage {
            inner: RwLock::new(self.inner.read().clone()),
        }
    }

    /// [`Storage::set_trial_state_values`] with the time to record (journal replay uses the
    /// time written in the log).
    pub(crate) fn set_trial_state_values_at(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
        now: chrono::DateTime<Utc>,
    ) -> Result<bool> {
        let mut inner = self.inner.write();
        let (study_id, trial) = inner.updatable(trial_id)?;
        if state == TrialState::Running && trial.state != TrialState::Waiting {
            return Ok(false);
        }
        let was_waiting = trial.state == TrialState::Waiting;
        trial.state = state;
        trial.values = values.map(<[f64]>::to_vec);
        match state {
            TrialState::Running => trial.datetime_start = Some(now),
            s if s.is_finished() => trial.datetime_complete = Some(now),
            _ => {}
        }
        let finished = state.is_finished();
        let study = inner.study_mut(study_id)?;
        if was_waiting {
            study.waiting.retain(|id| *id != trial_id);
        }
        if finished {
            study.finished.push(trial_id);
            study.unfinished.remove(&trial_id);
        }
        if state == TrialState::Complete && study.record.directions.len() == 1 {
            let direction = study.record.directions[0];
            let candidate = inner.slot(trial_id)?.trial.clone();
            let better = match inner.study(study_id)?.best {
                None => candidate.value().is_some(),
                Some(best_id) => beats(direction, &candidate, &inner.slot(best_id)?.trial),
            };
            if better {
                inner.study_mut(study_id)?.best = Some(trial_id);
            }
        }
        Ok(true)
    }

    /// The oldest Waiting trial of a study, if any (without popping it).
    pub(crate) fn first_waiting(&self, study_id: StudyId) -> Result<Option<TrialId>> {
        Ok(self.inner.read().study(study_id)?.waiting.front().copied())
    }
}

impl Inner {
    fn study(&self, id: StudyId) -> Result<&StudyData> {
        self.studies.get(&id).ok_or(Error::StudyIdNotFound(id))
    }

    fn study_mut(&mut self, id: StudyId) -> Result<&mut StudyData> {
        self.studies.get_mut(&id).ok_or(Error::StudyIdNotFound(id))
    }

    fn slot(&self, trial_id: TrialId) -> Result<&TrialSlot> {
        usize::try_from(trial_id)
            .ok()
            .and_then(|i| self.trials.get(i))
            .and_then(Option::as_ref)
            .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))
    }

    /// The trial for an update: it must exist and not be finished.
    fn updatable(&mut self, trial_id: TrialId) -> Result<(StudyId, &mut FrozenTrial)> {
        let slot = usize::try_from(trial_id)
            .ok()
            .and_then(|i| self.trials.get_mut(i))
            .and_then(Option::as_mut)
            .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
        if slot.trial.state.is_finished() {
            return Err(Error::TrialFinished {
                number: slot.trial.number,
                state: slot.trial.state,
            });
        }
        Ok((slot.study_id, Arc::make_mut(&mut slot.trial)))
    }
}

/// Whose attributes [`InMemoryStorage::set_attr`] sets.
enum AttrOwner {
    Study(StudyId),
    Trial(TrialId),
}

/// Whether `candidate` beats `current` as the best trial of a single-objective study.
fn beats(direction: StudyDirection, candidate: &FrozenTrial, current: &FrozenTrial) -> bool {
    match (candidate.value(), current.value()) {
        (Some(a), Some(b)) => direction.is_better(a, b),
        _ => false,
    }
}

impl Storage for InMemoryStorage {
    /// Gone with the process, and every worker with it: no heartbeats by default.
    fn is_persistent(&self) -> bool {
        false
    }

    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        if directions.is_empty() {
            return Err(Error::InvalidArgument(
                "a study needs at least one direction".into(),
            ));
        }
        let mut inner = self.inner.write();
        if inner.names.contains_key(name) {
            return Err(Error::DuplicatedStudy(name.to_owned()));
        }
        let id = inner.next_study_id;
        inner.next_study_id += 1;
        inner.names.insert(name.to_owned(), id);
        inner.studies.insert(
            id,
            StudyData {
                record: StudyRecord {
                    study_id: id,
                    name: name.to_owned(),
                    directions: directions.to_vec(),
                    user_attrs: Attrs::new(),
                    system_attrs: Attrs::new(),
                },
                trial_ids: ChunkedVec::default(),
                distributions: HashMap::new(),
                waiting: VecDeque::new(),
                finished: ChunkedVec::default(),
                unfinished: Default::default(),
                best: None,
            },
        );
        Ok(id)
    }

    fn delete_study(&self, study_id: StudyId) -> Result<()> {
        let mut inner = self.inner.write();
        let data = inner
            .studies
            .remove(&study_id)
            .ok_or(Error::StudyIdNotFound(study_id))?;
        inner.names.remove(&data.record.name);
        for id in data.trial_ids.iter() {
            if let Some(slot) = inner.trials.get_mut(*id as usize) {
                *slot = None;
            }
        }
        Ok(())
    }

    fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.set_attr(AttrOwner::Study(study_id), key, value, false)
    }

    fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.set_attr(AttrOwner::Study(study_id), key, value, true)
    }

    fn get_study_id_from_name(&self, name: &str) -> Result<StudyId> {
        self.inner
            .read()
            .names
            .get(name)
            .copied()
            .ok_or_else(|| Error::StudyNotFound(name.into()))
    }

    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String> {
        Ok(self.inner.read().study(study_id)?.record.name.clone())
    }

    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>> {
        Ok(self.inner.read().study(study_id)?.record.directions.clone())
    }

    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        Ok(self.inner.read().study(study_id)?.record.user_attrs.clone())
    }

    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        Ok(self
            .inner
            .read()
            .study(study_id)?
            .record
            .system_attrs
            .clone())
    }

    fn get_all_studies(&self) -> Result<Vec<StudyRecord>> {
        let inner = self.inner.read();
        let mut out: Vec<StudyRecord> = inner.studies.values().map(|s| s.record.clone()).collect();
        out.sort_by_key(|r| r.study_id);
        Ok(out)
    }

    fn create_new_trial(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>> {
        let mut inner = self.inner.write();
        let trial_id = inner.trials.len() as TrialId;
        let study = inner.study_mut(study_id)?;
        let number = study.trial_ids.len() as u64;
        let trial = match template {
            None => {
                let mut t = FrozenTrial::new(TrialState::Running);
                t.datetime_start = Some(crate::storage::now());
                t
            }
            Some(tpl) => {
                for (name, p) in &tpl.params {
                    check_compatible(&study.distributions, name, &p.distribution)?;
                }
                let mut t = tpl.clone();
                if t.state == TrialState::Running && t.datetime_start.is_none() {
                    t.datetime_start = Some(crate::storage::now());
                }
                if t.state.is_finished() && t.datetime_complete.is_none() {
                    t.datetime_complete = Some(crate::storage::now());
                }
                t
            }
        };
        let mut trial = trial;
        trial.number = number;
        trial.trial_id = trial_id;
        for (name, p) in &trial.params {
            study
                .distributions
                .entry(name.clone())
                .or_insert_with(|| p.distribution.clone());
        }
        study.trial_ids.push(trial_id);
        match trial.state {
            s if s.is_finished() => study.finished.push(trial_id),
            s => {
                if s == TrialState::Waiting {
                    study.waiting.push_back(trial_id);
                }
                study.unfinished.insert(trial_id);
            }
        }
        let trial = Arc::new(trial);
        if trial.state == TrialState::Complete && study.record.directions.len() == 1 {
            // Templates can be Complete (add_trial): keep the best trial current.
            let direction = study.record.directions[0];
            let better = match study.best {
                None => trial.value().is_some(),
                Some(best_id) => {
                    let best = inner.slot(best_id)?.trial.clone();
                    beats(direction, &trial, &best)
                }
            };
            if better {
                inner.study_mut(study_id)?.best = Some(trial_id);
            }
        }
        inner.trials.push(Some(TrialSlot {
            study_id,
            trial: trial.clone(),
        }));
        Ok(trial)
    }

    fn set_trial_param(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()> {
        let mut inner = self.inner.write();
        let study_id = inner.slot(trial_id)?.study_id;
        let expected = {
            let study = inner.study(study_id)?;
            check_compatible(&study.distributions, name, distribution)?;
            // As many parameters as the last finished trial had (not every name the study has
            // seen: a conditional space may have many more than one trial uses).
            let last = study.finished.len().checked_sub(1);
            last.and_then(|i| study.finished.get(i))
                .and_then(|id| inner.slot(*id).ok())
                .map_or(0, |s| s.trial.params.len())
        };
        let param = Param::try_from_internal(internal, distribution.clone())?;
        let (_, trial) = inner.updatable(trial_id)?;
        if trial.params.is_empty() {
            // Room for them at once, instead of growing the map step by step.
            trial.params.reserve(expected);
        }
        trial.params.insert(name.to_owned(), param);
        let study = inner.study_mut(study_id)?;
        if !study.distributions.contains_key(name) {
            study
                .distributions
                .insert(name.to_owned(), distribution.clone());
        }
        Ok(())
    }

    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId> {
        let inner = self.inner.read();
        let study = inner.study(study_id)?;
        study
            .trial_ids
            .get(number as usize)
            .copied()
            .ok_or_else(|| {
                Error::TrialNotFound(format!("number {number} in study `{}`", study.record.name))
            })
    }

    fn set_trial_state_values(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool> {
        self.set_trial_state_values_at(trial_id, state, values, crate::storage::now())
    }

    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()> {
        let mut inner = self.inner.write();
        inner
            .updatable(trial_id)?
            .1
            .intermediate_values
            .insert(step, value);
        Ok(())
    }

    fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.set_attr(AttrOwner::Trial(trial_id), key, value, false)
    }

    fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.set_attr(AttrOwner::Trial(trial_id), key, value, true)
    }

    fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>> {
        Ok(self.inner.read().slot(trial_id)?.trial.clone())
    }

    fn get_all_trials(
        &self,
        study_id: StudyId,
        states: Option<&[TrialState]>,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        let inner = self.inner.read();
        let study = inner.study(study_id)?;
        let only_unfinished = states.is_some_and(|s| s.iter().all(|s| !s.is_finished()));
        if only_unfinished {
            // Trial ids grow with trial numbers, so this is still number order.
            let mut out = Vec::new();
            for id in &study.unfinished {
                let t = &inner.slot(*id)?.trial;
                if states.is_none_or(|s| s.contains(&t.state)) {
                    out.push(t.clone());
                }
            }
            return Ok(out);
        }
        let mut out = Vec::with_capacity(study.trial_ids.len());
        for id in study.trial_ids.iter() {
            let t = &inner.slot(*id)?.trial;
            if states.is_none_or(|s| s.contains(&t.state)) {
                out.push(t.clone());
            }
        }
        Ok(out)
    }

    fn finished_trials_since(&self, study_id: StudyId, cursor: usize) -> Result<FinishedSince> {
        let inner = self.inner.read();
        let study = inner.study(study_id)?;
        let from = cursor.min(study.finished.len());
        let trials = study
            .finished
            .iter_from(from)
            .map(|id| inner.slot(*id).map(|s| s.trial.clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(FinishedSince {
            trials,
            cursor: study.finished.len(),
        })
    }

    fn get_n_trials(&self, study_id: StudyId, states: Option<&[TrialState]>) -> Result<usize> {
        let inner = self.inner.read();
        let study = inner.study(study_id)?;
        match states {
            None => Ok(study.trial_ids.len()),
            Some(states) => Ok(study
                .trial_ids
                .iter()
                .filter(|id| {
                    inner
                        .slot(**id)
                        .is_ok_and(|s| states.contains(&s.trial.state))
                })
                .count()),
        }
    }

    fn get_best_trial(&self, study_id: StudyId) -> Result<Arc<FrozenTrial>> {
        let inner = self.inner.read();
        let study = inner.study(study_id)?;
        if study.record.directions.len() != 1 {
            return Err(Error::MultiObjective("best_trial"));
        }
        match study.best {
            Some(id) => Ok(inner.slot(id)?.trial.clone()),
            None => Err(Error::no_completed_trials(study.record.name.clone())),
        }
    }

    fn pop_waiting_trial(&self, study_id: StudyId) -> Result<Option<Arc<FrozenTrial>>> {
        let mut inner = self.inner.write();
        let Some(trial_id) = inner.study_mut(study_id)?.waiting.pop_front() else {
            return Ok(None);
        };
        let (_, trial) = inner.updatable(trial_id)?;
        trial.state = TrialState::Running;
        trial.datetime_start = Some(crate::storage::now());
        Ok(Some(inner.slot(trial_id)?.trial.clone()))
    }
}

/// A parameter name's distribution must stay compatible within a study.
fn check_compatible(
    known: &HashMap<String, Distribution>,
    name: &str,
    distribution: &Distribution,
) -> Result<()> {
    match known.get(name) {
        Some(existing) if !existing.is_compatible(distribution) => {
            Err(Error::IncompatibleDistribution {
                param: name.to_owned(),
                existing: Box::new(existing.clone()),
                requested: Box::new(distribution.clone()),
            })
        }
        _ => Ok(()),
    }
}
