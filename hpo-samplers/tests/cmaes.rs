//! CMA-ES end to end: reproducibility, convergence, integer and categorical parameters, the
//! separable / margin / warm-start variants, IPOP and BIPOP restarts, resuming a study with a
//! fresh sampler, and the single-objective restriction.

use std::sync::Arc;

use hpo_core::*;
use hpo_core::{Error, FrozenTrial, InMemoryStorage, Sampler, Storage, TrialError};
use hpo_samplers::{CmaEsSampler, RestartStrategy};
use serde_json::Value;

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::{MIN2, sampled_study, sampled_study_with};

fn sphere5(t: &mut Trial) -> Result<f64, TrialError> {
    let mut s = 0.0;
    for i in 0..5 {
        let x = t.suggest_float(&format!("x{i}"), -5.0, 5.0)?;
        s += (x - 0.5).powi(2);
    }
    Ok(s)
}

fn rosenbrock4(t: &mut Trial) -> Result<f64, TrialError> {
    let x: Vec<f64> = (0..4)
        .map(|i| t.suggest_float(&format!("x{i}"), -2.0, 2.0))
        .collect::<Result<_, _>>()?;
    Ok((0..3)
        .map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2))
        .sum())
}

fn best_of(
    sampler: impl Sampler + 'static,
    n: usize,
    f: fn(&mut Trial) -> Result<f64, TrialError>,
) -> f64 {
    let study = sampled_study(sampler);
    study.optimize(n, f).unwrap();
    study.best_value().unwrap()
}

