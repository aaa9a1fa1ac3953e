//! Journal records: Optuna's op codes and field names, and applying a record to the replayed
//! state.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::distributions::Distribution;
use crate::error::{Error, Result};
use crate::json::{float_token, value_to_float};
use crate::storage::{InMemoryStorage, Storage};
use crate::study::StudyDirection;
use crate::trial::{Attrs, FrozenTrial, Param, TrialState};

/// Optuna's `JournalOperation` codes.
pub mod op {
    /// CREATE_STUDY
    pub const CREATE_STUDY: i64 = 0;
    /// DELETE_STUDY
    pub const DELETE_STUDY: i64 = 1;
    /// SET_STUDY_USER_ATTR
    pub const SET_STUDY_USER_ATTR: i64 = 2;
    /// SET_STUDY_SYSTEM_ATTR
    pub const SET_STUDY_SYSTEM_ATTR: i64 = 3;
    /// CREATE_TRIAL
    pub const CREATE_TRIAL: i64 = 4;
    /// SET_TRIAL_PARAM
    pub const SET_TRIAL_PARAM: i64 = 5;
    /// SET_TRIAL_STATE_VALUES
    pub const SET_TRIAL_STATE_VALUES: i64 = 6;
    /// SET_TRIAL_INTERMEDIATE_VALUE
    pub const SET_TRIAL_INTERMEDIATE_VALUE: i64 = 7;
    /// SET_TRIAL_USER_ATTR
    pub const SET_TRIAL_USER_ATTR: i64 = 8;
    /// SET_TRIAL_SYSTEM_ATTR
    pub const SET_TRIAL_SYSTEM_ATTR: i64 = 9;
    /// DISCARD_TRIALS (rustuna; Optuna 5.0 skips it)
    pub const DISCARD_TRIALS: i64 = 10;
}

/// Optuna's journal timestamp: ISO 8601 with microseconds and `+00:00`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%:z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| {
            // A naive timestamp: taken as UTC.
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// A record under construction: `op_code` and `worker_id` first, as Optuna writes them.
pub fn record(op_code: i64, worker_id: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("op_code".into(), op_code.into());
    m.insert("worker_id".into(), worker_id.into());
    m
}

/// The JSON values of `values`, with non-finite floats as Python's bare tokens.
pub fn float_list(values: &[f64]) -> Value {
    Value::Array(values.iter().map(|v| float_token(*v)).collect())
}

/// The fields of a CREATE_TRIAL record for a template trial.
pub fn template_fields(m: &mut Map<String, Value>, t: &FrozenTrial, n_objectives: usize) {
    m.insert(
        "datetime_start".into(),
        t.datetime_start
            .map(format_time)
            .map_or(Value::Null, Value::from),
    );
    m.insert("state".into(), (t.state as i64).into());
    match (&t.values, n_objectives) {
        (Some(v), 1) if v.len() == 1 => {
            m.insert("value".into(), float_token(v[0]));
            m.insert("values".into(), Value::Null);
        }
        (Some(v), _) => {
            m.insert("value".into(), Value::Null);
            m.insert("values".into(), float_list(v));
        }
        (None, _) => {
            m.insert("value".into(), Value::Null);
            m.insert("values".into(), Value::Null);
        }
    }
    if let Some(c) = t.datetime_complete {
        m.insert("datetime_complete".into(), format_time(c).into());
    }
    let dists: Map<String, Value> = t
        .params
        .iter()
        .map(|(k, p)| (k.clone(), Value::from(p.distribution.to_json())))
        .collect();
    let params: Map<String, Value> = t
        .params
        .iter()
        .map(|(k, p)| (k.clone(), float_token(p.internal)))
        .collect();
    m.insert("distributions".into(), Value::Object(dists));
    m.insert("params".into(), Value::Object(params));
    m.insert(
        "user_attrs".into(),
        Value::Object(t.user_attrs.clone().into_iter().collect()),
    );
    m.insert(
        "system_attrs".into(),
        Value::Object(t.system_attrs.clone().into_iter().collect()),
    );
    let iv: Map<String, Value> = t
        .intermediate_values
        .iter()
        .map(|(s, v)| (s.to_string(), float_token(*v)))
        .collect();
    m.insert("intermediate_values".into(), Value::Object(iv));
}

fn bad(what: &str) -> Error {
    Error::Storage(format!("malformed journal record: {what}"))
}

/// Field `key` of `r` as `read` reads it; a missing field, or one `read` refuses, makes the
/// record malformed.
fn field<'a, T>(
    r: &'a Map<String, Value>,
    key: &str,
    read: impl FnOnce(&'a Value) -> Option<T>,
) -> Result<T> {
    r.get(key).and_then(read).ok_or_else(|| bad(key))
}

fn id(r: &Map<String, Value>, key: &str) -> Result<i64> {
    field(r, key, Value::as_i64)
}

fn single_attr(r: &Map<String, Value>, key: &str) -> Result<(String, Value)> {
    let obj = field(r, key, Value::as_object)?;
    obj.iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .ok_or_else(|| bad(key))
}

