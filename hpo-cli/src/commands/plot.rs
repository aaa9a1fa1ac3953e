//! `plot KIND -o FILE`: one figure of a study (or, for history and edf, of several studies
//! compared), as SVG, PNG or HTML by the file's extension.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use hpo_core::Study;
use hpo_viz::{MAX_SIZE, MIN_SIZE, PlotKind, PlotOptions, StudyData, plot, plot_studies};

use super::Ctx;
use crate::cli::{PlotArgs, StudyArg, TargetArgs};

/// The plot kinds' names, for messages.
pub fn kind_names() -> String {
    PlotKind::ALL
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a plot kind, listing the kinds when it is unknown.
pub fn parse_kind(text: &str) -> anyhow::Result<PlotKind> {
    text.parse::<PlotKind>()
        .map_err(|_| anyhow!("unknown plot kind `{text}`; use one of {}", kind_names()))
}

/// Checks that `path` names a format a figure can be saved in.
pub fn check_extension(path: &Path) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg" | "png" | "html" | "htm") => Ok(()),
        Some(other) => bail!(
            "cannot save a plot as `.{other}` ({}); name the file *.svg, *.png or *.html",
            path.display()
        ),
        None => bail!(
            "`{}` has no extension to pick the format from; name the file *.svg, *.png or *.html",
            path.display()
        ),
    }
}

/// Checks `--target-objective` against the study's objectives.
pub fn check_objective(study: &Study, target: &TargetArgs) -> anyhow::Result<Option<usize>> {
    let n = study.directions().len();
    match target.target_objective {
        Some(i) if i >= n => bail!(
            "--target-objective {i} is out of range: study `{}` has {n} objective{} (0{})",
            study.name(),
            if n == 1 { "" } else { "s" },
            if n == 1 {
                String::new()
            } else {
                format!(" to {}", n - 1)
            }
        ),
        other => Ok(other),
    }
}

/// The plot options of the shared arguments.
pub fn plot_options(study: &Study, target: &TargetArgs) -> anyhow::Result<PlotOptions> {
    let mut options = PlotOptions::new();
    if let Some(params) = &target.params {
        options = options.params(params.iter().cloned());
    }
    if let Some(i) = check_objective(study, target)?
        && study.is_multi_objective()
    {
        options = options.objective(i);
    }
    Ok(options)
}

/// Checks that `study` can be drawn as `kind` with the objective chosen in `target`.
fn check_study(study: &Study, kind: PlotKind, target: &TargetArgs) -> anyhow::Result<()> {
    let n = study.directions().len();
    if study.is_multi_objective()
        && kind.needs_target_for_multi_objective()
        && target.target_objective.is_none()
    {
        bail!(
            "study `{}` has {n} objectives: pick the one to plot with --target-objective I \
             (0 to {})",
            study.name(),
            n - 1
        );
    }
    if kind.multi_objective_only() && !study.is_multi_objective() {
        bail!(
            "a {} plot needs a multi-objective study, and `{}` has one objective",
            kind.name(),
            study.name()
        );
    }
    Ok(())
}

/// `plot`.
pub fn run(ctx: &Ctx, args: &PlotArgs) -> anyhow::Result<()> {
    let kind = parse_kind(&args.kind)?;
    check_extension(&args.output)?;
    if let (Some(w), Some(h)) = (args.width, args.height)
        && !((MIN_SIZE..=MAX_SIZE).contains(&w) && (MIN_SIZE..=MAX_SIZE).contains(&h))
    {
        bail!(
            "--width and --height must each be between {MIN_SIZE} and {MAX_SIZE} pixels, got \
             {w} x {h}"
        );
    }
    let names = if args.studies.is_empty() {
        vec![ctx.study_name(&StudyArg { study: None })?]
    } else {
        args.studies.clone()
    };
    if names.len() > 1 && !matches!(kind, PlotKind::History | PlotKind::Edf) {
        bail!(
            "only the history and edf plots compare studies; a {} plot takes one --study (got \
             {}: {})",
            kind.name(),
            names.len(),
            names.join(", ")
        );
    }
    if args.error_bar && kind != PlotKind::History {
        eprintln!("note: --error-bar applies to the history plot only; ignored");
    }
    let studies = names
        .iter()
        .map(|name| {
            ctx.load(&StudyArg {
                study: Some(name.clone()),
            })
        })
        .collect::<anyhow::Result<Vec<Study>>>()?;
    for study in &studies {
        check_study(study, kind, &args.target)?;
    }
    let study = &studies[0];
    let mut options = plot_options(study, &args.target)?;
    for other in &studies[1..] {
        check_objective(other, &args.target)?;
    }
    if args.error_bar {
        options = options.error_bar(true);
    }
    if let Some(name) = &args.target_name {
        options = options.target_name(name.as_str());
    }
    if let (Some(w), Some(h)) = (args.width, args.height) {
        options = options.size(w, h);
    }
    if args.hide_dominated {
        options = options.include_dominated_trials(false);
    }
    if let Some(n) = args.n_recent_trials {
        if n == 0 {
            bail!("--n-recent-trials must be at least 1");
        }
        options = options.n_recent_trials(n);
    }
    if let Some(point) = &args.reference_point {
        if kind != PlotKind::HypervolumeHistory {
            eprintln!(
                "note: --reference-point applies to the hypervolume-history plot only; ignored"
            );
        }
        options = options.reference_point(point.clone());
    }
    if kind == PlotKind::Importances {
        let name = args.evaluator.as_deref().unwrap_or("ped-anova");
        options = options.evaluator_arc(hpo_importance::evaluator_from_name(name, args.seed)?);
    }
    let data = studies
        .iter()
        .map(|s| StudyData::load(s).with_context(|| format!("cannot read study `{}`", s.name())))
        .collect::<anyhow::Result<Vec<StudyData>>>()?;
    let figure = if let [one] = data.as_slice() {
        plot(one, kind, &options)
    } else {
        plot_studies(&data, kind, &options)
    }
    .with_context(|| format!("cannot draw the {} plot", kind.name()))?;
    if let Some(notice) = figure.notice() {
        eprintln!("note: {notice}");
    }
    figure
        .save(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    hpo_core::log_info!(
        "Wrote the {} plot of {} '{}' to {}.",
        kind.name(),
        if names.len() == 1 { "study" } else { "studies" },
        names.join("', '"),
        args.output.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_extensions() {
        assert_eq!(parse_kind("history").unwrap(), PlotKind::History);
        assert_eq!(
            parse_kind("plot_pareto_front").unwrap(),
            PlotKind::ParetoFront
        );
        assert_eq!(
            parse_kind("plot_hypervolume_history").unwrap(),
            PlotKind::HypervolumeHistory
        );
        let err = parse_kind("pie").unwrap_err().to_string();
        assert!(
            err.contains("pie") && err.contains("parallel-coordinate"),
            "{err}"
        );
        assert!(check_extension(Path::new("a.SVG")).is_ok());
        assert!(check_extension(Path::new("a.png")).is_ok());
        assert!(check_extension(Path::new("a.html")).is_ok());
        let err = check_extension(Path::new("a.jpg")).unwrap_err().to_string();
        assert!(err.contains(".jpg") && err.contains("*.svg"), "{err}");
        assert!(check_extension(Path::new("plot")).is_err());
    }
}
