//! InMemoryStorage under concurrent writers, and its incremental history.

use std::collections::BTreeSet;
use std::sync::Arc;

use hpo_core::storage::Storage;
use hpo_core::{Distribution, InMemoryStorage, IntersectionSearchSpace, RandomSampler, TrialState};

#[path = "support/trials.rs"]
mod trials;
use trials::{new_minimized_study, sampled_study, stored_study};

#[test]
fn concurrent_writers_get_unique_numbers() {
    let storage = Arc::new(InMemoryStorage::new());
    let sid = new_minimized_study(&*storage, "s");
    let d = Distribution::float(0.0, 1.0).unwrap();
    std::thread::scope(|scope| {
        for w in 0..4 {
            let storage = storage.clone();
            let d = d.clone();
            scope.spawn(move || {
                for i in 0..250 {
                    let t = storage.create_new_trial(sid, None).unwrap();
                    storage
                        .set_trial_param(t.trial_id, "x", (w * 250 + i) as f64 / 1000.0, &d)
                        .unwrap();
                    storage
                        .set_trial_state_values(t.trial_id, TrialState::Complete, Some(&[1.0]))
                        .unwrap();
                }
            });
        }
    });
    let trials = storage.get_all_trials(sid, None).unwrap();
    assert_eq!(trials.len(), 1000);
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers.len(), 1000);
    assert_eq!(*numbers.iter().next_back().unwrap(), 999);
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    assert_eq!(
        storage
            .get_n_trials(sid, Some(&[TrialState::Running]))
            .unwrap(),
        0
    );
}

#[test]
fn waiting_trials_are_popped_once_under_contention() {
    let storage = Arc::new(InMemoryStorage::new());
    let study = stored_study(storage.clone());
    for i in 0..100 {
        study.enqueue_trial([("i", i)]).unwrap();
    }
    let popped = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(t) = storage.pop_waiting_trial(study.study_id()).unwrap() {
                    popped.lock().unwrap().push(t.number);
                }
            });
        }
    });
    let mut popped = popped.into_inner().unwrap();
    popped.sort();
    assert_eq!(popped, (0..100).collect::<Vec<u64>>());
}

#[test]
fn finished_trials_since_is_incremental() {
    let storage = Arc::new(InMemoryStorage::new());
    let study = stored_study(storage.clone());
    let a = study.ask().unwrap();
    let b = study.ask().unwrap();
    study.tell(b, 1.0).unwrap();
    let first = storage.finished_trials_since(study.study_id(), 0).unwrap();
    assert_eq!(
        first.trials.iter().map(|t| t.number).collect::<Vec<_>>(),
        vec![1]
    );
    let none = storage
        .finished_trials_since(study.study_id(), first.cursor)
        .unwrap();
    assert!(none.trials.is_empty());
    study.tell_pruned(a).unwrap();
    let next = storage
        .finished_trials_since(study.study_id(), first.cursor)
        .unwrap();
    assert_eq!(
        next.trials.iter().map(|t| t.number).collect::<Vec<_>>(),
        vec![0]
    );
}

#[test]
fn intersection_search_space_follows_optuna() {
    let study = sampled_study(RandomSampler::with_seed(0));
    let space = IntersectionSearchSpace::new(false);
    assert!(space.calculate(&study).unwrap().is_empty());
    study
        .optimize(6, |t| {
            let z = t.suggest_float("z", 0.0, 1.0)?;
            let a = t.suggest_int("a", 0, 3)?;
            if t.number() % 2 == 0 {
                t.suggest_float("only_even", 0.0, 1.0)?;
            }
            Ok(z + a as f64)
        })
        .unwrap();
    let s = space.calculate(&study).unwrap();
    assert_eq!(
        s.keys().collect::<Vec<_>>(),
        vec!["a", "z"],
        "sorted by name, common to all"
    );
    // A trial with a different range for `z` removes it from the intersection.
    let mut t = study.ask().unwrap();
    t.suggest_float("z", 0.0, 2.0).unwrap();
    t.suggest_int("a", 0, 3).unwrap();
    study.tell(t, 0.0).unwrap();
    assert_eq!(
        space.calculate(&study).unwrap().keys().collect::<Vec<_>>(),
        vec!["a"]
    );
    // Pruned trials count only with include_pruned.
    let with_pruned = IntersectionSearchSpace::new(true);
    let mut t = study.ask().unwrap();
    t.suggest_float("other", 0.0, 1.0).unwrap();
    study.tell_pruned(t).unwrap();
    assert!(with_pruned.calculate(&study).unwrap().is_empty());
    assert_eq!(
        space.calculate(&study).unwrap().keys().collect::<Vec<_>>(),
        vec!["a"]
    );
}

