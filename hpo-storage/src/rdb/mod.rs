//! One [`Storage`] on Optuna's RDB schema for every SQL database: [`RdbStorage`] holds the
//! logic (which statements a storage call runs, the per-study cache, reconnecting and retrying),
//! and an [`RdbBackend`] runs the statements on one driver. SQLite, PostgreSQL and MySQL are
//! the three backends; `SqliteStorage`, `PostgresStorage` and `MysqlStorage` are `RdbStorage`
//! over each.
//!
//! Reads fetch only what changed: each study's trials are cached, and bringing the cache up to
//! date is one statement that returns the trials that are new or were unfinished at the last
//! read, with their parameters, values, attributes and intermediate values (a `UNION ALL` over
//! the trial tables), so its cost does not grow with the study. Reading one trial is one
//! statement too.
//!
//! On a server, a lost connection is replaced and the operation run again under the storage's
//! [`RetryPolicy`]: a transaction that was cut before its commit was rolled back by the server
//! and simply runs again; when a commit's answer is lost, the operation first checks whether it
//! landed (the trial it inserted exists, the state it set is there) before doing anything twice.

mod cache;
mod load;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use hpo_core::json::{parse_python_json, to_python_json};
use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{
    Attrs, Distribution, Error, FrozenTrial, Result, Storage, StudyDirection, TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;

use crate::place::Place;
use crate::retry::RetryPolicy;
use cache::StudyCache;
pub(crate) use cache::{study_records, trial_to_create};
use load::Which;
#[cfg(feature = "mysql")]
pub use mysql::{MysqlBackend, MysqlStorage};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresBackend, PostgresStorage};
pub(crate) use sql::{Attempt, Fail, args};
pub use sql::{DbError, DbErrorKind, RdbBackend, Row, Sql};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteBackend, SqliteStorage};

use crate::schema::{ALEMBIC_HEAD, SCHEMA_VERSION};
use cache::{from_db_time, to_db_time, value_columns};

/// A study storage on Optuna 5.0's RDB schema, over one SQL database driver `B`: studies
/// written here open in `optuna.load_study` and optuna-dashboard, and Optuna's open here.
///
/// Trial numbers are assigned while the study's row is locked (`SELECT ... FOR UPDATE`, as
/// Optuna does; SQLite locks the whole file), so any number of hpo and Optuna processes never
/// share one. Finished trials are cached, and each read fetches only trials that are new or
/// were unfinished at the last read. Use it through its aliases: [`SqliteStorage`],
/// `PostgresStorage`, `MysqlStorage`.
pub struct RdbStorage<B: RdbBackend> {
    /// The database's file or URL (password masked), for messages.
    place: Place,
    conn: Mutex<Conn<B>>,
    cache: Mutex<HashMap<StudyId, StudyCache>>,
    retry: RetryPolicy,
    /// The database file, for a storage in one (SQLite).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    file: Option<std::path::PathBuf>,
}

/// The connection, and whether it was lost (and must be replaced before the next statement).
struct Conn<B> {
    backend: B,
    broken: bool,
}

impl<B: RdbBackend> fmt::Debug for RdbStorage<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RdbStorage")
            .field("place", &self.place.to_string())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Whether an operation runs in a transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tx {
    No,
    Yes,
}

impl<B: RdbBackend> RdbStorage<B> {
    /// Wraps a connected backend: creates the tables where missing and checks (or stamps) the
    /// schema version. Errors name `place` and say what failed.
    pub(crate) fn start(place: Place, mut backend: B, retry: RetryPolicy) -> Result<Self> {
        let prepared = backend
            .create_tables()
            .map_err(Fail::Db)
            .and_then(|()| check_version(&mut backend));
        if let Err(e) = prepared {
            return Err(finish(&place, format_args!("open the database"), e));
        }
        Ok(RdbStorage {
            place,
            conn: Mutex::new(Conn {
                backend,
                broken: false,
            }),
            cache: Mutex::new(HashMap::new()),
            retry,
            file: None,
        })
    }

