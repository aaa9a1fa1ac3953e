//! What the PostgreSQL and MySQL tests check alike, against a real server: replay across
//! connections, concurrent writers and the queue, bad values that lose nothing, heartbeats, and
//! interop with Optuna. Each test file passes its way to connect (`Open`) and its URL.

use std::sync::Arc;

use hpo_core::{Storage, Study, TrialState};
use hpo_storage::RetryPolicy;
use hpo_storage::rdb::{RdbBackend, RdbStorage};

pub mod chaos;
#[path = "../../../hpo-core/tests/interop/common.rs"]
pub mod interop;
pub mod proxy;
use interop::{
    assert_optuna_reads, assert_reads_optuna_and_shares_the_study, dump_with_optuna,
    heartbeat_study, load, populate, seeded_study,
};

/// A fresh connection to the server under test (panicking with a clear message without one).
pub type Open = fn() -> Arc<dyn Storage>;

/// A study name unique to this run, deleted (with everything in it) when made and when dropped.
pub struct Name {
    pub name: String,
    open: Open,
}

impl Name {
    /// `hpo-test-<base>-<pid>`.
    pub fn new(base: &str, open: Open) -> Name {
        Name::exact(&format!("hpo-test-{base}-{}", std::process::id()), open)
    }

    /// A fixed name (the Python scripts use one).
    pub fn exact(name: &str, open: Open) -> Name {
        let n = Name {
            name: name.to_owned(),
            open,
        };
        n.clean();
        n
    }

    fn clean(&self) {
        let s = (self.open)();
        if let Ok(id) = s.get_study_id_from_name(&self.name) {
            s.delete_study(id).unwrap();
        }
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        self.clean();
    }
}

/// A study written through one connection reads back identically through another and by URL.
pub fn another_connection_reads_the_same_study(open: Open, url: &str) {
    let name = Name::new("replay", open);
    let (study, other) = interop::assert_replays(&open, &name.name);
    let (a, b) = (study.trials().unwrap(), other.trials().unwrap());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.datetime_start, y.datetime_start, "timestamps survive");
    }
    assert!(b[0].intermediate_values[&1].is_nan());
    assert_eq!(b[12].state, TrialState::Waiting);
    assert_eq!(other.best_value().unwrap(), study.best_value().unwrap());
    assert_eq!(other.user_attrs().unwrap()["owner"], "rust");
    let by_url = hpo_storage::open(url).unwrap();
    let id = by_url.get_study_id_from_name(&name.name).unwrap();
    assert_eq!(by_url.get_n_trials(id, None).unwrap(), 14);
}

/// Four connections x 50 trials: numbers 0..199 once each, the 8 enqueued trials popped once,
/// in order.
pub fn concurrent_connections_get_unique_numbers_and_pop_each_waiting_trial_once(open: Open) {
    let name = Name::new("concurrent", open);
    interop::assert_workers_share_one_study(&open, &name.name, 50, 8);
}

/// A late attribute, an incompatible distribution and a duplicate study name are clear errors,
/// and what was stored stays.
pub fn bad_values_are_clear_errors_and_lose_nothing(open: Open) {
    let name = Name::new("bad", open);
    let storage = open();
    let study =
        interop::assert_late_and_incompatible_writes_are_errors(storage.clone(), &name.name);
    let err = Study::builder()
        .name(&name.name)
        .storage_arc(storage.clone())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains(&name.name), "{err}");
    assert_eq!(study.trials().unwrap()[0].values, Some(vec![1.0]));
}

/// The heartbeat check every storage passes.
pub fn stale_trials_fail_and_are_retried(open: Open) {
    let name = Name::new("heartbeat", open);
    interop::assert_stale_trials_fail_and_are_retried(&heartbeat_study(open(), &name.name));
}

/// Optuna (through `url`, an SQLAlchemy URL) reads exactly what hpo wrote.
pub fn optuna_reads_what_hpo_writes(open: Open, url: &str) {
    let name = Name::new("to-optuna", open);
    let study = seeded_study(open(), &name.name, 3);
    populate(&study);
    assert_optuna_reads(&study, &dump_with_optuna(url, &name.name));
}

