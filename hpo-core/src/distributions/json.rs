//! Reading and writing distributions as Optuna's `distribution_to_json` JSON.

use serde_json::Value;

use super::{CategoricalDistribution, Distribution, FloatDistribution, IntDistribution};
use crate::error::DistributionError;
use crate::json::{INF_MARK, NAN_MARK, NEG_INF_MARK, patch_non_finite, python_float};
use crate::param::ParamValue;

impl Distribution {
    /// Optuna's `distribution_to_json(dist)`, byte for byte:
    /// `{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0, "high": 1.0, "log": false}}`.
    pub fn to_json(&self) -> String {
        let py_bool = |b: bool| if b { "true" } else { "false" };
        match self {
            Distribution::Float(d) => format!(
                r#"{{"name": "FloatDistribution", "attributes": {{"step": {}, "low": {}, "high": {}, "log": {}}}}}"#,
                d.step.map_or_else(|| "null".to_owned(), python_float),
                python_float(d.low),
                python_float(d.high),
                py_bool(d.log)
            ),
            Distribution::Int(d) => format!(
                r#"{{"name": "IntDistribution", "attributes": {{"log": {}, "step": {}, "low": {}, "high": {}}}}}"#,
                py_bool(d.log),
                d.step,
                d.low,
                d.high
            ),
            Distribution::Categorical(d) => {
                let mut out = String::from(
                    r#"{"name": "CategoricalDistribution", "attributes": {"choices": ["#,
                );
                for (i, c) in d.choices().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    c.write_python_json(&mut out);
                }
                out.push_str("]}}");
                out
            }
        }
    }

    /// Optuna's `json_to_distribution`: the current classes, the deprecated ones
    /// (`UniformDistribution`, `LogUniformDistribution`, `DiscreteUniformDistribution`,
    /// `IntUniformDistribution`, `IntLogUniformDistribution`), and the abbreviated form
    /// `{"type": "float" | "int" | "categorical", ...}` that Optuna's CLI takes.
    pub fn from_json(text: &str) -> Result<Distribution, DistributionError> {
        let bad = |reason: String| DistributionError::BadJson {
            json: text.to_owned(),
            reason,
        };
        let value: Value = serde_json::from_str(&patch_non_finite(text))
            .map_err(|e| bad(format!("not JSON: {e}")))?;
        Self::from_json_value(&value).map_err(|e| match e {
            DistributionError::BadJson { reason, .. } => bad(reason),
            other => other,
        })
    }

    /// [`Distribution::from_json`] on an already parsed value.
    pub fn from_json_value(value: &Value) -> Result<Distribution, DistributionError> {
        let bad = |reason: &str| DistributionError::BadJson {
            json: value.to_string(),
            reason: reason.to_owned(),
        };
        let obj = value
            .as_object()
            .ok_or_else(|| bad("expected a JSON object"))?;
        let (kind, attrs) = if let Some(name) = obj.get("name") {
            let name = name
                .as_str()
                .ok_or_else(|| bad("`name` must be a string"))?;
            let attrs = obj
                .get("attributes")
                .and_then(Value::as_object)
                .ok_or_else(|| bad("missing `attributes` object"))?;
            (name, attrs)
        } else if let Some(kind) = obj.get("type") {
            let kind = kind
                .as_str()
                .ok_or_else(|| bad("`type` must be a string"))?;
            let kind = match kind {
                "float" => "FloatDistribution",
                "int" => "IntDistribution",
                "categorical" => "CategoricalDistribution",
                _ => return Err(bad("unknown `type` (expected float, int or categorical)")),
            };
            (kind, obj)
        } else {
            return Err(bad("expected a `name` or a `type` key"));
        };
        let f = |key: &str| -> Result<f64, DistributionError> {
            attrs
                .get(key)
                .and_then(Value::as_f64)
                .ok_or_else(|| bad(&format!("missing or non-numeric `{key}`")))
        };
        let i = |key: &str| -> Result<i64, DistributionError> {
            match attrs.get(key) {
                Some(v) => v
                    .as_i64()
                    .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0).map(|x| x as i64))
                    .ok_or_else(|| bad(&format!("`{key}` must be an integer"))),
                None => Err(bad(&format!("missing `{key}`"))),
            }
        };
        let log = attrs.get("log").and_then(Value::as_bool).unwrap_or(false);
        let opt_f = |key: &str| attrs.get(key).and_then(Value::as_f64);
        Ok(match kind {
            "FloatDistribution" => Distribution::Float(FloatDistribution::new(
                f("low")?,
                f("high")?,
                log,
                opt_f("step"),
            )?),
            "UniformDistribution" => {
                Distribution::Float(FloatDistribution::new(f("low")?, f("high")?, false, None)?)
            }
            "LogUniformDistribution" => {
                Distribution::Float(FloatDistribution::new(f("low")?, f("high")?, true, None)?)
            }
            "DiscreteUniformDistribution" => Distribution::Float(FloatDistribution::new(
                f("low")?,
                f("high")?,
                false,
                Some(f("q")?),
            )?),
            "IntDistribution" => {
                let step = if attrs.contains_key("step") && !attrs["step"].is_null() {
                    i("step")?
                } else {
                    1
                };
                Distribution::Int(IntDistribution::new(i("low")?, i("high")?, log, step)?)
            }
            "IntUniformDistribution" => {
                let step = if attrs.contains_key("step") {
                    i("step")?
                } else {
                    1
                };
                Distribution::Int(IntDistribution::new(i("low")?, i("high")?, false, step)?)
            }
            "IntLogUniformDistribution" => {
                Distribution::Int(IntDistribution::new(i("low")?, i("high")?, true, 1)?)
            }
            "CategoricalDistribution" => {
                let choices = attrs
                    .get("choices")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("missing `choices` array"))?;
                let mut values = Vec::with_capacity(choices.len());
                for c in choices {
                    values.push(
                        choice_from_json(c).ok_or_else(|| {
                            bad("choices must be null, bool, int, float or string")
                        })?,
                    );
                }
                Distribution::Categorical(CategoricalDistribution::new(values)?)
            }
            _ => return Err(bad("unknown distribution class")),
        })
    }
}

