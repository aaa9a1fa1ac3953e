//! Intermediate values: one learning curve (step → reported value) per trial that reported
//! intermediate values (Optuna's `plot_intermediate_values`).
//!
//! As in Optuna, Complete, Pruned and Running trials are drawn (failed ones are not), and
//! trials violating their constraints are grey. Unlike Optuna, the curves are styled by state:
//! complete trials blue, pruned trials a muted grey with a red cross at the step where they
//! stopped, running trials green and dashed; a legend says which is which.
//!
//! Big studies: at most [`MAX_CURVES`] curves are drawn (the [`BEST_KEPT`] best complete trials
//! and every running one always, the others evenly sampled by trial number), thinner and more
//! translucent as they get more numerous, and the subtitle says how many are shown. Every
//! pruned trial keeps its cross. From [`BAND_MIN_CURVES`] curves on, the median and the 25–75%
//! band per step are drawn behind the curves, computed over **all** curves (among the trials
//! that reported at that step), so the aggregate stays true when curves are sampled; with more
//! than [`MAX_BAND_POINTS`] distinct steps, steps are grouped into that many equal bins.

use std::collections::BTreeMap;

use hpo_core::{FrozenTrial, TrialState};

use crate::axis::{AxesStyle, Frame, Scale, format_number};
use crate::canvas::{Canvas, Group, Style};
use crate::color::{Color, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::Page;
use crate::legend::{LegendItem, Mark};
use crate::options::PlotOptions;
use crate::plots::common::{
    TOOLTIP_LIMIT, frame_in, message_figure, sampled_note, subsample, value_scale,
};
use crate::plots::extras::{cross_path, legend_in_emptiest_corner, quantile, trace};

/// At most this many curves are drawn.
pub(crate) const MAX_CURVES: usize = 300;
/// The best complete trials (by objective value) are always among the drawn curves.
pub(crate) const BEST_KEPT: usize = 30;
/// The median band is drawn from this many curves on.
pub(crate) const BAND_MIN_CURVES: usize = 20;
/// At most this many points along the median band.
pub(crate) const MAX_BAND_POINTS: usize = 200;

/// Colour of complete trials' curves.
const COMPLETE: Color = palette_color(0);
/// Colour of pruned trials' curves (muted).
const PRUNED: Color = Color::hex(0x9aa0aa);
/// Colour of the pruning crosses.
const CROSS: Color = Color::hex(0xd62728);
/// Colour of running trials' curves.
const RUNNING: Color = palette_color(4);
/// Colour of the median line and band.
const MEDIAN: Color = named::TEXT;

/// `palette(i)` in a constant.
const fn palette_color(i: usize) -> Color {
    crate::color::PALETTE[i]
}

/// How a curve is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Pruned (drawn first, underneath).
    Pruned,
    /// Complete but violating its constraints.
    Infeasible,
    /// Complete.
    Complete,
    /// Still running (drawn last, on top).
    Running,
}

/// One trial's learning curve.
struct Curve<'a> {
    trial: &'a FrozenTrial,
    kind: Kind,
    /// (step, value), by step; finite values only.
    points: Vec<(f64, f64)>,
}

/// Draws the intermediate values plot: [`Layout::new`] decides what is drawn where, then
/// [`draw`] writes it.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let title = PlotKind::IntermediateValues.title();
    let curves = curves(data);
    if curves.is_empty() {
        return Ok(message_figure(title, options, &no_curves_message(data)));
    }
    let layout = Layout::new(data, &curves, options);
    let mut page = Page::from_options(title, options);
    if !layout.note.is_empty() {
        page.subtitle(&layout.note);
    }
    let axes = AxesStyle::titled("Step", "Intermediate Value");
    let frame = frame_in(page.body(), layout.x.clone(), layout.y.clone(), &axes, 0.0);
    draw(&mut page.canvas, &frame, &axes, &curves, &layout);
    Ok(page.finish(None))
}

