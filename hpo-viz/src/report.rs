//! The HTML report: a study summary (name, directions, trial counts per state, best trials with
//! their parameters) followed by every plot kind that applies, as inline SVG. The page needs no
//! script and loads nothing; it is also well-formed XML (XHTML-compatible).

use std::fmt::Write;

use hpo_core::{FrozenTrial, TrialState};

use crate::axis::format_number;
use crate::canvas::escape;
use crate::data::StudyData;
use crate::figure::PAGE_CSS;
use crate::kind::PlotKind;
use crate::options::PlotOptions;
use crate::plots::common::no_completed_message;

/// Best trials listed in the summary at most (the Pareto front can be large).
const MAX_BEST_ROWS: usize = 20;

const REPORT_CSS: &str = "main{max-width:1000px;margin:0 auto}\
h1{font-size:1.6em;margin:.2em 0 .4em}h2{font-size:1.2em;margin:1.6em 0 .5em}\
table{border-collapse:collapse;background:#fff;margin:.3em 0 1em;font-size:.92em}\
td,th{border:1px solid #e2e4e8;padding:.3em .7em;text-align:left;vertical-align:top}\
th{background:#f0f2f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}\
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em}\
.notice{color:#5f6470;background:#fff;border-left:3px solid #c5c9d0;padding:.5em .8em}\
nav a{margin-right:.9em;color:#3a5fa0;text-decoration:none}section{margin-bottom:1.5em}";

/// One entry of the report: a plot kind, optionally for one objective.
struct Entry {
    kind: PlotKind,
    heading: String,
    anchor: String,
    options: PlotOptions,
}

