//! One storage conformance suite, run against all six storages: in-memory, journal file, SQLite,
//! PostgreSQL, MySQL and the Redis journal. Each check below is written once against the
//! `Storage` trait; the `conformance!` macro at the end runs every check on every storage.
//!
//! The server storages need PostgreSQL (127.0.0.1:5432, database `test`), MySQL or MariaDB
//! (127.0.0.1:3306, database `test`) and Redis (127.0.0.1:6379); the `HPO_POSTGRES_URL`,
//! `HPO_MYSQL_URL` and `HPO_REDIS_URL` variables point elsewhere. Without a server its checks
//! fail with a message saying which one is missing (they never skip). Study names and Redis key
//! prefixes carry the process id, and every check deletes what it made.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hpo_core::storage::{JournalFileStorage, StudyId};
use hpo_core::{
    Distribution, Error, FrozenTrial, InMemoryStorage, ParamValue, Storage, StudyDirection,
    TrialState,
};
use hpo_storage::{
    JournalRedisStorage, MysqlStorage, PostgresStorage, RedisBackend, SqliteStorage,
};
use serde_json::json;

/// A storage under test: `open()` gives a new handle on the same data (a new connection, a new
/// instance reading the same file), and dropping the fixture removes what the check made.
struct Fixture {
    open: Box<dyn Fn() -> Arc<dyn Storage> + Send + Sync>,
    /// A study name unique to this check and process.
    name: String,
    cleanup: Option<Box<dyn FnOnce()>>,
}

impl Fixture {
    fn open(&self) -> Arc<dyn Storage> {
        (self.open)()
    }

    /// `self.name` with a suffix, deleted first if a crashed earlier run left it.
    fn study_name(&self, suffix: &str) -> String {
        let name = format!("{}-{suffix}", self.name);
        let storage = self.open();
        if let Ok(id) = storage.get_study_id_from_name(&name) {
            storage.delete_study(id).unwrap();
        }
        name
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

fn scratch_dir(check: &str, kind: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hpo-conformance-{kind}-{check}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fixture whose storage `open` opens at the path of `file` in a scratch directory of its
/// own, removed afterwards.
fn in_scratch_dir(
    check: &str,
    kind: &str,
    file: &str,
    open: impl Fn(&Path) -> Arc<dyn Storage> + Send + Sync + 'static,
) -> Fixture {
    let dir = scratch_dir(check, kind);
    let path = dir.join(file);
    Fixture {
        open: Box::new(move || open(&path)),
        name: format!("conformance-{check}"),
        cleanup: Some(Box::new(move || {
            let _ = std::fs::remove_dir_all(dir);
        })),
    }
}

/// A fixture on the server at the URL in `var` (or `default`), which `open` connects to; it
/// panics, naming the `server` it needs, without one. The study names are unique per process.
fn on_server<S: Storage + 'static>(
    check: &str,
    var: &'static str,
    default: &str,
    server: &'static str,
    open: fn(&str) -> hpo_core::Result<S>,
) -> Fixture {
    let url = env_or(var, default);
    Fixture {
        open: Box::new(move || {
            Arc::new(
                open(&url)
                    .unwrap_or_else(|e| panic!("this check needs {server} at {url} ({var}): {e}")),
            )
        }),
        name: format!("hpo-conformance-{check}-{}", std::process::id()),
        cleanup: None,
    }
}

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_owned())
}

mod fixture {
    use super::*;

    pub fn memory(check: &str) -> Fixture {
        let shared: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
        Fixture {
            open: Box::new(move || shared.clone()),
            name: format!("conformance-{check}"),
            cleanup: None,
        }
    }

    pub fn journal(check: &str) -> Fixture {
        in_scratch_dir(check, "journal", "journal.log", |path| {
            Arc::new(JournalFileStorage::open(path).unwrap())
        })
    }

    pub fn sqlite(check: &str) -> Fixture {
        in_scratch_dir(check, "sqlite", "study.db", |path| {
            Arc::new(SqliteStorage::open(path).unwrap())
        })
    }

