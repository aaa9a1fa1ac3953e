//! The basic example: tune a random forest on the iris data with
//! 3-fold cross-validated accuracy (smartcore's forest and its copy of the iris data set).
//!
//! Run with `cargo run --release --example iris_forest`.

use hpo::prelude::*;
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

/// scikit-learn's `StratifiedKFold(n_splits)` without shuffling: each class's samples, in
/// order, are cut into `n_splits` contiguous chunks whose sizes differ by at most one.
fn stratified_folds(y: &[u32], n_splits: usize) -> Vec<usize> {
    let mut fold = vec![0; y.len()];
    let mut classes: Vec<u32> = y.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let mut sorted = y.to_vec();
    sorted.sort_unstable();
    for &c in &classes {
        // allocation[i][c] = count of class c in sorted[i::n_splits]
        let sizes: Vec<usize> = (0..n_splits)
            .map(|i| {
                sorted
                    .iter()
                    .skip(i)
                    .step_by(n_splits)
                    .filter(|v| **v == c)
                    .count()
            })
            .collect();
        let mut assignment = sizes
            .iter()
            .enumerate()
            .flat_map(|(f, n)| std::iter::repeat_n(f, *n));
        for (i, v) in y.iter().enumerate() {
            if *v == c {
                fold[i] = assignment.next().expect("sizes add up to the class count");
            }
        }
    }
    fold
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iris = smartcore::dataset::iris::load_dataset();
    let (n, d) = (iris.num_samples, iris.num_features);
    let rows: Vec<Vec<f32>> = (0..n)
        .map(|r| iris.data[r * d..(r + 1) * d].to_vec())
        .collect();
    let folds = stratified_folds(&iris.target, 3);

    let cv_accuracy = |params: RandomForestClassifierParameters| -> Result<f64, TrialError> {
        let mut scores = Vec::new();
        for k in 0..3 {
            let split = |test: bool| -> (Vec<Vec<f32>>, Vec<u32>) {
                (0..n)
                    .filter(|&i| (folds[i] == k) == test)
                    .map(|i| (rows[i].clone(), iris.target[i]))
                    .unzip()
            };
            let (xtr, ytr) = split(false);
            let (xte, yte) = split(true);
            let xtr = DenseMatrix::from_2d_vec(&xtr)?;
            let xte = DenseMatrix::from_2d_vec(&xte)?;
            let model = RandomForestClassifier::fit(&xtr, &ytr, params.clone())?;
            let pred: Vec<u32> = model.predict(&xte)?;
            let correct = pred.iter().zip(&yte).filter(|(p, t)| p == t).count();
            scores.push(correct as f64 / yte.len() as f64);
        }
        Ok(scores.iter().sum::<f64>() / scores.len() as f64)
    };

    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(42))
        .build()?;
    study.optimize(50, |trial| {
        let n_estimators = trial.suggest_int("n_estimators", 10, 100)?;
        let max_depth = trial.suggest_int_log("max_depth", 2, 32)?;
        let min_samples_split = trial.suggest_int("min_samples_split", 2, 10)?;
        let min_samples_leaf = trial.suggest_int("min_samples_leaf", 1, 10)?;
        cv_accuracy(
            RandomForestClassifierParameters::default()
                .with_n_trees(n_estimators as u16)
                .with_max_depth(max_depth as u16)
                .with_min_samples_split(min_samples_split as usize)
                .with_min_samples_leaf(min_samples_leaf as usize)
                .with_seed(42),
        )
    })?;

    println!("\n=== hpo Optimization Results ===");
    println!("Best accuracy: {:.4}", study.best_value()?);
    println!("Best parameters:");
    for (key, value) in study.best_params()? {
        println!("  {key}: {value}");
    }
    println!("\nTotal trials: {}", study.n_trials()?);
    println!(
        "Completed trials: {}",
        study.trials_in(&[TrialState::Complete])?.len()
    );
    Ok(())
}
