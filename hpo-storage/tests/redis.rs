//! JournalRedisStorage against the real Redis server (127.0.0.1:6379, or HPO_REDIS_URL): replay
//! across connections, concurrent writers, bad input, and (ignored unless HPO_PYTHON names a
//! Python with optuna 5.0 and redis) interop with Optuna's `JournalRedisBackend` both ways.
//! Every test uses its own key prefix and deletes its keys. Dropped connections, a restarting
//! server and lost replies are simulated with a TCP proxy in front of the server.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hpo_core::{Storage, Study, StudyDirection, TrialState};
use hpo_storage::{JournalRedisStorage, RedisBackend, RetryPolicy};

#[path = "server/proxy.rs"]
mod proxy;
use proxy::Proxy;
#[path = "server/chaos.rs"]
mod chaos;

#[path = "../../hpo-core/tests/interop/common.rs"]
mod interop;
use interop::{
    assert_optuna_reads, assert_reads_optuna_and_shares_the_study, assert_workers_share_one_study,
    dump_with_optuna, heartbeat_study, load, new_study, optimize_x, populate, seeded_study,
};

fn url() -> String {
    std::env::var("HPO_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A fresh key prefix on a server that answers; fails loudly (never skips) without one.
struct Prefix(String);

impl Prefix {
    fn new(name: &str) -> Prefix {
        if let Err(e) = RedisBackend::connect(&url(), "probe") {
            panic!(
                "these tests need a Redis server at {} (set HPO_REDIS_URL to use another): {e}",
                url()
            );
        }
        let p = Prefix(format!("hpo-test-{name}-{}", std::process::id()));
        p.clean();
        p
    }

    fn storage(&self) -> JournalRedisStorage {
        JournalRedisStorage::new(RedisBackend::connect(&url(), &self.0).unwrap()).unwrap()
    }

    /// [`Prefix::storage`] as the studies take it.
    fn open(&self) -> Arc<dyn Storage> {
        Arc::new(self.storage())
    }

    fn spec(&self) -> String {
        format!("{}?prefix={}", url(), self.0)
    }

    fn clean(&self) {
        RedisBackend::connect(&url(), &self.0)
            .unwrap()
            .clear()
            .unwrap();
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        self.clean();
    }
}

/// A fresh prefix named `name` holding a study `name` with two trials.
fn two_trials(name: &str) -> (Prefix, Study) {
    let prefix = Prefix::new(name);
    let study = new_study(prefix.open(), name);
    optimize_x(&study, 2);
    (prefix, study)
}

#[test]
fn another_connection_replays_the_same_study() {
    let prefix = Prefix::new("replay");
    let study = seeded_study(prefix.open(), "replay", 1);
    populate(&study);
    let again = load(prefix.open(), "replay");
    let (a, b) = (study.trials().unwrap(), again.trials().unwrap());
    assert_eq!(a.len(), 14);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.number, y.number);
        assert_eq!(x.state, y.state);
        assert_eq!(x.params_map(), y.params_map());
        assert_eq!(format!("{:?}", x.values), format!("{:?}", y.values));
        assert_eq!(x.user_attrs, y.user_attrs);
        assert_eq!(x.intermediate_values.len(), y.intermediate_values.len());
    }
    assert_eq!(a[3].state, TrialState::Pruned);
    assert_eq!(a[5].state, TrialState::Fail);
    assert_eq!(b[12].state, TrialState::Waiting);
    assert_eq!(again.user_attrs().unwrap()["owner"], "rust");
    // The URL form opens the same journal, and `clear` empties it.
    let backend = RedisBackend::connect(&url(), &prefix.0).unwrap();
    assert!(
        backend.clear().unwrap() > 14,
        "at least one record per trial was deleted"
    );
    assert_eq!(backend.clear().unwrap(), 0);
    populate(&new_study(prefix.open(), "replay"));
    let by_url = hpo_storage::open(&prefix.spec()).unwrap();
    let id = by_url.get_study_id_from_name("replay").unwrap();
    assert_eq!(by_url.get_n_trials(id, None).unwrap(), 14);
}

