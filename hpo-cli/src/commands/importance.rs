//! `importance`: the parameters ranked by importance, most important first.

use std::sync::Arc;

use anyhow::{Context, bail};
use hpo_core::{Error, Study};
use hpo_importance::{ImportanceOptions, Target, evaluator_from_name, param_importances};

use super::{Ctx, emit};
use crate::cli::{ImportanceArgs, TargetArgs};
use crate::commands::plot::check_objective;
use crate::output::{Cell, Column, Record, format_output};

/// The importance options of the shared arguments: the params, and objective `I` as the
/// target of a multi-objective study (required there).
pub fn importance_options(
    study: &Study,
    target: &TargetArgs,
    evaluator: &str,
    seed: Option<u64>,
) -> anyhow::Result<ImportanceOptions> {
    let mut options = ImportanceOptions::new().evaluator_arc(evaluator_from_name(evaluator, seed)?);
    if let Some(params) = &target.params {
        options = options.params(params.iter().cloned());
    }
    match check_objective(study, target)? {
        Some(i) if study.is_multi_objective() => {
            let target: Target = Arc::new(move |t: &hpo_core::FrozenTrial| {
                t.values
                    .as_ref()
                    .and_then(|v| v.get(i).copied())
                    .unwrap_or(f64::NAN)
            });
            options = options.target_arc(target);
        }
        None if study.is_multi_objective() => {
            let n = study.directions().len();
            bail!(
                "study `{}` has {n} objectives: pick one with --target-objective I (0 to {})",
                study.name(),
                n - 1
            );
        }
        _ => {}
    }
    Ok(options)
}

/// `importance`.
pub fn run(ctx: &Ctx, args: &ImportanceArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    let options = importance_options(&study, &args.target, &args.evaluator, args.seed)?
        .normalize(!args.no_normalize);
    let importances = param_importances(&study, &options).map_err(|e| match e {
        Error::NoCompletedTrials { study: name, .. } => anyhow::anyhow!(
            "no trial of study `{name}` has completed yet, so there is nothing to rank"
        ),
        other => anyhow::Error::new(other).context("cannot compute the importances"),
    })?;
    let param = Column::plain("param");
    let importance = Column::plain("importance");
    let records: Vec<Record> = importances
        .iter()
        .map(|(name, value)| {
            Record::from([
                (param.clone(), Cell::Str(name.clone())),
                (importance.clone(), Cell::Float(*value)),
            ])
        })
        .collect();
    emit(&format_output(
        &records,
        &[param, importance],
        args.format,
        false,
        false,
    ))
    .context("cannot print the importances")
}
