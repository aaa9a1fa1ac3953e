//! Choosing a fixed number of loss vectors: whole non-domination fronts, then greedy
//! hypervolume subset selection (Optuna's `_solve_hssp`) breaking the tie in the last front.

use super::{hypervolume, non_domination_ranks};

/// Keeps exactly `n_below` of the loss vectors (`true` at the kept positions): whole
/// non-domination fronts while they fit, then a greedy hypervolume subset of the next front, with
/// a reference point 10% beyond its worst values. This is how multi-objective TPE picks its
/// "below" group and PED-ANOVA its top region (Optuna's
/// `_split_complete_trials_multi_objective` with `_solve_hssp`).
pub fn best_subset(losses: &[Vec<f64>], n_below: usize) -> Vec<bool> {
    let n = losses.len();
    if n_below == 0 {
        return vec![false; n];
    }
    if n_below >= n {
        return vec![true; n];
    }
    let ranks = non_domination_ranks(losses, Some(n_below));
    let max_rank = ranks.iter().copied().max().unwrap_or(0);
    let mut per_rank = vec![0usize; max_rank + 1];
    for &r in &ranks {
        per_rank[r] += 1;
    }
    // The fronts that fit whole.
    let mut whole = 0;
    let mut taken = 0;
    while whole <= max_rank && taken + per_rank[whole] <= n_below {
        taken += per_rank[whole];
        whole += 1;
    }
    let mut keep: Vec<bool> = ranks.iter().map(|&r| r < whole).collect();
    if taken < n_below {
        let tied: Vec<usize> = (0..n).filter(|&i| ranks[i] == whole).collect();
        let points: Vec<Vec<f64>> = tied.iter().map(|&i| losses[i].clone()).collect();
        let reference = reference_point(&points);
        for k in solve_hssp(&points, n_below - taken, &reference) {
            keep[tied[k]] = true;
        }
    }
    keep
}

/// TPE's reference point: 10% beyond the worst value of each objective (`1e-12` for a 0).
fn reference_point(points: &[Vec<f64>]) -> Vec<f64> {
    let m = points[0].len();
    (0..m)
        .map(|j| {
            let worst = points
                .iter()
                .map(|p| p[j])
                .fold(f64::NEG_INFINITY, f64::max);
            let r = (1.1 * worst).max(0.9 * worst);
            if r == 0.0 { 1e-12 } else { r }
        })
        .collect()
}

/// Greedy hypervolume subset selection (Optuna's `_solve_hssp`): the positions in `points` of
/// `subset_size` points chosen one at a time by largest hypervolume contribution. Duplicate
/// points are considered once, in lexicographic order; if there are too few distinct points,
/// the earliest duplicates fill up.
fn solve_hssp(points: &[Vec<f64>], subset_size: usize, reference: &[f64]) -> Vec<usize> {
    let n = points.len();
    if subset_size >= n {
        return (0..n).collect();
    }
    let lex = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| lex(&points[a], &points[b]));
    // The first occurrence of each distinct point, in lexicographic order.
    let mut unique: Vec<usize> = Vec::with_capacity(n);
    for &i in &order {
        match unique.last() {
            Some(&u) if lex(&points[u], &points[i]).is_eq() => {}
            _ => unique.push(i),
        }
    }
    if unique.len() < subset_size {
        let mut chosen = vec![false; n];
        for &u in &unique {
            chosen[u] = true;
        }
        let mut missing = subset_size - unique.len();
        for c in chosen.iter_mut() {
            if missing == 0 {
                break;
            }
            if !*c {
                *c = true;
                missing -= 1;
            }
        }
        return (0..n).filter(|&i| chosen[i]).collect();
    }
    if reference.iter().any(|r| !r.is_finite()) {
        return unique[..subset_size].to_vec();
    }
    if unique.len() == subset_size {
        return unique;
    }
    let candidates: Vec<Vec<f64>> = unique.iter().map(|&i| points[i].clone()).collect();
    let picked = if reference.len() == 2 {
        greedy_2d(&candidates, subset_size, reference)
    } else {
        greedy_nd(&candidates, subset_size, reference)
    };
    picked.into_iter().map(|k| unique[k]).collect()
}

