//! `CategoricalDistribution`: a choice among listed values.

use std::sync::Arc;

use crate::error::DistributionError;
use crate::param::ParamValue;

/// A choice among `choices` (Optuna's `CategoricalDistribution`). The internal representation of
/// a choice is its index, as `f64`.
///
/// Choices live behind an `Arc`, so recording the distribution with every trial is cheap.
#[derive(Debug, Clone)]
pub struct CategoricalDistribution {
    choices: Arc<[ParamValue]>,
}

impl CategoricalDistribution {
    /// A distribution over `choices`; they must not be empty.
    pub fn new(choices: impl Into<Vec<ParamValue>>) -> Result<Self, DistributionError> {
        let choices: Vec<ParamValue> = choices.into();
        if choices.is_empty() {
            return Err(DistributionError::EmptyChoices);
        }
        Ok(CategoricalDistribution {
            choices: choices.into(),
        })
    }

    /// The choices, in order.
    pub fn choices(&self) -> &[ParamValue] {
        &self.choices
    }

    /// Whether there is exactly one choice.
    pub fn single(&self) -> bool {
        self.choices.len() == 1
    }

    /// Whether the internal value `x` is a valid index.
    pub fn contains(&self, x: f64) -> bool {
        x.fract() == 0.0 && x >= 0.0 && (x as usize) < self.choices.len()
    }

    /// Index of `value` among the choices: an exact match first, then a numeric match between
    /// ints and floats (`1` matches `1.0`), as Python's `==` would.
    pub fn index_of(&self, value: &ParamValue) -> Option<usize> {
        if let Some(i) = self.choices.iter().position(|c| c.same_as(value)) {
            return Some(i);
        }
        let numeric = |v: &ParamValue| match v {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            _ => None,
        };
        let x = numeric(value)?;
        self.choices.iter().position(|c| numeric(c) == Some(x))
    }
}

impl PartialEq for CategoricalDistribution {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.choices, &other.choices)
            || (self.choices.len() == other.choices.len()
                && self
                    .choices
                    .iter()
                    .zip(other.choices.iter())
                    .all(|(a, b)| a.same_as(b)))
    }
}
