//! Every route over HTTP: pages, fragments, figures, stamps, static files; bad ids and bad
//! queries; escaping; read-only by default and guarded writes; a storage that goes away.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use common::{Flaky, SCRIPT, fill, get, post, request, token_in};
use hpo_core::{InMemoryStorage, Storage, Study, TrialState};
use hpo_dashboard::{Dashboard, DashboardHandle};

fn serve(storage: Arc<dyn Storage>, writes: bool) -> DashboardHandle {
    Dashboard::new(storage)
        .port(0)
        .allow_writes(writes)
        .storage_label("memory")
        .spawn()
        .unwrap()
}

fn filled(writes: bool) -> (DashboardHandle, Arc<dyn Storage>, i64, i64) {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    let (plain, evil) = fill(storage.clone());
    (serve(storage.clone(), writes), storage, plain, evil)
}

#[test]
fn every_route_answers_with_what_its_page_shows() {
    let (d, storage, plain, evil) = filled(false);
    let a = d.addr();
    let trials = storage.get_all_trials(plain, None).unwrap();

    let list = get(a, "/");
    assert_eq!(list.status, 200);
    assert!(
        list.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        list.header("content-security-policy")
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(
        list.body
            .contains(&format!("href=\"/studies/{plain}\">plain</a>"))
    );
    assert!(list.body.contains(&format!("href=\"/studies/{evil}\">")));
    assert!(list.body.contains(">40</td>"), "trial count of `plain`");
    let fragment = get(a, "/studies-table");
    assert_eq!(fragment.status, 200);
    assert!(fragment.body.starts_with("<table") && !fragment.body.contains("<html"));
    let stamp = get(a, "/api/stamp");
    assert_eq!(stamp.header("content-type"), Some("application/json"));
    assert!(stamp.body.starts_with("{\"stamp\":"));

    let page = get(a, &format!("/studies/{plain}"));
    assert_eq!(page.status, 200);
    for kind in [
        "history",
        "importances",
        "slice",
        "contour",
        "parallel-coordinate",
        "intermediate-values",
        "edf",
        "timeline",
    ] {
        assert!(
            page.body.contains(&format!("id=\"fig-{kind}\"")),
            "{kind} on the page"
        );
        let fig = get(a, &format!("/studies/{plain}/figures/{kind}"));
        assert_eq!(fig.status, 200, "{kind}");
        assert!(
            fig.body.starts_with("<svg"),
            "{kind}: {}",
            &fig.body[..fig.body.len().min(200)]
        );
    }
    assert!(
        !page.body.contains("fig-pareto-front"),
        "single objective: no Pareto front"
    );
    let pruned = get(
        a,
        &format!("/studies/{plain}/figures/history?pruned=1&log=1"),
    );
    assert!(
        pruned.body.contains("(pruned)"),
        "include-pruned draws pruned trials"
    );
    let chosen = get(a, &format!("/studies/{plain}/figures/slice?params=lr"));
    assert!(chosen.body.contains(">lr<") && !chosen.body.contains(">optimizer<"));

    let summary = get(a, &format!("/studies/{plain}/summary"));
    let best = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .min_by(|x, y| x.values.as_ref().unwrap()[0].total_cmp(&y.values.as_ref().unwrap()[0]))
        .unwrap();
    assert!(
        summary
            .body
            .contains(&format!("trials/{}\">#{}</a>", best.number, best.number))
    );

    let table = get(a, &format!("/studies/{plain}/table?per=10&page=2"));
    assert!(
        table.body.contains("page 2 of 4 · rows 11–20 of 40"),
        "{}",
        table.body
    );
    assert_eq!(table.body.matches("<tr data-number=").count(), 10);
    assert!(table.body.contains("data-number=\"10\"") && table.body.contains("data-number=\"19\""));
    let failed = get(a, &format!("/studies/{plain}/table?state=fail"));
    let n_failed = trials
        .iter()
        .filter(|t| t.state == TrialState::Fail)
        .count();
    assert_eq!(failed.body.matches("<tr data-number=").count(), n_failed);

    let failed_trial = trials.iter().find(|t| t.state == TrialState::Fail).unwrap();
    let tp = get(
        a,
        &format!("/studies/{plain}/trials/{}", failed_trial.number),
    );
    assert_eq!(tp.status, 200);
    for part in [
        "Fail reason",
        "diverged",
        "Parameters",
        "FloatDistribution",
        "User attributes",
        "Started (UTC)",
        "Completed (UTC)",
    ] {
        assert!(tp.body.contains(part), "trial page shows {part}");
    }
    let pruned_trial = trials
        .iter()
        .find(|t| t.state == TrialState::Pruned)
        .unwrap();
    let pp = get(
        a,
        &format!("/studies/{plain}/trials/{}", pruned_trial.number),
    );
    assert!(pp.body.contains("Intermediate values") && pp.body.contains("<svg"));
    let content = get(a, &format!("/studies/{plain}/trials/0/content"));
    assert!(content.body.starts_with("<dl") && !content.body.contains("<html"));
    let ts = get(a, &format!("/api/studies/{plain}/stamp"));
    assert!(ts.body.contains("\"trials\":40"));

    let js = get(a, "/static/app.js");
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.body.contains("data-live"));
    assert!(
        get(a, "/static/style.css")
            .header("content-type")
            .unwrap()
            .starts_with("text/css")
    );
}

