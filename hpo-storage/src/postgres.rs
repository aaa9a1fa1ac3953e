//! `PostgresStorage`: Optuna's RDB schema on a PostgreSQL server, for workers on many machines.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::json::{parse_python_json, to_python_json};
use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{
    Attrs, Distribution, Error, FrozenTrial, Param, Result, Storage, StudyDirection, TrialState,
};
use parking_lot::Mutex;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement};
use serde_json::Value;

use crate::place::Place;
use crate::rdb::{
    StudyCache, from_db_time, from_value_columns, study_records, to_db_time, trial_to_create,
    value_columns,
};
use crate::schema::{ALEMBIC_HEAD, PG_DDL, SCHEMA_VERSION, TABLES};
use crate::url::redact;

/// A study storage on a PostgreSQL server, on Optuna 5.0's schema as SQLAlchemy creates it there
/// (native enum types included): studies written here open in
/// `optuna.load_study(storage="postgresql://...")` and in optuna-dashboard, and Optuna's open
/// here. Trial numbers are assigned while the study's row is locked (`SELECT ... FOR UPDATE`, as
/// Optuna does), so any number of hpo and Optuna processes never share one; finished trials are cached,
/// and each read fetches only trials that are new or were unfinished at the last read.
///
/// ```no_run
/// use hpo_storage::PostgresStorage;
/// let study = hpo_core::Study::builder()
///     .name("shared")
///     .storage(PostgresStorage::open("postgresql://postgres@127.0.0.1:5432/test")?)
///     .load_if_exists(true)
///     .build()?;
/// study.optimize(10, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))?;
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub struct PostgresStorage {
    /// `PostgreSQL <URL>` with any password replaced by `***`, for messages.
    place: Place,
    conn: Mutex<Conn>,
    cache: Mutex<HashMap<StudyId, StudyCache>>,
}

/// The connection and its prepared statements: each distinct query is parsed by the server
/// once, after which it runs in one round trip instead of two.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// A client (or a transaction on it) with the statement cache: what every query runs on.
struct Db<'a, C: GenericClient> {
    c: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

/// `Db` over the whole connection.
fn db_of(conn: &mut Conn) -> Db<'_, Client> {
    Db {
        c: &mut conn.client,
        statements: &mut conn.statements,
    }
}

type PgResult<T> = std::result::Result<T, postgres::Error>;

