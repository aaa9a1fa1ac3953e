//! Optuna's journal-file locks: `<file>.lock` made atomically (a symbolic link to the journal, or
//! a file opened with `O_CREAT | O_EXCL`), released by renaming it to a unique name and deleting
//! that, so Python and Rust workers can share a file.
//!
//! A lock left by a dead worker is broken by the waiters, by Optuna's rule: a waiter remembers
//! what the lock looked like and restarts its own clock whenever that changes; once it has seen
//! the same lock, unchanged, for the whole grace period, it breaks it. The journal's age plays no
//! part, so a lock that was just taken is never broken because nothing was written for a while.
//!
//! A live holder keeps its lock visibly changing: a keeper thread touches it every quarter of the
//! grace period while it is held (it adds and removes a second hard link to the lock, which
//! changes the lock's status-change time; the `O_EXCL` file also gets a new modification time,
//! and a symbolic link's journal a new modification time when this process owns it, which is what
//! Optuna's waiters look at). So only a lock whose holder is gone (or frozen for the whole grace
//! period) is ever broken.
//!
//! Breaking renames the stale lock to a unique name and then checks that what was renamed is the
//! very lock judged stale; when another waiter broke it first and a new holder's lock was renamed
//! instead, that lock is put back at once (a hard link, which never replaces a lock made
//! meanwhile). Releasing checks the same way that the lock renamed away is the holder's own.

use std::fs::File;
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime};

use parking_lot::{Condvar, Mutex};

use crate::error::{Error, Result};

/// Optuna's default grace period, also used to pace the keep-alive when no grace is set (other
/// workers may still break locks after it).
pub(crate) const DEFAULT_GRACE: Duration = Duration::from_secs(30);

/// How long a waiter waits before it says (once) that it is waiting, at most.
const WARN_AFTER: Duration = Duration::from_secs(1);

/// How the lock file is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// `os.symlink(file, file + ".lock")` (Optuna's default `JournalFileSymlinkLock`).
    Symlink,
    /// `open(file + ".lock", O_CREAT | O_EXCL)` (`JournalFileOpenLock`, for NFS and Windows).
    OpenExclusive,
}

/// A journal file's lock. Clones share one lock (and its keep-alive thread).
#[derive(Debug, Clone)]
pub struct JournalLock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: LockKind,
    target: PathBuf,
    lock_path: PathBuf,
    grace_period: Option<Duration>,
    held: Mutex<Option<Held>>,
    wake: Condvar,
    keeper: std::sync::Once,
}

/// The lock this process holds.
#[derive(Debug)]
struct Held {
    /// What the holder expects to find when it renames its lock away on release.
    id: FileId,
    /// The `O_EXCL` lock file (`None` for a symbolic link).
    file: Option<File>,
    /// When the lock was made or last touched.
    changed: Instant,
}

/// Which lock this is: stable while the lock lives (renames and keep-alive links included), so a
/// breaker or a releaser can tell whether the lock it renamed is the one it meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
    mtime: (i64, i64),
}

impl FileId {
    fn of(m: &std::fs::Metadata) -> FileId {
        FileId {
            dev: m.dev(),
            ino: m.ino(),
            mtime: (m.mtime(), m.mtime_nsec()),
        }
    }
}

/// Everything a waiter watches: a change in any of it means the lock (or its holder) is alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    id: FileId,
    ctime: (i64, i64),
    nlink: u64,
    /// The modification time through the link (the journal's, for a symbolic link), which is
    /// what Optuna watches.
    followed_mtime: Option<(i64, i64)>,
}

/// Held while writing; releases the lock when dropped.
#[derive(Debug)]
pub struct LockGuard<'a> {
    lock: &'a JournalLock,
}

