//! Distributions: the range or choice set of one parameter.
//!
//! Every parameter value has an internal `f64` representation (a categorical value is its
//! choice index), exactly as Optuna stores it, so samplers and storages work on one
//! representation. [`Distribution::to_json`] writes Optuna's `distribution_to_json` strings byte
//! for byte, and [`Distribution::from_json`] reads them back (including the deprecated classes and
//! the abbreviated CLI form).

mod categorical;
mod float;
mod int;
mod json;

use std::fmt;

pub use categorical::CategoricalDistribution;
pub use float::FloatDistribution;
pub use int::IntDistribution;

use crate::error::DistributionError;
use crate::json::python_float;
use crate::param::ParamValue;

/// The distribution of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// A float range.
    Float(FloatDistribution),
    /// An integer range.
    Int(IntDistribution),
    /// A choice among listed values.
    Categorical(CategoricalDistribution),
}

impl Distribution {
    /// A plain float range `[low, high]`.
    pub fn float(low: f64, high: f64) -> Result<Self, DistributionError> {
        FloatDistribution::new(low, high, false, None).map(Distribution::Float)
    }

    /// A log-scaled float range `[low, high]`, `low > 0`.
    pub fn float_log(low: f64, high: f64) -> Result<Self, DistributionError> {
        FloatDistribution::new(low, high, true, None).map(Distribution::Float)
    }

    /// A float range on the grid `low, low + step, ...`.
    pub fn float_step(low: f64, high: f64, step: f64) -> Result<Self, DistributionError> {
        FloatDistribution::new(low, high, false, Some(step)).map(Distribution::Float)
    }

    /// A plain int range `[low, high]`.
    pub fn int(low: i64, high: i64) -> Result<Self, DistributionError> {
        IntDistribution::new(low, high, false, 1).map(Distribution::Int)
    }

    /// A log-scaled int range `[low, high]`, `low >= 1`.
    pub fn int_log(low: i64, high: i64) -> Result<Self, DistributionError> {
        IntDistribution::new(low, high, true, 1).map(Distribution::Int)
    }

    /// An int range on the grid `low, low + step, ...`.
    pub fn int_step(low: i64, high: i64, step: i64) -> Result<Self, DistributionError> {
        IntDistribution::new(low, high, false, step).map(Distribution::Int)
    }

    /// A categorical choice among `choices`.
    pub fn categorical<T: Into<ParamValue>>(
        choices: impl IntoIterator<Item = T>,
    ) -> Result<Self, DistributionError> {
        let choices: Vec<ParamValue> = choices.into_iter().map(Into::into).collect();
        CategoricalDistribution::new(choices).map(Distribution::Categorical)
    }

    /// Whether the distribution holds a single value (which is then returned without sampling).
    pub fn single(&self) -> bool {
        match self {
            Distribution::Float(d) => d.single(),
            Distribution::Int(d) => d.single(),
            Distribution::Categorical(d) => d.single(),
        }
    }

    /// Whether the *internal* value `x` belongs to the distribution.
    pub fn contains(&self, x: f64) -> bool {
        match self {
            Distribution::Float(d) => d.contains(x),
            Distribution::Int(d) => d.contains(x),
            Distribution::Categorical(d) => d.contains(x),
        }
    }

    /// The internal `f64` of an external value: the float itself, the int as `f64`, or the
    /// categorical choice's index. A value of the wrong type, NaN, or a missing choice is an error.
    pub fn to_internal(&self, value: &ParamValue) -> Result<f64, DistributionError> {
        let bad = |reason: &str| DistributionError::InvalidValue {
            value: value.python_repr(),
            distribution: self.to_string(),
            reason: reason.to_owned(),
        };
        match self {
            Distribution::Float(d) => match value.as_f64() {
                Some(x) => d.to_internal(x),
                None => Err(bad("a float distribution takes a number")),
            },
            Distribution::Int(_) => match value {
                ParamValue::Int(i) => Ok(*i as f64),
                ParamValue::Float(f) if f.is_finite() && f.fract() == 0.0 => Ok(*f),
                _ => Err(bad("an int distribution takes an integer")),
            },
            Distribution::Categorical(d) => match d.index_of(value) {
                Some(i) => Ok(i as f64),
                None => Err(bad("it is not one of the choices")),
            },
        }
    }

