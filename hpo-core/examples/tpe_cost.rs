//! TPE's cost per trial on the sphere (D float params in [-5, 5], in-memory storage, one
//! thread): the mean milliseconds per trial over the last 100 of N trials, and a digest of the
//! sampled parameters (to see whether a change altered seeded runs).
//!
//! `cargo run --release -p hpo-core --example tpe_cost -- [N] [D,D..] [SEEDS]`

use std::time::Instant;

use hpo_core::logging::{Verbosity, set_verbosity};
use hpo_core::{Study, TpeSampler};

fn main() -> hpo_core::Result<()> {
    set_verbosity(Verbosity::Warning);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let dims: Vec<usize> = args
        .get(1)
        .map(|a| a.split(',').filter_map(|d| d.parse().ok()).collect())
        .unwrap_or_else(|| vec![5, 20]);
    let seeds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3);
    for &dim in &dims {
        let mut lasts = Vec::new();
        for seed in 0..seeds {
            let study = Study::builder()
                .sampler(TpeSampler::with_seed(seed))
                .build()?;
            let names: Vec<String> = (0..dim).map(|i| format!("x{i}")).collect();
            let mut stamps = Vec::with_capacity(n);
            let t0 = Instant::now();
            let mut cpu_before_last = 0.0;
            let mut digest = 0u64;
            study.optimize(n, |trial| {
                if stamps.len() == n - 100 {
                    cpu_before_last = cpu_s();
                }
                stamps.push(t0.elapsed().as_secs_f64());
                let mut s = 0.0;
                for name in &names {
                    let v = trial.suggest_float(name, -5.0, 5.0)?;
                    digest = digest.rotate_left(7) ^ v.to_bits();
                    s += v * v;
                }
                Ok(s)
            })?;
            stamps.push(t0.elapsed().as_secs_f64());
            let cpu = (cpu_s() - cpu_before_last) / 100.0 * 1e3;
            let last = (stamps[n] - stamps[n - 100]) / 100.0 * 1e3;
            lasts.push(cpu);
            println!(
                "D={dim:2} seed={seed} last100={last:.4} ms/trial (cpu {cpu:.4}) best={:.6e} digest={digest:016x}",
                study.best_value()?
            );
        }
        lasts.sort_by(f64::total_cmp);
        println!(
            "D={dim:2} median last100 cpu = {:.4} ms/trial",
            lasts[lasts.len() / 2]
        );
    }
    Ok(())
}

/// CPU seconds this thread has run (Linux's schedstat; 0 elsewhere): steadier than wall time
/// on a busy machine.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns * 1e-9)
}
