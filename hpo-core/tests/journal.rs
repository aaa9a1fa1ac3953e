//! The journal file storage: Optuna's format, replay across instances, concurrent writers,
//! truncated lines, and (ignored unless HPO_PYTHON names a Python with optuna 5.0) interop with
//! Optuna both ways.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use hpo_core::{
    Distribution, FrozenTrial, JournalFileStorage, ParamValue, RandomSampler, Storage, Study,
    StudyDirection, TrialError, TrialState,
};

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("hpo-journal-{name}-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

/// A study with every kind of parameter and outcome.
fn populate(study: &Study) {
    study.set_user_attr("owner", "rust").unwrap();
    study
        .optimize(12, |t| {
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

#[test]
fn another_instance_replays_the_same_study() {
    let path = temp("replay");
    let study = Study::builder()
        .name("replay")
        .storage(JournalFileStorage::open(&path).unwrap())
        .sampler(RandomSampler::with_seed(1))
        .build()
        .unwrap();
    populate(&study);
    let other = Study::builder()
        .name("replay")
        .storage(JournalFileStorage::open(&path).unwrap())
        .load()
        .unwrap();
    let a = study.trials().unwrap();
    let b = other.trials().unwrap();
    assert_eq!(a.len(), 14);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.number, y.number);
        assert_eq!(x.state, y.state);
        assert_eq!(x.params_map(), y.params_map());
        assert_eq!(x.values, y.values);
        assert_eq!(x.user_attrs, y.user_attrs);
        assert_eq!(x.system_attrs, y.system_attrs);
        assert_eq!(x.intermediate_values.get(&0), y.intermediate_values.get(&0));
        if x.number < 12 {
            assert!(y.intermediate_values.get(&1).is_some_and(|v| v.is_nan()));
        }
    }
    assert_eq!(b[7].values, Some(vec![f64::INFINITY]));
    assert_eq!(b[12].state, TrialState::Waiting);
    assert_eq!(other.user_attrs().unwrap()["owner"], "rust");
    // The file is Optuna's format.
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(r#"{"op_code":0,"worker_id":""#)
            && first.ends_with(r#""study_name":"replay","directions":[1]}"#),
        "{first}"
    );
    assert!(text.contains(r#""intermediate_value":NaN"#));
    assert!(text.contains(r#""values":[Infinity]"#));
    assert!(text.contains(r#""distribution":"{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": null, \"low\": -10.0, \"high\": 10.0, \"log\": false}}""#));
    let _ = std::fs::remove_file(path);
}

#[test]
fn truncated_last_line_is_ignored_until_complete() {
    let path = temp("truncated");
    let s = JournalFileStorage::open(&path).unwrap();
    s.create_new_study(&[StudyDirection::Minimize], "t")
        .unwrap();
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(br#"{"op_code":0,"worker_id":"x","study_name":"half","direc"#)
        .unwrap();
    let reader = JournalFileStorage::open(&path).unwrap();
    assert_eq!(reader.get_all_studies().unwrap().len(), 1);
    f.write_all(b"tions\":[2]}\n").unwrap();
    assert_eq!(reader.get_all_studies().unwrap().len(), 2);
    assert_eq!(
        reader.get_study_directions(1).unwrap(),
        vec![StudyDirection::Maximize]
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn concurrent_writers_through_separate_instances_lose_nothing() {
    let path = temp("concurrent");
    Study::builder()
        .name("c")
        .storage(JournalFileStorage::open(&path).unwrap())
        .build()
        .unwrap();
    std::thread::scope(|scope| {
        for w in 0..4 {
            let path = path.clone();
            scope.spawn(move || {
                // Each worker opens its own storage, as a separate process would.
                let study = Study::builder()
                    .name("c")
                    .storage(
                        JournalFileStorage::open_with(
                            &path,
                            hpo_core::storage::LockKind::Symlink,
                            None,
                            false,
                        )
                        .unwrap(),
                    )
                    .sampler(RandomSampler::with_seed(w))
                    .load()
                    .unwrap();
                study
                    .optimize(40, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
                    .unwrap();
            });
        }
    });
    let study = Study::builder()
        .name("c")
        .storage(JournalFileStorage::open(&path).unwrap())
        .load()
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 160);
    let numbers: BTreeSet<u64> = trials.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (0..160).collect());
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    assert!(
        !std::path::Path::new(&format!("{}.lock", path.display())).exists(),
        "lock released"
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn misuse_is_an_error_and_loses_nothing() {
    let path = temp("misuse");
    let storage = Arc::new(JournalFileStorage::open(&path).unwrap());
    let study = Study::builder()
        .name("m")
        .storage_arc(storage.clone())
        .build()
        .unwrap();
    let mut t = study.ask().unwrap();
    t.suggest_float("x", 0.0, 1.0).unwrap();
    let id = t.id();
    study.tell(t, 1.0).unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    assert!(storage.set_trial_user_attr(id, "late", 1.into()).is_err());
    assert!(matches!(
        Study::builder()
            .name("m")
            .storage_arc(storage.clone())
            .build(),
        Err(hpo_core::Error::DuplicatedStudy(_))
    ));
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        before,
        "nothing appended"
    );
    assert!(
        JournalFileStorage::open("/nonexistent-dir/x.log")
            .unwrap_err()
            .to_string()
            .contains("/nonexistent-dir/x.log")
    );
    let _ = std::fs::remove_file(path);
}

fn python() -> Option<String> {
    std::env::var("HPO_PYTHON").ok()
}

fn script(name: &str) -> String {
    format!("{}/tests/interop/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn optuna_reads_what_hpo_writes() {
    let py = python().expect("HPO_PYTHON must name a Python with optuna==5.0.0");
    let path = temp("to-optuna");
    let study = Study::builder()
        .name("from-hpo")
        .storage(JournalFileStorage::open(&path).unwrap())
        .sampler(RandomSampler::with_seed(3))
        .build()
        .unwrap();
    populate(&study);
    let multi = Study::builder()
        .name("multi")
        .directions([StudyDirection::Minimize, StudyDirection::Maximize])
        .storage(JournalFileStorage::open(&path).unwrap())
        .build()
        .unwrap();
    multi
        .optimize(3, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            Ok((x, 1.0 - x))
        })
        .unwrap();
    let out = Command::new(&py)
        .args([
            &script("dump_journal.py"),
            path.to_str().unwrap(),
            "from-hpo",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dumped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
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
            serde_json::Value::Object(o.user_attrs.clone().into_iter().collect())
        );
    }
    assert_eq!(trials[7]["values"][0], "inf");
    assert_eq!(trials[3]["state"], "PRUNED");
    assert_eq!(trials[5]["state"], "FAIL");
    assert_eq!(dumped["user_attrs"]["owner"], "rust");
    let out = Command::new(&py)
        .args([&script("dump_journal.py"), path.to_str().unwrap(), "multi"])
        .output()
        .unwrap();
    let dumped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        dumped["directions"],
        serde_json::json!(["MINIMIZE", "MAXIMIZE"])
    );
    let _ = std::fs::remove_file(path);
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn hpo_reads_what_optuna_writes_and_both_optimize_one_file() {
    let py = python().expect("HPO_PYTHON must name a Python with optuna==5.0.0");
    let path = temp("from-optuna");
    let out = Command::new(&py)
        .args([&script("write_journal.py"), path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let study = Study::builder()
        .name("from-optuna")
        .storage(JournalFileStorage::open(&path).unwrap())
        .load()
        .unwrap();
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
    // Now one Optuna worker and one hpo worker optimize the same file at the same time.
    let mut child = Command::new(&py)
        .args([&script("worker_journal.py"), path.to_str().unwrap(), "60"])
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
    assert_eq!(numbers.len(), 126);
    assert!(
        trials
            .iter()
            .filter(|t| t.number >= 6)
            .all(|t| t.state == TrialState::Complete)
    );
    let _ = std::fs::remove_file(path);
}
