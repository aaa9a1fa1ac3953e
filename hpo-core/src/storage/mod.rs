//! The [`Storage`] trait (Optuna's `BaseStorage` operations) and the in-memory storage.
//!
//! Every storage is shared by all workers of a study and must be thread-safe. Trials come back as
//! `Arc<FrozenTrial>`, so reading the history never deep-copies it; and
//! [`Storage::finished_trials_since`] lets samplers follow the history incrementally, reading
//! only the trials that finished since their last look.

mod chunked;
mod in_memory;
mod journal;

use std::sync::Arc;

use serde_json::Value;

pub use in_memory::InMemoryStorage;
pub use journal::{
    JournalBackend, JournalFileBackend, JournalFileStorage, JournalLock, JournalStorage, LockGuard,
    LockKind, op as journal_op,
};

use crate::distributions::Distribution;
use crate::error::{Error, Result};
use crate::study::StudyDirection;
use crate::trial::{Attrs, FrozenTrial, TrialState};

/// A heartbeat's value: the Unix time in seconds, to the microsecond.
pub fn heartbeat_now() -> f64 {
    chrono::Utc::now().timestamp_micros() as f64 / 1e6
}

/// The current time at microsecond precision, as Optuna and every storage format keep it (so a
/// trial reads back exactly as it was written, whatever the storage).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let t = chrono::Utc::now();
    t.duration_trunc(chrono::TimeDelta::microseconds(1))
        .unwrap_or(t)
}

/// The system attribute holding a running trial's last heartbeat (Unix seconds).
pub const HEARTBEAT_KEY: &str = "heartbeat";

/// Storage-wide id of a study.
pub type StudyId = i64;
/// Storage-wide id of a trial.
pub type TrialId = i64;

/// What a storage knows about one study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyRecord {
    /// Storage-wide id.
    pub study_id: StudyId,
    /// Unique name.
    pub name: String,
    /// One direction per objective.
    pub directions: Vec<StudyDirection>,
    /// User attributes.
    pub user_attrs: Attrs,
    /// System attributes.
    pub system_attrs: Attrs,
}

/// Trials that finished after a cursor position, and the cursor to pass next time.
#[derive(Debug, Clone, Default)]
pub struct FinishedSince {
    /// The newly finished trials, in the order the storage saw them finish.
    pub trials: Vec<Arc<FrozenTrial>>,
    /// Pass this to the next [`Storage::finished_trials_since`] call.
    pub cursor: usize,
}

