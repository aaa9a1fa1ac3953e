//! `param_importances` end to end, on studies run with hpo's seeded RandomSampler.

use std::sync::Arc;

use hpo_core::*;
use hpo_core::{Error, RandomSampler};
use hpo_importance::{
    FanovaEvaluator, ImportanceEvaluator, ImportanceOptions, MeanDecreaseImpurityEvaluator,
    PedAnovaEvaluator, evaluator_from_name, param_importances, param_importances_of,
};

fn random_study(seed: u64, directions: &[StudyDirection]) -> Study {
    Study::builder()
        .sampler(RandomSampler::with_seed(seed))
        .directions(directions.to_vec())
        .build()
        .unwrap()
}

/// A `random_study` that has run `objective` for `n_trials` trials.
fn optimized<V: ObjectiveValue>(
    seed: u64,
    directions: &[StudyDirection],
    n_trials: usize,
    objective: impl FnMut(&mut Trial) -> TrialResult<V>,
) -> Study {
    let study = random_study(seed, directions);
    study.optimize(n_trials, objective).unwrap();
    study
}

/// f = 10 x0^2 + 0.1 x1 + 0.01 x2, plus a categorical and an int with little effect.
fn synthetic(seed: u64, n: usize) -> Study {
    optimized(seed, &[StudyDirection::Minimize], n, |t| {
        let x0 = t.suggest_float("x0", -1.0, 1.0)?;
        let x1 = t.suggest_float("x1", -1.0, 1.0)?;
        let x2 = t.suggest_float("x2", -1.0, 1.0)?;
        let c = t.suggest_categorical("c", &["a", "b", "c"])?;
        let n = t.suggest_int("n", 0, 10)?;
        let c_effect = if c == "b" { 0.02 } else { 0.0 };
        Ok(10.0 * x0 * x0 + 0.1 * x1 + 0.01 * x2 + c_effect + 0.001 * n as f64)
    })
}

fn evaluators() -> Vec<Arc<dyn ImportanceEvaluator>> {
    vec![
        Arc::new(PedAnovaEvaluator::new()),
        Arc::new(FanovaEvaluator::new()),
        Arc::new(MeanDecreaseImpurityEvaluator::new()),
    ]
}

/// The options that ask `e` for the importances.
fn options_for(e: &Arc<dyn ImportanceEvaluator>) -> ImportanceOptions {
    ImportanceOptions::new().evaluator_arc(e.clone())
}

fn first(importances: &indexmap::IndexMap<String, f64>) -> &str {
    importances.get_index(0).unwrap().0
}

#[test]
fn every_evaluator_ranks_the_dominant_param_first() {
    let study = synthetic(1, 200);
    for e in evaluators() {
        let name = e.name();
        let imp = param_importances(&study, &options_for(&e)).unwrap();
        assert_eq!(first(&imp), "x0", "{name}: {imp:?}");
        assert_eq!(imp.len(), 5, "{name}: {imp:?}");
        assert!(imp["x0"] > 0.5, "{name}: {imp:?}");
        assert!((imp.values().sum::<f64>() - 1.0).abs() < 1e-12, "{name}");
        let values: Vec<f64> = imp.values().copied().collect();
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{name}: {imp:?}");
        assert!(values.iter().all(|v| *v >= 0.0), "{name}: {imp:?}");
    }
}

#[test]
fn the_default_is_ped_anova() {
    let study = synthetic(2, 100);
    let default = param_importances(&study, &ImportanceOptions::new()).unwrap();
    let ped = param_importances(
        &study,
        &ImportanceOptions::new().evaluator(PedAnovaEvaluator::new()),
    )
    .unwrap();
    assert_eq!(default, ped);
    assert_eq!(ImportanceOptions::new().evaluator_ref().name(), "ped-anova");
}

