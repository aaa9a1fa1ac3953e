//! Pareto front: the objective values of the completed trials of a multi-objective study, the
//! Pareto-optimal ones highlighted (Optuna's `plot_pareto_front`, with its default
//! `include_dominated_trials=True`).
//!
//! A trial is Pareto-optimal when no other feasible completed trial is at least as good in every
//! objective and better in one, directions respected ([`hpo_core::study::pareto_front`], the
//! same rule as `Study::best_trials`); as in Optuna, trials violating their constraints are
//! grey and never on the front. Front trials are red, larger and joined by a staircase (the
//! boundary of the region they dominate); dominated trials are lighter, coloured by trial number
//! (a colour bar), as Optuna colours them.
//!
//! Two objectives give one scatter plot. Optuna draws three objectives in 3-D; a static image
//! cannot, so three or more objectives give a lower-triangular scatter matrix of every pair of
//! objectives (the first [`MAX_OBJECTIVES`]), the front still computed in all of them. Axis
//! titles are the metric names if the study set them, else `Objective 0`, `Objective 1`, ….
//! A single-objective study is an error; `target` and `objective` options are ignored.
//!
//! Big studies: dominated and infeasible dots are evenly subsampled (at most [`MAX_POINTS`] in
//! one scatter, a share of [`DOT_BUDGET`] per pair in a matrix); front trials are never dropped.

use std::collections::HashSet;
use std::sync::Arc;

use hpo_core::{Error, FrozenTrial};

use crate::axis::{AxesStyle, Frame, Scale, format_number};
use crate::canvas::{Canvas, Group, Style};
use crate::color::{ColorScale, Colormap, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::legend::{COLORBAR_WIDTH, LegendItem, Mark, colorbar, legend};
use crate::options::PlotOptions;
use crate::plots::common::{
    Dot, MAX_POINTS, complete_finite_shared, dot_opacity, dot_radius, draw_dots, frame_in,
    non_empty, or_message, subsample, tips_for, value_scale,
};
use crate::plots::extras::{legend_in_emptiest_corner, pair_cells};

/// At most this many objectives are paired in a scatter matrix (15 pairs).
pub(crate) const MAX_OBJECTIVES: usize = 6;
/// Dominated and infeasible dots drawn over all pairs of a scatter matrix at most.
pub(crate) const DOT_BUDGET: usize = 6000;

/// Colour of Pareto-optimal trials.
const FRONT: crate::color::Color = named::RED;
/// Outline of Pareto-optimal trials.
const FRONT_EDGE: crate::color::Color = crate::color::Color::hex(0x8c1d0f);

/// What a trial is on the plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// On the Pareto front.
    Front,
    /// Feasible, dominated.
    Dominated,
    /// Violates its constraints.
    Infeasible,
}

/// A completed trial with its objective values.
struct Entry<'a> {
    trial: &'a FrozenTrial,
    values: &'a [f64],
    class: Class,
}

/// Draws the Pareto-front plot: [`classify`] sorts the trials, [`Layout::new`] decides what is
/// drawn where, then [`draw`] writes it.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::ParetoFront;
    if !data.is_multi_objective() {
        return Err(Error::InvalidArgument(format!(
            "the Pareto-front plot needs a multi-objective study: study `{}` has one objective",
            data.name
        )));
    }
    let complete = complete_finite_shared(data);
    let complete = or_message!(non_empty(complete, data, kind.title(), options));
    let entries = classify(data, &complete);
    let layout = Layout::new(data, options, &entries);
    let mut page = Page::with_min_height(
        kind.title(),
        options,
        layout.min_height.min(crate::MAX_SIZE),
    );
    page.subtitle(&layout.note);
    let panel = Panel {
        entries: &entries,
        kept: &layout.kept,
        front: &layout.front,
        names: &layout.names,
        colors: &layout.colors,
        tips: layout.tips,
        data,
    };
    let body = page.body();
    draw(&mut page.canvas, body, &layout, &panel);
    Ok(page.finish(None))
}

