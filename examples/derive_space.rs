//! A typed search space with `#[derive(SearchSpace)]`: the MLP configuration of the seed
//! chapter's section 2.5, optimized against a closed-form stand-in for validation accuracy.
//!
//! Run with `cargo run --release --example derive_space`. The best configuration is printed
//! as JSON with the choices named as the study stores them (`"optimizer": "rms_prop"`): the
//! enum derives `Serialize` with `#[serde(rename_all = "snake_case")]`, the derive's default.
//! The tests at the bottom check that; `hpo/tests/derive.rs` runs them.

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

/// The optimizer; momentum exists only for SGD. The derive stores a variant's name in
/// `snake_case` (`rms_prop`); serde's `rename_all` makes the JSON say the same, where serde on
/// its own would write the Rust name (`RmsProp`).
#[derive(SearchSpace, Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "snake_case")]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tag serde writes for an enum value: `"adam"` or `{"sgd": {...}}`.
    fn serde_tag(value: &Optimizer) -> String {
        match serde_json::to_value(value).expect("serializable") {
            serde_json::Value::String(tag) => tag,
            serde_json::Value::Object(map) if map.len() == 1 => map.keys().next().unwrap().clone(),
            other => panic!("not an externally tagged enum: {other}"),
        }
    }

    #[test]
    fn json_names_each_optimizer_as_stored() {
        for (value, stored) in [
            (Optimizer::Adam, "adam"),
            (Optimizer::Sgd { momentum: 0.9 }, "sgd"),
            (Optimizer::RmsProp, "rms_prop"),
        ] {
            let params = value.to_params();
            assert_eq!(params["optimizer"].as_str(), Some(stored), "{params:?}");
            assert_eq!(serde_tag(&value), stored);
        }
    }

    #[test]
    fn best_config_json_matches_the_stored_params() {
        let mut params = hpo::ParamMap::new();
        params.insert("hidden.len".into(), 2.into());
        params.insert("hidden.0".into(), 128.into());
        params.insert("hidden.1".into(), 64.into());
        params.insert("dropout".into(), 0.2.into());
        params.insert("activation".into(), "relu".into());
        params.insert("optimizer".into(), "rms_prop".into());
        params.insert("lr".into(), 1e-3.into());
        params.insert("batch_size".into(), 64.into());
        let config = MlpConfig::from_params(&params).unwrap();
        assert_eq!(config.optimizer, Optimizer::RmsProp);
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["optimizer"], "rms_prop", "{json}");
        assert_eq!(json["activation"], "relu", "{json}");
        assert_eq!(MlpConfig::from_params(&config.to_params()).unwrap(), config);
    }
}
