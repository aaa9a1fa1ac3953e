//! Writes an SQLite file holding one study of N finished random-search trials (four parameters
//! of every kind, one objective, one trial in ten pruned after reporting intermediate values),
//! for timing dashboards on big studies: `bench/dashboard.py` serves it with `hpo dashboard`
//! and with optuna-dashboard.
//!
//! `cargo run --release -p hpo-dashboard --example bench_study -- N PATH.db`

use hpo_core::study::copy_study;
use hpo_core::{OptimizeOptions, RandomSampler, Study};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    hpo_core::logging::set_verbosity(hpo_core::logging::Verbosity::Warning);
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: bench_study N PATH.db")?.parse()?;
    let path = args.next().ok_or("usage: bench_study N PATH.db")?;
    let _ = std::fs::remove_file(&path);
    let name = format!("random-{n}");
    // Run in memory (fast), then copy every trial to the file in one pass.
    let study = Study::builder()
        .name(&name)
        .sampler(RandomSampler::with_seed(1))
        .build()?;
    study.optimize_with(OptimizeOptions::new().n_trials(n), |trial| {
        let x = trial.suggest_float("x", -5.0, 5.0)?;
        let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
        let layers = trial.suggest_int("layers", 1, 8)?;
        let act = trial.suggest_categorical("activation", &["relu", "tanh", "gelu"])?;
        let value = (x - 1.0).powi(2)
            + (lr.log10() + 3.0).powi(2)
            + layers as f64 * 0.05
            + if act == "gelu" { 0.0 } else { 0.3 };
        if trial.number() % 10 == 9 {
            for step in 0..5u64 {
                trial.report(value + 1.0 / (step as f64 + 1.0), step)?;
            }
            return Err(hpo_core::TrialError::Pruned);
        }
        Ok(value)
    })?;
    let file = hpo_storage::open(&format!("sqlite:///{path}"))?;
    let started = std::time::Instant::now();
    copy_study(&name, &**study.storage(), &*file, None)?;
    eprintln!(
        "wrote {n} trials of study `{name}` to {path} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
