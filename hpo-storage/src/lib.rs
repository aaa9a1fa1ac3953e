//! # hpo-storage
//!
//! Storages for [hpo](https://docs.rs/hpo) that Optuna reads: on Optuna 5.0's RDB schema,
//! [`SqliteStorage`] (embedded, bundled SQLite: the default persistent storage),
//! [`PostgresStorage`] and [`MysqlStorage`] (servers, for workers on many machines); and
//! [`JournalRedisStorage`] (Optuna's journal in Redis). A study written here opens in
//! `optuna.load_study(storage="sqlite:///file.db")` and in optuna-dashboard, and one written by
//! Optuna opens here. [`open`] picks a storage from a URL.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod mysql;
mod postgres;
mod rdb;
mod redis;
mod schema;
mod sqlite;
mod url;

pub use mysql::MysqlStorage;
pub use postgres::PostgresStorage;
pub use redis::{JournalRedisStorage, RedisBackend};
pub use schema::{ALEMBIC_HEAD, SCHEMA_VERSION};
pub use sqlite::SqliteStorage;
pub use url::open;
