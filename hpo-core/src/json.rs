//! JSON exactly as Python's `json.dumps` writes it.
//!
//! Optuna stores distributions and attributes as `json.dumps(...)` output: separators `", "` and
//! `": "`, floats in Python's `repr` form (`1e-05`, `0.0`, `1e+16`), non-ASCII characters escaped
//! as `\uXXXX`, and the bare tokens `NaN`, `Infinity` and `-Infinity` for non-finite floats.
//! Storages that Optuna reads must write byte-identical strings, so this module reproduces that
//! format instead of relying on `serde_json`'s compact output.

use serde_json::Value;

/// Formats a float the way Python's `repr(float)` does (and so `json.dumps`), except that
/// non-finite values become the JSON tokens `NaN`, `Infinity` and `-Infinity`.
///
/// ```
/// use hpo_core::json::python_float;
/// assert_eq!(python_float(1e-5), "1e-05");
/// assert_eq!(python_float(0.1), "0.1");
/// assert_eq!(python_float(10.0), "10.0");
/// assert_eq!(python_float(1e16), "1e+16");
/// assert_eq!(python_float(f64::INFINITY), "Infinity");
/// ```
pub fn python_float(x: f64) -> String {
    let mut out = String::new();
    write_python_float(x, &mut out);
    out
}

/// The shortest decimal digits that read back as `|x|` (the nearest such to `|x|`, as Python's
/// repr picks them), finite and non-zero: the digits (at most 17, no leading or trailing
/// zeros), their count and the decimal exponent of the first. Ryu writes them in plain or
/// scientific notation ("0.001", "123.5", "1.5e-7", "1e16"); they are read back from its text.
fn shortest_digits(x: f64) -> ([u8; 17], usize, i32) {
    let mut ryu = ryu::Buffer::new();
    let text = ryu.format_finite(x.abs());
    let (mantissa, exp_part) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().expect("ryu's exponent is an integer")),
        None => (text, 0),
    };
    // The first significant digit's exponent: the digits before the point, less the zeros
    // before that digit, less one.
    let mut buf = [0u8; 17];
    let (mut n_digits, mut seen, mut first, mut point) = (0, 0i32, None, None);
    for b in mantissa.bytes() {
        if b == b'.' {
            point = Some(seen);
            continue;
        }
        if b != b'0' || first.is_some() {
            first.get_or_insert(seen);
            buf[n_digits] = b;
            n_digits += 1;
        }
        seen += 1;
    }
    while n_digits > 1 && buf[n_digits - 1] == b'0' {
        n_digits -= 1;
    }
    let first = first.expect("a non-zero value has a non-zero digit");
    (buf, n_digits, point.unwrap_or(seen) - first - 1 + exp_part)
}

/// Appends [`python_float`]`(x)` to `out`, without allocating on the way.
pub fn write_python_float(x: f64, out: &mut String) {
    if x.is_nan() {
        return out.push_str("NaN");
    }
    if x.is_infinite() {
        return out.push_str(if x > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if x == 0.0 {
        return out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
    }
    if (1e-4..1e16).contains(&x.abs()) {
        // Python writes these positionally ("0.00012", "123.5", "1000.0"), and so does Ryu
        // (which does from 1e-5): the same characters, without reading its digits back.
        return out.push_str(ryu::Buffer::new().format_finite(x));
    }
    write_python_float_digits(x, out);
}

/// [`write_python_float`] of a finite, non-zero `x` from its shortest digits, in every
/// notation.
fn write_python_float_digits(x: f64, out: &mut String) {
    let (buf, n_digits, exp) = shortest_digits(x);
    let digits = std::str::from_utf8(&buf[..n_digits]).expect("ASCII digits");
    if x < 0.0 {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        // A signed exponent of at least two digits: e-05, e+16, e+308.
        std::fmt::Write::write_fmt(out, format_args!("e{exp:+03}"))
            .expect("a String takes any text");
    }
}

/// Appends `s` as a JSON string literal with Python's default `ensure_ascii=True` escaping.
pub fn write_python_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `value` as Python's `json.dumps(value)` would write it.
pub fn write_python_json(value: &Value, out: &mut String) {
    write_json(value, out, &Layout::DEFAULT, 0);
}

/// Appends `value` as Python's `json.dumps(value, indent=indent)` would write it: one item per
/// line indented by `indent` spaces a level, `","` and `": "` separators, `[]` and `{}` for
/// empty collections.
pub fn write_python_json_indented(value: &Value, indent: usize, out: &mut String) {
    let layout = Layout {
        item_sep: ",",
        key_sep: ": ",
        indent: Some(indent),
    };
    write_json(value, out, &layout, 0);
}

/// The separators and indentation of one `json.dumps` call.
struct Layout {
    item_sep: &'static str,
    key_sep: &'static str,
    /// `indent=`: `None` writes everything on one line.
    indent: Option<usize>,
}

impl Layout {
    const DEFAULT: Layout = Layout {
        item_sep: ", ",
        key_sep: ": ",
        indent: None,
    };
    const COMPACT: Layout = Layout {
        item_sep: ",",
        key_sep: ":",
        indent: None,
    };

    /// Starts a new line at nesting `level` when indenting.
    fn newline(&self, out: &mut String, level: usize) {
        if let Some(width) = self.indent {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', width * level));
        }
    }
}

fn write_json(value: &Value, out: &mut String, layout: &Layout, level: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                std::fmt::Write::write_fmt(out, format_args!("{i}"))
                    .expect("a String takes any text");
            } else if let Some(u) = n.as_u64() {
                std::fmt::Write::write_fmt(out, format_args!("{u}"))
                    .expect("a String takes any text");
            } else {
                write_python_float(n.as_f64().unwrap_or(f64::NAN), out);
            }
        }
        Value::String(s) if s == NAN_MARK => out.push_str("NaN"),
        Value::String(s) if s == INF_MARK => out.push_str("Infinity"),
        Value::String(s) if s == NEG_INF_MARK => out.push_str("-Infinity"),
        Value::String(s) => write_python_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(layout.item_sep);
                }
                layout.newline(out, level + 1);
                write_json(item, out, layout, level + 1);
            }
            if !items.is_empty() {
                layout.newline(out, level);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(layout.item_sep);
                }
                layout.newline(out, level + 1);
                write_python_str(k, out);
                out.push_str(layout.key_sep);
                write_json(v, out, layout, level + 1);
            }
            if !map.is_empty() {
                layout.newline(out, level);
            }
            out.push('}');
        }
    }
}

