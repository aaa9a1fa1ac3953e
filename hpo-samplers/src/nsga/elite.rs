//! NSGA-II's elite selection: fast non-dominated sorting with constrained domination, crowding
//! distance, and filling the next parent population rank by rank (Optuna's
//! `NSGAIIElitePopulationSelectionStrategy`).

use std::sync::Arc;

use hpo_core::multi_objective::{dominates, non_domination_ranks};
use hpo_core::{Error, FrozenTrial, Result, StudyDirection, TrialState};

/// The trial's objective values turned into losses (lower is better); a missing value is `+inf`.
pub fn losses(trial: &FrozenTrial, directions: &[StudyDirection]) -> Vec<f64> {
    directions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            trial
                .values
                .as_ref()
                .and_then(|v| v.get(i))
                .map_or(f64::INFINITY, |v| d.to_minimize(*v))
        })
        .collect()
}

/// The total constraint violation of a trial: the sum of its positive constraint values
/// (0 for a feasible trial or one without constraints).
pub fn violation(trial: &FrozenTrial) -> f64 {
    trial.constraints().into_iter().filter(|c| *c > 0.0).sum()
}

/// Whether Complete trial `a` Pareto-dominates `b` (a non-Complete `a` never does; any `a`
/// dominates a non-Complete `b`), as Optuna's `_dominates`.
pub fn trial_dominates(a: &FrozenTrial, b: &FrozenTrial, directions: &[StudyDirection]) -> bool {
    if a.state != TrialState::Complete {
        return false;
    }
    if b.state != TrialState::Complete {
        return true;
    }
    dominates(&losses(a, directions), &losses(b, directions))
}

/// Constrained domination (Deb's rule, Optuna's `_constrained_dominates`): a feasible trial beats
/// an infeasible one; of two infeasible trials the one with the smaller total violation wins; two
/// feasible trials compare by Pareto domination.
///
/// ```
/// use hpo_core::{FrozenTrial, StudyDirection, TrialState};
/// use hpo_samplers::nsga::constrained_dominates;
///
/// let dirs = [StudyDirection::Minimize; 2];
/// let good = FrozenTrial::new(TrialState::Complete)
///     .with_values([5.0, 5.0])
///     .with_system_attr("constraints", vec![-1.0]);
/// let bad = FrozenTrial::new(TrialState::Complete)
///     .with_values([0.0, 0.0])
///     .with_system_attr("constraints", vec![2.0]);
/// assert!(constrained_dominates(&good, &bad, &dirs));
/// assert!(!constrained_dominates(&bad, &good, &dirs));
/// ```
pub fn constrained_dominates(
    a: &FrozenTrial,
    b: &FrozenTrial,
    directions: &[StudyDirection],
) -> bool {
    if a.state != TrialState::Complete {
        return false;
    }
    if b.state != TrialState::Complete {
        return true;
    }
    match (a.is_feasible(), b.is_feasible()) {
        (true, true) => dominates(&losses(a, directions), &losses(b, directions)),
        (true, false) => true,
        (false, true) => false,
        (false, false) => violation(a) < violation(b),
    }
}

/// Whether any trial carries constraint values (then domination is constrained).
pub fn is_constrained(trials: &[Arc<FrozenTrial>]) -> bool {
    trials.iter().any(|t| t.has_constraints())
}

/// Dense ranks of one-dimensional values (equal values share a rank).
fn dense_ranks(values: &[f64]) -> Vec<usize> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    values
        .iter()
        .map(|v| sorted.partition_point(|s| s.total_cmp(v).is_lt()))
        .collect()
}

