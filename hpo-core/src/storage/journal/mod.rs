//! Journal storage: Optuna's append-only log of operations, replayed into memory by every
//! worker, on a file ([`JournalFileStorage`], shared with Python's
//! `JournalStorage(JournalFileBackend(path))`) or any other [`JournalBackend`] (hpo-storage has
//! Redis).

mod backend;
mod lock;
mod record;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{Map, Value};

pub use backend::{JournalBackend, JournalFileBackend};
pub use lock::{JournalLock, LockGuard, LockKind};
pub use record::op;

use self::record::{float_list, format_time, record, template_fields};
use super::{FinishedSince, StudyId, StudyRecord, TrialId};
use crate::distributions::Distribution;
use crate::error::{Error, Result};
use crate::json::{float_token, parse_python_json, to_python_json_compact};
use crate::storage::{InMemoryStorage, Storage};
use crate::study::StudyDirection;
use crate::trial::{Attrs, FrozenTrial, TrialState};

/// A study storage in an append-only file of JSON lines, in Optuna's journal format: compact
/// JSON records with Optuna's op codes and field names, bare `NaN` / `Infinity` tokens, ISO
/// timestamps with `+00:00`, global trial ids. Writers take Optuna's lock (`<file>.lock`, a
/// symbolic link by default), so hpo and Optuna workers can share one file; readers replay the
/// file incrementally (only what was appended since their last read) and skip a truncated last
/// line, which the next writer cuts off (with a warning) before appending. A lock is broken only
/// once a waiter has seen it unchanged for the grace period (a live holder keeps it changing),
/// never because the journal is old. The file is opened for writing only at the first write, so
/// a read-only journal can be read; errors name the file and the operation.
///
/// ```
/// use hpo_core::storage::JournalFileStorage;
/// use hpo_core::{RandomSampler, Study};
/// let path = std::env::temp_dir().join(format!("hpo-doc-{}.log", std::process::id()));
/// let study = Study::builder()
///     .name("journal-demo")
///     .storage(JournalFileStorage::open(&path)?)
///     .sampler(RandomSampler::with_seed(0))
///     .build()?;
/// study.optimize(5, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))?;
/// // Another process (or Python's optuna.load_study) reads the same file.
/// let again = Study::builder().name("journal-demo").storage(JournalFileStorage::open(&path)?).load()?;
/// assert_eq!(again.n_trials()?, 5);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub type JournalFileStorage = JournalStorage<JournalFileBackend>;

/// A study storage that keeps Optuna's journal (a log of operations) in a [`JournalBackend`] and
/// answers reads from an in-memory replay of it, brought up to date incrementally before each
/// read. Writers either hold the backend's lock or append optimistically (compare-and-append)
/// and retry on a newer log, so a result is never computed from a stale replay.
#[derive(Debug)]
pub struct JournalStorage<B: JournalBackend> {
    backend: B,
    worker: String,
    replay: Mutex<Replay>,
}

#[derive(Debug, Default)]
struct Replay {
    mem: Arc<InMemoryStorage>,
    /// Backend position of the next record to apply.
    position: u64,
}

impl JournalStorage<JournalFileBackend> {
    /// Opens (or creates) the journal at `path`, for reading until the first write, with
    /// Optuna's defaults: symlink lock, 30 s grace period, `fsync` after each append.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, LockKind::Symlink, Some(Duration::from_secs(30)), true)
    }

    /// Opens with a chosen lock, grace period (how long a waiter must see a lock unchanged before
    /// it breaks it; `None`: never), and whether each append is `fsync`ed.
    pub fn open_with(
        path: impl AsRef<Path>,
        lock: LockKind,
        grace_period: Option<Duration>,
        fsync: bool,
    ) -> Result<Self> {
        JournalStorage::new(JournalFileBackend::open(path, lock, grace_period, fsync)?)
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        self.backend.path()
    }
}