#[test]
fn deleted_studies_and_unknown_ids_are_errors() {
    let storage = InMemoryStorage::new();
    let sid = new_minimized_study(&storage, "gone");
    let t = storage.create_new_trial(sid, None).unwrap();
    storage.delete_study(sid).unwrap();
    assert!(storage.get_trial(t.trial_id).is_err());
    assert!(storage.get_study_id_from_name("gone").is_err());
    assert!(storage.create_new_trial(sid, None).is_err());
    assert!(storage.create_new_study(&[], "x").is_err());
    // The name can be reused.
    new_minimized_study(&storage, "gone");
}

/// Asking for unfinished states only reads the unfinished trials; the answer must still be every
/// trial in those states, in number order, through creation, enqueueing, popping and finishing.
#[test]
fn unfinished_state_queries_follow_every_transition() {
    let storage = InMemoryStorage::new();
    let sid = new_minimized_study(&storage, "s");
    let queried = |states: &[TrialState]| -> Vec<u64> {
        storage
            .get_all_trials(sid, Some(states))
            .unwrap()
            .iter()
            .map(|t| t.number)
            .collect()
    };
    let by_scan = |states: &[TrialState]| -> Vec<u64> {
        storage
            .get_all_trials(sid, None)
            .unwrap()
            .iter()
            .filter(|t| states.contains(&t.state))
            .map(|t| t.number)
            .collect()
    };
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(storage.create_new_trial(sid, None).unwrap().trial_id);
    }
    let mut waiting = hpo_core::FrozenTrial::new(TrialState::Waiting);
    waiting.number = 0;
    for _ in 0..3 {
        storage.create_new_trial(sid, Some(&waiting)).unwrap();
    }
    let mut complete = hpo_core::FrozenTrial::new(TrialState::Complete);
    complete.values = Some(vec![1.0]);
    storage.create_new_trial(sid, Some(&complete)).unwrap();
    storage
        .set_trial_state_values(ids[1], TrialState::Complete, Some(&[0.5]))
        .unwrap();
    storage
        .set_trial_state_values(ids[4], TrialState::Fail, None)
        .unwrap();
    storage
        .set_trial_state_values(ids[5], TrialState::Pruned, None)
        .unwrap();
    let popped = storage.pop_waiting_trial(sid).unwrap().unwrap();
    assert_eq!(popped.number, 6);
    for states in [
        &[TrialState::Running][..],
        &[TrialState::Waiting],
        &[TrialState::Running, TrialState::Waiting],
        &[TrialState::Complete],
        &[TrialState::Running, TrialState::Complete],
    ] {
        assert_eq!(queried(states), by_scan(states), "{states:?}");
    }
    assert_eq!(queried(&[TrialState::Running]), vec![0, 2, 3, 6]);
    assert_eq!(queried(&[TrialState::Waiting]), vec![7, 8]);
    assert_eq!(
        storage
            .get_n_trials(sid, Some(&[TrialState::Running]))
            .unwrap(),
        4
    );
}

/// A trial's parameter map is sized from the last finished trial, not from every name the
/// study has seen: in a conditional space of 400 names where each trial uses one, a trial
/// holds room for a handful of parameters, not 400.
#[test]
fn a_trial_reserves_what_the_last_finished_trial_used() {
    let storage = InMemoryStorage::new();
    let sid = new_minimized_study(&storage, "s");
    let d = Distribution::float(0.0, 1.0).unwrap();
    let set = |id, name: &str| storage.set_trial_param(id, name, 0.5, &d).unwrap();
    let finish = |id| {
        storage
            .set_trial_state_values(id, TrialState::Complete, Some(&[1.0]))
            .unwrap();
    };
    for i in 0..400 {
        let t = storage.create_new_trial(sid, None).unwrap();
        set(t.trial_id, &format!("p{i}"));
        finish(t.trial_id);
    }
    let t = storage.create_new_trial(sid, None).unwrap();
    set(t.trial_id, "p7");
    let stored = storage.get_trial(t.trial_id).unwrap();
    assert_eq!(stored.params.len(), 1);
    assert!(
        stored.params.capacity() < 64,
        "room for {}",
        stored.params.capacity()
    );
    // With ten parameters in the last finished trial, the next one gets room for ten at once.
    let t = storage.create_new_trial(sid, None).unwrap();
    for i in 0..10 {
        set(t.trial_id, &format!("p{i}"));
    }
    finish(t.trial_id);
    let t = storage.create_new_trial(sid, None).unwrap();
    set(t.trial_id, "p0");
    assert!(storage.get_trial(t.trial_id).unwrap().params.capacity() >= 10);
}
