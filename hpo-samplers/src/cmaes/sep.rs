//! Separable CMA-ES (Ros and Hansen, 2008): the covariance is kept diagonal, which makes each
//! update linear in the dimension and lets the covariance learn faster. It shines on separable
//! problems. Parameters follow the `cmaes` package's `SepCMA` (positive weights only).

use hpo_core::rng::Rng;

use super::optimizer::{AskInBounds, Rates, Strategy, default_popsize};

/// Diagonal-covariance CMA-ES.
#[derive(Debug, Clone)]
pub(crate) struct SepCma {
    es: Strategy,
    /// The diagonal of the covariance.
    c: Vec<f64>,
}

/// Guards square roots of the diagonal against negative values.
const EPSILON: f64 = 1e-8;

impl SepCma {
    /// A new optimizer around `mean` with step size `sigma` and box `bounds`.
    pub fn new(
        mean: Vec<f64>,
        sigma: f64,
        bounds: Vec<(f64, f64)>,
        n_max_resampling: usize,
        popsize: Option<usize>,
    ) -> SepCma {
        let n = mean.len();
        let nf = n as f64;
        let popsize = popsize.unwrap_or_else(|| default_popsize(n));
        let mu = (popsize / 2).max(1);
        let wp: Vec<f64> = (0..mu)
            .map(|i| ((mu + 1) as f64).ln() - ((i + 1) as f64).ln())
            .collect();
        let total: f64 = wp.iter().sum();
        let weights: Vec<f64> = wp.iter().map(|w| w / total).collect();
        let mu_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();

        let alpha_cov = 2.0;
        let c1 = alpha_cov / ((nf + 1.3).powi(2) + mu_eff);
        let cmu_full = 2.0 / mu_eff / (nf + std::f64::consts::SQRT_2).powi(2)
            + (1.0 - 1.0 / mu_eff) * 1f64.min((2.0 * mu_eff - 1.0) / ((nf + 2.0).powi(2) + mu_eff));
        let cmu = (nf + 2.0) / 3.0 * cmu_full;

        let rates = Rates {
            mu,
            mu_eff,
            weights,
            cc: 4.0 / (nf + 4.0),
            c1,
            cmu,
            c_sigma: (mu_eff + 2.0) / (nf + mu_eff + 3.0),
        };

        SepCma {
            es: Strategy::new(mean, sigma, bounds, n_max_resampling, popsize, rates),
            c: vec![1.0; n],
        }
    }

    /// Solutions per generation.
    pub fn popsize(&self) -> usize {
        self.es.popsize
    }

    /// Generations told so far.
    pub fn generation(&self) -> usize {
        self.es.g
    }

    /// Standard deviations along the axes (before `sigma`).
    fn d(&self) -> Vec<f64> {
        self.c
            .iter()
            .map(|&v| if v < 0.0 { EPSILON.sqrt() } else { v.sqrt() })
            .collect()
    }

    /// Updates the distribution from one generation of `(x, value)` pairs (lower is better).
    pub fn tell(&mut self, solutions: &mut [(Vec<f64>, f64)]) {
        let n = self.es.n;
        self.es.next_generation(solutions);
        let d = self.d();

        let (y_k, y_w) = self.es.recombine(solutions);
        let norm_p_sigma = self
            .es
            .adapt_sigma(|k_sigma, i| k_sigma * y_w[i] / d[i], f64::MAX / 5.0);
        let delta_h_sigma = self.es.update_pc(&y_w, norm_p_sigma);

        let es = &self.es;
        let sum_w: f64 = es.weights.iter().sum();
        let decay = 1.0 + es.c1 * delta_h_sigma - es.c1 - es.cmu * sum_w;
        for i in 0..n {
            let rank_mu: f64 = es
                .weights
                .iter()
                .zip(&y_k)
                .map(|(w, y)| w * y[i] * y[i])
                .sum();
            self.c[i] = decay * self.c[i] + es.c1 * es.pc[i] * es.pc[i] + es.cmu * rank_mu;
        }
    }

    /// The `cmaes` termination criteria ([`Strategy::should_stop`]), for a diagonal
    /// covariance: its principal axes are the coordinates.
    pub fn should_stop(&self) -> bool {
        let d = self.d();
        self.es.should_stop(&self.c, &d, |_, i, scale| scale * d[i])
    }

    /// The current mean.
    #[cfg(test)]
    pub fn mean(&self) -> &[f64] {
        &self.es.mean
    }

    /// The current step size.
    pub fn sigma(&self) -> f64 {
        self.es.sigma
    }
}

impl AskInBounds for SepCma {
    fn sample_solution(&mut self, rng: &mut Rng) -> Vec<f64> {
        let d = self.d();
        (0..self.es.n)
            .map(|i| self.es.mean[i] + self.es.sigma * d[i] * rng.normal())
            .collect()
    }

    fn box_and_resampling(&self) -> (&[(f64, f64)], usize) {
        (&self.es.bounds, self.es.n_max_resampling)
    }
}

#[cfg(test)]
mod tests {
    use super::super::optimizer::evaluate_generation;
    use super::*;

    #[test]
    fn converges_on_a_separable_ellipsoid() {
        let n = 8;
        let f = |x: &[f64]| -> f64 {
            x.iter()
                .enumerate()
                .map(|(i, v)| 10f64.powf(i as f64 / 2.0) * (v - 0.6).powi(2))
                .sum()
        };
        let mut opt = SepCma::new(vec![0.5; n], 1.0 / 6.0, vec![(0.0, 1.0); n], 80, None);
        let mut rng = Rng::seed_from_u64(3);
        for _ in 0..400 {
            let popsize = opt.popsize();
            let mut sols = evaluate_generation(&mut opt, popsize, &mut rng, f);
            opt.tell(&mut sols);
        }
        assert!(f(opt.mean()) < 1e-10, "{:?}", opt.mean());
        // Axis-wise step sizes follow the ellipsoid's scaling.
        assert!(opt.c[0] > opt.c[n - 1] * 10.0, "{:?}", opt.c);
    }
}
