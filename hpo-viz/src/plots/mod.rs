//! The plot kinds. Every module exposes
//! `pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure>`.
//!
//! How a plot module is written (see `history.rs` for a short complete one):
//!
//! 1. Resolve what to plot with [`common::resolve_target`] (Optuna's rules: a custom target, an
//!    objective index, or the single objective; a multi-objective study without a target is an
//!    error for kinds that need one value per trial). Collect the data with
//!    [`common::target_points`] (Complete trials with a finite value) or
//!    [`common::complete_finite`] (all objectives finite), and the parameters with
//!    [`common::select_params`] (validates `params`, errors name an unknown one).
//! 2. Nothing to draw? Return `Ok(common::message_figure(title, options, &message))` with
//!    [`common::no_completed_message`] or a specific message: an empty study is not an error.
//! 3. Draw on a [`crate::layout::Page`] (title, optional subtitle, `body()` rectangle): a
//!    [`crate::axis::Frame`] (from [`common::frame_in`] or `Frame::new` on a
//!    [`crate::layout::grid`] cell) maps data to pixels and draws axes; [`common::ParamAxis`]
//!    places a parameter's values (linear, log, categorical); the [`crate::canvas::Canvas`]
//!    draws shapes; [`common::draw_dots`] draws many dots compactly; [`crate::legend`] has
//!    legends and colour bars; [`crate::color`] has colormaps (`ColorScale::better_darker`) and
//!    a categorical palette.
//! 4. Big studies: thin marks with [`common::subsample`] (keeping the important ones, e.g.
//!    [`common::best_indices`]), announce it with [`common::sampled_note`] in a subtitle, and
//!    add tooltips only below [`common::TOOLTIP_LIMIT`] marks.
//! 5. Wrap repeated parts in groups with a `class` (`"subplot"`, `"trials"`, ...) so tests can
//!    count them, and finish with `page.finish(None)`.

pub(crate) mod common;
mod contour;
mod edf;
pub(crate) mod extras;
mod history;
mod hypervolume;
mod importances;
mod intermediate;
mod parallel;
mod pareto;
mod rank;
mod slice;
mod timeline;

use hpo_core::Error;

use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::options::PlotOptions;

/// Draws `kind` for `data`.
pub(crate) fn render(
    kind: PlotKind,
    data: &StudyData,
    options: &PlotOptions,
) -> hpo_core::Result<Figure> {
    options.check_size()?;
    match kind {
        PlotKind::History => history::render(data, options),
        PlotKind::Importances => importances::render(data, options),
        PlotKind::Slice => slice::render(data, options),
        PlotKind::Contour => contour::render(data, options),
        PlotKind::ParallelCoordinate => parallel::render(data, options),
        PlotKind::IntermediateValues => intermediate::render(data, options),
        PlotKind::Edf => edf::render(data, options),
        PlotKind::ParetoFront => pareto::render(data, options),
        PlotKind::Timeline => timeline::render(data, options),
        PlotKind::Rank => rank::render(data, options),
        PlotKind::HypervolumeHistory => hypervolume::render(data, options),
    }
}

/// Draws `kind` comparing `studies`: one series per study (history and EDF only).
pub(crate) fn render_studies(
    kind: PlotKind,
    studies: &[StudyData],
    options: &PlotOptions,
) -> hpo_core::Result<Figure> {
    if !matches!(kind, PlotKind::History | PlotKind::Edf) {
        return Err(Error::InvalidArgument(format!(
            "the {} plot cannot compare studies: only the history and edf plots do",
            kind.name()
        )));
    }
    let Some(first) = studies.first() else {
        return Err(Error::InvalidArgument(format!(
            "no studies given to the {} plot: give at least one",
            kind.name()
        )));
    };
    let n = first.directions.len();
    if studies.iter().any(|d| d.directions.len() != n) {
        let counts: Vec<String> = studies
            .iter()
            .map(|d| format!("`{}` has {}", d.name, d.directions.len()))
            .collect();
        return Err(Error::InvalidArgument(format!(
            "the studies compared in a {} plot must have the same number of objectives: {}",
            kind.name(),
            counts.join(", ")
        )));
    }
    options.check_size()?;
    if kind == PlotKind::History {
        history::render_many(studies, options)
    } else {
        edf::render_many(studies, options)
    }
}