    pub fn postgres(check: &str) -> Fixture {
        on_server(
            check,
            "HPO_POSTGRES_URL",
            "postgresql://postgres@127.0.0.1:5432/test",
            "PostgreSQL",
            PostgresStorage::open,
        )
    }

    pub fn mysql(check: &str) -> Fixture {
        on_server(
            check,
            "HPO_MYSQL_URL",
            "mysql://root@127.0.0.1:3306/test",
            "MySQL or MariaDB",
            MysqlStorage::open,
        )
    }

    pub fn redis(check: &str) -> Fixture {
        let url = env_or("HPO_REDIS_URL", "redis://127.0.0.1:6379");
        let prefix = format!("hpo-conformance-{check}-{}", std::process::id());
        let connect = {
            let (url, prefix) = (url.clone(), prefix.clone());
            move || {
                RedisBackend::connect(&url, &prefix).unwrap_or_else(|e| {
                    panic!("this check needs Redis at {url} (HPO_REDIS_URL): {e}")
                })
            }
        };
        connect().clear().unwrap();
        let clear = connect.clone();
        Fixture {
            open: Box::new(move || Arc::new(JournalRedisStorage::new(connect()).unwrap())),
            name: format!("conformance-{check}"),
            cleanup: Some(Box::new(move || {
                let _ = clear().clear();
            })),
        }
    }
}

/// Studies: create, find by name and id, directions, attributes, listing, duplicates, delete.
fn studies(f: &Fixture) {
    let s = f.open();
    let (a, b) = (f.study_name("a"), f.study_name("b"));
    let ida = s.create_new_study(&[StudyDirection::Minimize], &a).unwrap();
    let dirs = [StudyDirection::Maximize, StudyDirection::Minimize];
    let idb = s.create_new_study(&dirs, &b).unwrap();
    assert_ne!(ida, idb);
    assert!(matches!(
        s.create_new_study(&[StudyDirection::Minimize], &a),
        Err(Error::DuplicatedStudy(n)) if n == a
    ));
    assert_eq!(s.get_study_id_from_name(&a).unwrap(), ida);
    assert_eq!(s.get_study_name_from_id(idb).unwrap(), b);
    assert_eq!(s.get_study_directions(idb).unwrap(), dirs);
    s.set_study_user_attr(ida, "owner", json!({"team": "é", "n": [1, 2.5, null]}))
        .unwrap();
    s.set_study_user_attr(ida, "owner", json!("again")).unwrap();
    s.set_study_system_attr(ida, "sys", json!(true)).unwrap();
    // Another handle (connection, instance) reads the same.
    let other = f.open();
    assert_eq!(
        other.get_study_user_attrs(ida).unwrap()["owner"],
        json!("again")
    );
    assert_eq!(
        other.get_study_system_attrs(ida).unwrap()["sys"],
        json!(true)
    );
    let all = other.get_all_studies().unwrap();
    let mine: Vec<_> = all.iter().filter(|r| r.name == a || r.name == b).collect();
    assert_eq!(mine.len(), 2, "{all:?}");
    let rec_b = mine.iter().find(|r| r.name == b).unwrap();
    assert_eq!(
        (rec_b.study_id, rec_b.directions.as_slice()),
        (idb, &dirs[..])
    );
    s.delete_study(ida).unwrap();
    assert!(s.get_study_id_from_name(&a).is_err());
    assert!(f.open().get_study_id_from_name(&a).is_err());
    assert_eq!(f.open().get_study_id_from_name(&b).unwrap(), idb);
    s.delete_study(idb).unwrap();
}

fn new_study(
    f: &Fixture,
    suffix: &str,
    directions: &[StudyDirection],
) -> (Arc<dyn Storage>, StudyId) {
    let s = f.open();
    let id = s
        .create_new_study(directions, &f.study_name(suffix))
        .unwrap();
    (s, id)
}

