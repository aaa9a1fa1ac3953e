//! `ThresholdPruner`: prune when the latest value leaves a fixed band.

use hpo_core::error::invalid_setting;
use hpo_core::{Error, FrozenTrial, Pruner, Result, Study};

use hpo_core::pruners::interval::step_to_check;

/// Prunes when the latest intermediate value is NaN, below `lower` or above `upper`
/// (Optuna's `ThresholdPruner`), after the warmup and once per interval.
#[derive(Debug, Clone)]
pub struct ThresholdPruner {
    lower: f64,
    upper: f64,
    n_warmup_steps: u64,
    interval_steps: u64,
}

impl ThresholdPruner {
    /// A band `[lower, upper]`; at least one bound is needed, `None` means unbounded.
    pub fn new(lower: Option<f64>, upper: Option<f64>) -> Result<Self> {
        if lower.is_none() && upper.is_none() {
            return Err(Error::InvalidArgument(
                "either `lower` or `upper` must be given".into(),
            ));
        }
        for (name, v) in [("lower", lower), ("upper", upper)] {
            if v.is_some_and(f64::is_nan) {
                return Err(Error::InvalidArgument(format!("`{name}` must not be NaN")));
            }
        }
        let (lower, upper) = (
            lower.unwrap_or(f64::NEG_INFINITY),
            upper.unwrap_or(f64::INFINITY),
        );
        if lower > upper {
            return Err(Error::InvalidArgument(format!(
                "`lower` must be <= `upper`, got lower={lower}, upper={upper}"
            )));
        }
        Ok(ThresholdPruner {
            lower,
            upper,
            n_warmup_steps: 0,
            interval_steps: 1,
        })
    }

    /// Prune values below `lower`.
    pub fn lower(lower: f64) -> Result<Self> {
        Self::new(Some(lower), None)
    }

    /// Prune values above `upper`.
    pub fn upper(upper: f64) -> Result<Self> {
        Self::new(None, Some(upper))
    }

    hpo_core::setters! {
        /// No pruning before step `n` (default 0).
        pub fn n_warmup_steps(n: u64) => self.n_warmup_steps;

        /// Check once per `n` steps after the warmup (default 1; must be >= 1).
        pub fn interval_steps(n: u64) => self.interval_steps;
    }
}

impl Pruner for ThresholdPruner {
    fn validate(&self) -> Result<()> {
        if self.interval_steps < 1 {
            return Err(invalid_setting(
                "ThresholdPruner",
                "interval_steps",
                "must be at least 1",
                self.interval_steps,
            ));
        }
        Ok(())
    }

    fn prune(&self, _study: &Study, trial: &FrozenTrial) -> Result<bool> {
        self.validate()?;
        let Some((_, latest)) = step_to_check(trial, self.n_warmup_steps, self.interval_steps)
        else {
            return Ok(false);
        };
        Ok(latest.is_nan() || latest < self.lower || latest > self.upper)
    }
}