impl<B: JournalBackend> JournalStorage<B> {
    /// A storage over `backend`, replaying what it already holds.
    pub fn new(backend: B) -> Result<Self> {
        let mut rng = crate::rng::Rng::from_entropy();
        let (a, b) = (rng.next_u64(), rng.next_u64());
        let worker = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        );
        let storage = JournalStorage {
            backend,
            worker,
            replay: Mutex::new(Replay::default()),
        };
        storage.sync()?;
        Ok(storage)
    }

    /// The backend holding the log.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Sets an attribute: `apply` sets it in memory, then the record `op` logs it, holding
    /// `id_field: id` and `attrs_field: {key: value}`.
    fn write_attr(
        &self,
        (op, (id_field, id), attrs_field): (i64, (&str, i64), &str),
        (key, value): (&str, &Value),
        apply: impl Fn(&InMemoryStorage) -> Result<()>,
    ) -> Result<()> {
        self.write(|mem| {
            apply(mem)?;
            let mut r = record(op, &self.worker_id());
            r.insert(id_field.into(), id.into());
            r.insert(
                attrs_field.into(),
                Value::Object(Map::from_iter([(key.to_owned(), value.clone())])),
            );
            Ok(((), r))
        })
    }

    fn worker_id(&self) -> String {
        let tid = format!("{:?}", std::thread::current().id());
        let digits: String = tid.chars().filter(char::is_ascii_digit).collect();
        format!("{}-{digits}", self.worker)
    }

    /// Applies what other writers appended since the last read. Records that do not apply are
    /// dropped, as Optuna's replay does.
    fn sync_locked(&self, replay: &mut Replay) -> Result<()> {
        let (records, next) = self.backend.read_from(replay.position)?;
        for text in &records {
            match parse_python_json(text) {
                Ok(Value::Object(r)) => {
                    if let Err(e) = record::apply(&replay.mem, &r) {
                        crate::log_debug!("journal record dropped: {e}");
                    }
                }
                _ => crate::log_warn!("unreadable journal record skipped: {text}"),
            }
        }
        replay.position = next;
        Ok(())
    }

    fn sync(&self) -> Result<Arc<InMemoryStorage>> {
        let mut replay = self.replay.lock();
        self.sync_locked(&mut replay)?;
        Ok(replay.mem.clone())
    }

    /// Lets `op` check and apply the change to the replayed state and return the record, appends
    /// the record, and returns `op`'s result. Under the backend's lock the replay is brought up to
    /// date first and `op` works on it directly. Without a lock, `op` works on a copy of the
    /// replay as it stands and the copy is kept only if the compare-and-append succeeds, which
    /// proves the replay was current; otherwise (or when `op` fails on a possibly stale replay)
    /// the storage catches up and runs `op` again. A single writer so pays one round trip.
    fn write<T>(
        &self,
        op: impl Fn(&InMemoryStorage) -> Result<(T, Map<String, Value>)>,
    ) -> Result<T> {
        let mut need_sync = false;
        let mut refused_under_lock = 0;
        loop {
            let guard = self.backend.lock()?;
            let locked = guard.is_some();
            let synced = locked || need_sync;
            let mut replay = self.replay.lock();
            if synced {
                self.sync_locked(&mut replay)?;
            }
            let scratch = if locked {
                replay.mem.clone()
            } else {
                Arc::new(replay.mem.snapshot())
            };
            let (out, rec) = match op(&scratch) {
                Ok(done) => done,
                // Perhaps only because the replay was behind: catch up and try again.
                Err(_) if !synced => {
                    need_sync = true;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let line = to_python_json_compact(&Value::Object(rec));
            match self.backend.append_at(replay.position, &line)? {
                Some(next) => {
                    replay.mem = scratch;
                    replay.position = next;
                    return Ok(out);
                }
                None if locked => {
                    // Records appeared under the lock (a writer that ignores it): catch up and
                    // try again, a few times at most.
                    refused_under_lock += 1;
                    if refused_under_lock >= 3 {
                        return Err(Error::Storage(
                            "journal backend refused an append under its own lock".into(),
                        ));
                    }
                    need_sync = true;
                }
                None => need_sync = true,
            }
        }
    }
}

impl<B: JournalBackend> Storage for JournalStorage<B> {
    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        self.write(|mem| {
            let id = mem.create_new_study(directions, name)?;
            let mut r = record(op::CREATE_STUDY, &self.worker_id());
            r.insert("study_name".into(), name.into());
            r.insert(
                "directions".into(),
                directions
                    .iter()
                    .map(|d| d.code())
                    .collect::<Vec<_>>()
                    .into(),
            );
            Ok((id, r))
        })
    }

    fn delete_study(&self, study_id: StudyId) -> Result<()> {
        self.write(|mem| {
            mem.delete_study(study_id)?;
            let mut r = record(op::DELETE_STUDY, &self.worker_id());
            r.insert("study_id".into(), study_id.into());
            Ok(((), r))
        })
    }

    fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        let log = (op::SET_STUDY_USER_ATTR, ("study_id", study_id), "user_attr");
        self.write_attr(log, (key, &value), |mem| {
            mem.set_study_user_attr(study_id, key, value.clone())
        })
    }

    fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        let log = (
            op::SET_STUDY_SYSTEM_ATTR,
            ("study_id", study_id),
            "system_attr",
        );
        self.write_attr(log, (key, &value), |mem| {
            mem.set_study_system_attr(study_id, key, value.clone())
        })
    }

    fn get_study_id_from_name(&self, name: &str) -> Result<StudyId> {
        self.sync()?.get_study_id_from_name(name)
    }

    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String> {
        self.sync()?.get_study_name_from_id(study_id)
    }

    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>> {
        self.sync()?.get_study_directions(study_id)
    }

    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.sync()?.get_study_user_attrs(study_id)
    }

    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.sync()?.get_study_system_attrs(study_id)
    }

    fn get_all_studies(&self) -> Result<Vec<StudyRecord>> {
        self.sync()?.get_all_studies()
    }

    fn create_new_trial(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>> {
        self.write(|mem| {
            let n_objectives = mem.get_study_directions(study_id)?.len();
            let mut r = record(op::CREATE_TRIAL, &self.worker_id());
            r.insert("study_id".into(), study_id.into());
            let created = match template {
                None => {
                    let start = crate::storage::now();
                    let t = FrozenTrial::new(TrialState::Running).with_datetimes(Some(start), None);
                    r.insert("datetime_start".into(), format_time(start).into());
                    mem.create_new_trial(study_id, Some(&t))?
                }
                Some(tpl) => {
                    let mut t = tpl.clone();
                    if t.state == TrialState::Running && t.datetime_start.is_none() {
                        t.datetime_start = Some(crate::storage::now());
                    }
                    template_fields(&mut r, &t, n_objectives);
                    mem.create_new_trial(study_id, Some(&t))?
                }
            };
            Ok((created, r))
        })
    }

    fn set_trial_param(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()> {
        self.write(|mem| {
            mem.set_trial_param(trial_id, name, internal, distribution)?;
            let mut r = record(op::SET_TRIAL_PARAM, &self.worker_id());
            r.insert("trial_id".into(), trial_id.into());
            r.insert("param_name".into(), name.into());
            r.insert("param_value_internal".into(), float_token(internal));
            r.insert("distribution".into(), distribution.to_json().into());
            Ok(((), r))
        })
    }

    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId> {
        self.sync()?
            .get_trial_id_from_study_id_trial_number(study_id, number)
    }

    fn set_trial_state_values(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool> {
        self.write(|mem| {
            let now = crate::storage::now();
            let changed = mem.set_trial_state_values_at(trial_id, state, values, now)?;
            if !changed {
                // Another worker popped it first: nothing to write. (The empty record is never
                // appended because the error path below returns first.)
                return Err(Error::Storage(String::new()));
            }
            let mut r = record(op::SET_TRIAL_STATE_VALUES, &self.worker_id());
            r.insert("trial_id".into(), trial_id.into());
            r.insert("state".into(), (state as i64).into());
            r.insert("values".into(), values.map_or(Value::Null, float_list));
            if state == TrialState::Running {
                r.insert("datetime_start".into(), format_time(now).into());
            } else if state.is_finished() {
                r.insert("datetime_complete".into(), format_time(now).into());
            }
            Ok((true, r))
        })
        .or_else(|e| match e {
            Error::Storage(m) if m.is_empty() => Ok(false),
            other => Err(other),
        })
    }

    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()> {
        self.write(|mem| {
            mem.set_trial_intermediate_value(trial_id, step, value)?;
            let mut r = record(op::SET_TRIAL_INTERMEDIATE_VALUE, &self.worker_id());
            r.insert("trial_id".into(), trial_id.into());
            r.insert("step".into(), step.into());
            r.insert("intermediate_value".into(), float_token(value));
            Ok(((), r))
        })
    }

    fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        let log = (op::SET_TRIAL_USER_ATTR, ("trial_id", trial_id), "user_attr");
        self.write_attr(log, (key, &value), |mem| {
            mem.set_trial_user_attr(trial_id, key, value.clone())
        })
    }

    fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        let log = (
            op::SET_TRIAL_SYSTEM_ATTR,
            ("trial_id", trial_id),
            "system_attr",
        );
        self.write_attr(log, (key, &value), |mem| {
            mem.set_trial_system_attr(trial_id, key, value.clone())
        })
    }

    fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>> {
        self.sync()?.get_trial(trial_id)
    }

    fn get_all_trials(
        &self,
        study_id: StudyId,
        states: Option<&[TrialState]>,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        self.sync()?.get_all_trials(study_id, states)
    }

    fn finished_trials_since(&self, study_id: StudyId, cursor: usize) -> Result<FinishedSince> {
        self.sync()?.finished_trials_since(study_id, cursor)
    }

    fn is_persistent(&self) -> bool {
        self.backend.is_persistent()
    }

    fn get_n_trials(&self, study_id: StudyId, states: Option<&[TrialState]>) -> Result<usize> {
        self.sync()?.get_n_trials(study_id, states)
    }

    fn get_best_trial(&self, study_id: StudyId) -> Result<Arc<FrozenTrial>> {
        self.sync()?.get_best_trial(study_id)
    }

    fn pop_waiting_trial(&self, study_id: StudyId) -> Result<Option<Arc<FrozenTrial>>> {
        loop {
            let Some(trial_id) = self.sync()?.first_waiting(study_id)? else {
                return Ok(None);
            };
            // Another worker may have popped it, or even finished it, since the replay above:
            // then take the next one (as Optuna's `_pop_waiting_trial_id` does).
            match self.set_trial_state_values(trial_id, TrialState::Running, None) {
                Ok(true) => return self.sync()?.get_trial(trial_id).map(Some),
                Ok(false) | Err(Error::TrialFinished { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
}
