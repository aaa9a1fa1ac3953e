//! Storage URLs: the one grammar that [`open`], the facade's `hpo::open_storage` and the `hpo`
//! command read, parsed into a [`StorageUrl`] and then opened.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hpo_core::{Error, InMemoryStorage, JournalFileStorage, Result, Storage};

/// The grammar's forms, one per line; the single source of [`URL_FORMS`] and of [`open`]'s
/// documentation (a test checks that hpo-storage's README shows the same text).
macro_rules! url_forms {
    () => {
        "  sqlite:///PATH.db           SQLite file, PATH relative to the working directory
  sqlite:////ABS/PATH.db      SQLite file, absolute path (four slashes)
  journal:PATH                Optuna's journal file (JournalFileBackend)
  postgresql://USER[:PASSWORD]@HOST[:PORT]/DB
                              PostgreSQL (also postgresql+DRIVER://..., postgres://...)
  mysql://USER[:PASSWORD]@HOST[:PORT]/DB
                              MySQL / MariaDB (also mysql+DRIVER://..., mariadb://...)
  redis://[USER[:PASSWORD]@]HOST[:PORT][/N][?prefix=P]
                              Optuna's journal in Redis, keys under prefix P (default none);
                              also unix://SOCKET[?prefix=P]
  memory                      in memory, gone when the process ends (also inmemory)
  PATH.db | PATH.sqlite | PATH.sqlite3
                              a bare path: SQLite, as is any existing SQLite file
  PATH.log | PATH.jsonl | PATH.journal
                              a bare path: journal file, as is any other existing file
"
    };
}

/// Every form of storage URL, one per line with what it opens: for error messages and `--help`.
/// The same text as in [`open`]'s documentation.
pub const URL_FORMS: &str = url_forms!();

/// A storage location, as [`StorageUrl::parse`] reads it from a URL or a bare path; open it with
/// [`StorageUrl::open`]. Its `Display` is [`StorageUrl::shown`] (any password masked); its
/// [`StorageUrl::url`] is the canonical URL, which parses back to the same value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageUrl {
    /// `memory` (or `inmemory`): an [`InMemoryStorage`].
    Memory,
    /// `sqlite:///PATH`, or a bare SQLite path: an SQLite database file (feature `sqlite`).
    Sqlite(PathBuf),
    /// `journal:PATH`, or a bare journal path: Optuna's journal file ([`JournalFileStorage`]).
    JournalFile(PathBuf),
    /// `postgresql://...` (also `postgresql+DRIVER://`, `postgres://`), as written (feature
    /// `postgres`).
    Postgres(String),
    /// `mysql://...` (also `mysql+DRIVER://`, `mariadb://`), as written (feature `mysql`).
    Mysql(String),
    /// `redis://...` or `unix://...`: Optuna's journal in Redis (feature `redis`).
    Redis {
        /// The server's URL, without the `prefix` query parameter.
        server: String,
        /// The key prefix (`?prefix=P`; empty when not given, as in Optuna).
        prefix: String,
    },
}

const SQLITE_EXTENSIONS: [&str; 3] = ["db", "sqlite", "sqlite3"];
const JOURNAL_EXTENSIONS: [&str; 3] = ["log", "jsonl", "journal"];
const POSTGRES_FORM: &str = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB";
const MYSQL_FORM: &str = "mysql://USER[:PASSWORD]@HOST[:PORT]/DB";
const REDIS_FORM: &str = "redis://[USER[:PASSWORD]@]HOST[:PORT][/N][?prefix=P]";

fn invalid(message: String) -> Error {
    Error::InvalidArgument(message)
}

impl StorageUrl {
    /// Reads `input` by the grammar of [`open`]; touches no server. A bare path is looked at
    /// on disk (whether it exists, and whether it starts with SQLite's header). Every slip is an
    /// error naming the input (its password masked) and, where one is likely, the intended form.
    pub fn parse(input: &str) -> Result<StorageUrl> {
        let shown = redact(input);
        if input.trim().is_empty() {
            return Err(invalid(format!(
                "empty storage URL; use one of\n{URL_FORMS}"
            )));
        }
        if input == "memory" || input == "inmemory" {
            return Ok(StorageUrl::Memory);
        }
        if let Some(path) = input.strip_prefix("journal:") {
            if path.is_empty() {
                return Err(invalid(
                    "`journal:` names no file; write journal:PATH, e.g. journal:study.log".into(),
                ));
            }
            return Ok(StorageUrl::JournalFile(PathBuf::from(path)));
        }
        if let Some(rest) = input.strip_prefix("sqlite:") {
            return parse_sqlite(input, rest);
        }
        if let Some((scheme, rest)) = input.split_once("://") {
            let base = scheme
                .split_once('+')
                .map_or(scheme, |(base, _driver)| base);
            return match (scheme, base) {
                ("postgresql" | "postgres", _) | (_, "postgresql") => {
                    check_server(input, rest, POSTGRES_FORM)?;
                    Ok(StorageUrl::Postgres(input.to_owned()))
                }
                ("mysql" | "mariadb", _) | (_, "mysql") => {
                    check_server(input, rest, MYSQL_FORM)?;
                    Ok(StorageUrl::Mysql(input.to_owned()))
                }
                ("redis" | "unix", _) => parse_redis(input, scheme, rest),
                _ => Err(invalid(format!(
                    "unknown storage URL scheme `{scheme}://` in `{shown}`; use one of\n{URL_FORMS}"
                ))),
            };
        }
        parse_bare(input)
    }

    /// Opens the storage: creates an SQLite or journal file that does not exist yet (but not its
    /// directory), connects to a server. A backend whose feature this build leaves off is an
    /// error naming the feature.
    pub fn open(&self) -> Result<Arc<dyn Storage>> {
        self.open_with_retry(crate::RetryPolicy::default())
    }

    /// [`StorageUrl::open`], with `policy` deciding how long a server storage (PostgreSQL,
    /// MySQL, Redis) keeps retrying when its server cannot be reached; files ignore it. A
    /// dashboard, which would rather show an error in seconds than wait out a restart, opens
    /// with a short window.
    pub fn open_with_retry(&self, policy: crate::RetryPolicy) -> Result<Arc<dyn Storage>> {
        let _ = policy; // unused when no server backend is built
        match self {
            StorageUrl::Memory => Ok(Arc::new(InMemoryStorage::new())),
            StorageUrl::JournalFile(path) => {
                check_parent_dir(path, "journal file")?;
                Ok(Arc::new(JournalFileStorage::open(path)?))
            }
            #[cfg(feature = "sqlite")]
            StorageUrl::Sqlite(path) => Ok(Arc::new(crate::SqliteStorage::open(path)?)),
            #[cfg(feature = "postgres")]
            StorageUrl::Postgres(url) => Ok(Arc::new(
                crate::PostgresStorage::open(url)?.with_retry(policy),
            )),
            #[cfg(feature = "mysql")]
            StorageUrl::Mysql(url) => {
                Ok(Arc::new(crate::MysqlStorage::open(url)?.with_retry(policy)))
            }
            #[cfg(feature = "redis")]
            StorageUrl::Redis { server, prefix } => Ok(Arc::new(crate::JournalRedisStorage::new(
                crate::RedisBackend::connect(server, prefix)?.retry(policy),
            )?)),
            #[allow(unreachable_patterns)] // Reached only when a backend's feature is off.
            _ => Err(self.feature_off()),
        }
    }

    /// The canonical URL (`sqlite:///x.db` for a bare `x.db`), with any password: it parses
    /// back to `self`.
    pub fn url(&self) -> String {
        match self {
            StorageUrl::Memory => "memory".into(),
            StorageUrl::Sqlite(path) => format!("sqlite:///{}", path.display()),
            StorageUrl::JournalFile(path) => format!("journal:{}", path.display()),
            StorageUrl::Postgres(url) | StorageUrl::Mysql(url) => url.clone(),
            StorageUrl::Redis { server, prefix } if prefix.is_empty() => server.clone(),
            StorageUrl::Redis { server, prefix } => {
                let sep = if server.contains('?') { '&' } else { '?' };
                format!("{server}{sep}prefix={prefix}")
            }
        }
    }

    /// The canonical URL fit to print: any password replaced by `***`.
    pub fn shown(&self) -> String {
        redact(&self.url())
    }

    /// Whether the URL names one of Optuna's RDB storages (SQLite, PostgreSQL, MySQL), the
    /// URLs Optuna's `--storage-class RDBStorage` takes.
    pub fn is_rdb(&self) -> bool {
        matches!(
            self,
            StorageUrl::Sqlite(_) | StorageUrl::Postgres(_) | StorageUrl::Mysql(_)
        )
    }

    /// The error for a backend this build leaves out: which feature of hpo-storage (and of the
    /// `hpo` facade, which forwards it) turns it on.
    #[cfg_attr(
        all(
            feature = "sqlite",
            feature = "postgres",
            feature = "mysql",
            feature = "redis"
        ),
        allow(dead_code)
    )]
    fn feature_off(&self) -> Error {
        let (what, feature) = match self {
            StorageUrl::Sqlite(_) => ("sqlite:/// URLs and bare SQLite paths", "sqlite"),
            StorageUrl::Postgres(_) => ("postgresql:// URLs", "postgres"),
            StorageUrl::Mysql(_) => ("mysql:// URLs", "mysql"),
            StorageUrl::Redis { .. } => ("redis:// URLs", "redis"),
            StorageUrl::Memory | StorageUrl::JournalFile(_) => {
                unreachable!("the in-memory and journal-file storages need no feature")
            }
        };
        invalid(format!(
            "cannot open `{}`: {what} need hpo-storage's `{feature}` feature (hpo's `{feature}` \
             feature), which this build leaves off",
            self.shown()
        ))
    }
}

