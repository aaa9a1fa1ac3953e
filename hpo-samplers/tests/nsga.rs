//! NSGA-II and NSGA-III end to end and through their public building blocks: elite selection,
//! crowding distance, constrained domination, crossovers, reference points and niching,
//! generation bookkeeping, reproducibility, convergence on ZDT1, categorical parameters and
//! constraints.

use std::sync::Arc;

use hpo_core::multi_objective::hypervolume;
use hpo_core::rng::Rng;
use hpo_core::*;
use hpo_core::{FrozenTrial, ParamValue, Sampler, TrialError};
use hpo_samplers::nsga::{
    Crossover, constrained_dominates, crowding_distance, reference_points, select_elite,
    select_elite_nsga3,
};
use hpo_samplers::{NsgaIIISampler, NsgaIISampler, PolynomialMutation};

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::{MIN2, internal_params_of, sampled_study_with};

/// A two-objective (both minimised) in-memory study with `sampler`.
fn min2_study(sampler: impl Sampler + 'static) -> Study {
    sampled_study_with(MIN2, sampler)
}

fn complete(values: &[f64]) -> Arc<FrozenTrial> {
    Arc::new(FrozenTrial::new(TrialState::Complete).with_values(values.to_vec()))
}

fn values_of(trials: &[Arc<FrozenTrial>]) -> Vec<Vec<f64>> {
    trials.iter().map(|t| t.values.clone().unwrap()).collect()
}

#[test]
fn crowding_distance_on_a_hand_made_front() {
    // Points on f1 + f2 = 6; objective ranges are both 6.
    let front = vec![
        vec![0.0, 6.0],
        vec![1.0, 5.0],
        vec![3.0, 3.0],
        vec![6.0, 0.0],
    ];
    let d = crowding_distance(&front);
    assert_eq!(d[0], f64::INFINITY);
    assert_eq!(d[3], f64::INFINITY);
    // Point 1: neighbours 0 and 3 in both objectives: (3 - 0) / 6 twice.
    assert!((d[1] - 1.0).abs() < 1e-12, "{d:?}");
    // Point 2: neighbours 1 and 6: (6 - 1) / 6 twice.
    assert!((d[2] - 10.0 / 6.0).abs() < 1e-12, "{d:?}");
    // The range is that of the finite values; a neighbour at infinity makes the gap infinite.
    let d = crowding_distance(&[vec![0.0, f64::INFINITY], vec![1.0, 2.0], vec![2.0, 1.0]]);
    assert_eq!(d[1], f64::INFINITY);
    let d = crowding_distance(&[
        vec![0.0, 1.0],
        vec![1.0, 1.0],
        vec![2.0, 1.0],
        vec![4.0, 1.0],
    ]);
    assert_eq!(d[1], 2.0 / 4.0);
    assert_eq!(d[2], 3.0 / 4.0);
}

#[test]
fn elite_selection_on_hand_made_fronts() {
    let pop = vec![
        complete(&[5.0, 5.0]), // rank 2
        complete(&[0.0, 3.0]), // rank 0
        complete(&[1.0, 4.0]), // rank 1
        complete(&[3.0, 0.0]), // rank 0
        complete(&[2.0, 2.5]), // rank 1
        complete(&[1.0, 1.0]), // rank 0
        complete(&[4.0, 1.0]), // rank 1
        complete(&[2.1, 2.4]), // rank 1, next to (2, 2.5): most crowded
    ];
    // Exactly rank 0.
    let elite = select_elite(&pop, &MIN2, 3).unwrap();
    let mut got = values_of(&elite);
    got.sort_by(|a, b| a[0].total_cmp(&b[0]));
    assert_eq!(got, vec![vec![0.0, 3.0], vec![1.0, 1.0], vec![3.0, 0.0]]);
    // Rank 0 and three of rank 1: the crowded pair in the middle loses one member.
    let elite = select_elite(&pop, &MIN2, 6).unwrap();
    let got = values_of(&elite);
    assert_eq!(got.len(), 6);
    assert!(got.contains(&vec![1.0, 4.0]) && got.contains(&vec![4.0, 1.0]));
    assert!(got.contains(&vec![2.0, 2.5]) ^ got.contains(&vec![2.1, 2.4]));
    assert!(!got.contains(&vec![5.0, 5.0]));
    // Everything when the population is not larger than the target.
    assert_eq!(select_elite(&pop, &MIN2, 20).unwrap().len(), pop.len());
}

