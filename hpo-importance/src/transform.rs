//! Features for the random-forest evaluators, as Optuna's
//! `_SearchSpaceTransform(transform_log=False, transform_step=False)`: a numeric param is one
//! column holding its raw value (no log, no step padding), a categorical param is one-hot
//! encoded over `[0, 1]` columns.

use std::ops::Range;

use hpo_core::{Distribution, FrozenTrial, ParamSpace};

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
    /// Encodes `trials`, each of which holds every param of `space`.
    pub fn new(space: &ParamSpace, trials: &[&FrozenTrial]) -> Encoded {
        let mut bounds = Vec::new();
        let mut groups = Vec::with_capacity(space.len());
        for dist in space.values() {
            let start = bounds.len();
            match dist {
                Distribution::Float(d) => bounds.push((d.low, d.high)),
                Distribution::Int(d) => bounds.push((d.low as f64, d.high as f64)),
                Distribution::Categorical(d) => {
                    bounds.extend(std::iter::repeat_n((0.0, 1.0), d.choices().len()));
                }
            }
            groups.push(start..bounds.len());
        }
        let mut columns = vec![vec![0.0; trials.len()]; bounds.len()];
        for (i, trial) in trials.iter().enumerate() {
            for ((name, dist), group) in space.iter().zip(&groups) {
                let Some(param) = trial.params.get(name) else {
                    continue;
                };
                match dist {
                    Distribution::Categorical(_) => {
                        let choice = param.internal as usize;
                        if choice < group.len() {
                            columns[group.start + choice][i] = 1.0;
                        }
                    }
                    _ => columns[group.start][i] = param.internal,
                }
            }
        }
        Encoded {
            columns,
            bounds,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpo_core::{Param, TrialState};

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
