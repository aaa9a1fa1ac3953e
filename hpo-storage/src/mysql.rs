//! `MysqlStorage`: Optuna's RDB schema on a MySQL or MariaDB server.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::json::{parse_python_json, to_python_json};
use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{
    Attrs, Distribution, Error, FrozenTrial, Param, Result, Storage, StudyDirection, TrialState,
};
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, TxOpts, Value as SqlValue};
use parking_lot::Mutex;
use serde_json::Value;

use crate::place::Place;
use crate::rdb::{
    StudyCache, from_db_time, from_value_columns, study_records, to_db_time, trial_to_create,
    value_columns,
};
use crate::schema::{ALEMBIC_HEAD, MYSQL_DDL, SCHEMA_VERSION, TABLES};
use crate::url::redact;

/// A study storage on a MySQL or MariaDB server, on Optuna 5.0's schema as SQLAlchemy creates it
/// there (`ENUM` columns, second-resolution `DATETIME`): studies written here open in
/// `optuna.load_study(storage="mysql+pymysql://...")` and in optuna-dashboard, and Optuna's open
/// here. Trial numbers are assigned while the study's row is locked (`SELECT ... FOR UPDATE`),
/// so concurrent processes never share one; finished trials are cached, and each read fetches
/// only trials that are new or were unfinished at the last read.
///
/// ```no_run
/// use hpo_storage::MysqlStorage;
/// let study = hpo_core::Study::builder()
///     .name("shared")
///     .storage(MysqlStorage::open("mysql://root@127.0.0.1:3306/test")?)
///     .load_if_exists(true)
///     .build()?;
/// study.optimize(10, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))?;
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub struct MysqlStorage {
    /// `MySQL <URL>` with any password replaced by `***`, for messages.
    place: Place,
    conn: Mutex<Conn>,
    cache: Mutex<HashMap<StudyId, StudyCache>>,
}

impl std::fmt::Debug for MysqlStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlStorage")
            .field("place", &self.place.to_string())
            .finish_non_exhaustive()
    }
}

/// A driver error as the [`Error::Storage`] that [`Place::run`] completes.
fn my(e: mysql::Error) -> Error {
    Error::Storage(describe(&e))
}

/// The driver's message as text. The `mysql` crate's own `Display` wraps it in the variant's
/// name and braces (`IoError { Connection refused (os error 111) }`), so each part is shown
/// here instead: `Connection refused (os error 111)`, or the server's
/// `ERROR 1213 (40001): Deadlock found ...`.
fn describe(e: &mysql::Error) -> String {
    use mysql::{Error as E, UrlError};
    match e {
        E::IoError(e) => e.to_string(),
        E::CodecError(e) => e.to_string(),
        E::MySqlError(e) => e.to_string(),
        E::DriverError(e) => e.to_string(),
        E::UrlError(UrlError::ParseError(e)) => format!("invalid URL: {e}"),
        E::UrlError(e) => e.to_string(),
        E::FromRowError(_) => "a row does not have the columns expected".to_owned(),
        E::FromValueError(_) => "a value does not have the type expected".to_owned(),
        // Variants that only some of the crate's features have (TLS): their `Display`, without
        // the `Name { ... }` wrapper.
        #[allow(unreachable_patterns)]
        other => {
            let text = other.to_string();
            match text.split_once(" { ") {
                Some((_, inner)) => inner.strip_suffix(" }").unwrap_or(inner).to_owned(),
                None => text,
            }
        }
    }
}

/// InnoDB's deadlock and lock-wait-timeout errors: the statement (or transaction) was rolled
/// back and may simply run again.
fn retryable(e: &Error) -> bool {
    matches!(e, Error::Storage(m) if m.contains("ERROR 1213") || m.contains("ERROR 1205"))
}

/// Runs `op` again (up to 10 times, with a short growing pause) while InnoDB reports a deadlock.
fn retry<T>(mut op: impl FnMut() -> Result<T>) -> Result<T> {
    let mut attempt = 0;
    loop {
        match op() {
            Err(e) if retryable(&e) && attempt < 10 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(2 * attempt));
            }
            other => return other,
        }
    }
}

/// Row shapes read below.
type TrialRow = (Option<i64>, String, Option<String>, Option<String>);

