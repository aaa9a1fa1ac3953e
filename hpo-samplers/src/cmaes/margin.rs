//! CMA-ES with margin (Hamano et al., GECCO 2022, arXiv:2205.13482) for integer and stepped
//! parameters.
//!
//! Plain CMA-ES on a grid can lose a discrete coordinate: once the distribution sits inside one
//! grid cell, every sample rounds to the same value and nothing is learnt about the neighbours.
//! The margin keeps, for every discrete coordinate, at least a probability `margin` of sampling
//! a neighbouring grid value, by moving the mean and scaling the coordinate (the diagonal
//! matrix `A`) after each update. The samples told back to CMA-ES are the raw ones
//! (`x_for_tell`); the ones evaluated are snapped onto the grid.

use hpo_core::Distribution;
use hpo_core::rng::Rng;
use nalgebra::DMatrix;

use super::optimizer::{AskInBounds, Cma, feasible};
use hpo_core::math::normal;

/// The grid spacing of each coordinate in `[0, 1]` units (Optuna's `steps` for CMA-ES with
/// margin, whose transform does not pad the ranges): `step / (high - low)` for stepped floats
/// and non-log ints, 0 (continuous) for everything else.
pub(crate) fn margin_steps(dists: &[Distribution]) -> Vec<f64> {
    dists
        .iter()
        .map(|d| match d {
            Distribution::Float(f) => match f.step {
                Some(s) if !f.log && f.high > f.low => s / (f.high - f.low),
                Some(_) if !f.log => 1.0,
                _ => 0.0,
            },
            Distribution::Int(i) if !i.log => {
                if i.high > i.low {
                    i.step as f64 / (i.high - i.low) as f64
                } else {
                    1.0
                }
            }
            _ => 0.0,
        })
        .collect()
}

/// One discrete coordinate: its grid and the midpoints between neighbours.
#[derive(Debug, Clone)]
struct Grid {
    index: usize,
    values: Vec<f64>,
    limits: Vec<f64>,
}

impl Grid {
    /// The grid value whose cell holds `x` (numpy's `searchsorted` on the midpoints).
    fn snap(&self, x: f64) -> f64 {
        self.values[self.limits.partition_point(|l| *l < x)]
    }

    /// The midpoints around `m`: `(below, above)`, equal at the ends of the grid.
    fn cell(&self, m: f64) -> (f64, f64) {
        let last = self.limits.len() - 1;
        let pos = self.limits.partition_point(|l| *l < m);
        let low = pos.saturating_sub(1).min(last);
        let up = pos.min(last);
        (self.limits[low], self.limits[up])
    }
}

/// `sqrt` of the 1-degree-of-freedom chi-squared quantile at `1 - 2p`, that is `|Phi^-1(p)|`.
fn chi_quantile(p: f64) -> f64 {
    normal::quantile(p).abs()
}

/// CMA-ES with margin over a mix of continuous and discrete coordinates.
#[derive(Debug, Clone)]
pub(crate) struct CmaWithMargin {
    pub(super) cma: Cma,
    continuous: Vec<usize>,
    continuous_bounds: Vec<(f64, f64)>,
    grids: Vec<Grid>,
    margin: f64,
    a: Vec<f64>,
    n_max_resampling: usize,
}

