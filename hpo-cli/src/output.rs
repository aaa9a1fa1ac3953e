//! Output formats of the listing verbs, laid out as Optuna's CLI lays them out (`optuna/cli.py`,
//! `_format_output`): `table` (an ASCII box), `json` (Python's `json.dumps` with its `", "` and
//! `": "` separators), `yaml` (PyYAML's `safe_dump` block style, keys sorted) and `value`
//! (space-separated cells, one line per record).
//!
//! Records are keyed by [`Column`]s: a name and an optional nested key (`("params", "x")`,
//! `("values", 0)`). Without `--flatten`, nested columns are gathered into one object (or list)
//! per name; with it, each becomes its own `name_key` column.

use std::collections::HashMap;

use clap::ValueEnum;
pub use hpo_core::frame::{Cell, py_float_str};
use hpo_core::json::python_float;
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
    let (rows, header) = convert(records, columns, flatten);
    let doc = if single {
        rows.into_iter()
            .next()
            .map_or(Cell::Map(IndexMap::new()), Cell::Map)
    } else {
        Cell::List(rows.iter().cloned().map(Cell::Map).collect())
    };
    match format {
        Format::Value => dump_value(&rows_of(&doc), &header).trim().to_owned(),
        Format::Table => dump_table(&rows_of(&doc), &header).trim().to_owned(),
        Format::Json => doc.to_python_json(),
        Format::Yaml => dump_yaml(&doc).trim().to_owned(),
    }
}

/// Whether `cell` is a list or a tuple, which `--flatten` splits by position.
fn is_sequence(cell: &Cell) -> bool {
    matches!(cell, Cell::List(_) | Cell::Tuple(_))
}