impl fmt::Display for StorageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl std::str::FromStr for StorageUrl {
    type Err = Error;

    fn from_str(s: &str) -> Result<StorageUrl> {
        StorageUrl::parse(s)
    }
}

/// `rest` follows `sqlite:`: three slashes then a path is the only form; two slashes, one, or
/// none are the usual slips.
fn parse_sqlite(input: &str, rest: &str) -> Result<StorageUrl> {
    if let Some(path) = rest.strip_prefix("///") {
        if path.is_empty() {
            return Err(invalid(format!(
                "`{input}` names no file; write sqlite:///PATH.db (relative) or \
                 sqlite:////ABS/PATH.db (absolute)"
            )));
        }
        return Ok(StorageUrl::Sqlite(PathBuf::from(path)));
    }
    if let Some(path) = rest.strip_prefix("//") {
        if path.is_empty() {
            return Err(invalid(
                "`sqlite://` is SQLAlchemy's in-memory SQLite; hpo's in-memory storage is \
                 `memory`, and an SQLite file is sqlite:///PATH.db"
                    .into(),
            ));
        }
        return Err(invalid(format!(
            "`{input}` has two slashes: did you mean sqlite:///{path}? (three slashes before a \
             relative path, four before an absolute one: sqlite:////{path})"
        )));
    }
    if let Some(path) = rest.strip_prefix('/') {
        return Err(invalid(format!(
            "`{input}` has one slash: did you mean sqlite:///{path} (relative) or \
             sqlite:////{path} (absolute)?"
        )));
    }
    Err(invalid(format!(
        "`{input}` lacks the slashes: did you mean sqlite:///{rest}?"
    )))
}

