//! Optimization history: the value of every completed trial by trial number, and the best value
//! so far (Optuna's `plot_optimization_history`).
//!
//! As in Optuna, infeasible trials (violated constraints) are grey and do not count towards the
//! best value, and a custom target draws no best line (its direction is unknown). For big
//! studies the dots shrink and turn translucent, and at most [`MAX_POINTS`] are drawn (evenly
//! sampled, always keeping the trials that improved the best value); the best line is exact.

use crate::axis::{AxesStyle, Scale};
use crate::canvas::{Group, Style};
use crate::color::named;
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::Page;
use crate::legend::{LegendItem, Mark, legend_row};
use crate::options::PlotOptions;
use crate::plots::common::{
    Dot, MAX_POINTS, TOOLTIP_LIMIT, completed_points, dot_opacity, dot_radius, draw_dots, frame_in,
    sampled_note, subsample, trial_tooltip, value_scale,
};

/// Draws the optimization history.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::History;
    let (target, points) = match completed_points(data, options, kind)? {
        Ok(found) => found,
        Err(message) => return Ok(message),
    };

    // Best value so far over feasible trials, as a step line through the improvements.
    let last_number = data.trials.last().map_or(0, |t| t.number) as f64;
    let mut improvements: Vec<usize> = Vec::new();
    let mut best_line: Vec<(f64, f64)> = Vec::new();
    if !target.is_custom() {
        let mut best: Option<f64> = None;
        for (i, p) in points.iter().enumerate() {
            if !p.trial.is_feasible() {
                continue;
            }
            if best.is_none_or(|b| target.is_better(p.value, b)) {
                let n = p.trial.number as f64;
                if let Some(b) = best {
                    best_line.push((n, b));
                }
                best_line.push((n, p.value));
                best = Some(p.value);
                improvements.push(i);
            }
        }
        if let Some(b) = best {
            best_line.push((last_number, b));
        }
    }

    let drawn = subsample(points.len(), MAX_POINTS, &improvements);
    let mut page = Page::from_options(kind.title(), options);
    if let Some(note) = sampled_note(drawn.len(), points.len(), "trials") {
        page.subtitle(&note);
    }
    let first_number = data.trials.first().map_or(0, |t| t.number) as f64;
    let x = Scale::linear(first_number, last_number.max(first_number));
    let y = value_scale(points.iter().map(|p| p.value));
    let axes = AxesStyle::titled("Trial", &target.name);
    let (legend_strip, plot_body) = page.body().split_top(20.0);
    let frame = frame_in(plot_body, x, y, &axes, 0.0);
    let c = &mut page.canvas;
    frame.draw(c, &axes);

    let r = dot_radius(drawn.len(), frame.area.w * frame.area.h);
    let tips = drawn.len() <= TOOLTIP_LIMIT;
    let mut infeasible = false;
    let dots: Vec<Dot> = drawn
        .iter()
        .map(|&i| {
            let p = &points[i];
            let feasible = p.trial.is_feasible();
            infeasible |= !feasible;
            Dot {
                x: frame.px(p.trial.number as f64),
                y: frame.py(p.value),
                color: if feasible {
                    named::BLUE
                } else {
                    named::INFEASIBLE
                },
                tip: tips.then(|| trial_tooltip(p.trial, &target.name, p.value)),
            }
        })
        .collect();
    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip));
    c.begin_group(&Group::new().class("trials"));
    draw_dots(
        c,
        &dots,
        r,
        Style::new()
            .fill_opacity(dot_opacity(drawn.len()))
            .stroke(named::WHITE, if drawn.len() > 1000 { 0.0 } else { 0.6 }),
    );
    c.end_group();
    if !best_line.is_empty() {
        let pts: Vec<(f64, f64)> = best_line
            .iter()
            .map(|&(n, v)| (frame.px(n), frame.py(v)))
            .collect();
        c.begin_group(&Group::new().class("best-line"));
        c.polyline(&pts, &Style::stroked(named::RED, 2.0));
        c.end_group();
    }
    c.end_group();

    let mut items = vec![LegendItem::new(target.name.clone(), Mark::Dot(named::BLUE))];
    if !best_line.is_empty() {
        items.push(LegendItem::new(
            "Best Value",
            Mark::Line {
                color: named::RED,
                width: 2.0,
                dash: None,
            },
        ));
    }
    if infeasible {
        items.push(LegendItem::new(
            "Infeasible Trial",
            Mark::Dot(named::INFEASIBLE),
        ));
    }
    legend_row(c, frame.area.right(), legend_strip.cy(), &items);
    Ok(page.finish(None))
}
