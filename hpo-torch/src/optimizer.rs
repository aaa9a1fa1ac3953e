//! `OptimizerConfig`: a space of optimizers that builds a tch `nn::Optimizer`.

use hpo::{SearchSpace, Trial};
use serde::{Deserialize, Serialize};
use tch::TchError;
use tch::nn::{self, OptimizerConfig as _};

/// An optimizer and its learning rate: parameters `lr` (log range) and `optimizer` (the kind),
/// with `optimizer.adam_w.weight_decay`, `optimizer.sgd.momentum` and `optimizer.sgd.nesterov`
/// only when that kind is chosen. The derived ranges are those of the `torch_mlp` example; use
/// [`OptimizerRanges`] to change them.
#[derive(SearchSpace, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizerConfig {
    /// Learning rate.
    #[space(float(1e-5, 1e-1), log)]
    pub lr: f64,
    /// The algorithm and its own parameters.
    pub optimizer: OptimizerKind,
}

/// The optimizer algorithm.
#[derive(SearchSpace, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OptimizerKind {
    /// Adam.
    Adam,
    /// AdamW with decoupled weight decay.
    AdamW {
        /// Weight decay.
        #[space(float(1e-6, 1e-1), log)]
        weight_decay: f64,
    },
    /// Stochastic gradient descent.
    Sgd {
        /// Momentum.
        #[space(float(0.0, 0.99))]
        momentum: f64,
        /// Nesterov momentum.
        nesterov: bool,
    },
    /// RMSprop.
    RmsProp,
}

impl OptimizerConfig {
    /// Builds the optimizer over the variables of `vs`.
    pub fn build(&self, vs: &nn::VarStore) -> Result<nn::Optimizer, TchError> {
        match &self.optimizer {
            OptimizerKind::Adam => nn::Adam::default().build(vs, self.lr),
            OptimizerKind::AdamW { weight_decay } => nn::AdamW {
                wd: *weight_decay,
                ..Default::default()
            }
            .build(vs, self.lr),
            OptimizerKind::Sgd { momentum, nesterov } => {
                // Nesterov momentum needs a positive momentum and no dampening.
                let nesterov = *nesterov && *momentum > 0.0;
                nn::Sgd {
                    momentum: *momentum,
                    nesterov,
                    ..Default::default()
                }
                .build(vs, self.lr)
            }
            OptimizerKind::RmsProp => nn::RmsProp::default().build(vs, self.lr),
        }
    }
}

/// Which optimizers and ranges to search, when the defaults do not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizerRanges {
    /// Learning-rate range (sampled on a log scale).
    pub lr: (f64, f64),
    /// The kinds to choose from, in this order (names `adam`, `adam_w`, `sgd`, `rms_prop`).
    pub kinds: Vec<&'static str>,
    /// AdamW weight-decay range (log scale).
    pub weight_decay: (f64, f64),
    /// SGD momentum range.
    pub momentum: (f64, f64),
    /// Whether SGD also searches Nesterov momentum (otherwise it is off).
    pub search_nesterov: bool,
}

impl Default for OptimizerRanges {
    /// The derived space: every kind, lr 1e-5..1e-1, weight decay 1e-6..1e-1, momentum 0..0.99.
    fn default() -> Self {
        OptimizerRanges {
            lr: (1e-5, 1e-1),
            kinds: vec!["adam", "adam_w", "sgd", "rms_prop"],
            weight_decay: (1e-6, 1e-1),
            momentum: (0.0, 0.99),
            search_nesterov: true,
        }
    }
}

impl OptimizerRanges {
    /// The `torch_mlp` example's choice: Adam, SGD with momentum, RMSprop; lr 1e-5..1e-1.
    pub fn seed_chapter() -> Self {
        OptimizerRanges {
            kinds: vec!["adam", "sgd", "rms_prop"],
            search_nesterov: false,
            ..Default::default()
        }
    }

    /// Samples a configuration with these ranges, under the derived space's parameter names.
    pub fn sample(&self, trial: &mut Trial) -> hpo::Result<OptimizerConfig> {
        let lr = trial.suggest_float_log("lr", self.lr.0, self.lr.1)?;
        let kind = trial.suggest_categorical("optimizer", &self.kinds)?;
        let optimizer = match kind {
            "adam" => OptimizerKind::Adam,
            "adam_w" => OptimizerKind::AdamW {
                weight_decay: trial.suggest_float_log(
                    "optimizer.adam_w.weight_decay",
                    self.weight_decay.0,
                    self.weight_decay.1,
                )?,
            },
            "sgd" => OptimizerKind::Sgd {
                momentum: trial.suggest_float(
                    "optimizer.sgd.momentum",
                    self.momentum.0,
                    self.momentum.1,
                )?,
                nesterov: self.search_nesterov && trial.suggest_bool("optimizer.sgd.nesterov")?,
            },
            "rms_prop" => OptimizerKind::RmsProp,
            other => {
                return Err(hpo::Error::InvalidArgument(format!(
                    "unknown optimizer kind `{other}` (expected adam, adam_w, sgd or rms_prop)"
                )));
            }
        };
        Ok(OptimizerConfig { lr, optimizer })
    }
}
