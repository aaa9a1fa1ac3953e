//! The routes: pages, the fragments the script reloads, the stamps it polls, the writes (only
//! when allowed) and the two static files. Every storage read runs on the blocking pool, so a
//! slow or dead storage never stalls the server; a failure becomes a page saying what happened.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hpo_core::storage::StudyId;
use hpo_core::{Storage, TrialState};
use hpo_viz::PlotKind;

use crate::cache::FigureCache;
use crate::html::{esc, page, query};
use crate::pages::{list, study, table, trial};
use crate::problem::Problem;
use crate::snapshot::Snapshot;
use crate::view::View;

const APP_JS: &str = include_str!("../assets/app.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// What every handler shares.
pub(crate) struct Inner {
    /// The storage shown.
    pub storage: Arc<dyn Storage>,
    /// How the header names the storage (never with a password).
    pub label: String,
    /// With writes allowed: the token every write form carries.
    pub token: Option<String>,
    /// Figures drawn, while their study is unchanged.
    pub figures: std::sync::Mutex<FigureCache>,
}

type App = Arc<Inner>;
type Pairs = Query<Vec<(String, String)>>;

/// A successful answer.
enum Reply {
    /// A whole page or a fragment of one.
    Html(String),
    /// A small JSON document.
    Json(String),
    /// See other (after a write).
    Redirect(String),
}

/// Runs `f` on the blocking pool and turns its result (or its panic) into a response; a
/// failure is a whole page when `whole`, else a fragment the script shows in place.
async fn run<F>(app: App, whole: bool, f: F) -> Response
where
    F: FnOnce(&Inner) -> Result<Reply, Problem> + Send + 'static,
{
    let inner = app.clone();
    let outcome = tokio::task::spawn_blocking(move || f(&inner)).await;
    let problem = match outcome {
        Ok(Ok(Reply::Html(body))) => return html(StatusCode::OK, body),
        Ok(Ok(Reply::Json(body))) => {
            return (
                [(header::CONTENT_TYPE, "application/json"), no_store()],
                body,
            )
                .into_response();
        }
        Ok(Ok(Reply::Redirect(to))) => {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
        }
        Ok(Err(problem)) => problem,
        Err(join) => {
            tracing::error!("dashboard: a request failed: {join}");
            Problem {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "this page failed to render (the server log has the details)".into(),
            }
        }
    };
    let text = format!(
        "<p class=\"notice error\" role=\"alert\">{}</p>\n",
        esc(&problem.message)
    );
    let body = if whole {
        let title = problem.status.canonical_reason().unwrap_or("Error");
        page(
            title,
            &app.label,
            "",
            &format!(
                "<h1>{} {title}</h1>\n{text}<p><a href=\"/\">All studies</a></p>\n",
                problem.status.as_u16()
            ),
        )
    } else {
        text
    };
    html(problem.status, body)
}

fn no_store() -> (header::HeaderName, &'static str) {
    (header::CACHE_CONTROL, "no-store")
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            no_store(),
        ],
        body,
    )
        .into_response()
}

/// A study id from the path: anything but an integer is a study that does not exist.
fn study_id(raw: &str) -> Result<StudyId, Problem> {
    raw.parse()
        .map_err(|_| Problem::not_found(format!("there is no study with id `{raw}`")))
}

async fn list_page(State(app): State<App>) -> Response {
    run(app, true, |a| {
        let body = list::body(&*a.storage)?;
        Ok(Reply::Html(page("Studies", &a.label, "/api/stamp", &body)))
    })
    .await
}

async fn list_table(State(app): State<App>) -> Response {
    run(app, false, |a| Ok(Reply::Html(list::table(&*a.storage)?))).await
}

async fn list_stamp(State(app): State<App>) -> Response {
    run(app, false, |a| {
        let stamp = list::storage_stamp(&*a.storage)?;
        Ok(Reply::Json(
            serde_json::json!({ "stamp": stamp }).to_string(),
        ))
    })
    .await
}

async fn study_page(State(app): State<App>, Path(id): Path<String>, Query(q): Pairs) -> Response {
    run(app, true, move |a| {
        let id = study_id(&id)?;
        let view = View::parse(&q)?;
        let snap = Snapshot::load(&*a.storage, id)?;
        let body = study::body(&snap, &view, a.token.as_deref())?;
        Ok(Reply::Html(page(
            &format!("Study {}", snap.name),
            &a.label,
            &format!("/api/studies/{id}/stamp"),
            &body,
        )))
    })
    .await
}

