//! The `yaml` format: PyYAML's `safe_dump` (block style, keys sorted, its quoting and escapes).

use hpo_core::json::python_float;
use indexmap::IndexMap;

use super::Cell;

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

    #[test]
    fn strings_are_quoted_and_escaped_as_pyyaml_does() {
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
    }

    #[test]
    fn sequences_in_maps_are_not_indented_and_inf_is_dot_inf() {
        let list = Cell::Map(IndexMap::from([(
            "values".to_owned(),
            Cell::List(vec![Cell::Float(1.0), Cell::Float(f64::INFINITY)]),
        )]));
        assert_eq!(dump_yaml(&list), "values:\n- 1.0\n- .inf\n");
    }
}
