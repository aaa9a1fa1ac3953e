//! TPE's split of the history into the "below" (good) and "above" groups (Optuna's
//! `_split_trials`): the best Complete trials first (by value, or by non-domination rank with a
//! hypervolume tie-break for several objectives), then Pruned trials by how far they got and
//! their last value, then infeasible trials by total violation. Everything else, including
//! every Running trial, is "above".

use crate::StudyDirection;
use crate::multi_objective::best_subset;

use super::history::History;

/// The trial numbers of the "below" group (at most `n_below`).
pub(crate) fn below_numbers(
    hist: &History,
    directions: &[StudyDirection],
    n_below: usize,
) -> Vec<u64> {
    let mut below = Vec::with_capacity(n_below);
    if directions.len() <= 1 {
        below.extend(hist.complete_by_value.iter().take(n_below).map(|(_, n)| *n));
    } else {
        below.extend(split_multi_objective(hist, directions, n_below));
    }
    let mut remaining = n_below.saturating_sub(below.len());
    let pruned = hist
        .pruned_by_score
        .iter()
        .take(remaining)
        .map(|(_, _, n)| *n);
    below.extend(pruned);
    remaining = n_below.saturating_sub(below.len());
    below.extend(
        hist.infeasible_by_violation
            .iter()
            .take(remaining)
            .map(|(_, n)| *n),
    );
    below
}

fn split_multi_objective(
    hist: &History,
    directions: &[StudyDirection],
    n_below: usize,
) -> Vec<u64> {
    let numbers = &hist.complete_numbers;
    let n_below = n_below.min(numbers.len());
    if n_below == 0 {
        return Vec::new();
    }
    if n_below == numbers.len() {
        return numbers.clone();
    }
    let losses: Vec<Vec<f64>> = numbers
        .iter()
        .map(|n| {
            let values = hist
                .entry(*n)
                .and_then(|e| e.values.clone())
                .unwrap_or_default();
            values
                .iter()
                .zip(directions)
                .map(|(v, d)| d.to_minimize(*v))
                .collect()
        })
        .collect();
    let keep = best_subset(&losses, n_below);
    (0..numbers.len())
        .filter(|&i| keep[i])
        .map(|i| numbers[i])
        .collect()
}
