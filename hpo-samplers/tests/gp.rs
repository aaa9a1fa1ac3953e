//! GpSampler behaviour: reproducibility, convergence, mixed spaces, constraints, several
//! objectives and parallel workers.

use std::collections::HashSet;

use hpo_core::{Study, TrialState};
use hpo_samplers::GpSampler;
use hpo_samplers::gp::{Acquisition, SearchOptions};

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::{MIN2, sampled_study, sampled_study_with};

fn quadratic(t: &mut hpo_core::Trial) -> hpo_core::TrialResult<f64> {
    let x = t.suggest_float("x", -5.0, 5.0)?;
    let y = t.suggest_float("y", -5.0, 5.0)?;
    Ok((x - 1.5).powi(2) + (y + 2.0).powi(2))
}

#[test]
fn seeded_runs_are_reproducible() {
    let run = || {
        let study = sampled_study(GpSampler::with_seed(7));
        study.optimize(18, quadratic).unwrap();
        study
            .trials()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t.internal_param("x").unwrap(),
                    t.internal_param("y").unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run());
    let other = sampled_study(GpSampler::with_seed(8));
    other.optimize(18, quadratic).unwrap();
    assert_ne!(
        a[0].0,
        other.trials().unwrap()[0].internal_param("x").unwrap()
    );
}

/// The acquisition search shares its candidates and local searches out over threads; the trials
/// must not depend on how many (an uneven split included), on a space with every kind of
/// parameter.
#[test]
fn the_search_gives_the_same_trials_on_any_number_of_threads() {
    let run = |threads: usize| {
        let search = SearchOptions {
            threads,
            ..SearchOptions::default()
        };
        let study = sampled_study(
            GpSampler::with_seed(5)
                .n_startup_trials(5)
                .search_options(search),
        );
        study
            .optimize(16, |t| {
                let x = t.suggest_float("x", -5.0, 5.0)?;
                let n = t.suggest_int("n", 1, 40)?;
                let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
                let kind = t.suggest_categorical("kind", &["a", "b", "c"])?;
                let k = if kind == "b" { 0.0 } else { 1.0 };
                Ok((x - 1.0).powi(2)
                    + (n as f64 - 17.0).powi(2) / 40.0
                    + (lr.log10() + 3.0).powi(2)
                    + k)
            })
            .unwrap();
        let trials = study.trials().unwrap();
        trials
            .iter()
            .map(|t| ["x", "n", "lr", "kind"].map(|p| t.internal_param(p).unwrap().to_bits()))
            .collect::<Vec<_>>()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    assert_eq!(one, run(0));
}

#[test]
fn every_acquisition_finds_a_smooth_minimum() {
    for acq in [
        Acquisition::LogEi,
        Acquisition::Ei,
        Acquisition::ucb(),
        Acquisition::Pi,
    ] {
        let study = sampled_study(GpSampler::with_seed(3).acquisition(acq));
        study.optimize(30, quadratic).unwrap();
        let best = study.best_value().unwrap();
        assert!(best < 0.05, "{acq:?}: best {best}");
    }
}

#[test]
fn beats_random_search_on_branin() {
    let branin = |t: &mut hpo_core::Trial| -> hpo_core::TrialResult<f64> {
        let x1 = t.suggest_float("x1", -5.0, 10.0)?;
        let x2 = t.suggest_float("x2", 0.0, 15.0)?;
        let pi = std::f64::consts::PI;
        let b = 5.1 / (4.0 * pi * pi);
        Ok((x2 - b * x1 * x1 + 5.0 / pi * x1 - 6.0).powi(2)
            + 10.0 * (1.0 - 1.0 / (8.0 * pi)) * x1.cos()
            + 10.0)
    };
    let study = sampled_study(GpSampler::with_seed(0));
    study.optimize(40, branin).unwrap();
    let regret = study.best_value().unwrap() - 0.397_887_357_729_738_16;
    assert!(regret < 0.01, "regret {regret}");
}

#[test]
fn integer_step_log_and_categorical_params_stay_valid() {
    let study = sampled_study(GpSampler::with_seed(11).n_startup_trials(5));
    study
        .optimize(25, |t| {
            let n = t.suggest_int("n", 1, 9)?;
            let big = t.suggest_int_log("big", 1, 1000)?;
            let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
            let q = t.suggest_float_step("q", 0.0, 1.0, 0.1)?;
            let kind = t.suggest_categorical("kind", &["a", "b", "c"])?;
            let k = match kind {
                "a" => 1.0,
                "b" => 0.0,
                _ => 2.0,
            };
            Ok((n as f64 - 4.0).powi(2)
                + ((big as f64).ln() - 3.0).powi(2)
                + (lr.log10() + 3.0).powi(2)
                + (q - 0.7).powi(2)
                + k)
        })
        .unwrap();
    for t in study.trials().unwrap() {
        let q = t.param("q").unwrap().as_f64().unwrap();
        assert!(((q * 10.0).round() - q * 10.0).abs() < 1e-9 && (0.0..=1.0).contains(&q));
        let big = t.param("big").unwrap().as_i64().unwrap();
        assert!((1..=1000).contains(&big));
        let lr = t.param("lr").unwrap().as_f64().unwrap();
        assert!((1e-5..=1e-1).contains(&lr));
    }
    let best = study.best_trial().unwrap();
    assert_eq!(best.param("kind").unwrap().as_str(), Some("b"), "{best:?}");
    assert!(study.best_value().unwrap() < 1.0);
}

#[test]
fn constraints_steer_towards_the_feasible_region() {
    // Minimise x + y subject to x² + y² <= 4: the unconstrained optimum (-3, -3) is
    // infeasible, the constrained one is -2√2 ≈ -2.83 on the circle.
    let study = sampled_study(GpSampler::with_seed(5));
    study
        .optimize(35, |t| {
            let x = t.suggest_float("x", -3.0, 3.0)?;
            let y = t.suggest_float("y", -3.0, 3.0)?;
            t.set_constraint("disk", x * x + y * y - 4.0)?;
            Ok(x + y)
        })
        .unwrap();
    let best = study.best_trial().unwrap();
    assert!(best.is_feasible());
    assert!(best.value().unwrap() < -2.5, "{:?}", best.value());
    // Late trials hug the boundary where the constrained optimum lies (random points have a
    // median |x² + y² - 4| of about 3 on this square).
    let mut gaps: Vec<f64> = study.trials().unwrap()[20..]
        .iter()
        .map(|t| t.constraints()[0].abs())
        .collect();
    gaps.sort_by(f64::total_cmp);
    assert!(gaps[gaps.len() / 2] < 1.0, "{gaps:?}");
}

#[test]
fn multi_objective_studies_spread_along_the_front() {
    let study = sampled_study_with(MIN2, GpSampler::with_seed(2));
    study
        .optimize(30, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            let y = t.suggest_float("y", 0.0, 1.0)?;
            Ok(vec![x, 1.0 - x.sqrt() + y])
        })
        .unwrap();
    let front = study.best_trials().unwrap();
    let hv = hpo_core::multi_objective::hypervolume(
        &front
            .iter()
            .map(|t| t.values.clone().unwrap())
            .collect::<Vec<_>>(),
        &[1.1, 2.1],
    );
    // The true front (y = 0) has hypervolume 1.1 * 2.1 - (1 - 2/3) - ... ≈ 1.74; random search
    // with 30 points reaches about 1.5.
    assert!(hv > 1.6, "hypervolume {hv}");
}

