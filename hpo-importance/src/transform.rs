//! Features for the random-forest evaluators, as Optuna's
//! `_SearchSpaceTransform(transform_log=False, transform_step=False)`: a numeric param is one
//! column holding its raw value (no log, no step padding), a categorical param is one-hot
//! encoded over `[0, 1]` columns.

use std::ops::Range;

use hpo_core::transform::{SearchSpaceTransform, TransformOptions};
use hpo_core::{FrozenTrial, ParamSpace};

/// The encoded feature matrix of some trials over a space.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    /// Column-major features: `columns[c][i]` is column `c` of trial `i`.
    pub columns: Vec<Vec<f64>>,
    /// The `[low, high]` box of each column.
    pub bounds: Vec<(f64, f64)>,
    /// The columns of each param, in the order of the space.
    pub groups: Vec<Range<usize>>,
}

impl Encoded {
    /// Encodes `trials`, each of which holds every param of `space` (a missing one leaves its
    /// columns at 0).
    pub fn new(space: &ParamSpace, trials: &[&FrozenTrial]) -> Encoded {
        let t = SearchSpaceTransform::new(space, TransformOptions::new().log(false).step(false));
        let groups: Vec<Range<usize>> = (0..space.len()).map(|k| t.columns(k)).collect();
        let mut columns = vec![vec![0.0; trials.len()]; t.n_columns()];
        let mut row = vec![0.0; t.n_columns()];
        for (i, trial) in trials.iter().enumerate() {
            for (k, (name, group)) in space.keys().zip(&groups).enumerate() {
                row[group.clone()].fill(0.0);
                if let Some(param) = trial.params.get(name) {
                    t.transform_param(k, param.internal, &mut row[group.clone()]);
                }
            }
            for (column, x) in columns.iter_mut().zip(&row) {
                column[i] = *x;
            }
        }
        Encoded {
            columns,
            bounds: t.bounds(),
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpo_core::{Distribution, Param, TrialState};

    #[test]
    fn numeric_raw_and_categorical_one_hot() {
        let mut space = ParamSpace::new();
        space.insert("lr".into(), Distribution::float_log(1e-4, 1.0).unwrap());
        space.insert(
            "opt".into(),
            Distribution::categorical(["a", "b", "c"]).unwrap(),
        );
        space.insert("n".into(), Distribution::int_step(0, 10, 2).unwrap());
        let mut t = FrozenTrial::new(TrialState::Complete).with_value(1.0);
        for (name, x) in [("lr", 0.01), ("opt", 2.0), ("n", 4.0)] {
            t.params
                .insert(name.into(), Param::from_internal(x, space[name].clone()));
        }
        let e = Encoded::new(&space, &[&t]);
        assert_eq!(e.groups, vec![0..1, 1..4, 4..5]);
        let row: Vec<f64> = e.columns.iter().map(|c| c[0]).collect();
        assert_eq!(row, vec![0.01, 0.0, 0.0, 1.0, 4.0]);
        assert_eq!(
            e.bounds,
            vec![(1e-4, 1.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0), (0.0, 10.0)]
        );
    }
}
