//! Shared by the storage tests of hpo-core (journal file) and hpo-storage (SQLite, Redis,
//! PostgreSQL, MySQL): a study with every kind of parameter and outcome, the checks that Python's
//! Optuna 5.0 reads it exactly (through the scripts next to this file), and the heartbeat check
//! every storage passes, and the study-level scenarios (concurrent workers, bad values) several
//! storages' tests run alike. Included with `#[path]`.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;

use hpo_core::{
    Distribution, FrozenTrial, OptimizeOptions, ParamValue, RandomSampler, Storage, Study,
    TrialError, TrialState,
};
use serde_json::Value;

/// Runs `n` trials of `study` on one float `x` in [0, 1].
pub fn optimize_x(study: &Study, n: usize) {
    study
        .optimize(n, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
        .unwrap();
}

/// A new study `name` on `storage` with the default sampler.
pub fn new_study(storage: Arc<dyn Storage>, name: &str) -> Study {
    Study::builder()
        .name(name)
        .storage_arc(storage)
        .build()
        .unwrap()
}

/// A new study `name` on `storage`, sampled by `RandomSampler::with_seed(seed)`.
pub fn seeded_study(storage: Arc<dyn Storage>, name: &str, seed: u64) -> Study {
    Study::builder()
        .name(name)
        .storage_arc(storage)
        .sampler(RandomSampler::with_seed(seed))
        .build()
        .unwrap()
}

/// The existing study `name` on `storage`.
pub fn load(storage: Arc<dyn Storage>, name: &str) -> Study {
    Study::builder()
        .name(name)
        .storage_arc(storage)
        .load()
        .unwrap()
}

/// A new study `name` on `storage` with heartbeats every 50 ms and retries of failed trials on
/// (for [`assert_stale_trials_fail_and_are_retried`]).
pub fn heartbeat_study(storage: Arc<dyn Storage>, name: &str) -> Study {
    Study::builder()
        .name(name)
        .storage_arc(storage)
        .sampler(RandomSampler::with_seed(0))
        .heartbeat(
            hpo_core::study::HeartbeatConfig::new(std::time::Duration::from_millis(50)).retry(None),
        )
        .build()
        .unwrap()
}

/// Writes the [`populate`] study `name` through one storage from `open` and reads it back
/// through another: the same 14 trials (number, state, parameters, values, attributes), trial
/// 7's value infinite. Returns the study as written and as read back.
pub fn assert_replays(open: &dyn Fn() -> Arc<dyn Storage>, name: &str) -> (Study, Study) {
    let study = seeded_study(open(), name, 1);
    populate(&study);
    let other = load(open(), name);
    let (a, b) = (study.trials().unwrap(), other.trials().unwrap());
    assert_eq!(a.len(), 14);
    assert_eq!(b.len(), 14);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x.number, x.state), (y.number, y.state));
        assert_eq!(x.params_map(), y.params_map());
        assert_eq!(x.values, y.values);
        assert_eq!(x.user_attrs, y.user_attrs);
        assert_eq!(x.system_attrs, y.system_attrs);
    }
    assert_eq!(b[7].values, Some(vec![f64::INFINITY]));
    (study, other)
}

/// Four workers, each with its own storage from `open` (as separate processes would have), run
/// `per_worker` trials of study `name` at once after `enqueued` trials (x = 0.0, 0.1, ...) were
/// queued: every number 0..4 * per_worker once, every trial complete, the queued trials first and
/// in order. Returns the trials as a fresh storage reads them.
pub fn assert_workers_share_one_study(
    open: &(dyn Fn() -> Arc<dyn Storage> + Sync),
    name: &str,
    per_worker: usize,
    enqueued: usize,
) -> Vec<Arc<FrozenTrial>> {
    let first = new_study(open(), name);
    for i in 0..enqueued {
        first.enqueue_trial([("x", i as f64 / 10.0)]).unwrap();
    }
    std::thread::scope(|scope| {
        for w in 0..4 {
            scope.spawn(move || {
                let study = Study::builder()
                    .name(name)
                    .storage_arc(open())
                    .sampler(RandomSampler::with_seed(w))
                    .load()
                    .unwrap();
                optimize_x(&study, per_worker);
            });
        }
    });
    let trials = load(open(), name).trials().unwrap();
    let n = 4 * per_worker as u64;
    assert_eq!(trials.len() as u64, n, "4 workers x {per_worker} trials");
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..n).collect());
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    for (i, t) in trials.iter().take(enqueued).enumerate() {
        assert_eq!(
            t.param("x"),
            Some(&ParamValue::Float(i as f64 / 10.0)),
            "enqueued trial {i} ran once, in order"
        );
    }
    trials
}

