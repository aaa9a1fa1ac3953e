//! Quickstart: minimize (x - 2)^2 over x in [-10, 10], stored in an SQLite database that
//! Optuna's tools can open (`optuna.load_study(study_name="quickstart",
//! storage="sqlite:///quickstart.db")`, optuna-dashboard).
//!
//! Run with `cargo run --release --example quickstart`; every run adds 100 trials.

use hpo::prelude::*;

fn main() -> hpo::Result<()> {
    // Optuna's log lines ("[I ...] Trial 3 finished with value: ...") reach stderr with no
    // setup; `HPO_VERBOSITY=warning` quiets them.
    let study = hpo::create_study()
        .name("quickstart")
        .storage_arc(hpo::open_storage("sqlite:///quickstart.db")?)
        .load_if_exists(true)
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
    println!("{} trials stored in quickstart.db", study.n_trials()?);
    Ok(())
}
