//! `overhead`: framework + sampler cost per trial on a near-zero-cost objective, measured the
//! way `bench/optuna/overhead.py` measures Optuna.
//!
//! Sphere over D float params `x0..x{D-1}` in [-5, 5], minimized, in-memory storage, one thread.
//! One `optimize` call of N trials per (sampler, D, seed); a callback stamps the time after every
//! trial. For each checkpoint n: total seconds to trial n, ms per trial, and the marginal cost
//! (mean ms per trial over the last 100 trials before n). Each run also lists `window100_ms`:
//! the mean ms per trial of every window of 100 trials (1–100, 101–200, …), the cost-vs-n
//! curve of samplers whose cost grows with the number of trials.

use std::time::Instant;

use hpo::{FrozenTrial, OptimizeOptions, Study};
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::args::Args;
use crate::samplers;

const CHECKPOINTS: &[usize] = &[
    100, 300, 500, 1000, 1500, 2000, 3000, 5000, 10_000, 20_000, 50_000, 100_000,
];

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    let samplers = args.samplers_or(&["random"]);
    let dims = if args.dims.is_empty() {
        vec![5, 20]
    } else {
        args.dims.clone()
    };
    let n = args.trials.unwrap_or(1000);
    // Warm-up: page in code and allocator state before timing.
    for s in &samplers {
        run_once(s, 3, 100, 123)?;
    }
    let mut runs = Vec::new();
    for seed in 0..args.seeds as u64 {
        for &dim in &dims {
            for s in &samplers {
                let r = run_once_on(s, dim, n, seed, args.storage.as_deref(), args.no_heartbeat)?;
                let cp = &r["checkpoints"];
                let last = cp
                    .as_object()
                    .and_then(|m| m.keys().next_back().cloned())
                    .unwrap_or_default();
                eprintln!(
                    "seed={seed} D={dim:2} {s:10} n={n:6} total={:8.4}s ms/trial={:8.5} last100={:8.5}",
                    r["total_s"].as_f64().unwrap_or(f64::NAN),
                    cp[&last]["ms_per_trial"].as_f64().unwrap_or(f64::NAN),
                    cp[&last]["last100_ms_per_trial"]
                        .as_f64()
                        .unwrap_or(f64::NAN),
                );
                runs.push(r);
            }
        }
    }
    Ok(json!({
        "benchmark": if args.storage.is_some() { "storage" } else { "overhead" },
        "storage": args.storage.clone().unwrap_or_else(|| "memory".into()),
        "config": {"samplers": samplers, "dims": dims, "n_max": n, "repeats": args.seeds,
                   "heartbeat": if args.no_heartbeat { "off" } else { "default" },
                   "objective": "sphere, x_i in [-5,5]"},
        "summary": summarise(&runs),
        "runs": runs,
    }))
}

/// The storage for a run: in-memory, a fresh SQLite or journal file per run, or a fresh key
/// prefix on a Redis server.
fn make_storage(url: Option<&str>, tag: &str) -> Result<std::sync::Arc<dyn hpo::Storage>, String> {
    match url {
        None | Some("memory") | Some("inmemory") => {
            Ok(std::sync::Arc::new(hpo::InMemoryStorage::new()))
        }
        Some(u) if u.starts_with("sqlite+wal:") => {
            let path = format!("{}.{tag}.db", u.trim_start_matches("sqlite+wal:"));
            let _ = std::fs::remove_file(&path);
            Ok(std::sync::Arc::new(
                hpo_storage::SqliteStorage::open_wal(&path).map_err(|e| e.to_string())?,
            ))
        }
        Some(u) if u.starts_with("sqlite:") => {
            let path = format!("{}.{tag}.db", u.trim_start_matches("sqlite:"));
            let _ = std::fs::remove_file(&path);
            Ok(std::sync::Arc::new(
                hpo_storage::SqliteStorage::open(&path).map_err(|e| e.to_string())?,
            ))
        }
        Some(u) if u.starts_with("journal+nosync:") => {
            let path = format!("{}.{tag}", u.trim_start_matches("journal+nosync:"));
            let _ = std::fs::remove_file(&path);
            let s = hpo::storage::JournalFileStorage::open_with(
                &path,
                hpo::storage::LockKind::Symlink,
                Some(std::time::Duration::from_secs(30)),
                false,
            )
            .map_err(|e| e.to_string())?;
            Ok(std::sync::Arc::new(s))
        }
        Some(u) if u.starts_with("journal:") => {
            let path = format!("{}.{tag}", u.trim_start_matches("journal:"));
            let _ = std::fs::remove_file(&path);
            Ok(std::sync::Arc::new(
                hpo::storage::JournalFileStorage::open(&path).map_err(|e| e.to_string())?,
            ))
        }
        Some(u) if u.starts_with("redis://") => {
            // One key prefix per run configuration, emptied first (like the files above).
            let prefix = format!("hpo-bench-{tag}");
            let backend =
                hpo_storage::RedisBackend::connect(u, &prefix).map_err(|e| e.to_string())?;
            backend.clear().map_err(|e| e.to_string())?;
            Ok(std::sync::Arc::new(
                hpo_storage::JournalRedisStorage::new(backend).map_err(|e| e.to_string())?,
            ))
        }
        Some(u) if u.starts_with("postgresql") => Ok(std::sync::Arc::new(
            hpo_storage::PostgresStorage::open(u).map_err(|e| e.to_string())?,
        )),
        Some(u) if u.starts_with("mysql") => Ok(std::sync::Arc::new(
            hpo_storage::MysqlStorage::open(u).map_err(|e| e.to_string())?,
        )),
        Some(other) => Err(format!(
            "unknown storage `{other}` (memory, sqlite:PATH, sqlite+wal:PATH, journal:PATH, journal+nosync:PATH, redis://HOST:PORT, postgresql://..., mysql://...)"
        )),
    }
}

