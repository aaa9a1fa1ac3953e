//! The trial page: state, values, datetimes, parameters with their distributions, intermediate
//! values (a figure and a table), user and system attributes, and the fail reason.

use std::fmt::Write;
use std::sync::Arc;

use hpo_core::storage::StudyId;
use hpo_core::{Error, FrozenTrial, Storage, TrialState};
use hpo_viz::{PlotKind, PlotOptions, StudyData};

use crate::html::{datetime, duration, esc, json_text, number, state};
use crate::problem::Problem;
use crate::snapshot::study_name;

/// The most intermediate values listed in the table (the figure draws all of them).
const MAX_STEP_ROWS: usize = 1000;

/// A trial as its page shows it.
pub(crate) struct TrialView {
    /// The study's id.
    pub id: StudyId,
    /// The study's name.
    pub name: String,
    /// The objectives' names.
    pub objectives: Vec<String>,
    /// The trial.
    pub trial: Arc<FrozenTrial>,
}

/// Study `id`'s trial `number`: 404 when the study or the trial does not exist.
pub(crate) fn load(storage: &dyn Storage, id: StudyId, number: &str) -> Result<TrialView, Problem> {
    let name = study_name(storage, id)?;
    let not_found = || Problem::not_found(format!("study `{name}` has no trial number `{number}`"));
    let n: u64 = number.parse().map_err(|_| not_found())?;
    let trial_id = storage
        .get_trial_id_from_study_id_trial_number(id, n)
        .map_err(|e| match e {
            Error::TrialNotFound(_) => not_found(),
            other => Problem::storage(other),
        })?;
    let trial = storage.get_trial(trial_id).map_err(Problem::storage)?;
    let n_objectives = storage
        .get_study_directions(id)
        .map_err(Problem::storage)?
        .len();
    let system = storage
        .get_study_system_attrs(id)
        .map_err(Problem::storage)?;
    let names = hpo_core::study::metric_names_in(&system);
    let objectives = (0..n_objectives)
        .map(|i| hpo_viz::objective_label(names.as_deref(), n_objectives, i))
        .collect();
    Ok(TrialView {
        id,
        name,
        objectives,
        trial,
    })
}

