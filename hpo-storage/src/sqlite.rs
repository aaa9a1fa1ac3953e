//! `SqliteStorage`: Optuna's RDB schema in an SQLite file (bundled SQLite, no system library).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hpo_core::json::{parse_python_json, to_python_json};
use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{
    Attrs, Distribution, Error, FrozenTrial, Param, Result, Storage, StudyDirection, TrialState,
};
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use crate::place::Place;
use crate::rdb::{
    StudyCache, from_db_time, from_value_columns, study_records, to_db_time, trial_to_create,
    value_columns,
};
use crate::schema::{ALEMBIC_HEAD, DDL, SCHEMA_VERSION};

/// A study storage in an SQLite database on Optuna 5.0's schema: studies written here open in
/// `optuna.load_study(storage="sqlite:///...")` and in optuna-dashboard, and Optuna's open here.
/// Trial numbers are assigned inside `BEGIN IMMEDIATE` transactions, so concurrent processes
/// never share one; finished trials are cached, and each read fetches only trials that are new
/// or were unfinished at the last read.
#[derive(Debug)]
pub struct SqliteStorage {
    path: PathBuf,
    /// `SQLite <path>`, for messages.
    place: Place,
    conn: Mutex<Connection>,
    cache: Mutex<HashMap<StudyId, StudyCache>>,
}

/// A driver error as the [`Error::Storage`] that [`Place::run`] completes: SQLite's own message
/// (`database is locked`), which names neither the file nor the operation.
fn sql_err(e: rusqlite::Error) -> Error {
    Error::Storage(e.to_string())
}

