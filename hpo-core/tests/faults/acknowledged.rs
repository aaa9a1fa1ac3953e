//! The bookkeeping of the `kill -9` tests (journal file in hpo-core, SQLite in hpo-storage):
//! workers append each trial they have told Complete to a side file, and after the kills the
//! test checks the storage against it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use hpo_core::study::HeartbeatConfig;
use hpo_core::{
    FrozenTrial, IntoStorage, ObjectiveValue, OptimizeOptions, RandomSampler, Study, Trial,
    TrialError, TrialState,
};

/// The fresh worker after a round: loads the study `kill` from `storage` with `heartbeat` (and
/// the default sampler), sleeps `wait` (past the heartbeat grace, so its optimize fails the
/// orphans), then runs five trials valued `x * scale`.
pub fn fresh_worker(
    storage: impl IntoStorage,
    heartbeat: HeartbeatConfig,
    wait: std::time::Duration,
    scale: f64,
) -> Study {
    let study = Study::builder()
        .name("kill")
        .storage(storage)
        .heartbeat(heartbeat)
        .load()
        .unwrap();
    std::thread::sleep(wait);
    study
        .optimize(5, |t| Ok(t.suggest_float("x", 0.0, 1.0)? * scale))
        .unwrap();
    study
}

/// Kills workers 0 and 1 with SIGKILL, each `100 + kill_at[i]` ms from now (the earlier one
/// first), checking first that it is still running.
pub fn kill_two(workers: &mut [std::process::Child], mut kill_at: [u64; 2], round: usize) {
    kill_at.sort_unstable();
    let started = std::time::Instant::now();
    for (i, at) in kill_at.iter().enumerate() {
        let at = std::time::Duration::from_millis(100 + at);
        if let Some(wait) = at.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        assert!(
            workers[i].try_wait().unwrap().is_none(),
            "round {round}: worker {i} ended before its kill"
        );
        workers[i].kill().unwrap();
        workers[i].wait().unwrap();
    }
}

/// A killable worker: loads the study `kill` from `storage` (sampled at random, seeded with the
/// process id, with `heartbeat`) and optimizes `objective` for 1.5 s, recording each
/// acknowledged trial to `side` ([`record_to`]).
pub fn work<V: ObjectiveValue>(
    storage: impl IntoStorage,
    heartbeat: HeartbeatConfig,
    side: PathBuf,
    objective: impl FnMut(&mut Trial) -> Result<V, TrialError>,
) {
    let study = Study::builder()
        .name("kill")
        .storage(storage)
        .sampler(RandomSampler::with_seed(u64::from(std::process::id())))
        .heartbeat(heartbeat)
        .load()
        .unwrap();
    let options = OptimizeOptions::new()
        .timeout(std::time::Duration::from_millis(1500))
        .callback(record_to(side));
    study.optimize_with(options, objective).unwrap();
}

/// A callback that appends "number value-bits" to `side` for each Complete trial: called after
/// the tell, so every line is an acknowledged trial. One short write per line, so a line is
/// whole or absent even when the worker is killed.
pub fn record_to(side: PathBuf) -> impl Fn(&Study, &FrozenTrial) + Send + Sync {
    move |_, t| {
        if t.state == TrialState::Complete {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&side)
                .unwrap();
            let v = t.values.as_ref().unwrap()[0];
            f.write_all(format!("{} {}\n", t.number, v.to_bits()).as_bytes())
                .unwrap();
        }
    }
}

/// Checks the study's trials after a round: numbers unique and gap-free, every acknowledged
/// trial in `side` present, Complete and with the same value, and no orphan left Running.
/// Returns how many trials the side file acknowledged.
pub fn check(trials: &[Arc<FrozenTrial>], side: &PathBuf, round: usize) -> usize {
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(
        numbers.len(),
        trials.len(),
        "round {round}: doubled numbers"
    );
    assert_eq!(numbers, (0..trials.len() as u64).collect());
    let by_number: BTreeMap<u64, &Arc<FrozenTrial>> =
        trials.iter().map(|t| (t.number, t)).collect();
    let recorded = std::fs::read_to_string(side).unwrap_or_default();
    for line in recorded.lines() {
        let (n, bits) = line.split_once(' ').unwrap();
        let (n, bits): (u64, u64) = (n.parse().unwrap(), bits.parse().unwrap());
        let t = by_number
            .get(&n)
            .unwrap_or_else(|| panic!("round {round}: trial {n} lost"));
        assert_eq!(t.state, TrialState::Complete, "round {round}: trial {n}");
        assert_eq!(
            t.values.as_ref().unwrap()[0].to_bits(),
            bits,
            "round {round}: trial {n} changed"
        );
    }
    // `optimize` creates each trial with its first heartbeat in the same write, so even a
    // worker killed right after creating one leaves a trial that goes stale and is failed.
    let running: Vec<_> = trials
        .iter()
        .filter(|t| t.state == TrialState::Running)
        .collect();
    assert!(
        running.is_empty(),
        "round {round}: orphans left Running: {running:?}"
    );
    recorded.lines().count()
}
