//! `PostgresStorage`: Optuna's RDB schema on a PostgreSQL server, for workers on many machines.

use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use chrono::{NaiveDate, NaiveDateTime};
use hpo_core::Result;
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

use super::cache::{TIME_FORMAT, from_db_time};
use super::sql::{DbError, DbErrorKind, RdbBackend, Row, Sql, on_conflict};
use super::{RdbStorage, finish};
use crate::place::Place;
use crate::retry::RetryPolicy;
use crate::schema::{PG_DDL, TABLES};
use crate::url::{redact, without_driver};

/// A study storage on a PostgreSQL server, on Optuna 5.0's schema as SQLAlchemy creates it there
/// (native enum types included): studies written here open in
/// `optuna.load_study(storage="postgresql://...")` and in optuna-dashboard, and Optuna's open
/// here. Trial numbers are assigned while the study's row is locked (`SELECT ... FOR UPDATE`, as
/// Optuna does), so any number of hpo and Optuna processes never share one; finished trials are
/// cached, and each read fetches only trials that are new or were unfinished at the last read.
///
/// A lost connection (a restarted server, a cut network) is replaced and the operation retried
/// for up to a minute ([`RdbStorage::with_retry`] changes that), without ever applying a write
/// twice.
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
pub type PostgresStorage = RdbStorage<PostgresBackend>;

/// [`RdbStorage`]'s backend for PostgreSQL (through the `postgres` crate). Each distinct
/// statement is prepared once per connection, after which it runs in one round trip.
pub struct PostgresBackend {
    /// The URL to connect to (it may hold a password: never printed).
    url: String,
    client: Client,
    statements: HashMap<String, Statement>,
}

impl std::fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresBackend").finish_non_exhaustive()
    }
}

/// The advisory-lock key of hpo's schema creation (any constant; Optuna takes none).
const DDL_LOCK: i64 = 0x0068_706f_5f64_646c;

/// A driver error as text (the server's own message when there is one: the plain `Display`
/// only says "db error"), sorted by what a retry can do about it.
fn pg(e: postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let kind = match code {
            // serialization_failure, deadlock_detected, lock_not_available
            "40001" | "40P01" | "55P03" => DbErrorKind::Conflict,
            "23505" => DbErrorKind::Duplicate,
            // connection exceptions; admin / crash shutdown, cannot connect now (starting up)
            c if c.starts_with("08") || c.starts_with("57P") => DbErrorKind::Connection,
            _ => DbErrorKind::Other,
        };
        return DbError::new(kind, format!("{}: {}", db.severity(), db.message()));
    }
    let mut lost = e.is_closed();
    let mut cause = StdError::source(&e);
    while let Some(c) = cause {
        lost |= c.is::<std::io::Error>();
        cause = c.source();
    }
    let text = match StdError::source(&e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    };
    let kind = if lost || text.starts_with("error connecting") || text.contains("timeout") {
        DbErrorKind::Connection
    } else {
        DbErrorKind::Other
    };
    DbError::new(kind, redact(&text))
}

