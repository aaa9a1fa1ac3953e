//! The line logged for every finished trial, in the spirit of Optuna's.

use crate::study::Study;
use crate::trial::{FrozenTrial, TrialState};

/// Python-dict rendering of a trial's parameters: `{'x': 1.5, 'opt': 'adam'}`.
pub(crate) fn format_params(trial: &FrozenTrial) -> String {
    crate::param::python_dict(trial.params.iter().map(|(k, p)| (k, &p.value)))
}

fn format_values(values: &[f64]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| crate::param::ParamValue::Float(*v).to_string())
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Logs "Trial 3 finished with value: ... and parameters: {...}. Best is trial 2 with value: ..."
/// (or the pruned / failed variant) through [`logging`](crate::logging).
pub(crate) fn log_finished(study: &Study, trial: &FrozenTrial, fail_reason: Option<&str>) {
    match trial.state {
        TrialState::Complete if crate::logging::enabled(crate::logging::Verbosity::Info) => {
            let params = format_params(trial);
            let values = trial.values.as_deref().unwrap_or_default();
            if study.is_multi_objective() {
                crate::log_info!(
                    "Trial {} finished with values: {} and parameters: {params}.",
                    trial.number,
                    format_values(values)
                );
            } else {
                let value = crate::param::ParamValue::Float(values[0]);
                match study.best_trial() {
                    Ok(best) => crate::log_info!(
                        "Trial {} finished with value: {value} and parameters: {params}. Best is \
                         trial {} with value: {}.",
                        trial.number,
                        best.number,
                        crate::param::ParamValue::Float(best.value().unwrap_or(f64::NAN))
                    ),
                    Err(_) => crate::log_info!(
                        "Trial {} finished with value: {value} and parameters: {params}.",
                        trial.number
                    ),
                }
            }
        }
        TrialState::Pruned => crate::log_info!("Trial {} pruned.", trial.number),
        // A trial told Fail by its caller (`tell_number` with `TrialState::Fail`) has no
        // reason: Optuna's `study.tell(..., state=FAIL)` logs nothing then, and the caller says
        // what it did.
        TrialState::Fail => {
            if let Some(reason) = fail_reason {
                crate::log_warn!(
                    "Trial {} failed with parameters: {} because of the following error: {reason}",
                    trial.number,
                    format_params(trial),
                );
            }
        }
        _ => {}
    }
}
