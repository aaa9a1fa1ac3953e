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
//!
//! Each axis title takes the width its neighbours leave it (see [`title_rooms`]); one that does
//! not fit wraps onto two lines, then takes a smaller font (see [`fit_title`]). When even that
//! leaves a title too wide, all titles turn to run upwards from their axes, and only a title
//! longer than a third of the plot's height is cut, keeping the whole title as a tooltip.

use std::collections::HashSet;

use hpo_core::multi_objective::non_domination_ranks;
use hpo_core::{FrozenTrial, StudyDirection};

use crate::axis::Scale;
use crate::canvas::{Canvas, Group, Style, TextStyle, VAlign, text_width, truncate};
use crate::color::{ColorScale, Colormap, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::legend::{COLORBAR_WIDTH, LegendItem, Mark, colorbar, legend};
use crate::options::PlotOptions;
use crate::plots::common::{
    MAX_LINES, OrMessage, ParamAxis, best_indices, complete_finite, completed_points,
    message_figure, non_empty, or_message, sampled_note, select_params, subsample,
};

/// Above this many lines, all but the best 10% fade.
pub(crate) const DENSE: usize = 300;
/// Where values start on an axis that also has a `None` slot (at 0).
const MISSING_GAP: f64 = 0.12;
/// Font sizes an axis title may take, largest first: the plot's usual size, then one step
/// smaller before the titles turn upright.
const TITLE_SIZES: [f64; 2] = [11.5, 10.0];
/// Space kept between neighbouring axis titles, in pixels.
const TITLE_GAP: f64 = 8.0;
/// The distance between the lines of a wrapped title, per pixel of font size.
const LINE_SPACING: f64 = 1.2;
/// How far the first axis title may reach left of its axis: the plot's left margin, less a
/// little.
const TITLE_LEFT_MARGIN: f64 = 56.0;
/// How far the last axis title may reach right of its axis: up to the colour bar.
const TITLE_RIGHT_MARGIN: f64 = 30.0;
/// The plot's top margin, which holds one line of axis titles across.
const TOP_MARGIN: f64 = 34.0;
/// Space between the baseline of an axis title across and the top of its axis.
const TITLE_ABOVE_AXIS: f64 = 12.0;
/// Space between the start of an upright axis title and the top of its axis.
const UPRIGHT_ABOVE_AXIS: f64 = 8.0;
/// Space kept between upright axis titles and the figure's title above them.
const UPRIGHT_BELOW_TOP: f64 = 8.0;
/// The least space between axes for upright titles in the larger font.
const UPRIGHT_LARGE_SPACING: f64 = 16.0;

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

/// Draws the parallel coordinate plot: [`Lines::new`] picks the trials, axes and colours,
/// [`Layout::new`] places the axes and their titles, then [`draw`] writes them.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let title = PlotKind::ParallelCoordinate.title();
    let lines = or_message!(Lines::new(data, options)?);
    let mut page = Page::from_options(title, options);
    if let Some(note) = sampled_note(lines.drawn.len(), lines.trials.len(), "trials") {
        page.subtitle(&note);
    }
    let layout = Layout::new(page.body(), &lines);
    draw(&mut page.canvas, &lines, &layout);
    Ok(page.finish(None))
}

/// The objectives' side of the plot: the trials drawn, an axis per objective, the colours and
/// the loss that orders the lines (lower is better).
struct Objectives<'a> {
    trials: Vec<&'a FrozenTrial>,
    dims: Vec<Dim>,
    color_values: Vec<f64>,
    colors: ColorScale,
    bar_title: String,
    loss: Vec<f64>,
}