/// hpo reads what Optuna wrote, and an Optuna worker and this process share the study.
pub fn hpo_reads_what_optuna_writes_and_both_optimize_one_study(open: Open, url: &str) {
    let _name = Name::exact("from-optuna", open);
    assert_reads_optuna_and_shares_the_study(url, || load(open(), "from-optuna"));
}

/// Three rounds of [`chaos::round`] on the server at `url`: two workers whose connections go
/// through a proxy that cuts them all 8 times and refuses them for 1.5 s once; every trial
/// finishes, numbers unique, none left Running.
pub fn workers_survive_dropped_connections(
    open_url: fn(&str) -> Arc<dyn Storage>,
    url: &str,
    default_port: u16,
) {
    for round in 0..3 {
        let proxy = proxy::Proxy::start(&proxy::address_of(url, default_port));
        let through = proxy.url_for(url);
        let name = format!("hpo-test-chaos{round}-{}", std::process::id());
        let direct = || open_url(url);
        if let Ok(id) = direct().get_study_id_from_name(&name) {
            direct().delete_study(id).unwrap();
        }
        chaos::round(round, &proxy, &|| open_url(&through), &direct, &name);
    }
}

/// Writes whose `COMMIT` reached the server but whose answer was lost (the proxy cuts the
/// connection right after forwarding it): the storage reconnects, finds its write applied, and
/// does not apply it again: one trial created (number 0, not a second trial), a state set once
/// (no "already finished" error), a study created once.
pub fn a_commit_whose_answer_was_lost_is_not_applied_twice(
    open_url: fn(&str) -> Arc<dyn Storage>,
    url: &str,
    default_port: u16,
) {
    let proxy = proxy::Proxy::start(&proxy::address_of(url, default_port));
    let storage = open_url(&proxy.url_for(url));
    let name = format!("hpo-test-lost-commit-{}", std::process::id());
    let direct = open_url(url);
    if let Ok(id) = direct.get_study_id_from_name(&name) {
        direct.delete_study(id).unwrap();
    }
    proxy.cut_reply_to(b"COMMIT");
    let study = storage
        .create_new_study(&[hpo_core::StudyDirection::Minimize], &name)
        .unwrap();
    assert_eq!(proxy.replies_cut(), 1);
    proxy.cut_reply_to(b"COMMIT");
    let trial = storage.create_new_trial(study, None).unwrap();
    assert_eq!(proxy.replies_cut(), 2);
    assert_eq!(trial.number, 0);
    proxy.cut_reply_to(b"COMMIT");
    assert!(
        storage
            .set_trial_state_values(trial.trial_id, TrialState::Complete, Some(&[1.5]))
            .unwrap()
    );
    assert_eq!(proxy.replies_cut(), 3);
    let trials = direct.get_all_trials(study, None).unwrap();
    assert_eq!(trials.len(), 1, "{trials:?}");
    assert_eq!(trials[0].state, TrialState::Complete);
    assert_eq!(trials[0].values, Some(vec![1.5]));
    assert_eq!(storage.create_new_trial(study, None).unwrap().number, 1);
    direct.delete_study(study).unwrap();
}

/// The URL in the environment variable `var`, or `default`.
pub fn url_from_env(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.into())
}

/// A connection to the test server at `url` by `open`; fails loudly (never skips) without one,
/// saying that the tests need `server` there and that `var` names another.
pub fn connect<S: Storage + 'static>(
    open: impl Fn(&str) -> hpo_core::Result<S>,
    url: &str,
    server: &str,
    var: &str,
) -> Arc<dyn Storage> {
    Arc::new(open(url).unwrap_or_else(|e| {
        panic!("these tests need {server} at {url} (set {var} to use another): {e}")
    }))
}

