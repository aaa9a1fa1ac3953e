//! Hyperparameter importances as horizontal bars, most important on top, each labelled with its
//! value (Optuna's `plot_param_importances`), computed by `hpo_importance` with the evaluator of
//! the options (PED-ANOVA by default, as in Optuna 5.0).
//!
//! As in Optuna, a multi-objective study without a target gets one bar per objective for each
//! parameter (grouped, with a legend), and a custom target is assessed as lower-is-better. Unlike
//! Optuna, each objective of a multi-objective study is assessed in its own direction (a
//! maximized objective is negated), so "important" always means "matters for the good trials".
//! When importances cannot be computed (too few trials, an evaluator error), the figure says
//! why instead of failing.

use std::sync::Arc;

use hpo_core::{FrozenTrial, StudyDirection, TrialState};
use hpo_importance::{ImportanceOptions, Target, param_importances_of};
use indexmap::IndexMap;

use crate::axis::{AxesStyle, Scale};
use crate::canvas::{Group, Style, TextStyle, VAlign};
use crate::color::{named, palette};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::Page;
use crate::legend::{LegendItem, Mark, legend};
use crate::options::PlotOptions;
use crate::plots::common::{
    frame_in, message_figure, non_empty, or_message, param_names, params_to_plot, resolve_target,
};

/// One bar series: a name and the importance of each parameter.
struct Series {
    name: String,
    importances: IndexMap<String, f64>,
}

/// Draws the importances.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    let kind = PlotKind::Importances;
    let title = kind.title();
    let per_objective = data.is_multi_objective()
        && options.target_fn().is_none()
        && options.objective_index().is_none();

    // (series name, target for the evaluator, the plotted value for filtering)
    let mut targets: Vec<(String, Option<Target>)> = Vec::new();
    if per_objective {
        for (i, d) in data.directions.iter().enumerate() {
            targets.push((data.objective_name(i), Some(objective_target(i, *d))));
        }
    } else if let Some(f) = options.target_fn() {
        let name = options
            .target_label()
            .unwrap_or("Objective Value")
            .to_owned();
        targets.push((name, Some(f.clone())));
    } else {
        let spec = resolve_target(data, options, kind)?;
        let target = match spec.objective() {
            Some(i) if data.is_multi_objective() => Some(objective_target(i, data.directions[i])),
            _ => None,
        };
        targets.push((spec.name.clone(), target));
    }

    // The completed trials with a finite value for every series.
    let usable: Vec<Arc<FrozenTrial>> = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .filter(|t| {
            targets.iter().all(|(_, target)| {
                let v = match target {
                    Some(f) => f(t),
                    None => t.value().unwrap_or(f64::NAN),
                };
                v.is_finite()
            })
        })
        .cloned()
        .collect();
    let usable = or_message!(non_empty(usable, data, title, options));
    let refs: Vec<&FrozenTrial> = usable.iter().map(Arc::as_ref).collect();
    let params = or_message!(params_to_plot(data, title, &refs, options)?);

    let mut base = ImportanceOptions::new();
    if let Some(e) = options.evaluator() {
        base = base.evaluator_arc(e.clone());
    }
    if options.selected_params().is_some() {
        base = base.params(params.iter().cloned());
    }
    let evaluator = base.evaluator_ref().name();
    let mut series = Vec::new();
    for (name, target) in targets {
        let mut o = base.clone();
        if let Some(t) = target {
            o = o.target_arc(t);
        }
        match param_importances_of(&usable, &data.directions, &o) {
            Ok(importances) if !importances.is_empty() => series.push(Series { name, importances }),
            Ok(_) => {
                return Ok(message_figure(
                    title,
                    options,
                    &format!(
                        "no parameter of study `{}` could be assessed (the {evaluator} evaluator \
                         needs parameters present in the completed trials)",
                        data.name
                    ),
                ));
            }
            Err(e) => {
                return Ok(message_figure(
                    title,
                    options,
                    &format!(
                        "cannot compute parameter importances of study `{}`: {e}",
                        data.name
                    ),
                ));
            }
        }
    }
    Ok(draw(data, options, &series, evaluator))
}

