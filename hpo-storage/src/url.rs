//! Opening a storage from a URL, as Optuna's `storage=` argument takes one.

use std::sync::Arc;

use hpo_core::{Error, InMemoryStorage, JournalFileStorage, Result, Storage};

use crate::{JournalRedisStorage, MysqlStorage, PostgresStorage, RedisBackend, SqliteStorage};

/// The storage a URL names: `sqlite:///relative.db` or `sqlite:////absolute.db` (SQLAlchemy's
/// form), `journal:PATH` (Optuna's journal file), `redis://[user:password@]host[:port][/db]`
/// (Optuna's Redis journal; `?prefix=NAME` selects the key prefix, default empty),
/// `postgresql://user[:password]@host[:port]/database` (also `postgresql+psycopg2://`),
/// `mysql://user[:password]@host[:port]/database` (also `mysql+pymysql://`), or `memory`.
/// Other schemes are an error that names the scheme (and never prints a password).
pub fn open(url: &str) -> Result<Arc<dyn Storage>> {
    if url == "memory" || url == "inmemory" {
        return Ok(Arc::new(InMemoryStorage::new()));
    }
    if let Some(path) = url.strip_prefix("sqlite:///") {
        return Ok(Arc::new(SqliteStorage::open(path)?));
    }
    if let Some(path) = url.strip_prefix("journal:") {
        return Ok(Arc::new(JournalFileStorage::open(path)?));
    }
    if url.starts_with("postgresql://")
        || url.starts_with("postgresql+")
        || url.starts_with("postgres://")
    {
        return Ok(Arc::new(PostgresStorage::open(url)?));
    }
    if url.starts_with("mysql://") || url.starts_with("mysql+") || url.starts_with("mariadb://") {
        return Ok(Arc::new(MysqlStorage::open(url)?));
    }
    if url.starts_with("redis://") || url.starts_with("unix://") {
        let (server, prefix) = match url.split_once("?prefix=") {
            Some((server, prefix)) => (server, prefix),
            None => (url, ""),
        };
        return Ok(Arc::new(JournalRedisStorage::new(RedisBackend::connect(
            server, prefix,
        )?)?));
    }
    let scheme = url.split_once("://").map_or(url, |(s, _)| s);
    Err(Error::InvalidArgument(format!(
        "unknown storage URL scheme `{scheme}` (expected sqlite:///PATH, journal:PATH, postgresql://..., mysql://..., redis://HOST or memory)"
    )))
}

/// A URL fit to print: `scheme://user:secret@host/...` → `scheme://user:***@host/...`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden_and_nothing_else_changes() {
        assert_eq!(
            redact("postgresql://bob:s3cret@db.example:5432/prod"),
            "postgresql://bob:***@db.example:5432/prod"
        );
        assert_eq!(
            redact("redis://:pw@127.0.0.1:6379"),
            "redis://:***@127.0.0.1:6379"
        );
        assert_eq!(
            redact("mysql://root@127.0.0.1:3306/test"),
            "mysql://root@127.0.0.1:3306/test"
        );
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(redact("memory"), "memory");
    }
}
