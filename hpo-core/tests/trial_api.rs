//! Trial: suggestions, misuse errors, reports, attributes, constraints.

use hpo_core::{Error, RandomSampler, Study, StudyDirection, TrialState};

#[path = "support/trials.rs"]
mod trials;
use trials::{assert_err_mentions, sampled_study};

fn study() -> Study {
    sampled_study(RandomSampler::with_seed(0))
}

#[test]
fn suggesting_a_name_twice_returns_the_same_value() {
    let study = study();
    let mut trial = study.ask().unwrap();
    let a = trial.suggest_float("x", 0.0, 1.0).unwrap();
    let b = trial.suggest_float("x", 0.0, 1.0).unwrap();
    assert_eq!(a, b);
    // Another range for the same name is an error naming the parameter and both ranges
    // (Optuna only warns and returns the first value), and the recorded value stays.
    assert_err_mentions(
        trial.suggest_float("x", 5.0, 10.0),
        &["`x`", "low=0.0", "high=1.0", "low=5.0", "high=10.0"],
    );
    assert_eq!(trial.suggest_float("x", 0.0, 1.0).unwrap(), a);
    assert_err_mentions(trial.suggest_float_log("x", 0.5, 1.0), &["log=True"]);
    let c = trial.suggest_categorical("c", &["a", "b", "c"]).unwrap();
    assert_eq!(trial.suggest_categorical("c", &["a", "b", "c"]).unwrap(), c);
}

#[test]
fn incompatible_redefinition_names_the_parameter_and_both_distributions() {
    let study = study();
    let mut trial = study.ask().unwrap();
    trial.suggest_float("x", 0.0, 1.0).unwrap();
    let err = trial.suggest_int("x", 0, 10).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::IncompatibleDistribution { .. }));
    assert!(msg.contains("`x`"), "{msg}");
    assert!(
        msg.contains("FloatDistribution(high=1.0, log=False, low=0.0, step=None)"),
        "{msg}"
    );
    assert!(
        msg.contains("IntDistribution(high=10, log=False, low=0, step=1)"),
        "{msg}"
    );
    assert_err_mentions(trial.suggest_float_log("x", 0.1, 1.0), &["log=True"]);
    trial.suggest_categorical("opt", &["adam", "sgd"]).unwrap();
    assert_err_mentions(
        trial.suggest_categorical("opt", &["adam", "rmsprop"]),
        &["`opt`", "'rmsprop'"],
    );
}

#[test]
fn incompatible_distribution_across_trials_of_a_study_is_rejected() {
    let study = study();
    let mut t0 = study.ask().unwrap();
    t0.suggest_float("x", 0.0, 1.0).unwrap();
    study.tell(t0, 1.0).unwrap();
    let mut t1 = study.ask().unwrap();
    let err = t1.suggest_int("x", 0, 3).unwrap_err();
    assert!(matches!(err, Error::IncompatibleDistribution { ref param, .. } if param == "x"));
    // Nothing already stored was lost.
    assert_eq!(study.trials().unwrap()[0].state, TrialState::Complete);
}

#[test]
fn every_invalid_distribution_names_the_parameter_and_the_values() {
    let study = study();
    let mut t = study.ask().unwrap();
    assert_err_mentions(
        t.suggest_float("lo_hi", 2.0, 1.0),
        &["`lo_hi`", "low=2.0", "high=1.0"],
    );
    assert_err_mentions(
        t.suggest_float_log("lr", 0.0, 1.0),
        &["`lr`", "low=0.0", "log"],
    );
    assert_err_mentions(
        t.suggest_float_log("lr2", -1.0, 1.0),
        &["`lr2`", "low=-1.0"],
    );
    assert_err_mentions(
        t.suggest_float_step("st", 0.0, 1.0, 0.0),
        &["`st`", "step=0.0"],
    );
    assert_err_mentions(
        t.suggest_float_step("st2", 0.0, 1.0, -0.5),
        &["`st2`", "step=-0.5"],
    );
    assert_err_mentions(
        t.suggest_float("nan", f64::NAN, 1.0),
        &["`nan`", "low", "NaN"],
    );
    assert_err_mentions(
        t.suggest_float("inf", 0.0, f64::INFINITY),
        &["`inf`", "high", "inf"],
    );
    assert_err_mentions(t.suggest_int("i", 5, 1), &["`i`", "low=5", "high=1"]);
    assert_err_mentions(t.suggest_int_log("il", 0, 10), &["`il`", "low=0"]);
    assert_err_mentions(t.suggest_int_step("is", 0, 10, 0), &["`is`", "step=0"]);
    assert_err_mentions(
        t.suggest_categorical::<&str>("empty", &[]),
        &["`empty`", "choices"],
    );
    // Log with step through the general API.
    assert_err_mentions(
        hpo_core::FloatDistribution::new(0.1, 1.0, true, Some(0.1)),
        &["step=0.1"],
    );
    assert_err_mentions(hpo_core::IntDistribution::new(1, 10, true, 2), &["step=2"]);
    // None of the failed suggestions was recorded.
    assert!(t.params().is_empty());
}

