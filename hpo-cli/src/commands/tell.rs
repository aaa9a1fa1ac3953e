//! `tell`: finishes a trial started by `ask`.

use anyhow::{Context, anyhow, bail};
use hpo_core::{Error, TrialState};

use super::Ctx;
use crate::cli::{TellArgs, TellState};

/// `tell`.
pub fn run(ctx: &Ctx, args: &TellArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    let number = args.trial_number;
    let trial_id = ctx
        .storage
        .get_trial_id_from_study_id_trial_number(study.study_id(), number)
        .map_err(|e| match e {
            Error::TrialNotFound(_) => {
                let n = study.n_trials().unwrap_or(0);
                let range = if n == 0 {
                    "it has no trial yet; start one with `hpo ask`".to_owned()
                } else {
                    format!("its trials are numbered 0 to {}", n - 1)
                };
                anyhow!("study `{}` has no trial {number} ({range})", study.name())
            }
            other => anyhow::Error::new(other),
        })?;
    let frozen = ctx
        .storage
        .get_trial(trial_id)
        .context("cannot read the trial")?;
    if frozen.state.is_finished() {
        if args.skip_if_finished {
            hpo_core::log_info!(
                "Skipped telling trial {number} since it has already finished with state {}.",
                frozen.state
            );
            return Ok(());
        }
        bail!(
            "trial {number} has already finished with state {}; pass --skip-if-finished to \
             ignore finished trials",
            frozen.state
        );
    }

    let state = args.state.map(|s| match s {
        TellState::Complete => TrialState::Complete,
        TellState::Pruned => TrialState::Pruned,
        TellState::Fail => TrialState::Fail,
    });
    let n_objectives = study.directions().len();
    match (state, &args.values) {
        (Some(s @ (TrialState::Pruned | TrialState::Fail)), Some(_)) => bail!(
            "--values cannot be given with --state {}; a {s} trial has no values",
            s.name().to_ascii_lowercase()
        ),
        (None | Some(TrialState::Complete), None) => bail!(
            "--values is needed to tell trial {number} complete ({n_objectives} value{} for \
             study `{}`); or pass --state pruned / --state fail",
            if n_objectives == 1 { "" } else { "s" },
            study.name()
        ),
        (None | Some(TrialState::Complete), Some(values)) => {
            if values.len() != n_objectives {
                let directions: Vec<String> = study
                    .directions()
                    .iter()
                    .map(|d| d.name().to_ascii_lowercase())
                    .collect();
                bail!(
                    "study `{}` has {n_objectives} objective{} ({}) but {} value{} {} given; \
                     pass exactly {n_objectives} to --values (trial {number} is still running)",
                    study.name(),
                    if n_objectives == 1 { "" } else { "s" },
                    directions.join(", "),
                    values.len(),
                    if values.len() == 1 { "" } else { "s" },
                    if values.len() == 1 { "was" } else { "were" },
                );
            }
            if state == Some(TrialState::Complete) && values.iter().any(|v| v.is_nan()) {
                bail!(
                    "a complete trial cannot have a NaN value; pass --state fail, or leave out \
                     --state to record the trial as failed"
                );
            }
        }
        _ => {}
    }
    let finished = study
        .tell_number(number, state, args.values.clone(), false)
        .with_context(|| format!("cannot tell trial {number}"))?;
    let values = args.values.as_ref().map_or_else(
        || "None".to_owned(),
        |v| {
            let parts: Vec<String> = v.iter().map(|x| crate::output::py_float_str(*x)).collect();
            format!("[{}]", parts.join(", "))
        },
    );
    hpo_core::log_info!(
        "Told trial {number} with values {values} and state {}.",
        finished.state
    );
    Ok(())
}