/// Trials: numbers, every kind of parameter, intermediate values, attributes, states, values,
/// datetimes, and no update after the end.
fn trials(f: &Fixture) {
    let (s, study) = new_study(f, "trials", &[StudyDirection::Minimize]);
    let dists = [
        ("f", Distribution::float(-1.0, 1.0).unwrap(), 0.25),
        ("flog", Distribution::float_log(1e-5, 1e-1).unwrap(), 3e-4),
        (
            "fstep",
            Distribution::float_step(0.0, 1.0, 0.25).unwrap(),
            0.75,
        ),
        ("i", Distribution::int(1, 8).unwrap(), 3.0),
        ("ilog", Distribution::int_log(16, 256).unwrap(), 64.0),
        ("istep", Distribution::int_step(0, 100, 10).unwrap(), 30.0),
        (
            "c",
            Distribution::categorical(vec![
                ParamValue::from("adam"),
                ParamValue::from(1.5),
                ParamValue::from(true),
                ParamValue::Null,
            ])
            .unwrap(),
            2.0,
        ),
    ];
    let t0 = s.create_new_trial(study, None).unwrap();
    assert_eq!((t0.number, t0.state), (0, TrialState::Running));
    assert!(t0.datetime_start.is_some() && t0.datetime_complete.is_none());
    for (name, d, x) in &dists {
        s.set_trial_param(t0.trial_id, name, *x, d).unwrap();
    }
    s.set_trial_intermediate_value(t0.trial_id, 0, 1.5).unwrap();
    s.set_trial_intermediate_value(t0.trial_id, 3, f64::INFINITY)
        .unwrap();
    s.set_trial_intermediate_value(t0.trial_id, 4, f64::NAN)
        .unwrap();
    s.set_trial_user_attr(t0.trial_id, "note", json!({"k": [1, "é"]}))
        .unwrap();
    s.set_trial_system_attr(t0.trial_id, "sys", json!(7))
        .unwrap();
    s.set_trial_state_values(t0.trial_id, TrialState::Complete, Some(&[0.5]))
        .unwrap();
    let t1 = s.create_new_trial(study, None).unwrap();
    s.set_trial_state_values(
        t1.trial_id,
        TrialState::Complete,
        Some(&[f64::NEG_INFINITY]),
    )
    .unwrap();
    let t2 = s.create_new_trial(study, None).unwrap();
    s.set_trial_state_values(t2.trial_id, TrialState::Pruned, None)
        .unwrap();
    let t3 = s.create_new_trial(study, None).unwrap();
    s.set_trial_state_values(t3.trial_id, TrialState::Fail, None)
        .unwrap();
    let running = s.create_new_trial(study, None).unwrap();
    assert_eq!(
        [t1.number, t2.number, t3.number, running.number],
        [1, 2, 3, 4]
    );

    // Read back through another handle.
    let r = f.open();
    let back = r.get_trial(t0.trial_id).unwrap();
    assert_eq!(back.state, TrialState::Complete);
    assert_eq!(back.values.as_deref(), Some(&[0.5][..]));
    assert!(back.datetime_complete.is_some());
    for (name, d, x) in &dists {
        assert_eq!(back.internal_param(name), Some(*x), "{name}");
        assert_eq!(back.distribution(name), Some(d), "{name}");
    }
    assert_eq!(back.param("c"), Some(&ParamValue::Bool(true)));
    assert_eq!(back.intermediate_values[&0], 1.5);
    assert_eq!(back.intermediate_values[&3], f64::INFINITY);
    assert!(back.intermediate_values[&4].is_nan());
    assert_eq!(back.user_attrs["note"], json!({"k": [1, "é"]}));
    assert_eq!(back.system_attrs["sys"], json!(7));
    assert_eq!(
        r.get_trial(t1.trial_id).unwrap().values.as_deref(),
        Some(&[f64::NEG_INFINITY][..])
    );
    assert_eq!(
        r.get_trial_id_from_study_id_trial_number(study, 3).unwrap(),
        t3.trial_id
    );
    assert!(
        r.get_trial_id_from_study_id_trial_number(study, 99)
            .is_err()
    );
    let states: Vec<_> = r
        .get_all_trials(study, None)
        .unwrap()
        .iter()
        .map(|t| (t.number, t.state))
        .collect();
    assert_eq!(
        states,
        [
            (0, TrialState::Complete),
            (1, TrialState::Complete),
            (2, TrialState::Pruned),
            (3, TrialState::Fail),
            (4, TrialState::Running)
        ]
    );
    assert_eq!(
        r.get_n_trials(study, Some(&[TrialState::Complete]))
            .unwrap(),
        2
    );
    assert_eq!(r.get_best_trial(study).unwrap().number, 1);

    // A finished trial cannot change, and the failed update loses nothing.
    assert!(matches!(
        s.set_trial_state_values(t0.trial_id, TrialState::Complete, Some(&[9.0])),
        Err(Error::TrialFinished { number: 0, .. })
    ));
    assert!(s.set_trial_intermediate_value(t0.trial_id, 9, 1.0).is_err());
    assert!(
        s.set_trial_user_attr(t0.trial_id, "late", json!(1))
            .is_err()
    );
    let again = f.open().get_trial(t0.trial_id).unwrap();
    assert_eq!(again.values.as_deref(), Some(&[0.5][..]));
    assert!(!again.intermediate_values.contains_key(&9));
    assert!(!again.user_attrs.contains_key("late"));
    s.delete_study(study).unwrap();
}

