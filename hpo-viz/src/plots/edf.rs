//! Empirical distribution function: for each value x, the fraction of completed trials whose
//! objective (or target) value is at most x (Optuna's `plot_edf`).
//!
//! Like Optuna, several studies can be compared (one line each, in palette colours; one study
//! is drawn in blue). Optuna samples the function at 100 points; here it is drawn exactly, as
//! a step line rising by `1/n` at each value (ties rise together), from 0 left of the smallest
//! value to 1 right of the largest. Like Optuna, every Complete trial with a finite value
//! counts (constraints are not considered), and a multi-objective study needs a target or an
//! objective index.
//!
//! Big studies: the exact steps are merged where they fall on the same pixel column, so the
//! line never has more than a few points per pixel of width whatever the number of trials.

use crate::axis::{AxesStyle, Scale, format_number};
use crate::canvas::{Group, Style};
use crate::color::{named, palette};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::Page;
use crate::legend::{LegendItem, Mark};
use crate::options::PlotOptions;
use crate::plots::common::{completed_series, frame_in, or_message, value_scale};
use crate::plots::extras::{legend_in_emptiest_corner, trace};

/// Colour of the EDF line.
const LINE: crate::color::Color = named::BLUE;

/// Draws the EDF plot of one study.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    render_many(std::slice::from_ref(data), options)
}

/// Draws the EDF plot of `studies` (at least one), one line per study with completed trials.
pub(crate) fn render_many(
    studies: &[StudyData],
    options: &PlotOptions,
) -> hpo_core::Result<Figure> {
    let kind = PlotKind::Edf;
    let (series, notice) = or_message!(completed_series(studies, options, kind)?);
    let single = studies.len() == 1;
    let sorted: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            let mut values: Vec<f64> = s.points.iter().map(|p| p.value).collect();
            values.sort_by(f64::total_cmp);
            values
        })
        .collect();

    let mut page = Page::from_options(kind.title(), options);
    if let Some(notice) = &notice {
        page.subtitle(&format!("not drawn: {notice}"));
    }
    let x = value_scale(sorted.iter().flatten().copied());
    let (x_lo, x_hi) = (x.invert(0.0), x.invert(1.0));
    let axes = AxesStyle::titled(&series[0].target.name, "Cumulative Probability");
    let frame = frame_in(page.body(), x, Scale::linear_exact(0.0, 1.0), &axes, 0.0);
    let c = &mut page.canvas;
    frame.draw(c, &axes);

    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip).class("edf"));
    let mut marks = Vec::new();
    let mut items = Vec::new();
    for (s, values) in series.iter().zip(&sorted) {
        let color = if single { LINE } else { palette(s.index) };
        let n = values.len();
        let steps = edf_steps(values, x_lo, x_hi);
        let pixels: Vec<(f64, f64)> = steps
            .iter()
            .map(|&(v, f)| (frame.px(v), frame.py(f)))
            .collect();
        let line = simplify_staircase(&pixels);
        let of = if single {
            String::new()
        } else {
            format!(" in study {}", s.data.name)
        };
        let tip = format!(
            "EDF of {}{of} over {n} completed trial{}\nmin {}, median {}, max {}",
            s.target.name,
            if n == 1 { "" } else { "s" },
            format_number(values[0]),
            format_number(crate::plots::extras::quantile(values, 0.5)),
            format_number(values[n - 1]),
        );
        c.titled(&tip, |c| c.polyline(&line, &Style::stroked(color, 2.0)));
        trace(&line, 10.0, &mut marks);
        items.push(LegendItem::new(
            format!(
                "{} ({n} trial{})",
                s.data.name,
                if n == 1 { "" } else { "s" }
            ),
            Mark::Line {
                color,
                width: 2.0,
                dash: None,
            },
        ));
    }
    c.end_group();
    legend_in_emptiest_corner(c, frame.area, &items, &marks);
    Ok(page.finish(notice))
}

/// The EDF of `sorted` (ascending, non-empty) as staircase vertices from (`x_lo`, 0) to
/// (`x_hi`, 1): at each distinct value the line rises to the fraction of values at most it.
fn edf_steps(sorted: &[f64], x_lo: f64, x_hi: f64) -> Vec<(f64, f64)> {
    let n = sorted.len() as f64;
    let mut out = vec![(x_lo.min(sorted[0]), 0.0)];
    let mut below = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == v {
            j += 1;
        }
        let at_most = j as f64 / n;
        out.push((v, below));
        out.push((v, at_most));
        below = at_most;
        i = j;
    }
    out.push((x_hi.max(sorted[sorted.len() - 1]), 1.0));
    out
}

/// A staircase (in pixels, x non-decreasing) with the vertices that add nothing removed: runs
/// of points on one vertical (within 0.3 px, keeping the run's lowest and highest) or one
/// horizontal are shortened to their ends.
fn simplify_staircase(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len().min(4096));
    for &p in points {
        let k = out.len();
        if k >= 2 {
            let (a, b) = (out[k - 2], out[k - 1]);
            let vertical = (a.0 - b.0).abs() < 0.3 && (b.0 - p.0).abs() < 0.3;
            let horizontal = (a.1 - b.1).abs() < 1e-9 && (b.1 - p.1).abs() < 1e-9;
            if vertical || horizontal {
                out[k - 1] = (if vertical { a.0 } else { p.0 }, p.1);
                continue;
            }
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_rise_by_one_over_n_with_ties_together() {
        let s = edf_steps(&[1.0, 2.0, 2.0, 4.0], 0.0, 5.0);
        assert_eq!(
            s,
            vec![
                (0.0, 0.0),
                (1.0, 0.0),
                (1.0, 0.25),
                (2.0, 0.25),
                (2.0, 0.75),
                (4.0, 0.75),
                (4.0, 1.0),
                (5.0, 1.0)
            ]
        );
    }

    #[test]
    fn staircase_is_merged_per_pixel() {
        // 10 000 values packed in 100 px: the merged line keeps a few points per pixel.
        let values: Vec<f64> = (0..10_000).map(|i| i as f64 / 100.0).collect();
        let steps = edf_steps(&values, -1.0, 101.0);
        let px: Vec<(f64, f64)> = steps.iter().map(|&(v, f)| (v, 500.0 - 400.0 * f)).collect();
        let line = simplify_staircase(&px);
        assert!(line.len() < 800, "{}", line.len());
        assert_eq!(line.first(), px.first());
        assert_eq!(line.last(), px.last());
        for w in line.windows(2) {
            assert!(w[1].0 >= w[0].0 && w[1].1 <= w[0].1 + 1e-9, "{w:?}");
        }
    }
}
