//! The trials of a study as a table: Optuna's `study.trials_dataframe()` and what pandas'
//! `to_csv(index=False)` writes for it, cell for cell, plus the Python value model the table
//! (and hpo's command line) prints with: [`Cell`], with Python's `str()`, `repr()` and
//! `json.dumps`.
//!
//! [`Study::trials_frame`](crate::Study::trials_frame) builds the [`Frame`] with the columns of
//! `trials_dataframe()` (`optuna/study/_dataframe.py`): `number`, `value` (`value_<metric>`
//! with a metric name; `values_<i>` or `values_<metric>` for several objectives),
//! `datetime_start`, `datetime_complete`, `duration`, then `params_<name>`,
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
use indexmap::IndexMap;
use serde_json::Value;

use crate::json;
use crate::param::ParamValue;

/// One value of a frame (or of any record printed as Python would print it), with Python's
/// types.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Python's `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Cell>),
    /// A tuple (printed `('a',)` in tables, a list in JSON and YAML).
    Tuple(Vec<Cell>),
    /// A dict, in insertion order.
    Map(IndexMap<String, Cell>),
}

impl Cell {
    /// A parameter value.
    pub fn from_param(value: &ParamValue) -> Cell {
        match value {
            ParamValue::Null => Cell::None,
            ParamValue::Bool(b) => Cell::Bool(*b),
            ParamValue::Int(i) => Cell::Int(*i),
            ParamValue::Float(f) => Cell::Float(*f),
            ParamValue::Str(s) => Cell::Str(s.clone()),
        }
    }

