//! `GridSampler`: every combination of listed values, each once.

use std::collections::{BTreeMap, HashSet};

use hpo_core::rng::Rng;
use hpo_core::{
    Distribution, Error, FrozenTrial, ParamValue, Result, Sampler, SpaceTree, Study, TrialEnd,
    TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;

/// Evaluates every combination of the given parameter values exactly once, in random order
/// (Optuna's `GridSampler`): the trial's grid point is recorded in its `grid_id` system attribute,
/// grid points of running and finished trials are not drawn again, and the study stops once all
/// have been evaluated. Parameters outside the grid are an error.
#[derive(Debug)]
pub struct GridSampler {
    names: Vec<String>,
    values: Vec<Vec<ParamValue>>,
    rng: Mutex<Rng>,
}

impl GridSampler {
    /// A grid over `space`: each parameter's values (parameters sorted by name, values kept in
    /// the given order, as Optuna does).
    pub fn new<K, V>(space: impl IntoIterator<Item = (K, Vec<V>)>) -> Result<Self>
    where
        K: Into<String>,
        V: Into<ParamValue>,
    {
        let sorted: BTreeMap<String, Vec<ParamValue>> = space
            .into_iter()
            .map(|(k, v)| (k.into(), v.into_iter().map(Into::into).collect()))
            .collect();
        if let Some((name, _)) = sorted.iter().find(|(_, v)| v.is_empty()) {
            return Err(Error::InvalidArgument(format!(
                "grid parameter `{name}` has no values"
            )));
        }
        Ok(GridSampler {
            names: sorted.keys().cloned().collect(),
            values: sorted.into_values().collect(),
            rng: Mutex::new(Rng::from_entropy()),
        })
    }

    /// The grid of a typed space: every categorical choice, every point of an int range, every
    /// point of a stepped float range. A float range without a step is an error naming it.
    pub fn from_space(tree: &SpaceTree) -> Result<Self> {
        let mut space = Vec::new();
        for p in &tree.params {
            let values: Vec<ParamValue> = match &p.distribution {
                Distribution::Categorical(c) => c.choices().to_vec(),
                Distribution::Int(d) => (0..d.len())
                    .map(|k| ParamValue::Int(d.low + k as i64 * d.step))
                    .collect(),
                Distribution::Float(f) => match f.step {
                    Some(s) if !f.log => {
                        let n = ((f.high - f.low) / s).round() as i64;
                        (0..=n)
                            .map(|k| ParamValue::Float(f.low + k as f64 * s))
                            .collect()
                    }
                    _ => {
                        return Err(Error::InvalidArgument(format!(
                            "parameter `{}` is a continuous float range; a grid needs a step",
                            p.name
                        )));
                    }
                },
            };
            space.push((p.name.clone(), values));
        }
        GridSampler::new(space)
    }

    /// Seeds the order in which grid points are drawn.
    pub fn seed(self, seed: u64) -> Self {
        GridSampler {
            rng: Mutex::new(Rng::seed_from_u64(seed)),
            ..self
        }
    }

    /// Number of grid points.
    pub fn n_grids(&self) -> usize {
        self.values.iter().map(Vec::len).product()
    }

    /// The values of grid point `id` (mixed-radix decoding, last parameter fastest, like
    /// `itertools.product`).
    fn point(&self, id: usize) -> Vec<&ParamValue> {
        let mut rest = id;
        let mut out = vec![&self.values[0][0]; self.names.len()];
        for i in (0..self.names.len()).rev() {
            let n = self.values[i].len();
            out[i] = &self.values[i][rest % n];
            rest /= n;
        }
        out
    }

    fn taken(study: &Study) -> Result<HashSet<usize>> {
        Ok(study
            .trials_in(&[
                TrialState::Running,
                TrialState::Complete,
                TrialState::Pruned,
                TrialState::Fail,
            ])?
            .iter()
            .filter_map(|t| {
                t.system_attrs
                    .get("grid_id")
                    .and_then(Value::as_u64)
                    .map(|g| g as usize)
            })
            .collect())
    }
}

impl Sampler for GridSampler {
    fn before_trial(&self, study: &Study, trial: &FrozenTrial) -> Result<()> {
        if trial.system_attrs.contains_key("fixed_params")
            || trial.system_attrs.contains_key("grid_id")
        {
            return Ok(());
        }
        let taken = Self::taken(study)?;
        let free: Vec<usize> = (0..self.n_grids()).filter(|g| !taken.contains(g)).collect();
        let id = if free.is_empty() {
            // Every point is taken (a race, or more trials than points): reuse one, as Optuna.
            self.rng.lock().below(self.n_grids() as u64) as usize
        } else {
            free[self.rng.lock().below(free.len() as u64) as usize]
        };
        let storage = study.storage();
        storage.set_trial_system_attr(trial.trial_id, "grid_id", Value::from(id as u64))?;
        let space: serde_json::Map<String, Value> = self
            .names
            .iter()
            .zip(&self.values)
            .map(|(n, v)| {
                (
                    n.clone(),
                    Value::Array(v.iter().map(ParamValue::to_json).collect()),
                )
            })
            .collect();
        storage.set_trial_system_attr(trial.trial_id, "search_space", Value::Object(space))?;
        Ok(())
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        let Some(i) = self.names.iter().position(|n| n == name) else {
            return Err(Error::InvalidArgument(format!(
                "parameter `{name}` is not in the grid {:?}",
                self.names
            )));
        };
        let stored = study.storage().get_trial(trial.trial_id)?;
        let id = stored
            .system_attrs
            .get("grid_id")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                Error::InvalidArgument(format!("trial {} has no grid point", trial.number))
            })?;
        let value = self.point(id as usize)[i];
        distribution
            .to_internal(value)
            .map_err(|e| Error::param(name, e))
    }

    fn after_trial(&self, study: &Study, _trial: &FrozenTrial, _end: TrialEnd<'_>) -> Result<()> {
        if Self::taken(study)?.len() >= self.n_grids() {
            study.stop();
        }
        Ok(())
    }
}
