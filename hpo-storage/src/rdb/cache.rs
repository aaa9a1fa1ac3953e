//! Optuna's encodings of values and datetimes in its tables, and the per-study cache that makes
//! a read fetch only trials that are new or were unfinished at the last read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{Distribution, Error, FrozenTrial, Result, Storage, StudyDirection, TrialState};

#[derive(Debug, Default)]
pub(crate) struct StudyCache {
    pub(crate) trials: BTreeMap<TrialId, Arc<FrozenTrial>>,
    pub(crate) unfinished: BTreeSet<TrialId>,
    /// The highest key of the study's trials seen: the next look starts above it.
    pub(crate) max_id: TrialId,
    /// Whether the study's trials were read once.
    pub(crate) loaded: bool,
    pub(crate) finished_log: Vec<TrialId>,
    /// The distribution of every parameter name seen in a cached trial (a study uses one per
    /// name), so that setting a parameter rarely has to ask the database.
    pub(crate) distributions: HashMap<String, Distribution>,
    /// Trial keys by state.
    pub(crate) by_state: HashMap<TrialState, BTreeSet<TrialId>>,
    /// The study's directions, read once (they never change).
    pub(crate) directions: Option<Vec<StudyDirection>>,
    /// The best Complete trial so far, and the trials completed since it was last updated.
    best: Option<TrialId>,
    best_pending: Vec<TrialId>,
}

pub(crate) const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

pub(crate) fn to_db_time(t: DateTime<Utc>) -> String {
    t.format(TIME_FORMAT).to_string()
}

pub(crate) fn from_db_time(s: Option<String>) -> Option<DateTime<Utc>> {
    let s = s?;
    let s = s.trim_end_matches("+00:00").replace('T', " ");
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .map(|n| n.and_utc())
}

pub(crate) fn value_columns(v: f64) -> (Option<f64>, &'static str) {
    if v.is_nan() {
        (None, "NAN")
    } else if v == f64::INFINITY {
        (None, "INF_POS")
    } else if v == f64::NEG_INFINITY {
        (None, "INF_NEG")
    } else {
        (Some(v), "FINITE")
    }
}

pub(crate) fn from_value_columns(v: Option<f64>, kind: &str) -> f64 {
    match kind {
        "INF_POS" => f64::INFINITY,
        "INF_NEG" => f64::NEG_INFINITY,
        "NAN" => f64::NAN,
        _ => v.unwrap_or(f64::NAN),
    }
}

/// The trial `create_new_trial` stores: the template (or a new Running trial) with its start
/// time set if it runs and its completion time set if it is finished, as Optuna does.
pub(crate) fn trial_to_create(template: Option<&FrozenTrial>) -> FrozenTrial {
    let mut t = match template {
        Some(tpl) => tpl.clone(),
        None => FrozenTrial::new(TrialState::Running),
    };
    if t.state == TrialState::Running && t.datetime_start.is_none() {
        t.datetime_start = Some(hpo_core::storage::now());
    }
    if t.state.is_finished() && t.datetime_complete.is_none() {
        t.datetime_complete = Some(hpo_core::storage::now());
    }
    t
}