/// `json.dumps(value)` with Python's default settings.
///
/// ```
/// use hpo_core::json::to_python_json;
/// let v = serde_json::json!({"k": [1, 2.5, "é"]});
/// assert_eq!(to_python_json(&v), r#"{"k": [1, 2.5, "\u00e9"]}"#);
/// ```
pub fn to_python_json(value: &Value) -> String {
    let mut out = String::new();
    write_python_json(value, &mut out);
    out
}

/// `json.dumps(value, indent=indent)`.
///
/// ```
/// use hpo_core::json::{float_token, to_python_json_indented};
/// let v = serde_json::json!({"values": [float_token(f64::INFINITY), 1e-5], "attrs": {}});
/// assert_eq!(
///     to_python_json_indented(&v, 2),
///     "{\n  \"values\": [\n    Infinity,\n    1e-05\n  ],\n  \"attrs\": {}\n}"
/// );
/// ```
pub fn to_python_json_indented(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_python_json_indented(value, indent, &mut out);
    out
}

pub(crate) const NAN_MARK: &str = "\u{0}hpo:NaN";
pub(crate) const INF_MARK: &str = "\u{0}hpo:Infinity";
pub(crate) const NEG_INF_MARK: &str = "\u{0}hpo:-Infinity";

/// Python writes the bare tokens `NaN`, `Infinity` and `-Infinity` (a categorical may have a NaN
/// choice); `serde_json` rejects them, so outside string literals they become marker strings.
pub(crate) fn patch_non_finite(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let marker = [
            ("-Infinity", NEG_INF_MARK),
            ("Infinity", INF_MARK),
            ("NaN", NAN_MARK),
        ]
        .into_iter()
        .find(|(tok, _)| rest.starts_with(tok));
        if let Some((tok, mark)) = marker {
            out.push_str(&serde_json::to_string(mark).expect("a string serializes"));
            rest = &rest[tok.len()..];
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.into()
}

/// Parses JSON as Python's `json.loads` does, accepting the bare tokens `NaN`, `Infinity` and
/// `-Infinity`, which become the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (read them
/// back with [`value_to_float`]).
pub fn parse_python_json(text: &str) -> serde_json::Result<Value> {
    let mut v: Value = serde_json::from_str(&patch_non_finite(text))?;
    fn unmark(v: &mut Value) {
        match v {
            Value::String(s) => {
                let plain = match s.as_str() {
                    NAN_MARK => "NaN",
                    INF_MARK => "Infinity",
                    NEG_INF_MARK => "-Infinity",
                    _ => return,
                };
                *s = plain.to_owned();
            }
            Value::Array(a) => a.iter_mut().for_each(unmark),
            Value::Object(o) => o.values_mut().for_each(unmark),
            _ => {}
        }
    }
    unmark(&mut v);
    Ok(v)
}

/// `json.dumps(value, separators=(",", ":"))`: Optuna's journal format. Strings that
/// [`float_to_value`] made from non-finite floats are written as strings.
pub fn to_python_json_compact(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out, &Layout::COMPACT, 0);
    out
}

/// A float as a JSON value. JSON (and `serde_json::Value`) has no NaN or infinities, so those
/// become the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, the tokens Python's `json`
/// module writes; [`value_to_float`] reads them back.
pub fn float_to_value(x: f64) -> Value {
    match serde_json::Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None => Value::String(python_float(x)),
    }
}

