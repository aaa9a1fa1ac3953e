//! The dashboard over a real PostgreSQL server whose connections a TCP proxy cuts: pages turn
//! into error pages within the storage's retry window while the server is unreachable, the
//! dashboard keeps serving, and the studies come back by themselves when the server does.
//! Needs PostgreSQL at postgresql://postgres@127.0.0.1:5432/test (or HPO_POSTGRES_URL).

mod common;
#[path = "../../hpo-storage/tests/server/proxy.rs"]
mod proxy;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::get;
use hpo_core::{RandomSampler, Storage, Study};
use hpo_dashboard::Dashboard;
use hpo_storage::{PostgresStorage, RetryPolicy};
use proxy::Proxy;

fn url() -> String {
    std::env::var("HPO_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

#[test]
fn a_database_that_goes_away_gives_error_pages_and_comes_back() {
    let direct: Arc<dyn Storage> = Arc::new(PostgresStorage::open(&url()).unwrap_or_else(|e| {
        panic!(
            "this test needs PostgreSQL at {} (set HPO_POSTGRES_URL to use another): {e}",
            url()
        )
    }));
    let name = format!("dashboard-outage-{}", std::process::id());
    let study = Study::builder()
        .name(&name)
        .storage_arc(direct.clone())
        .sampler(RandomSampler::with_seed(0))
        .build()
        .unwrap();
    study
        .optimize(5, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
        .unwrap();

    let host = url()
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('@').next_back())
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let proxy = Proxy::start(&host);
    let window = Duration::from_secs(2);
    let through: Arc<dyn Storage> = Arc::new(
        PostgresStorage::open(&proxy.url_for(&url()))
            .unwrap()
            .with_retry(RetryPolicy::default().window(window)),
    );
    let d = Dashboard::new(through).port(0).spawn().unwrap();
    let a = d.addr();
    let id = study.study_id();
    assert_eq!(get(a, &format!("/studies/{id}")).status, 200);

    // The server goes away: every connection cut, new ones refused for a while.
    proxy.cut();
    proxy.refuse_for(Duration::from_secs(6));
    let asked = Instant::now();
    let page = get(a, &format!("/studies/{id}"));
    let took = asked.elapsed();
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(
        page.body.contains("the storage could not be read"),
        "{}",
        page.body
    );
    assert!(
        took < window + Duration::from_secs(3),
        "the error page took {took:?}"
    );
    // Still serving what needs no storage, and answering (with an error) what does.
    assert_eq!(get(a, "/static/app.js").status, 200);
    assert_eq!(get(a, &format!("/api/studies/{id}/stamp")).status, 503);

    // Back by itself once the server is.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = get(a, &format!("/studies/{id}"));
        if r.status == 200 {
            assert!(r.body.contains(&name));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not back: {} {}",
            r.status,
            r.body
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(d);
    hpo_core::study::delete_study(&name, &*direct).unwrap();
}
