//! `FrozenTrial`: the immutable record of a trial.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde_json::Value;

use crate::distributions::Distribution;
use crate::error::{DistributionError, Error, Result};
use crate::param::ParamValue;
use crate::trial::TrialState;

/// User or system attributes: JSON values by key.
pub type Attrs = BTreeMap<String, Value>;

/// One recorded parameter: its external value, its internal `f64`, and its distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The value as the user sees it.
    pub value: ParamValue,
    /// The internal representation samplers and storages use (a categorical's index).
    pub internal: f64,
    /// The distribution the value was drawn from.
    pub distribution: Distribution,
}

impl Param {
    /// A parameter from its internal value (the external value is derived).
    pub fn from_internal(internal: f64, distribution: Distribution) -> Param {
        Param {
            value: distribution.to_external(internal),
            internal,
            distribution,
        }
    }

    /// [`Param::from_internal`] for an internal value read from outside (a storage record): a
    /// categorical's internal value must be one of its choice indices, or it is an error (where
    /// `from_internal` would panic).
    pub fn try_from_internal(
        internal: f64,
        distribution: Distribution,
    ) -> Result<Param, DistributionError> {
        if let Distribution::Categorical(d) = &distribution
            && !d.contains(internal)
        {
            return Err(DistributionError::InvalidValue {
                value: crate::json::python_float(internal),
                distribution: distribution.to_string(),
                reason: format!(
                    "a categorical's internal value is a choice index, from 0 to {}",
                    d.choices().len() - 1
                ),
            });
        }
        Ok(Param::from_internal(internal, distribution))
    }
}

/// The record of a trial, as storages keep it and samplers, pruners and callbacks read it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenTrial {
    /// Number within the study, from 0, in creation order.
    pub number: u64,
    /// Storage-wide id.
    pub trial_id: i64,
    /// Current state.
    pub state: TrialState,
    /// Objective values (one per direction) once Complete; the last intermediate value of a
    /// Pruned trial; `None` otherwise.
    pub values: Option<Vec<f64>>,
    /// When a worker started it (`None` while Waiting).
    pub datetime_start: Option<DateTime<Utc>>,
    /// When it finished.
    pub datetime_complete: Option<DateTime<Utc>>,
    /// Parameters in the order they were suggested.
    pub params: IndexMap<String, Param>,
    /// User attributes.
    pub user_attrs: Attrs,
    /// System attributes (`fixed_params`, `constraints:<key>`, sampler state, ...).
    pub system_attrs: Attrs,
    /// Values reported with `Trial::report`, by step.
    pub intermediate_values: BTreeMap<u64, f64>,
}

impl FrozenTrial {
    /// A fresh record in `state` with no number (storages assign it), for
    /// [`Study::add_trial`](crate::Study::add_trial) and storage templates. Chain the `with_*`
    /// methods to fill it.
    pub fn new(state: TrialState) -> FrozenTrial {
        FrozenTrial {
            number: 0,
            trial_id: -1,
            state,
            values: None,
            datetime_start: None,
            datetime_complete: None,
            params: IndexMap::new(),
            user_attrs: Attrs::new(),
            system_attrs: Attrs::new(),
            intermediate_values: BTreeMap::new(),
        }
    }

    /// Sets a single objective value.
    pub fn with_value(mut self, value: f64) -> Self {
        self.values = Some(vec![value]);
        self
    }

    /// Sets all objective values.
    pub fn with_values(mut self, values: impl Into<Vec<f64>>) -> Self {
        self.values = Some(values.into());
        self
    }

    /// Adds a parameter from its external value; errors name the parameter when the value does
    /// not fit the distribution.
    pub fn with_param(
        mut self,
        name: &str,
        value: impl Into<ParamValue>,
        distribution: Distribution,
    ) -> Result<Self> {
        let value = value.into();
        let internal = distribution
            .to_internal(&value)
            .map_err(|e| Error::param(name, e))?;
        if !distribution.contains(internal) {
            return Err(Error::param(
                name,
                crate::error::DistributionError::InvalidValue {
                    value: value.python_repr(),
                    distribution: distribution.to_string(),
                    reason: "it lies outside the distribution".into(),
                },
            ));
        }
        let param = Param {
            value: distribution.to_external(internal),
            internal,
            distribution,
        };
        self.params.insert(name.to_owned(), param);
        Ok(self)
    }

