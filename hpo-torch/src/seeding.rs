//! Per-trial seeding and hygiene.

use hpo::Trial;

/// A seed for trial `number` of a study seeded with `study_seed` (SplitMix64 of both).
pub fn trial_seed(study_seed: u64, number: u64) -> u64 {
    let mut z = study_seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seeds libtorch's generators (CPU and every CUDA device) for this trial, so a trial's
/// initial weights and batch order depend only on the study seed and the trial number.
pub fn seed_trial(trial: &Trial, study_seed: u64) -> u64 {
    let seed = trial_seed(study_seed, trial.number());
    tch::manual_seed((seed >> 1) as i64);
    if crate::cuda::ensure_cuda().available {
        tch::Cuda::manual_seed_all(seed);
    }
    seed
}
