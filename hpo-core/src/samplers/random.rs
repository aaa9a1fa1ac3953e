//! `RandomSampler`: independent uniform sampling.

use parking_lot::Mutex;

use crate::distributions::Distribution;
use crate::error::Result;
use crate::rng::Rng;
use crate::samplers::Sampler;
use crate::study::Study;
use crate::trial::FrozenTrial;

/// Samples every parameter independently and uniformly, as Optuna's `RandomSampler` does: on the
/// log scale for log ranges, with each grid point of a stepped range equally likely, and each
/// categorical choice equally likely.
///
/// With a seed, a single-threaded study is reproducible bit for bit.
#[derive(Debug)]
pub struct RandomSampler {
    rng: Mutex<Rng>,
}

impl RandomSampler {
    /// An unseeded sampler.
    pub fn new() -> Self {
        RandomSampler {
            rng: Mutex::new(Rng::from_entropy()),
        }
    }

    /// A sampler whose draws are determined by `seed`.
    pub fn with_seed(seed: u64) -> Self {
        RandomSampler {
            rng: Mutex::new(Rng::seed_from_u64(seed)),
        }
    }

    /// Draws an internal value for `distribution` from `rng`. Other samplers use this for
    /// their startup trials and fallbacks.
    pub fn draw(rng: &mut Rng, distribution: &Distribution) -> f64 {
        match distribution {
            Distribution::Float(d) => {
                if d.log {
                    let x = rng.uniform(d.low.ln(), d.high.ln()).exp();
                    x.clamp(d.low, d.high)
                } else if let Some(step) = d.step {
                    let n = ((d.high - d.low) / step).round() as u64 + 1;
                    let k = rng.below(n);
                    (d.low + k as f64 * step).min(d.high)
                } else {
                    rng.uniform(d.low, d.high)
                }
            }
            Distribution::Int(d) => {
                if d.log {
                    let lo = (d.low as f64 - 0.5).ln();
                    let hi = (d.high as f64 + 0.5).ln();
                    let x = rng.uniform(lo, hi).exp().round();
                    x.clamp(d.low as f64, d.high as f64)
                } else {
                    let k = rng.below(d.len());
                    (d.low + k as i64 * d.step) as f64
                }
            }
            Distribution::Categorical(d) => rng.below(d.choices().len() as u64) as f64,
        }
    }
}

impl Default for RandomSampler {
    fn default() -> Self {
        RandomSampler::new()
    }
}

impl Sampler for RandomSampler {
    fn sample_independent(
        &self,
        _study: &Study,
        _trial: &FrozenTrial,
        _name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        Ok(RandomSampler::draw(&mut self.rng.lock(), distribution))
    }

    fn reseed_rng(&self, seed: Option<u64>) {
        *self.rng.lock() = seed.map_or_else(Rng::from_entropy, Rng::seed_from_u64);
    }
}
