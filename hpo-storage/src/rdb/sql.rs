//! The contract between [`RdbStorage`](super::RdbStorage) and a database driver: statements in
//! one SQL text with `?` placeholders, values of four kinds, rows as vectors of them, and driver
//! errors sorted by what may be done about them.

use std::fmt;

use hpo_core::Error;

/// A value bound to a statement or read from a row. Datetimes travel as text
/// (`2026-12-06 10:13:59.123456`) and enumerations as their labels; each backend converts
/// them to and from its column types.
#[derive(Clone, Debug, PartialEq)]
pub enum Sql {
    /// SQL `NULL`.
    Null,
    /// An integer.
    Int(i64),
    /// A double.
    Float(f64),
    /// Text: strings, enumeration labels, datetimes.
    Text(String),
}

impl From<i64> for Sql {
    fn from(v: i64) -> Self {
        Sql::Int(v)
    }
}

impl From<f64> for Sql {
    fn from(v: f64) -> Self {
        Sql::Float(v)
    }
}

impl From<&str> for Sql {
    fn from(v: &str) -> Self {
        Sql::Text(v.to_owned())
    }
}

impl From<String> for Sql {
    fn from(v: String) -> Self {
        Sql::Text(v)
    }
}

impl<T: Into<Sql>> From<Option<T>> for Sql {
    fn from(v: Option<T>) -> Self {
        v.map_or(Sql::Null, Into::into)
    }
}

/// The arguments of a statement: `args![study_id, name]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::rdb::Sql::from($v)),*] as &[$crate::rdb::Sql] };
}
pub(crate) use args;

/// One row of a result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row(pub Vec<Sql>);

impl Row {
    fn at(&self, i: usize) -> Result<&Sql, DbError> {
        self.0
            .get(i)
            .ok_or_else(|| DbError::other(format!("a row has no column {i}")))
    }

    /// Column `i` as an integer (`None` for `NULL`).
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.at(i)? {
            Sql::Null => Ok(None),
            Sql::Int(v) => Ok(Some(*v)),
            Sql::Float(v) if v.fract() == 0.0 => Ok(Some(*v as i64)),
            Sql::Text(s) => s
                .parse()
                .map(Some)
                .map_err(|_| DbError::other(format!("`{s}` in column {i} is not an integer"))),
            other => Err(DbError::other(format!(
                "{other:?} in column {i} is not an integer"
            ))),
        }
    }

    /// Column `i` as an integer; `NULL` is an error.
    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        self.opt_int(i)?
            .ok_or_else(|| DbError::other(format!("column {i} is NULL")))
    }

    /// Column `i` as a double (`None` for `NULL`).
    pub fn opt_float(&self, i: usize) -> Result<Option<f64>, DbError> {
        match self.at(i)? {
            Sql::Null => Ok(None),
            Sql::Int(v) => Ok(Some(*v as f64)),
            Sql::Float(v) => Ok(Some(*v)),
            Sql::Text(s) => s
                .parse()
                .map(Some)
                .map_err(|_| DbError::other(format!("`{s}` in column {i} is not a number"))),
        }
    }

    /// Column `i` as text (`None` for `NULL`).
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        match self.at(i)? {
            Sql::Null => Ok(None),
            Sql::Text(s) => Ok(Some(s.clone())),
            Sql::Int(v) => Ok(Some(v.to_string())),
            Sql::Float(v) => Ok(Some(v.to_string())),
        }
    }

    /// Column `i` as text; `NULL` is an error.
    pub fn text(&self, i: usize) -> Result<String, DbError> {
        self.opt_text(i)?
            .ok_or_else(|| DbError::other(format!("column {i} is NULL")))
    }
}

/// What a driver error allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbErrorKind {
    /// The connection is gone or the server is (re)starting: reconnect and try again. A
    /// transaction that had not committed was rolled back by the server.
    Connection,
    /// The server rolled the transaction back to break a deadlock or a lock wait: run it again.
    Conflict,
    /// A unique index refused a row.
    Duplicate,
    /// Anything else: reported as it is.
    Other,
}

/// A driver error: its kind and the driver's message as text (never a Rust struct's `Debug`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbError {
    /// What may be done about it.
    pub kind: DbErrorKind,
    /// The driver's (or server's) message.
    pub message: String,
}

