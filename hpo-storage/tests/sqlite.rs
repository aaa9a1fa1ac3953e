//! SqliteStorage: Optuna's schema, replay across instances, concurrent writers, bad input, and
//! (ignored unless HPO_PYTHON names a Python with optuna 5.0) interop with Optuna both ways.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use hpo_core::{Storage, StudyDirection, TrialState};
use hpo_storage::SqliteStorage;

#[path = "../../hpo-core/tests/interop/common.rs"]
mod interop;
#[path = "../../hpo-core/tests/support/scratch.rs"]
mod scratch;
use interop::{
    assert_late_and_incompatible_writes_are_errors, assert_optuna_reads,
    assert_reads_optuna_and_shares_the_study, assert_replays, assert_workers_share_one_study,
    dump_with_optuna, heartbeat_study, load, optimize_x, populate, python, seeded_study,
};

/// A new connection to the database at `path`.
fn open(path: &std::path::Path) -> Arc<dyn Storage> {
    Arc::new(SqliteStorage::open(path).unwrap())
}

fn temp(name: &str) -> PathBuf {
    scratch::fresh_file(&format!("sqlite-{name}"), "db")
}

#[test]
fn another_connection_reads_the_same_study() {
    let path = temp("replay");
    let (study, other) = assert_replays(&|| open(&path), "replay");
    let b = other.trials().unwrap();
    assert!(b[0].intermediate_values[&1].is_nan());
    assert_eq!(other.best_value().unwrap(), study.best_value().unwrap());
    let _ = std::fs::remove_file(path);
}

#[test]
fn concurrent_connections_get_unique_numbers() {
    let path = temp("concurrent");
    assert_workers_share_one_study(&|| open(&path), "c", 50, 0);
    let _ = std::fs::remove_file(path);
}

#[test]
fn bad_input_is_a_clear_error_and_loses_nothing() {
    let path = temp("bad");
    let storage = open(&path);
    let study = assert_late_and_incompatible_writes_are_errors(storage.clone(), "b");
    // Another schema version is refused, naming it.
    drop(storage);
    drop(study);
    run_sql(&path, "UPDATE version_info SET schema_version = 11");
    let err = SqliteStorage::open(&path).unwrap_err().to_string();
    assert!(err.contains("schema version 11"), "{err}");
    let err = hpo_storage::open("postgresql://user:secret@host/db")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("postgresql") && !err.contains("secret"),
        "{err}"
    );
    assert!(
        SqliteStorage::open("/nonexistent-dir/x.db")
            .unwrap_err()
            .to_string()
            .contains("/nonexistent-dir/x.db")
    );
    let _ = std::fs::remove_file(path);
}

/// Runs one SQL statement on a database with Python's sqlite3 module (python3 is part of the
/// machines this project runs on).
fn run_sql(path: &std::path::Path, sql: &str) {
    let status = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import sqlite3; c = sqlite3.connect({:?}); c.execute({:?}); c.commit()",
                path.to_str().unwrap(),
                sql
            ),
        ])
        .status()
        .expect("python3 runs the SQL statement");
    assert!(status.success());
}

