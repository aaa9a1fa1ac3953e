//! Helpers every plot module uses: Optuna's target rules, completed-trial filtering, parameter
//! selection, parameter axes (float / log / int / categorical), subsampling for big studies,
//! tooltips, dot drawing, standard frames, and the "nothing to draw" figure.

use std::collections::BTreeSet;
use std::sync::Arc;

use hpo_core::{Distribution, Error, FrozenTrial, StudyDirection, TrialState};
use indexmap::IndexMap;

use crate::axis::{AxesStyle, Frame, Scale, format_number, x_axis_room, y_axis_room};
use crate::canvas::{Canvas, Group, Style, TextStyle, VAlign};
use crate::color::{Color, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::options::{PlotOptions, Target};

/// At most this many dots are drawn per scatter (history, slice subplots); the rest are
/// evenly subsampled, always keeping the marks that matter (best values).
pub(crate) const MAX_POINTS: usize = 3000;
/// At most this many lines are drawn (parallel coordinates, learning curves).
pub(crate) const MAX_LINES: usize = 2000;
/// Marks get hover tooltips only while a figure has at most this many of them (tooltips cost
/// about 100 bytes each).
pub(crate) const TOOLTIP_LIMIT: usize = 1500;

/// Whether a figure drawing `marks` marks gives each its tooltip: below [`TOOLTIP_LIMIT`], or
/// always with [`PlotOptions::all_tooltips`].
pub(crate) fn tips_for(marks: usize, options: &PlotOptions) -> bool {
    options.shows_all_tooltips() || marks <= TOOLTIP_LIMIT
}

/// The message for a study with nothing to plot: no trials at all, or none completed.
pub(crate) fn no_completed_message(data: &StudyData) -> String {
    if data.trials.is_empty() {
        format!("study `{}` has no trials", data.name)
    } else {
        format!("study `{}` has no completed trials", data.name)
    }
}

/// A figure titled `title` that shows `message` centred and carries it as its notice.
pub(crate) fn message_figure(title: &str, options: &PlotOptions, message: &str) -> Figure {
    let mut page = Page::from_options(title, options);
    let body = page.body();
    let lines = wrap(message, ((body.w - 80.0) / 7.5).max(20.0) as usize);
    let line_h = 20.0;
    let box_h = line_h * lines.len() as f64 + 28.0;
    let box_w = (body.w * 0.8).max(160.0).min(body.w - 20.0);
    let top = body.cy() - box_h / 2.0;
    page.canvas.rect(
        body.cx() - box_w / 2.0,
        top,
        box_w,
        box_h,
        &Style::filled(named::PANEL).stroke(named::GRID, 1.0),
    );
    for (i, line) in lines.iter().enumerate() {
        page.canvas.text(
            body.cx(),
            top + 14.0 + line_h * (i as f64 + 0.5),
            line,
            &TextStyle::new(14.0)
                .middle()
                .valign(VAlign::Middle)
                .color(named::MUTED),
        );
    }
    page.finish(Some(message.to_owned()))
}

/// `text` split into lines of at most about `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// Where a plotted value comes from.
#[derive(Clone)]
enum Source {
    /// Objective `i` of `values`.
    Objective(usize),
    /// A user function.
    Custom(Target),
}

/// The value a plot shows for each trial, resolved from the options with Optuna's rules.
#[derive(Clone)]
pub(crate) struct TargetSpec {
    /// Name for axes, colour bars and legends.
    pub name: String,
    /// Which way is better; `None` for a custom target (no best line; colours treat lower as
    /// better, like Optuna's reversed scale).
    pub direction: Option<StudyDirection>,
    source: Source,
}

impl TargetSpec {
    /// The value for `trial`, if it is finite (NaN and infinities are left out, as Optuna's
    /// `_filter_nonfinite` does).
    pub fn value(&self, trial: &FrozenTrial) -> Option<f64> {
        let v = match &self.source {
            Source::Objective(i) => *trial.values.as_ref()?.get(*i)?,
            Source::Custom(f) => f(trial),
        };
        v.is_finite().then_some(v)
    }

    /// Whether the value comes from a user function.
    pub fn is_custom(&self) -> bool {
        matches!(self.source, Source::Custom(_))
    }

    /// The objective index, when the value is an objective.
    pub fn objective(&self) -> Option<usize> {
        match self.source {
            Source::Objective(i) => Some(i),
            Source::Custom(_) => None,
        }
    }

    /// Whether `a` is strictly better than `b` (lower is better without a direction).
    pub fn is_better(&self, a: f64, b: f64) -> bool {
        self.direction
            .unwrap_or(StudyDirection::Minimize)
            .is_better(a, b)
    }
}

/// Resolves the plotted value for `kind`: a custom target if set; else objective
/// [`PlotOptions::objective`] if set; else the single objective. A multi-objective study with
/// neither is an error for kinds that need one value per trial
/// ([`PlotKind::needs_target_for_multi_objective`]); for other kinds it resolves to objective 0.
pub(crate) fn resolve_target(
    data: &StudyData,
    options: &PlotOptions,
    kind: PlotKind,
) -> hpo_core::Result<TargetSpec> {
    let label = options.target_label().map(str::to_owned);
    if let Some(f) = options.target_fn() {
        return Ok(TargetSpec {
            name: label.unwrap_or_else(|| "Objective Value".to_owned()),
            direction: None,
            source: Source::Custom(f.clone()),
        });
    }
    let n = data.directions.len();
    let index = match options.objective_index() {
        Some(i) if i >= n => {
            return Err(Error::InvalidArgument(format!(
                "objective index {i} is out of range: study `{}` has {n} objective{}",
                data.name,
                if n == 1 { "" } else { "s" }
            )));
        }
        Some(i) => i,
        None if n > 1 && kind.needs_target_for_multi_objective() => {
            return Err(Error::InvalidArgument(format!(
                "the {} of multi-objective study `{}` needs a `target` (for example \
                 `|t| t.values.as_ref().map_or(f64::NAN, |v| v[0])`) or an objective index",
                kind.title().to_lowercase(),
                data.name
            )));
        }
        None => 0,
    };
    Ok(TargetSpec {
        name: label.unwrap_or_else(|| data.objective_name(index)),
        direction: Some(data.directions[index]),
        source: Source::Objective(index),
    })
}

/// A completed trial with its (finite) plotted value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point<'a> {
    /// The trial.
    pub trial: &'a FrozenTrial,
    /// Its plotted value.
    pub value: f64,
}

