//! Non-domination ranks (fast non-dominated sorting by successive fronts).

/// Whether `a` dominates `b`: no worse in every objective and better in one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// The non-domination rank (0 = Pareto front) of each loss vector. With `n_below`, sorting
/// stops once at least that many points are ranked; the rest get one rank more than the last
/// computed front (Optuna's `_fast_non_domination_rank(..., n_below=...)` guarantee).
pub fn non_domination_ranks(points: &[Vec<f64>], n_below: Option<usize>) -> Vec<usize> {
    let n = points.len();
    let target = n_below.unwrap_or(n).min(n);
    let mut rank = vec![usize::MAX; n];
    let mut remaining: Vec<usize> = (0..n).collect();
    let mut ranked = 0;
    let mut current = 0;
    while !remaining.is_empty() && ranked < target.max(1) {
        let front: Vec<usize> = remaining
            .iter()
            .copied()
            .filter(|&i| {
                !remaining
                    .iter()
                    .any(|&j| j != i && dominates(&points[j], &points[i]))
            })
            .collect();
        for &i in &front {
            rank[i] = current;
        }
        ranked += front.len();
        remaining.retain(|i| rank[*i] == usize::MAX);
        current += 1;
    }
    for r in &mut rank {
        if *r == usize::MAX {
            *r = current;
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fronts() {
        let p = vec![
            vec![1.0, 4.0],
            vec![2.0, 2.0],
            vec![3.0, 3.0],
            vec![4.0, 1.0],
            vec![2.0, 2.0],
            vec![5.0, 5.0],
        ];
        assert_eq!(non_domination_ranks(&p, None), vec![0, 0, 1, 0, 0, 2]);
        // Stop after the first front: the rest share rank 1.
        assert_eq!(non_domination_ranks(&p, Some(2)), vec![0, 0, 1, 0, 0, 1]);
    }
}
