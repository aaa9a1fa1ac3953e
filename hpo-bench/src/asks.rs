//! `asks`: where TPE proposes its next trial on a fixed history, over many seeds, to set beside
//! Optuna's proposals on the same history (`bench/optuna/asks.py`, which also writes the
//! history and compares the two samples).
//!
//! The history is a study named `history` in an Optuna journal file (`--storage PATH`). It is
//! copied first, so the file itself stays as written. For each seed a study over the copy is
//! loaded with `TpeSampler::with_seed(seed)`, one trial is asked, the problem's objective makes
//! its suggestions (so conditional parameters are asked for as the objective asks for them) and
//! the trial is told failed: failed trials are not observations, so every seed sees the same
//! history. The ZDT problems have two objectives, so they check multi-objective TPE.

use hpo::{Study, TpeSampler};
use serde_json::{Value, json};

use crate::args::Args;
use crate::{problems, zdt};

/// Makes a problem's suggestions on a trial (its objective, the value dropped).
type Suggest = dyn Fn(&mut hpo::Trial) -> Result<(), hpo::TrialError>;

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    // One failed trial per seed, on purpose: no warning line for each.
    hpo::logging::set_verbosity(hpo::logging::Verbosity::Error);
    let [name] = args.problems.as_slice() else {
        return Err("asks takes one --problem".to_owned());
    };
    // A single-objective problem, or a ZDT problem (two objectives: multi-objective TPE).
    let single = problems::all().into_iter().find(|p| p.name == name);
    let zdt = zdt::all().into_iter().find(|p| p.name == name);
    let suggest: Box<Suggest> = match (single, zdt) {
        (Some(p), _) => Box::new(move |t| (p.objective)(t).map(|_| ())),
        (None, Some(z)) => Box::new(move |t| z.objective(t).map(|_| ())),
        (None, None) => return Err(format!("unknown problem `{name}`")),
    };
    let history = args
        .storage
        .as_deref()
        .ok_or("asks needs --storage PATH (an Optuna journal file with a study named `history`)")?;
    let dir = std::env::temp_dir().join(format!("hpo-bench-asks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let copy = dir.join("history.log");
    std::fs::copy(history, &copy).map_err(|e| format!("cannot copy {history}: {e}"))?;
    let proposals = propose(&*suggest, &copy, args.seeds as u64);
    let _ = std::fs::remove_dir_all(&dir);
    let proposals = proposals?;
    Ok(json!({
        "benchmark": "asks",
        "sampler": "tpe",
        "problem": name,
        "seeds": args.seeds,
        "proposals": proposals,
    }))
}

/// One proposal per seed: the parameters of the trial asked on the unchanged history.
fn propose(suggest: &Suggest, journal: &std::path::Path, seeds: u64) -> Result<Vec<Value>, String> {
    let err = |e: hpo::Error| e.to_string();
    let storage = hpo::open_storage(&format!("journal:{}", journal.display())).map_err(err)?;
    let mut out = Vec::new();
    for seed in 0..seeds {
        let study = Study::builder()
            .name("history")
            .storage_arc(storage.clone())
            .sampler(TpeSampler::with_seed(seed))
            .load()
            .map_err(err)?;
        let mut trial = study.ask().map_err(err)?;
        suggest(&mut trial).map_err(|e| format!("objective failed: {e:?}"))?;
        let told = study.tell_failed(trial, "a probe").map_err(err)?;
        let params: serde_json::Map<String, Value> = told
            .params
            .iter()
            .map(|(k, p)| (k.clone(), p.value.to_json()))
            .collect();
        out.push(Value::Object(params));
    }
    Ok(out)
}
