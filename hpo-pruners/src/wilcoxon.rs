//! `WilcoxonPruner`: prune when a signed-rank test says the trial is worse than the best one.

use hpo_core::error::invalid_setting;
use hpo_core::{Error, FrozenTrial, Pruner, Result, Study, StudyDirection};

use crate::signed_rank::{Alternative, wilcoxon_pvalue};

/// Compares the trial's intermediate values with the best trial's at the steps both reported,
/// with a one-sided Wilcoxon signed-rank test, and prunes when the p-value is below
/// `p_threshold` (Optuna's `WilcoxonPruner`, for objectives that are averages over instances).
/// As in Optuna it never prunes a trial whose average is at least as good as the best trial's,
/// and it does not prune when either side has NaN or infinite values.
///
/// Defaults: `p_threshold` 0.1, 2 startup steps.
#[derive(Debug, Clone)]
pub struct WilcoxonPruner {
    p_threshold: f64,
    n_startup_steps: usize,
}

impl WilcoxonPruner {
    /// Optuna's defaults.
    pub fn new() -> Self {
        WilcoxonPruner {
            p_threshold: 0.1,
            n_startup_steps: 2,
        }
    }

    hpo_core::setters! {
        /// The p-value below which a trial is pruned (0..=1; default 0.1).
        pub fn p_threshold(p: f64) => self.p_threshold;

        /// No pruning before this many common steps (default 2; at least 2 are always needed).
        pub fn n_startup_steps(n: usize) => self.n_startup_steps;
    }
}

impl Default for WilcoxonPruner {
    fn default() -> Self {
        WilcoxonPruner::new()
    }
}

impl Pruner for WilcoxonPruner {
    fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.p_threshold) {
            return Err(invalid_setting(
                "WilcoxonPruner",
                "p_threshold",
                "must be between 0 and 1",
                self.p_threshold,
            ));
        }
        Ok(())
    }

    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool> {
        self.validate()?;
        if trial.intermediate_values.is_empty() {
            return Ok(false);
        }
        if trial.intermediate_values.values().any(|v| !v.is_finite()) {
            hpo_core::log_warn!(
                "the intermediate values of trial {} contain infinity/NaN; WilcoxonPruner will \
                 not prune it",
                trial.number
            );
            return Ok(false);
        }
        let best = match study.best_trial() {
            Ok(b) => b,
            Err(Error::NoCompletedTrials { .. } | Error::NoFeasibleTrials(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        if best.intermediate_values.is_empty() {
            hpo_core::log_warn!(
                "the best trial has no intermediate values, so WilcoxonPruner cannot prune trials"
            );
            return Ok(false);
        }
        if best.intermediate_values.values().any(|v| !v.is_finite()) {
            hpo_core::log_warn!(
                "the intermediate values of the best trial (trial {}) contain infinity/NaN; \
                 WilcoxonPruner will not prune trial {}",
                best.number,
                trial.number
            );
            return Ok(false);
        }
        let diffs: Vec<f64> = trial
            .intermediate_values
            .iter()
            .filter_map(|(s, v)| best.intermediate_values.get(s).map(|b| v - b))
            .collect();
        if diffs.len() < trial.intermediate_values.len() {
            hpo_core::log_warn!(
                "WilcoxonPruner ignores steps of trial {} that the best trial did not report",
                trial.number
            );
        }
        if diffs.len() < self.n_startup_steps.max(2) {
            return Ok(false);
        }
        let mean =
            |m: &std::collections::BTreeMap<u64, f64>| m.values().sum::<f64>() / m.len() as f64;
        let (best_mean, mean_here) = (
            mean(&best.intermediate_values),
            mean(&trial.intermediate_values),
        );
        let (alternative, average_is_best) = match study.direction()? {
            StudyDirection::Maximize => (Alternative::Less, best_mean <= mean_here),
            StudyDirection::Minimize => (Alternative::Greater, best_mean >= mean_here),
        };
        let p = wilcoxon_pvalue(&diffs, alternative);
        if p < self.p_threshold && average_is_best {
            return Ok(false);
        }
        Ok(p < self.p_threshold)
    }
}
