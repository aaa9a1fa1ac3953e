//! Sampler names accepted by `--sampler`.

use std::sync::Arc;

use hpo::{RandomSampler, Sampler};
use hpo_samplers::{QmcKind, QmcSampler, TpeSampler};

/// The sampler called `name`, seeded.
pub fn make(name: &str, seed: u64) -> Result<Arc<dyn Sampler>, String> {
    match name {
        "random" => Ok(Arc::new(RandomSampler::with_seed(seed))),
        "auto" => Ok(Arc::new(hpo_samplers::AutoSampler::with_seed(seed))),
        "qmc" => Ok(Arc::new(QmcSampler::new(QmcKind::Sobol, seed))),
        "qmc_halton" => Ok(Arc::new(QmcSampler::new(QmcKind::Halton, seed))),
        "tpe" => Ok(Arc::new(TpeSampler::with_seed(seed))),
        "tpe_independent" => Ok(Arc::new(TpeSampler::with_seed(seed).multivariate(false))),
        "cmaes" => Ok(Arc::new(hpo_samplers::CmaEsSampler::with_seed(seed))),
        "cmaes_sep" => Ok(Arc::new(
            hpo_samplers::CmaEsSampler::with_seed(seed).use_separable_cma(true),
        )),
        "gp" => Ok(Arc::new(hpo_samplers::GpSampler::with_seed(seed))),
        "gp_fine" => Ok(Arc::new(
            hpo_samplers::GpSampler::with_seed(seed).min_noise(1e-10),
        )),
        "gp_qmc" => Ok(Arc::new(
            hpo_samplers::GpSampler::with_seed(seed).qmc_startup(true),
        )),
        "gp_ei" => Ok(Arc::new(
            hpo_samplers::GpSampler::with_seed(seed).acquisition(hpo_samplers::gp::Acquisition::Ei),
        )),
        "gp_ucb" => Ok(Arc::new(
            hpo_samplers::GpSampler::with_seed(seed)
                .acquisition(hpo_samplers::gp::Acquisition::ucb()),
        )),
        "nsga2" => Ok(Arc::new(hpo_samplers::NsgaIISampler::with_seed(seed))),
        "nsga3" => Ok(Arc::new(hpo_samplers::NsgaIIISampler::with_seed(seed))),
        other if other.starts_with("auto_gp") => {
            // `auto_gpN`: AutoSampler with a GP budget of N trials (measuring the switch point).
            let budget: usize = other["auto_gp".len()..]
                .parse()
                .map_err(|_| format!("`{other}`: expected auto_gp<N>, e.g. auto_gp100"))?;
            Ok(Arc::new(
                hpo_samplers::AutoSampler::with_seed(seed).gp_budget(budget),
            ))
        }
        other => Err(format!(
            "unknown sampler `{other}` (auto_gp<N> is AutoSampler with a GP budget of N; available: random, auto, auto_gp100, tpe, tpe_independent, cmaes, cmaes_sep, gp, gp_fine, gp_ei, gp_ucb, qmc, qmc_halton, nsga2, nsga3)"
        )),
    }
}