/// `get_all_studies` from the (id, name) rows of `studies`: each completed with its directions
/// and attributes.
pub(crate) fn study_records(
    storage: &impl Storage,
    ids: Vec<(StudyId, String)>,
) -> Result<Vec<StudyRecord>> {
    let mut records = Vec::with_capacity(ids.len());
    for (id, name) in ids {
        let record = (|| {
            Ok(StudyRecord {
                study_id: id,
                name,
                directions: storage.get_study_directions(id)?,
                user_attrs: storage.get_study_user_attrs(id)?,
                system_attrs: storage.get_study_system_attrs(id)?,
            })
        })();
        match record {
            Ok(r) => records.push(r),
            // Deleted by another worker between the listing and this read: the listing is of
            // the studies that exist, so it is left out rather than failing the whole list.
            Err(Error::StudyIdNotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(records)
}

impl StudyCache {
    /// Takes in a freshly loaded trial, logging it as finished the first time it is seen so.
    pub(crate) fn record(&mut self, t: FrozenTrial) {
        let id = t.trial_id;
        for (name, p) in &t.params {
            if !self.distributions.contains_key(name) {
                self.distributions
                    .insert(name.clone(), p.distribution.clone());
            }
        }
        self.max_id = self.max_id.max(id);
        let before = self.trials.get(&id).map(|old| old.state);
        if before != Some(t.state) {
            if let Some(old) = before
                && let Some(set) = self.by_state.get_mut(&old)
            {
                set.remove(&id);
            }
            self.by_state.entry(t.state).or_default().insert(id);
            if t.state == TrialState::Complete {
                self.best_pending.push(id);
            }
        }
        if t.state.is_finished() {
            if self.unfinished.remove(&id) || before.is_none() {
                self.finished_log.push(id);
            }
        } else {
            self.unfinished.insert(id);
        }
        self.trials.insert(id, Arc::new(t));
    }

    /// The trials in `states` (all when `None`), by number: a walk over those states' trials
    /// only.
    pub(crate) fn trials_in(&self, states: Option<&[TrialState]>) -> Vec<Arc<FrozenTrial>> {
        let mut out: Vec<Arc<FrozenTrial>> = match states {
            None => self.trials.values().cloned().collect(),
            Some(states) => {
                let mut ids: Vec<TrialId> = states
                    .iter()
                    .filter_map(|s| self.by_state.get(s))
                    .flatten()
                    .copied()
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids.iter().map(|id| self.trials[id].clone()).collect()
            }
        };
        // Numbers follow keys within a study (both are handed out under the study's lock), so
        // this is already sorted unless a database says otherwise.
        if !out.is_sorted_by_key(|t| t.number) {
            out.sort_by_key(|t| t.number);
        }
        out
    }

    /// How many trials are in `states` (all when `None`).
    pub(crate) fn count(&self, states: Option<&[TrialState]>) -> usize {
        match states {
            None => self.trials.len(),
            Some(states) => {
                let mut seen = states.to_vec();
                seen.sort_unstable();
                seen.dedup();
                seen.iter()
                    .filter_map(|s| self.by_state.get(s))
                    .map(BTreeSet::len)
                    .sum()
            }
        }
    }

    /// The best Complete trial for `direction`, folding in the trials completed since the last
    /// call (a Complete trial never changes again): the better value wins, and of equal values
    /// the lower number, as a walk over the trials by number would find.
    pub(crate) fn best(&mut self, direction: StudyDirection) -> Option<Arc<FrozenTrial>> {
        let value = |t: &FrozenTrial| t.values.as_ref().map_or(f64::NAN, |v| v[0]);
        for id in std::mem::take(&mut self.best_pending) {
            let Some(t) = self.trials.get(&id) else {
                continue;
            };
            let better = match self.best.and_then(|b| self.trials.get(&b)) {
                None => true,
                Some(b) => {
                    direction.is_better(value(t), value(b))
                        || (!direction.is_better(value(b), value(t)) && t.number < b.number)
                }
            };
            if better {
                self.best = Some(id);
            }
        }
        self.best.and_then(|b| self.trials.get(&b)).cloned()
    }

    /// The trials finished since `cursor` (an index into the finished log).
    pub(crate) fn finished_since(&self, cursor: usize) -> FinishedSince {
        let from = cursor.min(self.finished_log.len());
        FinishedSince {
            trials: self.finished_log[from..]
                .iter()
                .map(|id| self.trials[id].clone())
                .collect(),
            cursor: self.finished_log.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(id: TrialId, state: TrialState, value: Option<f64>) -> FrozenTrial {
        let mut t = FrozenTrial::new(state);
        t.trial_id = id;
        t.number = id as u64;
        t.values = value.map(|v| vec![v]);
        t
    }

    #[test]
    fn states_counts_and_the_best_trial_follow_each_update() {
        let mut c = StudyCache::default();
        c.record(trial(1, TrialState::Running, None));
        c.record(trial(2, TrialState::Complete, Some(3.0)));
        c.record(trial(3, TrialState::Waiting, None));
        assert_eq!(c.count(None), 3);
        assert_eq!(
            c.count(Some(&[TrialState::Running, TrialState::Waiting])),
            2
        );
        assert_eq!(c.best(StudyDirection::Minimize).unwrap().trial_id, 2);
        // Trial 1 finishes with an equal value: the lower number stays best; trial 3 with a
        // better one takes over.
        c.record(trial(1, TrialState::Complete, Some(3.0)));
        assert_eq!(c.best(StudyDirection::Minimize).unwrap().trial_id, 1);
        c.record(trial(3, TrialState::Complete, Some(-1.0)));
        assert_eq!(c.best(StudyDirection::Minimize).unwrap().trial_id, 3);
        assert_eq!(c.count(Some(&[TrialState::Running])), 0);
        let numbers: Vec<u64> = c
            .trials_in(Some(&[TrialState::Complete, TrialState::Complete]))
            .iter()
            .map(|t| t.number)
            .collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(c.finished_since(0).trials.len(), 3);
        let mut max = StudyCache::default();
        max.record(trial(1, TrialState::Complete, Some(1.0)));
        max.record(trial(2, TrialState::Complete, Some(5.0)));
        assert_eq!(max.best(StudyDirection::Maximize).unwrap().trial_id, 2);
    }
}
