//! Reading whole trials in one statement: a `UNION ALL` over `trials` and the five tables that
//! hang off it, each branch shaped into the same seven columns
//! `(kind, trial_id, n, x, a, b, c)` and sorted by trial, so that one pass over the rows
//! rebuilds every trial.
//!
//! | kind | table | n | x | a | b | c |
//! |---|---|---|---|---|---|---|
//! | 0 | trials | number | | state | datetime_start | datetime_complete |
//! | 1 | trial_params | param_id | param_value | param_name | distribution_json | |
//! | 2 | trial_values | objective | value | value_type | | |
//! | 3 | trial_user_attributes | | | key | value_json | |
//! | 4 | trial_system_attributes | | | key | value_json | |
//! | 5 | trial_intermediate_values | step | intermediate_value | intermediate_value_type | | |
//! | 9 | studies (whether the study exists) | | | | | |

use std::collections::HashMap;

use hpo_core::json::parse_python_json;
use hpo_core::storage::{StudyId, TrialId};
use hpo_core::{Distribution, Error, FrozenTrial, Param, TrialState};

use super::cache::{from_db_time, from_value_columns};
use super::sql::{Attempt, RdbBackend, Sql};

/// Which trials to read.
pub(crate) enum Which<'a> {
    /// One trial.
    One(TrialId),
    /// All of a study's trials (the first read of a study); the rows also say whether the
    /// study exists.
    Study(StudyId),
    /// These trials (at most [`MAX_KEYS`]).
    Keys(&'a [TrialId]),
}

/// The most keys one [`Which::Keys`] statement names; more are read in several statements.
pub(crate) const MAX_KEYS: usize = 256;

/// The branches of the union; `{T}` is the backend's text type, `{F}` the trial filter.
const BRANCHES: [&str; 6] = [
    "SELECT 0, trial_id, number, NULL, CAST(state AS {T}), CAST(datetime_start AS {T}), \
     CAST(datetime_complete AS {T}) FROM trials WHERE {F}",
    "SELECT 1, trial_id, param_id, param_value, param_name, distribution_json, NULL \
     FROM trial_params WHERE {F}",
    "SELECT 2, trial_id, objective, value, CAST(value_type AS {T}), NULL, NULL \
     FROM trial_values WHERE {F}",
    "SELECT 3, trial_id, 0, NULL, \"key\", value_json, NULL FROM trial_user_attributes WHERE {F}",
    "SELECT 4, trial_id, 0, NULL, \"key\", value_json, NULL FROM trial_system_attributes WHERE {F}",
    "SELECT 5, trial_id, step, intermediate_value, CAST(intermediate_value_type AS {T}), NULL, NULL \
     FROM trial_intermediate_values WHERE {F}",
];

/// The statement and its arguments. Every filter is one an index answers on every database
/// (a key, a list of keys, the study's index), whatever plan the server caches.
fn statement<B: RdbBackend>(which: &Which<'_>) -> (String, Vec<Sql>) {
    let (filter, filter_args, study) = match which {
        Which::One(id) => ("trial_id = ?".to_owned(), vec![Sql::Int(*id)], None),
        Which::Study(study_id) => (
            "trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?)".to_owned(),
            vec![Sql::Int(*study_id)],
            Some(*study_id),
        ),
        Which::Keys(keys) => {
            // Padded to a power of two by repeating the last key, so that a server prepares
            // a handful of statement shapes, not one per count.
            let slots = keys.len().max(1).next_power_of_two();
            let last = keys.last().copied().unwrap_or(0);
            let filter = format!("trial_id IN ({})", vec!["?"; slots].join(", "));
            let args = keys
                .iter()
                .copied()
                .chain(std::iter::repeat(last))
                .take(slots)
                .map(Sql::Int)
                .collect();
            (filter, args, None)
        }
    };
    let mut parts: Vec<String> = BRANCHES
        .iter()
        .map(|b| {
            b.replace("{T}", B::TEXT)
                .replace("{F}", &format!("({filter})"))
        })
        .collect();
    let mut args: Vec<Sql> = Vec::with_capacity(filter_args.len() * 6 + 1);
    for _ in 0..BRANCHES.len() {
        args.extend(filter_args.iter().cloned());
    }
    if let Some(study_id) = study {
        parts.push(
            "SELECT 9, study_id, 0, NULL, NULL, NULL, NULL FROM studies WHERE study_id = ?".into(),
        );
        args.push(Sql::Int(study_id));
    }
    (
        format!("{} ORDER BY 2, 1, 3", parts.join(" UNION ALL ")),
        args,
    )
}