    /// How long a lost connection is retried ([`RetryPolicy::default`]: 60 seconds of
    /// jittered backoff). Only servers lose connections; SQLite waits for locks instead.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Runs `op` (in a transaction with `Tx::Yes`), replacing a lost connection and running it
    /// again while the retry policy allows. `op` is told whether an earlier attempt may have
    /// been applied (its connection broke after sending the writes), so that it can check.
    fn run<T>(
        &self,
        what: fmt::Arguments<'_>,
        tx: Tx,
        mut op: impl FnMut(&mut B, bool) -> Attempt<T>,
    ) -> Result<T> {
        let mut backoff = None;
        let mut unsure = false;
        loop {
            let failure = {
                let mut conn = self.conn.lock();
                match once(&mut conn, tx, unsure, &mut op) {
                    Ok(v) => return Ok(v),
                    Err(Fail::Db(e)) => {
                        if e.kind == DbErrorKind::Connection {
                            conn.broken = true;
                            unsure = true;
                        }
                        e
                    }
                    Err(hpo) => return Err(finish(&self.place, what, hpo)),
                }
            };
            let retryable = matches!(
                failure.kind,
                DbErrorKind::Connection | DbErrorKind::Conflict
            );
            let backoff = backoff.get_or_insert_with(|| self.retry.start());
            // A lost connection is news to the user; a deadlock InnoDB broke is routine.
            if failure.kind == DbErrorKind::Connection
                && backoff.failures() == 0
                && !self.retry.window_length().is_zero()
            {
                hpo_core::log_warn!(
                    "{}: {what} failed ({}); retrying for up to {:?}",
                    self.place,
                    failure.message,
                    self.retry.window_length()
                );
            }
            if !retryable || !backoff.wait() {
                let why = if retryable && backoff.failures() > 1 {
                    format!(
                        "{} (gave up after {} attempts over {:.1} s)",
                        failure.message,
                        backoff.failures(),
                        backoff.elapsed().as_secs_f64()
                    )
                } else {
                    failure.message
                };
                return Err(self.place.error(what, why));
            }
        }
    }

    /// A read: one or more statements outside a transaction.
    fn read<T>(
        &self,
        what: fmt::Arguments<'_>,
        mut op: impl FnMut(&mut B) -> Attempt<T>,
    ) -> Result<T> {
        self.run(what, Tx::No, |b, _| op(b))
    }

    /// Brings a study's cache up to date and hands it to `f`: the first time, one statement
    /// reads the whole study; later, one finds the keys of new trials and one reads them with
    /// the trials unfinished at the last look.
    fn with_cache<T>(&self, study_id: StudyId, f: impl FnOnce(&mut StudyCache) -> T) -> Result<T> {
        self.read(format_args!("read the trials of study {study_id}"), |b| {
            // The cache stays locked from the query to the update, so that a refresh seen
            // later never lands before one seen earlier.
            let mut caches = self.cache.lock();
            let cache = caches.entry(study_id).or_default();
            let trials = if cache.loaded {
                // The trials created since the last look, and those unfinished then.
                let (exists, mut keys) = load::new_keys(b, study_id, cache.max_id)?;
                if !exists {
                    caches.remove(&study_id);
                    return Err(Error::StudyIdNotFound(study_id).into());
                }
                keys.extend(cache.unfinished.iter().copied());
                let mut trials = Vec::with_capacity(keys.len());
                for chunk in keys.chunks(load::MAX_KEYS) {
                    trials.extend(load::trials(b, Which::Keys(chunk))?.1);
                }
                trials
            } else {
                let (exists, trials) = load::trials(b, Which::Study(study_id))?;
                if !exists {
                    caches.remove(&study_id);
                    return Err(Error::StudyIdNotFound(study_id).into());
                }
                cache.loaded = true;
                trials
            };
            for t in trials {
                cache.record(t);
            }
            Ok(())
        })?;
        let mut caches = self.cache.lock();
        // Deleted by another thread since: the study is gone.
        let cache = caches
            .get_mut(&study_id)
            .ok_or(Error::StudyIdNotFound(study_id))?;
        Ok(f(cache))
    }