#[test]
fn concurrent_writers_get_unique_numbers_and_pop_each_waiting_trial_once() {
    let prefix = Prefix::new("concurrent");
    let trials = assert_workers_share_one_study(&|| prefix.open(), "shared", 40, 8);
    let ids: BTreeSet<_> = trials.iter().map(|t| t.trial_id).collect();
    assert_eq!(ids.len(), 160);
}

#[test]
fn bad_input_is_a_clear_error_and_never_shows_a_password() {
    // Nothing listens on port 1.
    let err = RedisBackend::connect("redis://:hunter2@127.0.0.1:1", "x").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("127.0.0.1:1"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
    let Err(err) = hpo_storage::open("redis://user:hunter2@127.0.0.1:1?prefix=p") else {
        panic!("nothing listens on port 1");
    };
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // The real server has no password: AUTH with one is refused, and the password stays hidden.
    let _server = Prefix::new("auth");
    let wrong = format!(
        "redis://someone:hunter2@{}",
        url().trim_start_matches("redis://")
    );
    let err = RedisBackend::connect(&wrong, "x").unwrap_err().to_string();
    assert!(err.contains("cannot connect"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    // A bad value is refused before anything is written, and what was stored stays.
    let (prefix, study) = two_trials("bad");
    let mut trial = study.ask().unwrap();
    let err = trial.suggest_float("x", 2.0, 1.0).unwrap_err().to_string();
    assert!(err.contains('x') && err.contains('2'), "{err}");
    study.tell(trial, 1.0).unwrap();
    let reread = load(prefix.open(), "bad");
    assert_eq!(reread.n_trials().unwrap(), 3);
}

#[test]
fn stale_trials_fail_and_are_retried() {
    let prefix = Prefix::new("heartbeat");
    interop::assert_stale_trials_fail_and_are_retried(&heartbeat_study(prefix.open(), "hb"));
}

#[test]
#[ignore = "needs Python with optuna 5.0 and redis: set HPO_PYTHON (.ci/run does)"]
fn optuna_reads_what_hpo_writes_to_redis() {
    let prefix = Prefix::new("to-optuna");
    let study = seeded_study(prefix.open(), "from-hpo", 3);
    populate(&study);
    assert_optuna_reads(&study, &dump_with_optuna(&prefix.spec(), "from-hpo"));
}

#[test]
#[ignore = "needs Python with optuna 5.0 and redis: set HPO_PYTHON (.ci/run does)"]
fn hpo_reads_what_optuna_writes_to_redis_and_both_optimize_one_study() {
    let prefix = Prefix::new("from-optuna");
    assert_reads_optuna_and_shares_the_study(&prefix.spec(), || load(prefix.open(), "from-optuna"));
}

/// Runs `op` on its own thread and returns its result, failing the test if it takes more than
/// 5 s (a storage spinning on a log it can never catch up with would never return).
fn within_5s<T: Send + 'static>(op: impl FnOnce() -> T + Send + 'static) -> T {
    within(Duration::from_secs(5), op)
}

/// Runs `op` on its own thread and returns its result, failing the test if it takes more than
/// `limit`.
fn within<T: Send + 'static>(limit: Duration, op: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(op());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the operation did not return within {limit:?}"))
}

/// A plain connection to the server, to damage a journal behind hpo's back.
fn raw() -> redis::Connection {
    redis::Client::open(url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn assert_names_the_journal(msg: &str, prefix: &Prefix) {
    assert!(msg.contains(&url()), "the message names the server: {msg}");
    assert!(
        msg.contains(&format!("prefix `{}`", prefix.0)),
        "the message names the prefix: {msg}"
    );
}

#[test]
fn a_journal_wiped_under_a_worker_is_an_error_not_a_spin() {
    let prefix = Prefix::new("wiped");
    let study = seeded_study(prefix.open(), "wiped", 0);
    optimize_x(&study, 3);
    // FLUSHDB or DEL: every key of the journal is gone, after the worker applied its records.
    prefix.clean();
    let study = Arc::new(study);
    let writer = study.clone();
    let err = within_5s(move || writer.ask().map(|_| ()))
        .unwrap_err()
        .to_string();
    assert_names_the_journal(&err, &prefix);
    assert!(
        err.contains("the log holds 0 records") && err.contains("went backwards"),
        "{err}"
    );
    let reader = study.clone();
    let err = within_5s(move || reader.trials().map(|_| ()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("went backwards"), "{err}");
    // Opened again, the storage starts over from what the server holds.
    let again = new_study(prefix.open(), "wiped");
    assert_eq!(again.n_trials().unwrap(), 0);
}

#[test]
fn a_log_shorter_than_what_was_applied_is_an_error_not_a_spin() {
    // A replica that lags: the counter says fewer records than this worker has read.
    let (prefix, study) = two_trials("lagging");
    redis::cmd("SET")
        .arg(format!("{}:log_number", prefix.0))
        .arg(1)
        .query::<()>(&mut raw())
        .unwrap();
    let err = within_5s(move || {
        study
            .optimize(1, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
            .map(|_| ())
    })
    .unwrap_err()
    .to_string();
    assert_names_the_journal(&err, &prefix);
    assert!(err.contains("the log holds 2 records"), "{err}");
}

#[test]
fn a_missing_record_is_an_error_not_a_spin() {
    let (prefix, _study) = two_trials("hole");
    redis::cmd("DEL")
        .arg(format!("{}:log:1", prefix.0))
        .query::<()>(&mut raw())
        .unwrap();
    // A worker that starts now cannot replay the log past the hole.
    let (u, p) = (url(), prefix.0.clone());
    let err =
        within_5s(move || JournalRedisStorage::new(RedisBackend::connect(&u, &p)?).map(|_| ()))
            .unwrap_err()
            .to_string();
    assert_names_the_journal(&err, &prefix);
    assert!(err.contains("record 1 of the"), "{err}");
    assert!(err.contains("is missing"), "{err}");
}

/// The server's `host:port`, for the proxy.
fn server_address() -> String {
    proxy::address_of(&url(), 6379)
}

impl Prefix {
    /// A storage on this prefix through `proxy`.
    fn backend_through(&self, proxy: &Proxy) -> RedisBackend {
        RedisBackend::connect(&proxy.url_for(&url()), &self.0).unwrap()
    }
}

/// Two workers, each with its own storage through one proxy, run 150 trials each of one study
/// while the proxy cuts every connection 8 times and once refuses connections for 1.5 s (see
/// `chaos::round`). Three such rounds, each on a fresh journal.
#[test]
fn workers_survive_dropped_connections_and_a_restarting_server() {
    for round in 0..3 {
        let prefix = Prefix::new(&format!("chaos{round}"));
        let proxy = Proxy::start(&server_address());
        chaos::round(
            round,
            &proxy,
            &|| Arc::new(JournalRedisStorage::new(prefix.backend_through(&proxy)).unwrap()),
            &|| prefix.open(),
            "chaos",
        );
    }
}

/// A server that stays away longer than the retry window: the operation fails after the window
/// (2 s here), neither at once nor never, with an error naming the server, the prefix and the
/// operation and saying that it gave up; without retrying it fails at once.
#[test]
fn a_server_that_stays_away_is_an_error_after_the_retry_window() {
    let prefix = Prefix::new("away");
    let proxy = Proxy::start(&server_address());
    let backend = prefix
        .backend_through(&proxy)
        .retry(RetryPolicy::default().window(Duration::from_secs(2)));
    let study = Study::builder()
        .name("away")
        .storage(JournalRedisStorage::new(backend).unwrap())
        .build()
        .unwrap();
    let never =
        JournalRedisStorage::new(prefix.backend_through(&proxy).retry(RetryPolicy::never()))
            .unwrap();
    proxy.refuse_for(Duration::from_secs(10));
    let started = Instant::now();
    let err = within(Duration::from_secs(6), move || study.trials().map(|_| ()))
        .unwrap_err()
        .to_string();
    let took = started.elapsed();
    assert!(
        (Duration::from_millis(1500)..=Duration::from_secs(4)).contains(&took),
        "gave up after {took:?}: {err}"
    );
    let server = format!("Redis redis://127.0.0.1:{}", proxy.port());
    assert!(err.contains(&server), "names the server: {err}");
    assert!(err.contains(&format!("(prefix `{}`)", prefix.0)), "{err}");
    assert!(err.contains("cannot read the journal"), "{err}");
    assert!(
        err.contains("gave up after") && err.contains("attempts over 2s"),
        "{err}"
    );
    let started = Instant::now();
    let err = within(Duration::from_secs(2), move || {
        never.get_all_studies().map(|_| ())
    })
    .unwrap_err()
    .to_string();
    assert!(started.elapsed() < Duration::from_secs(1), "{err}");
    assert!(
        err.contains(&server) && err.contains("retrying is off"),
        "{err}"
    );
}

/// Only connection failures are retried: a key of the wrong type is an error at once, even
/// with the default 60 s window.
#[test]
fn a_command_error_is_not_retried() {
    let prefix = Prefix::new("wrongtype");
    let storage = prefix.storage();
    redis::cmd("LPUSH")
        .arg(format!("{}:log_number", prefix.0))
        .arg("x")
        .query::<()>(&mut raw())
        .unwrap();
    let err = within_5s(move || storage.get_all_studies().map(|_| ()))
        .unwrap_err()
        .to_string();
    assert_names_the_journal(&err, &prefix);
    assert!(err.contains("WRONGTYPE"), "{err}");
    assert!(!err.contains("gave up"), "{err}");
}

/// The number of the last record in the journal (`<prefix>:log_number`).
fn last_record(prefix: &Prefix) -> i64 {
    redis::cmd("GET")
        .arg(format!("{}:log_number", prefix.0))
        .query(&mut raw())
        .unwrap()
}

/// An append the server ran but whose reply was lost (the proxy forwards the `EVAL` and cuts the
/// connection before the reply) is found in the log after reconnecting and not written again;
/// one the server refused because another writer appended first, whose reply was lost too, ends
/// with the storage catching up and appending after it.
#[test]
fn an_append_whose_reply_was_lost_is_not_written_twice() {
    let prefix = Prefix::new("lost-reply");
    let proxy = Proxy::start(&server_address());
    let storage = JournalRedisStorage::new(prefix.backend_through(&proxy)).unwrap();
    let study = storage
        .create_new_study(&[StudyDirection::Minimize], "lost")
        .unwrap();
    assert_eq!(last_record(&prefix), 0);

    // The server appended the trial; the storage never heard it.
    let accepted = proxy.accepted();
    proxy.cut_reply_to(b"EVAL");
    let first = storage.create_new_trial(study, None).unwrap();
    assert_eq!(proxy.replies_cut(), 1, "the reply to the append was cut");
    assert!(proxy.accepted() > accepted, "the storage reconnected");
    assert_eq!(first.number, 0);
    assert_eq!(last_record(&prefix), 1, "one record for the trial, not two");

    // Another writer appends; this storage, behind, appends at the old end: refused, and the
    // refusal is lost. It finds another record there, catches up and appends after it.
    let other = prefix.storage();
    let theirs = other.create_new_trial(study, None).unwrap();
    assert_eq!(theirs.number, 1);
    proxy.cut_reply_to(b"EVAL");
    let third = storage.create_new_trial(study, None).unwrap();
    assert_eq!(proxy.replies_cut(), 2);
    assert_eq!(third.number, 2);
    assert_eq!(last_record(&prefix), 3);
    for s in [&storage, &other, &prefix.storage()] {
        let numbers: Vec<u64> = s
            .get_all_trials(study, None)
            .unwrap()
            .iter()
            .map(|t| t.number)
            .collect();
        assert_eq!(numbers, [0, 1, 2]);
    }
}
