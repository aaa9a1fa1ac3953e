//! Heartbeats on every storage: stale Running trials become Fail, and are retried with Optuna's
//! `failed_trial` / `retry_history` attributes.

use std::time::Duration;

use hpo_core::storage::HEARTBEAT_KEY;
use hpo_core::study::HeartbeatConfig;
use hpo_core::{JournalFileStorage, ParamValue, RandomSampler, Study, TrialState};

fn dead_worker_trial(study: &Study) -> u64 {
    // A trial whose worker beat once, long ago, and then vanished.
    let mut t = study.ask().unwrap();
    t.suggest_float("x", 0.0, 1.0).unwrap();
    t.set_user_attr("who", "dead").unwrap();
    let old = chrono::Utc::now().timestamp() as f64 - 3600.0;
    study
        .storage()
        .set_trial_system_attr(t.id(), HEARTBEAT_KEY, old.into())
        .unwrap();
    t.number()
}

fn check(study: &Study) {
    let dead = dead_worker_trial(study);
    // A running trial without heartbeats (no heartbeat-enabled worker) is left alone.
    let other = study.ask().unwrap();
    study
        .optimize(3, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials[dead as usize].state, TrialState::Fail);
    assert!(
        trials[dead as usize].system_attrs["fail_reason"]
            .as_str()
            .unwrap()
            .contains("heartbeat")
    );
    assert_eq!(trials[other.number() as usize].state, TrialState::Running);
    // The retry ran first, with the same parameters, and records its origin.
    let retry = trials
        .iter()
        .find(|t| t.system_attrs.contains_key("failed_trial"))
        .expect("a retry");
    assert_eq!(retry.state, TrialState::Complete);
    assert_eq!(retry.system_attrs["failed_trial"], dead);
    assert_eq!(
        retry.system_attrs["retry_history"],
        serde_json::json!([dead])
    );
    assert_eq!(retry.param("x"), trials[dead as usize].param("x"));
    assert_eq!(retry.user_attrs["who"], "dead");
    // Completed trials carry heartbeats.
    assert!(
        trials
            .iter()
            .filter(|t| t.state == TrialState::Complete)
            .all(|t| t.system_attrs.contains_key(HEARTBEAT_KEY))
    );
    let _ = ParamValue::Null;
}

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
        .optimize_with(
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
