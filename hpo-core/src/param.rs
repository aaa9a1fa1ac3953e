//! Parameter values in their external (user-facing) form.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::json::{python_float, write_python_float, write_python_str};

/// Parameters by name, as external values, in the order they were written.
pub type ParamMap = indexmap::IndexMap<String, ParamValue>;

/// Python's `repr` of a parameter dict, as Optuna prints `study.best_params`:
/// `{'lr': 0.001, 'optimizer': 'adam'}`.
pub fn python_dict<'a>(params: impl IntoIterator<Item = (&'a String, &'a ParamValue)>) -> String {
    let items: Vec<String> = params
        .into_iter()
        .map(|(k, v)| format!("'{k}': {}", v.python_repr()))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// A parameter value as the user sees it: a float, an int, or one of the categorical choice types
/// Optuna allows (`None`, `bool`, `int`, `float`, `str`).
///
/// Samplers and storages work on the internal `f64` representation instead (see
/// [`Distribution::to_internal`](crate::Distribution::to_internal)).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// JSON `null` / Python `None` (a categorical choice).
    Null,
    /// A boolean (a categorical choice).
    Bool(bool),
    /// An integer: the value of an int distribution or a categorical choice.
    Int(i64),
    /// A float: the value of a float distribution or a categorical choice.
    Float(f64),
    /// A string (a categorical choice).
    Str(String),
}

impl ParamValue {
    /// The value as `f64` when it is numeric (`Int` or `Float`).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as `i64` when it is an `Int`, or a `Float` holding an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ParamValue::Int(i) => Some(*i),
            ParamValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    /// The value as a string slice when it is a `Str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParamValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a bool when it is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ParamValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, ParamValue::Null)
    }

    /// The value as a `serde_json::Value` (NaN and infinities become `null`, as JSON has no
    /// token for them in `serde_json`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ParamValue::Null => serde_json::Value::Null,
            ParamValue::Bool(b) => (*b).into(),
            ParamValue::Int(i) => (*i).into(),
            ParamValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            ParamValue::Str(s) => s.clone().into(),
        }
    }

    /// Reads a value from JSON; arrays and objects are not parameter values.
    pub fn from_json(value: &serde_json::Value) -> Option<ParamValue> {
        Some(match value {
            serde_json::Value::Null => ParamValue::Null,
            serde_json::Value::Bool(b) => ParamValue::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => ParamValue::Int(i),
                None => ParamValue::Float(n.as_f64()?),
            },
            serde_json::Value::String(s) => ParamValue::Str(s.clone()),
            _ => return None,
        })
    }

    /// Appends the value as Python's `json.dumps` writes it (`NaN`, `Infinity` and
    /// `-Infinity` for the non-finite floats), without allocating on the way (TPE writes every
    /// sampled value this way every trial).
    pub(crate) fn write_python_json(&self, out: &mut String) {
        match self {
            ParamValue::Null => out.push_str("null"),
            ParamValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ParamValue::Int(i) => {
                fmt::Write::write_fmt(out, format_args!("{i}")).expect("a String takes any text")
            }
            ParamValue::Float(f) => write_python_float(*f, out),
            ParamValue::Str(s) => write_python_str(s, out),
        }
    }

    /// Strict equality used for categorical choices: same variant and same value, with NaN equal
    /// to NaN (Optuna compares choices this way).
    pub fn same_as(&self, other: &ParamValue) -> bool {
        match (self, other) {
            (ParamValue::Float(a), ParamValue::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (a, b) => a == b,
        }
    }
}

impl PartialEq for ParamValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ParamValue::Null, ParamValue::Null) => true,
            (ParamValue::Bool(a), ParamValue::Bool(b)) => a == b,
            (ParamValue::Int(a), ParamValue::Int(b)) => a == b,
            (ParamValue::Float(a), ParamValue::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (ParamValue::Str(a), ParamValue::Str(b)) => a == b,
            _ => false,
        }
    }
}

impl ParamValue {
    /// Python's `repr` of the value, as Optuna's log lines and distribution reprs show it
    /// (`'adam'`, `0.001`, `None`, `True`).
    pub fn python_repr(&self) -> String {
        match self {
            ParamValue::Str(s) => format!("'{s}'"),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for ParamValue {
    /// Plain rendering: strings without quotes, floats as Python prints them (`0.001`, `1e-05`,
    /// `inf`, `nan`), `None`, `True`, `False`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Null => f.write_str("None"),
            ParamValue::Bool(true) => f.write_str("True"),
            ParamValue::Bool(false) => f.write_str("False"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) if x.is_nan() => f.write_str("nan"),
            ParamValue::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "inf" } else { "-inf" })
            }
            ParamValue::Float(x) => f.write_str(&python_float(*x)),
            ParamValue::Str(s) => f.write_str(s),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for ParamValue {
            fn from(v: $t) -> Self { ParamValue::Int(v as i64) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue::Float(v)
    }
}
impl From<f32> for ParamValue {
    fn from(v: f32) -> Self {
        ParamValue::Float(v as f64)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}
impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue::Str(v.to_owned())
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        ParamValue::Str(v)
    }
}
impl<T: Into<ParamValue>> From<Option<T>> for ParamValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(ParamValue::Null, Into::into)
    }
}

/// A type whose values can be categorical choices: `suggest_categorical` takes a slice of them
/// and returns the chosen one, typed.
pub trait Choice: Clone {
    /// The choice as a [`ParamValue`] (what storages record).
    fn to_param(&self) -> ParamValue;
}

macro_rules! choice_via_into {
    ($($t:ty),*) => {$(
        impl Choice for $t {
            fn to_param(&self) -> ParamValue { ParamValue::from(self.clone()) }
        }
    )*};
}
choice_via_into!(i8, i16, i32, i64, u8, u16, u32, f32, f64, bool, String);

impl Choice for &str {
    fn to_param(&self) -> ParamValue {
        ParamValue::Str((*self).to_owned())
    }
}
impl Choice for ParamValue {
    fn to_param(&self) -> ParamValue {
        self.clone()
    }
}
impl<T: Choice> Choice for Option<T> {
    fn to_param(&self) -> ParamValue {
        self.as_ref().map_or(ParamValue::Null, Choice::to_param)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_python_json;

    /// The direct writer gives the general one's text for every kind of value, extreme
    /// integers and non-ASCII strings included, and Python's tokens for the non-finite floats
    /// (which `serde_json` values cannot hold).
    #[test]
    fn write_python_json_is_the_general_writers_text() {
        let values = [
            ParamValue::Null,
            ParamValue::Bool(true),
            ParamValue::Bool(false),
            ParamValue::Int(0),
            ParamValue::Int(-42),
            ParamValue::Int(i64::MIN),
            ParamValue::Int(i64::MAX),
            ParamValue::Float(0.1),
            ParamValue::Float(-0.0),
            ParamValue::Float(1e16),
            ParamValue::Float(1.5e-7),
            ParamValue::Float(5e-324),
            ParamValue::Float(f64::MAX),
            ParamValue::Float(3.0),
            ParamValue::Str(String::new()),
            ParamValue::Str("adam".into()),
            ParamValue::Str("é \"q\" \\ \n 日本 😀".into()),
        ];
        for v in values {
            let mut direct = String::from("[");
            v.write_python_json(&mut direct);
            let general = format!("[{}", to_python_json(&v.to_json()));
            assert_eq!(direct, general, "{v:?}");
        }
        for (x, text) in [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            let mut direct = String::new();
            ParamValue::Float(x).write_python_json(&mut direct);
            assert_eq!(direct, text);
        }
    }
}