#[test]
fn multi_objective_studies_get_a_pareto_front_and_an_objective_choice() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    let study = Study::builder()
        .name("mo")
        .storage_arc(storage.clone())
        .directions([
            hpo_core::StudyDirection::Minimize,
            hpo_core::StudyDirection::Maximize,
        ])
        .sampler(hpo_core::RandomSampler::with_seed(1))
        .build()
        .unwrap();
    study.set_metric_names(&["loss", "accuracy"]).unwrap();
    study
        .optimize(30, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            let y = t.suggest_float("y", 0.0, 1.0)?;
            Ok(vec![x + y, x * y])
        })
        .unwrap();
    let d = serve(storage, false);
    let id = study.study_id();
    let page = get(d.addr(), &format!("/studies/{id}"));
    assert!(
        page.body.contains("fig-pareto-front") && page.body.contains("fig-hypervolume-history")
    );
    assert!(page.body.contains("<option value=\"1\">accuracy</option>"));
    assert!(page.body.contains("Pareto front"));
    for kind in ["pareto-front", "hypervolume-history", "history"] {
        let fig = get(
            d.addr(),
            &format!("/studies/{id}/figures/{kind}?objective=1"),
        );
        assert!(fig.body.starts_with("<svg"), "{kind}");
    }
    let history = get(
        d.addr(),
        &format!("/studies/{id}/figures/history?objective=1"),
    );
    assert!(
        history.body.contains("accuracy"),
        "the chosen objective is plotted"
    );
    let table = get(
        d.addr(),
        &format!("/studies/{id}/table?sort=value1&order=desc"),
    );
    assert!(table.body.contains("accuracy ▼"));
}

#[test]
fn bad_ids_and_queries_get_a_page_that_says_what_is_wrong() {
    let (d, _, plain, _) = filled(false);
    let a = d.addr();
    for (path, status, says) in [
        ("/studies/999", 404, "no study with id 999"),
        ("/studies/abc", 404, "no study with id `abc`"),
        ("/studies/-1/summary", 404, "no study with id -1"),
        (
            &format!("/studies/{plain}/trials/9999") as &str,
            404,
            "has no trial number `9999`",
        ),
        (
            &format!("/studies/{plain}/trials/x"),
            404,
            "has no trial number `x`",
        ),
        (
            &format!("/studies/{plain}/figures/nope"),
            404,
            "there is no figure `nope`",
        ),
        ("/studies/999/figures/history", 404, "no study with id 999"),
        ("/studies/999/trials/0", 404, "no study with id 999"),
        ("/api/studies/999/stamp", 404, "no study with id 999"),
        ("/no/such/page", 404, "no such page"),
        (&format!("/studies/{plain}?page=0"), 400, "bad `page`: `0`"),
        (
            &format!("/studies/{plain}/table?sort=colour"),
            400,
            "bad `sort`: `colour`",
        ),
        (
            &format!("/studies/{plain}/table?state=done"),
            400,
            "bad `state`: `done`",
        ),
    ] {
        let r = get(a, path);
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.body.contains(says), "{path}: {}", r.body);
    }
    // Still serving.
    assert_eq!(get(a, "/").status, 200);
}

#[test]
fn study_strings_with_markup_render_as_text_everywhere() {
    let (d, storage, _, evil) = filled(false);
    let a = d.addr();
    let failed = storage
        .get_all_trials(evil, Some(&[TrialState::Fail]))
        .unwrap();
    let mut paths = vec![
        "/".to_owned(),
        "/studies-table".to_owned(),
        format!("/studies/{evil}"),
        format!("/studies/{evil}/summary"),
        format!("/studies/{evil}/table"),
        format!("/studies/{evil}/trials/0"),
        format!("/studies/{evil}/trials/{}", failed[0].number),
    ];
    for kind in [
        "history",
        "importances",
        "slice",
        "parallel-coordinate",
        "edf",
        "timeline",
    ] {
        paths.push(format!("/studies/{evil}/figures/{kind}"));
    }
    for path in &paths {
        let r = get(a, path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            !r.body.contains("<script>alert"),
            "{path} holds a live script tag"
        );
        assert!(
            !r.body.contains("<img src=x"),
            "{path} holds a live img tag"
        );
        // The only script element is the dashboard's own.
        assert!(r.body.matches("<script").count() <= 1, "{path}");
    }
    let page = get(a, &format!("/studies/{evil}")).body;
    assert!(page.contains("&lt;script&gt;alert(&apos;xss&apos;)&lt;/script&gt;"));
    let trial = get(a, &format!("/studies/{evil}/trials/{}", failed[0].number)).body;
    assert!(
        trial.contains("<pre class=\"fail-reason\">&lt;script&gt;"),
        "fail reason as text"
    );
    assert!(
        trial.contains("&lt;img src=x onerror=alert(2)&gt;") || trial.contains("&lt;script&gt;")
    );
}

