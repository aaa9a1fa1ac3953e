//! numpy's `nanmin`, `nanmax` and `nanpercentile` (linear interpolation), as Optuna's pruners
//! call them.

/// numpy's `nanmin`: NaN only when every value is NaN (or there are none).
pub fn nanmin(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| !v.is_nan()).fold(
        f64::NAN,
        |acc, v| if acc.is_nan() || v < acc { v } else { acc },
    )
}

/// numpy's `nanmax`.
pub fn nanmax(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| !v.is_nan()).fold(
        f64::NAN,
        |acc, v| if acc.is_nan() || v > acc { v } else { acc },
    )
}

/// numpy's `nanpercentile(values, q)` with the default "linear" method, including its
/// interpolation formula (`b - (b - a) * (1 - t)` for `t >= 0.5`) and its NaN for infinite
/// neighbours.
pub fn nanpercentile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let virtual_index = (n - 1) as f64 * (q / 100.0);
    let previous = virtual_index.floor().clamp(0.0, (n - 1) as f64);
    let next = (previous + 1.0).min((n - 1) as f64);
    let t = virtual_index - previous;
    let (a, b) = (v[previous as usize], v[next as usize]);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy() {
        assert_eq!(nanpercentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(nanpercentile(&[4.0, f64::NAN, 1.0, 2.0], 25.0), 1.5);
        assert_eq!(nanpercentile(&[3.0], 90.0), 3.0);
        assert!(nanpercentile(&[f64::NAN], 50.0).is_nan());
        // numpy: percentile([1, inf], 0) is nan (1 + (inf - 1) * 0).
        assert!(nanpercentile(&[1.0, f64::INFINITY], 0.0).is_nan());
        assert_eq!(nanmin([f64::NAN, 2.0, -1.0].into_iter()), -1.0);
        assert!(nanmax([f64::NAN].into_iter()).is_nan());
    }
}
