//! Mean decrease impurity (Optuna's `MeanDecreaseImpurityImportanceEvaluator`): the random
//! forest's `feature_importances_`, with the one-hot columns of a categorical summed back.

use std::sync::Arc;

use hpo_core::{FrozenTrial, ParamSpace, Result, StudyDirection};
use indexmap::IndexMap;

use crate::evaluator::{needs_target, zeros};
use crate::fanova::{check_forest_settings, usable_rows};
use crate::forest::{DEFAULT_SEED, TreeParams, fit_forest, forest_feature_importances};
use crate::transform::Encoded;
use crate::{ImportanceEvaluator, Target};

/// Mean-decrease-impurity importance: how much, over a random forest, the splits on each
/// param reduce the squared error (scikit-learn's `feature_importances_`, which sum to 1).
///
/// Defaults: 64 trees, depth at most 64, seed 0 (reproducible unless another seed is set;
/// Optuna's default `seed=None` draws a fresh forest each time). On a multi-objective study it
/// needs a `target`.
///
/// ```
/// use hpo_importance::{ImportanceOptions, MeanDecreaseImpurityEvaluator};
///
/// let options = ImportanceOptions::new()
///     .evaluator(MeanDecreaseImpurityEvaluator::new().max_depth(8).seed(3));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeanDecreaseImpurityEvaluator {
    n_trees: usize,
    max_depth: usize,
    seed: u64,
}

impl Default for MeanDecreaseImpurityEvaluator {
    fn default() -> Self {
        MeanDecreaseImpurityEvaluator {
            n_trees: 64,
            max_depth: 64,
            seed: DEFAULT_SEED,
        }
    }
}

impl MeanDecreaseImpurityEvaluator {
    /// 64 trees of depth at most 64, seed 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of trees in the forest (default 64; must be positive).
    pub fn n_trees(mut self, n: usize) -> Self {
        self.n_trees = n;
        self
    }

    /// The maximum depth of each tree (default 64; must be positive).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The seed of the forest's bootstrap samples and split tie-breaks (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

impl ImportanceEvaluator for MeanDecreaseImpurityEvaluator {
    fn name(&self) -> &'static str {
        "mdi"
    }

    fn evaluate(
        &self,
        trials: &[Arc<FrozenTrial>],
        directions: &[StudyDirection],
        space: &ParamSpace,
        target: Option<&Target>,
    ) -> Result<IndexMap<String, f64>> {
        if target.is_none() {
            needs_target(directions, self.name())?;
        }
        check_forest_settings(self.n_trees, self.max_depth)?;
        let mut out = zeros(space);
        let (rows, y) = usable_rows(trials, space, target);
        if space.is_empty() || rows.len() <= 1 {
            return Ok(out);
        }
        let encoded = Encoded::new(space, &rows);
        let trees = fit_forest(
            &encoded.columns,
            &y,
            self.n_trees,
            TreeParams {
                max_depth: self.max_depth,
                ..TreeParams::default()
            },
            self.seed,
        );
        let per_column = forest_feature_importances(&trees, encoded.columns.len());
        for (value, group) in out.values_mut().zip(&encoded.groups) {
            *value = per_column[group.clone()].iter().sum();
        }
        Ok(out)
    }
}
