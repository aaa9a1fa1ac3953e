//! Exporting all trials as CSV or JSON: the equivalent of Optuna's `trials_dataframe`.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::json::python_float;
use crate::study::Study;
use crate::trial::FrozenTrial;

const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

impl Study {
    /// Writes every trial as CSV, one row per trial, with the columns of Optuna's
    /// `trials_dataframe()`: `number`, `value` (or `values_0`, ... / the metric names),
    /// `datetime_start`, `datetime_complete`, `duration` (seconds), `params_<name>`,
    /// `user_attrs_<key>`, `system_attrs_<key>`, `state`. Empty cells mean "not set".
    pub fn export_csv(&self, mut out: impl Write) -> Result<()> {
        let trials = self.trials()?;
        let value_columns = self.value_columns()?;
        let params: BTreeSet<&str> = trials
            .iter()
            .flat_map(|t| t.params.keys().map(String::as_str))
            .collect();
        let user: BTreeSet<&str> = trials
            .iter()
            .flat_map(|t| t.user_attrs.keys().map(String::as_str))
            .collect();
        let system: BTreeSet<&str> = trials
            .iter()
            .flat_map(|t| t.system_attrs.keys().map(String::as_str))
            .collect();

        let mut header: Vec<String> = vec!["number".into()];
        header.extend(value_columns.iter().cloned());
        header.extend(["datetime_start", "datetime_complete", "duration"].map(String::from));
        header.extend(params.iter().map(|p| format!("params_{p}")));
        header.extend(user.iter().map(|k| format!("user_attrs_{k}")));
        header.extend(system.iter().map(|k| format!("system_attrs_{k}")));
        header.push("state".into());
        write_row(&mut out, header.iter().map(String::as_str))?;

        for t in &trials {
            let mut row: Vec<String> = vec![t.number.to_string()];
            for i in 0..value_columns.len() {
                row.push(
                    t.values
                        .as_ref()
                        .and_then(|v| v.get(i))
                        .map_or_else(String::new, |v| python_float(*v)),
                );
            }
            row.push(
                t.datetime_start
                    .map_or_else(String::new, |d| d.format(DATETIME_FORMAT).to_string()),
            );
            row.push(
                t.datetime_complete
                    .map_or_else(String::new, |d| d.format(DATETIME_FORMAT).to_string()),
            );
            row.push(duration_seconds(t).map_or_else(String::new, |s| s.to_string()));
            for p in &params {
                row.push(t.param(p).map_or_else(String::new, cell_of_param));
            }
            for k in &user {
                row.push(t.user_attrs.get(*k).map_or_else(String::new, cell_of_json));
            }
            for k in &system {
                row.push(
                    t.system_attrs
                        .get(*k)
                        .map_or_else(String::new, cell_of_json),
                );
            }
            row.push(t.state.name().to_owned());
            write_row(&mut out, row.iter().map(String::as_str))?;
        }
        Ok(())
    }

    /// Writes every trial as a JSON array of objects: `number`, `state`, `values`,
    /// `datetime_start`, `datetime_complete`, `duration` (seconds), `params` (external values),
    /// `distributions` (Optuna's distribution JSON), `user_attrs`, `system_attrs`,
    /// `intermediate_values` (by step). Non-finite floats are written as `null`.
    pub fn export_json(&self, mut out: impl Write) -> Result<()> {
        let trials: Vec<Value> = self.trials()?.iter().map(|t| trial_to_json(t)).collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({
                "study_name": self.name(),
                "directions": self.directions().iter().map(|d| d.name()).collect::<Vec<_>>(),
                "trials": trials,
            }),
        )?;
        out.write_all(b"\n")?;
        Ok(())
    }

    fn value_columns(&self) -> Result<Vec<String>> {
        if let Some(names) = self.metric_names()? {
            return Ok(names.into_iter().map(|n| format!("values_{n}")).collect());
        }
        Ok(match self.directions().len() {
            1 => vec!["value".into()],
            n => (0..n).map(|i| format!("values_{i}")).collect(),
        })
    }
}

fn duration_seconds(t: &FrozenTrial) -> Option<f64> {
    t.duration()
        .map(|d| d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6)
}

fn trial_to_json(t: &FrozenTrial) -> Value {
    let num = |x: f64| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
    let params: Map<String, Value> = t
        .params
        .iter()
        .map(|(k, p)| (k.clone(), p.value.to_json()))
        .collect();
    let distributions: Map<String, Value> = t
        .params
        .iter()
        .map(|(k, p)| {
            (
                k.clone(),
                serde_json::from_str(&p.distribution.to_json()).unwrap_or(Value::Null),
            )
        })
        .collect();
    let intermediate: Map<String, Value> = t
        .intermediate_values
        .iter()
        .map(|(s, v)| (s.to_string(), num(*v)))
        .collect();
    json!({
        "number": t.number,
        "state": t.state.name(),
        "values": t.values.as_ref().map(|v| v.iter().map(|x| num(*x)).collect::<Vec<_>>()),
        "datetime_start": t.datetime_start.map(|d| d.format(DATETIME_FORMAT).to_string()),
        "datetime_complete": t.datetime_complete.map(|d| d.format(DATETIME_FORMAT).to_string()),
        "duration": duration_seconds(t),
        "params": params,
        "distributions": distributions,
        "user_attrs": t.user_attrs,
        "system_attrs": t.system_attrs,
        "intermediate_values": intermediate,
    })
}

fn cell_of_param(v: &crate::param::ParamValue) -> String {
    match v {
        crate::param::ParamValue::Str(s) => s.clone(),
        crate::param::ParamValue::Float(f) => python_float(*f),
        crate::param::ParamValue::Null => String::new(),
        other => other.to_json().to_string(),
    }
}

fn cell_of_json(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One CSV record (RFC 4180 quoting).
fn write_row<'a>(out: &mut impl Write, cells: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            line.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    Ok(())
}
