//! The study page: a summary, the figures (each loaded on its own, so the page appears at once
//! and the figures fill in), their settings, and the trial table.

use std::fmt::Write;

use hpo_core::TrialState;
use hpo_viz::{PlotKind, PlotOptions};

use crate::html::{esc, json_text, query, values};
use crate::pages::table;
use crate::problem::Problem;
use crate::snapshot::{Snapshot, best_trial};
use crate::view::View;

/// How many parameters the figures show when the page chose none.
const DEFAULT_PARAMS: usize = 4;

/// The parameters the figures show: those chosen on the page that the study has, else the first
/// [`DEFAULT_PARAMS`].
fn chosen_params(snap: &Snapshot, view: &View) -> Vec<String> {
    let names = snap.param_names();
    let chosen: Vec<String> = view
        .params
        .iter()
        .filter(|p| names.contains(p))
        .cloned()
        .collect();
    if chosen.is_empty() {
        names.iter().take(DEFAULT_PARAMS).cloned().collect()
    } else {
        chosen
    }
}

/// The figures a study page shows, in order.
pub(crate) fn kinds(snap: &Snapshot) -> Vec<PlotKind> {
    let multi = snap.directions.len() > 1;
    let intermediate = snap
        .trials
        .iter()
        .any(|t| !t.intermediate_values.is_empty());
    let n_params = snap.param_names().len();
    let mut out = Vec::new();
    if multi {
        out.extend([PlotKind::ParetoFront, PlotKind::HypervolumeHistory]);
    }
    out.extend([PlotKind::History, PlotKind::Importances, PlotKind::Slice]);
    if n_params >= 2 {
        out.push(PlotKind::Contour);
    }
    out.push(PlotKind::ParallelCoordinate);
    if intermediate {
        out.push(PlotKind::IntermediateValues);
    }
    out.extend([PlotKind::Edf, PlotKind::Timeline]);
    out
}

/// One figure as an HTML fragment: the SVG, or a notice saying why it is not drawn.
pub(crate) fn figure(snap: &Snapshot, kind: PlotKind, view: &View) -> String {
    // Every mark keeps its tooltip, so that hovering names the trial (and clicking opens it)
    // on big studies too.
    let mut options = PlotOptions::new()
        .log_values(view.log)
        .include_pruned(view.pruned)
        .all_tooltips(true);
    if matches!(
        kind,
        PlotKind::Slice | PlotKind::Contour | PlotKind::ParallelCoordinate | PlotKind::Rank
    ) {
        options = options.params(chosen_params(snap, view));
    }
    if snap.directions.len() > 1 && kind.needs_target_for_multi_objective() {
        options = options.objective(view.objective.min(snap.directions.len() - 1));
    }
    let data = snap.data();
    match hpo_viz::plot(&data, kind, &options) {
        Ok(fig) => fig.into_svg(),
        Err(e) => format!(
            "<p class=\"notice\">{}: not drawn: {}</p>\n",
            kind.title(),
            esc(&e.to_string())
        ),
    }
}

/// The summary: directions, trials by state, the best trial (or the Pareto front's size) and
/// the study's user attributes.
pub(crate) fn summary(snap: &Snapshot) -> String {
    let c = snap.counts();
    let mut out = String::from("<dl class=\"summary\">\n");
    let directions: Vec<String> = snap
        .directions
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} ({})", esc(&snap.objective_name(i)), d.name()))
        .collect();
    let _ = writeln!(
        out,
        "<dt>Directions</dt><dd>{}</dd>\n<dt>Trials</dt><dd><span class=\"total\">{}</span>",
        directions.join(", "),
        snap.trials.len()
    );
    for s in TrialState::ALL {
        if c[s as usize] > 0 {
            let _ = write!(
                out,
                " · {} {}",
                c[s as usize],
                s.name().to_ascii_lowercase()
            );
        }
    }
    out.push_str("</dd>\n");
    if let [direction] = snap.directions.as_slice() {
        match best_trial(&snap.trials, *direction) {
            Some((t, _)) => {
                let params: Vec<String> = t
                    .params
                    .iter()
                    .map(|(k, p)| format!("{}: {}", esc(k), esc(&p.value.to_string())))
                    .collect();
                let _ = writeln!(
                    out,
                    "<dt>Best trial</dt><dd><a href=\"/studies/{}/trials/{}\">#{}</a> \
                     value <b class=\"best\">{}</b><br><small>{}</small></dd>",
                    snap.id,
                    t.number,
                    t.number,
                    values(t.values.as_deref()),
                    params.join(", ")
                );
            }
            None => out.push_str("<dt>Best trial</dt><dd>none completed yet</dd>\n"),
        }
    } else {
        let front = hpo_core::study::pareto_front(&snap.trials, &snap.directions);
        let _ = writeln!(
            out,
            "<dt>Pareto front</dt><dd>{} trial{}</dd>",
            front.len(),
            if front.len() == 1 { "" } else { "s" }
        );
    }
    for (k, v) in &snap.user_attrs {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&json_text(v)));
    }
    out.push_str("</dl>\n");
    out
}

