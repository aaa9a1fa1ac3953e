//! Greedy hypervolume subset selection (Optuna's `_solve_hssp`), breaking ties in the last
//! non-domination rank of multi-objective TPE's "below" group.

use crate::multi_objective::hypervolume;

/// Picks `subset_size` of the loss vectors `points` (rows of one non-domination rank) that
/// greedily maximise the hypervolume w.r.t. `reference`; returns their indices. Exact duplicates
/// are handled first, as Optuna does: when there are fewer distinct vectors than needed, every
/// distinct vector is taken plus the earliest duplicates.
pub(crate) fn solve_hssp(points: &[Vec<f64>], subset_size: usize, reference: &[f64]) -> Vec<usize> {
    let n = points.len();
    if subset_size >= n {
        return (0..n).collect();
    }
    // numpy.unique(axis=0): distinct rows in lexicographic order, first occurrence of each.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        points[a]
            .iter()
            .zip(&points[b])
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    let mut unique: Vec<usize> = Vec::new();
    for &i in &order {
        if unique.last().is_none_or(|&u| points[u] != points[i]) {
            unique.push(i);
        }
    }
    if unique.len() < subset_size {
        let mut chosen = vec![false; n];
        for &u in &unique {
            chosen[u] = true;
        }
        let mut extra = subset_size - unique.len();
        for c in chosen.iter_mut() {
            if extra == 0 {
                break;
            }
            if !*c {
                *c = true;
                extra -= 1;
            }
        }
        return (0..n).filter(|i| chosen[*i]).collect();
    }
    if !reference.iter().all(|r| r.is_finite()) {
        return unique[..subset_size].to_vec();
    }
    let mut selected: Vec<usize> = Vec::with_capacity(subset_size);
    let mut selected_points: Vec<Vec<f64>> = Vec::with_capacity(subset_size);
    let mut candidates = unique;
    let mut hv_selected = 0.0;
    while selected.len() < subset_size {
        let mut best = 0usize;
        let mut best_gain = f64::NEG_INFINITY;
        for (ci, &i) in candidates.iter().enumerate() {
            selected_points.push(points[i].clone());
            let gain = hypervolume(&selected_points, reference) - hv_selected;
            selected_points.pop();
            if gain > best_gain {
                best_gain = gain;
                best = ci;
            }
        }
        let i = candidates.remove(best);
        selected_points.push(points[i].clone());
        hv_selected += best_gain;
        selected.push(i);
    }
    selected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_picks_the_largest_contributions() {
        let p = vec![
            vec![0.0, 3.0],
            vec![1.0, 1.0],
            vec![3.0, 0.0],
            vec![0.9, 1.1],
        ];
        // The knee point dominates the most area, then an extreme.
        let s = solve_hssp(&p, 1, &[4.0, 4.0]);
        assert_eq!(s, vec![1]);
        assert_eq!(solve_hssp(&p, 4, &[4.0, 4.0]).len(), 4);
        // Duplicates: two distinct vectors, three needed.
        let d = vec![vec![1.0, 1.0], vec![1.0, 1.0], vec![2.0, 0.0]];
        assert_eq!(solve_hssp(&d, 3, &[3.0, 3.0]), vec![0, 1, 2]);
        let d = vec![
            vec![1.0, 1.0],
            vec![1.0, 1.0],
            vec![2.0, 0.0],
            vec![2.0, 0.0],
        ];
        assert_eq!(solve_hssp(&d, 3, &[3.0, 3.0]), vec![0, 1, 2]);
    }
}
