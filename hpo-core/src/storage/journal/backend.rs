//! Where a journal's records live: the [`JournalBackend`] trait and the file backend.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::lock::{JournalLock, LockGuard, LockKind};
use crate::error::{Error, Result};

/// An append-only log of journal records (one JSON object per line, Optuna's format), shared by
/// every worker of a study. Positions are backend-defined (a byte offset in a file, a log number
/// in Redis); position 0 is the start of the log.
///
/// [`JournalStorage`](super::JournalStorage) calls `read_from` to catch up and `append_at` to
/// write. A backend either serialises writers with a lock (`lock` returns a guard: while it is
/// held, nobody else appends) or makes `append_at` a compare-and-append (it refuses when the log
/// no longer ends at `at`, and the storage catches up and tries again).
pub trait JournalBackend: Send + Sync + std::fmt::Debug {
    /// The complete records written at or after position `from`, and the position just after the
    /// last one returned. An incomplete last record is left for a later call.
    fn read_from(&self, from: u64) -> Result<(Vec<String>, u64)>;

    /// Takes the writers' lock, for backends that have one (`None` for compare-and-append ones).
    fn lock(&self) -> Result<Option<LockGuard<'_>>>;

    /// Appends `record` (one JSON object, no newline) if the log still ends at `at`, returning the
    /// new end; `None` when another writer appended first.
    fn append_at(&self, at: u64, record: &str) -> Result<Option<u64>>;
}

/// A journal in one local (or NFS) file, shared through Optuna's lock file: Python's
/// `JournalFileBackend`.
#[derive(Debug)]
pub struct JournalFileBackend {
    path: PathBuf,
    lock: JournalLock,
    fsync: bool,
}

impl JournalFileBackend {
    /// Opens (or creates) the file at `path`; `grace_period` breaks a lock left by a dead writer
    /// (Optuna: 30 s), and `fsync` makes every append durable before it returns (Optuna does).
    pub fn open(
        path: impl AsRef<Path>,
        lock: LockKind,
        grace_period: Option<Duration>,
        fsync: bool,
    ) -> Result<Self> {
        let path = path.as_ref().to_owned();
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::Storage(format!("cannot open journal {}: {e}", path.display())))?;
        Ok(JournalFileBackend {
            lock: JournalLock::new(&path, lock, grace_period),
            path,
            fsync,
        })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl JournalBackend for JournalFileBackend {
    fn read_from(&self, from: u64) -> Result<(Vec<String>, u64)> {
        let mut file = std::fs::File::open(&self.path).map_err(|e| {
            Error::Storage(format!("cannot read journal {}: {e}", self.path.display()))
        })?;
        let len = file.metadata()?.len();
        if len <= from {
            return Ok((Vec::new(), from));
        }
        file.seek(SeekFrom::Start(from))?;
        let mut buf = Vec::with_capacity((len - from) as usize);
        file.take(len - from).read_to_end(&mut buf)?;
        // A last line without its newline is a write in progress: leave it for later.
        let Some(end) = buf.iter().rposition(|b| *b == b'\n') else {
            return Ok((Vec::new(), from));
        };
        let lines = buf[..end]
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        Ok((lines, from + end as u64 + 1))
    }

    fn lock(&self) -> Result<Option<LockGuard<'_>>> {
        self.lock.acquire().map(Some)
    }

    /// Called under the file lock, after catching up to the file's end, so the file ends at `at`.
    fn append_at(&self, at: u64, record: &str) -> Result<Option<u64>> {
        let mut line = String::with_capacity(record.len() + 1);
        line.push_str(record);
        line.push('\n');
        let mut file = OpenOptions::new().append(true).open(&self.path)?;
        file.write_all(line.as_bytes())?;
        file.flush()?;
        if self.fsync {
            file.sync_data()?;
        }
        Ok(Some(at + line.len() as u64))
    }
}