#[test]
fn stale_trials_fail_and_are_retried() {
    let path = temp("heartbeat");
    interop::assert_stale_trials_fail_and_are_retried(&heartbeat_study(open(&path), "hb"));
    let _ = std::fs::remove_file(path);
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn optuna_reads_what_hpo_writes() {
    let path = temp("to-optuna");
    let study = seeded_study(open(&path), "from-hpo", 3);
    populate(&study);
    assert_optuna_reads(
        &study,
        &dump_with_optuna(path.to_str().unwrap(), "from-hpo"),
    );
    let _ = std::fs::remove_file(path);
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn hpo_reads_what_optuna_writes_and_both_optimize_one_database() {
    let path = temp("from-optuna");
    assert_reads_optuna_and_shares_the_study(path.to_str().unwrap(), || {
        let study = load(Arc::new(SqliteStorage::open(&path).unwrap()), "from-optuna");
        assert_eq!(study.directions(), &[StudyDirection::Minimize]);
        study
    });
    let _ = std::fs::remove_file(path);
}

#[test]
fn copy_summaries_and_delete_across_storages() {
    let path = temp("copy");
    let journal = std::env::temp_dir().join(format!("hpo-copy-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&journal);
    let src = hpo_storage::open(&format!("journal:{}", journal.display())).unwrap();
    let study = seeded_study(src.clone(), "orig", 4);
    populate(&study);
    let dst = hpo_storage::open(&format!("sqlite:///{}", path.display())).unwrap();
    hpo_core::study::copy_study("orig", src.as_ref(), dst.as_ref(), Some("copy")).unwrap();
    let copy = load(dst.clone(), "copy");
    let (a, b) = (study.trials().unwrap(), copy.trials().unwrap());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.number, x.state, x.params_map(), &x.values),
            (y.number, y.state, y.params_map(), &y.values)
        );
        assert_eq!(x.datetime_start, y.datetime_start);
    }
    let summaries = hpo_core::study::get_all_study_summaries(dst.as_ref(), true).unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].study_name, "copy");
    assert_eq!(summaries[0].n_trials, 14);
    assert_eq!(
        summaries[0].best_trial.as_ref().unwrap().value(),
        copy.best_trial().ok().and_then(|t| t.value())
    );
    hpo_core::study::delete_study("copy", dst.as_ref()).unwrap();
    assert!(
        hpo_core::study::get_all_study_names(dst.as_ref())
            .unwrap()
            .is_empty()
    );
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(journal);
}

/// Minimal HTTP/1.0 GET against 127.0.0.1: (status, body). No client crate needed for a test.
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
    Ok((status, body.unwrap_or_default()))
}