impl<C: GenericClient> Db<'_, C> {
    fn prepare(&mut self, sql: &str) -> PgResult<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.c.prepare(sql)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Vec<Row>> {
        let s = self.prepare(sql)?;
        self.c.query(&s, params)
    }

    fn query_opt(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Option<Row>> {
        let s = self.prepare(sql)?;
        self.c.query_opt(&s, params)
    }

    fn query_one(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Row> {
        let s = self.prepare(sql)?;
        self.c.query_one(&s, params)
    }

    fn execute(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<u64> {
        let s = self.prepare(sql)?;
        self.c.execute(&s, params)
    }
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStorage")
            .field("place", &self.place.to_string())
            .finish_non_exhaustive()
    }
}

/// A driver error as the [`Error::Storage`] that [`Place::run`] completes.
fn pg(e: postgres::Error) -> Error {
    Error::Storage(describe(&e))
}

/// The driver's message as text: the server's own when there is one (the plain `Display` only
/// says "db error"), else the client's with its cause (`error connecting to server: Connection
/// refused (os error 111)`).
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// The advisory-lock key space of hpo's schema creation (any constant; Optuna takes none).
const DDL_LOCK: i64 = 0x0068_706f_5f64_646c;

impl PostgresStorage {
    /// Connects to `url` (`postgresql://user[:password]@host[:port]/database`; SQLAlchemy's
    /// `postgresql+psycopg2://` is accepted too), creating Optuna's tables when they are missing.
    /// An unreachable server, a refused login, a missing database or a schema of another version
    /// is an error that names the server and never the password.
    pub fn open(url: &str) -> Result<Self> {
        let place = Place::url("PostgreSQL", url);
        let plain = match url.split_once("://") {
            Some((scheme, rest)) if scheme.starts_with("postgresql+") || scheme == "postgres" => {
                format!("postgresql://{rest}")
            }
            _ => url.to_owned(),
        };
        let mut client = Client::connect(&plain, NoTls)
            .map_err(|e| place.error(format_args!("connect"), redact(&describe(&e))))?;
        place.run(format_args!("open the database"), || {
            Self::prepare(&mut client)
        })?;
        Ok(PostgresStorage {
            place,
            conn: Mutex::new(Conn {
                client,
                statements: HashMap::new(),
            }),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Creates the tables when they are missing and checks (or stamps) the schema version.
    fn prepare(client: &mut Client) -> Result<()> {
        let mut tx = client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
            .map_err(pg)?;
        let present: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name::text = ANY($1::text[])",
                &[&&TABLES[..]],
            )
            .map_err(pg)?
            .get(0);
        if present < TABLES.len() as i64 {
            tx.batch_execute(PG_DDL).map_err(pg)?;
        }
        let version = tx
            .query_opt(
                "SELECT schema_version::bigint, library_version::text FROM version_info WHERE version_info_id = 1",
                &[],
            )
            .map_err(pg)?;
        match version {
            None => {
                tx.execute(
                    "INSERT INTO version_info (version_info_id, schema_version, library_version) \
                     VALUES (1, $1::bigint, $2::text)",
                    &[&SCHEMA_VERSION, &"5.0.0"],
                )
                .map_err(pg)?;
            }
            Some(row) => {
                let v: Option<i64> = row.get(0);
                if let Some(v) = v.filter(|v| *v != SCHEMA_VERSION) {
                    let lib: Option<String> = row.get(1);
                    return Err(Error::Storage(format!(
                        "it has schema version {v} (written by {}), but this hpo reads \
                         version {SCHEMA_VERSION} (Optuna 5.0); upgrade it with `optuna storage upgrade`",
                        lib.unwrap_or_else(|| "an unknown version".into())
                    )));
                }
            }
        }
        let stamped = tx
            .query_opt("SELECT version_num::text FROM alembic_version", &[])
            .map_err(pg)?;
        match stamped.map(|r| r.get::<_, String>(0)) {
            None => {
                tx.execute(
                    "INSERT INTO alembic_version (version_num) VALUES ($1::text)",
                    &[&ALEMBIC_HEAD],
                )
                .map_err(pg)?;
            }
            Some(v) if v != ALEMBIC_HEAD => {
                return Err(Error::Storage(format!(
                    "it is at alembic revision {v}, not {ALEMBIC_HEAD} (Optuna 5.0); \
                     upgrade it with `optuna storage upgrade`"
                )));
            }
            Some(_) => {}
        }
        tx.commit().map_err(pg)
    }

    fn study_exists(db: &mut Db<'_, impl GenericClient>, study_id: StudyId) -> Result<()> {
        db.query_opt(
            "SELECT 1 FROM studies WHERE study_id = $1::bigint",
            &[&study_id],
        )
        .map_err(pg)?
        .map(|_| ())
        .ok_or(Error::StudyIdNotFound(study_id))
    }

    /// Number, state and study of a trial that may still change (else the error to report).
    /// `lock` takes the row for the rest of the transaction.
    fn updatable(
        db: &mut Db<'_, impl GenericClient>,
        trial_id: TrialId,
        lock: bool,
    ) -> Result<(u64, TrialState, StudyId)> {
        let sql = if lock {
            "SELECT number::bigint, state::text, study_id::bigint FROM trials WHERE trial_id = $1::bigint FOR UPDATE"
        } else {
            "SELECT number::bigint, state::text, study_id::bigint FROM trials WHERE trial_id = $1::bigint"
        };
        let row = db
            .query_opt(sql, &[&trial_id])
            .map_err(pg)?
            .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
        let number: Option<i64> = row.get(0);
        let state: String = row.get(1);
        let state = TrialState::from_name(&state)
            .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?;
        let number = number.unwrap_or(0) as u64;
        if state.is_finished() {
            return Err(Error::TrialFinished { number, state });
        }
        Ok((number, state, row.get(2)))
    }

    fn check_compatible(
        db: &mut Db<'_, impl GenericClient>,
        study_id: StudyId,
        name: &str,
        d: &Distribution,
    ) -> Result<()> {
        let existing = db
            .query_opt(
                "SELECT p.distribution_json FROM trial_params p JOIN trials t ON p.trial_id = t.trial_id \
                 WHERE t.study_id = $1::bigint AND p.param_name = $2::text LIMIT 1",
                &[&study_id, &name],
            )
            .map_err(pg)?;
        if let Some(row) = existing {
            let old = Distribution::from_json(row.get(0))?;
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

    fn load_trial(db: &mut Db<'_, impl GenericClient>, trial_id: TrialId) -> Result<FrozenTrial> {
        let row = db
            .query_opt(
                "SELECT number::bigint, state::text, datetime_start::text, datetime_complete::text \
                 FROM trials WHERE trial_id = $1::bigint",
                &[&trial_id],
            )
            .map_err(pg)?
            .ok_or_else(|| Error::TrialNotFound(format!("with id {trial_id}")))?;
        let state: String = row.get(1);
        let state = TrialState::from_name(&state)
            .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?;
        let mut t = FrozenTrial::new(state);
        t.trial_id = trial_id;
        t.number = row.get::<_, Option<i64>>(0).unwrap_or(0) as u64;
        t.datetime_start = from_db_time(row.get(2));
        t.datetime_complete = from_db_time(row.get(3));
        for row in db
            .query(
                "SELECT param_name, param_value, distribution_json FROM trial_params \
                 WHERE trial_id = $1::bigint ORDER BY param_id",
                &[&trial_id],
            )
            .map_err(pg)?
        {
            let name: String = row.get(0);
            let dist = Distribution::from_json(row.get(2))?;
            // A corrupt row (a choice index past the last choice) is an error, not a panic.
            let param = Param::try_from_internal(row.get(1), dist)
                .map_err(|e| Error::param(name.clone(), e))?;
            t.params.insert(name, param);
        }
        let values: Vec<f64> = db
            .query(
                "SELECT value, value_type::text FROM trial_values WHERE trial_id = $1::bigint ORDER BY objective",
                &[&trial_id],
            )
            .map_err(pg)?
            .iter()
            .map(|r| from_value_columns(r.get(0), r.get(1)))
            .collect();
        t.values = (!values.is_empty()).then_some(values);
        for (table, user) in [
            ("trial_user_attributes", true),
            ("trial_system_attributes", false),
        ] {
            for row in db
                .query(
                    &format!("SELECT key, value_json FROM {table} WHERE trial_id = $1::bigint"),
                    &[&trial_id],
                )
                .map_err(pg)?
            {
                let v = parse_python_json(row.get(1))?;
                let target = if user {
                    &mut t.user_attrs
                } else {
                    &mut t.system_attrs
                };
                target.insert(row.get(0), v);
            }
        }
        for row in db
            .query(
                "SELECT step::bigint, intermediate_value, intermediate_value_type::text \
                 FROM trial_intermediate_values WHERE trial_id = $1::bigint",
                &[&trial_id],
            )
            .map_err(pg)?
        {
            let step: i64 = row.get(0);
            t.intermediate_values
                .insert(step as u64, from_value_columns(row.get(1), row.get(2)));
        }
        Ok(t)
    }

    fn attrs(db: &mut Db<'_, impl GenericClient>, table: &str, study_id: StudyId) -> Result<Attrs> {
        let mut out = Attrs::new();
        for row in db
            .query(
                &format!("SELECT key, value_json FROM {table} WHERE study_id = $1::bigint"),
                &[&study_id],
            )
            .map_err(pg)?
        {
            out.insert(row.get(0), parse_python_json(row.get(1))?);
        }
        Ok(out)
    }

    /// Brings a study's cache up to date: new trials and trials unfinished at the last look.
    fn refresh(&self, study_id: StudyId) -> Result<()> {
        let mut guard = self.conn.lock();
        let mut db = db_of(&mut guard);
        Self::study_exists(&mut db, study_id)?;
        let mut caches = self.cache.lock();
        let cache = caches.entry(study_id).or_default();
        let mut ids: Vec<TrialId> = cache.unfinished.iter().copied().collect();
        for row in db
            .query(
                "SELECT trial_id::bigint FROM trials WHERE study_id = $1::bigint AND trial_id > $2::bigint \
                 ORDER BY trial_id",
                &[&study_id, &cache.max_id],
            )
            .map_err(pg)?
        {
            ids.push(row.get(0));
        }
        for id in ids {
            cache.record(Self::load_trial(&mut db, id)?);
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
        let mut guard = self.conn.lock();
        let mut db = db_of(&mut guard);
        if owner == "study_id" {
            Self::study_exists(&mut db, id)?;
        } else {
            Self::updatable(&mut db, id, false)?;
        }
        db
            .execute(
                &format!(
                    "INSERT INTO {table} ({owner}, key, value_json) VALUES ($1::bigint, $2::text, $3::text) \
                     ON CONFLICT ({owner}, key) DO UPDATE SET value_json = excluded.value_json"
                ),
                &[&id, &key, &to_python_json(value)],
            )
            .map_err(pg)?;
        Ok(())
    }
}

fn insert_value(
    db: &mut Db<'_, impl GenericClient>,
    trial_id: TrialId,
    objective: usize,
    v: f64,
) -> Result<()> {
    let (value, kind) = value_columns(v);
    db.execute(
        "INSERT INTO trial_values (trial_id, objective, value, value_type) \
         VALUES ($1::bigint, $2::bigint, $3, $4::text::trialvaluetype)",
        &[&trial_id, &(objective as i64), &value, &kind],
    )
    .map_err(pg)?;
    Ok(())
}

impl Storage for PostgresStorage {
    fn create_new_study(&self, directions: &[StudyDirection], name: &str) -> Result<StudyId> {
        self.place.run(format_args!("create study `{name}`"), || {
            if directions.is_empty() {
                return Err(Error::InvalidArgument(
                    "a study needs at least one direction".into(),
                ));
            }
            let mut guard = self.conn.lock();
            let conn = &mut *guard;
            let mut tx = conn.client.transaction().map_err(pg)?;
            let mut db = Db {
                c: &mut tx,
                statements: &mut conn.statements,
            };
            // Serialise creations of one name (the unique index would refuse the second anyway).
            db.execute("SELECT pg_advisory_xact_lock($1)", &[&(DDL_LOCK + 1)])
                .map_err(pg)?;
            if db
                .query_opt(
                    "SELECT 1 FROM studies WHERE study_name = $1::text",
                    &[&name],
                )
                .map_err(pg)?
                .is_some()
            {
                return Err(Error::DuplicatedStudy(name.to_owned()));
            }
            let id: i64 = db
                .query_one(
                    "INSERT INTO studies (study_name) VALUES ($1::text) RETURNING study_id::bigint",
                    &[&name],
                )
                .map_err(pg)?
                .get(0);
            for (i, d) in directions.iter().enumerate() {
                db.execute(
                    "INSERT INTO study_directions (direction, study_id, objective) \
                 VALUES ($1::text::studydirection, $2::bigint, $3::bigint)",
                    &[&d.name(), &id, &(i as i64)],
                )
                .map_err(pg)?;
            }
            tx.commit().map_err(pg)?;
            Ok(id)
        })
    }

    fn delete_study(&self, study_id: StudyId) -> Result<()> {
        self.place.run(format_args!("delete study {study_id}"), || {
        let mut guard = self.conn.lock();
        let conn = &mut *guard;
        let mut tx = conn.client.transaction().map_err(pg)?;
        let mut db = Db {
            c: &mut tx,
            statements: &mut conn.statements,
        };
        Self::study_exists(&mut db, study_id)?;
        for table in [
            "trial_params",
            "trial_values",
            "trial_user_attributes",
            "trial_system_attributes",
            "trial_intermediate_values",
            "trial_heartbeats",
        ] {
            db.execute(
                &format!(
                    "DELETE FROM {table} WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = $1::bigint)"
                ),
                &[&study_id],
            )
            .map_err(pg)?;
        }
        for table in [
            "trials",
            "study_user_attributes",
            "study_system_attributes",
            "study_directions",
            "studies",
        ] {
            db.execute(
                &format!("DELETE FROM {table} WHERE study_id = $1::bigint"),
                &[&study_id],
            )
            .map_err(pg)?;
        }
        tx.commit().map_err(pg)?;
        self.cache.lock().remove(&study_id);
        Ok(())
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
            db_of(&mut self.conn.lock())
                .query_opt(
                    "SELECT study_id::bigint FROM studies WHERE study_name = $1::text",
                    &[&name],
                )
                .map_err(pg)?
                .map(|r| r.get(0))
                .ok_or_else(|| Error::StudyNotFound(name.to_owned()))
        })
    }

    fn get_study_name_from_id(&self, study_id: StudyId) -> Result<String> {
        self.place.run(format_args!("read study {study_id}"), || {
            db_of(&mut self.conn.lock())
                .query_opt(
                    "SELECT study_name FROM studies WHERE study_id = $1::bigint",
                    &[&study_id],
                )
                .map_err(pg)?
                .map(|r| r.get(0))
                .ok_or(Error::StudyIdNotFound(study_id))
        })
    }

    fn get_study_directions(&self, study_id: StudyId) -> Result<Vec<StudyDirection>> {
        self.place.run(format_args!("read study {study_id}"), || {
        let mut guard = self.conn.lock();
        let mut db = db_of(&mut guard);
        Self::study_exists(&mut db, study_id)?;
        db
            .query(
                "SELECT direction::text FROM study_directions WHERE study_id = $1::bigint ORDER BY objective",
                &[&study_id],
            )
            .map_err(pg)?
            .iter()
            .map(|r| r.get::<_, String>(0).parse::<StudyDirection>())
            .collect()
    })
    }

    fn get_study_user_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.place.run(format_args!("read study {study_id}"), || {
            let mut guard = self.conn.lock();
            let mut db = db_of(&mut guard);
            Self::study_exists(&mut db, study_id)?;
            Self::attrs(&mut db, "study_user_attributes", study_id)
        })
    }

    fn get_study_system_attrs(&self, study_id: StudyId) -> Result<Attrs> {
        self.place.run(format_args!("read study {study_id}"), || {
            let mut guard = self.conn.lock();
            let mut db = db_of(&mut guard);
            Self::study_exists(&mut db, study_id)?;
            Self::attrs(&mut db, "study_system_attributes", study_id)
        })
    }

    fn get_all_studies(&self) -> Result<Vec<StudyRecord>> {
        let ids: Vec<(StudyId, String)> =
            self.place.run(format_args!("list the studies"), || {
                Ok(db_of(&mut self.conn.lock())
                    .query(
                        "SELECT study_id::bigint, study_name FROM studies ORDER BY study_id",
                        &[],
                    )
                    .map_err(pg)?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect())
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
        let mut guard = self.conn.lock();
        let conn = &mut *guard;
        let mut tx = conn.client.transaction().map_err(pg)?;
        let mut db = Db {
            c: &mut tx,
            statements: &mut conn.statements,
        };
        // The study's row stays locked until commit, as Optuna locks it: one writer per study
        // (hpo or Optuna) counts the number below, which is then never shared.
        db.query_opt(
            "SELECT 1 FROM studies WHERE study_id = $1::bigint FOR UPDATE",
            &[&study_id],
        )
        .map_err(pg)?
        .ok_or(Error::StudyIdNotFound(study_id))?;
        let mut t = trial_to_create(template);
        for (name, p) in &t.params {
            Self::check_compatible(&mut db, study_id, name, &p.distribution)?;
        }
        let id: i64 = db
            .query_one(
                "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) \
                 VALUES (NULL, $1::bigint, $2::text::trialstate, $3::text::timestamp, $4::text::timestamp) \
                 RETURNING trial_id::bigint",
                &[
                    &study_id,
                    &t.state.name(),
                    &t.datetime_start.map(to_db_time),
                    &t.datetime_complete.map(to_db_time),
                ],
            )
            .map_err(pg)?
            .get(0);
        let number: i64 = db
            .query_one(
                "SELECT COUNT(*) FROM trials WHERE study_id = $1::bigint AND trial_id < $2::bigint",
                &[&study_id, &id],
            )
            .map_err(pg)?
            .get(0);
        db.execute(
            "UPDATE trials SET number = $1::bigint WHERE trial_id = $2::bigint",
            &[&number, &id],
        )
        .map_err(pg)?;
        for (name, p) in &t.params {
            db.execute(
                "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) \
                 VALUES ($1::bigint, $2::text, $3, $4::text)",
                &[&id, name, &p.internal, &p.distribution.to_json()],
            )
            .map_err(pg)?;
        }
        if let Some(vs) = &t.values {
            for (i, v) in vs.iter().enumerate() {
                insert_value(&mut db, id, i, *v)?;
            }
        }
        for (table, attrs) in [
            ("trial_user_attributes", &t.user_attrs),
            ("trial_system_attributes", &t.system_attrs),
        ] {
            for (k, v) in attrs {
                db.execute(
                    &format!(
                        "INSERT INTO {table} (trial_id, key, value_json) VALUES ($1::bigint, $2::text, $3::text)"
                    ),
                    &[&id, k, &to_python_json(v)],
                )
                .map_err(pg)?;
            }
        }
        for (s, v) in &t.intermediate_values {
            let (value, kind) = value_columns(*v);
            db.execute(
                "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) \
                 VALUES ($1::bigint, $2::bigint, $3, $4::text::trialintermediatevaluetype)",
                &[&id, &(*s as i64), &value, &kind],
            )
            .map_err(pg)?;
        }
        tx.commit().map_err(pg)?;
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
        let mut guard = self.conn.lock();
        let mut db = db_of(&mut guard);
        let (_, _, study_id) = Self::updatable(&mut db, trial_id, false)?;
        Self::check_compatible(&mut db, study_id, name, distribution)?;
        db
            .execute(
                "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) \
                 VALUES ($1::bigint, $2::text, $3, $4::text) ON CONFLICT (trial_id, param_name) DO UPDATE \
                 SET param_value = excluded.param_value, distribution_json = excluded.distribution_json",
                &[&trial_id, &name, &internal, &distribution.to_json()],
            )
            .map_err(pg)?;
        Ok(())
    })
    }

    fn get_trial_id_from_study_id_trial_number(
        &self,
        study_id: StudyId,
        number: u64,
    ) -> Result<TrialId> {
        self.place.run(format_args!("look up trial {number} of study {study_id}"), || {
        db_of(&mut self.conn.lock())
            .query_opt(
                "SELECT trial_id::bigint FROM trials WHERE study_id = $1::bigint AND number = $2::bigint",
                &[&study_id, &(number as i64)],
            )
            .map_err(pg)?
            .map(|r| r.get(0))
            .ok_or_else(|| Error::TrialNotFound(format!("number {number} in study id {study_id}")))
    })
    }

    fn set_trial_state_values(
        &self,
        trial_id: TrialId,
        state: TrialState,
        values: Option<&[f64]>,
    ) -> Result<bool> {
        self.place.run(format_args!("set the state of trial id {trial_id}"), || {
        let mut guard = self.conn.lock();
        let conn = &mut *guard;
        let mut tx = conn.client.transaction().map_err(pg)?;
        let mut db = Db {
            c: &mut tx,
            statements: &mut conn.statements,
        };
        // FOR UPDATE: of two workers popping one Waiting trial, the second sees it Running.
        let (_, current, _) = Self::updatable(&mut db, trial_id, true)?;
        if state == TrialState::Running && current != TrialState::Waiting {
            return Ok(false);
        }
        let now = to_db_time(hpo_core::storage::now());
        let column = match state {
            TrialState::Running => Some("datetime_start"),
            s if s.is_finished() => Some("datetime_complete"),
            _ => None,
        };
        match column {
            Some(column) => db.execute(
                &format!(
                    "UPDATE trials SET state = $1::text::trialstate, {column} = $2::text::timestamp \
                     WHERE trial_id = $3::bigint"
                ),
                &[&state.name(), &now, &trial_id],
            ),
            None => db.execute(
                "UPDATE trials SET state = $1::text::trialstate WHERE trial_id = $2::bigint",
                &[&state.name(), &trial_id],
            ),
        }
        .map_err(pg)?;
        if let Some(vs) = values {
            db.execute(
                "DELETE FROM trial_values WHERE trial_id = $1::bigint",
                &[&trial_id],
            )
            .map_err(pg)?;
            for (i, v) in vs.iter().enumerate() {
                insert_value(&mut db, trial_id, i, *v)?;
            }
        }
        tx.commit().map_err(pg)?;
        Ok(true)
    })
    }

    fn set_trial_intermediate_value(&self, trial_id: TrialId, step: u64, value: f64) -> Result<()> {
        self.place.run(format_args!("report step {step} of trial id {trial_id}"), || {
        let mut guard = self.conn.lock();
        let mut db = db_of(&mut guard);
        Self::updatable(&mut db, trial_id, false)?;
        let (v, kind) = value_columns(value);
        db
            .execute(
                "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) \
                 VALUES ($1::bigint, $2::bigint, $3, $4::text::trialintermediatevaluetype) \
                 ON CONFLICT (trial_id, step) DO UPDATE SET intermediate_value = excluded.intermediate_value, \
                 intermediate_value_type = excluded.intermediate_value_type",
                &[&trial_id, &(step as i64), &v, &kind],
            )
            .map_err(pg)?;
        Ok(())
    })
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
                let mut guard = self.conn.lock();
                let mut db = db_of(&mut guard);
                Ok(Arc::new(Self::load_trial(&mut db, trial_id)?))
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
    fn a_driver_error_is_text_naming_the_server_and_the_operation() {
        // Nothing listens on port 1: the driver's error, without any server.
        let Err(e) = Client::connect("host=127.0.0.1 port=1 user=someone", NoTls) else {
            panic!("nothing listens on port 1");
        };
        let why = describe(&e);
        assert!(why.contains("error connecting to server"), "{why}");
        assert!(!why.contains('{') && !why.contains("kind:"), "{why}");
        let place = Place::url(
            "PostgreSQL",
            "postgresql://someone:hunter2@127.0.0.1:1/test",
        );
        let err = place
            .run(format_args!("read study 3"), || -> Result<()> {
                Err(pg(e))
            })
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "storage error: PostgreSQL postgresql://someone:***@127.0.0.1:1/test: \
                 cannot read study 3: {why}"
            )
        );
        let e = "host=h port=notaport"
            .parse::<postgres::Config>()
            .unwrap_err();
        let why = describe(&e);
        assert!(why.contains("port") && !why.contains('{'), "{why}");
    }
}
