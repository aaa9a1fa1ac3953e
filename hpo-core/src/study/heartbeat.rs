//! Heartbeats and stale trials: a worker that dies mid-trial leaves a Running trial behind;
//! its heartbeat stops, and the next `optimize` marks it Fail and (optionally) retries it.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::study::Study;
use crate::trial::{FrozenTrial, TrialState};

/// How often running trials beat, when they count as dead, and whether they are retried.
///
/// Studies on a persistent storage use [`HeartbeatConfig::default`] unless told otherwise
/// ([`StudyBuilder::heartbeat`](crate::StudyBuilder::heartbeat),
/// [`without_heartbeat`](crate::StudyBuilder::without_heartbeat)): a beat every 60 s, a trial
/// silent for 180 s counts as dead, no retry.
///
/// ```
/// use std::time::Duration;
/// use hpo_core::study::HeartbeatConfig;
/// let default = HeartbeatConfig::default();
/// assert_eq!(default.interval, Duration::from_secs(60));
/// assert_eq!(default.grace_period, Duration::from_secs(180));
/// assert_eq!(default.retry, None);
/// // Optuna's RDBStorage(heartbeat_interval=60, grace_period=120,
/// //                     failed_trial_callback=RetryFailedTrialCallback(max_retry=3)):
/// let optuna = HeartbeatConfig::new(Duration::from_secs(60)).retry(Some(3));
/// assert_eq!(optuna.grace_period, Duration::from_secs(120));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatConfig {
    /// Time between two heartbeats of a running trial.
    pub interval: Duration,
    /// A Running trial without a heartbeat for this long is failed (Optuna: twice the interval).
    pub grace_period: Duration,
    /// Re-enqueue each failed stale trial (Optuna's `RetryHeartbeatStaleTrialCallback`): `None`
    /// no retry, `Some(None)` retry without limit, `Some(Some(n))` at most `n` retries of one
    /// original trial.
    pub retry: Option<Option<usize>>,
}

impl Default for HeartbeatConfig {
    /// A beat every 60 s (one small write a minute per running trial, nothing for trials shorter
    /// than that: a trial is created with its first beat), and a grace period of 180 s, three
    /// intervals rather than Optuna's two, because these heartbeats are on without being asked
    /// for: a live worker is failed only after missing two beats in a row (a storage that
    /// stalls for a minute while a server storage reconnects, some clock skew between
    /// machines), while a dead worker's trial is failed within about four minutes. No retry:
    /// rerunning a trial that may have killed its worker is left to the program to ask for.
    fn default() -> Self {
        HeartbeatConfig::new(Duration::from_secs(60)).grace_period(Duration::from_secs(180))
    }
}

impl HeartbeatConfig {
    /// Beats every `interval`; grace period twice that (Optuna's default); no retry.
    pub fn new(interval: Duration) -> Self {
        HeartbeatConfig {
            interval,
            grace_period: interval * 2,
            retry: None,
        }
    }

    crate::setters! {
        /// Sets the grace period.
        pub fn grace_period(grace: Duration) => self.grace_period;

        /// Retries failed stale trials, at most `max_retry` times each (`None`: no limit).
        pub fn retry(max_retry: Option<usize>) => self.retry = Some;
    }

    /// Checks the settings, as the study builder does: a zero interval would beat without
    /// pause, and a grace period no longer than the interval would fail live trials between
    /// two of their beats.
    pub fn validate(&self) -> Result<()> {
        if self.interval.is_zero() {
            return Err(Error::InvalidArgument(
                "the heartbeat interval must be positive".into(),
            ));
        }
        if self.grace_period <= self.interval {
            return Err(Error::InvalidArgument(format!(
                "the heartbeat grace period ({:?}) must be longer than the interval ({:?}), or \
                 live trials are failed between two beats",
                self.grace_period, self.interval
            )));
        }
        Ok(())
    }
}

impl Study {
    /// The heartbeat settings, if any.
    pub fn heartbeat(&self) -> Option<&HeartbeatConfig> {
        self.inner.heartbeat.as_ref()
    }

    /// Marks Running trials whose heartbeat went stale as Fail (their workers died) and, when
    /// configured, enqueues a retry of each with Optuna's `failed_trial` and `retry_history`
    /// system attributes. Returns the failed trials' numbers. With heartbeats on, `optimize`
    /// calls this before its first trial, then before a trial at most once an interval.
    /// Trials that never beat (from [`ask`](Study::ask), or Optuna workers without
    /// heartbeats) are never failed.
    pub fn fail_stale_trials(&self) -> Result<Vec<u64>> {
        let Some(config) = self.heartbeat().cloned() else {
            return Ok(Vec::new());
        };
        let storage = self.storage();
        let mut failed = Vec::new();
        for id in storage.stale_trial_ids(self.study_id(), config.grace_period)? {
            let reason = Value::from(format!(
                "the trial's heartbeat stopped for more than {:?}: its worker died",
                config.grace_period
            ));
            match storage.set_trial_system_attr(id, "fail_reason", reason) {
                Err(Error::TrialFinished { .. }) => continue, // another worker got there first
                other => other?,
            }
            match storage.set_trial_state_values(id, TrialState::Fail, None) {
                Ok(_) => {}
                Err(Error::TrialFinished { .. }) => continue,
                Err(e) => return Err(e),
            }
            let trial = storage.get_trial(id)?;
            crate::log_warn!("trial {} failed: its heartbeat went stale", trial.number);
            failed.push(trial.number);
            if let Some(max_retry) = config.retry {
                self.retry(&trial, max_retry)?;
            }
        }
        Ok(failed)
    }

    /// Enqueues a copy of a failed trial (same parameters and user attributes).
    fn retry(&self, trial: &FrozenTrial, max_retry: Option<usize>) -> Result<()> {
        let mut history: Vec<Value> = match trial.system_attrs.get("retry_history") {
            Some(Value::Array(h)) => h.clone(),
            _ => Vec::new(),
        };
        if max_retry.is_some_and(|m| history.len() >= m) {
            return Ok(());
        }
        history.push(Value::from(trial.number));
        let original = trial
            .system_attrs
            .get("failed_trial")
            .cloned()
            .unwrap_or(Value::from(trial.number));
        let fixed: serde_json::Map<String, Value> = trial
            .params
            .iter()
            .map(|(k, p)| (k.clone(), p.value.to_json()))
            .collect();
        let mut copy = FrozenTrial::new(TrialState::Waiting)
            .with_system_attr("fixed_params", fixed)
            .with_system_attr("failed_trial", original)
            .with_system_attr("retry_history", history);
        copy.user_attrs = trial.user_attrs.clone();
        self.storage()
            .create_new_trial(self.study_id(), Some(&copy))?;
        Ok(())
    }
}
