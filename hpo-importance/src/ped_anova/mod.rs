//! PED-ANOVA (Watanabe, Bansal and Hutter, "PED-ANOVA: Efficiently Quantifying
//! Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023), with the conditional
//! extension of Optuna 5.0 ("Conditional PED-ANOVA", KDD 2026), as Optuna's
//! `PedAnovaImportanceEvaluator` computes it.
//!
//! The *target* trials are the top `target_quantile` of the trials, the *region* trials the
//! top `region_quantile`. For each param, a Parzen estimator of its values among the target
//! trials is compared with one among the region trials (or with the uniform density when
//! `evaluate_on_local` is false) by the Pearson divergence on a grid of at most 50 points:
//! a param matters when the good trials concentrate where the others do not.
//!
//! A conditional param is split into regimes: the trials where it has one distribution, one
//! per distribution, and the trials without it. Each regime with at least 2 region trials adds
//! its divergence weighted by `alpha^2 / beta` (alpha: its share of the target trials, beta:
//! of the region trials); the sum is scaled by `(n_target / n_region)^2`.

mod grid;
mod parzen;
mod select;

use std::sync::Arc;

use hpo_core::{Distribution, Error, FrozenTrial, ParamSpace, Result, StudyDirection};
use indexmap::IndexMap;

use crate::evaluator::{first_direction, scalar_target, zeros};
use crate::{ImportanceEvaluator, Target};

use grid::grid_counts;
use hpo_core::multi_objective::best_subset;
use parzen::grid_pdf;
use select::quantile_filter;

/// Grid points per numeric param.
const N_STEPS: usize = 50;
/// Weight of the prior kernel of each Parzen estimator.
const PRIOR_WEIGHT: f64 = 1.0;
/// Regimes with fewer region trials are left out.
const MIN_TRIALS_IN_REGIME: usize = 2;
/// Added to each density so that empty cells do not divide by zero.
const PDF_FLOOR: f64 = 1e-12;

/// PED-ANOVA importance (Optuna 5.0's default `PedAnovaImportanceEvaluator`): how differently
/// each param is distributed among the best trials than among all (or the top-region) trials.
///
/// Deterministic. Lower values are better unless the study maximizes; a `target` is always
/// treated as lower-is-better (negate it to maximize). On a multi-objective study without a
/// `target`, the best trials are chosen by non-domination rank with a hypervolume tie-break,
/// as multi-objective TPE does. Params present in only some trials are assessed per regime.
///
/// ```
/// use hpo_importance::{ImportanceOptions, PedAnovaEvaluator};
///
/// let e = PedAnovaEvaluator::new()
///     .target_quantile(0.2)
///     .region_quantile(0.8)
///     .evaluate_on_local(true);
/// let options = ImportanceOptions::new().evaluator(e);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PedAnovaEvaluator {
    target_quantile: f64,
    region_quantile: f64,
    evaluate_on_local: bool,
}

impl Default for PedAnovaEvaluator {
    fn default() -> Self {
        PedAnovaEvaluator {
            target_quantile: 0.1,
            region_quantile: 1.0,
            evaluate_on_local: true,
        }
    }
}

impl PedAnovaEvaluator {
    /// `target_quantile = 0.1`, `region_quantile = 1.0`, `evaluate_on_local = true`.
    pub fn new() -> Self {
        Self::default()
    }

    hpo_core::setters! {
        /// The share of best trials whose params are examined (default 0.1; the paper's gamma').
        /// Must satisfy `0 < target_quantile < region_quantile <= 1` when evaluated.
        pub fn target_quantile(q: f64) => self.target_quantile;

        /// The share of best trials that defines the region the importance is measured in (default
        /// 1.0, the whole space; the paper's gamma). Only used with `evaluate_on_local`.
        pub fn region_quantile(q: f64) => self.region_quantile;

        /// Whether to compare with the distribution of the region trials (default true: importance
        /// during the optimization) rather than with the uniform distribution over the search
        /// space (importance in the space).
        pub fn evaluate_on_local(yes: bool) => self.evaluate_on_local;
    }

    fn check(&self) -> Result<()> {
        let (t, r) = (self.target_quantile, self.region_quantile);
        if !(0.0 < t && t < r && r <= 1.0) {
            return Err(Error::InvalidArgument(format!(
                "PED-ANOVA needs 0 < target_quantile < region_quantile <= 1, got \
                 target_quantile={t}, region_quantile={r}"
            )));
        }
        Ok(())
    }

