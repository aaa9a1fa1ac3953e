//! Mean decrease impurity (Optuna's `MeanDecreaseImpurityImportanceEvaluator`): the random
//! forest's `feature_importances_`, with the one-hot columns of a categorical summed back.

use hpo_core::ParamSpace;
use indexmap::IndexMap;

use crate::forest::{ForestSettings, TrainingSet, forest_evaluator, forest_feature_importances};
use crate::transform::Encoded;

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
#[derive(Clone, PartialEq, Eq)]
pub struct MeanDecreaseImpurityEvaluator {
    forest: ForestSettings,
}

forest_evaluator!(MeanDecreaseImpurityEvaluator, "mdi");

impl MeanDecreaseImpurityEvaluator {
    /// Each param's mean decrease in impurity (its one-hot columns summed back) into `out`.
    fn importances(
        &self,
        out: &mut IndexMap<String, f64>,
        space: &ParamSpace,
        data: &TrainingSet<'_>,
    ) {
        let (rows, y) = (&data.rows, &data.y);
        let encoded = Encoded::new(space, rows);
        let trees = self.forest.fit(&encoded.columns, y);
        let per_column = forest_feature_importances(&trees, encoded.columns.len());
        for (value, group) in out.values_mut().zip(&encoded.groups) {
            *value = per_column[group.clone()].iter().sum();
        }
    }
}
