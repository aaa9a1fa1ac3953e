//! Quickstart: minimize (x - 2)^2 over x in [-10, 10].
//!
//! Run with `cargo run --release --example quickstart`.

use hpo::prelude::*;

fn main() -> hpo::Result<()> {
    // Optuna-style log lines ("Trial 3 finished with value: ...") on stderr.
    tracing_subscriber::fmt()
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();

    let study = hpo::create_study()
        .sampler(TpeSampler::with_seed(42))
        .build()?;
    study.optimize(100, |trial| {
        let x = trial.suggest_float("x", -10.0, 10.0)?;
        Ok((x - 2.0).powi(2))
    })?;

    println!("Best value: {:.6}", study.best_value()?);
    println!("Best params:");
    for (name, value) in study.best_params()? {
        println!("  {name}: {value}");
    }
    Ok(())
}
