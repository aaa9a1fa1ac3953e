//! What a newcomer meets in the first hour: Optuna's defaults on every path that opens a study,
//! failures that speak with no logging setup, and output that survives pipes.
//!
//! The stderr checks run this test binary again as a child process (the `child` test below, which
//! does nothing unless `HPO_FIRST_HOUR_CHILD` names a scenario), so the child's stderr is a real
//! pipe that the parent reads, or closes.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

use hpo::prelude::*;
use hpo::storage::JournalFileStorage;
use hpo::{InMemoryStorage, Pruner, Storage};

fn assert_optuna_defaults(study: &Study, path: &str) {
    let sampler = format!("{:?}", study.sampler());
    let pruner = format!("{:?}", study.pruner());
    assert!(sampler.starts_with("TpeSampler"), "{path}: {sampler}");
    assert!(pruner.starts_with("MedianPruner"), "{path}: {pruner}");
}

#[test]
fn create_study_defaults_to_tpe_and_median() {
    let study = hpo::create_study().build().unwrap();
    assert_optuna_defaults(&study, "hpo::create_study().build()");
    let two = hpo::create_study()
        .directions([StudyDirection::Minimize, StudyDirection::Maximize])
        .build()
        .unwrap();
    // Optuna 5.0 uses TPE whatever the number of objectives.
    assert_optuna_defaults(&two, "two objectives");
}

#[test]
fn load_study_defaults_to_tpe_and_median() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    hpo::create_study()
        .name("s")
        .storage_arc(storage.clone())
        .sampler(RandomSampler::with_seed(0))
        .build()
        .unwrap();
    let loaded = hpo::load_study("s", storage.clone()).unwrap();
    assert_optuna_defaults(&loaded, "hpo::load_study");
    let loaded = hpo::create_study()
        .name("s")
        .storage_arc(storage)
        .load()
        .unwrap();
    assert_optuna_defaults(&loaded, "hpo::create_study().load()");
}

#[test]
fn load_or_create_defaults_to_tpe_and_median_both_ways() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    for round in ["creates", "loads"] {
        let study = hpo::create_study()
            .name("shared")
            .storage_arc(storage.clone())
            .load_if_exists(true)
            .build()
            .unwrap();
        assert_optuna_defaults(&study, &format!("load_if_exists(true) {round}"));
    }
}

#[test]
fn the_builder_defaults_to_tpe_and_median() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    let built = Study::builder()
        .name("b")
        .storage_arc(storage.clone())
        .build()
        .unwrap();
    assert_optuna_defaults(&built, "Study::builder().build()");
    let loaded = Study::builder()
        .name("b")
        .storage_arc(storage)
        .load()
        .unwrap();
    assert_optuna_defaults(&loaded, "Study::builder().load()");
    // Choosing is still possible, and sticks.
    let chosen = Study::builder()
        .sampler(RandomSampler::with_seed(1))
        .pruner(NopPruner)
        .build()
        .unwrap();
    assert!(format!("{:?}", chosen.sampler()).starts_with("RandomSampler"));
    assert!(format!("{:?}", chosen.pruner()).starts_with("NopPruner"));
}

/// Heartbeats, the one default that is not Optuna's, are the same on every path too: on for
/// every persistent storage (a journal file, SQLite), off in memory, off when asked.
#[test]
fn heartbeats_default_on_for_persistent_storages_on_every_path() {
    let dir = scratch("heartbeats");
    let urls = [
        format!("journal:{}", dir.join("j.log").display()),
        format!("sqlite:///{}", dir.join("s.db").display()),
    ];
    let default = Some(hpo::HeartbeatConfig::default());
    for url in &urls {
        let storage = hpo::open_storage(url).unwrap();
        let created = hpo::create_study()
            .name("s")
            .storage_arc(storage.clone())
            .build()
            .unwrap();
        assert_eq!(created.heartbeat().cloned(), default, "{url}: create");
        let reused = hpo::create_study()
            .name("s")
            .storage_arc(storage.clone())
            .load_if_exists(true)
            .build()
            .unwrap();
        assert_eq!(
            reused.heartbeat().cloned(),
            default,
            "{url}: load_if_exists"
        );
        let loaded = hpo::load_study("s", storage.clone()).unwrap();
        assert_eq!(loaded.heartbeat().cloned(), default, "{url}: load_study");
        let off = hpo::create_study()
            .name("s")
            .storage_arc(storage)
            .without_heartbeat()
            .load()
            .unwrap();
        assert_eq!(off.heartbeat(), None, "{url}: without_heartbeat");
    }
    let memory = hpo::open_storage("memory").unwrap();
    let study = hpo::create_study()
        .name("m")
        .storage_arc(memory.clone())
        .build()
        .unwrap();
    assert_eq!(study.heartbeat(), None);
    assert_eq!(hpo::load_study("m", memory).unwrap().heartbeat(), None);
    assert_eq!(hpo::create_study().build().unwrap().heartbeat(), None);
    let _ = std::fs::remove_dir_all(dir);
}

