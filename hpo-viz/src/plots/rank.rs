//! Rank plot: completed trials as dots placed by their parameters and coloured by the rank of
//! their objective (or target) value (Optuna's `plot_rank`).
//!
//! As in Optuna, the colour is the rank among all completed trials with a finite value (ties
//! share their mean rank), mapped onto the reversed red-yellow-blue scale: the lowest value is
//! blue, the highest red; the colour bar marks the minimum, quartiles and maximum with their
//! values, and says which end is best. Infeasible trials are grey; trials lacking a parameter
//! are left out of the subplots that need it; a multi-objective study needs a target or an
//! objective index.
//!
//! Layout: with one parameter, the parameter against the value; with two, one scatter plot of
//! the pair; with more, a lower-triangular grid of every pair (Optuna draws the full square
//! grid including each parameter against itself), at most [`MAX_PARAMS`] parameters (choose
//! others with `params`). Categorical parameters get categorical axes (dots jittered within
//! their category), log-scale ones log axes.
//!
//! Big studies: each subplot draws at most its share of [`DOT_BUDGET`] dots (the best 2% always,
//! the rest evenly sampled); the ranks and the colour bar use every trial. Dots are drawn worst
//! first so that the best lie on top.

use hpo_core::StudyDirection;

use crate::axis::{AxesStyle, Frame, Scale, format_number};
use crate::canvas::{Canvas, Group, Style, TextStyle, VAlign, truncate};
use crate::color::{Color, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::legend::{bar_tick, gradient_bar};
use crate::options::PlotOptions;
use crate::plots::common::{
    Dot, MAX_POINTS, ParamAxis, Point, best_indices, completed_points, dot_opacity, dot_radius,
    draw_dots, frame_in, or_message, params_to_plot, tips_for, trial_tooltip, value_scale,
};
use crate::plots::extras::{jitter, pair_cells, quantile};

/// At most this many parameters (15 pairs) are drawn.
pub(crate) const MAX_PARAMS: usize = 6;
/// Dots drawn over all subplots at most (each subplot gets a share, at least 300).
pub(crate) const DOT_BUDGET: usize = 9000;
/// Colour levels the dots are quantized to (so that dots of one colour share a group).
const LEVELS: usize = 32;
/// Width of the colour bar strip.
const BAR_STRIP: f64 = 128.0;

/// ColorBrewer's RdYlBu, red (0) to blue (1); reversed when used, as Optuna's `RdYlBu_r`.
const RDYLBU: [Color; 11] = [
    Color::hex(0xa50026),
    Color::hex(0xd73027),
    Color::hex(0xf46d43),
    Color::hex(0xfdae61),
    Color::hex(0xfee090),
    Color::hex(0xffffbf),
    Color::hex(0xe0f3f8),
    Color::hex(0xabd9e9),
    Color::hex(0x74add1),
    Color::hex(0x4575b4),
    Color::hex(0x313695),
];

/// The colour of rank fraction `t` (0: lowest value, blue; 1: highest, red).
pub(crate) fn rank_color(t: f64) -> Color {
    let t = 1.0 - if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
    let x = t * (RDYLBU.len() - 1) as f64;
    let i = (x.floor() as usize).min(RDYLBU.len() - 2);
    RDYLBU[i].mix(RDYLBU[i + 1], x - i as f64)
}

/// Each value's rank fraction in `[0, 1]`: its position among the sorted values (ties get the
/// mean of their positions) over `n - 1`; 0.5 for a single value.
fn rank_fractions(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n < 2 {
        return vec![0.5; n];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0;
        for &k in &order[i..=j] {
            out[k] = mean / (n - 1) as f64;
        }
        i = j + 1;
    }
    out
}

/// Draws the rank plot.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::Rank;
    let (target, points) = or_message!(completed_points(data, options, kind)?);
    let trials: Vec<_> = points.iter().map(|p| p.trial).collect();
    let params = or_message!(params_to_plot(data, kind.title(), &trials, options)?);
    let (axes, total_params) = ParamAxis::first(&params, &trials, MAX_PARAMS);

    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let ranks = rank_fractions(&values);
    let best = best_indices(&values, 0.02, |a, b| target.is_better(a, b));
    let panels = match axes.len() {
        1 | 2 => 1,
        k => k * (k - 1) / 2,
    };
    let per_panel = (DOT_BUDGET / panels).clamp(300, MAX_POINTS);
    let tips = tips_for(points.len().min(per_panel) * panels, options);

    let min_height = if panels == 1 {
        0
    } else {
        (80.0 + (axes.len() - 1) as f64 * 125.0) as u32
    };
    let mut page = Page::with_min_height(kind.title(), options, min_height.min(crate::MAX_SIZE));
    let mut note = format!(
        "Colour: rank of {} among {} completed trials",
        target.name,
        points.len()
    );
    if points.len() > per_panel {
        note.push_str(&format!(
            "; showing {per_panel} per plot (evenly sampled, best kept)"
        ));
    }
    if total_params > MAX_PARAMS {
        note.push_str(&format!(
            "; first {MAX_PARAMS} of {total_params} parameters (choose with `params`)"
        ));
    }
    page.subtitle(&note);

    let body = page.body();
    let (plots_area, bar_area) = body.split_right(BAR_STRIP);
    let draw = Scatter {
        points: &points,
        ranks: &ranks,
        best: &best,
        direction: target.direction,
        per_panel,
        tips: tips.then_some(target.name.as_str()),
    };
    let c = &mut page.canvas;
    match axes.as_slice() {
        [only] => {
            let style = AxesStyle::titled(&only.name, &target.name);
            let frame = frame_in(
                plots_area,
                only.scale.clone(),
                value_scale(values.iter().copied()),
                &style,
                0.0,
            );
            draw.subplot(c, &frame, &style, only, None);
        }
        [xa, ya] => {
            let style = AxesStyle::titled(&xa.name, &ya.name);
            let frame = frame_in(plots_area, xa.scale.clone(), ya.scale.clone(), &style, 0.0);
            draw.subplot(c, &frame, &style, xa, Some(ya));
        }
        _ => {
            let font = 10.0;
            let scales: Vec<Scale> = axes.iter().map(|a| a.scale.clone()).collect();
            let (cells, _) = pair_cells(plots_area, &scales, font);
            for cell in cells {
                let (xa, ya) = (&axes[cell.x], &axes[cell.y]);
                let style = cell.axes(&xa.name, &ya.name, font);
                let frame = Frame::new(cell.area, xa.scale.clone(), ya.scale.clone());
                draw.subplot(c, &frame, &style, xa, Some(ya));
            }
        }
    }
    let bar = bar_area.inset(
        0.0,
        8.0,
        0.0,
        (bar_area.h * 0.25).min(bar_area.h - 140.0).max(0.0),
    );
    rank_colorbar(c, bar, &values, &target.name, target.direction);
    Ok(page.finish(None))
}

