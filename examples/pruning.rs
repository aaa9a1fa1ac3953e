//! Pruning unpromising trials with the median rule: 20
//! simulated epochs, `MedianPruner` with 5 startup trials and 5 warmup steps.
//!
//! Run with `cargo run --release --example pruning`.

use hpo::prelude::*;
use hpo::rng::Rng;
use parking_lot::Mutex;

fn main() -> hpo::Result<()> {
    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(42))
        .pruner(
            MedianPruner::new()
                .n_startup_trials(5)
                .n_warmup_steps(5)
                .interval_steps(1),
        )
        .build()?;
    let noise = Mutex::new(Rng::seed_from_u64(0));
    let n_epochs = 20u64;

    println!("=== Optimization with Pruning ===");
    study.optimize(20, |trial| {
        let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
        let n_layers = trial.suggest_int("n_layers", 1, 5)?;
        let mut score = 0.0;
        for epoch in 0..n_epochs {
            // Dummy performance: bad hyperparameters improve slowly.
            score = 0.5 + 0.5 * (epoch as f64 / n_epochs as f64) * lr * n_layers as f64 / 5.0;
            score += 0.05 * noise.lock().normal();
            trial.report(score, epoch)?;
            if trial.should_prune()? {
                println!("  Trial {} pruned at epoch {epoch}", trial.number());
                return Err(TrialPruned.into());
            }
        }
        Ok(score)
    })?;

    let n_complete = study.trials_in(&[TrialState::Complete])?.len();
    let pruned = study.trials_in(&[TrialState::Pruned])?;
    let total = study.n_trials()?;
    let epochs_run: usize = study
        .trials()?
        .iter()
        .map(|t| t.intermediate_values.len())
        .sum();
    println!("\nCompleted trials: {n_complete}");
    println!("Pruned trials: {}", pruned.len());
    println!(
        "Reduction rate: {:.1}%",
        pruned.len() as f64 / total as f64 * 100.0
    );
    println!(
        "Epochs run: {epochs_run} of {} ({:.1}% saved)",
        total as u64 * n_epochs,
        100.0 - epochs_run as f64 / (total as u64 * n_epochs) as f64 * 100.0
    );
    println!("\nBest accuracy: {:.4}", study.best_value()?);
    println!(
        "Best parameters: {}",
        hpo::param::python_dict(&study.best_params()?)
    );
    Ok(())
}