/// A unique scratch path for one test.
fn scratch(name: &str) -> PathBuf {
    support::unique_dir(&format!("first-hour-{name}"))
}

#[path = "../../hpo-core/tests/support/scratch.rs"]
mod support;

/// This test binary again, running only the `child` test for `scenario`, with `dir` to work in.
fn spawn_child(scenario: &str, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--test-threads=1", "--quiet"])
        .env("HPO_FIRST_HOUR_CHILD", scenario)
        .env("HPO_FIRST_HOUR_DIR", dir)
        .env_remove("HPO_VERBOSITY")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// The child side: a program with no logging setup, as a newcomer writes it.
#[test]
fn child() {
    let (Ok(scenario), Ok(dir)) = (
        std::env::var("HPO_FIRST_HOUR_CHILD"),
        std::env::var("HPO_FIRST_HOUR_DIR"),
    ) else {
        return;
    };
    let dir = PathBuf::from(dir);
    match scenario.as_str() {
        "swapped-bounds" => {
            let study = hpo::create_study().build().unwrap();
            let result = study.optimize(60, |trial| {
                let lr = trial.suggest_float_log("lr", 1e-1, 1e-5)?;
                Ok(lr)
            });
            let message = match result {
                Ok(()) => "optimize returned Ok".to_owned(),
                Err(e) => format!("{e}"),
            };
            let n = study.trials().unwrap().len();
            std::fs::write(dir.join("result.txt"), format!("{n}\n{message}")).unwrap();
        }
        "many-trials" => {
            let storage = JournalFileStorage::open(dir.join("journal.log")).unwrap();
            let study = hpo::create_study()
                .name("piped")
                .storage(storage)
                .build()
                .unwrap();
            study
                .optimize(200, |trial| {
                    let x = trial.suggest_float("x", -10.0, 10.0)?;
                    Ok((x - 2.0).powi(2))
                })
                .unwrap();
        }
        other => panic!("unknown scenario {other}"),
    }
}

#[test]
fn swapped_bounds_are_reported_on_stderr_without_setup_and_stop_optimize() {
    let dir = scratch("swapped");
    let out = spawn_child("swapped-bounds", &dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    // The first trial's reason, naming the parameter and both bounds, with no setup at all.
    let failure = stderr
        .lines()
        .find(|l| l.contains("Trial 0 failed"))
        .unwrap_or_else(|| panic!("no failure line on stderr: {stderr}"));
    assert!(failure.starts_with("[W "), "{failure}");
    for needle in ["`lr`", "low=0.1", "high=1e-05"] {
        assert!(failure.contains(needle), "{needle} missing from {failure}");
    }
    // optimize stopped at that trial and returned its error.
    let result = std::fs::read_to_string(dir.join("result.txt")).unwrap();
    let (n, message) = result.split_once('\n').unwrap();
    assert_eq!(n, "1", "optimize went on after the failure: {result}");
    assert!(message.starts_with("trial 0 failed: "), "{message}");
    for needle in ["`lr`", "low=0.1", "high=1e-05"] {
        assert!(message.contains(needle), "{needle} missing from {message}");
    }
    // Piped stderr is plain text.
    assert!(
        !stderr.contains('\x1b'),
        "escape sequences on a pipe: {stderr:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_closed_stderr_does_not_stop_the_study() {
    let dir = scratch("head");
    let mut running = spawn_child("many-trials", &dir).spawn().unwrap();
    // `prog 2>&1 | head -1`: read one line, then close the pipe.
    let stderr = running.stderr.take().unwrap();
    let mut first = String::new();
    BufReader::new(stderr).read_line(&mut first).unwrap();
    assert!(first.starts_with("[I "), "{first:?}");
    assert!(!first.contains('\x1b'), "{first:?}");
    let status = running.wait().unwrap();
    assert!(status.success(), "the child stopped with {status}");
    let storage = JournalFileStorage::open(dir.join("journal.log")).unwrap();
    let study = hpo::load_study("piped", Arc::new(storage)).unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 200);
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_fully_read_pipe_has_no_escape_sequences() {
    let dir = scratch("plain");
    let mut running = spawn_child("many-trials", &dir).spawn().unwrap();
    let mut text = String::new();
    running
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(running.wait().unwrap().success(), "{text}");
    assert!(text.lines().count() >= 201, "{text}");
    assert!(!text.contains('\x1b'), "{text:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pruner_settings_chain_freely_and_are_checked_when_the_study_is_built() {
    use hpo::pruners::{HyperbandPruner, SuccessiveHalvingPruner, WilcoxonPruner};
    // The chain itself never stops: no `?` in the middle of a builder.
    let good = MedianPruner::new()
        .n_startup_trials(5)
        .interval_steps(2)
        .n_min_trials(1);
    hpo::create_study().pruner(good).build().unwrap();
    type MakeBuilder = Box<dyn Fn() -> hpo::StudyBuilder>;
    let cases: Vec<(MakeBuilder, &str)> = vec![
        (
            Box::new(|| hpo::create_study().pruner(MedianPruner::new().interval_steps(0))),
            "MedianPruner: `interval_steps` must be at least 1, got 0",
        ),
        (
            Box::new(|| hpo::create_study().pruner(HyperbandPruner::new().reduction_factor(1))),
            "HyperbandPruner: `reduction_factor` must be >= 2, got 1",
        ),
        (
            Box::new(|| hpo::create_study().pruner(WilcoxonPruner::new().p_threshold(1.5))),
            "WilcoxonPruner: `p_threshold` must be between 0 and 1, got 1.5",
        ),
        (
            // The order of the setters no longer matters.
            Box::new(|| {
                hpo::create_study().pruner(SuccessiveHalvingPruner::new().bootstrap_count(2))
            }),
            "SuccessiveHalvingPruner: `bootstrap_count` needs an explicit `min_resource`",
        ),
    ];
    for (builder, want) in cases {
        let err = builder().build().unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
        let err = builder().load().unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    SuccessiveHalvingPruner::new()
        .bootstrap_count(2)
        .min_resource(1)
        .validate()
        .unwrap();
}

#[test]
fn report_takes_any_integer_step_and_callbacks_infer_their_types() {
    let study = hpo::create_study().pruner(NopPruner).build().unwrap();
    let mut seen = Vec::new();
    study
        .optimize_with(
            OptimizeOptions::new()
                .n_trials(3)
                .callback(|study, trial| assert!(trial.number < study.n_trials().unwrap() as u64)),
            |trial| {
                for epoch in 0..3usize {
                    trial.report(epoch as f64, epoch)?;
                }
                trial.report(9.0, 7i32)?;
                // An FnMut objective may push to local state.
                seen.push(trial.number());
                Ok(1.0)
            },
        )
        .unwrap();
    assert_eq!(seen, [0, 1, 2]);
    let trial = &study.trials().unwrap()[0];
    assert_eq!(
        trial
            .intermediate_values
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [0, 1, 2, 7]
    );
    let mut trial = study.ask().unwrap();
    let err = trial.report(1.0, -1i64).unwrap_err().to_string();
    assert!(err.contains("`step` must be >= 0, but got -1"), "{err}");
}

#[test]
fn nothing_completed_after_failures_says_how_many_failed_and_why_the_first_did() {
    let study = hpo::create_study().name("doomed").build().unwrap();
    study
        .optimize_with(OptimizeOptions::new().n_trials(5).catch(true), |trial| {
            let lr = trial.suggest_float_log("lr", 1e-1, 1e-5)?;
            Ok(lr)
        })
        .unwrap();
    let err = study.best_value().unwrap_err().to_string();
    assert!(
        err.starts_with(
            "no trial of study `doomed` has completed yet; 5 trials failed, the first (trial 0) \
             because: parameter `lr`: `low` must be <= `high`"
        ),
        "{err}"
    );
}

#[test]
fn the_builder_takes_a_storage_value_or_the_shared_one_a_url_opens() {
    let shared = hpo::open_storage("memory").unwrap();
    hpo::create_study()
        .name("from-url")
        .storage(shared.clone())
        .build()
        .unwrap();
    let again = hpo::create_study().name("from-url").storage(shared).load();
    assert_eq!(again.unwrap().name(), "from-url");
    let owned = hpo::create_study()
        .storage(InMemoryStorage::new())
        .build()
        .unwrap();
    assert_eq!(owned.n_trials().unwrap(), 0);
}