impl DbError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> Self {
        DbError {
            kind,
            message: message.into(),
        }
    }

    /// An error that no retry can help.
    pub fn other(message: impl Into<String>) -> Self {
        DbError::new(DbErrorKind::Other, message)
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a storage operation stopped: a driver error (which the retry loop may act on) or one of
/// hpo's own errors (no such study, a finished trial, ...), which pass unchanged.
#[derive(Debug)]
pub(crate) enum Fail {
    Db(DbError),
    Hpo(Error),
}

impl From<DbError> for Fail {
    fn from(e: DbError) -> Self {
        Fail::Db(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Hpo(e)
    }
}

impl From<hpo_core::DistributionError> for Fail {
    fn from(e: hpo_core::DistributionError) -> Self {
        Fail::Hpo(e.into())
    }
}

impl From<serde_json::Error> for Fail {
    fn from(e: serde_json::Error) -> Self {
        Fail::Hpo(e.into())
    }
}

/// The result of one attempt of a storage operation.
pub(crate) type Attempt<T> = std::result::Result<T, Fail>;

/// A database driver under [`RdbStorage`](super::RdbStorage): runs statements written once for
/// all databases (`?` placeholders, `"key"` quoted with double quotes, the parts that differ
/// between dialects taken from the constants and methods below) on one connection.
pub trait RdbBackend: Send + 'static {
    /// The database's name in messages: `SQLite`, `PostgreSQL`, `MySQL`.
    const NAME: &'static str;
    /// Appended to a `SELECT` to lock its rows until the transaction ends (`" FOR UPDATE"`),
    /// or empty where a transaction locks the whole database (SQLite's `BEGIN IMMEDIATE`).
    const FOR_UPDATE: &'static str;
    /// The type of `CAST(x AS <TEXT>)` that turns an enumeration or a datetime into text.
    const TEXT: &'static str;
    /// The statement that starts a transaction that will write: `BEGIN`, SQLite's
    /// `BEGIN IMMEDIATE` (which takes the write lock at once), MySQL's `START TRANSACTION`.
    const BEGIN: &'static str;

    /// Rows of a query.
    fn query(&mut self, sql: &str, args: &[Sql]) -> Result<Vec<Row>, DbError>;
    /// Runs a statement; returns how many rows it changed.
    fn execute(&mut self, sql: &str, args: &[Sql]) -> Result<u64, DbError>;
    /// Runs an `INSERT` of one row into a table whose key column is `key`; returns the new key.
    fn insert(&mut self, sql: &str, args: &[Sql], key: &str) -> Result<i64, DbError>;
    /// Runs a statement without arguments or rows (transaction control).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    /// Starts a transaction that will write ([`BEGIN`](Self::BEGIN)).
    fn begin(&mut self) -> Result<(), DbError> {
        self.batch(Self::BEGIN)
    }
    /// Commits it.
    fn commit(&mut self) -> Result<(), DbError> {
        self.batch("COMMIT")
    }
    /// Rolls it back.
    fn rollback(&mut self) -> Result<(), DbError> {
        self.batch("ROLLBACK")
    }
    /// The clause that turns an `INSERT` into an update of the row that has the same
    /// `conflict` columns, setting `columns` from the inserted values.
    fn upsert(conflict: &str, columns: &[&str]) -> String;
    /// Replaces a lost connection with a new one.
    fn reconnect(&mut self) -> Result<(), DbError>;
    /// Creates Optuna's tables and indexes where they are missing (serialised against other
    /// processes doing the same), leaving existing ones alone.
    fn create_tables(&mut self) -> Result<(), DbError>;
}

/// `ON CONFLICT (...) DO UPDATE SET c = excluded.c`: the upsert of SQLite and PostgreSQL.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn on_conflict(conflict: &str, columns: &[&str]) -> String {
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!("ON CONFLICT ({conflict}) DO UPDATE SET {}", set.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_convert_what_drivers_return() {
        let row = Row(vec![
            Sql::Int(3),
            Sql::Null,
            Sql::Float(2.0),
            Sql::Text("7".into()),
            Sql::Text("x".into()),
        ]);
        assert_eq!(row.int(0).unwrap(), 3);
        assert_eq!(row.opt_int(1).unwrap(), None);
        assert_eq!(row.int(2).unwrap(), 2);
        assert_eq!(row.int(3).unwrap(), 7);
        assert_eq!(row.opt_float(0).unwrap(), Some(3.0));
        assert_eq!(row.text(4).unwrap(), "x");
        let e = row.int(4).unwrap_err();
        assert_eq!(e.message, "`x` in column 4 is not an integer");
        assert!(row.text(1).is_err());
        assert!(row.int(9).is_err());
        assert_eq!(
            args![1i64, "a", None::<f64>],
            &[Sql::Int(1), Sql::Text("a".into()), Sql::Null]
        );
        assert_eq!(
            on_conflict("trial_id, step", &["a", "b"]),
            "ON CONFLICT (trial_id, step) DO UPDATE SET a = excluded.a, b = excluded.b"
        );
    }
}