/// What every subplot shares.
struct Scatter<'a, 'b> {
    points: &'b [Point<'a>],
    ranks: &'b [f64],
    best: &'b [usize],
    direction: Option<StudyDirection>,
    per_panel: usize,
    tips: Option<&'b str>,
}

impl Scatter<'_, '_> {
    /// Draws the dots of `xa` against `ya` (or against the value when `None`) in `frame`.
    fn subplot(
        &self,
        c: &mut Canvas,
        frame: &Frame,
        style: &AxesStyle<'_>,
        xa: &ParamAxis,
        ya: Option<&ParamAxis>,
    ) {
        let name = match ya {
            Some(ya) => format!("{} / {}", xa.name, ya.name),
            None => xa.name.clone(),
        };
        c.begin_group(&Group::new().class("subplot").name(&name));
        frame.draw(c, style);
        // The trials with the needed parameters, and the best of them.
        let with: Vec<usize> = (0..self.points.len())
            .filter(|&i| {
                let t = self.points[i].trial;
                xa.coord(t).is_some() && ya.is_none_or(|ya| ya.coord(t).is_some())
            })
            .collect();
        let keep: Vec<usize> = self
            .best
            .iter()
            .filter_map(|b| with.iter().position(|&i| i == *b))
            .collect();
        let mut drawn: Vec<usize> =
            crate::plots::common::subsample(with.len(), self.per_panel, &keep)
                .into_iter()
                .map(|j| with[j])
                .collect();
        // Worst first, so that the best are drawn on top.
        let lower_better = self.direction != Some(StudyDirection::Maximize);
        drawn.sort_by(|&a, &b| {
            let (ra, rb) = (self.ranks[a], self.ranks[b]);
            if lower_better {
                rb.total_cmp(&ra)
            } else {
                ra.total_cmp(&rb)
            }
        });
        let dots: Vec<Dot> = drawn
            .iter()
            .map(|&i| {
                let p = &self.points[i];
                let mut xv = xa.coord(p.trial).unwrap_or_default();
                if xa.is_categorical() {
                    xv += jitter(p.trial.number) * 0.3;
                }
                let yv = match ya {
                    Some(ya) => {
                        let mut v = ya.coord(p.trial).unwrap_or_default();
                        if ya.is_categorical() {
                            v += jitter(p.trial.number.wrapping_add(7_919)) * 0.3;
                        }
                        v
                    }
                    None => p.value,
                };
                let color = if p.trial.is_feasible() {
                    let k = (self.ranks[i] * (LEVELS - 1) as f64).round();
                    rank_color(k / (LEVELS - 1) as f64)
                } else {
                    named::INFEASIBLE
                };
                Dot {
                    x: frame.px(xv),
                    y: frame.py(yv),
                    color,
                    tip: self.tips.map(|n| trial_tooltip(p.trial, n, p.value)),
                }
            })
            .collect();
        let r = dot_radius(drawn.len(), frame.area.w * frame.area.h).min(4.0);
        let clip = frame.clip(c);
        c.begin_group(&Group::new().clip(clip).class("trials"));
        draw_dots(
            c,
            &dots,
            r,
            Style::new()
                .fill_opacity(dot_opacity(drawn.len()).max(0.6))
                .stroke(named::AXIS, 0.5),
        );
        c.end_group();
        c.end_group();
    }
}