/// The Complete trials (and the Pruned ones with `with_pruned`) with a finite target value, by
/// number.
pub(crate) fn target_points<'a>(
    data: &'a StudyData,
    target: &TargetSpec,
    with_pruned: bool,
) -> Vec<Point<'a>> {
    data.trials
        .iter()
        .filter(|t| {
            t.state == TrialState::Complete || (with_pruned && t.state == TrialState::Pruned)
        })
        .filter_map(|t| {
            Some(Point {
                trial: t.as_ref(),
                value: target.value(t)?,
            })
        })
        .collect()
}

/// What a plot goes on to draw, or (`Err`) the figure to return instead, whose message says
/// why there is nothing to draw.
pub(crate) type OrMessage<T> = Result<T, Figure>;

/// The value of an [`OrMessage`], or a return from the calling renderer with its message
/// figure (what `?` is to errors, for "nothing to draw").
macro_rules! or_message {
    ($or_message:expr) => {
        match $or_message {
            Ok(value) => value,
            Err(message) => return Ok(message),
        }
    };
}
pub(crate) use or_message;

/// `items` when there are any, else the figure titled `title` saying that the study has no
/// (completed) trials to plot ([`no_completed_message`]).
pub(crate) fn non_empty<T>(
    items: Vec<T>,
    data: &StudyData,
    title: &str,
    options: &PlotOptions,
) -> OrMessage<Vec<T>> {
    if items.is_empty() {
        return Err(message_figure(title, options, &no_completed_message(data)));
    }
    Ok(items)
}

