//! The generation bookkeeping shared by the genetic samplers (Optuna's `BaseGASampler`) and the
//! sampler plumbing around it.
//!
//! * A trial's generation is the highest generation among the Complete trials, plus one when
//!   that generation already has `population_size` Complete members. It is stored in the trial
//!   system attribute `<Class>:generation` when the trial starts.
//! * The parents of generation `g` are the elite of (the Complete trials of generation `g - 1`
//!   together with the parents of generation `g - 1`), chosen once and kept as a JSON list of
//!   trial ids in the study system attribute `<Class>:parent:<g>`, so every worker and every
//!   later process uses the same parents. Generation 0 has none and is sampled at random.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hpo_core::error::invalid_setting;
use hpo_core::rng::Rng;
use hpo_core::{
    Distribution, FrozenTrial, IntersectionSearchSpace, ParamSpace, RandomSampler, Result, Sampler,
    Study, TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;

use super::child::ChildGeneration;

/// Chooses the parents of a generation from its candidates.
pub(crate) type SelectElite<'a> =
    dyn Fn(&Study, &[Arc<FrozenTrial>], &mut Rng) -> Result<Vec<Arc<FrozenTrial>>> + 'a;

type ParentCache = HashMap<(i64, u64), (Vec<i64>, Vec<Arc<FrozenTrial>>)>;

/// The state and options common to NSGA-II and NSGA-III.
pub(crate) struct GaEngine {
    class_name: &'static str,
    pub(crate) population_size: usize,
    pub(crate) child: ChildGeneration,
    rng: Mutex<Rng>,
    random: RandomSampler,
    intersection: IntersectionSearchSpace,
    /// Generations of the trials that started here and have not finished (their frozen copies
    /// predate the attribute).
    generations: Mutex<HashMap<i64, u64>>,
    /// Parent populations already read or chosen, by (study id, generation), with the trial ids
    /// stored in the study (a hit counts only when the stored list still matches).
    parents: Mutex<ParentCache>,
}

/// Salt between the genetic operators' stream and the random sampler's.
const RANDOM_SALT: u64 = 0x6A09_E667_F3BC_C908;

impl std::fmt::Debug for GaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.class_name)
            .field("population_size", &self.population_size)
            .field("crossover", &self.child.crossover)
            .field("crossover_prob", &self.child.crossover_prob)
            .field("swapping_prob", &self.child.swapping_prob)
            .field("mutation", &self.child.mutation)
            .field("mutation_prob", &self.child.mutation_prob)
            .finish_non_exhaustive()
    }
}