/// Several objectives' values, and best trial refused for them.
fn multi_objective(f: &Fixture) {
    let dirs = [StudyDirection::Minimize, StudyDirection::Maximize];
    let (s, study) = new_study(f, "mo", &dirs);
    let t = s.create_new_trial(study, None).unwrap();
    s.set_trial_state_values(
        t.trial_id,
        TrialState::Complete,
        Some(&[1.0, f64::INFINITY]),
    )
    .unwrap();
    assert_eq!(
        f.open().get_trial(t.trial_id).unwrap().values.as_deref(),
        Some(&[1.0, f64::INFINITY][..])
    );
    assert!(matches!(
        s.get_best_trial(study),
        Err(Error::MultiObjective(_))
    ));
    s.delete_study(study).unwrap();
}

/// Enqueued (Waiting) trials keep their template and are popped once each.
fn waiting_trials(f: &Fixture) {
    let (s, study) = new_study(f, "waiting", &[StudyDirection::Minimize]);
    for x in [0.1, 0.2] {
        let template = FrozenTrial::new(TrialState::Waiting)
            .with_system_attr("fixed_params", json!({"x": x}))
            .with_user_attr("origin", "enqueued");
        let w = s.create_new_trial(study, Some(&template)).unwrap();
        assert_eq!(w.state, TrialState::Waiting);
    }
    let first = f.open().pop_waiting_trial(study).unwrap().unwrap();
    assert_eq!(first.state, TrialState::Running);
    assert_eq!(first.system_attrs["fixed_params"], json!({"x": 0.1}));
    assert_eq!(first.user_attrs["origin"], json!("enqueued"));
    let second = s.pop_waiting_trial(study).unwrap().unwrap();
    assert_eq!(second.system_attrs["fixed_params"], json!({"x": 0.2}));
    assert!(s.pop_waiting_trial(study).unwrap().is_none());
    assert!(f.open().pop_waiting_trial(study).unwrap().is_none());
    s.delete_study(study).unwrap();
}

/// `finished_trials_since`: each finished trial once, in the order this handle saw them finish
/// (a trial started earlier may finish later), the cursor moving on.
fn finished_since(f: &Fixture) {
    let (s, study) = new_study(f, "since", &[StudyDirection::Minimize]);
    let finish = |v: f64| {
        let t = s.create_new_trial(study, None).unwrap();
        s.set_trial_state_values(t.trial_id, TrialState::Complete, Some(&[v]))
            .unwrap();
        t.number
    };
    let running = s.create_new_trial(study, None).unwrap();
    let first = [finish(1.0), finish(2.0)];
    let batch = s.finished_trials_since(study, 0).unwrap();
    let numbers: Vec<_> = batch.trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, first);
    let empty = s.finished_trials_since(study, batch.cursor).unwrap();
    assert!(empty.trials.is_empty());
    let later = finish(3.0);
    s.set_trial_state_values(running.trial_id, TrialState::Fail, None)
        .unwrap();
    // A cursor belongs to the storage value that returned it (an RDB storage logs finishes in
    // the order it saw them), so the same handle asks again.
    let next = s.finished_trials_since(study, batch.cursor).unwrap();
    let numbers: BTreeSet<_> = next.trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, BTreeSet::from([running.number, later]));
    s.delete_study(study).unwrap();
}

