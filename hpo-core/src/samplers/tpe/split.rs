//! TPE's split of the history into the "below" (good) and "above" groups (Optuna's
//! `_split_trials`): the best Complete trials first (by value, or by non-domination rank with a
//! hypervolume tie-break for several objectives), then Pruned trials by how far they got and
//! their last value, then infeasible trials by total violation. Everything else, including
//! every Running trial, is "above".

use crate::StudyDirection;
use crate::multi_objective::non_domination_ranks;

use super::history::History;
use super::hssp::solve_hssp;

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
    let ranks = non_domination_ranks(&losses, Some(n_below));
    let max_rank = ranks.iter().copied().max().unwrap_or(0);
    let mut count_up_to = vec![0usize; max_rank + 2];
    for &r in &ranks {
        count_up_to[r + 1] += 1;
    }
    for r in 1..count_up_to.len() {
        count_up_to[r] += count_up_to[r - 1];
    }
    // The last rank that fits entirely: ranks 0..=last have at most n_below trials.
    let mut last: i64 = -1;
    for r in 0..=max_rank {
        if count_up_to[r + 1] <= n_below {
            last = r as i64;
        }
    }
    let mut below: Vec<usize> = (0..numbers.len())
        .filter(|&i| (ranks[i] as i64) <= last)
        .collect();
    if below.len() < n_below {
        let tie_rank = (last + 1) as usize;
        let tied: Vec<usize> = (0..numbers.len())
            .filter(|&i| ranks[i] == tie_rank)
            .collect();
        let tied_losses: Vec<Vec<f64>> = tied.iter().map(|&i| losses[i].clone()).collect();
        let m = directions.len();
        let reference: Vec<f64> = (0..m)
            .map(|j| {
                let worst = tied_losses
                    .iter()
                    .map(|l| l[j])
                    .fold(f64::NEG_INFINITY, f64::max);
                let r = (1.1 * worst).max(0.9 * worst);
                if r == 0.0 { 1e-12 } else { r }
            })
            .collect();
        for k in solve_hssp(&tied_losses, n_below - below.len(), &reference) {
            below.push(tied[k]);
        }
    }
    below.sort_unstable();
    below.into_iter().map(|i| numbers[i]).collect()
}
