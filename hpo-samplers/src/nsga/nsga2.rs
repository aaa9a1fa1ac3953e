//! `NsgaIISampler`: NSGA-II (Deb, Pratap, Agarwal and Meyarivan), Optuna's `NSGAIISampler`.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::{Distribution, FrozenTrial, ParamSpace, Result, Sampler, Study, TrialState};

use super::crossover::Crossover;
use super::elite::select_elite;
use super::generation::GaEngine;
use super::mutation::PolynomialMutation;

/// NSGA-II, the elitist non-dominated sorting genetic algorithm (Optuna's `NSGAIISampler`, 5.0
/// defaults), for multi-objective studies (it also works on a single objective).
///
/// Trials are grouped into generations of `population_size` Complete trials. Generation 0 is
/// drawn at random. The parents of each later generation are the elite of the previous
/// generation and its parents: whole non-domination ranks while they fit, the last one cut by
/// crowding distance; with constraints (`Trial::set_constraint`), feasible trials rank first and
/// infeasible ones by total violation. Each child takes parents by binary tournament, is made by
/// crossover with probability `crossover_prob` (numerical parameters in the unit cube, on the
/// log scale for log ranges; categorical ones swapped uniformly), else copied from one parent,
/// and each parameter mutates with probability `1 / n_params`: without a mutation operator
/// (the default) the parameter is drawn at random instead.
///
/// The generation of a trial is kept in its system attribute `NSGAIISampler:generation` and the
/// parents of generation `g` in the study system attribute `NSGAIISampler:parent:<g>`, as
/// Optuna keeps them, so several workers or processes share one evolution.
///
/// ```
/// use hpo_core::{Study, StudyDirection};
/// use hpo_samplers::NsgaIISampler;
///
/// let study = Study::builder()
///     .directions([StudyDirection::Minimize, StudyDirection::Minimize])
///     .sampler(NsgaIISampler::with_seed(7).population_size(10))
///     .build()?;
/// study.optimize(50, |t| {
///     let x = t.suggest_float("x", 0.0, 1.0)?;
///     let y = t.suggest_float("y", 0.0, 1.0)?;
///     Ok([x, 1.0 - x.sqrt() + y])
/// })?;
/// assert!(!study.best_trials()?.is_empty());
/// # Ok::<(), hpo_core::Error>(())
/// ```
#[derive(Debug)]
pub struct NsgaIISampler {
    engine: GaEngine,
}

impl Default for NsgaIISampler {
    fn default() -> Self {
        NsgaIISampler::new()
    }
}

impl NsgaIISampler {
    /// Optuna 5.0's defaults, unseeded: population 50, uniform crossover with probability 0.9,
    /// swapping probability 0.5, no mutation operator (mutated parameters are re-drawn at
    /// random), mutation probability `1 / n_params`.
    pub fn new() -> Self {
        NsgaIISampler {
            engine: GaEngine::new("NSGAIISampler"),
        }
    }

    /// The defaults with a seed: a seeded single-threaded study is reproducible bit for bit.
    pub fn with_seed(seed: u64) -> Self {
        NsgaIISampler::new().seed(seed)
    }

    /// Seeds the sampler (the genetic operators and the random draws).
    pub fn seed(mut self, seed: u64) -> Self {
        self.engine.set_seed(seed);
        self
    }

    /// Trials per generation (default 50).
    ///
    /// # Panics
    ///
    /// When `n < 2` or `n` is smaller than the crossover's number of parents.
    pub fn population_size(mut self, n: usize) -> Self {
        self.engine.set_population_size(n);
        self
    }

    /// The crossover for numerical parameters (default [`Crossover::uniform`]).
    ///
    /// # Panics
    ///
    /// When the crossover's parameters are invalid or it needs more parents than the population
    /// holds.
    pub fn crossover(mut self, crossover: Crossover) -> Self {
        self.engine.set_crossover(crossover);
        self
    }

    /// Probability that a child is made by crossover rather than copied from one parent
    /// (default 0.9).
    ///
    /// # Panics
    ///
    /// When `p` is not in `[0, 1]`.
    pub fn crossover_prob(mut self, p: f64) -> Self {
        self.engine.set_crossover_prob(p);
        self
    }

    /// Probability of taking a categorical parameter from the second parent (default 0.5).
    ///
    /// # Panics
    ///
    /// When `p` is not in `[0, 1]`.
    pub fn swapping_prob(mut self, p: f64) -> Self {
        self.engine.set_swapping_prob(p);
        self
    }

    /// Mutates numerical parameters with polynomial mutation instead of re-drawing them at
    /// random (Optuna's `mutation=PolynomialMutation()`); categorical parameters chosen for
    /// mutation are still re-drawn.
    pub fn mutation(mut self, mutation: PolynomialMutation) -> Self {
        self.engine.set_mutation(Some(mutation));
        self
    }

    /// Per-parameter mutation probability (default `1 / max(1, n_params)`).
    ///
    /// # Panics
    ///
    /// When `p` is not in `[0, 1]`.
    pub fn mutation_prob(mut self, p: f64) -> Self {
        self.engine.set_mutation_prob(p);
        self
    }

    fn select(
        &self,
        study: &Study,
        population: &[Arc<FrozenTrial>],
        _rng: &mut Rng,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        select_elite(
            population,
            study.directions(),
            self.engine.population_size(),
        )
    }
}

impl Sampler for NsgaIISampler {
    fn before_trial(&self, study: &Study, trial: &FrozenTrial) -> Result<()> {
        self.engine.before_trial(study, trial)
    }

    fn infer_relative_search_space(
        &self,
        study: &Study,
        _trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        self.engine.relative_search_space(study)
    }

    fn sample_relative(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        self.engine
            .sample_relative(study, trial, space, &|s, pop, rng| self.select(s, pop, rng))
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        self.engine
            .sample_independent(study, trial, name, distribution)
    }

    fn after_trial(
        &self,
        _study: &Study,
        trial: &FrozenTrial,
        _state: TrialState,
        _values: Option<&[f64]>,
    ) -> Result<()> {
        self.engine.after_trial(trial);
        Ok(())
    }

    fn reseed_rng(&self, seed: Option<u64>) {
        self.engine.reseed(seed);
    }
}
