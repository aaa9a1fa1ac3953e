//! The trial table: filtered by state, sorted by a column, paged on the server (a page holds at
//! most [`crate::view::MAX_PER_PAGE`] rows, whatever the study's size).

use std::cmp::Ordering;
use std::fmt::Write;
use std::sync::Arc;

use hpo_core::{FrozenTrial, TrialState};

use crate::html::{datetime, duration, esc, number, query, state};
use crate::problem::Problem;
use crate::snapshot::Snapshot;
use crate::view::{SortKey, View};

/// `a` before `b` in the order of `key`, ascending; missing values last either way (the caller
/// reverses only the present ones).
fn compare(key: SortKey, a: &FrozenTrial, b: &FrozenTrial) -> Option<Ordering> {
    let value = |t: &FrozenTrial, i: usize| {
        t.values
            .as_ref()
            .and_then(|v| v.get(i).copied())
            .filter(|v| !v.is_nan())
    };
    match key {
        SortKey::Number => Some(a.number.cmp(&b.number)),
        SortKey::State => Some((a.state as u8).cmp(&(b.state as u8))),
        SortKey::Value(i) => Some(value(a, i)?.total_cmp(&value(b, i)?)),
        SortKey::Duration => Some(a.duration()?.cmp(&b.duration()?)),
        SortKey::Start => Some(a.datetime_start?.cmp(&b.datetime_start?)),
    }
}

/// Whether `t` has a value for `key` (rows without one sort last).
fn has_key(key: SortKey, t: &FrozenTrial) -> bool {
    compare(key, t, t).is_some()
}

/// The rows of the table, filtered and sorted, before paging.
fn ordered<'a>(snap: &'a Snapshot, view: &View) -> Vec<&'a Arc<FrozenTrial>> {
    let mut rows: Vec<&Arc<FrozenTrial>> = snap
        .trials
        .iter()
        .filter(|t| view.states.is_empty() || view.states.contains(&t.state))
        .collect();
    if view.sort == SortKey::Number {
        if view.desc {
            rows.reverse();
        }
        return rows;
    }
    let (mut with, without): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|t| has_key(view.sort, t));
    with.sort_by(|a, b| {
        let o = compare(view.sort, a, b)
            .unwrap_or(Ordering::Equal)
            .then(a.number.cmp(&b.number));
        if view.desc { o.reverse() } else { o }
    });
    with.extend(without);
    with
}

/// A link to the study page with `view` at table page `page`, which the script turns into an
/// in-place table update.
fn link(id: i64, view: &View, page: usize, text: &str, class: &str) -> String {
    format!(
        "<a class=\"{class}\" data-table=\"/studies/{id}/table{q}\" href=\"/studies/{id}{q}#trials\">{text}</a>",
        q = esc(&query(&view.all_pairs(page))),
    )
}

