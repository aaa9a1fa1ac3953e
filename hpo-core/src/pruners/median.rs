//! `MedianPruner`: the default pruner of a study.

use crate::{FrozenTrial, Pruner, Result, Study};

use super::PercentilePruner;

/// Prunes a trial whose best intermediate value is worse than the median of the completed
/// trials' values at the same step (Optuna's `MedianPruner`, `PercentilePruner(50)`).
///
/// Defaults: 5 startup trials, no warmup, checks every step, at least 1 value at the step.
///
/// ```
/// use hpo_core::pruners::MedianPruner;
/// let pruner = MedianPruner::new().n_startup_trials(5).n_warmup_steps(5);
/// # let _ = pruner;
/// ```
#[derive(Debug, Clone)]
pub struct MedianPruner(PercentilePruner);

impl MedianPruner {
    /// Optuna's defaults.
    pub fn new() -> Self {
        MedianPruner(PercentilePruner::new(50.0).expect("50 is a valid percentile"))
    }

    /// No pruning until this many trials have completed (default 5).
    pub fn n_startup_trials(self, n: usize) -> Self {
        MedianPruner(self.0.n_startup_trials(n))
    }

    /// No pruning before step `n` (default 0).
    pub fn n_warmup_steps(self, n: u64) -> Self {
        MedianPruner(self.0.n_warmup_steps(n))
    }

    /// Check once per `n` steps after the warmup (default 1; must be >= 1, checked by
    /// [`validate`](Pruner::validate) when the study is built).
    pub fn interval_steps(self, n: u64) -> Self {
        MedianPruner(self.0.interval_steps(n))
    }

    /// No pruning unless at least `n` completed trials reported the current step (default 1;
    /// must be >= 1).
    pub fn n_min_trials(self, n: usize) -> Self {
        MedianPruner(self.0.n_min_trials(n))
    }
}

impl Default for MedianPruner {
    fn default() -> Self {
        MedianPruner::new()
    }
}

impl Pruner for MedianPruner {
    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool> {
        self.validate()?;
        self.0.prune(study, trial)
    }

    fn validate(&self) -> Result<()> {
        self.0.check("MedianPruner")
    }
}
