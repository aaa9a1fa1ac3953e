//! # hpo-storage
//!
//! Storages for [hpo](https://docs.rs/hpo) that Optuna reads: on Optuna 5.0's RDB schema,
//! `SqliteStorage` (embedded, bundled SQLite: the default persistent storage),
//! `PostgresStorage` and `MysqlStorage` (servers, for workers on many machines); and
//! `JournalRedisStorage` (Optuna's journal in Redis). A study written here opens in
//! `optuna.load_study(storage="sqlite:///file.db")` and in optuna-dashboard, and one written by
//! Optuna opens here. [`open`] picks a storage from a URL ([`StorageUrl`] is its grammar).
//!
//! Each backend is a Cargo feature, so a program pulls in only the database clients it uses:
//! `sqlite` (on by default), `postgres` (which brings tokio), `mysql` and `redis`; the `hpo`
//! facade forwards features of the same names. The in-memory storage and Optuna's journal file
//! need none; each storage type above exists only when its feature is on.

#[doc = include_str!("../README.md")]
#[cfg(all(doctest, feature = "sqlite"))]
pub struct ReadmeDoctests;

#[cfg(any(
    feature = "sqlite",
    feature = "postgres",
    feature = "mysql",
    feature = "redis"
))]
mod place;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod rdb;
#[cfg(feature = "redis")]
mod redis;
#[cfg_attr(
    not(any(feature = "postgres", feature = "mysql", feature = "redis")),
    allow(dead_code)
)]
mod retry;
mod schema;
mod url;

#[cfg(feature = "mysql")]
pub use rdb::MysqlStorage;
#[cfg(feature = "postgres")]
pub use rdb::PostgresStorage;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub use rdb::RdbStorage;
#[cfg(feature = "sqlite")]
pub use rdb::SqliteStorage;
#[cfg(feature = "redis")]
pub use redis::{JournalRedisStorage, RedisBackend};
pub use retry::RetryPolicy;
pub use schema::{ALEMBIC_HEAD, SCHEMA_VERSION};
pub use url::{StorageUrl, URL_FORMS, open};
