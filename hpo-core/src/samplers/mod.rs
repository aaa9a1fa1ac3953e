//! The [`Sampler`] trait (Optuna's sampler protocol), the [`RandomSampler`] and the default
//! sampler of every study, the [`TpeSampler`] (in [`tpe`]).

mod random;
pub mod tpe;

use std::collections::HashMap;

pub use random::RandomSampler;
pub use tpe::TpeSampler;

use crate::distributions::Distribution;
use crate::error::Result;
use crate::param_space::ParamSpace;
use crate::study::Study;
use crate::trial::{FrozenTrial, TrialState};

/// How a trial ends, as [`Sampler::after_trial`] is told before the storage records it (Optuna
/// passes the same two things as separate `state` and `values` arguments).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialEnd<'a> {
    /// `Complete`, `Pruned` or `Fail`.
    pub state: TrialState,
    /// The objective values: a complete trial's, a pruned single-objective trial's last
    /// intermediate value, otherwise `None`.
    pub values: Option<&'a [f64]>,
}

/// Chooses parameter values. One sampler is shared by every worker thread of a study, so it is
/// `Send + Sync` and keeps its mutable state (RNG, caches) behind its own locks.
///
/// The protocol is that of Optuna's `BaseSampler`:
/// 1. [`before_trial`](Sampler::before_trial) when a trial starts;
/// 2. at the first suggestion of a trial, [`infer_relative_search_space`](Sampler::infer_relative_search_space)
///    then [`sample_relative`](Sampler::sample_relative), for multivariate samplers;
/// 3. for each parameter not covered by the relative sample,
///    [`sample_independent`](Sampler::sample_independent);
/// 4. [`after_trial`](Sampler::after_trial) before the trial's final state is stored.
///
/// Values cross this interface in their internal `f64` form (a categorical is its index). A
/// sampler reads the history through [`Study::trials`] (shallow `Arc` copies) or, to follow it
/// incrementally, through [`Storage::finished_trials_since`](crate::storage::Storage::finished_trials_since).
pub trait Sampler: Send + Sync + std::fmt::Debug {
    /// Checks the sampler's settings: an error names the setting and the value
    /// ([`invalid_setting`](crate::error::invalid_setting)). Setters store what they are given so
    /// that a builder chain never stops in the middle; the [`StudyBuilder`](crate::StudyBuilder)
    /// calls this when it builds or loads a study, as it does [`Pruner::validate`](crate::Pruner::validate).
    /// The default accepts anything.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Called when a trial starts, before any suggestion.
    fn before_trial(&self, _study: &Study, _trial: &FrozenTrial) -> Result<()> {
        Ok(())
    }

    /// The space to sample jointly for `trial` (empty for independent samplers).
    fn infer_relative_search_space(
        &self,
        _study: &Study,
        _trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        Ok(ParamSpace::new())
    }

    /// Joint internal values for (part of) `space`.
    fn sample_relative(
        &self,
        _study: &Study,
        _trial: &FrozenTrial,
        _space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        Ok(HashMap::new())
    }

    /// An internal value for one parameter.
    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64>;

    /// Called when a trial ends, before its state and values are stored: `trial` is the record as
    /// it was while running, `end` how it ends.
    fn after_trial(&self, _study: &Study, _trial: &FrozenTrial, _end: TrialEnd<'_>) -> Result<()> {
        Ok(())
    }

    /// Replaces the random state: with `Some(seed)` deterministically, with `None` from entropy.
    /// (`optimize` does not call this: workers share the sampler and its single RNG stream.)
    fn reseed_rng(&self, _seed: Option<u64>) {}
}
