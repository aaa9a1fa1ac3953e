//! Hypervolume history: the hypervolume of the feasible completed trials up to each trial of a
//! multi-objective study (Optuna's `plot_hypervolume_history`), as a step line with a dot per
//! completed trial.
//!
//! As in Optuna, objectives are turned into minimisation (maximised ones negated, the reference
//! point too), trials violating their constraints add nothing (their dot is grey, at the
//! unchanged hypervolume), and only trials better than the reference point in every objective
//! count. Optuna requires a reference point; without [`PlotOptions::reference_point`] one is
//! chosen automatically (see [`auto_reference`]) and the subtitle says so.
//!
//! The history is computed incrementally: the current Pareto front is kept, a trial weakly
//! dominated by it leaves the hypervolume unchanged, and only a trial entering the front
//! (removing the front trials it dominates) changes it, computed with
//! [`hpo_core::multi_objective::hypervolume`]: with two objectives as the newcomer's exclusive
//! contribution (from its neighbours on the sorted front), with more as the new front's
//! hypervolume. Each dot's tooltip has the exact value
//! (Rust's shortest round-trip form). Big studies: at most [`MAX_POINTS`] dots (evenly
//! sampled, always keeping the trials that changed the hypervolume); the line is exact.
//!
//! A single-objective study, or a reference point whose length differs from the number of
//! objectives, is an error; `target` and `objective` options are ignored.

use std::sync::Arc;

use hpo_core::multi_objective::hypervolume;
use hpo_core::{Error, FrozenTrial, StudyDirection};

use crate::axis::{AxesStyle, Frame, Scale, format_number};
use crate::canvas::{Canvas, Group, Style};
use crate::color::named;
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::Page;
use crate::legend::{LegendItem, Mark, legend_row};
use crate::options::PlotOptions;
use crate::plots::common::{
    Dot, MAX_POINTS, TOOLTIP_LIMIT, complete_finite_shared, dot_radius, dots_style, draw_dots,
    frame_in, non_empty, or_message, sampled_note, subsample, value_scale,
};

/// The sign turning an objective of `direction` into one to minimise.
fn sign(direction: StudyDirection) -> f64 {
    if direction == StudyDirection::Maximize {
        -1.0
    } else {
        1.0
    }
}

/// The automatic reference point, in minimisation form (maximised objectives negated), from the
/// minimisation-form values of the feasible completed trials: for each objective, the worst
/// (largest) value plus 10% of the objective's range, or, when every trial has the same value,
/// plus 10% of its magnitude (at least 0.1). `None` without feasible trials.
pub(crate) fn auto_reference(values: &[Vec<f64>], m: usize) -> Option<Vec<f64>> {
    if values.is_empty() {
        return None;
    }
    Some(
        (0..m)
            .map(|i| {
                let (lo, hi) = values
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
                        (a.0.min(v[i]), a.1.max(v[i]))
                    });
                let range = hi - lo;
                let margin = if range > 0.0 {
                    0.1 * range
                } else {
                    (0.1 * hi.abs()).max(0.1)
                };
                hi + margin
            })
            .collect(),
    )
}

/// `a` is at least as good as `b` in every objective (minimisation).
fn weakly_dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// The hypervolume after each of `points` (minimisation form; `None` for an infeasible trial,
/// which changes nothing), with respect to `reference` (minimisation form).
///
/// Keeps the current Pareto front; a point weakly dominated by it, or not better than the
/// reference in every objective, leaves the hypervolume unchanged, and only a point entering the
/// front changes it. With two objectives the change is the newcomer's exclusive contribution
/// (see [`Front2`]); with more, the front's hypervolume is computed again.
pub(crate) fn hypervolume_history(points: &[Option<Vec<f64>>], reference: &[f64]) -> Vec<f64> {
    let mut front: Vec<Vec<f64>> = Vec::new();
    let mut front2 = Front2::default();
    let mut current = 0.0;
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        if let Some(p) = p
            && p.iter().zip(reference).all(|(x, r)| x < r)
        {
            if reference.len() == 2 {
                current += front2.insert((p[0], p[1]), (reference[0], reference[1]));
            } else if !front.iter().any(|q| weakly_dominates(q, p)) {
                front.retain(|q| !weakly_dominates(p, q));
                front.push(p.clone());
                current = hypervolume(&front, reference);
            }
        }
        out.push(current);
    }
    out
}