/// Heartbeats: a Running trial whose heartbeat is older than the grace is stale; a Running
/// trial that never beat (an Optuna worker without heartbeats) never is; finished ones neither.
fn heartbeats(f: &Fixture) {
    let (s, study) = new_study(f, "heartbeat", &[StudyDirection::Minimize]);
    let beating = s.create_new_trial(study, None).unwrap();
    let silent = s.create_new_trial(study, None).unwrap();
    let done = s.create_new_trial(study, None).unwrap();
    s.record_heartbeat(beating.trial_id).unwrap();
    s.record_heartbeat(done.trial_id).unwrap();
    s.set_trial_state_values(done.trial_id, TrialState::Complete, Some(&[1.0]))
        .unwrap();
    assert!(
        s.stale_trial_ids(study, Duration::from_secs(60))
            .unwrap()
            .is_empty()
    );
    std::thread::sleep(Duration::from_millis(50));
    let stale = f
        .open()
        .stale_trial_ids(study, Duration::from_millis(10))
        .unwrap();
    assert_eq!(stale, [beating.trial_id]);
    assert!(!stale.contains(&silent.trial_id));
    s.delete_study(study).unwrap();
}

/// Concurrent writers through separate handles: unique, gap-free numbers, nothing lost.
fn concurrent_writers(f: &Fixture) {
    let (s, study) = new_study(f, "concurrent", &[StudyDirection::Minimize]);
    let (workers, each) = (4, 15);
    std::thread::scope(|scope| {
        for w in 0..workers {
            let handle = f.open();
            scope.spawn(move || {
                for i in 0..each {
                    let t = handle.create_new_trial(study, None).unwrap();
                    let d = Distribution::float(0.0, 100.0).unwrap();
                    let x = (w * each + i) as f64;
                    handle.set_trial_param(t.trial_id, "x", x, &d).unwrap();
                    handle
                        .set_trial_state_values(t.trial_id, TrialState::Complete, Some(&[x]))
                        .unwrap();
                }
            });
        }
    });
    let all = f.open().get_all_trials(study, None).unwrap();
    let numbers: Vec<u64> = all.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..(workers * each) as u64).collect::<Vec<_>>());
    let xs: BTreeSet<i64> = all
        .iter()
        .map(|t| {
            assert_eq!(t.state, TrialState::Complete);
            assert_eq!(
                t.values.as_deref(),
                Some(&[t.internal_param("x").unwrap()][..])
            );
            t.internal_param("x").unwrap() as i64
        })
        .collect();
    assert_eq!(
        xs.len(),
        workers * each,
        "a trial's writes were lost or mixed"
    );
    s.delete_study(study).unwrap();
}

/// Missing ids and names are errors, not panics or empty answers.
fn missing_things(f: &Fixture) {
    let s = f.open();
    let name = f.study_name("missing");
    assert!(matches!(
        s.get_study_id_from_name(&name),
        Err(Error::StudyNotFound(n)) if n == name
    ));
    assert!(s.get_study_name_from_id(987_654_321).is_err());
    assert!(s.get_study_directions(987_654_321).is_err());
    assert!(s.get_trial(987_654_321).is_err());
    assert!(s.create_new_trial(987_654_321, None).is_err());
}

macro_rules! conformance {
    ($($storage:ident),* $(,)?) => {$(
        mod $storage {
            conformance!(@checks $storage:
                studies "studies",
                trials "trials",
                multi_objective "mo",
                waiting_trials "waiting",
                finished_since "since",
                heartbeats "heartbeat",
                concurrent_writers "concurrent",
                missing_things "missing",
            );
        }
    )*};
    // One test per check: the check run on a fixture of `$storage` named after `$label`.
    (@checks $storage:ident: $($check:ident $label:literal),* $(,)?) => {$(
        #[test]
        fn $check() {
            super::$check(&super::fixture::$storage($label));
        }
    )*};
}

conformance!(memory, journal, sqlite, postgres, mysql, redis);
