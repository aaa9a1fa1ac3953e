//! # hpo-core
//!
//! The core of [hpo](https://docs.rs/hpo), hyperparameter optimization for Rust: distributions,
//! define-by-run [`Trial`]s, [`Study`] with the optimize loop (trial budget, timeout, real
//! worker threads, callbacks), ask-and-tell, enqueueing, multi-objective Pareto fronts, and the
//! [`Sampler`], [`Pruner`] and [`Storage`] traits that the other hpo crates implement.
//!
//! Behaviour follows Optuna 5.0 where users rely on it (defaults, distribution checks, the
//! sampler protocol, storage semantics, JSON formats), so studies stay readable by Optuna's tools.
//!
//! ```
//! use hpo_core::{RandomSampler, Study};
//!
//! let study = Study::builder().sampler(RandomSampler::with_seed(42)).build()?;
//! study.optimize(100, |trial| {
//!     let x = trial.suggest_float("x", -10.0, 10.0)?;
//!     let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
//!     let layers = trial.suggest_int("layers", 1, 4)?;
//!     let opt = trial.suggest_categorical("optimizer", &["adam", "sgd"])?;
//!     let penalty = if opt == "sgd" { 0.1 } else { 0.0 };
//!     Ok((x - 2.0).powi(2) + lr + layers as f64 * 0.01 + penalty)
//! })?;
//! println!("best value {} with {:?}", study.best_value()?, study.best_params()?);
//! # Ok::<(), hpo_core::Error>(())
//! ```

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod decimal;
pub mod distributions;
pub mod error;
pub mod frame;
pub mod json;
pub mod logging;
pub mod math;
pub mod multi_objective;
pub mod param;
pub mod param_space;
pub mod pruners;
pub mod rng;
pub mod samplers;
mod setters;
pub mod space;
pub mod storage;
pub mod study;
pub mod transform;
pub mod trial;

pub use distributions::{
    CategoricalDistribution, Distribution, FloatDistribution, IntDistribution,
};
pub use error::{DistributionError, Error, Result, TrialError, TrialPruned, TrialResult};
pub use param::{Choice, ParamMap, ParamValue};
pub use param_space::{GroupDecomposedSearchSpace, IntersectionSearchSpace, ParamSpace};
pub use pruners::{MedianPruner, NopPruner, PercentilePruner, Pruner, TrialFilter};
pub use samplers::{RandomSampler, Sampler, TpeSampler, TrialEnd};
pub use space::{Condition, SearchSpace, SpaceParam, SpaceTree};
pub use storage::{InMemoryStorage, JournalFileStorage, Storage};
pub use study::{
    Callback, IntoStorage, MaxTrialsCallback, ObjectiveValue, OptimizeOptions, Study, StudyBuilder,
    StudyDirection,
};
pub use trial::{Attrs, FrozenTrial, Param, Step, Trial, TrialState};

/// What `#[derive(SearchSpace)]` expands to: the trait, the types its generated code names and
/// the per-field helpers. Not part of the API; the facade re-exports it for the derive.
#[doc(hidden)]
pub mod __derive {
    pub use crate::space::field;
    pub use crate::{
        Condition, Error, ParamMap, ParamValue, Result, SearchSpace, SpaceParam, Trial,
    };
}