/// The completed trials with their values, each Pareto-optimal, dominated or infeasible.
fn classify<'a>(data: &StudyData, complete: &'a [&'a Arc<FrozenTrial>]) -> Vec<Entry<'a>> {
    let feasible: Vec<Arc<FrozenTrial>> = complete
        .iter()
        .filter(|t| t.is_feasible())
        .map(|t| Arc::clone(t))
        .collect();
    let front: HashSet<u64> = hpo_core::study::pareto_front(&feasible, &data.directions)
        .iter()
        .map(|t| t.number)
        .collect();
    complete
        .iter()
        .map(|t| Entry {
            trial: t.as_ref(),
            values: t.values.as_deref().unwrap_or_default(),
            class: if !t.is_feasible() {
                Class::Infeasible
            } else if front.contains(&t.number) {
                Class::Front
            } else {
                Class::Dominated
            },
        })
        .collect()
}

/// What the plot shows, decided before anything is drawn.
struct Layout {
    /// How many objectives are paired (at most [`MAX_OBJECTIVES`]).
    shown: usize,
    /// The objectives' names.
    names: Vec<String>,
    /// The non-front trials drawn (the same sample in every pair).
    kept: Vec<usize>,
    /// The front trials (all drawn).
    front: Vec<usize>,
    /// How many trials are infeasible.
    n_infeasible: usize,
    /// The page's least height (a scatter matrix needs room).
    min_height: u32,
    /// The subtitle.
    note: String,
    /// The highest trial number (the colour of the dominated legend entry).
    hi: f64,
    /// Dominated trials' colours, by trial number.
    colors: ColorScale,
    /// Whether dots get tooltips.
    tips: bool,
    /// One value scale per objective shown.
    scales: Vec<Scale>,
}

impl Layout {
    fn new(data: &StudyData, options: &PlotOptions, entries: &[Entry<'_>]) -> Layout {
        let m = data.directions.len();
        let shown = m.min(MAX_OBJECTIVES);
        let names: Vec<String> = (0..m).map(|i| data.objective_name(i)).collect();
        let pairs = if shown == 2 {
            1
        } else {
            shown * (shown - 1) / 2
        };
        let budget = if shown == 2 {
            MAX_POINTS
        } else {
            (DOT_BUDGET / pairs).clamp(300, MAX_POINTS)
        };
        // The same sample of non-front trials in every pair.
        let others: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].class != Class::Front && options.includes_dominated_trials())
            .collect();
        let kept: Vec<usize> = subsample(others.len(), budget, &[])
            .into_iter()
            .map(|j| others[j])
            .collect();
        let front: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].class == Class::Front)
            .collect();
        let n_infeasible = entries
            .iter()
            .filter(|e| e.class == Class::Infeasible)
            .count();
        let min_height = if shown == 2 {
            0
        } else {
            (80.0 + (shown - 1) as f64 * 130.0) as u32
        };
        let mut note = format!(
            "{} Pareto-optimal of {} completed trials",
            front.len(),
            entries.len()
        );
        if n_infeasible > 0 {
            note.push_str(&format!(" ({n_infeasible} infeasible)"));
        }
        if !options.includes_dominated_trials() {
            note.push_str("; dominated trials hidden");
        }
        if kept.len() < others.len() {
            note.push_str(&format!(
                "; showing {} of {} other trials (evenly sampled)",
                kept.len(),
                others.len()
            ));
        }
        if shown < m {
            note.push_str(&format!("; pairs of the first {shown} of {m} objectives"));
        }
        let numbers = entries.iter().map(|e| e.trial.number as f64);
        let (lo, hi) = numbers.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), n| {
            (lo.min(n), hi.max(n))
        });
        let colors = ColorScale::new(Colormap::BluesVisible, lo, hi);
        let tips = tips_for((kept.len() + front.len()) * pairs, options);
        let scales: Vec<Scale> = (0..shown)
            .map(|i| value_scale(entries.iter().map(|e| e.values[i])))
            .collect();
        Layout {
            shown,
            names,
            kept,
            front,
            n_infeasible,
            min_height,
            note,
            hi,
            colors,
            tips,
            scales,
        }
    }

    /// The legend: front, dominated and infeasible trials, each when there is any.
    fn legend_items(&self, entries: &[Entry<'_>]) -> Vec<LegendItem> {
        let mut items = Vec::new();
        if !self.front.is_empty() {
            items.push(LegendItem::new("Pareto-optimal", Mark::Dot(FRONT)));
        }
        if self
            .kept
            .iter()
            .any(|&i| entries[i].class == Class::Dominated)
        {
            items.push(LegendItem::new(
                "Dominated (by trial number)",
                Mark::Dot(self.colors.color(self.hi)),
            ));
        }
        if self.n_infeasible > 0 {
            items.push(LegendItem::new("Infeasible", Mark::Dot(named::INFEASIBLE)));
        }
        items
    }
}