/// The start of most plots: the target ([`resolve_target`]) and the completed trials with a
/// finite value of it ([`target_points`]), or the figure saying the study has none.
pub(crate) fn completed_points<'a>(
    data: &'a StudyData,
    options: &PlotOptions,
    kind: PlotKind,
) -> hpo_core::Result<OrMessage<(TargetSpec, Vec<Point<'a>>)>> {
    let target = resolve_target(data, options, kind)?;
    let points = target_points(data, &target, false);
    Ok(non_empty(points, data, kind.title(), options).map(|points| (target, points)))
}

/// One study's line (or dots) in a plot that compares studies ([`completed_series`]).
pub(crate) struct Series<'a> {
    /// The study.
    pub data: &'a StudyData,
    /// Its position among the studies given (picks its palette colour).
    pub index: usize,
    /// Its plotted value ([`resolve_target`]).
    pub target: TargetSpec,
    /// Its completed trials with a finite value ([`target_points`]), never empty.
    pub points: Vec<Point<'a>>,
}

/// [`completed_points`] for several studies: one [`Series`] per study with completed trials,
/// plus a notice naming the studies without any (drawn as nothing). Targets are resolved for
/// every study first, so an error names the first study that cannot be plotted. When no study
/// has completed trials, the figure saying so (for one study, exactly the figure of
/// [`completed_points`]).
pub(crate) fn completed_series<'a>(
    studies: &'a [StudyData],
    options: &PlotOptions,
    kind: PlotKind,
) -> hpo_core::Result<OrMessage<(Vec<Series<'a>>, Option<String>)>> {
    let targets = studies
        .iter()
        .map(|data| resolve_target(data, options, kind))
        .collect::<hpo_core::Result<Vec<_>>>()?;
    let mut series = Vec::new();
    let mut empty = Vec::new();
    for (index, (data, target)) in studies.iter().zip(targets).enumerate() {
        let with_pruned = kind == PlotKind::History && options.includes_pruned();
        let points = target_points(data, &target, with_pruned);
        if points.is_empty() {
            empty.push(no_completed_message(data));
        } else {
            series.push(Series {
                data,
                index,
                target,
                points,
            });
        }
    }
    let notice = (!empty.is_empty()).then(|| empty.join("; "));
    match notice {
        Some(message) if series.is_empty() => {
            Ok(Err(message_figure(kind.title(), options, &message)))
        }
        notice => Ok(Ok((series, notice))),
    }
}

/// The parameters of `trials` to plot ([`select_params`]), or the figure titled `title` saying
/// the completed trials have none.
pub(crate) fn params_to_plot(
    data: &StudyData,
    title: &str,
    trials: &[&FrozenTrial],
    options: &PlotOptions,
) -> hpo_core::Result<OrMessage<Vec<String>>> {
    let params = select_params(data, trials, options)?;
    if params.is_empty() {
        return Ok(Err(message_figure(
            title,
            options,
            &format!(
                "the completed trials of study `{}` have no parameters",
                data.name
            ),
        )));
    }
    Ok(Ok(params))
}

/// The Complete trials whose values are all finite and match the number of objectives.
pub(crate) fn complete_finite(data: &StudyData) -> Vec<&FrozenTrial> {
    complete_finite_shared(data)
        .into_iter()
        .map(Arc::as_ref)
        .collect()
}

/// [`complete_finite`], as the shared trials (for `hpo_core` functions that take `Arc`s).
pub(crate) fn complete_finite_shared(data: &StudyData) -> Vec<&Arc<FrozenTrial>> {
    let m = data.directions.len();
    data.trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .filter(|t| {
            t.values
                .as_ref()
                .is_some_and(|v| v.len() == m && v.iter().all(|x| x.is_finite()))
        })
        .collect()
}

