//! Optimization history: the value of every completed trial by trial number, and the best value
//! so far (Optuna's `plot_optimization_history`), for one study or several compared.
//!
//! As in Optuna, infeasible trials (violated constraints) are grey and do not count towards the
//! best value, and a custom target draws no best line (its direction is unknown). For big
//! studies the dots shrink and turn translucent, and at most [`MAX_POINTS`] are drawn in all
//! (split evenly between the studies, evenly sampled, always keeping the trials that improved
//! the best value); the best lines are exact.
//!
//! Several studies: each study's dots and best line in its own palette colour, one legend entry
//! per study. With [`PlotOptions::error_bar`], Optuna's `error_bar=True`: the mean value per
//! trial number across the studies (feasible trials only) with ±1 standard deviation error
//! bars, and the mean best value so far with a ±1 standard deviation band.

use std::collections::BTreeMap;

use crate::axis::{AxesStyle, Frame, Scale, format_number};
use crate::canvas::{Canvas, Group, Style};
use crate::color::{Color, named, palette};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::Page;
use crate::legend::{LegendItem, Mark, legend_row};
use crate::options::PlotOptions;
use crate::plots::common::{
    Dot, MAX_POINTS, Point, Series, TargetSpec, completed_series, dot_opacity, dot_radius,
    dots_style, draw_dots, frame_in, or_message, sampled_note, subsample, tips_for, trial_tooltip,
    value_scale,
};
use crate::plots::extras::{legend_in_emptiest_corner, trace};

/// Draws the optimization history of one study.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    render_many(std::slice::from_ref(data), options)
}

/// The best value so far of a study, as a step line through the improvements.
struct BestLine {
    /// Indices (into the points) of the trials that improved the best value.
    improvements: Vec<usize>,
    /// The step line's vertices (trial number, best value); empty for a custom target.
    line: Vec<(f64, f64)>,
}

/// The best value so far over the feasible `points`, held until trial `last_number`.
fn best_line(points: &[Point<'_>], target: &TargetSpec, last_number: f64) -> BestLine {
    let mut improvements: Vec<usize> = Vec::new();
    let mut line: Vec<(f64, f64)> = Vec::new();
    if !target.is_custom() {
        let mut best: Option<f64> = None;
        for (i, p) in points.iter().enumerate() {
            if !p.trial.is_feasible() {
                continue;
            }
            if best.is_none_or(|b| target.is_better(p.value, b)) {
                let n = p.trial.number as f64;
                if let Some(b) = best {
                    line.push((n, b));
                }
                line.push((n, p.value));
                best = Some(p.value);
                improvements.push(i);
            }
        }
        if let Some(b) = best {
            line.push((last_number, b));
        }
    }
    BestLine { improvements, line }
}

/// The trial-number axis over every trial of `studies`.
fn number_scale(studies: &[StudyData]) -> (f64, f64) {
    let first = studies
        .iter()
        .filter_map(|d| d.trials.first())
        .map(|t| t.number)
        .min()
        .unwrap_or(0) as f64;
    let last = studies
        .iter()
        .filter_map(|d| d.trials.last())
        .map(|t| t.number)
        .max()
        .unwrap_or(0) as f64;
    (first, last.max(first))
}

/// Draws the optimization history of `studies` (at least one): one series per study, or with
/// [`PlotOptions::error_bar`] and several studies, their mean and spread.
pub(crate) fn render_many(
    studies: &[StudyData],
    options: &PlotOptions,
) -> hpo_core::Result<Figure> {
    let kind = PlotKind::History;
    let (series, notice) = or_message!(completed_series(studies, options, kind)?);
    if studies.len() > 1 && options.shows_error_bar() {
        return Ok(render_error_bar(studies, &series, notice, options));
    }
    let single = studies.len() == 1;
    let cap = (MAX_POINTS / series.len()).max(1);
    let bests: Vec<BestLine> = series
        .iter()
        .map(|s| {
            let last = s.data.trials.last().map_or(0, |t| t.number) as f64;
            best_line(&s.points, &s.target, last)
        })
        .collect();
    let drawn: Vec<Vec<usize>> = series
        .iter()
        .zip(&bests)
        .map(|(s, b)| subsample(s.points.len(), cap, &b.improvements))
        .collect();
    let n_drawn: usize = drawn.iter().map(Vec::len).sum();
    let n_points: usize = series.iter().map(|s| s.points.len()).sum();

    let target_name = &series[0].target.name;
    let mut page = Page::from_options(kind.title(), options);
    if let Some(note) = sampled_note(n_drawn, n_points, "trials") {
        page.subtitle(&note);
    }
    if let Some(notice) = &notice {
        page.subtitle(&format!("not drawn: {notice}"));
    }
    let (first_number, last_number) = number_scale(studies);
    let x = Scale::linear(first_number, last_number);
    let y = value_axis(&series, options, &mut page);
    let axes = AxesStyle::titled("Trial", target_name);
    let (legend_strip, plot_body) = if single {
        page.body().split_top(20.0)
    } else {
        (page.body(), page.body())
    };
    let frame = frame_in(plot_body, x, y, &axes, 0.0);
    let c = &mut page.canvas;
    frame.draw(c, &axes);

    let mut marks: Vec<(f64, f64)> = Vec::new();
    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip));
    let infeasible = draw_series_dots(c, &frame, &series, &drawn, single, options, &mut marks);
    draw_best_lines(c, &frame, &series, &bests, single, &mut marks);
    c.end_group();

    let items = legend_items(&series, &bests, single, infeasible);
    if single {
        legend_row(c, frame.area.right(), legend_strip.cy(), &items);
    } else {
        legend_in_emptiest_corner(c, frame.area, &items, &marks);
    }
    Ok(page.finish(notice))
}