/// `rest` follows `postgresql://` or `mysql://`: `[USER[:PASSWORD]@]HOST[:PORT]/DB[?...]`; a
/// host may also come as a `host=` query parameter (a Unix socket directory).
fn check_server(input: &str, rest: &str, form: &str) -> Result<()> {
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, database) = main.split_once('/').unwrap_or((main, ""));
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host_in_query = query.split('&').any(|kv| kv.starts_with("host="));
    let missing = match (
        host.is_empty() && !host_in_query,
        database.trim_matches('/').is_empty(),
    ) {
        (false, false) => return Ok(()),
        (true, true) => "no host and no database",
        (true, false) => "no host",
        (false, true) => "no database",
    };
    Err(invalid(format!(
        "`{}` names {missing}; write {form}",
        redact(input)
    )))
}

/// `redis://...` or `unix://...`, with Optuna's key prefix as the `prefix` query parameter.
fn parse_redis(input: &str, scheme: &str, rest: &str) -> Result<StorageUrl> {
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = main.split('/').next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("");
    if (scheme == "redis" && host.is_empty()) || (scheme == "unix" && main.is_empty()) {
        return Err(invalid(format!(
            "`{}` names no server; write {REDIS_FORM} or unix://SOCKET[?prefix=P]",
            redact(input)
        )));
    }
    let mut prefix = String::new();
    let mut others = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("prefix=") {
            Some(p) => p.clone_into(&mut prefix),
            None => others.push(pair),
        }
    }
    let server = if others.is_empty() {
        format!("{scheme}://{main}")
    } else {
        format!("{scheme}://{main}?{}", others.join("&"))
    };
    Ok(StorageUrl::Redis { server, prefix })
}