    /// A JSON value (attributes): integers stay integers, objects keep their order.
    pub fn from_json(value: &Value) -> Cell {
        match value {
            Value::Null => Cell::None,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Cell::Int(i),
                None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Cell::Str(s.clone()),
            Value::Array(a) => Cell::List(a.iter().map(Cell::from_json).collect()),
            Value::Object(o) => Cell::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Cell::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// A float, or `None` when absent.
    pub fn opt_float(value: Option<f64>) -> Cell {
        value.map_or(Cell::None, Cell::Float)
    }

    /// Python's `json.dumps(value)`: `", "` and `": "` separators, non-finite floats as the bare
    /// tokens `NaN`, `Infinity` and `-Infinity`, tuples as lists.
    ///
    /// ```
    /// use hpo_core::frame::Cell;
    /// let cell = Cell::List(vec![Cell::Float(f64::INFINITY), Cell::Str("é".into()), Cell::None]);
    /// assert_eq!(cell.to_python_json(), r#"[Infinity, "\u00e9", null]"#);
    /// ```
    pub fn to_python_json(&self) -> String {
        json::to_python_json(&self.to_json_tokens())
    }

    /// Python's `json.dumps(value, indent=indent)`.
    pub fn to_python_json_indented(&self, indent: usize) -> String {
        json::to_python_json_indented(&self.to_json_tokens(), indent)
    }

    /// The value for [`crate::json`]'s writers: non-finite floats become the markers of
    /// [`json::float_token`], so the result is meant for those writers only.
    fn to_json_tokens(&self) -> Value {
        match self {
            Cell::None => Value::Null,
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Int(i) => Value::from(*i),
            Cell::Float(f) => json::float_token(*f),
            Cell::Str(s) => Value::String(s.clone()),
            Cell::List(items) | Cell::Tuple(items) => {
                Value::Array(items.iter().map(Cell::to_json_tokens).collect())
            }
            Cell::Map(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), v.to_json_tokens()))
                    .collect(),
            ),
        }
    }

    /// Python's `str(value)`.
    pub fn py_str(&self) -> String {
        match self {
            Cell::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python's `repr(value)`.
    pub fn py_repr(&self) -> String {
        match self {
            Cell::None => "None".to_owned(),
            Cell::Bool(true) => "True".to_owned(),
            Cell::Bool(false) => "False".to_owned(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => py_float_str(*f),
            Cell::Str(s) => py_str_repr(s),
            Cell::List(items) => {
                let parts: Vec<String> = items.iter().map(Cell::py_repr).collect();
                format!("[{}]", parts.join(", "))
            }
            Cell::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(Cell::py_repr).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Cell::Map(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}: {}", py_str_repr(k), v.py_repr()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }
}

/// Python's `str(float)`: `0.1`, `1e-05`, `inf`, `nan`.
pub fn py_float_str(x: f64) -> String {
    ParamValue::Float(x).to_string()
}

/// Python's `repr(str)`: single quotes unless the text holds one and no double quote.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => {
                let code = c as u32;
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character, which `repr` escapes when false: controls,
/// separators other than the space, format characters, private use and noncharacters.
/// Exact for every assigned code point of Python 3.11's Unicode tables; unassigned ones, which
/// Python escapes too, are not told apart here.
fn py_printable(c: char) -> bool {
    let code = c as u32;
    !matches!(
        code,
        0..=0x1f
            | 0x7f..=0xa0
            | 0xad
            | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x1680
            | 0x180e
            | 0x2000..=0x200f
            | 0x2028..=0x202f
            | 0x205f..=0x206f
            | 0x3000
            | 0xe000..=0xf8ff
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x13438
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
            | 0xf0000..
    ) && code & 0xfffe != 0xfffe
}

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

/// A table of named columns, one row per trial: Optuna's `study.trials_dataframe()`, as
/// [`Study::trials_frame`](crate::Study::trials_frame) builds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// Column names and their cells, in order.
    pub columns: Vec<(String, Series)>,
}

impl Frame {
    /// The frame as pandas' `to_csv(index=False)` writes it: a header line, then one line per
    /// row, each ending in `\n`. A frame without columns is one empty line.
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

    #[test]
    fn python_reprs() {
        assert_eq!(Cell::Str("it's".into()).py_repr(), "\"it's\"");
        // Hand-checked against Python 3's repr: printable non-ASCII stays, the rest is escaped.
        assert_eq!(
            Cell::Str("é日本😀\u{1}\u{85}\u{a0}\u{ad}\u{200b}\u{2028}\u{3000}\u{feff}".into())
                .py_repr(),
            r"'é日本😀\x01\x85\xa0\xad\u200b\u2028\u3000\ufeff'"
        );
        assert_eq!(
            Cell::Str("\u{e000}\u{ffff}\u{e0001}\u{10ffff}¡".into()).py_repr(),
            r"'\ue000\uffff\U000e0001\U0010ffff¡'"
        );
        assert_eq!(Cell::Float(f64::INFINITY).py_str(), "inf");
        assert_eq!(Cell::Tuple(vec![]).py_repr(), "()");
        assert_eq!(
            Cell::Tuple(vec![Cell::Str("MINIMIZE".into())]).py_repr(),
            "('MINIMIZE',)"
        );
        assert_eq!(
            Cell::List(vec![Cell::None, Cell::Bool(true)]).py_repr(),
            "[None, True]"
        );
    }

    #[test]
    fn json_is_pythons_json_dumps() {
        // Hand-written from `json.dumps(doc, indent=2)` and `json.dumps(doc)`.
        let doc = Cell::Map(IndexMap::from([
            (
                "values".to_owned(),
                Cell::List(vec![
                    Cell::Float(f64::NEG_INFINITY),
                    Cell::Float(f64::INFINITY),
                    Cell::Float(f64::NAN),
                    Cell::Float(1e-5),
                    Cell::Int(3),
                ]),
            ),
            ("empty".to_owned(), Cell::List(vec![])),
            ("attrs".to_owned(), Cell::Map(IndexMap::new())),
            (
                "nested".to_owned(),
                Cell::Map(IndexMap::from([("é".to_owned(), Cell::None)])),
            ),
            (
                "tuple".to_owned(),
                Cell::Tuple(vec![Cell::Bool(true), Cell::Str("a\"b".into())]),
            ),
        ]));
        assert_eq!(
            doc.to_python_json_indented(2),
            "{\n  \"values\": [\n    -Infinity,\n    Infinity,\n    NaN,\n    1e-05,\n    3\n  \
             ],\n  \"empty\": [],\n  \"attrs\": {},\n  \
             \"nested\": {\n    \"\\u00e9\": null\n  },\n  \
             \"tuple\": [\n    true,\n    \"a\\\"b\"\n  ]\n}"
        );
        assert_eq!(
            doc.to_python_json(),
            concat!(
                r#"{"values": [-Infinity, Infinity, NaN, 1e-05, 3], "empty": [], "attrs": {}, "#,
                r#""nested": {"\u00e9": null}, "tuple": [true, "a\"b"]}"#
            )
        );
    }
}
