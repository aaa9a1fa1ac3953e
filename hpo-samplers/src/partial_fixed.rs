//! `PartialFixedSampler`: fix some parameters, let another sampler choose the rest.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::{
    Distribution, Error, FrozenTrial, ParamSpace, ParamValue, Result, Sampler, Study, TrialEnd,
};

/// Returns fixed values for some parameters and delegates the others to a base sampler
/// (Optuna's `PartialFixedSampler`). A fixed value outside the requested distribution is used
/// anyway, with a warning, as Optuna does.
#[derive(Debug)]
pub struct PartialFixedSampler {
    fixed: HashMap<String, ParamValue>,
    base: Arc<dyn Sampler>,
}

impl PartialFixedSampler {
    /// Fixes `params` on top of `base`.
    pub fn new<K: Into<String>, V: Into<ParamValue>>(
        params: impl IntoIterator<Item = (K, V)>,
        base: impl Sampler + 'static,
    ) -> Self {
        PartialFixedSampler {
            fixed: params
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            base: Arc::new(base),
        }
    }
}

impl Sampler for PartialFixedSampler {
    /// The base sampler's check.
    fn validate(&self) -> Result<()> {
        self.base.validate()
    }

    fn before_trial(&self, study: &Study, trial: &FrozenTrial) -> Result<()> {
        self.base.before_trial(study, trial)
    }

    fn infer_relative_search_space(
        &self,
        study: &Study,
        trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        let mut space = self.base.infer_relative_search_space(study, trial)?;
        space.retain(|k, _| !self.fixed.contains_key(k));
        Ok(space)
    }

    fn sample_relative(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        self.base.sample_relative(study, trial, space)
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        match self.fixed.get(name) {
            Some(v) => {
                let x = distribution
                    .to_internal(v)
                    .map_err(|e| Error::param(name, e))?;
                if !distribution.contains(x) {
                    hpo_core::log_warn!(
                        "fixed parameter `{name}` = {} is outside {distribution}",
                        v.python_repr()
                    );
                }
                Ok(x)
            }
            None => self
                .base
                .sample_independent(study, trial, name, distribution),
        }
    }

    fn after_trial(&self, study: &Study, trial: &FrozenTrial, end: TrialEnd<'_>) -> Result<()> {
        self.base.after_trial(study, trial, end)
    }

    fn reseed_rng(&self, seed: Option<u64>) {
        self.base.reseed_rng(seed);
    }
}
