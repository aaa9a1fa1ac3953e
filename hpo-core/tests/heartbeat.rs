//! Heartbeats on every storage: stale Running trials become Fail, and are retried with Optuna's
//! `failed_trial` / `retry_history` attributes.

use std::sync::Arc;
use std::time::Duration;

use hpo_core::study::HeartbeatConfig;
use hpo_core::{
    Distribution, FrozenTrial, InMemoryStorage, JournalFileStorage, RandomSampler, Storage, Study,
    TrialState,
};

#[path = "interop/common.rs"]
mod interop;
use interop::{
    assert_failed_by_heartbeat, assert_stale_trials_fail_and_are_retried as check,
    dead_worker_trial, load, optimize_x, seeded_study,
};

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

/// A journal file in a fresh directory of its own.
fn journal(name: &str) -> (std::path::PathBuf, JournalFileStorage) {
    let dir = std::env::temp_dir().join(format!("hpo-heartbeat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let storage = JournalFileStorage::open(dir.join("j.log")).unwrap();
    (dir, storage)
}

/// A Running trial created straight through the storage, as another process leaves it: with
/// a heartbeat an hour old (a worker killed an hour ago), or with none (an Optuna worker
/// without heartbeats) and started an hour ago.
fn foreign_running_trial(study: &Study, heartbeat: bool) -> u64 {
    let an_hour_ago = chrono::Utc::now() - chrono::TimeDelta::hours(1);
    let mut template =
        FrozenTrial::new(TrialState::Running).with_datetimes(Some(an_hour_ago), None);
    if heartbeat {
        template = template.with_system_attr(
            hpo_core::storage::HEARTBEAT_KEY,
            an_hour_ago.timestamp() as f64,
        );
    }
    let trial = study
        .storage()
        .create_new_trial(study.study_id(), Some(&template))
        .unwrap();
    let d = Distribution::float(0.0, 1.0).unwrap();
    study
        .storage()
        .set_trial_param(trial.trial_id, "x", 0.25, &d)
        .unwrap();
    trial.number
}

#[test]
fn heartbeats_default_on_for_a_journal_file_and_off_in_memory_on_every_path() {
    let (dir, storage) = journal("default");
    let storage: Arc<dyn Storage> = Arc::new(storage);
    assert!(storage.is_persistent());
    let default = Some(HeartbeatConfig::default());
    let created = Study::builder()
        .name("s")
        .storage_arc(storage.clone())
        .build()
        .unwrap();
    assert_eq!(created.heartbeat().cloned(), default);
    let reused = Study::builder()
        .name("s")
        .storage_arc(storage.clone())
        .load_if_exists(true)
        .build()
        .unwrap();
    assert_eq!(reused.heartbeat().cloned(), default);
    let loaded = load(storage.clone(), "s");
    assert_eq!(loaded.heartbeat().cloned(), default);
    let only = Study::builder()
        .storage_arc(storage.clone())
        .load()
        .unwrap();
    assert_eq!(only.heartbeat().cloned(), default);

    let memory = Arc::new(InMemoryStorage::new());
    assert!(!memory.is_persistent());
    assert_eq!(Study::builder().build().unwrap().heartbeat(), None);
    let in_memory = Study::builder()
        .name("m")
        .storage_arc(memory.clone())
        .build()
        .unwrap();
    assert_eq!(in_memory.heartbeat(), None);
    let loaded = load(memory, "m");
    assert_eq!(loaded.heartbeat(), None);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_defaults_give_the_grace_period_room_for_missed_beats() {
    let config = HeartbeatConfig::default();
    assert_eq!(config.interval, Duration::from_secs(60));
    assert_eq!(config.grace_period, Duration::from_secs(180));
    assert_eq!(config.retry, None);
}

#[test]
fn without_heartbeat_turns_the_default_off_and_heartbeat_sets_it_anywhere() {
    let (dir, storage) = journal("off");
    let study = Study::builder()
        .storage(storage)
        .sampler(RandomSampler::with_seed(0))
        .without_heartbeat()
        .build()
        .unwrap();
    assert_eq!(study.heartbeat(), None);
    // No beats, and a killed worker's trial stays Running: Optuna's behaviour.
    let dead = foreign_running_trial(&study, true);
    optimize_x(&study, 2);
    let trials = study.trials().unwrap();
    assert_eq!(trials[dead as usize].state, TrialState::Running);
    assert!(trials[1..].iter().all(|t| {
        !t.system_attrs
            .contains_key(hpo_core::storage::HEARTBEAT_KEY)
    }));
    // The last call wins.
    let config = HeartbeatConfig::new(Duration::from_secs(5));
    let on = Study::builder()
        .without_heartbeat()
        .heartbeat(config.clone())
        .build()
        .unwrap();
    assert_eq!(on.heartbeat(), Some(&config));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn with_the_default_a_killed_workers_trial_fails_and_optuna_workers_trials_do_not() {
    let (dir, storage) = journal("killed");
    let storage: Arc<dyn Storage> = Arc::new(storage);
    let study = seeded_study(storage.clone(), "s", 0);
    let dead = foreign_running_trial(&study, true);
    let optuna = foreign_running_trial(&study, false);
    optimize_x(&study, 3);
    let trials = study.trials().unwrap();
    assert_failed_by_heartbeat(&trials[dead as usize]);
    // The trial that never beat, an hour old, is left alone.
    assert_eq!(trials[optuna as usize].state, TrialState::Running);
    // No retry by default: the three new trials, nothing enqueued.
    assert_eq!(trials.len(), 5);
    assert!(
        trials
            .iter()
            .all(|t| !t.system_attrs.contains_key("failed_trial"))
    );
    // The trials of this worker were created beating.
    assert!(trials[2..].iter().all(|t| {
        t.state == TrialState::Complete
            && t.system_attrs
                .contains_key(hpo_core::storage::HEARTBEAT_KEY)
    }));

    // A worker that asks for retries reruns the next dead trial's parameters.
    let retrying = Study::builder()
        .name("s")
        .storage_arc(storage)
        .sampler(RandomSampler::with_seed(1))
        .heartbeat(HeartbeatConfig::default().retry(Some(1)))
        .load()
        .unwrap();
    let dead = foreign_running_trial(&retrying, true);
    optimize_x(&retrying, 1);
    let trials = retrying.trials().unwrap();
    assert_eq!(trials[dead as usize].state, TrialState::Fail);
    let retry = trials.last().unwrap();
    assert_eq!(retry.state, TrialState::Complete);
    assert_eq!(retry.system_attrs["failed_trial"], dead);
    assert_eq!(retry.param("x"), trials[dead as usize].param("x"));
    assert_eq!(trials[optuna as usize].state, TrialState::Running);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn asked_trials_never_beat_so_an_ask_and_tell_loop_is_never_failed() {
    let (dir, storage) = journal("ask");
    let study = Study::builder()
        .storage(storage)
        .sampler(RandomSampler::with_seed(0))
        .heartbeat(
            HeartbeatConfig::new(Duration::from_millis(10)).grace_period(Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let mut asked = study.ask().unwrap();
    let x = asked.suggest_float("x", 0.0, 1.0).unwrap();
    study.enqueue_trial([("x", 0.5)]).unwrap();
    let popped = study.ask().unwrap(); // from the waiting queue
    std::thread::sleep(Duration::from_millis(100)); // five grace periods without a beat
    optimize_x(&study, 2);
    for t in [&asked, &popped] {
        let frozen = study.storage().get_trial(t.id()).unwrap();
        assert_eq!(frozen.state, TrialState::Running);
        assert!(
            !frozen
                .system_attrs
                .contains_key(hpo_core::storage::HEARTBEAT_KEY)
        );
    }
    let id = asked.id();
    study.tell(asked, x).unwrap();
    assert_eq!(
        study.storage().get_trial(id).unwrap().state,
        TrialState::Complete
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn optimize_looks_for_stale_trials_at_its_start_then_once_an_interval_not_per_trial() {
    let study_with = |interval: Duration| {
        Study::builder()
            .sampler(RandomSampler::with_seed(0))
            .heartbeat(HeartbeatConfig::new(interval).grace_period(Duration::from_secs(60)))
            .build()
            .unwrap()
    };
    // A long interval: a dead trial left after this call's first look stays Running for the
    // rest of the call (no look per trial), and the next call's first look fails it.
    let study = study_with(Duration::from_secs(30));
    let mut dead = None;
    let mut seen = Vec::new();
    study
        .optimize(4, |t| {
            match dead {
                None => dead = Some(foreign_running_trial(t.study(), true)),
                Some(d) => seen.push(t.study().trials().unwrap()[d as usize].state),
            }
            Ok(t.suggest_float("x", 0.0, 1.0)?)
        })
        .unwrap();
    assert_eq!(seen, [TrialState::Running; 3]);
    optimize_x(&study, 1);
    assert_eq!(
        study.trials().unwrap()[dead.unwrap() as usize].state,
        TrialState::Fail
    );

    // A 50 ms interval and 20 ms trials: a later look in the same call fails it.
    let study = study_with(Duration::from_millis(50));
    let mut dead = None;
    study
        .optimize(8, |t| {
            if dead.is_none() {
                dead = Some(foreign_running_trial(t.study(), true));
            }
            std::thread::sleep(Duration::from_millis(20));
            Ok(t.suggest_float("x", 0.0, 1.0)?)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials[dead.unwrap() as usize].state, TrialState::Fail);
    assert_eq!(trials.len(), 9);
}

/// A worker whose trial another worker failed as stale while it ran (its heartbeats came late)
/// drops that trial's result with a warning and goes on with the next trials: the study keeps
/// the trial as Fail, and `optimize` still returns Ok.
#[test]
fn a_worker_whose_trial_was_failed_as_stale_goes_on() {
    let study = Study::builder()
        .sampler(RandomSampler::with_seed(0))
        .heartbeat(HeartbeatConfig::new(Duration::from_secs(60)))
        .build()
        .unwrap();
    let storage = study.storage().clone();
    study
        .optimize(3, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            if t.number() == 1 {
                // What another worker's stale scan does.
                storage
                    .set_trial_state_values(t.id(), TrialState::Fail, None)
                    .unwrap();
            }
            Ok(x)
        })
        .unwrap();
    let states: Vec<TrialState> = study.trials().unwrap().iter().map(|t| t.state).collect();
    assert_eq!(
        states,
        [TrialState::Complete, TrialState::Fail, TrialState::Complete]
    );
}

#[test]
fn a_zero_interval_or_a_grace_not_longer_than_the_interval_is_refused() {
    let (dir, storage) = journal("invalid");
    let storage: Arc<dyn Storage> = Arc::new(storage);
    let second = Duration::from_secs(1);
    for config in [
        HeartbeatConfig::new(Duration::ZERO),
        HeartbeatConfig::new(second).grace_period(second),
        HeartbeatConfig::new(second).grace_period(Duration::from_millis(500)),
    ] {
        let err = Study::builder()
            .name("s")
            .storage_arc(storage.clone())
            .heartbeat(config.clone())
            .build()
            .unwrap_err();
        assert!(
            matches!(err, hpo_core::Error::InvalidArgument(_)),
            "{config:?}: {err}"
        );
    }
    // Nothing was created by the refused builds.
    assert!(storage.get_all_studies().unwrap().is_empty());
    assert!(HeartbeatConfig::default().validate().is_ok());
    let _ = std::fs::remove_dir_all(dir);
}
