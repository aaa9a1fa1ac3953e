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
