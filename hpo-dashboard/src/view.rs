//! [`View`]: what a study page shows, read from its query string (so every state of the page is
//! a link: reload, share and the back button keep it), and written back into links.

use hpo_core::TrialState;

use crate::problem::Problem;

/// Rows per table page unless `per` says otherwise.
pub(crate) const DEFAULT_PER_PAGE: usize = 50;
/// The most rows a table page may hold.
pub(crate) const MAX_PER_PAGE: usize = 500;

/// The column the trial table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortKey {
    /// Trial number (the default).
    Number,
    /// State, in Optuna's order.
    State,
    /// Objective `i` (trials without a value last).
    Value(usize),
    /// Duration (unfinished trials last).
    Duration,
    /// Start time.
    Start,
}

impl SortKey {
    /// The `sort` query value.
    pub fn name(self) -> String {
        match self {
            SortKey::Number => "number".into(),
            SortKey::State => "state".into(),
            SortKey::Value(0) => "value".into(),
            SortKey::Value(i) => format!("value{i}"),
            SortKey::Duration => "duration".into(),
            SortKey::Start => "start".into(),
        }
    }

    fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "number" => SortKey::Number,
            "state" => SortKey::State,
            "value" => SortKey::Value(0),
            "duration" => SortKey::Duration,
            "start" => SortKey::Start,
            other => SortKey::Value(other.strip_prefix("value")?.parse().ok()?),
        })
    }
}

/// The page's settings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct View {
    /// History: logarithmic value axis.
    pub log: bool,
    /// History: Pruned trials drawn too.
    pub pruned: bool,
    /// Parameters chosen for slice, contour, parallel coordinates and rank (empty: the default).
    pub params: Vec<String>,
    /// The objective plotted by the one-value-per-trial kinds of a multi-objective study.
    pub objective: usize,
    /// Table page, from 1.
    pub page: usize,
    /// Rows per table page.
    pub per: usize,
    /// Sort column.
    pub sort: SortKey,
    /// Descending order.
    pub desc: bool,
    /// Only trials in these states (empty: all).
    pub states: Vec<TrialState>,
}

impl Default for View {
    fn default() -> Self {
        View {
            log: false,
            pruned: false,
            params: Vec::new(),
            objective: 0,
            page: 1,
            per: DEFAULT_PER_PAGE,
            sort: SortKey::Number,
            desc: false,
            states: Vec::new(),
        }
    }
}

fn flag(key: &str, value: &str) -> Result<bool, Problem> {
    match value {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" | "" => Ok(false),
        other => Err(Problem::bad_request(format!(
            "bad `{key}`: `{other}` (use 1 or 0)"
        ))),
    }
}

fn whole(key: &str, value: &str, min: usize) -> Result<usize, Problem> {
    match value.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(Problem::bad_request(format!(
            "bad `{key}`: `{value}` (a whole number from {min})"
        ))),
    }
}

impl View {
    /// Reads the query pairs; unknown keys are ignored, bad values are a 400 naming the key and
    /// the value.
    pub fn parse(pairs: &[(String, String)]) -> Result<View, Problem> {
        let mut v = View::default();
        for (key, value) in pairs {
            match key.as_str() {
                "log" => v.log = flag(key, value)?,
                "pruned" => v.pruned = flag(key, value)?,
                "params" if !value.is_empty() => v.params.push(value.clone()),
                "objective" => v.objective = whole(key, value, 0)?,
                "page" => v.page = whole(key, value, 1)?,
                "per" => v.per = whole(key, value, 1)?.min(MAX_PER_PAGE),
                "sort" => {
                    v.sort = SortKey::parse(value).ok_or_else(|| {
                        Problem::bad_request(format!(
                            "bad `sort`: `{value}` (number, state, value, valueN, duration or \
                             start)"
                        ))
                    })?;
                }
                "order" => {
                    v.desc = match value.as_str() {
                        "asc" => false,
                        "desc" => true,
                        other => {
                            return Err(Problem::bad_request(format!(
                                "bad `order`: `{other}` (asc or desc)"
                            )));
                        }
                    }
                }
                "state" => {
                    for part in value.split(',').filter(|p| !p.is_empty()) {
                        let s =
                            TrialState::from_name(&part.to_ascii_uppercase()).ok_or_else(|| {
                                Problem::bad_request(format!(
                                    "bad `state`: `{part}` (complete, pruned, fail, running or \
                                     waiting)"
                                ))
                            })?;
                        if !v.states.contains(&s) {
                            v.states.push(s);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(v)
    }

    /// The query pairs of the figure settings (log, pruned, params, objective).
    pub fn figure_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.log {
            out.push(("log", "1".to_owned()));
        }
        if self.pruned {
            out.push(("pruned", "1".to_owned()));
        }
        for p in &self.params {
            out.push(("params", p.clone()));
        }
        if self.objective != 0 {
            out.push(("objective", self.objective.to_string()));
        }
        out
    }

    /// The query pairs of the table settings, at table page `page`.
    pub fn table_pairs(&self, page: usize) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if page != 1 {
            out.push(("page", page.to_string()));
        }
        if self.per != DEFAULT_PER_PAGE {
            out.push(("per", self.per.to_string()));
        }
        if self.sort != SortKey::Number {
            out.push(("sort", self.sort.name()));
        }
        if self.desc {
            out.push(("order", "desc".to_owned()));
        }
        if !self.states.is_empty() {
            let names: Vec<String> = self
                .states
                .iter()
                .map(|s| s.name().to_ascii_lowercase())
                .collect();
            out.push(("state", names.join(",")));
        }
        out
    }

    /// Every setting, at table page `page`.
    pub fn all_pairs(&self, page: usize) -> Vec<(&'static str, String)> {
        let mut out = self.figure_pairs();
        out.extend(self.table_pairs(page));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_setting_reads_back_from_the_pairs_it_writes() {
        let v = View::parse(&pairs(&[
            ("log", "1"),
            ("pruned", "on"),
            ("params", "x"),
            ("params", "lr"),
            ("objective", "1"),
            ("page", "3"),
            ("per", "20"),
            ("sort", "value1"),
            ("order", "desc"),
            ("state", "complete,PRUNED"),
            ("unknown", "ignored"),
        ]))
        .unwrap();
        assert!(v.log && v.pruned && v.desc);
        assert_eq!(v.params, ["x", "lr"]);
        assert_eq!((v.objective, v.page, v.per), (1, 3, 20));
        assert_eq!(v.sort, SortKey::Value(1));
        assert_eq!(v.states, [TrialState::Complete, TrialState::Pruned]);
        let back: Vec<(String, String)> = v
            .all_pairs(3)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(View::parse(&back).unwrap(), v);
        assert_eq!(View::default().all_pairs(1), vec![]);
    }

    #[test]
    fn bad_values_name_the_key_and_the_value() {
        for (k, v) in [
            ("page", "0"),
            ("page", "abc"),
            ("sort", "bogus"),
            ("order", "up"),
            ("state", "done"),
            ("log", "maybe"),
        ] {
            let e = View::parse(&pairs(&[(k, v)])).unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
            assert!(
                e.message.contains(&format!("`{k}`")) && e.message.contains(v),
                "{}",
                e.message
            );
        }
        assert_eq!(
            View::parse(&pairs(&[("per", "100000")])).unwrap().per,
            MAX_PER_PAGE
        );
    }
}
