//! Every plot of a finished study, as Optuna's visualization module
//! draws them: optimization history, parameter importances, slice, parallel coordinate,
//! contour of `lr` against `n_layers`, and the rest of hpo's plots (intermediate values, EDF,
//! timeline, rank, and a Pareto front and hypervolume history for a second, two-objective
//! study). Each plot is written as SVG and PNG, and all of them together as one self-contained
//! HTML report.
//!
//! Run with `cargo run --release --example visualize`; the files go to `target/visualize/`, the
//! two studies to `target/visualize/visualize.db`, e.g. for
//! `hpo report --storage sqlite:///target/visualize/visualize.db --study visualize -o report.html`.

use std::path::Path;

use hpo::importance::{FanovaEvaluator, ImportanceOptions, param_importances};
use hpo::prelude::*;
use hpo::rng::Rng;
use hpo::visualization::{PlotKind, PlotOptions, StudyData, plot, report_html};
use parking_lot::Mutex;

/// A simulated training run: accuracy after `epoch` epochs for these hyperparameters. The
/// learning rate matters most (best near 3e-3), then the depth; dropout and the optimizer a little.
fn accuracy(lr: f64, n_layers: i64, dropout: f64, optimizer: &str, epoch: u64) -> f64 {
    let lr_fit = (-(lr.log10() + 2.5).powi(2) / 0.8).exp();
    let depth_fit = 1.0 - 0.04 * (n_layers as f64 - 3.0).powi(2);
    let dropout_fit = 1.0 - 0.3 * (dropout - 0.2).powi(2);
    let optimizer_fit = if optimizer == "adam" { 1.0 } else { 0.97 };
    let progress = 1.0 - (-(epoch as f64 + 1.0) / 4.0).exp();
    0.1 + 0.88 * lr_fit * depth_fit * dropout_fit * optimizer_fit * progress
}

fn main() -> hpo::Result<()> {
    let out = Path::new("target/visualize");
    std::fs::create_dir_all(out)?;

    // 1. A single-objective study with pruning, as in section 2.4/2.5 of the chapter, stored in
    // SQLite so that `hpo` (the CLI) and Optuna can open it afterwards.
    let db = out.join("visualize.db");
    let _ = std::fs::remove_file(&db);
    let storage = hpo::open_storage(&format!("sqlite:///{}", db.display()))?;
    let study = hpo::create_study()
        .name("visualize")
        .storage_arc(storage.clone())
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(42))
        .pruner(MedianPruner::new().n_startup_trials(5).n_warmup_steps(3))
        .build()?;
    let noise = Mutex::new(Rng::seed_from_u64(7));
    study.optimize(120, |trial| {
        let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
        let n_layers = trial.suggest_int("n_layers", 1, 6)?;
        let dropout = trial.suggest_float("dropout", 0.0, 0.5)?;
        let optimizer = trial.suggest_categorical("optimizer", &["adam", "sgd"])?;
        let mut score = 0.0;
        for epoch in 0..15 {
            score = accuracy(lr, n_layers, dropout, optimizer, epoch);
            score += 0.005 * noise.lock().normal();
            trial.report(score, epoch)?;
            if trial.should_prune()? {
                return Err(TrialPruned.into());
            }
        }
        Ok(score)
    })?;
    let best = study.best_trial()?;
    println!(
        "best accuracy {:.4} (trial {}) with {}",
        best.value().unwrap_or(f64::NAN),
        best.number,
        hpo::param::python_dict(&best.params_map())
    );

    // 2. Parameter importance: PED-ANOVA (the default) and fANOVA.
    for (name, options) in [
        ("PED-ANOVA", ImportanceOptions::new()),
        (
            "fANOVA",
            ImportanceOptions::new().evaluator(FanovaEvaluator::new().seed(0)),
        ),
    ] {
        let importances = param_importances(&study, &options)?;
        let line: Vec<String> = importances
            .iter()
            .map(|(param, value)| format!("{param} {value:.3}"))
            .collect();
        println!("{name:>9} importance: {}", line.join(", "));
    }

    // 3. Every plot, as SVG and PNG; the contour restricted to lr and n_layers as in the chapter.
    let data = StudyData::load(&study)?;
    let options = PlotOptions::default().target_name("Accuracy");
    for kind in PlotKind::ALL {
        if kind.multi_objective_only() {
            continue; // Pareto front, hypervolume history: drawn for the second study below
        }
        let figure = if kind == PlotKind::Contour {
            plot(&data, kind, &options.clone().params(["lr", "n_layers"]))?
        } else {
            plot(&data, kind, &options)?
        };
        for extension in ["svg", "png"] {
            figure.save(out.join(format!("{}.{extension}", kind.name())))?;
        }
        println!("wrote {}/{}.svg and .png", out.display(), kind.name());
    }
    std::fs::write(out.join("report.html"), report_html(&data, &options)?)?;
    println!("wrote {}/report.html", out.display());

    // 4. A two-objective study (accuracy against model size) for the Pareto front.
    let mo = hpo::create_study()
        .name("visualize-mo")
        .storage_arc(storage)
        .directions([StudyDirection::Maximize, StudyDirection::Minimize])
        .sampler(TpeSampler::with_seed(1))
        .build()?;
    mo.set_metric_names(&["accuracy", "parameters (M)"])?;
    mo.optimize(150, |trial| {
        let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
        let n_layers = trial.suggest_int("n_layers", 1, 6)?;
        let width = trial.suggest_int_log("width", 16, 1024)?;
        let capacity = 1.0 - (-(n_layers * width) as f64 / 600.0).exp();
        let score = accuracy(lr, n_layers, 0.2, "adam", 14) * (0.7 + 0.3 * capacity);
        let size = (n_layers * width * width) as f64 / 1e6;
        Ok(vec![score, size])
    })?;
    let mo_data = StudyData::load(&mo)?;
    for kind in [PlotKind::ParetoFront, PlotKind::HypervolumeHistory] {
        let figure = plot(&mo_data, kind, &PlotOptions::default())?;
        for extension in ["svg", "png"] {
            figure.save(out.join(format!("{}.{extension}", kind.name())))?;
        }
        println!("wrote {}/{}.svg and .png", out.display(), kind.name());
    }
    println!("{} Pareto-optimal trials", mo.best_trials()?.len());
    std::fs::write(
        out.join("report-mo.html"),
        report_html(&mo_data, &PlotOptions::default())?,
    )?;
    println!("wrote {}/report-mo.html", out.display());
    Ok(())
}