    /// The external value of an internal `f64`.
    ///
    /// # Panics
    /// For a categorical distribution, if `x` is not a valid index: internal values come from
    /// storages and samplers that have checked them against this distribution.
    pub fn to_external(&self, x: f64) -> ParamValue {
        match self {
            Distribution::Float(_) => ParamValue::Float(x),
            Distribution::Int(_) => ParamValue::Int(x.round() as i64),
            Distribution::Categorical(d) => d.choices()[x as usize].clone(),
        }
    }

    /// Optuna's `check_distribution_compatibility`: the same kind, the same `log`, and for
    /// categoricals the same choices. Ranges and steps may differ.
    pub fn is_compatible(&self, other: &Distribution) -> bool {
        match (self, other) {
            (Distribution::Float(a), Distribution::Float(b)) => a.log == b.log,
            (Distribution::Int(a), Distribution::Int(b)) => a.log == b.log,
            (Distribution::Categorical(a), Distribution::Categorical(b)) => a == b,
            _ => false,
        }
    }

    /// Optuna's class name (`FloatDistribution`, ...).
    pub fn class_name(&self) -> &'static str {
        match self {
            Distribution::Float(_) => "FloatDistribution",
            Distribution::Int(_) => "IntDistribution",
            Distribution::Categorical(_) => "CategoricalDistribution",
        }
    }

    /// The choices of a categorical distribution.
    pub fn choices(&self) -> Option<&[ParamValue]> {
        match self {
            Distribution::Categorical(d) => Some(d.choices()),
            _ => None,
        }
    }
}

impl fmt::Display for Distribution {
    /// Python's `repr` of the distribution: keyword arguments sorted by name, e.g.
    /// `FloatDistribution(high=1.0, log=False, low=0.0, step=None)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let py_bool = |b: bool| if b { "True" } else { "False" };
        match self {
            Distribution::Float(d) => write!(
                f,
                "FloatDistribution(high={}, log={}, low={}, step={})",
                python_float(d.high),
                py_bool(d.log),
                python_float(d.low),
                d.step.map_or_else(|| "None".to_owned(), python_float)
            ),
            Distribution::Int(d) => write!(
                f,
                "IntDistribution(high={}, log={}, low={}, step={})",
                d.high,
                py_bool(d.log),
                d.low,
                d.step
            ),
            Distribution::Categorical(d) => {
                f.write_str("CategoricalDistribution(choices=(")?;
                for (i, c) in d.choices().iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&c.python_repr())?;
                }
                if d.choices().len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str("))")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optuna_checks_reject_bad_ranges() {
        assert!(matches!(
            Distribution::float(1.0, 0.0),
            Err(DistributionError::LowAboveHigh { .. })
        ));
        assert!(matches!(
            Distribution::float_log(0.0, 1.0),
            Err(DistributionError::LogNeedsPositiveLow { .. })
        ));
        assert!(matches!(
            FloatDistribution::new(0.1, 1.0, true, Some(0.1)),
            Err(DistributionError::LogWithStep { .. })
        ));
        assert!(matches!(
            Distribution::float_step(0.0, 1.0, 0.0),
            Err(DistributionError::NonPositiveStep { .. })
        ));
        assert!(matches!(
            Distribution::float(f64::NAN, 1.0),
            Err(DistributionError::NotFinite { bound: "low", .. })
        ));
        assert!(matches!(
            IntDistribution::new(1, 10, true, 2),
            Err(DistributionError::LogWithStep { .. })
        ));
        assert!(matches!(
            Distribution::int_log(0, 10),
            Err(DistributionError::LogNeedsPositiveLow { .. })
        ));
        assert!(matches!(
            Distribution::int_step(0, 10, -1),
            Err(DistributionError::NonPositiveStep { .. })
        ));
        assert!(matches!(
            Distribution::int(3, 2),
            Err(DistributionError::LowAboveHigh { .. })
        ));
        assert!(matches!(
            Distribution::categorical(Vec::<ParamValue>::new()),
            Err(DistributionError::EmptyChoices)
        ));
    }

