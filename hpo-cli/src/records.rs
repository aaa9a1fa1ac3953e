//! Trials and studies as records for [`crate::output`], with the columns of Optuna's CLI
//! (`optuna/study/_dataframe.py`, `_create_records_and_aggregate_column`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hpo_core::study::StudySummary;
use hpo_core::{FrozenTrial, Result, Study};

use crate::output::{Cell, Column, Record, Sub};

/// Optuna's CLI datetime format (`_DATETIME_FORMAT`).
const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A datetime as the CLI prints it (UTC, which is what hpo storages record).
pub fn format_datetime(d: Option<DateTime<Utc>>) -> Cell {
    d.map_or(Cell::None, |d| {
        Cell::Str(d.format(DATETIME_FORMAT).to_string())
    })
}

/// Python's `str(timedelta)`: `0:00:01.234567`, `1 day, 2:03:04`.
pub fn format_duration(d: chrono::Duration) -> String {
    let total = d.num_microseconds().unwrap_or(i64::MAX);
    const DAY: i64 = 86_400_000_000;
    let days = total.div_euclid(DAY);
    let rest = total.rem_euclid(DAY);
    let micros = rest % 1_000_000;
    let secs = rest / 1_000_000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = String::new();
    if days != 0 {
        let plural = if days.abs() != 1 { "s" } else { "" };
        out.push_str(&format!("{days} day{plural}, "));
    }
    out.push_str(&format!("{h}:{m:02}:{s:02}"));
    if micros != 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    out
}

/// Records and columns of `trials` with the attributes Optuna's `trials`, `best-trial` and
/// `best-trials` print: `number`, `value` (or `values`), `datetime_start`,
/// `datetime_complete`, `duration`, `params`, `user_attrs`, `state`. Columns are computed over
/// `all` (every trial of the study, as Optuna does), records only for `trials`.
pub fn trial_records(
    study: &Study,
    all: &[Arc<FrozenTrial>],
    trials: &[Arc<FrozenTrial>],
) -> Result<(Vec<Record>, Vec<Column>)> {
    if all.is_empty() {
        // Optuna derives the columns from the trials: no trial, no column.
        return Ok((Vec::new(), Vec::new()));
    }
    let metric_names = study.metric_names()?;
    let n_objectives = study.directions().len();
    let multi = study.is_multi_objective();
    let value_key = |i: usize| -> Sub {
        match &metric_names {
            Some(names) => Sub::Name(names.get(i).cloned().unwrap_or_default()),
            None if multi => Sub::Index(i),
            None => Sub::None,
        }
    };

    let mut params: BTreeSet<String> = BTreeSet::new();
    let mut user_attrs: BTreeSet<String> = BTreeSet::new();
    for t in all {
        params.extend(t.params.keys().cloned());
        user_attrs.extend(t.user_attrs.keys().cloned());
    }

    let value_name = if multi { "values" } else { "value" };
    let mut columns = vec![Column::plain("number")];
    let mut value_columns: Vec<Column> = (0..n_objectives)
        .map(|i| Column {
            name: value_name.to_owned(),
            sub: value_key(i),
        })
        .collect();
    if metric_names.is_none() {
        value_columns.sort();
    }
    columns.extend(value_columns.iter().cloned());
    columns.extend(
        ["datetime_start", "datetime_complete", "duration"]
            .into_iter()
            .map(Column::plain),
    );
    columns.extend(params.iter().map(|p| Column::named("params", p)));
    columns.extend(user_attrs.iter().map(|k| Column::named("user_attrs", k)));
    columns.push(Column::plain("state"));

    let records = trials
        .iter()
        .map(|t| {
            let mut r = Record::new();
            r.insert(Column::plain("number"), Cell::Int(t.number as i64));
            for (i, column) in value_columns.iter().enumerate() {
                let v = t.values.as_ref().and_then(|v| v.get(i).copied());
                r.insert(column.clone(), Cell::opt_float(v));
            }
            r.insert(
                Column::plain("datetime_start"),
                format_datetime(t.datetime_start),
            );
            r.insert(
                Column::plain("datetime_complete"),
                format_datetime(t.datetime_complete),
            );
            r.insert(
                Column::plain("duration"),
                t.duration()
                    .map_or(Cell::None, |d| Cell::Str(format_duration(d))),
            );
            for (name, p) in &t.params {
                r.insert(Column::named("params", name), Cell::from_param(&p.value));
            }
            for (key, v) in &t.user_attrs {
                r.insert(Column::named("user_attrs", key), Cell::from_json(v));
            }
            r.insert(Column::plain("state"), Cell::Str(t.state.name().to_owned()));
            r
        })
        .collect();
    Ok((records, columns))
}

/// Records and columns of Optuna's `studies`: `name`, `direction` (a tuple of names),
/// `n_trials`, `datetime_start`, and `user_attrs` when any study has some.
pub fn study_records(summaries: &[StudySummary]) -> (Vec<Record>, Vec<Column>) {
    let mut columns: Vec<Column> = ["name", "direction", "n_trials", "datetime_start"]
        .into_iter()
        .map(Column::plain)
        .collect();
    if summaries.iter().any(|s| !s.user_attrs.is_empty()) {
        columns.push(Column::plain("user_attrs"));
    }
    let records = summaries
        .iter()
        .map(|s| {
            let mut r = Record::new();
            r.insert(Column::plain("name"), Cell::Str(s.study_name.clone()));
            r.insert(
                Column::plain("direction"),
                Cell::Tuple(
                    s.directions
                        .iter()
                        .map(|d| Cell::Str(d.name().to_owned()))
                        .collect(),
                ),
            );
            r.insert(Column::plain("n_trials"), Cell::Int(s.n_trials as i64));
            r.insert(
                Column::plain("datetime_start"),
                format_datetime(s.datetime_start),
            );
            let attrs: &BTreeMap<String, serde_json::Value> = &s.user_attrs;
            r.insert(
                Column::plain("user_attrs"),
                Cell::Map(
                    attrs
                        .iter()
                        .map(|(k, v)| (k.clone(), Cell::from_json(v)))
                        .collect(),
                ),
            );
            r
        })
        .collect();
    (records, columns)
}

#[cfg(test)]
mod tests {
    use super::format_duration;
    use chrono::Duration;

    #[test]
    fn durations_print_as_python_timedeltas() {
        assert_eq!(
            format_duration(Duration::microseconds(1_234_567)),
            "0:00:01.234567"
        );
        assert_eq!(format_duration(Duration::seconds(3723)), "1:02:03");
        assert_eq!(
            format_duration(Duration::seconds(86_400 + 61)),
            "1 day, 0:01:01"
        );
        assert_eq!(
            format_duration(Duration::seconds(2 * 86_400)),
            "2 days, 0:00:00"
        );
    }
}
