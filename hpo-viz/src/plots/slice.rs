//! Slice plot: the value of every completed trial against each parameter, one subplot per
//! parameter, dots coloured by trial number (Optuna's `plot_slice`).
//!
//! Log-scale parameters get log axes, categorical ones a categorical axis (dots jittered a
//! little within their category so that piles stay readable). Subplots share the value axis
//! and are laid out in a grid that grows the page when there are many parameters. Infeasible
//! trials are grey. Big studies are subsampled per subplot, keeping the best trials.

use crate::axis::AxesStyle;
use crate::canvas::Group;
use crate::color::{ColorScale, Colormap, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, grid, grid_shape};
use crate::legend::{COLORBAR_WIDTH, colorbar};
use crate::options::PlotOptions;
use crate::plots::common::{
    Dot, MAX_POINTS, ParamAxis, best_indices, completed_points, dot_radius, dots_style, draw_dots,
    frame_in, or_message, params_to_plot, sampled_note, subsample, tips_for, trial_tooltip,
    value_scale,
};

/// Dots drawn over all subplots at most (each subplot gets a share, at least 300).
const DOT_BUDGET: usize = 9000;
/// Minimum subplot width in pixels before the grid wraps.
const MIN_CELL_W: f64 = 210.0;
/// Minimum subplot height in pixels before the page grows.
const MIN_CELL_H: f64 = 190.0;

/// Draws the slice plot.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::Slice;
    let (target, points) = or_message!(completed_points(data, options, kind)?);
    let trials: Vec<_> = points.iter().map(|p| p.trial).collect();
    let params = or_message!(params_to_plot(data, kind.title(), &trials, options)?);

    let (w, h) = options.dimensions();
    let plot_w = w as f64 - COLORBAR_WIDTH - 20.0;
    let max_cols = ((plot_w / MIN_CELL_W).floor() as usize).max(1);
    let (rows, cols) = grid_shape(params.len(), plot_w, h as f64 - 60.0, 1.3, max_cols);
    let min_height = (60.0 + rows as f64 * MIN_CELL_H) as u32;
    let mut page = Page::with_min_height(kind.title(), options, min_height.min(crate::MAX_SIZE));

    let per_plot = (DOT_BUDGET / params.len()).clamp(300, MAX_POINTS);
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let best = best_indices(&values, 0.02, |a, b| target.is_better(a, b));
    if let Some(note) = sampled_note(
        per_plot.min(points.len()),
        points.len(),
        "trials per subplot",
    ) {
        page.subtitle(&note);
    }
    let body = page.body();
    let (plots_area, bar_area) = body.split_right(COLORBAR_WIDTH);
    let plots_area = plots_area.inset(0.0, 0.0, 10.0, 0.0);
    let cells = grid(plots_area, rows, cols, params.len(), 6.0, 6.0);

    let y_scale = value_scale(values.iter().copied());
    let numbers = points.iter().map(|p| p.trial.number as f64);
    let (lo, hi) = numbers.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), n| {
        (lo.min(n), hi.max(n))
    });
    let mut colors = ColorScale::new(Colormap::Viridis, lo, hi);
    colors.reverse = true; // later trials darker, as in Optuna's blues
    let tips = tips_for(per_plot.min(points.len()) * params.len(), options);

    let c = &mut page.canvas;
    for (k, (name, cell)) in params.iter().zip(&cells).enumerate() {
        let axis = match ParamAxis::build(name, &trials) {
            Some(a) => a,
            None => continue,
        };
        let first_col = k % cols == 0;
        let axes = AxesStyle {
            x_title: Some(name),
            y_title: first_col.then_some(target.name.as_str()),
            x_ticks: if cols > 2 { 4 } else { 6 },
            y_ticks: 5,
            ..AxesStyle::default()
        };
        let frame = frame_in(*cell, axis.scale.clone(), y_scale.clone(), &axes, 0.0);
        c.begin_group(&Group::new().class("subplot").name(name));
        frame.draw(c, &axes);
        let with_param: Vec<usize> = (0..points.len())
            .filter(|&i| axis.coord(points[i].trial).is_some())
            .collect();
        let keep: Vec<usize> = best
            .iter()
            .filter_map(|b| with_param.iter().position(|&i| i == *b))
            .collect();
        let drawn = subsample(with_param.len(), per_plot, &keep);
        let jitter = axis.is_categorical();
        let dots: Vec<Dot> = drawn
            .iter()
            .map(|&j| {
                let p = &points[with_param[j]];
                let mut xv = axis.coord(p.trial).unwrap_or_default();
                if jitter {
                    xv += jitter_of(p.trial.number) * 0.3;
                }
                let color = if p.trial.is_feasible() {
                    colors.quantized(p.trial.number as f64, 32).1
                } else {
                    named::INFEASIBLE
                };
                Dot {
                    x: frame.px(xv),
                    y: frame.py(p.value),
                    color,
                    tip: tips.then(|| trial_tooltip(p.trial, &target.name, p.value)),
                }
            })
            .collect();
        let r = dot_radius(drawn.len(), frame.area.w * frame.area.h).min(3.5);
        let clip = frame.clip(c);
        c.begin_group(&Group::new().clip(clip).class("trials"));
        draw_dots(c, &dots, r, dots_style(drawn.len(), named::AXIS, 0.5));
        c.end_group();
        c.end_group();
    }
    let bar = bar_area.inset(0.0, 8.0, 0.0, bar_area.h * 0.25);
    colorbar(c, bar, &colors, "Trial", true);
    Ok(page.finish(None))
}

/// A deterministic offset in `[-0.5, 0.5)` for trial `n`.
fn jitter_of(n: u64) -> f64 {
    let mut x = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}