#[test]
fn constrained_domination_and_constrained_elite() {
    let t = |v: [f64; 2], c: f64| {
        Arc::new(
            FrozenTrial::new(TrialState::Complete)
                .with_values(v)
                .with_system_attr("constraints:c0", c),
        )
    };
    let feasible_bad = t([9.0, 9.0], -1.0);
    let feasible_good = t([1.0, 1.0], 0.0);
    let slightly_infeasible = t([0.0, 0.0], 0.5);
    let very_infeasible = t([0.0, 0.0], 4.0);
    // Feasible beats infeasible, whatever the objectives.
    assert!(constrained_dominates(
        &feasible_bad,
        &slightly_infeasible,
        &MIN2
    ));
    assert!(!constrained_dominates(
        &slightly_infeasible,
        &feasible_bad,
        &MIN2
    ));
    // Two infeasible trials: the smaller violation wins.
    assert!(constrained_dominates(
        &slightly_infeasible,
        &very_infeasible,
        &MIN2
    ));
    assert!(!constrained_dominates(
        &very_infeasible,
        &slightly_infeasible,
        &MIN2
    ));
    // Two feasible trials: Pareto domination.
    assert!(constrained_dominates(&feasible_good, &feasible_bad, &MIN2));
    assert!(!constrained_dominates(&feasible_bad, &feasible_good, &MIN2));
    // A non-Complete trial never dominates and is always dominated.
    let running = Arc::new(FrozenTrial::new(TrialState::Running));
    assert!(!constrained_dominates(&running, &very_infeasible, &MIN2));
    assert!(constrained_dominates(&very_infeasible, &running, &MIN2));
    // Elite selection ranks the feasible trials first.
    let pop = vec![
        very_infeasible.clone(),
        slightly_infeasible.clone(),
        feasible_bad.clone(),
        feasible_good.clone(),
    ];
    let elite = select_elite(&pop, &MIN2, 3).unwrap();
    assert_eq!(
        values_of(&elite),
        vec![vec![1.0, 1.0], vec![9.0, 9.0], vec![0.0, 0.0]]
    );
    assert_eq!(elite[2].constraints(), vec![0.5]);
}

#[test]
fn crossovers_have_the_right_number_of_parents() {
    let all = [
        (Crossover::uniform(), 2),
        (Crossover::blx_alpha(), 2),
        (Crossover::sbx(), 2),
        (Crossover::vsbx(), 2),
        (Crossover::undx(), 3),
        (Crossover::spx(), 3),
    ];
    let mut rng = Rng::seed_from_u64(11);
    for (c, k) in all {
        assert_eq!(c.n_parents(), k, "{c:?}");
        let parents: Vec<Vec<f64>> = (0..k).map(|i| vec![0.2 + 0.3 * i as f64; 4]).collect();
        let child = c.crossover(&parents, &[(0.0, 1.0); 4], &mut rng, true);
        assert_eq!(child.len(), 4);
        assert!(child.iter().all(|x| x.is_finite()), "{c:?}: {child:?}");
        // Too few parents is a programming error.
        let short = &parents[..k - 1];
        let c2 = c.clone();
        let r = std::panic::catch_unwind(move || {
            c2.crossover(short, &[(0.0, 1.0); 4], &mut Rng::seed_from_u64(0), true)
        });
        assert!(r.is_err(), "{c:?} accepted {} parents", k - 1);
    }
}

#[test]
fn bounded_crossovers_stay_in_the_box() {
    // Uniform and SBX never leave the box of their parents' bounds.
    let mut rng = Rng::seed_from_u64(12);
    for c in [Crossover::uniform(), Crossover::sbx()] {
        for _ in 0..2000 {
            let a: Vec<f64> = (0..5).map(|_| rng.next_f64()).collect();
            let b: Vec<f64> = (0..5).map(|_| rng.next_f64()).collect();
            let child = c.crossover(&[a, b], &[(0.0, 1.0); 5], &mut rng, false);
            assert!(
                child.iter().all(|x| (0.0..=1.0).contains(x)),
                "{c:?}: {child:?}"
            );
        }
    }
}

