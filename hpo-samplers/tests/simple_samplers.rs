//! Grid, brute force, partial fixed and QMC samplers in studies.

use std::collections::BTreeSet;

use hpo_core::*;
use hpo_core::{OptimizeOptions, ParamValue};
use hpo_samplers::{BruteForceSampler, GridSampler, PartialFixedSampler, QmcKind, QmcSampler};

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::sampled_study;

#[test]
fn grid_visits_every_point_once_then_stops() {
    let grid = GridSampler::new([
        ("x", vec![ParamValue::from(-1.0), 0.0.into(), 1.0.into()]),
        ("opt", vec!["a".into(), "b".into()]),
    ])
    .unwrap()
    .seed(1);
    let study = sampled_study(grid);
    study
        .optimize(100, |t| {
            let x = t.suggest_float("x", -1.0, 1.0)?;
            let o = t.suggest_categorical("opt", &["a", "b"])?;
            Ok(x + if o == "a" { 0.0 } else { 1.0 })
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 6, "stopped after the 6 grid points");
    let seen: BTreeSet<String> = trials
        .iter()
        .map(|t| format!("{:?}", t.params_map()))
        .collect();
    assert_eq!(seen.len(), 6);
    assert!(
        trials
            .iter()
            .all(|t| t.system_attrs.contains_key("grid_id"))
    );
    assert_eq!(study.best_value().unwrap(), -1.0);
}

#[test]
fn grid_errors() {
    // A grid from a derived space, and its errors: hpo/tests/samplers_derive.rs.
    assert!(GridSampler::new([("e", Vec::<f64>::new())]).is_err());
    // A parameter outside the grid fails the trial with a clear reason.
    let study = sampled_study(GridSampler::new([("x", vec![1.0])]).unwrap());
    let err = study
        .optimize(1, |t| Ok(t.suggest_float("y", 0.0, 1.0)?))
        .unwrap_err();
    assert!(err.to_string().contains("`y`"), "{err}");
    let t = &study.trials().unwrap()[0];
    trials::assert_failed_because(t, "`y`");
}

#[test]
fn brute_force_covers_a_conditional_space_exactly() {
    let study = sampled_study(BruteForceSampler::with_seed(3));
    study
        .optimize(100, |t| {
            let kind = t.suggest_categorical("kind", &["a", "b"])?;
            Ok(match kind {
                "a" => t.suggest_int("n", 0, 2)? as f64,
                _ => t.suggest_float_step("s", 0.0, 1.0, 0.5)? + t.suggest_int("m", 0, 1)? as f64,
            })
        })
        .unwrap();
    let trials = study.trials().unwrap();
    // a: 3 leaves; b: 3 x 2 leaves.
    assert_eq!(trials.len(), 9);
    let distinct: BTreeSet<String> = trials
        .iter()
        .map(|t| format!("{:?}", t.params_map()))
        .collect();
    assert_eq!(distinct.len(), 9);
    let study = sampled_study(BruteForceSampler::new());
    let err = study
        .optimize(1, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
        .unwrap_err();
    assert!(err.to_string().contains("`x`"), "{err}");
    assert_eq!(
        study.trials().unwrap()[0].state,
        TrialState::Fail,
        "floats need a step"
    );
}

#[test]
fn partial_fixed_fixes_some_and_delegates_the_rest() {
    let sampler =
        PartialFixedSampler::new([("lr", 0.01)], TpeSampler::with_seed(4).n_startup_trials(3));
    let study = sampled_study(sampler);
    study
        .optimize(20, |t| {
            let lr = t.suggest_float_log("lr", 1e-4, 1.0)?;
            let x = t.suggest_float("x", -1.0, 1.0)?;
            Ok(lr + x * x)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert!(
        trials
            .iter()
            .all(|t| t.param("lr") == Some(&ParamValue::Float(0.01)))
    );
    let xs: BTreeSet<u64> = trials
        .iter()
        .map(|t| t.param("x").unwrap().as_f64().unwrap().to_bits())
        .collect();
    assert!(xs.len() > 15);
}

#[test]
fn qmc_samples_cover_the_space_and_are_reproducible() {
    for kind in [QmcKind::Sobol, QmcKind::Halton] {
        let run = || {
            let study = sampled_study(QmcSampler::new(kind, 5));
            study
                .optimize_with(OptimizeOptions::new().n_trials(65), |t| {
                    let x = t.suggest_float("x", 0.0, 1.0)?;
                    let n = t.suggest_int("n", 1, 4)?;
                    Ok(x + n as f64)
                })
                .unwrap();
            trials::params_of(&study)
        };
        let a = run();
        assert_eq!(a, run(), "{kind:?} is seeded");
        // After the first (random) trial, 64 QMC points: each quarter of x gets 16 +- 2.
        let mut quarters = [0; 4];
        for p in &a[1..] {
            quarters[(p["x"].as_f64().unwrap() * 4.0) as usize] += 1;
        }
        assert!(
            quarters.iter().all(|q| (14..=18).contains(q)),
            "{kind:?} {quarters:?}"
        );
    }
}