impl GaEngine {
    /// Defaults for the sampler class `class_name` (the attribute key prefix), unseeded.
    pub(crate) fn new(class_name: &'static str) -> Self {
        GaEngine {
            class_name,
            population_size: 50,
            child: ChildGeneration::default(),
            rng: Mutex::new(Rng::from_entropy()),
            random: RandomSampler::new(),
            intersection: IntersectionSearchSpace::new(false),
            generations: Mutex::new(HashMap::new()),
            parents: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn population_size(&self) -> usize {
        self.population_size
    }

    pub(crate) fn set_seed(&mut self, seed: u64) {
        self.rng = Mutex::new(Rng::seed_from_u64(seed));
        self.random = RandomSampler::with_seed(seed ^ RANDOM_SALT);
    }

    pub(crate) fn reseed(&self, seed: Option<u64>) {
        *self.rng.lock() = seed.map_or_else(Rng::from_entropy, Rng::seed_from_u64);
        self.random.reseed_rng(seed.map(|s| s ^ RANDOM_SALT));
    }

    /// Checks the settings as Optuna's constructors do; `sampler` names the sampler in the
    /// error (the setters store anything, so the order of a builder chain does not matter).
    pub(crate) fn validate(&self, sampler: &str) -> Result<()> {
        let n = self.population_size;
        if n < 2 {
            return Err(invalid_setting(
                sampler,
                "population_size",
                "must be at least 2",
                n,
            ));
        }
        let crossover = &self.child.crossover;
        crossover.validate()?;
        if n < crossover.n_parents() {
            return Err(invalid_setting(
                sampler,
                "population_size",
                &format!(
                    "must be at least {} with {}",
                    crossover.n_parents(),
                    crossover.name()
                ),
                n,
            ));
        }
        let probabilities = [
            ("crossover_prob", Some(self.child.crossover_prob)),
            ("swapping_prob", Some(self.child.swapping_prob)),
            ("mutation_prob", self.child.mutation_prob),
        ];
        for (name, p) in probabilities {
            if let Some(p) = p
                && !(0.0..=1.0).contains(&p)
            {
                return Err(invalid_setting(sampler, name, "must be in [0, 1]", p));
            }
        }
        if let Some(m) = &self.child.mutation {
            m.validate()?;
        }
        Ok(())
    }

    /// `<Class>:generation`.
    pub(crate) fn generation_key(&self) -> String {
        format!("{}:generation", self.class_name)
    }

    /// `<Class>:parent:<g>`.
    pub(crate) fn parent_key(&self, generation: u64) -> String {
        format!("{}:parent:{generation}", self.class_name)
    }

    fn generation_of(&self, trial: &FrozenTrial) -> Option<u64> {
        trial
            .system_attrs
            .get(&self.generation_key())
            .and_then(Value::as_u64)
    }

    /// The generation of `trial`: its attribute if set, else computed from the Complete trials
    /// and stored.
    pub(crate) fn trial_generation(&self, study: &Study, trial: &FrozenTrial) -> Result<u64> {
        if let Some(g) = self.generation_of(trial) {
            return Ok(g);
        }
        if let Some(g) = self.generations.lock().get(&trial.trial_id) {
            return Ok(*g);
        }
        let complete = study.trials_in(&[TrialState::Complete])?;
        let mut max_generation = 0;
        let mut count = 0;
        for t in complete.iter().rev() {
            let Some(g) = self.generation_of(t) else {
                continue;
            };
            if g > max_generation {
                max_generation = g;
                count = 1;
            } else if g == max_generation {
                count += 1;
            }
        }
        let generation = if count < self.population_size {
            max_generation
        } else {
            max_generation + 1
        };
        study.storage().set_trial_system_attr(
            trial.trial_id,
            &self.generation_key(),
            Value::from(generation),
        )?;
        self.generations.lock().insert(trial.trial_id, generation);
        Ok(generation)
    }

    /// The Complete trials of `generation`, by number.
    fn population(&self, complete: &[Arc<FrozenTrial>], generation: u64) -> Vec<Arc<FrozenTrial>> {
        complete
            .iter()
            .filter(|t| self.generation_of(t) == Some(generation))
            .cloned()
            .collect()
    }

    /// The parents of `generation` (none for generation 0): read from the study system
    /// attribute, or chosen by `select` and stored there.
    pub(crate) fn parent_population(
        &self,
        study: &Study,
        generation: u64,
        select: &SelectElite<'_>,
        rng: &mut Rng,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        if generation == 0 {
            return Ok(Vec::new());
        }
        let key = self.parent_key(generation);
        let stored: Option<Vec<i64>> = study.system_attrs()?.get(&key).and_then(|v| {
            v.as_array()
                .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        });
        let cache_key = (study.study_id(), generation);
        if let Some(ids) = &stored
            && let Some((cached_ids, parents)) = self.parents.lock().get(&cache_key)
            && cached_ids == ids
        {
            return Ok(parents.clone());
        }
        let (ids, parents) = match stored {
            Some(ids) => {
                let set: HashSet<i64> = ids.iter().copied().collect();
                let parents: Vec<Arc<FrozenTrial>> = study
                    .trials()?
                    .into_iter()
                    .filter(|t| set.contains(&t.trial_id))
                    .collect();
                (ids, parents)
            }
            None => {
                let complete = study.trials_in(&[TrialState::Complete])?;
                let mut candidates = self.population(&complete, generation - 1);
                candidates.extend(self.parent_population(study, generation - 1, select, rng)?);
                let mut chosen = select(study, &candidates, rng)?;
                let ids: Vec<i64> = chosen.iter().map(|t| t.trial_id).collect();
                study.set_system_attr(&key, &ids)?;
                // Trial order, as a later read of the attribute returns them.
                chosen.sort_by_key(|t| t.number);
                (ids, chosen)
            }
        };
        self.parents
            .lock()
            .insert(cache_key, (ids, parents.clone()));
        Ok(parents)
    }

    /// `before_trial`: fixes the trial's generation.
    pub(crate) fn before_trial(&self, study: &Study, trial: &FrozenTrial) -> Result<()> {
        self.trial_generation(study, trial).map(|_| ())
    }

    /// `after_trial`: forgets the trial's cached generation.
    pub(crate) fn after_trial(&self, trial: &FrozenTrial) {
        self.generations.lock().remove(&trial.trial_id);
    }

    /// The intersection of the Complete trials' spaces, without single-value distributions.
    pub(crate) fn relative_search_space(&self, study: &Study) -> Result<ParamSpace> {
        let space = if study.is_filtered() {
            IntersectionSearchSpace::new(false).calculate(study)?
        } else {
            self.intersection.calculate(study)?
        };
        Ok(space.into_iter().filter(|(_, d)| !d.single()).collect())
    }

    /// `sample_relative`: a child of the trial's generation's parents (nothing in generation 0).
    pub(crate) fn sample_relative(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        space: &ParamSpace,
        select: &SelectElite<'_>,
    ) -> Result<HashMap<String, f64>> {
        let generation = self.trial_generation(study, trial)?;
        // One lock over parent selection and child generation keeps a seeded study's stream
        // in a fixed order and lets only one worker choose a generation's parents.
        let mut rng = self.rng.lock();
        let parents = self.parent_population(study, generation, select, &mut rng)?;
        if parents.is_empty() || space.is_empty() {
            return Ok(HashMap::new());
        }
        let space: Vec<(String, Distribution)> =
            space.iter().map(|(k, d)| (k.clone(), d.clone())).collect();
        Ok(self
            .child
            .generate(&space, &parents, study.directions(), &mut rng))
    }

    /// `sample_independent`: a uniform draw (generation 0, mutated parameters, parameters
    /// outside the intersection space).
    pub(crate) fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        self.random
            .sample_independent(study, trial, name, distribution)
    }
}