/// A two-objective Pareto front (minimisation, every point better than the reference), sorted
/// by the first objective (so the second decreases), updated in logarithmic time plus the
/// points a newcomer removes.
#[derive(Default)]
struct Front2 {
    points: Vec<(f64, f64)>,
}

impl Front2 {
    /// Adds `p` (better than `reference` in both objectives) and returns how much the
    /// hypervolume grows: 0 when the front weakly dominates `p`; else the volume `p` dominates
    /// minus the part the front already covers, which is the hypervolume (by
    /// [`hpo_core::multi_objective::hypervolume`]) of the nearest front point on each side
    /// clipped to `p`'s box, and of the front points `p` dominates (they leave the front).
    fn insert(&mut self, p: (f64, f64), reference: (f64, f64)) -> f64 {
        let pts = &self.points;
        // Points from `s` on are not better than `p` in the first objective.
        let s = pts.partition_point(|q| q.0 < p.0);
        let left_dominates = s > 0 && pts[s - 1].1 <= p.1;
        let equal_dominates = s < pts.len() && pts[s].0 == p.0 && pts[s].1 <= p.1;
        if left_dominates || equal_dominates {
            return 0.0;
        }
        // The run `s..e` is dominated by `p`.
        let e = s + pts[s..].iter().take_while(|q| q.1 >= p.1).count();
        let mut covered: Vec<Vec<f64>> = Vec::with_capacity(e - s + 2);
        if s > 0 {
            covered.push(vec![p.0, pts[s - 1].1]);
        }
        covered.extend(pts[s..e].iter().map(|q| vec![q.0, q.1]));
        if e < pts.len() {
            covered.push(vec![pts[e].0, p.1]);
        }
        let gain = (reference.0 - p.0) * (reference.1 - p.1)
            - hypervolume(&covered, &[reference.0, reference.1]);
        self.points.splice(s..e, [p]);
        gain
    }
}

/// Draws the hypervolume-history plot: [`Layout::new`] computes the history and decides what
/// is drawn where, then [`draw`] writes it.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::HypervolumeHistory;
    check(data, options)?;
    let complete = complete_finite_shared(data);
    let complete = or_message!(non_empty(complete, data, kind.title(), options));
    let layout = Layout::new(data, options, complete);
    let mut page = Page::from_options(kind.title(), options);
    layout.subtitles(&mut page);
    let axes = AxesStyle::titled("Trial", "Hypervolume");
    let (legend_strip, plot_body) = page.body().split_top(20.0);
    let frame = frame_in(plot_body, layout.x.clone(), layout.y.clone(), &axes, 0.0);
    draw(&mut page.canvas, &frame, &axes, &layout);
    legend(&mut page.canvas, &frame, legend_strip.cy(), &layout);
    Ok(page.finish(None))
}

/// The study must be multi-objective and a given reference point must have one finite value
/// per objective.
fn check(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<()> {
    if !data.is_multi_objective() {
        return Err(Error::InvalidArgument(format!(
            "the hypervolume-history plot needs a multi-objective study: study `{}` has one \
             objective (use the history plot instead)",
            data.name
        )));
    }
    let m = data.directions.len();
    if let Some(r) = options.reference() {
        if r.len() != m {
            return Err(Error::InvalidArgument(format!(
                "the reference point has {} value{} but study `{}` has {m} objectives: give one \
                 value per objective",
                r.len(),
                if r.len() == 1 { "" } else { "s" },
                data.name
            )));
        }
        if let Some(bad) = r.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "the reference point must be finite, got {bad}"
            )));
        }
    }
    Ok(())
}

