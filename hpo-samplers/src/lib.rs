//! # hpo-samplers
//!
//! Samplers for [hpo](https://docs.rs/hpo), following Optuna 5.0's algorithms and defaults:
//! [`TpeSampler`] (the default sampler of `hpo::create_study()`), and the simple samplers
//! (as they land) grid, brute-force, partial-fixed and QMC samplers. The
//! [`RandomSampler`] lives in hpo-core.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub mod tpe;

pub use hpo_core::RandomSampler;
pub use tpe::TpeSampler;