async fn study_summary(State(app): State<App>, Path(id): Path<String>) -> Response {
    run(app, false, move |a| {
        let snap = Snapshot::load(&*a.storage, study_id(&id)?)?;
        Ok(Reply::Html(study::summary(&snap)))
    })
    .await
}

async fn study_table(State(app): State<App>, Path(id): Path<String>, Query(q): Pairs) -> Response {
    run(app, false, move |a| {
        let view = View::parse(&q)?;
        let snap = Snapshot::load(&*a.storage, study_id(&id)?)?;
        Ok(Reply::Html(table::render(&snap, &view)?))
    })
    .await
}

async fn study_figure(
    State(app): State<App>,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Pairs,
) -> Response {
    run(app, false, move |a| {
        let id = study_id(&id)?;
        let kind: PlotKind = kind
            .parse()
            .map_err(|_| Problem::not_found(format!("there is no figure `{kind}`")))?;
        let view = View::parse(&q)?;
        let snap = Snapshot::load(&*a.storage, id)?;
        let key = format!("{}{}", kind.name(), query(&view.figure_pairs()));
        let stamp = snap.stamp();
        let cached = a
            .figures
            .lock()
            .ok()
            .and_then(|mut c| c.get(id, &key, &stamp));
        let body = match cached {
            Some(body) => body,
            None => {
                let body: Arc<str> = study::figure(&snap, kind, &view).into();
                if let Ok(mut c) = a.figures.lock() {
                    c.put(id, &key, &stamp, body.clone());
                }
                body
            }
        };
        Ok(Reply::Html(body.to_string()))
    })
    .await
}

async fn study_stamp(State(app): State<App>, Path(id): Path<String>) -> Response {
    run(app, false, move |a| {
        let id = study_id(&id)?;
        let snap = Snapshot::load(&*a.storage, id)?;
        Ok(Reply::Json(
            serde_json::json!({ "stamp": snap.stamp(), "trials": snap.trials.len() }).to_string(),
        ))
    })
    .await
}

async fn trial_page(
    State(app): State<App>,
    Path((id, number)): Path<(String, String)>,
) -> Response {
    run(app, true, move |a| {
        let v = trial::load(&*a.storage, study_id(&id)?, &number)?;
        // Only the whole page links to the next trial; its live part does not count trials.
        let n_trials = a
            .storage
            .get_n_trials(v.id, None)
            .map_err(Problem::storage)?;
        Ok(Reply::Html(page(
            &format!("Trial {} of {}", v.trial.number, v.name),
            &a.label,
            &format!("/api/studies/{}/stamp", v.id),
            &trial::body(&v, n_trials, a.token.as_deref()),
        )))
    })
    .await
}

async fn trial_content(
    State(app): State<App>,
    Path((id, number)): Path<(String, String)>,
) -> Response {
    run(app, false, move |a| {
        let v = trial::load(&*a.storage, study_id(&id)?, &number)?;
        Ok(Reply::Html(trial::content(&v, a.token.as_deref())))
    })
    .await
}

/// Refuses a write unless writes are on, the form carries the server's token and the browser
/// says the request comes from this site (a guard against cross-site requests).
fn check_write(a: &Inner, headers: &HeaderMap, form: &[(String, String)]) -> Result<(), Problem> {
    let Some(token) = &a.token else {
        return Err(Problem::forbidden(
            "this dashboard is read-only; start it with --allow-writes to change studies",
        ));
    };
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !matches!(*s, "same-origin" | "none"))
    {
        return Err(Problem::forbidden(format!(
            "refused a write sent from another site (Sec-Fetch-Site: {site})"
        )));
    }
    if let (Some(origin), Some(host)) = (header(header::ORIGIN), header(header::HOST)) {
        let bare = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .unwrap_or(origin);
        if bare != host {
            return Err(Problem::forbidden(format!(
                "refused a write sent from another site (Origin: {origin})"
            )));
        }
    }
    let sent = form.iter().find(|(k, _)| k == "token").map(|(_, v)| v);
    if sent != Some(token) {
        return Err(Problem::forbidden(
            "refused a write without the page token (reload the page and try again)",
        ));
    }
    Ok(())
}