/// Kills the dashboard even when an assertion fails.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs Python with optuna 5.0 and optuna-dashboard: set HPO_PYTHON (.ci/run does)"]
fn optuna_dashboard_lists_an_hpo_study_and_its_trials() {
    let py = python();
    let path = temp("dashboard");
    let study = seeded_study(
        Arc::new(SqliteStorage::open(&path).unwrap()),
        "seen-by-dashboard",
        5,
    );
    populate(&study);
    let ours = study.trials().unwrap();
    let best = study.best_trial().unwrap();

    // A free port: bind, read it, release it for the dashboard.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("sqlite:///{}", path.display());
    let _server = Child(
        Command::new(&py)
            .args([
                "-c",
                "import sys; from optuna_dashboard._cli import main; sys.exit(main())",
                &url,
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--server",
                "wsgiref",
                "--quiet",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("optuna-dashboard starts"),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let listing = loop {
        match http_get(port, "/api/studies") {
            Ok((200, body)) => break body,
            other => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "optuna-dashboard did not answer on port {port}: {other:?}"
                );
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
        }
    };
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let studies = listing["study_summaries"].as_array().unwrap();
    let entry = studies
        .iter()
        .find(|s| s["study_name"] == "seen-by-dashboard")
        .unwrap_or_else(|| panic!("study missing from {listing}"));
    let id = entry["study_id"].as_i64().unwrap();

    let (status, detail) = http_get(port, &format!("/api/studies/{id}")).unwrap();
    assert_eq!(status, 200, "{detail}");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["name"], "seen-by-dashboard");
    assert_eq!(detail["directions"], serde_json::json!(["minimize"]));
    let trials = detail["trials"].as_array().unwrap();
    assert_eq!(trials.len(), ours.len());
    for (o, d) in ours.iter().zip(trials) {
        assert_eq!(d["number"], o.number);
        let state = o.state.name();
        let expected = format!("{}{}", &state[..1], state[1..].to_lowercase());
        assert_eq!(d["state"], expected.as_str(), "trial {}", o.number);
        let mut names: Vec<String> = d["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        let mut want: Vec<String> = o.params_map().into_iter().map(|(k, _)| k).collect();
        want.sort();
        assert_eq!(names, want, "trial {}", o.number);
    }
    assert_eq!(detail["best_trials"][0]["number"], best.number);
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_failing_database_is_an_error_naming_its_file_and_the_operation() {
    use std::io::{Seek, SeekFrom, Write};
    let path = temp("broken");
    let storage = SqliteStorage::open(&path).unwrap();
    let study = storage
        .create_new_study(&[StudyDirection::Minimize], "broken")
        .unwrap();
    storage.create_new_trial(study, None).unwrap();
    // Another program overwrites the file's header while the storage has it open.
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.write_all(&[b'x'; 100]).unwrap();
    file.sync_all().unwrap();
    drop(file);
    let err = storage
        .create_new_trial(study, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "SQLite {}: cannot create a trial in study {study}:",
            path.display()
        )),
        "{err}"
    );
    assert!(err.contains("not a database"), "{err}");
    // Opening it again fails the same way, naming the file; so does opening a directory where
    // the database should be.
    let cannot_open = format!("SQLite {}: cannot open the database:", path.display());
    let open_error = || SqliteStorage::open(&path).unwrap_err().to_string();
    let err = open_error();
    assert!(err.contains(&cannot_open), "{err}");
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let err = open_error();
    assert!(err.contains(&cannot_open), "{err}");
    std::fs::remove_dir(&path).unwrap();
}

/// `chattr FLAG path`, false where the file system or the user cannot (then the test skips).
fn chattr(flag: &str, path: &std::path::Path) -> bool {
    Command::new("chattr")
        .arg(flag)
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A database that cannot be written (an immutable file in an immutable directory: root ignores
/// permission bits) is still listed and read; a write is an error naming the file and the
/// operation, and changes nothing.
#[test]
fn a_read_only_database_can_be_listed_and_read() {
    let dir = temp("read-only").with_extension("d");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ro.db");
    let study = seeded_study(Arc::new(SqliteStorage::open(&path).unwrap()), "ro", 3);
    optimize_x(&study, 3);
    drop(study);
    if !(chattr("+i", &path) && chattr("+i", &dir)) {
        chattr("-i", &path);
        eprintln!("skipped: chattr +i is not available here");
        return;
    }
    let outcome = std::panic::catch_unwind(|| {
        let storage = SqliteStorage::open(&path).unwrap();
        let id = storage.get_study_id_from_name("ro").unwrap();
        let trials = storage.get_all_trials(id, None).unwrap();
        assert_eq!(trials.len(), 3);
        assert!(trials.iter().all(|t| t.state == TrialState::Complete));
        let err = storage
            .create_new_study(&[StudyDirection::Minimize], "more")
            .unwrap_err()
            .to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("readonly"), "{err}");
        assert_eq!(storage.get_all_studies().unwrap().len(), 1);
    });
    chattr("-i", &dir);
    chattr("-i", &path);
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A corrupt parameter row (a categorical index past the last choice, as another tool or a
/// damaged file could leave) is an error naming the parameter when the trial is read, not a
/// panic, and the other trials still read.
#[test]
fn a_corrupt_choice_index_is_an_error_naming_the_parameter() {
    let path = temp("corrupt-choice");
    let study = seeded_study(Arc::new(SqliteStorage::open(&path).unwrap()), "corrupt", 5);
    study
        .optimize(2, |t| {
            Ok(match t.suggest_categorical("opt", &["adam", "sgd"])? {
                "adam" => 1.0,
                _ => 2.0,
            })
        })
        .unwrap();
    run_sql(
        &path,
        "UPDATE trial_params SET param_value = 7 WHERE trial_id = (SELECT MIN(trial_id) FROM trials)",
    );
    let storage = SqliteStorage::open(&path).unwrap();
    let id = storage.get_study_id_from_name("corrupt").unwrap();
    let err = storage.get_all_trials(id, None).unwrap_err().to_string();
    assert!(err.contains("`opt`") && err.contains('7'), "{err}");
    let _ = std::fs::remove_file(&path);
}
