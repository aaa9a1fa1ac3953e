//! `NsgaIISampler`: NSGA-II (Deb, Pratap, Agarwal and Meyarivan), Optuna's `NSGAIISampler`.

use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::{FrozenTrial, Result, Study};

use super::elite::select_elite;
use super::generation::GaEngine;

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

genetic_sampler_common!(NsgaIISampler);
