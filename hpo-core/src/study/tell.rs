//! Finishing trials: `tell` and its variants, shared by ask-and-tell and `optimize`.

use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::samplers::TrialEnd;
use crate::study::log::log_finished;
use crate::study::{ObjectiveValue, Study};
use crate::trial::{FrozenTrial, Trial, TrialState};

impl Study {
    /// Finishes an asked trial with its objective value(s): Complete, or Fail (with a warning and
    /// the reason stored) when a value is NaN or the count does not match the objectives.
    pub fn tell(&self, trial: Trial, values: impl ObjectiveValue) -> Result<Arc<FrozenTrial>> {
        self.finish(
            trial.frozen(),
            Some(TrialState::Complete),
            Some(values.into_values()),
            None,
        )
    }

    /// Finishes an asked trial as Pruned; its last reported value becomes its value.
    pub fn tell_pruned(&self, trial: Trial) -> Result<Arc<FrozenTrial>> {
        self.finish(trial.frozen(), Some(TrialState::Pruned), None, None)
    }

    /// Finishes an asked trial as Fail, storing `reason` as its `fail_reason` system attribute.
    pub fn tell_failed(&self, trial: Trial, reason: &str) -> Result<Arc<FrozenTrial>> {
        self.finish(trial.frozen(), Some(TrialState::Fail), None, Some(reason))
    }

    /// Optuna's general `tell(number, values, state, skip_if_finished)`, by trial number (for
    /// trials asked in another process, e.g. through the CLI). `state = None` means Complete when
    /// values are given. Telling a finished trial is an error unless `skip_if_finished`, which
    /// returns it unchanged.
    pub fn tell_number(
        &self,
        number: u64,
        state: Option<TrialState>,
        values: Option<Vec<f64>>,
        skip_if_finished: bool,
    ) -> Result<Arc<FrozenTrial>> {
        let storage = self.storage();
        let id = storage.get_trial_id_from_study_id_trial_number(self.study_id(), number)?;
        let frozen = storage.get_trial(id)?;
        if frozen.state.is_finished() {
            if skip_if_finished {
                crate::log_info!(
                    "trial {number} is already finished with {}; skipped",
                    frozen.state
                );
                return Ok(frozen);
            }
            return Err(Error::TrialFinished {
                number,
                state: frozen.state,
            });
        }
        if frozen.state == TrialState::Waiting {
            return Err(Error::InvalidArgument(format!(
                "trial {number} is Waiting; ask for it before telling its result"
            )));
        }
        self.finish(&frozen, state, values, None)
    }

    /// The one place where a trial ends: checks state and values as Optuna's `_tell` does, calls
    /// the sampler's `after_trial`, stores the outcome and logs it.
    pub(crate) fn finish(
        &self,
        trial: &FrozenTrial,
        state: Option<TrialState>,
        values: Option<Vec<f64>>,
        fail_reason: Option<&str>,
    ) -> Result<Arc<FrozenTrial>> {
        let n_objectives = self.directions().len();
        let mut reason = fail_reason.map(str::to_owned);
        let (state, values) = match (state, values) {
            (None | Some(TrialState::Complete), Some(values)) => {
                if values.len() != n_objectives {
                    let msg = format!(
                        "the number of the values {} did not match the number of the objectives \
                         {n_objectives}",
                        values.len()
                    );
                    reason = Some(msg);
                    (TrialState::Fail, None)
                } else if values.iter().any(|v| v.is_nan()) {
                    reason = Some("the objective function returned nan".to_owned());
                    (TrialState::Fail, None)
                } else {
                    (TrialState::Complete, Some(values))
                }
            }
            (None | Some(TrialState::Complete), None) => {
                return Err(Error::InvalidArgument(format!(
                    "telling trial {} Complete needs values",
                    trial.number
                )));
            }
            (Some(TrialState::Pruned), None) => {
                let last = if n_objectives == 1 {
                    trial
                        .last_step()
                        .map(|(_, v)| v)
                        .filter(|v| !v.is_nan())
                        .map(|v| vec![v])
                } else {
                    None
                };
                (TrialState::Pruned, last)
            }
            (Some(TrialState::Fail), None) => (TrialState::Fail, None),
            (Some(s @ (TrialState::Pruned | TrialState::Fail)), Some(_)) => {
                return Err(Error::InvalidArgument(format!(
                    "a {s} trial takes no values"
                )));
            }
            (Some(s), _) => {
                return Err(Error::InvalidArgument(format!(
                    "a trial can only be told Complete, Pruned or Fail, not {s}"
                )));
            }
        };
        let storage = self.storage();
        if let Some(r) = &reason {
            storage.set_trial_system_attr(
                trial.trial_id,
                "fail_reason",
                Value::from(r.as_str()),
            )?;
        }
        let end = TrialEnd {
            state,
            values: values.as_deref(),
        };
        self.sampler().after_trial(self, trial, end)?;
        storage.set_trial_state_values(trial.trial_id, state, values.as_deref())?;
        let finished = storage.get_trial(trial.trial_id)?;
        log_finished(self, &finished, reason.as_deref());
        Ok(finished)
    }
}