/// What changed in the database since a study's cache last looked: whether the study still
/// exists, and the keys of its trials created since (above `after`, the highest key of the
/// study seen so far). One statement over the primary key or the study's index (SQLite and
/// MySQL answer `study_id = ? AND trial_id > ?` from the index on `study_id`, which holds the
/// key; PostgreSQL walks the primary key from `after`): its cost is the number of trials
/// created since, not the study's size. Keys of one study are committed in order (each
/// insert holds the study's row lock until its commit), so none can appear below `after`
/// later.
pub(crate) fn new_keys<B: RdbBackend>(
    b: &mut B,
    study_id: StudyId,
    after: TrialId,
) -> Attempt<(bool, Vec<TrialId>)> {
    let rows = b.query(
        "SELECT 0 FROM studies WHERE study_id = ? \
         UNION ALL SELECT trial_id FROM trials WHERE trial_id > ? AND study_id = ?",
        &[Sql::Int(study_id), Sql::Int(after), Sql::Int(study_id)],
    )?;
    let mut exists = false;
    let mut keys = Vec::new();
    for row in rows {
        match row.int(0)? {
            0 => exists = true,
            key => keys.push(key),
        }
    }
    Ok((exists, keys))
}

/// Reads the trials `which` names, by key; with [`Which::Study`], also whether the study
/// exists (`true` otherwise).
pub(crate) fn trials<B: RdbBackend>(
    b: &mut B,
    which: Which<'_>,
) -> Attempt<(bool, Vec<FrozenTrial>)> {
    let (sql, args) = statement::<B>(&which);
    let rows = b.query(&sql, &args)?;
    let mut exists = !matches!(which, Which::Study(_));
    let mut out: Vec<FrozenTrial> = Vec::new();
    // A study's trials repeat a handful of distributions: each JSON text is parsed once, and
    // the trials share what it gives (a categorical's choices are one allocation for all).
    let mut distributions: HashMap<String, Distribution> = HashMap::new();
    for row in rows {
        let kind = row.int(0)?;
        let id = row.int(1)?;
        if kind == 9 {
            exists = true;
            continue;
        }
        if kind == 0 {
            let state = row.text(4)?;
            let mut t = FrozenTrial::new(
                TrialState::from_name(&state)
                    .ok_or_else(|| Error::Storage(format!("unknown state {state}")))?,
            );
            t.trial_id = id;
            t.number = row.opt_int(2)?.unwrap_or(0) as u64;
            t.datetime_start = from_db_time(row.opt_text(5)?);
            t.datetime_complete = from_db_time(row.opt_text(6)?);
            out.push(t);
            continue;
        }
        // Rows come sorted by trial and kind, so a trial's own row precedes its parts.
        let Some(t) = out.last_mut().filter(|t| t.trial_id == id) else {
            continue;
        };
        match kind {
            1 => {
                let name = row.text(4)?;
                let x = row.opt_float(3)?.unwrap_or(f64::NAN);
                let json = row.text(5)?;
                let dist = match distributions.get(&json) {
                    Some(d) => d.clone(),
                    None => {
                        let d = Distribution::from_json(&json)?;
                        distributions.insert(json, d.clone());
                        d
                    }
                };
                // A corrupt row (a choice index past the last choice) is an error, not a panic.
                let param =
                    Param::try_from_internal(x, dist).map_err(|e| Error::param(name.clone(), e))?;
                t.params.insert(name, param);
            }
            2 => {
                let v = from_value_columns(row.opt_float(3)?, &row.text(4)?);
                t.values.get_or_insert_with(Vec::new).push(v);
            }
            3 | 4 => {
                let value = parse_python_json(&row.text(5)?)?;
                let target = if kind == 3 {
                    &mut t.user_attrs
                } else {
                    &mut t.system_attrs
                };
                target.insert(row.text(4)?, value);
            }
            5 => {
                let step = row.int(2)?;
                let v = from_value_columns(row.opt_float(3)?, &row.text(4)?);
                t.intermediate_values.insert(step as u64, v);
            }
            _ => {}
        }
    }
    Ok((exists, out))
}
