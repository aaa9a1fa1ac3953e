//! Where a journal's records live: the [`JournalBackend`] trait and the file backend.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use parking_lot::Mutex;

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
    /// new end; `None` when another writer appended first (then the storage catches up and tries
    /// again; a locked backend answers `None` only if someone appended without the lock).
    fn append_at(&self, at: u64, record: &str) -> Result<Option<u64>>;

    /// Whether the log outlives the process (a file, a server): `true` unless overridden. A
    /// [`JournalStorage`](super::JournalStorage) answers
    /// [`Storage::is_persistent`](crate::storage::Storage::is_persistent) with it.
    fn is_persistent(&self) -> bool {
        true
    }
}

/// A journal in one local (or NFS) file, shared through Optuna's lock file: Python's
/// `JournalFileBackend`.
///
/// The file is opened for reading only until the first write, so a read-only journal (a
/// read-only mount, an immutable file, a file without write permission) can be read. At each
/// write the file is opened for appending and then the lock is taken; under the lock, an
/// incomplete last line (left by a writer that crashed, or ran out of disk space, mid-record) is
/// cut off before the new record is appended, so it can never be glued to it.
#[derive(Debug)]
pub struct JournalFileBackend {
    path: PathBuf,
    lock: JournalLock,
    fsync: bool,
    /// Opened for appending by `lock`, used by the following `append_at`.
    appender: Mutex<Option<File>>,
}

impl JournalFileBackend {
    /// Opens the file at `path` for reading, creating it (empty) when it does not exist, as
    /// Optuna does. `grace_period` lets a waiter break a lock it has seen unchanged that long
    /// (Optuna: 30 s; zero is refused, as Optuna does), and `fsync` makes every append durable
    /// before it returns (Optuna does).
    pub fn open(
        path: impl AsRef<Path>,
        lock: LockKind,
        grace_period: Option<Duration>,
        fsync: bool,
    ) -> Result<Self> {
        let path = path.as_ref().to_owned();
        if grace_period.is_some_and(|g| g.is_zero()) {
            // Every lock would look stale at once, a live holder's included.
            return Err(Error::Storage(format!(
                "journal file {}: the lock's grace period must be positive (or None)",
                path.display()
            )));
        }
        match File::open(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| io_error("create", &path, &e))?;
            }
            Err(e) => return Err(io_error("open for reading", &path, &e)),
        }
        Ok(JournalFileBackend {
            lock: JournalLock::new(&path, lock, grace_period),
            path,
            fsync,
            appender: Mutex::new(None),
        })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The journal's lock.
    pub fn journal_lock(&self) -> &JournalLock {
        &self.lock
    }

    fn open_for_append(&self) -> Result<File> {
        OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|e| io_error("open for appending", &self.path, &e))
    }

    /// Makes the file end at `at` (a record boundary), cutting off an incomplete last line.
    /// `Ok(false)` when complete records follow `at`: the caller must catch up first.
    fn cut_torn_tail(&self, file: &File, at: u64) -> Result<bool> {
        let err = |op: &str, e: std::io::Error| io_error(op, &self.path, &e);
        let len = file.metadata().map_err(|e| err("stat", e))?.len();
        if len == at {
            return Ok(true);
        }
        if len < at {
            return Err(Error::Storage(format!(
                "journal file {} shrank to {len} bytes, below the {at} bytes already read: it \
                 was truncated or replaced by someone else",
                self.path.display()
            )));
        }
        let mut tail = Vec::with_capacity((len - at) as usize);
        let mut reader = File::open(&self.path).map_err(|e| err("read", e))?;
        reader
            .seek(SeekFrom::Start(at))
            .and_then(|_| reader.take(len - at).read_to_end(&mut tail))
            .map_err(|e| err("read", e))?;
        if tail.contains(&b'\n') {
            return Ok(false);
        }
        file.set_len(at).map_err(|e| err("truncate", e))?;
        crate::log_warn!(
            "journal file {}: dropped an incomplete last record of {} bytes (left by a writer \
             that crashed or ran out of space) before appending",
            self.path.display(),
            tail.len()
        );
        Ok(true)
    }
}

/// "cannot append to journal file /x/y.log: No space left on device".
fn io_error(op: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::Storage(format!("cannot {op} journal file {}: {e}", path.display()))
}

impl JournalBackend for JournalFileBackend {
    fn read_from(&self, from: u64) -> Result<(Vec<String>, u64)> {
        let err = |e: std::io::Error| io_error("read", &self.path, &e);
        let mut file = File::open(&self.path).map_err(err)?;
        let len = file.metadata().map_err(err)?.len();
        if len <= from {
            return Ok((Vec::new(), from));
        }
        file.seek(SeekFrom::Start(from)).map_err(err)?;
        let mut buf = Vec::with_capacity((len - from) as usize);
        file.take(len - from).read_to_end(&mut buf).map_err(err)?;
        // A last line without its newline is a write in progress (or a crashed writer's
        // fragment, which the next writer cuts off): leave it.
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

    /// Opens the file for appending (so a read-only journal fails here, before a lock file is
    /// made), then takes the lock.
    fn lock(&self) -> Result<Option<LockGuard<'_>>> {
        let file = self.open_for_append()?;
        let guard = self.lock.acquire().map_err(|e| match e {
            Error::Storage(m) => Error::Storage(format!(
                "cannot lock journal file {}: {m}",
                self.path.display()
            )),
            other => other,
        })?;
        *self.appender.lock() = Some(file);
        Ok(Some(guard))
    }

    /// Called under the file lock, after catching up to the file's last complete record, so the
    /// file ends at `at` or in an incomplete line after it, which is cut off first.
    fn append_at(&self, at: u64, record: &str) -> Result<Option<u64>> {
        let mut line = String::with_capacity(record.len() + 1);
        line.push_str(record);
        line.push('\n');
        let file = match self.appender.lock().take() {
            Some(f) => f,
            None => self.open_for_append()?,
        };
        if !self.cut_torn_tail(&file, at)? {
            return Ok(None);
        }
        let written = (&file)
            .write_all(line.as_bytes())
            .and_then(|()| if self.fsync { file.sync_data() } else { Ok(()) });
        if let Err(e) = written {
            // Leave no fragment of this record behind (best effort: the next writer would cut
            // it off anyway).
            let _ = file.set_len(at);
            return Err(io_error("append to", &self.path, &e));
        }
        Ok(Some(at + line.len() as u64))
    }
}
