//! Genetic multi-objective samplers: [`NsgaIISampler`] and [`NsgaIIISampler`] (Optuna's
//! `NSGAIISampler` and `NSGAIIISampler`), with their operators ([`Crossover`],
//! [`PolynomialMutation`]) and the selection building blocks (non-dominated sorting with
//! constrained domination, crowding distance, Das-Dennis reference points), public for custom
//! strategies and tests.
//!
//! Both samplers share Optuna's `BaseGASampler` bookkeeping: generations of `population_size`
//! Complete trials recorded in trial system attributes, and each generation's parents recorded
//! in a study system attribute, so parallel workers and later processes continue one evolution.

/// The builder methods and the [`Sampler`](hpo_core::Sampler) impl that both genetic samplers
/// share: everything but elite selection (each type's own `select`) delegates to its
/// `GaEngine`, so one definition serves both.
macro_rules! genetic_sampler_common {
    ($ty:ident) => {
        impl $ty {
            /// The defaults with a seed: a seeded single-threaded study is reproducible bit for bit.
            pub fn with_seed(seed: u64) -> Self {
                $ty::new().seed(seed)
            }

            /// Seeds the sampler (the genetic operators and the random draws).
            pub fn seed(mut self, seed: u64) -> Self {
                self.engine.set_seed(seed);
                self
            }

            hpo_core::setters! {
                /// Trials per generation (default 50; at least 2, and at least the crossover's
                /// number of parents).
                pub fn population_size(n: usize) => self.engine.population_size;

                /// The crossover for numerical parameters (default
                /// [`Crossover::uniform`](crate::nsga::Crossover::uniform)).
                pub fn crossover(crossover: $crate::nsga::Crossover) => self.engine.child.crossover;

                /// Probability that a child is made by crossover rather than copied from one parent
                /// (default 0.9).
                /// Must be in `[0, 1]`.
                pub fn crossover_prob(p: f64) => self.engine.child.crossover_prob;

                /// Probability of taking a categorical parameter from the second parent (default
                /// 0.5). Must be in `[0, 1]`.
                pub fn swapping_prob(p: f64) => self.engine.child.swapping_prob;

                /// Mutates numerical parameters with polynomial mutation instead of re-drawing them
                /// at random (Optuna's `mutation=PolynomialMutation()`); categorical parameters
                /// chosen for mutation are still re-drawn.
                pub fn mutation(mutation: $crate::nsga::PolynomialMutation)
                    => self.engine.child.mutation = Some;

                /// Per-parameter mutation probability (default `1 / max(1, n_params)`).
                /// Must be in `[0, 1]`.
                pub fn mutation_prob(p: f64) => self.engine.child.mutation_prob = Some;
            }
        }

        impl hpo_core::Sampler for $ty {
            /// Checks every setting (the population size against the crossover's parents, the
            /// operators' parameters, the probabilities in `[0, 1]`).
            fn validate(&self) -> hpo_core::Result<()> {
                self.engine.validate(stringify!($ty))
            }

            fn before_trial(
                &self,
                study: &hpo_core::Study,
                trial: &hpo_core::FrozenTrial,
            ) -> hpo_core::Result<()> {
                self.engine.before_trial(study, trial)
            }

            fn infer_relative_search_space(
                &self,
                study: &hpo_core::Study,
                _trial: &hpo_core::FrozenTrial,
            ) -> hpo_core::Result<hpo_core::ParamSpace> {
                self.engine.relative_search_space(study)
            }

            fn sample_relative(
                &self,
                study: &hpo_core::Study,
                trial: &hpo_core::FrozenTrial,
                space: &hpo_core::ParamSpace,
            ) -> hpo_core::Result<std::collections::HashMap<String, f64>> {
                self.engine
                    .sample_relative(study, trial, space, &|s, pop, rng| self.select(s, pop, rng))
            }

            fn sample_independent(
                &self,
                study: &hpo_core::Study,
                trial: &hpo_core::FrozenTrial,
                name: &str,
                distribution: &hpo_core::Distribution,
            ) -> hpo_core::Result<f64> {
                self.engine
                    .sample_independent(study, trial, name, distribution)
            }

            fn after_trial(
                &self,
                _study: &hpo_core::Study,
                trial: &hpo_core::FrozenTrial,
                _end: hpo_core::TrialEnd<'_>,
            ) -> hpo_core::Result<()> {
                self.engine.after_trial(trial);
                Ok(())
            }

            fn reseed_rng(&self, seed: Option<u64>) {
                self.engine.reseed(seed);
            }
        }
    };
}

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
