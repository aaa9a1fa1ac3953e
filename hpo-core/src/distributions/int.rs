//! `IntDistribution`: an integer range, optionally log-scaled or stepped.

use crate::error::DistributionError;

/// An integer range `[low, high]`, optionally on a log scale or on a grid of `step`
/// (Optuna's `IntDistribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntDistribution {
    /// Lower bound (inclusive).
    pub low: i64,
    /// Upper bound (inclusive), already lowered onto the step grid.
    pub high: i64,
    /// Sample on a log scale.
    pub log: bool,
    /// Grid spacing, counted from `low` (1 for a plain int range).
    pub step: i64,
}

impl IntDistribution {
    /// Checks the arguments as Optuna does and lowers `high` onto the step grid, logging a
    /// warning when it moves.
    pub fn new(low: i64, high: i64, log: bool, step: i64) -> Result<Self, DistributionError> {
        if log && step != 1 {
            return Err(DistributionError::LogWithStep {
                step: step.to_string(),
            });
        }
        if step <= 0 {
            return Err(DistributionError::NonPositiveStep {
                step: step.to_string(),
            });
        }
        if low > high {
            return Err(DistributionError::LowAboveHigh {
                low: low.to_string(),
                high: high.to_string(),
            });
        }
        if log && low < 1 {
            return Err(DistributionError::LogNeedsPositiveLow {
                low: low.to_string(),
            });
        }
        let span = (high as i128 - low as i128) / step as i128 * step as i128;
        let adjusted = (low as i128 + span) as i64;
        if adjusted != high {
            crate::log_warn!(
                "the range of a stepped int is not divisible by step={step}; high={high} is \
                 replaced by {adjusted}"
            );
        }
        Ok(IntDistribution {
            low,
            high: adjusted,
            log,
            step,
        })
    }

    /// Whether the range holds a single value.
    pub fn single(&self) -> bool {
        self.low == self.high
    }

    /// Whether the internal value `x` is an integer in the range, on the grid.
    pub fn contains(&self, x: f64) -> bool {
        if x.is_nan() || x.fract() != 0.0 {
            return false;
        }
        let v = x as i128;
        v >= self.low as i128
            && v <= self.high as i128
            && (v - self.low as i128) % self.step as i128 == 0
    }

    /// Number of grid points.
    pub fn len(&self) -> u64 {
        ((self.high as i128 - self.low as i128) / self.step as i128 + 1) as u64
    }

    /// Never empty: a valid range holds at least `low`.
    pub fn is_empty(&self) -> bool {
        false
    }
}
