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
    pub sorted: Sorted,
    /// How many entries lack the parameter (NaN in `values`).
    pub missing: usize,
}

/// `(value, trial number)` pairs sorted by value, equal values by number (the order a stable
/// sort of the trials leaves), kept in chunks of at most [`Sorted::CHUNK`] entries: a new
/// trial's value moves at most one chunk (one sorted vector of a thousand trials moved
/// 8 KB a parameter, in every trial), and the readers go by global index as in one vector.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sorted {
    chunks: Vec<Vec<(f64, u64)>>,
    /// Global index of each chunk's first entry.
    starts: Vec<usize>,
    len: usize,
}

/// `a` before `b` in a [`Sorted`].
fn before(a: &(f64, u64), b: &(f64, u64)) -> bool {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).is_lt()
}

impl Sorted {
    /// A full chunk splits in two.
    pub const CHUNK: usize = 128;

    /// No entries.
    pub const fn new() -> Self {
        Sorted {
            chunks: Vec::new(),
            starts: Vec::new(),
            len: 0,
        }
    }

    /// Adds `(value, number)` in its place.
    pub fn insert(&mut self, value: f64, number: u64) {
        let item = (value, number);
        if self.chunks.is_empty() {
            self.chunks.push(Vec::with_capacity(Self::CHUNK));
            self.starts.push(0);
        }
        // The first chunk whose last entry is not before the item (else the last chunk).
        let c = self
            .chunks
            .partition_point(|ch| ch.last().is_some_and(|last| before(last, &item)))
            .min(self.chunks.len() - 1);
        let chunk = &mut self.chunks[c];
        let at = chunk.partition_point(|e| before(e, &item));
        chunk.insert(at, item);
        self.len += 1;
        for s in &mut self.starts[c + 1..] {
            *s += 1;
        }
        if chunk.len() >= Self::CHUNK {
            let mut upper = Vec::with_capacity(Self::CHUNK);
            upper.extend(chunk.drain(Self::CHUNK / 2..));
            let start = self.starts[c] + Self::CHUNK / 2;
            self.chunks.insert(c + 1, upper);
            self.starts.insert(c + 1, start);
        }
    }

    /// The chunk holding entry `i` (`i < len`).
    fn chunk_of(&self, i: usize) -> usize {
        self.starts.partition_point(|&s| s <= i) - 1
    }

    /// Entry `i`.
    pub fn get(&self, i: usize) -> Option<&(f64, u64)> {
        if i >= self.len {
            return None;
        }
        let c = self.chunk_of(i);
        self.chunks[c].get(i - self.starts[c])
    }

    /// The number of leading entries for which `pred` holds (`pred` must hold for a prefix),
    /// as `slice::partition_point`.
    pub fn partition_point(&self, pred: impl Fn(&(f64, u64)) -> bool) -> usize {
        let c = self
            .chunks
            .partition_point(|ch| ch.last().is_some_and(&pred));
        match self.chunks.get(c) {
            None => self.len,
            Some(chunk) => self.starts[c] + chunk.partition_point(pred),
        }
    }

    /// Every entry in order.
    pub fn iter(&self) -> impl Iterator<Item = &(f64, u64)> + '_ {
        self.chunks.iter().flatten()
    }

    /// `(index, entry)` from index `start` on, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = (usize, &(f64, u64))> + '_ {
        let c = if start < self.len {
            self.chunk_of(start)
        } else {
            self.chunks.len()
        };
        self.chunks[c..]
            .iter()
            .zip(&self.starts[c..])
            .flat_map(move |(chunk, &s)| {
                let skip = start.saturating_sub(s);
                chunk[skip..]
                    .iter()
                    .enumerate()
                    .map(move |(i, e)| (s + skip + i, e))
            })
    }

    /// `(index, entry)` before index `end`, nearest first.
    pub fn rev_from(&self, end: usize) -> impl Iterator<Item = (usize, &(f64, u64))> + '_ {
        let end = end.min(self.len);
        let c = if end == 0 {
            0
        } else {
            self.chunk_of(end - 1) + 1
        };
        self.chunks[..c]
            .iter()
            .zip(&self.starts[..c])
            .rev()
            .flat_map(move |(chunk, &s)| {
                let take = (end - s).min(chunk.len());
                chunk[..take]
                    .iter()
                    .enumerate()
                    .rev()
                    .map(move |(i, e)| (s + i, e))
            })
    }
}

/// A column that has no entries, for a parameter no finished trial has.
pub(crate) static NO_ENTRIES: Sorted = Sorted::new();

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
                    sorted: Sorted::new(),
                    missing: len,
                };
                self.columns.insert(name.clone(), col);
            }
            let col = self.columns.get_mut(name).expect("inserted above");
            col.values[p] = param.internal;
            col.missing -= usize::from(!param.internal.is_nan());
            col.sorted.insert(param.internal, number);
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

    /// A chunked column reads as the one sorted vector it replaces: every entry by index, the
    /// partition points, and the scans from every index both ways, through thousands of
    /// inserts (many equal values, so the trial numbers decide) and the chunks' splits.
    #[test]
    fn sorted_chunks_read_as_one_sorted_vector() {
        let mut rng = crate::rng::Rng::seed_from_u64(9);
        let mut chunked = Sorted::new();
        let mut flat: Vec<(f64, u64)> = Vec::new();
        let mut numbers: Vec<u64> = (0..3000).collect();
        // Trials finish out of order: shuffle their numbers.
        for i in (1..numbers.len()).rev() {
            let j = (rng.next_f64() * (i + 1) as f64) as usize;
            numbers.swap(i, j);
        }
        for (step, &number) in numbers.iter().enumerate() {
            let value = match step % 4 {
                0 => (rng.next_f64() * 20.0).floor(),
                1 => -0.0,
                _ => rng.next_f64() * 10.0 - 5.0,
            };
            chunked.insert(value, number);
            let p = flat.partition_point(|e| before(e, &(value, number)));
            flat.insert(p, (value, number));
            if step % 331 != 0 && step + 1 != numbers.len() {
                continue;
            }
            assert_eq!(chunked.len, flat.len());
            assert!(
                chunked.iter().eq(flat.iter()),
                "in order after {step} inserts"
            );
            for i in 0..=flat.len() {
                assert_eq!(chunked.get(i), flat.get(i));
                let after: Vec<(usize, &(f64, u64))> = flat.iter().enumerate().skip(i).collect();
                assert!(chunked.iter_from(i).eq(after), "from {i}");
                let before_i: Vec<(usize, &(f64, u64))> =
                    flat.iter().enumerate().take(i).rev().collect();
                assert!(chunked.rev_from(i).eq(before_i), "before {i}");
            }
            for probe in [-6.0, -0.0, 0.0, 3.0, 19.0, 25.0] {
                for number in [0, 1500, 3000] {
                    let item = (probe, number);
                    assert_eq!(
                        chunked.partition_point(|e| before(e, &item)),
                        flat.partition_point(|e| before(e, &item)),
                        "partition point of {item:?}"
                    );
                }
            }
        }
        assert!(chunked.chunks.len() > 3000 / Sorted::CHUNK);
        assert!(chunked.chunks.iter().all(|c| c.len() < Sorted::CHUNK));
        assert_eq!(NO_ENTRIES.iter().count(), 0);
        assert_eq!(
            NO_ENTRIES.rev_from(3).count() + NO_ENTRIES.iter_from(0).count(),
            0
        );
    }

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