/// Draws the rank colour bar in `area`: the red-yellow-blue gradient with the minimum,
/// quartiles and maximum of `values` labelled, `title` above and which end is best below.
fn rank_colorbar(
    c: &mut Canvas,
    area: Rect,
    values: &[f64],
    title: &str,
    direction: Option<StudyDirection>,
) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let bar_w = 12.0;
    let x = area.x + 10.0;
    let top = area.y + 26.0;
    let h = (area.h - 56.0).max(30.0);
    gradient_bar(c, Rect::new(x, top, bar_w, h), 20, rank_color);
    let label = TextStyle::new(10.0)
        .color(named::MUTED)
        .valign(VAlign::Middle);
    for (q, name) in [
        (0.0, "min."),
        (0.25, "25%"),
        (0.5, "50%"),
        (0.75, "75%"),
        (1.0, "max."),
    ] {
        bar_tick(
            c,
            x + bar_w,
            top + h * (1.0 - q),
            &format!("{name} ({})", format_number(quantile(&sorted, q))),
            &label,
        );
    }
    let max_chars = ((area.w - 4.0) / 6.0).max(4.0) as usize;
    c.text(
        area.x + 4.0,
        area.y + 12.0,
        &truncate(title, max_chars),
        &TextStyle::new(11.0).valign(VAlign::Middle),
    );
    let best = match direction {
        Some(StudyDirection::Maximize) => "best: max. (red)",
        Some(StudyDirection::Minimize) => "best: min. (blue)",
        None => "lower: blue",
    };
    c.text(
        area.x + 4.0,
        top + h + 18.0,
        best,
        &TextStyle::new(10.0)
            .color(named::MUTED)
            .valign(VAlign::Middle),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(rank_fractions(&[3.0, 1.0, 2.0]), vec![1.0, 0.0, 0.5]);
        // Sorted: 1, 2, 2, 5 at positions 0..3; the twos share 1.5.
        assert_eq!(
            rank_fractions(&[2.0, 5.0, 2.0, 1.0]),
            vec![0.5, 1.0, 0.5, 0.0]
        );
        assert_eq!(rank_fractions(&[4.0]), vec![0.5]);
    }

    #[test]
    fn lowest_is_blue_highest_red() {
        let lo = rank_color(0.0);
        let hi = rank_color(1.0);
        assert!(lo.b > lo.r, "{lo}");
        assert!(hi.r > hi.b, "{hi}");
        assert_eq!(lo, Color::hex(0x313695));
    }
}
