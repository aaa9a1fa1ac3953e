//! `QmcSampler`: quasi-Monte Carlo sequences (Sobol, Halton), scrambled and seedable.

use std::collections::HashMap;

use hpo_core::rng::Rng;
use hpo_core::transform::{SearchSpaceTransform, TransformOptions};
use hpo_core::{
    Distribution, FrozenTrial, ParamSpace, RandomSampler, Result, Sampler, Study, TrialState,
};
use parking_lot::Mutex;
use serde_json::Value;
use sobol::Sobol;
use sobol::params::JoeKuoD6;

/// Which low-discrepancy sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QmcKind {
    /// Sobol' (Joe-Kuo D6 direction numbers), scrambled with a random digital shift.
    Sobol,
    /// Halton (first primes as bases), scrambled with random digit permutations.
    Halton,
}

/// Samples the search space of the first completed trial with a scrambled low-discrepancy
/// sequence (Optuna's `QMCSampler`); parameters outside that space, and every parameter before
/// the first trial completes, are sampled at random. The position in the sequence is a study
/// system attribute, so several workers continue one sequence.
#[derive(Debug)]
pub struct QmcSampler {
    kind: QmcKind,
    scramble: bool,
    seed: u64,
    independent: RandomSampler,
    space: Mutex<Option<Vec<(String, Distribution)>>>,
}

const PRIMES: [u64; 40] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173,
];

impl QmcSampler {
    /// A scrambled sequence seeded with `seed`.
    pub fn new(kind: QmcKind, seed: u64) -> Self {
        QmcSampler {
            kind,
            scramble: true,
            seed,
            independent: RandomSampler::with_seed(seed ^ 0x9E37),
            space: Mutex::new(None),
        }
    }

    /// Turns scrambling off (the plain sequence, starting at the origin for Sobol).
    pub fn scramble(mut self, yes: bool) -> Self {
        self.scramble = yes;
        self
    }

    fn counter_key(&self) -> String {
        let kind = match self.kind {
            QmcKind::Sobol => "sobol",
            QmcKind::Halton => "halton",
        };
        format!("qmc:{kind}:{}:{}", self.scramble, self.seed)
    }

    /// Point `index` of the sequence in `[0, 1)^dims`.
    pub fn point(&self, index: u64, dims: usize) -> Vec<f64> {
        let mut rng = Rng::seed_from_u64(self.seed);
        match self.kind {
            QmcKind::Sobol => {
                let dir: Vec<Vec<u32>> =
                    Sobol::<u32>::init_direction_vals::<u32>(dims, 32, &JoeKuoD6::minimal());
                let gray = index ^ (index >> 1);
                (0..dims)
                    .map(|d| {
                        let mut v = 0u32;
                        for (bit, dv) in dir[d].iter().enumerate() {
                            if bit < 64 && (gray >> bit) & 1 == 1 {
                                v ^= dv;
                            }
                        }
                        let shift = if self.scramble {
                            rng.next_u64() as u32
                        } else {
                            0
                        };
                        f64::from(v ^ shift) / 4_294_967_296.0
                    })
                    .collect()
            }
            QmcKind::Halton => (0..dims)
                .map(|d| {
                    let base = PRIMES[d % PRIMES.len()];
                    let perm: Vec<u64> = if self.scramble {
                        let mut p: Vec<u64> = (0..base).collect();
                        for i in (1..base as usize).rev() {
                            p.swap(i, rng.below(i as u64 + 1) as usize);
                        }
                        p
                    } else {
                        (0..base).collect()
                    };
                    // Radical inverse with permuted digits, 24 digits deep (leading zeros too,
                    // so a scrambled point is not pinned to the origin).
                    let mut n = index + 1;
                    let mut f = 1.0 / base as f64;
                    let mut x = 0.0;
                    for _ in 0..24 {
                        x += perm[(n % base) as usize] as f64 * f;
                        n /= base;
                        f /= base as f64;
                        if f < 1e-17 {
                            break;
                        }
                    }
                    x.min(1.0 - f64::EPSILON)
                })
                .collect(),
        }
    }
}

