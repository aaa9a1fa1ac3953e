//! TPE end to end: reproducibility, beating random search, conditional spaces, multi-objective,
//! constraints, parallel workers (typed spaces, which need the derive macro: hpo/tests/samplers_derive.rs).

use hpo_core::OptimizeOptions;
use hpo_core::*;
use hpo_samplers::TpeSampler;

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::{MIN2, sampled_study, sampled_study_with};

fn sphere_best(sampler_seed: u64, tpe: bool, n: usize) -> f64 {
    let builder = Study::builder();
    let builder = if tpe {
        builder.sampler(TpeSampler::with_seed(sampler_seed))
    } else {
        builder.sampler(RandomSampler::with_seed(sampler_seed))
    };
    let study = builder.build().unwrap();
    study
        .optimize(n, |t| {
            let mut s = 0.0;
            for i in 0..5 {
                let x = t.suggest_float(&format!("x{i}"), -5.0, 5.0)?;
                s += x * x;
            }
            Ok(s)
        })
        .unwrap();
    study.best_value().unwrap()
}

#[test]
fn seeded_runs_are_reproducible_bit_for_bit() {
    let run = || {
        let study = sampled_study(TpeSampler::with_seed(42));
        study
            .optimize(40, |t| {
                let x = t.suggest_float("x", -10.0, 10.0)?;
                let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
                let n = t.suggest_int_step("n", 16, 128, 16)?;
                let o = t.suggest_categorical("o", &["adam", "sgd"])?;
                let m = if o == "sgd" {
                    t.suggest_float("m", 0.0, 0.99)?
                } else {
                    0.0
                };
                Ok((x - 1.0).powi(2) + lr.log10().abs() + n as f64 / 100.0 + m)
            })
            .unwrap();
        trials::params_of(&study)
    };
    let (a, b) = (run(), run());
    trials::assert_same_params_bitwise(&a, &b);
}

#[test]
fn tpe_beats_random_on_sphere() {
    // Fixed seeds make this deterministic: TPE must win on at least 9 of 10 seeds and have a
    // clearly lower median best value after 200 trials.
    let mut tpe: Vec<f64> = (0..10).map(|s| sphere_best(s, true, 200)).collect();
    let mut random: Vec<f64> = (0..10).map(|s| sphere_best(s, false, 200)).collect();
    let wins = tpe.iter().zip(&random).filter(|(t, r)| t < r).count();
    tpe.sort_by(f64::total_cmp);
    random.sort_by(f64::total_cmp);
    let (mt, mr) = ((tpe[4] + tpe[5]) / 2.0, (random[4] + random[5]) / 2.0);
    assert!(
        wins >= 9,
        "TPE won on {wins} of 10 seeds: {tpe:?} vs {random:?}"
    );
    assert!(mt < mr / 3.0, "median TPE {mt} vs random {mr}");
}

#[test]
fn conditional_params_never_crash_the_estimator() {
    let study = sampled_study(TpeSampler::with_seed(1));
    study
        .optimize(120, |t| {
            let kind = t.suggest_categorical("kind", &["a", "b", "c"])?;
            let v = match kind {
                "a" => t.suggest_float("a_x", -1.0, 1.0)?.powi(2),
                "b" => {
                    let n = t.suggest_int("b_n", 1, 8)?;
                    (n - 3).pow(2) as f64 + t.suggest_float_log("b_lr", 1e-4, 1.0)?
                }
                _ => 2.0,
            };
            if t.number() % 7 == 3 {
                t.report(v, 0)?;
                return Err(TrialError::Pruned);
            }
            Ok(v)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 120);
    assert!(
        trials.iter().all(|t| t.state != TrialState::Fail),
        "no trial failed"
    );
    assert!(study.best_value().unwrap() < 0.05);
}

#[test]
fn multi_objective_and_constraints() {
    let study = sampled_study_with(MIN2, TpeSampler::with_seed(5));
    study
        .optimize(80, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            let y = t.suggest_float("y", 0.0, 1.0)?;
            t.set_constraint("c", 0.2 - y)?; // feasible iff y >= 0.2
            Ok((x, 1.0 - x * y.sqrt()))
        })
        .unwrap();
    let front = study.best_trials().unwrap();
    assert!(!front.is_empty());
    assert!(front.iter().all(|t| t.is_feasible()));
    // After the startup trials, most proposals are feasible.
    let late = &study.trials().unwrap()[40..];
    let feasible = late.iter().filter(|t| t.is_feasible()).count();
    assert!(feasible >= 30, "{feasible} of 40 late trials feasible");
}

#[test]
fn parallel_workers_share_relative_samples() {
    let study = sampled_study(TpeSampler::with_seed(6));
    study
        .optimize_parallel(OptimizeOptions::new().n_trials(60).n_jobs(2), |t| {
            let x = t.suggest_float("x", -5.0, 5.0)?;
            let y = t.suggest_float("y", -5.0, 5.0)?;
            std::thread::sleep(std::time::Duration::from_millis(2));
            Ok(x * x + y * y)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 60);
    assert!(
        trials
            .iter()
            .any(|t| t.system_attrs.contains_key("tpe:relative_params:0"))
    );
    assert!(study.best_value().unwrap() < 2.0);
}