/// The parameter names used by `trials`, sorted.
pub(crate) fn param_names<'a>(trials: impl IntoIterator<Item = &'a FrozenTrial>) -> Vec<String> {
    let mut names: Vec<String> = hpo_core::trial::param_names(trials)
        .into_iter()
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    names
}

/// The parameters to plot: [`PlotOptions::params`] in the order given (duplicates dropped),
/// each required to appear in at least one of `trials` (else an error naming it), or every
/// parameter of `trials`, sorted by name (as Optuna does).
pub(crate) fn select_params(
    data: &StudyData,
    trials: &[&FrozenTrial],
    options: &PlotOptions,
) -> hpo_core::Result<Vec<String>> {
    let all = param_names(trials.iter().copied());
    match options.selected_params() {
        None => Ok(all),
        Some(chosen) => {
            let mut out: Vec<String> = Vec::new();
            for p in chosen {
                if !all.iter().any(|a| a == p) {
                    return Err(Error::InvalidArgument(format!(
                        "parameter `{p}` does not exist in the completed trials of study `{}`{}",
                        data.name,
                        if all.is_empty() {
                            String::new()
                        } else {
                            format!(" (parameters: {})", all.join(", "))
                        }
                    )));
                }
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
            Ok(out)
        }
    }
}

/// How a parameter's values are placed along an axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ParamAxis {
    /// Parameter name.
    pub name: String,
    /// The scale: linear (float, int), log (log-scale float or int) or categorical (choices in
    /// declaration order; values outside the first distribution's choices are appended).
    pub scale: Scale,
    /// Observed minimum coordinate.
    pub min: f64,
    /// Observed maximum coordinate.
    pub max: f64,
    categories: IndexMap<String, usize>,
    /// Where the parameter sits in the first trial that has it: trials of one search space
    /// keep their parameters in the same order, so most lookups need no hashing.
    at: usize,
}

/// `trial`'s parameter `name`, looked for first at position `at` (see [`ParamAxis`]).
fn param_at<'t>(trial: &'t FrozenTrial, name: &str, at: usize) -> Option<&'t hpo_core::Param> {
    match trial.params.get_index(at) {
        Some((key, p)) if key == name => Some(p),
        _ => trial.params.get(name),
    }
}

impl ParamAxis {
    /// The axes of the first `max` of `params` ([`build`](ParamAxis::build): those some trial
    /// has), and how many parameters there were before the cut (for the note saying so).
    pub fn first(
        params: &[String],
        trials: &[&FrozenTrial],
        max: usize,
    ) -> (Vec<ParamAxis>, usize) {
        let axes = params
            .iter()
            .take(max)
            .filter_map(|p| ParamAxis::build(p, trials))
            .collect();
        (axes, params.len())
    }

    /// The axis for `name` over `trials` (`None` when no trial has the parameter). Numeric axes
    /// span the observed values with 5% padding.
    pub fn build(name: &str, trials: &[&FrozenTrial]) -> Option<ParamAxis> {
        let (at, first) = trials
            .iter()
            .find_map(|t| t.params.get_full(name).map(|(at, _, p)| (at, p)))?;
        match &first.distribution {
            Distribution::Categorical(d) => {
                let mut categories: IndexMap<String, usize> = IndexMap::new();
                for c in d.choices() {
                    let n = categories.len();
                    categories.entry(c.to_string()).or_insert(n);
                }
                for t in trials {
                    if let Some(p) = param_at(t, name, at) {
                        let n = categories.len();
                        categories.entry(p.value.to_string()).or_insert(n);
                    }
                }
                let labels: Vec<String> = categories.keys().cloned().collect();
                let max = labels.len().saturating_sub(1) as f64;
                Some(ParamAxis {
                    name: name.to_owned(),
                    scale: Scale::category(labels),
                    min: 0.0,
                    max,
                    categories,
                    at,
                })
            }
            dist => {
                let log = match dist {
                    Distribution::Float(f) => f.log,
                    Distribution::Int(i) => i.log,
                    Distribution::Categorical(_) => false,
                };
                let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
                for t in trials {
                    if let Some(v) = param_at(t, name, at)
                        .and_then(|p| p.value.as_f64())
                        .filter(|v| v.is_finite())
                    {
                        min = min.min(v);
                        max = max.max(v);
                    }
                }
                if !min.is_finite() {
                    (min, max) = (0.0, 1.0);
                }
                let scale = if log && min > 0.0 {
                    Scale::log(min, max)
                } else if matches!(dist, Distribution::Int(_)) {
                    Scale::integer(min, max)
                } else {
                    Scale::linear(min, max)
                };
                Some(ParamAxis {
                    name: name.to_owned(),
                    scale,
                    min,
                    max,
                    categories: IndexMap::new(),
                    at,
                })
            }
        }
    }

