//! A typed search space with `#[derive(SearchSpace)]`: the MLP configuration of the seed
//! chapter's section 2.5, optimized against a closed-form stand-in for validation accuracy.
//!
//! Run with `cargo run --release --example derive_space`.

use hpo::prelude::*;
use serde::Serialize;

/// The MLP's hyperparameters.
#[derive(SearchSpace, Serialize, Debug, Clone, PartialEq)]
struct MlpConfig {
    /// One width per hidden layer, 1 to 4 layers, each 32..256 on a log scale.
    #[space(len(1, 4), int(32, 256), log)]
    hidden: Vec<i64>,
    #[space(float(0.0, 0.5))]
    dropout: f64,
    #[space(choice("relu", "tanh", "elu"))]
    activation: String,
    optimizer: Optimizer,
    #[space(float(1e-5, 1e-1), log)]
    lr: f64,
    #[space(int(16, 256), step = 16)]
    batch_size: i64,
    /// Not tuned: kept at 20 epochs.
    #[space(fixed = 20)]
    epochs: u32,
}

/// The optimizer; momentum exists only for SGD.
#[derive(SearchSpace, Serialize, Debug, Clone, PartialEq)]
enum Optimizer {
    Adam,
    Sgd {
        #[space(float(0.0, 0.99))]
        momentum: f64,
    },
    RmsProp,
}

/// A smooth stand-in for validation accuracy: best near two layers of ~128 units, dropout 0.2,
/// lr 1e-3 (SGD wants a larger lr and high momentum), batch size 64.
fn accuracy(c: &MlpConfig) -> f64 {
    let width: f64 =
        c.hidden.iter().map(|h| (*h as f64).log2()).sum::<f64>() / c.hidden.len() as f64;
    let depth = c.hidden.len() as f64;
    let lr_opt = match c.optimizer {
        Optimizer::Sgd { .. } => -2.0,
        _ => -3.0,
    };
    let mut loss = 0.02 * (width - 7.0).powi(2)
        + 0.01 * (depth - 2.0).powi(2)
        + 0.5 * (c.dropout - 0.2).powi(2)
        + 0.01 * (c.lr.log10() - lr_opt).powi(2)
        + 0.00002 * (c.batch_size as f64 - 64.0).powi(2);
    if let Optimizer::Sgd { momentum } = c.optimizer {
        loss += 0.05 * (momentum - 0.9).powi(2);
    }
    if c.activation == "tanh" {
        loss += 0.005;
    }
    0.98 - loss.min(0.5)
}

fn main() -> hpo::Result<()> {
    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(42))
        .build()?;

    println!(
        "The search space, known before the first trial:\n{}",
        MlpConfig::space()?
    );

    study.optimize_typed(200, |cfg: MlpConfig, _trial| Ok(accuracy(&cfg)))?;

    let best: MlpConfig = study.best_params_as()?;
    println!(
        "Best accuracy: {:.4} (trial {})",
        study.best_value()?,
        study.best_trial()?.number
    );
    println!(
        "Best config:\n{}",
        serde_json::to_string_pretty(&best).expect("serializable")
    );
    println!(
        "As stored: {}",
        hpo::param::python_dict(&study.best_params()?)
    );
    Ok(())
}
