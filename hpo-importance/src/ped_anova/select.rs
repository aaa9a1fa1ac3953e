//! Choosing the top-quantile trials by value (Optuna's `_QuantileFilter`); on a multi-objective
//! study the choice is [`hpo_core::multi_objective::best_subset`], as multi-objective TPE's.

/// Keeps the losses at or below the `ceil(quantile * n)`-th smallest: ties with the cut-off all
/// stay, so more than that many may be kept.
pub(crate) fn quantile_filter(losses: &[f64], quantile: f64) -> Vec<bool> {
    if losses.is_empty() {
        return Vec::new();
    }
    let k = ((quantile * losses.len() as f64).ceil() as usize).clamp(1, losses.len()) - 1;
    let mut sorted = losses.to_vec();
    let (_, cutoff, _) = sorted.select_nth_unstable_by(k, f64::total_cmp);
    let cutoff = *cutoff;
    losses.iter().map(|&l| l <= cutoff).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_filter_keeps_ties() {
        let l = [5.0, 1.0, 3.0, 1.0, 2.0];
        // ceil(0.2 * 5) = 1: the smallest value, both copies.
        assert_eq!(
            quantile_filter(&l, 0.2),
            vec![false, true, false, true, false]
        );
        assert_eq!(
            quantile_filter(&l, 0.6),
            vec![false, true, false, true, true]
        );
        assert_eq!(quantile_filter(&l, 1.0), vec![true; 5]);
    }
}