/// A mixed space with every kind of distribution.
fn mixed_objective(t: &mut Trial) -> Result<[f64; 2], TrialError> {
    let x = t.suggest_float("x", -2.0, 3.0)?;
    let lr = t.suggest_float_log("lr", 1e-4, 1e-1)?;
    let s = t.suggest_float_step("s", 0.0, 1.0, 0.125)?;
    let n = t.suggest_int("n", -3, 12)?;
    let m = t.suggest_int_log("m", 1, 512)?;
    let k = t.suggest_int_step("k", 0, 100, 10)?;
    let c = t.suggest_categorical("c", &["a", "b", "c"])?;
    let penalty = if c == "b" { 0.0 } else { 1.0 };
    let f1 = x * x + lr.ln().abs() * 0.01 + s + f64::from(n as i32).abs() * 0.1 + penalty;
    let f2 = (x - 1.0).powi(2) + (m as f64).ln() * 0.1 + k as f64 * 0.01 + penalty;
    Ok([f1, f2])
}

#[test]
fn every_crossover_keeps_sampled_children_in_their_ranges() {
    let all = [
        Crossover::uniform(),
        Crossover::blx_alpha(),
        Crossover::sbx(),
        Crossover::vsbx(),
        Crossover::undx(),
        Crossover::spx(),
    ];
    for c in all {
        let name = c.name();
        let study = min2_study(
            NsgaIISampler::with_seed(3)
                .population_size(8)
                .crossover(c)
                .mutation(PolynomialMutation::default()),
        );
        study.optimize(48, mixed_objective).unwrap();
        let trials = study.trials().unwrap();
        assert_eq!(trials.len(), 48);
        for t in &trials {
            assert_eq!(t.state, TrialState::Complete, "{name}");
            for (pname, p) in &t.params {
                assert!(
                    p.distribution.contains(p.internal),
                    "{name}: {pname} = {} outside {}",
                    p.internal,
                    p.distribution
                );
            }
        }
    }
}

#[test]
fn reference_point_counts() {
    let binom = |n: u64, k: u64| (0..k).fold(1u64, |acc, i| acc * (n - i) / (i + 1));
    assert_eq!(reference_points(3, 3).len(), 10);
    assert_eq!(reference_points(2, 3).len(), 4);
    for m in 1..=6usize {
        for p in 1..=5usize {
            let r = reference_points(m, p);
            assert_eq!(
                r.len() as u64,
                binom((m + p - 1) as u64, p as u64),
                "m={m} p={p}"
            );
            assert!(r.iter().all(|row| row.len() == m));
            assert!(r.iter().all(|row| row.iter().sum::<f64>() == p as f64));
            // No duplicates.
            for (i, a) in r.iter().enumerate() {
                assert!(!r[i + 1..].contains(a));
            }
        }
    }
}

#[test]
fn nsga3_niche_selection_on_a_hand_made_front() {
    // One front of six points on f1 + f2 = 1; the reference lines (2-objective, p = 3) point
    // to (3,0), (2,1), (1,2), (0,3). The three extreme and middle points are the nearest members
    // of their niches; the fourth survivor is one of the others.
    let pop = vec![
        complete(&[0.0, 1.0]),
        complete(&[0.05, 0.95]),
        complete(&[0.1, 0.9]),
        complete(&[0.5, 0.5]),
        complete(&[0.9, 0.1]),
        complete(&[1.0, 0.0]),
        complete(&[2.0, 2.0]), // dominated: never needed
    ];
    let refs = reference_points(2, 3);
    for seed in 0..20 {
        let mut rng = Rng::seed_from_u64(seed);
        let elite = select_elite_nsga3(&pop, &MIN2, 4, &refs, &mut rng).unwrap();
        let got = values_of(&elite);
        assert_eq!(got.len(), 4);
        for must in [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]] {
            assert!(got.contains(&must.to_vec()), "seed {seed}: {got:?}");
        }
        assert!(!got.contains(&vec![2.0, 2.0]));
    }
    // With three survivors exactly one per occupied niche.
    let elite = select_elite_nsga3(&pop, &MIN2, 3, &refs, &mut Rng::seed_from_u64(1)).unwrap();
    let mut got = values_of(&elite);
    got.sort_by(|a, b| a[0].total_cmp(&b[0]));
    assert_eq!(got, vec![vec![0.0, 1.0], vec![0.5, 0.5], vec![1.0, 0.0]]);
    // Reference points of the wrong dimension are an error.
    let bad = reference_points(3, 2);
    assert!(select_elite_nsga3(&pop, &MIN2, 3, &bad, &mut Rng::seed_from_u64(1)).is_err());
}

