//! Opening a storage from a URL, as Optuna's `storage=` argument takes one.

use std::sync::Arc;

use hpo_core::{Error, InMemoryStorage, JournalFileStorage, Result, Storage};

use crate::SqliteStorage;

/// The storage a URL names: `sqlite:///relative.db` or `sqlite:////absolute.db` (SQLAlchemy's
/// form), `journal:PATH` (Optuna's journal file), or `memory`. Other schemes are an error that
/// names the scheme (and never prints a password).
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
    let scheme = url.split_once("://").map_or(url, |(s, _)| s);
    Err(Error::InvalidArgument(format!(
        "unknown storage URL scheme `{scheme}` (expected sqlite:///PATH, journal:PATH or memory)"
    )))
}