impl<'a> Objectives<'a> {
    /// A multi-objective study without a target: an axis per objective, lines coloured by
    /// Pareto rank.
    fn by_rank(data: &'a StudyData, options: &PlotOptions) -> OrMessage<Objectives<'a>> {
        let title = PlotKind::ParallelCoordinate.title();
        let trials = non_empty(complete_finite(data), data, title, options)?;
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
        let dims = (0..data.directions.len())
            .map(|i| {
                let values: Vec<f64> = trials
                    .iter()
                    .map(|t| t.values.as_ref().map_or(f64::NAN, |v| v[i]))
                    .collect();
                objective_dim(data.objective_name(i), &values)
            })
            .collect();
        let max_rank = ranks.iter().copied().fold(0.0, f64::max);
        let colors = ColorScale::better_darker(
            Colormap::BluesVisible,
            -0.5,
            max_rank + 0.5,
            Some(StudyDirection::Minimize),
        );
        Ok(Objectives {
            trials,
            dims,
            colors,
            bar_title: "Pareto Rank".to_owned(),
            loss: ranks.clone(),
            color_values: ranks,
        })
    }

    /// One target value (the objective, or the options' target): one axis, lines coloured by
    /// it.
    fn by_target(
        data: &'a StudyData,
        options: &PlotOptions,
    ) -> hpo_core::Result<OrMessage<Objectives<'a>>> {
        let (target, points) = match completed_points(data, options, PlotKind::ParallelCoordinate)?
        {
            Ok(found) => found,
            Err(message) => return Ok(Err(message)),
        };
        let values: Vec<f64> = points.iter().map(|p| p.value).collect();
        let (lo, hi) = min_max(&values);
        let dir = target.direction.unwrap_or(StudyDirection::Minimize);
        Ok(Ok(Objectives {
            trials: points.iter().map(|p| p.trial).collect(),
            dims: vec![objective_dim(target.name.clone(), &values)],
            colors: ColorScale::better_darker(Colormap::BluesVisible, lo, hi, target.direction),
            bar_title: target.name,
            loss: values.iter().map(|v| dir.to_minimize(*v)).collect(),
            color_values: values,
        }))
    }
}

/// What the plot shows: the trials, an axis per objective and per parameter, the colours, and
/// which lines are drawn in which order.
struct Lines<'a> {
    trials: Vec<&'a FrozenTrial>,
    /// The objective axes, then the parameter axes.
    dims: Vec<Dim>,
    n_objectives: usize,
    color_values: Vec<f64>,
    colors: ColorScale,
    bar_title: String,
    by_rank: bool,
    /// The lines drawn, worst first so the best end up on top.
    drawn: Vec<usize>,
    /// The best lines, emphasised when the plot is dense.
    top: HashSet<usize>,
}

impl<'a> Lines<'a> {
    fn new(data: &'a StudyData, options: &PlotOptions) -> hpo_core::Result<OrMessage<Lines<'a>>> {
        let by_rank = data.is_multi_objective()
            && options.target_fn().is_none()
            && options.objective_index().is_none();
        let objectives = if by_rank {
            Objectives::by_rank(data, options)
        } else {
            Objectives::by_target(data, options)?
        };
        let Objectives {
            trials,
            mut dims,
            color_values,
            colors,
            bar_title,
            loss,
        } = match objectives {
            Ok(objectives) => objectives,
            Err(message) => return Ok(Err(message)),
        };
        let n_objectives = dims.len();
        for name in &select_params(data, &trials, options)? {
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
            return Ok(Err(message_figure(
                PlotKind::ParallelCoordinate.title(),
                options,
                &format!(
                    "the completed trials of study `{}` have no parameters to draw",
                    data.name
                ),
            )));
        }
        let best = best_indices(&loss, 0.1, |a, b| a < b);
        let keep: Vec<usize> = best.iter().copied().take(MAX_LINES / 2).collect();
        let mut drawn = subsample(trials.len(), MAX_LINES, &keep);
        drawn.sort_by(|&a, &b| loss[b].total_cmp(&loss[a]));
        Ok(Ok(Lines {
            trials,
            dims,
            n_objectives,
            color_values,
            colors,
            bar_title,
            by_rank,
            drawn,
            top: keep.into_iter().collect(),
        }))
    }

    /// Whether axis `d` is an objective's (its title in bold).
    fn bold(&self, d: usize) -> bool {
        d < self.n_objectives
    }

    /// Whether there are so many lines that all but the best fade.
    fn dense(&self) -> bool {
        self.drawn.len() > DENSE
    }
}

/// Where the axes and their titles go.
struct Layout {
    /// The page below the title.
    body: Rect,
    /// The axes, from the top of the highest to the bottom.
    area: Rect,
    /// The colour bar's column.
    bar_area: Rect,
    /// The distance between neighbouring axes.
    spacing: f64,
    /// Each axis's horizontal position.
    xs: Vec<f64>,
    titles: Vec<Title>,
    /// Whether the titles are turned upright (they did not fit across).
    upright: bool,
}

impl Layout {
    fn new(body: Rect, lines: &Lines<'_>) -> Layout {
        let dims = &lines.dims;
        let (area, bar_area) = body.split_right(COLORBAR_WIDTH);
        let area = area.inset(58.0, TOP_MARGIN, 24.0, 22.0);
        let spacing = area.w / (dims.len() - 1) as f64;
        let xs: Vec<f64> = (0..dims.len())
            .map(|d| area.x + d as f64 * spacing)
            .collect();
        // Axis titles, laid out before the plot's top edge, which a title on two lines pushes
        // down a line and upright titles push down by the longest one.
        let natural: Vec<f64> = dims
            .iter()
            .enumerate()
            .map(|(d, dim)| title_width(&dim.label, TITLE_SIZES[0], lines.bold(d)))
            .collect();
        let across: Option<Vec<Title>> =
            title_rooms(&natural, spacing, TITLE_LEFT_MARGIN, TITLE_RIGHT_MARGIN)
                .into_iter()
                .zip(dims)
                .enumerate()
                .map(|(d, (room, dim))| fit_title(&dim.label, room, lines.bold(d)))
                .collect();
        let upright = across.is_none();
        let titles = across.unwrap_or_else(|| {
            let size = if spacing >= UPRIGHT_LARGE_SPACING {
                TITLE_SIZES[0]
            } else {
                TITLE_SIZES[1]
            };
            let longest = (area.h / 3.0).max(40.0);
            dims.iter()
                .enumerate()
                .map(|(d, dim)| upright_title(&dim.label, longest, size, lines.bold(d)))
                .collect()
        });
        // The height the titles need above the axes, beyond the one line the margin holds.
        let extra = if upright {
            titles
                .iter()
                .enumerate()
                .map(|(d, t)| {
                    title_width(&t.lines[0], t.size, lines.bold(d))
                        + UPRIGHT_ABOVE_AXIS
                        + UPRIGHT_BELOW_TOP
                })
                .fold(0.0, f64::max)
                - TOP_MARGIN
        } else {
            titles
                .iter()
                .map(|t| (t.lines.len() - 1) as f64 * t.size * LINE_SPACING)
                .fold(0.0, f64::max)
        };
        let area = if extra > 0.0 {
            area.inset(0.0, extra, 0.0, 0.0)
        } else {
            area
        };
        Layout {
            body,
            area,
            bar_area,
            spacing,
            xs,
            titles,
            upright,
        }
    }

