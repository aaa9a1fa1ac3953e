//! The dashboard in a real headless Chromium (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs), over an SQLite file written by hpo and by Python's Optuna.
//!
//! Run with `HPO_PYTHON=.venv/bin/python cargo test -p hpo-dashboard --test browser -- --ignored`
//! (the Python needs optuna 5.0). `HPO_DASHBOARD_SCREENSHOT=PATH` also saves the screenshot
//! there (the README's picture is made this way).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::webdriver::Browser;
use common::{SCRIPT, fill};
use hpo_core::Storage;
use hpo_dashboard::{Dashboard, DashboardHandle};
use serde_json::{Value, json};

const NEEDS: &str = "needs Chromium + chromedriver and HPO_PYTHON with optuna 5.0 (.ci/run)";

/// An SQLite file holding hpo's `plain` and [`SCRIPT`] studies and Optuna's `from-optuna`, the
/// dashboard serving it, and the ids of hpo's two studies.
struct Fixture {
    _dir: tempfile::TempDir,
    url: String,
    dashboard: DashboardHandle,
    plain: i64,
    evil: i64,
}

/// Runs `code` in the Python of HPO_PYTHON with the storage URL as `sys.argv[1]`; returns what
/// it printed.
fn python(code: &str, url: &str) -> String {
    let py = std::env::var("HPO_PYTHON")
        .unwrap_or_else(|_| panic!("set HPO_PYTHON to a Python with optuna 5.0 ({NEEDS})"));
    let out = Command::new(&py)
        .args(["-c", code, url])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {py}: {e}"));
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("studies.db").display());
    let storage: Arc<dyn Storage> = hpo_storage::open(&url).unwrap();
    let (plain, evil) = fill(storage.clone());
    let _ = python(
        "import sys, optuna\n\
         optuna.logging.set_verbosity(optuna.logging.WARNING)\n\
         s = optuna.create_study(study_name='from-optuna', storage=sys.argv[1], direction='maximize')\n\
         s.optimize(lambda t: -(t.suggest_float('y', -1, 1) ** 2), n_trials=7)\n",
        &url,
    );
    let dashboard = Dashboard::new(storage)
        .port(0)
        .storage_label(url.clone())
        .spawn()
        .unwrap();
    Fixture {
        _dir: dir,
        url,
        dashboard,
        plain,
        evil,
    }
}

impl Fixture {
    fn page(&self, path: &str) -> String {
        format!("http://{}{path}", self.dashboard.addr())
    }
}

fn text(b: &Browser, selector: &str) -> String {
    b.run(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
        json!([selector]),
    )
    .as_str()
    .unwrap_or_else(|| panic!("nothing matches `{selector}`"))
    .to_owned()
}

fn figures_loaded(b: &Browser) -> Duration {
    b.wait_for(
        "every figure",
        "const f = document.querySelectorAll('figure.figure[data-live]');\
         return f.length > 0 && [...f].every(e => e.dataset.loaded === '1');",
        Duration::from_secs(30),
    )
}

/// The fixture, and a browser on its plain study's page (with `query`), figures drawn.
fn on_study_page(query: &str) -> (Fixture, Browser) {
    let f = fixture();
    let b = Browser::start();
    b.goto(&f.page(&format!("/studies/{}{query}", f.plain)));
    figures_loaded(&b);
    (f, b)
}

fn severe(b: &Browser) -> Vec<String> {
    b.console()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .map(|(_, m)| m)
        .collect()
}