/// The learning curves of the trials drawn (Complete, Pruned and Running ones) that reported a
/// finite intermediate value.
fn curves(data: &StudyData) -> Vec<Curve<'_>> {
    data.trials
        .iter()
        .filter_map(|t| {
            let kind = match t.state {
                TrialState::Complete if t.is_feasible() => Kind::Complete,
                TrialState::Complete => Kind::Infeasible,
                TrialState::Pruned => Kind::Pruned,
                TrialState::Running => Kind::Running,
                TrialState::Fail | TrialState::Waiting => return None,
            };
            let points: Vec<(f64, f64)> = t
                .intermediate_values
                .iter()
                .filter(|(_, v)| v.is_finite())
                .map(|(s, v)| (*s as f64, *v))
                .collect();
            (!points.is_empty()).then_some(Curve {
                trial: t.as_ref(),
                kind,
                points,
            })
        })
        .collect()
}

/// Why there is no curve to draw.
fn no_curves_message(data: &StudyData) -> String {
    if data.trials.is_empty() {
        format!("study `{}` has no trials", data.name)
    } else if data.is_multi_objective() {
        format!(
            "no trial of multi-objective study `{}` reported intermediate values \
             (`Trial::report` is for single-objective studies)",
            data.name
        )
    } else {
        format!(
            "no complete, pruned or running trial of study `{}` reported intermediate \
             values: report them with `trial.report(value, step)` (pruners need them too)",
            data.name
        )
    }
}

/// What the plot shows, decided before anything is drawn.
struct Layout {
    /// Indices of the curves drawn (see [`choose_curves`]).
    drawn: Vec<usize>,
    /// The median band over all curves, when there are enough of them.
    band: Option<Vec<BandPoint>>,
    /// The subtitle (empty: none).
    note: String,
    /// Steps.
    x: Scale,
    /// Intermediate values.
    y: Scale,
    /// Curves' stroke width and opacity (thinner and fainter as they get more numerous).
    width: f64,
    alpha: f64,
    /// Whether every curve and cross gets its tooltip ([`PlotOptions::all_tooltips`]).
    all_tips: bool,
}

impl Layout {
    fn new(data: &StudyData, curves: &[Curve<'_>], options: &PlotOptions) -> Layout {
        let drawn = choose_curves(data, curves);
        let band = (curves.len() >= BAND_MIN_CURVES)
            .then(|| median_band(curves))
            .filter(|b| !b.is_empty());
        let mut note = sampled_note(drawn.len(), curves.len(), "curves").unwrap_or_default();
        if band.is_some() && drawn.len() < curves.len() {
            note.push_str(&format!(
                "; median and 25–75% band over all {}",
                curves.len()
            ));
        }
        let (mut lo_step, mut hi_step) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in curves.iter().flat_map(|c| &c.points) {
            lo_step = lo_step.min(p.0);
            hi_step = hi_step.max(p.0);
        }
        let x = Scale::integer(lo_step, hi_step);
        let y = value_scale(curves.iter().flat_map(|c| c.points.iter().map(|p| p.1)));
        let n = drawn.len();
        let (width, alpha) = if n <= 20 {
            (1.8, 0.9)
        } else if n <= 100 {
            (1.4, 0.6)
        } else {
            (1.0, 0.35)
        };
        Layout {
            drawn,
            band,
            note,
            x,
            y,
            width,
            alpha,
            all_tips: options.shows_all_tooltips(),
        }
    }
}

/// Draws the frame, then, clipped to it, the median band, the curves and the pruning crosses,
/// and the legend where they leave the most room.
fn draw(
    c: &mut Canvas,
    frame: &Frame,
    axes: &AxesStyle<'_>,
    curves: &[Curve<'_>],
    layout: &Layout,
) {
    frame.draw(c, axes);
    let mut marks: Vec<(f64, f64)> = Vec::new();
    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip));
    if let Some(band) = &layout.band {
        draw_band(c, frame, band, &mut marks);
    }
    draw_curves(c, frame, curves, layout, &mut marks);
    draw_pruned_marks(c, frame, curves, layout.all_tips, &mut marks);
    c.end_group();
    legend_in_emptiest_corner(c, frame.area, &legend_items(curves, layout), &marks);
}

