//! Worker processes sharing one study through a journal file (CPU): the pool runs copies of
//! this test binary, each running only the `worker_entry` test, which acts as a worker when the
//! pool's environment variable is set and does nothing otherwise.
//!
//! The workers wait for each other at a barrier (files in the test's directory) before their
//! first trial, and each trial takes at least `TRIAL_MS`, so every worker gets trials however
//! slowly the processes start on a busy machine. Nothing here reads the workers' log output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hpo::prelude::*;
use hpo_torch::data::{make_classification, standardize, train_test_split};
use hpo_torch::workers::{ProcessPool, WORKER_ATTR, Worker, WorkersError};
use hpo_torch::{MlpRanges, OptimizerRanges};
use tch::nn::{ModuleT, VarStore};
use tch::{Device, Tensor};

/// The test's directory (barrier files), passed to the workers.
const DIR_ENV: &str = "HPO_TORCH_TEST_DIR";
/// `exit:I` (worker I exits with status 3) or `abort:I` (worker I aborts: SIGABRT) at the start
/// of its second trial, after its first trial is stored.
const FAIL_ENV: &str = "HPO_TORCH_TEST_FAIL";
const TRIAL_MS: u64 = 60;
const STUDY: &str = "shared";

/// A tiny MLP trained for three epochs on the CPU, at least `TRIAL_MS` long.
fn tiny_trial(trial: &mut Trial) -> Result<f64, TrialError> {
    let started = Instant::now();
    tch::set_num_threads(1);
    let data = make_classification(200, 8, 5, 2, 7);
    let (mut tr, mut te) = train_test_split(&data, 0.25, 7);
    standardize(&mut tr, &mut te);
    let mlp = MlpRanges {
        layers: (1, 2),
        width: (8, 16),
        ..Default::default()
    }
    .sample(trial)?;
    let cfg = OptimizerRanges::seed_chapter().sample(trial)?;
    let vs = VarStore::new(Device::Cpu);
    let net = mlp.build(&vs.root(), 8, 2);
    let mut opt = cfg.build(&vs)?;
    let x = Tensor::from_slice(&tr.x).view([tr.len() as i64, 8]);
    let y = Tensor::from_slice(&tr.y);
    let mut loss = f64::NAN;
    for epoch in 0..3 {
        opt.backward_step(&net.forward_t(&x, true).cross_entropy_for_logits(&y));
        loss = f64::try_from(net.forward_t(&x, false).cross_entropy_for_logits(&y))?;
        trial.report_and_check(loss, epoch)?;
    }
    std::thread::sleep(Duration::from_millis(TRIAL_MS).saturating_sub(started.elapsed()));
    Ok(loss)
}

/// Waits until all `processes` workers have reached this point (a minute at most).
fn barrier(dir: &Path, index: usize, processes: usize) {
    std::fs::write(dir.join(format!("ready-{index}")), b"").expect("barrier file");
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..processes).any(|i| !dir.join(format!("ready-{i}")).exists()) {
        assert!(Instant::now() < deadline, "the other workers never started");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The worker: a no-op unless this process was started by a `ProcessPool`.
#[test]
fn worker_entry() {
    let Some(worker) = Worker::from_env().expect("a worker's environment") else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("the test's directory"));
    let fail = std::env::var(FAIL_ENV).ok().and_then(|f| {
        let (how, index) = f.split_once(':')?;
        (index.parse::<usize>().ok()? == worker.index()).then(|| how.to_owned())
    });
    let study = worker
        .load_study(hpo::create_study().sampler(TpeSampler::with_seed(1 + worker.index() as u64)))
        .expect("the shared study");
    barrier(&dir, worker.index(), worker.processes());
    let mut started = 0;
    worker
        .optimize(&study, OptimizeOptions::new(), |trial| {
            started += 1;
            if started == 2 {
                match fail.as_deref() {
                    Some("exit") => std::process::exit(3),
                    Some("abort") => std::process::abort(),
                    _ => {}
                }
            }
            tiny_trial(trial)
        })
        .expect("the worker's trials");
}

