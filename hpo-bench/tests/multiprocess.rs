//! Four worker processes x 250 trials on one study, through the journal file, SQLite, the Redis
//! journal (127.0.0.1:6379, or HPO_REDIS_URL), PostgreSQL (database `test` on 127.0.0.1:5432, or
//! HPO_POSTGRES_URL) and MySQL / MariaDB (database `test` on 127.0.0.1:3306, or HPO_MYSQL_URL):
//! exactly 1000 trials, numbers 0..999 once each, none left Running.

use std::collections::BTreeSet;
use std::process::Command;

use hpo::{Study, TrialState};

fn run_workers(url: &str) {
    run_workers_named(url, "mp");
}

/// Four `hpo-bench worker` processes x 250 trials on study `name` at `url`, then the checks.
fn run_workers_named(url: &str, name: &str) {
    let out_dir = std::env::temp_dir();
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_hpo-bench"))
                .args([
                    "worker",
                    "--storage",
                    url,
                    "--problem",
                    name,
                    "--trials",
                    "250",
                    "--out",
                ])
                .arg(out_dir.join(format!("hpo-worker-{}-{i}.json", std::process::id())))
                .spawn()
                .expect("worker starts")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let study = Study::builder()
        .name(name)
        .storage_arc(hpo::open_storage(url).unwrap())
        .load()
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 1000, "{url}");
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..1000).collect(), "{url}");
    assert!(
        trials.iter().all(|t| t.state == TrialState::Complete),
        "{url}"
    );
}

#[test]
fn four_processes_on_a_journal_file() {
    run_workers_on_file("log", |path| format!("journal:{}", path.display()));
}

#[test]
fn four_processes_on_sqlite() {
    run_workers_on_file("db", |path| format!("sqlite:///{}", path.display()));
}

/// [`run_workers`] on the storage `url` gives for a fresh file `hpo-mp-<pid>.<ext>` in the
/// temporary directory, removed before and after.
fn run_workers_on_file(ext: &str, url: impl Fn(&std::path::Path) -> String) {
    let path = std::env::temp_dir().join(format!("hpo-mp-{}.{ext}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    run_workers(&url(&path));
    let _ = std::fs::remove_file(path);
}

#[test]
fn four_processes_on_redis() {
    let server = std::env::var("HPO_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("hpo-mp-{}", std::process::id());
    let journal = hpo_storage::RedisBackend::connect(&server, &prefix)
        .unwrap_or_else(|e| panic!("this test needs a Redis server (HPO_REDIS_URL): {e}"));
    journal.clear().unwrap();
    run_workers(&format!("{server}?prefix={prefix}"));
    journal.clear().unwrap();
}

#[test]
fn four_processes_on_postgresql() {
    run_workers_on_server(
        "HPO_POSTGRES_URL",
        "postgresql://postgres@127.0.0.1:5432/test",
        "PostgreSQL",
        hpo_storage::PostgresStorage::open,
    );
}

#[test]
fn four_processes_on_mysql() {
    run_workers_on_server(
        "HPO_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/test",
        "MySQL or MariaDB",
        hpo_storage::MysqlStorage::open,
    );
}

/// [`run_workers_in_own_study`] on the server at the URL in `var` (or `default`), which `open`
/// connects to; without one the test fails, naming the `server` it needs.
fn run_workers_on_server<S: hpo::Storage>(
    var: &str,
    default: &str,
    server: &str,
    open: fn(&str) -> hpo::Result<S>,
) {
    let url = std::env::var(var).unwrap_or_else(|_| default.into());
    let storage = open(&url).unwrap_or_else(|e| panic!("this test needs {server} ({var}): {e}"));
    run_workers_in_own_study(&url, &storage);
}

/// [`run_workers_named`] on a database server (`storage`, at `url`), in a study of this run's
/// own that is deleted before and after.
fn run_workers_in_own_study(url: &str, storage: &dyn hpo::Storage) {
    let name = format!("mp-{}", std::process::id());
    let clean = || {
        if let Ok(id) = hpo::Storage::get_study_id_from_name(storage, &name) {
            hpo::Storage::delete_study(storage, id).unwrap();
        }
    };
    clean();
    run_workers_named(url, &name);
    clean();
}

#[test]
fn a_killed_worker_s_trial_fails_and_its_retry_completes() {
    let path = std::env::temp_dir().join(format!("hpo-crash-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("journal:{}", path.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hpo-bench"))
        .args([
            "worker",
            "--storage",
            &url,
            "--problem",
            "hang",
            "--trials",
            "1",
            "--out",
        ])
        .arg(std::env::temp_dir().join(format!("hpo-crash-{}.json", std::process::id())))
        .spawn()
        .unwrap();
    // Wait until the worker's trial is running and beating.
    let open = || {
        Study::builder()
            .name("hang")
            .storage_arc(hpo::open_storage(&url).unwrap())
            .load()
    };
    let started = std::time::Instant::now();
    loop {
        if let Ok(s) = open()
            && s.trials_in(&[TrialState::Running])
                .unwrap()
                .iter()
                .any(|t| t.system_attrs.contains_key("heartbeat") && t.param("x0").is_some())
        {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "the worker never started its trial"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let study = Study::builder()
        .name("hang")
        .storage_arc(hpo::open_storage(&url).unwrap())
        .heartbeat(
            hpo::study::HeartbeatConfig::new(std::time::Duration::from_millis(200)).retry(Some(1)),
        )
        .load()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600)); // past the 400 ms grace period
    study
        .optimize(1, |t| Ok(t.suggest_float("x0", -5.0, 5.0)?.powi(2)))
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 2);
    assert_eq!(trials[0].state, TrialState::Fail);
    assert_eq!(trials[1].state, TrialState::Complete);
    assert_eq!(trials[1].system_attrs["failed_trial"], 0);
    assert_eq!(
        trials[1].param("x0"),
        trials[0].param("x0"),
        "the retry reran the same parameters"
    );
    let _ = std::fs::remove_file(path);
}