/// A value with no scheme: a path, guessed as Optuna's CLI does (SQLite by extension or by its
/// header, any other existing file a journal), plus journal extensions for a new file.
fn parse_bare(input: &str) -> Result<StorageUrl> {
    let path = Path::new(input);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let has = |list: &[&str]| extension.as_deref().is_some_and(|e| list.contains(&e));
    if has(&SQLITE_EXTENSIONS) || is_sqlite_file(path) {
        return Ok(StorageUrl::Sqlite(path.to_owned()));
    }
    if path.is_file() || has(&JOURNAL_EXTENSIONS) {
        return Ok(StorageUrl::JournalFile(path.to_owned()));
    }
    // A scheme written without `://` (`postgres`, `mysql:root@host/db`, `redis:6379`).
    let word = input.split(':').next().unwrap_or(input);
    let form = match word {
        "postgresql" | "postgres" => Some(POSTGRES_FORM),
        "mysql" | "mariadb" => Some(MYSQL_FORM),
        "redis" => Some(REDIS_FORM),
        _ => None,
    };
    if let Some(form) = form {
        let shown = match input.rsplit_once('@') {
            Some((_, host)) => format!("{word}:***@{host}"),
            None => input.to_owned(),
        };
        return Err(invalid(format!(
            "`{shown}` is not a storage URL: write {form}"
        )));
    }
    if path.is_dir() {
        return Err(invalid(format!(
            "`{input}` is a directory; name a file in it, e.g. {}",
            path.join("study.db").display()
        )));
    }
    Err(invalid(format!(
        "cannot tell which storage `{input}` is: it is not a URL, no such file exists, and it does \
         not end in .db, .sqlite, .sqlite3 (SQLite) or .log, .jsonl, .journal (journal file); write \
         sqlite:///{input} or journal:{input}. The forms:\n{URL_FORMS}"
    )))
}

/// Whether `path` is an existing file starting with SQLite's header.
fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok()
        && &header == b"SQLite format 3\0"
}

/// A file that opening would create needs its directory: name the directory that is missing
/// (instead of SQLite's "unable to open database file").
pub(crate) fn check_parent_dir(path: &Path, what: &str) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            let why = if dir.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            Err(Error::Storage(format!(
                "cannot open {what} {}: its directory {} {why}",
                path.display(),
                dir.display()
            )))
        }
        _ => Ok(()),
    }
}

