//! Separable CMA-ES (Ros and Hansen, 2008): the covariance is kept diagonal, which makes each
//! update linear in the dimension and lets the covariance learn faster. It shines on separable
//! problems. Parameters follow the `cmaes` package's `SepCMA` (positive weights only).

use hpo_core::rng::Rng;

use super::optimizer::{
    AskInBounds, FunHistory, TOLCONDITIONCOV, TOLFUN, TOLXUP, default_popsize, recombine,
    sort_solutions, update_pc,
};

/// Diagonal-covariance CMA-ES.
#[derive(Debug, Clone)]
pub(crate) struct SepCma {
    n: usize,
    popsize: usize,
    mu: usize,
    mu_eff: f64,
    cc: f64,
    c1: f64,
    cmu: f64,
    c_sigma: f64,
    d_sigma: f64,
    cm: f64,
    chi_n: f64,
    weights: Vec<f64>,
    p_sigma: Vec<f64>,
    pc: Vec<f64>,
    mean: Vec<f64>,
    /// The diagonal of the covariance.
    c: Vec<f64>,
    sigma: f64,
    bounds: Vec<(f64, f64)>,
    n_max_resampling: usize,
    g: usize,
    tolx: f64,
    funhist: FunHistory,
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

        let c_sigma = (mu_eff + 2.0) / (nf + mu_eff + 3.0);
        let d_sigma = 1.0 + 2.0 * (((mu_eff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + c_sigma;
        let cc = 4.0 / (nf + 4.0);
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));

        SepCma {
            n,
            popsize,
            mu,
            mu_eff,
            cc,
            c1,
            cmu,
            c_sigma,
            d_sigma,
            cm: 1.0,
            chi_n,
            weights,
            p_sigma: vec![0.0; n],
            pc: vec![0.0; n],
            mean,
            c: vec![1.0; n],
            sigma,
            bounds,
            n_max_resampling,
            g: 0,
            tolx: 1e-12 * sigma,
            funhist: FunHistory::new(n, popsize),
        }
    }

    /// Solutions per generation.
    pub fn popsize(&self) -> usize {
        self.popsize
    }

    /// Generations told so far.
    pub fn generation(&self) -> usize {
        self.g
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
        debug_assert_eq!(solutions.len(), self.popsize);
        let n = self.n;
        self.g += 1;
        sort_solutions(solutions);
        self.funhist
            .record(self.g, solutions[0].1, solutions[solutions.len() - 1].1);
        let d = self.d();

        let (y_k, y_w) = recombine(
            solutions,
            &mut self.mean,
            self.sigma,
            self.cm,
            &self.weights,
            self.mu,
        );

        let k_sigma = (self.c_sigma * (2.0 - self.c_sigma) * self.mu_eff).sqrt();
        for ((ps, yw), di) in self.p_sigma.iter_mut().zip(&y_w).zip(&d) {
            *ps = (1.0 - self.c_sigma) * *ps + k_sigma * yw / di;
        }
        let norm_p_sigma = self.p_sigma.iter().map(|v| v * v).sum::<f64>().sqrt();
        self.sigma *= ((self.c_sigma / self.d_sigma) * (norm_p_sigma / self.chi_n - 1.0)).exp();
        self.sigma = self.sigma.min(f64::MAX / 5.0);

        let delta_h_sigma = update_pc(
            &mut self.pc,
            &y_w,
            norm_p_sigma,
            self.c_sigma,
            self.cc,
            self.mu_eff,
            self.chi_n,
            self.g,
        );
        let sum_w: f64 = self.weights.iter().sum();
        let decay = 1.0 + self.c1 * delta_h_sigma - self.c1 - self.cmu * sum_w;
        for i in 0..n {
            let rank_mu: f64 = self
                .weights
                .iter()
                .zip(&y_k)
                .map(|(w, y)| w * y[i] * y[i])
                .sum();
            self.c[i] = decay * self.c[i] + self.c1 * self.pc[i] * self.pc[i] + self.cmu * rank_mu;
        }
    }

    /// The `cmaes` termination criteria, for a diagonal covariance.
    pub fn should_stop(&self) -> bool {
        let d = self.d();
        let n = self.n;
        if self.funhist.flat(self.g, TOLFUN) {
            return true;
        }
        if self.c.iter().all(|v| self.sigma * v < self.tolx)
            && self.pc.iter().all(|v| self.sigma * v < self.tolx)
        {
            return true;
        }
        let d_max = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let d_min = d.iter().copied().fold(f64::INFINITY, f64::min);
        if self.sigma * d_max > TOLXUP {
            return true;
        }
        if (0..n).any(|i| self.mean[i] == self.mean[i] + 0.2 * self.sigma * self.c[i].sqrt()) {
            return true;
        }
        let i = self.g % n;
        if (0..n).all(|r| self.mean[r] == self.mean[r] + 0.1 * self.sigma * d[i]) {
            return true;
        }
        d_max / d_min > TOLCONDITIONCOV
    }

    /// The current mean.
    #[cfg(test)]
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The current step size.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
}

impl AskInBounds for SepCma {
    fn sample_solution(&mut self, rng: &mut Rng) -> Vec<f64> {
        let d = self.d();
        (0..self.n)
            .map(|i| self.mean[i] + self.sigma * d[i] * rng.normal())
            .collect()
    }

    fn box_and_resampling(&self) -> (&[(f64, f64)], usize) {
        (&self.bounds, self.n_max_resampling)
    }
}

#[cfg(test)]
mod tests {
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
            let mut sols: Vec<(Vec<f64>, f64)> = (0..opt.popsize())
                .map(|_| {
                    let x = opt.ask(&mut rng);
                    let v = f(&x);
                    (x, v)
                })
                .collect();
            opt.tell(&mut sols);
        }
        assert!(f(opt.mean()) < 1e-10, "{:?}", opt.mean());
        // Axis-wise step sizes follow the ellipsoid's scaling.
        assert!(opt.c[0] > opt.c[n - 1] * 10.0, "{:?}", opt.c);
    }
}
