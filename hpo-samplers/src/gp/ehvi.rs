//! Log expected hypervolume improvement for multi-objective studies (Optuna's LogEHVI): the
//! posterior of each objective is sampled at fixed quasi-random normal points, each sample's
//! hypervolume improvement over the current Pareto front is measured exactly, and the log of
//! the mean is the score.

use hpo_core::multi_objective::hypervolume;

/// Hypervolume improvement of one loss vector `l` over `front`, inside `reference`
/// (minimisation): the volume of the box `[l, reference]` not already dominated by the front.
pub fn improvement(front: &[Vec<f64>], l: &[f64], reference: &[f64]) -> f64 {
    if l.iter().zip(reference).any(|(a, r)| a >= r) {
        return 0.0;
    }
    let boxed: f64 = l.iter().zip(reference).map(|(a, r)| r - a).product();
    if front.is_empty() {
        return boxed;
    }
    if l.len() == 2 {
        // The front is sorted by the first loss with the second decreasing: the part of the box
        // that the front covers is a staircase.
        let mut covered = 0.0;
        let mut y_top = reference[1];
        for p in front {
            let x0 = p[0].max(l[0]);
            let y0 = p[1].max(l[1]);
            if x0 < reference[0] && y0 < y_top {
                covered += (reference[0] - x0) * (y_top - y0);
                y_top = y0;
            }
        }
        return (boxed - covered).max(0.0);
    }
    let clipped: Vec<Vec<f64>> = front
        .iter()
        .map(|p| p.iter().zip(l).map(|(a, b)| a.max(*b)).collect())
        .collect();
    (boxed - hypervolume(&clipped, reference)).max(0.0)
}

/// LogEHVI over a fixed set of standard-normal samples.
#[derive(Debug, Clone)]
pub struct Ehvi {
    /// The non-dominated observed loss vectors (sorted by the first loss).
    front: Vec<Vec<f64>>,
    reference: Vec<f64>,
    /// `samples[s][j]`: the standard-normal draw for objective `j` in sample `s`.
    samples: Vec<Vec<f64>>,
}

impl Ehvi {
    /// The acquisition for observed losses `losses` (each a vector over objectives in the
    /// model's standardised loss space), with `n_samples` scrambled-Sobol normal samples from
    /// `shift` (one random 32-bit shift per objective).
    pub fn new(losses: &[Vec<f64>], n_samples: usize, shift: &[u32]) -> Ehvi {
        let m = shift.len();
        let ranks = hpo_core::multi_objective::non_domination_ranks(losses, Some(1));
        let mut front: Vec<Vec<f64>> = losses
            .iter()
            .zip(&ranks)
            .filter(|(_, r)| **r == 0)
            .map(|(l, _)| l.clone())
            .collect();
        front.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        front.dedup();
        // Optuna: worst observed loss w, reference = nextafter(max(1.1 w, 0.9 w), +inf).
        let reference = (0..m)
            .map(|j| {
                let w = losses
                    .iter()
                    .map(|l| l[j])
                    .fold(f64::NEG_INFINITY, f64::max);
                (1.1 * w).max(0.9 * w).next_up()
            })
            .collect();
        let samples = super::optimize::sobol_points(n_samples, m, shift)
            .into_iter()
            .map(|u| {
                u.into_iter()
                    .map(|v| hpo_core::math::normal::quantile(v.clamp(1e-10, 1.0 - 1e-10)))
                    .collect()
            })
            .collect();
        Ehvi {
            front,
            reference,
            samples,
        }
    }

    /// `ln E[HVI]` with the posterior of objective `j` (in *maximised* standardised units, as
    /// the GPs model them) given by `means[j]`, `vars[j]`. Returns `-1e10 + mean` (a gentle slope
    /// towards better means) when no sample improves.
    pub fn value(&self, means: &[f64], vars: &[f64]) -> f64 {
        let m = means.len();
        let sig: Vec<f64> = vars
            .iter()
            .map(|v| v.max(super::acquisition::MIN_VAR).sqrt())
            .collect();
        let mut l = vec![0.0; m];
        let mut total = 0.0;
        for z in &self.samples {
            for j in 0..m {
                l[j] = -(means[j] + sig[j] * z[j]);
            }
            total += improvement(&self.front, &l, &self.reference);
        }
        if total > 0.0 {
            (total / self.samples.len() as f64).ln()
        } else {
            -1e10 + means.iter().sum::<f64>()
        }
    }

    /// [`Ehvi::value`] with central-difference partials in each mean and variance.
    pub fn value_and_partials(
        &self,
        means: &[f64],
        vars: &[f64],
        dmu: &mut [f64],
        dvar: &mut [f64],
    ) -> f64 {
        let v = self.value(means, vars);
        let mut mm = means.to_vec();
        let mut vv = vars.to_vec();
        for j in 0..means.len() {
            let h = 1e-6 * (1.0 + means[j].abs());
            mm[j] = means[j] + h;
            let up = self.value(&mm, vars);
            mm[j] = means[j] - h;
            let dn = self.value(&mm, vars);
            mm[j] = means[j];
            dmu[j] = (up - dn) / (2.0 * h);
            let h = 1e-6 * vars[j].max(1e-8);
            vv[j] = vars[j] + h;
            let up = self.value(means, &vv);
            vv[j] = (vars[j] - h).max(0.0);
            let dn = self.value(means, &vv);
            vv[j] = vars[j];
            dvar[j] = (up - dn) / (vars[j] + h - (vars[j] - h).max(0.0));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improvement_matches_hypervolume_differences() {
        let front = vec![vec![0.0, 2.0], vec![1.0, 1.0], vec![2.0, 0.0]];
        let r = [3.0, 3.0];
        for l in [[0.5, 0.5], [1.5, 1.5], [2.5, 0.2], [-1.0, 4.0], [0.0, 0.0]] {
            let mut with = front.clone();
            with.push(l.to_vec());
            let expect = hypervolume(&with, &r) - hypervolume(&front, &r);
            assert!(
                (improvement(&front, &l, &r) - expect).abs() < 1e-12,
                "{l:?}"
            );
        }
        // Three objectives go through the general path.
        let front3 = vec![vec![0.0, 1.0, 1.0], vec![1.0, 0.0, 0.5]];
        let r3 = [2.0, 2.0, 2.0];
        let l = [0.5, 0.5, 0.0];
        let mut with = front3.clone();
        with.push(l.to_vec());
        let expect = hypervolume(&with, &r3) - hypervolume(&front3, &r3);
        assert!((improvement(&front3, &l, &r3) - expect).abs() < 1e-12);
    }

    #[test]
    fn better_means_score_higher() {
        let losses = vec![vec![0.0, 1.0], vec![1.0, 0.0], vec![0.8, 0.9]];
        let e = Ehvi::new(&losses, 128, &[0x1234_5678, 0x9abc_def0]);
        // Means are in maximised units: higher is better.
        let good = e.value(&[0.2, 0.2], &[0.01, 0.01]);
        let bad = e.value(&[-0.6, -0.6], &[0.01, 0.01]);
        assert!(good > bad, "{good} {bad}");
    }
}