#[test]
fn parallel_workers_do_not_evaluate_the_same_point() {
    // Four asked trials in flight at once: the running ones are fantasised, so the four
    // proposals differ.
    let study = sampled_study(GpSampler::with_seed(9));
    study.optimize(12, quadratic).unwrap();
    let mut asked = Vec::new();
    for _ in 0..4 {
        let mut t = study.ask().unwrap();
        let x = t.suggest_float("x", -5.0, 5.0).unwrap();
        let y = t.suggest_float("y", -5.0, 5.0).unwrap();
        asked.push(((x * 1e6).round() as i64, (y * 1e6).round() as i64, t));
    }
    let distinct: HashSet<(i64, i64)> = asked.iter().map(|(x, y, _)| (*x, *y)).collect();
    assert_eq!(distinct.len(), 4, "{distinct:?}");
    let running = study.trials_in(&[TrialState::Running]).unwrap();
    assert!(running.iter().all(|t| {
        t.system_attrs
            .contains_key(hpo_samplers::gp::RELATIVE_PARAMS_KEY)
    }));
}

#[test]
fn multi_threaded_optimize_completes() {
    let study = sampled_study(GpSampler::with_seed(4));
    study
        .optimize_parallel(
            hpo_core::OptimizeOptions::new().n_trials(24).n_jobs(2),
            quadratic,
        )
        .unwrap();
    assert_eq!(study.trials_in(&[TrialState::Complete]).unwrap().len(), 24);
    assert!(study.best_value().unwrap() < 0.5);
}

#[test]
fn qmc_startup_is_stratified() {
    // Trials 1..=7 take Sobol points 1..=7 (digitally shifted): one in each eighth of the range
    // but the one point 0 would have taken.
    let study = sampled_study(GpSampler::with_seed(5).qmc_startup(true));
    study
        .optimize(8, |t| Ok(t.suggest_float("x", 0.0, 8.0)?))
        .unwrap();
    let cells: HashSet<i64> = study.trials().unwrap()[1..]
        .iter()
        .map(|t| t.internal_param("x").unwrap().floor() as i64)
        .collect();
    assert_eq!(cells.len(), 7, "{cells:?}");
    // Seeded: the same design again.
    let again = sampled_study(GpSampler::with_seed(5).qmc_startup(true));
    again
        .optimize(8, |t| Ok(t.suggest_float("x", 0.0, 8.0)?))
        .unwrap();
    let xs = |s: &Study| {
        s.trials()
            .unwrap()
            .iter()
            .map(|t| t.internal_param("x").unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(xs(&study), xs(&again));
}

#[test]
fn degenerate_studies_do_not_break_the_model() {
    // A constant objective (zero variance after standardising) and an all-categorical space
    // (no continuous coordinate for L-BFGS-B) both keep sampling valid points.
    let flat = sampled_study(GpSampler::with_seed(1));
    flat.optimize(15, |t| {
        t.suggest_float("x", 0.0, 1.0)?;
        Ok(3.0)
    })
    .unwrap();
    assert_eq!(flat.trials_in(&[TrialState::Complete]).unwrap().len(), 15);

    let cats = sampled_study(GpSampler::with_seed(2).n_startup_trials(4));
    cats.optimize(16, |t| {
        let a = t.suggest_categorical("a", &["p", "q", "r", "s"])?;
        let b = t.suggest_categorical("b", &[1i64, 2, 3])?;
        Ok(if a == "r" { 0.0 } else { 1.0 } + (b as f64 - 2.0).abs())
    })
    .unwrap();
    assert_eq!(cats.best_value().unwrap(), 0.0);

    // Infinite values are clipped to the finite range instead of poisoning the fit.
    let inf = sampled_study(GpSampler::with_seed(3).n_startup_trials(5));
    inf.optimize(14, |t| {
        let x = t.suggest_float("x", -1.0, 1.0)?;
        Ok(if x > 0.8 { f64::INFINITY } else { x * x })
    })
    .unwrap();
    assert!(inf.best_value().unwrap() < 0.05);
}
