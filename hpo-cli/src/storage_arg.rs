//! `--storage URL`: which storage a verb works on, and opening it.
//!
//! The URL comes from `--storage`, else the `HPO_STORAGE` environment variable (through clap),
//! else `OPTUNA_STORAGE`. Its grammar (URLs and bare paths, guessed as Optuna's CLI guesses) is
//! hpo-storage's [`StorageUrl::parse`], the one the library's `open` reads; `--storage-class`
//! only narrows which of its forms are accepted.

use std::sync::Arc;

use anyhow::{Context, bail};
use clap::ValueEnum;
use hpo_core::Storage;
pub use hpo_storage::{StorageUrl, URL_FORMS};

/// Optuna's `--storage-class` hint: how to read the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageClass {
    /// A database URL (`sqlite:///`, `postgresql://`, `mysql://`).
    #[value(name = "RDBStorage")]
    Rdb,
    /// A journal file path.
    #[value(name = "JournalFileBackend", alias = "JournalFileStorage")]
    JournalFile,
    /// A Redis URL holding a journal.
    #[value(name = "JournalRedisBackend", alias = "JournalRedisStorage")]
    JournalRedis,
}

/// Resolves `--storage` (already including `HPO_STORAGE`), falling back to `optuna_env`
/// (the `OPTUNA_STORAGE` variable), with an optional `--storage-class` hint.
pub fn resolve(
    storage: Option<&str>,
    optuna_env: Option<&str>,
    class: Option<StorageClass>,
) -> anyhow::Result<StorageUrl> {
    let raw = match storage.or(optuna_env).map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => bail!(
            "no storage given: pass `--storage URL` (or set HPO_STORAGE / OPTUNA_STORAGE), \
             where URL is one of\n{URL_FORMS}"
        ),
    };
    let url = match class {
        // Any path is a journal file under this hint, whatever its name or content.
        Some(StorageClass::JournalFile) => StorageUrl::parse(&format!(
            "journal:{}",
            raw.strip_prefix("journal:").unwrap_or(raw)
        ))?,
        Some(StorageClass::JournalRedis) => match StorageUrl::parse(raw)? {
            url @ StorageUrl::Redis { .. } => url,
            other => {
                bail!("--storage-class JournalRedisBackend needs a redis:// URL, not `{other}`")
            }
        },
        Some(StorageClass::Rdb) => match StorageUrl::parse(raw)? {
            url if url.is_rdb() => url,
            other => bail!(
                "--storage-class RDBStorage needs a database URL (sqlite:///PATH, \
                 postgresql://..., mysql://...), not `{other}`"
            ),
        },
        None => StorageUrl::parse(raw)?,
    };
    Ok(url)
}

/// Opens the storage; a server storage retries for as long as `retry` says when its server
/// cannot be reached.
pub fn open(url: &StorageUrl, retry: hpo_storage::RetryPolicy) -> anyhow::Result<Arc<dyn Storage>> {
    url.open_with_retry(retry)
        .with_context(|| format!("cannot open storage `{url}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pass_through_and_bare_paths_are_guessed_by_the_shared_grammar() {
        let dir = tempfile::tempdir().unwrap();
        let r = |s: &str| resolve(Some(s), None, None).map(|u| u.url());
        assert_eq!(r("sqlite:///a.db").unwrap(), "sqlite:///a.db");
        assert_eq!(r(" journal:x.log\n").unwrap(), "journal:x.log");
        assert_eq!(r("new.db").unwrap(), "sqlite:///new.db");
        assert_eq!(
            r("/tmp/x/new.sqlite3").unwrap(),
            "sqlite:////tmp/x/new.sqlite3"
        );
        assert_eq!(r("missing.log").unwrap(), "journal:missing.log");
        let journal = dir.path().join("j.txt");
        std::fs::write(&journal, "").unwrap();
        let j = journal.to_str().unwrap();
        assert_eq!(r(j).unwrap(), format!("journal:{j}"));
        let sqlite = dir.path().join("plain");
        std::fs::write(&sqlite, b"SQLite format 3\0rest").unwrap();
        let s = sqlite.to_str().unwrap();
        assert_eq!(r(s).unwrap(), format!("sqlite:///{s}"));
        let err = r("missing").unwrap_err().to_string();
        assert!(err.contains("journal:missing"), "{err}");
        let err = r("ftp://x").unwrap_err().to_string();
        assert!(err.contains("ftp://") && err.contains(URL_FORMS), "{err}");
        let err = r("sqlite://a.db").unwrap_err().to_string();
        assert!(err.contains("did you mean sqlite:///a.db?"), "{err}");
    }

    #[test]
    fn env_fallback_hint_and_missing() {
        assert_eq!(
            resolve(None, Some("sqlite:///o.db"), None).unwrap().url(),
            "sqlite:///o.db"
        );
        assert_eq!(
            resolve(Some("sqlite:///h.db"), Some("sqlite:///o.db"), None)
                .unwrap()
                .url(),
            "sqlite:///h.db"
        );
        let err = resolve(None, None, None).unwrap_err().to_string();
        assert!(
            err.contains("--storage") && err.contains("journal:PATH"),
            "{err}"
        );
    }

    #[test]
    fn storage_class_narrows_the_shared_grammar() {
        let class = |s: &str, c| resolve(Some(s), None, Some(c)).map(|u| u.url());
        // Any path is a journal under JournalFileBackend, even one named like SQLite.
        assert_eq!(
            class("j.db", StorageClass::JournalFile).unwrap(),
            "journal:j.db"
        );
        assert_eq!(
            class("journal:run.txt", StorageClass::JournalFile).unwrap(),
            "journal:run.txt"
        );
        assert_eq!(class("x.db", StorageClass::Rdb).unwrap(), "sqlite:///x.db");
        assert_eq!(
            class("mysql://root@h/test", StorageClass::Rdb).unwrap(),
            "mysql://root@h/test"
        );
        let err = class("j.log", StorageClass::Rdb).unwrap_err().to_string();
        assert!(
            err.contains("RDBStorage") && err.contains("journal:j.log"),
            "{err}"
        );
        let err = class("redis://:pw@h", StorageClass::Rdb)
            .unwrap_err()
            .to_string();
        assert!(err.contains("RDBStorage") && !err.contains("pw@"), "{err}");
        assert_eq!(
            class("redis://h?prefix=p", StorageClass::JournalRedis).unwrap(),
            "redis://h?prefix=p"
        );
        let err = class("x.db", StorageClass::JournalRedis)
            .unwrap_err()
            .to_string();
        assert!(err.contains("JournalRedisBackend"), "{err}");
        // The shared grammar's hints still apply under a class.
        let err = class("sqlite://x.db", StorageClass::Rdb)
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean sqlite:///x.db?"), "{err}");
    }

    #[test]
    fn passwords_are_hidden() {
        let url = resolve(Some("postgresql://bob:pw@h:5432/db"), None, None).unwrap();
        assert_eq!(url.to_string(), "postgresql://bob:***@h:5432/db");
        assert_eq!(url.url(), "postgresql://bob:pw@h:5432/db");
    }
}
