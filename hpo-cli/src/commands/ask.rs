//! `ask`: starts a trial, suggests the search space's parameters, prints number and params.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use hpo_core::param_space::{ParamSpaceJsonError, param_space_from_json};
use hpo_core::{ParamSpace, Sampler, TrialState};
use hpo_samplers::TpeSampler;

use super::{Ctx, emit};
use crate::cli::AskArgs;
use crate::output::{Cell, Column, Record, format_output};
use crate::sampler_arg;

/// An example search space for error messages.
pub const SEARCH_SPACE_EXAMPLE: &str = r#"--search-space '{"x": {"type": "float", "low": -10, "high": 10}, "lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": true}, "n": {"type": "int", "low": 1, "high": 8}, "opt": {"type": "categorical", "choices": ["adam", "sgd"]}}'"#;

/// Reads `--search-space`: a JSON object from parameter names to distributions, in Optuna's
/// abbreviated form or `distribution_to_json`'s ([`param_space_from_json`]), with an example in
/// every error.
pub fn parse_search_space(text: &str) -> anyhow::Result<ParamSpace> {
    param_space_from_json(text).map_err(|e| match e {
        ParamSpaceJsonError::NotJson(why) => anyhow!(
            "--search-space is not valid JSON ({why}); for example:\n  {SEARCH_SPACE_EXAMPLE}"
        ),
        ParamSpaceJsonError::NotObject(value) => anyhow!(
            "--search-space must be a JSON object mapping parameter names to distributions, \
             got {value}; for example:\n  {SEARCH_SPACE_EXAMPLE}"
        ),
        ParamSpaceJsonError::BadParam { name, spec, reason } => anyhow!(
            "--search-space: parameter `{name}` has a bad distribution {spec}: {reason}; write \
             e.g. {{\"type\": \"float\", \"low\": 0, \"high\": 1}}, {{\"type\": \"int\", \
             \"low\": 1, \"high\": 8}} or {{\"type\": \"categorical\", \"choices\": [\"a\", \"b\"]}}"
        ),
    })
}

/// `ask`.
pub fn run(ctx: &Ctx, args: &AskArgs) -> anyhow::Result<()> {
    // Everything the user typed is checked before a trial is created.
    let space = match &args.search_space {
        Some(text) => parse_search_space(text)?,
        None => ParamSpace::new(),
    };
    let name = ctx.study_name(&args.study)?;
    let sampler: Arc<dyn Sampler> = match &args.sampler {
        Some(sampler) => {
            // The sampler's options depend on the study (objectives, trials so far).
            let probe = ctx.load_named(&name, None)?;
            let n_trials = probe.n_trials().context("cannot count the trials")?;
            sampler_arg::build(
                sampler,
                args.sampler_kwargs.as_deref(),
                probe.directions().len(),
                n_trials,
            )?
        }
        None => Arc::new(TpeSampler::new()),
    };
    let study = ctx.load_named(&name, Some(sampler))?;
    let mut trial = study.ask().context("cannot start a trial")?;
    for (param, dist) in &space {
        if let Err(e) = trial.suggest(param, dist.clone()) {
            let number = trial.number();
            let reason = format!("`hpo ask` could not suggest `{param}`: {e}");
            // Straight to the storage: the sampler that just failed is not asked again.
            let storage = study.storage();
            let outcome = storage
                .set_trial_system_attr(trial.id(), "fail_reason", reason.into())
                .and_then(|()| storage.set_trial_state_values(trial.id(), TrialState::Fail, None));
            let note = match outcome {
                Ok(_) => "the trial was marked FAIL".to_owned(),
                Err(fail) => format!("the trial is left RUNNING: {fail}"),
            };
            return Err(anyhow::Error::new(e).context(format!(
                "cannot suggest parameter `{param}` in trial {number} ({note})"
            )));
        }
    }
    let params = trial.params();
    hpo_core::log_info!(
        "Asked trial {} with parameters {}.",
        trial.number(),
        hpo_core::param::python_dict(params.iter())
    );

    let number = Column::plain("number");
    let mut record = Record::from([(number.clone(), Cell::Int(trial.number() as i64))]);
    let mut columns = vec![number];
    if params.is_empty() && !args.flatten {
        let column = Column::plain("params");
        record.insert(column.clone(), Cell::Map(Default::default()));
        columns.push(column);
    } else {
        for (param, value) in &params {
            let column = Column::named("params", param);
            record.insert(column.clone(), Cell::from_param(value));
            columns.push(column);
        }
    }
    emit(&format_output(
        &[record],
        &columns,
        args.format,
        args.flatten,
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_search_space;

    #[test]
    fn both_json_forms_are_read() {
        let space = parse_search_space(
            r#"{"x": {"type": "float", "low": 0, "high": 1},
                "y": {"name": "IntDistribution", "attributes": {"low": 1, "high": 9, "step": 2, "log": false}},
                "c": {"type": "categorical", "choices": ["a", 1, null]}}"#,
        )
        .unwrap();
        assert_eq!(
            space.keys().collect::<Vec<_>>(),
            ["x", "y", "c"],
            "the order of the JSON object is kept"
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let err = parse_search_space("{x: 1}").unwrap_err().to_string();
        assert!(
            err.contains("not valid JSON") && err.contains("--search-space '"),
            "{err}"
        );
        let err = parse_search_space(r#"{"x": {"type": "float", "low": 2, "high": 1}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x`") && err.contains("low"), "{err}");
        let err = parse_search_space(r#"[1]"#).unwrap_err().to_string();
        assert!(err.contains("JSON object"), "{err}");
    }
}
