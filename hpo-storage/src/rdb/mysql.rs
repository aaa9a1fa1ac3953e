//! `MysqlStorage`: Optuna's RDB schema on a MySQL or MariaDB server.

use hpo_core::Result;
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Value};

use super::sql::{DbError, DbErrorKind, RdbBackend, Row, Sql};
use super::{RdbStorage, finish};
use crate::place::Place;
use crate::retry::RetryPolicy;
use crate::schema::{MYSQL_DDL, TABLES};
use crate::url::{redact, without_driver};

/// A study storage on a MySQL or MariaDB server, on Optuna 5.0's schema as SQLAlchemy creates it
/// there (`ENUM` columns, second-resolution `DATETIME`): studies written here open in
/// `optuna.load_study(storage="mysql+pymysql://...")` and in optuna-dashboard, and Optuna's open
/// here. Trial numbers are assigned while the study's row is locked (`SELECT ... FOR UPDATE`),
/// so concurrent processes never share one; finished trials are cached, and each read fetches
/// only trials that are new or were unfinished at the last read.
///
/// A lost connection (a restarted server, a cut network) is replaced and the operation retried
/// for up to a minute ([`RdbStorage::with_retry`] changes that), without ever applying a write
/// twice; a transaction InnoDB rolls back to break a deadlock runs again.
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
pub type MysqlStorage = RdbStorage<MysqlBackend>;

/// [`RdbStorage`]'s backend for MySQL and MariaDB (through the `mysql` crate): InnoDB at READ
/// COMMITTED (row locks, no gap locks), statements prepared once per connection.
pub struct MysqlBackend {
    /// How to connect (it may hold a password: never printed).
    opts: Opts,
    conn: Conn,
}

impl std::fmt::Debug for MysqlBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlBackend").finish_non_exhaustive()
    }
}

/// The driver's message as text, sorted by what a retry can do about it. The `mysql` crate's
/// own `Display` wraps it in the variant's name and braces (`IoError { Connection refused (os
/// error 111) }`), so each part is shown here instead: `Connection refused (os error 111)`, or
/// the server's `ERROR 1213 (40001): Deadlock found ...`.
fn my(e: mysql::Error) -> DbError {
    use mysql::{DriverError as D, Error as E, UrlError};
    let (kind, text) = match &e {
        E::IoError(e) => (DbErrorKind::Connection, e.to_string()),
        E::CodecError(e) => (DbErrorKind::Connection, e.to_string()),
        E::MySqlError(m) => {
            let kind = match m.code {
                // deadlock, lock wait timeout
                1213 | 1205 => DbErrorKind::Conflict,
                1062 => DbErrorKind::Duplicate,
                // server shutdown, connection killed, gone away, lost, too many connections
                1053 | 1927 | 2006 | 2013 | 1040 | 1152 | 1153 | 1158..=1161 => {
                    DbErrorKind::Connection
                }
                _ => DbErrorKind::Other,
            };
            (kind, m.to_string())
        }
        E::DriverError(d) => {
            let kind = match d {
                D::ConnectTimeout
                | D::CouldNotConnect(_)
                | D::PacketOutOfSync
                | D::UnexpectedPacket
                | D::Timeout => DbErrorKind::Connection,
                _ => DbErrorKind::Other,
            };
            (kind, d.to_string())
        }
        E::UrlError(UrlError::ParseError(e)) => (DbErrorKind::Other, format!("invalid URL: {e}")),
        E::UrlError(e) => (DbErrorKind::Other, e.to_string()),
        E::FromRowError(_) => (
            DbErrorKind::Other,
            "a row does not have the columns expected".to_owned(),
        ),
        E::FromValueError(_) => (
            DbErrorKind::Other,
            "a value does not have the type expected".to_owned(),
        ),
        // Variants that only some of the crate's features have (TLS): their `Display`, without
        // the `Name { ... }` wrapper.
        #[allow(unreachable_patterns)]
        other => {
            let text = other.to_string();
            let inner = match text.split_once(" { ") {
                Some((_, inner)) => inner.strip_suffix(" }").unwrap_or(inner).to_owned(),
                None => text,
            };
            (DbErrorKind::Other, inner)
        }
    };
    DbError::new(kind, redact(&text))
}

/// The statement in MySQL's quoting: identifiers in backquotes (no statement here has a double
/// quote in a literal).
fn quoted(sql: &str) -> String {
    sql.replace('"', "`")
}

fn to_value(v: &Sql) -> Value {
    match v {
        Sql::Null => Value::NULL,
        Sql::Int(v) => Value::Int(*v),
        Sql::Float(v) => Value::Double(*v),
        Sql::Text(s) => Value::Bytes(s.as_bytes().to_vec()),
    }
}

fn from_value(v: Value) -> Sql {
    match v {
        Value::NULL => Sql::Null,
        Value::Int(v) => Sql::Int(v),
        Value::UInt(v) => Sql::Int(v as i64),
        Value::Float(v) => Sql::Float(v.into()),
        Value::Double(v) => Sql::Float(v),
        Value::Bytes(b) => Sql::Text(String::from_utf8_lossy(&b).into_owned()),
        Value::Date(y, mo, d, h, mi, s, us) => Sql::Text(format!(
            "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}"
        )),
        Value::Time(neg, days, h, mi, s, us) => Sql::Text(format!(
            "{}{}:{mi:02}:{s:02}.{us:06}",
            if neg { "-" } else { "" },
            u32::from(h) + days * 24
        )),
    }
}