#[test]
#[ignore = "needs Chromium + chromedriver and HPO_PYTHON with optuna 5.0 (.ci/run)"]
fn study_list_study_page_table_paging_and_trial_pages_in_a_browser() {
    let f = fixture();
    let b = Browser::start();

    // The list: both hpo studies and Optuna's.
    b.goto(&f.page("/"));
    let names: Vec<Value> = b
        .run(
            "return [...document.querySelectorAll('a.study-link')].map(a => a.textContent);",
            json!([]),
        )
        .as_array()
        .unwrap()
        .clone();
    for name in ["plain", SCRIPT, "from-optuna"] {
        assert!(
            names.contains(&json!(name)),
            "{name} missing from {names:?}"
        );
    }
    assert!(text(&b, "header .storage").contains("studies.db"));

    // The study page: the history figure with its dots.
    b.goto(&f.page(&format!("/studies/{}", f.plain)));
    figures_loaded(&b);
    let dots = b.run(
        "return document.querySelectorAll('#fig-history svg circle').length;",
        json!([]),
    );
    assert!(dots.as_u64().unwrap() >= 10, "history dots: {dots}");
    assert!(text(&b, "#fig-history svg").contains("Optimization History Plot"));

    // Hovering a dot shows its trial; clicking opens the trial's page.
    let hovered = b.run(
        "const c = document.querySelector('#fig-history svg circle');\
         c.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 50, clientY: 50}));\
         const t = document.querySelector('.tooltip');\
         return t.hidden ? null : t.textContent;",
        json!([]),
    );
    let tip = hovered
        .as_str()
        .unwrap_or_else(|| panic!("no tooltip: {hovered}"));
    let number: u64 = tip
        .strip_prefix("Trial ")
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("tooltip `{tip}`"));
    b.run(
        "document.querySelector('#fig-history svg circle').dispatchEvent(\
         new MouseEvent('click', {bubbles: true}));",
        json!([]),
    );
    let want = format!("/trials/{number}");
    b.wait_for(
        "the clicked trial's page",
        &format!(
            "return location.pathname.endsWith('{want}') && document.readyState === 'complete';"
        ),
        Duration::from_secs(10),
    );
    assert!(text(&b, "h1").starts_with(&format!("Trial {number}")));

    // Paging the trial table in place.
    b.goto(&f.page(&format!("/studies/{}?per=15", f.plain)));
    b.run("window.__notReloaded = true;", json!([]));
    let first = |b: &Browser| {
        b.run(
            "return document.querySelector('#table tbody tr').dataset.number;",
            json!([]),
        )
    };
    assert_eq!(first(&b), json!("0"));
    b.run(
        "document.querySelector('#table nav.pager a.next').click();",
        json!([]),
    );
    b.wait_for(
        "the second table page",
        "return document.querySelector('#table tbody tr').dataset.number === '15';",
        Duration::from_secs(10),
    );
    assert!(text(&b, "#table .position").contains("page 2 of 3"));
    assert_eq!(
        b.run("return window.__notReloaded === true;", json!([])),
        json!(true)
    );
    assert!(
        b.run("return location.search;", json!([]))
            .as_str()
            .unwrap()
            .contains("page=2"),
        "the address keeps the page"
    );
    // Sorting by value, then a trial page from the table.
    b.run("[...document.querySelectorAll('#table th a')].find(a => a.textContent.startsWith('Objective')).click();", json!([]));
    b.wait_for(
        "the table sorted by value",
        "return document.querySelector('#table th a.on') !== null \
         && document.querySelector('#table th a.on').textContent.includes('▲');",
        Duration::from_secs(10),
    );
    b.run(
        "document.querySelector('#table tbody tr td a').click();",
        json!([]),
    );
    b.wait_for(
        "a trial page",
        "return /\\/trials\\/\\d+$/.test(location.pathname) && document.readyState === 'complete';",
        Duration::from_secs(10),
    );
    let page = text(&b, "main");
    for part in [
        "Parameters",
        "Objective Value",
        "Started (UTC)",
        "lr",
        "optimizer",
    ] {
        assert!(page.contains(part), "trial page lacks {part}: {page}");
    }
    assert_eq!(severe(&b), Vec::<String>::new(), "console errors");
}