/// The population split into non-domination ranks (indices into `population`, in population
/// order within a rank). With constraints, the feasible trials are sorted first by Pareto
/// domination, then the infeasible ones by total violation, as Optuna's
/// `_fast_non_domination_rank(..., penalty=...)` does.
///
/// Errors when a constraint value is NaN.
pub fn rank_population(
    population: &[Arc<FrozenTrial>],
    directions: &[StudyDirection],
) -> Result<Vec<Vec<usize>>> {
    if population.is_empty() {
        return Ok(Vec::new());
    }
    let losses: Vec<Vec<f64>> = population.iter().map(|t| losses(t, directions)).collect();
    let ranks: Vec<usize> = if is_constrained(population) {
        if population
            .iter()
            .any(|t| t.constraints().iter().any(|c| c.is_nan()))
        {
            return Err(Error::InvalidArgument(
                "NaN is not acceptable as a constraint value".into(),
            ));
        }
        let penalty: Vec<f64> = population.iter().map(|t| violation(t)).collect();
        let feasible: Vec<usize> = (0..population.len())
            .filter(|&i| penalty[i] <= 0.0)
            .collect();
        let infeasible: Vec<usize> = (0..population.len())
            .filter(|&i| penalty[i] > 0.0)
            .collect();
        let mut ranks = vec![0; population.len()];
        let feasible_losses: Vec<Vec<f64>> = feasible.iter().map(|&i| losses[i].clone()).collect();
        let feasible_ranks = non_domination_ranks(&feasible_losses, None);
        for (&i, &r) in feasible.iter().zip(&feasible_ranks) {
            ranks[i] = r;
        }
        let top = feasible_ranks.iter().max().map_or(0, |r| r + 1);
        let penalties: Vec<f64> = infeasible.iter().map(|&i| penalty[i]).collect();
        for (&i, r) in infeasible.iter().zip(dense_ranks(&penalties)) {
            ranks[i] = top + r;
        }
        ranks
    } else {
        non_domination_ranks(&losses, None)
    };
    let n_ranks = ranks.iter().max().map_or(0, |r| r + 1);
    let mut fronts: Vec<Vec<usize>> = vec![Vec::new(); n_ranks];
    for (i, r) in ranks.into_iter().enumerate() {
        fronts[r].push(i);
    }
    Ok(fronts)
}

/// The crowding distance of each point of a front (Optuna's `_calc_crowding_distance`): summed
/// over the objectives, the gap between a point's two neighbours in that objective divided by
/// the objective's finite range. Boundary points get `+inf`; an objective in which all points
/// agree adds nothing.
///
/// ```
/// use hpo_samplers::nsga::crowding_distance;
/// let d = crowding_distance(&[vec![0.0, 4.0], vec![1.0, 2.0], vec![4.0, 0.0]]);
/// assert_eq!(d[0], f64::INFINITY);
/// assert_eq!(d[1], 4.0 / 4.0 + 4.0 / 4.0);
/// assert_eq!(d[2], f64::INFINITY);
/// ```
pub fn crowding_distance(values: &[Vec<f64>]) -> Vec<f64> {
    crowding(values).0
}

/// Distances, and the order in which Optuna's in-place sorts leave the points (by the last
/// objective, ties by the earlier ones), which decides ties in [`crowding_order`].
fn crowding(values: &[Vec<f64>]) -> (Vec<f64>, Vec<usize>) {
    let n = values.len();
    let mut distance = vec![0.0; n];
    let mut order: Vec<usize> = (0..n).collect();
    let Some(first) = values.first() else {
        return (distance, order);
    };
    for m in 0..first.len() {
        let column: Vec<f64> = values.iter().map(|v| v[m]).collect();
        order.sort_by(|&a, &b| column[a].total_cmp(&column[b]));
        if column[order[0]] == column[order[n - 1]] {
            continue;
        }
        let mut vs = Vec::with_capacity(n + 2);
        vs.push(f64::NEG_INFINITY);
        vs.extend(order.iter().map(|&i| column[i]));
        vs.push(f64::INFINITY);
        let v_min = vs
            .iter()
            .copied()
            .find(|x| *x != f64::NEG_INFINITY)
            .unwrap_or(0.0);
        let v_max = vs
            .iter()
            .rev()
            .copied()
            .find(|x| *x != f64::INFINITY)
            .unwrap_or(0.0);
        let mut width = v_max - v_min;
        if width.is_nan() || width <= 0.0 {
            width = 1.0;
        }
        for j in 0..n {
            let gap = if vs[j] == vs[j + 2] {
                0.0
            } else {
                vs[j + 2] - vs[j]
            };
            distance[order[j]] += gap / width;
        }
    }
    (distance, order)
}

/// The points of a front from the least crowded (largest crowding distance) to the most, with
/// ties broken as Optuna's stable sort-and-reverse breaks them.
pub fn crowding_order(values: &[Vec<f64>]) -> Vec<usize> {
    let (distance, mut order) = crowding(values);
    order.sort_by(|&a, &b| distance[a].total_cmp(&distance[b]));
    order.reverse();
    order
}

/// NSGA-II's survivor selection: the first `population_size` trials of `population` by
/// (constrained) non-domination rank, the last rank that does not fit whole cut by crowding
/// distance. Returns all of `population` when it is not larger.
///
/// Errors when a constraint value is NaN.
pub fn select_elite(
    population: &[Arc<FrozenTrial>],
    directions: &[StudyDirection],
    population_size: usize,
) -> Result<Vec<Arc<FrozenTrial>>> {
    let mut elite: Vec<Arc<FrozenTrial>> = Vec::with_capacity(population_size);
    for front in rank_population(population, directions)? {
        if elite.len() + front.len() < population_size {
            elite.extend(front.iter().map(|&i| population[i].clone()));
        } else {
            let need = population_size - elite.len();
            let values: Vec<Vec<f64>> = front
                .iter()
                .map(|&i| population[i].values.clone().unwrap_or_default())
                .collect();
            let values = pad(values, directions.len());
            let order = crowding_order(&values);
            elite.extend(order[..need].iter().map(|&k| population[front[k]].clone()));
            break;
        }
    }
    Ok(elite)
}

