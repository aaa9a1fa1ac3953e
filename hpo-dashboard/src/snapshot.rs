//! What one request reads of a study: a consistent snapshot of its trials (the storage keeps
//! them cached and refreshes only what changed), and the stamp the pages poll to learn that
//! something changed.

use std::sync::{Arc, OnceLock};

use hpo_core::storage::StudyId;
use hpo_core::study::metric_names_in;
use hpo_core::{Error, FrozenTrial, Storage, StudyDirection, TrialState};
use hpo_viz::StudyData;

use crate::problem::Problem;

/// A study as one request sees it.
pub(crate) struct Snapshot {
    /// Storage id.
    pub id: StudyId,
    /// Name.
    pub name: String,
    /// One direction per objective.
    pub directions: Vec<StudyDirection>,
    /// Every trial, by number.
    pub trials: Vec<Arc<FrozenTrial>>,
    /// The objectives' names, if set.
    pub metric_names: Option<Vec<String>>,
    /// The study's user attributes.
    pub user_attrs: hpo_core::Attrs,
    /// Every parameter name, in the order the trials first used them (computed once).
    params: OnceLock<Vec<String>>,
}

/// How many trials of a study are in each state (in [`TrialState::ALL`] order).
pub(crate) type Counts = [usize; 5];

impl Snapshot {
    /// Reads study `id`; an id the storage does not hold is a 404.
    pub fn load(storage: &dyn Storage, id: StudyId) -> Result<Snapshot, Problem> {
        let name = study_name(storage, id)?;
        let directions = storage.get_study_directions(id).map_err(Problem::storage)?;
        let mut trials = storage.get_all_trials(id, None).map_err(Problem::storage)?;
        if !trials.is_sorted_by_key(|t| t.number) {
            trials.sort_by_key(|t| t.number);
        }
        let system = storage
            .get_study_system_attrs(id)
            .map_err(Problem::storage)?;
        let user_attrs = storage.get_study_user_attrs(id).map_err(Problem::storage)?;
        Ok(Snapshot {
            id,
            name,
            directions,
            trials,
            metric_names: metric_names_in(&system),
            user_attrs,
            params: OnceLock::new(),
        })
    }

    /// A snapshot of hand-made parts (tests).
    #[cfg(test)]
    pub fn from_parts(directions: Vec<StudyDirection>, trials: Vec<Arc<FrozenTrial>>) -> Snapshot {
        Snapshot {
            id: 1,
            name: "s".into(),
            directions,
            trials,
            metric_names: None,
            user_attrs: Default::default(),
            params: OnceLock::new(),
        }
    }

    /// Every parameter name of the study, in the order the trials first used them (computed
    /// once).
    pub fn param_names(&self) -> &[String] {
        self.params.get_or_init(|| {
            hpo_core::trial::param_names(self.trials.iter().map(|t| &**t))
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
    }

    /// The data hpo-viz plots.
    pub fn data(&self) -> StudyData {
        let data = StudyData::new(
            self.name.clone(),
            self.directions.clone(),
            self.trials.clone(),
        );
        match &self.metric_names {
            Some(names) => data.with_metric_names(names.clone()),
            None => data,
        }
    }

    /// Trials per state.
    pub fn counts(&self) -> Counts {
        counts(&self.trials)
    }

    /// The stamp of this snapshot ([`stamp`]).
    pub fn stamp(&self) -> String {
        stamp(&self.trials)
    }

    /// The name of objective `i` ([`hpo_viz::objective_label`]).
    pub fn objective_name(&self, i: usize) -> String {
        hpo_viz::objective_label(self.metric_names.as_deref(), self.directions.len(), i)
    }
}

/// The name of study `id`; an id the storage does not hold is a 404.
pub(crate) fn study_name(storage: &dyn Storage, id: StudyId) -> Result<String, Problem> {
    storage.get_study_name_from_id(id).map_err(|e| match e {
        Error::StudyIdNotFound(_) | Error::StudyNotFound(_) => {
            Problem::not_found(format!("there is no study with id {id} in this storage"))
        }
        other => Problem::storage(other),
    })
}

/// Trials per state, in [`TrialState::ALL`] order.
pub(crate) fn counts(trials: &[Arc<FrozenTrial>]) -> Counts {
    let mut c = [0; 5];
    for t in trials {
        c[t.state as usize] += 1;
    }
    c
}

/// A short text that changes whenever a trial is added, changes state, reports an intermediate
/// value or records a parameter or attribute count change: the trial count per state, the total
/// number of parameters, intermediate values and user attributes, and the latest timestamp.
/// Pages poll it and reload their live parts when it differs.
pub(crate) fn stamp(trials: &[Arc<FrozenTrial>]) -> String {
    let c = counts(trials);
    let (mut params, mut steps, mut attrs) = (0usize, 0usize, 0usize);
    let mut latest = 0i64;
    for t in trials {
        params += t.params.len();
        steps += t.intermediate_values.len();
        attrs += t.user_attrs.len();
        for time in [t.datetime_start, t.datetime_complete]
            .into_iter()
            .flatten()
        {
            latest = latest.max(time.timestamp_micros());
        }
    }
    format!(
        "{}.{}.{}.{}.{}-{params}.{steps}.{attrs}-{latest}",
        c[0], c[1], c[2], c[3], c[4]
    )
}

/// The best of a single-objective study's feasible Complete trials (the first, on a tie) and
/// its value.
pub(crate) fn best_trial(
    trials: &[Arc<FrozenTrial>],
    direction: StudyDirection,
) -> Option<(&Arc<FrozenTrial>, f64)> {
    trials
        .iter()
        .filter(|t| t.state == TrialState::Complete && t.is_feasible())
        .filter_map(|t| Some((t, t.values.as_ref()?.first().copied()?)))
        .filter(|(_, v)| !v.is_nan())
        .reduce(|best, next| {
            if direction.is_better(next.1, best.1) {
                next
            } else {
                best
            }
        })
}

/// The latest start or completion time among the trials.
pub(crate) fn last_update(trials: &[Arc<FrozenTrial>]) -> Option<chrono::DateTime<chrono::Utc>> {
    trials
        .iter()
        .flat_map(|t| [t.datetime_start, t.datetime_complete])
        .flatten()
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(number: u64, state: TrialState, value: Option<f64>) -> Arc<FrozenTrial> {
        let mut t = FrozenTrial::new(state);
        t.number = number;
        t.values = value.map(|v| vec![v]);
        Arc::new(t)
    }

    #[test]
    fn stamps_change_with_states_and_steps_and_best_ignores_nan() {
        let a = vec![
            trial(0, TrialState::Complete, Some(3.0)),
            trial(1, TrialState::Running, None),
        ];
        let mut b = a.clone();
        b[1] = trial(1, TrialState::Complete, Some(f64::NAN));
        assert_ne!(stamp(&a), stamp(&b));
        let mut c = b.clone();
        let mut t = (*c[0]).clone();
        t.intermediate_values.insert(0, 1.0);
        c[0] = Arc::new(t);
        assert_ne!(stamp(&b), stamp(&c));
        assert_eq!(stamp(&c), stamp(&c.clone()));
        assert_eq!(counts(&b), [0, 2, 0, 0, 0]);
        assert_eq!(
            best_trial(&b, StudyDirection::Minimize).map(|(t, v)| (t.number, v)),
            Some((0, 3.0))
        );
        assert!(best_trial(&a[1..], StudyDirection::Minimize).is_none());
    }
}
