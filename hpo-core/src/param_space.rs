//! Search spaces: named distributions, and the intersection search space samplers build their
//! relative (multivariate) space from.

use indexmap::IndexMap;
use parking_lot::Mutex;

use crate::distributions::Distribution;
use crate::error::Result;
use crate::study::Study;
use crate::trial::TrialState;

/// Distributions by parameter name.
pub type ParamSpace = IndexMap<String, Distribution>;

/// Why [`param_space_from_json`] could not read a search space.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamSpaceJsonError {
    /// The text is not JSON; the parser's message.
    #[error("the search space is not valid JSON ({0})")]
    NotJson(String),
    /// The JSON is not an object; the value, as JSON.
    #[error(
        "a search space must be a JSON object mapping parameter names to distributions, got {0}"
    )]
    NotObject(String),
    /// One parameter's distribution could not be read.
    #[error("parameter `{name}` has a bad distribution {spec}: {reason}")]
    BadParam {
        /// The parameter's name.
        name: String,
        /// Its distribution as given, as JSON.
        spec: String,
        /// Why it is not a distribution.
        reason: String,
    },
}

/// Reads a search space written as a JSON object from parameter names to distributions, each in
/// Optuna's abbreviated form (`{"type": "float", "low": 0, "high": 1}`) or
/// `distribution_to_json`'s (see [`Distribution::from_json_value`]), keeping the object's order.
/// This is what `hpo ask --search-space` takes.
///
/// ```
/// use hpo_core::param_space::param_space_from_json;
/// let space = param_space_from_json(
///     r#"{"lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": true},
///         "opt": {"type": "categorical", "choices": ["adam", "sgd"]}}"#,
/// )?;
/// assert_eq!(space.keys().collect::<Vec<_>>(), ["lr", "opt"]);
/// # Ok::<(), hpo_core::param_space::ParamSpaceJsonError>(())
/// ```
pub fn param_space_from_json(text: &str) -> std::result::Result<ParamSpace, ParamSpaceJsonError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ParamSpaceJsonError::NotJson(e.to_string()))?;
    let serde_json::Value::Object(map) = value else {
        return Err(ParamSpaceJsonError::NotObject(value.to_string()));
    };
    let mut space = ParamSpace::new();
    for (name, spec) in &map {
        let dist = Distribution::from_json_value(spec).map_err(|e| {
            let reason = match e {
                crate::error::DistributionError::BadJson { reason, .. } => reason,
                other => other.to_string(),
            };
            ParamSpaceJsonError::BadParam {
                name: name.clone(),
                spec: spec.to_string(),
                reason,
            }
        })?;
        space.insert(name.clone(), dist);
    }
    Ok(space)
}

/// Optuna's `IntersectionSearchSpace`: the parameters that appear with identical distributions
/// in every finished trial (Complete, and Pruned with `include_pruned`), sorted by name.
///
/// It is computed incrementally: each call reads only the trials that finished since the last
/// call, through [`Storage::finished_trials_since`](crate::storage::Storage::finished_trials_since).
#[derive(Debug)]
pub struct IntersectionSearchSpace {
    include_pruned: bool,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    study_id: Option<i64>,
    cursor: usize,
    space: Option<ParamSpace>,
}

impl IntersectionSearchSpace {
    /// A new calculator; `include_pruned` counts Pruned trials as well as Complete ones.
    pub fn new(include_pruned: bool) -> Self {
        IntersectionSearchSpace {
            include_pruned,
            state: Mutex::new(State::default()),
        }
    }

    /// The intersection over the study's finished trials so far (empty before any).
    pub fn calculate(&self, study: &Study) -> Result<ParamSpace> {
        let mut state = self.state.lock();
        if state.study_id != Some(study.study_id()) {
            *state = State {
                study_id: Some(study.study_id()),
                ..State::default()
            };
        }
        let new = study
            .storage()
            .finished_trials_since(study.study_id(), state.cursor)?;
        state.cursor = new.cursor;
        for t in &new.trials {
            let counts = t.state == TrialState::Complete
                || (self.include_pruned && t.state == TrialState::Pruned);
            if !counts {
                continue;
            }
            match &mut state.space {
                None => {
                    // Sorted once: removing entries keeps the order.
                    let mut space = t.distributions();
                    space.sort_keys();
                    state.space = Some(space);
                }
                Some(space) => {
                    space.retain(|name, dist| t.distribution(name) == Some(dist));
                }
            }
        }
        Ok(state.space.clone().unwrap_or_default())
    }
}

/// Optuna's `_GroupDecomposedSearchSpace`: partitions the parameters of the finished trials
/// (Complete, and Pruned with `include_pruned`) into groups that always appear together, so a
/// multivariate sampler can model each group jointly even when the space is conditional.
/// Computed incrementally, like [`IntersectionSearchSpace`].
#[derive(Debug)]
pub struct GroupDecomposedSearchSpace {
    include_pruned: bool,
    state: Mutex<GroupState>,
}

#[derive(Debug, Default)]
struct GroupState {
    study_id: Option<i64>,
    cursor: usize,
    groups: Vec<ParamSpace>,
}

impl GroupDecomposedSearchSpace {
    /// A new calculator.
    pub fn new(include_pruned: bool) -> Self {
        GroupDecomposedSearchSpace {
            include_pruned,
            state: Mutex::new(GroupState::default()),
        }
    }

    /// Splits every group by whether it shares parameters with `distributions`, then adds the
    /// parameters no group had (Optuna's `_SearchSpaceGroup.add_distributions`).
    fn add(groups: &mut Vec<ParamSpace>, distributions: &ParamSpace) {
        let mut remaining: Vec<&String> = distributions.keys().collect();
        let mut next = Vec::with_capacity(groups.len() * 2 + 1);
        for g in groups.drain(..) {
            let (inside, outside): (ParamSpace, ParamSpace) = g
                .into_iter()
                .partition(|(k, _)| distributions.contains_key(k));
            remaining.retain(|k| !inside.contains_key(*k) && !outside.contains_key(*k));
            next.push(inside);
            next.push(outside);
        }
        next.push(
            remaining
                .into_iter()
                .map(|k| (k.clone(), distributions[k].clone()))
                .collect(),
        );
        next.retain(|g| !g.is_empty());
        *groups = next;
    }

    /// The groups over the study's finished trials so far.
    pub fn calculate(&self, study: &Study) -> Result<Vec<ParamSpace>> {
        let mut state = self.state.lock();
        if state.study_id != Some(study.study_id()) || study.is_filtered() {
            *state = GroupState {
                study_id: Some(study.study_id()),
                ..GroupState::default()
            };
        }
        let new = study.finished_trials_since(state.cursor)?;
        state.cursor = new.cursor;
        for t in &new.trials {
            let counts = t.state == TrialState::Complete
                || (self.include_pruned && t.state == TrialState::Pruned);
            if counts {
                Self::add(&mut state.groups, &t.distributions());
            }
        }
        Ok(state.groups.clone())
    }
}