fn attrs_table(out: &mut String, title: &str, attrs: &hpo_core::Attrs) {
    if attrs.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2>{title}</h2>\n<table class=\"attrs\"><thead><tr><th>Key</th><th>Value</th></tr>\
         </thead><tbody>\n"
    );
    for (k, v) in attrs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(k),
            esc(&json_text(v))
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The trial page's live part (everything under the heading links).
pub(crate) fn content(v: &TrialView, writes: Option<&str>) -> String {
    let (id, name, objectives, t) = (v.id, v.name.as_str(), v.objectives.as_slice(), &*v.trial);
    let mut out = String::from("<dl class=\"summary\">\n");
    let _ = writeln!(out, "<dt>State</dt><dd>{}</dd>", state(t.state));
    for (i, objective) in objectives.iter().enumerate() {
        let v = t.values.as_ref().and_then(|v| v.get(i).copied());
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd class=\"value\">{}</dd>",
            esc(objective),
            v.map_or_else(|| "—".to_owned(), number)
        );
    }
    let _ = writeln!(
        out,
        "<dt>Started (UTC)</dt><dd>{}</dd>\n<dt>Completed (UTC)</dt><dd>{}</dd>\n\
         <dt>Duration</dt><dd>{}</dd>\n<dt>Trial id</dt><dd>{}</dd>",
        datetime(t.datetime_start),
        datetime(t.datetime_complete),
        duration(t.duration()),
        t.trial_id
    );
    out.push_str("</dl>\n");
    if let Some(reason) = t.system_attrs.get("fail_reason") {
        let _ = writeln!(
            out,
            "<h2>Fail reason</h2>\n<pre class=\"fail-reason\">{}</pre>",
            esc(&json_text(reason))
        );
    }
    if !t.params.is_empty() {
        out.push_str(
            "<h2>Parameters</h2>\n<table class=\"params\"><thead><tr><th>Name</th><th>Value</th>\
             <th>Distribution</th></tr></thead><tbody>\n",
        );
        for (k, p) in &t.params {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(k),
                esc(&p.value.to_string()),
                esc(&p.distribution.to_string())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !t.intermediate_values.is_empty() {
        out.push_str("<h2>Intermediate values</h2>\n");
        let data = StudyData::new(name, Vec::new(), vec![Arc::new(t.clone())]);
        match hpo_viz::plot(&data, PlotKind::IntermediateValues, &PlotOptions::new()) {
            Ok(fig) => {
                let _ = writeln!(out, "<figure class=\"figure\">{}</figure>", fig.into_svg());
            }
            Err(e) => {
                let _ = writeln!(out, "<p class=\"notice\">{}</p>", esc(&e.to_string()));
            }
        }
        out.push_str(
            "<table class=\"steps\"><thead><tr><th>Step</th><th>Value</th></tr></thead><tbody>\n",
        );
        let skip = t.intermediate_values.len().saturating_sub(MAX_STEP_ROWS);
        if skip > 0 {
            let _ = writeln!(
                out,
                "<tr><td colspan=\"2\">… {skip} earlier steps (in the figure)</td></tr>"
            );
        }
        for (step, v) in t.intermediate_values.iter().skip(skip) {
            let _ = writeln!(out, "<tr><td>{step}</td><td>{}</td></tr>", number(*v));
        }
        out.push_str("</tbody></table>\n");
    }
    attrs_table(&mut out, "User attributes", &t.user_attrs);
    attrs_table(&mut out, "System attributes", &t.system_attrs);
    if let Some(token) = writes.filter(|_| !t.state.is_finished()) {
        let _ = writeln!(
            out,
            "<section class=\"writes\"><h2>Tell</h2>\
             <form method=\"post\" action=\"/studies/{id}/trials/{n}/tell\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <label>state <select name=\"state\"><option value=\"complete\">complete</option>\
             <option value=\"pruned\">pruned</option><option value=\"fail\">fail</option></select>\
             </label> <label>values <input name=\"values\" placeholder=\"{hint}\"></label> \
             <button type=\"submit\">Tell</button></form></section>",
            n = t.number,
            hint = if objectives.len() > 1 {
                "1.0, 2.0"
            } else {
                "1.0"
            }
        );
    }
    out
}

/// The whole trial page's body; `n_trials` (the study's trial count) decides the link to the
/// next trial.
pub(crate) fn body(v: &TrialView, n_trials: usize, writes: Option<&str>) -> String {
    let (id, name, t) = (v.id, v.name.as_str(), &*v.trial);
    let n = t.number;
    let mut nav = format!("<a href=\"/studies/{id}\">← study {}</a>", esc(name));
    if n > 0 {
        let _ = write!(
            nav,
            " · <a class=\"prev\" href=\"/studies/{id}/trials/{}\">‹ trial {}</a>",
            n - 1,
            n - 1
        );
    }
    if (n as usize) + 1 < n_trials {
        let _ = write!(
            nav,
            " · <a class=\"next\" href=\"/studies/{id}/trials/{}\">trial {} ›</a>",
            n + 1,
            n + 1
        );
    }
    let live = if t.state == TrialState::Complete
        || t.state == TrialState::Fail
        || t.state == TrialState::Pruned
    {
        // A finished trial no longer changes (only its attributes could): no polling.
        String::new()
    } else {
        format!(" data-live=\"/studies/{id}/trials/{n}/content\"")
    };
    format!(
        "<nav class=\"crumbs\">{nav}</nav>\n<h1>Trial {n} <small>of study <span \
         class=\"study-name\">{}</span></small></h1>\n<section id=\"trial\"{live}>\n{}</section>\n",
        esc(name),
        content(v, writes)
    )
}
