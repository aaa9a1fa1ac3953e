//! `SqliteStorage`: Optuna's RDB schema in an SQLite file (bundled SQLite, no system library).

use std::path::{Path, PathBuf};
use std::time::Duration;

use hpo_core::Result;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode};

use super::sql::{DbError, DbErrorKind, RdbBackend, Row, Sql, on_conflict};
use super::{RdbStorage, finish};
use crate::place::Place;
use crate::retry::RetryPolicy;
use crate::schema::DDL;

/// A study storage in an SQLite database on Optuna 5.0's schema: studies written here open in
/// `optuna.load_study(storage="sqlite:///...")` and in optuna-dashboard, and Optuna's open here.
/// Trial numbers are assigned inside `BEGIN IMMEDIATE` transactions, so concurrent processes
/// never share one; finished trials are cached, and each read fetches only trials that are new
/// or were unfinished at the last read.
///
/// A database that cannot be written (a read-only file or mount) opens and reads; writes fail
/// with an error naming the file.
pub type SqliteStorage = RdbStorage<SqliteBackend>;

/// [`RdbStorage`]'s backend for SQLite (through `rusqlite`, SQLite bundled).
#[derive(Debug)]
pub struct SqliteBackend {
    path: PathBuf,
    conn: Connection,
}

/// A driver error as text; a unique index's refusal is told apart.
fn sql_err(e: rusqlite::Error) -> DbError {
    let kind = match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            DbErrorKind::Duplicate
        }
        _ => DbErrorKind::Other,
    };
    DbError::new(kind, e.to_string())
}

impl rusqlite::ToSql for Sql {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Sql::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Sql::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Sql::Float(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Sql::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn connect(path: &Path) -> std::result::Result<Connection, DbError> {
    let conn = Connection::open(path).map_err(sql_err)?;
    conn.busy_timeout(Duration::from_secs(120))
        .map_err(sql_err)?;
    Ok(conn)
}

impl RdbBackend for SqliteBackend {
    const NAME: &'static str = "SQLite";
    // `BEGIN IMMEDIATE` takes the database's write lock for the whole transaction.
    const FOR_UPDATE: &'static str = "";
    const TEXT: &'static str = "TEXT";
    const BEGIN: &'static str = "BEGIN IMMEDIATE";

    fn query(&mut self, sql: &str, args: &[Sql]) -> std::result::Result<Vec<Row>, DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_err)?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(args))
            .map_err(sql_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_err)? {
            let mut row = Vec::with_capacity(width);
            for i in 0..width {
                row.push(match r.get_ref(i).map_err(sql_err)? {
                    ValueRef::Null => Sql::Null,
                    ValueRef::Integer(v) => Sql::Int(v),
                    ValueRef::Real(v) => Sql::Float(v),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Sql::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, args: &[Sql]) -> std::result::Result<u64, DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_err)?;
        stmt.execute(rusqlite::params_from_iter(args))
            .map(|n| n as u64)
            .map_err(sql_err)
    }

    fn insert(&mut self, sql: &str, args: &[Sql], _key: &str) -> std::result::Result<i64, DbError> {
        self.execute(sql, args)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn batch(&mut self, sql: &str) -> std::result::Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(sql_err)
    }

    fn upsert(conflict: &str, columns: &[&str]) -> String {
        on_conflict(conflict, columns)
    }

    fn reconnect(&mut self) -> std::result::Result<(), DbError> {
        self.conn = connect(&self.path)?;
        Ok(())
    }

    fn create_tables(&mut self) -> std::result::Result<(), DbError> {
        // Every statement is `IF NOT EXISTS`: on a complete database (a read-only one
        // included) nothing is written.
        self.conn.execute_batch(DDL).map_err(sql_err)
    }
}

impl RdbStorage<SqliteBackend> {
    /// Opens (creating the file and the tables when needed) the database at `path`. A database
    /// of another schema version is an error saying which version it has.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        crate::url::check_parent_dir(&path, "SQLite database")?;
        let place = Place::file("SQLite", &path);
        let conn = connect(&path)
            .map_err(|e| finish(&place, format_args!("open the database"), e.into()))?;
        let mut storage = RdbStorage::start(
            place,
            SqliteBackend {
                path: path.clone(),
                conn,
            },
            RetryPolicy::default(),
        )?;
        storage.file = Some(path);
        Ok(storage)
    }

    /// Opens like [`open`](Self::open), then switches the database to write-ahead logging with
    /// `synchronous = NORMAL`: commits no longer wait for the disk (a power cut can lose the
    /// last commits, never corrupt the file), which makes each write several times faster.
    /// The mode is stored in the file; Optuna and optuna-dashboard read such databases.
    pub fn open_wal(path: impl AsRef<Path>) -> Result<Self> {
        let s = Self::open(path)?;
        s.run(
            format_args!("switch to write-ahead logging"),
            super::Tx::No,
            |b, _| {
                b.conn
                    .pragma_update(None, "journal_mode", "WAL")
                    .map_err(sql_err)?;
                b.conn
                    .pragma_update(None, "synchronous", "NORMAL")
                    .map_err(sql_err)?;
                Ok(())
            },
        )?;
        Ok(s)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        // Set by `open`, the only way to make an `RdbStorage<SqliteBackend>`.
        self.file.as_deref().unwrap_or(Path::new(""))
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
        let err = finish(
            &place,
            format_args!("create a trial in study 3"),
            sql_err(locked).into(),
        );
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