#[test]
fn seeded_forests_are_reproducible() {
    let study = synthetic(3, 150);
    let run = |e: Arc<dyn ImportanceEvaluator>| {
        param_importances(&study, &options_for(&e).normalize(false)).unwrap()
    };
    let a = run(Arc::new(FanovaEvaluator::new().seed(5)));
    let b = run(Arc::new(FanovaEvaluator::new().seed(5)));
    let c = run(Arc::new(FanovaEvaluator::new().seed(6)));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(
        run(Arc::new(FanovaEvaluator::new())),
        run(Arc::new(FanovaEvaluator::new().seed(0))),
        "the default seed is 0"
    );
    let a = run(Arc::new(MeanDecreaseImpurityEvaluator::new().seed(5)));
    let b = run(Arc::new(MeanDecreaseImpurityEvaluator::new().seed(5)));
    let c = run(Arc::new(MeanDecreaseImpurityEvaluator::new().seed(6)));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Fewer, shallower trees still find the signal.
    let small = run(Arc::new(
        FanovaEvaluator::new().n_trees(8).max_depth(4).seed(1),
    ));
    assert_eq!(first(&small), "x0");
}

#[test]
fn normalize_scales_to_one_and_keeps_the_order() {
    let study = synthetic(4, 120);
    for e in evaluators() {
        let raw = param_importances(&study, &options_for(&e).normalize(false)).unwrap();
        let norm = param_importances(&study, &options_for(&e)).unwrap();
        let sum: f64 = raw.values().sum();
        assert!(sum > 0.0);
        assert_eq!(
            raw.keys().collect::<Vec<_>>(),
            norm.keys().collect::<Vec<_>>()
        );
        for (k, v) in &raw {
            assert!((v / sum - norm[k]).abs() < 1e-12);
        }
        assert!((norm.values().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // PED-ANOVA's raw values are not normalised.
    let raw = param_importances(&study, &ImportanceOptions::new().normalize(false)).unwrap();
    assert!((raw.values().sum::<f64>() - 1.0).abs() > 1e-3, "{raw:?}");
}

#[test]
fn params_option_restricts_and_orders_ties() {
    let study = synthetic(5, 120);
    for e in evaluators() {
        let imp = param_importances(&study, &options_for(&e).params(["x2", "x0"])).unwrap();
        assert_eq!(imp.keys().collect::<Vec<_>>(), ["x0", "x2"], "{}", e.name());
        let none =
            param_importances(&study, &options_for(&e).params(Vec::<String>::new())).unwrap();
        assert!(none.is_empty());
    }
    // A flat objective: every importance is 0, normalised to 1/n, in the order asked for.
    let flat = optimized(6, &[StudyDirection::Minimize], 30, |t| {
        t.suggest_float("a", 0.0, 1.0)?;
        t.suggest_float("b", 0.0, 1.0)?;
        t.suggest_float("c", 0.0, 1.0)?;
        Ok(1.0)
    });
    for e in evaluators() {
        let name = e.name();
        let imp = param_importances(&flat, &options_for(&e).params(["c", "a", "b"])).unwrap();
        assert_eq!(imp.keys().collect::<Vec<_>>(), ["c", "a", "b"], "{name}");
        assert!(
            imp.values().all(|v| (v - 1.0 / 3.0).abs() < 1e-12),
            "{name}"
        );
    }
}

#[test]
fn no_completed_trials_is_an_error() {
    let study = Study::builder().name("empty-study").build().unwrap();
    for e in evaluators() {
        let err = param_importances(&study, &options_for(&e)).unwrap_err();
        assert!(matches!(err, Error::NoCompletedTrials { .. }), "{err}");
        assert!(err.to_string().contains("empty-study"), "{err}");
    }
    // Failed trials do not count.
    let failing = random_study(7, &[StudyDirection::Minimize]);
    let _ = failing.optimize_with(
        OptimizeOptions::new().n_trials(3).catch(true),
        |t| -> TrialResult {
            t.suggest_float("x", 0.0, 1.0)?;
            Err(TrialError::msg("boom"))
        },
    );
    let err = param_importances(&failing, &ImportanceOptions::new()).unwrap_err();
    assert!(matches!(err, Error::NoCompletedTrials { .. }), "{err}");
    let err = param_importances_of(&[], &[StudyDirection::Minimize], &ImportanceOptions::new())
        .unwrap_err();
    assert!(matches!(err, Error::NoCompletedTrials { .. }), "{err}");
}

#[test]
fn unknown_param_is_an_error_naming_it() {
    let study = synthetic(8, 20);
    for e in evaluators() {
        let err = param_importances(&study, &options_for(&e).params(["x0", "nope"])).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        assert!(err.to_string().contains("`nope`"), "{err}");
        assert!(!err.to_string().contains("`x0`"), "{err}");
    }
}

fn two_objective_study() -> Study {
    let directions = [StudyDirection::Minimize, StudyDirection::Maximize];
    optimized(9, &directions, 150, |t| {
        let a = t.suggest_float("a", -1.0, 1.0)?;
        let b = t.suggest_float("b", -1.0, 1.0)?;
        let c = t.suggest_float("c", -1.0, 1.0)?;
        Ok((a * a + 0.01 * c, -(b * b) + 0.01 * c))
    })
}

#[test]
fn multi_objective_needs_a_target_for_forests() {
    let study = two_objective_study();
    for (e, name) in [
        (
            Arc::new(FanovaEvaluator::new()) as Arc<dyn ImportanceEvaluator>,
            "fanova",
        ),
        (Arc::new(MeanDecreaseImpurityEvaluator::new()), "mdi"),
    ] {
        let err = param_importances(&study, &options_for(&e)).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(name) && msg.contains("target"), "{msg}");
    }
    // PED-ANOVA ranks the Pareto front without a target.
    let imp = param_importances(&study, &ImportanceOptions::new()).unwrap();
    assert_eq!(imp.len(), 3);
    assert!(imp["c"] < imp["a"].max(imp["b"]), "{imp:?}");
}

#[test]
fn target_selects_the_objective() {
    let study = two_objective_study();
    let objective = |i: usize| move |t: &FrozenTrial| t.values.as_ref().unwrap()[i];
    for e in evaluators() {
        let name = e.name();
        let on_a = param_importances(&study, &options_for(&e).target(objective(0))).unwrap();
        assert_eq!(first(&on_a), "a", "{name}: {on_a:?}");
        // Objective 1 is maximized; PED-ANOVA minimises a target, so negate it.
        let on_b = param_importances(
            &study,
            &options_for(&e).target(move |t| -t.values.as_ref().unwrap()[1]),
        )
        .unwrap();
        assert_eq!(first(&on_b), "b", "{name}: {on_b:?}");
    }
}

#[test]
fn a_dominant_categorical_ranks_first() {
    let study = optimized(10, &[StudyDirection::Minimize], 150, |t| {
        let x = t.suggest_float("x", -1.0, 1.0)?;
        let opt = t.suggest_categorical(
            "optimizer",
            &["adam", "sgd", "rmsprop", "adagrad", "lion", "lamb"],
        )?;
        let n = t.suggest_int("n", 1, 8)?;
        // One choice is far better than the others; x and n barely matter.
        let penalty = match opt {
            "adam" => 0.0,
            "sgd" => 5.0,
            "rmsprop" => 2.0,
            "adagrad" => 3.0,
            "lion" => 4.0,
            _ => 6.0,
        };
        Ok(penalty + 0.1 * x + 0.01 * n as f64)
    });
    for e in evaluators() {
        let name = e.name();
        let imp = param_importances(&study, &options_for(&e)).unwrap();
        println!("{name}: {imp:?}");
        assert_eq!(first(&imp), "optimizer", "{name}: {imp:?}");
    }
}

#[test]
fn conditional_params_follow_optuna() {
    let study = optimized(11, &[StudyDirection::Minimize], 120, |t| {
        let x = t.suggest_float("x", -1.0, 1.0)?;
        let kind = t.suggest_categorical("kind", &["linear", "tree"])?;
        let extra = if kind == "tree" {
            let depth = t.suggest_int("depth", 1, 10)?;
            0.5 * (depth as f64 - 7.0).abs()
        } else {
            1.0
        };
        Ok(x * x + extra)
    });
    // PED-ANOVA assesses every param, the conditional one too.
    let ped = param_importances(&study, &ImportanceOptions::new()).unwrap();
    assert_eq!(ped.len(), 3);
    assert!(ped["depth"] > 0.0, "{ped:?}");
    // The forests assess the params every trial has ...
    let fanova = param_importances(
        &study,
        &ImportanceOptions::new().evaluator(FanovaEvaluator::new()),
    )
    .unwrap();
    let mut keys: Vec<&String> = fanova.keys().collect();
    keys.sort();
    assert_eq!(keys, ["kind", "x"]);
    // ... or, asked for it, the trials that have it.
    let depth = param_importances(
        &study,
        &ImportanceOptions::new()
            .evaluator(MeanDecreaseImpurityEvaluator::new())
            .params(["depth", "x"]),
    )
    .unwrap();
    assert_eq!(depth.len(), 2);
    assert!(depth["depth"] > 0.0, "{depth:?}");
}

#[test]
fn non_finite_values_are_skipped() {
    let study = synthetic(12, 60);
    let before = param_importances(&study, &ImportanceOptions::new()).unwrap();
    let template = study.trials().unwrap()[0].as_ref().clone();
    for v in [f64::INFINITY, f64::NEG_INFINITY] {
        let mut t = FrozenTrial::new(TrialState::Complete).with_value(v);
        t.params = template.params.clone();
        study.add_trial(&t).unwrap();
    }
    let after = param_importances(&study, &ImportanceOptions::new()).unwrap();
    assert_eq!(before, after);
    for e in evaluators() {
        let imp = param_importances(&study, &options_for(&e)).unwrap();
        assert!(imp.values().all(|v| v.is_finite()));
    }
}

#[test]
fn single_valued_params_get_zero() {
    let study = optimized(13, &[StudyDirection::Minimize], 80, |t| {
        let x = t.suggest_float("x", -1.0, 1.0)?;
        let k = t.suggest_float("k", 2.0, 2.0)?;
        let one = t.suggest_categorical("one", &["only"])?;
        assert_eq!(one, "only");
        Ok(x * x + k)
    });
    for e in evaluators() {
        let name = e.name();
        let imp = param_importances(&study, &options_for(&e).normalize(false)).unwrap();
        assert_eq!(imp["k"], 0.0, "{name}");
        assert_eq!(imp["one"], 0.0, "{name}");
        assert!(imp["x"] > 0.0, "{name}");
    }
}

#[test]
fn evaluators_by_name() {
    for (name, short) in [
        ("ped-anova", "ped-anova"),
        ("PedAnova", "ped-anova"),
        ("PedAnovaImportanceEvaluator", "ped-anova"),
        ("FANOVA", "fanova"),
        ("FanovaImportanceEvaluator", "fanova"),
        ("mdi", "mdi"),
        ("Mean-Decrease-Impurity", "mdi"),
        ("MeanDecreaseImpurityImportanceEvaluator", "mdi"),
    ] {
        assert_eq!(evaluator_from_name(name, None).unwrap().name(), short);
    }
    let err = evaluator_from_name("shap", Some(1)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert!(msg.contains("`shap`") && msg.contains("fanova") && msg.contains("ped-anova"));
    // The seed reaches the forest.
    let study = synthetic(14, 80);
    let run =
        |e: Arc<dyn ImportanceEvaluator>| param_importances(&study, &options_for(&e)).unwrap();
    assert_eq!(
        run(evaluator_from_name("fanova", Some(3)).unwrap()),
        run(Arc::new(FanovaEvaluator::new().seed(3)))
    );
    assert_eq!(
        run(evaluator_from_name("mdi", None).unwrap()),
        run(Arc::new(MeanDecreaseImpurityEvaluator::new()))
    );
}

#[test]
fn bad_settings_are_errors() {
    let study = synthetic(15, 30);
    for e in [
        Arc::new(PedAnovaEvaluator::new().target_quantile(0.0)) as Arc<dyn ImportanceEvaluator>,
        Arc::new(
            PedAnovaEvaluator::new()
                .target_quantile(0.5)
                .region_quantile(0.4),
        ),
        Arc::new(PedAnovaEvaluator::new().region_quantile(1.5)),
        Arc::new(FanovaEvaluator::new().n_trees(0)),
        Arc::new(MeanDecreaseImpurityEvaluator::new().max_depth(0)),
    ] {
        let err = param_importances(&study, &options_for(&e)).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    }
}

/// Timing on 1000 trials x 5 params; run with
/// `cargo test --release -p hpo-importance --test importance -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_1000_trials() {
    let study = synthetic(16, 1000);
    for e in evaluators() {
        let name = e.name();
        let options = options_for(&e);
        let start = std::time::Instant::now();
        let imp = param_importances(&study, &options).unwrap();
        println!(
            "{name:<10} {:>8.1} ms  {imp:?}",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}
