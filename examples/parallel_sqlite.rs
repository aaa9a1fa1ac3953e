//! Several processes optimizing one SQLite study at the same time (a shared
//! RDB storage lets trials run simultaneously from multiple processes).
//!
//! `cargo run --release --example parallel_sqlite` starts 4 worker processes (copies of this
//! program) that each run 50 trials of `(x - 2)^2` on `parallel_optimization` in
//! `parallel.db`, then prints the study. Python's Optuna can join in with
//! `optuna.load_study(study_name="parallel_optimization", storage="sqlite:///parallel.db")`.

use std::process::Command;

const URL: &str = "sqlite:///parallel.db";

fn worker() -> hpo::Result<()> {
    let study = hpo::create_study()
        .name("parallel_optimization")
        .storage_arc(hpo::open_storage(URL)?)
        .load_if_exists(true)
        .build()?;
    study.optimize(50, |trial| {
        let x = trial.suggest_float("x", -10.0, 10.0)?;
        Ok((x - 2.0).powi(2))
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("--worker") {
        return Ok(worker()?);
    }
    // Create the study once, so the workers only load it.
    hpo::create_study()
        .name("parallel_optimization")
        .storage_arc(hpo::open_storage(URL)?)
        .load_if_exists(true)
        .build()?;
    let me = std::env::current_exe()?;
    let workers: Vec<_> = (0..4)
        .map(|_| Command::new(&me).arg("--worker").spawn())
        .collect::<Result<_, _>>()?;
    for mut w in workers {
        let status = w.wait()?;
        if !status.success() {
            return Err(format!("a worker failed: {status}").into());
        }
    }
    let study = hpo::load_study("parallel_optimization", hpo::open_storage(URL)?)?;
    println!(
        "{} trials from 4 processes in parallel.db",
        study.n_trials()?
    );
    println!(
        "Best value {:.6} with {}",
        study.best_value()?,
        hpo::param::python_dict(&study.best_params()?)
    );
    Ok(())
}
