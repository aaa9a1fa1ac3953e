//! The study list: every study of the storage with its directions, trials by state, best value
//! and last update.

use std::fmt::Write;

use hpo_core::{Storage, TrialState};

use crate::html::{datetime, esc, number};
use crate::problem::Problem;
use crate::snapshot::{best_trial, counts, last_update, stamp};

/// One study's row.
struct Row {
    id: i64,
    name: String,
    directions: String,
    counts: [usize; 5],
    best: Option<f64>,
    updated: String,
}

fn rows(storage: &dyn Storage) -> Result<(Vec<Row>, String), Problem> {
    let mut studies = storage.get_all_studies().map_err(Problem::storage)?;
    studies.sort_by_key(|s| s.study_id);
    let mut all_stamps = format!("{}", studies.len());
    let mut rows = Vec::with_capacity(studies.len());
    for s in studies {
        // A study deleted between the listing and this read is left out.
        let trials = match storage.get_all_trials(s.study_id, None) {
            Ok(t) => t,
            Err(hpo_core::Error::StudyIdNotFound(_)) => continue,
            Err(e) => return Err(Problem::storage(e)),
        };
        let _ = write!(all_stamps, ";{}:{}", s.study_id, stamp(&trials));
        let best = match s.directions.as_slice() {
            [one] => best_trial(&trials, *one).map(|(_, v)| v),
            _ => None,
        };
        rows.push(Row {
            id: s.study_id,
            directions: s
                .directions
                .iter()
                .map(|d| d.name())
                .collect::<Vec<_>>()
                .join(", "),
            name: s.name,
            counts: counts(&trials),
            best,
            updated: datetime(last_update(&trials)),
        });
    }
    Ok((rows, all_stamps))
}

/// The stamp of the whole storage: every study's id and stamp.
pub(crate) fn storage_stamp(storage: &dyn Storage) -> Result<String, Problem> {
    Ok(rows(storage)?.1)
}

/// The list's live part: the table of studies.
pub(crate) fn table(storage: &dyn Storage) -> Result<String, Problem> {
    let (rows, _) = rows(storage)?;
    if rows.is_empty() {
        return Ok("<p class=\"notice\">This storage holds no study yet.</p>\n".to_owned());
    }
    let mut out = String::from(
        "<table class=\"studies\">\n<thead><tr><th>Study</th><th>Directions</th>\
         <th class=\"num\">Trials</th><th class=\"num\">Complete</th><th class=\"num\">Pruned</th>\
         <th class=\"num\">Fail</th><th class=\"num\">Running</th><th class=\"num\">Waiting</th>\
         <th class=\"num\">Best value</th><th>Last update (UTC)</th></tr></thead>\n<tbody>\n",
    );
    for r in &rows {
        let c = &r.counts;
        let _ = writeln!(
            out,
            "<tr><td><a class=\"study-link\" href=\"/studies/{id}\">{name}</a></td>\
             <td>{dirs}</td><td class=\"num\">{total}</td><td class=\"num\">{complete}</td>\
             <td class=\"num\">{pruned}</td><td class=\"num\">{fail}</td>\
             <td class=\"num\">{running}</td><td class=\"num\">{waiting}</td>\
             <td class=\"num\">{best}</td><td>{updated}</td></tr>",
            id = r.id,
            name = esc(&r.name),
            dirs = r.directions,
            total = c.iter().sum::<usize>(),
            complete = c[TrialState::Complete as usize],
            pruned = c[TrialState::Pruned as usize],
            fail = c[TrialState::Fail as usize],
            running = c[TrialState::Running as usize],
            waiting = c[TrialState::Waiting as usize],
            best = r.best.map_or_else(|| "—".to_owned(), number),
            updated = r.updated,
        );
    }
    out.push_str("</tbody>\n</table>\n");
    Ok(out)
}

/// The whole list page's body.
pub(crate) fn body(storage: &dyn Storage) -> Result<String, Problem> {
    Ok(format!(
        "<h1>Studies</h1>\n<section id=\"studies\" data-live=\"/studies-table\">\n{}</section>\n",
        table(storage)?
    ))
}