/// A self-contained HTML report of `data`: the study summary, then every plot kind that
/// applies (the Pareto front and the hypervolume history, with the automatic reference point of
/// [`PlotOptions::reference_point`] unless one is set, only for multi-objective studies;
/// intermediate values only when trials reported some). For a multi-objective study without a
/// target, the kinds that need one value per trial are drawn once per objective. Plots with nothing to draw become a one-line
/// notice; kinds that cannot be drawn are listed with the reason.
pub fn report_html(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<String> {
    options.check_size()?;
    let mut html = String::with_capacity(256 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n\
         <meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>Study {name} — hpo report</title>\n<style>{PAGE_CSS}{REPORT_CSS}</style>\n\
         </head>\n<body>\n<main>\n<h1>Study <code>{name}</code></h1>\n",
        name = escape(&data.name)
    );
    summary(&mut html, data);

    // Render first, so that the navigation lists only what is shown.
    let mut sections: Vec<(&Entry, String)> = Vec::new();
    let entries = entries(data, options);
    for e in &entries {
        let body = match crate::plot(data, e.kind, &e.options) {
            Ok(fig) => match fig.notice() {
                None => fig.into_svg(),
                Some(notice) => format!("<p class=\"notice\">{}</p>\n", escape(notice)),
            },
            Err(err) => format!(
                "<p class=\"notice\">Not drawn: {}</p>\n",
                escape(&err.to_string())
            ),
        };
        sections.push((e, body));
    }
    if !sections.is_empty() {
        html.push_str("<nav>");
        for (e, _) in &sections {
            let _ = write!(
                html,
                "<a href=\"#{}\">{}</a>",
                escape(&e.anchor),
                escape(&e.heading)
            );
        }
        html.push_str("</nav>\n");
    }
    if data.complete_trials().next().is_none() {
        let _ = writeln!(
            html,
            "<p class=\"notice\">{}: nothing to plot yet.</p>",
            escape(&no_completed_message(data))
        );
    }
    for (e, body) in &sections {
        let _ = write!(
            html,
            "<section id=\"{}\">\n<h2>{}</h2>\n{body}</section>\n",
            escape(&e.anchor),
            escape(&e.heading),
        );
    }
    html.push_str("</main>\n</body>\n</html>\n");
    Ok(html)
}

/// The plots the report shows, in order.
fn entries(data: &StudyData, options: &PlotOptions) -> Vec<Entry> {
    let has_intermediate = data
        .trials
        .iter()
        .any(|t| !t.intermediate_values.is_empty());
    let per_objective = data.is_multi_objective()
        && options.target_fn().is_none()
        && options.objective_index().is_none();
    let mut out = Vec::new();
    for kind in PlotKind::ALL {
        if kind.multi_objective_only() && !data.is_multi_objective() {
            continue;
        }
        if kind == PlotKind::IntermediateValues && !has_intermediate {
            continue;
        }
        if per_objective && kind.needs_target_for_multi_objective() {
            for i in 0..data.directions.len() {
                let name = data.objective_name(i);
                out.push(Entry {
                    kind,
                    heading: format!("{} — {name}", kind.title()),
                    anchor: format!("{}-{i}", kind.name()),
                    options: options.clone().objective(i),
                });
            }
        } else {
            out.push(Entry {
                kind,
                heading: kind.title().to_owned(),
                anchor: kind.name().to_owned(),
                options: options.clone(),
            });
        }
    }
    out
}

/// Directions, trial counts per state, time span, and the best trial(s).
fn summary(html: &mut String, data: &StudyData) {
    html.push_str("<table>\n");
    let objectives: Vec<String> = data
        .directions
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} ({})", data.objective_name(i), d.name()))
        .collect();
    let _ = writeln!(
        html,
        "<tr><th>Direction{}</th><td>{}</td></tr>",
        if objectives.len() > 1 { "s" } else { "" },
        escape(&objectives.join(", "))
    );
    let start = data.trials.iter().filter_map(|t| t.datetime_start).min();
    let end = data.trials.iter().filter_map(|t| t.datetime_complete).max();
    if let (Some(s), Some(e)) = (start, end) {
        let _ = writeln!(
            html,
            "<tr><th>Time span</th><td>{} to {} ({})</td></tr>",
            s.format("%Y-%m-%d %H:%M:%S"),
            e.format("%Y-%m-%d %H:%M:%S UTC"),
            human_duration((e - s).num_milliseconds() as f64 / 1000.0)
        );
    }
    html.push_str("</table>\n<h2>Trials</h2>\n<table>\n<tr><th>Total</th>");
    let states: Vec<(TrialState, usize)> = TrialState::ALL
        .iter()
        .map(|&s| (s, data.count(s)))
        .filter(|&(s, n)| {
            n > 0
                || matches!(
                    s,
                    TrialState::Complete | TrialState::Pruned | TrialState::Fail
                )
        })
        .collect();
    for (s, _) in &states {
        let _ = write!(html, "<th>{}</th>", s.name());
    }
    let _ = write!(
        html,
        "</tr>\n<tr><td class=\"num\">{}</td>",
        data.trials.len()
    );
    for (_, n) in &states {
        let _ = write!(html, "<td class=\"num\">{n}</td>");
    }
    html.push_str("</tr>\n</table>\n");

    let best = best_trials(data);
    if best.is_empty() {
        return;
    }
    if data.is_multi_objective() {
        let _ = writeln!(
            html,
            "<h2>Best trials (Pareto front: {} trial{})</h2>",
            best.len(),
            if best.len() == 1 { "" } else { "s" }
        );
    } else {
        html.push_str("<h2>Best trial</h2>\n");
    }
    let params: Vec<String> = crate::plots::common::param_names(best.iter().map(|t| t.as_ref()));
    html.push_str("<table>\n<tr><th>Trial</th>");
    for i in 0..data.directions.len() {
        let _ = write!(html, "<th>{}</th>", escape(&data.objective_name(i)));
    }
    for p in &params {
        let _ = write!(html, "<th>{}</th>", escape(p));
    }
    html.push_str("</tr>\n");
    for t in best.iter().take(MAX_BEST_ROWS) {
        let _ = write!(html, "<tr><td class=\"num\">{}</td>", t.number);
        for i in 0..data.directions.len() {
            let v = t.values.as_ref().and_then(|v| v.get(i)).copied();
            let _ = write!(
                html,
                "<td class=\"num\">{}</td>",
                v.map(|v| v.to_string()).unwrap_or_default()
            );
        }
        for p in &params {
            let v = t.param(p).map(|v| v.to_string()).unwrap_or_default();
            let _ = write!(html, "<td><code>{}</code></td>", escape(&v));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    if best.len() > MAX_BEST_ROWS {
        let _ = writeln!(
            html,
            "<p class=\"notice\">… and {} more.</p>",
            best.len() - MAX_BEST_ROWS
        );
    }
}

/// The best feasible Complete trial (single objective) or the Pareto front (several), by
/// number.
fn best_trials(data: &StudyData) -> Vec<std::sync::Arc<FrozenTrial>> {
    let complete: Vec<_> = crate::plots::common::complete_finite(data);
    let constrained = complete.iter().any(|t| t.has_constraints());
    let candidates: Vec<std::sync::Arc<FrozenTrial>> = data
        .trials
        .iter()
        .filter(|t| complete.iter().any(|c| std::ptr::eq(*c, t.as_ref())))
        .filter(|t| !constrained || t.is_feasible())
        .cloned()
        .collect();
    if data.is_multi_objective() {
        let mut front = hpo_core::study::pareto_front(&candidates, &data.directions);
        front.sort_by_key(|t| t.number);
        return front;
    }
    let d = data.directions[0];
    candidates
        .into_iter()
        .fold(None::<std::sync::Arc<FrozenTrial>>, |best, t| match best {
            Some(b)
                if !d.is_better(
                    t.values.as_ref().map_or(f64::NAN, |v| v[0]),
                    b.values.as_ref().map_or(f64::NAN, |v| v[0]),
                ) =>
            {
                Some(b)
            }
            _ => Some(t),
        })
        .into_iter()
        .collect()
}

/// `93.5 s`, `12 min`, `3.2 h`, `2.1 days`.
fn human_duration(secs: f64) -> String {
    if secs < 120.0 {
        format!("{} s", format_number(secs))
    } else if secs < 7200.0 {
        format!("{} min", format_number((secs / 60.0 * 10.0).round() / 10.0))
    } else if secs < 172_800.0 {
        format!("{} h", format_number((secs / 3600.0 * 10.0).round() / 10.0))
    } else {
        format!(
            "{} days",
            format_number((secs / 86400.0 * 10.0).round() / 10.0)
        )
    }
}
