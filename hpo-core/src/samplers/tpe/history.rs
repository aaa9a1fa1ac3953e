//! TPE's incremental view of a study's finished trials.
//!
//! Each sample needs, for the Complete and Pruned trials: their order by number (for the weight
//! ramp), the best ones by value (the "below" group), and per parameter the internal values and
//! their sorted order (for the neighbour bandwidths). Rebuilding all of that per trial costs
//! O(n log n) per parameter; this cache is updated from `Study::finished_trials_since`, so a
//! new trial costs O(log n) to add (O(n) memory moves when trials finish out of order), and a
//! sample reads it in O(n).

use std::collections::HashMap;
use std::sync::Arc;

use crate::{FrozenTrial, Result, Study, StudyDirection, TrialState};

/// A finished (Complete or Pruned) trial.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub number: u64,
    pub values: Option<Vec<f64>>,
}

/// One parameter's values across the finished trials.
#[derive(Debug, Clone, Default)]
pub(crate) struct Column {
    /// Internal value per entry (NaN where the trial lacks the parameter).
    pub values: Vec<f64>,
    /// `(internal value, trial number)` sorted by value, equal values by trial number.
    pub sorted: Vec<(f64, u64)>,
    /// How many entries lack the parameter (NaN in `values`).
    pub missing: usize,
}

/// The cache for one study (or one filtered view, rebuilt at every refresh).
#[derive(Debug, Default)]
pub(crate) struct History {
    study_id: Option<i64>,
    cursor: usize,
    pub entries: Vec<Entry>,
    /// Trial number -> index in `entries` (u32::MAX when absent).
    pub pos_of_number: Vec<u32>,
    pub columns: HashMap<String, Column>,
    /// Feasible Complete trials of a single-objective study: (value to minimize, number).
    pub complete_by_value: Vec<(f64, u64)>,
    /// Feasible Complete trials of any study, by number (multi-objective split).
    pub complete_numbers: Vec<u64>,
    /// Feasible Pruned trials: Optuna's `(-last_step, last value)` score, then number.
    pub pruned_by_score: Vec<(f64, f64, u64)>,
    /// Infeasible trials by total violation, then number.
    pub infeasible_by_violation: Vec<(f64, u64)>,
}

fn pruned_score(t: &FrozenTrial, direction: StudyDirection) -> (f64, f64) {
    match t.last_step() {
        Some((step, v)) if v.is_nan() => (-(step as f64), f64::INFINITY),
        Some((step, v)) => (-(step as f64), direction.to_minimize(v)),
        None => (1.0, 0.0),
    }
}

fn insert_sorted<T: PartialOrd + Copy>(
    v: &mut Vec<T>,
    item: T,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    let p = v.partition_point(|x| cmp(x, &item) == std::cmp::Ordering::Less);
    v.insert(p, item);
}

impl History {
    /// Brings the cache up to date with `study` (a filtered view is rebuilt from scratch).
    pub fn refresh(&mut self, study: &Study) -> Result<()> {
        if self.study_id != Some(study.study_id()) || study.is_filtered() {
            *self = History {
                study_id: Some(study.study_id()),
                ..History::default()
            };
        }
        let new = study.finished_trials_since(self.cursor)?;
        self.cursor = new.cursor;
        let direction = study.directions()[0];
        for t in new.trials {
            if matches!(t.state, TrialState::Complete | TrialState::Pruned) {
                self.insert(&t, direction, study.directions().len());
            }
        }
        Ok(())
    }

