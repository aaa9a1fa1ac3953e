//! Genetic multi-objective samplers: [`NsgaIISampler`] and [`NsgaIIISampler`] (Optuna's
//! `NSGAIISampler` and `NSGAIIISampler`), with their operators ([`Crossover`],
//! [`PolynomialMutation`]) and the selection building blocks (non-dominated sorting with
//! constrained domination, crowding distance, Das-Dennis reference points), public for custom
//! strategies and tests.
//!
//! Both samplers share Optuna's `BaseGASampler` bookkeeping: generations of `population_size`
//! Complete trials recorded in trial system attributes, and each generation's parents recorded
//! in a study system attribute, so parallel workers and later processes continue one evolution.

mod child;
mod crossover;
mod elite;
mod generation;
mod mutation;
mod nsga2;
mod nsga3;

pub use crossover::Crossover;
pub use elite::{
    constrained_dominates, crowding_distance, crowding_order, losses, rank_population,
    select_elite, trial_dominates, violation,
};
pub use mutation::PolynomialMutation;
pub use nsga2::NsgaIISampler;
pub use nsga3::{NsgaIIISampler, reference_points, select_elite_nsga3};