/// The history and what the plot shows of it, decided before anything is drawn.
struct Layout<'a> {
    /// The completed trials with finite values, in order.
    complete: Vec<&'a Arc<FrozenTrial>>,
    /// Each completed trial's values turned into minimisation; `None` when it is infeasible.
    minimised: Vec<Option<Vec<f64>>>,
    /// The objectives' signs (see [`sign`]).
    signs: Vec<f64>,
    /// The reference point (minimisation form); `None` without feasible trials.
    reference: Option<Vec<f64>>,
    /// Whether the reference point was chosen automatically.
    automatic: bool,
    /// The hypervolume after each completed trial.
    values: Vec<f64>,
    /// The indices of the trials that changed the hypervolume.
    changes: Vec<usize>,
    /// Whether every dot gets its tooltip ([`PlotOptions::all_tooltips`]).
    all_tips: bool,
    /// The indices of the trials drawn as dots.
    drawn: Vec<usize>,
    /// The completed trials' numbers.
    numbers: Vec<f64>,
    /// The first and last trial numbers (the line's ends).
    first: f64,
    last: f64,
    /// Trial numbers.
    x: Scale,
    /// Hypervolumes.
    y: Scale,
}

impl<'a> Layout<'a> {
    fn new(data: &StudyData, options: &PlotOptions, complete: Vec<&'a Arc<FrozenTrial>>) -> Self {
        let m = data.directions.len();
        let signs: Vec<f64> = data.directions.iter().map(|&d| sign(d)).collect();
        let minimised: Vec<Option<Vec<f64>>> = complete
            .iter()
            .map(|t| {
                t.is_feasible().then(|| {
                    t.values
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .zip(&signs)
                        .map(|(v, s)| v * s)
                        .collect()
                })
            })
            .collect();
        let (reference, automatic) = match options.reference() {
            Some(r) => (
                Some(
                    r.iter()
                        .zip(&signs)
                        .map(|(v, s)| v * s)
                        .collect::<Vec<f64>>(),
                ),
                false,
            ),
            None => {
                let feasible: Vec<Vec<f64>> = minimised.iter().flatten().cloned().collect();
                (auto_reference(&feasible, m), true)
            }
        };
        let values = match &reference {
            Some(r) => hypervolume_history(&minimised, r),
            None => vec![0.0; complete.len()],
        };
        let changes: Vec<usize> = (0..values.len())
            .filter(|&i| values[i] != if i == 0 { 0.0 } else { values[i - 1] })
            .collect();
        let drawn = subsample(values.len(), MAX_POINTS, &changes);
        let numbers: Vec<f64> = complete.iter().map(|t| t.number as f64).collect();
        let first = numbers[0];
        let last = numbers[numbers.len() - 1].max(first);
        let x = Scale::linear(first, last);
        let y = value_scale(values.iter().copied());
        Layout {
            complete,
            minimised,
            signs,
            reference,
            automatic,
            values,
            changes,
            all_tips: options.shows_all_tooltips(),
            drawn,
            numbers,
            first,
            last,
            x,
            y,
        }
    }

    /// The reference point (or why there is none) and the sampling note.
    fn subtitles(&self, page: &mut Page) {
        match &self.reference {
            Some(r) => {
                let shown: Vec<String> = r
                    .iter()
                    .zip(&self.signs)
                    .map(|(v, s)| format_number(v * s))
                    .collect();
                let point = format!("({})", shown.join(", "));
                if self.automatic {
                    page.subtitle(&format!(
                        "automatic reference point {point}: each objective's worst feasible \
                         value + 10% of its range"
                    ));
                } else {
                    page.subtitle(&format!("reference point {point}"));
                }
            }
            None => page.subtitle("no feasible trials: the hypervolume stays 0"),
        }
        if let Some(note) = sampled_note(self.drawn.len(), self.values.len(), "trials") {
            page.subtitle(&note);
        }
    }

    /// Whether any drawn trial is infeasible (it gets a legend entry).
    fn any_infeasible_drawn(&self) -> bool {
        self.drawn.iter().any(|&i| self.minimised[i].is_none())
    }
}

/// Draws the frame, then, clipped to it, the step line and the trials' dots.
fn draw(c: &mut Canvas, frame: &Frame, axes: &AxesStyle<'_>, layout: &Layout<'_>) {
    frame.draw(c, axes);
    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip));
    draw_step_line(c, frame, layout);
    draw_trial_dots(c, frame, layout);
    c.end_group();
}

