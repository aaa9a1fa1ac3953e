//! A full disk under the journal file and SQLite storages: writes fail with an error that names
//! the file, nothing stored before is lost or changed, and once space is back the same storage
//! value (and a fresh one) writes again.
//!
//! Each test mounts its own small tmpfs (root only). Where mounting is not permitted, the test
//! prints why and returns.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use hpo_core::storage::{JournalFileStorage, StudyId};
use hpo_core::{Distribution, Storage, StudyDirection, TrialState};
use hpo_storage::SqliteStorage;
use serde_json::json;

/// A tmpfs of `kib` KiB, unmounted (and its directory removed) on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(name: &str, kib: u64) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("hpo-full-disk-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir)),
            Ok(o) => {
                eprintln!(
                    "skipped: cannot mount a tmpfs here ({})",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                let _ = std::fs::remove_dir(&dir);
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                let _ = std::fs::remove_dir(&dir);
                None
            }
        }
    }

    /// Gives the file system `kib` KiB in all (tmpfs resizes in place, keeping its files).
    fn resize(&self, kib: u64) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={kib}k")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Completes trials with a 2 KiB user attribute until a write fails; returns the completed
/// trials' (number, value) and the error's text.
fn fill(storage: &dyn Storage, study: StudyId) -> (Vec<(u64, f64)>, String) {
    let d = Distribution::float(0.0, 1e6).unwrap();
    let padding = "x".repeat(2048);
    let mut done = Vec::new();
    for i in 0..10_000u32 {
        let step = || -> hpo_core::Result<(u64, f64)> {
            let t = storage.create_new_trial(study, None)?;
            let x = f64::from(i);
            storage.set_trial_param(t.trial_id, "x", x, &d)?;
            storage.set_trial_user_attr(t.trial_id, "padding", json!(padding))?;
            storage.set_trial_state_values(t.trial_id, TrialState::Complete, Some(&[x]))?;
            Ok((t.number, x))
        };
        match step() {
            Ok(pair) => done.push(pair),
            Err(e) => return (done, e.to_string()),
        }
    }
    panic!("10000 trials fitted on a tiny file system: the disk never filled");
}

/// The Complete trials a fresh storage value reads, as (number, value).
fn complete(storage: &dyn Storage, study: StudyId) -> Vec<(u64, f64)> {
    storage
        .get_all_trials(study, Some(&[TrialState::Complete]))
        .unwrap()
        .iter()
        .map(|t| (t.number, t.values.as_ref().unwrap()[0]))
        .collect()
}

fn full_disk_round(open: impl Fn(&Path) -> Arc<dyn Storage>, file: &str, kind: &str) {
    let Some(fs) = Tmpfs::mount(kind, 192) else {
        return;
    };
    let path = fs.0.join(file);
    let storage = open(&path);
    let study = storage
        .create_new_study(&[StudyDirection::Minimize], "full")
        .unwrap();
    let (before, error) = fill(storage.as_ref(), study);
    assert!(!before.is_empty(), "not even one trial fitted");
    println!("{kind}: {} trials, then: {error}", before.len());
    // The error says what failed and where.
    assert!(error.contains(&path.display().to_string()), "{error}");
    let lower = error.to_lowercase();
    assert!(
        lower.contains("no space left") || lower.contains("disk is full"),
        "{error}"
    );
    // Nothing acknowledged is lost or changed, for this value and a fresh one.
    let fresh = open(&path);
    let stored = complete(fresh.as_ref(), study);
    assert_eq!(
        stored, before,
        "completed trials changed after the disk filled"
    );
    // Space comes back: the same value and a fresh one write again, numbers stay unique.
    fs.resize(8192);
    let d = Distribution::float(0.0, 1e6).unwrap();
    for s in [storage.as_ref(), fresh.as_ref()] {
        for _ in 0..3 {
            let t = s.create_new_trial(study, None).unwrap();
            s.set_trial_param(t.trial_id, "x", 1.0, &d).unwrap();
            s.set_trial_state_values(t.trial_id, TrialState::Complete, Some(&[-1.0]))
                .unwrap();
        }
    }
    let after = open(&path);
    let all = after.get_all_trials(study, None).unwrap();
    let numbers: Vec<u64> = all.iter().map(|t| t.number).collect();
    let unique: std::collections::BTreeSet<u64> = numbers.iter().copied().collect();
    assert_eq!(
        unique.len(),
        numbers.len(),
        "duplicate numbers: {numbers:?}"
    );
    let now = complete(after.as_ref(), study);
    assert_eq!(&now[..before.len()], &before[..]);
    assert_eq!(now.len(), before.len() + 6, "{now:?}");
}

#[test]
fn a_full_disk_under_a_journal_file_loses_nothing() {
    full_disk_round(
        |p| Arc::new(JournalFileStorage::open(p).unwrap()),
        "journal.log",
        "journal",
    );
}

#[test]
fn a_full_disk_under_sqlite_loses_nothing() {
    full_disk_round(
        |p| Arc::new(SqliteStorage::open(p).unwrap()),
        "study.db",
        "sqlite",
    );
}
