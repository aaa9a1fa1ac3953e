//! Reporting tensors from a training loop.

use hpo::{Trial, TrialError};
use tch::Tensor;

/// Extra [`Trial`] methods for tch training loops.
pub trait TrialTensorExt {
    /// Reports a scalar tensor (a loss, an accuracy) at `step` and asks the pruner: a pruned
    /// trial returns `Err(TrialError::Pruned)`, so an epoch loop reads
    /// `trial.report_tensor(&val_loss, epoch)?;`.
    fn report_tensor(&mut self, value: &Tensor, step: u64) -> Result<f64, TrialError>;
}

impl TrialTensorExt for Trial {
    fn report_tensor(&mut self, value: &Tensor, step: u64) -> Result<f64, TrialError> {
        let v = f64::try_from(
            value
                .detach()
                .to_device(tch::Device::Cpu)
                .reshape([-1])
                .get(0),
        )
        .map_err(|e| TrialError::msg(format!("cannot read a scalar from the tensor: {e}")))?;
        self.report_and_check(v, step)?;
        Ok(v)
    }
}
