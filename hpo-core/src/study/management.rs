//! Study management across a storage: summaries, names, deletion, copies (Optuna's module
//! functions `get_all_study_summaries`, `get_all_study_names`, `delete_study`, `copy_study`).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::storage::{Storage, StudyId};
use crate::study::StudyDirection;
use crate::trial::{Attrs, FrozenTrial};

/// What Optuna's `StudySummary` holds.
#[derive(Debug, Clone)]
pub struct StudySummary {
    /// The study's name.
    pub study_name: String,
    /// Its id in the storage.
    pub study_id: StudyId,
    /// One direction per objective.
    pub directions: Vec<StudyDirection>,
    /// The best Complete trial (single-objective studies with one).
    pub best_trial: Option<Arc<FrozenTrial>>,
    /// User attributes.
    pub user_attrs: Attrs,
    /// Number of trials in any state.
    pub n_trials: usize,
    /// When its first trial started.
    pub datetime_start: Option<DateTime<Utc>>,
}

/// A summary of every study in `storage`, by id.
pub fn get_all_study_summaries(
    storage: &dyn Storage,
    include_best_trial: bool,
) -> Result<Vec<StudySummary>> {
    storage
        .get_all_studies()?
        .into_iter()
        .map(|s| {
            let trials = storage.get_all_trials(s.study_id, None)?;
            let best_trial = if include_best_trial && s.directions.len() == 1 {
                storage.get_best_trial(s.study_id).ok()
            } else {
                None
            };
            Ok(StudySummary {
                study_name: s.name,
                study_id: s.study_id,
                directions: s.directions,
                best_trial,
                user_attrs: s.user_attrs,
                n_trials: trials.len(),
                datetime_start: trials.iter().filter_map(|t| t.datetime_start).min(),
            })
        })
        .collect()
}

/// The names of every study in `storage`.
pub fn get_all_study_names(storage: &dyn Storage) -> Result<Vec<String>> {
    Ok(storage
        .get_all_studies()?
        .into_iter()
        .map(|s| s.name)
        .collect())
}

/// Deletes the study named `name` and its trials.
pub fn delete_study(name: &str, storage: &dyn Storage) -> Result<()> {
    let id = storage.get_study_id_from_name(name)?;
    storage.delete_study(id)
}

/// Copies a study (directions, attributes, every trial with its state, datetimes, parameters,
/// values, attributes and intermediate values; numbers are reassigned in order) from one
/// storage to another, under `to_name` (default: the same name). Returns the new study's id.
pub fn copy_study(
    from_name: &str,
    from: &dyn Storage,
    to: &dyn Storage,
    to_name: Option<&str>,
) -> Result<StudyId> {
    let from_id = from.get_study_id_from_name(from_name)?;
    let name = to_name.unwrap_or(from_name);
    let directions = from.get_study_directions(from_id)?;
    let to_id = to.create_new_study(&directions, name)?;
    for (k, v) in from.get_study_user_attrs(from_id)? {
        to.set_study_user_attr(to_id, &k, v)?;
    }
    for (k, v) in from.get_study_system_attrs(from_id)? {
        to.set_study_system_attr(to_id, &k, v)?;
    }
    for t in from.get_all_trials(from_id, None)? {
        let template = FrozenTrial::clone(&t);
        to.create_new_trial(to_id, Some(&template))
            .map_err(|e| match e {
                Error::IncompatibleDistribution { .. } => e,
                other => Error::Storage(format!(
                    "copying trial {} of `{from_name}`: {other}",
                    t.number
                )),
            })?;
    }
    Ok(to_id)
}
