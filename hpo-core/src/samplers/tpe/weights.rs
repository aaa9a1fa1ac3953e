//! TPE's default gamma (how many trials count as "good") and kernel weights.

/// Optuna's `default_gamma`: `min(ceil(0.1 n), 25)` (single objective).
pub fn default_gamma(n: usize) -> usize {
    ((0.1 * n as f64).ceil() as usize).min(25)
}

/// Optuna's `default_gamma_multiobjective`: `ceil(0.1 n)`, no cap.
pub fn default_gamma_multiobjective(n: usize) -> usize {
    (0.1 * n as f64).ceil() as usize
}

/// Optuna's deprecated `hyperopt_default_gamma`: `min(ceil(0.25 sqrt(n)), 25)`.
pub fn hyperopt_default_gamma(n: usize) -> usize {
    ((0.25 * (n as f64).sqrt()).ceil() as usize).min(25)
}

/// Optuna's `default_weights`: ones for fewer than 25 observations; otherwise a linear ramp
/// from `1/n` to 1 over the oldest `n - 25` (by trial number) and ones for the newest 25.
pub fn default_weights(n: usize) -> Vec<f64> {
    if n == 0 {
        Vec::new()
    } else if n < 25 {
        vec![1.0; n]
    } else {
        let ramp = n - 25;
        let mut w = Vec::with_capacity(n);
        // numpy.linspace(1/n, 1.0, num=ramp): its last value is exactly the end.
        let start = 1.0 / n as f64;
        if ramp == 1 {
            w.push(start);
        } else if ramp > 1 {
            let step = (1.0 - start) / (ramp - 1) as f64;
            // One multiply-add per element without a branch, so the loop vectorises.
            w.extend((0..ramp - 1).map(|i| start + i as f64 * step));
            w.push(1.0);
        }
        w.resize(n, 1.0);
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gammas_and_weights() {
        assert_eq!(default_gamma(0), 0);
        assert_eq!(default_gamma(10), 1);
        assert_eq!(default_gamma(11), 2);
        assert_eq!(default_gamma(1000), 25);
        assert_eq!(default_gamma_multiobjective(1000), 100);
        assert_eq!(hyperopt_default_gamma(100), 3);
        assert_eq!(default_weights(3), vec![1.0; 3]);
        let w = default_weights(30);
        assert_eq!(w.len(), 30);
        assert_eq!(w[0], 1.0 / 30.0);
        assert_eq!(w[4], 1.0);
        assert!((w[2] - (1.0 / 30.0 + 2.0 * (1.0 - 1.0 / 30.0) / 4.0)).abs() < 1e-15);
        assert!(w[5..].iter().all(|x| *x == 1.0));
        assert_eq!(default_weights(26), {
            let mut v = vec![1.0 / 26.0];
            v.extend(vec![1.0; 25]);
            v
        });
    }
}