fn run_once(sampler: &str, dim: usize, n: usize, seed: u64) -> Result<Value, String> {
    run_once_on(sampler, dim, n, seed, None, false)
}

fn run_once_on(
    sampler: &str,
    dim: usize,
    n: usize,
    seed: u64,
    storage: Option<&str>,
    no_heartbeat: bool,
) -> Result<Value, String> {
    let mut builder = Study::builder()
        .sampler_arc(samplers::make(sampler, seed)?)
        .storage_arc(make_storage(storage, &format!("{sampler}-{dim}-{seed}"))?);
    if no_heartbeat {
        builder = builder.without_heartbeat();
    }
    let study = builder.build().map_err(|e| e.to_string())?;
    let names: Vec<String> = (0..dim).map(|i| format!("x{i}")).collect();
    let stamps = Mutex::new(Vec::with_capacity(n));
    let t0 = Instant::now();
    study
        .optimize_with(
            OptimizeOptions::new()
                .n_trials(n)
                .callback(|_: &Study, _: &FrozenTrial| {
                    stamps.lock().push(t0.elapsed().as_secs_f64());
                }),
            |trial| {
                let mut s = 0.0;
                for name in &names {
                    let v = trial.suggest_float(name, -5.0, 5.0)?;
                    s += v * v;
                }
                Ok(s)
            },
        )
        .map_err(|e| e.to_string())?;
    let total = t0.elapsed().as_secs_f64();
    let cum = stamps.into_inner();
    let mut checkpoints = serde_json::Map::new();
    for &c in CHECKPOINTS.iter().filter(|&&c| c <= cum.len()) {
        let before = if c > 100 { cum[c - 101] } else { 0.0 };
        checkpoints.insert(
            c.to_string(),
            json!({
                "total_s": cum[c - 1],
                "ms_per_trial": cum[c - 1] / c as f64 * 1e3,
                "last100_ms_per_trial": (cum[c - 1] - before) / 100.0 * 1e3,
            }),
        );
    }
    let windows: Vec<f64> = (1..=cum.len() / 100)
        .map(|w| {
            let before = if w > 1 { cum[w * 100 - 101] } else { 0.0 };
            (cum[w * 100 - 1] - before) / 100.0 * 1e3
        })
        .collect();
    let best_value = study.best_value().map_err(|e| e.to_string())?;
    if storage.is_some_and(|u| u.starts_with("postgresql") || u.starts_with("mysql")) {
        // A shared server: leave nothing behind (files and Redis prefixes are reused instead).
        let id = study.storage().get_study_id_from_name(study.name());
        id.and_then(|id| study.storage().delete_study(id))
            .map_err(|e| e.to_string())?;
    }
    Ok(json!({
        "sampler": sampler, "dim": dim, "n_trials": n, "seed": seed,
        "total_s": total,
        "best_value": best_value,
        "checkpoints": checkpoints,
        "window100_ms": windows,
    }))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn summarise(runs: &[Value]) -> Vec<Value> {
    let mut keys: Vec<(String, u64)> = Vec::new();
    for r in runs {
        let k = (
            r["sampler"].as_str().unwrap_or_default().to_owned(),
            r["dim"].as_u64().unwrap_or(0),
        );
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = Vec::new();
    for (s, d) in keys {
        let group: Vec<&Value> = runs
            .iter()
            .filter(|r| r["sampler"] == s.as_str() && r["dim"] == d)
            .collect();
        for c in CHECKPOINTS {
            let vals: Vec<&Value> = group
                .iter()
                .filter_map(|r| r["checkpoints"].get(c.to_string()))
                .collect();
            if vals.is_empty() {
                continue;
            }
            let col = |k: &str| {
                vals.iter()
                    .map(|v| v[k].as_f64().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>()
            };
            let min = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
            out.push(json!({
                "sampler": s, "dim": d, "n_trials": c, "repeats": vals.len(),
                "total_s_min": min(col("total_s")), "total_s_median": median(col("total_s")),
                "ms_per_trial_min": min(col("ms_per_trial")), "ms_per_trial_median": median(col("ms_per_trial")),
                "last100_ms_min": min(col("last100_ms_per_trial")), "last100_ms_median": median(col("last100_ms_per_trial")),
            }));
        }
    }
    out
}