/// Missing values as `+inf`, so every row has one entry per objective.
fn pad(mut values: Vec<Vec<f64>>, m: usize) -> Vec<Vec<f64>> {
    for v in &mut values {
        v.resize(m, f64::INFINITY);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(values: [f64; 2]) -> Arc<FrozenTrial> {
        Arc::new(FrozenTrial::new(TrialState::Complete).with_values(values))
    }

    #[test]
    fn crowding_distance_of_a_hand_made_front() {
        // Front on a line: the inner points' distances are the neighbour gaps over the range.
        let front = vec![
            vec![0.0, 10.0],
            vec![1.0, 9.0],
            vec![5.0, 5.0],
            vec![10.0, 0.0],
        ];
        let d = crowding_distance(&front);
        assert_eq!(d[0], f64::INFINITY);
        assert_eq!(d[3], f64::INFINITY);
        assert!((d[1] - (5.0 / 10.0 + 5.0 / 10.0)).abs() < 1e-12);
        assert!((d[2] - (9.0 / 10.0 + 9.0 / 10.0)).abs() < 1e-12);
        // Least crowded first: the two boundary points, then 2, then 1.
        let order = crowding_order(&front);
        assert_eq!(&order[2..], &[2, 1]);
        // A constant objective adds nothing.
        let flat = crowding_distance(&[vec![1.0, 0.0], vec![1.0, 1.0], vec![1.0, 3.0]]);
        assert_eq!(flat[1], 3.0 / 3.0);
    }

    #[test]
    fn elite_fills_rank_by_rank_then_by_crowding() {
        let pop = vec![
            trial([0.0, 4.0]), // rank 0
            trial([4.0, 0.0]), // rank 0
            trial([2.0, 2.0]), // rank 0
            trial([1.0, 5.0]), // rank 1
            trial([3.0, 3.0]), // rank 1
            trial([5.0, 1.0]), // rank 1
            trial([9.0, 9.0]), // rank 2
        ];
        let dirs = [StudyDirection::Minimize; 2];
        let ranks = rank_population(&pop, &dirs).unwrap();
        assert_eq!(ranks, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        let elite = select_elite(&pop, &dirs, 5).unwrap();
        assert_eq!(elite.len(), 5);
        let got: Vec<Vec<f64>> = elite.iter().map(|t| t.values.clone().unwrap()).collect();
        // All of rank 0, then the two boundary points of rank 1 (the middle one is crowded).
        assert_eq!(&got[..3], &[vec![0.0, 4.0], vec![4.0, 0.0], vec![2.0, 2.0]]);
        assert!(got.contains(&vec![1.0, 5.0]) && got.contains(&vec![5.0, 1.0]));
        assert_eq!(select_elite(&pop, &dirs, 10).unwrap().len(), 7);
    }

    #[test]
    fn maximize_is_turned_around() {
        let pop = vec![trial([1.0, 1.0]), trial([2.0, 2.0])];
        let dirs = [StudyDirection::Maximize; 2];
        assert_eq!(
            rank_population(&pop, &dirs).unwrap(),
            vec![vec![1], vec![0]]
        );
    }

    #[test]
    fn constrained_ranks_put_feasible_first_then_by_violation() {
        let with = |v: [f64; 2], c: f64| {
            Arc::new(
                FrozenTrial::new(TrialState::Complete)
                    .with_values(v)
                    .with_system_attr("constraints:c", c),
            )
        };
        let pop = vec![
            with([0.0, 0.0], 3.0),  // infeasible, violation 3
            with([5.0, 5.0], -1.0), // feasible, dominated
            with([1.0, 1.0], 0.0),  // feasible, best
            with([0.0, 0.0], 1.0),  // infeasible, violation 1
            with([0.5, 0.5], 1.0),  // same violation as the last one
        ];
        let dirs = [StudyDirection::Minimize; 2];
        let ranks = rank_population(&pop, &dirs).unwrap();
        assert_eq!(ranks, vec![vec![2], vec![1], vec![3, 4], vec![0]]);
        assert!(constrained_dominates(&pop[1], &pop[0], &dirs));
        assert!(constrained_dominates(&pop[3], &pop[0], &dirs));
        assert!(!constrained_dominates(&pop[3], &pop[4], &dirs));
        let nan = vec![with([0.0, 0.0], f64::NAN)];
        assert!(rank_population(&nan, &dirs).is_err());
    }
}