#[test]
#[ignore = "needs Chromium + chromedriver and HPO_PYTHON with optuna 5.0 (.ci/run)"]
fn a_trial_finished_by_another_process_appears_without_a_reload() {
    let (f, b) = on_study_page("?sort=number&order=desc");
    b.run("window.__notReloaded = true;", json!([]));
    assert!(text(&b, "#summary .total").starts_with("40"));
    // Optuna, in another process, runs one trial to the end.
    let told = python(
        "import sys, time, optuna\n\
         optuna.logging.set_verbosity(optuna.logging.WARNING)\n\
         s = optuna.load_study(study_name='plain', storage=sys.argv[1])\n\
         t = s.ask()\n\
         t.suggest_float('x', -4.0, 4.0)\n\
         s.tell(t, 0.123456)\n\
         print(time.time())\n",
        &f.url,
    );
    // When the tell returned, on the clock this process reads too.
    let told: f64 = told.trim().parse().expect("the time of the tell");
    let told = std::time::UNIX_EPOCH + Duration::from_secs_f64(told);
    let written = Instant::now()
        - std::time::SystemTime::now()
            .duration_since(told)
            .unwrap_or_default();
    b.wait_for(
        "trial 40, finished, in the table and the summary",
        "const row = document.querySelector('#table tbody tr');\
         return row.dataset.number === '40' && row.textContent.includes('0.123456') \
         && row.textContent.includes('COMPLETE') \
         && document.querySelector('#summary .total').textContent === '41';",
        Duration::from_secs(10),
    );
    let seen = written.elapsed();
    assert!(
        seen <= Duration::from_secs(2),
        "the new trial appeared after {seen:?}, more than two seconds"
    );
    assert_eq!(
        b.run("return window.__notReloaded === true;", json!([])),
        json!(true)
    );
    assert!(text(&b, "#table tbody tr").contains("0.123456"));
    eprintln!("a trial written by another process appeared after {seen:?}");
}

#[test]
#[ignore = "needs Chromium + chromedriver and HPO_PYTHON with optuna 5.0 (.ci/run)"]
fn a_study_full_of_script_tags_renders_them_as_text_and_runs_nothing() {
    let f = fixture();
    let b = Browser::start();
    for path in [
        "/".to_owned(),
        format!("/studies/{}", f.evil),
        format!("/studies/{}/trials/2", f.evil),
        format!("/studies/{}/trials/0", f.evil),
    ] {
        b.goto(&f.page(&path));
        if path.contains("/studies/") && !path.contains("/trials/") {
            figures_loaded(&b);
        }
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(b.alert(), None, "{path}: an alert opened");
        let scripts = b.run("return document.scripts.length;", json!([]));
        assert_eq!(scripts, json!(1), "{path}: only the dashboard's own script");
        let imgs = b.run(
            "return document.querySelectorAll('main img').length;",
            json!([]),
        );
        assert_eq!(imgs, json!(0), "{path}: an injected img element");
        let body = b.run("return document.body.innerText;", json!([]));
        assert!(
            body.as_str().unwrap().contains(SCRIPT),
            "{path}: the name shows as text"
        );
        assert_eq!(severe(&b), Vec::<String>::new(), "{path}: console errors");
    }
    assert_eq!(text(&b, "h1 .study-name"), SCRIPT);
}

#[test]
#[ignore = "needs Chromium + chromedriver and HPO_PYTHON with optuna 5.0 (.ci/run)"]
fn a_screenshot_of_the_study_page_is_not_blank() {
    let (_f, b) = on_study_page("");
    let png = b.screenshot();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let not_white = pixels
        .iter()
        .filter(|p| p[..3].iter().any(|&c| c < 235))
        .count();
    let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    assert!(
        (info.width, info.height) == (1400, 1000) || info.width >= 800,
        "{info:?}"
    );
    assert!(
        not_white * 20 > pixels.len() && colours.len() > 50,
        "blank screenshot: {not_white} of {} pixels drawn, {} colours",
        pixels.len(),
        colours.len()
    );
    let mut path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    path.push("dashboard-study-page.png");
    std::fs::write(&path, &png).unwrap();
    if let Ok(copy) = std::env::var("HPO_DASHBOARD_SCREENSHOT") {
        std::fs::write(&copy, &png).unwrap();
    }
    eprintln!("screenshot: {}", path.display());
}
