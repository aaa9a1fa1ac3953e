//! `trials`, `best-trial`, `best-trials`.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::{Context, bail};
use hpo_core::{Error, FrozenTrial, Study};

use super::{Ctx, emit};
use crate::cli::TrialsArgs;
use crate::output::format_output;
use crate::records::trial_records;

/// `trials`: every trial of the study.
pub fn trials(ctx: &Ctx, args: &TrialsArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    let all = study.trials().context("cannot read the trials")?;
    print(&study, &all, &all, args, false)
}

/// `best-trial`: the best trial of a single-objective study, as one record.
pub fn best_trial(ctx: &Ctx, args: &TrialsArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    if study.is_multi_objective() {
        bail!(
            "study `{}` has {} objectives, so it has no single best trial; use \
             `hpo best-trials` for its Pareto front",
            study.name(),
            study.directions().len()
        );
    }
    let best = study.best_trial().map_err(|e| match e {
        Error::NoCompletedTrials { study: name, .. } => anyhow::anyhow!(
            "no trial of study `{name}` has completed yet; finish one with `hpo tell`"
        ),
        other => anyhow::Error::new(other),
    })?;
    let all = study.trials().context("cannot read the trials")?;
    print(&study, &all, std::slice::from_ref(&best), args, true)
}

/// `best-trials`: the Pareto-optimal trials (the best trial(s) of a single-objective study).
pub fn best_trials(ctx: &Ctx, args: &TrialsArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    let best: HashSet<u64> = study
        .best_trials()
        .context("cannot compute the best trials")?
        .iter()
        .map(|t| t.number)
        .collect();
    let all = study.trials().context("cannot read the trials")?;
    let front: Vec<_> = all
        .iter()
        .filter(|t| best.contains(&t.number))
        .cloned()
        .collect();
    print(&study, &all, &front, args, false)
}

/// Prints `shown`, some of the study's trials `all`, as `args` asks; `single` prints the one
/// trial as an object instead of a list.
fn print(
    study: &Study,
    all: &[Arc<FrozenTrial>],
    shown: &[Arc<FrozenTrial>],
    args: &TrialsArgs,
    single: bool,
) -> anyhow::Result<()> {
    let (records, columns) = trial_records(study, all, shown)?;
    emit(&format_output(
        &records,
        &columns,
        args.format,
        args.flatten,
        single,
    ))
}
