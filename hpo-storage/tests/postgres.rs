//! PostgresStorage against the real server (postgresql://postgres@127.0.0.1:5432/test, or
//! HPO_POSTGRES_URL): replay across connections, concurrent writers, bad input, and (ignored
//! unless HPO_PYTHON names a Python with optuna 5.0 and psycopg) interop with Optuna both ways.
//! Study names are unique per run and every test deletes its studies.

use std::collections::BTreeSet;

use hpo::{RandomSampler, Storage, Study, TrialState};
use hpo_storage::PostgresStorage;

#[path = "../../hpo-core/tests/interop/common.rs"]
mod interop;
use interop::{
    assert_optuna_reads, assert_reads_optuna_and_shares_the_study, dump_with_optuna, populate,
};

fn url() -> String {
    std::env::var("HPO_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

/// A connection to the test server; fails loudly (never skips) without one.
fn storage() -> PostgresStorage {
    PostgresStorage::open(&url()).unwrap_or_else(|e| {
        panic!(
            "these tests need PostgreSQL at {} (set HPO_POSTGRES_URL to use another): {e}",
            url()
        )
    })
}

/// A study name unique to this run, deleted (with everything in it) when dropped.
struct Name(String);

impl Name {
    fn new(base: &str) -> Name {
        let n = Name(format!("hpo-test-{base}-{}", std::process::id()));
        n.clean();
        n
    }

    fn clean(&self) {
        let s = storage();
        if let Ok(id) = s.get_study_id_from_name(&self.0) {
            s.delete_study(id).unwrap();
        }
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        self.clean();
    }
}

#[test]
fn another_connection_reads_the_same_study() {
    let name = Name::new("replay");
    let study = Study::builder()
        .name(&name.0)
        .storage(storage())
        .sampler(RandomSampler::with_seed(1))
        .build()
        .unwrap();
    populate(&study);
    let other = Study::builder()
        .name(&name.0)
        .storage(storage())
        .load()
        .unwrap();
    let (a, b) = (study.trials().unwrap(), other.trials().unwrap());
    assert_eq!(a.len(), 14);
    assert_eq!(b.len(), 14);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x.number, x.state), (y.number, y.state));
        assert_eq!(x.params_map(), y.params_map());
        assert_eq!(x.values, y.values);
        assert_eq!(x.user_attrs, y.user_attrs);
        assert_eq!(x.system_attrs, y.system_attrs);
        assert_eq!(x.datetime_start, y.datetime_start, "microsecond timestamps");
    }
    assert_eq!(b[7].values, Some(vec![f64::INFINITY]));
    assert!(b[0].intermediate_values[&1].is_nan());
    assert_eq!(b[12].state, TrialState::Waiting);
    assert_eq!(other.best_value().unwrap(), study.best_value().unwrap());
    assert_eq!(other.user_attrs().unwrap()["owner"], "rust");
    let by_url = hpo_storage::open(&url()).unwrap();
    let id = by_url.get_study_id_from_name(&name.0).unwrap();
    assert_eq!(by_url.get_n_trials(id, None).unwrap(), 14);
}

#[test]
fn concurrent_connections_get_unique_numbers_and_pop_each_waiting_trial_once() {
    let name = Name::new("concurrent");
    let first = Study::builder()
        .name(&name.0)
        .storage(storage())
        .build()
        .unwrap();
    for i in 0..8 {
        first.enqueue_trial([("x", i as f64 / 10.0)]).unwrap();
    }
    std::thread::scope(|scope| {
        for w in 0..4 {
            let name = &name.0;
            scope.spawn(move || {
                let study = Study::builder()
                    .name(name)
                    .storage(storage())
                    .sampler(RandomSampler::with_seed(w))
                    .load()
                    .unwrap();
                study
                    .optimize(50, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
                    .unwrap();
            });
        }
    });
    let trials = first.trials().unwrap();
    assert_eq!(trials.len(), 200);
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..200).collect());
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    for (i, t) in trials.iter().take(8).enumerate() {
        assert_eq!(
            t.param("x"),
            Some(&hpo::ParamValue::Float(i as f64 / 10.0)),
            "enqueued trial {i} ran once, in order"
        );
    }
}