    /// Whether the parameter is categorical.
    pub fn is_categorical(&self) -> bool {
        self.scale.is_category()
    }

    /// The trial's coordinate on this axis: the numeric value, or the category index; `None`
    /// when the trial lacks the parameter (or its value does not fit the axis).
    pub fn coord(&self, trial: &FrozenTrial) -> Option<f64> {
        let p = param_at(trial, &self.name, self.at)?;
        if self.is_categorical() {
            let index = match &p.value {
                hpo_core::ParamValue::Str(s) => self.categories.get(s.as_str()),
                other => self.categories.get(&other.to_string()),
            };
            index.map(|&i| i as f64)
        } else {
            p.value.as_f64().filter(|v| v.is_finite())
        }
    }

    /// The coordinate's position in `[0, 1]` along the axis.
    pub fn norm(&self, coord: f64) -> f64 {
        self.scale.norm(coord)
    }
}

/// Indices `0..n` thinned to about `cap`: every index in `keep` plus evenly spaced others,
/// sorted and unique. With `n <= cap`, all indices.
pub(crate) fn subsample(n: usize, cap: usize, keep: &[usize]) -> Vec<usize> {
    if n <= cap {
        return (0..n).collect();
    }
    let kept: BTreeSet<usize> = keep.iter().copied().filter(|&i| i < n).collect();
    let others: Vec<usize> = (0..n).filter(|i| !kept.contains(i)).collect();
    let room = cap.saturating_sub(kept.len()).min(others.len());
    let mut chosen = kept;
    if room > 0 {
        // others.len() >= room, so the step is at least 1 and the picks are distinct.
        let step = others.len() as f64 / room as f64;
        for j in 0..room {
            chosen.insert(others[(((j as f64) + 0.5) * step) as usize]);
        }
    }
    chosen.into_iter().collect()
}

/// The indices of the best `fraction` of `values` (at least one when non-empty) under
/// `is_better`.
pub(crate) fn best_indices(
    values: &[f64],
    fraction: f64,
    is_better: impl Fn(f64, f64) -> bool,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        if is_better(values[a], values[b]) {
            std::cmp::Ordering::Less
        } else if is_better(values[b], values[a]) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let k =
        ((values.len() as f64 * fraction).ceil() as usize).clamp(values.len().min(1), values.len());
    order.truncate(k);
    order
}

/// A hover text for a trial: number, plotted value and parameters.
pub(crate) fn trial_tooltip(trial: &FrozenTrial, value_name: &str, value: f64) -> String {
    let pruned = if trial.state == TrialState::Pruned {
        " (pruned)"
    } else {
        ""
    };
    let mut s = format!(
        "Trial {}{pruned}\n{value_name}: {}",
        trial.number,
        format_number(value)
    );
    for (i, (k, p)) in trial.params.iter().enumerate() {
        if i == 8 {
            s.push_str(&format!("\n… {} more", trial.params.len() - 8));
            break;
        }
        let v = match p.value.as_f64() {
            Some(x) if matches!(p.value, hpo_core::ParamValue::Float(_)) => format_number(x),
            _ => p.value.to_string(),
        };
        s.push_str(&format!("\n{k}: {v}"));
    }
    s
}

