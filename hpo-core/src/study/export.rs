//! Exporting all trials as CSV or JSON: Optuna's `study.trials_dataframe()` as pandas writes it,
//! and the trials as Python's `json.dumps(..., indent=2)` writes them. `hpo export` prints
//! exactly these bytes.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{DistributionError, Result};
use crate::frame::{Cell, Frame, Series};
use crate::json::{float_token, patch_non_finite, to_python_json_indented};
use crate::param::ParamValue;
use crate::study::Study;
use crate::trial::{Attrs, FrozenTrial};

/// The datetime format of the JSON export (microseconds, as Optuna stores them).
const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

impl Study {
    /// Optuna's `study.trials_dataframe()` with its default attributes: one row per trial, the
    /// columns described in [`crate::frame`]. A study without trials has no column, as in
    /// Optuna (`pd.DataFrame()`).
    pub fn trials_frame(&self) -> Result<Frame> {
        let trials = self.trials()?;
        if trials.is_empty() {
            return Ok(Frame::default());
        }
        let metric_names = self.metric_names()?;
        let n_objectives = self.directions().len();
        let mut columns = vec![(
            "number".to_owned(),
            Series::Cells(
                trials
                    .iter()
                    .map(|t| Some(Cell::Int(t.number as i64)))
                    .collect(),
            ),
        )];
        let value_names: Vec<String> = match (&metric_names, self.is_multi_objective()) {
            (None, false) => vec!["value".to_owned()],
            (Some(names), false) => vec![flat_name("value", &names[0])],
            (None, true) => (0..n_objectives).map(|i| format!("values_{i}")).collect(),
            (Some(names), true) => names.iter().map(|n| flat_name("values", n)).collect(),
        };
        for (i, name) in value_names.into_iter().enumerate() {
            let cells = trials
                .iter()
                .map(|t| {
                    let value = t.values.as_ref().and_then(|v| v.get(i).copied());
                    Some(Cell::opt_float(value))
                })
                .collect();
            columns.push((name, Series::Cells(cells)));
        }
        columns.push((
            "datetime_start".to_owned(),
            Series::Datetimes(trials.iter().map(|t| t.datetime_start).collect()),
        ));
        columns.push((
            "datetime_complete".to_owned(),
            Series::Datetimes(trials.iter().map(|t| t.datetime_complete).collect()),
        ));
        columns.push((
            "duration".to_owned(),
            Series::Durations(trials.iter().map(|t| t.duration()).collect()),
        ));

        let params = trials.iter().flat_map(|t| t.params.keys()).collect();
        columns.extend(keyed_columns("params", &trials, params, |t, name| {
            t.param(name).map(Cell::from_param)
        }));
        for (group, attrs) in [
            (
                "user_attrs",
                trials.iter().map(|t| &t.user_attrs).collect::<Vec<_>>(),
            ),
            (
                "system_attrs",
                trials.iter().map(|t| &t.system_attrs).collect(),
            ),
        ] {
            let keys = attrs.iter().flat_map(|a| a.keys()).collect();
            columns.extend(keyed_columns(group, &attrs, keys, |a, key| {
                a.get(key).map(Cell::from_json)
            }));
        }
        columns.push((
            "state".to_owned(),
            Series::Cells(
                trials
                    .iter()
                    .map(|t| Some(Cell::Str(t.state.name().to_owned())))
                    .collect(),
            ),
        ));
        Ok(Frame { columns })
    }

    /// Writes every trial as CSV: exactly what pandas'
    /// `study.trials_dataframe().to_csv(index=False)` writes in Optuna, cell for cell
    /// ([`Study::trials_frame`], [`Frame::to_csv`]).
    ///
    /// Columns: `number`, `value` (`values_<i>`, or `value_<metric>` / `values_<metric>` with
    /// metric names), `datetime_start`, `datetime_complete`, `duration` (a pandas timedelta,
    /// `0 days 00:00:01.500000`), `params_<name>`, `user_attrs_<key>`, `system_attrs_<key>`,
    /// `state`. Cells are pandas' (`inf`, `1.0` in a float column, Python's `str()` of dicts and
    /// lists); an empty cell is a missing value or NaN. A study without trials is one empty line.
    ///
    /// ```
    /// use hpo_core::Study;
    /// let study = Study::builder().build()?;
    /// study.optimize(1, |trial| Ok(trial.suggest_int("n", 1, 1)? as f64 * f64::INFINITY))?;
    /// let mut csv = Vec::new();
    /// study.export_csv(&mut csv)?;
    /// let csv = String::from_utf8(csv).unwrap();
    /// let mut lines = csv.lines();
    /// assert_eq!(
    ///     lines.next(),
    ///     Some("number,value,datetime_start,datetime_complete,duration,params_n,state")
    /// );
    /// assert!(lines.next().unwrap().starts_with("0,inf,"));
    /// # Ok::<(), hpo_core::Error>(())
    /// ```
    pub fn export_csv(&self, mut out: impl Write) -> Result<()> {
        out.write_all(self.trials_frame()?.to_csv().as_bytes())?;
        Ok(())
    }

