//! Typed search spaces: the [`SearchSpace`] trait that `#[derive(SearchSpace)]` implements,
//! and the static [`SpaceTree`] description of a space with its conditions.
//!
//! A type that implements `SearchSpace` can be sampled through a trial
//! (`let cfg: Config = trial.sample()?`), described before the first trial (`Config::space()`),
//! and converted to and from a flat parameter map (`cfg.to_params()`,
//! `Config::from_params(&map)`), which is what storages record.
//!
//! Parameter names are plain strings built from field names joined with `.`: a field `lr` of a
//! nested field `optim` is `optim.lr`; an enum's chosen variant is stored under the enum's own
//! name, its fields under `<enum>.<variant>.<field>`; an `Option` adds `<name>.enabled`; a `Vec`
//! adds `<name>.len` and elements `<name>.0`, `<name>.1`, ...

#[doc(hidden)]
pub mod field;
mod tree;

pub use tree::{Condition, SpaceParam, SpaceTree};

use crate::error::Result;
use crate::param::{ParamMap, ParamValue};
use crate::trial::Trial;

/// A type whose values can be sampled as hyperparameters. Derive it with
/// `#[derive(SearchSpace)]` (the `hpo` crate's `derive` feature); implement it by hand only for
/// special cases.
///
/// Every method takes a `prefix`: the dotted path under which this value's parameters live
/// (empty at the top level).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a search space",
    label = "`{Self}` does not implement `SearchSpace`",
    note = "derive it with `#[derive(SearchSpace)]`, give the field a range such as \
            `#[space(float(0.0, 1.0))]`, or keep it out of the space with `#[space(skip)]`"
)]
pub trait SearchSpace: Sized {
    /// Samples a value through `trial`, naming parameters under `prefix`.
    fn sample_in(trial: &mut Trial, prefix: &str) -> Result<Self>;

    /// Appends the parameters this type can write under `prefix`, each also subject to
    /// `conditions`.
    fn describe_in(prefix: &str, conditions: &[Condition], out: &mut Vec<SpaceParam>)
    -> Result<()>;

    /// Writes the value's parameters (external values) under `prefix`.
    fn write_params(&self, prefix: &str, out: &mut ParamMap);

    /// Rebuilds a value from parameters written under `prefix`.
    fn read_params(params: &ParamMap, prefix: &str) -> Result<Self>;

    /// The static description of the whole space.
    fn space() -> Result<SpaceTree> {
        let mut params = Vec::new();
        Self::describe_in("", &[], &mut params)?;
        Ok(SpaceTree { params })
    }

    /// The value as a flat parameter map, as a trial that sampled it would have stored it.
    fn to_params(&self) -> ParamMap {
        let mut out = ParamMap::new();
        self.write_params("", &mut out);
        out
    }

    /// The value a trial with these parameters sampled.
    fn from_params(params: &ParamMap) -> Result<Self> {
        Self::read_params(params, "")
    }
}

impl SearchSpace for bool {
    fn sample_in(trial: &mut Trial, prefix: &str) -> Result<Self> {
        trial.suggest_bool(field::leaf_name(prefix))
    }

    fn describe_in(
        prefix: &str,
        conditions: &[Condition],
        out: &mut Vec<SpaceParam>,
    ) -> Result<()> {
        let name = field::leaf_name(prefix);
        field::describe(out, name, field::bool_distribution(), conditions);
        Ok(())
    }

    fn write_params(&self, prefix: &str, out: &mut ParamMap) {
        out.insert(field::leaf_name(prefix).to_owned(), ParamValue::Bool(*self));
    }

    fn read_params(params: &ParamMap, prefix: &str) -> Result<Self> {
        field::read(params, field::leaf_name(prefix))
    }
}