    /// The vertical pixel of position `t` in `[0, 1]` along an axis.
    fn py(&self, t: f64) -> f64 {
        self.area.bottom() - t * self.area.h
    }
}

/// Draws the axis lines, the trials' lines over them, the axes' titles and ticks on top, the
/// legend for infeasible trials and the colour bar.
fn draw(c: &mut Canvas, lines: &Lines<'_>, layout: &Layout) {
    let area = layout.area;
    for &x in &layout.xs {
        c.line(
            x,
            area.y,
            x,
            area.bottom(),
            &Style::stroked(named::AXIS, 1.0),
        );
    }
    let infeasible = draw_lines(c, lines, layout);
    draw_axes(c, lines, layout);
    if infeasible {
        let body = layout.body;
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
    let bar_area = layout.bar_area;
    let bar = bar_area.inset(0.0, 8.0, 0.0, bar_area.h * 0.25);
    colorbar(c, bar, &lines.colors, &lines.bar_title, lines.by_rank);
}

/// The trials' lines, grouped by consecutive colour and emphasis so each costs only its
/// points; whether any is infeasible (dashed).
fn draw_lines(c: &mut Canvas, lines: &Lines<'_>, layout: &Layout) -> bool {
    let (dense, top) = (lines.dense(), &lines.top);
    c.begin_group(&Group::new().class("trials"));
    let mut current: Option<(usize, bool)> = None;
    let mut infeasible = false;
    for &i in &lines.drawn {
        let emphasised = !dense || top.contains(&i);
        let (level, color) = lines.colors.quantized(lines.color_values[i], 48);
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
                (true, false) => (if lines.drawn.len() > 1000 { 0.15 } else { 0.25 }, 0.8),
            };
            c.begin_group(
                &Group::new().style(Style::stroked(color, width).stroke_opacity(opacity)),
            );
            current = Some((level, emphasised));
        }
        let pts: Vec<(f64, f64)> = lines
            .dims
            .iter()
            .zip(&layout.xs)
            .map(|(d, &x)| (x, layout.py(d.pos(d.coords_of(i)))))
            .collect();
        let style = if lines.trials[i].is_feasible() {
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
    infeasible
}

/// Each axis's title, ticks and tick labels, on top of the lines.
fn draw_axes(c: &mut Canvas, lines: &Lines<'_>, layout: &Layout) {
    let tick_style = TextStyle::new(9.5)
        .end()
        .valign(VAlign::Middle)
        .color(named::MUTED)
        .halo();
    let area = layout.area;
    let axes = lines.dims.iter().zip(&layout.titles).zip(&layout.xs);
    for (d, ((dim, title), &x)) in axes.enumerate() {
        let style = TextStyle::new(title.size);
        let style = if lines.bold(d) { style.bold() } else { style };
        if layout.upright {
            // Runs upwards from just above the axis, its glyphs centred on the axis.
            let style = style.valign(VAlign::Middle).rotate(-90.0);
            draw_title(c, x, area.y - UPRIGHT_ABOVE_AXIS, title, &style, &dim.label);
        } else {
            draw_title(
                c,
                x,
                area.y - TITLE_ABOVE_AXIS,
                title,
                &style.middle(),
                &dim.label,
            );
        }
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
        let max_tick_chars = ((layout.spacing - 12.0) / 5.5).clamp(4.0, 14.0) as usize;
        for (t, text) in ticks {
            let y = layout.py(t);
            c.line(x - 3.0, y, x, y, &Style::stroked(named::AXIS, 1.0));
            c.text(x - 5.0, y, &truncate(&text, max_tick_chars), &tick_style);
        }
    }
}

/// How one axis title is drawn.
#[derive(Debug, PartialEq)]
struct Title {
    /// One or two lines; joined, they are the title unless `cut`.
    lines: Vec<String>,
    /// Font size in pixels.
    size: f64,
    /// The title was too long to draw whole: its end is cut (with an ellipsis), and the whole
    /// title becomes a tooltip.
    cut: bool,
}

/// The estimated width of an axis title in font size `size`; bold (objective) titles run wider.
fn title_width(text: &str, size: f64, bold: bool) -> f64 {
    text_width(text.trim_end(), size) * if bold { 1.1 } else { 1.0 }
}

/// The width each axis title may take, given the titles' own widths (`natural`) and the space
/// between axes: a title narrower than its share (`spacing - TITLE_GAP`) keeps its width, and
/// a wider one may use what its neighbours leave on either side, centred on its axis. The first
/// title may reach `left` beyond its axis and the last `right`.
fn title_rooms(natural: &[f64], spacing: f64, left: f64, right: f64) -> Vec<f64> {
    let share = spacing - TITLE_GAP;
    let beside = |neighbour: usize| share - natural[neighbour].min(share) / 2.0;
    let n = natural.len();
    (0..n)
        .map(|i| {
            let l = if i == 0 { left } else { beside(i - 1) };
            let r = if i + 1 == n { right } else { beside(i + 1) };
            2.0 * l.min(r)
        })
        .collect()
}

/// Where `text` may wrap, as byte offsets where the second line would start: after a space,
/// `_`, `-`, `.` or `/` (which stay at the end of the first line), and between a lower-case
/// letter and an upper-case one (`learningRate`).
fn break_points(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    chars
        .windows(2)
        .filter(|w| {
            let (a, b) = (w[0].1, w[1].1);
            matches!(a, ' ' | '_' | '-' | '.' | '/') || (a.is_lowercase() && b.is_uppercase())
        })
        .map(|w| w[1].0)
        .filter(|&i| !text[i..].trim().is_empty() && !text[..i].trim().is_empty())
        .collect()
}

/// Lays out an axis title across, in at most `room` pixels: on one line if it fits, else on two
/// lines split where the longer line is shortest, trying each of [`TITLE_SIZES`] in turn;
/// `None` when it fits none of these ways.
fn fit_title(text: &str, room: f64, bold: bool) -> Option<Title> {
    let width = |s: &str, size: f64| title_width(s, size, bold);
    let breaks = break_points(text);
    for size in TITLE_SIZES {
        if width(text, size) <= room {
            return Some(Title {
                lines: vec![text.to_owned()],
                size,
                cut: false,
            });
        }
        let best = breaks
            .iter()
            .map(|&i| (width(&text[..i], size).max(width(&text[i..], size)), i))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((w, i)) = best
            && w <= room
        {
            return Some(Title {
                lines: vec![text[..i].to_owned(), text[i..].to_owned()],
                size,
                cut: false,
            });
        }
    }
    None
}

/// Lays out an axis title that runs upwards, at most `longest` pixels long: whole if it fits,
/// else cut (with an ellipsis) to fit.
fn upright_title(text: &str, longest: f64, size: f64, bold: bool) -> Title {
    let fits = |s: &str| title_width(s, size, bold) <= longest;
    if fits(text) {
        return Title {
            lines: vec![text.to_owned()],
            size,
            cut: false,
        };
    }
    let cut = |keep: usize| {
        let kept: String = text.chars().take(keep).collect();
        format!("{}…", kept.trim_end())
    };
    let line = (1..text.chars().count())
        .rev()
        .map(cut)
        .find(|s| fits(s))
        .unwrap_or_else(|| cut(1));
    Title {
        lines: vec![line],
        size,
        cut: true,
    }
}

/// Draws an axis title at `(x, y)` in `style`, its last line at `y` when it has two; a cut title
/// carries the whole `label` as a tooltip.
fn draw_title(c: &mut Canvas, x: f64, y: f64, title: &Title, style: &TextStyle, label: &str) {
    let line_height = title.size * LINE_SPACING;
    let draw = |c: &mut Canvas| match title.lines.as_slice() {
        [line] => c.text(x, y, line, style),
        lines => {
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let top = y - line_height * (lines.len() - 1) as f64;
            c.text_lines(x, top, &lines, line_height, style);
        }
    };
    if title.cut {
        c.titled(label, draw);
    } else {
        draw(c);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &Title) -> Vec<&str> {
        t.lines.iter().map(String::as_str).collect()
    }

    #[test]
    fn titles_break_after_separators_and_between_words() {
        let at = |text: &str| -> Vec<String> {
            break_points(text)
                .into_iter()
                .map(|i| format!("{}|{}", &text[..i], &text[i..]))
                .collect()
        };
        assert_eq!(at("Objective Value"), ["Objective |Value"]);
        assert_eq!(at("learning_rate"), ["learning_|rate"]);
        assert_eq!(at("optim.lr"), ["optim.|lr"]);
        assert_eq!(at("learningRate"), ["learning|Rate"]);
        assert_eq!(at("x"), Vec::<String>::new());
        assert_eq!(at("a_"), Vec::<String>::new());
        assert_eq!(at("wd.enabled"), ["wd.|enabled"]);
    }

    #[test]
    fn a_title_that_fits_stays_on_one_line() {
        let t = fit_title("Objective Value", 200.0, true);
        assert_eq!(
            t,
            Some(Title {
                lines: vec!["Objective Value".into()],
                size: TITLE_SIZES[0],
                cut: false
            })
        );
    }

    #[test]
    fn a_long_title_wraps_then_shrinks() {
        let full = title_width("Objective Value", TITLE_SIZES[0], true);
        let first = title_width("Objective", TITLE_SIZES[0], true);
        // Too wide for one line, wide enough for two.
        let t = fit_title("Objective Value", full - 1.0, true).unwrap();
        assert_eq!(lines(&t), ["Objective ", "Value"]);
        assert_eq!((t.size, t.cut), (TITLE_SIZES[0], false));
        // Two lines only in the smaller font.
        let t = fit_title("Objective Value", first - 1.0, true).unwrap();
        assert_eq!(lines(&t), ["Objective ", "Value"]);
        assert_eq!((t.size, t.cut), (TITLE_SIZES[1], false));
        // The split balances the lines.
        let t = fit_title("a_rather_long_parameter_name", 120.0, false).unwrap();
        assert_eq!(lines(&t), ["a_rather_long_", "parameter_name"]);
        // Nothing fits: the caller turns the titles upright.
        assert_eq!(fit_title("Objective Value", 30.0, true), None);
        assert_eq!(fit_title("momentum", 30.0, false), None);
    }

    #[test]
    fn an_upright_title_is_cut_only_beyond_its_length() {
        let t = upright_title("learning_rate", 100.0, 11.5, false);
        assert_eq!((lines(&t), t.cut), (vec!["learning_rate"], false));
        let t = upright_title("learning_rate_of_the_head", 60.0, 11.5, false);
        assert!(t.cut && t.lines[0].ends_with('…'), "{:?}", t.lines);
        assert!(title_width(&t.lines[0], 11.5, false) <= 60.0);
        assert!("learning_rate_of_the_head".starts_with(t.lines[0].trim_end_matches('…')));
        // No space before the ellipsis.
        let room = title_width("Objective …", 11.5, true);
        let t = upright_title("Objective Value", room, 11.5, true);
        assert_eq!(lines(&t), ["Objective…"]);
    }

    #[test]
    fn titles_use_what_their_neighbours_leave() {
        // Spacing 80 leaves each title a share of 72.
        let rooms = title_rooms(&[100.0, 10.0, 100.0, 100.0], 80.0, 50.0, 20.0);
        // The first reaches 50 into the margin and 67 towards its short neighbour.
        assert_eq!(rooms[0], 100.0);
        // A short title keeps its share at least.
        assert!(rooms[1] >= 72.0);
        // Beside a short and a long neighbour: the long one bounds it to its share.
        assert_eq!(rooms[2], 72.0);
        // The last is held by the colour bar.
        assert_eq!(rooms[3], 40.0);
    }
}