/// Opens the storage a URL (or bare path) names, as Optuna's `storage=` argument and its CLI's
/// `--storage` take one. The whole grammar, also in [`URL_FORMS`]:
///
/// ```text
#[doc = url_forms!()]
/// ```
///
/// The path of `sqlite:///`, `journal:` or a bare path is relative to the working directory;
/// its directory must exist (the file is created). A bare path is SQLite when it ends in
/// `.db`, `.sqlite` or `.sqlite3` or is an existing SQLite file, a journal file when it is any
/// other existing file or ends in `.log`, `.jsonl` or `.journal`, and an error otherwise.
/// `postgresql://`, `mysql://` and `redis://` need hpo-storage's features `postgres`, `mysql`
/// and `redis` (the `hpo` facade's features of the same names), `sqlite:///` its default feature
/// `sqlite`; without one, the URL parses and opening it is an error naming the feature.
///
/// Errors name the input (never its password) and the likely intended form: `sqlite://x.db`
/// (two slashes: did you mean `sqlite:///x.db`?), `sqlite:/x.db`, `sqlite:x.db`, a server URL
/// without host or database, a scheme without `://` (`postgres`), an unknown scheme (listing
/// the forms above), and a file whose directory does not exist (naming the directory).
///
/// ```
/// let storage = hpo_storage::open("memory")?;
/// assert!(hpo_storage::open("sqlite://study.db").unwrap_err().to_string().contains("sqlite:///study.db"));
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub fn open(url: &str) -> Result<Arc<dyn Storage>> {
    StorageUrl::parse(url)?.open()
}

