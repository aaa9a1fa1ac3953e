//! A random-forest regressor shaped like scikit-learn's `RandomForestRegressor` with the
//! settings Optuna's fANOVA and MDI evaluators use: each tree sees a bootstrap sample (n draws
//! with replacement, the counts acting as sample weights), considers every feature at every
//! split (`max_features=1.0`), with `min_samples_split=2`, `min_samples_leaf=1` and the given
//! `max_depth`.
//!
//! Randomness comes from hpo's own [`Rng`](hpo_core::rng::Rng), so a seed gives the same
//! forest on every platform and version; the forest is not bit-identical to scikit-learn's
//! (whose random streams differ), only alike in distribution.

mod settings;
pub(crate) mod tree;

use hpo_core::rng::Rng;

pub(crate) use settings::{ForestSettings, TrainingSet, forest_evaluator};
use tree::Data;
pub(crate) use tree::{LEAF, Tree, TreeParams};

/// The seed fANOVA and MDI use when none is given, so results are reproducible by default.
pub const DEFAULT_SEED: u64 = 0;

/// Below this many steps of work, [`parallel_map`] stays on the calling thread.
const PARALLEL_WORK: usize = 32_768;

/// Fits `n_trees` trees on column-major features `columns` and targets `y`.
pub(crate) fn fit_forest(
    columns: &[Vec<f64>],
    y: &[f64],
    n_trees: usize,
    params: TreeParams,
    seed: u64,
) -> Vec<Tree> {
    let n = y.len();
    let presorted: Vec<Vec<u32>> = columns
        .iter()
        .map(|c| {
            let mut idx: Vec<u32> = (0..n as u32).collect();
            idx.sort_by(|&a, &b| c[a as usize].total_cmp(&c[b as usize]));
            idx
        })
        .collect();
    let data = Data {
        columns,
        y,
        presorted: &presorted,
    };
    let mut master = Rng::seed_from_u64(seed);
    let seeds: Vec<u64> = (0..n_trees).map(|_| master.next_u64()).collect();
    let grow = |tree_seed: u64| {
        let mut rng = Rng::seed_from_u64(tree_seed);
        let mut weights = vec![0u32; n];
        for _ in 0..n {
            weights[rng.below(n as u64) as usize] += 1;
        }
        Tree::fit(&data, &weights, params, &mut rng)
    };
    parallel_map(&seeds, n * columns.len(), |&s| grow(s))
}

/// `items.iter().map(f)`, spread over the available cores when there are several items and
/// each costs about `work_per_item` steps or more in total.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    work_per_item: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(items.len());
    if threads <= 1 || items.len() * work_per_item < PARALLEL_WORK {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

/// scikit-learn's `RandomForestRegressor.feature_importances_`: the mean over the trees that
/// split at least once of each tree's normalised importances, normalised again (all zero when
/// no tree splits).
pub(crate) fn forest_feature_importances(trees: &[Tree], n_features: usize) -> Vec<f64> {
    let mut sum = vec![0.0; n_features];
    let mut count = 0usize;
    for tree in trees.iter().filter(|t| t.nodes.len() > 1) {
        for (s, v) in sum.iter_mut().zip(tree.feature_importances()) {
            *s += v;
        }
        count += 1;
    }
    if count == 0 {
        return sum;
    }
    let total: f64 = sum.iter().map(|s| s / count as f64).sum();
    sum.iter().map(|s| s / count as f64 / total).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = Rng::seed_from_u64(5);
        let columns: Vec<Vec<f64>> = (0..3)
            .map(|_| (0..n).map(|_| rng.next_f64()).collect())
            .collect();
        let y = (0..n)
            .map(|i| 10.0 * columns[0][i] + columns[1][i])
            .collect();
        (columns, y)
    }

    #[test]
    fn seeded_forests_are_reproducible_and_find_the_signal() {
        let (columns, y) = data(200);
        let a = fit_forest(&columns, &y, 16, TreeParams::default(), 1);
        let b = fit_forest(&columns, &y, 16, TreeParams::default(), 1);
        let c = fit_forest(&columns, &y, 16, TreeParams::default(), 2);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let imp = forest_feature_importances(&a, 3);
        assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(
            imp[0] > 0.8 && imp[0] > imp[1] && imp[1] > imp[2],
            "{imp:?}"
        );
    }

    #[test]
    fn parallel_and_serial_growth_agree() {
        // Large enough to take the threaded path when the machine has several cores.
        let (columns, y) = data(1000);
        let trees = fit_forest(&columns, &y, 12, TreeParams::default(), 9);
        let mut master = Rng::seed_from_u64(9);
        let presorted: Vec<Vec<u32>> = columns
            .iter()
            .map(|c| {
                let mut idx: Vec<u32> = (0..1000).collect();
                idx.sort_by(|&a, &b| c[a as usize].total_cmp(&c[b as usize]));
                idx
            })
            .collect();
        let d = Data {
            columns: &columns,
            y: &y,
            presorted: &presorted,
        };
        for tree in &trees {
            let mut rng = Rng::seed_from_u64(master.next_u64());
            let mut w = vec![0u32; 1000];
            for _ in 0..1000 {
                w[rng.below(1000) as usize] += 1;
            }
            assert_eq!(&Tree::fit(&d, &w, TreeParams::default(), &mut rng), tree);
        }
    }
}
