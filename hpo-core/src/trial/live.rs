//! `Trial`: the live handle an objective receives.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::distributions::Distribution;
use crate::error::{Error, Result};
use crate::param::{Choice, ParamValue};
use crate::param_space::ParamSpace;
use crate::study::Study;
use crate::trial::{Attrs, FrozenTrial, Param};

/// A running trial: suggest parameters (define-by-run), report intermediate values, ask the
/// pruner, set attributes and constraints.
///
/// Every suggestion is written through to the storage at once, so nothing is lost if the
/// objective fails later. Suggesting a name twice returns the first value; suggesting it with an
/// incompatible distribution is an error naming the parameter and both distributions.
#[derive(Debug)]
pub struct Trial {
    study: Study,
    /// The study as the sampler sees it (filtered by the pruner, e.g. Hyperband's bracket).
    sampler_study: Study,
    frozen: FrozenTrial,
    relative: Option<Relative>,
    fixed: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug)]
struct Relative {
    space: ParamSpace,
    params: HashMap<String, f64>,
}

impl Trial {
    /// Wraps a Running trial record of `study` and tells the sampler it started.
    pub(crate) fn start(study: Study, frozen: FrozenTrial) -> Result<Trial> {
        let fixed = match frozen.system_attrs.get("fixed_params") {
            Some(Value::Object(map)) => Some(map.clone()),
            _ => None,
        };
        let sampler_study = match study.pruner().sampler_filter(&study, &frozen) {
            Some(filter) => study.filtered(filter),
            None => study.clone(),
        };
        study.sampler().before_trial(&sampler_study, &frozen)?;
        Ok(Trial {
            study,
            sampler_study,
            frozen,
            relative: None,
            fixed,
        })
    }

    /// The trial's number within the study (0, 1, 2, ...).
    pub fn number(&self) -> u64 {
        self.frozen.number
    }

    /// The storage-wide trial id.
    pub fn id(&self) -> i64 {
        self.frozen.trial_id
    }

    /// The study this trial belongs to.
    pub fn study(&self) -> &Study {
        &self.study
    }

    /// The trial's record as it stands (params, intermediate values, attributes so far).
    pub fn frozen(&self) -> &FrozenTrial {
        &self.frozen
    }

    /// Parameters suggested so far, as external values.
    pub fn params(&self) -> IndexMap<String, ParamValue> {
        self.frozen.params_map()
    }