    /// The distribution a study already uses for `name`, from the cache when a cached trial
    /// has it, else from the database; `None` when no trial has it yet.
    fn known_distribution(
        &self,
        b: &mut B,
        study_id: StudyId,
        name: &str,
    ) -> Attempt<Option<Distribution>> {
        if let Some(d) = self
            .cache
            .lock()
            .get(&study_id)
            .and_then(|c| c.distributions.get(name).cloned())
        {
            return Ok(Some(d));
        }
        let rows = b.query(
            "SELECT p.distribution_json FROM trial_params p JOIN trials t ON p.trial_id = t.trial_id \
             WHERE t.study_id = ? AND p.param_name = ? LIMIT 1",
            args![study_id, name],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(Distribution::from_json(&row.text(0)?)?)),
            None => Ok(None),
        }
    }

    /// An error when `name` is used with another distribution in the study.
    fn check_compatible(
        &self,
        b: &mut B,
        study_id: StudyId,
        name: &str,
        d: &Distribution,
    ) -> Attempt<()> {
        match self.known_distribution(b, study_id, name)? {
            Some(old) if !old.is_compatible(d) => Err(Error::IncompatibleDistribution {
                param: name.to_owned(),
                existing: Box::new(old),
                requested: Box::new(d.clone()),
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Sets a study attribute (`table` is `study_user_attributes` or `study_system_attributes`).
    fn set_study_attr(
        &self,
        table: &str,
        study_id: StudyId,
        key: &str,
        value: &Value,
    ) -> Result<()> {
        let what = format!("study {study_id}");
        self.set_attr(
            table,
            ("studies", "study_id", ""),
            study_id,
            &what,
            key,
            value,
            |b| {
                // No such study, or (MySQL) the same value was already there.
                study_exists(b, study_id)
            },
        )
    }

    /// Sets a trial attribute (`table` is `trial_user_attributes` or `trial_system_attributes`)
    /// of a trial that is not finished.
    fn set_trial_attr(
        &self,
        table: &str,
        trial_id: TrialId,
        key: &str,
        value: &Value,
    ) -> Result<()> {
        let what = format!("trial id {trial_id}");
        let owner = ("trials", "trial_id", " AND state IN ('RUNNING', 'WAITING')");
        self.set_attr(table, owner, trial_id, &what, key, value, |b| {
            // Missing or finished (the error to report), or (MySQL) an unchanged value.
            updatable(b, trial_id).map(drop)
        })
    }

    /// Sets an attribute in `table` of the row `id` of `owner` (its table, key column and a
    /// condition it must meet), in one `INSERT ... SELECT`; when no row was written, `explain`
    /// returns the error to report (or `Ok` where the database reports an unchanged value as
    /// no row).
    #[allow(clippy::too_many_arguments)]
    fn set_attr(
        &self,
        table: &str,
        (owners, column, condition): (&str, &str, &str),
        id: i64,
        what: &str,
        key: &str,
        value: &Value,
        explain: impl Fn(&mut B) -> Attempt<()>,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO {table} ({column}, \"key\", value_json) SELECT {column}, ?, ? FROM {owners} \
             WHERE {column} = ?{condition} {}",
            B::upsert(&format!("{column}, \"key\""), &["value_json"])
        );
        let json = to_python_json(value);
        let kind = if table.contains("user") {
            "user"
        } else {
            "system"
        };
        self.run(
            format_args!("set {kind} attribute `{key}` of {what}"),
            Tx::No,
            |b, _| {
                if b.execute(&sql, args![key, json.as_str(), id])? == 0 {
                    explain(b)?;
                }
                Ok(())
            },
        )
    }
}

/// One attempt of [`RdbStorage::run`].
fn once<B: RdbBackend, T>(
    conn: &mut Conn<B>,
    tx: Tx,
    unsure: bool,
    op: &mut impl FnMut(&mut B, bool) -> Attempt<T>,
) -> Attempt<T> {
    if conn.broken {
        conn.backend.reconnect()?;
        conn.broken = false;
    }
    if tx == Tx::No {
        return op(&mut conn.backend, unsure);
    }
    conn.backend.begin()?;
    match op(&mut conn.backend, unsure) {
        Ok(v) => {
            conn.backend.commit()?;
            Ok(v)
        }
        Err(e) => {
            // On a lost connection the server rolls back by itself.
            let _ = conn.backend.rollback();
            Err(e)
        }
    }
}

/// The error an operation ends with: driver messages (and hpo's storage errors) name the place
/// and the operation; hpo's other errors pass unchanged.
fn finish(place: &Place, what: fmt::Arguments<'_>, fail: Fail) -> Error {
    match fail {
        Fail::Db(e) => place.error(what, e.message),
        Fail::Hpo(Error::Storage(why)) => place.error(what, why),
        Fail::Hpo(e) => e,
    }
}

/// Checks (or stamps, in a new database) Optuna's schema version and alembic revision.
fn check_version<B: RdbBackend>(b: &mut B) -> Attempt<()> {
    let version = b.query(
        "SELECT schema_version, library_version FROM version_info WHERE version_info_id = 1",
        &[],
    )?;
    match version.first() {
        None => ignore_duplicate(b.execute(
            "INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)",
            args![SCHEMA_VERSION, "5.0.0"],
        ))?,
        Some(row) => {
            if let Some(v) = row.opt_int(0)?.filter(|v| *v != SCHEMA_VERSION) {
                return Err(Error::Storage(format!(
                    "it has schema version {v} (written by {}), but this hpo reads version \
                     {SCHEMA_VERSION} (Optuna 5.0); upgrade it with `optuna storage upgrade`",
                    row.opt_text(1)?
                        .unwrap_or_else(|| "an unknown version".into())
                ))
                .into());
            }
        }
    }
    let stamped = b.query("SELECT version_num FROM alembic_version", &[])?;
    match stamped.first() {
        None => ignore_duplicate(b.execute(
            "INSERT INTO alembic_version (version_num) VALUES (?)",
            args![ALEMBIC_HEAD],
        ))?,
        Some(row) => {
            let v = row.text(0)?;
            if v != ALEMBIC_HEAD {
                return Err(Error::Storage(format!(
                    "it is at alembic revision {v}, not {ALEMBIC_HEAD} (Optuna 5.0); upgrade it \
                     with `optuna storage upgrade`"
                ))
                .into());
            }
        }
    }
    Ok(())
}

/// A stamp that another process wrote first is as good as ours.
fn ignore_duplicate(r: std::result::Result<u64, DbError>) -> Attempt<()> {
    match r {
        Err(e) if e.kind == DbErrorKind::Duplicate => Ok(()),
        other => other.map(drop).map_err(Fail::Db),
    }
}

fn study_exists<B: RdbBackend>(b: &mut B, study_id: StudyId) -> Attempt<()> {
    if b.query(
        "SELECT study_id FROM studies WHERE study_id = ?",
        args![study_id],
    )?
    .is_empty()
    {
        return Err(Error::StudyIdNotFound(study_id).into());
    }
    Ok(())
}

/// Locks the study's row until the transaction ends (SQLite's `BEGIN IMMEDIATE` already holds
/// the whole file); `false` when there is no such study.
fn lock_study<B: RdbBackend>(b: &mut B, study_id: StudyId) -> Attempt<bool> {
    let sql = format!(
        "SELECT study_id FROM studies WHERE study_id = ?{}",
        B::FOR_UPDATE
    );
    Ok(!b.query(&sql, args![study_id])?.is_empty())
}

/// A trial's state and study as one row shows them.
struct TrialHead {
    number: u64,
    state: TrialState,
    study_id: StudyId,
    start: Option<String>,
}

/// Reads a trial's number, state, study and start (locking its row in a transaction when
/// `lock`); a missing trial is an error.
fn head<B: RdbBackend>(b: &mut B, trial_id: TrialId, lock: bool) -> Attempt<TrialHead> {
    let sql = format!(
        "SELECT number, state, study_id, datetime_start FROM trials WHERE trial_id = ?{}",
        if lock { B::FOR_UPDATE } else { "" }
    );
    let rows = b.query(&sql, args![trial_id])?;
    let row = rows
        .first()
        .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
    let state = row.text(1)?;
    Ok(TrialHead {
        number: row.opt_int(0)?.unwrap_or(0) as u64,
        state: TrialState::from_name(&state)
            .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?,
        study_id: row.int(2)?,
        start: row.opt_text(3)?,
    })
}

/// The head of a trial that may still change, else the error to report.
fn updatable<B: RdbBackend>(b: &mut B, trial_id: TrialId) -> Attempt<TrialHead> {
    let h = head(b, trial_id, false)?;
    if h.state.is_finished() {
        return Err(Error::TrialFinished {
            number: h.number,
            state: h.state,
        }
        .into());
    }
    Ok(h)
}

/// Reads a study's attributes from `table`; a missing study is an error.
fn study_attrs<B: RdbBackend>(b: &mut B, table: &str, study_id: StudyId) -> Attempt<Attrs> {
    let rows = b.query(
        &format!(
            "SELECT s.study_id, a.\"key\", a.value_json FROM studies s \
             LEFT JOIN {table} a ON a.study_id = s.study_id WHERE s.study_id = ?"
        ),
        args![study_id],
    )?;
    if rows.is_empty() {
        return Err(Error::StudyIdNotFound(study_id).into());
    }
    let mut out = Attrs::new();
    for row in rows {
        if let Some(key) = row.opt_text(1)? {
            out.insert(key, parse_python_json(&row.text(2)?)?);
        }
    }
    Ok(out)
}

/// Stores a trial's values, objective by objective.
fn insert_values<B: RdbBackend>(b: &mut B, trial_id: TrialId, values: &[f64]) -> Attempt<()> {
    for (i, v) in values.iter().enumerate() {
        let (value, kind) = value_columns(*v);
        b.execute(
            "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)",
            args![trial_id, i as i64, value, kind],
        )?;
    }
    Ok(())
}

/// Whether stored values equal `values` (NaN equal to NaN).
fn same_values<B: RdbBackend>(
    b: &mut B,
    trial_id: TrialId,
    values: Option<&[f64]>,
) -> Attempt<bool> {
    let Some(values) = values else {
        return Ok(true);
    };
    let rows = b.query(
        "SELECT value, value_type FROM trial_values WHERE trial_id = ? ORDER BY objective",
        args![trial_id],
    )?;
    let stored: Vec<f64> = rows
        .iter()
        .map(|r| Ok(cache::from_value_columns(r.opt_float(0)?, &r.text(1)?)))
        .collect::<std::result::Result<_, DbError>>()?;
    Ok(stored.len() == values.len()
        && stored
            .iter()
            .zip(values)
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan())))
}

impl<B: RdbBackend> Storage for RdbStorage<B> {
    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        if directions.is_empty() {
            return Err(Error::InvalidArgument(
                "a study needs at least one direction".into(),
            ));
        }
        self.run(format_args!("create study `{name}`"), Tx::Yes, |b, unsure| {
            let existing = b.query(
                "SELECT study_id FROM studies WHERE study_name = ?",
                args![name],
            )?;
            if let Some(row) = existing.first() {
                // After a lost commit: the study our earlier attempt created.
                if unsure {
                    return Ok(row.int(0)?);
                }
                return Err(Error::DuplicatedStudy(name.to_owned()).into());
            }
            let id = match b.insert(
                "INSERT INTO studies (study_name) VALUES (?)",
                args![name],
                "study_id",
            ) {
                // Created by another process since the check above.
                Err(e) if e.kind == DbErrorKind::Duplicate => {
                    return Err(Error::DuplicatedStudy(name.to_owned()).into());
                }
                other => other?,
            };
            for (i, d) in directions.iter().enumerate() {
                b.execute(
                    "INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)",
                    args![d.name(), id, i as i64],
                )?;
            }
            Ok(id)
        })
    }

    fn delete_study(&self, study_id: StudyId) -> Result<()> {
        self.run(
            format_args!("delete study {study_id}"),
            Tx::Yes,
            |b, unsure| {
                if !lock_study(b, study_id)? {
                    // After a lost commit: our earlier attempt deleted it.
                    if unsure {
                        return Ok(());
                    }
                    return Err(Error::StudyIdNotFound(study_id).into());
                }
                for table in [
                    "trial_params",
                    "trial_values",
                    "trial_user_attributes",
                    "trial_system_attributes",
                    "trial_intermediate_values",
                    "trial_heartbeats",
                ] {
                    b.execute(
                        &format!(
                            "DELETE FROM {table} WHERE trial_id IN \
                         (SELECT trial_id FROM trials WHERE study_id = ?)"
                        ),
                        args![study_id],
                    )?;
                }
                for table in [
                    "trials",
                    "study_user_attributes",
                    "study_system_attributes",
                    "study_directions",
                    "studies",
                ] {
                    b.execute(
                        &format!("DELETE FROM {table} WHERE study_id = ?"),
                        args![study_id],
                    )?;
                }
                Ok(())
            },
        )?;
        self.cache.lock().remove(&study_id);
        Ok(())
    }

    fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.set_study_attr("study_user_attributes", study_id, key, &value)
    }

    fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.set_study_attr("study_system_attributes", study_id, key, &value)
    }

    fn get_study_id_from_name(&self, name: &str) -> Result<StudyId> {
        self.read(format_args!("look up study `{name}`"), |b| {
            let rows = b.query(
                "SELECT study_id FROM studies WHERE study_name = ?",
                args![name],
            )?;
            match rows.first() {
                Some(row) => Ok(row.int(0)?),
                None => Err(Error::StudyNotFound(name.to_owned()).into()),
            }
        })
    }

    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String> {
        self.read(format_args!("read study {study_id}"), |b| {
            let rows = b.query(
                "SELECT study_name FROM studies WHERE study_id = ?",
                args![study_id],
            )?;
            match rows.first() {
                Some(row) => Ok(row.text(0)?),
                None => Err(Error::StudyIdNotFound(study_id).into()),
            }
        })
    }

    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>> {
        self.read(format_args!("read study {study_id}"), |b| {
            let rows = b.query(
                "SELECT s.study_id, d.direction FROM studies s \
                 LEFT JOIN study_directions d ON d.study_id = s.study_id \
                 WHERE s.study_id = ? ORDER BY d.objective",
                args![study_id],
            )?;
            if rows.is_empty() {
                return Err(Error::StudyIdNotFound(study_id).into());
            }
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                if let Some(d) = row.opt_text(1)? {
                    out.push(d.parse::<StudyDirection>()?);
                }
            }
            Ok(out)
        })
    }

    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.read(format_args!("read study {study_id}"), |b| {
            study_attrs(b, "study_user_attributes", study_id)
        })
    }

    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.read(format_args!("read study {study_id}"), |b| {
            study_attrs(b, "study_system_attributes", study_id)
        })
    }

    fn get_all_studies(&self) -> Result<Vec<StudyRecord>> {
        let ids = self.read(format_args!("list the studies"), |b| {
            b.query(
                "SELECT study_id, study_name FROM studies ORDER BY study_id",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.int(0)?, r.text(1)?)))
            .collect::<std::result::Result<Vec<(StudyId, String)>, DbError>>()
            .map_err(Fail::Db)
        })?;
        // Each study's details are read by the methods that name it in their errors.
        study_records(self, ids)
    }

    fn create_new_trial(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>> {
        let t = trial_to_create(template);
        // The key of the row an earlier attempt inserted, if it got that far.
        let mut inserted: Option<TrialId> = None;
        let (id, number) = self.run(
            format_args!("create a trial in study {study_id}"),
            Tx::Yes,
            |b, unsure| {
                // The study's row stays locked until commit, as Optuna locks it: one writer
                // per study (hpo or Optuna) picks the next number, which is then never shared.
                if !lock_study(b, study_id)? {
                    return Err(Error::StudyIdNotFound(study_id).into());
                }
                if let (true, Some(id)) = (unsure, inserted) {
                    // The answer to our commit was lost: if the trial is there, it landed.
                    if let Ok(h) = head(b, id, false)
                        && h.study_id == study_id
                    {
                        return Ok((id, h.number));
                    }
                }
                for (name, p) in &t.params {
                    self.check_compatible(b, study_id, name, &p.distribution)?;
                }
                // Numbers are dense (trials are never deleted one by one), so the next one
                // is the last one plus one; Optuna counts the trials before it, which is
                // the same number.
                let last = b.query(
                    "SELECT number FROM trials WHERE study_id = ? ORDER BY trial_id DESC LIMIT 1",
                    args![study_id],
                )?;
                let number = match last.first() {
                    None => 0,
                    Some(row) => match row.opt_int(0)? {
                        Some(n) => n + 1,
                        None => b
                            .query(
                                "SELECT COUNT(*) FROM trials WHERE study_id = ?",
                                args![study_id],
                            )?
                            .first()
                            .map_or(Ok(0), |r| r.int(0))?,
                    },
                };
                let id = b.insert(
                    "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) \
                     VALUES (?, ?, ?, ?, ?)",
                    args![
                        number,
                        study_id,
                        t.state.name(),
                        t.datetime_start.map(to_db_time),
                        t.datetime_complete.map(to_db_time)
                    ],
                    "trial_id",
                )?;
                inserted = Some(id);
                for (name, p) in &t.params {
                    b.execute(
                        "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) \
                         VALUES (?, ?, ?, ?)",
                        args![id, name.as_str(), p.internal, p.distribution.to_json()],
                    )?;
                }
                if let Some(vs) = &t.values {
                    insert_values(b, id, vs)?;
                }
                for (table, attrs) in [
                    ("trial_user_attributes", &t.user_attrs),
                    ("trial_system_attributes", &t.system_attrs),
                ] {
                    for (k, v) in attrs {
                        b.execute(
                            &format!(
                                "INSERT INTO {table} (trial_id, \"key\", value_json) VALUES (?, ?, ?)"
                            ),
                            args![id, k.as_str(), to_python_json(v)],
                        )?;
                    }
                }
                for (s, v) in &t.intermediate_values {
                    let (value, kind) = value_columns(*v);
                    b.execute(
                        "INSERT INTO trial_intermediate_values \
                         (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?)",
                        args![id, *s as i64, value, kind],
                    )?;
                }
                Ok((id, number as u64))
            },
        )?;
        let mut t = t;
        t.trial_id = id;
        t.number = number;
        Ok(Arc::new(t))
    }

    fn set_trial_param(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) \
             VALUES (?, ?, ?, ?) {}",
            B::upsert(
                "trial_id, param_name",
                &["param_value", "distribution_json"]
            )
        );
        let json = distribution.to_json();
        self.run(
            format_args!("set parameter `{name}` of trial id {trial_id}"),
            Tx::No,
            |b, _| {
                let h = updatable(b, trial_id)?;
                self.check_compatible(b, h.study_id, name, distribution)?;
                b.execute(&sql, args![trial_id, name, internal, json.as_str()])?;
                Ok(())
            },
        )
    }

    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId> {
        self.read(
            format_args!("look up trial {number} of study {study_id}"),
            |b| {
                let rows = b.query(
                    "SELECT trial_id FROM trials WHERE study_id = ? AND number = ?",
                    args![study_id, number as i64],
                )?;
                match rows.first() {
                    Some(row) => Ok(row.int(0)?),
                    None => Err(Error::TrialNotFound(format!(
                        "number {number} in study id {study_id}"
                    ))
                    .into()),
                }
            },
        )
    }

    fn set_trial_state_values(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool> {
        // One time for every attempt, so that a retry can recognise its own write.
        let now = hpo_core::storage::now();
        let now_text = to_db_time(now);
        self.run(
            format_args!("set the state of trial id {trial_id}"),
            Tx::Yes,
            |b, unsure| {
                let h = head(b, trial_id, true)?;
                if h.state.is_finished() {
                    // After a lost commit: our earlier attempt finished it.
                    if unsure && h.state == state && same_values(b, trial_id, values)? {
                        return Ok(true);
                    }
                    return Err(Error::TrialFinished {
                        number: h.number,
                        state: h.state,
                    }
                    .into());
                }
                if state == TrialState::Running && h.state != TrialState::Waiting {
                    // Taken by another worker, unless it was our earlier attempt (same start;
                    // MySQL keeps whole seconds).
                    let ours = unsure
                        && h.state == TrialState::Running
                        && from_db_time(h.start.clone())
                            .is_some_and(|s| (s - now).num_milliseconds().abs() < 1000);
                    return Ok(ours);
                }
                match state {
                    TrialState::Running => b.execute(
                        "UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?",
                        args![state.name(), now_text.as_str(), trial_id],
                    )?,
                    s if s.is_finished() => b.execute(
                        "UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?",
                        args![state.name(), now_text.as_str(), trial_id],
                    )?,
                    _ => b.execute(
                        "UPDATE trials SET state = ? WHERE trial_id = ?",
                        args![state.name(), trial_id],
                    )?,
                };
                if let Some(vs) = values {
                    b.execute(
                        "DELETE FROM trial_values WHERE trial_id = ?",
                        args![trial_id],
                    )?;
                    insert_values(b, trial_id, vs)?;
                }
                Ok(true)
            },
        )
    }

    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()> {
        let sql = format!(
            "INSERT INTO trial_intermediate_values \
             (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?) {}",
            B::upsert(
                "trial_id, step",
                &["intermediate_value", "intermediate_value_type"]
            )
        );
        let (v, kind) = value_columns(value);
        self.run(
            format_args!("report step {step} of trial id {trial_id}"),
            Tx::No,
            |b, _| {
                updatable(b, trial_id)?;
                b.execute(&sql, args![trial_id, step as i64, v, kind])?;
                Ok(())
            },
        )
    }

    fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.set_trial_attr("trial_user_attributes", trial_id, key, &value)
    }

    fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.set_trial_attr("trial_system_attributes", trial_id, key, &value)
    }

    fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>> {
        self.read(format_args!("read trial id {trial_id}"), |b| {
            let (_, trials) = load::trials(b, Which::One(trial_id))?;
            match trials.into_iter().next() {
                Some(t) => Ok(Arc::new(t)),
                None => Err(Error::TrialNotFound(format!("with id {trial_id}")).into()),
            }
        })
    }

    fn get_all_trials(
        &self,
        study_id: StudyId,
        states: Option<&[TrialState]>,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        self.with_cache(study_id, |c| c.trials_in(states))
    }

    fn finished_trials_since(&self, study_id: StudyId, cursor: usize) -> Result<FinishedSince> {
        self.with_cache(study_id, |c| c.finished_since(cursor))
    }

    fn get_n_trials(&self, study_id: StudyId, states: Option<&[TrialState]>) -> Result<usize> {
        self.with_cache(study_id, |c| c.count(states))
    }

    fn get_best_trial(&self, study_id: StudyId) -> Result<Arc<FrozenTrial>> {
        let cached = self
            .cache
            .lock()
            .get(&study_id)
            .and_then(|c| c.directions.clone());
        let directions = match cached {
            Some(d) => d,
            None => self.get_study_directions(study_id)?,
        };
        let [direction] = directions[..] else {
            return Err(Error::MultiObjective("best_trial"));
        };
        let best = self.with_cache(study_id, |c| {
            c.directions = Some(directions.clone());
            c.best(direction)
        })?;
        match best {
            Some(t) => Ok(t),
            None => Err(Error::no_completed_trials(
                self.get_study_name_from_id(study_id)?,
            )),
        }
    }
}
