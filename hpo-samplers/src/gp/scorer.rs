//! The full acquisition surface a trial is chosen on: the objective term (one acquisition
//! function, or LogEHVI for several objectives) plus `ln P(feasible)` for each constraint.

use super::acquisition::{self, Acquisition};
use super::ehvi::Ehvi;
use super::model::Gp;

/// The objective part of the score.
#[derive(Debug)]
pub enum ObjectiveTerm {
    /// No feasible trial yet: only the constraint terms count (Optuna's behaviour).
    Absent,
    /// One objective: `acq` against the best feasible standardised value.
    Single {
        /// The objective's GP.
        gp: Gp,
        /// The acquisition function.
        acq: Acquisition,
        /// The best feasible observed value (standardised, maximised).
        best: f64,
    },
    /// Several objectives, one GP each.
    Multi {
        /// The GPs, one per objective.
        gps: Vec<Gp>,
        /// The LogEHVI estimator.
        ehvi: Ehvi,
    },
}

/// The objective term plus the constraint terms `(gp, threshold)`: `ln P(g(x) >= threshold)`.
#[derive(Debug)]
pub struct Scorer {
    /// The objective term.
    pub objective: ObjectiveTerm,
    /// One GP per constraint with the standardised feasibility threshold.
    pub constraints: Vec<(Gp, f64)>,
}

impl Scorer {
    /// Input dimensions.
    fn dims(&self) -> usize {
        match &self.objective {
            ObjectiveTerm::Single { gp, .. } => gp.categorical().len(),
            ObjectiveTerm::Multi { gps, .. } => gps[0].categorical().len(),
            ObjectiveTerm::Absent => self.constraints[0].0.categorical().len(),
        }
    }

    /// The score at `x`.
    pub fn score(&self, x: &[f64]) -> f64 {
        let mut v = match &self.objective {
            ObjectiveTerm::Absent => 0.0,
            ObjectiveTerm::Single { gp, acq, best } => {
                let (m, var) = gp.posterior(x);
                acquisition::evaluate(*acq, m, var, *best).0
            }
            ObjectiveTerm::Multi { gps, ehvi } => {
                let (means, vars): (Vec<f64>, Vec<f64>) =
                    gps.iter().map(|g| g.posterior(x)).unzip();
                ehvi.value(&means, &vars)
            }
        };
        for (gp, threshold) in &self.constraints {
            let (m, var) = gp.posterior(x);
            v += acquisition::log_probability_above(m, var, *threshold).0;
        }
        v
    }

    /// The score at `x` and its gradient in the numeric coordinates (zero for categorical ones).
    pub fn score_with_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let d = self.dims();
        let mut dm = vec![0.0; d];
        let mut dv = vec![0.0; d];
        grad.iter_mut().for_each(|g| *g = 0.0);
        let chain = |grad: &mut [f64], dm: &[f64], dv: &[f64], a: f64, b: f64| {
            for k in 0..d {
                grad[k] += a * dm[k] + b * dv[k];
            }
        };
        let mut v = match &self.objective {
            ObjectiveTerm::Absent => 0.0,
            ObjectiveTerm::Single { gp, acq, best } => {
                let (m, var) = gp.posterior_with_gradient(x, &mut dm, &mut dv);
                let (val, a, b) = acquisition::evaluate(*acq, m, var, *best);
                chain(grad, &dm, &dv, a, b);
                val
            }
            ObjectiveTerm::Multi { gps, ehvi } => {
                let mut means = Vec::with_capacity(gps.len());
                let mut vars = Vec::with_capacity(gps.len());
                let mut grads = Vec::with_capacity(gps.len());
                for gp in gps {
                    let (m, var) = gp.posterior_with_gradient(x, &mut dm, &mut dv);
                    means.push(m);
                    vars.push(var);
                    grads.push((dm.clone(), dv.clone()));
                }
                let mut pm = vec![0.0; gps.len()];
                let mut pv = vec![0.0; gps.len()];
                let val = ehvi.value_and_partials(&means, &vars, &mut pm, &mut pv);
                for (j, (gm, gv)) in grads.iter().enumerate() {
                    chain(grad, gm, gv, pm[j], pv[j]);
                }
                val
            }
        };
        for (gp, threshold) in &self.constraints {
            let (m, var) = gp.posterior_with_gradient(x, &mut dm, &mut dv);
            let (val, a, b) = acquisition::log_probability_above(m, var, *threshold);
            chain(grad, &dm, &dv, a, b);
            v += val;
        }
        v
    }

    /// Scores of many points (batched posterior computations).
    pub fn score_batch(&self, xs: &[Vec<f64>]) -> Vec<f64> {
        let mut out = match &self.objective {
            ObjectiveTerm::Absent => vec![0.0; xs.len()],
            ObjectiveTerm::Single { gp, acq, best } => gp
                .posterior_batch(xs)
                .into_iter()
                .map(|(m, v)| acquisition::evaluate(*acq, m, v, *best).0)
                .collect(),
            ObjectiveTerm::Multi { gps, ehvi } => {
                let post: Vec<Vec<(f64, f64)>> =
                    gps.iter().map(|g| g.posterior_batch(xs)).collect();
                (0..xs.len())
                    .map(|i| {
                        let (means, vars): (Vec<f64>, Vec<f64>) = post.iter().map(|p| p[i]).unzip();
                        ehvi.value(&means, &vars)
                    })
                    .collect()
            }
        };
        for (gp, threshold) in &self.constraints {
            for (o, (m, v)) in out.iter_mut().zip(gp.posterior_batch(xs)) {
                *o += acquisition::log_probability_above(m, v, *threshold).0;
            }
        }
        out
    }
}