async fn delete_study(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    run(app, true, move |a| {
        check_write(a, &headers, &form)?;
        let id = study_id(&id)?;
        let snap = Snapshot::load(&*a.storage, id)?;
        a.storage.delete_study(id).map_err(Problem::storage)?;
        tracing::info!("dashboard: deleted study `{}`", snap.name);
        Ok(Reply::Redirect("/".to_owned()))
    })
    .await
}

async fn tell_trial(
    State(app): State<App>,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    run(app, true, move |a| {
        check_write(a, &headers, &form)?;
        let id = study_id(&id)?;
        let field = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim());
        let state = match field("state").unwrap_or("complete") {
            "complete" => TrialState::Complete,
            "pruned" => TrialState::Pruned,
            "fail" => TrialState::Fail,
            other => {
                return Err(Problem::bad_request(format!(
                    "bad `state`: `{other}` (complete, pruned or fail)"
                )));
            }
        };
        let values = match field("values").filter(|v| !v.is_empty()) {
            None => None,
            Some(text) => Some(
                text.split(',')
                    .map(|v| {
                        v.trim().parse::<f64>().map_err(|_| {
                            Problem::bad_request(format!(
                                "bad `values`: `{}` is not a number",
                                v.trim()
                            ))
                        })
                    })
                    .collect::<Result<Vec<f64>, Problem>>()?,
            ),
        };
        let v = trial::load(&*a.storage, id, &number)?;
        let (name, objectives, t) = (&v.name, &v.objectives, &v.trial);
        // Checked here rather than left to `tell`, which (as Optuna's) fails a trial told the
        // wrong number of values: a typo on a page must not end a running trial.
        match (&values, state) {
            (Some(v), TrialState::Complete)
                if v.len() == objectives.len() && v.iter().all(|x| x.is_finite()) => {}
            (_, TrialState::Complete) => {
                return Err(Problem::bad_request(format!(
                    "bad `values`: `{}`: a complete trial needs {} finite value{}",
                    field("values").unwrap_or_default(),
                    objectives.len(),
                    if objectives.len() == 1 { "" } else { "s" }
                )));
            }
            (Some(_), _) => {
                return Err(Problem::bad_request(format!(
                    "bad `values`: a {} trial takes no values",
                    state.name().to_ascii_lowercase()
                )));
            }
            (None, _) => {}
        }
        if t.state == TrialState::Waiting {
            // A trial enqueued for a person to evaluate: it starts now, as a worker's would
            // (another worker may take it first; then telling it is theirs or still ours to do).
            a.storage
                .set_trial_state_values(t.trial_id, TrialState::Running, None)
                .map_err(Problem::storage)?;
        }
        let study = hpo_core::Study::builder()
            .storage_arc(a.storage.clone())
            .name(name)
            .load()
            .map_err(Problem::storage)?;
        study
            .tell_number(t.number, Some(state), values, false)
            .map_err(|e| match e {
                hpo_core::Error::Storage(_) | hpo_core::Error::Io(_) => Problem::storage(e),
                other => Problem::bad_request(other.to_string()),
            })?;
        Ok(Reply::Redirect(format!(
            "/studies/{id}/trials/{}",
            t.number
        )))
    })
    .await
}

async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style_css() -> Response {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn not_found(State(app): State<App>) -> Response {
    run(app, true, |_| {
        Err(Problem::not_found(
            "there is no such page on this dashboard",
        ))
    })
    .await
}

/// Headers on every answer: no script but the dashboard's own (so even a string that escaped
/// escaping could not run), no framing by other sites, no content sniffing, no referrer.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The dashboard's routes over `inner`.
pub(crate) fn router(inner: Inner) -> Router {
    Router::new()
        .route("/", get(list_page))
        .route("/studies-table", get(list_table))
        .route("/api/stamp", get(list_stamp))
        .route("/studies/{id}", get(study_page))
        .route("/studies/{id}/summary", get(study_summary))
        .route("/studies/{id}/table", get(study_table))
        .route("/studies/{id}/figures/{kind}", get(study_figure))
        .route("/studies/{id}/trials/{number}", get(trial_page))
        .route("/studies/{id}/trials/{number}/content", get(trial_content))
        .route("/api/studies/{id}/stamp", get(study_stamp))
        .route("/studies/{id}/delete", post(delete_study))
        .route("/studies/{id}/trials/{number}/tell", post(tell_trial))
        .route("/static/app.js", get(app_js))
        .route("/static/style.css", get(style_css))
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        // Pages and figures are text: gzip (when the browser accepts it) sends a fifth to a
        // tenth of the bytes.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(Arc::new(inner))
}
