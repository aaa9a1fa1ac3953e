//! `export`: every trial of a study as CSV or JSON, to a file or standard output.
//!
//! The bytes are hpo-core's [`hpo_core::Study::export_csv`] (what pandas writes for Optuna's
//! `trials_dataframe()`) and
//! [`hpo_core::Study::export_json`] (Python's `json.dumps(..., indent=2)`, so
//! non-finite floats are the bare tokens `NaN`, `Infinity` and `-Infinity`, as in Optuna's own
//! JSON output).

use std::path::Path;

use anyhow::{Context, bail};

use super::{Ctx, emit_bytes};
use crate::cli::{ExportArgs, ExportFormat};

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
    let mut buffer = Vec::new();
    match format {
        ExportFormat::Csv => study.export_csv(&mut buffer),
        ExportFormat::Json => study.export_json(&mut buffer),
    }
    .context("cannot export the trials")?;
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
