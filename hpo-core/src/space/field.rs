//! Building blocks for the code `#[derive(SearchSpace)]` generates. They are public so the
//! generated code can reach them, and documented so that hand-written implementations can use
//! them too.

use indexmap::IndexMap;

use crate::distributions::Distribution;
use crate::error::{DistributionError, Error, Result};
use crate::param::ParamValue;
use crate::space::{Condition, SpaceParam};
use crate::trial::Trial;

/// `prefix.name`, or `name` when the prefix is empty.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The parameter name of a value stored at `prefix` itself (`"value"` at the top level).
pub fn leaf_name(prefix: &str) -> &str {
    if prefix.is_empty() { "value" } else { prefix }
}

/// `conditions` plus one more.
pub fn and(conditions: &[Condition], extra: Condition) -> Vec<Condition> {
    let mut out = conditions.to_vec();
    out.push(extra);
    out
}

/// A float distribution for parameter `name` (errors name it).
pub fn float(
    name: &str,
    low: f64,
    high: f64,
    log: bool,
    step: Option<f64>,
) -> Result<Distribution> {
    crate::FloatDistribution::new(low, high, log, step)
        .map(Distribution::Float)
        .map_err(|e| Error::param(name, e))
}

/// An int distribution for parameter `name` (errors name it).
pub fn int(name: &str, low: i64, high: i64, log: bool, step: i64) -> Result<Distribution> {
    crate::IntDistribution::new(low, high, log, step)
        .map(Distribution::Int)
        .map_err(|e| Error::param(name, e))
}

/// A categorical distribution for parameter `name` (errors name it).
pub fn choice(name: &str, choices: Vec<ParamValue>) -> Result<Distribution> {
    crate::CategoricalDistribution::new(choices)
        .map(Distribution::Categorical)
        .map_err(|e| Error::param(name, e))
}

/// The distribution of a `bool` parameter: categorical `[false, true]`.
pub fn bool_distribution() -> Distribution {
    Distribution::categorical([false, true]).expect("two choices")
}

/// Appends a parameter to a space description.
pub fn describe(
    out: &mut Vec<SpaceParam>,
    name: &str,
    distribution: Distribution,
    conditions: &[Condition],
) {
    out.push(SpaceParam {
        name: name.to_owned(),
        distribution,
        conditions: conditions.to_vec(),
    });
}

/// Samples parameter `name` from `distribution` and converts it to the field's type.
pub fn sample<T: FieldValue>(
    trial: &mut Trial,
    name: &str,
    distribution: Distribution,
) -> Result<T> {
    let value = trial.suggest(name, distribution)?;
    T::from_param(name, &value)
}

/// Reads parameter `name` from a map and converts it to the field's type.
pub fn read<T: FieldValue>(params: &IndexMap<String, ParamValue>, name: &str) -> Result<T> {
    match params.get(name) {
        Some(v) => T::from_param(name, v),
        None => Err(Error::MissingParam(name.to_owned())),
    }
}

/// The index of `value` among `names` (an enum variant read back from its name).
pub fn variant_index(name: &str, value: &ParamValue, names: &[&str]) -> Result<usize> {
    value
        .as_str()
        .and_then(|s| names.iter().position(|n| *n == s))
        .ok_or_else(|| {
            Error::param(
                name,
                DistributionError::InvalidValue {
                    value: value.python_repr(),
                    distribution: format!("one of {names:?}"),
                    reason: "it is not a variant of this enum".into(),
                },
            )
        })
}

/// A field type that holds one parameter value: floats, integers, `bool`, `String` and
/// [`ParamValue`] itself.
pub trait FieldValue: Sized {
    /// Converts a parameter value; `name` is used in errors.
    fn from_param(name: &str, value: &ParamValue) -> Result<Self>;
    /// The parameter value of this field value.
    fn to_param(&self) -> ParamValue;
}

fn wrong_type(name: &str, value: &ParamValue, want: &str) -> Error {
    Error::param(
        name,
        DistributionError::InvalidValue {
            value: value.python_repr(),
            distribution: want.to_owned(),
            reason: format!("the field holds a {want}"),
        },
    )
}

impl FieldValue for f64 {
    fn from_param(name: &str, value: &ParamValue) -> Result<Self> {
        value.as_f64().ok_or_else(|| wrong_type(name, value, "f64"))
    }
    fn to_param(&self) -> ParamValue {
        ParamValue::Float(*self)
    }
}

impl FieldValue for f32 {
    fn from_param(name: &str, value: &ParamValue) -> Result<Self> {
        value
            .as_f64()
            .map(|x| x as f32)
            .ok_or_else(|| wrong_type(name, value, "f32"))
    }
    fn to_param(&self) -> ParamValue {
        ParamValue::Float(*self as f64)
    }
}

macro_rules! int_field {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn from_param(name: &str, value: &ParamValue) -> Result<Self> {
                value
                    .as_i64()
                    .and_then(|i| <$t>::try_from(i).ok())
                    .ok_or_else(|| wrong_type(name, value, stringify!($t)))
            }
            fn to_param(&self) -> ParamValue {
                ParamValue::Int(*self as i64)
            }
        }
    )*};
}
int_field!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl FieldValue for bool {
    fn from_param(name: &str, value: &ParamValue) -> Result<Self> {
        value
            .as_bool()
            .ok_or_else(|| wrong_type(name, value, "bool"))
    }
    fn to_param(&self) -> ParamValue {
        ParamValue::Bool(*self)
    }
}

impl FieldValue for String {
    fn from_param(name: &str, value: &ParamValue) -> Result<Self> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| wrong_type(name, value, "String"))
    }
    fn to_param(&self) -> ParamValue {
        ParamValue::Str(self.clone())
    }
}

impl FieldValue for ParamValue {
    fn from_param(_name: &str, value: &ParamValue) -> Result<Self> {
        Ok(value.clone())
    }
    fn to_param(&self) -> ParamValue {
        self.clone()
    }
}
