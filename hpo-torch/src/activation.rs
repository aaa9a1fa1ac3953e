//! `Activation`: a categorical space of activation functions.

use hpo::{SearchSpace, Trial};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// An activation function (a categorical parameter; names `relu`, `tanh`, `elu`, `gelu`,
/// `leaky_relu`, `sigmoid`).
#[derive(SearchSpace, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// max(0, x).
    Relu,
    /// tanh(x).
    Tanh,
    /// Exponential linear unit.
    Elu,
    /// Gaussian error linear unit.
    Gelu,
    /// Leaky ReLU (slope 0.01).
    LeakyRelu,
    /// Logistic sigmoid.
    Sigmoid,
}

impl Activation {
    /// Every activation, in declaration order.
    pub const ALL: [Activation; 6] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Elu,
        Activation::Gelu,
        Activation::LeakyRelu,
        Activation::Sigmoid,
    ];

    /// The parameter value naming this activation.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Elu => "elu",
            Activation::Gelu => "gelu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Sigmoid => "sigmoid",
        }
    }

    /// Applies the activation.
    pub fn apply(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Relu => x.relu(),
            Activation::Tanh => x.tanh(),
            Activation::Elu => x.elu(),
            Activation::Gelu => x.gelu("none"),
            Activation::LeakyRelu => x.leaky_relu(),
            Activation::Sigmoid => x.sigmoid(),
        }
    }

    /// Samples one of `choices` as the categorical parameter `name` (for a custom set; the
    /// derived space offers all six).
    pub fn sample_from(
        trial: &mut Trial,
        name: &str,
        choices: &[Activation],
    ) -> hpo::Result<Activation> {
        let names: Vec<&str> = choices.iter().map(|a| a.name()).collect();
        let chosen = trial.suggest_categorical(name, &names)?;
        Ok(*choices
            .iter()
            .find(|a| a.name() == chosen)
            .expect("one of the choices"))
    }
}
