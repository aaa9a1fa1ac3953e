//! `MlpConfig`: a space of multi-layer perceptrons that builds a tch `nn::SequentialT`.

use hpo::{SearchSpace, Trial};
use serde::{Deserialize, Serialize};
use tch::nn;

use crate::Activation;

/// An MLP: 1 to 4 hidden layers of 32..256 units each (log scale), dropout 0..0.5 after each,
/// one activation: the space of the `torch_mlp` example. Parameters `hidden.len`,
/// `hidden.0` ... `hidden.3`, `dropout`, `activation`. Use [`MlpRanges`] for other ranges.
#[derive(SearchSpace, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// Width of each hidden layer.
    #[space(len(1, 4), int(32, 256), log)]
    pub hidden: Vec<i64>,
    /// Dropout probability after each hidden layer.
    #[space(float(0.0, 0.5))]
    pub dropout: f64,
    /// Activation after each hidden layer.
    #[space(choice("relu", "tanh", "elu"))]
    pub activation: String,
}

impl MlpConfig {
    /// The activation as an [`Activation`] (`relu` when the name is unknown).
    pub fn activation(&self) -> Activation {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == self.activation)
            .unwrap_or(Activation::Relu)
    }

    /// Builds `linear -> activation -> dropout` per hidden layer and a final linear layer,
    /// under `path` (dropout is active only when the model runs with `train = true`).
    pub fn build(&self, path: &nn::Path<'_>, inputs: i64, outputs: i64) -> nn::SequentialT {
        let act = self.activation();
        let dropout = self.dropout;
        let mut seq = nn::seq_t();
        let mut width = inputs;
        for (i, &h) in self.hidden.iter().enumerate() {
            seq = seq
                .add(nn::linear(
                    path / format!("l{i}"),
                    width,
                    h,
                    Default::default(),
                ))
                .add_fn(move |x| act.apply(x))
                .add_fn_t(move |x, train| x.dropout(dropout, train));
            width = h;
        }
        seq.add(nn::linear(path / "out", width, outputs, Default::default()))
    }
}

/// Ranges for an MLP search, when the defaults do not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpRanges {
    /// Number of hidden layers.
    pub layers: (i64, i64),
    /// Width of each hidden layer (log scale).
    pub width: (i64, i64),
    /// Dropout range.
    pub dropout: (f64, f64),
    /// Activations to choose from.
    pub activations: Vec<Activation>,
}

impl Default for MlpRanges {
    /// The derived space's ranges.
    fn default() -> Self {
        MlpRanges {
            layers: (1, 4),
            width: (32, 256),
            dropout: (0.0, 0.5),
            activations: vec![Activation::Relu, Activation::Tanh, Activation::Elu],
        }
    }
}

impl MlpRanges {
    /// Samples an MLP with these ranges, under the derived space's parameter names.
    pub fn sample(&self, trial: &mut Trial) -> hpo::Result<MlpConfig> {
        let n = trial.suggest_int("hidden.len", self.layers.0, self.layers.1)?;
        let hidden = (0..n)
            .map(|i| trial.suggest_int_log(&format!("hidden.{i}"), self.width.0, self.width.1))
            .collect::<hpo::Result<Vec<i64>>>()?;
        let dropout = trial.suggest_float("dropout", self.dropout.0, self.dropout.1)?;
        let activation = Activation::sample_from(trial, "activation", &self.activations)?;
        Ok(MlpConfig {
            hidden,
            dropout,
            activation: activation.name().to_owned(),
        })
    }
}
