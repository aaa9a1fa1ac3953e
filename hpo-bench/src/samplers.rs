//! Sampler names accepted by `--sampler`.

use std::sync::Arc;

use hpo::{RandomSampler, Sampler};
use hpo_samplers::{QmcKind, QmcSampler, TpeSampler};

/// The sampler called `name`, seeded.
pub fn make(name: &str, seed: u64) -> Result<Arc<dyn Sampler>, String> {
    match name {
        "random" => Ok(Arc::new(RandomSampler::with_seed(seed))),
        "qmc" => Ok(Arc::new(QmcSampler::new(QmcKind::Sobol, seed))),
        "qmc_halton" => Ok(Arc::new(QmcSampler::new(QmcKind::Halton, seed))),
        "tpe" => Ok(Arc::new(TpeSampler::with_seed(seed))),
        "tpe_independent" => Ok(Arc::new(TpeSampler::with_seed(seed).multivariate(false))),
        other => Err(format!(
            "unknown sampler `{other}` (available: random, tpe, tpe_independent, qmc, qmc_halton)"
        )),
    }
}
