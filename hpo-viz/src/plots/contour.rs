//! Contour plot: the objective interpolated over pairs of parameters, observed trials on top
//! (Optuna's `plot_contour`).
//!
//! With two parameters, one plot; with more, a lower-triangular grid of every pair (at most
//! [`MAX_PARAMS`] parameters; choose others with `params`). The surface is a Nadaraya–Watson
//! estimate on a grid in normalised axis coordinates (log axes in log space, categories by
//! index): trials are binned, then smoothed with a Gaussian kernel whose width follows the data
//! density, plus a faint long-range term so that regions without trials take the value of the
//! nearest ones. Colours come in bands (a filled contour) from Optuna's blues, better values
//! darker; the colour scale is shared by all pairs.

use crate::axis::{AxesStyle, Frame, Scale};
use crate::canvas::{Canvas, Group, Style, TextStyle, VAlign};
use crate::color::{ColorScale, Colormap, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::legend::{COLORBAR_WIDTH, colorbar};
use crate::options::PlotOptions;
use crate::plots::common::{
    ParamAxis, Point, completed_points, frame_in, message_figure, or_message, select_params,
    subsample, tips_for, trial_tooltip,
};
use crate::plots::extras::pair_grid;

/// At most this many parameters (15 pairs) are drawn.
pub(crate) const MAX_PARAMS: usize = 6;
/// Grid cells per side for a single pair.
const GRID_SINGLE: usize = 60;
/// Colour bands.
const LEVELS: usize = 16;
/// Observed-trial dots drawn over all pairs at most.
const DOT_BUDGET: usize = 6000;

/// Draws the contour plot.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::Contour;
    let (target, points) = or_message!(completed_points(data, options, kind)?);
    let trials: Vec<_> = points.iter().map(|p| p.trial).collect();
    let params = select_params(data, &trials, options)?;
    if params.len() < 2 {
        return Ok(message_figure(
            kind.title(),
            options,
            &format!(
                "a contour plot needs at least two parameters; the completed trials of study `{}` have {}",
                data.name,
                match params.as_slice() {
                    [] => "none".to_owned(),
                    [p] => format!("only `{p}`"),
                    _ => unreachable!("checked above"),
                }
            ),
        ));
    }
    let (axes, total_params) = ParamAxis::first(&params, &trials, MAX_PARAMS);

    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.value), hi.max(p.value))
        });
    let colors = ColorScale::better_darker(Colormap::Blues, lo, hi, target.direction);
    let k = axes.len();
    let pairs = if k == 2 { 1 } else { k * (k - 1) / 2 };
    let dots_per_pair = (DOT_BUDGET / pairs).max(150);
    let tips = tips_for(points.len().min(dots_per_pair) * pairs, options);

    let min_height = if k == 2 {
        0
    } else {
        (70.0 + (k - 1) as f64 * 120.0) as u32
    };
    let mut page = Page::with_min_height(kind.title(), options, min_height.min(crate::MAX_SIZE));
    if total_params > MAX_PARAMS {
        page.subtitle(&format!(
            "showing the first {MAX_PARAMS} of {total_params} parameters; choose others with `params`"
        ));
    }
    let body = page.body();
    let (plots_area, bar_area) = body.split_right(COLORBAR_WIDTH);
    let draw = Pair {
        points: &points,
        colors: &colors,
        dots: dots_per_pair,
        tips: tips.then_some(target.name.as_str()),
    };
    let c = &mut page.canvas;

    if k == 2 {
        let style = AxesStyle::titled(&axes[0].name, &axes[1].name);
        let frame = frame_in(
            plots_area,
            axes[0].scale.clone(),
            axes[1].scale.clone(),
            &style,
            0.0,
        );
        draw.subplot(c, &frame, &axes[0], &axes[1], &style, GRID_SINGLE);
    } else {
        let font = 10.0;
        let n = k - 1;
        let scales: Vec<Scale> = axes.iter().map(|a| a.scale.clone()).collect();
        let grid_area = pair_grid(plots_area, &scales, font);
        let gap = 8.0;
        let cw = (grid_area.w - gap * (n - 1) as f64) / n as f64;
        let ch = (grid_area.h - gap * (n - 1) as f64) / n as f64;
        let cells = (cw.min(ch) / 4.0).clamp(16.0, 48.0) as usize;
        for r in 0..n {
            for col in 0..=r {
                let (xa, ya) = (&axes[col], &axes[r + 1]);
                let area = Rect::new(
                    grid_area.x + col as f64 * (cw + gap),
                    grid_area.y + r as f64 * (ch + gap),
                    cw,
                    ch,
                );
                let style = AxesStyle {
                    x_title: (r == n - 1).then_some(xa.name.as_str()),
                    y_title: (col == 0).then_some(ya.name.as_str()),
                    x_labels: r == n - 1,
                    y_labels: col == 0,
                    x_ticks: 4,
                    y_ticks: 4,
                    font,
                    ..AxesStyle::default()
                };
                let frame = Frame::new(area, xa.scale.clone(), ya.scale.clone());
                draw.subplot(c, &frame, xa, ya, &style, cells);
            }
        }
    }
    let bar = bar_area.inset(
        0.0,
        8.0,
        0.0,
        (bar_area.h * 0.25).min(bar_area.h - 120.0).max(0.0),
    );
    colorbar(c, bar, &colors, &target.name, false);
    Ok(page.finish(None))
}

/// What every subplot shares.
struct Pair<'a, 'b> {
    points: &'b [Point<'a>],
    colors: &'b ColorScale,
    dots: usize,
    tips: Option<&'b str>,
}

