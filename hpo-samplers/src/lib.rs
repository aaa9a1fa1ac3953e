//! # hpo-samplers
//!
//! Samplers for [hpo](https://docs.rs/hpo), following Optuna 5.0's algorithms and defaults:
//! [`TpeSampler`] (the default sampler of `hpo::create_study()`), and the simple samplers
//! [`GridSampler`], [`BruteForceSampler`], [`PartialFixedSampler`] and [`QmcSampler`]. The
//! [`RandomSampler`] lives in hpo-core.
//!
//! Bayesian optimisation with a Gaussian process: [`GpSampler`] (Optuna's `GPSampler`, with
//! LogEI, EI, UCB and PI in [`gp::Acquisition`], constraints and LogEHVI), and the model alone as
//! [`gp::GaussianProcess`].
//!
//! For continuous and integer spaces, [`CmaEsSampler`] (Optuna's `CmaEsSampler`: CMA-ES with
//! its separable, margin, learning-rate-adaptation and warm-start variants, and
//! [`RestartStrategy`] IPOP / BIPOP restarts).
//!
//! For multi-objective studies, the genetic samplers [`NsgaIISampler`] and [`NsgaIIISampler`]
//! (Optuna's `NSGAIISampler` and `NSGAIIISampler`) with their [`Crossover`]s and
//! [`PolynomialMutation`]; their building blocks are in [`nsga`].
//!
//! When unsure which to use, [`AutoSampler`] (after OptunaHub's AutoSampler) picks one per trial
//! from the search space, the objectives and the number of trials: the rule is in [`auto`].

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub mod auto;
mod brute_force;
mod cmaes;
pub mod gp;
mod grid;
pub mod nsga;
mod partial_fixed;
mod qmc;
/// The Tree-structured Parzen Estimator, Optuna 5.0's default sampler. It lives in hpo-core (every
/// study defaults to it, whichever crate opens it) and is re-exported here with its building
/// blocks.
pub mod tpe {
    pub use hpo_core::samplers::tpe::*;
}

pub use auto::AutoSampler;
pub use brute_force::BruteForceSampler;
pub use cmaes::{CmaEsSampler, RestartStrategy};
pub use gp::GpSampler;
pub use grid::GridSampler;
pub use hpo_core::RandomSampler;
pub use nsga::{Crossover, NsgaIIISampler, NsgaIISampler, PolynomialMutation};
pub use partial_fixed::PartialFixedSampler;
pub use qmc::{QmcKind, QmcSampler};
pub use tpe::TpeSampler;
