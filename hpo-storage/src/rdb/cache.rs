//! Optuna's encodings of values and datetimes in its tables, and the per-study cache that makes
//! a read fetch only trials that are new or were unfinished at the last read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use hpo_core::storage::{FinishedSince, StudyId, StudyRecord, TrialId};
use hpo_core::{Distribution, Error, FrozenTrial, Result, Storage, TrialState};

#[derive(Debug, Default)]
pub(crate) struct StudyCache {
    pub(crate) trials: BTreeMap<TrialId, Arc<FrozenTrial>>,
    pub(crate) unfinished: BTreeSet<TrialId>,
    pub(crate) max_id: TrialId,
    pub(crate) finished_log: Vec<TrialId>,
    /// The distribution of every parameter name seen in a cached trial (a study uses one per
    /// name), so that setting a parameter rarely has to ask the database.
    pub(crate) distributions: HashMap<String, Distribution>,
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
        if t.state.is_finished() {
            if self.unfinished.remove(&id) || !self.trials.contains_key(&id) {
                self.finished_log.push(id);
            }
        } else {
            self.unfinished.insert(id);
        }
        self.trials.insert(id, Arc::new(t));
    }

    /// The trials in `states` (all when `None`), by number.
    pub(crate) fn trials_in(&self, states: Option<&[TrialState]>) -> Vec<Arc<FrozenTrial>> {
        let mut out: Vec<Arc<FrozenTrial>> = self
            .trials
            .values()
            .filter(|t| states.is_none_or(|s| s.contains(&t.state)))
            .cloned()
            .collect();
        out.sort_by_key(|t| t.number);
        out
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