/// [`best_of`] 300 trials of `f` for each seed in `0..n_seeds`.
fn seeded_bests<S: Sampler + 'static>(
    n_seeds: u64,
    sampler: impl Fn(u64) -> S,
    f: fn(&mut Trial) -> Result<f64, TrialError>,
) -> Vec<f64> {
    (0..n_seeds)
        .map(|seed| best_of(sampler(seed), 300, f))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn attr_u64(t: &FrozenTrial, key: &str) -> Option<u64> {
    t.system_attrs.get(key).and_then(Value::as_u64)
}

#[test]
fn seeded_runs_are_reproducible_bit_for_bit() {
    let run = |seed: u64| {
        let study = sampled_study(CmaEsSampler::with_seed(seed));
        study
            .optimize(50, |t| {
                let x = t.suggest_float("x", -10.0, 10.0)?;
                let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
                let n = t.suggest_int_step("n", 16, 128, 16)?;
                let opt = t.suggest_categorical("opt", &["adam", "sgd"])?;
                Ok(x * x + lr.ln().abs() + n as f64 / 100.0 + f64::from(opt == "sgd"))
            })
            .unwrap();
        study
            .trials()
            .unwrap()
            .iter()
            .map(|t| format!("{:?}", t.params_map()))
            .collect::<Vec<_>>()
    };
    let a = run(42);
    assert_eq!(a.len(), 50);
    assert_eq!(a, run(42));
    assert_ne!(a, run(43));
}

#[test]
fn converges_on_a_5d_sphere() {
    let bests: Vec<f64> = seeded_bests(3, CmaEsSampler::with_seed, sphere5);
    let random: Vec<f64> = seeded_bests(3, RandomSampler::with_seed, sphere5);
    assert!(median(bests.clone()) < 1e-3, "CMA-ES {bests:?}");
    assert!(median(random.clone()) > 1.0, "random {random:?}");
}

#[test]
fn beats_random_search_on_rosenbrock() {
    let cma: Vec<f64> = seeded_bests(5, CmaEsSampler::with_seed, rosenbrock4);
    let random: Vec<f64> = seeded_bests(5, RandomSampler::with_seed, rosenbrock4);
    assert!(
        median(cma.clone()) * 5.0 < median(random.clone()),
        "CMA-ES {cma:?} random {random:?}"
    );
}

#[test]
fn maximizes_too() {
    let study = Study::builder()
        .direction(StudyDirection::Maximize)
        .sampler(CmaEsSampler::with_seed(3))
        .build()
        .unwrap();
    study.optimize(200, |t| Ok(-sphere5(t)?)).unwrap();
    // Optuna's median over 10 seeds is -0.008.
    assert!(
        study.best_value().unwrap() > -0.05,
        "{}",
        study.best_value().unwrap()
    );
}

#[test]
fn margin_keeps_integer_and_stepped_params_on_the_grid() {
    let study = sampled_study(CmaEsSampler::with_seed(5).with_margin(true));
    study
        .optimize(200, |t| {
            let a = t.suggest_int("a", -3, 7)?;
            let b = t.suggest_int_step("b", 0, 20, 4)?;
            let c = t.suggest_float_step("c", 0.0, 1.0, 0.1)?;
            let d = t.suggest_int_log("d", 1, 1000)?;
            let x = t.suggest_float("x", -1.0, 1.0)?;
            assert!((-3..=7).contains(&a));
            assert!((0..=20).contains(&b) && b % 4 == 0, "b={b}");
            assert!((0.0..=1.0).contains(&c));
            assert!(((c * 10.0).round() - c * 10.0).abs() < 1e-9, "c={c}");
            assert!((1..=1000).contains(&d));
            Ok((a - 2).pow(2) as f64
                + ((b - 8) as f64 / 4.0).powi(2)
                + (c - 0.3).powi(2)
                + ((d as f64).ln() - 3.0).powi(2)
                + x * x)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    // CMA-ES with margin sampled every trial after the first.
    assert!(
        trials[1..]
            .iter()
            .all(|t| t.system_attrs.contains_key("cmawm:generation"))
    );
    let best = study.best_trial().unwrap();
    assert_eq!(best.param("a").unwrap().as_i64(), Some(2));
    assert_eq!(best.param("b").unwrap().as_i64(), Some(8));
    assert!(study.best_value().unwrap() < 0.1);
}

#[test]
fn plain_cma_rounds_ints_onto_the_grid() {
    let study = sampled_study(CmaEsSampler::with_seed(6));
    study
        .optimize(60, |t| {
            let a = t.suggest_int_step("a", 1, 13, 3)?;
            let x = t.suggest_float("x", 0.0, 1.0)?;
            assert!((1..=13).contains(&a) && (a - 1) % 3 == 0, "a={a}");
            Ok((a - 7).pow(2) as f64 + x)
        })
        .unwrap();
    assert!(study.best_value().unwrap() < 0.5);
}

#[test]
fn categorical_params_go_to_the_independent_sampler() {
    let study = sampled_study(
        CmaEsSampler::with_seed(8)
            .independent_sampler(RandomSampler::with_seed(1))
            .warn_independent_sampling(false),
    );
    study
        .optimize(120, |t| {
            let kind = t.suggest_categorical("kind", &["a", "b", "c"])?;
            let x = t.suggest_float("x", -2.0, 2.0)?;
            let y = t.suggest_float("y", -2.0, 2.0)?;
            Ok(x * x + y * y + if kind == "b" { 0.0 } else { 1.0 })
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let mut seen = std::collections::HashSet::new();
    for t in &trials[1..] {
        // The relative vector covers x and y only.
        let x = t.system_attrs["cma:x"].as_array().unwrap();
        assert_eq!(x.len(), 2);
        seen.insert(t.param("kind").unwrap().as_str().unwrap().to_owned());
    }
    assert_eq!(
        seen.len(),
        3,
        "the random sampler keeps drawing every choice"
    );
}

fn ellipsoid6(t: &mut Trial) -> Result<f64, TrialError> {
    let mut s = 0.0;
    for i in 0..6 {
        let x = t.suggest_float(&format!("x{i}"), -5.0, 5.0)?;
        s += 10f64.powf(i as f64 / 2.0) * (x - 1.0).powi(2);
    }
    Ok(s)
}

#[test]
fn separable_variant_converges_on_a_separable_problem() {
    let study = sampled_study(CmaEsSampler::with_seed(2).use_separable_cma(true));
    study.optimize(20, ellipsoid6).unwrap();
    let trials = study.trials().unwrap();
    assert!(
        trials[1..]
            .iter()
            .all(|t| t.system_attrs.contains_key("sepcma:generation"))
    );
    // Over 30 seeds the median best after 300 trials is 0.41 (Optuna's SepCMA: 0.56; full
    // CMA-ES: 1.5).
    let sep: Vec<f64> = seeded_bests(
        5,
        |seed| CmaEsSampler::with_seed(seed).use_separable_cma(true),
        ellipsoid6,
    );
    let random: Vec<f64> = seeded_bests(5, RandomSampler::with_seed, ellipsoid6);
    assert!(median(sep.clone()) < 2.0, "{sep:?}");
    assert!(
        median(sep.clone()) * 10.0 < median(random.clone()),
        "{sep:?} {random:?}"
    );
}

#[test]
fn lr_adapt_converges() {
    // LRA-CMA-ES is slower on a sphere by design: Optuna's median over 10 seeds is 0.075.
    let lra: Vec<f64> = seeded_bests(
        3,
        |seed| CmaEsSampler::with_seed(seed).lr_adapt(true),
        sphere5,
    );
    assert!(median(lra.clone()) < 0.3, "{lra:?}");
}

/// A flat objective: CMA-ES has "converged" from the start (the tolfun criterion fires once
/// the history of values is full), so restarts come quickly.
fn flat(t: &mut Trial) -> Result<f64, TrialError> {
    t.suggest_float("x", -5.0, 5.0)?;
    t.suggest_float("y", -5.0, 5.0)?;
    Ok(1.0)
}

fn popsizes(study: &Study, prefix: &str) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for t in study.trials().unwrap() {
        let (Some(r), Some(p)) = (
            attr_u64(&t, &format!("{prefix}n_restarts")),
            attr_u64(&t, &format!("{prefix}popsize")),
        ) else {
            continue;
        };
        if out.last() != Some(&(r, p)) {
            out.push((r, p));
        }
    }
    out
}

/// The (restart, population size) runs of `sampler` over `n_trials` trials of `flat`.
fn flat_popsizes(sampler: CmaEsSampler, n_trials: usize) -> Vec<(u64, u64)> {
    let study = sampled_study(sampler);
    study.optimize(n_trials, flat).unwrap();
    popsizes(&study, "cma:")
}

#[test]
fn ipop_restarts_with_doubled_populations() {
    let ipop = CmaEsSampler::with_seed(1).restart_strategy(RestartStrategy::Ipop);
    // Restarts after 21 generations of 6, 16 of 12, then 14 of 24 trials.
    let runs = flat_popsizes(ipop, 700);
    assert!(runs.len() >= 3, "{runs:?}");
    assert_eq!(runs[..3], [(0, 6), (1, 12), (2, 24)], "{runs:?}");
    // Without a restart strategy the population never changes.
    assert_eq!(flat_popsizes(CmaEsSampler::with_seed(1), 300), [(0, 6)]);
}

#[test]
fn bipop_alternates_large_and_small_populations() {
    let bipop = CmaEsSampler::with_seed(2).restart_strategy(RestartStrategy::Bipop);
    let runs = flat_popsizes(bipop, 500);
    assert!(runs.len() >= 3, "{runs:?}");
    // The first restart is large (doubled), the next one small again (budget balance).
    assert_eq!(runs[0], (0, 6));
    assert_eq!(runs[1], (1, 12));
    assert!(runs[2].1 < 12, "{runs:?}");
}

#[test]
fn warm_start_begins_near_the_source_optimum() {
    let target = |t: &mut Trial| -> Result<f64, TrialError> {
        let x = t.suggest_float("x", -3.0, 3.0)?;
        let y = t.suggest_float("y", -3.0, 3.0)?;
        Ok((x - 1.5).powi(2) + (y + 2.0).powi(2))
    };
    let source = sampled_study(CmaEsSampler::with_seed(0));
    source.optimize(100, target).unwrap();

    let early_distance = |sampler: CmaEsSampler| {
        let study = sampled_study(sampler);
        study.optimize(11, target).unwrap();
        // Trials 1..=10: the first CMA-ES generations.
        let d: Vec<f64> = study.trials().unwrap()[1..]
            .iter()
            .map(|t| {
                let x = t.param("x").unwrap().as_f64().unwrap();
                let y = t.param("y").unwrap().as_f64().unwrap();
                ((x - 1.5).powi(2) + (y + 2.0).powi(2)).sqrt()
            })
            .collect();
        d.iter().sum::<f64>() / d.len() as f64
    };
    let warm = early_distance(CmaEsSampler::with_seed(9).source_trials(source.trials().unwrap()));
    let cold = early_distance(CmaEsSampler::with_seed(9));
    assert!(warm < 1.0, "warm {warm}");
    assert!(warm * 2.0 < cold, "warm {warm} cold {cold}");

    // Too few source trials is a clear error.
    let few = sampled_study(
        CmaEsSampler::with_seed(9).source_trials(source.trials().unwrap()[..5].to_vec()),
    );
    few.optimize(1, target).unwrap();
    let mut t = few.ask().unwrap();
    let err = t.suggest_float("x", -3.0, 3.0).unwrap_err();
    assert!(err.to_string().contains("warm start"), "{err}");
}

/// Runs `n` trials of `f`, then `m` more: on the same study (in-memory optimizer), and on a
/// copy whose sampler is replaced by a fresh one after `n` trials (state replayed from the
/// stored trials). Both continue identically.
fn resume_matches(
    make: fn() -> CmaEsSampler,
    f: fn(&mut Trial) -> Result<f64, TrialError>,
    n: usize,
    m: usize,
) {
    let new_study = |storage: Arc<dyn Storage>| {
        Study::builder()
            .name("resume")
            .storage_arc(storage)
            .sampler(make())
            .build()
            .unwrap()
    };
    let uninterrupted = new_study(Arc::new(InMemoryStorage::new()));
    uninterrupted.optimize(n + m, f).unwrap();

    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    new_study(storage.clone()).optimize(n, f).unwrap();
    let resumed = Study::builder()
        .name("resume")
        .storage_arc(storage)
        .sampler(make())
        .load()
        .unwrap();
    resumed.optimize(m, f).unwrap();

    let params = |s: &Study| {
        s.trials()
            .unwrap()
            .iter()
            .map(|t| format!("{:?}", t.params_map()))
            .collect::<Vec<_>>()
    };
    assert_eq!(params(&uninterrupted), params(&resumed));
}

#[test]
fn a_fresh_sampler_resumes_exactly_where_the_study_stopped() {
    resume_matches(|| CmaEsSampler::with_seed(21), sphere5, 77, 40);
    resume_matches(
        || CmaEsSampler::with_seed(21).with_margin(true),
        |t| {
            let a = t.suggest_int("a", 0, 10)?;
            let x = t.suggest_float("x", -1.0, 1.0)?;
            Ok((a - 4).pow(2) as f64 + x * x)
        },
        50,
        30,
    );
    // Across IPOP and BIPOP restarts (after 126 and 318 trials).
    resume_matches(
        || CmaEsSampler::with_seed(21).restart_strategy(RestartStrategy::Ipop),
        flat,
        200,
        60,
    );
    resume_matches(
        || CmaEsSampler::with_seed(21).restart_strategy(RestartStrategy::Bipop),
        flat,
        330,
        30,
    );
}

#[test]
fn a_changed_search_space_starts_a_new_optimizer() {
    let study = sampled_study(CmaEsSampler::with_seed(13));
    study
        .optimize(40, |t| {
            let x = t.suggest_float("x", -1.0, 1.0)?;
            let y = t.suggest_float("y", -1.0, 1.0)?;
            let z = if t.number() < 30 {
                t.suggest_float("z", -1.0, 1.0)?
            } else {
                0.0
            };
            Ok(x * x + y * y + z * z)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let space = |t: &FrozenTrial| {
        t.system_attrs["cma:search_space"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(trials[5].system_attrs["cma:x"].as_array().unwrap().len(), 3);
    assert_eq!(
        trials[35].system_attrs["cma:x"].as_array().unwrap().len(),
        2
    );
    assert_ne!(space(&trials[5]), space(&trials[35]));
    // The new optimizer started from generation 0 when the intersection shrank.
    let first_new = trials
        .iter()
        .find(|t| {
            t.system_attrs
                .get("cma:x")
                .and_then(Value::as_array)
                .is_some_and(|x| x.len() == 2)
        })
        .unwrap();
    assert_eq!(attr_u64(first_new, "cma:generation"), Some(0));
    assert!(attr_u64(&trials[29], "cma:generation").unwrap() > 0);
}

#[test]
fn pruned_trials_count_only_when_asked() {
    let run = |consider: bool| {
        let study = sampled_study(CmaEsSampler::with_seed(4).consider_pruned_trials(consider));
        study
            .optimize(60, |t| -> Result<f64, TrialError> {
                let x = t.suggest_float("x", -1.0, 1.0)?;
                let y = t.suggest_float("y", -1.0, 1.0)?;
                t.report(x * x + y * y, 0)?;
                Err(TrialError::Pruned)
            })
            .unwrap();
        let trials = study.trials().unwrap();
        trials
            .iter()
            .filter_map(|t| attr_u64(t, "cma:generation"))
            .max()
    };
    // Considered: the pruned trials' last values drive CMA-ES through generations.
    assert!(run(true).unwrap() >= 5);
    // Not considered: nothing ever finishes, so CMA-ES never starts.
    assert_eq!(run(false), None);
}

#[test]
fn multi_objective_studies_are_rejected() {
    let study = sampled_study_with(MIN2, CmaEsSampler::with_seed(0));
    let mut t = study.ask().unwrap();
    let err = t.suggest_float("x", 0.0, 1.0).unwrap_err();
    assert!(matches!(err, Error::MultiObjective(_)), "{err:?}");
    assert!(err.to_string().contains("CmaEsSampler"), "{err}");
}

#[test]
fn conflicting_options_are_refused_by_the_study_builder() {
    // The builder calls `Sampler::validate`, as it does `Pruner::validate`.
    let err = Study::builder()
        .sampler(
            CmaEsSampler::with_seed(0)
                .use_separable_cma(true)
                .with_margin(true),
        )
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(err.to_string().contains("with_margin"), "{err}");
}

#[test]
fn x0_and_sigma0_set_the_initial_distribution() {
    let study = sampled_study(
        CmaEsSampler::with_seed(3)
            .x0([("x", 4.0), ("y", -4.0)])
            .sigma0(0.01),
    );
    study
        .optimize(9, |t| {
            let x = t.suggest_float("x", -5.0, 5.0)?;
            let y = t.suggest_float("y", -5.0, 5.0)?;
            Ok(x + y)
        })
        .unwrap();
    for t in &study.trials().unwrap()[1..] {
        let x = t.param("x").unwrap().as_f64().unwrap();
        let y = t.param("y").unwrap().as_f64().unwrap();
        assert!((x - 4.0).abs() < 0.5 && (y + 4.0).abs() < 0.5, "{x} {y}");
    }
}
