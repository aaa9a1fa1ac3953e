//! `export`: every trial of a study as CSV or JSON, to a file or standard output.
//!
//! The CSV is what pandas writes for Optuna's `trials_dataframe()` ([`crate::frame`]); the JSON
//! is Python's `json.dumps(..., indent=2)`, so non-finite floats are the bare tokens `NaN`,
//! `Infinity` and `-Infinity`, as in Optuna's own JSON output.

use std::path::Path;

use anyhow::{Context, bail};
use hpo_core::json::parse_python_json;
use hpo_core::{FrozenTrial, Study};
use indexmap::IndexMap;

use super::{Ctx, emit_bytes};
use crate::cli::{ExportArgs, ExportFormat};
use crate::frame::trials_frame;
use crate::output::{Cell, write_json_indented};

/// The datetime format of the JSON export (microseconds, as Optuna stores them).
const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// The JSON export: `study_name`, `directions` and every trial with `number`, `state`,
/// `values`, `datetime_start`, `datetime_complete`, `duration` (seconds), `params` (external
/// values), `distributions` (Optuna's distribution JSON), `user_attrs`, `system_attrs` and
/// `intermediate_values` (by step).
pub fn json_document(study: &Study) -> anyhow::Result<Cell> {
    let trials = study.trials().context("cannot read the trials")?;
    let trials = trials
        .iter()
        .map(|t| trial_document(t))
        .collect::<anyhow::Result<Vec<Cell>>>()?;
    Ok(Cell::Map(IndexMap::from([
        ("study_name".to_owned(), Cell::Str(study.name().to_owned())),
        (
            "directions".to_owned(),
            Cell::List(
                study
                    .directions()
                    .iter()
                    .map(|d| Cell::Str(d.name().to_owned()))
                    .collect(),
            ),
        ),
        ("trials".to_owned(), Cell::List(trials)),
    ])))
}

fn trial_document(t: &FrozenTrial) -> anyhow::Result<Cell> {
    let datetime = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or(Cell::None, |d| {
            Cell::Str(d.format(DATETIME_FORMAT).to_string())
        })
    };
    let attrs = |attrs: &hpo_core::Attrs| {
        Cell::Map(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), Cell::from_json(v)))
                .collect(),
        )
    };
    let mut distributions = IndexMap::new();
    for (name, p) in &t.params {
        let json = parse_python_json(&p.distribution.to_json())
            .with_context(|| format!("cannot read the distribution of `{name}`"))?;
        distributions.insert(name.clone(), Cell::from_json(&json));
    }
    Ok(Cell::Map(IndexMap::from([
        ("number".to_owned(), Cell::Int(t.number as i64)),
        ("state".to_owned(), Cell::Str(t.state.name().to_owned())),
        (
            "values".to_owned(),
            t.values.as_ref().map_or(Cell::None, |v| {
                Cell::List(v.iter().map(|x| Cell::Float(*x)).collect())
            }),
        ),
        ("datetime_start".to_owned(), datetime(t.datetime_start)),
        (
            "datetime_complete".to_owned(),
            datetime(t.datetime_complete),
        ),
        (
            "duration".to_owned(),
            Cell::opt_float(
                t.duration()
                    .map(|d| d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6),
            ),
        ),
        (
            "params".to_owned(),
            Cell::Map(
                t.params
                    .iter()
                    .map(|(k, p)| (k.clone(), Cell::from_param(&p.value)))
                    .collect(),
            ),
        ),
        ("distributions".to_owned(), Cell::Map(distributions)),
        ("user_attrs".to_owned(), attrs(&t.user_attrs)),
        ("system_attrs".to_owned(), attrs(&t.system_attrs)),
        (
            "intermediate_values".to_owned(),
            Cell::Map(
                t.intermediate_values
                    .iter()
                    .map(|(step, v)| (step.to_string(), Cell::Float(*v)))
                    .collect(),
            ),
        ),
    ])))
}

/// The format for `output` and `--format`: the flag wins, else the extension, else CSV.
pub fn export_format(
    output: Option<&Path>,
    flag: Option<ExportFormat>,
) -> anyhow::Result<ExportFormat> {
    if let Some(f) = flag {
        return Ok(f);
    }
    let Some(path) = output else {
        return Ok(ExportFormat::Csv);
    };
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(ExportFormat::Csv),
        Some("json") => Ok(ExportFormat::Json),
        _ => bail!(
            "cannot tell the export format of `{}`: name the file *.csv or *.json, or pass \
             --format csv|json",
            path.display()
        ),
    }
}

/// `export`.
pub fn run(ctx: &Ctx, args: &ExportArgs) -> anyhow::Result<()> {
    let format = export_format(args.output.as_deref(), args.format)?;
    let study = ctx.load(&args.study)?;
    let buffer = match format {
        ExportFormat::Csv => trials_frame(&study)
            .context("cannot read the trials")?
            .to_csv(),
        ExportFormat::Json => {
            let mut text = String::new();
            write_json_indented(&json_document(&study)?, &mut text);
            text.push('\n');
            text
        }
    }
    .into_bytes();
    match &args.output {
        Some(path) => {
            std::fs::write(path, &buffer)
                .with_context(|| format!("cannot write {}", path.display()))?;
            hpo_core::log_info!(
                "Exported {} trials of study '{}' to {}.",
                study.n_trials().unwrap_or(0),
                study.name(),
                path.display()
            );
            Ok(())
        }
        None => emit_bytes(&buffer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_flag_then_extension() {
        let f = |o: Option<&str>, flag| export_format(o.map(Path::new), flag);
        assert_eq!(f(None, None).unwrap(), ExportFormat::Csv);
        assert_eq!(f(Some("a.JSON"), None).unwrap(), ExportFormat::Json);
        assert_eq!(f(Some("a.csv"), None).unwrap(), ExportFormat::Csv);
        assert_eq!(
            f(Some("a.txt"), Some(ExportFormat::Json)).unwrap(),
            ExportFormat::Json
        );
        let err = f(Some("a.txt"), None).unwrap_err().to_string();
        assert!(err.contains("--format"), "{err}");
    }
}
