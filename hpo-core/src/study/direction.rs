//! `StudyDirection`: minimize or maximize an objective.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Whether an objective is minimized or maximized. Optuna's journal codes are 1 and 2; RDB
/// storages store [`StudyDirection::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StudyDirection {
    /// Lower is better.
    #[default]
    Minimize,
    /// Higher is better.
    Maximize,
}

impl StudyDirection {
    /// Whether `a` is strictly better than `b` in this direction (NaN is never better).
    pub fn is_better(self, a: f64, b: f64) -> bool {
        match self {
            StudyDirection::Minimize => a < b,
            StudyDirection::Maximize => a > b,
        }
    }

    /// Optuna's enum name: `"MINIMIZE"` or `"MAXIMIZE"`.
    pub fn name(self) -> &'static str {
        match self {
            StudyDirection::Minimize => "MINIMIZE",
            StudyDirection::Maximize => "MAXIMIZE",
        }
    }

    /// Optuna's journal code: 1 for minimize, 2 for maximize.
    pub fn code(self) -> i64 {
        match self {
            StudyDirection::Minimize => 1,
            StudyDirection::Maximize => 2,
        }
    }

    /// The direction with this journal code.
    pub fn from_code(code: i64) -> Option<StudyDirection> {
        match code {
            1 => Some(StudyDirection::Minimize),
            2 => Some(StudyDirection::Maximize),
            _ => None,
        }
    }

    /// `value` turned so that lower is better (negated when maximizing).
    pub fn to_minimize(self, value: f64) -> f64 {
        match self {
            StudyDirection::Minimize => value,
            StudyDirection::Maximize => -value,
        }
    }
}

impl fmt::Display for StudyDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for StudyDirection {
    type Err = Error;

    /// Accepts `minimize`/`maximize` in any case (Optuna's strings and enum names).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "minimize" => Ok(StudyDirection::Minimize),
            "maximize" => Ok(StudyDirection::Maximize),
            _ => Err(Error::InvalidArgument(format!(
                "direction must be `minimize` or `maximize`, got `{s}`"
            ))),
        }
    }
}