    /// Writes the study as Python's `json.dumps(document, indent=2)` writes it, then a newline:
    /// an object with `study_name`, `directions` and `trials`, each trial with `number`,
    /// `state`, `values`, `datetime_start`, `datetime_complete`, `duration` (seconds),
    /// `params` (external values), `distributions` (Optuna's distribution JSON), `user_attrs`,
    /// `system_attrs` and `intermediate_values` (by step). Non-finite floats are Python's bare
    /// tokens `NaN`, `Infinity` and `-Infinity`, as Optuna's own JSON output writes them;
    /// missing values are `null`.
    pub fn export_json(&self, mut out: impl Write) -> Result<()> {
        let trials = self
            .trials()?
            .iter()
            .map(|t| trial_document(t))
            .collect::<Result<Vec<Value>>>()?;
        let mut document = Map::new();
        document.insert("study_name".to_owned(), self.name().into());
        document.insert(
            "directions".to_owned(),
            self.directions().iter().map(|d| d.name()).collect(),
        );
        document.insert("trials".to_owned(), Value::Array(trials));
        let mut text = to_python_json_indented(&Value::Object(document), 2);
        text.push('\n');
        out.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// One column per distinct key (in sorted order) of `keys`, named `group_key`, holding `cell`
/// of each row for that key.
fn keyed_columns<T>(
    group: &str,
    rows: &[T],
    mut keys: Vec<&String>,
    cell: impl Fn(&T, &str) -> Option<Cell>,
) -> Vec<(String, Series)> {
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let cells = rows.iter().map(|row| cell(row, key)).collect();
            (flat_name(group, key), Series::Cells(cells))
        })
        .collect()
}

/// Optuna's `_flatten_columns`: `("params", "x")` → `params_x`; an empty key adds nothing.
fn flat_name(name: &str, key: &str) -> String {
    if key.is_empty() {
        name.to_owned()
    } else {
        format!("{name}_{key}")
    }
}

/// One trial of the JSON export, with [`float_token`]s for its floats.
fn trial_document(t: &FrozenTrial) -> Result<Value> {
    let datetime = |d: Option<DateTime<Utc>>| {
        d.map_or(Value::Null, |d| {
            d.format(DATETIME_FORMAT).to_string().into()
        })
    };
    let attrs = |attrs: &Attrs| Value::Object(attrs.clone().into_iter().collect());
    let mut params = Map::new();
    let mut distributions = Map::new();
    for (name, p) in &t.params {
        params.insert(name.clone(), param_token(&p.value));
        let text = p.distribution.to_json();
        // Keeps a NaN choice as the marker that the writer prints as Python's bare `NaN`.
        let json = serde_json::from_str(&patch_non_finite(&text)).map_err(|e| {
            DistributionError::BadJson {
                json: text.clone(),
                reason: e.to_string(),
            }
        })?;
        distributions.insert(name.clone(), json);
    }
    let mut doc = Map::new();
    doc.insert("number".to_owned(), t.number.into());
    doc.insert("state".to_owned(), t.state.name().into());
    doc.insert(
        "values".to_owned(),
        t.values
            .as_ref()
            .map_or(Value::Null, |v| v.iter().map(|x| float_token(*x)).collect()),
    );
    doc.insert("datetime_start".to_owned(), datetime(t.datetime_start));
    doc.insert(
        "datetime_complete".to_owned(),
        datetime(t.datetime_complete),
    );
    doc.insert(
        "duration".to_owned(),
        t.duration().map_or(Value::Null, |d| {
            float_token(d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6)
        }),
    );
    doc.insert("params".to_owned(), Value::Object(params));
    doc.insert("distributions".to_owned(), Value::Object(distributions));
    doc.insert("user_attrs".to_owned(), attrs(&t.user_attrs));
    doc.insert("system_attrs".to_owned(), attrs(&t.system_attrs));
    doc.insert(
        "intermediate_values".to_owned(),
        Value::Object(
            t.intermediate_values
                .iter()
                .map(|(step, v)| (step.to_string(), float_token(*v)))
                .collect(),
        ),
    );
    Ok(Value::Object(doc))
}

/// A parameter value for the JSON export: as [`ParamValue::to_json`], but a non-finite float
/// stays a float (a [`float_token`]) instead of becoming `null`.
fn param_token(value: &ParamValue) -> Value {
    match value {
        ParamValue::Float(f) => float_token(*f),
        other => other.to_json(),
    }
}
