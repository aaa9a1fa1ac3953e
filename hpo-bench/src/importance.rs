//! `importance`: parameter importance and plot rendering time at 200, 1000 and 5000 trials (or
//! `--trials N`), on studies that `bench/optuna/importance.py` then opens with Optuna itself.
//!
//! For each size N the study `importance-N` is written to `bench/out/importance-N.db` (SQLite,
//! Optuna's schema; `--storage DIR` picks another folder), replacing an earlier one: N complete
//! trials of the problem below, each with 10 intermediate values and a start/complete time, drawn
//! by a seeded generator (no sampler involved, so the study is the same on every run). Timed
//! (median of `--seeds` repeats, default 3): `param_importances` with PED-ANOVA (the default),
//! fANOVA (seed 0) and MDI (seed 0); building each plot's SVG; and, once per size, the PNG of the
//! history plot and the whole HTML report.
//!
//! The problem: `10 (x / 5)^2 + (log10 lr + 3)^2 / 4 + 0.05 (layers - 4)^2 + 0.1 [opt = sgd] +
//! 0.01 noise`, with x in [-5, 5], lr log-uniform in [1e-5, 1e-1], layers in 1..=8, opt in
//! {adam, sgd, rmsprop} and noise in [0, 1]: x explains most of the variance, lr some, the rest
//! little.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use hpo::importance::{
    FanovaEvaluator, ImportanceEvaluator, ImportanceOptions, MeanDecreaseImpurityEvaluator,
    PedAnovaEvaluator, param_importances,
};
use hpo::rng::Rng;
use hpo::visualization::{PlotKind, PlotOptions, StudyData, plot, report_html};
use hpo::{Distribution, FrozenTrial, Study, StudyDirection, TrialState};
use serde_json::{Value, json};

use crate::args::Args;
use crate::stats;

fn objective(x: f64, lr: f64, layers: i64, opt: &str, noise: f64) -> f64 {
    10.0 * (x / 5.0).powi(2)
        + (lr.log10() + 3.0).powi(2) / 4.0
        + 0.05 * (layers as f64 - 4.0).powi(2)
        + if opt == "sgd" { 0.1 } else { 0.0 }
        + 0.01 * noise
}

fn build_study(n: usize, dir: &std::path::Path) -> Result<Study, String> {
    let path = dir.join(format!("importance-{n}.db"));
    let _ = std::fs::remove_file(&path);
    let storage =
        hpo::open_storage(&format!("sqlite:///{}", path.display())).map_err(|e| e.to_string())?;
    let study = Study::builder()
        .name(format!("importance-{n}"))
        .storage_arc(storage)
        .direction(StudyDirection::Minimize)
        .build()
        .map_err(|e| e.to_string())?;
    let d = |r: Result<Distribution, hpo::DistributionError>| r.map_err(|e| e.to_string());
    let (dx, dlr, dlayers, dopt, dnoise) = (
        d(Distribution::float(-5.0, 5.0))?,
        d(Distribution::float_log(1e-5, 1e-1))?,
        d(Distribution::int(1, 8))?,
        d(Distribution::categorical(["adam", "sgd", "rmsprop"]))?,
        d(Distribution::float(0.0, 1.0))?,
    );
    let mut rng = Rng::seed_from_u64(n as u64);
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .map_err(|e| e.to_string())?
        .to_utc();
    let mut trials = Vec::with_capacity(n);
    for i in 0..n {
        let x = rng.uniform(-5.0, 5.0);
        let lr = 10f64.powf(rng.uniform(-5.0, -1.0));
        let layers = 1 + rng.below(8) as i64;
        let opt = ["adam", "sgd", "rmsprop"][rng.below(3) as usize];
        let noise = rng.next_f64();
        let value = objective(x, lr, layers, opt, noise);
        let begin = start + chrono::Duration::milliseconds(500 * i as i64);
        let mut trial = FrozenTrial::new(TrialState::Complete)
            .with_value(value)
            .with_datetimes(
                Some(begin),
                Some(begin + chrono::Duration::milliseconds(400 + 10 * rng.below(50) as i64)),
            );
        for step in 0..10u64 {
            trial = trial.with_intermediate_value(step, value * (1.0 + 2.0 / (step as f64 + 1.0)));
        }
        let with = |t: FrozenTrial, name: &str, v: hpo::ParamValue, dist: &Distribution| {
            t.with_param(name, v, dist.clone())
                .map_err(|e| e.to_string())
        };
        trial = with(trial, "x", x.into(), &dx)?;
        trial = with(trial, "lr", lr.into(), &dlr)?;
        trial = with(trial, "layers", layers.into(), &dlayers)?;
        trial = with(trial, "opt", opt.into(), &dopt)?;
        trial = with(trial, "noise", noise.into(), &dnoise)?;
        trials.push(trial);
    }
    study.add_trials(&trials).map_err(|e| e.to_string())?;
    Ok(study)
}