    #[test]
    fn high_is_lowered_onto_the_grid() {
        let Distribution::Int(d) = Distribution::int_step(0, 10, 3).unwrap() else {
            panic!()
        };
        assert_eq!(d.high, 9);
        let Distribution::Float(d) = Distribution::float_step(0.0, 1.0, 0.3).unwrap() else {
            panic!()
        };
        assert_eq!(d.high, 0.9);
    }

    #[test]
    fn contains_and_single() {
        let d = Distribution::float_step(0.0, 1.0, 0.1).unwrap();
        assert!(d.contains(0.3));
        assert!(!d.contains(0.35));
        assert!(!d.contains(1.1));
        assert!(Distribution::float_step(0.0, 0.05, 0.1).unwrap().single());
        let i = Distribution::int_step(16, 128, 16).unwrap();
        assert!(i.contains(48.0));
        assert!(!i.contains(50.0));
        assert!(!i.contains(48.5));
        let c = Distribution::categorical(["a", "b"]).unwrap();
        assert!(c.contains(1.0));
        assert!(!c.contains(2.0));
        assert!(!c.contains(0.5));
    }

    #[test]
    fn internal_representation() {
        let c =
            Distribution::categorical([ParamValue::from("a"), 1.into(), ParamValue::Null]).unwrap();
        assert_eq!(c.to_internal(&ParamValue::Null).unwrap(), 2.0);
        assert_eq!(c.to_internal(&ParamValue::Float(1.0)).unwrap(), 1.0);
        assert!(c.to_internal(&"z".into()).is_err());
        assert_eq!(c.to_external(0.0), ParamValue::from("a"));
        let i = Distribution::int(0, 10).unwrap();
        assert_eq!(i.to_internal(&3.into()).unwrap(), 3.0);
        assert!(i.to_internal(&2.5.into()).is_err());
        assert_eq!(i.to_external(3.0), ParamValue::Int(3));
        let l = Distribution::float_log(1e-5, 1.0).unwrap();
        let err = l.to_internal(&(-1.0).into()).unwrap_err().to_string();
        assert!(err.contains("-1.0") && err.contains("log"), "{err}");
        assert!(
            Distribution::float(0.0, 1.0)
                .unwrap()
                .to_internal(&f64::NAN.into())
                .is_err()
        );
    }

    #[test]
    fn compatibility_follows_optuna() {
        let a = Distribution::float(0.0, 1.0).unwrap();
        assert!(a.is_compatible(&Distribution::float(-5.0, 5.0).unwrap()));
        assert!(!a.is_compatible(&Distribution::float_log(0.1, 1.0).unwrap()));
        assert!(!a.is_compatible(&Distribution::int(0, 1).unwrap()));
        let c = Distribution::categorical(["a", "b"]).unwrap();
        assert!(c.is_compatible(&Distribution::categorical(["a", "b"]).unwrap()));
        assert!(!c.is_compatible(&Distribution::categorical(["a", "c"]).unwrap()));
    }

    #[test]
    fn display_is_python_repr() {
        assert_eq!(
            Distribution::float_log(1e-5, 0.1).unwrap().to_string(),
            "FloatDistribution(high=0.1, log=True, low=1e-05, step=None)"
        );
        assert_eq!(
            Distribution::categorical(["adam", "sgd"])
                .unwrap()
                .to_string(),
            "CategoricalDistribution(choices=('adam', 'sgd'))"
        );
    }
}
