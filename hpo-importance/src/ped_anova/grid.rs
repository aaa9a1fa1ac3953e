//! Discretisation of a param's values onto a grid (Optuna's `_count_numerical_param_in_grid`
//! and `_count_categorical_param_in_grid`).
//!
//! A numeric range becomes `n_steps` evenly spaced points (in log space for a log range), or
//! fewer when the range holds fewer values: a stepped range keeps one point per step, a log
//! int range `ceil(log2(high - low + 1)) + 1` points. Each value counts towards its nearest
//! point, a midpoint going to the lower one. A categorical's grid is its choices.

use hpo_core::Distribution;

/// How many of `internals` (internal values of `dist`) fall on each grid point.
pub(crate) fn grid_counts(
    dist: &Distribution,
    internals: impl IntoIterator<Item = f64>,
    n_steps: usize,
) -> Vec<usize> {
    let (low, high, log, n) = match dist {
        Distribution::Categorical(d) => {
            let mut counts = vec![0; d.choices().len()];
            for x in internals {
                if let Some(c) = counts.get_mut(x as usize) {
                    *c += 1;
                }
            }
            return counts;
        }
        Distribution::Int(d) => {
            let (low, high) = (d.low as f64, d.high as f64);
            let n = if d.log {
                // ceil(log2 of the number of values) + 1, computed as Optuna does.
                let size = (d.high - d.low + 1) as f64;
                (size.ln() / 2f64.ln()).ceil() as usize + 1
            } else {
                ((high - low) / d.step as f64).round_ties_even() as usize + 1
            };
            (low, high, d.log, n.min(n_steps))
        }
        Distribution::Float(d) => {
            let n = match d.step {
                Some(step) => ((d.high - d.low) / step).round_ties_even() as usize + 1,
                None => n_steps,
            };
            (d.low, d.high, d.log, n.min(n_steps))
        }
    };
    let (low, high) = if log {
        (low.ln(), high.ln())
    } else {
        (low, high)
    };
    let mut counts = vec![0; n.max(1)];
    if n <= 1 {
        counts[0] = internals.into_iter().count();
        return counts;
    }
    let step_size = (high - low) / (n - 1) as f64;
    for x in internals {
        let x = if log { x.ln() } else { x };
        let index = ((x - low) / step_size - 0.5).ceil();
        // Clamp into the grid (NaN lands on 0, as a saturating cast does).
        let index = index.clamp(0.0, (n - 1) as f64) as usize;
        counts[index] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_grid_rounds_to_nearest_with_midpoints_down() {
        let d = Distribution::float(0.0, 1.0).unwrap();
        // 5 points: 0, .25, .5, .75, 1; 0.125 is a midpoint and goes down.
        let c = grid_counts(&d, [0.0, 0.125, 0.13, 0.5, 0.99, 1.0], 5);
        assert_eq!(c, vec![2, 1, 1, 0, 2]);
        assert_eq!(grid_counts(&d, [0.3], 50).len(), 50);
    }

    #[test]
    fn steps_and_logs_shrink_the_grid() {
        let step = Distribution::float_step(0.0, 1.0, 0.25).unwrap();
        assert_eq!(
            grid_counts(&step, [0.25, 0.5, 0.5], 50),
            vec![0, 1, 2, 0, 0]
        );
        let int = Distribution::int(1, 3).unwrap();
        assert_eq!(grid_counts(&int, [1.0, 3.0], 50), vec![1, 0, 1]);
        let wide = Distribution::int(0, 1000).unwrap();
        assert_eq!(grid_counts(&wide, [0.0], 50).len(), 50);
        // 1..=1000 in log space: ceil(log2(1000)) + 1 = 11 points.
        let log_int = Distribution::int_log(1, 1000).unwrap();
        let c = grid_counts(&log_int, [1.0, 1000.0, 31.0], 50);
        assert_eq!(c.len(), 11);
        assert_eq!((c[0], c[5], c[10]), (1, 1, 1));
        let log_float = Distribution::float_log(1e-3, 1e3).unwrap();
        let c = grid_counts(&log_float, [1.0], 7);
        assert_eq!(c, vec![0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn log_int_grid_sizes_match_optuna() {
        // (values in the range, grid points) as numpy computes ceil(log(n) / log(2)) + 1.
        let optuna = [
            (2, 2),
            (3, 3),
            (4, 3),
            (5, 4),
            (8, 4),
            (9, 5),
            (16, 5),
            (17, 6),
            (32, 6),
            (64, 7),
            (128, 8),
            (256, 9),
            (512, 10),
            (1024, 11),
            (2048, 12),
            (4096, 13),
            (8192, 14),
            (65536, 17),
            (1 << 20, 21),
        ];
        for (n, points) in optuna {
            let d = Distribution::int_log(1, n).unwrap();
            assert_eq!(grid_counts(&d, [1.0], 50).len(), points as usize, "{n}");
        }
    }

    #[test]
    fn categorical_counts_choices() {
        let d = Distribution::categorical(["a", "b", "c"]).unwrap();
        assert_eq!(grid_counts(&d, [2.0, 0.0, 2.0], 50), vec![1, 0, 2]);
    }
}