    /// Adds a user attribute.
    pub fn with_user_attr(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.user_attrs.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a system attribute.
    pub fn with_system_attr(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.system_attrs.insert(key.to_owned(), value.into());
        self
    }

    /// Adds an intermediate value.
    pub fn with_intermediate_value(mut self, step: u64, value: f64) -> Self {
        self.intermediate_values.insert(step, value);
        self
    }

    /// Sets the start and completion times.
    pub fn with_datetimes(
        mut self,
        start: Option<DateTime<Utc>>,
        complete: Option<DateTime<Utc>>,
    ) -> Self {
        self.datetime_start = start;
        self.datetime_complete = complete;
        self
    }

    /// The objective value of a single-objective trial (`None` when there is no value or there
    /// are several).
    pub fn value(&self) -> Option<f64> {
        match self.values.as_deref() {
            Some([v]) => Some(*v),
            _ => None,
        }
    }

    /// The external value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.params.get(name).map(|p| &p.value)
    }

    /// The internal `f64` of parameter `name`.
    pub fn internal_param(&self, name: &str) -> Option<f64> {
        self.params.get(name).map(|p| p.internal)
    }

    /// The distribution of parameter `name`.
    pub fn distribution(&self, name: &str) -> Option<&Distribution> {
        self.params.get(name).map(|p| &p.distribution)
    }

    /// Parameters by name, as external values (Optuna's `trial.params`).
    pub fn params_map(&self) -> IndexMap<String, ParamValue> {
        self.params
            .iter()
            .map(|(k, p)| (k.clone(), p.value.clone()))
            .collect()
    }

    /// Distributions by name (Optuna's `trial.distributions`).
    pub fn distributions(&self) -> IndexMap<String, Distribution> {
        self.params
            .iter()
            .map(|(k, p)| (k.clone(), p.distribution.clone()))
            .collect()
    }

    /// Time from start to completion.
    pub fn duration(&self) -> Option<chrono::Duration> {
        Some(self.datetime_complete? - self.datetime_start?)
    }

    /// The last reported step and its value.
    pub fn last_step(&self) -> Option<(u64, f64)> {
        self.intermediate_values
            .iter()
            .next_back()
            .map(|(s, v)| (*s, *v))
    }

    /// Constraint values (a value > 0 is a violation): the legacy `constraints` list followed by
    /// the 5.0-style `constraints:<key>` attributes in key order, as Optuna merges them.
    pub fn constraints(&self) -> Vec<f64> {
        let mut out = Vec::new();
        if let Some(Value::Array(list)) = self.system_attrs.get("constraints") {
            out.extend(list.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)));
        }
        for (k, v) in &self.system_attrs {
            if k.starts_with("constraints:") {
                out.push(v.as_f64().unwrap_or(f64::NAN));
            }
        }
        out
    }

    /// Whether the trial has any constraint value.
    pub fn has_constraints(&self) -> bool {
        self.system_attrs.contains_key("constraints")
            || self
                .system_attrs
                .keys()
                .any(|k| k.starts_with("constraints:"))
    }

    /// Whether every constraint value is `<= 0` (true when there are none).
    pub fn is_feasible(&self) -> bool {
        self.constraints().iter().all(|c| *c <= 0.0)
    }
}

/// Every parameter name used by `trials`, in the order the trials first used them. Trials of one
/// search space repeat the same names in the same order, so a trial whose names match the
/// previous trial's is passed over without hashing: one pass over 100 000 trials costs about a
/// millisecond.
pub fn param_names<'a>(trials: impl IntoIterator<Item = &'a FrozenTrial>) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut previous: Option<&FrozenTrial> = None;
    for t in trials {
        let same = previous.is_some_and(|p| {
            p.params.len() == t.params.len() && p.params.keys().eq(t.params.keys())
        });
        if !same {
            for k in t.params.keys() {
                if seen.insert(k.as_str()) {
                    names.push(k.as_str());
                }
            }
        }
        previous = Some(t);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_names_keep_first_use_order_across_spaces() {
        let f = crate::Distribution::float(0.0, 1.0).unwrap();
        let t = |names: &[&str]| {
            names
                .iter()
                .fold(FrozenTrial::new(TrialState::Complete), |t, n| {
                    t.with_param(n, 0.5, f.clone()).unwrap()
                })
        };
        let trials = [
            t(&["b", "a"]),
            t(&["b", "a"]),
            t(&["c"]),
            t(&["a", "d"]),
            t(&[]),
        ];
        assert_eq!(param_names(&trials), ["b", "a", "c", "d"]);
        assert!(param_names(&[]).is_empty());
    }
}
