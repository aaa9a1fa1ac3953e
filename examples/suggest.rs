//! Every `suggest_*` form, with a conditional parameter.
//!
//! Run with `cargo run --release --example suggest`.

use hpo::prelude::*;

fn main() -> hpo::Result<()> {
    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(7))
        .build()?;

    let options = OptimizeOptions::new().n_trials(5).show_progress_bar(true);
    study.optimize_with(options, |trial| {
        // Integer (linear scale, on a grid of 16).
        let batch_size = trial.suggest_int_step("batch_size", 16, 128, 16)?;
        // Integer (log scale): effective for large ranges.
        let hidden_size = trial.suggest_int_log("hidden_size", 32, 512)?;
        // Float (linear scale).
        let dropout = trial.suggest_float("dropout", 0.0, 0.5)?;
        // Float (log scale): effective for learning rates.
        let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
        // Categorical, typed: the chosen `&str` comes back.
        let optimizer = trial.suggest_categorical("optimizer", &["adam", "sgd", "rmsprop"])?;
        let activation = trial.suggest_categorical("activation", &["relu", "tanh", "sigmoid"])?;
        // Conditional: momentum exists only in trials that chose SGD.
        let momentum = match optimizer {
            "sgd" => Some(trial.suggest_float("momentum", 0.0, 0.99)?),
            _ => None,
        };

        println!("\n--- Trial {} ---", trial.number());
        println!("batch_size: {batch_size}");
        println!("hidden_size: {hidden_size}");
        println!("dropout: {dropout:.4}");
        println!("lr: {lr:.6}");
        println!("optimizer: {optimizer}");
        println!("activation: {activation}");
        if let Some(m) = momentum {
            println!("momentum: {m:.4}");
        }

        // Dummy evaluation value, as in the chapter.
        Ok(0.85 + 0.1 * (lr / 1e-1))
    })?;

    let best = study.best_trial()?;
    println!(
        "\nBest trial {} with score {:.6}",
        best.number,
        study.best_value()?
    );
    for (name, value) in study.best_params()? {
        println!("  {name}: {value}");
    }
    Ok(())
}