#[test]
fn read_only_by_default_every_write_is_refused_and_nothing_changes() {
    let (d, storage, plain, _) = filled(false);
    let a = d.addr();
    let page = get(a, &format!("/studies/{plain}")).body;
    assert!(
        !page.contains("name=\"token\""),
        "no write form on a read-only dashboard"
    );
    let r = post(a, &format!("/studies/{plain}/delete"), &[], "token=guess");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("read-only; start it with --allow-writes"));
    let r = post(
        a,
        &format!("/studies/{plain}/trials/0/tell"),
        &[],
        "values=1",
    );
    assert_eq!(r.status, 403);
    assert_eq!(storage.get_all_trials(plain, None).unwrap().len(), 40);
    assert_eq!(get(a, "/studies/1/delete").status, 405, "GET never writes");
}

#[test]
fn writes_need_the_page_token_and_a_same_site_request() {
    let (d, storage, plain, evil) = filled(true);
    let a = d.addr();
    let page = get(a, &format!("/studies/{plain}")).body;
    let token = token_in(&page);
    let path = format!("/studies/{plain}/delete");
    let origin = format!("http://{a}");
    for (headers, body, says) in [
        (vec![], "token=wrong".to_owned(), "without the page token"),
        (vec![], String::new(), "without the page token"),
        (
            vec![("Origin", "http://evil.example")],
            format!("token={token}"),
            "Origin: http://evil.example",
        ),
        (
            vec![("Sec-Fetch-Site", "cross-site")],
            format!("token={token}"),
            "Sec-Fetch-Site: cross-site",
        ),
    ] {
        let r = post(a, &path, &headers, &body);
        assert_eq!(r.status, 403, "{headers:?}");
        assert!(r.body.contains(says), "{}", r.body);
    }
    assert!(
        storage.get_study_name_from_id(plain).is_ok(),
        "refused writes change nothing"
    );

    // Tell a running trial from its page.
    let study = Study::builder()
        .name(common::SCRIPT)
        .storage_arc(storage.clone())
        .load()
        .unwrap();
    let running = study.ask().unwrap();
    let n = running.number();
    let tell = format!("/studies/{evil}/trials/{n}/tell");
    let trial_page = get(a, &format!("/studies/{evil}/trials/{n}")).body;
    assert!(
        trial_page.contains(&tell),
        "a running trial offers the tell form"
    );
    let bad = post(
        a,
        &tell,
        &[("Origin", &origin)],
        &format!("token={token}&state=complete&values=abc"),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("`abc` is not a number"), "{}", bad.body);
    let two = post(
        a,
        &tell,
        &[("Origin", &origin)],
        &format!("token={token}&state=complete&values=1,2"),
    );
    assert_eq!(two.status, 400, "{}", two.body);
    assert!(two.body.contains("needs 1 finite value"), "{}", two.body);
    let id = storage
        .get_trial_id_from_study_id_trial_number(evil, n)
        .unwrap();
    assert_eq!(
        storage.get_trial(id).unwrap().state,
        TrialState::Running,
        "bad input ends nothing"
    );
    let ok = post(
        a,
        &tell,
        &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
        &format!("token={token}&state=complete&values=0.25"),
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(
        ok.header("location"),
        Some(format!("/studies/{evil}/trials/{n}").as_str())
    );
    let told = storage
        .get_trial(
            storage
                .get_trial_id_from_study_id_trial_number(evil, n)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(told.state, TrialState::Complete);
    assert_eq!(told.values, Some(vec![0.25]));
    // A waiting (enqueued) trial is told from its page too.
    study
        .enqueue_trial([
            (SCRIPT, hpo_core::ParamValue::from(0.5)),
            ("choice", hpo_core::ParamValue::from(SCRIPT)),
        ])
        .unwrap();
    let waiting = storage
        .get_all_trials(evil, Some(&[TrialState::Waiting]))
        .unwrap()[0]
        .number;
    let told_waiting = post(
        a,
        &format!("/studies/{evil}/trials/{waiting}/tell"),
        &[("Origin", &origin)],
        &format!("token={token}&state=complete&values=7"),
    );
    assert_eq!(told_waiting.status, 303, "{}", told_waiting.body);
    let id = storage
        .get_trial_id_from_study_id_trial_number(evil, waiting)
        .unwrap();
    let t = storage.get_trial(id).unwrap();
    assert_eq!(
        (t.state, t.values.clone()),
        (TrialState::Complete, Some(vec![7.0]))
    );
    assert!(t.datetime_start.is_some(), "started when told");

    let again = post(
        a,
        &tell,
        &[("Origin", &origin)],
        &format!("token={token}&state=fail"),
    );
    assert_eq!(again.status, 400, "a finished trial cannot be told again");

    let ok = post(a, &path, &[("Origin", &origin)], &format!("token={token}"));
    assert_eq!(ok.status, 303);
    assert_eq!(ok.header("location"), Some("/"));
    assert!(storage.get_study_name_from_id(plain).is_err(), "deleted");
    assert_eq!(get(a, &format!("/studies/{plain}")).status, 404);
}

#[test]
fn a_storage_that_goes_away_gives_error_pages_and_the_server_keeps_serving() {
    let flaky = Arc::new(Flaky::default());
    let storage: Arc<dyn Storage> = flaky.clone();
    let (plain, _) = fill(storage.clone());
    let d = serve(storage, false);
    let a = d.addr();
    let before = get(a, &format!("/api/studies/{plain}/stamp")).body;
    flaky.down.store(true, Ordering::SeqCst);
    for path in [
        "/".to_owned(),
        format!("/studies/{plain}"),
        format!("/studies/{plain}/figures/history"),
        format!("/studies/{plain}/trials/0"),
        format!("/api/studies/{plain}/stamp"),
        "/api/stamp".to_owned(),
    ] {
        let r = get(a, &path);
        assert_eq!(r.status, 503, "{path}");
        assert!(
            r.body.contains("the storage could not be read"),
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains("connection refused"), "{path} says why");
    }
    assert_eq!(
        get(a, "/static/app.js").status,
        200,
        "static files need no storage"
    );
    flaky.down.store(false, Ordering::SeqCst);
    assert_eq!(get(a, "/").status, 200, "back when the storage is");
    assert_eq!(get(a, &format!("/api/studies/{plain}/stamp")).body, before);
}

#[test]
fn the_stamp_changes_when_a_trial_is_added_reports_or_finishes() {
    let (d, storage, _, evil) = filled(false);
    let a = d.addr();
    let path = format!("/api/studies/{evil}/stamp");
    let s0 = get(a, &path).body;
    let study = Study::builder()
        .name(SCRIPT)
        .storage_arc(storage)
        .load()
        .unwrap();
    let mut t = study.ask().unwrap();
    let s1 = get(a, &path).body;
    assert_ne!(s0, s1, "a new running trial");
    t.report(1.0, 0).unwrap();
    let s2 = get(a, &path).body;
    assert_ne!(s1, s2, "an intermediate value");
    study.tell(t, 1.0).unwrap();
    let s3 = get(a, &path).body;
    assert_ne!(s2, s3, "finished");
    assert_eq!(s3, get(a, &path).body, "stable while nothing changes");
}

#[test]
fn the_handle_serves_on_its_port_and_stops() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    let d = serve(storage.clone(), false);
    let addr = d.addr();
    assert!(get(addr, "/").body.contains("holds no study yet"));
    assert!(d.url().starts_with("http://127.0.0.1:"));
    d.stop();
    assert!(std::net::TcpStream::connect(addr).is_err(), "stopped");
    // A port in use is an error at once, naming the address.
    let first = serve(storage.clone(), false);
    let e = Dashboard::new(storage)
        .port(first.addr().port())
        .spawn()
        .unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "cannot listen on 127.0.0.1:{}",
            first.addr().port()
        )),
        "{e}"
    );
}

#[test]
fn figures_are_gzipped_for_browsers_and_redrawn_only_when_the_study_changes() {
    let (d, storage, plain, _) = filled(false);
    let a = d.addr();
    let path = format!("/studies/{plain}/figures/history");
    let zipped = request(a, "GET", &path, &[("Accept-Encoding", "gzip")], "");
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    let first = get(a, &path).body;
    assert_eq!(
        get(a, &path).body,
        first,
        "the same figure while nothing changes"
    );
    // A new finished trial changes the figure (one more dot).
    let study = Study::builder()
        .name("plain")
        .storage_arc(storage)
        .load()
        .unwrap();
    let mut t = study.ask().unwrap();
    let x = t.suggest_float("x", -4.0, 4.0).unwrap();
    study.tell(t, x.abs()).unwrap();
    let after = get(a, &path).body;
    assert_ne!(after, first, "redrawn after the study changed");
    assert_eq!(
        after.matches("<circle").count(),
        first.matches("<circle").count() + 1
    );
}
