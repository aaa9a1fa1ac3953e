//! Numerical building blocks shared by the samplers, pruners and importance evaluators: the
//! (truncated) normal distribution as Optuna computes it, a vectorisable `exp` for log-sum-exp
//! over many kernels, and numpy's NaN-aware order statistics.

pub mod fast_exp;
pub mod stats;
pub mod truncnorm;