impl CmaWithMargin {
    /// A new optimizer; `steps[k] > 0` makes coordinate `k` discrete with grid
    /// `bounds.0, bounds.0 + step, ..` up to `bounds.1`.
    pub fn new(
        mean: Vec<f64>,
        sigma: f64,
        bounds: Vec<(f64, f64)>,
        steps: &[f64],
        n_max_resampling: usize,
        popsize: Option<usize>,
        cov: Option<DMatrix<f64>>,
    ) -> CmaWithMargin {
        let n = mean.len();
        let cma = Cma::new(
            mean,
            sigma,
            bounds.clone(),
            n_max_resampling,
            popsize,
            cov,
            false,
        );
        let mut continuous = Vec::new();
        let mut grids = Vec::new();
        for (k, &step) in steps.iter().enumerate() {
            if step > 0.0 {
                let (lo, hi) = bounds[k];
                let mut values = Vec::new();
                let mut i = 0usize;
                loop {
                    let v = lo + i as f64 * step;
                    if v >= hi + step / 2.0 {
                        break;
                    }
                    values.push(v);
                    i += 1;
                }
                if values.len() < 2 {
                    values.push(hi);
                }
                let limits = values.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
                grids.push(Grid {
                    index: k,
                    values,
                    limits,
                });
            } else {
                continuous.push(k);
            }
        }
        let continuous_bounds = continuous.iter().map(|&k| bounds[k]).collect();
        let margin = 1.0 / (n as f64 * cma.popsize() as f64);
        CmaWithMargin {
            cma,
            continuous,
            continuous_bounds,
            grids,
            margin,
            a: vec![1.0; n],
            n_max_resampling,
        }
    }

    /// Solutions per generation.
    pub fn popsize(&self) -> usize {
        self.cma.popsize()
    }

    /// Generations told so far.
    pub fn generation(&self) -> usize {
        self.cma.generation()
    }

    fn continuous_part(&self, x: &[f64]) -> Vec<f64> {
        self.continuous.iter().map(|&k| x[k]).collect()
    }

    /// `(x for evaluation, x for tell)`: the second is the raw draw (continuous coordinates
    /// kept in bounds by resampling, then clipping), the first has its discrete coordinates
    /// snapped onto their grids.
    pub fn ask(&mut self, rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
        let mut raw = None;
        for _ in 0..self.n_max_resampling {
            let x = self.cma.sample_solution(rng);
            if feasible(&self.continuous_part(&x), &self.continuous_bounds) {
                raw = Some(x);
                break;
            }
        }
        let raw = raw.unwrap_or_else(|| {
            let mut x = self.cma.sample_solution(rng);
            for (&k, &(lo, hi)) in self.continuous.iter().zip(&self.continuous_bounds) {
                x[k] = x[k].clamp(lo, hi);
            }
            x
        });
        let mut encoded = raw.clone();
        for g in &self.grids {
            let k = g.index;
            let m = self.cma.es.mean[k];
            encoded[k] = g.snap((raw[k] - m) * self.a[k] + m);
        }
        (encoded, raw)
    }

    /// Updates the distribution from raw draws, then applies the margin correction to the
    /// discrete coordinates.
    pub fn tell(&mut self, solutions: &mut [(Vec<f64>, f64)]) {
        self.cma.tell(solutions);
        let sigma = self.cma.es.sigma;
        let margin = self.margin;
        for g in &self.grids {
            let k = g.index;
            let c_kk = self.cma.c[(k, k)];
            let m = self.cma.es.mean[k];
            let (lim_low, lim_up) = g.cell(m);

            let scale = sigma * self.a[k] * c_kk.sqrt();
            let low_cdf = normal::cdf((lim_low - m) / scale);
            let up_cdf = 1.0 - normal::cdf((lim_up - m) / scale);
            let mid_cdf = 1.0 - (low_cdf + up_cdf);

            if low_cdf.max(up_cdf) > 0.5 {
                // The mean sits in an end cell: keep a `margin` chance of leaving it.
                if low_cdf.min(up_cdf) < margin {
                    let sign = (m - lim_up).signum() * f64::from(m != lim_up);
                    let dist = sigma * self.a[k] * chi_quantile(margin) * c_kk.sqrt();
                    self.cma.es.mean[k] = lim_up + sign * dist;
                }
                continue;
            }

            // Inside the grid: choose A and the mean so that both neighbours keep at least
            // half the margin each.
            let low_c = low_cdf.max(margin / 2.0);
            let up_c = up_cdf.max(margin / 2.0);
            let excess = 1.0 - low_c - up_c - mid_cdf;
            let denom = low_c + mid_cdf + up_c - 3.0 * margin / 2.0;
            let mod_low =
                (low_c + excess * (low_c - margin / 2.0) / denom).clamp(1e-10, 0.5 - 1e-10);
            let mod_up = (up_c + excess * (up_c - margin / 2.0) / denom).clamp(1e-10, 0.5 - 1e-10);
            let chi_low = chi_quantile(mod_low);
            let chi_up = chi_quantile(mod_up);
            self.a[k] = (lim_up - lim_low) / ((chi_low + chi_up) * sigma * c_kk.sqrt());
            self.cma.es.mean[k] = (lim_low * chi_up + lim_up * chi_low) / (chi_low + chi_up);
        }
    }

