//! Sampler names accepted by `--sampler`.

use std::sync::Arc;

use hpo::{RandomSampler, Sampler};

/// The sampler called `name`, seeded.
pub fn make(name: &str, seed: u64) -> Result<Arc<dyn Sampler>, String> {
    match name {
        "random" => Ok(Arc::new(RandomSampler::with_seed(seed))),
        other => Err(format!("unknown sampler `{other}` (available: random)")),
    }
}