    fn insert(&mut self, t: &Arc<FrozenTrial>, direction: StudyDirection, n_objectives: usize) {
        let violation: f64 = t.constraints().into_iter().filter(|c| *c > 0.0).sum();
        let number = t.number;
        let p = self.entries.partition_point(|e| e.number < number);
        self.entries.insert(
            p,
            Entry {
                number,
                values: t.values.clone(),
            },
        );
        for col in self.columns.values_mut() {
            col.values.insert(p, f64::NAN);
            col.missing += 1;
        }
        let len = self.entries.len();
        for (name, param) in &t.params {
            // The name is cloned only for a new column.
            if !self.columns.contains_key(name) {
                let col = Column {
                    values: vec![f64::NAN; len],
                    sorted: Vec::new(),
                    missing: len,
                };
                self.columns.insert(name.clone(), col);
            }
            let col = self.columns.get_mut(name).expect("inserted above");
            col.values[p] = param.internal;
            col.missing -= usize::from(!param.internal.is_nan());
            // Equal values by trial number, as a stable sort of the trials would leave them.
            insert_sorted(&mut col.sorted, (param.internal, number), |a, b| {
                a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
            });
        }
        if self.pos_of_number.len() <= number as usize {
            self.pos_of_number.resize(number as usize + 1, u32::MAX);
        }
        for (i, e) in self.entries.iter().enumerate().skip(p) {
            self.pos_of_number[e.number as usize] = i as u32;
        }
        if violation > 0.0 {
            insert_sorted(
                &mut self.infeasible_by_violation,
                (violation, number),
                |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)),
            );
        } else if t.state == TrialState::Complete {
            if n_objectives == 1 {
                let v = direction.to_minimize(t.values.as_ref().map_or(f64::NAN, |v| v[0]));
                insert_sorted(&mut self.complete_by_value, (v, number), |a, b| {
                    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
                });
            }
            insert_sorted(&mut self.complete_numbers, number, |a, b| a.cmp(b));
        } else {
            let (s0, s1) = pruned_score(t, direction);
            insert_sorted(&mut self.pruned_by_score, (s0, s1, number), |a, b| {
                a.0.total_cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then(a.2.cmp(&b.2))
            });
        }
    }

    /// Number of Complete and Pruned trials.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry of trial `number`.
    pub fn entry(&self, number: u64) -> Option<&Entry> {
        let pos = *self.pos_of_number.get(number as usize)?;
        (pos != u32::MAX).then(|| &self.entries[pos as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RandomSampler;

    /// Each column counts the entries that lack its parameter, as its NaN values do, through
    /// conditional parameters, a parameter that first appears late, trials that finish out of
    /// order, and failed trials (which the history leaves out).
    #[test]
    fn columns_count_their_missing_entries() {
        let study = Study::builder()
            .sampler(RandomSampler::with_seed(1))
            .build()
            .unwrap();
        let mut history = History::default();
        let mut open = Vec::new();
        for i in 0..60 {
            let mut t = study.ask().unwrap();
            let x = t.suggest_float("x", 0.0, 1.0).unwrap();
            if x < 0.5 {
                t.suggest_int("n", 1, 4).unwrap();
            }
            if i >= 20 {
                t.suggest_float("late", 0.0, 1.0).unwrap();
            }
            open.push((t, x));
            // Finish out of order: every third trial waits, the others finish oldest or
            // newest first.
            if i % 3 != 0 {
                let (t, x) = if i % 2 == 0 {
                    open.remove(0)
                } else {
                    open.pop().expect("a trial was just asked")
                };
                if i % 7 == 0 {
                    study.tell_failed(t, "left out").unwrap();
                } else {
                    study.tell(t, x).unwrap();
                }
            }
            if i % 10 == 9 {
                for (t, x) in open.drain(..) {
                    study.tell(t, x).unwrap();
                }
                history.refresh(&study).unwrap();
                assert_eq!(history.columns.len(), 3 - usize::from(i < 20));
                for (name, col) in &history.columns {
                    let nan = col.values.iter().filter(|v| v.is_nan()).count();
                    assert_eq!(col.missing, nan, "column {name} after {} trials", i + 1);
                    assert_eq!(col.values.len(), history.len());
                }
            }
        }
        assert!(history.columns["late"].missing >= 18);
        assert!(history.columns["n"].missing > 0 && history.columns["x"].missing == 0);
    }
}