/// A float for the JSON writers of this module: a number, or for NaN and the infinities a marker
/// that [`to_python_json_compact`] writes as the bare token Python reads back as a float.
pub fn float_token(x: f64) -> Value {
    match serde_json::Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None if x.is_nan() => Value::String(NAN_MARK.to_owned()),
        None if x > 0.0 => Value::String(INF_MARK.to_owned()),
        None => Value::String(NEG_INF_MARK.to_owned()),
    }
}

/// A float from a JSON value written by [`float_to_value`] (or any JSON number).
pub fn value_to_float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-10.0, "-10.0"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e100, "1e+100"),
            (2.5e-300, "2.5e-300"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-1.6595599059485195, "-1.6595599059485195"),
            (-0.00012, "-0.00012"),
            (-1.5e-7, "-1.5e-07"),
            (5e-324, "5e-324"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (9999999999999998.0, "9999999999999998.0"),
            (123456789012345.6, "123456789012345.6"),
            // Exactly halfway between two shortest strings: the even one, as Python writes it.
            (133879546950562.62, "133879546950562.62"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ];
        for (x, want) in cases {
            assert_eq!(python_float(*x), *want, "repr of {x:e}");
        }
    }

    /// Ryu's digits, read back from its text, are the shortest round-trip digits that the
    /// standard library's `{:e}` gives, with the same exponent, except in a tie, where they are
    /// Python's: powers of ten and their neighbours, the ends of the range, and random bit
    /// patterns of every magnitude.
    #[test]
    fn shortest_digits_match_the_standard_formatter() {
        let mut xs: Vec<f64> = vec![f64::MAX, f64::MIN_POSITIVE, 5e-324, 1.0, 0.1, 1e16, 1e15];
        for e in -320..=308 {
            let p: f64 = format!("1e{e}").parse().unwrap();
            xs.extend([p, p.next_up(), p.next_down(), 1.5 * p, 9.999 * p]);
        }
        let mut rng = crate::rng::Rng::seed_from_u64(7);
        xs.extend(
            (0..100_000)
                .map(|_| f64::from_bits(rng.next_u64()))
                .filter(|x| x.is_finite()),
        );
        let mut ties = 0;
        for x in xs.into_iter().filter(|x| *x != 0.0 && x.is_finite()) {
            let (buf, n, exp) = shortest_digits(x);
            let sci = format!("{:e}", x.abs());
            let (m, e) = sci.split_once('e').unwrap();
            let want: String = m.chars().filter(char::is_ascii_digit).collect();
            let got = std::str::from_utf8(&buf[..n]).unwrap();
            assert_eq!(exp, e.parse::<i32>().unwrap(), "exponent of {x:e}");
            if got != want {
                // A tie between two shortest strings ({:e} rounds it up): Python, and Ryu,
                // take the even last digit (133879546950562.625 -> ...62).
                let (g, w): (u128, u128) = (got.parse().unwrap(), want.parse().unwrap());
                assert!(
                    got.len() == want.len() && w == g + 1 && g % 2 == 0,
                    "{x:e}: {got} vs {want}"
                );
                ties += 1;
            }
            assert_eq!(
                python_float(x).parse::<f64>().unwrap(),
                x,
                "round trip of {x:e}"
            );
        }
        assert!((1..100).contains(&ties), "{ties} ties");
    }

    /// Where Ryu's own text is taken (1e-4 <= |x| < 1e16), it is what writing the shortest
    /// digits gives: at the ends of the range, at powers of ten and their neighbours, and at
    /// random bit patterns.
    #[test]
    fn ryus_positional_text_is_pythons() {
        let mut xs: Vec<f64> = vec![1e-4, 1e16_f64.next_down(), 9999999999999998.0, 0.5, 1.0];
        for e in -4..=15 {
            let p: f64 = format!("1e{e}").parse().unwrap();
            xs.extend([
                p,
                p.next_up(),
                p.next_down(),
                1.5 * p,
                9.999 * p,
                p * 7.0 / 3.0,
            ]);
        }
        let mut rng = crate::rng::Rng::seed_from_u64(13);
        xs.extend((0..200_000).map(|_| f64::from_bits(rng.next_u64())));
        xs.extend(
            (0..100_000).map(|_| (rng.next_f64() - 0.5) * 10f64.powi(rng.below(21) as i32 - 4)),
        );
        let mut checked = 0;
        for x in xs.into_iter().flat_map(|x| [x, -x]) {
            if !(1e-4..1e16).contains(&x.abs()) {
                continue;
            }
            let (mut fast, mut general) = (String::new(), String::new());
            write_python_float(x, &mut fast);
            write_python_float_digits(x, &mut general);
            assert_eq!(fast, general, "{x:e}");
            checked += 1;
        }
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn strings_are_ascii_escaped() {
        let mut s = String::new();
        write_python_str("a\"b\\c\n\u{1}é😀", &mut s);
        assert_eq!(s, r#""a\"b\\c\n\u0001\u00e9\ud83d\ude00""#);
    }
}