    /// The value of a parameter suggested earlier.
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.frozen.param(name)
    }

    /// Distributions of the parameters suggested so far.
    pub fn distributions(&self) -> IndexMap<String, Distribution> {
        self.frozen.distributions()
    }

    /// User attributes set so far.
    pub fn user_attrs(&self) -> &Attrs {
        &self.frozen.user_attrs
    }

    /// When the trial started.
    pub fn datetime_start(&self) -> Option<DateTime<Utc>> {
        self.frozen.datetime_start
    }

    /// Values reported so far, by step.
    pub fn intermediate_values(&self) -> &std::collections::BTreeMap<u64, f64> {
        &self.frozen.intermediate_values
    }

    /// A float in `[low, high]`.
    pub fn suggest_float(&mut self, name: &str, low: f64, high: f64) -> Result<f64> {
        let d = Distribution::float(low, high).map_err(|e| Error::param(name, e))?;
        self.suggest_internal(name, d)
    }

    /// A float in `[low, high]` sampled on a log scale (`low > 0`).
    pub fn suggest_float_log(&mut self, name: &str, low: f64, high: f64) -> Result<f64> {
        let d = Distribution::float_log(low, high).map_err(|e| Error::param(name, e))?;
        self.suggest_internal(name, d)
    }

    /// A float on the grid `low, low + step, ...` up to `high`.
    pub fn suggest_float_step(
        &mut self,
        name: &str,
        low: f64,
        high: f64,
        step: f64,
    ) -> Result<f64> {
        let d = Distribution::float_step(low, high, step).map_err(|e| Error::param(name, e))?;
        self.suggest_internal(name, d)
    }

    /// An integer in `[low, high]`.
    pub fn suggest_int(&mut self, name: &str, low: i64, high: i64) -> Result<i64> {
        let d = Distribution::int(low, high).map_err(|e| Error::param(name, e))?;
        Ok(self.suggest_internal(name, d)?.round() as i64)
    }

    /// An integer in `[low, high]` sampled on a log scale (`low >= 1`).
    pub fn suggest_int_log(&mut self, name: &str, low: i64, high: i64) -> Result<i64> {
        let d = Distribution::int_log(low, high).map_err(|e| Error::param(name, e))?;
        Ok(self.suggest_internal(name, d)?.round() as i64)
    }

    /// An integer on the grid `low, low + step, ...` up to `high`.
    pub fn suggest_int_step(&mut self, name: &str, low: i64, high: i64, step: i64) -> Result<i64> {
        let d = Distribution::int_step(low, high, step).map_err(|e| Error::param(name, e))?;
        Ok(self.suggest_internal(name, d)?.round() as i64)
    }

    /// One of `choices`, returned typed: `trial.suggest_categorical("opt", &["adam", "sgd"])?`.
    pub fn suggest_categorical<T: Choice>(&mut self, name: &str, choices: &[T]) -> Result<T> {
        let values: Vec<ParamValue> = choices.iter().map(Choice::to_param).collect();
        let d = Distribution::categorical(values).map_err(|e| Error::param(name, e))?;
        let index = self.suggest_internal(name, d)? as usize;
        Ok(choices[index].clone())
    }

    /// `true` or `false` (a categorical over `[false, true]`).
    pub fn suggest_bool(&mut self, name: &str) -> Result<bool> {
        self.suggest_categorical(name, &[false, true])
    }

    /// A value from any distribution, as its external value.
    pub fn suggest(&mut self, name: &str, distribution: Distribution) -> Result<ParamValue> {
        self.suggest_internal(name, distribution)?;
        Ok(self.frozen.params[name].value.clone())
    }

    /// The internal value of a suggestion, following Optuna's order: an earlier value of the
    /// same name, an enqueued fixed value, the single value of a one-point distribution, the
    /// sampler's relative sample, and finally its independent sample.
    pub fn suggest_internal(&mut self, name: &str, distribution: Distribution) -> Result<f64> {
        if let Some(p) = self.frozen.params.get(name) {
            // Optuna only warns here and returns the first value; a second range for the same
            // name is almost always a bug (a copy-pasted line), so it is an error.
            if p.distribution != distribution {
                return Err(Error::IncompatibleDistribution {
                    param: name.to_owned(),
                    existing: Box::new(p.distribution.clone()),
                    requested: Box::new(distribution),
                });
            }
            return Ok(p.internal);
        }
        let internal = if let Some(v) = self.fixed.as_ref().and_then(|f| f.get(name)) {
            let value = ParamValue::from_json(v).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "enqueued value {v} of parameter `{name}` is not a scalar"
                ))
            })?;
            let x = distribution
                .to_internal(&value)
                .map_err(|e| Error::param(name, e))?;
            if !distribution.contains(x) {
                crate::log_warn!(
                    "fixed parameter `{name}` with value {} is out of the range of \
                     {distribution}",
                    value.python_repr()
                );
            }
            x
        } else if distribution.single() {
            match &distribution {
                Distribution::Float(d) => d.low,
                Distribution::Int(d) => d.low as f64,
                Distribution::Categorical(_) => 0.0,
            }
        } else {
            self.ensure_relative()?;
            let relative = self.relative.as_ref().expect("computed above");
            let from_relative = relative.params.get(name).copied().filter(|x| {
                relative
                    .space
                    .get(name)
                    .is_some_and(|d| d.is_compatible(&distribution))
                    && distribution.contains(*x)
            });
            match from_relative {
                Some(x) => x,
                None => self.study.sampler().sample_independent(
                    &self.sampler_study,
                    &self.frozen,
                    name,
                    &distribution,
                )?,
            }
        };
        if internal.is_nan() {
            return Err(Error::InvalidArgument(format!(
                "the sampler returned NaN for parameter `{name}` ({distribution})"
            )));
        }
        self.study.storage().set_trial_param(
            self.frozen.trial_id,
            name,
            internal,
            &distribution,
        )?;
        self.frozen.params.insert(
            name.to_owned(),
            Param::from_internal(internal, distribution),
        );
        Ok(internal)
    }

    fn ensure_relative(&mut self) -> Result<()> {
        if self.relative.is_none() {
            let sampler = self.study.sampler();
            let space = sampler.infer_relative_search_space(&self.sampler_study, &self.frozen)?;
            let params = if space.is_empty() {
                HashMap::new()
            } else {
                sampler.sample_relative(&self.sampler_study, &self.frozen, &space)?
            };
            // The relative parameters are about to be suggested: room for them at once
            // instead of growing the map step by step.
            self.frozen.params.reserve(space.len());
            self.relative = Some(Relative { space, params });
        }
        Ok(())
    }

    /// Reports an intermediate objective value at `step` (an epoch, an iteration: any integer
    /// type, so a `usize` loop counter works; a negative step is an error). A step that was
    /// already reported is ignored with a warning, as Optuna does. Single-objective only.
    pub fn report(&mut self, value: f64, step: impl Step) -> Result<()> {
        let step = step.into_step()?;
        if self.study.directions().len() > 1 {
            return Err(Error::MultiObjective("Trial::report"));
        }
        if self.frozen.intermediate_values.contains_key(&step) {
            crate::log_warn!(
                "trial {}: step {step} was already reported; the value {value} is ignored",
                self.frozen.number
            );
            return Ok(());
        }
        self.study
            .storage()
            .set_trial_intermediate_value(self.frozen.trial_id, step, value)?;
        self.frozen.intermediate_values.insert(step, value);
        Ok(())
    }

    /// Whether the study's pruner says this trial should stop now. Single-objective only.
    ///
    /// The pruner sees the trial as stored (pruners such as successive halving record their
    /// rungs in its system attributes).
    pub fn should_prune(&mut self) -> Result<bool> {
        if self.study.directions().len() > 1 {
            return Err(Error::MultiObjective("Trial::should_prune"));
        }
        let stored = self.study.storage().get_trial(self.frozen.trial_id)?;
        let prune = self.study.pruner().prune(&self.study, &stored)?;
        let stored = self.study.storage().get_trial(self.frozen.trial_id)?;
        self.frozen.system_attrs.clone_from(&stored.system_attrs);
        Ok(prune)
    }

    /// Reports `value` at `step`, then asks the pruner: `Err(TrialError::Pruned)` when the trial
    /// should stop, so a training loop reads `trial.report_and_check(loss, epoch)?;` and a pruned
    /// trial ends as Pruned with that last value.
    pub fn report_and_check(
        &mut self,
        value: f64,
        step: impl Step,
    ) -> std::result::Result<(), crate::TrialError> {
        self.report(value, step)?;
        self.prune_if_needed()
    }

    /// `Err(TrialError::Pruned)` when the pruner says this trial should stop now.
    pub fn prune_if_needed(&mut self) -> std::result::Result<(), crate::TrialError> {
        if self.should_prune()? {
            Err(crate::TrialError::Pruned)
        } else {
            Ok(())
        }
    }

    /// Sets a user attribute (any serialisable value).
    pub fn set_user_attr(&mut self, key: &str, value: impl Serialize) -> Result<()> {
        self.set_attr(key, value, false)
    }

    /// Sets a system attribute (for samplers and pruners that keep state with the trial).
    pub fn set_system_attr(&mut self, key: &str, value: impl Serialize) -> Result<()> {
        self.set_attr(key, value, true)
    }

    /// Stores a system (`system`) or user attribute, then records it in this trial's copy.
    fn set_attr(&mut self, key: &str, value: impl Serialize, system: bool) -> Result<()> {
        let value = serde_json::to_value(value)?;
        let (storage, id) = (self.study.storage(), self.frozen.trial_id);
        let attrs = if system {
            storage.set_trial_system_attr(id, key, value.clone())?;
            &mut self.frozen.system_attrs
        } else {
            storage.set_trial_user_attr(id, key, value.clone())?;
            &mut self.frozen.user_attrs
        };
        attrs.insert(key.to_owned(), value);
        Ok(())
    }

    /// Records a constraint value (`> 0` means the trial is infeasible), stored as Optuna 5.0's
    /// `constraints:<key>` system attribute. NaN is rejected; setting a key twice keeps the first
    /// value with a warning.
    pub fn set_constraint(&mut self, key: &str, value: f64) -> Result<()> {
        if value.is_nan() {
            return Err(Error::InvalidArgument(format!(
                "constraint `{key}` must not be NaN"
            )));
        }
        let attr = format!("constraints:{key}");
        if self.frozen.system_attrs.contains_key(&attr) {
            crate::log_warn!("constraint `{key}` was already set; the value {value} is ignored");
            return Ok(());
        }
        self.set_system_attr(&attr, value)
    }
}

/// A step of [`Trial::report`]: any integer type (Optuna's steps are non-negative integers).
pub trait Step {
    /// The step as stored, or an error naming a negative value.
    fn into_step(self) -> Result<u64>;
}

macro_rules! unsigned_step {
    ($($t:ty),*) => {$(
        impl Step for $t {
            fn into_step(self) -> Result<u64> {
                Ok(self as u64)
            }
        }
    )*};
}

macro_rules! signed_step {
    ($($t:ty),*) => {$(
        impl Step for $t {
            fn into_step(self) -> Result<u64> {
                u64::try_from(self).map_err(|_| {
                    Error::InvalidArgument(format!("`step` must be >= 0, but got {self}"))
                })
            }
        }
    )*};
}

unsigned_step!(u8, u16, u32, u64, usize);
signed_step!(i8, i16, i32, i64, isize);