/// A place where studies and trials live: Optuna's `BaseStorage`, typed.
///
/// Implementations must be safe to share between threads and must serialise trial numbering:
/// two concurrent `create_new_trial` calls on one study never get the same number. Updating a
/// finished trial is an [`Error::TrialFinished`]. A parameter name recorded in a study with one
/// distribution may only be recorded again with a compatible one (same kind, same `log`, same
/// choices), or [`Error::IncompatibleDistribution`] results.
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Creates a study; a name already in use is [`Error::DuplicatedStudy`].
    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId>;
    /// Deletes a study and its trials.
    fn delete_study(&self, study_id: StudyId) -> Result<()>;
    /// Sets a study user attribute.
    fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()>;
    /// Sets a study system attribute.
    fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()>;
    /// The id of the study named `name` ([`Error::StudyNotFound`] if none).
    fn get_study_id_from_name(&self, name: &str) -> Result<StudyId>;
    /// The name of a study.
    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String>;
    /// The directions of a study.
    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>>;
    /// The user attributes of a study.
    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs>;
    /// The system attributes of a study.
    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs>;
    /// Every study.
    fn get_all_studies(&self) -> Result<Vec<StudyRecord>>;

    /// Creates a trial and returns its record. Without a template it is Running, started now;
    /// with one (enqueue, `add_trial`, copies) it takes the template's state, values, params,
    /// attributes, intermediate values and datetimes. The number is assigned here.
    fn create_new_trial(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>>;
    /// Records a parameter's internal value and distribution.
    fn set_trial_param(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()>;
    /// The id of the trial with `number` in a study.
    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId>;
    /// Moves a trial to `state` with `values`. Moving to Running succeeds only from Waiting
    /// (returns `false` when another worker popped it first) and stamps `datetime_start`;
    /// finishing stamps `datetime_complete`.
    fn set_trial_state_values(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool>;
    /// Records an intermediate value; a step already recorded is overwritten.
    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()>;
    /// Sets a trial user attribute.
    fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()>;
    /// Sets a trial system attribute.
    fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()>;
    /// One trial.
    fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>>;
    /// The trials of a study, by number, optionally only those in `states`.
    fn get_all_trials(
        &self,
        study_id: StudyId,
        states: Option<&[TrialState]>,
    ) -> Result<Vec<Arc<FrozenTrial>>>;
    /// Trials of the study that finished (Complete, Pruned, Fail) after position `cursor` of the
    /// study's finish log (0 = from the start). Lets a sampler keep its own view of the history
    /// up to date in time proportional to what changed, not to the study's size. A cursor is only
    /// meaningful to the storage value that returned it: an RDB storage logs finishes in the
    /// order its own reads saw them.
    fn finished_trials_since(&self, study_id: StudyId, cursor: usize) -> Result<FinishedSince>;

    /// How many trials the study has (in `states`).
    fn get_n_trials(&self, study_id: StudyId, states: Option<&[TrialState]>) -> Result<usize> {
        Ok(self.get_all_trials(study_id, states)?.len())
    }

    /// The best Complete trial of a single-objective study (ignoring constraints).
    fn get_best_trial(&self, study_id: StudyId) -> Result<Arc<FrozenTrial>> {
        let directions = self.get_study_directions(study_id)?;
        if directions.len() != 1 {
            return Err(Error::MultiObjective("best_trial"));
        }
        let trials = self.get_all_trials(study_id, Some(&[TrialState::Complete]))?;
        let best = trials
            .into_iter()
            .fold(None::<Arc<FrozenTrial>>, |best, t| match best {
                Some(b)
                    if !directions[0].is_better(
                        t.values.as_ref().map_or(f64::NAN, |v| v[0]),
                        b.values.as_ref().map_or(f64::NAN, |v| v[0]),
                    ) =>
                {
                    Some(b)
                }
                _ => Some(t),
            });
        best.ok_or_else(|| {
            Error::no_completed_trials(self.get_study_name_from_id(study_id).unwrap_or_default())
        })
    }

    /// Whether the storage outlives the process (a file, a database server): then a worker can
    /// die while others go on, so studies on it have heartbeats on by default (see
    /// [`StudyBuilder::heartbeat`](crate::StudyBuilder::heartbeat)). `true` unless overridden;
    /// [`InMemoryStorage`] says `false`, and a wrapper that forwards the other methods must
    /// forward this one too.
    fn is_persistent(&self) -> bool {
        true
    }

    /// Records that the worker running `trial_id` is alive (a `heartbeat` system attribute
    /// holding the Unix time, on every storage).
    fn record_heartbeat(&self, trial_id: TrialId) -> Result<()> {
        self.set_trial_system_attr(trial_id, HEARTBEAT_KEY, Value::from(heartbeat_now()))
    }

    /// Running trials of the study whose last heartbeat is older than `grace` (trials that
    /// never beat, from workers without heartbeats, are never stale).
    fn stale_trial_ids(
        &self,
        study_id: StudyId,
        grace: std::time::Duration,
    ) -> Result<Vec<TrialId>> {
        let now = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
        Ok(self
            .get_all_trials(study_id, Some(&[TrialState::Running]))?
            .iter()
            .filter(|t| {
                t.system_attrs
                    .get(HEARTBEAT_KEY)
                    .and_then(Value::as_f64)
                    .is_some_and(|beat| now - beat > grace.as_secs_f64())
            })
            .map(|t| t.trial_id)
            .collect())
    }

    /// Takes the oldest Waiting trial and makes it Running, or returns `None` when there is
    /// none. Safe against other workers popping at the same time.
    fn pop_waiting_trial(&self, study_id: StudyId) -> Result<Option<Arc<FrozenTrial>>> {
        for t in self.get_all_trials(study_id, Some(&[TrialState::Waiting]))? {
            // Another worker may have taken it, or even finished it, since the read above:
            // then try the next one (as Optuna's `_pop_waiting_trial_id` does).
            match self.set_trial_state_values(t.trial_id, TrialState::Running, None) {
                Ok(true) => return self.get_trial(t.trial_id).map(Some),
                Ok(false) | Err(Error::TrialFinished { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}
