//! `TrialState`: the life cycle of a trial.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The state of a trial. The discriminants are Optuna's (`RUNNING = 0` ... `WAITING = 4`), as
/// its journal stores them; RDB storages store [`TrialState::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrialState {
    /// Being evaluated by a worker.
    Running = 0,
    /// Finished with values.
    Complete = 1,
    /// Stopped early by a pruner.
    Pruned = 2,
    /// The objective failed (error, panic, NaN).
    Fail = 3,
    /// Enqueued, waiting for a worker to pick it up.
    Waiting = 4,
}

impl TrialState {
    /// Every state, in discriminant order.
    pub const ALL: [TrialState; 5] = [
        TrialState::Running,
        TrialState::Complete,
        TrialState::Pruned,
        TrialState::Fail,
        TrialState::Waiting,
    ];

    /// Whether the trial is over (Complete, Pruned or Fail): it can no longer change.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            TrialState::Complete | TrialState::Pruned | TrialState::Fail
        )
    }

    /// Optuna's enum name (`"RUNNING"`, `"COMPLETE"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            TrialState::Running => "RUNNING",
            TrialState::Complete => "COMPLETE",
            TrialState::Pruned => "PRUNED",
            TrialState::Fail => "FAIL",
            TrialState::Waiting => "WAITING",
        }
    }

    /// The state with this Optuna enum name.
    pub fn from_name(name: &str) -> Option<TrialState> {
        TrialState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The state with this Optuna integer code.
    pub fn from_code(code: i64) -> Option<TrialState> {
        TrialState::ALL.into_iter().find(|s| *s as i64 == code)
    }
}

impl fmt::Display for TrialState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
