//! `parallel`: wall time of a CPU-bound objective (about 5 ms of arithmetic per trial) with
//! n_jobs = 1 and n_jobs = J, and the speed-up. Optuna's threads share the GIL, so its speed-up
//! here is about 1×; hpo's workers are OS threads.

use std::hint::black_box;
use std::time::Instant;

use hpo::{OptimizeOptions, Study};
use serde_json::{Value, json};

use crate::args::Args;
use crate::samplers;

/// Pure arithmetic, calibrated so that one call takes about `ms` milliseconds.
pub fn burn(x: f64, iterations: u64) -> f64 {
    let mut acc = x;
    for i in 0..iterations {
        acc = (acc * 1.000_000_1 + (i as f64).sqrt()).sin();
    }
    acc
}

fn calibrate(target_ms: f64) -> u64 {
    let mut iters = 10_000u64;
    loop {
        let t = Instant::now();
        black_box(burn(black_box(0.5), iters));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if ms > 20.0 {
            return (iters as f64 * target_ms / ms) as u64;
        }
        iters *= 2;
    }
}

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    let n = args.trials.unwrap_or(400);
    let jobs = if args.jobs.is_empty() {
        vec![1, 2]
    } else {
        args.jobs.clone()
    };
    let sampler = args.sampler_or("random");
    let iters = calibrate(5.0);
    let mut runs = Vec::new();
    for seed in 0..args.seeds as u64 {
        for &j in &jobs {
            let study = Study::builder()
                .sampler_arc(samplers::make(&sampler, seed)?)
                .build()
                .map_err(|e| e.to_string())?;
            let t0 = Instant::now();
            study
                .optimize_parallel(OptimizeOptions::new().n_trials(n).n_jobs(j), |trial| {
                    let x = trial.suggest_float("x", -5.0, 5.0)?;
                    Ok(black_box(burn(x, iters)))
                })
                .map_err(|e| e.to_string())?;
            let wall = t0.elapsed().as_secs_f64();
            eprintln!(
                "seed={seed} n_jobs={j} n={n} wall={wall:.3}s trials/s={:.1}",
                n as f64 / wall
            );
            runs.push(
                json!({"seed": seed, "n_jobs": j, "n_trials": n, "wall_s": wall,
                             "trials_per_s": n as f64 / wall}),
            );
        }
    }
    let median_wall = |j: usize| {
        let mut v: Vec<f64> = runs
            .iter()
            .filter(|r| r["n_jobs"] == j)
            .filter_map(|r| r["wall_s"].as_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let base = median_wall(1);
    let speedups: Vec<Value> = jobs
        .iter()
        .map(|&j| json!({"n_jobs": j, "median_wall_s": median_wall(j), "speedup_vs_1": base / median_wall(j)}))
        .collect();
    Ok(json!({
        "benchmark": "parallel",
        "config": {"sampler": sampler, "n_trials": n, "jobs": jobs, "repeats": args.seeds,
                   "objective": "x in [-5,5]; ~5 ms of f64 arithmetic per trial", "burn_iterations": iters},
        "summary": speedups,
        "runs": runs,
    }))
}
