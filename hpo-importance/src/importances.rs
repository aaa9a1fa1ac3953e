//! `param_importances`: Optuna's `get_param_importances`.

use std::sync::Arc;

use hpo_core::{Error, FrozenTrial, ParamSpace, Result, Study, StudyDirection, TrialState};
use indexmap::IndexMap;

use crate::ImportanceOptions;

/// The importance of each parameter of `study`, as Optuna's `get_param_importances`: keys are
/// param names, sorted by importance, highest first (ties keep the order of the assessed space:
/// the `params` given, else param names in alphabetical order).
///
/// Only COMPLETE trials count, and of those only the ones whose value (or `target`) is finite.
/// Without [`params`](ImportanceOptions::params), fANOVA and MDI assess the params every
/// complete trial has with one distribution; PED-ANOVA assesses every param seen in a complete
/// trial, conditional ones included (Optuna 5.0). With `params`, each must appear in a
/// complete trial; fANOVA and MDI then use the trials that hold them all, and those must agree
/// on their distributions.
///
/// Errors: no completed trial ([`Error::NoCompletedTrials`]); a requested param that no
/// complete trial has, or a multi-objective study without a `target` for fANOVA or MDI, or an
/// invalid evaluator setting ([`Error::InvalidArgument`]).
///
/// ```
/// use hpo_core::{RandomSampler, Study};
/// use hpo_importance::{ImportanceOptions, param_importances};
///
/// let study = Study::builder().sampler(RandomSampler::with_seed(3)).build()?;
/// study.optimize(60, |trial| {
///     let x = trial.suggest_float("x", -1.0, 1.0)?;
///     let y = trial.suggest_float("y", -1.0, 1.0)?;
///     Ok(x * x + 0.001 * y)
/// })?;
/// let importances = param_importances(&study, &ImportanceOptions::new())?;
/// assert_eq!(importances.keys().next().map(String::as_str), Some("x"));
/// assert!((importances.values().sum::<f64>() - 1.0).abs() < 1e-12);
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub fn param_importances(
    study: &Study,
    options: &ImportanceOptions,
) -> Result<IndexMap<String, f64>> {
    let trials = study.trials()?;
    compute(&trials, study.directions(), options, study.name())
}

/// [`param_importances`] on trials and directions already at hand (for example read from a
/// storage, or filtered by the caller). Trials in other states than COMPLETE are ignored.
pub fn param_importances_of(
    trials: &[Arc<FrozenTrial>],
    directions: &[StudyDirection],
    options: &ImportanceOptions,
) -> Result<IndexMap<String, f64>> {
    compute(trials, directions, options, "(the trials given)")
}

fn compute(
    trials: &[Arc<FrozenTrial>],
    directions: &[StudyDirection],
    options: &ImportanceOptions,
    study_name: &str,
) -> Result<IndexMap<String, f64>> {
    let complete: Vec<Arc<FrozenTrial>> = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .cloned()
        .collect();
    if complete.is_empty() {
        return Err(Error::no_completed_trials(study_name));
    }
    let conditional = options.evaluator.handles_conditional_params();
    let (space, used) = match &options.params {
        Some(params) => requested_space(&complete, params, conditional)?,
        None if conditional => (union_space(&complete), complete),
        None => (intersection_space(&complete), complete),
    };
    if space.is_empty() {
        return Ok(IndexMap::new());
    }
    let raw = options
        .evaluator
        .evaluate(&used, directions, &space, options.target.as_ref())?;
    let mut out: Vec<(String, f64)> = raw.into_iter().collect();
    if options.normalize {
        let sum: f64 = out.iter().map(|(_, v)| v).sum();
        let n = out.len() as f64;
        for (_, v) in &mut out {
            *v = if sum == 0.0 { 1.0 / n } else { *v / sum };
        }
    }
    // A stable sort: ties keep the order of the space.
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(out.into_iter().collect())
}

/// The params present with one distribution in every complete trial, by name (Optuna's
/// `intersection_search_space`).
fn intersection_space(complete: &[Arc<FrozenTrial>]) -> ParamSpace {
    let mut space = complete[0].distributions();
    for t in &complete[1..] {
        space.retain(|name, dist| t.distribution(name) == Some(dist));
    }
    space.sort_keys();
    space
}

/// Every param seen in a complete trial, by name, with the first distribution seen.
fn union_space(complete: &[Arc<FrozenTrial>]) -> ParamSpace {
    let mut space = ParamSpace::new();
    for t in complete {
        for (name, p) in &t.params {
            if !space.contains_key(name) {
                space.insert(name.clone(), p.distribution.clone());
            }
        }
    }
    space.sort_keys();
    space
}

/// The space of the requested params and the trials to assess them on.
fn requested_space(
    complete: &[Arc<FrozenTrial>],
    params: &[String],
    conditional: bool,
) -> Result<(ParamSpace, Vec<Arc<FrozenTrial>>)> {
    let missing: Vec<String> = params
        .iter()
        .filter(|p| !complete.iter().any(|t| t.params.contains_key(p.as_str())))
        .map(|p| format!("`{p}`"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "cannot assess the importance of {}: no completed trial has {}",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        )));
    }
    if conditional {
        let mut space = ParamSpace::new();
        for p in params {
            if let Some(d) = complete.iter().find_map(|t| t.distribution(p)) {
                space.entry(p.clone()).or_insert_with(|| d.clone());
            }
        }
        return Ok((space, complete.to_vec()));
    }
    let used: Vec<Arc<FrozenTrial>> = complete
        .iter()
        .filter(|t| params.iter().all(|p| t.params.contains_key(p.as_str())))
        .cloned()
        .collect();
    let Some(first) = used.first() else {
        let names: Vec<String> = params.iter().map(|p| format!("`{p}`")).collect();
        return Err(Error::InvalidArgument(format!(
            "no completed trial has all of the params {} together",
            names.join(", ")
        )));
    };
    let mut space = ParamSpace::new();
    for p in params {
        let dist = first.distribution(p).cloned().expect("filtered on it");
        space.entry(p.clone()).or_insert(dist);
    }
    for t in &used[1..] {
        if let Some((name, _)) = space
            .iter()
            .find(|(name, dist)| t.distribution(name) != Some(*dist))
        {
            return Err(Error::InvalidArgument(format!(
                "param `{name}` has different distributions in the completed trials (a dynamic \
                 search space); importances cannot be assessed for the params given"
            )));
        }
    }
    Ok((space, used))
}
