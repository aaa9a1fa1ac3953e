//! Optuna's journal-file locks: `<file>.lock` made atomically (a symbolic link, or a file opened
//! with `O_CREAT | O_EXCL`), released by renaming it away and deleting it, and broken when it
//! has gone stale (no write for the grace period), so Python and Rust workers can share a file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

/// How the lock file is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// `os.symlink(file, file + ".lock")` (Optuna's default `JournalFileSymlinkLock`).
    Symlink,
    /// `open(file + ".lock", O_CREAT | O_EXCL)` (`JournalFileOpenLock`, for NFS and Windows).
    OpenExclusive,
}

/// A journal file's lock.
#[derive(Debug, Clone)]
pub struct JournalLock {
    kind: LockKind,
    target: PathBuf,
    lock_path: PathBuf,
    grace_period: Option<Duration>,
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

impl JournalLock {
    /// The lock of journal file `file`, broken after `grace_period` without writes (Optuna: 30 s).
    pub fn new(file: &Path, kind: LockKind, grace_period: Option<Duration>) -> JournalLock {
        let mut lock_path = file.as_os_str().to_owned();
        lock_path.push(".lock");
        JournalLock {
            kind,
            target: file.to_owned(),
            lock_path: PathBuf::from(lock_path),
            grace_period,
        }
    }

    fn try_create(&self) -> std::io::Result<()> {
        match self.kind {
            LockKind::Symlink => std::os::unix::fs::symlink(&self.target, &self.lock_path),
            LockKind::OpenExclusive => std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&self.lock_path)
                .map(|_| ()),
        }
    }

    /// Renames the lock file away and deletes it (Optuna's release).
    fn remove(&self) -> std::io::Result<()> {
        let mut renamed = self.lock_path.as_os_str().to_owned();
        renamed.push(format!("{}.rename", random_suffix()));
        std::fs::rename(&self.lock_path, &renamed)?;
        std::fs::remove_file(&renamed)
    }

    /// Takes the lock, waiting with exponential back-off (1 ms up to 1 s) and breaking a lock
    /// left by a dead worker once the file has not changed for the grace period.
    pub fn acquire(&self) -> Result<LockGuard<'_>> {
        let mut sleep = Duration::from_millis(1);
        let started = SystemTime::now();
        let mut warned = 0u64;
        loop {
            match self.try_create() {
                Ok(()) => return Ok(LockGuard { lock: self }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    if let Some(grace) = self.grace_period {
                        // Optuna reads the lock's mtime through os.stat (following the link).
                        let stale = std::fs::metadata(&self.lock_path)
                            .or_else(|_| std::fs::symlink_metadata(&self.lock_path))
                            .and_then(|m| m.modified())
                            .ok()
                            .and_then(|t| t.elapsed().ok())
                            .is_some_and(|age| age > grace);
                        if stale {
                            crate::log_warn!(
                                "breaking the stale journal lock {}",
                                self.lock_path.display()
                            );
                            let _ = self.remove();
                            continue;
                        }
                    }
                    let waited = started.elapsed().unwrap_or_default().as_secs();
                    if waited / 10 > warned {
                        warned = waited / 10;
                        crate::log_warn!(
                            "waited {waited} s for the journal lock {}",
                            self.lock_path.display()
                        );
                    }
                    std::thread::sleep(sleep);
                    sleep = (sleep * 2).min(Duration::from_secs(1));
                }
                Err(e) => {
                    return Err(Error::Storage(format!(
                        "cannot create the journal lock {}: {e}",
                        self.lock_path.display()
                    )));
                }
            }
        }
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.lock.remove() {
            crate::log_warn!(
                "releasing the journal lock {}: {e}",
                self.lock.lock_path.display()
            );
        }
    }
}
