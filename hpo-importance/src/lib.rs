//! # hpo-importance
//!
//! Hyperparameter importance for [hpo](https://docs.rs/hpo), as Optuna 5.0's
//! `optuna.importance`: which params of a study mattered for its objective.
//!
//! * [`PedAnovaEvaluator`]: PED-ANOVA, Optuna 5.0's default. Deterministic, fast, handles
//!   conditional params and multi-objective studies.
//! * [`FanovaEvaluator`]: fANOVA, the share of a random forest's variance each param explains.
//! * [`MeanDecreaseImpurityEvaluator`]: the random forest's impurity-decrease importances.
//!
//! [`param_importances`] (Optuna's `get_param_importances`) picks the trials and params,
//! runs an evaluator and returns the importances normalised and sorted, highest first.
//! The random forests are hpo's own (no Python, no scikit-learn) and seeded, seed 0 unless
//! told otherwise, so results are reproducible.
//!
//! ```
//! use hpo_core::{RandomSampler, Study};
//! use hpo_importance::{FanovaEvaluator, ImportanceOptions, param_importances};
//!
//! let study = Study::builder().sampler(RandomSampler::with_seed(1)).build()?;
//! study.optimize(50, |trial| {
//!     let x = trial.suggest_float("x", -5.0, 5.0)?;
//!     let y = trial.suggest_int("y", 0, 10)?;
//!     Ok(x * x + 0.01 * y as f64)
//! })?;
//! let ped = param_importances(&study, &ImportanceOptions::new())?;
//! let fanova = param_importances(
//!     &study,
//!     &ImportanceOptions::new().evaluator(FanovaEvaluator::new().seed(42)),
//! )?;
//! assert_eq!(ped.get_index(0).unwrap().0, "x");
//! assert_eq!(fanova.get_index(0).unwrap().0, "x");
//! # Ok::<(), hpo_core::Error>(())
//! ```

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod evaluator;
mod fanova;
mod forest;
mod importances;
mod mdi;
mod options;
mod ped_anova;
mod transform;

pub use evaluator::{EVALUATOR_NAMES, ImportanceEvaluator, Target, evaluator_from_name};
pub use fanova::FanovaEvaluator;
pub use forest::DEFAULT_SEED;
pub use importances::{param_importances, param_importances_of};
pub use mdi::MeanDecreaseImpurityEvaluator;
pub use options::ImportanceOptions;
pub use ped_anova::PedAnovaEvaluator;
