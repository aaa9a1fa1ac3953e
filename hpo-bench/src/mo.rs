//! `mo`: multi-objective quality on the ZDT problems. For each problem, sampler and seed, N
//! trials (default 1000); recorded: the hypervolume of the final Pareto front with reference
//! point (11, 11) for every problem, the front's size, and wall time (the shape of
//! `bench/optuna/mo.py`'s JSON).

use std::time::Instant;

use hpo::multi_objective::hypervolume;
use hpo::{Study, StudyDirection};
use serde_json::{Value, json};

use crate::args::Args;
use crate::{samplers, stats, zdt};

/// The hypervolume reference point, the same for every ZDT problem.
pub const REFERENCE: [f64; 2] = [11.0, 11.0];

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    let n = args.trials.unwrap_or(1000);
    let sampler_names = args.samplers_or(&["nsga2"]);
    let all = zdt::all();
    let chosen = args.chosen(
        &all,
        |q| q.name,
        |p| format!("unknown problem `{p}` (available: zdt1, zdt2, zdt3, zdt4, zdt6)"),
    )?;
    let mut runs = Vec::new();
    let mut summary = Vec::new();
    for problem in &chosen {
        for sampler in &sampler_names {
            let mut hvs = Vec::new();
            let mut walls = Vec::new();
            for seed in 0..args.seeds as u64 {
                let study = Study::builder()
                    .directions([StudyDirection::Minimize, StudyDirection::Minimize])
                    .sampler_arc(samplers::make(sampler, seed)?)
                    .build()
                    .map_err(|e| e.to_string())?;
                let t0 = Instant::now();
                study
                    .optimize(n, |t| problem.objective(t))
                    .map_err(|e| e.to_string())?;
                let wall = t0.elapsed().as_secs_f64();
                let front: Vec<Vec<f64>> = study
                    .best_trials()
                    .map_err(|e| e.to_string())?
                    .iter()
                    .filter_map(|t| t.values.clone())
                    .collect();
                let hv = hypervolume(&front, &REFERENCE);
                eprintln!(
                    "{:6} {:8} seed={seed} hv={hv:.6} pareto={} wall={wall:.2}s",
                    problem.name,
                    sampler,
                    front.len()
                );
                hvs.push(hv);
                walls.push(wall);
                runs.push(json!({
                    "problem": problem.name, "sampler": sampler, "seed": seed, "n_trials": n,
                    "hypervolume": hv, "n_pareto": front.len(), "wall_s": wall,
                }));
            }
            let mut row = json!({"problem": problem.name, "sampler": sampler, "seeds": args.seeds});
            stats::add_spread(&mut row, "hv", &hvs);
            row["wall_s_median"] = json!(stats::median(&walls));
            summary.push(row);
        }
    }
    Ok(json!({
        "benchmark": "mo",
        "config": {
            "samplers": sampler_names,
            "problems": chosen.iter().map(|p| p.name).collect::<Vec<_>>(),
            "seeds": (0..args.seeds).collect::<Vec<_>>(),
            "n_trials": n,
            "reference_point": REFERENCE,
            "note": "hypervolume of the final Pareto front (both objectives minimised) with \
                     reference point (11, 11) for every ZDT problem",
        },
        "summary": summary,
        "runs": runs,
    }))
}