fn random_suffix() -> String {
    let mut rng = crate::rng::Rng::from_entropy();
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl JournalLock {
    /// The lock of journal file `file`. A waiter breaks a lock once it has seen it unchanged for
    /// `grace_period` (Optuna: 30 s); `None` never breaks one.
    pub fn new(file: &Path, kind: LockKind, grace_period: Option<Duration>) -> JournalLock {
        JournalLock {
            inner: Arc::new(Inner {
                kind,
                target: file.to_owned(),
                lock_path: with_suffix(file, ".lock"),
                grace_period,
                held: Mutex::new(None),
                wake: Condvar::new(),
                keeper: std::sync::Once::new(),
            }),
        }
    }

    /// The lock file, `<journal>.lock`.
    pub fn lock_path(&self) -> &Path {
        &self.inner.lock_path
    }

    /// The grace period after which a waiter breaks a lock it has seen unchanged.
    pub fn grace_period(&self) -> Option<Duration> {
        self.inner.grace_period
    }

    /// Takes the lock, waiting with exponential back-off (1 ms up to 1 s, and at most a quarter
    /// of the grace period) and breaking a lock that this waiter has seen unchanged for the
    /// whole grace period. A wait longer than a second (or half the grace period) is logged
    /// once, with the lock file and when it would be broken.
    pub fn acquire(&self) -> Result<LockGuard<'_>> {
        let inner = &self.inner;
        let max_sleep = inner
            .grace_period
            .map_or(Duration::from_secs(1), |g| {
                (g / 4).max(Duration::from_millis(1))
            })
            .min(Duration::from_secs(1));
        let warn_after = inner
            .grace_period
            .map_or(WARN_AFTER, |g| (g / 2).min(WARN_AFTER));
        let started = Instant::now();
        let mut sleep = Duration::from_millis(1);
        let mut warned = false;
        let mut seen: Option<(Seen, Instant)> = None;
        loop {
            match inner.try_create() {
                Ok(held) => {
                    *inner.held.lock() = Some(held);
                    self.start_keeper();
                    return Ok(LockGuard { lock: self });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(Error::Storage(format!(
                        "cannot create the journal lock {}: {e}",
                        inner.lock_path.display()
                    )));
                }
            }
            let Some(now_seen) = inner.observe() else {
                // Released (or broken) meanwhile: try again at once.
                seen = None;
                continue;
            };
            let since = match seen {
                Some((s, since)) if s == now_seen => since,
                _ => {
                    let now = Instant::now();
                    seen = Some((now_seen, now));
                    now
                }
            };
            if let Some(grace) = inner.grace_period
                && since.elapsed() > grace
            {
                inner.break_stale(&now_seen, grace);
                seen = None;
                sleep = Duration::from_millis(1);
                continue;
            }
            if !warned && started.elapsed() >= warn_after {
                warned = true;
                match inner.grace_period {
                    Some(grace) => crate::log_warn!(
                        "waiting for the journal lock {}, held by another worker; it will be \
                         broken if it stays unchanged for {:.1} s (in {:.1} s at the earliest)",
                        inner.lock_path.display(),
                        grace.as_secs_f64(),
                        grace.saturating_sub(since.elapsed()).as_secs_f64()
                    ),
                    None => crate::log_warn!(
                        "waiting for the journal lock {}, held by another worker; it is never \
                         broken (no grace period): remove it by hand if its holder is dead",
                        inner.lock_path.display()
                    ),
                }
            }
            std::thread::sleep(sleep);
            sleep = (sleep * 2).min(max_sleep);
        }
    }

    /// Starts the keep-alive thread, once per lock. It holds only a weak reference, so it ends
    /// within one period after the last clone of the lock is dropped.
    fn start_keeper(&self) {
        self.inner.keeper.call_once(|| {
            let weak: Weak<Inner> = Arc::downgrade(&self.inner);
            let period = self.inner.keep_alive_period();
            let spawned = std::thread::Builder::new()
                .name("hpo-journal-lock".into())
                .spawn(move || {
                    while let Some(inner) = weak.upgrade() {
                        let mut held = inner.held.lock();
                        if let Some(h) = held.as_mut()
                            && h.changed.elapsed() >= period
                        {
                            inner.touch(h);
                        }
                        inner.wake.wait_for(&mut held, period);
                    }
                });
            if let Err(e) = spawned {
                crate::log_warn!(
                    "cannot start the keep-alive of the journal lock {}: {e}; a wait on it longer \
                     than the grace period may break it",
                    self.inner.lock_path.display()
                );
            }
        });
    }
}

impl Inner {
    fn keep_alive_period(&self) -> Duration {
        (self
            .grace_period
            .unwrap_or(DEFAULT_GRACE)
            .min(DEFAULT_GRACE)
            / 4)
        .max(Duration::from_millis(1))
    }