/// Maps the point `u` of `[0, 1)^n` to internal values of `space` (Optuna's transform: log
/// scale, ranges widened by half a step and rounded, scaled onto `[0, 1]`); a categorical
/// parameter takes one coordinate, read as a choice index.
fn to_internal(space: &ParamSpace, u: &[f64]) -> HashMap<String, f64> {
    let t = SearchSpaceTransform::new(space, TransformOptions::new().unit(true));
    space
        .iter()
        .zip(u)
        .enumerate()
        .map(|(k, ((name, d), &u))| {
            let x = match d {
                Distribution::Categorical(c) => {
                    ((u * c.choices().len() as f64) as usize).min(c.choices().len() - 1) as f64
                }
                Distribution::Float(f) => t.untransform_numerical(k, u).max(f.low),
                Distribution::Int(_) => t.untransform_numerical(k, u),
            };
            (name.clone(), x)
        })
        .collect()
}

impl Sampler for QmcSampler {
    fn infer_relative_search_space(
        &self,
        study: &Study,
        _trial: &FrozenTrial,
    ) -> Result<ParamSpace> {
        let mut space = self.space.lock();
        if space.is_none()
            && let Some(first) = study.trials_in(&[TrialState::Complete])?.first()
        {
            let mut s: Vec<(String, Distribution)> = first
                .distributions()
                .into_iter()
                .filter(|(_, d)| !d.single())
                .collect();
            s.sort_by(|a, b| a.0.cmp(&b.0));
            *space = Some(s);
        }
        Ok(space.clone().unwrap_or_default().into_iter().collect())
    }

    fn sample_relative(
        &self,
        study: &Study,
        _trial: &FrozenTrial,
        space: &ParamSpace,
    ) -> Result<HashMap<String, f64>> {
        if space.is_empty() {
            return Ok(HashMap::new());
        }
        let key = self.counter_key();
        let index = study
            .system_attrs()?
            .get(&key)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        study.set_system_attr(&key, index + 1)?;
        Ok(to_internal(space, &self.point(index, space.len())))
    }

    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        self.independent
            .sample_independent(study, trial, name, distribution)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscrambled_sequences_are_the_textbook_ones() {
        let s = QmcSampler::new(QmcKind::Sobol, 0).scramble(false);
        let pts: Vec<Vec<f64>> = (0..4).map(|i| s.point(i, 2)).collect();
        assert_eq!(
            pts,
            vec![
                vec![0.0, 0.0],
                vec![0.5, 0.5],
                vec![0.75, 0.25],
                vec![0.25, 0.75]
            ]
        );
        let h = QmcSampler::new(QmcKind::Halton, 0).scramble(false);
        let x: Vec<f64> = (0..3).map(|i| h.point(i, 2)[0]).collect();
        assert_eq!(x, vec![0.5, 0.25, 0.75]);
        assert!((h.point(0, 2)[1] - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn scrambled_points_stay_in_the_cube_and_fill_it() {
        for kind in [QmcKind::Sobol, QmcKind::Halton] {
            let s = QmcSampler::new(kind, 7);
            let pts: Vec<Vec<f64>> = (0..256).map(|i| s.point(i, 3)).collect();
            assert!(pts.iter().flatten().all(|x| (0.0..1.0).contains(x)));
            // Every one of the 8 octants gets about 32 points.
            let mut counts = [0; 8];
            for p in &pts {
                let o = (p[0] >= 0.5) as usize
                    | ((p[1] >= 0.5) as usize) << 1
                    | ((p[2] >= 0.5) as usize) << 2;
                counts[o] += 1;
            }
            assert!(
                counts.iter().all(|c| (26..=38).contains(c)),
                "{kind:?} {counts:?}"
            );
            assert_ne!(
                QmcSampler::new(kind, 8).point(0, 3),
                s.point(0, 3),
                "seeds differ"
            );
        }
    }
}
