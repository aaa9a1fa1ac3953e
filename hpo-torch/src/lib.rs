//! # hpo-torch
//!
//! Tune [tch-rs](https://github.com/LaurentMazare/tch-rs) (LibTorch) training loops with
//! [hpo](https://docs.rs/hpo):
//!
//! - report a metric and prune with `?` from an epoch loop ([`TrialTensorExt::report_tensor`],
//!   or core's `trial.report_and_check(value, epoch)?`);
//! - ready-made typed spaces that build tch objects: [`OptimizerConfig`] (Adam, AdamW, SGD with
//!   momentum and Nesterov, RMSprop) builds an `nn::Optimizer`, [`MlpConfig`] builds an
//!   `nn::SequentialT`, [`Activation`]; each with a `*Ranges` type to change the ranges;
//! - [`DevicePool`]: every CUDA device (CPU when there is none), `k` concurrent trials per GPU;
//! - [`workers`]: `k` worker processes ([`ProcessPool`]) sharing one study through a storage,
//!   exactly `n_trials` trials in all, a failed worker reported by index and status;
//! - CUDA really used when present: [`ensure_cuda`] loads `libtorch_cuda.so`, which binaries
//!   linked with `--as-needed` silently drop (tch-rs issues #907, #980);
//! - per-trial seeding ([`seed_trial`]) and best-weights checkpoints ([`Checkpointer`]);
//! - [`data`]: a seeded `make_classification` for examples and tests.
//!
//! hpo-torch needs libtorch 2.11 (tch 0.24): see the crate README for the two ways to get it.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod activation;
mod checkpoint;
mod cuda;
pub mod data;
mod device_pool;
mod mlp;
mod optimizer;
mod report;
mod seeding;
pub mod workers;

pub use activation::Activation;
pub use checkpoint::Checkpointer;
pub use cuda::{CudaStatus, devices, ensure_cuda, library_is_mapped};
pub use device_pool::{DeviceLease, DevicePool};
pub use mlp::{MlpConfig, MlpRanges};
pub use optimizer::{OptimizerConfig, OptimizerKind, OptimizerRanges};
pub use report::TrialTensorExt;
pub use seeding::{seed_trial, trial_seed};
pub use workers::{ProcessPool, Worker};
