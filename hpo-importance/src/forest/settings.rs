//! The settings fANOVA and MDI share: the size and seed of their random forest, the checks and
//! trial selection that come before fitting it, and their identical builder methods and
//! `evaluate` preamble.

use std::sync::Arc;

use hpo_core::{Error, FrozenTrial, ParamSpace, Result, StudyDirection};

use super::{DEFAULT_SEED, Tree, TreeParams, fit_forest};
use crate::Target;
use crate::evaluator::{needs_target, scalar_target};

/// What a forest is fitted on: the usable trials and their targets, in the same order.
pub(crate) struct TrainingSet<'a> {
    pub rows: Vec<&'a FrozenTrial>,
    pub y: Vec<f64>,
}

/// The number of trees, their maximum depth and the seed of a random forest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForestSettings {
    pub n_trees: usize,
    pub max_depth: usize,
    pub seed: u64,
}

impl Default for ForestSettings {
    fn default() -> Self {
        ForestSettings {
            n_trees: 64,
            max_depth: 64,
            seed: DEFAULT_SEED,
        }
    }
}

impl ForestSettings {
    /// Rejects a forest without trees or depth.
    fn check(&self) -> Result<()> {
        let (n_trees, max_depth) = (self.n_trees, self.max_depth);
        if n_trees == 0 || max_depth == 0 {
            return Err(Error::InvalidArgument(format!(
                "a random forest needs n_trees >= 1 and max_depth >= 1, got n_trees={n_trees}, \
                 max_depth={max_depth}"
            )));
        }
        Ok(())
    }

    /// The preamble of fANOVA's and MDI's `evaluate`: the target and settings checks, then the
    /// trials holding every param of `space` with a finite target, and those targets. `None`
    /// when there is nothing to fit (no param, or at most one usable trial): every param gets 0.
    pub(crate) fn usable_rows<'a>(
        &self,
        evaluator: &str,
        trials: &'a [Arc<FrozenTrial>],
        directions: &[StudyDirection],
        space: &ParamSpace,
        target: Option<&Target>,
    ) -> Result<Option<TrainingSet<'a>>> {
        if target.is_none() {
            needs_target(directions, evaluator)?;
        }
        self.check()?;
        let (rows, y): (Vec<&FrozenTrial>, Vec<f64>) = trials
            .iter()
            .filter(|t| space.keys().all(|k| t.params.contains_key(k)))
            .filter_map(|t| Some((t.as_ref(), scalar_target(t, target)?)))
            .unzip();
        Ok((!space.is_empty() && rows.len() > 1).then_some(TrainingSet { rows, y }))
    }

    /// Fits the forest on column-major features `columns` and targets `y`.
    pub(crate) fn fit(&self, columns: &[Vec<f64>], y: &[f64]) -> Vec<Tree> {
        let params = TreeParams {
            max_depth: self.max_depth,
            ..TreeParams::default()
        };
        fit_forest(columns, y, self.n_trees, params, self.seed)
    }
}

/// `Default` (64 trees of depth at most 64, seed 0), `Debug` (listing the three settings as
/// fields), `new`, the builder methods `n_trees`, `max_depth` and `seed`, and
/// [`ImportanceEvaluator`](crate::ImportanceEvaluator) named `$name`, for an evaluator struct
/// whose only field is `forest: ForestSettings`. Its `evaluate` starts every param at 0, takes
/// [`ForestSettings::usable_rows`] and, when there are any, hands them to the struct's own
/// `fn importances(&self, out: &mut IndexMap<String, f64>, space: &ParamSpace,
/// data: &TrainingSet)`.
macro_rules! forest_evaluator {
    ($evaluator:ident, $name:literal) => {
        impl $crate::ImportanceEvaluator for $evaluator {
            fn name(&self) -> &'static str {
                $name
            }

            fn evaluate(
                &self,
                trials: &[std::sync::Arc<hpo_core::FrozenTrial>],
                directions: &[hpo_core::StudyDirection],
                space: &hpo_core::ParamSpace,
                target: Option<&$crate::Target>,
            ) -> hpo_core::Result<indexmap::IndexMap<String, f64>> {
                let mut out = $crate::evaluator::zeros(space);
                if let Some(data) =
                    self.forest
                        .usable_rows(self.name(), trials, directions, space, target)?
                {
                    self.importances(&mut out, space, &data);
                }
                Ok(out)
            }
        }

        impl Default for $evaluator {
            fn default() -> Self {
                $evaluator {
                    forest: $crate::forest::ForestSettings::default(),
                }
            }
        }

        impl std::fmt::Debug for $evaluator {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($evaluator))
                    .field("n_trees", &self.forest.n_trees)
                    .field("max_depth", &self.forest.max_depth)
                    .field("seed", &self.forest.seed)
                    .finish()
            }
        }

        impl $evaluator {
            /// 64 trees of depth at most 64, seed 0.
            pub fn new() -> Self {
                Self::default()
            }

            hpo_core::setters! {
                /// The number of trees in the forest (default 64; must be positive).
                pub fn n_trees(n: usize) => self.forest.n_trees;

                /// The maximum depth of each tree (default 64; must be positive).
                pub fn max_depth(depth: usize) => self.forest.max_depth;

                /// The seed of the forest's bootstrap samples and split tie-breaks (default 0).
                pub fn seed(seed: u64) => self.forest.seed;
            }
        }
    };
}

pub(crate) use forest_evaluator;