/// `url` as its driver reads it: SQLAlchemy's `scheme+DRIVER://...` and the `alias://...`
/// spelling become `scheme://...`; any other URL is kept as written.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn without_driver(url: &str, scheme: &str, alias: &str) -> String {
    match url.split_once("://") {
        Some((s, rest)) if s.starts_with(&format!("{scheme}+")) || s == alias => {
            format!("{scheme}://{rest}")
        }
        _ => url.to_owned(),
    }
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
    use super::*;

    fn parse(s: &str) -> StorageUrl {
        StorageUrl::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn error(s: &str) -> String {
        match StorageUrl::parse(s) {
            Ok(u) => panic!("{s} parsed as {u:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// `url` is refused with a message that shows each of `shown` and no password (the test
    /// URLs' passwords are all `secret`).
    fn refused(url: &str, shown: &[&str]) {
        let e = error(url);
        for s in shown {
            assert!(e.contains(s), "{url}: no `{s}` in: {e}");
        }
        assert!(!e.contains("secret"), "{url}: {e}");
    }

    /// The message of `open(url)`'s error.
    fn open_error(url: &str) -> String {
        match open(url) {
            Ok(_) => panic!("{url} opened"),
            Err(e) => e.to_string(),
        }
    }

    fn sqlite(p: &str) -> StorageUrl {
        StorageUrl::Sqlite(PathBuf::from(p))
    }

    fn journal(p: &str) -> StorageUrl {
        StorageUrl::JournalFile(PathBuf::from(p))
    }

    #[test]
    fn every_url_form_parses() {
        assert_eq!(parse("memory"), StorageUrl::Memory);
        assert_eq!(parse("inmemory"), StorageUrl::Memory);
        assert_eq!(parse("sqlite:///rel.db"), sqlite("rel.db"));
        assert_eq!(parse("sqlite:///dir/rel.db"), sqlite("dir/rel.db"));
        assert_eq!(parse("sqlite:////abs/x.db"), sqlite("/abs/x.db"));
        assert_eq!(parse("journal:study.log"), journal("study.log"));
        assert_eq!(parse("journal:/abs/any.txt"), journal("/abs/any.txt"));
        for pg in [
            "postgresql://u:p@h:5432/db",
            "postgresql+psycopg2://u@h/db",
            "postgresql+psycopg://u@h/db?sslmode=disable",
            "postgres://u@h/db",
            "postgresql://u@[::1]:5432/db",
            "postgresql:///db?host=/var/run/postgresql",
        ] {
            assert_eq!(parse(pg), StorageUrl::Postgres(pg.into()), "{pg}");
        }
        for my in [
            "mysql://root@127.0.0.1:3306/test",
            "mysql+pymysql://u:p@h/db",
            "mariadb://u@h/db",
        ] {
            assert_eq!(parse(my), StorageUrl::Mysql(my.into()), "{my}");
        }
        let redis = |server: &str, prefix: &str| StorageUrl::Redis {
            server: server.into(),
            prefix: prefix.into(),
        };
        assert_eq!(parse("redis://h:6379"), redis("redis://h:6379", ""));
        assert_eq!(
            parse("redis://:pw@h:6379/2?prefix=demo"),
            redis("redis://:pw@h:6379/2", "demo")
        );
        assert_eq!(
            parse("redis://h?protocol=resp3&prefix=p"),
            redis("redis://h?protocol=resp3", "p")
        );
        assert_eq!(
            parse("unix:///tmp/redis.sock?prefix=p"),
            redis("unix:///tmp/redis.sock", "p")
        );
    }

    #[test]
    fn bare_paths_are_guessed_by_extension_and_content() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["new.db", "x.sqlite", "x.sqlite3", "/tmp/x/new.SQLITE3"] {
            assert_eq!(parse(p), sqlite(p));
        }
        for p in ["new.log", "dir/new.jsonl", "x.journal"] {
            assert_eq!(parse(p), journal(p));
        }
        let with = |name: &str, content: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, content).unwrap();
            p.to_str().unwrap().to_owned()
        };
        // Existing files: SQLite by header, whatever the name; any other file is a journal,
        // except that a SQLite extension wins.
        let s = with("plain", b"SQLite format 3\0rest");
        assert_eq!(parse(&s), sqlite(&s));
        let s = with("sqlite.log", b"SQLite format 3\0rest");
        assert_eq!(parse(&s), sqlite(&s));
        let j = with("run.txt", b"{}\n");
        assert_eq!(parse(&j), journal(&j));
        let j = with("empty", b"");
        assert_eq!(parse(&j), journal(&j));
        let d = with("other.db", b"{}\n");
        assert_eq!(parse(&d), sqlite(&d));
    }

    #[test]
    fn canonical_urls_parse_back_and_hide_passwords() {
        for s in [
            "memory",
            "sqlite:///rel.db",
            "sqlite:////abs.db",
            "journal:j.log",
            "postgresql://u:secret@h/db",
            "mysql://u:secret@h/db",
            "redis://:secret@h:6379?prefix=p",
            "redis://h",
        ] {
            let url = parse(s);
            assert_eq!(url.url(), s);
            assert_eq!(parse(&url.url()), url);
        }
        assert_eq!(parse("x.db").url(), "sqlite:///x.db");
        assert_eq!(parse("/abs/x.db").url(), "sqlite:////abs/x.db");
        assert_eq!(parse("x.log").url(), "journal:x.log");
        let pg = parse("postgresql://bob:secret@h/db");
        assert_eq!(pg.shown(), "postgresql://bob:***@h/db");
        assert_eq!(pg.to_string(), "postgresql://bob:***@h/db");
        assert_eq!(
            parse("redis://:secret@h?prefix=p").shown(),
            "redis://:***@h?prefix=p"
        );
        assert!(pg.is_rdb() && parse("x.db").is_rdb() && parse("mysql://u@h/d").is_rdb());
        assert!(!parse("x.log").is_rdb() && !parse("redis://h").is_rdb());
        assert!(!StorageUrl::Memory.is_rdb());
        assert_eq!("memory".parse::<StorageUrl>().unwrap(), StorageUrl::Memory);
    }

    #[test]
    fn sqlite_slips_name_the_intended_url() {
        refused(
            "sqlite://x.db",
            &["sqlite://x.db", "did you mean sqlite:///x.db?"],
        );
        refused(
            "sqlite:/x.db",
            &["`sqlite:/x.db`", "sqlite:///x.db", "sqlite:////x.db"],
        );
        refused(
            "sqlite:x.db",
            &["`sqlite:x.db`", "did you mean sqlite:///x.db?"],
        );
        refused("sqlite://", &["memory"]);
        refused("sqlite:///", &["names no file"]);
        refused("journal:", &["journal:PATH"]);
    }

    #[test]
    fn server_urls_without_host_or_database_are_refused() {
        refused(
            "postgresql://bob:secret@db.example:5432",
            &["no database", "bob:***@db.example", POSTGRES_FORM],
        );
        refused("postgresql://", &["no host and no database"]);
        refused("postgres:///db", &["no host;"]);
        refused("mysql://root@:3306/test", &["no host;", MYSQL_FORM]);
        refused("mariadb://root@h/", &["no database"]);
        refused("redis://:secret@/0", &["no server", REDIS_FORM]);
        refused("unix://", &["no server"]);
    }

    #[test]
    fn schemes_without_slashes_and_unknown_schemes_show_the_forms() {
        refused(
            "postgres",
            &["`postgres` is not a storage URL", POSTGRES_FORM],
        );
        refused("mysql:root:secret@h/db", &[MYSQL_FORM]);
        refused("redis", &[REDIS_FORM]);
        refused(
            "ftp://u:secret@x/y",
            &[
                "unknown storage URL scheme `ftp://`",
                "ftp://u:***@x/y",
                URL_FORMS,
            ],
        );
        refused("sqlite3:///x.db", &["`sqlite3://`", URL_FORMS]);
        refused("", &[URL_FORMS]);
    }

    #[test]
    fn unguessable_bare_paths_suggest_both_urls() {
        let dir = tempfile::tempdir().unwrap();
        refused(
            "no_such_file",
            &[
                "`no_such_file`",
                "sqlite:///no_such_file",
                "journal:no_such_file",
            ],
        );
        let d = dir.path().to_str().unwrap();
        refused(d, &["is a directory", "study.db"]);
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no_such_dir");
        let file = missing.join("j.log");
        let e = open_error(&format!("journal:{}", file.display()));
        assert!(
            e.contains(&format!(
                "its directory {} does not exist",
                missing.display()
            )),
            "{e}"
        );
        assert!(!missing.exists());
        let blocker = dir.path().join("a_file");
        std::fs::write(&blocker, "").unwrap();
        let e = open_error(&format!("journal:{}", blocker.join("j.log").display()));
        assert!(e.contains("is not a directory"), "{e}");
        // The directory exists: the journal is created.
        let ok = dir.path().join("j.log");
        open(&format!("journal:{}", ok.display())).unwrap();
        assert!(ok.is_file());
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn sqlite_files_open_and_a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        open(&format!("sqlite:///{}", db.display())).unwrap();
        assert!(is_sqlite_file(&db));
        let missing = dir.path().join("nope");
        let e = open_error(&format!("sqlite:///{}", missing.join("s.db").display()));
        assert!(
            e.contains(&format!(
                "its directory {} does not exist",
                missing.display()
            )),
            "{e}"
        );
    }

    #[test]
    fn backends_left_out_name_their_feature() {
        let mut off = Vec::new();
        if cfg!(not(feature = "sqlite")) {
            off.push(("sqlite:///x.db", "`sqlite` feature"));
        }
        if cfg!(not(feature = "postgres")) {
            off.push((
                "postgresql://bob:secret@h/db",
                "postgresql:// URLs need hpo-storage's `postgres` feature (hpo's `postgres` feature)",
            ));
        }
        if cfg!(not(feature = "mysql")) {
            off.push(("mariadb://bob:secret@h/db", "hpo's `mysql` feature"));
        }
        if cfg!(not(feature = "redis")) {
            off.push(("redis://:secret@h?prefix=p", "hpo's `redis` feature"));
        }
        for (url, needs) in off {
            let e = open_error(url);
            assert!(
                e.contains(needs) && e.contains(&redact(url)) && !e.contains("secret"),
                "{e}"
            );
        }
        // Memory and journal files need no feature.
        let storage = open("memory").unwrap();
        assert!(storage.get_all_studies().unwrap().is_empty());
    }

    #[test]
    fn the_readme_shows_the_grammar() {
        assert!(
            URL_FORMS.lines().all(|l| l.starts_with("  ")),
            "every line of URL_FORMS is indented, the first too:\n{URL_FORMS}"
        );
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(URL_FORMS),
            "hpo-storage/README.md must show URL_FORMS verbatim:\n{URL_FORMS}"
        );
    }

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
