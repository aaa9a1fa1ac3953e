//! Heartbeats on every storage: stale Running trials become Fail, and are retried with Optuna's
//! `failed_trial` / `retry_history` attributes.

use std::time::Duration;

use hpo_core::study::HeartbeatConfig;
use hpo_core::{JournalFileStorage, RandomSampler, Study, TrialState};

#[path = "interop/common.rs"]
mod interop;
use interop::{assert_stale_trials_fail_and_are_retried as check, dead_worker_trial};

#[test]
fn stale_trials_fail_and_are_retried_in_memory() {
    let study = Study::builder()
        .sampler(RandomSampler::with_seed(0))
        .heartbeat(HeartbeatConfig::new(Duration::from_millis(50)).retry(Some(3)))
        .build()
        .unwrap();
    check(&study);
}

#[test]
fn stale_trials_fail_and_are_retried_on_a_journal() {
    let path = std::env::temp_dir().join(format!("hpo-heartbeat-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let study = Study::builder()
        .name("hb")
        .storage(JournalFileStorage::open(&path).unwrap())
        .sampler(RandomSampler::with_seed(0))
        .heartbeat(HeartbeatConfig::new(Duration::from_millis(50)).retry(None))
        .build()
        .unwrap();
    check(&study);
    let _ = std::fs::remove_file(path);
}

#[test]
fn long_trials_keep_beating_and_max_retry_is_honoured() {
    let study = Study::builder()
        .sampler(RandomSampler::with_seed(1))
        .heartbeat(
            HeartbeatConfig::new(Duration::from_millis(20))
                .grace_period(Duration::from_millis(200))
                .retry(Some(0)),
        )
        .build()
        .unwrap();
    // A 500 ms trial outlives the grace period but keeps beating: it is not failed meanwhile.
    study
        .optimize_parallel(
            hpo_core::OptimizeOptions::new().n_trials(2).n_jobs(2),
            |t| {
                std::thread::sleep(Duration::from_millis(500));
                Ok(t.suggest_float("x", 0.0, 1.0)?)
            },
        )
        .unwrap();
    assert!(
        study
            .trials()
            .unwrap()
            .iter()
            .all(|t| t.state == TrialState::Complete)
    );
    // max_retry 0: a stale trial fails without a retry.
    dead_worker_trial(&study);
    assert_eq!(study.fail_stale_trials().unwrap().len(), 1);
    assert!(study.trials_in(&[TrialState::Waiting]).unwrap().is_empty());
    let _ = study.storage().get_n_trials(study.study_id(), None);
}