impl SqliteStorage {
    /// Opens (creating the file and the tables when needed) the database at `path`. A database
    /// of another schema version is an error saying which version it has.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        crate::url::check_parent_dir(&path, "SQLite database")?;
        let place = Place::file("SQLite", &path);
        let conn = place.run(format_args!("open the database"), || {
            let conn = Connection::open(&path).map_err(sql_err)?;
            Self::prepare(&conn)?;
            Ok(conn)
        })?;
        Ok(SqliteStorage {
            path,
            place,
            conn: Mutex::new(conn),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Sets the busy timeout, creates the tables when they are missing and checks (or stamps)
    /// the schema version.
    fn prepare(conn: &Connection) -> Result<()> {
        conn.busy_timeout(Duration::from_secs(120))
            .map_err(sql_err)?;
        conn.execute_batch(DDL).map_err(sql_err)?;
        let version: Option<(Option<i64>, Option<String>)> = conn
            .query_row("SELECT schema_version, library_version FROM version_info WHERE version_info_id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(sql_err)?;
        match version {
            None => {
                conn.execute(
                    "INSERT OR IGNORE INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?1, ?2)",
                    params![SCHEMA_VERSION, "5.0.0"],
                )
                .map_err(sql_err)?;
            }
            Some((Some(v), lib)) if v != SCHEMA_VERSION => {
                return Err(Error::Storage(format!(
                    "it has schema version {v} (written by {}), but this hpo reads version {SCHEMA_VERSION} \
                     (Optuna 5.0); upgrade it with `optuna storage upgrade`",
                    lib.unwrap_or_else(|| "an unknown version".into())
                )));
            }
            Some(_) => {}
        }
        let stamped: Option<String> = conn
            .query_row("SELECT version_num FROM alembic_version", [], |r| r.get(0))
            .optional()
            .map_err(sql_err)?;
        match stamped {
            None => {
                conn.execute(
                    "INSERT INTO alembic_version (version_num) VALUES (?1)",
                    [ALEMBIC_HEAD],
                )
                .map_err(sql_err)?;
            }
            Some(v) if v != ALEMBIC_HEAD => {
                return Err(Error::Storage(format!(
                    "it is at alembic revision {v}, not {ALEMBIC_HEAD} (Optuna 5.0); upgrade it with \
                     `optuna storage upgrade`"
                )));
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Opens like [`open`](Self::open), then switches the database to write-ahead logging with
    /// `synchronous = NORMAL`: commits no longer wait for the disk (a power cut can lose the
    /// last commits, never corrupt the file), which makes each write several times faster.
    /// The mode is stored in the file; Optuna and optuna-dashboard read such databases.
    pub fn open_wal(path: impl AsRef<Path>) -> Result<Self> {
        let s = Self::open(path)?;
        s.place
            .run(format_args!("switch to write-ahead logging"), || {
                let conn = s.conn.lock();
                conn.pragma_update(None, "journal_mode", "WAL")
                    .map_err(sql_err)?;
                conn.pragma_update(None, "synchronous", "NORMAL")
                    .map_err(sql_err)
            })?;
        Ok(s)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn study_exists(conn: &Connection, study_id: StudyId) -> Result<()> {
        let found: Option<i64> = conn
            .query_row(
                "SELECT study_id FROM studies WHERE study_id = ?1",
                [study_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err)?;
        found.map(|_| ()).ok_or(Error::StudyIdNotFound(study_id))
    }

    /// Number, state and study of a trial that may still change (else the error to report).
    fn updatable(conn: &Connection, trial_id: TrialId) -> Result<(u64, TrialState, StudyId)> {
        let row: Option<(Option<i64>, String, i64)> = conn
            .query_row(
                "SELECT number, state, study_id FROM trials WHERE trial_id = ?1",
                [trial_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sql_err)?;
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
        conn: &Connection,
        study_id: StudyId,
        name: &str,
        d: &Distribution,
    ) -> Result<()> {
        let existing: Option<String> = conn
            .query_row(
                "SELECT p.distribution_json FROM trial_params p JOIN trials t ON p.trial_id = t.trial_id \
                 WHERE t.study_id = ?1 AND p.param_name = ?2 LIMIT 1",
                params![study_id, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err)?;
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

    fn load_trial(conn: &Connection, trial_id: TrialId) -> Result<FrozenTrial> {
        let (number, state, start, complete): (Option<i64>, String, Option<String>, Option<String>) = conn
            .query_row(
                "SELECT number, state, datetime_start, datetime_complete FROM trials WHERE trial_id = ?1",
                [trial_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(sql_err)?
            .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
        let state = TrialState::from_name(&state)
            .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?;
        let mut t = FrozenTrial::new(state);
        t.trial_id = trial_id;
        t.number = number.unwrap_or(0) as u64;
        t.datetime_start = from_db_time(start);
        t.datetime_complete = from_db_time(complete);
        let mut stmt = conn
            .prepare_cached("SELECT param_name, param_value, distribution_json FROM trial_params WHERE trial_id = ?1 ORDER BY param_id")
            .map_err(sql_err)?;
        let rows = stmt
            .query_map([trial_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(sql_err)?;
        for row in rows {
            let (name, x, dj) = row.map_err(sql_err)?;
            // A corrupt row (a choice index past the last choice) is an error, not a panic.
            let param = Param::try_from_internal(x, Distribution::from_json(&dj)?)
                .map_err(|e| Error::param(name.clone(), e))?;
            t.params.insert(name, param);
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT value, value_type FROM trial_values WHERE trial_id = ?1 ORDER BY objective",
            )
            .map_err(sql_err)?;
        let values: Vec<f64> = stmt
            .query_map([trial_id], |r| {
                Ok(from_value_columns(r.get(0)?, &r.get::<_, String>(1)?))
            })
            .map_err(sql_err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(sql_err)?;
        t.values = if values.is_empty() {
            None
        } else {
            Some(values)
        };
        for (table, target) in [("trial_user_attributes", 0), ("trial_system_attributes", 1)] {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT \"key\", value_json FROM {table} WHERE trial_id = ?1"
                ))
                .map_err(sql_err)?;
            let rows = stmt
                .query_map([trial_id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(sql_err)?;
            for row in rows {
                let (k, v) = row.map_err(sql_err)?;
                let v = parse_python_json(&v)?;
                if target == 0 {
                    t.user_attrs.insert(k, v)
                } else {
                    t.system_attrs.insert(k, v)
                };
            }
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE trial_id = ?1",
            )
            .map_err(sql_err)?;
        let rows = stmt
            .query_map([trial_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    from_value_columns(r.get(1)?, &r.get::<_, String>(2)?),
                ))
            })
            .map_err(sql_err)?;
        for row in rows {
            let (s, v) = row.map_err(sql_err)?;
            t.intermediate_values.insert(s as u64, v);
        }
        Ok(t)
    }

    fn attrs(conn: &Connection, table: &str, study_id: StudyId) -> Result<Attrs> {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT \"key\", value_json FROM {table} WHERE study_id = ?1"
            ))
            .map_err(sql_err)?;
        let rows = stmt
            .query_map([study_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(sql_err)?;
        let mut out = Attrs::new();
        for row in rows {
            let (k, v) = row.map_err(sql_err)?;
            out.insert(k, parse_python_json(&v)?);
        }
        Ok(out)
    }

    /// Brings a study's cache up to date: new trials and trials unfinished at the last look.
    fn refresh(&self, study_id: StudyId) -> Result<()> {
        let conn = self.conn.lock();
        Self::study_exists(&conn, study_id)?;
        let mut caches = self.cache.lock();
        let cache = caches.entry(study_id).or_default();
        let mut ids: Vec<TrialId> = cache.unfinished.iter().copied().collect();
        let mut stmt = conn
            .prepare_cached("SELECT trial_id FROM trials WHERE study_id = ?1 AND trial_id > ?2 ORDER BY trial_id")
            .map_err(sql_err)?;
        let new: Vec<TrialId> = stmt
            .query_map(params![study_id, cache.max_id], |r| r.get(0))
            .map_err(sql_err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(sql_err)?;
        ids.extend(&new);
        for id in ids {
            cache.record(Self::load_trial(&conn, id)?);
        }
        Ok(())
    }
}

impl Storage for SqliteStorage {
    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        self.place.run(format_args!("create study `{name}`"), || {
            if directions.is_empty() {
                return Err(Error::InvalidArgument(
                    "a study needs at least one direction".into(),
                ));
            }
            let mut conn = self.conn.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_err)?;
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT study_id FROM studies WHERE study_name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql_err)?;
            if exists.is_some() {
                return Err(Error::DuplicatedStudy(name.to_owned()));
            }
            tx.execute("INSERT INTO studies (study_name) VALUES (?1)", [name])
                .map_err(sql_err)?;
            let id = tx.last_insert_rowid();
            for (i, d) in directions.iter().enumerate() {
                tx.execute(
                "INSERT INTO study_directions (direction, study_id, objective) VALUES (?1, ?2, ?3)",
                params![d.name(), id, i as i64],
            )
            .map_err(sql_err)?;
            }
            tx.commit().map_err(sql_err)?;
            Ok(id)
        })
    }

    fn delete_study(&self, study_id: StudyId) -> Result<()> {
        self.place.run(format_args!("delete study {study_id}"), || {
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        Self::study_exists(&tx, study_id)?;
        for table in [
            "trial_params",
            "trial_values",
            "trial_user_attributes",
            "trial_system_attributes",
            "trial_intermediate_values",
            "trial_heartbeats",
        ] {
            tx.execute(&format!("DELETE FROM {table} WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?1)"), [study_id])
                .map_err(sql_err)?;
        }
        for table in [
            "trials",
            "study_user_attributes",
            "study_system_attributes",
            "study_directions",
            "studies",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE study_id = ?1"),
                [study_id],
            )
            .map_err(sql_err)?;
        }
        tx.commit().map_err(sql_err)?;
        self.cache.lock().remove(&study_id);
        Ok(())
    })
    }

    fn set_study_user_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.place.run(
            format_args!("set user attribute `{key}` of study {study_id}"),
            || {
                let conn = self.conn.lock();
                Self::study_exists(&conn, study_id)?;
                conn.execute(
            "INSERT INTO study_user_attributes (study_id, \"key\", value_json) VALUES (?1, ?2, ?3) \
             ON CONFLICT(study_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
            params![study_id, key, to_python_json(&value)],
        )
        .map_err(sql_err)?;
                Ok(())
            },
        )
    }

    fn set_study_system_attr(&self, study_id: StudyId, key: &str, value: Value) -> Result<()> {
        self.place.run(format_args!("set system attribute `{key}` of study {study_id}"), || {
        let conn = self.conn.lock();
        Self::study_exists(&conn, study_id)?;
        conn.execute(
            "INSERT INTO study_system_attributes (study_id, \"key\", value_json) VALUES (?1, ?2, ?3) \
             ON CONFLICT(study_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
            params![study_id, key, to_python_json(&value)],
        )
        .map_err(sql_err)?;
        Ok(())
    })
    }

    fn get_study_id_from_name(&self, name: &str) -> Result<StudyId> {
        self.place.run(format_args!("look up study `{name}`"), || {
            let conn = self.conn.lock();
            conn.query_row(
                "SELECT study_id FROM studies WHERE study_name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err)?
            .ok_or_else(|| Error::StudyNotFound(name.to_owned()))
        })
    }

    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String> {
        self.place.run(format_args!("read study {study_id}"), || {
            let conn = self.conn.lock();
            conn.query_row(
                "SELECT study_name FROM studies WHERE study_id = ?1",
                [study_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err)?
            .ok_or(Error::StudyIdNotFound(study_id))
        })
    }

    // The statement borrows the connection: the binding ends that borrow before returning.
    #[allow(clippy::let_and_return)]
    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>> {
        self.place.run(format_args!("read study {study_id}"), || {
            let conn = self.conn.lock();
            Self::study_exists(&conn, study_id)?;
            let mut stmt = conn
                .prepare_cached(
                    "SELECT direction FROM study_directions WHERE study_id = ?1 ORDER BY objective",
                )
                .map_err(sql_err)?;
            let out = stmt
                .query_map([study_id], |r| r.get::<_, String>(0))
                .map_err(sql_err)?
                .map(|d| d.map_err(sql_err).and_then(|d| d.parse::<StudyDirection>()))
                .collect();
            out
        })
    }

    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.place.run(format_args!("read study {study_id}"), || {
            let conn = self.conn.lock();
            Self::study_exists(&conn, study_id)?;
            Self::attrs(&conn, "study_user_attributes", study_id)
        })
    }

    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.place.run(format_args!("read study {study_id}"), || {
            let conn = self.conn.lock();
            Self::study_exists(&conn, study_id)?;
            Self::attrs(&conn, "study_system_attributes", study_id)
        })
    }

    fn get_all_studies(&self) -> Result<Vec<StudyRecord>> {
        let ids: Vec<(StudyId, String)> =
            self.place.run(format_args!("list the studies"), || {
                let conn = self.conn.lock();
                let mut stmt = conn
                    .prepare("SELECT study_id, study_name FROM studies ORDER BY study_id")
                    .map_err(sql_err)?;
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(sql_err)?
                    .collect::<std::result::Result<_, _>>()
                    .map_err(sql_err)
            })?;
        // Each study's details are read by the methods that name it in their errors.
        study_records(self, ids)
    }

    fn create_new_trial(
        &self,
        study_id: StudyId,
        template: Option<&FrozenTrial>,
    ) -> Result<Arc<FrozenTrial>> {
        self.place.run(format_args!("create a trial in study {study_id}"), || {
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        Self::study_exists(&tx, study_id)?;
        let mut t = trial_to_create(template);
        for (name, p) in &t.params {
            Self::check_compatible(&tx, study_id, name, &p.distribution)?;
        }
        tx.execute(
            "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (NULL, ?1, ?2, ?3, ?4)",
            params![study_id, t.state.name(), t.datetime_start.map(to_db_time), t.datetime_complete.map(to_db_time)],
        )
        .map_err(sql_err)?;
        let id = tx.last_insert_rowid();
        let number: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM trials WHERE study_id = ?1 AND trial_id < ?2",
                params![study_id, id],
                |r| r.get(0),
            )
            .map_err(sql_err)?;
        tx.execute(
            "UPDATE trials SET number = ?1 WHERE trial_id = ?2",
            params![number, id],
        )
        .map_err(sql_err)?;
        for (name, p) in &t.params {
            tx.execute(
                "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, p.internal, p.distribution.to_json()],
            )
            .map_err(sql_err)?;
        }
        if let Some(vs) = &t.values {
            for (i, v) in vs.iter().enumerate() {
                let (value, kind) = value_columns(*v);
                tx.execute(
                    "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?1, ?2, ?3, ?4)",
                    params![id, i as i64, value, kind],
                )
                .map_err(sql_err)?;
            }
        }
        for (table, attrs) in [
            ("trial_user_attributes", &t.user_attrs),
            ("trial_system_attributes", &t.system_attrs),
        ] {
            for (k, v) in attrs {
                tx.execute(
                    &format!(
                        "INSERT INTO {table} (trial_id, \"key\", value_json) VALUES (?1, ?2, ?3)"
                    ),
                    params![id, k, to_python_json(v)],
                )
                .map_err(sql_err)?;
            }
        }
        for (s, v) in &t.intermediate_values {
            let (value, kind) = value_columns(*v);
            tx.execute(
                "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?1, ?2, ?3, ?4)",
                params![id, *s as i64, value, kind],
            )
            .map_err(sql_err)?;
        }
        tx.commit().map_err(sql_err)?;
        t.trial_id = id;
        t.number = number as u64;
        Ok(Arc::new(t))
    })
    }

    fn set_trial_param(
        &self,
        trial_id: TrialId,
        name: &str,
        internal: f64,
        distribution: &Distribution,
    ) -> Result<()> {
        self.place.run(format_args!("set parameter `{name}` of trial id {trial_id}"), || {
        let conn = self.conn.lock();
        let (_, _, study_id) = Self::updatable(&conn, trial_id)?;
        Self::check_compatible(&conn, study_id, name, distribution)?;
        conn.execute(
            "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(trial_id, param_name) DO UPDATE SET param_value = excluded.param_value, distribution_json = excluded.distribution_json",
            params![trial_id, name, internal, distribution.to_json()],
        )
        .map_err(sql_err)?;
        Ok(())
    })
    }

    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId> {
        self.place.run(
            format_args!("look up trial {number} of study {study_id}"),
            || {
                let conn = self.conn.lock();
                conn.query_row(
                    "SELECT trial_id FROM trials WHERE study_id = ?1 AND number = ?2",
                    params![study_id, number as i64],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql_err)?
                .ok_or_else(|| {
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
        self.place.run(format_args!("set the state of trial id {trial_id}"), || {
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        let (_, current, _) = Self::updatable(&tx, trial_id)?;
        if state == TrialState::Running && current != TrialState::Waiting {
            return Ok(false);
        }
        let now = to_db_time(hpo_core::storage::now());
        match state {
            TrialState::Running => tx.execute(
                "UPDATE trials SET state = ?1, datetime_start = ?2 WHERE trial_id = ?3",
                params![state.name(), now, trial_id],
            ),
            s if s.is_finished() => tx.execute(
                "UPDATE trials SET state = ?1, datetime_complete = ?2 WHERE trial_id = ?3",
                params![state.name(), now, trial_id],
            ),
            _ => tx.execute(
                "UPDATE trials SET state = ?1 WHERE trial_id = ?2",
                params![state.name(), trial_id],
            ),
        }
        .map_err(sql_err)?;
        if let Some(vs) = values {
            tx.execute("DELETE FROM trial_values WHERE trial_id = ?1", [trial_id])
                .map_err(sql_err)?;
            for (i, v) in vs.iter().enumerate() {
                let (value, kind) = value_columns(*v);
                tx.execute(
                    "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?1, ?2, ?3, ?4)",
                    params![trial_id, i as i64, value, kind],
                )
                .map_err(sql_err)?;
            }
        }
        tx.commit().map_err(sql_err)?;
        Ok(true)
    })
    }

    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()> {
        self.place.run(format_args!("report step {step} of trial id {trial_id}"), || {
        let conn = self.conn.lock();
        Self::updatable(&conn, trial_id)?;
        let (v, kind) = value_columns(value);
        conn.execute(
            "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT(trial_id, step) DO UPDATE SET intermediate_value = excluded.intermediate_value, \
             intermediate_value_type = excluded.intermediate_value_type",
            params![trial_id, step as i64, v, kind],
        )
        .map_err(sql_err)?;
        Ok(())
    })
    }

    fn set_trial_user_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.place.run(
            format_args!("set user attribute `{key}` of trial id {trial_id}"),
            || {
                let conn = self.conn.lock();
                Self::updatable(&conn, trial_id)?;
                conn.execute(
            "INSERT INTO trial_user_attributes (trial_id, \"key\", value_json) VALUES (?1, ?2, ?3) \
             ON CONFLICT(trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
            params![trial_id, key, to_python_json(&value)],
        )
        .map_err(sql_err)?;
                Ok(())
            },
        )
    }

    fn set_trial_system_attr(&self, trial_id: TrialId, key: &str, value: Value) -> Result<()> {
        self.place.run(format_args!("set system attribute `{key}` of trial id {trial_id}"), || {
        let conn = self.conn.lock();
        Self::updatable(&conn, trial_id)?;
        conn.execute(
            "INSERT INTO trial_system_attributes (trial_id, \"key\", value_json) VALUES (?1, ?2, ?3) \
             ON CONFLICT(trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
            params![trial_id, key, to_python_json(&value)],
        )
        .map_err(sql_err)?;
        Ok(())
    })
    }

    fn get_trial(&self, trial_id: TrialId) -> Result<Arc<FrozenTrial>> {
        self.place
            .run(format_args!("read trial id {trial_id}"), || {
                let conn = self.conn.lock();
                Ok(Arc::new(Self::load_trial(&conn, trial_id)?))
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

    #[test]
    fn a_driver_error_names_the_file_and_the_operation() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        let place = Place::file("SQLite", Path::new("/data/x.db"));
        let err = place
            .run(
                format_args!("create a trial in study 3"),
                || -> Result<()> { Err(sql_err(locked)) },
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "storage error: SQLite /data/x.db: cannot create a trial in study 3: database is locked"
        );
        let err = sql_err(rusqlite::Error::QueryReturnedNoRows).to_string();
        assert!(
            !err.contains('{') && !err.contains("QueryReturnedNoRows"),
            "{err}"
        );
    }
}