fn params(args: &[Sql]) -> mysql::Params {
    if args.is_empty() {
        mysql::Params::Empty
    } else {
        mysql::Params::Positional(args.iter().map(to_value).collect())
    }
}

/// Connects and sets the session up: READ COMMITTED takes row locks only, no gap locks, so
/// concurrent inserts into one index do not deadlock.
fn connect(opts: &Opts) -> std::result::Result<Conn, DbError> {
    let mut conn = Conn::new(opts.clone()).map_err(my)?;
    conn.query_drop("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .map_err(my)?;
    Ok(conn)
}

impl RdbBackend for MysqlBackend {
    const NAME: &'static str = "MySQL";
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const TEXT: &'static str = "CHAR";
    const BEGIN: &'static str = "START TRANSACTION";

    fn query(&mut self, sql: &str, args: &[Sql]) -> std::result::Result<Vec<Row>, DbError> {
        let rows: Vec<mysql::Row> = self.conn.exec(quoted(sql), params(args)).map_err(my)?;
        Ok(rows
            .into_iter()
            .map(|r| Row(r.unwrap().into_iter().map(from_value).collect()))
            .collect())
    }

    fn execute(&mut self, sql: &str, args: &[Sql]) -> std::result::Result<u64, DbError> {
        self.conn.exec_drop(quoted(sql), params(args)).map_err(my)?;
        Ok(self.conn.affected_rows())
    }

    fn insert(&mut self, sql: &str, args: &[Sql], _key: &str) -> std::result::Result<i64, DbError> {
        self.execute(sql, args)?;
        match self.conn.last_insert_id() {
            0 => Err(DbError::other("the server returned no key for the new row")),
            id => Ok(id as i64),
        }
    }

    fn batch(&mut self, sql: &str) -> std::result::Result<(), DbError> {
        self.conn.query_drop(sql).map_err(my)
    }

    fn upsert(_conflict: &str, columns: &[&str]) -> String {
        let set: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = VALUES({c})"))
            .collect();
        format!("ON DUPLICATE KEY UPDATE {}", set.join(", "))
    }

    fn reconnect(&mut self) -> std::result::Result<(), DbError> {
        self.conn = connect(&self.opts)?;
        Ok(())
    }

    fn create_tables(&mut self) -> std::result::Result<(), DbError> {
        // Serialise schema creation between first connections.
        self.conn
            .query_drop("SELECT GET_LOCK('hpo_optuna_schema', 60)")
            .map_err(my)?;
        let created = self.create_missing_tables();
        self.conn
            .query_drop("SELECT RELEASE_LOCK('hpo_optuna_schema')")
            .map_err(my)?;
        created
    }
}

impl MysqlBackend {
    fn create_missing_tables(&mut self) -> std::result::Result<(), DbError> {
        let names = TABLES.map(|t| format!("'{t}'")).join(", ");
        let present: Option<i64> = self
            .conn
            .query_first(format!(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name IN ({names})"
            ))
            .map_err(my)?;
        if present.unwrap_or(0) < TABLES.len() as i64 {
            for ddl in MYSQL_DDL {
                self.conn.query_drop(ddl).map_err(my)?;
            }
        }
        Ok(())
    }
}

impl RdbStorage<MysqlBackend> {
    /// Connects to `url` (`mysql://user[:password]@host[:port]/database`; SQLAlchemy's
    /// `mysql+pymysql://` is accepted too), creating Optuna's tables when they are missing.
    /// An unreachable server, a refused login, a missing database or a schema of another version
    /// is an error that names the server and never the password.
    pub fn open(url: &str) -> Result<Self> {
        let place = Place::url("MySQL", url);
        let plain = without_driver(url, "mysql", "mariadb");
        let fail = |e: DbError| finish(&place, format_args!("connect"), e.into());
        let opts = Opts::from_url(&plain).map_err(|e| fail(my(e.into())))?;
        let opts: Opts = OptsBuilder::from_opts(opts)
            .stmt_cache_size(Some(256))
            .tcp_connect_timeout(Some(std::time::Duration::from_secs(10)))
            .into();
        let conn = connect(&opts).map_err(fail)?;
        RdbStorage::start(place, MysqlBackend { opts, conn }, RetryPolicy::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_values_in_mysql_form() {
        assert_eq!(
            quoted("SELECT \"key\" FROM t WHERE a = ?"),
            "SELECT `key` FROM t WHERE a = ?"
        );
        assert_eq!(
            MysqlBackend::upsert("trial_id, step", &["a", "b"]),
            "ON DUPLICATE KEY UPDATE a = VALUES(a), b = VALUES(b)"
        );
        assert_eq!(
            from_value(Value::Date(2026, 12, 6, 10, 13, 59, 5)),
            Sql::Text("2026-12-06 10:13:59.000005".into())
        );
        assert_eq!(from_value(Value::UInt(7)), Sql::Int(7));
        assert_eq!(
            to_value(&Sql::Text("x".into())),
            Value::Bytes(b"x".to_vec())
        );
    }
}