fn time<T>(repeats: usize, mut f: impl FnMut() -> Result<T, String>) -> Result<(f64, T), String> {
    let mut seconds = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        last = Some(f()?);
        seconds.push(start.elapsed().as_secs_f64());
    }
    Ok((stats::median(&seconds), last.expect("at least one repeat")))
}

/// Runs the benchmark and returns its JSON.
pub fn run(args: &Args) -> Result<Value, String> {
    let sizes = match args.trials {
        Some(n) => vec![n],
        None => vec![200, 1000, 5000],
    };
    let dir = PathBuf::from(
        args.storage
            .clone()
            .unwrap_or_else(|| "bench/out".to_owned()),
    );
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let repeats = args.seeds;
    let mut rows = Vec::new();
    for n in sizes {
        let study = build_study(n, &dir)?;
        let evaluators: [(&str, Arc<dyn ImportanceEvaluator>); 3] = [
            ("ped-anova", Arc::new(PedAnovaEvaluator::new())),
            ("fanova", Arc::new(FanovaEvaluator::new().seed(0))),
            (
                "mdi",
                Arc::new(MeanDecreaseImpurityEvaluator::new().seed(0)),
            ),
        ];
        for (name, evaluator) in evaluators {
            let options = ImportanceOptions::new().evaluator_arc(evaluator);
            let (seconds, importances) = time(repeats, || {
                param_importances(&study, &options).map_err(|e| e.to_string())
            })?;
            eprintln!(
                "{n:>6} trials  importance {name:<10} {:10.2} ms",
                seconds * 1e3
            );
            rows.push(json!({
                "kind": "importance", "name": name, "trials": n, "seconds": seconds,
                "importances": importances,
            }));
        }
        let (load_seconds, data) = time(repeats, || {
            StudyData::load(&study).map_err(|e| e.to_string())
        })?;
        rows.push(json!({"kind": "load", "name": "trials", "trials": n, "seconds": load_seconds}));
        let options = PlotOptions::default();
        for kind in PlotKind::ALL {
            if kind.multi_objective_only() {
                continue; // single-objective study
            }
            let (seconds, svg_bytes) = time(repeats, || {
                plot(&data, kind, &options)
                    .map(|f| f.svg().len())
                    .map_err(|e| e.to_string())
            })?;
            eprintln!(
                "{n:>6} trials  plot {:<20} {:10.2} ms  {:8} SVG bytes",
                kind.name(),
                seconds * 1e3,
                svg_bytes
            );
            rows.push(json!({
                "kind": "plot", "name": kind.name(), "trials": n, "seconds": seconds,
                "svg_bytes": svg_bytes,
            }));
        }
        let figure = plot(&data, PlotKind::History, &options).map_err(|e| e.to_string())?;
        let (png_seconds, png) = time(repeats, || figure.to_png().map_err(|e| e.to_string()))?;
        rows.push(json!({
            "kind": "png", "name": "history", "trials": n, "seconds": png_seconds,
            "png_bytes": png.len(),
        }));
        let (report_seconds, html) = time(1, || {
            report_html(&data, &options).map_err(|e| e.to_string())
        })?;
        eprintln!(
            "{n:>6} trials  png history {:.1} ms, report {:.1} ms ({} bytes)",
            png_seconds * 1e3,
            report_seconds * 1e3,
            html.len()
        );
        rows.push(json!({
            "kind": "report", "name": "html", "trials": n, "seconds": report_seconds,
            "html_bytes": html.len(),
        }));
    }
    Ok(json!({ "tool": "hpo", "repeats": repeats, "rows": rows }))
}
