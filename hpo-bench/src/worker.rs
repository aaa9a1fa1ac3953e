//! `worker`: one process of a multi-process study (tests and the scale-out benchmark): opens
//! the storage URL, loads (or creates) the study, runs `--trials` trials of the 5-D sphere.

use hpo::{Study, StudyDirection};
use serde_json::{Value, json};

use crate::args::Args;
use crate::samplers;

/// Runs the worker and returns a small JSON summary.
pub fn run(args: &Args) -> Result<Value, String> {
    let url = args.storage.clone().ok_or("worker needs --storage URL")?;
    let name = args.problem_or("workers");
    let n = args.trials.unwrap_or(100);
    let sampler = args.sampler_or("random");
    let seed = u64::from(std::process::id());
    let hang = name == "hang";
    let mut builder = Study::builder();
    if hang {
        // The crash test: beat every 200 ms, then hang inside the trial until killed.
        builder = builder.heartbeat(hpo::study::HeartbeatConfig::new(
            std::time::Duration::from_millis(200),
        ));
    }
    let study = builder
        .name(&name)
        .direction(StudyDirection::Minimize)
        .storage_arc(hpo::open_storage(&url).map_err(|e| e.to_string())?)
        .sampler_arc(samplers::make(&sampler, seed)?)
        .load_if_exists(true)
        .build()
        .map_err(|e| e.to_string())?;
    study
        .optimize(n, |t| {
            if hang {
                t.suggest_float("x0", -5.0, 5.0)?;
                std::thread::sleep(std::time::Duration::from_secs(600));
            }
            let mut s = 0.0;
            for i in 0..5 {
                s += t.suggest_float(&format!("x{i}"), -5.0, 5.0)?.powi(2);
            }
            Ok(s)
        })
        .map_err(|e| e.to_string())?;
    Ok(json!({"benchmark": "worker", "study": name, "trials_run": n, "pid": std::process::id()}))
}
