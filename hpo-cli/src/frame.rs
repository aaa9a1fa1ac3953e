//! `hpo export`'s CSV: Optuna's `study.trials_dataframe()` as pandas writes it with
//! `to_csv(index=False)`, cell for cell.
//!
//! The columns are those of `trials_dataframe()` (`optuna/study/_dataframe.py`): `number`,
//! `value` (`value_<metric>` with a metric name; `values_<i>` or `values_<metric>` for several
//! objectives), `datetime_start`, `datetime_complete`, `duration`, then `params_<name>`,
//! `user_attrs_<key>` and `system_attrs_<key>` (each group sorted), and `state`.
//!
//! How pandas writes a cell depends on the dtype it gives the whole column:
//!
//! * numbers only, with a float or a missing cell among them: `float64`, so integers are
//!   written as floats (`1.0`), infinities as `inf`, and NaN as an empty cell;
//! * datetimes: `2024-01-02 03:04:05.123456`, with as many fractional digits as the column
//!   needs (6, 3 or none) and the date alone when every time is midnight;
//! * durations: `0 days 00:00:01.500000`, likewise (`1 days` when all are whole days);
//! * anything else: Python's `str()` of each value (`{'a': 1}`, `[1.5, None]`, `True`), and an
//!   empty cell for `None` and NaN.
//!
//! Rows go through Python's `csv` writer: a field is quoted when it holds `,`, `"` or a newline.

use chrono::{DateTime, Duration, Timelike, Utc};
use hpo_core::{Result, Study};

use crate::output::{Cell, py_float_str};

/// One column of the frame, with the type pandas infers for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Series {
    /// Python values; `None` where the trial lacks the key.
    Cells(Vec<Option<Cell>>),
    /// Datetimes (`datetime64`); `None` is `NaT`.
    Datetimes(Vec<Option<DateTime<Utc>>>),
    /// Durations (`timedelta64`); `None` is `NaT`.
    Durations(Vec<Option<Duration>>),
}

/// The trials of a study as named columns, one row per trial.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// Column names and their cells, in order.
    pub columns: Vec<(String, Series)>,
}

