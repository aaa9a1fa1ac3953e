//! [`StudyData`]: a snapshot of a study (name, directions, trials, metric names) that plots read.

use std::sync::Arc;

use hpo_core::{FrozenTrial, Study, StudyDirection, TrialState};

/// The name of objective `index` of a study with `n_objectives` objectives: its metric name if
/// set (and not empty), else `"Objective Value"` for a single objective and `"Objective <index>"`
/// for several (as Optuna labels them). The plots and the dashboard name objectives with it.
pub fn objective_label(
    metric_names: Option<&[String]>,
    n_objectives: usize,
    index: usize,
) -> String {
    match metric_names.and_then(|names| names.get(index)) {
        Some(name) if !name.is_empty() => name.clone(),
        _ if n_objectives > 1 => format!("Objective {index}"),
        _ => "Objective Value".to_owned(),
    }
}

/// What the plots read from a study: a snapshot, so that a figure is consistent even while
/// workers keep adding trials, and so that trials from anywhere (a storage, a JSON export, a
/// test) can be plotted.
#[derive(Clone, Debug)]
pub struct StudyData {
    /// The study's name (shown in messages and the report).
    pub name: String,
    /// One direction per objective.
    pub directions: Vec<StudyDirection>,
    /// Every trial, by number.
    pub trials: Vec<Arc<FrozenTrial>>,
    /// The objectives' names, if the study set them.
    pub metric_names: Option<Vec<String>>,
}

impl StudyData {
    /// A snapshot of `study`'s trials, directions and metric names.
    pub fn load(study: &Study) -> hpo_core::Result<Self> {
        let mut data = StudyData::new(study.name(), study.directions().to_vec(), study.trials()?);
        data.metric_names = study.metric_names()?;
        Ok(data)
    }

    /// Data from parts; the trials are put in order of their numbers. A study with no direction
    /// is treated as minimizing one objective.
    pub fn new(
        name: impl Into<String>,
        directions: Vec<StudyDirection>,
        mut trials: Vec<Arc<FrozenTrial>>,
    ) -> Self {
        trials.sort_by_key(|t| t.number);
        let directions = if directions.is_empty() {
            vec![StudyDirection::Minimize]
        } else {
            directions
        };
        StudyData {
            name: name.into(),
            directions,
            trials,
            metric_names: None,
        }
    }

    /// Sets the objectives' names.
    pub fn with_metric_names(mut self, names: Vec<String>) -> Self {
        self.metric_names = Some(names);
        self
    }

    /// Whether the study has more than one objective.
    pub fn is_multi_objective(&self) -> bool {
        self.directions.len() > 1
    }

    /// The name of objective `index` ([`objective_label`]).
    pub fn objective_name(&self, index: usize) -> String {
        objective_label(self.metric_names.as_deref(), self.directions.len(), index)
    }

    /// How many trials are in `state`.
    pub fn count(&self, state: TrialState) -> usize {
        self.trials.iter().filter(|t| t.state == state).count()
    }

    /// The Complete trials, by number.
    pub fn complete_trials(&self) -> impl Iterator<Item = &Arc<FrozenTrial>> {
        self.trials
            .iter()
            .filter(|t| t.state == TrialState::Complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_sorts_and_names_objectives() {
        let t = |n: u64| {
            let mut t = FrozenTrial::new(TrialState::Complete).with_value(n as f64);
            t.number = n;
            Arc::new(t)
        };
        let d = StudyData::new("s", vec![], vec![t(2), t(0), t(1)]);
        assert_eq!(
            d.trials.iter().map(|t| t.number).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(d.directions, [StudyDirection::Minimize]);
        assert_eq!(d.objective_name(0), "Objective Value");
        let d = StudyData::new(
            "m",
            vec![StudyDirection::Minimize, StudyDirection::Maximize],
            vec![],
        )
        .with_metric_names(vec!["loss".into(), String::new()]);
        assert_eq!(d.objective_name(0), "loss");
        assert_eq!(d.objective_name(1), "Objective 1");
        assert_eq!(d.count(TrialState::Complete), 0);
    }
}
