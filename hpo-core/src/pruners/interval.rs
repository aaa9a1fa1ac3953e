//! Optuna's `_is_first_in_interval_step`: prune at most once per interval window.

use crate::trial::FrozenTrial;

/// Whether `step` is the first reported step of its pruning window: the largest other reported
/// step lies before `(step - n_warmup) / interval * interval + n_warmup`.
pub fn is_first_in_interval_step(
    step: u64,
    reported: impl Iterator<Item = u64>,
    n_warmup_steps: u64,
    interval_steps: u64,
) -> bool {
    let nearest_lower = (step - n_warmup_steps) / interval_steps * interval_steps + n_warmup_steps;
    let second_last = reported
        .filter(|s| *s != step)
        .max()
        .map_or(-1, |s| s as i128);
    second_last < nearest_lower as i128
}

/// The step a warmup-and-interval pruner (percentile, median, threshold) judges `trial` at,
/// with its value: the trial's last reported step, unless that step is still in the warmup or
/// is not the first of its interval window (then `None`: no pruning now).
pub fn step_to_check(
    trial: &FrozenTrial,
    n_warmup_steps: u64,
    interval_steps: u64,
) -> Option<(u64, f64)> {
    let (step, value) = trial.last_step()?;
    let reported = trial.intermediate_values.keys().copied();
    (step >= n_warmup_steps
        && is_first_in_interval_step(step, reported, n_warmup_steps, interval_steps))
    .then_some((step, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        // interval 3 after warmup 2: windows [2,5), [5,8), ...
        assert!(is_first_in_interval_step(5, [0, 1, 2, 5].into_iter(), 2, 3));
        assert!(!is_first_in_interval_step(6, [0, 5, 6].into_iter(), 2, 3));
        assert!(is_first_in_interval_step(7, [0, 1, 7].into_iter(), 2, 3));
        assert!(is_first_in_interval_step(0, [0].into_iter(), 0, 1));
    }
}