/// The settings form: history switches, the objective, the parameters.
fn controls(snap: &Snapshot, view: &View) -> String {
    let mut out = format!(
        "<form id=\"controls\" class=\"controls\" method=\"get\" action=\"/studies/{}\">\n\
         <label><input type=\"checkbox\" name=\"log\" value=\"1\"{}> log scale</label>\n\
         <label><input type=\"checkbox\" name=\"pruned\" value=\"1\"{}> include pruned</label>\n",
        snap.id,
        if view.log { " checked" } else { "" },
        if view.pruned { " checked" } else { "" },
    );
    if snap.directions.len() > 1 {
        out.push_str("<label>objective <select name=\"objective\">");
        for i in 0..snap.directions.len() {
            let _ = write!(
                out,
                "<option value=\"{i}\"{}>{}</option>",
                if i == view.objective { " selected" } else { "" },
                esc(&snap.objective_name(i))
            );
        }
        out.push_str("</select></label>\n");
    }
    let chosen = chosen_params(snap, view);
    out.push_str("<fieldset class=\"params\"><legend>parameters</legend>");
    for name in snap.param_names() {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"params\" value=\"{n}\"{c}> {n}</label>",
            n = esc(name),
            c = if chosen.iter().any(|p| p == name) {
                " checked"
            } else {
                ""
            }
        );
    }
    out.push_str("</fieldset>\n<button type=\"submit\">Apply</button>\n</form>\n");
    out
}

/// The whole study page's body.
pub(crate) fn body(snap: &Snapshot, view: &View, writes: Option<&str>) -> Result<String, Problem> {
    let id = snap.id;
    let mut out = format!(
        "<h1>Study <span class=\"study-name\">{}</span></h1>\n\
         <section id=\"summary\" data-live=\"/studies/{id}/summary\">\n{}</section>\n{}",
        esc(&snap.name),
        summary(snap),
        controls(snap, view),
    );
    let figure_query = query(&view.figure_pairs());
    out.push_str("<section class=\"figures\">\n");
    for kind in kinds(snap) {
        let url = format!("/studies/{id}/figures/{}{figure_query}", kind.name());
        let _ = writeln!(
            out,
            "<figure class=\"figure\" id=\"fig-{name}\" data-kind=\"{name}\" data-live=\"{url}\" \
             data-lazy=\"1\"><a href=\"{url}\">{title}</a></figure>",
            name = kind.name(),
            url = esc(&url),
            title = kind.title(),
        );
    }
    out.push_str("</section>\n");
    let _ = write!(
        out,
        "<h2 id=\"trials\">Trials</h2>\n<section id=\"table\" data-live=\"{}\">\n{}</section>\n",
        esc(&format!(
            "/studies/{id}/table{}",
            query(&view.all_pairs(view.page))
        )),
        table::render(snap, view)?
    );
    if let Some(token) = writes {
        let _ = writeln!(
            out,
            "<section class=\"writes\"><h2>Delete</h2>\
             <form method=\"post\" action=\"/studies/{id}/delete\" data-confirm=\"Delete study \
             {name} and all its trials?\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <button type=\"submit\" class=\"danger\">Delete this study</button></form></section>",
            name = esc(&snap.name),
        );
    }
    Ok(out)
}