/// A choice from JSON; the placeholder strings written by [`patch_non_finite`] become floats again.
fn choice_from_json(value: &Value) -> Option<ParamValue> {
    if let Value::String(s) = value {
        match s.as_str() {
            NAN_MARK => return Some(ParamValue::Float(f64::NAN)),
            INF_MARK => return Some(ParamValue::Float(f64::INFINITY)),
            NEG_INF_MARK => return Some(ParamValue::Float(f64::NEG_INFINITY)),
            _ => {}
        }
    }
    ParamValue::from_json(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings exactly as Optuna 5.0.0's `distribution_to_json` writes them
    /// (`optuna/distributions.py`).
    const OPTUNA_STRINGS: &[&str] = &[
        r#"{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0, "high": 1.0, "log": false}}"#,
        r#"{"name": "FloatDistribution", "attributes": {"step": null, "low": 1e-05, "high": 1.0, "log": true}}"#,
        r#"{"name": "FloatDistribution", "attributes": {"step": 0.1, "low": 0.0, "high": 1.0, "log": false}}"#,
        r#"{"name": "IntDistribution", "attributes": {"log": false, "step": 1, "low": 1, "high": 10}}"#,
        r#"{"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 1, "high": 100}}"#,
        r#"{"name": "IntDistribution", "attributes": {"log": false, "step": 2, "low": 0, "high": 10}}"#,
        r#"{"name": "CategoricalDistribution", "attributes": {"choices": ["a", 1, null, true, 2.5]}}"#,
    ];

    #[test]
    fn optuna_strings_round_trip_byte_for_byte() {
        for s in OPTUNA_STRINGS {
            let d = Distribution::from_json(s).unwrap();
            assert_eq!(d.to_json(), *s);
        }
    }

    #[test]
    fn writes_what_optuna_writes() {
        assert_eq!(
            Distribution::float(0.0, 1.0).unwrap().to_json(),
            OPTUNA_STRINGS[0]
        );
        assert_eq!(
            Distribution::float_log(1e-5, 1.0).unwrap().to_json(),
            OPTUNA_STRINGS[1]
        );
        assert_eq!(
            Distribution::float_step(0.0, 1.0, 0.1).unwrap().to_json(),
            OPTUNA_STRINGS[2]
        );
        assert_eq!(
            Distribution::int(1, 10).unwrap().to_json(),
            OPTUNA_STRINGS[3]
        );
        assert_eq!(
            Distribution::int_log(1, 100).unwrap().to_json(),
            OPTUNA_STRINGS[4]
        );
        assert_eq!(
            Distribution::int_step(0, 10, 2).unwrap().to_json(),
            OPTUNA_STRINGS[5]
        );
        let c = Distribution::categorical([
            ParamValue::from("a"),
            1.into(),
            ParamValue::Null,
            true.into(),
            2.5.into(),
        ])
        .unwrap();
        assert_eq!(c.to_json(), OPTUNA_STRINGS[6]);
    }

    #[test]
    fn reads_deprecated_and_abbreviated_forms() {
        let cases = [
            (
                r#"{"name": "UniformDistribution", "attributes": {"low": -1.0, "high": 1.0}}"#,
                Distribution::float(-1.0, 1.0),
            ),
            (
                r#"{"name": "LogUniformDistribution", "attributes": {"low": 0.001, "high": 1.0}}"#,
                Distribution::float_log(0.001, 1.0),
            ),
            (
                r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.0, "high": 1.0, "q": 0.25}}"#,
                Distribution::float_step(0.0, 1.0, 0.25),
            ),
            (
                r#"{"name": "IntUniformDistribution", "attributes": {"low": 0, "high": 8, "step": 2}}"#,
                Distribution::int_step(0, 8, 2),
            ),
            (
                r#"{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 64}}"#,
                Distribution::int_log(1, 64),
            ),
            (
                r#"{"type": "float", "low": 0.1, "high": 1.0, "log": true}"#,
                Distribution::float_log(0.1, 1.0),
            ),
            (
                r#"{"type": "int", "low": 1, "high": 9, "step": 2}"#,
                Distribution::int_step(1, 9, 2),
            ),
            (
                r#"{"type": "categorical", "choices": ["x", "y"]}"#,
                Distribution::categorical(["x", "y"]),
            ),
        ];
        for (json, want) in cases {
            assert_eq!(
                Distribution::from_json(json).unwrap(),
                want.unwrap(),
                "{json}"
            );
        }
    }

    #[test]
    fn non_finite_choices_and_unicode() {
        let s = r#"{"name": "CategoricalDistribution", "attributes": {"choices": [NaN, -Infinity, "NaN \u00e9"]}}"#;
        let d = Distribution::from_json(s).unwrap();
        let choices = d.choices().unwrap();
        assert!(matches!(choices[0], ParamValue::Float(x) if x.is_nan()));
        assert_eq!(choices[1], ParamValue::Float(f64::NEG_INFINITY));
        assert_eq!(choices[2], ParamValue::from("NaN é"));
        assert_eq!(d.to_json(), s);
    }

    #[test]
    fn bad_json_is_a_clear_error() {
        let err = Distribution::from_json(r#"{"name": "Nope", "attributes": {}}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown distribution class"),
            "{err}"
        );
        let err = Distribution::from_json(
            r#"{"name": "FloatDistribution", "attributes": {"step": null, "low": 2.0, "high": 1.0, "log": false}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("low=2.0"), "{err}");
    }
}
