//! The `table` format (Optuna's `_dump_table`, an ASCII box) and the `value` format (cells
//! separated by spaces, one line a row).

use super::Cell;
use super::rows::Row;

/// One line a row: each cell's Python `str`, `None` blank, separated by spaces.
pub fn dump_value(rows: &[Row], header: &[String]) -> String {
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
pub fn dump_table(rows: &[Row], header: &[String]) -> String {
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