fn zdt1(x: &[f64]) -> [f64; 2] {
    let f1 = x[0];
    let g = 1.0 + 9.0 * x[1..].iter().sum::<f64>() / (x.len() - 1) as f64;
    [f1, g * (1.0 - (f1 / g).sqrt())]
}

fn zdt1_objective(n: usize) -> impl Fn(&mut Trial) -> Result<[f64; 2], TrialError> + Sync {
    move |t| {
        let x: Vec<f64> = (0..n)
            .map(|i| t.suggest_float(&format!("x{i}"), 0.0, 1.0))
            .collect::<Result<_, _>>()?;
        Ok(zdt1(&x))
    }
}

#[test]
fn generations_hold_population_size_complete_trials() {
    let study = min2_study(NsgaIISampler::with_seed(5).population_size(5));
    // Trial 2 fails: it keeps its generation but does not count towards it.
    study
        .optimize_with(OptimizeOptions::new().n_trials(24).catch(true), |t| {
            let v = zdt1_objective(3)(t)?;
            if t.number() == 2 {
                return Err(TrialError::msg("boom"));
            }
            Ok(v)
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let generation = |t: &FrozenTrial| t.system_attrs["NSGAIISampler:generation"].as_u64().unwrap();
    let gens: Vec<u64> = trials.iter().map(|t| generation(t)).collect();
    assert_eq!(
        gens,
        vec![
            0, 0, 0, 0, 0, 0, // 6 trials, one failed
            1, 1, 1, 1, 1, //
            2, 2, 2, 2, 2, //
            3, 3, 3, 3, 3, //
            4, 4, 4
        ]
    );
    let attrs = study.system_attrs().unwrap();
    let parents = |g: u64| -> Vec<i64> {
        attrs[&format!("NSGAIISampler:parent:{g}")]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    for g in 1..=4 {
        assert_eq!(parents(g).len(), 5, "generation {g}");
    }
    assert!(!attrs.contains_key("NSGAIISampler:parent:5"));
    // Generation 1's parents are generation 0's Complete trials.
    let mut ids = parents(1);
    ids.sort_unstable();
    let expected: Vec<i64> = trials
        .iter()
        .filter(|t| generation(t) == 0 && t.state == TrialState::Complete)
        .map(|t| t.trial_id)
        .collect();
    assert_eq!(ids, expected);
    // Later parents come from the previous generation or its parents.
    for g in 2..=4u64 {
        let prev = parents(g - 1);
        for id in parents(g) {
            let t = trials.iter().find(|t| t.trial_id == id).unwrap();
            assert!(generation(t) == g - 1 || prev.contains(&id));
        }
    }
}

#[test]
fn nsga3_uses_its_own_keys() {
    let study = min2_study(NsgaIIISampler::with_seed(5).population_size(4));
    study.optimize(12, zdt1_objective(3)).unwrap();
    let last = study.trials().unwrap().pop().unwrap();
    assert_eq!(last.system_attrs["NSGAIIISampler:generation"], 2);
    let attrs = study.system_attrs().unwrap();
    assert!(attrs.contains_key("NSGAIIISampler:parent:2"));
    assert!(!attrs.keys().any(|k| k.starts_with("NSGAIISampler:")));
}

fn run_params(sampler: impl Sampler + 'static, n: usize) -> Vec<Vec<(String, f64)>> {
    let study = min2_study(sampler);
    study.optimize(n, mixed_objective).unwrap();
    internal_params_of(&study)
}

#[test]
fn seeded_runs_are_reproducible_bit_for_bit() {
    let a = run_params(NsgaIISampler::with_seed(42).population_size(10), 60);
    let b = run_params(NsgaIISampler::with_seed(42).population_size(10), 60);
    assert_eq!(a, b);
    let c = run_params(NsgaIISampler::with_seed(43).population_size(10), 60);
    assert_ne!(a, c);
    let a = run_params(NsgaIIISampler::with_seed(42).population_size(10), 60);
    let b = run_params(NsgaIIISampler::with_seed(42).population_size(10), 60);
    assert_eq!(a, b);
    // reseed_rng restarts the stream.
    let s = NsgaIISampler::new().population_size(10);
    s.reseed_rng(Some(42));
    assert_eq!(
        run_params(s, 60),
        run_params(NsgaIISampler::with_seed(42).population_size(10), 60)
    );
}

fn zdt1_hv(sampler: impl Sampler + 'static, n_trials: usize) -> f64 {
    let study = min2_study(sampler);
    study.optimize(n_trials, zdt1_objective(30)).unwrap();
    let front = values_of(&study.best_trials().unwrap());
    hypervolume(&front, &[11.0, 11.0])
}

#[test]
fn nsga2_beats_random_search_on_zdt1() {
    // The true front's hypervolume with reference (11, 11) is 121 - 1/3.
    let ideal = 121.0 - 1.0 / 3.0;
    let n = 1000;
    let mut nsga_gap = 0.0;
    let mut random_gap = 0.0;
    for seed in 0..2 {
        nsga_gap += ideal - zdt1_hv(NsgaIISampler::with_seed(seed), n);
        random_gap += ideal - zdt1_hv(RandomSampler::with_seed(seed), n);
    }
    assert!(
        nsga_gap < 0.5 * random_gap,
        "NSGA-II gap {nsga_gap} vs random {random_gap}"
    );
}

#[test]
fn categorical_parameters_evolve() {
    // Only kind "b" reaches the Pareto front; NSGA-II should keep it.
    let study = min2_study(NsgaIISampler::with_seed(8).population_size(12));
    study.optimize(144, mixed_objective).unwrap();
    let trials = study.trials().unwrap();
    let last = &trials[trials.len() - 36..];
    let b = last
        .iter()
        .filter(|t| t.param("c") == Some(&ParamValue::from("b")))
        .count();
    assert!(b * 10 > last.len() * 6, "{b} of {} are `b`", last.len());
    for t in &trials {
        let c = t.param("c").unwrap();
        assert!(["a", "b", "c"].iter().any(|s| c == &ParamValue::from(*s)));
    }
    // A categorical-only space works too (crossover without numerical parameters).
    let study = min2_study(NsgaIISampler::with_seed(9).population_size(4));
    study
        .optimize(20, |t| {
            let a = t.suggest_categorical("a", &[0i64, 1, 2])?;
            let b = t.suggest_categorical("b", &[true, false])?;
            Ok([a as f64, if b { 0.0 } else { 1.0 }])
        })
        .unwrap();
    assert_eq!(study.trials().unwrap().len(), 20);
}

#[test]
fn constraints_steer_towards_the_feasible_region() {
    let study = min2_study(NsgaIISampler::with_seed(4).population_size(12));
    study
        .optimize(144, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            let y = t.suggest_float("y", 0.0, 1.0)?;
            // Feasible when x + y >= 1.2: 32% of the square.
            t.set_constraint("sum", 1.2 - x - y)?;
            Ok([x, y])
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let last = &trials[trials.len() - 36..];
    let feasible = last.iter().filter(|t| t.is_feasible()).count();
    // Random search would be feasible 32% of the time.
    assert!(feasible * 2 > last.len(), "{feasible} of {}", last.len());
}

#[test]
fn nsga3_on_three_objectives() {
    let run = |sampler: Arc<dyn Sampler>| {
        let study = Study::builder()
            .directions([StudyDirection::Minimize; 3])
            .sampler_arc(sampler)
            .build()
            .unwrap();
        study
            .optimize(300, |t| {
                // DTLZ2 with 3 objectives and 6 variables.
                let x: Vec<f64> = (0..6)
                    .map(|i| t.suggest_float(&format!("x{i}"), 0.0, 1.0))
                    .collect::<Result<_, _>>()?;
                let g: f64 = x[2..].iter().map(|v| (v - 0.5).powi(2)).sum();
                let h = std::f64::consts::FRAC_PI_2;
                Ok([
                    (1.0 + g) * (x[0] * h).cos() * (x[1] * h).cos(),
                    (1.0 + g) * (x[0] * h).cos() * (x[1] * h).sin(),
                    (1.0 + g) * (x[0] * h).sin(),
                ])
            })
            .unwrap();
        let front = values_of(&study.best_trials().unwrap());
        hypervolume(&front, &[2.0, 2.0, 2.0])
    };
    let nsga3 = run(Arc::new(NsgaIIISampler::with_seed(1).population_size(20)));
    let random = run(Arc::new(RandomSampler::with_seed(1)));
    assert!(nsga3 > random, "NSGA-III {nsga3} vs random {random}");
}
