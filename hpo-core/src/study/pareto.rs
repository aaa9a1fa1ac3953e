//! Pareto fronts of multi-objective studies.

use std::sync::Arc;

use crate::study::StudyDirection;
use crate::trial::FrozenTrial;

/// The trials not dominated by any other (all objectives at least as good and one strictly
/// better), returned by number. Trials without the right number of values are ignored.
///
/// Runs in O(n log n + n·f) for f front members: trials are sorted lexicographically (turned to
/// minimization), so no trial can be dominated by one that comes after it.
pub fn pareto_front(
    trials: &[Arc<FrozenTrial>],
    directions: &[StudyDirection],
) -> Vec<Arc<FrozenTrial>> {
    let m = directions.len();
    let mut points: Vec<(Vec<f64>, &Arc<FrozenTrial>)> = trials
        .iter()
        .filter_map(|t| {
            let v = t.values.as_ref().filter(|v| v.len() == m)?;
            Some((
                v.iter()
                    .zip(directions)
                    .map(|(x, d)| d.to_minimize(*x))
                    .collect(),
                t,
            ))
        })
        .collect();
    points.sort_by(|a, b| {
        a.0.iter()
            .zip(&b.0)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let dominates = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
    };
    let mut front: Vec<(Vec<f64>, &Arc<FrozenTrial>)> = Vec::new();
    for (v, t) in points {
        if !front.iter().any(|(f, _)| dominates(f, &v)) {
            front.push((v, t));
        }
    }
    let mut out: Vec<Arc<FrozenTrial>> = front.into_iter().map(|(_, t)| t.clone()).collect();
    out.sort_by_key(|t| t.number);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trial::TrialState;

    fn trial(number: u64, values: &[f64]) -> Arc<FrozenTrial> {
        let mut t = FrozenTrial::new(TrialState::Complete).with_values(values.to_vec());
        t.number = number;
        Arc::new(t)
    }

    #[test]
    fn front_of_a_small_set() {
        let d = [StudyDirection::Minimize, StudyDirection::Minimize];
        let ts = vec![
            trial(0, &[1.0, 5.0]),
            trial(1, &[2.0, 2.0]),
            trial(2, &[3.0, 3.0]), // dominated by 1
            trial(3, &[5.0, 1.0]),
            trial(4, &[2.0, 2.0]), // equal to 1: kept
            trial(5, &[1.0, 6.0]), // dominated by 0
        ];
        let numbers: Vec<u64> = pareto_front(&ts, &d).iter().map(|t| t.number).collect();
        assert_eq!(numbers, vec![0, 1, 3, 4]);
    }

    #[test]
    fn maximize_flips() {
        let d = [StudyDirection::Maximize, StudyDirection::Minimize];
        let ts = vec![
            trial(0, &[1.0, 1.0]),
            trial(1, &[2.0, 1.0]),
            trial(2, &[0.5, 0.5]),
        ];
        let numbers: Vec<u64> = pareto_front(&ts, &d).iter().map(|t| t.number).collect();
        assert_eq!(numbers, vec![1, 2]);
    }
}
