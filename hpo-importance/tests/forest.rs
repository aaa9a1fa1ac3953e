//! The random-forest evaluators on functions whose answer is known.
//! (The single-tree splits are checked by hand in `src/forest/tree.rs`'s unit tests.)

use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::{Distribution, FrozenTrial, Param, ParamSpace, StudyDirection, TrialState};
use hpo_importance::{FanovaEvaluator, ImportanceEvaluator, MeanDecreaseImpurityEvaluator};
use indexmap::IndexMap;

/// `n` trials with `x0`, `x1` uniform on [0, 1] (and a categorical `c`), valued by `f`.
fn trials(n: usize, seed: u64, f: impl Fn(f64, f64, usize) -> f64) -> Vec<Arc<FrozenTrial>> {
    let mut rng = Rng::seed_from_u64(seed);
    let (x, c) = (
        Distribution::float(0.0, 1.0).unwrap(),
        Distribution::categorical(["a", "b", "c"]).unwrap(),
    );
    (0..n)
        .map(|_| {
            let (x0, x1, k) = (rng.next_f64(), rng.next_f64(), rng.below(3) as usize);
            let mut t = FrozenTrial::new(TrialState::Complete).with_value(f(x0, x1, k));
            t.params
                .insert("x0".into(), Param::from_internal(x0, x.clone()));
            t.params
                .insert("x1".into(), Param::from_internal(x1, x.clone()));
            t.params
                .insert("c".into(), Param::from_internal(k as f64, c.clone()));
            Arc::new(t)
        })
        .collect()
}

fn space() -> ParamSpace {
    let mut s = ParamSpace::new();
    s.insert("x0".into(), Distribution::float(0.0, 1.0).unwrap());
    s.insert("x1".into(), Distribution::float(0.0, 1.0).unwrap());
    s.insert(
        "c".into(),
        Distribution::categorical(["a", "b", "c"]).unwrap(),
    );
    s
}

/// `evaluator`'s importances over `space()` of `trials` valued by one minimized objective.
fn minimized(
    evaluator: &dyn ImportanceEvaluator,
    trials: &[Arc<FrozenTrial>],
) -> IndexMap<String, f64> {
    evaluator
        .evaluate(trials, &[StudyDirection::Minimize], &space(), None)
        .unwrap()
}

#[test]
fn fanova_on_f_equals_x0() {
    let t = trials(300, 1, |x0, _, _| x0);
    let imp = minimized(&FanovaEvaluator::new(), &t);
    // All the variance is x0's: its marginal is the whole function.
    assert!(imp["x0"] > 0.99, "{imp:?}");
    assert!(imp["x1"] < 1e-3, "{imp:?}");
    assert!(imp["c"] < 1e-3, "{imp:?}");
}

#[test]
fn fanova_splits_an_additive_function() {
    // f = x0 + 2 [c == b]: Var(x0) = 1/12, Var(2 [c == b]) over the one-hot box (each column
    // uniform on [0, 1], so the b column is on half of it) = 1. Shares 1/13 and 12/13.
    let t = trials(400, 2, |x0, _, k| x0 + if k == 1 { 2.0 } else { 0.0 });
    let imp = minimized(&FanovaEvaluator::new(), &t);
    assert!((imp["c"] - 12.0 / 13.0).abs() < 0.05, "{imp:?}");
    assert!((imp["x0"] - 1.0 / 13.0).abs() < 0.03, "{imp:?}");
    assert!(imp["x1"] < 0.01, "{imp:?}");
    let total: f64 = imp.values().sum();
    assert!(
        total <= 1.0 + 1e-9,
        "main effects of an additive function sum to at most 1"
    );
}

#[test]
fn mdi_on_f_equals_x0() {
    let t = trials(300, 3, |x0, _, _| x0);
    let imp = minimized(&MeanDecreaseImpurityEvaluator::new(), &t);
    assert!(imp["x0"] > 0.99, "{imp:?}");
    assert!((imp.values().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn forests_ignore_trials_with_non_finite_values() {
    let mut t = trials(100, 4, |x0, _, _| x0);
    let base = minimized(&FanovaEvaluator::new(), &t);
    let mut bad = t[0].as_ref().clone();
    bad.values = Some(vec![f64::INFINITY]);
    t.push(Arc::new(bad));
    let with_inf = minimized(&FanovaEvaluator::new(), &t);
    assert_eq!(base, with_inf);
}

#[test]
fn one_usable_trial_gives_zeros() {
    let t = trials(1, 5, |x0, _, _| x0);
    for e in [
        Arc::new(FanovaEvaluator::new()) as Arc<dyn ImportanceEvaluator>,
        Arc::new(MeanDecreaseImpurityEvaluator::new()),
    ] {
        let imp = minimized(e.as_ref(), &t);
        assert!(imp.values().all(|v| *v == 0.0), "{imp:?}");
        assert_eq!(imp.len(), 3);
    }
}

#[test]
fn thousands_of_trials_are_quick() {
    // 3000 trials x 64 trees; generous bound, as this may run unoptimised on a busy machine.
    let t = trials(3000, 6, |x0, x1, k| x0 * x0 + 0.1 * x1 + k as f64 * 0.01);
    let start = std::time::Instant::now();
    let imp = minimized(&FanovaEvaluator::new(), &t);
    let elapsed = start.elapsed();
    assert!(imp["x0"] > 0.9, "{imp:?}");
    assert!(elapsed.as_secs_f64() < 60.0, "{elapsed:?}");
}