impl MysqlStorage {
    /// Connects to `url` (`mysql://user[:password]@host[:port]/database`; SQLAlchemy's
    /// `mysql+pymysql://` is accepted too), creating Optuna's tables when they are missing.
    /// An unreachable server, a refused login, a missing database or a schema of another version
    /// is an error that names the server and never the password.
    pub fn open(url: &str) -> Result<Self> {
        let place = Place::url("MySQL", url);
        let plain = match url.split_once("://") {
            Some((scheme, rest)) if scheme.starts_with("mysql+") || scheme == "mariadb" => {
                format!("mysql://{rest}")
            }
            _ => url.to_owned(),
        };
        let fail = |e: mysql::Error| place.error(format_args!("connect"), redact(&describe(&e)));
        let opts = Opts::from_url(&plain).map_err(|e| fail(e.into()))?;
        let opts = OptsBuilder::from_opts(opts).stmt_cache_size(Some(256));
        let mut conn = Conn::new(opts).map_err(fail)?;
        place.run(format_args!("open the database"), || {
            // Row locks only, no gap locks: concurrent inserts into one index do not deadlock.
            conn.query_drop("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                .map_err(my)?;
            // Serialise schema creation between first connections.
            conn.query_drop("SELECT GET_LOCK('hpo_optuna_schema', 60)")
                .map_err(my)?;
            let created = Self::create_schema(&mut conn);
            conn.query_drop("SELECT RELEASE_LOCK('hpo_optuna_schema')")
                .map_err(my)?;
            created
        })?;
        Ok(MysqlStorage {
            place,
            conn: Mutex::new(conn),
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn create_schema(conn: &mut Conn) -> Result<()> {
        let names = TABLES.map(|t| format!("'{t}'")).join(", ");
        let present: Option<i64> = conn
            .query_first(format!(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name IN ({names})"
            ))
            .map_err(my)?;
        if present.unwrap_or(0) < TABLES.len() as i64 {
            for ddl in MYSQL_DDL {
                conn.query_drop(ddl).map_err(my)?;
            }
        }
        let version: Option<(Option<i64>, Option<String>)> = conn
            .exec_first(
                "SELECT schema_version, library_version FROM version_info WHERE version_info_id = 1",
                (),
            )
            .map_err(my)?;
        match version {
            None => conn
                .exec_drop(
                    "INSERT IGNORE INTO version_info (version_info_id, schema_version, library_version) \
                     VALUES (1, ?, ?)",
                    (SCHEMA_VERSION, "5.0.0"),
                )
                .map_err(my)?,
            Some((Some(v), lib)) if v != SCHEMA_VERSION => {
                return Err(Error::Storage(format!(
                    "it has schema version {v} (written by {}), but this hpo reads \
                     version {SCHEMA_VERSION} (Optuna 5.0); upgrade it with `optuna storage upgrade`",
                    lib.unwrap_or_else(|| "an unknown version".into())
                )));
            }
            Some(_) => {}
        }
        let stamped: Option<String> = conn
            .query_first("SELECT version_num FROM alembic_version")
            .map_err(my)?;
        match stamped {
            None => conn
                .exec_drop(
                    "INSERT INTO alembic_version (version_num) VALUES (?)",
                    (ALEMBIC_HEAD,),
                )
                .map_err(my)?,
            Some(v) if v != ALEMBIC_HEAD => {
                return Err(Error::Storage(format!(
                    "it is at alembic revision {v}, not {ALEMBIC_HEAD} (Optuna 5.0); \
                     upgrade it with `optuna storage upgrade`"
                )));
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Checks the study exists; `lock` takes its row for the rest of the transaction.
    fn study_exists(c: &mut impl Queryable, study_id: StudyId, lock: bool) -> Result<()> {
        let sql = if lock {
            "SELECT study_id FROM studies WHERE study_id = ? FOR UPDATE"
        } else {
            "SELECT study_id FROM studies WHERE study_id = ?"
        };
        let found: Option<i64> = c.exec_first(sql, (study_id,)).map_err(my)?;
        found.map(|_| ()).ok_or(Error::StudyIdNotFound(study_id))
    }

    /// Number, state and study of a trial that may still change (else the error to report).
    /// `lock` takes the row for the rest of the transaction.
    fn updatable(
        c: &mut impl Queryable,
        trial_id: TrialId,
        lock: bool,
    ) -> Result<(u64, TrialState, StudyId)> {
        let sql = if lock {
            "SELECT number, state, study_id FROM trials WHERE trial_id = ? FOR UPDATE"
        } else {
            "SELECT number, state, study_id FROM trials WHERE trial_id = ?"
        };
        let row: Option<(Option<i64>, String, i64)> = c.exec_first(sql, (trial_id,)).map_err(my)?;
        let (number, state, study) =
            row.ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
        let state = TrialState::from_name(&state)
            .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?;
        let number = number.unwrap_or(0) as u64;
        if state.is_finished() {
            return Err(Error::TrialFinished { number, state });
        }
        Ok((number, state, study))
    }

    fn check_compatible(
        c: &mut impl Queryable,
        study_id: StudyId,
        name: &str,
        d: &Distribution,
    ) -> Result<()> {
        let existing: Option<String> = c
            .exec_first(
                "SELECT p.distribution_json FROM trial_params p JOIN trials t ON p.trial_id = t.trial_id \
                 WHERE t.study_id = ? AND p.param_name = ? LIMIT 1",
                (study_id, name),
            )
            .map_err(my)?;
        if let Some(json) = existing {
            let old = Distribution::from_json(&json)?;
            if !old.is_compatible(d) {
                return Err(Error::IncompatibleDistribution {
                    param: name.to_owned(),
                    existing: Box::new(old),
                    requested: Box::new(d.clone()),
                });
            }
        }
        Ok(())
    }

    fn load_trial(c: &mut impl Queryable, trial_id: TrialId) -> Result<FrozenTrial> {
        let (number, state, start, complete): TrialRow = c
            .exec_first(
                "SELECT number, CAST(state AS CHAR), CAST(datetime_start AS CHAR), \
                 CAST(datetime_complete AS CHAR) FROM trials WHERE trial_id = ?",
                (trial_id,),
            )
            .map_err(my)?
            .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
        let state = TrialState::from_name(&state)
            .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?;
        let mut t = FrozenTrial::new(state);
        t.trial_id = trial_id;
        t.number = number.unwrap_or(0) as u64;
        t.datetime_start = from_db_time(start);
        t.datetime_complete = from_db_time(complete);
        let params: Vec<(String, f64, String)> = c
            .exec(
                "SELECT param_name, param_value, distribution_json FROM trial_params \
                 WHERE trial_id = ? ORDER BY param_id",
                (trial_id,),
            )
            .map_err(my)?;
        for (name, x, dj) in params {
            // A corrupt row (a choice index past the last choice) is an error, not a panic.
            let param = Param::try_from_internal(x, Distribution::from_json(&dj)?)
                .map_err(|e| Error::param(name.clone(), e))?;
            t.params.insert(name, param);
        }
        let values: Vec<(Option<f64>, String)> = c
            .exec(
                "SELECT value, CAST(value_type AS CHAR) FROM trial_values WHERE trial_id = ? ORDER BY objective",
                (trial_id,),
            )
            .map_err(my)?;
        let values: Vec<f64> = values
            .into_iter()
            .map(|(v, kind)| from_value_columns(v, &kind))
            .collect();
        t.values = (!values.is_empty()).then_some(values);
        for (table, user) in [
            ("trial_user_attributes", true),
            ("trial_system_attributes", false),
        ] {
            let rows: Vec<(String, String)> = c
                .exec(
                    format!("SELECT `key`, value_json FROM {table} WHERE trial_id = ?"),
                    (trial_id,),
                )
                .map_err(my)?;
            for (k, v) in rows {
                let v = parse_python_json(&v)?;
                if user {
                    t.user_attrs.insert(k, v);
                } else {
                    t.system_attrs.insert(k, v);
                }
            }
        }
        let steps: Vec<(i64, Option<f64>, String)> = c
            .exec(
                "SELECT step, intermediate_value, CAST(intermediate_value_type AS CHAR) \
                 FROM trial_intermediate_values WHERE trial_id = ?",
                (trial_id,),
            )
            .map_err(my)?;
        for (step, v, kind) in steps {
            t.intermediate_values
                .insert(step as u64, from_value_columns(v, &kind));
        }
        Ok(t)
    }

    fn attrs(c: &mut impl Queryable, table: &str, study_id: StudyId) -> Result<Attrs> {
        let rows: Vec<(String, String)> = c
            .exec(
                format!("SELECT `key`, value_json FROM {table} WHERE study_id = ?"),
                (study_id,),
            )
            .map_err(my)?;
        let mut out = Attrs::new();
        for (k, v) in rows {
            out.insert(k, parse_python_json(&v)?);
        }
        Ok(out)
    }

    /// Brings a study's cache up to date: new trials and trials unfinished at the last look.
    fn refresh(&self, study_id: StudyId) -> Result<()> {
        let mut conn = self.conn.lock();
        Self::study_exists(&mut *conn, study_id, false)?;
        let mut caches = self.cache.lock();
        let cache = caches.entry(study_id).or_default();
        let mut ids: Vec<TrialId> = cache.unfinished.iter().copied().collect();
        let new: Vec<TrialId> = conn
            .exec(
                "SELECT trial_id FROM trials WHERE study_id = ? AND trial_id > ? ORDER BY trial_id",
                (study_id, cache.max_id),
            )
            .map_err(my)?;
        ids.extend(new);
        for id in ids {
            cache.record(Self::load_trial(&mut *conn, id)?);
        }
        Ok(())
    }

    fn upsert_attr(
        &self,
        table: &str,
        owner: &str,
        id: i64,
        key: &str,
        value: &Value,
    ) -> Result<()> {
        retry(|| self.upsert_attr_once(table, owner, id, key, value))
    }

    fn upsert_attr_once(
        &self,
        table: &str,
        owner: &str,
        id: i64,
        key: &str,
        value: &Value,
    ) -> Result<()> {
        let mut conn = self.conn.lock();
        if owner == "study_id" {
            Self::study_exists(&mut *conn, id, false)?;
        } else {
            Self::updatable(&mut *conn, id, false)?;
        }
        conn.exec_drop(
            format!(
                "INSERT INTO {table} ({owner}, `key`, value_json) VALUES (?, ?, ?) \
                 ON DUPLICATE KEY UPDATE value_json = VALUES(value_json)"
            ),
            (id, key, to_python_json(value)),
        )
        .map_err(my)
    }
}

fn insert_value(c: &mut impl Queryable, trial_id: TrialId, objective: usize, v: f64) -> Result<()> {
    let (value, kind) = value_columns(v);
    c.exec_drop(
        "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)",
        (trial_id, objective as i64, value, kind),
    )
    .map_err(my)
}

impl MysqlStorage {
    fn create_new_study_once(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        if directions.is_empty() {
            return Err(Error::InvalidArgument(
                "a study needs at least one direction".into(),
            ));
        }
        let mut conn = self.conn.lock();
        let mut tx = conn.start_transaction(TxOpts::default()).map_err(my)?;
        let exists: Option<i64> = tx
            .exec_first("SELECT study_id FROM studies WHERE study_name = ?", (name,))
            .map_err(my)?;
        if exists.is_some() {
            return Err(Error::DuplicatedStudy(name.to_owned()));
        }
        match tx.exec_drop("INSERT INTO studies (study_name) VALUES (?)", (name,)) {
            Ok(()) => {}
            // Another process created it since the check above (the unique index says so).
            Err(mysql::Error::MySqlError(e)) if e.code == 1062 => {
                return Err(Error::DuplicatedStudy(name.to_owned()));
            }
            Err(e) => return Err(my(e)),
        }
        let id = tx
            .last_insert_id()
            .ok_or_else(|| Error::Storage("MySQL returned no study id".into()))?
            as i64;
        for (i, d) in directions.iter().enumerate() {
            tx.exec_drop(
                "INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)",
                (d.name(), id, i as i64),
            )
            .map_err(my)?;
        }
        tx.commit().map_err(my)?;
        Ok(id)
    }

    fn delete_study_once(&self, study_id: StudyId) -> Result<()> {
        let mut conn = self.conn.lock();
        let mut tx = conn.start_transaction(TxOpts::default()).map_err(my)?;
        Self::study_exists(&mut tx, study_id, true)?;
        for table in [
            "trial_params",
            "trial_values",
            "trial_user_attributes",
            "trial_system_attributes",
            "trial_intermediate_values",
            "trial_heartbeats",
        ] {
            tx.exec_drop(
                format!(
                    "DELETE FROM {table} WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?)"
                ),
                (study_id,),
            )
            .map_err(my)?;
        }
        for table in [
            "trials",
            "study_user_attributes",
            "study_system_attributes",
            "study_directions",
            "studies",
        ] {
            tx.exec_drop(
                format!("DELETE FROM {table} WHERE study_id = ?"),
                (study_id,),
            )
            .map_err(my)?;
        }
        tx.commit().map_err(my)?;
        self.cache.lock().remove(&study_id);
        Ok(())
    }

    fn create_new_trial_once(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>> {
        let mut conn = self.conn.lock();
        let mut tx = conn.start_transaction(TxOpts::default()).map_err(my)?;
        // The study's row stays locked until commit: one writer per study counts the number.
        Self::study_exists(&mut tx, study_id, true)?;
        let mut t = trial_to_create(template);
        for (name, p) in &t.params {
            Self::check_compatible(&mut tx, study_id, name, &p.distribution)?;
        }
        tx.exec_drop(
            "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) \
             VALUES (NULL, ?, ?, ?, ?)",
            (
                study_id,
                t.state.name(),
                t.datetime_start.map(to_db_time),
                t.datetime_complete.map(to_db_time),
            ),
        )
        .map_err(my)?;
        let id = tx
            .last_insert_id()
            .ok_or_else(|| Error::Storage("MySQL returned no trial id".into()))?
            as i64;
        let number: i64 = tx
            .exec_first(
                "SELECT COUNT(*) FROM trials WHERE study_id = ? AND trial_id < ?",
                (study_id, id),
            )
            .map_err(my)?
            .unwrap_or(0);
        tx.exec_drop(
            "UPDATE trials SET number = ? WHERE trial_id = ?",
            (number, id),
        )
        .map_err(my)?;
        for (name, p) in &t.params {
            tx.exec_drop(
                "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) \
                 VALUES (?, ?, ?, ?)",
                (id, name, p.internal, p.distribution.to_json()),
            )
            .map_err(my)?;
        }
        if let Some(vs) = &t.values {
            for (i, v) in vs.iter().enumerate() {
                insert_value(&mut tx, id, i, *v)?;
            }
        }
        for (table, attrs) in [
            ("trial_user_attributes", &t.user_attrs),
            ("trial_system_attributes", &t.system_attrs),
        ] {
            for (k, v) in attrs {
                tx.exec_drop(
                    format!("INSERT INTO {table} (trial_id, `key`, value_json) VALUES (?, ?, ?)"),
                    (id, k, to_python_json(v)),
                )
                .map_err(my)?;
            }
        }
        for (s, v) in &t.intermediate_values {
            let (value, kind) = value_columns(*v);
            tx.exec_drop(
                "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, \
                 intermediate_value_type) VALUES (?, ?, ?, ?)",
                (id, *s as i64, value, kind),
            )
            .map_err(my)?;
        }
        tx.commit().map_err(my)?;
        t.trial_id = id;
        t.number = number as u64;
        Ok(Arc::new(t))
    }

    fn set_trial_param_once(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()> {
        let mut conn = self.conn.lock();
        let (_, _, study_id) = Self::updatable(&mut *conn, trial_id, false)?;
        Self::check_compatible(&mut *conn, study_id, name, distribution)?;
        conn.exec_drop(
            "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) \
             VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE param_value = VALUES(param_value), \
             distribution_json = VALUES(distribution_json)",
            (trial_id, name, internal, distribution.to_json()),
        )
        .map_err(my)
    }

    fn set_trial_state_values_once(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool> {
        let mut conn = self.conn.lock();
        let mut tx = conn.start_transaction(TxOpts::default()).map_err(my)?;
        // FOR UPDATE: of two workers popping one Waiting trial, the second sees it Running.
        let (_, current, _) = Self::updatable(&mut tx, trial_id, true)?;
        if state == TrialState::Running && current != TrialState::Waiting {
            return Ok(false);
        }
        let now = to_db_time(hpo_core::storage::now());
        let time: SqlValue = now.into();
        match state {
            TrialState::Running => tx.exec_drop(
                "UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?",
                (state.name(), time, trial_id),
            ),
            s if s.is_finished() => tx.exec_drop(
                "UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?",
                (state.name(), time, trial_id),
            ),
            _ => tx.exec_drop(
                "UPDATE trials SET state = ? WHERE trial_id = ?",
                (state.name(), trial_id),
            ),
        }
        .map_err(my)?;
        if let Some(vs) = values {
            tx.exec_drop("DELETE FROM trial_values WHERE trial_id = ?", (trial_id,))
                .map_err(my)?;
            for (i, v) in vs.iter().enumerate() {
                insert_value(&mut tx, trial_id, i, *v)?;
            }
        }
        tx.commit().map_err(my)?;
        Ok(true)
    }

    fn set_trial_intermediate_value_once(
        &self,
        trial_id: TrialId,
        step: u64,
        value: f64,
    ) -> Result<()> {
        let mut conn = self.conn.lock();
        Self::updatable(&mut *conn, trial_id, false)?;
        let (v, kind) = value_columns(value);
        conn.exec_drop(
            "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, \
             intermediate_value_type) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE \
             intermediate_value = VALUES(intermediate_value), \
             intermediate_value_type = VALUES(intermediate_value_type)",
            (trial_id, step as i64, v, kind),
        )
        .map_err(my)
    }
}

impl Storage for MysqlStorage {
    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        self.place.run(format_args!("create study `{name}`"), || {
            retry(|| self.create_new_study_once(directions, name))
        })
    }

    fn delete_study(&self, study_id: StudyId) -> Result<()> {
        self.place.run(format_args!("delete study {study_id}"), || {
            retry(|| self.delete_study_once(study_id))
        })
    }

    fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.place.run(
            format_args!("set user attribute `{key}` of study {study_id}"),
            || self.upsert_attr("study_user_attributes", "study_id", study_id, key, &value),
        )
    }

    fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.place.run(
            format_args!("set system attribute `{key}` of study {study_id}"),
            || self.upsert_attr("study_system_attributes", "study_id", study_id, key, &value),
        )
    }

    fn get_study_id_from_name(&self, name: &str) -> Result<StudyId> {
        self.place.run(format_args!("look up study `{name}`"), || {
            let found: Option<i64> = self
                .conn
                .lock()
                .exec_first("SELECT study_id FROM studies WHERE study_name = ?", (name,))
                .map_err(my)?;
            found.ok_or_else(|| Error::StudyNotFound(name.to_owned()))
        })
    }

    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String> {
        self.place.run(format_args!("read study {study_id}"), || {
            let found: Option<String> = self
                .conn
                .lock()
                .exec_first(
                    "SELECT study_name FROM studies WHERE study_id = ?",
                    (study_id,),
                )
                .map_err(my)?;
            found.ok_or(Error::StudyIdNotFound(study_id))
        })
    }

    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>> {
        self.place.run(format_args!("read study {study_id}"), || {
        let mut conn = self.conn.lock();
        Self::study_exists(&mut *conn, study_id, false)?;
        let rows: Vec<String> = conn
            .exec(
                "SELECT CAST(direction AS CHAR) FROM study_directions WHERE study_id = ? ORDER BY objective",
                (study_id,),
            )
            .map_err(my)?;
        rows.iter().map(|d| d.parse::<StudyDirection>()).collect()
    })
    }

    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.place.run(format_args!("read study {study_id}"), || {
            let mut conn = self.conn.lock();
            Self::study_exists(&mut *conn, study_id, false)?;
            Self::attrs(&mut *conn, "study_user_attributes", study_id)
        })
    }

    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.place.run(format_args!("read study {study_id}"), || {
            let mut conn = self.conn.lock();
            Self::study_exists(&mut *conn, study_id, false)?;
            Self::attrs(&mut *conn, "study_system_attributes", study_id)
        })
    }

    fn get_all_studies(&self) -> Result<Vec<StudyRecord>> {
        let ids: Vec<(StudyId, String)> =
            self.place.run(format_args!("list the studies"), || {
                self.conn
                    .lock()
                    .query("SELECT study_id, study_name FROM studies ORDER BY study_id")
                    .map_err(my)
            })?;
        // Each study's details are read by the methods that name it in their errors.
        study_records(self, ids)
    }

    fn create_new_trial(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>> {
        self.place
            .run(format_args!("create a trial in study {study_id}"), || {
                retry(|| self.create_new_trial_once(study_id, template))
            })
    }

    fn set_trial_param(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()> {
        self.place.run(
            format_args!("set parameter `{name}` of trial id {trial_id}"),
            || retry(|| self.set_trial_param_once(trial_id, name, internal, distribution)),
        )
    }

    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId> {
        self.place.run(
            format_args!("look up trial {number} of study {study_id}"),
            || {
                let found: Option<i64> = self
                    .conn
                    .lock()
                    .exec_first(
                        "SELECT trial_id FROM trials WHERE study_id = ? AND number = ?",
                        (study_id, number as i64),
                    )
                    .map_err(my)?;
                found.ok_or_else(|| {
                    Error::TrialNotFound(format!("number {number} in study id {study_id}"))
                })
            },
        )
    }

    fn set_trial_state_values(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool> {
        self.place
            .run(format_args!("set the state of trial id {trial_id}"), || {
                retry(|| self.set_trial_state_values_once(trial_id, state, values))
            })
    }

    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()> {
        self.place.run(
            format_args!("report step {step} of trial id {trial_id}"),
            || retry(|| self.set_trial_intermediate_value_once(trial_id, step, value)),
        )
    }

    fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.place.run(
            format_args!("set user attribute `{key}` of trial id {trial_id}"),
            || self.upsert_attr("trial_user_attributes", "trial_id", trial_id, key, &value),
        )
    }

    fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.place.run(
            format_args!("set system attribute `{key}` of trial id {trial_id}"),
            || self.upsert_attr("trial_system_attributes", "trial_id", trial_id, key, &value),
        )
    }

    fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>> {
        self.place
            .run(format_args!("read trial id {trial_id}"), || {
                let mut conn = self.conn.lock();
                Ok(Arc::new(Self::load_trial(&mut *conn, trial_id)?))
            })
    }

    fn get_all_trials(
        &self,
        study_id: StudyId,
        states: Option<&[TrialState]>,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        self.place
            .run(format_args!("read the trials of study {study_id}"), || {
                self.refresh(study_id)?;
                Ok(self.cache.lock()[&study_id].trials_in(states))
            })
    }

    fn finished_trials_since(&self, study_id: StudyId, cursor: usize) -> Result<FinishedSince> {
        self.place
            .run(format_args!("read the trials of study {study_id}"), || {
                self.refresh(study_id)?;
                Ok(self.cache.lock()[&study_id].finished_since(cursor))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: mysql::Error) -> String {
        Place::url("MySQL", "mysql://root@127.0.0.1:3306/test")
            .run(format_args!("read study 3"), || -> Result<()> {
                Err(my(e))
            })
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_driver_error_is_text_naming_the_server_and_the_operation() {
        let lost =
            std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "server disconnected");
        assert_eq!(
            message(mysql::Error::IoError(lost)),
            "storage error: MySQL mysql://root@127.0.0.1:3306/test: cannot read study 3: \
             server disconnected"
        );
        let deadlock = mysql::MySqlError {
            state: "40001".into(),
            message: "Deadlock found when trying to get lock".into(),
            code: 1213,
        };
        let err = my(mysql::Error::MySqlError(deadlock));
        assert!(retryable(&err), "{err}");
        assert_eq!(
            err.to_string(),
            "storage error: ERROR 1213 (40001): Deadlock found when trying to get lock"
        );
        let err = message(mysql::Error::DriverError(
            mysql::DriverError::ConnectTimeout,
        ));
        assert!(
            err.ends_with("cannot read study 3: Could not connect: connection timeout"),
            "{err}"
        );
        let Err(bad_url) = Opts::from_url("mysql://root@127.0.0.1:notaport/test") else {
            panic!("the port is not a number");
        };
        let err = message(bad_url.into());
        assert!(err.contains("invalid URL: "), "{err}");
        for err in [err, message(mysql::Error::FromValueError(SqlValue::NULL))] {
            assert!(
                !err.contains('{') && !err.contains("Error {"),
                "not the crate's struct-like Display: {err}"
            );
        }
    }
}