/// A note like "showing 3000 of 5000 trials (evenly sampled, best kept)" when marks were
/// thinned, else `None`.
pub(crate) fn sampled_note(drawn: usize, total: usize, what: &str) -> Option<String> {
    (drawn < total)
        .then(|| format!("showing {drawn} of {total} {what} (evenly sampled, best kept)"))
}

/// A dot to draw.
#[derive(Clone, Debug)]
pub(crate) struct Dot {
    /// Pixel x.
    pub x: f64,
    /// Pixel y.
    pub y: f64,
    /// Fill colour.
    pub color: Color,
    /// Hover text.
    pub tip: Option<String>,
}

/// Draws dots of radius `r` with the shared `style` (opacity, outline), grouped by colour so
/// each dot costs only its position. Draw order within a colour is kept.
pub(crate) fn draw_dots(c: &mut Canvas, dots: &[Dot], r: f64, style: Style) {
    let mut by_color: IndexMap<Color, Vec<&Dot>> = IndexMap::new();
    for d in dots {
        by_color.entry(d.color).or_default().push(d);
    }
    for (color, ds) in by_color {
        c.begin_group(&Group::new().style(style.fill(color)));
        for d in ds {
            match &d.tip {
                Some(t) => c.circle_tip(d.x, d.y, r, &Style::new(), t),
                None => c.circle(d.x, d.y, r, &Style::new()),
            }
        }
        c.end_group();
    }
}

/// Dot radius for `n` dots in an area of `area_px` square pixels: 4 for a few, down to 1.6 for
/// dense scatters.
pub(crate) fn dot_radius(n: usize, area_px: f64) -> f64 {
    let density = n as f64 / area_px.max(1.0) * 10_000.0;
    (4.5 - density.sqrt() * 0.35).clamp(1.6, 4.0)
}

/// The style of a group of `n` dots: [`dot_opacity`], outlined with `outline` at width
/// `outline_width` unless there are thousands.
pub(crate) fn dots_style(n: usize, outline: Color, outline_width: f64) -> Style {
    Style::new()
        .fill_opacity(dot_opacity(n))
        .stroke(outline, if n > 1000 { 0.0 } else { outline_width })
}

/// Dot opacity for `n` dots: opaque for a few, translucent for thousands.
pub(crate) fn dot_opacity(n: usize) -> f64 {
    if n <= 200 {
        0.9
    } else if n <= 1000 {
        0.7
    } else {
        0.45
    }
}

/// A frame filling `body` with room for tick labels and titles on the left and bottom, and
/// `right` extra pixels on the right (for a colour bar).
pub(crate) fn frame_in(body: Rect, x: Scale, y: Scale, style: &AxesStyle<'_>, right: f64) -> Frame {
    let left = 14.0 + y_axis_room(&y, style);
    let bottom = 8.0 + x_axis_room(&x, style, body.w - left - right);
    Frame::new(body.inset(left, 8.0, 20.0 + right, bottom), x, y)
}

