//! The evaluator trait, the `target` callback type, and evaluator lookup by name.

use std::sync::Arc;

use hpo_core::{Error, FrozenTrial, ParamSpace, Result, StudyDirection};
use indexmap::IndexMap;

use crate::{FanovaEvaluator, MeanDecreaseImpurityEvaluator, PedAnovaEvaluator};

/// A function that turns a trial into the scalar whose importance is assessed (Optuna's
/// `target=`), for example one objective of a multi-objective study or the trial's duration.
pub type Target = Arc<dyn Fn(&FrozenTrial) -> f64 + Send + Sync>;

/// An algorithm that assesses how much each parameter matters to the objective.
///
/// [`param_importances`](crate::param_importances) chooses the trials and the parameters,
/// calls [`evaluate`](ImportanceEvaluator::evaluate), then normalises and sorts the result.
pub trait ImportanceEvaluator: Send + Sync {
    /// Short name: `"ped-anova"`, `"fanova"` or `"mdi"`.
    fn name(&self) -> &'static str;

    /// Raw (unnormalised) importance of each param of `space` (same order), from the COMPLETE
    /// trials given.
    ///
    /// The caller has already filtered them to complete trials that contain every param of
    /// `space`, except for evaluators whose
    /// [`handles_conditional_params`](ImportanceEvaluator::handles_conditional_params) is true:
    /// those receive every complete trial, and a param of `space` may be missing from some.
    /// Trials whose value (or `target`) is not finite are skipped by the evaluator, as Optuna
    /// does.
    fn evaluate(
        &self,
        trials: &[Arc<FrozenTrial>],
        directions: &[StudyDirection],
        space: &ParamSpace,
        target: Option<&Target>,
    ) -> Result<IndexMap<String, f64>>;

    /// Whether the evaluator assesses conditional params (present in only some trials) itself.
    ///
    /// When true, [`param_importances`](crate::param_importances) hands it every complete trial
    /// and, without an explicit `params` list, every param seen in a complete trial (Optuna
    /// 5.0's PED-ANOVA). When false (the default), only the params present in all complete
    /// trials with one distribution, and only trials that contain them all, are used.
    fn handles_conditional_params(&self) -> bool {
        false
    }
}

impl std::fmt::Debug for dyn ImportanceEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ImportanceEvaluator({})", self.name())
    }
}

/// Every spelling [`evaluator_from_name`] accepts, for messages and command-line help.
pub const EVALUATOR_NAMES: &[&str] = &[
    "ped-anova",
    "pedanova",
    "PedAnovaImportanceEvaluator",
    "fanova",
    "FanovaImportanceEvaluator",
    "mdi",
    "mean-decrease-impurity",
    "MeanDecreaseImpurityImportanceEvaluator",
];

/// The evaluator called `name` (case-insensitive): `ped-anova` (also `pedanova`,
/// `PedAnovaImportanceEvaluator`), `fanova` (`FanovaImportanceEvaluator`) or `mdi`
/// (`mean-decrease-impurity`, `MeanDecreaseImpurityImportanceEvaluator`), with its default
/// settings. `seed` seeds the random forest of fANOVA and MDI (their default seed, 0, when
/// `None`); PED-ANOVA is deterministic and ignores it.
///
/// An unknown name is an [`Error::InvalidArgument`] that names it and lists the choices.
///
/// ```
/// let e = hpo_importance::evaluator_from_name("FANOVA", Some(7))?;
/// assert_eq!(e.name(), "fanova");
/// assert!(hpo_importance::evaluator_from_name("shap", None).is_err());
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub fn evaluator_from_name(name: &str, seed: Option<u64>) -> Result<Arc<dyn ImportanceEvaluator>> {
    let key = name.trim().to_ascii_lowercase();
    let seed = seed.unwrap_or(crate::forest::DEFAULT_SEED);
    Ok(match key.as_str() {
        "ped-anova" | "pedanova" | "pedanovaimportanceevaluator" => {
            Arc::new(PedAnovaEvaluator::new())
        }
        "fanova" | "fanovaimportanceevaluator" => Arc::new(FanovaEvaluator::new().seed(seed)),
        "mdi" | "mean-decrease-impurity" | "meandecreaseimpurityimportanceevaluator" => {
            Arc::new(MeanDecreaseImpurityEvaluator::new().seed(seed))
        }
        _ => {
            return Err(Error::InvalidArgument(format!(
                "unknown importance evaluator `{name}`; expected one of: {}",
                EVALUATOR_NAMES.join(", ")
            )));
        }
    })
}

/// The scalar each trial is judged by: `target` when given, else the single objective value.
/// `None` for a trial whose scalar is missing or not finite (Optuna skips such trials).
pub(crate) fn scalar_target(trial: &FrozenTrial, target: Option<&Target>) -> Option<f64> {
    let v = match target {
        Some(f) => f(trial),
        None => trial.values.as_deref()?.first().copied()?,
    };
    v.is_finite().then_some(v)
}

/// The study's first direction; an error when it has none.
pub(crate) fn first_direction(directions: &[StudyDirection]) -> Result<StudyDirection> {
    directions.first().copied().ok_or_else(|| {
        Error::InvalidArgument(
            "importance evaluation needs at least one study direction".to_owned(),
        )
    })
}

/// The error fANOVA and MDI give on a multi-objective study without a `target`.
pub(crate) fn needs_target(directions: &[StudyDirection], evaluator: &str) -> Result<()> {
    first_direction(directions)?;
    if directions.len() > 1 {
        return Err(Error::InvalidArgument(format!(
            "the {evaluator} importance evaluator needs a `target` on a multi-objective study \
             ({} objectives); pass one, for example \
             `ImportanceOptions::new().target(|t| t.values.as_ref().map_or(f64::NAN, |v| v[0]))` \
             for the first objective (PED-ANOVA alone works without one)",
            directions.len()
        )));
    }
    Ok(())
}

/// Zero importance for every param of `space`.
pub(crate) fn zeros(space: &ParamSpace) -> IndexMap<String, f64> {
    space.keys().map(|k| (k.clone(), 0.0)).collect()
}
