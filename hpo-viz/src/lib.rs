//! # hpo-viz
//!
//! Plots of [hpo](https://docs.rs/hpo) studies — the plots of Optuna's
//! `optuna.visualization` — as SVG, PNG and a self-contained HTML report, with no plotly,
//! browser, system font or graphics library involved: SVG is written directly, PNG is drawn by
//! [resvg](https://docs.rs/resvg) with an embedded font.
//!
//! Take a snapshot of a study with [`StudyData::load`] (or build one from trials with
//! [`StudyData::new`]), then draw a [`PlotKind`] with [`plot`], or every applicable kind at
//! once with [`report_html`]. Figures are readable at thousands of trials: dense scatters are
//! translucent and subsampled (always keeping the best trials), lines are capped, and contours
//! are interpolated on a grid.
//!
//! An empty study, or one with no completed trials, is not an error: the figure shows a message
//! and [`Figure::notice`] says why it is empty. Errors are for requests that cannot be met: an
//! unknown parameter, a Pareto front of a single-objective study, a multi-objective history
//! (or slice, contour, EDF, rank) without a target, as Optuna requires.
//!
//! ```
//! use std::sync::Arc;
//! use hpo_core::{FrozenTrial, StudyDirection, TrialState};
//! use hpo_viz::{PlotKind, PlotOptions, StudyData, plot};
//!
//! let trials: Vec<Arc<FrozenTrial>> = (0..20u64)
//!     .map(|i| {
//!         let mut t = FrozenTrial::new(TrialState::Complete).with_value((i as f64 - 7.0).powi(2));
//!         t.number = i;
//!         Arc::new(t)
//!     })
//!     .collect();
//! let data = StudyData::new("demo", vec![StudyDirection::Minimize], trials);
//! let figure = plot(&data, PlotKind::History, &PlotOptions::new().size(640, 400))?;
//! assert_eq!(figure.title(), "Optimization History Plot");
//! assert!(figure.notice().is_none());
//!
//! let empty = StudyData::new("nothing", vec![StudyDirection::Minimize], vec![]);
//! let figure = plot(&empty, PlotKind::History, &PlotOptions::new())?;
//! assert!(figure.notice().unwrap().contains("no trials"));
//! # Ok::<(), hpo_core::Error>(())
//! ```

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod axis;
mod canvas;
mod color;
mod data;
mod figure;
mod kind;
mod layout;
mod legend;
mod options;
mod plots;
mod png;
mod report;

pub use canvas::escape;
pub use data::{StudyData, objective_label};
pub use figure::Figure;
pub use kind::PlotKind;
pub use options::{DEFAULT_HEIGHT, DEFAULT_WIDTH, MAX_SIZE, MIN_SIZE, PlotOptions, Target};
pub use report::report_html;

/// Draws `kind` for `data`.
///
/// Returns a figure with a [notice](Figure::notice) (and the message drawn in the SVG) when
/// there is nothing to draw, such as an empty study. Errors: a figure size out of bounds, a
/// `params` entry no completed trial has, a Pareto front or hypervolume history of a
/// single-objective study, a hypervolume reference point of the wrong length, a
/// multi-objective study without a target for kinds that need one value per trial (see
/// [`PlotKind::needs_target_for_multi_objective`]).
pub fn plot(data: &StudyData, kind: PlotKind, options: &PlotOptions) -> hpo_core::Result<Figure> {
    plots::render(kind, data, options)
}

/// Draws `kind` comparing several studies, as Optuna's `plot_optimization_history` and
/// `plot_edf` do when given a list of studies: one series per study, in the colours of a
/// categorical palette, with one legend entry per study (its name).
///
/// Only [`PlotKind::History`] (each study's trials and best value so far) and
/// [`PlotKind::Edf`] (each study's distribution line) compare studies. With
/// [`PlotOptions::error_bar`] and several studies, the history shows instead the mean value per
/// trial number across the studies with ±1 standard deviation error bars, and the mean best
/// value so far with a ±1 standard deviation band. With a single study, the figure is exactly
/// that of [`plot`].
///
/// Studies without completed trials are drawn as nothing and named in the figure's
/// [notice](Figure::notice) (when none has any, the figure only shows that message).
///
/// Errors ([`InvalidArgument`](hpo_core::Error::InvalidArgument)): another kind, an empty
/// `studies`, studies with different numbers of objectives (the message names each study's
/// count), multi-objective studies without a target or objective index, a figure size out of
/// bounds.
///
/// ```
/// use std::sync::Arc;
/// use hpo_core::{FrozenTrial, StudyDirection, TrialState};
/// use hpo_viz::{PlotKind, PlotOptions, StudyData, plot_studies};
///
/// let study = |name: &str, shift: f64| {
///     let trials: Vec<Arc<FrozenTrial>> = (0..20u64)
///         .map(|i| {
///             let v = (i as f64 * 0.7 + shift).sin() + 1.0;
///             let mut t = FrozenTrial::new(TrialState::Complete).with_value(v);
///             t.number = i;
///             Arc::new(t)
///         })
///         .collect();
///     StudyData::new(name, vec![StudyDirection::Minimize], trials)
/// };
/// let studies = [study("random", 0.0), study("tpe", 1.0)];
/// let figure = plot_studies(&studies, PlotKind::History, &PlotOptions::new())?;
/// assert!(figure.svg().contains(">random</text>") && figure.svg().contains(">tpe</text>"));
///
/// let mean = plot_studies(&studies, PlotKind::History, &PlotOptions::new().error_bar(true))?;
/// assert!(mean.svg().contains("class=\"best-band\""));
/// let edf = plot_studies(&studies, PlotKind::Edf, &PlotOptions::new())?;
/// assert_eq!(edf.title(), "Empirical Distribution Function Plot");
///
/// assert!(plot_studies(&studies, PlotKind::Slice, &PlotOptions::new()).is_err());
/// assert!(plot_studies(&[], PlotKind::Edf, &PlotOptions::new()).is_err());
/// # Ok::<(), hpo_core::Error>(())
/// ```
pub fn plot_studies(
    studies: &[StudyData],
    kind: PlotKind,
    options: &PlotOptions,
) -> hpo_core::Result<Figure> {
    plots::render_studies(kind, studies, options)
}