/// A linear scale over `values` (with padding), or `0..1` when empty.
pub(crate) fn value_scale(values: impl IntoIterator<Item = f64>) -> Scale {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        return Scale::linear_exact(0.0, 1.0);
    }
    Scale::linear(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(n: u64, value: f64) -> FrozenTrial {
        let mut t = FrozenTrial::new(TrialState::Complete)
            .with_value(value)
            .with_param("x", value, Distribution::float(-100.0, 100.0).unwrap())
            .unwrap()
            .with_param("lr", 1e-3, Distribution::float_log(1e-5, 1.0).unwrap())
            .unwrap()
            .with_param(
                "opt",
                if n.is_multiple_of(2) { "adam" } else { "sgd" },
                Distribution::categorical(["sgd", "adam", "rms"]).unwrap(),
            )
            .unwrap();
        t.number = n;
        t
    }

    #[test]
    fn subsample_keeps_and_caps() {
        assert_eq!(subsample(5, 10, &[]), vec![0, 1, 2, 3, 4]);
        let s = subsample(10_000, 100, &[9_999, 3]);
        assert_eq!(s.len(), 100);
        assert!(s.contains(&9_999) && s.contains(&3));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn best_fraction() {
        let v = [5.0, 1.0, 3.0, 2.0];
        assert_eq!(best_indices(&v, 0.5, |a, b| a < b), vec![1, 3]);
        assert_eq!(best_indices(&v, 0.01, |a, b| a > b), vec![0]);
        assert!(best_indices(&[], 0.1, |a, b| a < b).is_empty());
    }

    #[test]
    fn param_axes() {
        let trials = [trial(0, 1.0), trial(1, 3.0)];
        let refs: Vec<&FrozenTrial> = trials.iter().collect();
        let x = ParamAxis::build("x", &refs).unwrap();
        assert!(!x.is_categorical() && !matches!(x.scale, Scale::Log { .. }));
        assert_eq!((x.min, x.max), (1.0, 3.0));
        assert_eq!(x.coord(&trials[1]), Some(3.0));
        let lr = ParamAxis::build("lr", &refs).unwrap();
        assert!(matches!(lr.scale, Scale::Log { .. }));
        let opt = ParamAxis::build("opt", &refs).unwrap();
        assert!(opt.is_categorical());
        assert_eq!(opt.coord(&trials[0]), Some(1.0));
        assert_eq!(opt.coord(&trials[1]), Some(0.0));
        assert!(ParamAxis::build("missing", &refs).is_none());
    }

    #[test]
    fn target_rules() {
        let single = StudyData::new("s", vec![StudyDirection::Maximize], vec![]);
        let t = resolve_target(&single, &PlotOptions::new(), PlotKind::History).unwrap();
        assert_eq!(t.name, "Objective Value");
        assert_eq!(t.direction, Some(StudyDirection::Maximize));
        let multi = StudyData::new(
            "m",
            vec![StudyDirection::Minimize, StudyDirection::Maximize],
            vec![],
        );
        let e = resolve_target(&multi, &PlotOptions::new(), PlotKind::Slice)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("target") && e.contains("`m`"), "{e}");
        let t = resolve_target(&multi, &PlotOptions::new().objective(1), PlotKind::Slice).unwrap();
        assert_eq!(t.direction, Some(StudyDirection::Maximize));
        assert_eq!(t.name, "Objective 1");
        assert!(resolve_target(&multi, &PlotOptions::new().objective(2), PlotKind::Slice).is_err());
        let t = resolve_target(
            &multi,
            &PlotOptions::new().target(|t| t.values.as_ref().map_or(0.0, |v| v[0] + v[1])),
            PlotKind::Slice,
        )
        .unwrap();
        assert!(t.is_custom() && t.direction.is_none());
        let mut ft = FrozenTrial::new(TrialState::Complete).with_values([1.0, 2.0]);
        assert_eq!(t.value(&ft), Some(3.0));
        ft.values = Some(vec![f64::NAN, 1.0]);
        assert_eq!(t.value(&ft), None);
    }

    #[test]
    fn params_selection() {
        let trials = [trial(0, 1.0)];
        let refs: Vec<&FrozenTrial> = trials.iter().collect();
        let data = StudyData::new("s", vec![], vec![]);
        assert_eq!(
            select_params(&data, &refs, &PlotOptions::new()).unwrap(),
            ["lr", "opt", "x"]
        );
        assert_eq!(
            select_params(&data, &refs, &PlotOptions::new().params(["x", "lr", "x"])).unwrap(),
            ["x", "lr"]
        );
        let e = select_params(&data, &refs, &PlotOptions::new().params(["nope"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`nope`"), "{e}");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("x", 7), vec!["x"]);
    }
}
