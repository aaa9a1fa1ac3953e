//! # hpo-pruners
//!
//! Optuna 5.0's pruners for [hpo](https://docs.rs/hpo), each with Optuna's exact rule and
//! defaults (checked against decision tables made by Optuna itself):
//! [`MedianPruner`] (the default pruner of `hpo::create_study()`), [`PercentilePruner`],
//! [`SuccessiveHalvingPruner`], [`HyperbandPruner`], [`ThresholdPruner`], [`PatientPruner`],
//! [`WilcoxonPruner`], and core's [`NopPruner`].
//!
//! ```
//! use hpo_core::{RandomSampler, Study};
//! use hpo_pruners::MedianPruner;
//!
//! let study = Study::builder()
//!     .sampler(RandomSampler::with_seed(0))
//!     .pruner(MedianPruner::new().n_startup_trials(5).n_warmup_steps(5))
//!     .build()?;
//! study.optimize(20, |trial| {
//!     let lr = trial.suggest_float_log("lr", 1e-4, 1.0)?;
//!     let mut loss = 1.0;
//!     for epoch in 0..20 {
//!         loss *= 1.0 - lr.min(0.5);
//!         trial.report_and_check(loss, epoch)?; // a pruned trial ends here, as Pruned
//!     }
//!     Ok(loss)
//! })?;
//! # Ok::<(), hpo_core::Error>(())
//! ```

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod crc32;
mod hyperband;
mod patient;
mod signed_rank;
mod successive_halving;
mod threshold;
mod wilcoxon;

pub use crc32::crc32;
pub use hpo_core::{MedianPruner, NopPruner, PercentilePruner};
pub use hyperband::HyperbandPruner;
pub use patient::PatientPruner;
pub use signed_rank::{Alternative, wilcoxon_pvalue};
pub use successive_halving::{SuccessiveHalvingPruner, completed_rung_key};
pub use threshold::ThresholdPruner;
pub use wilcoxon::WilcoxonPruner;
