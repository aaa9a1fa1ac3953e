//! The [`Pruner`] trait, the [`NopPruner`], and the default pruner of every study, the
//! [`MedianPruner`] (with the [`PercentilePruner`] it is made of).

pub mod interval;
mod median;
mod percentile;

pub use median::MedianPruner;
pub use percentile::PercentilePruner;

use crate::error::Result;
pub use crate::error::invalid_setting;
use crate::study::Study;
use crate::trial::FrozenTrial;

/// Decides whether a running trial should stop early, from its intermediate values and the
/// study's history. Shared by all workers, so `Send + Sync`.
pub trait Pruner: Send + Sync + std::fmt::Debug {
    /// Whether `trial` (Running, with its intermediate values so far) should be pruned now.
    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool>;

    /// Checks the pruner's settings: an error names the setting and the value. Setters store
    /// what they are given so that a builder chain never stops in the middle; the
    /// [`StudyBuilder`](crate::StudyBuilder) calls this when it builds or loads a study (and
    /// pruners check again before pruning). The default accepts anything.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Restricts the history the *sampler* sees for `trial` (Optuna's `_filter_study`):
    /// Hyperband returns a filter keeping the trials of the trial's own bracket. `None` (the
    /// default) means the sampler sees every trial.
    fn sampler_filter(&self, _study: &Study, _trial: &FrozenTrial) -> Option<TrialFilter> {
        None
    }
}

/// A predicate over trials, for a filtered view of a study ([`Study::filtered`]).
pub type TrialFilter = std::sync::Arc<dyn Fn(&FrozenTrial) -> bool + Send + Sync>;

/// Never prunes (Optuna's `NopPruner`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NopPruner;

impl Pruner for NopPruner {
    fn prune(&self, _study: &Study, _trial: &FrozenTrial) -> Result<bool> {
        Ok(false)
    }
}
