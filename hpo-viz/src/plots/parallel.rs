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
    MAX_LINES, ParamAxis, best_indices, complete_finite, completed_points, message_figure,
    no_completed_message, sampled_note, select_params, subsample,
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
    let area = area.inset(58.0, TOP_MARGIN, 24.0, 22.0);
    let spacing = area.w / (dims.len() - 1) as f64;
    let xs: Vec<f64> = (0..dims.len())
        .map(|d| area.x + d as f64 * spacing)
        .collect();
    // Axis titles, laid out before the plot's top edge, which a title on two lines pushes down a
    // line and upright titles push down by the longest one.
    let bold = |d: usize| d < n_objectives;
    let natural: Vec<f64> = dims
        .iter()
        .enumerate()
        .map(|(d, dim)| title_width(&dim.label, TITLE_SIZES[0], bold(d)))
        .collect();
    let across: Option<Vec<Title>> =
        title_rooms(&natural, spacing, TITLE_LEFT_MARGIN, TITLE_RIGHT_MARGIN)
            .into_iter()
            .zip(&dims)
            .enumerate()
            .map(|(d, (room, dim))| fit_title(&dim.label, room, bold(d)))
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
            .map(|(d, dim)| upright_title(&dim.label, longest, size, bold(d)))
            .collect()
    });
    // The height the titles need above the axes, beyond the one line the margin holds.
    let extra = if upright {
        titles
            .iter()
            .enumerate()
            .map(|(d, t)| {
                title_width(&t.lines[0], t.size, bold(d)) + UPRIGHT_ABOVE_AXIS + UPRIGHT_BELOW_TOP
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
    for (d, ((dim, title), &x)) in dims.iter().zip(&titles).zip(&xs).enumerate() {
        let style = TextStyle::new(title.size);
        let style = if bold(d) { style.bold() } else { style };
        if upright {
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