/// The median line and the 25–75% band around it.
fn draw_band(c: &mut Canvas, frame: &Frame, band: &[BandPoint], marks: &mut Vec<(f64, f64)>) {
    let upper: Vec<(f64, f64)> = band
        .iter()
        .map(|b| (frame.px(b.step), frame.py(b.q3)))
        .collect();
    let lower: Vec<(f64, f64)> = band
        .iter()
        .rev()
        .map(|b| (frame.px(b.step), frame.py(b.q1)))
        .collect();
    let median: Vec<(f64, f64)> = band
        .iter()
        .map(|b| (frame.px(b.step), frame.py(b.median)))
        .collect();
    c.begin_group(&Group::new().class("median-band"));
    let mut outline = upper;
    outline.extend(lower);
    c.polygon(&outline, &Style::filled(MEDIAN).fill_opacity(0.1));
    c.polyline(&median, &Style::stroked(MEDIAN, 2.0).dash("6 3"));
    c.end_group();
    trace(&median, 12.0, marks);
}

/// The drawn curves, grouped by kind (pruned underneath, running on top); within a kind by
/// number.
fn draw_curves(
    c: &mut Canvas,
    frame: &Frame,
    curves: &[Curve<'_>],
    layout: &Layout,
    marks: &mut Vec<(f64, f64)>,
) {
    let (width, alpha) = (layout.width, layout.alpha);
    let total_points: usize = layout.drawn.iter().map(|&i| curves[i].points.len()).sum();
    let tips = layout.all_tips || layout.drawn.len() <= TOOLTIP_LIMIT;
    c.begin_group(&Group::new().class("curves"));
    for kind in [
        Kind::Pruned,
        Kind::Infeasible,
        Kind::Complete,
        Kind::Running,
    ] {
        let of_kind: Vec<&Curve<'_>> = layout
            .drawn
            .iter()
            .map(|&i| &curves[i])
            .filter(|c| c.kind == kind)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let color = kind_color(kind);
        let mut style = Style::stroked(color, width).stroke_opacity(alpha);
        if kind == Kind::Running {
            style = style.dash("5 3");
        }
        c.begin_group(&Group::new().class(kind_class(kind)).style(style));
        let mut singles: Vec<(f64, f64)> = Vec::new();
        for curve in &of_kind {
            let pts: Vec<(f64, f64)> = curve
                .points
                .iter()
                .map(|&(s, v)| (frame.px(s), frame.py(v)))
                .collect();
            if pts.len() == 1 || total_points <= 600 {
                singles.extend(&pts);
            }
            trace(&pts, 12.0, marks);
            if tips {
                c.titled(&curve_tip(curve), |c| c.polyline(&pts, &Style::new()));
            } else {
                c.polyline(&pts, &Style::new());
            }
        }
        // Points as small dots when there are few (and always for one-step curves, which a line
        // cannot show).
        if !singles.is_empty() {
            c.begin_group(
                &Group::new().style(
                    Style::filled(color)
                        .fill_opacity(alpha.max(0.6))
                        .stroke(named::WHITE, 0.5),
                ),
            );
            for (x, y) in singles {
                c.circle(x, y, 2.4, &Style::new());
            }
            c.end_group();
        }
        c.end_group();
    }
    c.end_group();
}

/// A cross where every pruned trial stopped (all of them, sampled or not: they are cheap).
fn draw_pruned_marks(
    c: &mut Canvas,
    frame: &Frame,
    curves: &[Curve<'_>],
    all_tips: bool,
    marks: &mut Vec<(f64, f64)>,
) {
    let pruned: Vec<&Curve<'_>> = curves.iter().filter(|c| c.kind == Kind::Pruned).collect();
    if pruned.is_empty() {
        return;
    }
    let (r, w, a) = if pruned.len() <= 300 {
        (4.0, 1.8, 0.95)
    } else {
        (3.0, 1.2, 0.6)
    };
    let cross_tips = all_tips || pruned.len() <= TOOLTIP_LIMIT;
    c.begin_group(
        &Group::new()
            .class("pruned-marks")
            .style(Style::stroked(CROSS, w).stroke_opacity(a)),
    );
    for curve in pruned {
        let &(s, v) = curve.points.last().expect("curves have points");
        let (px, py) = (frame.px(s), frame.py(v));
        marks.push((px, py));
        let d = cross_path(px, py, r);
        if cross_tips {
            let tip = format!(
                "Trial {} pruned at step {}: {}",
                curve.trial.number,
                s,
                format_number(v)
            );
            c.titled(&tip, |c| c.path(&d, &Style::new()));
        } else {
            c.path(&d, &Style::new());
        }
    }
    c.end_group();
}

/// One legend entry per kind of curve present, and the median band's.
fn legend_items(curves: &[Curve<'_>], layout: &Layout) -> Vec<LegendItem> {
    let mut items = Vec::new();
    for kind in [
        Kind::Complete,
        Kind::Infeasible,
        Kind::Pruned,
        Kind::Running,
    ] {
        if curves.iter().any(|c| c.kind == kind) {
            items.push(LegendItem::new(
                kind_label(kind),
                Mark::Line {
                    color: kind_color(kind),
                    width: 2.0,
                    dash: (kind == Kind::Running).then_some("5 3"),
                },
            ));
        }
    }
    if layout.band.is_some() {
        items.push(LegendItem::new(
            format!("Median, 25–75% of {} curves", curves.len()),
            Mark::Line {
                color: MEDIAN,
                width: 2.0,
                dash: Some("6 3"),
            },
        ));
    }
    items
}

/// The indices of the curves to draw: all of them up to [`MAX_CURVES`]; else the best complete
/// trials and every running one, plus others evenly spread over the trial numbers.
fn choose_curves(data: &StudyData, curves: &[Curve<'_>]) -> Vec<usize> {
    if curves.len() <= MAX_CURVES {
        return (0..curves.len()).collect();
    }
    let direction = data.directions[0];
    let mut complete: Vec<(usize, f64)> = curves
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == Kind::Complete)
        .filter_map(|(i, c)| {
            let v = *c.trial.values.as_ref()?.first()?;
            v.is_finite().then_some((i, v))
        })
        .collect();
    complete.sort_by(|a, b| {
        if direction.is_better(a.1, b.1) {
            std::cmp::Ordering::Less
        } else if direction.is_better(b.1, a.1) {
            std::cmp::Ordering::Greater
        } else {
            a.0.cmp(&b.0)
        }
    });
    let mut keep: Vec<usize> = complete.iter().take(BEST_KEPT).map(|&(i, _)| i).collect();
    keep.extend(
        curves
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == Kind::Running)
            .map(|(i, _)| i)
            .take(BEST_KEPT),
    );
    subsample(curves.len(), MAX_CURVES, &keep)
}

/// The median and quartiles at one step (or bin of steps).
#[derive(Clone, Copy, Debug, PartialEq)]
struct BandPoint {
    step: f64,
    q1: f64,
    median: f64,
    q3: f64,
}

/// Median and quartiles per step over every curve, at steps reported by at least three trials;
/// with more than [`MAX_BAND_POINTS`] distinct steps, per bin of steps (at the bin's mean step).
fn median_band(curves: &[Curve<'_>]) -> Vec<BandPoint> {
    let mut by_step: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for c in curves {
        for &(s, v) in &c.points {
            by_step.entry(s as u64).or_default().push(v);
        }
    }
    let groups: Vec<(f64, Vec<f64>)> = if by_step.len() <= MAX_BAND_POINTS {
        by_step.into_iter().map(|(s, v)| (s as f64, v)).collect()
    } else {
        let lo = *by_step.keys().next().expect("non-empty") as f64;
        let hi = *by_step.keys().next_back().expect("non-empty") as f64;
        let width = ((hi - lo) / MAX_BAND_POINTS as f64).max(1.0);
        let mut bins: BTreeMap<usize, (f64, usize, Vec<f64>)> = BTreeMap::new();
        for (s, vs) in by_step {
            let b = (((s as f64 - lo) / width) as usize).min(MAX_BAND_POINTS - 1);
            let e = bins.entry(b).or_insert((0.0, 0, Vec::new()));
            e.0 += s as f64 * vs.len() as f64;
            e.1 += vs.len();
            e.2.extend(vs);
        }
        bins.into_values()
            .map(|(sum, n, vs)| (sum / n as f64, vs))
            .collect()
    };
    groups
        .into_iter()
        .filter(|(_, vs)| vs.len() >= 3)
        .map(|(step, mut vs)| {
            vs.sort_by(f64::total_cmp);
            BandPoint {
                step,
                q1: quantile(&vs, 0.25),
                median: quantile(&vs, 0.5),
                q3: quantile(&vs, 0.75),
            }
        })
        .collect()
}

/// A curve's hover text.
fn curve_tip(curve: &Curve<'_>) -> String {
    let (s, v) = curve.points.last().copied().unwrap_or_default();
    let mut tip = format!(
        "Trial {} ({})\nlast step {s}: {}",
        curve.trial.number,
        curve.trial.state.name(),
        format_number(v)
    );
    if curve.trial.state == TrialState::Complete
        && let Some(values) = &curve.trial.values
    {
        let vs: Vec<String> = values.iter().map(|v| format_number(*v)).collect();
        tip.push_str(&format!("\nvalue: {}", vs.join(", ")));
    }
    tip
}

fn kind_color(kind: Kind) -> Color {
    match kind {
        Kind::Complete => COMPLETE,
        Kind::Infeasible => named::INFEASIBLE,
        Kind::Pruned => PRUNED,
        Kind::Running => RUNNING,
    }
}

fn kind_class(kind: Kind) -> &'static str {
    match kind {
        Kind::Complete => "complete",
        Kind::Infeasible => "infeasible",
        Kind::Pruned => "pruned",
        Kind::Running => "running",
    }
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Complete => "Complete",
        Kind::Infeasible => "Infeasible",
        Kind::Pruned => "Pruned (× where it stopped)",
        Kind::Running => "Running",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hpo_core::StudyDirection;

    use super::*;

    fn curve_trial(n: u64, state: TrialState, steps: u64, value: f64) -> Arc<FrozenTrial> {
        let mut t = FrozenTrial::new(state);
        for s in 0..steps {
            t = t.with_intermediate_value(s, value + (steps - s) as f64);
        }
        if state == TrialState::Complete {
            t = t.with_value(value);
        }
        t.number = n;
        Arc::new(t)
    }

    #[test]
    fn band_is_over_all_curves() {
        let trials: Vec<Arc<FrozenTrial>> = (0..5)
            .map(|i| curve_trial(i, TrialState::Complete, 3, i as f64))
            .collect();
        let data = StudyData::new("s", vec![StudyDirection::Minimize], trials);
        let curves = curves(&data);
        assert!(curves.iter().all(|c| c.kind == Kind::Complete));
        let band = median_band(&curves);
        assert_eq!(band.len(), 3);
        // Step 0: values 3, 4, 5, 6, 7.
        assert_eq!(band[0].median, 5.0);
        assert_eq!(band[0].q1, 4.0);
        assert_eq!(band[0].q3, 6.0);
    }

    #[test]
    fn sampling_keeps_the_best_and_running() {
        let mut trials: Vec<Arc<FrozenTrial>> = (0..1000)
            .map(|i| curve_trial(i, TrialState::Complete, 2, (i as f64 * 7.3) % 101.0))
            .collect();
        trials.push(curve_trial(1000, TrialState::Running, 2, 0.0));
        let data = StudyData::new("s", vec![StudyDirection::Minimize], trials);
        let curves = curves(&data);
        assert_eq!(curves[1000].kind, Kind::Running);
        let drawn = choose_curves(&data, &curves);
        assert!(drawn.len() <= MAX_CURVES + BEST_KEPT + 1, "{}", drawn.len());
        assert!(drawn.contains(&1000), "running trial dropped");
        let best = (0..1000)
            .min_by(|&a, &b| {
                let v = |i: usize| data.trials[i].value().unwrap();
                v(a).total_cmp(&v(b))
            })
            .unwrap();
        assert!(drawn.contains(&best), "best trial dropped");
    }
}