/// Greedy selection on a lexicographically sorted two-objective front, where each point's
/// contribution is a rectangle bounded by its selected neighbours.
fn greedy_2d(points: &[Vec<f64>], subset_size: usize, reference: &[f64]) -> Vec<usize> {
    // (position in `points`, upper corner of its exclusive rectangle)
    let mut open: Vec<(usize, [f64; 2])> = (0..points.len())
        .map(|i| (i, [reference[0], reference[1]]))
        .collect();
    let mut selected = Vec::with_capacity(subset_size);
    for _ in 0..subset_size {
        let mut best = 0;
        let mut best_contrib = f64::NEG_INFINITY;
        for (k, (i, corner)) in open.iter().enumerate() {
            let p = &points[*i];
            let contrib = (corner[0] - p[0]) * (corner[1] - p[1]);
            if contrib > best_contrib {
                best = k;
                best_contrib = contrib;
            }
        }
        let (chosen, _) = open.remove(best);
        selected.push(chosen);
        let p = &points[chosen];
        for (_, corner) in &mut open[..best] {
            corner[0] = corner[0].min(p[0]);
        }
        for (_, corner) in &mut open[best..] {
            corner[1] = corner[1].min(p[1]);
        }
    }
    selected
}

/// Greedy selection by exact hypervolume contributions (three or more objectives).
fn greedy_nd(points: &[Vec<f64>], subset_size: usize, reference: &[f64]) -> Vec<usize> {
    let mut open: Vec<usize> = (0..points.len()).collect();
    let mut chosen: Vec<Vec<f64>> = Vec::with_capacity(subset_size);
    let mut selected = Vec::with_capacity(subset_size);
    let mut volume = 0.0;
    for _ in 0..subset_size {
        let mut best = 0;
        let mut best_contrib = f64::NEG_INFINITY;
        for (k, &i) in open.iter().enumerate() {
            chosen.push(points[i].clone());
            let contrib = hypervolume(&chosen, reference) - volume;
            chosen.pop();
            if contrib > best_contrib {
                best = k;
                best_contrib = contrib;
            }
        }
        let i = open.remove(best);
        chosen.push(points[i].clone());
        volume = hypervolume(&chosen, reference);
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

    #[test]
    fn fronts_then_hypervolume_tie_break() {
        let l = vec![
            vec![1.0, 4.0],
            vec![2.0, 2.0],
            vec![4.0, 1.0],
            vec![3.0, 3.0],
            vec![5.0, 5.0],
        ];
        assert_eq!(best_subset(&l, 3), vec![true, true, true, false, false]);
        assert_eq!(best_subset(&l, 4), vec![true, true, true, true, false]);
        // One of the front: reference (4.4, 4.4); contributions 3.4*0.4, 2.4*2.4, 0.4*3.4.
        assert_eq!(best_subset(&l, 1), vec![false, true, false, false, false]);
        // Two: after (2, 2), (1, 4) adds 1*0.4 and (4, 1) adds 0.4*1; the first wins the tie.
        assert_eq!(best_subset(&l, 2), vec![true, true, false, false, false]);
    }

    #[test]
    fn greedy_nd_agrees_with_2d_rectangles() {
        let p = vec![
            vec![0.0, 5.0],
            vec![1.0, 3.0],
            vec![2.0, 2.5],
            vec![3.0, 1.0],
            vec![5.0, 0.0],
        ];
        let r = [6.0, 6.0];
        for k in 1..5 {
            assert_eq!(greedy_2d(&p, k, &r), greedy_nd(&p, k, &r), "{k}");
        }
    }
}
