//! `quality`: best value and regret after N trials over several seeds, per problem and sampler
//! (the shape of `bench/optuna/quality.py`'s JSON).

use std::time::Instant;

use hpo::Study;
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::args::Args;
use crate::{problems, samplers, stats};

const CHECKPOINTS: &[usize] = &[10, 25, 50, 100, 200, 300, 500, 1000];

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    let n = args.trials.unwrap_or(100);
    let sampler_names = args.samplers_or(&["tpe", "random"]);
    let all = problems::all();
    let chosen = args.chosen(&all, |q| q.name, |p| format!("unknown problem `{p}`"))?;
    let mut runs = Vec::new();
    let mut summary = Vec::new();
    for problem in &chosen {
        for sampler in &sampler_names {
            let mut regrets = Vec::new();
            let mut regret_at: Vec<Vec<f64>> = vec![Vec::new(); CHECKPOINTS.len()];
            let mut walls = Vec::new();
            for seed in 0..args.seeds as u64 {
                let study = Study::builder()
                    .sampler_arc(samplers::make(sampler, seed)?)
                    .build()
                    .map_err(|e| e.to_string())?;
                let best_so_far = Mutex::new(Vec::with_capacity(n));
                let t0 = Instant::now();
                study
                    .optimize_with(
                        hpo::OptimizeOptions::new().n_trials(n).callback(
                            |s: &Study, _: &hpo::FrozenTrial| {
                                best_so_far
                                    .lock()
                                    .push(s.best_value().unwrap_or(f64::INFINITY));
                            },
                        ),
                        |t| (problem.objective)(t),
                    )
                    .map_err(|e| e.to_string())?;
                let wall = t0.elapsed().as_secs_f64();
                let best = study.best_value().map_err(|e| e.to_string())?;
                let regret = best - problem.optimum;
                let curve = best_so_far.into_inner();
                let mut at = serde_json::Map::new();
                for (i, &c) in CHECKPOINTS.iter().enumerate() {
                    if c <= curve.len() {
                        let r = curve[c - 1] - problem.optimum;
                        at.insert(c.to_string(), json!(r));
                        regret_at[i].push(r);
                    }
                }
                eprintln!(
                    "{:18} {:16} seed={seed} best={best:.6} regret={regret:.6} wall={wall:.2}s",
                    problem.name, sampler
                );
                regrets.push(regret);
                walls.push(wall);
                runs.push(json!({
                    "problem": problem.name, "sampler": sampler, "seed": seed, "n_trials": n,
                    "best_value": best, "regret": regret, "regret_at": at,
                    "best_params": hpo::param::python_dict(&study.best_params().map_err(|e| e.to_string())?),
                    "wall_s": wall,
                }));
            }
            let mut median_at = serde_json::Map::new();
            for (i, &c) in CHECKPOINTS.iter().enumerate() {
                if !regret_at[i].is_empty() {
                    median_at.insert(c.to_string(), json!(stats::median(&regret_at[i])));
                }
            }
            let mut row = json!({"problem": problem.name, "sampler": sampler, "seeds": args.seeds});
            stats::add_spread(&mut row, "regret", &regrets);
            row["regret_median_at"] = json!(median_at);
            row["wall_s_median"] = json!(stats::median(&walls));
            summary.push(row);
        }
    }
    Ok(json!({
        "benchmark": "quality",
        "config": {"samplers": sampler_names, "problems": chosen.iter().map(|p| p.name).collect::<Vec<_>>(),
                   "seeds": (0..args.seeds).collect::<Vec<_>>(), "n_trials": n},
        "summary": summary,
        "runs": runs,
    }))
}