/// Optuna's `study.trials_dataframe()` with its default attributes. A study without trials
/// has no column, as in Optuna (`pd.DataFrame()`).
pub fn trials_frame(study: &Study) -> Result<Frame> {
    let trials = study.trials()?;
    if trials.is_empty() {
        return Ok(Frame::default());
    }
    let metric_names = study.metric_names()?;
    let n_objectives = study.directions().len();
    let mut columns = vec![(
        "number".to_owned(),
        Series::Cells(
            trials
                .iter()
                .map(|t| Some(Cell::Int(t.number as i64)))
                .collect(),
        ),
    )];
    let value_names: Vec<String> = match (&metric_names, study.is_multi_objective()) {
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

    let mut params: Vec<&String> = trials.iter().flat_map(|t| t.params.keys()).collect();
    params.sort();
    params.dedup();
    for name in params {
        let cells = trials
            .iter()
            .map(|t| t.param(name).map(Cell::from_param))
            .collect();
        columns.push((flat_name("params", name), Series::Cells(cells)));
    }
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
        let mut keys: Vec<&String> = attrs.iter().flat_map(|a| a.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let cells = attrs
                .iter()
                .map(|a| a.get(key).map(Cell::from_json))
                .collect();
            columns.push((flat_name(group, key), Series::Cells(cells)));
        }
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

/// Optuna's `_flatten_columns`: `("params", "x")` → `params_x`; an empty key adds nothing.
fn flat_name(name: &str, key: &str) -> String {
    if key.is_empty() {
        name.to_owned()
    } else {
        format!("{name}_{key}")
    }
}

impl Frame {
    /// The frame as pandas' `to_csv(index=False)` writes it: a header line, then one line per
    /// trial, each ending in `\n`.
    pub fn to_csv(&self) -> String {
        let rendered: Vec<Vec<String>> = self.columns.iter().map(|(_, s)| s.render()).collect();
        let n_rows = rendered.first().map_or(0, Vec::len);
        let mut out = String::new();
        write_csv_row(self.columns.iter().map(|(name, _)| name.as_str()), &mut out);
        for row in 0..n_rows {
            write_csv_row(rendered.iter().map(|column| column[row].as_str()), &mut out);
        }
        out
    }
}

impl Series {
    /// The column's cells as pandas writes them to CSV (`na_rep=""`).
    pub fn render(&self) -> Vec<String> {
        match self {
            Series::Cells(cells) => render_cells(cells),
            Series::Datetimes(values) => render_datetimes(values),
            Series::Durations(values) => render_durations(values),
        }
    }
}

/// Whether pandas reads the cell as missing (`isna`): absent, `None` or NaN.
fn is_missing(cell: &Option<Cell>) -> bool {
    match cell {
        None | Some(Cell::None) => true,
        Some(Cell::Float(x)) => x.is_nan(),
        Some(_) => false,
    }
}

fn render_cells(cells: &[Option<Cell>]) -> Vec<String> {
    // `maybe_convert_objects`: only numbers, and a float or a missing value among them, give
    // `float64` (integers included); only integers give `int64`; anything else stays `object`
    // (or `str`), written with `str()`. Bools never mix into a number column.
    let numeric = cells
        .iter()
        .all(|c| is_missing(c) || matches!(c, Some(Cell::Int(_) | Cell::Float(_))));
    let all_int = cells.iter().all(|c| matches!(c, Some(Cell::Int(_))));
    let as_float = numeric && !all_int;
    cells
        .iter()
        .map(|cell| match cell {
            _ if is_missing(cell) => String::new(),
            Some(Cell::Int(i)) if as_float => py_float_str(*i as f64),
            Some(c) => c.py_str(),
            None => String::new(),
        })
        .collect()
}

fn render_datetimes(values: &[Option<DateTime<Utc>>]) -> Vec<String> {
    let present: Vec<&DateTime<Utc>> = values.iter().flatten().collect();
    let micros = |d: &DateTime<Utc>| d.timestamp_subsec_micros();
    let dates_only = present
        .iter()
        .all(|d| d.num_seconds_from_midnight() == 0 && micros(d) == 0);
    let format = if dates_only {
        "%Y-%m-%d"
    } else if present.iter().any(|d| micros(d) % 1000 != 0) {
        "%Y-%m-%d %H:%M:%S%.6f"
    } else if present.iter().any(|d| micros(d) != 0) {
        "%Y-%m-%d %H:%M:%S%.3f"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    values
        .iter()
        .map(|d| d.map_or_else(String::new, |d| d.format(format).to_string()))
        .collect()
}

/// `Timedelta._repr_base` as `get_format_timedelta64` picks it for the whole column:
/// `N days` when every value is whole days, `N days HH:MM:SS` when whole seconds, else with
/// six fractional digits. Negative values read `-1 days +23:59:59`.
fn render_durations(values: &[Option<Duration>]) -> Vec<String> {
    const SECOND: i64 = 1_000_000;
    const DAY: i64 = 86_400 * SECOND;
    let micros: Vec<Option<i64>> = values
        .iter()
        .map(|d| d.map(|d| d.num_microseconds().unwrap_or(i64::MAX)))
        .collect();
    let present = || micros.iter().flatten();
    let whole_days = present().all(|m| m % DAY == 0);
    let whole_seconds = present().all(|m| m % SECOND == 0);
    micros
        .iter()
        .map(|m| {
            let Some(m) = *m else {
                return String::new();
            };
            let days = m.div_euclid(DAY);
            if whole_days {
                return format!("{days} days");
            }
            let rest = m.rem_euclid(DAY);
            let seconds = rest / SECOND;
            let sign = if m < 0 { " +" } else { " " };
            let mut text = format!(
                "{days} days{sign}{:02}:{:02}:{:02}",
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            );
            if !whole_seconds {
                text.push_str(&format!(".{:06}", rest % SECOND));
            }
            text
        })
        .collect()
}

/// One row through Python's `csv.writer` (`QUOTE_MINIMAL`, `lineterminator="\n"`): a field
/// holding `,`, `"` or `\n` is quoted with its quotes doubled, and a row of one empty field is
/// written `""`.
fn write_csv_row<'a>(fields: impl Iterator<Item = &'a str>, out: &mut String) {
    let fields: Vec<&str> = fields.collect();
    if let [""] = fields.as_slice() {
        out.push_str("\"\"\n");
        return;
    }
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use indexmap::IndexMap;

    use super::*;

    fn render(cells: Vec<Option<Cell>>) -> Vec<String> {
        Series::Cells(cells).render()
    }

    // Expectations written from pandas 3 (`pd.DataFrame(records).to_csv(index=False)`).
    #[test]
    fn number_columns_follow_pandas_dtypes() {
        // int64: integers as they are.
        assert_eq!(
            render(vec![Some(Cell::Int(1)), Some(Cell::Int(-20))]),
            ["1", "-20"]
        );
        // float64: an integer next to a float, a missing cell or None is written as a float.
        assert_eq!(
            render(vec![Some(Cell::Int(1)), Some(Cell::Float(2.5))]),
            ["1.0", "2.5"]
        );
        assert_eq!(render(vec![Some(Cell::Int(3)), None]), ["3.0", ""]);
        assert_eq!(
            render(vec![Some(Cell::Int(3)), Some(Cell::None)]),
            ["3.0", ""]
        );
        assert_eq!(
            render(vec![Some(Cell::Int(i64::MAX)), None]),
            ["9.223372036854776e+18", ""]
        );
        assert_eq!(
            render(vec![
                Some(Cell::Float(f64::INFINITY)),
                Some(Cell::Float(f64::NEG_INFINITY)),
                Some(Cell::Float(f64::NAN)),
                Some(Cell::Float(1e16)),
                Some(Cell::Float(1e-5)),
                Some(Cell::Float(-0.0)),
                Some(Cell::Float(1e15)),
            ]),
            [
                "inf",
                "-inf",
                "",
                "1e+16",
                "1e-05",
                "-0.0",
                "1000000000000000.0"
            ]
        );
    }

    #[test]
    fn other_columns_are_python_str() {
        // A bool next to an integer keeps both as they are (object dtype).
        assert_eq!(
            render(vec![Some(Cell::Int(1)), Some(Cell::Bool(true))]),
            ["1", "True"]
        );
        assert_eq!(render(vec![Some(Cell::Bool(false)), None]), ["False", ""]);
        assert_eq!(
            render(vec![
                Some(Cell::Float(f64::INFINITY)),
                Some(Cell::Str("s".into())),
                Some(Cell::Float(f64::NAN)),
                Some(Cell::Int(2)),
                Some(Cell::None),
            ]),
            ["inf", "s", "", "2", ""]
        );
        let list = Cell::List(vec![
            Cell::Int(1),
            Cell::Str("x".into()),
            Cell::None,
            Cell::Bool(true),
            Cell::Float(f64::INFINITY),
            Cell::Float(f64::NAN),
            Cell::Map(IndexMap::from([("k".to_owned(), Cell::Str("v".into()))])),
        ]);
        let dict = Cell::Map(IndexMap::from([
            ("k".to_owned(), Cell::List(vec![Cell::Int(1), Cell::Int(2)])),
            ("q".to_owned(), Cell::Str("it's".into())),
        ]));
        assert_eq!(
            render(vec![Some(list), Some(dict), None]),
            [
                "[1, 'x', None, True, inf, nan, {'k': 'v'}]",
                "{'k': [1, 2], 'q': \"it's\"}",
                ""
            ]
        );
        assert_eq!(render(vec![Some(Cell::None), Some(Cell::None)]), ["", ""]);
    }

    #[test]
    fn datetimes_take_the_digits_the_column_needs() {
        let at = |s, micros| {
            Some(
                Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, s).unwrap() + Duration::microseconds(micros),
            )
        };
        let render = |v: Vec<Option<DateTime<Utc>>>| Series::Datetimes(v).render();
        assert_eq!(
            render(vec![at(5, 123_456), at(5, 0), None]),
            [
                "2024-01-02 03:04:05.123456",
                "2024-01-02 03:04:05.000000",
                ""
            ]
        );
        assert_eq!(
            render(vec![at(5, 123_000), at(5, 0)]),
            ["2024-01-02 03:04:05.123", "2024-01-02 03:04:05.000"]
        );
        assert_eq!(
            render(vec![at(5, 0), at(6, 0)]),
            ["2024-01-02 03:04:05", "2024-01-02 03:04:06"]
        );
        let midnight = |d| Some(Utc.with_ymd_and_hms(2024, 1, d, 0, 0, 0).unwrap());
        assert_eq!(
            render(vec![midnight(2), midnight(3), None]),
            ["2024-01-02", "2024-01-03", ""]
        );
        assert_eq!(render(vec![None, None]), ["", ""]);
    }

    #[test]
    fn durations_read_as_pandas_timedeltas() {
        let render = |v: Vec<Option<Duration>>| Series::Durations(v).render();
        let us = |m| Some(Duration::microseconds(m));
        assert_eq!(
            render(vec![
                us(24_442),
                Some(Duration::seconds(1)),
                None,
                Some(Duration::days(1) + Duration::seconds(3)),
                Some(Duration::days(2)),
                Some(Duration::seconds(-1)),
            ]),
            [
                "0 days 00:00:00.024442",
                "0 days 00:00:01.000000",
                "",
                "1 days 00:00:03.000000",
                "2 days 00:00:00.000000",
                "-1 days +23:59:59.000000"
            ]
        );
        assert_eq!(
            render(vec![Some(Duration::days(1)), Some(Duration::days(2)), None]),
            ["1 days", "2 days", ""]
        );
        assert_eq!(
            render(vec![Some(Duration::seconds(3723)), Some(Duration::zero())]),
            ["0 days 01:02:03", "0 days 00:00:00"]
        );
        assert_eq!(
            render(vec![Some(Duration::days(-1) + Duration::seconds(5))]),
            ["-1 days +00:00:05"]
        );
        assert_eq!(render(vec![us(-5)]), ["-1 days +23:59:59.999995"]);
    }

    #[test]
    fn rows_are_quoted_as_pythons_csv_writer_does() {
        let frame = Frame {
            columns: vec![
                (
                    "a,b".to_owned(),
                    Series::Cells(vec![
                        Some(Cell::Str("x,y".into())),
                        Some(Cell::Str("q\"q".into())),
                        Some(Cell::Str("l\nm".into())),
                    ]),
                ),
                (
                    "plain".to_owned(),
                    Series::Cells(vec![
                        Some(Cell::Str("cr\rx".into())),
                        Some(Cell::Str(" lead".into())),
                        Some(Cell::Str("é日本😀".into())),
                    ]),
                ),
                ("empty".to_owned(), Series::Cells(vec![None, None, None])),
            ],
        };
        assert_eq!(
            frame.to_csv(),
            "\"a,b\",plain,empty\n\"x,y\",cr\rx,\n\"q\"\"q\", lead,\n\"l\nm\",é日本😀,\n"
        );
        // One column: an empty cell alone on its row is written `""`.
        let one = Frame {
            columns: vec![(
                "a".to_owned(),
                Series::Cells(vec![Some(Cell::Int(1)), None]),
            )],
        };
        assert_eq!(one.to_csv(), "a\n1.0\n\"\"\n");
        // No trials: pandas writes an empty frame as one empty line.
        assert_eq!(Frame::default().to_csv(), "\n");
    }
}
