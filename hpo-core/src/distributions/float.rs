//! `FloatDistribution`: a float range, optionally log-scaled or stepped.

use crate::decimal::{adjust_high_to_step, range_below_step};
use crate::error::DistributionError;
use crate::json::python_float;

/// A float range `[low, high]`, optionally on a log scale or on a grid of `step`
/// (Optuna's `FloatDistribution`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatDistribution {
    /// Lower bound (inclusive).
    pub low: f64,
    /// Upper bound (inclusive), already lowered onto the step grid when `step` is set.
    pub high: f64,
    /// Sample on a log scale.
    pub log: bool,
    /// Grid spacing, counted from `low`.
    pub step: Option<f64>,
}

impl FloatDistribution {
    /// Checks the arguments as Optuna does and lowers `high` onto the step grid (exactly, in
    /// decimal), logging a warning when it moves.
    pub fn new(
        low: f64,
        high: f64,
        log: bool,
        step: Option<f64>,
    ) -> Result<Self, DistributionError> {
        if !low.is_finite() {
            return Err(DistributionError::NotFinite {
                bound: "low",
                value: low,
            });
        }
        if !high.is_finite() {
            return Err(DistributionError::NotFinite {
                bound: "high",
                value: high,
            });
        }
        if let Some(s) = step {
            if !s.is_finite() {
                return Err(DistributionError::NotFinite {
                    bound: "step",
                    value: s,
                });
            }
            if log {
                return Err(DistributionError::LogWithStep {
                    step: python_float(s),
                });
            }
            if s <= 0.0 {
                return Err(DistributionError::NonPositiveStep {
                    step: python_float(s),
                });
            }
        }
        if low > high {
            return Err(DistributionError::LowAboveHigh {
                low: python_float(low),
                high: python_float(high),
            });
        }
        if log && low <= 0.0 {
            return Err(DistributionError::LogNeedsPositiveLow {
                low: python_float(low),
            });
        }
        let mut high = high;
        if let Some(s) = step {
            let adjusted = adjust_high_to_step(low, high, s);
            if adjusted != high {
                crate::log_warn!(
                    "the range of a stepped float is not divisible by step={}; high={} is \
                     replaced by {}",
                    python_float(s),
                    python_float(high),
                    python_float(adjusted)
                );
                high = adjusted;
            }
        }
        Ok(FloatDistribution {
            low,
            high,
            log,
            step,
        })
    }

    /// Whether the range holds a single value.
    pub fn single(&self) -> bool {
        if self.low == self.high {
            return true;
        }
        match self.step {
            Some(s) => range_below_step(self.low, self.high, s),
            None => false,
        }
    }

    /// Whether `x` lies in the range (and on the grid when stepped, to within 1e-8 steps).
    pub fn contains(&self, x: f64) -> bool {
        if x.is_nan() || x < self.low || x > self.high {
            return false;
        }
        match self.step {
            Some(s) => {
                let k = (x - self.low) / s;
                (k - k.round()).abs() < 1e-8
            }
            None => true,
        }
    }

    /// Checks an external value and returns it as the internal `f64`.
    pub fn to_internal(&self, x: f64) -> Result<f64, DistributionError> {
        if x.is_nan() {
            return Err(self.bad(x, "NaN is not a valid value"));
        }
        if self.log && x <= 0.0 {
            return Err(self.bad(x, "a log-scale value must be > 0"));
        }
        Ok(x)
    }

    fn bad(&self, x: f64, reason: &str) -> DistributionError {
        DistributionError::InvalidValue {
            value: python_float(x),
            distribution: super::Distribution::Float(*self).to_string(),
            reason: reason.to_owned(),
        }
    }
}