    /// The Pearson divergence of the target density from the local (or uniform) one.
    fn pearson_divergence(&self, dist: &Distribution, target: &[f64], region: &[f64]) -> f64 {
        let categorical = matches!(dist, Distribution::Categorical(_));
        let top_counts = grid_counts(dist, target.iter().copied(), N_STEPS);
        let size = top_counts.len();
        let top = grid_pdf(&top_counts, categorical, PRIOR_WEIGHT);
        let local = if self.evaluate_on_local {
            let counts = grid_counts(dist, region.iter().copied(), N_STEPS);
            grid_pdf(&counts, categorical, PRIOR_WEIGHT)
                .into_iter()
                .map(|p| p + PDF_FLOOR)
                .collect()
        } else {
            vec![1.0 / size as f64; size]
        };
        top.iter()
            .zip(&local)
            .map(|(t, l)| {
                let ratio = (t + PDF_FLOOR) / l - 1.0;
                l * ratio * ratio
            })
            .sum()
    }

    /// Which of `trials` are in the top `quantile`.
    fn top(&self, trials: &[&FrozenTrial], losses: &Losses, quantile: f64) -> Vec<bool> {
        if quantile == 1.0 {
            return vec![true; trials.len()];
        }
        match losses {
            Losses::Scalar(l) => quantile_filter(l, quantile),
            Losses::Vector(l) => {
                let n_below = (quantile * l.len() as f64).ceil() as usize;
                best_subset(l, n_below)
            }
        }
    }
}

/// What the trials are ranked by: one loss each, or one loss vector each (multi-objective
/// without a target).
enum Losses {
    Scalar(Vec<f64>),
    Vector(Vec<Vec<f64>>),
}

impl ImportanceEvaluator for PedAnovaEvaluator {
    fn name(&self) -> &'static str {
        "ped-anova"
    }

    fn handles_conditional_params(&self) -> bool {
        true
    }

    fn evaluate(
        &self,
        trials: &[Arc<FrozenTrial>],
        directions: &[StudyDirection],
        space: &ParamSpace,
        target: Option<&Target>,
    ) -> Result<IndexMap<String, f64>> {
        self.check()?;
        let first_direction = first_direction(directions)?;
        let mut out = zeros(space);
        let (rows, losses) = if target.is_none() && directions.len() > 1 {
            let (rows, l): (Vec<&FrozenTrial>, Vec<Vec<f64>>) = trials
                .iter()
                .filter_map(|t| {
                    let v = t.values.as_deref()?;
                    (v.len() == directions.len() && v.iter().all(|x| x.is_finite())).then(|| {
                        let l = v.iter().zip(directions).map(|(x, d)| d.to_minimize(*x));
                        (t.as_ref(), l.collect())
                    })
                })
                .unzip();
            (rows, Losses::Vector(l))
        } else {
            // A target is lower-is-better; the objective follows the study's direction.
            let direction = if target.is_some() {
                StudyDirection::Minimize
            } else {
                first_direction
            };
            let (rows, l): (Vec<&FrozenTrial>, Vec<f64>) = trials
                .iter()
                .filter_map(|t| {
                    Some((t.as_ref(), direction.to_minimize(scalar_target(t, target)?)))
                })
                .unzip();
            (rows, Losses::Scalar(l))
        };
        if rows.len() <= 1 {
            return Ok(out);
        }
        let in_target = self.top(&rows, &losses, self.target_quantile);
        let in_region = self.top(&rows, &losses, self.region_quantile);
        let n_target = in_target.iter().filter(|&&b| b).count();
        let n_region = in_region.iter().filter(|&&b| b).count();
        if n_target == 0 {
            return Ok(out);
        }
        let region: Vec<usize> = (0..rows.len()).filter(|&i| in_region[i]).collect();
        let quantile = n_target as f64 / n_region as f64;
        for (name, value) in out.iter_mut() {
            // Region trials grouped by the param's distribution (None: the param is absent).
            let mut regimes: Vec<(Option<&Distribution>, Vec<usize>)> = Vec::new();
            for &i in &region {
                let dist = rows[i].distribution(name);
                match regimes.iter_mut().find(|(d, _)| *d == dist) {
                    Some((_, members)) => members.push(i),
                    None => regimes.push((dist, vec![i])),
                }
            }
            let mut importance = 0.0;
            for (dist, members) in &regimes {
                if members.len() < MIN_TRIALS_IN_REGIME {
                    continue;
                }
                let Some(dist) = dist.filter(|d| !d.single()) else {
                    continue;
                };
                let internal = |i: &usize| rows[*i].internal_param(name).unwrap_or(f64::NAN);
                let target_values: Vec<f64> = members
                    .iter()
                    .filter(|&&i| in_target[i])
                    .map(internal)
                    .collect();
                if target_values.is_empty() {
                    continue;
                }
                let region_values: Vec<f64> = members.iter().map(internal).collect();
                let alpha = target_values.len() as f64 / n_target as f64;
                let beta = members.len() as f64 / n_region as f64;
                importance += alpha.powi(2) / beta
                    * self.pearson_divergence(dist, &target_values, &region_values);
            }
            *value = importance * quantile.powi(2);
        }
        Ok(out)
    }
}
