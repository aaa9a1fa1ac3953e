//! Output formats of the listing verbs, laid out as Optuna's CLI lays them out (`optuna/cli.py`,
//! `_format_output`): `table` (an ASCII box), `json` (Python's `json.dumps` with its `", "` and
//! `": "` separators), `yaml` (PyYAML's `safe_dump` block style, keys sorted) and `value`
//! (space-separated cells, one line per record).
//!
//! Records are keyed by [`Column`]s: a name and an optional nested key (`("params", "x")`,
//! `("values", 0)`). Without `--flatten`, nested columns are gathered into one object (or list)
//! per name; with it, each becomes its own `name_key` column ([`rows`]).
//!
//! One module a format: [`table`] (`table` and `value`), [`yaml`]; JSON and the Python value
//! model with its `str` / `repr` are hpo-core's ([`Cell`], `hpo_core::json`), shared with
//! `Study::export_json`.

mod rows;
mod table;
mod yaml;

use std::collections::HashMap;

use clap::ValueEnum;
pub use hpo_core::frame::{Cell, py_float_str};
use indexmap::IndexMap;

/// How a verb prints its records (`-f/--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Cells separated by spaces, one record per line (handy for `read` in shell scripts).
    Value,
    /// JSON on one line: an array of objects, or one object for single-record verbs.
    Json,
    /// An ASCII table.
    Table,
    /// YAML (block style, keys sorted).
    Yaml,
}

/// The nested part of a column key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sub {
    /// Not nested (`("number", "")`).
    None,
    /// A list position (`("values", 0)`).
    Index(usize),
    /// A dict key (`("params", "x")`).
    Name(String),
}

/// A column key: Optuna's `(name, nested)` tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Column {
    /// The top-level name (`number`, `params`, ...).
    pub name: String,
    /// The nested key, if any.
    pub sub: Sub,
}

impl Column {
    /// A non-nested column.
    pub fn plain(name: &str) -> Column {
        Column {
            name: name.to_owned(),
            sub: Sub::None,
        }
    }

    /// A column nested under a dict key.
    pub fn named(name: &str, key: &str) -> Column {
        Column {
            name: name.to_owned(),
            sub: Sub::Name(key.to_owned()),
        }
    }

    /// The column's name under `--flatten`: `name`, `name_0`, `name_key`.
    fn flat_name(&self) -> String {
        match &self.sub {
            Sub::None => self.name.clone(),
            Sub::Index(i) => format!("{}_{i}", self.name),
            Sub::Name(k) => format!("{}_{k}", self.name),
        }
    }
}

/// One record: cells by column (a column may be missing).
pub type Record = HashMap<Column, Cell>;

/// Formats `records` laid out by `columns`. With `single`, JSON and YAML print the one record
/// as an object instead of a list of one (Optuna's `best-trial` and `ask`).
pub fn format_output(
    records: &[Record],
    columns: &[Column],
    format: Format,
    flatten: bool,
    single: bool,
) -> String {
    let (rows, header) = rows::convert(records, columns, flatten);
    let doc = if single {
        rows.into_iter()
            .next()
            .map_or(Cell::Map(IndexMap::new()), Cell::Map)
    } else {
        Cell::List(rows.iter().cloned().map(Cell::Map).collect())
    };
    match format {
        Format::Value => table::dump_value(&rows::rows_of(&doc), &header)
            .trim()
            .to_owned(),
        Format::Table => table::dump_table(&rows::rows_of(&doc), &header)
            .trim()
            .to_owned(),
        Format::Json => doc.to_python_json(),
        Format::Yaml => yaml::dump_yaml(&doc).trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial_like() -> (Vec<Record>, Vec<Column>) {
        let columns = vec![
            Column::plain("number"),
            Column::plain("value"),
            Column::named("params", "lr"),
            Column::named("params", "opt"),
            Column::plain("state"),
        ];
        let mut a = Record::new();
        a.insert(Column::plain("number"), Cell::Int(0));
        a.insert(Column::plain("value"), Cell::Float(0.25));
        a.insert(Column::named("params", "lr"), Cell::Float(1e-5));
        a.insert(Column::named("params", "opt"), Cell::Str("adam".into()));
        a.insert(Column::plain("state"), Cell::Str("COMPLETE".into()));
        let mut b = Record::new();
        b.insert(Column::plain("number"), Cell::Int(1));
        b.insert(Column::plain("value"), Cell::None);
        b.insert(Column::named("params", "lr"), Cell::Float(0.1));
        b.insert(Column::plain("state"), Cell::Str("FAIL".into()));
        (vec![a, b], columns)
    }

    #[test]
    fn table_matches_optunas_layout() {
        let (records, columns) = trial_like();
        let out = format_output(&records, &columns, Format::Table, false, false);
        let expected = "\
+--------+-------+------------------------------+----------+
| number | value | params                       | state    |
+--------+-------+------------------------------+----------+
|      0 |  0.25 | {'lr': 1e-05, 'opt': 'adam'} | COMPLETE |
|      1 |       | {'lr': 0.1}                  | FAIL     |
+--------+-------+------------------------------+----------+";
        assert_eq!(out, expected);
    }

    #[test]
    fn flatten_splits_nested_columns() {
        let (records, columns) = trial_like();
        let out = format_output(&records, &columns, Format::Json, true, false);
        assert_eq!(
            out,
            r#"[{"number": 0, "value": 0.25, "params_lr": 1e-05, "params_opt": "adam", "state": "COMPLETE"}, {"number": 1, "value": null, "params_lr": 0.1, "state": "FAIL"}]"#
        );
        let out = format_output(&records, &columns, Format::Value, true, false);
        assert_eq!(out, "0 0.25 1e-05 adam COMPLETE\n1  0.1  FAIL");
    }

    #[test]
    fn indexed_columns_become_lists() {
        let at = |i| Column {
            name: "values".to_owned(),
            sub: Sub::Index(i),
        };
        let columns = vec![at(0), at(1)];
        let mut r = Record::new();
        r.insert(at(0), Cell::Float(1.0));
        r.insert(at(1), Cell::None);
        let out = format_output(&[r], &columns, Format::Json, false, true);
        assert_eq!(out, r#"{"values": [1.0, null]}"#);
    }

    #[test]
    fn tuples_flatten_by_position_and_print_as_python() {
        let columns = vec![Column::plain("name"), Column::plain("direction")];
        let mut r = Record::new();
        r.insert(Column::plain("name"), Cell::Str("s".into()));
        r.insert(
            Column::plain("direction"),
            Cell::Tuple(vec![Cell::Str("MINIMIZE".into())]),
        );
        let table = format_output(
            std::slice::from_ref(&r),
            &columns,
            Format::Value,
            false,
            false,
        );
        assert_eq!(table, "s ('MINIMIZE',)");
        let flat = format_output(&[r], &columns, Format::Json, true, false);
        assert_eq!(flat, r#"[{"name": "s", "direction_0": "MINIMIZE"}]"#);
    }

    #[test]
    fn yaml_is_block_style_with_sorted_keys() {
        let (records, columns) = trial_like();
        let out = format_output(&records, &columns, Format::Yaml, false, false);
        let expected = "\
- number: 0
  params:
    lr: 1.0e-05
    opt: adam
  state: COMPLETE
  value: 0.25
- number: 1
  params:
    lr: 0.1
  state: FAIL
  value: null";
        assert_eq!(out, expected);
    }
}
