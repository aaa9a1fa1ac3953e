//! How this crate's storages word their errors: `<backend> <where>: cannot <what>: <why>`, where
//! `where` is the database file or the server's URL (its password masked), `what` the operation
//! that failed and `why` the driver's own message as text, e.g.
//! `SQLite /data/x.db: cannot create a trial in study 3: database is locked`. Each backend turns
//! its driver's errors into the `why` text in one function, and [`Place::error`] adds the rest.

use std::fmt;
use std::path::Path;

use hpo_core::Error;

use crate::url::redact;

/// Where a storage lives, as its error messages name it: `SQLite /data/x.db`,
/// `MySQL mysql://root:***@db:3306/test`, ``Redis redis://127.0.0.1:6379 (prefix `p`)``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place(String);

impl Place {
    /// A database in a file.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn file(backend: &str, path: &Path) -> Place {
        Place(format!("{backend} {}", path.display()))
    }

    /// A server, named by its URL with any password replaced by `***`.
    #[cfg_attr(
        not(any(feature = "postgres", feature = "mysql", feature = "redis")),
        allow(dead_code)
    )]
    pub(crate) fn url(backend: &str, url: &str) -> Place {
        Place(format!("{backend} {}", redact(url)))
    }

    /// The same place with `detail` after it in parentheses (Redis: the key prefix).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn with(self, detail: impl fmt::Display) -> Place {
        Place(format!("{} ({detail})", self.0))
    }

    /// The error saying that `what` failed here because of `why`.
    pub(crate) fn error(&self, what: fmt::Arguments<'_>, why: impl fmt::Display) -> Error {
        Error::Storage(format!("{self}: cannot {what}: {why}"))
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_the_place_the_operation_and_the_cause() {
        let place = Place::file("SQLite", Path::new("/data/x.db"));
        let e = place.error(format_args!("insert trial {}", 4), "database is locked");
        assert_eq!(
            e.to_string(),
            "storage error: SQLite /data/x.db: cannot insert trial 4: database is locked"
        );
        let place = Place::url("MySQL", "mysql://root:hunter2@127.0.0.1:3306/test");
        assert_eq!(
            place.to_string(),
            "MySQL mysql://root:***@127.0.0.1:3306/test"
        );
        let place = Place::url("Redis", "redis://127.0.0.1:6379").with("prefix `p`");
        assert_eq!(
            place.to_string(),
            "Redis redis://127.0.0.1:6379 (prefix `p`)"
        );
    }
}
