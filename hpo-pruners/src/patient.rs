//! `PatientPruner`: wait `patience` steps without improvement before asking another pruner.

use hpo_core::{Error, FrozenTrial, Pruner, Result, Study, StudyDirection};

use hpo_core::math::stats::{nanmax, nanmin};

/// Prunes only after the trial's value has not improved (by more than `min_delta`) for
/// `patience` steps; then defers to the wrapped pruner, or prunes when there is none
/// (Optuna's `PatientPruner`).
#[derive(Debug)]
pub struct PatientPruner {
    wrapped: Option<Box<dyn Pruner>>,
    patience: usize,
    min_delta: f64,
}

impl PatientPruner {
    /// Wraps `wrapped` (or nothing) with a patience in steps and a minimum improvement (>= 0).
    pub fn new(wrapped: Option<Box<dyn Pruner>>, patience: usize, min_delta: f64) -> Result<Self> {
        if min_delta.is_nan() || min_delta < 0.0 {
            return Err(Error::InvalidArgument(format!(
                "`min_delta` must be >= 0, got {min_delta}"
            )));
        }
        Ok(PatientPruner {
            wrapped,
            patience,
            min_delta,
        })
    }
}

impl Pruner for PatientPruner {
    fn validate(&self) -> Result<()> {
        match &self.wrapped {
            Some(inner) => inner.validate(),
            None => Ok(()),
        }
    }

    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool> {
        if trial.last_step().is_none() {
            return Ok(false);
        }
        let steps: Vec<u64> = trial.intermediate_values.keys().copied().collect();
        if steps.len() <= self.patience + 1 {
            return Ok(false);
        }
        let split = steps.len() - self.patience - 1;
        let value = |s: &u64| trial.intermediate_values[s];
        let before = steps[..split].iter().map(value);
        let after = steps[split..].iter().map(value);
        let maybe_prune = match study.direction()? {
            StudyDirection::Minimize => nanmin(before) + self.min_delta < nanmin(after),
            StudyDirection::Maximize => nanmax(before) - self.min_delta > nanmax(after),
        };
        if !maybe_prune {
            return Ok(false);
        }
        match &self.wrapped {
            Some(p) => p.prune(study, trial),
            None => Ok(true),
        }
    }
}
