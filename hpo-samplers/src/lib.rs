//! # hpo-samplers
//!
//! Samplers for [hpo](https://docs.rs/hpo), following Optuna 5.0's algorithms and defaults:
//! [`TpeSampler`] (the default sampler of `hpo::create_study()`), and the simple samplers
//! [`GridSampler`], [`BruteForceSampler`], [`PartialFixedSampler`] and [`QmcSampler`]. The
//! [`RandomSampler`] lives in hpo-core.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod brute_force;
mod grid;
mod partial_fixed;
mod qmc;
pub mod tpe;

pub use brute_force::BruteForceSampler;
pub use grid::GridSampler;
pub use hpo_core::RandomSampler;
pub use partial_fixed::PartialFixedSampler;
pub use qmc::{QmcKind, QmcSampler};
pub use tpe::TpeSampler;
