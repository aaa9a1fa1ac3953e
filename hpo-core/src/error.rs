//! Errors: the framework's [`Error`], distribution errors, and what an objective returns.

use std::fmt;

use crate::distributions::Distribution;
use crate::trial::TrialState;

/// The [`Error::InvalidArgument`] of a setting that a sampler's or pruner's `validate` refuses
/// ([`Sampler::validate`](crate::Sampler::validate), [`Pruner::validate`](crate::Pruner::validate)):
/// `invalid_setting("MedianPruner", "interval_steps", "must be at least 1", 0)` reads
/// "MedianPruner: `interval_steps` must be at least 1, got 0".
pub fn invalid_setting(
    owner: &str,
    setting: &str,
    requirement: &str,
    value: impl fmt::Display,
) -> Error {
    Error::InvalidArgument(format!("{owner}: `{setting}` {requirement}, got {value}"))
}

/// Why a distribution could not be built, or a value does not fit one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DistributionError {
    /// `low` is greater than `high`.
    #[error("`low` must be <= `high`, but got low={low}, high={high}")]
    LowAboveHigh {
        /// The lower bound given.
        low: String,
        /// The upper bound given.
        high: String,
    },
    /// A bound is NaN or infinite.
    #[error("`{bound}` must be finite, but got {value}")]
    NotFinite {
        /// `"low"`, `"high"` or `"step"`.
        bound: &'static str,
        /// The value given.
        value: f64,
    },
    /// A log-scale range whose lower bound is not positive (or below 1 for ints).
    #[error("a log-scale range needs low > 0 (ints: low >= 1), but got low={low}")]
    LogNeedsPositiveLow {
        /// The lower bound given.
        low: String,
    },
    /// A log-scale range with a step.
    #[error("`step` is not supported with `log=true` (got step={step})")]
    LogWithStep {
        /// The step given.
        step: String,
    },
    /// A step that is zero or negative.
    #[error("`step` must be > 0, but got step={step}")]
    NonPositiveStep {
        /// The step given.
        step: String,
    },
    /// A categorical distribution without choices.
    #[error("`choices` must contain one or more elements")]
    EmptyChoices,
    /// A value whose type does not fit the distribution.
    #[error("value {value} does not fit {distribution}: {reason}")]
    InvalidValue {
        /// The offending value, rendered.
        value: String,
        /// The distribution, rendered.
        distribution: String,
        /// Why it does not fit.
        reason: String,
    },
    /// A JSON string that is not a distribution Optuna could have written.
    #[error("cannot read distribution JSON {json}: {reason}")]
    BadJson {
        /// The JSON text.
        json: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The error type of hpo's framework operations (storages, studies, trials).
///
/// Its `Debug` form is its message, so `fn main() -> hpo::Result<()>` prints a readable line.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter's distribution is invalid, or a value does not fit it.
    #[error("parameter `{param}`: {source}")]
    InvalidParam {
        /// The parameter's name.
        param: String,
        /// What is wrong.
        #[source]
        source: DistributionError,
    },
    /// A distribution is invalid (outside any parameter).
    #[error(transparent)]
    Distribution(#[from] DistributionError),
    /// The same parameter name suggested twice in one trial with different distributions.
    #[error(
        "parameter `{param}` was already suggested in this trial with {existing}; \
         it cannot be suggested again with a different distribution, {requested}"
    )]
    IncompatibleDistribution {
        /// The parameter's name.
        param: String,
        /// The distribution already recorded.
        existing: Box<Distribution>,
        /// The distribution of the new request.
        requested: Box<Distribution>,
    },
    /// A parameter a typed space needs is not in the parameter map.
    #[error("parameter `{0}` is missing from the parameters")]
    MissingParam(String),
    /// No study with this name.
    #[error("no study named `{0}` in this storage")]
    StudyNotFound(String),
    /// No study with this id.
    #[error("no study with id {0} in this storage")]
    StudyIdNotFound(i64),
    /// A study with this name exists already.
    #[error("a study named `{0}` already exists (use `load_if_exists(true)` to load it)")]
    DuplicatedStudy(String),
    /// No trial with this id or number.
    #[error("no trial {0} in this storage")]
    TrialNotFound(String),
    /// An update to a trial that has already finished.
    #[error("trial {number} has already finished with state {state} and cannot be updated")]
    TrialFinished {
        /// The trial's number.
        number: u64,
        /// Its final state.
        state: TrialState,
    },
    /// The study has no completed trial yet. When trials failed, the message says how many and
    /// why the first one did.
    #[error("no trial of study `{study}` has completed yet{}", failures_summary(*.failed, .first_failure.as_ref()))]
    NoCompletedTrials {
        /// The study's name.
        study: String,
        /// How many of its trials failed (0 when not counted).
        failed: usize,
        /// The number and fail reason of its first failed trial.
        first_failure: Option<(u64, String)>,
    },
    /// Every completed trial violates a constraint.
    #[error("no completed trial of study `{0}` is feasible")]
    NoFeasibleTrials(String),
    /// An operation that only makes sense for a single-objective study.
    #[error("`{0}` is not supported for multi-objective studies")]
    MultiObjective(&'static str),
    /// A bad argument to an API call.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `optimize` called while the same study is already optimizing.
    #[error("`optimize` cannot be nested: study `{0}` is already optimizing")]
    NestedOptimize(String),
    /// The objective returned an error or panicked, and `optimize` stopped (Optuna's default;
    /// [`OptimizeOptions::catch`](crate::OptimizeOptions::catch) continues past failures instead).
    /// The trial is stored as Fail with `message` as its reason.
    #[error("trial {number} failed: {message}")]
    ObjectiveFailed {
        /// The failed trial's number.
        number: u64,
        /// The failure reason.
        message: String,
    },
    /// A storage back end reported an error.
    #[error("storage error: {0}")]
    Storage(String),
    /// JSON could not be read or written.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// An I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// "; 3 trials failed, the first (trial 0) because: ..." for [`Error::NoCompletedTrials`].
fn failures_summary(failed: usize, first: Option<&(u64, String)>) -> String {
    match (failed, first) {
        (0, _) => String::new(),
        (n, Some((number, reason))) => {
            let trials = if n == 1 { "trial" } else { "trials" };
            format!("; {n} {trials} failed, the first (trial {number}) because: {reason}")
        }
        (n, None) => format!("; {n} trials failed"),
    }
}

impl Error {
    /// A [`Error::NoCompletedTrials`] for `study`, with no failures counted.
    pub fn no_completed_trials(study: impl Into<String>) -> Error {
        Error::NoCompletedTrials {
            study: study.into(),
            failed: 0,
            first_failure: None,
        }
    }

    /// Attaches a parameter name to a distribution error.
    pub fn param(param: impl Into<String>, source: DistributionError) -> Error {
        Error::InvalidParam {
            param: param.into(),
            source,
        }
    }
}

/// The result type of hpo's framework operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Raise this from an objective (`Err(TrialPruned.into())`, or `?` on a function returning it) to
/// end the trial as Pruned, as Optuna's `raise optuna.TrialPruned()` does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, thiserror::Error)]
#[error("trial was pruned")]
pub struct TrialPruned;

/// What an objective returns on the error path: the trial was pruned, or it failed.
///
/// Any `std::error::Error + Send + Sync + 'static` converts into it with `?` (a [`TrialPruned`]
/// becomes [`TrialError::Pruned`], anything else [`TrialError::Failed`]), so an objective reads
/// `|trial| { let x = trial.suggest_float("x", 0.0, 1.0)?; Ok(f(x)?) }`.
pub enum TrialError {
    /// End the trial as Pruned (its last reported value becomes its value).
    Pruned,
    /// End the trial as Fail; the message is stored as the trial's `fail_reason`.
    Failed(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl TrialError {
    /// A failure with a plain message.
    pub fn msg(message: impl fmt::Display) -> TrialError {
        TrialError::Failed(message.to_string().into())
    }

    /// A failure from a boxed error (for example an `anyhow::Error`, which converts into one).
    pub fn failed(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        let boxed = error.into();
        if boxed.is::<TrialPruned>() {
            TrialError::Pruned
        } else {
            TrialError::Failed(boxed)
        }
    }

    /// Whether this is the Pruned outcome.
    pub fn is_pruned(&self) -> bool {
        matches!(self, TrialError::Pruned)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for TrialError {
    fn from(error: E) -> Self {
        TrialError::failed(error)
    }
}

impl fmt::Debug for TrialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrialError::Pruned => f.write_str("Pruned"),
            TrialError::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

impl fmt::Display for TrialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrialError::Pruned => f.write_str("trial was pruned"),
            TrialError::Failed(e) => {
                // The error and its sources, each written once: many errors already include
                // their source in their own message.
                let mut text = e.to_string();
                let mut source = e.source();
                while let Some(s) = source {
                    let part = s.to_string();
                    if !text.contains(&part) {
                        text.push_str(": ");
                        text.push_str(&part);
                    }
                    source = s.source();
                }
                f.write_str(&text)
            }
        }
    }
}

/// What an objective closure returns: `Ok(value)` or a [`TrialError`].
pub type TrialResult<V = f64> = std::result::Result<V, TrialError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_the_message_so_main_prints_it_readably() {
        let err = Error::param(
            "lr",
            DistributionError::LowAboveHigh {
                low: "0.1".into(),
                high: "1e-05".into(),
            },
        );
        let text = "parameter `lr`: `low` must be <= `high`, but got low=0.1, high=1e-05";
        assert_eq!(err.to_string(), text);
        assert_eq!(format!("{err:?}"), text);
    }

    #[test]
    fn a_trial_error_says_each_cause_once() {
        let err = TrialError::from(Error::param(
            "lr",
            DistributionError::LowAboveHigh {
                low: "1.0".into(),
                high: "0.0".into(),
            },
        ));
        assert_eq!(
            err.to_string(),
            "parameter `lr`: `low` must be <= `high`, but got low=1.0, high=0.0"
        );
        // A source that the message does not already contain is still appended.
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("cannot load the data")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = TrialError::from(Outer(std::io::Error::other("disk on fire")));
        assert_eq!(err.to_string(), "cannot load the data: disk on fire");
    }

    #[test]
    fn no_completed_trials_counts_the_failures() {
        assert_eq!(
            Error::no_completed_trials("s").to_string(),
            "no trial of study `s` has completed yet"
        );
        let err = Error::NoCompletedTrials {
            study: "s".into(),
            failed: 60,
            first_failure: Some((0, "parameter `lr`: bad bounds".into())),
        };
        assert_eq!(
            err.to_string(),
            "no trial of study `s` has completed yet; 60 trials failed, the first (trial 0) \
             because: parameter `lr`: bad bounds"
        );
    }
}