#[test]
fn bad_input_is_a_clear_error_and_loses_nothing() {
    let name = Name::new("bad");
    let storage = std::sync::Arc::new(storage());
    let study = Study::builder()
        .name(&name.0)
        .storage_arc(storage.clone())
        .build()
        .unwrap();
    let mut t = study.ask().unwrap();
    t.suggest_float("x", 0.0, 1.0).unwrap();
    let id = t.id();
    study.tell(t, 1.0).unwrap();
    assert!(matches!(
        storage.set_trial_user_attr(id, "late", 1.into()),
        Err(hpo::Error::TrialFinished { .. })
    ));
    let mut t = study.ask().unwrap();
    let err = t.suggest_int("x", 0, 3).unwrap_err();
    assert!(
        matches!(err, hpo::Error::IncompatibleDistribution { .. }),
        "{err}"
    );
    let err = Study::builder()
        .name(&name.0)
        .storage_arc(storage.clone())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains(&name.0), "{err}");
    assert_eq!(study.trials().unwrap()[0].values, Some(vec![1.0]));

    // Nothing listens on port 1; the password never shows.
    let err = PostgresStorage::open("postgresql://someone:hunter2@127.0.0.1:1/test")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("127.0.0.1:1") && !err.contains("hunter2"),
        "{err}"
    );
    // A database that does not exist, and a role that does not exist.
    let server = url();
    let (base, _) = server.rsplit_once('/').unwrap();
    let err = PostgresStorage::open(&format!("{base}/hpo_no_such_database"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("hpo_no_such_database"), "{err}");
    let no_role = server.replacen("postgres@", "hpo_no_such_role:hunter2@", 1);
    if no_role != server {
        let err = PostgresStorage::open(&no_role).unwrap_err().to_string();
        assert!(
            err.contains("hpo_no_such_role") && !err.contains("hunter2"),
            "{err}"
        );
    }
}

#[test]
fn a_schema_of_another_version_is_refused() {
    // A database of its own, so other tests never see the changed version.
    let admin = url();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let db = format!("hpo_schema_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let url = format!("{base}/{db}");
    drop(PostgresStorage::open(&url).unwrap());
    let mut inside = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    inside
        .batch_execute("UPDATE version_info SET schema_version = 11")
        .unwrap();
    drop(inside);
    let err = PostgresStorage::open(&url).unwrap_err().to_string();
    client
        .batch_execute(&format!("DROP DATABASE {db}"))
        .unwrap();
    assert!(err.contains("schema version 11"), "{err}");
}

#[test]
fn stale_trials_fail_and_are_retried() {
    let name = Name::new("heartbeat");
    let study = Study::builder()
        .name(&name.0)
        .storage(storage())
        .sampler(RandomSampler::with_seed(0))
        .heartbeat(
            hpo::study::HeartbeatConfig::new(std::time::Duration::from_millis(50)).retry(None),
        )
        .build()
        .unwrap();
    interop::assert_stale_trials_fail_and_are_retried(&study);
}

#[test]
#[ignore = "needs Python with optuna 5.0 and psycopg: set HPO_PYTHON (.ci/run does)"]
fn optuna_reads_what_hpo_writes_to_postgresql() {
    let name = Name::new("to-optuna");
    let study = Study::builder()
        .name(&name.0)
        .storage(storage())
        .sampler(RandomSampler::with_seed(3))
        .build()
        .unwrap();
    populate(&study);
    assert_optuna_reads(&study, &dump_with_optuna(&url(), &name.0));
}

#[test]
#[ignore = "needs Python with optuna 5.0 and psycopg: set HPO_PYTHON (.ci/run does)"]
fn hpo_reads_what_optuna_writes_to_postgresql_and_both_optimize_one_study() {
    let name = Name("from-optuna".into());
    name.clean();
    assert_reads_optuna_and_shares_the_study(&url(), || {
        Study::builder()
            .name("from-optuna")
            .storage(storage())
            .load()
            .unwrap()
    });
}
