//! `SpaceTree`: the static description of a typed search space, with its conditions.

use std::fmt;

use indexmap::IndexMap;

use crate::distributions::Distribution;
use crate::param::ParamValue;
use crate::param_space::ParamSpace;

/// When a conditional parameter exists.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The parameter `param` took the value `value` (an enum variant, an `Option`'s presence).
    Equals {
        /// The deciding parameter.
        param: String,
        /// The value it must have.
        value: ParamValue,
    },
    /// The integer parameter `param` is greater than `than` (element `than` of a list exists
    /// when the list's length is greater than `than`).
    Greater {
        /// The deciding parameter.
        param: String,
        /// The bound.
        than: i64,
    },
}

impl Condition {
    /// Whether the condition holds for these parameter values.
    pub fn holds(&self, params: &IndexMap<String, ParamValue>) -> bool {
        match self {
            Condition::Equals { param, value } => params.get(param).is_some_and(|v| v == value),
            Condition::Greater { param, than } => params
                .get(param)
                .and_then(ParamValue::as_i64)
                .is_some_and(|v| v > *than),
        }
    }

    /// The parameter this condition reads.
    pub fn param(&self) -> &str {
        match self {
            Condition::Equals { param, .. } | Condition::Greater { param, .. } => param,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Equals { param, value } => write!(f, "{param} == {}", value.python_repr()),
            Condition::Greater { param, than } => write!(f, "{param} > {than}"),
        }
    }
}

/// One parameter of a typed search space: its name, distribution, and the conditions (all of
/// which must hold) under which it is sampled.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceParam {
    /// The parameter's name, as stored.
    pub name: String,
    /// Its distribution.
    pub distribution: Distribution,
    /// It exists only when every condition holds (empty: always).
    pub conditions: Vec<Condition>,
}

impl SpaceParam {
    /// Whether the parameter is sampled, given the values of the others.
    pub fn is_active(&self, params: &IndexMap<String, ParamValue>) -> bool {
        self.conditions.iter().all(|c| c.holds(params))
    }
}

/// The whole space of a type deriving `SearchSpace`, known before the first trial: every
/// parameter sampling can write, with its distribution and conditions, in sampling order.
/// Samplers read it to see the conditional tree up front; users print it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpaceTree {
    /// The parameters, in the order sampling visits them.
    pub params: Vec<SpaceParam>,
}

impl SpaceTree {
    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&SpaceParam> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The parameters that exist in every trial.
    pub fn unconditional(&self) -> ParamSpace {
        self.params
            .iter()
            .filter(|p| p.conditions.is_empty())
            .map(|p| (p.name.clone(), p.distribution.clone()))
            .collect()
    }

    /// The parameters grouped by the exact set of conditions that governs them: each group is
    /// always sampled together, so multivariate samplers can model it jointly.
    pub fn groups(&self) -> Vec<(Vec<Condition>, ParamSpace)> {
        let mut groups: Vec<(Vec<Condition>, ParamSpace)> = Vec::new();
        for p in &self.params {
            match groups.iter_mut().find(|(c, _)| *c == p.conditions) {
                Some((_, space)) => {
                    space.insert(p.name.clone(), p.distribution.clone());
                }
                None => {
                    let mut space = ParamSpace::new();
                    space.insert(p.name.clone(), p.distribution.clone());
                    groups.push((p.conditions.clone(), space));
                }
            }
        }
        groups
    }

    /// The names and distributions of the parameters active for these values.
    pub fn active(&self, params: &IndexMap<String, ParamValue>) -> ParamSpace {
        self.params
            .iter()
            .filter(|p| p.is_active(params))
            .map(|p| (p.name.clone(), p.distribution.clone()))
            .collect()
    }
}

impl fmt::Display for SpaceTree {
    /// One line per parameter: `name  distribution  [if condition and ...]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in &self.params {
            write!(f, "{:width$}  {}", p.name, p.distribution)?;
            if !p.conditions.is_empty() {
                let conds: Vec<String> = p.conditions.iter().map(ToString::to_string).collect();
                write!(f, "  if {}", conds.join(" and "))?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
