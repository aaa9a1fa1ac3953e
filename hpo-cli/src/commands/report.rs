//! `report -o FILE.html`: a self-contained HTML report of a study.

use anyhow::Context;
use hpo_viz::{StudyData, report_html};

use super::{Ctx, emit_bytes};
use crate::cli::ReportArgs;
use crate::commands::plot::plot_options;

/// `report`.
pub fn run(ctx: &Ctx, args: &ReportArgs) -> anyhow::Result<()> {
    let study = ctx.load(&args.study)?;
    let mut options = plot_options(&study, &args.target)?;
    let evaluator = args.evaluator.as_deref().unwrap_or("ped-anova");
    options = options.evaluator_arc(hpo_importance::evaluator_from_name(evaluator, args.seed)?);
    let data = StudyData::load(&study).context("cannot read the study")?;
    let html = report_html(&data, &options).context("cannot build the report")?;
    if args.output.as_os_str() == "-" {
        return emit_bytes(html.as_bytes());
    }
    std::fs::write(&args.output, html)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    hpo_core::log_info!(
        "Wrote the report of study '{}' to {}.",
        study.name(),
        args.output.display()
    );
    Ok(())
}
