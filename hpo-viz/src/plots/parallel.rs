//! Parallel coordinate plot: one vertical axis for the objective and each parameter, one line
//! per completed trial (Optuna's `plot_parallel_coordinate`).
//!
//! Categorical parameters get labelled ticks, log-scale parameters log axes; a trial without a
//! parameter meets that axis at a `None` tick below the values. Lines are coloured by the
//! objective with better values darker (Optuna's reversed blues) and drawn worst first, so the
//! best trials lie on top. A multi-objective study without a target gets one axis per
//! objective and lines coloured by Pareto rank, as in Optuna 5.0. Infeasible trials are dashed.
//!
//! With more than [`DENSE`] lines, the others fade and the best 10% are drawn opaque on top; at
//! most [`MAX_LINES`] lines are drawn (the best 10% always, the rest evenly sampled).

use hpo_core::multi_objective::non_domination_ranks;
use hpo_core::{FrozenTrial, StudyDirection};

use crate::axis::Scale;
use crate::canvas::{Group, Style, TextStyle, VAlign, truncate};
use crate::color::{ColorScale, Colormap, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::legend::{COLORBAR_WIDTH, LegendItem, Mark, colorbar, legend};
use crate::options::PlotOptions;
use crate::plots::common::{
    MAX_LINES, ParamAxis, best_indices, complete_finite, completed_points, message_figure,
    no_completed_message, sampled_note, select_params, subsample,
};

/// Above this many lines, all but the best 10% fade.
pub(crate) const DENSE: usize = 300;
/// Where values start on an axis that also has a `None` slot (at 0).
const MISSING_GAP: f64 = 0.12;

/// One vertical axis.
struct Dim {
    label: String,
    scale: Scale,
    /// Per trial: the coordinate on `scale`, `None` when missing.
    coords: Vec<Option<f64>>,
    has_missing: bool,
}

impl Dim {
    /// The vertical position in `[0, 1]` of a coordinate (or of the `None` slot).
    fn pos(&self, coord: Option<f64>) -> f64 {
        let t = match coord {
            None => return 0.0,
            Some(v) => self.scale.norm(v),
        };
        if self.has_missing {
            MISSING_GAP + t * (1.0 - MISSING_GAP)
        } else {
            t
        }
    }
}

/// Draws the parallel coordinate plot.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::ParallelCoordinate;
    let title = kind.title();
    let by_rank = data.is_multi_objective()
        && options.target_fn().is_none()
        && options.objective_index().is_none();

    // Trials, objective axes, colour values (lower is better for `order`).
    let trials: Vec<&FrozenTrial>;
    let mut dims: Vec<Dim> = Vec::new();
    let color_values: Vec<f64>;
    let colors: ColorScale;
    let bar_title: String;
    let loss: Vec<f64>;
    if by_rank {
        trials = complete_finite(data);
        if trials.is_empty() {
            return Ok(message_figure(title, options, &no_completed_message(data)));
        }
        let losses: Vec<Vec<f64>> = trials
            .iter()
            .map(|t| {
                t.values
                    .as_ref()
                    .map(|v| {
                        v.iter()
                            .zip(&data.directions)
                            .map(|(x, d)| d.to_minimize(*x))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let ranks: Vec<f64> = non_domination_ranks(&losses, None)
            .into_iter()
            .map(|r| r as f64)
            .collect();
        for i in 0..data.directions.len() {
            let values: Vec<f64> = trials
                .iter()
                .map(|t| t.values.as_ref().map_or(f64::NAN, |v| v[i]))
                .collect();
            dims.push(objective_dim(data.objective_name(i), &values));
        }
        let max_rank = ranks.iter().copied().fold(0.0, f64::max);
        colors = ColorScale::better_darker(
            Colormap::BluesVisible,
            -0.5,
            max_rank + 0.5,
            Some(StudyDirection::Minimize),
        );
        bar_title = "Pareto Rank".to_owned();
        loss = ranks.clone();
        color_values = ranks;
    } else {
        let (target, points) = match completed_points(data, options, kind)? {
            Ok(found) => found,
            Err(message) => return Ok(message),
        };
        trials = points.iter().map(|p| p.trial).collect();
        let values: Vec<f64> = points.iter().map(|p| p.value).collect();
        dims.push(objective_dim(target.name.clone(), &values));
        let (lo, hi) = min_max(&values);
        colors = ColorScale::better_darker(Colormap::BluesVisible, lo, hi, target.direction);
        bar_title = target.name.clone();
        let dir = target.direction.unwrap_or(StudyDirection::Minimize);
        loss = values.iter().map(|v| dir.to_minimize(*v)).collect();
        color_values = values;
    }
    let n_objectives = dims.len();

    let params = select_params(data, &trials, options)?;
    for name in &params {
        if let Some(axis) = ParamAxis::build(name, &trials) {
            let coords: Vec<Option<f64>> = trials.iter().map(|t| axis.coord(t)).collect();
            let has_missing = coords.iter().any(Option::is_none);
            dims.push(Dim {
                label: name.clone(),
                scale: axis.scale,
                coords,
                has_missing,
            });
        }
    }
    if dims.len() < 2 {
        return Ok(message_figure(
            title,
            options,
            &format!(
                "the completed trials of study `{}` have no parameters to draw",
                data.name
            ),
        ));
    }

    // Which lines, in which order: worst first so the best end up on top.
    let n = trials.len();
    let best = best_indices(&loss, 0.1, |a, b| a < b);
    let keep: Vec<usize> = best.iter().copied().take(MAX_LINES / 2).collect();
    let mut drawn = subsample(n, MAX_LINES, &keep);
    drawn.sort_by(|&a, &b| loss[b].total_cmp(&loss[a]));
    let top: std::collections::HashSet<usize> = keep.iter().copied().collect();
    let dense = drawn.len() > DENSE;

    let mut page = Page::from_options(title, options);
    if let Some(note) = sampled_note(drawn.len(), n, "trials") {
        page.subtitle(&note);
    }
    let body = page.body();
    let (area, bar_area) = body.split_right(COLORBAR_WIDTH);
    let area = area.inset(58.0, 34.0, 24.0, 22.0);
    let spacing = area.w / (dims.len() - 1) as f64;
    let xs: Vec<f64> = (0..dims.len())
        .map(|d| area.x + d as f64 * spacing)
        .collect();
    let py = |t: f64| area.bottom() - t * area.h;
    let c = &mut page.canvas;

    // Axis lines under the data.
    for &x in &xs {
        c.line(
            x,
            area.y,
            x,
            area.bottom(),
            &Style::stroked(named::AXIS, 1.0),
        );
    }

    // Lines, grouped by consecutive colour and emphasis so each costs only its points.
    c.begin_group(&Group::new().class("trials"));
    let mut current: Option<(usize, bool)> = None;
    let mut infeasible = false;
    for &i in &drawn {
        let emphasised = !dense || top.contains(&i);
        let (level, color) = colors.quantized(color_values[i], 48);
        if current != Some((level, emphasised)) {
            if current.is_some() {
                c.end_group();
            }
            let (opacity, width) = match (dense, emphasised) {
                (false, _) => (0.7, 1.3),
                (true, true) => (
                    (0.85 * (40.0 / top.len().max(1) as f64).sqrt()).clamp(0.3, 0.85),
                    1.2,
                ),
                (true, false) => (if drawn.len() > 1000 { 0.15 } else { 0.25 }, 0.8),
            };
            c.begin_group(
                &Group::new().style(Style::stroked(color, width).stroke_opacity(opacity)),
            );
            current = Some((level, emphasised));
        }
        let pts: Vec<(f64, f64)> = dims
            .iter()
            .zip(&xs)
            .map(|(d, &x)| (x, py(d.pos(d.coords_of(i)))))
            .collect();
        let style = if trials[i].is_feasible() {
            Style::new()
        } else {
            infeasible = true;
            Style::new().dash("4 3")
        };
        c.polyline(&pts, &style);
    }
    if current.is_some() {
        c.end_group();
    }
    c.end_group();

    // Ticks and labels on top of the lines.
    let tick_style = TextStyle::new(9.5)
        .end()
        .valign(VAlign::Middle)
        .color(named::MUTED)
        .halo();
    let max_chars = ((spacing - 8.0) / 6.2).max(5.0) as usize;
    for (d, (dim, &x)) in dims.iter().zip(&xs).enumerate() {
        let label = truncate(&dim.label, max_chars);
        let name_style = if d < n_objectives {
            TextStyle::new(11.5).middle().bold()
        } else {
            TextStyle::new(11.5).middle()
        };
        c.text(x, area.y - 12.0, &label, &name_style);
        let mut ticks: Vec<(f64, String)> = Vec::new();
        let mut scale_ticks = dim.scale.ticks(5);
        if !dim.scale.is_category() {
            scale_ticks.retain(|t| (-1e-9..=1.0 + 1e-9).contains(&dim.scale.norm(t.value)));
        }
        for t in scale_ticks {
            ticks.push((dim.pos(Some(t.value)), t.label));
        }
        if dim.has_missing {
            ticks.push((0.0, "None".to_owned()));
        }
        let max_tick_chars = ((spacing - 12.0) / 5.5).clamp(4.0, 14.0) as usize;
        for (t, text) in ticks {
            let y = py(t);
            c.line(x - 3.0, y, x, y, &Style::stroked(named::AXIS, 1.0));
            c.text(x - 5.0, y, &truncate(&text, max_tick_chars), &tick_style);
        }
    }
    if infeasible {
        let legend_area = Rect::new(body.x, body.bottom() - 30.0, body.w - 4.0, 30.0);
        legend(
            c,
            legend_area,
            &[LegendItem::new(
                "Infeasible (dashed)",
                Mark::Line {
                    color: named::TEXT,
                    width: 1.5,
                    dash: Some("4 3"),
                },
            )],
        );
    }
    let bar = bar_area.inset(0.0, 8.0, 0.0, bar_area.h * 0.25);
    colorbar(c, bar, &colors, &bar_title, by_rank);
    Ok(page.finish(None))
}

impl Dim {
    fn coords_of(&self, i: usize) -> Option<f64> {
        self.coords.get(i).copied().flatten()
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        })
}

/// An objective axis spanning exactly the observed values.
fn objective_dim(label: String, values: &[f64]) -> Dim {
    let (lo, hi) = min_max(values);
    Dim {
        label,
        scale: Scale::linear_exact(lo, hi),
        coords: values.iter().map(|v| Some(*v)).collect(),
        has_missing: false,
    }
}