/// On a new study `name`: a user attribute set on a finished trial is `TrialFinished` and a
/// parameter suggested again with another distribution is `IncompatibleDistribution`; the first
/// trial keeps its value. Returns the study (a second trial is running).
pub fn assert_late_and_incompatible_writes_are_errors(
    storage: Arc<dyn Storage>,
    name: &str,
) -> Study {
    let study = new_study(storage.clone(), name);
    let mut t = study.ask().unwrap();
    t.suggest_float("x", 0.0, 1.0).unwrap();
    let id = t.id();
    study.tell(t, 1.0).unwrap();
    assert!(matches!(
        storage.set_trial_user_attr(id, "late", 1.into()),
        Err(hpo_core::Error::TrialFinished { .. })
    ));
    let mut t = study.ask().unwrap();
    let err = t.suggest_int("x", 0, 3).unwrap_err();
    assert!(
        matches!(err, hpo_core::Error::IncompatibleDistribution { .. }),
        "{err}"
    );
    assert_eq!(study.trials().unwrap()[0].values, Some(vec![1.0]));
    study
}

/// A study with every kind of parameter and outcome: 12 trials (float, log, step, int, int log,
/// categorical; trial 3 pruned, 5 failed, 7 infinite; a NaN intermediate value), one enqueued
/// (Waiting) and one added: 14 in all.
pub fn populate(study: &Study) {
    study.set_user_attr("owner", "rust").unwrap();
    study
        .optimize_with(OptimizeOptions::new().n_trials(12).catch(true), |t| {
            let x = t.suggest_float("x", -10.0, 10.0)?;
            let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
            let d = t.suggest_float_step("d", 0.0, 1.0, 0.25)?;
            let n = t.suggest_int("n", 1, 8)?;
            let h = t.suggest_int_log("h", 16, 256)?;
            let c = t.suggest_categorical("c", &["adam", "sgd"])?;
            t.set_user_attr("note", serde_json::json!({"k": [1, 2]}))?;
            t.report(x * x, 0)?;
            t.report(f64::NAN, 1)?;
            match t.number() {
                3 => Err(TrialError::Pruned),
                5 => Err(TrialError::msg("boom")),
                7 => Ok(f64::INFINITY),
                _ => Ok(x * x + lr + d + n as f64 + h as f64 + if c == "sgd" { 1.0 } else { 0.0 }),
            }
        })
        .unwrap();
    study.enqueue_trial([("x", 1.0)]).unwrap();
    let d = Distribution::float(0.0, 1.0).unwrap();
    study
        .add_trial(
            &FrozenTrial::new(TrialState::Complete)
                .with_value(0.5)
                .with_param("y", 0.25, d)
                .unwrap(),
        )
        .unwrap();
}

/// The Python named by HPO_PYTHON (with optuna 5.0, and redis / optuna-dashboard where needed).
pub fn python() -> String {
    std::env::var("HPO_PYTHON").expect("HPO_PYTHON must name a Python with optuna==5.0.0")
}