/// The step line: held at the previous value until the trial that changed it.
fn draw_step_line(c: &mut Canvas, frame: &Frame, layout: &Layout<'_>) {
    let (numbers, values) = (&layout.numbers, &layout.values);
    let mut line: Vec<(f64, f64)> = vec![(frame.px(layout.first), frame.py(values[0]))];
    for &i in &layout.changes {
        if i > 0 {
            line.push((frame.px(numbers[i]), frame.py(values[i - 1])));
            line.push((frame.px(numbers[i]), frame.py(values[i])));
        }
    }
    line.push((frame.px(layout.last), frame.py(values[values.len() - 1])));
    c.begin_group(&Group::new().class("hypervolume-line"));
    c.polyline(&line, &Style::stroked(named::BLUE, 2.0));
    c.end_group();
}

/// A dot per drawn trial at its hypervolume (grey when infeasible), with the exact value in
/// its tooltip.
fn draw_trial_dots(c: &mut Canvas, frame: &Frame, layout: &Layout<'_>) {
    let drawn = &layout.drawn;
    let tips = layout.all_tips || drawn.len() <= TOOLTIP_LIMIT;
    let dots: Vec<Dot> = drawn
        .iter()
        .map(|&i| {
            let feasible = layout.minimised[i].is_some();
            Dot {
                x: frame.px(layout.numbers[i]),
                y: frame.py(layout.values[i]),
                color: if feasible {
                    named::BLUE
                } else {
                    named::INFEASIBLE
                },
                tip: tips.then(|| {
                    format!(
                        "Trial {}\nHypervolume: {}{}",
                        layout.complete[i].number,
                        layout.values[i],
                        if feasible { "" } else { "\n(infeasible)" }
                    )
                }),
            }
        })
        .collect();
    let r = dot_radius(drawn.len(), frame.area.w * frame.area.h);
    c.begin_group(&Group::new().class("trials"));
    draw_dots(c, &dots, r, dots_style(drawn.len(), named::WHITE, 0.6));
    c.end_group();
}

/// The legend row above the plot: the line, and infeasible trials when any is drawn.
fn legend(c: &mut Canvas, frame: &Frame, y: f64, layout: &Layout<'_>) {
    let mut items = vec![LegendItem::new(
        "Hypervolume",
        Mark::Line {
            color: named::BLUE,
            width: 2.0,
            dash: None,
        },
    )];
    if layout.any_infeasible_drawn() {
        items.push(LegendItem::new(
            "Infeasible Trial",
            Mark::Dot(named::INFEASIBLE),
        ));
    }
    legend_row(c, frame.area.right(), y, &items);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_history_matches_full_recomputation() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<Option<Vec<f64>>> = (0..300)
            .map(|i| {
                // Coarse values, so that ties and equal coordinates happen.
                let p = vec![
                    (next() * 20.0).floor() / 20.0,
                    (next() * 20.0).floor() / 20.0,
                    next(),
                ];
                (i % 7 != 3).then_some(p)
            })
            .collect();
        for m in [2, 3] {
            let points: Vec<Option<Vec<f64>>> = points
                .iter()
                .map(|p| p.as_ref().map(|p| p[..m].to_vec()))
                .collect();
            let reference = vec![0.9; m];
            let got = hypervolume_history(&points, &reference);
            for k in 1..=points.len() {
                let upto: Vec<Vec<f64>> = points[..k].iter().flatten().cloned().collect();
                let want = hypervolume(&upto, &reference);
                assert!(
                    (got[k - 1] - want).abs() < 1e-12,
                    "{m} objectives, {k} trials: {} vs {want}",
                    got[k - 1]
                );
            }
            assert!(got.windows(2).all(|w| w[0] <= w[1] + 1e-15));
        }
    }

    #[test]
    fn automatic_reference() {
        let r = auto_reference(&[vec![1.0, -3.0], vec![3.0, -1.0]], 2).unwrap();
        assert!(
            (r[0] - 3.2).abs() < 1e-12 && (r[1] - -0.8).abs() < 1e-12,
            "{r:?}"
        );
        let r = auto_reference(&[vec![5.0, 0.0]], 2).unwrap();
        assert!(
            (r[0] - 5.5).abs() < 1e-12 && (r[1] - 0.1).abs() < 1e-12,
            "{r:?}"
        );
        assert!(auto_reference(&[], 2).is_none());
    }
}