/// The trial a CREATE_TRIAL record describes (`None` for a plain Running trial).
fn template_of(r: &Map<String, Value>) -> Result<FrozenTrial> {
    let state = r
        .get("state")
        .and_then(Value::as_i64)
        .map_or(Ok(TrialState::Running), |c| {
            TrialState::from_code(c).ok_or_else(|| bad("state"))
        })?;
    let mut t = FrozenTrial::new(state);
    t.datetime_start = r.get("datetime_start").and_then(parse_time);
    t.datetime_complete = r.get("datetime_complete").and_then(parse_time);
    if let Some(vs) = r.get("values").and_then(Value::as_array) {
        t.values = Some(
            vs.iter()
                .map(|v| value_to_float(v).unwrap_or(f64::NAN))
                .collect(),
        );
    } else if let Some(v) = r.get("value").and_then(value_to_float) {
        t.values = Some(vec![v]);
    }
    let dists = r.get("distributions").and_then(Value::as_object);
    if let Some(params) = r.get("params").and_then(Value::as_object) {
        for (name, v) in params {
            let d = dists
                .and_then(|d| d.get(name))
                .and_then(Value::as_str)
                .ok_or_else(|| bad("distribution of a param"))?;
            let dist = Distribution::from_json(d)?;
            let x = value_to_float(v).ok_or_else(|| bad("param value"))?;
            t.params
                .insert(name.clone(), Param::try_from_internal(x, dist)?);
        }
    }
    let attrs = |key: &str| -> Attrs {
        r.get(key)
            .and_then(Value::as_object)
            .map(|o| o.clone().into_iter().collect())
            .unwrap_or_default()
    };
    t.user_attrs = attrs("user_attrs");
    t.system_attrs = attrs("system_attrs");
    if let Some(iv) = r.get("intermediate_values").and_then(Value::as_object) {
        let mut m = BTreeMap::new();
        for (s, v) in iv {
            if let (Ok(step), Some(x)) = (s.parse::<u64>(), value_to_float(v)) {
                m.insert(step, x);
            }
        }
        t.intermediate_values = m;
    }
    Ok(t)
}

/// Applies one record to the replayed state. An error means the record is not applicable (an
/// unknown study or trial, an update of a finished trial, a duplicate name, a Running trial made
/// Running again): Optuna drops such records, and only the worker that wrote it sees the error.
pub fn apply(mem: &InMemoryStorage, r: &Map<String, Value>) -> Result<()> {
    let op_code = field(r, "op_code", Value::as_i64)?;
    match op_code {
        op::CREATE_STUDY => {
            let name = field(r, "study_name", Value::as_str)?;
            let directions = field(r, "directions", Value::as_array)?
                .iter()
                .map(|d| {
                    d.as_i64()
                        .and_then(StudyDirection::from_code)
                        .ok_or_else(|| bad("direction"))
                })
                .collect::<Result<Vec<_>>>()?;
            mem.create_new_study(&directions, name).map(|_| ())
        }
        op::DELETE_STUDY => mem.delete_study(id(r, "study_id")?),
        op::SET_STUDY_USER_ATTR => {
            let (k, v) = single_attr(r, "user_attr")?;
            mem.set_study_user_attr(id(r, "study_id")?, &k, v)
        }
        op::SET_STUDY_SYSTEM_ATTR => {
            let (k, v) = single_attr(r, "system_attr")?;
            mem.set_study_system_attr(id(r, "study_id")?, &k, v)
        }
        op::CREATE_TRIAL => {
            let study_id = id(r, "study_id")?;
            let template = template_of(r)?;
            mem.create_new_trial(study_id, Some(&template)).map(|_| ())
        }
        op::SET_TRIAL_PARAM => {
            let name = field(r, "param_name", Value::as_str)?;
            let x = field(r, "param_value_internal", value_to_float)?;
            let d = Distribution::from_json(field(r, "distribution", Value::as_str)?)?;
            mem.set_trial_param(id(r, "trial_id")?, name, x, &d)
        }
        op::SET_TRIAL_STATE_VALUES => {
            let trial_id = id(r, "trial_id")?;
            let state = field(r, "state", |v| v.as_i64().and_then(TrialState::from_code))?;
            let values: Option<Vec<f64>> = r.get("values").and_then(Value::as_array).map(|a| {
                a.iter()
                    .map(|v| value_to_float(v).unwrap_or(f64::NAN))
                    .collect()
            });
            let when = match state {
                TrialState::Running => r.get("datetime_start"),
                _ => r.get("datetime_complete"),
            }
            .and_then(parse_time)
            .unwrap_or_else(Utc::now);
            if mem.set_trial_state_values_at(trial_id, state, values.as_deref(), when)? {
                Ok(())
            } else {
                Err(Error::Storage(format!(
                    "trial id {trial_id} is not Waiting: it cannot be made Running"
                )))
            }
        }
        op::SET_TRIAL_INTERMEDIATE_VALUE => {
            let step = field(r, "step", Value::as_u64)?;
            let v = field(r, "intermediate_value", value_to_float)?;
            mem.set_trial_intermediate_value(id(r, "trial_id")?, step, v)
        }
        op::SET_TRIAL_USER_ATTR => {
            let (k, v) = single_attr(r, "user_attr")?;
            mem.set_trial_user_attr(id(r, "trial_id")?, &k, v)
        }
        op::SET_TRIAL_SYSTEM_ATTR => {
            let (k, v) = single_attr(r, "system_attr")?;
            mem.set_trial_system_attr(id(r, "trial_id")?, &k, v)
        }
        op::DISCARD_TRIALS => Ok(()),
        other => Err(bad(&format!("unknown op_code {other}"))),
    }
}
