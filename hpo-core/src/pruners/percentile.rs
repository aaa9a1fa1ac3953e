//! `PercentilePruner`: prune a trial whose best value so far is in the worst part of the
//! completed trials' values at the same step.

use crate::{Error, FrozenTrial, Pruner, Result, Study, StudyDirection, TrialState};

use super::interval::step_to_check;
use crate::error::invalid_setting;
use crate::math::stats::{nanmax, nanmin, nanpercentile};

/// Keeps the trials whose best intermediate value so far lies in the best `percentile` of the
/// completed trials' values at the same step (Optuna's `PercentilePruner`).
///
/// Defaults: 5 startup trials, no warmup, checks every step, at least 1 value at the step.
#[derive(Debug, Clone)]
pub struct PercentilePruner {
    percentile: f64,
    n_startup_trials: usize,
    n_warmup_steps: u64,
    interval_steps: u64,
    n_min_trials: usize,
}

impl PercentilePruner {
    /// A pruner keeping the top `percentile` (0..=100) of trials.
    pub fn new(percentile: f64) -> Result<Self> {
        if !(0.0..=100.0).contains(&percentile) {
            return Err(Error::InvalidArgument(format!(
                "`percentile` must be between 0 and 100 inclusive, got {percentile}"
            )));
        }
        Ok(PercentilePruner {
            percentile,
            n_startup_trials: 5,
            n_warmup_steps: 0,
            interval_steps: 1,
            n_min_trials: 1,
        })
    }

    crate::setters! {
        /// No pruning until this many trials have completed (default 5).
        pub fn n_startup_trials(n: usize) => self.n_startup_trials;

        /// No pruning before step `n` (default 0).
        pub fn n_warmup_steps(n: u64) => self.n_warmup_steps;

        /// Check once per `n` steps after the warmup (default 1; must be >= 1).
        pub fn interval_steps(n: u64) => self.interval_steps;

        /// No pruning unless at least `n` completed trials reported the current step (default 1;
        /// must be >= 1).
        pub fn n_min_trials(n: usize) => self.n_min_trials;
    }
}

impl PercentilePruner {
    /// The settings' checks, with the pruner's name as the user wrote it.
    pub(crate) fn check(&self, pruner: &str) -> Result<()> {
        if self.interval_steps < 1 {
            return Err(invalid_setting(
                pruner,
                "interval_steps",
                "must be at least 1",
                self.interval_steps,
            ));
        }
        if self.n_min_trials < 1 {
            return Err(invalid_setting(
                pruner,
                "n_min_trials",
                "must be at least 1",
                self.n_min_trials,
            ));
        }
        Ok(())
    }
}

impl Pruner for PercentilePruner {
    fn validate(&self) -> Result<()> {
        self.check("PercentilePruner")
    }

    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool> {
        self.validate()?;
        let completed = study.trials_in(&[TrialState::Complete])?;
        if completed.is_empty() || completed.len() < self.n_startup_trials {
            return Ok(false);
        }
        let Some((step, _)) = step_to_check(trial, self.n_warmup_steps, self.interval_steps) else {
            return Ok(false);
        };
        let direction = study.direction()?;
        let own = trial.intermediate_values.values().copied();
        let best = match direction {
            StudyDirection::Maximize => nanmax(own),
            StudyDirection::Minimize => nanmin(own),
        };
        if best.is_nan() {
            return Ok(true);
        }
        let at_step: Vec<f64> = completed
            .iter()
            .filter_map(|t| t.intermediate_values.get(&step).copied())
            .collect();
        if at_step.len() < self.n_min_trials {
            return Ok(false);
        }
        let q = match direction {
            StudyDirection::Maximize => 100.0 - self.percentile,
            StudyDirection::Minimize => self.percentile,
        };
        let p = nanpercentile(&at_step, q);
        if p.is_nan() {
            return Ok(false);
        }
        Ok(match direction {
            StudyDirection::Maximize => best < p,
            StudyDirection::Minimize => best > p,
        })
    }
}