/// `?` placeholders as PostgreSQL's `$1, $2, ...` (no statement here has a `?` in a literal).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// 2000-01-01 00:00:00, PostgreSQL's epoch for timestamps.
fn pg_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Sql {
    /// Encodes the value in the binary format of the parameter's type as the server inferred
    /// it: integers at the column's width, text for text, enumerations (their labels) and
    /// timestamps (converted).
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match (self, ty) {
            (Sql::Null, _) => Ok(IsNull::Yes),
            (Sql::Int(v), &Type::INT2) => i16::try_from(*v)?.to_sql(ty, out),
            (Sql::Int(v), &Type::INT4) => i32::try_from(*v)?.to_sql(ty, out),
            (Sql::Int(v), &Type::INT8) => v.to_sql(ty, out),
            (Sql::Int(v), &Type::FLOAT8) => (*v as f64).to_sql(ty, out),
            (Sql::Int(v), &Type::FLOAT4) => (*v as f32).to_sql(ty, out),
            (Sql::Float(v), &Type::FLOAT8) => v.to_sql(ty, out),
            (Sql::Float(v), &Type::FLOAT4) => (*v as f32).to_sql(ty, out),
            (Sql::Text(s), &Type::TIMESTAMP | &Type::TIMESTAMPTZ) => {
                let t = from_db_time(Some(s.clone()))
                    .ok_or_else(|| format!("`{s}` is not a datetime"))?;
                let micros = (t.naive_utc() - pg_epoch())
                    .num_microseconds()
                    .ok_or("a datetime out of range")?;
                micros.to_sql(&Type::INT8, out)
            }
            (Sql::Text(s), _) => {
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Sql::Int(v), _) => {
                out.extend_from_slice(v.to_string().as_bytes());
                Ok(IsNull::No)
            }
            (Sql::Float(v), _) => Err(format!("cannot send {v} as a {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Sql {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(match *ty {
            Type::BOOL => Sql::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Sql::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Sql::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Sql::Int(i64::from_sql(ty, raw)?),
            Type::OID => Sql::Int(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => Sql::Float(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Sql::Float(f64::from_sql(ty, raw)?),
            Type::TIMESTAMP | Type::TIMESTAMPTZ => {
                let micros = i64::from_sql(&Type::INT8, raw)?;
                let t = pg_epoch() + chrono::TimeDelta::microseconds(micros);
                Sql::Text(t.format(TIME_FORMAT).to_string())
            }
            Type::VOID => Sql::Null,
            _ if matches!(ty.kind(), Kind::Enum(_))
                || [
                    Type::TEXT,
                    Type::VARCHAR,
                    Type::BPCHAR,
                    Type::NAME,
                    Type::UNKNOWN,
                ]
                .contains(ty) =>
            {
                Sql::Text(std::str::from_utf8(raw)?.to_owned())
            }
            _ => return Err(format!("a column of type {ty} cannot be read").into()),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Sql::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

impl PostgresBackend {
    fn statement(&mut self, sql: &str) -> std::result::Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&numbered(sql)).map_err(pg)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn params(args: &[Sql]) -> Vec<&(dyn ToSql + Sync)> {
        args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
    }
}

/// Connects with a bounded wait: an unreachable server fails within ten seconds.
fn connect(url: &str) -> std::result::Result<Client, DbError> {
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e: postgres::Error| DbError::other(redact(&e.to_string())))?;
    config.connect_timeout(std::time::Duration::from_secs(10));
    config.connect(NoTls).map_err(pg)
}

impl RdbBackend for PostgresBackend {
    const NAME: &'static str = "PostgreSQL";
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const TEXT: &'static str = "TEXT";
    const BEGIN: &'static str = "BEGIN";

    fn query(&mut self, sql: &str, args: &[Sql]) -> std::result::Result<Vec<Row>, DbError> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &Self::params(args)).map_err(pg)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<_, Sql>(i).map_err(pg))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn execute(&mut self, sql: &str, args: &[Sql]) -> std::result::Result<u64, DbError> {
        let stmt = self.statement(sql)?;
        self.client.execute(&stmt, &Self::params(args)).map_err(pg)
    }

    fn insert(&mut self, sql: &str, args: &[Sql], key: &str) -> std::result::Result<i64, DbError> {
        let rows = self.query(&format!("{sql} RETURNING {key}"), args)?;
        rows.first()
            .ok_or_else(|| DbError::other("the server returned no key for the new row"))?
            .int(0)
    }

    fn batch(&mut self, sql: &str) -> std::result::Result<(), DbError> {
        self.client.batch_execute(sql).map_err(pg)
    }

    fn upsert(conflict: &str, columns: &[&str]) -> String {
        on_conflict(conflict, columns)
    }

    fn reconnect(&mut self) -> std::result::Result<(), DbError> {
        self.client = connect(&self.url)?;
        // Prepared statements belong to the old connection.
        self.statements.clear();
        Ok(())
    }

    fn create_tables(&mut self) -> std::result::Result<(), DbError> {
        let mut tx = self.client.transaction().map_err(pg)?;
        // Serialise schema creation between first connections (`CREATE TYPE` has no
        // `IF NOT EXISTS`, and concurrent `CREATE TABLE IF NOT EXISTS` can still collide).
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
        tx.commit().map_err(pg)
    }
}

impl RdbStorage<PostgresBackend> {
    /// Connects to `url` (`postgresql://user[:password]@host[:port]/database`; SQLAlchemy's
    /// `postgresql+psycopg2://` is accepted too), creating Optuna's tables when they are missing.
    /// An unreachable server, a refused login, a missing database or a schema of another version
    /// is an error that names the server and never the password.
    pub fn open(url: &str) -> Result<Self> {
        let place = Place::url("PostgreSQL", url);
        let plain = without_driver(url, "postgresql", "postgres");
        let client =
            connect(&plain).map_err(|e| finish(&place, format_args!("connect"), e.into()))?;
        RdbStorage::start(
            place,
            PostgresBackend {
                url: plain,
                client,
                statements: HashMap::new(),
            },
            RetryPolicy::default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
    }
}