/// Draws one scatter plot (two objectives) or a scatter matrix in `body`, the legend, and the
/// trial-number colour bar at the right.
fn draw(c: &mut Canvas, body: Rect, layout: &Layout, panel: &Panel<'_, '_>) {
    let (plots_area, bar_area) = body.split_right(COLORBAR_WIDTH);
    let (names, scales) = (&layout.names, &layout.scales);
    let items = layout.legend_items(panel.entries);
    if layout.shown == 2 {
        let axes = AxesStyle::titled(&names[0], &names[1]);
        let frame = frame_in(plots_area, scales[0].clone(), scales[1].clone(), &axes, 0.0);
        let marks = panel.subplot(c, &frame, (0, 1), &axes, true);
        legend_in_emptiest_corner(c, frame.area, &items, &marks);
    } else {
        let font = 10.0;
        let (cells, free) = pair_cells(plots_area, scales, font);
        for cell in &cells {
            let axes = cell.axes(&names[cell.x], &names[cell.y], font);
            let frame = Frame::new(cell.area, scales[cell.x].clone(), scales[cell.y].clone());
            panel.subplot(c, &frame, (cell.x, cell.y), &axes, false);
        }
        if let Some(free) = free {
            legend(c, free, &items);
        }
    }
    let bar = bar_area.inset(
        0.0,
        8.0,
        0.0,
        (bar_area.h * 0.25).min(bar_area.h - 120.0).max(0.0),
    );
    colorbar(c, bar, &layout.colors, "Trial", true);
}

/// What every subplot shares.
struct Panel<'a, 'b> {
    entries: &'b [Entry<'a>],
    /// The non-front trials drawn.
    kept: &'b [usize],
    /// The front trials (all drawn).
    front: &'b [usize],
    names: &'b [String],
    colors: &'b ColorScale,
    tips: bool,
    data: &'b StudyData,
}

impl Panel<'_, '_> {
    /// Draws objectives `(i, j)` in `frame`; returns the pixel positions of what it drew.
    fn subplot(
        &self,
        c: &mut Canvas,
        frame: &Frame,
        (i, j): (usize, usize),
        axes: &AxesStyle<'_>,
        staircase: bool,
    ) -> Vec<(f64, f64)> {
        let name = format!("{} / {}", self.names[i], self.names[j]);
        c.begin_group(&Group::new().class("subplot").name(&name));
        frame.draw(c, axes);
        let area = frame.area.w * frame.area.h;
        let clip = frame.clip(c);
        c.begin_group(&Group::new().clip(clip));
        let mut marks = Vec::new();
        let dot = |e: &Entry<'_>, color| {
            let (x, y) = (frame.px(e.values[i]), frame.py(e.values[j]));
            Dot {
                x,
                y,
                color,
                tip: self.tips.then(|| self.tip(e)),
            }
        };

        for (class, css) in [
            (Class::Infeasible, "infeasible"),
            (Class::Dominated, "dominated"),
        ] {
            let dots: Vec<Dot> = self
                .kept
                .iter()
                .map(|&k| &self.entries[k])
                .filter(|e| e.class == class)
                .map(|e| {
                    let color = match class {
                        Class::Dominated => self.colors.quantized(e.trial.number as f64, 24).1,
                        _ => named::INFEASIBLE,
                    };
                    dot(e, color)
                })
                .collect();
            if dots.is_empty() {
                continue;
            }
            marks.extend(dots.iter().map(|d| (d.x, d.y)));
            let r = dot_radius(self.kept.len(), area).min(3.5);
            c.begin_group(&Group::new().class(css));
            draw_dots(
                c,
                &dots,
                r,
                Style::new()
                    .fill_opacity(dot_opacity(self.kept.len()).min(0.75))
                    .stroke(named::AXIS, if self.kept.len() > 1000 { 0.0 } else { 0.4 }),
            );
            c.end_group();
        }

