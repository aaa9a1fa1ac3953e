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
                None => state.space = Some(t.distributions()),
                Some(space) => {
                    space.retain(|name, dist| t.distribution(name) == Some(dist));
                }
            }
        }
        let mut out = state.space.clone().unwrap_or_default();
        out.sort_keys();
        Ok(out)
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
