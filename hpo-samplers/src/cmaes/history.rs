//! The finished trials CMA-ES learns from, kept up to date incrementally.
//!
//! A trial counts once it is Complete, or Pruned with `consider_pruned_trials` (its last
//! intermediate value is then its value). Each entry carries the generation tag that
//! `sample_relative` wrote into the trial's system attributes, so that a generation can be told
//! as soon as `popsize` of its trials have finished, and so that a fresh sampler can replay a
//! study's history to the same optimizer state.

use std::sync::Arc;

use hpo_core::{FrozenTrial, Result, Study, TrialState};
use serde_json::Value;

/// Which optimizer generation a trial was sampled for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    /// Fingerprint of the search space of the optimizer.
    pub space: String,
    /// Restart index of the optimizer (0 before any restart).
    pub restart: u64,
    /// Generation of the optimizer when the trial was sampled.
    pub generation: u64,
}

/// A finished trial with its value to minimise.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub number: u64,
    pub value: f64,
    pub tag: Option<Tag>,
    pub trial: Arc<FrozenTrial>,
}

/// The system attribute keys of one sampler variant (`cma:`, `sepcma:` or `cmawm:`).
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    pub generation: String,
    pub restart: String,
    pub popsize: String,
    pub space: String,
    pub x: String,
    pub restart_seed: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Keys {
        Keys {
            generation: format!("{prefix}generation"),
            restart: format!("{prefix}n_restarts"),
            popsize: format!("{prefix}popsize"),
            space: format!("{prefix}search_space"),
            x: format!("{prefix}x"),
            restart_seed: format!("{prefix}restart_seed"),
        }
    }

    /// The tag stored on `t`, if it was sampled by CMA-ES.
    pub fn tag_of(&self, t: &FrozenTrial) -> Option<Tag> {
        let a = &t.system_attrs;
        Some(Tag {
            space: a.get(&self.space)?.as_str()?.to_owned(),
            restart: a.get(&self.restart).and_then(Value::as_u64).unwrap_or(0),
            generation: a.get(&self.generation)?.as_u64()?,
        })
    }
}

/// The value CMA-ES minimises for a finished trial, or `None` when the trial does not count.
pub(crate) fn solution_value(
    t: &FrozenTrial,
    consider_pruned: bool,
    maximize: bool,
) -> Option<f64> {
    let v = match t.state {
        TrialState::Complete => *t.values.as_ref()?.first()?,
        TrialState::Pruned if consider_pruned => t.last_step()?.1,
        _ => return None,
    };
    Some(if maximize { -v } else { v })
}

/// Finished trials of one study, by number.
#[derive(Debug, Default)]
pub(crate) struct History {
    study_id: Option<i64>,
    cursor: usize,
    pub entries: Vec<Entry>,
}

impl History {
    /// Reads the trials that finished since the last call (all of them for a new study or a
    /// filtered view).
    pub fn refresh(&mut self, study: &Study, keys: &Keys, consider_pruned: bool) -> Result<()> {
        if self.study_id != Some(study.study_id()) || study.is_filtered() {
            *self = History {
                study_id: Some(study.study_id()),
                ..History::default()
            };
        }
        let new = study.finished_trials_since(self.cursor)?;
        self.cursor = new.cursor;
        let maximize = study.directions().first() == Some(&hpo_core::StudyDirection::Maximize);
        for t in new.trials {
            let Some(value) = solution_value(&t, consider_pruned, maximize) else {
                continue;
            };
            let entry = Entry {
                number: t.number,
                value,
                tag: keys.tag_of(&t),
                trial: t,
            };
            let pos = self.entries.partition_point(|e| e.number < entry.number);
            self.entries.insert(pos, entry);
        }
        Ok(())
    }

    /// How many finished trials count.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
