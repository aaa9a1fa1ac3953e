//! Callbacks run after every finished trial of `optimize`.

use crate::study::Study;
use crate::trial::{FrozenTrial, TrialState};

/// Called by `optimize` after each trial finishes, with the study and the finished trial.
/// Any `Fn(&Study, &FrozenTrial) + Send + Sync` closure is a callback.
pub trait Callback: Send + Sync {
    /// Reacts to a finished trial (call `study.stop()` to end the loop).
    fn call(&self, study: &Study, trial: &FrozenTrial);
}

impl<F: Fn(&Study, &FrozenTrial) + Send + Sync> Callback for F {
    fn call(&self, study: &Study, trial: &FrozenTrial) {
        self(study, trial)
    }
}

/// Stops the study once it holds `n_trials` trials in `states` (Optuna's `MaxTrialsCallback`;
/// by default only Complete trials count). Useful when several processes share one study.
#[derive(Debug, Clone)]
pub struct MaxTrialsCallback {
    n_trials: usize,
    states: Vec<TrialState>,
}

impl MaxTrialsCallback {
    /// Stop at `n_trials` Complete trials.
    pub fn new(n_trials: usize) -> Self {
        MaxTrialsCallback {
            n_trials,
            states: vec![TrialState::Complete],
        }
    }

    /// Count trials in these states instead.
    pub fn states(mut self, states: &[TrialState]) -> Self {
        self.states = states.to_vec();
        self
    }
}

impl Callback for MaxTrialsCallback {
    fn call(&self, study: &Study, _trial: &FrozenTrial) {
        let n = study
            .storage()
            .get_n_trials(study.study_id(), Some(&self.states));
        if n.is_ok_and(|n| n >= self.n_trials) {
            study.stop();
        }
    }
}