/// The colours of a series' dots and best line: Optuna's blue dots and red best line for one
/// study, a palette colour each for several.
fn colors(single: bool, s: &Series<'_>) -> (Color, Color) {
    if single {
        (named::BLUE, named::RED)
    } else {
        (palette(s.index), palette(s.index))
    }
}

/// The value axis: logarithmic when asked for ([`PlotOptions::log_values`]) and every value is
/// positive (else linear, and the subtitle says why), linear otherwise.
fn value_axis(series: &[Series<'_>], options: &PlotOptions, page: &mut Page) -> Scale {
    let values = || series.iter().flat_map(|s| s.points.iter().map(|p| p.value));
    if !options.shows_log_values() {
        value_scale(values())
    } else if values().all(|v| v > 0.0) {
        let (lo, hi) = values().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        Scale::log(lo, hi)
    } else {
        page.subtitle("linear scale: some values are not positive");
        value_scale(values())
    }
}

/// Draws each series' `drawn` dots (grey when infeasible; with the study's name in the tooltip
/// unless `single`), adding their positions to `marks` for the legend placement unless
/// `single`. Returns whether an infeasible dot was drawn.
fn draw_series_dots(
    c: &mut Canvas,
    frame: &Frame,
    series: &[Series<'_>],
    drawn: &[Vec<usize>],
    single: bool,
    options: &PlotOptions,
    marks: &mut Vec<(f64, f64)>,
) -> bool {
    let n_drawn: usize = drawn.iter().map(Vec::len).sum();
    let r = dot_radius(n_drawn, frame.area.w * frame.area.h);
    let tips = tips_for(n_drawn, options);
    let dot_style = Style::new()
        .fill_opacity(dot_opacity(n_drawn))
        .stroke(named::WHITE, if n_drawn > 1000 { 0.0 } else { 0.6 });
    let mut infeasible = false;
    for (s, idx) in series.iter().zip(drawn) {
        let (dot_color, _) = colors(single, s);
        let dots: Vec<Dot> = idx
            .iter()
            .map(|&i| {
                let p = &s.points[i];
                let feasible = p.trial.is_feasible();
                infeasible |= !feasible;
                Dot {
                    x: frame.px(p.trial.number as f64),
                    y: frame.py(p.value),
                    color: if feasible {
                        dot_color
                    } else {
                        named::INFEASIBLE
                    },
                    tip: tips.then(|| {
                        let tip = trial_tooltip(p.trial, &s.target.name, p.value);
                        if single {
                            tip
                        } else {
                            format!("Study {}\n{tip}", s.data.name)
                        }
                    }),
                }
            })
            .collect();
        if !single {
            marks.extend(dots.iter().map(|d| (d.x, d.y)));
        }
        let name = (!single).then_some(s.data.name.as_str());
        c.begin_group(&Group {
            name,
            ..Group::new().class("trials")
        });
        draw_dots(c, &dots, r, dot_style);
        c.end_group();
    }
    infeasible
}

/// Draws each series' best-so-far step line (none for a custom target), adding its trace to
/// `marks` unless `single`.
fn draw_best_lines(
    c: &mut Canvas,
    frame: &Frame,
    series: &[Series<'_>],
    bests: &[BestLine],
    single: bool,
    marks: &mut Vec<(f64, f64)>,
) {
    for (s, b) in series.iter().zip(bests) {
        if b.line.is_empty() {
            continue;
        }
        let (_, line_color) = colors(single, s);
        let pts: Vec<(f64, f64)> = b
            .line
            .iter()
            .map(|&(n, v)| (frame.px(n), frame.py(v)))
            .collect();
        if !single {
            trace(&pts, 10.0, marks);
        }
        let name = (!single).then_some(s.data.name.as_str());
        c.begin_group(&Group {
            name,
            ..Group::new().class("best-line")
        });
        c.polyline(&pts, &Style::stroked(line_color, 2.0));
        c.end_group();
    }
}

/// The legend: the value and the best line for one study (`single`), one entry per study for
/// several, and the infeasible dots if any were drawn.
fn legend_items(
    series: &[Series<'_>],
    bests: &[BestLine],
    single: bool,
    infeasible: bool,
) -> Vec<LegendItem> {
    let mut items = Vec::new();
    if single {
        items.push(LegendItem::new(
            series[0].target.name.clone(),
            Mark::Dot(named::BLUE),
        ));
        if !bests[0].line.is_empty() {
            items.push(LegendItem::new(
                "Best Value",
                Mark::Line {
                    color: named::RED,
                    width: 2.0,
                    dash: None,
                },
            ));
        }
    } else {
        for (s, b) in series.iter().zip(bests) {
            let color = palette(s.index);
            let mark = if b.line.is_empty() {
                Mark::Dot(color)
            } else {
                Mark::Line {
                    color,
                    width: 2.0,
                    dash: None,
                }
            };
            items.push(LegendItem::new(s.data.name.clone(), mark));
        }
    }
    if infeasible {
        items.push(LegendItem::new(
            "Infeasible Trial",
            Mark::Dot(named::INFEASIBLE),
        ));
    }
    items
}

/// Mean and population standard deviation (numpy's `std`) of `values` (non-empty).
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// One trial number of the error-bar plot.
struct Aggregate {
    /// Trial number.
    number: u64,
    /// Mean and standard deviation of the feasible values at this number, over the studies that
    /// have one, and how many do.
    value: (f64, f64, usize),
    /// Mean and standard deviation of the best value so far, over the studies that have a trial
    /// of this number and a feasible best by then (`None` for a custom target).
    best: Option<(f64, f64)>,
}

/// Optuna's aggregation for `error_bar=True`: for each trial number at which some study has a
/// feasible completed trial, the mean and spread of those trials' values, and of the studies'
/// best values so far.
fn aggregate(series: &[Series<'_>]) -> Vec<Aggregate> {
    // number -> (feasible values, best values so far)
    let mut at: BTreeMap<u64, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let custom = series[0].target.is_custom();
    for s in series {
        let mut points = s.points.iter().peekable();
        let mut best: Option<f64> = None;
        for t in &s.data.trials {
            let point = points.next_if(|p| std::ptr::eq(p.trial, t.as_ref()));
            let entry = at.entry(t.number).or_default();
            if let Some(p) = point
                && p.trial.is_feasible()
            {
                entry.0.push(p.value);
                if best.is_none_or(|b| s.target.is_better(p.value, b)) {
                    best = Some(p.value);
                }
            }
            if let Some(b) = best {
                entry.1.push(b);
            }
        }
    }
    at.into_iter()
        .filter(|(_, (values, _))| !values.is_empty())
        .map(|(number, (values, bests))| {
            let (m, s) = mean_std(&values);
            Aggregate {
                number,
                value: (m, s, values.len()),
                best: (!custom && !bests.is_empty()).then(|| mean_std(&bests)),
            }
        })
        .collect()
}

/// The history of several studies as their mean and ±1 standard deviation per trial number:
/// mean values as dots with error bars, mean best value so far as a line in a band.
fn render_error_bar(
    studies: &[StudyData],
    series: &[Series<'_>],
    notice: Option<String>,
    options: &PlotOptions,
) -> Figure {
    let kind = PlotKind::History;
    let rows = aggregate(series);
    let target_name = &series[0].target.name;
    let drawn = subsample(rows.len(), MAX_POINTS, &[]);
    let mut page = Page::from_options(kind.title(), options);
    page.subtitle(&format!(
        "mean ± 1 std over {} studies{}",
        series.len(),
        sampled_note(drawn.len(), rows.len(), "trial numbers")
            .map_or(String::new(), |n| format!("; {n}"))
    ));
    if let Some(notice) = &notice {
        page.subtitle(&format!("not drawn: {notice}"));
    }
    let (first_number, last_number) = number_scale(studies);
    let x = Scale::linear(first_number, last_number);
    let y = value_scale(rows.iter().flat_map(|r| {
        let (m, s, _) = r.value;
        let (bm, bs) = r.best.unwrap_or((m, s));
        [m - s, m + s, bm - bs, bm + bs]
    }));
    let axes = AxesStyle::titled("Trial", target_name);
    let (legend_strip, plot_body) = page.body().split_top(20.0);
    let frame = frame_in(plot_body, x, y, &axes, 0.0);
    let c = &mut page.canvas;
    frame.draw(c, &axes);

    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip));
    let best: Vec<(f64, f64, f64)> = rows
        .iter()
        .filter_map(|r| r.best.map(|(m, s)| (frame.px(r.number as f64), m, s)))
        .collect();
    if !best.is_empty() {
        let mut band: Vec<(f64, f64)> = best
            .iter()
            .map(|&(px, m, s)| (px, frame.py(m + s)))
            .collect();
        band.extend(best.iter().rev().map(|&(px, m, s)| (px, frame.py(m - s))));
        c.begin_group(&Group::new().class("best-band"));
        c.polygon(&band, &Style::filled(named::RED).fill_opacity(0.2));
        c.end_group();
    }
    let r = dot_radius(drawn.len(), frame.area.w * frame.area.h);
    let mut bars = String::new();
    for &i in &drawn {
        let (m, s, _) = rows[i].value;
        if s > 0.0 {
            let px = frame.px(rows[i].number as f64);
            bars.push_str(&format!(
                "M{:.2} {:.2}V{:.2}",
                px,
                frame.py(m + s),
                frame.py(m - s)
            ));
        }
    }
    c.begin_group(&Group::new().class("error-bars"));
    if !bars.is_empty() {
        c.path(&bars, &Style::stroked(named::BLUE, 1.0).stroke_opacity(0.6));
    }
    c.end_group();
    let tips = tips_for(drawn.len(), options);
    let dots: Vec<Dot> = drawn
        .iter()
        .map(|&i| {
            let row = &rows[i];
            let (m, s, k) = row.value;
            Dot {
                x: frame.px(row.number as f64),
                y: frame.py(m),
                color: named::BLUE,
                tip: tips.then(|| {
                    let mut tip = format!(
                        "Trial {}\n{target_name}: mean {} ± {} over {k} stud{}",
                        row.number,
                        format_number(m),
                        format_number(s),
                        if k == 1 { "y" } else { "ies" }
                    );
                    if let Some((bm, bs)) = row.best {
                        tip.push_str(&format!(
                            "\nBest Value: mean {} ± {}",
                            format_number(bm),
                            format_number(bs)
                        ));
                    }
                    tip
                }),
            }
        })
        .collect();
    c.begin_group(&Group::new().class("mean-values"));
    draw_dots(c, &dots, r, dots_style(drawn.len(), named::WHITE, 0.6));
    c.end_group();
    if !best.is_empty() {
        let line: Vec<(f64, f64)> = best.iter().map(|&(px, m, _)| (px, frame.py(m))).collect();
        c.begin_group(&Group::new().class("best-line"));
        c.polyline(&line, &Style::stroked(named::RED, 2.0));
        c.end_group();
    }
    c.end_group();

    let mut items = vec![LegendItem::new(
        format!("{target_name} (mean ± std)"),
        Mark::Dot(named::BLUE),
    )];
    if !best.is_empty() {
        items.push(LegendItem::new(
            "Best Value (mean ± std)",
            Mark::Line {
                color: named::RED,
                width: 2.0,
                dash: None,
            },
        ));
    }
    legend_row(c, frame.area.right(), legend_strip.cy(), &items);
    page.finish(notice)
}
