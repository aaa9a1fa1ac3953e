//! RandomSampler: reproducibility and the shape of its draws.

use hpo_core::{Distribution, OptimizeOptions, ParamValue, RandomSampler, TrialState};
use indexmap::IndexMap;

#[path = "support/trials.rs"]
mod trials;
use trials::sampled_study;

fn run(seed: u64) -> Vec<IndexMap<String, ParamValue>> {
    let study = sampled_study(RandomSampler::with_seed(seed));
    study
        .optimize(50, |trial| {
            let x = trial.suggest_float("x", -10.0, 10.0)?;
            let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
            let d = trial.suggest_float_step("d", 0.0, 0.5, 0.1)?;
            let n = trial.suggest_int("n", 1, 4)?;
            let h = trial.suggest_int_log("h", 32, 512)?;
            let b = trial.suggest_int_step("b", 16, 128, 16)?;
            let o = trial.suggest_categorical("o", &["adam", "sgd", "rmsprop"])?;
            let m = if o == "sgd" {
                trial.suggest_float("m", 0.0, 0.99)?
            } else {
                0.0
            };
            Ok(x + lr + d + n as f64 + h as f64 + b as f64 + m)
        })
        .unwrap();
    trials::params_of(&study)
}

#[test]
fn same_seed_gives_identical_params_bit_for_bit() {
    let a = run(42);
    let b = run(42);
    assert_eq!(a.len(), 50);
    trials::assert_same_params_bitwise(&a, &b);
}

#[test]
fn different_seeds_differ() {
    assert_ne!(run(1), run(2));
}

#[test]
fn draws_respect_ranges_grids_and_logs() {
    let study = sampled_study(RandomSampler::with_seed(3));
    study
        .optimize_with(OptimizeOptions::new().n_trials(2000), |trial| {
            let d = trial.suggest_float_step("d", 0.0, 0.5, 0.1)?;
            let b = trial.suggest_int_step("b", 16, 128, 16)?;
            let h = trial.suggest_int_log("h", 32, 512)?;
            let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
            let c = trial.suggest_categorical("c", &[1, 2, 3])?;
            Ok(d + b as f64 + h as f64 + lr + c as f64)
        })
        .unwrap();
    let trials = study.trials_in(&[TrialState::Complete]).unwrap();
    let mut grid = [0usize; 6];
    let mut batch = [0usize; 8];
    let mut cats = [0usize; 3];
    let mut lr_below = 0usize;
    for t in &trials {
        let d = t.param("d").unwrap().as_f64().unwrap();
        let k = (d / 0.1).round();
        assert!(
            (d - k * 0.1).abs() < 1e-9 && (0.0..=0.5 + 1e-12).contains(&d),
            "d={d}"
        );
        grid[k as usize] += 1;
        let b = t.param("b").unwrap().as_i64().unwrap();
        assert!(b % 16 == 0 && (16..=128).contains(&b));
        batch[(b / 16 - 1) as usize] += 1;
        let h = t.param("h").unwrap().as_i64().unwrap();
        assert!((32..=512).contains(&h));
        let lr = t.param("lr").unwrap().as_f64().unwrap();
        assert!((1e-5..=1e-1).contains(&lr));
        if lr < 1e-3 {
            lr_below += 1;
        }
        cats[(t.param("c").unwrap().as_i64().unwrap() - 1) as usize] += 1;
    }
    // Every grid point equally likely, ends included (2000/6 ≈ 333 each).
    assert!(grid.iter().all(|c| (250..420).contains(c)), "{grid:?}");
    assert!(batch.iter().all(|c| (180..330).contains(c)), "{batch:?}");
    assert!(cats.iter().all(|c| (560..780).contains(c)), "{cats:?}");
    // Log-uniform: half of the draws lie below the geometric middle 1e-3.
    assert!((850..1150).contains(&lr_below), "{lr_below}");
}

#[test]
fn single_point_distributions_are_not_sampled() {
    let study = sampled_study(RandomSampler::with_seed(4));
    study
        .optimize(5, |trial| {
            assert_eq!(trial.suggest_float("a", 1.5, 1.5)?, 1.5);
            assert_eq!(trial.suggest_int("b", 7, 7)?, 7);
            assert_eq!(trial.suggest_float_step("c", 0.0, 0.05, 0.1)?, 0.0);
            assert_eq!(trial.suggest_categorical("d", &["only"])?, "only");
            Ok(0.0)
        })
        .unwrap();
    assert_eq!(study.trials_in(&[TrialState::Complete]).unwrap().len(), 5);
    let _ = Distribution::float(0.0, 1.0);
}