/// A fresh directory with a journal file holding the (minimized) study `shared`.
fn setup(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("hpo-torch-workers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test directory");
    let url = format!("journal:{}", dir.join("study.log").display());
    hpo::create_study()
        .name(STUDY)
        .storage_arc(hpo::open_storage(&url).expect("journal"))
        .build()
        .expect("study");
    (dir, url)
}

fn pool(processes: usize, dir: &Path) -> ProcessPool {
    ProcessPool::new(processes)
        .args(["--exact", "worker_entry", "--test-threads=1"])
        .env(DIR_ENV, dir)
        // Quiet workers: their trial lines would only clutter the test's output.
        .env("HPO_VERBOSITY", "warning")
        .quiet(true)
}

fn worker_of(t: &Arc<FrozenTrial>) -> Option<usize> {
    t.user_attrs
        .get(WORKER_ATTR)
        .and_then(|v| v.as_u64())
        .map(|w| w as usize)
}

#[test]
fn three_processes_run_exactly_n_trials_of_one_study() {
    let (dir, url) = setup("exact");
    let run = pool(3, &dir).run(&url, STUDY, 13).expect("three workers");
    assert_eq!(run.processes, 3);
    assert_eq!(run.trials_started, 13);

    let study = hpo::load_study(STUDY, hpo::open_storage(&url).expect("journal")).expect("study");
    let trials = study.trials().expect("trials");
    assert_eq!(trials.len(), 13, "exactly the pool's trials");
    let numbers: Vec<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..13).collect::<Vec<_>>(), "numbers unique, 0..n");
    for t in &trials {
        assert!(
            matches!(t.state, TrialState::Complete | TrialState::Pruned),
            "trial {} is {:?}",
            t.number,
            t.state
        );
    }
    let workers: BTreeSet<usize> = trials.iter().filter_map(worker_of).collect();
    assert_eq!(
        workers,
        BTreeSet::from([0, 1, 2]),
        "every worker ran trials, and only they did"
    );
    assert!(trials.iter().all(|t| worker_of(t).is_some()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs two workers where worker 1 fails by `how` at the start of its second trial; returns the
/// error and the stored trials.
fn failing_run(how: &str) -> (WorkersError, Vec<Arc<FrozenTrial>>) {
    let (dir, url) = setup(how);
    let err = pool(2, &dir)
        .env(FAIL_ENV, format!("{how}:1"))
        .run(&url, STUDY, 12)
        .expect_err("worker 1 fails");
    let study = hpo::load_study(STUDY, hpo::open_storage(&url).expect("journal")).expect("study");
    let trials = study.trials().expect("trials");
    let _ = std::fs::remove_dir_all(&dir);
    (err, trials)
}

fn check_failure(err: &WorkersError, trials: &[Arc<FrozenTrial>], status: &str) {
    let WorkersError::Failed {
        failures,
        processes,
    } = err
    else {
        panic!("expected WorkersError::Failed, got {err}");
    };
    assert_eq!(*processes, 2);
    assert_eq!(failures.len(), 1, "only worker 1 failed: {err}");
    assert_eq!(failures[0].index, 1);
    let message = err.to_string();
    assert!(
        message.contains("worker 1 (pid") && message.contains(status),
        "{message}"
    );
    // Worker 1's first trial is stored as finished; the one it died in is still there.
    let of_1: Vec<&Arc<FrozenTrial>> = trials.iter().filter(|t| worker_of(t) == Some(1)).collect();
    assert_eq!(of_1.len(), 2, "worker 1's trials: {of_1:?}");
    assert!(
        of_1.iter()
            .any(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
    );
    // Worker 0 finished cleanly; everything it started is finished.
    assert!(
        trials
            .iter()
            .filter(|t| worker_of(t) == Some(0))
            .all(|t| t.state.is_finished())
    );
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers.len(), trials.len());
    assert!(trials.len() <= 12);
}

#[test]
fn a_worker_that_exits_non_zero_is_named_and_finished_trials_stay() {
    let (err, trials) = failing_run("exit");
    check_failure(&err, &trials, "exited with status 3");
}

#[test]
fn a_worker_killed_by_a_signal_is_named_and_finished_trials_stay() {
    let (err, trials) = failing_run("abort");
    check_failure(&err, &trials, "was killed by signal 6");
}
