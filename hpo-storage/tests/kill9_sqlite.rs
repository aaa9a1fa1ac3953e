//! `kill -9` of worker processes sharing one SQLite study at random moments, then a fresh
//! worker finishes: no completed trial is lost or changed, no number is doubled, and every
//! orphan (a Running trial of a killed worker) becomes Fail after the heartbeat grace.
//!
//! The workers are this test binary again, running only its `child` test with
//! `HPO_SQLITE_CHILD` set.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hpo_core::study::HeartbeatConfig;
use hpo_core::{Study, TrialState};
use hpo_storage::SqliteStorage;

#[path = "../../hpo-core/tests/faults/acknowledged.rs"]
mod acknowledged;

const BEAT: Duration = Duration::from_millis(100);
const GRACE: Duration = Duration::from_millis(1000);

fn heartbeat() -> HeartbeatConfig {
    HeartbeatConfig::new(BEAT).grace_period(GRACE)
}

/// A small xorshift, seeded from the clock: each run kills at other moments.
#[path = "../../hpo-core/tests/support/scratch.rs"]
mod scratch;
use scratch::Rng;

/// The worker: optimizes the study for 1.5 s, appending "number value-bits" to the side file
/// after each Complete trial has been told (so every line is an acknowledged trial).
#[test]
fn child() {
    let (Ok(db), Ok(side)) = (
        std::env::var("HPO_SQLITE_CHILD"),
        std::env::var("HPO_SQLITE_SIDE"),
    ) else {
        return;
    };
    let storage = SqliteStorage::open(&db).unwrap();
    acknowledged::work(storage, heartbeat(), PathBuf::from(side), |t| {
        let x = t.suggest_float("x", 0.0, 1.0)?;
        std::thread::sleep(Duration::from_millis((x * 10.0) as u64));
        Ok(x * 3.0)
    });
}

fn worker(db: &PathBuf, side: &PathBuf) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--test-threads=1", "--quiet"])
        .env("HPO_SQLITE_CHILD", db)
        .env("HPO_SQLITE_SIDE", side)
        .env("HPO_VERBOSITY", "warning")
        .stdin(Stdio::null())
        // libtest reports a failing child's panic on stdout.
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// 5 rounds of 4 workers, 2 of them killed between 0.1 s and 1.2 s into their 1.5 s (about
/// 20 s in all).
#[test]
fn kill_9_loses_no_completed_trial_on_sqlite() {
    let mut rng = Rng::from_clock();
    for round in 0..5 {
        let dir =
            std::env::temp_dir().join(format!("hpo-kill9-sqlite-{}-{round}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (db, side) = (dir.join("study.db"), dir.join("side.txt"));
        Study::builder()
            .name("kill")
            .storage(SqliteStorage::open(&db).unwrap())
            .build()
            .unwrap();
        let mut workers: Vec<Child> = (0..4).map(|_| worker(&db, &side)).collect();
        acknowledged::kill_two(&mut workers, [rng.below(1100), rng.below(1100)], round);
        for (i, w) in workers.iter_mut().enumerate().skip(2) {
            let out = w.wait().unwrap();
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut w.stderr.take().unwrap(), &mut stderr).unwrap();
            std::io::Read::read_to_string(&mut w.stdout.take().unwrap(), &mut stderr).unwrap();
            assert!(out.success(), "round {round} worker {i}: {stderr}");
        }
        // The fresh worker: after the grace its optimize fails the orphans, then runs 5 trials.
        let storage = SqliteStorage::open(&db).unwrap();
        let wait = GRACE + Duration::from_millis(200);
        let study = acknowledged::fresh_worker(storage, heartbeat(), wait, 3.0);
        let trials = study.trials().unwrap();
        let recorded = acknowledged::check(&trials, &side, round);
        // A sanity floor only: a loaded machine (slow fsyncs) runs fewer trials in 1.5 s.
        assert!(
            recorded >= 10,
            "round {round}: too few trials ran ({recorded})"
        );
        eprintln!(
            "round {round}: {} trials, {} recorded by the workers, {} failed (orphans)",
            trials.len(),
            recorded,
            trials
                .iter()
                .filter(|t| t.state == TrialState::Fail)
                .count()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