#[test]
fn reports_ignore_duplicate_steps_and_reject_multi_objective() {
    let study = study();
    let mut t = study.ask().unwrap();
    t.report(1.0, 0).unwrap();
    t.report(0.5, 1).unwrap();
    t.report(99.0, 1).unwrap(); // ignored, first value wins
    assert!(!t.should_prune().unwrap());
    let number = t.number();
    study.tell(t, 0.5).unwrap();
    let stored = &study.trials().unwrap()[number as usize];
    assert_eq!(stored.intermediate_values.get(&1), Some(&0.5));
    assert_eq!(stored.intermediate_values.len(), 2);

    let multi = Study::builder()
        .directions([StudyDirection::Minimize, StudyDirection::Minimize])
        .build()
        .unwrap();
    let mut t = multi.ask().unwrap();
    assert!(matches!(t.report(1.0, 0), Err(Error::MultiObjective(_))));
    assert!(matches!(t.should_prune(), Err(Error::MultiObjective(_))));
}

#[test]
fn attributes_and_constraints() {
    let study = study();
    study.set_user_attr("owner", "me").unwrap();
    study.set_user_attr("tags", ["a", "b"]).unwrap();
    assert_eq!(study.user_attrs().unwrap()["owner"], "me");
    assert_eq!(
        study.user_attrs().unwrap()["tags"],
        serde_json::json!(["a", "b"])
    );

    let mut t = study.ask().unwrap();
    t.set_user_attr("note", serde_json::json!({"k": [1, 2]}))
        .unwrap();
    assert!(t.set_constraint("c", f64::NAN).is_err());
    t.set_constraint("c", 1.0).unwrap();
    t.set_constraint("c", -5.0).unwrap(); // ignored with a warning
    let frozen = study.tell(t, 0.0).unwrap();
    assert_eq!(frozen.user_attrs["note"], serde_json::json!({"k": [1, 2]}));
    assert_eq!(frozen.constraints(), vec![1.0]);
    assert!(!frozen.is_feasible());

    // The infeasible trial has the best value, but the best feasible one is returned.
    let mut t = study.ask().unwrap();
    t.set_constraint("c", 0.0).unwrap();
    study.tell(t, 3.0).unwrap();
    let mut t = study.ask().unwrap();
    t.set_constraint("c", -1.0).unwrap();
    study.tell(t, 2.0).unwrap();
    assert_eq!(study.best_trial().unwrap().number, 2);
    assert_eq!(study.best_value().unwrap(), 2.0);
}

#[test]
fn no_feasible_or_no_complete_trial_are_clear_errors() {
    let study = study();
    assert!(matches!(
        study.best_trial(),
        Err(Error::NoCompletedTrials { .. })
    ));
    let mut t = study.ask().unwrap();
    t.set_constraint("c", 1.0).unwrap();
    study.tell(t, 0.0).unwrap();
    assert!(matches!(
        study.best_trial(),
        Err(Error::NoFeasibleTrials(_))
    ));
}

#[test]
fn maximize_picks_the_largest_value() {
    let study = Study::builder()
        .direction(StudyDirection::Maximize)
        .build()
        .unwrap();
    for v in [1.0, 5.0, 3.0] {
        let t = study.ask().unwrap();
        study.tell(t, v).unwrap();
    }
    assert_eq!(study.best_value().unwrap(), 5.0);
    assert_eq!(study.best_trial().unwrap().number, 1);
}
