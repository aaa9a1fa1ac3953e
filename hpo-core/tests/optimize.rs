//! The optimize loop: budgets, threads, timeouts, stop, failures.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hpo_core::{
    Error, FrozenTrial, MaxTrialsCallback, OptimizeOptions, RandomSampler, Study, StudyDirection,
    TrialError, TrialPruned, TrialState,
};

#[path = "support/trials.rs"]
mod trials;
use trials::{sampled_study, sampled_study_with};

fn study(seed: u64) -> Study {
    sampled_study(RandomSampler::with_seed(seed))
}

#[test]
fn two_jobs_run_exactly_the_budget_once_each() {
    let study = study(1);
    study
        .optimize_parallel(OptimizeOptions::new().n_trials(200).n_jobs(2), |trial| {
            let x = trial.suggest_float("x", -1.0, 1.0)?;
            let y = trial.suggest_int("y", 0, 10)?;
            Ok(x * x + y as f64)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 200);
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..200).collect::<BTreeSet<u64>>());
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    assert_eq!(study.trials_in(&[TrialState::Running]).unwrap().len(), 0);
}

#[test]
fn two_jobs_really_run_in_parallel() {
    // Both workers must be inside the objective at the same time at least once.
    let inside = AtomicUsize::new(0);
    let overlap = AtomicUsize::new(0);
    let study = study(2);
    study
        .optimize_parallel(OptimizeOptions::new().n_trials(20).n_jobs(2), |trial| {
            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
            if now == 2 {
                overlap.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(20));
            inside.fetch_sub(1, Ordering::SeqCst);
            Ok(trial.suggest_float("x", 0.0, 1.0)?)
        })
        .unwrap();
    assert!(
        overlap.load(Ordering::SeqCst) > 0,
        "the two workers never overlapped"
    );
}

