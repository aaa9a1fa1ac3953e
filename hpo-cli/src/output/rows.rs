//! Optuna's `_convert_to_dict`: records keyed by [`Column`]s become plain rows (dicts keyed
//! by column name), nested or flattened, plus the header.

use indexmap::IndexMap;

use super::{Cell, Column, Record, Sub};

/// A row: cells by column name, in header order.
pub type Row = IndexMap<String, Cell>;

/// Whether `cell` is a list or a tuple, which `--flatten` splits by position.
fn is_sequence(cell: &Cell) -> bool {
    matches!(cell, Cell::List(_) | Cell::Tuple(_))
}

/// The rows of a document: the one object, or the objects of a list.
pub fn rows_of(doc: &Cell) -> Vec<Row> {
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
pub fn convert(records: &[Record], columns: &[Column], flatten: bool) -> (Vec<Row>, Vec<String>) {
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
