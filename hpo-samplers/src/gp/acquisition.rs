//! Acquisition functions over the GP posterior (the model always maximises standardised
//! values): LogEI (Optuna's default), EI, UCB and PI for one objective, `log P(feasible)` terms
//! for constraints, and LogEHVI for several objectives.
//!
//! Every function works on the posterior mean `μ` and variance `σ²` at one point and returns
//! its value together with the partial derivatives in `μ` and `σ²`, which the optimiser chains
//! with the GP's input gradients.

use super::normal;

/// Which acquisition function scores candidates in a single-objective study.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Acquisition {
    /// `ln EI`, computed stably deep in the tail where EI itself underflows (Optuna's default).
    #[default]
    LogEi,
    /// Expected improvement `σ (φ(z) + z Φ(z))`, `z = (μ - best) / σ`.
    Ei,
    /// Upper confidence bound `μ + κ σ`.
    Ucb {
        /// The exploration weight (default 1.96, a 95% band).
        kappa: f64,
    },
    /// Probability of improvement `Φ(z)` (optimised as `ln Φ(z)`, which has the same maximiser).
    Pi,
}

impl Acquisition {
    /// UCB with `κ = 1.96`.
    pub fn ucb() -> Self {
        Acquisition::Ucb { kappa: 1.96 }
    }
}

/// Smallest variance used (keeps `z` finite at observed points).
pub const MIN_VAR: f64 = 1e-12;

/// Value and partials `(v, ∂v/∂μ, ∂v/∂σ²)` of `acq` at a point with posterior `(mean, var)`,
/// against the best observed value `best` (ignored by UCB).
pub fn evaluate(acq: Acquisition, mean: f64, var: f64, best: f64) -> (f64, f64, f64) {
    let var = var.max(MIN_VAR);
    let sigma = var.sqrt();
    let z = (mean - best) / sigma;
    // Partials in σ are turned into partials in σ² with dσ/dσ² = 1/(2σ).
    let (v, dmu, dsigma) = match acq {
        Acquisition::LogEi => {
            let h = normal::log_h(z);
            let dh = normal::log_h_derivative(z);
            (h + sigma.ln(), dh / sigma, (1.0 - dh * z) / sigma)
        }
        Acquisition::Ei => {
            let (pdf, cdf) = (normal::pdf(z), normal::cdf(z));
            (sigma * (pdf + z * cdf), cdf, pdf)
        }
        Acquisition::Ucb { kappa } => (mean + kappa * sigma, 1.0, kappa),
        Acquisition::Pi => log_pi(z, sigma),
    };
    (v, dmu, dsigma / (2.0 * sigma))
}

/// `ln P(f >= threshold)` under the posterior: the constraint term (and PI's working form).
pub fn log_probability_above(mean: f64, var: f64, threshold: f64) -> (f64, f64, f64) {
    let var = var.max(MIN_VAR);
    let sigma = var.sqrt();
    let (v, dmu, dsigma) = log_pi((mean - threshold) / sigma, sigma);
    (v, dmu, dsigma / (2.0 * sigma))
}

fn log_pi(z: f64, sigma: f64) -> (f64, f64, f64) {
    let q = normal::log_cdf_derivative(z);
    (normal::log_cdf(z), q / sigma, -q * z / sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed_form_ei(mean: f64, sigma: f64, best: f64) -> f64 {
        let z = (mean - best) / sigma;
        (mean - best) * normal::cdf(z) + sigma * normal::pdf(z)
    }

    #[test]
    fn ei_matches_its_closed_form() {
        // EI = (μ - best) Φ(z) + σ φ(z): hand values at z = 0 and z = 1.
        let (v, _, _) = evaluate(Acquisition::Ei, 1.0, 4.0, 1.0);
        assert!((v - 2.0 * 0.398_942_280_401_432_7).abs() < 1e-14);
        let (v, _, _) = evaluate(Acquisition::Ei, 3.0, 4.0, 1.0);
        assert!(
            (v - (2.0 * 0.841_344_746_068_542_9 + 2.0 * 0.241_970_724_519_143_37)).abs() < 1e-13
        );
        for (m, s, b) in [(0.3, 0.5, 1.0), (-2.0, 0.1, 0.0), (5.0, 2.0, 1.0)] {
            let (v, _, _) = evaluate(Acquisition::Ei, m, s * s, b);
            assert!((v - closed_form_ei(m, s, b)).abs() < 1e-14);
        }
    }

    #[test]
    fn log_ei_matches_ln_ei_and_survives_the_tail() {
        for (m, s, b) in [(0.3, 0.5, 1.0), (-2.0, 0.4, 0.0), (5.0, 2.0, 1.0)] {
            let (v, _, _) = evaluate(Acquisition::LogEi, m, s * s, b);
            assert!((v - closed_form_ei(m, s, b).ln()).abs() < 1e-9);
        }
        // z = -40: plain EI underflows to exactly 0, logEI is finite and ordered.
        let (ei, _, _) = evaluate(Acquisition::Ei, -40.0, 1.0, 0.0);
        assert_eq!(ei, 0.0);
        let (a, _, _) = evaluate(Acquisition::LogEi, -40.0, 1.0, 0.0);
        let (b, _, _) = evaluate(Acquisition::LogEi, -41.0, 1.0, 0.0);
        assert!(a.is_finite() && b < a);
        // ln EI(z=-40, σ=1) = ln φ(40) - 2 ln 40 + ln(1 - 3/40² + 15/40⁴ - ...) ≈ -808.29857.
        assert!((a - (-808.298_57)).abs() < 1e-4, "{a}");
    }

    #[test]
    fn ucb_and_pi_match_their_closed_forms() {
        let (v, dmu, dvar) = evaluate(Acquisition::ucb(), 0.5, 0.25, 0.0);
        assert!((v - (0.5 + 1.96 * 0.5)).abs() < 1e-15);
        assert_eq!(dmu, 1.0);
        assert!((dvar - 1.96 / (2.0 * 0.5)).abs() < 1e-15);
        let (v, _, _) = evaluate(Acquisition::Pi, 1.5, 0.25, 1.0);
        assert!((v.exp() - 0.841_344_746_068_542_9).abs() < 1e-14);
        let (v, _, _) = evaluate(Acquisition::Pi, -19.0, 1.0, 1.0);
        assert!(v.is_finite() && (v - normal::log_cdf(-20.0)).abs() < 1e-12);
    }

    #[test]
    fn partials_match_finite_differences() {
        for acq in [
            Acquisition::LogEi,
            Acquisition::Ei,
            Acquisition::ucb(),
            Acquisition::Pi,
        ] {
            for (m, v, b) in [(0.2, 0.3, 0.5), (-3.0, 0.05, 1.0), (1.0, 2.0, 0.0)] {
                let (_, dmu, dvar) = evaluate(acq, m, v, b);
                let h = 1e-6;
                let fmu = (evaluate(acq, m + h, v, b).0 - evaluate(acq, m - h, v, b).0) / (2.0 * h);
                let fvar =
                    (evaluate(acq, m, v + h, b).0 - evaluate(acq, m, v - h, b).0) / (2.0 * h);
                assert!((dmu - fmu).abs() < 1e-5 * fmu.abs().max(1.0), "{acq:?} dmu");
                assert!(
                    (dvar - fvar).abs() < 1e-5 * fvar.abs().max(1.0),
                    "{acq:?} dvar"
                );
            }
        }
    }
}