impl Pair<'_, '_> {
    fn subplot(
        &self,
        c: &mut Canvas,
        frame: &Frame,
        xa: &ParamAxis,
        ya: &ParamAxis,
        style: &AxesStyle<'_>,
        cells: usize,
    ) {
        let name = format!("{} / {}", xa.name, ya.name);
        c.begin_group(&Group::new().class("subplot").name(&name));
        frame.draw(c, style);
        let mut samples: Vec<(f64, f64, f64, usize)> = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            if let (Some(x), Some(y)) = (xa.coord(p.trial), ya.coord(p.trial)) {
                samples.push((xa.norm(x), ya.norm(y), p.value, i));
            }
        }
        let a = frame.area;
        if samples.is_empty() {
            c.text(
                a.cx(),
                a.cy(),
                "no trial has both",
                &TextStyle::new(11.0)
                    .middle()
                    .valign(VAlign::Middle)
                    .color(named::MUTED),
            );
            c.end_group();
            return;
        }
        let z = interpolate(&samples, cells);
        let clip = frame.clip(c);
        c.begin_group(&Group::new().clip(clip).class("surface"));
        let (cw, chh) = (a.w / cells as f64, a.h / cells as f64);
        for j in 0..cells {
            let y = a.bottom() - (j + 1) as f64 * chh;
            let mut i = 0;
            while i < cells {
                let (level, color) = self.colors.quantized(z[j * cells + i], LEVELS);
                let mut end = i + 1;
                while end < cells && self.colors.quantized(z[j * cells + end], LEVELS).0 == level {
                    end += 1;
                }
                c.rect(
                    a.x + i as f64 * cw,
                    y,
                    (end - i) as f64 * cw + 0.6,
                    chh + 0.6,
                    &Style::filled(color),
                );
                i = end;
            }
        }
        c.end_group();
        // Observed trials: black dots with a light edge, as Optuna draws them.
        let keep: Vec<usize> = Vec::new();
        let drawn = subsample(samples.len(), self.dots, &keep);
        let r = if drawn.len() > 500 { 1.6 } else { 2.6 };
        c.begin_group(
            &Group::new().clip(clip).class("trials").style(
                Style::filled(named::BLACK)
                    .fill_opacity(if drawn.len() > 500 { 0.55 } else { 0.85 })
                    .stroke(named::WHITE, if drawn.len() > 500 { 0.0 } else { 0.8 }),
            ),
        );
        for &s in &drawn {
            let (nx, ny, v, i) = samples[s];
            let (px, py) = (a.x + nx * a.w, a.bottom() - ny * a.h);
            let fill = if self.points[i].trial.is_feasible() {
                Style::new()
            } else {
                Style::new().fill(named::INFEASIBLE)
            };
            match self.tips {
                Some(name) => c.circle_tip(
                    px,
                    py,
                    r,
                    &fill,
                    &trial_tooltip(self.points[i].trial, name, v),
                ),
                None => c.circle(px, py, r, &fill),
            }
        }
        c.end_group();
        c.end_group();
    }
}

/// The surface on a `g` × `g` grid over `[0, 1]²` (row-major, row 0 at the bottom) from samples
/// `(x, y, z, _)` with normalised coordinates.
fn interpolate(samples: &[(f64, f64, f64, usize)], g: usize) -> Vec<f64> {
    let cell = |v: f64| ((v * g as f64).floor().max(0.0) as usize).min(g - 1);
    let mut sum = vec![0.0; g * g];
    let mut count = vec![0.0; g * g];
    for &(x, y, z, _) in samples {
        let k = cell(y) * g + cell(x);
        sum[k] += z;
        count[k] += 1.0;
    }
    let bins: Vec<usize> = (0..g * g).filter(|&k| count[k] > 0.0).collect();
    // Bandwidth in cells: about half the typical spacing of occupied bins, at least 1.2 cells.
    let sigma = (0.5 * g as f64 / (bins.len() as f64).sqrt()).max(1.2);
    // Kernel by cell offset: Gaussian plus a faint heavy tail that fills empty regions.
    let kernel: Vec<f64> = (0..g * g)
        .map(|k| {
            let (dj, di) = ((k / g) as f64, (k % g) as f64);
            let d2 = (di * di + dj * dj) / (sigma * sigma);
            (-0.5 * d2).exp() + 1e-6 / (1.0 + d2 * d2)
        })
        .collect();
    let mean = sum.iter().sum::<f64>() / count.iter().sum::<f64>().max(1.0);
    let mut out = vec![mean; g * g];
    for j in 0..g {
        for i in 0..g {
            let (mut num, mut den) = (0.0, 0.0);
            for &b in &bins {
                let (bj, bi) = (b / g, b % g);
                let w = kernel[bj.abs_diff(j) * g + bi.abs_diff(i)];
                num += w * sum[b];
                den += w * count[b];
            }
            if den > 0.0 {
                out[j * g + i] = num / den;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_follows_the_data() {
        // z = x on a few scattered points: the surface must increase left to right and stay
        // within the observed range.
        let samples: Vec<(f64, f64, f64, usize)> = (0..30)
            .map(|i| {
                let x = (i as f64 * 0.618).fract();
                let y = (i as f64 * 0.414).fract();
                (x, y, x * 10.0, i)
            })
            .collect();
        let g = 20;
        let z = interpolate(&samples, g);
        assert!(z.iter().all(|v| (0.0..=10.0).contains(v)));
        let row = g / 2;
        assert!(z[row * g + 1] < z[row * g + g / 2]);
        assert!(z[row * g + g / 2] < z[row * g + g - 2]);
    }

    #[test]
    fn single_sample_fills_everything() {
        let z = interpolate(&[(0.5, 0.5, 3.0, 0)], 10);
        assert!(z.iter().all(|v| (*v - 3.0).abs() < 1e-12));
    }
}
