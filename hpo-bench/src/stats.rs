//! Summary statistics as the Optuna-side scripts in `bench/optuna/` compute them (`statistics.quantiles(n=4,
//! method="inclusive")`, `statistics.median`).

/// Linear-interpolated quantile `p` (0..=1) of unsorted values (NaN for none).
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = values.to_vec();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = p * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Median.
pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// Adds `{name}_median`, `{name}_q1`, `{name}_q3`, `{name}_min` and `{name}_max` of `values`,
/// in that order, to the JSON object `row`.
pub fn add_spread(row: &mut serde_json::Value, name: &str, values: &[f64]) {
    for (key, p) in [
        ("median", 0.5),
        ("q1", 0.25),
        ("q3", 0.75),
        ("min", 0.0),
        ("max", 1.0),
    ] {
        row[format!("{name}_{key}")] = serde_json::json!(quantile(values, p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python_statistics() {
        // statistics.quantiles([1, 2, 3, 4, 10], n=4, method="inclusive") == [2.0, 3.0, 4.0]
        let v = [4.0, 1.0, 10.0, 3.0, 2.0];
        assert_eq!(quantile(&v, 0.25), 2.0);
        assert_eq!(median(&v), 3.0);
        assert_eq!(quantile(&v, 0.75), 4.0);
        assert_eq!(median(&[1.0, 2.0]), 1.5);
    }
}
