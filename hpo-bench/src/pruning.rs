//! `pruning`: the lc50 learning-curve problem with each pruner, TPE seeded per run (the shape
//! of `bench/optuna/pruning.py`'s JSON): total epochs consumed, pruned trials, and
//! the regret of the best trial's noise-free final loss.

use std::sync::Arc;
use std::time::Instant;

use hpo::{Pruner, Study, TrialState};
use hpo_pruners::{
    HyperbandPruner, MedianPruner, NopPruner, PercentilePruner, SuccessiveHalvingPruner,
};
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::args::Args;
use crate::problems::{LC_EPOCHS, LC_OPTIMUM, lc_clean, lc_value};
use crate::{samplers, stats};

const PRUNERS: &[&str] = &[
    "nop",
    "median",
    "percentile25",
    "successive_halving",
    "hyperband",
];

fn make_pruner(name: &str) -> Result<Arc<dyn Pruner>, String> {
    Ok(match name {
        "nop" => Arc::new(NopPruner),
        "median" => Arc::new(MedianPruner::new()),
        "percentile25" => Arc::new(PercentilePruner::new(25.0).map_err(|e| e.to_string())?),
        "successive_halving" => Arc::new(SuccessiveHalvingPruner::new()),
        "hyperband" => Arc::new(HyperbandPruner::new()),
        other => return Err(format!("unknown pruner `{other}`")),
    })
}

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    let n = args.trials.unwrap_or(100);
    let sampler = args.sampler_or("tpe");
    let mut runs = Vec::new();
    let mut summary = Vec::new();
    for &pruner in PRUNERS {
        let mut epochs_all = Vec::new();
        let mut regrets = Vec::new();
        let mut pruned_all = Vec::new();
        let mut best_noisy = Vec::new();
        for seed in 0..args.seeds as u64 {
            let study = Study::builder()
                .sampler_arc(samplers::make(&sampler, seed)?)
                .pruner_arc(make_pruner(pruner)?)
                .build()
                .map_err(|e| e.to_string())?;
            let epochs = Mutex::new(0u64);
            let t0 = Instant::now();
            study
                .optimize(n, |t| {
                    let lr = t.suggest_float_log("lr", 1e-4, 1.0)?;
                    let width = t.suggest_int_log("width", 16, 1024)?;
                    let dropout = t.suggest_float("dropout", 0.0, 0.5)?;
                    let mut v = f64::NAN;
                    for epoch in 1..=LC_EPOCHS {
                        v = lc_value(seed, t.number(), lr, width, dropout, epoch);
                        *epochs.lock() += 1;
                        t.report_and_check(v, epoch)?;
                    }
                    Ok(v)
                })
                .map_err(|e| e.to_string())?;
            let wall = t0.elapsed().as_secs_f64();
            let best = study.best_trial().map_err(|e| e.to_string())?;
            let p = |k: &str| best.param(k).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
            let clean = lc_clean(p("lr"), p("width") as i64, p("dropout"), LC_EPOCHS);
            let n_pruned = study
                .trials_in(&[TrialState::Pruned])
                .map_err(|e| e.to_string())?
                .len();
            let total_epochs = epochs.into_inner();
            eprintln!(
                "{pruner:18} seed={seed} epochs={total_epochs:5} pruned={n_pruned:3} best={:.5} clean={clean:.5} wall={wall:.2}s",
                best.value().unwrap_or(f64::NAN)
            );
            epochs_all.push(total_epochs as f64);
            regrets.push(clean - LC_OPTIMUM);
            pruned_all.push(n_pruned as f64);
            best_noisy.push(best.value().unwrap_or(f64::NAN));
            runs.push(json!({
                "pruner": pruner, "seed": seed, "n_trials": n, "total_epochs": total_epochs,
                "n_complete": study.trials_in(&[TrialState::Complete]).map_err(|e| e.to_string())?.len(),
                "n_pruned": n_pruned, "best_value_noisy": best.value(), "best_final_clean": clean,
                "best_final_regret": clean - LC_OPTIMUM, "wall_s": wall,
            }));
        }
        summary.push(json!({
            "pruner": pruner, "seeds": args.seeds,
            "epochs_median": stats::median(&epochs_all),
            "epochs_q1": stats::quantile(&epochs_all, 0.25),
            "epochs_q3": stats::quantile(&epochs_all, 0.75),
            "epochs_mean": epochs_all.iter().sum::<f64>() / epochs_all.len().max(1) as f64,
            "pruned_median": stats::median(&pruned_all),
            "best_noisy_median": stats::median(&best_noisy),
            "regret_median": stats::median(&regrets),
            "regret_q1": stats::quantile(&regrets, 0.25),
            "regret_q3": stats::quantile(&regrets, 0.75),
        }));
    }
    Ok(json!({
        "benchmark": "pruning",
        "config": {"pruners": PRUNERS, "seeds": (0..args.seeds).collect::<Vec<_>>(), "n_trials": n,
                   "epochs": LC_EPOCHS, "sampler": sampler, "lc_final_optimum": LC_OPTIMUM},
        "summary": summary,
        "runs": runs,
    }))
}
