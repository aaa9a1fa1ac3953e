//! Mean decrease impurity (Optuna's `MeanDecreaseImpurityImportanceEvaluator`): the random
//! forest's `feature_importances_`, with the one-hot columns of a categorical summed back.

use std::sync::Arc;

use hpo_core::{FrozenTrial, ParamSpace, Result, StudyDirection};
use indexmap::IndexMap;

use crate::evaluator::zeros;
use crate::forest::{ForestSettings, forest_evaluator_builder, forest_feature_importances};
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
#[derive(Clone, PartialEq, Eq)]
pub struct MeanDecreaseImpurityEvaluator {
    forest: ForestSettings,
}

forest_evaluator_builder!(MeanDecreaseImpurityEvaluator);

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
        let mut out = zeros(space);
        let Some((rows, y)) =
            self.forest
                .usable_rows(self.name(), trials, directions, space, target)?
        else {
            return Ok(out);
        };
        let encoded = Encoded::new(space, &rows);
        let trees = self.forest.fit(&encoded.columns, &y);
        let per_column = forest_feature_importances(&trees, encoded.columns.len());
        for (value, group) in out.values_mut().zip(&encoded.groups) {
            *value = per_column[group.clone()].iter().sum();
        }
        Ok(out)
    }
}