    /// The termination criteria of the underlying CMA-ES.
    pub fn should_stop(&mut self) -> bool {
        self.cma.should_stop()
    }

    /// The current mean.
    #[cfg(test)]
    pub fn mean(&self) -> &[f64] {
        self.cma.mean()
    }

    /// The current step size.
    pub fn sigma(&self) -> f64 {
        self.cma.sigma()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_steps_are_grid_spacings_in_unit_coordinates() {
        let dists = [
            Distribution::float(-2.0, 3.0).unwrap(),
            Distribution::float_log(1e-4, 1.0).unwrap(),
            Distribution::int_step(1, 9, 2).unwrap(),
            Distribution::int_log(1, 1000).unwrap(),
            Distribution::float_step(0.0, 1.0, 0.25).unwrap(),
        ];
        assert_eq!(margin_steps(&dists), vec![0.0, 0.0, 0.25, 0.0, 0.25]);
    }

    #[test]
    fn grid_snapping_and_cells() {
        let g = Grid {
            index: 0,
            values: vec![0.0, 0.5, 1.0],
            limits: vec![0.25, 0.75],
        };
        assert_eq!(g.snap(-3.0), 0.0);
        assert_eq!(g.snap(0.3), 0.5);
        assert_eq!(g.snap(0.9), 1.0);
        assert_eq!(g.cell(0.1), (0.25, 0.25));
        assert_eq!(g.cell(0.5), (0.25, 0.75));
        assert_eq!(g.cell(2.0), (0.75, 0.75));
        // |Phi^-1(0.025)| = 1.959964
        assert!((chi_quantile(0.025) - 1.959_963_985).abs() < 1e-8);
    }

    #[test]
    fn keeps_exploring_neighbours_of_a_converged_integer() {
        // Integer x in 0..=10 (grid step 0.1) and a continuous y; optimum x = 3, y = 0.7.
        let steps = [0.1, 0.0];
        let mut opt = CmaWithMargin::new(
            vec![0.5, 0.5],
            1.0 / 6.0,
            vec![(0.0, 1.0); 2],
            &steps,
            20,
            None,
            None,
        );
        let f = |x: &[f64]| (x[0] - 0.3).powi(2) + (x[1] - 0.7).powi(2);
        let mut rng = Rng::seed_from_u64(9);
        let mut late = Vec::new();
        for generation in 0..150 {
            let mut sols = Vec::new();
            for _ in 0..opt.popsize() {
                let (enc, raw) = opt.ask(&mut rng);
                assert!(
                    ((enc[0] * 10.0).round() - enc[0] * 10.0).abs() < 1e-9,
                    "{enc:?}"
                );
                if generation >= 100 {
                    late.push(enc[0]);
                }
                sols.push((raw, f(&enc)));
            }
            opt.tell(&mut sols);
        }
        assert!((opt.mean()[1] - 0.7).abs() < 1e-3, "{:?}", opt.mean());
        let at_opt = late.iter().filter(|v| (**v - 0.3).abs() < 1e-9).count();
        let neighbours = late.len() - at_opt;
        // Mostly the optimum, yet the neighbours are still sampled (the margin).
        assert!(at_opt > late.len() / 2, "{at_opt} of {}", late.len());
        assert!(neighbours > 0, "the margin keeps neighbours alive");
    }
}