fn rows_of(doc: &Cell) -> Vec<IndexMap<String, Cell>> {
    match doc {
        Cell::Map(m) => vec![m.clone()],
        Cell::List(items) => items
            .iter()
            .filter_map(|c| match c {
                Cell::Map(m) => Some(m.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Optuna's `_convert_to_dict`: records keyed by column tuples become plain dicts (nested or
/// flattened) plus the header.
fn convert(
    records: &[Record],
    columns: &[Column],
    flatten: bool,
) -> (Vec<IndexMap<String, Cell>>, Vec<String>) {
    let mut header: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(records.len());
    let has_sequence = |column: &Column| {
        records
            .iter()
            .any(|r| r.get(column).is_some_and(is_sequence))
    };
    if flatten {
        for column in columns {
            if column.sub != Sub::None {
                header.push(column.flat_name());
            } else if has_sequence(column) {
                let max_len = records
                    .iter()
                    .filter_map(|r| match r.get(column) {
                        Some(Cell::List(v) | Cell::Tuple(v)) => Some(v.len()),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                header.extend((0..max_len).map(|i| format!("{}_{i}", column.name)));
            } else {
                header.push(column.name.clone());
            }
        }
        for record in records {
            let mut row = IndexMap::new();
            for column in columns {
                let Some(value) = record.get(column) else {
                    continue;
                };
                if column.sub != Sub::None {
                    row.insert(column.flat_name(), value.clone());
                } else if has_sequence(column) {
                    if let Cell::List(items) | Cell::Tuple(items) = value {
                        for (i, v) in items.iter().enumerate() {
                            row.insert(format!("{}_{i}", column.name), v.clone());
                        }
                    }
                } else {
                    row.insert(column.name.clone(), value.clone());
                }
            }
            rows.push(row);
        }
    } else {
        for column in columns {
            if !header.contains(&column.name) {
                header.push(column.name.clone());
            }
        }
        for record in records {
            let mut row: IndexMap<String, Cell> = header
                .iter()
                .map(|h| (h.clone(), Cell::Map(IndexMap::new())))
                .collect();
            for column in columns {
                let Some(value) = record.get(column) else {
                    continue;
                };
                let Some(slot) = row.get_mut(&column.name) else {
                    continue;
                };
                match &column.sub {
                    Sub::Index(i) => {
                        if matches!(slot, Cell::Map(m) if m.is_empty()) {
                            *slot = Cell::List(Vec::new());
                        }
                        if let Cell::List(items) = slot {
                            if items.len() <= *i {
                                items.resize(i + 1, Cell::None);
                            }
                            items[*i] = value.clone();
                        }
                    }
                    Sub::Name(key) => {
                        if let Cell::Map(m) = slot {
                            m.insert(key.clone(), value.clone());
                        }
                    }
                    Sub::None => *slot = value.clone(),
                }
            }
            rows.push(row);
        }
    }
    (rows, header)
}

fn dump_value(rows: &[IndexMap<String, Cell>], header: &[String]) -> String {
    rows.iter()
        .map(|row| {
            header
                .iter()
                .map(|h| match row.get(h) {
                    None | Some(Cell::None) => String::new(),
                    Some(c) => c.py_str(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Optuna's `_dump_table`: numeric columns right-aligned, others left-aligned, `None` blank.
fn dump_table(rows: &[IndexMap<String, Cell>], header: &[String]) -> String {
    let width = |s: &str| s.chars().count();
    let pad = |s: &str, w: usize, right: bool| {
        let fill = " ".repeat(w.saturating_sub(width(s)));
        if right {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    };
    let mut separator = String::from("+");
    let mut header_line = String::from("|");
    let mut lines: Vec<String> = vec![String::from("|"); rows.len()];
    for name in header {
        let cells: Vec<Cell> = rows
            .iter()
            .map(|r| r.get(name).cloned().unwrap_or(Cell::None))
            .collect();
        let numeric = cells.iter().all(|c| {
            matches!(
                c,
                Cell::None | Cell::Bool(_) | Cell::Int(_) | Cell::Float(_)
            )
        });
        let max_width = cells
            .iter()
            .map(|c| width(&c.py_str()))
            .chain(std::iter::once(width(name)))
            .max()
            .unwrap_or(0);
        separator.push_str(&"-".repeat(max_width + 2));
        separator.push('+');
        header_line.push_str(&format!(" {} |", pad(name, max_width, numeric)));
        for (line, cell) in lines.iter_mut().zip(&cells) {
            let text = match cell {
                Cell::None => " ".repeat(max_width),
                c => pad(&c.py_str(), max_width, numeric),
            };
            line.push_str(&format!(" {text} |"));
        }
    }
    let mut out = String::new();
    for line in [&separator, &header_line, &separator]
        .into_iter()
        .chain(lines.iter())
        .chain(std::iter::once(&separator))
    {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// PyYAML's `safe_dump` layout: block style, two-space indentation, sequences inside mappings
/// not indented, keys sorted, `{}` / `[]` for empty collections.
pub fn dump_yaml(doc: &Cell) -> String {
    match doc {
        Cell::Map(m) if !m.is_empty() => yaml_map(m, 0),
        Cell::List(v) | Cell::Tuple(v) if !v.is_empty() => yaml_list(v, 0),
        scalar => format!("{}\n", yaml_scalar(scalar)),
    }
}

fn yaml_map(map: &IndexMap<String, Cell>, indent: usize) -> String {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let mut out = String::new();
    for key in keys {
        let value = &map[key];
        out.push_str(&" ".repeat(indent));
        out.push_str(&yaml_str(key));
        out.push(':');
        match value {
            Cell::Map(m) if !m.is_empty() => {
                out.push('\n');
                out.push_str(&yaml_map(m, indent + 2));
            }
            Cell::List(v) | Cell::Tuple(v) if !v.is_empty() => {
                out.push('\n');
                out.push_str(&yaml_list(v, indent));
            }
            scalar => {
                out.push(' ');
                out.push_str(&yaml_scalar(scalar));
                out.push('\n');
            }
        }
    }
    out
}

fn yaml_list(items: &[Cell], indent: usize) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Cell::Map(m) if !m.is_empty() => {
                out.push_str(&yaml_map(m, indent + 2)[indent + 2..]);
            }
            Cell::List(v) | Cell::Tuple(v) if !v.is_empty() => {
                out.push_str(&yaml_list(v, indent + 2)[indent + 2..]);
            }
            scalar => {
                out.push_str(&yaml_scalar(scalar));
                out.push('\n');
            }
        }
    }
    out
}

fn yaml_scalar(cell: &Cell) -> String {
    match cell {
        Cell::None => "null".to_owned(),
        Cell::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => yaml_float(*f),
        Cell::Str(s) => yaml_str(s),
        Cell::Map(_) => "{}".to_owned(),
        Cell::List(_) | Cell::Tuple(_) => "[]".to_owned(),
    }
}

/// PyYAML's float: `repr` lowercased, `.0` added before an exponent without a dot, `.inf`,
/// `-.inf`, `.nan`.
fn yaml_float(x: f64) -> String {
    if x.is_nan() {
        return ".nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let repr = python_float(x).to_lowercase();
    if !repr.contains('.') && repr.contains('e') {
        repr.replacen('e', ".0e", 1)
    } else {
        repr
    }
}

/// A YAML string scalar: plain when that reads back as the same string, single-quoted when
/// it would read as another type or holds indicators, double-quoted with escapes when it
/// holds control or non-ASCII characters (PyYAML's escapes: `\n`, `\e`, `\N`, ..., else
/// `\xNN` below U+0100, `\uNNNN` in the BMP and `\UNNNNNNNN` above).
fn yaml_str(s: &str) -> String {
    let needs_escapes = s.chars().any(|c| (c as u32) < 0x20 || (c as u32) >= 0x7f);
    if needs_escapes {
        let mut out = String::from("\"");
        for c in s.chars() {
            match yaml_escape(c) {
                Some(escape) => {
                    out.push('\\');
                    out.push(escape);
                }
                None if (' '..='~').contains(&c) => out.push(c),
                // `safe_dump` leaves `allow_unicode` off: everything else is escaped by size.
                None if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
                None if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
                None => out.push_str(&format!("\\U{:08X}", c as u32)),
            }
        }
        out.push('"');
        return out;
    }
    if yaml_plain_ok(s) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// PyYAML's one-letter escapes in double-quoted scalars (`ESCAPE_REPLACEMENTS`).
fn yaml_escape(c: char) -> Option<char> {
    Some(match c {
        '\0' => '0',
        '\x07' => 'a',
        '\x08' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\x0b' => 'v',
        '\x0c' => 'f',
        '\r' => 'r',
        '\x1b' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{a0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => return None,
    })
}

fn yaml_plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with(' ') || s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    let second = s.chars().nth(1);
    match first {
        ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
        | '@' | '`' => return false,
        '-' | '?' | ':' if second.is_none_or(|c| c == ' ') => return false,
        _ => {}
    }
    let lower = s.to_ascii_lowercase();
    // The words PyYAML resolves as null or bool, and the value / merge indicators.
    const RESERVED: [&str; 11] = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "=", "<<", ".inf",
    ];
    if RESERVED.contains(&lower.as_str()) || lower == ".nan" || lower == "-.inf" {
        return false;
    }
    // Anything that could resolve as a number (ints, floats, hex, octal, sexagesimal).
    let numeric_start = first.is_ascii_digit() || matches!(first, '+' | '-' | '.');
    if numeric_start
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoO_.:+-".contains(c))
    {
        return false;
    }
    // Timestamps (`2024-01-02`, `2024-01-02 03:04:05`).
    let b = s.as_bytes();
    if b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' {
        return false;
    }
    true
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
    fn yaml_is_block_style_with_sorted_keys_and_quoting() {
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
        assert_eq!(yaml_str("2024-01-02 03:04:05"), "'2024-01-02 03:04:05'");
        assert_eq!(yaml_str("1.5"), "'1.5'");
        assert_eq!(yaml_str("yes"), "'yes'");
        assert_eq!(yaml_str("it's: x"), "'it''s: x'");
        assert_eq!(yaml_str("a\nb"), "\"a\\nb\"");
        assert_eq!(yaml_str("0:00:01.5"), "'0:00:01.5'");
        // Hand-checked against PyYAML 6's `safe_dump`.
        assert_eq!(yaml_str("é"), r#""\xE9""#);
        assert_eq!(yaml_str("café au lait"), r#""caf\xE9 au lait""#);
        assert_eq!(yaml_str("日本"), r#""\u65E5\u672C""#);
        assert_eq!(yaml_str("😀"), r#""\U0001F600""#);
        assert_eq!(yaml_str("\u{FEFF}\u{FFFF}"), r#""\uFEFF\uFFFF""#);
        assert_eq!(yaml_str("a\u{85}b\u{a0}c"), r#""a\Nb\_c""#);
        assert_eq!(yaml_str("\u{2028}\u{2029}"), r#""\L\P""#);
        assert_eq!(yaml_str("\0\x07\x08\x0b\x0c\x1b"), r#""\0\a\b\v\f\e""#);
        assert_eq!(yaml_str("x\x01\x7f\u{9f}"), r#""x\x01\x7F\x9F""#);
        assert_eq!(yaml_str("tab\there"), r#""tab\there""#);
        assert_eq!(yaml_str("quote\"é"), r#""quote\"\xE9""#);
        assert_eq!(yaml_str("back\\é"), r#""back\\\xE9""#);
        let list = Cell::Map(IndexMap::from([(
            "values".to_owned(),
            Cell::List(vec![Cell::Float(1.0), Cell::Float(f64::INFINITY)]),
        )]));
        assert_eq!(dump_yaml(&list), "values:\n- 1.0\n- .inf\n");
    }
}
