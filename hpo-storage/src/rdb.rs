//! What the SQL storages share: Optuna's encodings of values and datetimes, and the per-study
//! cache that makes a read fetch only trials that are new or were unfinished at the last read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use hpo_core::storage::{FinishedSince, TrialId};
use hpo_core::{FrozenTrial, TrialState};

#[derive(Debug, Default)]
pub(crate) struct StudyCache {
    pub(crate) trials: BTreeMap<TrialId, Arc<FrozenTrial>>,
    pub(crate) unfinished: BTreeSet<TrialId>,
    pub(crate) max_id: TrialId,
    pub(crate) finished_log: Vec<TrialId>,
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

impl StudyCache {
    /// Takes in a freshly loaded trial, logging it as finished the first time it is seen so.
    pub(crate) fn record(&mut self, t: FrozenTrial) {
        let id = t.trial_id;
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
