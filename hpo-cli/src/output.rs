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
use hpo_core::ParamValue;
use hpo_core::json::{python_float, write_python_str};
use indexmap::IndexMap;
use serde_json::Value;

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

/// One value in a record, with Python's types (the CLI prints what Optuna's would).
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

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Bool(_) | Cell::Int(_) | Cell::Float(_))
    }

    fn is_sequence(&self) -> bool {
        matches!(self, Cell::List(_) | Cell::Tuple(_))
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
        Format::Json => {
            let mut out = String::new();
            write_json(&doc, &mut out);
            out
        }
        Format::Yaml => dump_yaml(&doc).trim().to_owned(),
    }
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
            .any(|r| r.get(column).is_some_and(Cell::is_sequence))
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
        let numeric = cells
            .iter()
            .all(|c| matches!(c, Cell::None) || c.is_numeric());
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

/// Writes `cell` as Python's `json.dumps` would.
pub fn write_json(cell: &Cell, out: &mut String) {
    write_json_with(cell, out, None, 0);
}

/// Writes `cell` as Python's `json.dumps(cell, indent=2)` would: one item per line, `","`
/// and `": "` separators, `[]` and `{}` for empty collections.
pub fn write_json_indented(cell: &Cell, out: &mut String) {
    write_json_with(cell, out, Some(2), 0);
}

fn write_json_with(cell: &Cell, out: &mut String, indent: Option<usize>, level: usize) {
    let separator = if indent.is_some() { "," } else { ", " };
    let newline = |out: &mut String, level: usize| {
        if let Some(width) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * level));
        }
    };
    match cell {
        Cell::None => out.push_str("null"),
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Cell::Int(i) => out.push_str(&i.to_string()),
        Cell::Float(f) => out.push_str(&python_float(*f)),
        Cell::Str(s) => write_python_str(s, out),
        Cell::List(items) | Cell::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, level + 1);
                write_json_with(item, out, indent, level + 1);
            }
            if !items.is_empty() {
                newline(out, level);
            }
            out.push(']');
        }
        Cell::Map(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, level + 1);
                write_python_str(k, out);
                out.push_str(": ");
                write_json_with(v, out, indent, level + 1);
            }
            if !map.is_empty() {
                newline(out, level);
            }
            out.push('}');
        }
    }
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

    #[test]
    fn indented_json_is_pythons_indent_2() {
        // Hand-written from `json.dumps(doc, indent=2)`.
        let doc = Cell::Map(IndexMap::from([
            (
                "values".to_owned(),
                Cell::List(vec![
                    Cell::Float(f64::NEG_INFINITY),
                    Cell::Float(f64::INFINITY),
                    Cell::Float(f64::NAN),
                    Cell::Float(1e-5),
                ]),
            ),
            ("empty".to_owned(), Cell::List(vec![])),
            ("attrs".to_owned(), Cell::Map(IndexMap::new())),
            (
                "nested".to_owned(),
                Cell::Map(IndexMap::from([("é".to_owned(), Cell::None)])),
            ),
        ]));
        let mut out = String::new();
        write_json_indented(&doc, &mut out);
        assert_eq!(
            out,
            "{\n  \"values\": [\n    -Infinity,\n    Infinity,\n    NaN,\n    1e-05\n  ],\n  \
             \"empty\": [],\n  \"attrs\": {},\n  \"nested\": {\n    \"\\u00e9\": null\n  }\n}"
        );
        let mut flat = String::new();
        write_json(&doc, &mut flat);
        assert_eq!(
            flat,
            r#"{"values": [-Infinity, Infinity, NaN, 1e-05], "empty": [], "attrs": {}, "nested": {"\u00e9": null}}"#
        );
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
            Cell::List(vec![Cell::None, Cell::Bool(true)]).py_repr(),
            "[None, True]"
        );
    }
}