        let front: Vec<Dot> = self
            .front
            .iter()
            .map(|&k| dot(&self.entries[k], FRONT))
            .collect();
        if staircase && front.len() >= 2 {
            let line = self.staircase(frame, (i, j));
            c.begin_group(&Group::new().class("front-line"));
            c.polyline(&line, &Style::stroked(FRONT, 1.5).stroke_opacity(0.8));
            c.end_group();
            crate::plots::extras::trace(&line, 10.0, &mut marks);
        }
        marks.extend(front.iter().map(|d| (d.x, d.y)));
        let r = (dot_radius(self.front.len(), area) + 0.8).min(4.5);
        c.begin_group(&Group::new().class("pareto-front"));
        draw_dots(
            c,
            &front,
            r,
            Style::new().fill_opacity(0.95).stroke(FRONT_EDGE, 0.8),
        );
        c.end_group();
        c.end_group();
        c.end_group();
        marks
    }

    /// The front of objectives (`i`, `j`) as a staircase in pixels: front points by the first
    /// objective, joined through the corner that both of two neighbours dominate.
    fn staircase(&self, frame: &Frame, (i, j): (usize, usize)) -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = self
            .front
            .iter()
            .map(|&k| (self.entries[k].values[i], self.entries[k].values[j]))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts.dedup();
        let (di, dj) = (self.data.directions[i], self.data.directions[j]);
        let worse = |d: hpo_core::StudyDirection, a: f64, b: f64| {
            if d.is_better(a, b) { b } else { a }
        };
        let mut line = Vec::with_capacity(pts.len() * 2);
        for (k, &(x, y)) in pts.iter().enumerate() {
            if k > 0 {
                let (px, py) = pts[k - 1];
                line.push((frame.px(worse(di, px, x)), frame.py(worse(dj, py, y))));
            }
            line.push((frame.px(x), frame.py(y)));
        }
        line
    }

    /// A dot's hover text: trial number, whether it is on the front, values and parameters.
    fn tip(&self, e: &Entry<'_>) -> String {
        let what = match e.class {
            Class::Front => "Pareto-optimal",
            Class::Dominated => "dominated",
            Class::Infeasible => "infeasible",
        };
        let mut s = format!("Trial {} ({what})", e.trial.number);
        for (name, v) in self.names.iter().zip(e.values) {
            s.push_str(&format!("\n{name}: {}", format_number(*v)));
        }
        for (k, (p, v)) in e.trial.params.iter().enumerate() {
            if k == 8 {
                s.push_str(&format!("\n… {} more", e.trial.params.len() - 8));
                break;
            }
            s.push_str(&format!("\n{p}: {}", v.value));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use hpo_core::{StudyDirection, TrialState};

    use super::*;

    fn data(directions: Vec<StudyDirection>, values: &[&[f64]]) -> StudyData {
        let trials = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut t = FrozenTrial::new(TrialState::Complete).with_values(v.to_vec());
                t.number = i as u64;
                Arc::new(t)
            })
            .collect();
        StudyData::new("p", directions, trials)
    }

    #[test]
    fn staircase_goes_through_the_dominated_corner() {
        use StudyDirection::{Maximize, Minimize};
        // Minimize both: (1, 3), (2, 1) → corner (2, 3).
        // Minimize x, maximize y: (1, 1), (2, 3) → corner (2, 1).
        for (dirs, pts, corner) in [
            (
                vec![Minimize, Minimize],
                [[1.0, 3.0], [2.0, 1.0]],
                (2.0, 3.0),
            ),
            (
                vec![Minimize, Maximize],
                [[1.0, 1.0], [2.0, 3.0]],
                (2.0, 1.0),
            ),
            (
                vec![Maximize, Minimize],
                [[1.0, 1.0], [2.0, 3.0]],
                (1.0, 3.0),
            ),
        ] {
            let d = data(dirs, &[&pts[0], &pts[1]]);
            let entries: Vec<Entry<'_>> = d
                .trials
                .iter()
                .map(|t| Entry {
                    trial: t,
                    values: t.values.as_deref().unwrap(),
                    class: Class::Front,
                })
                .collect();
            let colors = ColorScale::new(Colormap::Blues, 0.0, 1.0);
            let names = vec!["a".to_owned(), "b".to_owned()];
            let panel = Panel {
                entries: &entries,
                kept: &[],
                front: &[0, 1],
                names: &names,
                colors: &colors,
                tips: false,
                data: &d,
            };
            let frame = Frame::new(
                crate::layout::Rect::new(0.0, 0.0, 1.0, 1.0),
                Scale::linear_exact(0.0, 1.0),
                Scale::linear_exact(0.0, 1.0),
            );
            let line = panel.staircase(&frame, (0, 1));
            assert_eq!(line.len(), 3);
            assert_eq!(line[1], (frame.px(corner.0), frame.py(corner.1)));
        }
    }
}