/// The table fragment: the state filter, the pager and one page of rows.
pub(crate) fn render(snap: &Snapshot, view: &View) -> Result<String, Problem> {
    let id = snap.id;
    let rows = ordered(snap, view);
    let pages = rows.len().div_ceil(view.per).max(1);
    let page = view.page.min(pages);
    let first = (page - 1) * view.per;
    let shown = &rows[first.min(rows.len())..(first + view.per).min(rows.len())];
    let counts = snap.counts();

    let mut out = String::from("<nav class=\"filter\">Show: ");
    let all = View {
        states: Vec::new(),
        page: 1,
        ..view.clone()
    };
    let current = |on: bool| if on { "on" } else { "" };
    out.push_str(&link(
        id,
        &all,
        1,
        &format!("all ({})", snap.trials.len()),
        current(view.states.is_empty()),
    ));
    for s in TrialState::ALL {
        let only = View {
            states: vec![s],
            page: 1,
            ..view.clone()
        };
        let _ = write!(
            out,
            " {}",
            link(
                id,
                &only,
                1,
                &format!("{} ({})", s.name().to_ascii_lowercase(), counts[s as usize]),
                current(view.states == [s]),
            )
        );
    }
    out.push_str("</nav>\n");

    // Pager.
    let mut pager = String::from("<nav class=\"pager\">");
    if page > 1 {
        pager.push_str(&link(id, view, 1, "« first", "first"));
        pager.push(' ');
        pager.push_str(&link(id, view, page - 1, "‹ previous", "prev"));
    }
    let _ = write!(
        pager,
        " <span class=\"position\">page {page} of {pages} · rows {}–{} of {}</span> ",
        if shown.is_empty() { 0 } else { first + 1 },
        first + shown.len(),
        rows.len()
    );
    if page < pages {
        pager.push_str(&link(id, view, page + 1, "next ›", "next"));
        pager.push(' ');
        pager.push_str(&link(id, view, pages, "last »", "last"));
    }
    pager.push_str("</nav>\n");
    out.push_str(&pager);

    // Header, with sort links (a second click on the sorted column reverses it).
    let params = snap.param_names();
    let mut columns: Vec<(String, Option<SortKey>)> = vec![
        ("Number".into(), Some(SortKey::Number)),
        ("State".into(), Some(SortKey::State)),
    ];
    for i in 0..snap.directions.len() {
        columns.push((snap.objective_name(i), Some(SortKey::Value(i))));
    }
    columns.push(("Duration".into(), Some(SortKey::Duration)));
    columns.push(("Started (UTC)".into(), Some(SortKey::Start)));
    out.push_str("<table class=\"trials\">\n<thead><tr>");
    for (title, key) in &columns {
        let Some(key) = key else { continue };
        let sorted = view.sort == *key;
        let next = View {
            sort: *key,
            desc: sorted && !view.desc,
            page: 1,
            ..view.clone()
        };
        let arrow = match (sorted, view.desc) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        };
        let _ = write!(
            out,
            "<th>{}</th>",
            link(
                id,
                &next,
                1,
                &format!("{}{arrow}", esc(title)),
                if sorted { "sort on" } else { "sort" }
            )
        );
    }
    for p in params {
        let _ = write!(out, "<th class=\"param\">{}</th>", esc(p));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for t in shown {
        let _ = write!(
            out,
            "<tr data-number=\"{n}\"><td><a href=\"/studies/{id}/trials/{n}\">{n}</a></td><td>{}</td>",
            state(t.state),
            n = t.number,
        );
        for i in 0..snap.directions.len() {
            let v = t.values.as_ref().and_then(|v| v.get(i).copied());
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                v.map_or_else(|| "—".to_owned(), number)
            );
        }
        let _ = write!(
            out,
            "<td class=\"num\">{}</td><td>{}</td>",
            duration(t.duration()),
            datetime(t.datetime_start)
        );
        for p in params {
            let v = t
                .params
                .get(p)
                .map_or_else(String::new, |p| p.value.to_string());
            let _ = write!(out, "<td>{}</td>", esc(&v));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if shown.is_empty() {
        out.push_str("<p class=\"notice\">No trial to show.</p>\n");
    }
    out.push_str(&pager);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(values: &[Option<f64>]) -> Snapshot {
        let trials = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut t = FrozenTrial::new(if v.is_some() {
                    TrialState::Complete
                } else {
                    TrialState::Running
                });
                t.number = i as u64;
                t.values = v.map(|v| vec![v]);
                Arc::new(t)
            })
            .collect();
        Snapshot::from_parts(vec![hpo_core::StudyDirection::Minimize], trials)
    }

    fn numbers(snap: &Snapshot, view: &View) -> Vec<u64> {
        ordered(snap, view).iter().map(|t| t.number).collect()
    }

    #[test]
    fn sorting_puts_missing_values_last_both_ways_and_filters_by_state() {
        let s = snap(&[Some(3.0), None, Some(1.0), Some(2.0), None]);
        let mut v = View {
            sort: SortKey::Value(0),
            ..View::default()
        };
        assert_eq!(numbers(&s, &v), [2, 3, 0, 1, 4]);
        v.desc = true;
        assert_eq!(numbers(&s, &v), [0, 3, 2, 1, 4]);
        v.states = vec![TrialState::Running];
        assert_eq!(numbers(&s, &v), [1, 4]);
        let desc_numbers = View {
            desc: true,
            ..View::default()
        };
        assert_eq!(numbers(&s, &desc_numbers), [4, 3, 2, 1, 0]);
    }

    #[test]
    fn pages_hold_at_most_per_rows_and_past_the_end_shows_the_last() {
        let s = snap(&vec![Some(1.0); 120]);
        let v = View {
            per: 50,
            page: 9,
            ..View::default()
        };
        let html = render(&s, &v).unwrap();
        assert!(html.contains("page 3 of 3 · rows 101–120 of 120"), "{html}");
        assert_eq!(html.matches("<tr data-number=").count(), 20);
        assert!(html.contains("data-number=\"119\""));
    }
}