#[test]
fn timeout_stops_the_loop() {
    let study = study(3);
    let start = Instant::now();
    study
        .optimize_with(
            OptimizeOptions::new().timeout(Duration::from_millis(200)),
            |trial| {
                std::thread::sleep(Duration::from_millis(20));
                Ok(trial.suggest_float("x", 0.0, 1.0)?)
            },
        )
        .unwrap();
    let n = study.n_trials().unwrap();
    // The loop ended by itself (no n_trials), after a bounded number of 20 ms trials.
    assert!((1..=12).contains(&n), "{n} trials");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn stop_from_a_callback_ends_after_the_current_trial() {
    let study = study(4);
    study
        .optimize_with(
            OptimizeOptions::new()
                .n_trials(100)
                .callback(|s: &Study, t: &FrozenTrial| {
                    if t.number == 4 {
                        s.stop();
                    }
                }),
            |trial| Ok(trial.suggest_float("x", 0.0, 1.0)?),
        )
        .unwrap();
    assert_eq!(study.n_trials().unwrap(), 5);
    // A later optimize call starts fresh.
    study
        .optimize(3, |trial| Ok(trial.suggest_float("x", 0.0, 1.0)?))
        .unwrap();
    assert_eq!(study.n_trials().unwrap(), 8);
}

#[test]
fn stop_from_the_objective() {
    let study = study(5);
    study
        .optimize(50, |trial| {
            if trial.number() == 2 {
                trial.study().stop();
            }
            Ok(1.0)
        })
        .unwrap();
    assert_eq!(study.n_trials().unwrap(), 3);
}

#[test]
fn max_trials_callback_counts_complete_trials() {
    let study = study(6);
    study
        .optimize_with(
            OptimizeOptions::new()
                .n_trials(100)
                .catch(true)
                .callback_object(MaxTrialsCallback::new(7)),
            |trial| {
                let x = trial.suggest_float("x", 0.0, 1.0)?;
                if trial.number() % 2 == 1 {
                    Err(TrialError::msg("odd"))
                } else {
                    Ok(x)
                }
            },
        )
        .unwrap();
    assert_eq!(study.trials_in(&[TrialState::Complete]).unwrap().len(), 7);
}

#[test]
fn with_catch_panic_error_and_nan_fail_the_trial_and_the_study_goes_on() {
    let study = study(7);
    study
        .optimize_with(OptimizeOptions::new().n_trials(8).catch(true), |trial| {
            let x = trial.suggest_float("x", 0.0, 1.0)?;
            match trial.number() {
                1 => panic!("boom at one"),
                3 => Err(std::io::Error::other("disk on fire").into()),
                5 => Ok(f64::NAN),
                _ => Ok(x),
            }
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 8);
    let reason = |n: usize| {
        trials[n].system_attrs["fail_reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(trials[1].state, TrialState::Fail);
    assert!(reason(1).contains("boom at one"), "{}", reason(1));
    assert_eq!(trials[3].state, TrialState::Fail);
    assert!(reason(3).contains("disk on fire"), "{}", reason(3));
    assert_eq!(trials[5].state, TrialState::Fail);
    assert!(reason(5).contains("nan"), "{}", reason(5));
    for n in [0, 2, 4, 6, 7] {
        assert_eq!(trials[n].state, TrialState::Complete, "trial {n}");
    }
    // The failed trials keep their suggested parameter: nothing recorded is lost.
    assert!(trials[1].param("x").is_some());
    assert!(trials[1].values.is_none());
}

#[test]
fn by_default_an_error_stops_optimize_after_storing_the_failure() {
    let study = study(8);
    let err = study
        .optimize(10, |trial| {
            if trial.number() == 2 {
                Err(TrialError::msg("bad config"))
            } else {
                Ok(1.0)
            }
        })
        .unwrap_err();
    assert!(
        matches!(err, Error::ObjectiveFailed { number: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("bad config"));
    assert_eq!(study.n_trials().unwrap(), 3);
    assert_eq!(study.trials().unwrap()[2].state, TrialState::Fail);
}

#[test]
fn pruned_trials_store_the_last_intermediate_value() {
    let study = study(9);
    study
        .optimize(3, |trial| {
            for step in 0..5u64 {
                trial.report(10.0 - step as f64, step)?;
            }
            match trial.number() {
                0 => Err(TrialPruned.into()),
                1 => {
                    trial.report(f64::NAN, 5)?;
                    Err(TrialError::Pruned)
                }
                _ => Ok(1.0),
            }
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials[0].state, TrialState::Pruned);
    assert_eq!(trials[0].values, Some(vec![6.0]));
    assert_eq!(trials[1].state, TrialState::Pruned);
    assert_eq!(trials[1].values, None, "a NaN last value is not stored");
    assert_eq!(trials[2].state, TrialState::Complete);
}

#[test]
fn nested_optimize_is_an_error() {
    let study = study(10);
    let inner_err = std::sync::Mutex::new(None);
    study
        .optimize(1, |trial| {
            let r = trial.study().optimize(1, |_| Ok(0.0));
            *inner_err.lock().unwrap() = Some(r.is_err());
            Ok(0.0)
        })
        .unwrap();
    assert_eq!(*inner_err.lock().unwrap(), Some(true));
    assert_eq!(study.n_trials().unwrap(), 1);
}

#[test]
fn n_jobs_zero_means_all_cores_and_still_respects_the_budget() {
    let study = study(11);
    study
        .optimize_parallel(OptimizeOptions::new().n_trials(37).n_jobs(0), |t| {
            Ok(t.suggest_float("x", 0.0, 1.0)?)
        })
        .unwrap();
    assert_eq!(study.n_trials().unwrap(), 37);
}

#[test]
fn multi_objective_values_and_pareto_front() {
    let study = sampled_study_with(
        [StudyDirection::Minimize, StudyDirection::Maximize],
        RandomSampler::with_seed(12),
    );
    study
        .optimize(60, |trial| {
            let x = trial.suggest_float("x", 0.0, 1.0)?;
            Ok((x, x * x))
        })
        .unwrap();
    let front = study.best_trials().unwrap();
    assert!(!front.is_empty());
    let all = study.trials_in(&[TrialState::Complete]).unwrap();
    for f in &front {
        let fv = f.values.as_ref().unwrap();
        for t in &all {
            let tv = t.values.as_ref().unwrap();
            let dominates = tv[0] <= fv[0] && tv[1] >= fv[1] && (tv[0] < fv[0] || tv[1] > fv[1]);
            assert!(
                !dominates,
                "trial {} dominates front trial {}",
                t.number, f.number
            );
        }
    }
    assert!(matches!(study.best_trial(), Err(Error::MultiObjective(_))));
    // Wrong number of values: the trial fails.
    study.optimize(1, |_| Ok(1.0)).unwrap();
    let last = study.trials().unwrap().pop().unwrap();
    assert_eq!(last.state, TrialState::Fail);
}

#[test]
fn callbacks_see_every_finished_trial() {
    let seen = std::sync::Mutex::new(Vec::new());
    let study = study(13);
    study
        .optimize_parallel(
            OptimizeOptions::new()
                .n_trials(10)
                .n_jobs(2)
                .callback(|_: &Study, t: &FrozenTrial| {
                    seen.lock().unwrap().push((t.number, t.state));
                }),
            |t| Ok(t.suggest_float("x", 0.0, 1.0)?),
        )
        .unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(
        seen,
        (0..10)
            .map(|n| (n, TrialState::Complete))
            .collect::<Vec<_>>()
    );
}

#[test]
fn anyhow_errors_convert_with_failed() {
    let study = study(14);
    study
        .optimize_with(
            OptimizeOptions::new().n_trials(1).catch(true),
            |_| -> hpo_core::TrialResult {
                let r: anyhow::Result<f64> = Err(anyhow::anyhow!("from anyhow"));
                r.map_err(TrialError::failed)
            },
        )
        .unwrap();
    let t = &study.trials().unwrap()[0];
    trials::assert_failed_because(t, "from anyhow");
}