/// One of the Python scripts next to this file.
pub fn script(name: &str) -> String {
    format!(
        "{}/../hpo-core/tests/interop/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs a script with arguments; panics with its stderr when it fails. Returns its stdout.
pub fn run_script(name: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(python())
        .arg(script(name))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Study `name` as `optuna.load_study` reads it from `storage` (a journal file, a `.db` file or
/// `redis://HOST?prefix=P`).
pub fn dump_with_optuna(storage: &str, name: &str) -> Value {
    serde_json::from_slice(&run_script("dump_journal.py", &[storage, name])).unwrap()
}

/// Checks that Optuna read `study` (made by [`populate`]) exactly: numbers, states, params with
/// their types, values (inf), intermediate values (NaN), user attrs of trials and study.
pub fn assert_optuna_reads(study: &Study, dumped: &Value) {
    let trials = dumped["trials"].as_array().unwrap();
    let ours = study.trials().unwrap();
    assert_eq!(trials.len(), ours.len());
    for (o, p) in ours.iter().zip(trials) {
        assert_eq!(p["number"], o.number);
        assert_eq!(p["state"], o.state.name());
        for (k, v) in o.params_map() {
            let got = &p["params"][&k];
            match v {
                ParamValue::Float(x) => assert_eq!(got.as_f64().unwrap(), x, "{k}"),
                ParamValue::Int(i) => assert_eq!(got.as_i64().unwrap(), i, "{k}"),
                ParamValue::Str(s) => assert_eq!(got.as_str().unwrap(), s, "{k}"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            p["user_attrs"],
            Value::Object(o.user_attrs.clone().into_iter().collect())
        );
    }
    assert_eq!(trials[3]["state"], "PRUNED");
    assert_eq!(trials[5]["state"], "FAIL");
    assert_eq!(trials[7]["values"][0], "inf");
    assert_eq!(trials[0]["intermediate_values"]["1"], "nan");
    assert_eq!(trials[12]["state"], "WAITING");
    assert_eq!(dumped["user_attrs"]["owner"], "rust");
}

/// Writes study "from-optuna" with Optuna into `storage` (`write_journal.py`) and checks that
/// `study()` (opening it with hpo) reads what Optuna wrote; then one Optuna worker and this
/// process optimize it at the same time, 60 trials each, and no trial is lost or doubled.
pub fn assert_reads_optuna_and_shares_the_study(storage: &str, study: impl Fn() -> Study) {
    run_script("write_journal.py", &[storage]);
    let study = study();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 6);
    assert_eq!(
        trials[0].param("c"),
        Some(&ParamValue::from("a")),
        "the enqueued trial ran first"
    );
    assert_eq!(trials[0].param("x"), Some(&ParamValue::Float(0.5)));
    assert_eq!(trials[1].state, TrialState::Pruned);
    assert_eq!(trials[2].state, TrialState::Fail);
    assert_eq!(trials[3].values, Some(vec![f64::INFINITY]));
    assert_eq!(trials[4].state, TrialState::Complete);
    assert_eq!(trials[5].values, Some(vec![1.0]), "the added trial");
    assert_eq!(study.user_attrs().unwrap()["owner"], "python");
    let mut child = Command::new(python())
        .args([&script("worker_journal.py"), storage, "60"])
        .spawn()
        .unwrap();
    study
        .optimize(60, |t| {
            std::thread::sleep(std::time::Duration::from_millis(1));
            Ok(t.suggest_float("x", -1.0, 1.0)?.powi(2))
        })
        .unwrap();
    assert!(child.wait().unwrap().success());
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 6 + 120);
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..126).collect());
    assert!(trials[6..].iter().all(|t| t.state == TrialState::Complete));
}

/// Makes a trial whose worker beat once, an hour ago, and vanished; returns its number.
pub fn dead_worker_trial(study: &Study) -> u64 {
    // A trial whose worker beat once, long ago, and then vanished.
    let mut t = study.ask().unwrap();
    t.suggest_float("x", 0.0, 1.0).unwrap();
    t.set_user_attr("who", "dead").unwrap();
    let old = chrono::Utc::now().timestamp() as f64 - 3600.0;
    study
        .storage()
        .set_trial_system_attr(t.id(), hpo_core::storage::HEARTBEAT_KEY, old.into())
        .unwrap();
    t.number()
}

/// `t` was failed because its heartbeat went stale.
pub fn assert_failed_by_heartbeat(t: &FrozenTrial) {
    assert_eq!(t.state, TrialState::Fail);
    let reason = t.system_attrs["fail_reason"].as_str().unwrap();
    assert!(reason.contains("heartbeat"), "{reason}");
}

/// On a study with heartbeats and retries on: a stale trial becomes Fail with a reason, its
/// retry runs first with the same parameters and records its origin, a trial without heartbeats
/// is left alone, and completed trials carry heartbeats.
pub fn assert_stale_trials_fail_and_are_retried(study: &Study) {
    let dead = dead_worker_trial(study);
    // A running trial without heartbeats (no heartbeat-enabled worker) is left alone.
    let other = study.ask().unwrap();
    optimize_x(study, 3);
    let trials = study.trials().unwrap();
    assert_failed_by_heartbeat(&trials[dead as usize]);
    assert_eq!(trials[other.number() as usize].state, TrialState::Running);
    // The retry ran first, with the same parameters, and records its origin.
    let retry = trials
        .iter()
        .find(|t| t.system_attrs.contains_key("failed_trial"))
        .expect("a retry");
    assert_eq!(retry.state, TrialState::Complete);
    assert_eq!(retry.system_attrs["failed_trial"], dead);
    assert_eq!(
        retry.system_attrs["retry_history"],
        serde_json::json!([dead])
    );
    assert_eq!(retry.param("x"), trials[dead as usize].param("x"));
    assert_eq!(retry.user_attrs["who"], "dead");
    // Completed trials carry heartbeats.
    assert!(
        trials
            .iter()
            .filter(|t| t.state == TrialState::Complete)
            .all(|t| t
                .system_attrs
                .contains_key(hpo_core::storage::HEARTBEAT_KEY))
    );
}