/// Checks that `open` refuses a database that does not exist on the server at `server`,
/// naming it.
pub fn assert_missing_database_named<S: std::fmt::Debug>(
    open: impl Fn(&str) -> hpo_core::Result<S>,
    server: &str,
) {
    let (base, _) = server.rsplit_once('/').unwrap();
    let err = open(&format!("{base}/hpo_no_such_database"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("hpo_no_such_database"), "{err}");
}

/// The name `hpo_{purpose}_{pid}` of a database of a test's own on the server at `admin`, and
/// its URL.
pub fn own_database_name(admin: &str, purpose: &str) -> (String, String) {
    let (base, _) = admin.rsplit_once('/').unwrap();
    let db = format!("hpo_{purpose}_{}", std::process::id());
    let url = format!("{base}/{db}");
    (db, url)
}

/// `err` is an error in words: it contains `expected` and is not a `Debug` struct (none of
/// `debug_markers`, the driver's own type and field names, is in it, nor a `{`).
pub fn assert_in_words(err: &str, expected: &str, debug_markers: &[&str]) {
    assert!(err.contains(expected), "{err}");
    assert!(
        !err.contains('{') && !debug_markers.iter().any(|m| err.contains(m)),
        "not a Debug struct: {err}"
    );
}

/// The error `open` gives for `url`, whose server does not listen (port 1) and whose password
/// is `hunter2`: it names the server as `named` says, masks the password and is in words.
pub fn assert_unreachable_server_named<S: std::fmt::Debug>(
    open: impl Fn(&str) -> hpo_core::Result<S>,
    url: &str,
    named: &str,
    debug_markers: &[&str],
) {
    let err = open(url).unwrap_err().to_string();
    assert!(!err.contains("hunter2"), "{err}");
    assert_in_words(&err, named, debug_markers);
}

/// Creates a study `lost` in `storage`, has `kill` end the storage's connection, and checks
/// that the next read is retried on a new one; then, with retrying off, kills it again and
/// returns the study and the error of the next read (the storage dropped).
pub fn lost_connection_error<B: RdbBackend>(
    storage: RdbStorage<B>,
    mut kill: impl FnMut(),
) -> (hpo_core::storage::StudyId, String) {
    let study = storage
        .create_new_study(&[hpo_core::StudyDirection::Minimize], "lost")
        .unwrap();
    kill();
    assert_eq!(storage.get_study_name_from_id(study).unwrap(), "lost");
    let storage = storage.with_retry(RetryPolicy::never());
    kill();
    let err = storage
        .get_study_name_from_id(study)
        .unwrap_err()
        .to_string();
    (study, err)
}

/// The tests the PostgreSQL and MySQL files run alike, written once: `$storage` opens a
/// connection to the test server, `$url` gives its URL, `$open_url` opens a storage at any URL,
/// `$proxied` is the URL the proxy tests put a proxy in front of, `$port` the server's default
/// port, `$ignore` why the interop tests need asking for, and `$to_optuna`, `$from_optuna` name
/// them.
macro_rules! shared_server_tests {
    (
        storage: $storage:ident,
        url: $url:ident,
        open_url: $open_url:expr,
        proxied: $proxied:expr,
        port: $port:literal,
        ignore: $ignore:literal,
        to_optuna: $to_optuna:ident,
        from_optuna: $from_optuna:ident $(,)?
    ) => {
        #[test]
        fn another_connection_reads_the_same_study() {
            server::another_connection_reads_the_same_study($storage, &$url());
        }

        #[test]
        fn concurrent_connections_get_unique_numbers_and_pop_each_waiting_trial_once() {
            server::concurrent_connections_get_unique_numbers_and_pop_each_waiting_trial_once(
                $storage,
            );
        }

        #[test]
        fn stale_trials_fail_and_are_retried() {
            server::stale_trials_fail_and_are_retried($storage);
        }

        #[test]
        #[ignore = $ignore]
        fn $to_optuna() {
            server::optuna_reads_what_hpo_writes($storage, &$url());
        }

        #[test]
        #[ignore = $ignore]
        fn $from_optuna() {
            server::hpo_reads_what_optuna_writes_and_both_optimize_one_study($storage, &$url());
        }

        /// Two workers through a TCP proxy that cuts every connection 8 times at random moments
        /// and refuses connections for 1.5 s once (a restarting server), three rounds of 2 × 150
        /// trials: every trial finishes, numbers unique, none left Running (`server::chaos`).
        #[test]
        fn workers_survive_dropped_connections_and_a_restarting_server() {
            server::workers_survive_dropped_connections($open_url, &$proxied, $port);
        }

        /// A `COMMIT` that reached the server but whose answer was lost is not applied twice
        /// (`server::a_commit_whose_answer_was_lost_is_not_applied_twice`).
        #[test]
        fn a_commit_whose_answer_was_lost_is_not_applied_twice() {
            server::a_commit_whose_answer_was_lost_is_not_applied_twice(
                $open_url, &$proxied, $port,
            );
        }
    };
}
pub(crate) use shared_server_tests;