    fn try_create(&self) -> std::io::Result<Held> {
        let file = match self.kind {
            LockKind::Symlink => {
                std::os::unix::fs::symlink(&self.target, &self.lock_path)?;
                None
            }
            LockKind::OpenExclusive => Some(
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&self.lock_path)?,
            ),
        };
        let meta = match &file {
            Some(f) => f.metadata(),
            None => std::fs::symlink_metadata(&self.lock_path),
        };
        let id = match meta {
            Ok(m) => FileId::of(&m),
            Err(e) => {
                // Nobody but a breaker (after a whole grace period) removes a fresh lock.
                let _ = std::fs::remove_file(&self.lock_path);
                return Err(e);
            }
        };
        Ok(Held {
            id,
            file,
            changed: Instant::now(),
        })
    }

    /// What the lock looks like now; `None` when there is none.
    fn observe(&self) -> Option<Seen> {
        let m = std::fs::symlink_metadata(&self.lock_path).ok()?;
        let followed_mtime = std::fs::metadata(&self.lock_path)
            .ok()
            .map(|f| (f.mtime(), f.mtime_nsec()));
        Some(Seen {
            id: FileId::of(&m),
            ctime: (m.ctime(), m.ctime_nsec()),
            nlink: m.nlink(),
            followed_mtime,
        })
    }

    /// Shows waiters that the holder lives (see the module's documentation).
    fn touch(&self, held: &mut Held) {
        let link = with_suffix(&self.lock_path, &format!(".{}.keep", random_suffix()));
        if std::fs::hard_link(&self.lock_path, &link).is_ok() {
            let _ = std::fs::remove_file(&link);
        }
        match (&held.file, self.kind) {
            (Some(f), _) => {
                if f.set_modified(SystemTime::now()).is_ok()
                    && let Ok(m) = f.metadata()
                {
                    held.id = FileId::of(&m);
                }
            }
            (None, LockKind::Symlink) => {
                // Optuna's waiters watch the journal's modification time through the link;
                // setting it needs ownership, so this is best effort.
                if let Ok(f) = std::fs::OpenOptions::new().append(true).open(&self.target) {
                    let _ = f.set_modified(SystemTime::now());
                }
            }
            (None, LockKind::OpenExclusive) => {}
        }
        held.changed = Instant::now();
    }

    /// Renames the lock at `lock_path` to a unique name and checks that it is `expected`; puts a
    /// different one back. Returns whether `expected` was removed, and the other lock's fate.
    fn remove_if(&self, expected: &FileId) -> std::io::Result<Removal> {
        let aside = with_suffix(&self.lock_path, &format!("{}.rename", random_suffix()));
        std::fs::rename(&self.lock_path, &aside)?;
        let moved = std::fs::symlink_metadata(&aside).map(|m| FileId::of(&m));
        if moved.as_ref().is_ok_and(|m| m == expected) {
            std::fs::remove_file(&aside)?;
            return Ok(Removal::Removed);
        }
        // Someone else's live lock: put it back, never over a lock made meanwhile.
        let restored = std::fs::hard_link(&aside, &self.lock_path);
        let _ = std::fs::remove_file(&aside);
        Ok(match restored {
            Ok(()) => Removal::PutBack,
            Err(e) => Removal::Lost(e),
        })
    }

    /// Breaks the lock seen unchanged for `grace`, unless it changed at the last moment or
    /// another waiter broke it first.
    fn break_stale(&self, seen: &Seen, grace: Duration) {
        if self.observe().as_ref() != Some(seen) {
            return;
        }
        match self.remove_if(&seen.id) {
            Ok(Removal::Removed) => crate::log_warn!(
                "broke the journal lock {}: unchanged for {:.1} s, so its holder is presumed dead",
                self.lock_path.display(),
                grace.as_secs_f64()
            ),
            Ok(Removal::PutBack) => {}
            Ok(Removal::Lost(e)) => crate::log_error!(
                "the journal lock {} was taken while a waiter broke a stale one, and cannot be \
                 put back ({e}): two workers may write at once",
                self.lock_path.display()
            ),
            // Gone meanwhile: released or broken by another waiter.
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => crate::log_warn!(
                "cannot break the stale journal lock {}: {e}",
                self.lock_path.display()
            ),
        }
    }
}

enum Removal {
    Removed,
    PutBack,
    Lost(std::io::Error),
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        let inner = &self.lock.inner;
        let mut held = inner.held.lock();
        let Some(h) = held.take() else {
            return;
        };
        let path = inner.lock_path.display();
        match inner.remove_if(&h.id) {
            Ok(Removal::Removed) => {}
            Ok(Removal::PutBack) => crate::log_warn!(
                "the journal lock {path} was broken while this worker held it (frozen for the \
                 whole grace period?); another worker's lock was left in place"
            ),
            Ok(Removal::Lost(e)) => crate::log_error!(
                "the journal lock {path} was broken while this worker held it, and another \
                 worker's lock cannot be put back: {e}"
            ),
            Err(e) => crate::log_warn!(
                "releasing the journal lock {path}: {e} (broken while this worker held it?)"
            ),
        }
        drop(h.file);
        inner.wake.notify_all();
    }
}