/// Objective `i` turned so that lower is better.
fn objective_target(i: usize, direction: StudyDirection) -> Target {
    Arc::new(move |t: &FrozenTrial| {
        t.values
            .as_ref()
            .and_then(|v| v.get(i))
            .map_or(f64::NAN, |v| direction.to_minimize(*v))
    })
}

/// Optuna's bar label: two decimals, or `<0.01`.
fn label(v: f64) -> String {
    if v >= 0.01 {
        format!("{v:.2}")
    } else {
        "<0.01".to_owned()
    }
}

fn draw(data: &StudyData, options: &PlotOptions, series: &[Series], evaluator: &str) -> Figure {
    let kind = PlotKind::Importances;
    // Rows: the first series' order (highest first), then any parameter only others have.
    let mut rows: Vec<String> = series[0].importances.keys().cloned().collect();
    for s in &series[1..] {
        for k in s.importances.keys() {
            if !rows.contains(k) {
                rows.push(k.clone());
            }
        }
    }
    let max = series
        .iter()
        .flat_map(|s| s.importances.values().copied())
        .fold(0.0, f64::max)
        .max(1e-12);
    let mut page = Page::from_options(kind.title(), options);
    page.subtitle(&format!("evaluator: {evaluator}"));
    // Categorical y axis, most important at the top (category 0 is drawn at the bottom).
    let labels: Vec<String> = rows.iter().rev().cloned().collect();
    let y = Scale::category(labels);
    let x = Scale::linear_exact(0.0, max);
    let axes = AxesStyle {
        x_title: Some("Hyperparameter Importance"),
        y_title: Some("Hyperparameter"),
        y_ticks: rows.len(),
        y_label_chars: 28,
        ..AxesStyle::default()
    };
    let frame = frame_in(page.body(), x, y, &axes, 44.0);
    let c = &mut page.canvas;
    frame.draw(c, &axes);

    let n_rows = rows.len();
    let band = frame.area.h / n_rows as f64;
    let m = series.len();
    let bar_h = (band * 0.72 / m as f64).min(34.0);
    let font = (bar_h * 0.75).clamp(8.0, 11.0);
    let distributions = first_distribution_names(data);
    c.begin_group(&Group::new().class("bars"));
    for (si, s) in series.iter().enumerate() {
        let color = if m == 1 { named::BLUE } else { palette(si) };
        for (param, &v) in &s.importances {
            let Some(row) = rows.iter().position(|r| r == param) else {
                continue;
            };
            // Row `row` from the top is category `n_rows - 1 - row`.
            let cy = frame.py((n_rows - 1 - row) as f64);
            let top = cy - bar_h * m as f64 / 2.0 + bar_h * si as f64;
            let w = frame.px(v) - frame.area.x;
            let tip = format!(
                "{param} ({}): {v}{}",
                distributions.get(param).map_or("?", String::as_str),
                if m > 1 {
                    format!(" [{}]", s.name)
                } else {
                    String::new()
                }
            );
            c.titled(&tip, |c| {
                c.rect(
                    frame.area.x,
                    top + bar_h * 0.06,
                    w.max(0.5),
                    bar_h * 0.88,
                    &Style::filled(color),
                );
            });
            let text = label(v);
            c.text(
                frame.area.x + w + 4.0,
                top + bar_h / 2.0,
                &text,
                &TextStyle::new(font)
                    .valign(VAlign::Middle)
                    .color(named::TEXT),
            );
        }
    }
    c.end_group();
    if m > 1 {
        let items: Vec<LegendItem> = series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem::new(s.name.clone(), Mark::Square(palette(i))))
            .collect();
        let mut area = frame.area;
        area.w += 40.0;
        legend(c, area, &items);
    }
    page.finish(None)
}

/// The distribution class of each parameter (from the first trial that has it), for tooltips
/// (Optuna shows `FloatDistribution` and so on).
fn first_distribution_names(data: &StudyData) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    for name in param_names(data.trials.iter().map(Arc::as_ref)) {
        if let Some(d) = data.trials.iter().find_map(|t| t.distribution(&name)) {
            out.insert(name, d.class_name().to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_like_optuna() {
        assert_eq!(label(0.634), "0.63");
        assert_eq!(label(0.004), "<0.01");
        assert_eq!(label(1.0), "1.00");
    }
}
