//! `--storage URL`: which storage a verb works on, and opening it.
//!
//! The URL comes from `--storage`, else the `HPO_STORAGE` environment variable (through clap),
//! else `OPTUNA_STORAGE`. Besides the URL forms [`hpo_storage::open`] takes, a bare path is
//! guessed as Optuna's CLI guesses: a path ending in `.db`, `.sqlite` or `.sqlite3`, or an
//! existing SQLite file, is an SQLite database; any other existing file is a journal file.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::ValueEnum;
use hpo_core::Storage;

/// The URL forms, for error messages and `--help`.
pub const URL_FORMS: &str = "\
  sqlite:///PATH.db          SQLite database (relative path; sqlite:////abs/path.db for absolute)
  journal:PATH               journal file (Optuna's JournalFileBackend)
  postgresql://USER:PASSWORD@HOST:PORT/DB
  mysql://USER:PASSWORD@HOST:PORT/DB
  redis://HOST:PORT/DB       Redis journal
  PATH.db | PATH.sqlite3     a bare SQLite path; any other existing file is read as a journal";

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

/// A storage location resolved to a URL [`hpo_storage::open`] understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageUrl {
    /// The URL to open.
    pub url: String,
}

impl StorageUrl {
    /// The URL fit for messages (any password replaced by `***`).
    pub fn shown(&self) -> String {
        redact(&self.url)
    }
}

const SCHEMES: [&str; 10] = [
    "sqlite:///",
    "journal:",
    "postgresql://",
    "postgresql+",
    "postgres://",
    "mysql://",
    "mysql+",
    "mariadb://",
    "redis://",
    "unix://",
];

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
        Some(StorageClass::JournalFile) => {
            format!("journal:{}", raw.strip_prefix("journal:").unwrap_or(raw))
        }
        Some(StorageClass::JournalRedis) => {
            if !(raw.starts_with("redis://") || raw.starts_with("unix://")) {
                bail!("--storage-class JournalRedisBackend needs a redis:// URL, not `{raw}`");
            }
            raw.to_owned()
        }
        Some(StorageClass::Rdb) => {
            if !SCHEMES.iter().any(|s| raw.starts_with(s))
                || raw.starts_with("journal:")
                || raw.starts_with("redis://")
            {
                bail!(
                    "--storage-class RDBStorage needs a database URL (sqlite:///PATH, \
                     postgresql://..., mysql://...), not `{}`",
                    redact(raw)
                );
            }
            raw.to_owned()
        }
        None => guess(raw)?,
    };
    Ok(StorageUrl { url })
}

/// Optuna-like guessing for a value without an explicit class.
fn guess(raw: &str) -> anyhow::Result<String> {
    if raw == "memory" || raw == "inmemory" || SCHEMES.iter().any(|s| raw.starts_with(s)) {
        return Ok(raw.to_owned());
    }
    if let Some((scheme, _)) = raw.split_once("://") {
        bail!("unknown storage URL scheme `{scheme}://`; use one of\n{URL_FORMS}");
    }
    let path = Path::new(raw);
    let sqlite_ext = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "db" | "sqlite" | "sqlite3"));
    if sqlite_ext || is_sqlite_file(path) {
        return Ok(format!("sqlite:///{raw}"));
    }
    if path.is_file() {
        return Ok(format!("journal:{raw}"));
    }
    bail!(
        "cannot tell which storage `{raw}` is (it is not a URL and no such file exists); \
         write it as a URL, e.g. `sqlite:///{raw}` or `journal:{raw}`. URL forms:\n{URL_FORMS}"
    )
}

/// Whether `path` is an existing file starting with SQLite's magic header.
fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok()
        && &header == b"SQLite format 3\0"
}

/// Opens the storage.
pub fn open(url: &StorageUrl) -> anyhow::Result<Arc<dyn Storage>> {
    hpo_storage::open(&url.url).with_context(|| format!("cannot open storage `{}`", url.shown()))
}

/// `scheme://user:secret@host/...` → `scheme://user:***@host/...`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pass_through_and_bare_paths_are_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let r = |s: &str| resolve(Some(s), None, None).map(|u| u.url);
        assert_eq!(r("sqlite:///a.db").unwrap(), "sqlite:///a.db");
        assert_eq!(r("journal:x.log").unwrap(), "journal:x.log");
        assert_eq!(r("new.db").unwrap(), "sqlite:///new.db");
        assert_eq!(
            r("/tmp/x/new.sqlite3").unwrap(),
            "sqlite:////tmp/x/new.sqlite3"
        );
        let journal = dir.path().join("j.log");
        std::fs::write(&journal, "").unwrap();
        let j = journal.to_str().unwrap();
        assert_eq!(r(j).unwrap(), format!("journal:{j}"));
        let sqlite = dir.path().join("plain");
        std::fs::write(&sqlite, b"SQLite format 3\0rest").unwrap();
        let s = sqlite.to_str().unwrap();
        assert_eq!(r(s).unwrap(), format!("sqlite:///{s}"));
        let err = r("missing.log").unwrap_err().to_string();
        assert!(err.contains("journal:missing.log"), "{err}");
        let err = r("ftp://x").unwrap_err().to_string();
        assert!(err.contains("ftp://"), "{err}");
    }

    #[test]
    fn env_fallback_hint_and_missing() {
        assert_eq!(
            resolve(None, Some("sqlite:///o.db"), None).unwrap().url,
            "sqlite:///o.db"
        );
        assert_eq!(
            resolve(Some("sqlite:///h.db"), Some("sqlite:///o.db"), None)
                .unwrap()
                .url,
            "sqlite:///h.db"
        );
        let err = resolve(None, None, None).unwrap_err().to_string();
        assert!(
            err.contains("--storage") && err.contains("journal:PATH"),
            "{err}"
        );
        assert_eq!(
            resolve(Some("j.log"), None, Some(StorageClass::JournalFile))
                .unwrap()
                .url,
            "journal:j.log"
        );
        assert!(resolve(Some("j.log"), None, Some(StorageClass::Rdb)).is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgresql://bob:pw@h:5432/db"),
            "postgresql://bob:***@h:5432/db"
        );
        assert_eq!(redact("sqlite:///a.db"), "sqlite:///a.db");
    }
}
