//! Numerical building blocks shared by the samplers, pruners and importance evaluators: the
//! standard normal distribution ([`normal`]: CDF, log-CDF, density, quantile, `erfc`, `erfcx`,
//! `log1mexp`), the truncated normal as Optuna computes it ([`truncnorm`]), a vectorisable `exp`
//! for log-sum-exp over many kernels, and numpy's NaN-aware order statistics.

pub mod fast_exp;
pub mod normal;
pub mod stats;
pub mod truncnorm;
