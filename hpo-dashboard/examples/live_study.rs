//! Serves the dashboard of an in-memory study from inside the program that optimizes it, which
//! no external dashboard can show: open the printed address while the trials run.
//!
//! `cargo run -p hpo-dashboard --example live_study -- [TRIALS] [PORT]` (default 300 trials, one
//! every 50 ms, port 8080; the server stops when the program ends).

use std::time::Duration;

use hpo_core::{MedianPruner, Study, TpeSampler};
use hpo_dashboard::Dashboard;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trials: usize = args.next().map_or(Ok(300), |s| s.parse())?;
    let port: u16 = args.next().map_or(Ok(8080), |s| s.parse())?;

    let study = Study::builder()
        .name("live-in-memory")
        .sampler(TpeSampler::with_seed(7))
        .pruner(MedianPruner::new())
        .build()?;
    let dashboard = Dashboard::for_study(&study).port(port).spawn()?;
    println!("dashboard: {}", dashboard.study_url());

    study.optimize(trials, |trial| {
        let x = trial.suggest_float("x", -10.0, 10.0)?;
        let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
        let layers = trial.suggest_int("layers", 1, 6)?;
        let mut loss = 0.0;
        for epoch in 0..10u64 {
            loss = (x - 2.0).powi(2)
                + (lr.log10() + 3.0).powi(2)
                + layers as f64 * 0.1
                + 5.0 / (epoch as f64 + 1.0);
            trial.report_and_check(loss, epoch)?;
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(loss)
    })?;
    println!("done: best value {}", study.best_value()?);
    // Keep serving a little after the last trial, then stop with the program.
    std::thread::sleep(Duration::from_secs(
        std::env::var("HPO_DASHBOARD_LINGER_S").map_or(Ok(0), |s| s.parse())?,
    ));
    dashboard.stop();
    Ok(())
}
