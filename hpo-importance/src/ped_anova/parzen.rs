//! The one-dimensional Parzen estimator PED-ANOVA fits on a grid (Optuna's
//! `ScottParzenEstimator` built by `build_parzen_estimator_on_grid`).
//!
//! The observations are grid indices with their counts, plus one prior kernel of weight
//! `prior_weight`. On a numeric grid `0..G` every observed index carries a Gaussian of Scott's
//! bandwidth `1.059 * min(IQR / 1.34, sigma) * N^-0.2` (at least `0.5 / 1.64`), discretised on
//! unit cells and truncated to `[-0.5, G - 0.5]`; the prior is a wide Gaussian (sigma `G`) at
//! the centre. On a categorical grid each observed choice carries a kernel with mass 1 on it
//! plus `prior_weight / (m + 1)` on every choice (m distinct observed choices), normalised; the
//! prior kernel is uniform.

use hpo_core::math::truncnorm::gauss_mass;

/// The density of the estimator at each grid point `0..counts.len()`, from how many
/// observations fell on each point.
pub(crate) fn grid_pdf(counts: &[usize], categorical: bool, prior_weight: f64) -> Vec<f64> {
    let size = counts.len();
    let observed: Vec<(usize, f64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| (i, *c as f64))
        .collect();
    if observed.is_empty() {
        // Only the prior kernel.
        return if categorical {
            vec![1.0 / size as f64; size]
        } else {
            let (mu, sigma) = prior_kernel(size);
            (0..size).map(|x| cell_mass(x, mu, sigma, size)).collect()
        };
    }
    let total: f64 = observed.iter().map(|(_, w)| w).sum::<f64>() + prior_weight;
    if categorical {
        categorical_pdf(&observed, size, total, prior_weight)
    } else {
        numerical_pdf(&observed, size, total, prior_weight)
    }
}

fn categorical_pdf(observed: &[(usize, f64)], size: usize, total: f64, prior: f64) -> Vec<f64> {
    let n_kernels = (observed.len() + 1) as f64;
    let base = prior / n_kernels;
    let row_sum = base * size as f64 + 1.0;
    let mut pdf = vec![prior / total / size as f64; size];
    for &(choice, w) in observed {
        let weight = w / total;
        for (x, p) in pdf.iter_mut().enumerate() {
            let k = if x == choice { base + 1.0 } else { base };
            *p += weight * (k / row_sum);
        }
    }
    pdf
}

fn numerical_pdf(observed: &[(usize, f64)], size: usize, total: f64, prior: f64) -> Vec<f64> {
    let sigma = scott_bandwidth(observed);
    let (prior_mu, prior_sigma) = prior_kernel(size);
    // Every observation kernel has the same width, so its mass on a cell depends only on the
    // offset of the cell from its centre.
    let offset_mass: Vec<f64> = (0..2 * size - 1)
        .map(|k| {
            let d = k as f64 - (size - 1) as f64;
            gauss_mass((d - 0.5) / sigma, (d + 0.5) / sigma)
        })
        .collect();
    let mut pdf: Vec<f64> = (0..size)
        .map(|x| prior / total * cell_mass(x, prior_mu, prior_sigma, size))
        .collect();
    for &(mu, w) in observed {
        let m = mu as f64;
        let norm = gauss_mass((-0.5 - m) / sigma, (size as f64 - 0.5 - m) / sigma);
        let weight = w / total;
        for (x, p) in pdf.iter_mut().enumerate() {
            *p += weight * offset_mass[x + size - 1 - mu] / norm;
        }
    }
    pdf
}

/// Scott's rule on the weighted grid indices, floored at `0.5 / 1.64` (so that 90% of a
/// kernel's mass stays within one grid cell of its centre).
fn scott_bandwidth(observed: &[(usize, f64)]) -> f64 {
    let n: f64 = observed.iter().map(|(_, w)| w).sum();
    let mean = observed.iter().map(|(x, w)| *x as f64 * w).sum::<f64>() / n;
    let var = observed
        .iter()
        .map(|(x, w)| (*x as f64 - mean).powi(2) * w)
        .sum::<f64>()
        / (n - 1.0).max(1.0);
    let sigma = var.sqrt();
    // Quartiles on the cumulative counts: the first point reaching floor(n / 4), and the first
    // point exceeding floor(3n / 4).
    let count = n as u64;
    let (q1, q3) = (count / 4, count * 3 / 4);
    let mut cumulative = 0u64;
    let (mut i1, mut i3) = (None, None);
    for (i, (_, w)) in observed.iter().enumerate() {
        cumulative += *w as u64;
        if i1.is_none() && cumulative >= q1 {
            i1 = Some(i);
        }
        if i3.is_none() && cumulative > q3 {
            i3 = Some(i);
        }
    }
    let last = observed.len() - 1;
    let iqr = (observed[i3.unwrap_or(last).min(last)].0 - observed[i1.unwrap_or(last)].0) as f64;
    let scott = 1.059 * (iqr / 1.34).min(sigma) * n.powf(-0.2);
    scott.max(0.5 / 1.64)
}

/// The prior kernel of a numeric grid of `size` points: centred, as wide as the grid plus one.
fn prior_kernel(size: usize) -> (f64, f64) {
    ((size - 1) as f64 / 2.0, size as f64)
}

/// The mass on cell `x` of a Gaussian truncated to the grid `0..size`.
fn cell_mass(x: usize, mu: f64, sigma: f64, size: usize) -> f64 {
    let x = x as f64;
    gauss_mass((x - 0.5 - mu) / sigma, (x + 0.5 - mu) / sigma)
        / gauss_mass((-0.5 - mu) / sigma, (size as f64 - 0.5 - mu) / sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_sum_to_one_on_the_grid() {
        // Reference densities from Optuna's ScottParzenEstimator on IntDistribution(0, G - 1).
        let close = |got: &[f64], want: &[f64]| {
            got.len() == want.len()
                && got
                    .iter()
                    .zip(want)
                    .all(|(g, w)| ((g - w) / w).abs() < 1e-13)
        };
        let p = grid_pdf(&[0, 2, 0, 0], false, 1.0);
        let want = [
            0.114_411_650_012_348_79,
            0.685_253_279_769_221_5,
            0.119_591_246_796_178_69,
            0.080_743_823_422_251_03,
        ];
        assert!(close(&p, &want), "{p:?}");
        let p = grid_pdf(&[0, 3, 1, 0, 0, 0, 2, 0, 0, 1], false, 1.0);
        let want = [
            0.109_356_680_515_436_57,
            0.125_728_265_461_740_04,
            0.127_093_164_440_012_26,
            0.116_973_096_634_384_17,
            0.103_868_152_462_529_55,
            0.094_369_908_878_964_24,
            0.089_310_191_758_382_53,
            0.085_411_981_355_862_46,
            0.079_100_186_305_974_48,
            0.068_788_372_186_713_8,
        ];
        assert!(close(&p, &want), "{p:?}");
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let c = grid_pdf(&[4, 0, 1], true, 1.0);
        assert!((c.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Kernel rows: (1/3 + [x == obs]) / 2, weights 4/6, 1/6 and prior 1/6 on 1/3 each.
        let want0 = 4.0 / 6.0 * (4.0 / 3.0) / 2.0 + 1.0 / 6.0 * (1.0 / 3.0) / 2.0 + 1.0 / 18.0;
        assert!((c[0] - want0).abs() < 1e-15);
        let empty = grid_pdf(&[0, 0, 0, 0], true, 1.0);
        assert_eq!(empty, vec![0.25; 4]);
    }
}
