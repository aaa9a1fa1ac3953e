//! The journal file storage: Optuna's format, replay across instances, concurrent writers,
//! truncated lines, and (ignored unless HPO_PYTHON names a Python with optuna 5.0) interop with
//! Optuna both ways.

use std::path::PathBuf;
use std::sync::Arc;

use hpo_core::{JournalFileStorage, Storage, Study, StudyDirection, TrialState};

#[path = "interop/common.rs"]
mod interop;
#[path = "support/scratch.rs"]
mod scratch;
use interop::{
    assert_optuna_reads, assert_reads_optuna_and_shares_the_study, assert_replays,
    assert_workers_share_one_study, dump_with_optuna, load, populate, seeded_study,
};

/// A new instance on the journal at `path`.
fn open(path: &std::path::Path) -> Arc<dyn Storage> {
    Arc::new(JournalFileStorage::open(path).unwrap())
}

fn temp(name: &str) -> PathBuf {
    scratch::fresh_file(&format!("journal-{name}"), "log")
}

#[test]
fn another_instance_replays_the_same_study() {
    let path = temp("replay");
    let (study, other) = assert_replays(&|| open(&path), "replay");
    let (a, b) = (study.trials().unwrap(), other.trials().unwrap());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.intermediate_values.get(&0), y.intermediate_values.get(&0));
        if x.number < 12 {
            assert!(y.intermediate_values.get(&1).is_some_and(|v| v.is_nan()));
        }
    }
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
    // Each worker opens its own storage, as a separate process would.
    let open_unsynced = || -> Arc<dyn Storage> {
        Arc::new(
            JournalFileStorage::open_with(&path, hpo_core::storage::LockKind::Symlink, None, false)
                .unwrap(),
        )
    };
    assert_workers_share_one_study(&open_unsynced, "c", 40, 0);
    assert!(
        !std::path::Path::new(&format!("{}.lock", path.display())).exists(),
        "lock released"
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn misuse_is_an_error_and_loses_nothing() {
    let path = temp("misuse");
    let storage = open(&path);
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

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn optuna_reads_what_hpo_writes() {
    let path = temp("to-optuna");
    let study = seeded_study(open(&path), "from-hpo", 3);
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
    let spec = path.to_str().unwrap();
    assert_optuna_reads(&study, &dump_with_optuna(spec, "from-hpo"));
    assert_eq!(
        dump_with_optuna(spec, "multi")["directions"],
        serde_json::json!(["MINIMIZE", "MAXIMIZE"])
    );
    let _ = std::fs::remove_file(path);
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn hpo_reads_what_optuna_writes_and_both_optimize_one_file() {
    let path = temp("from-optuna");
    assert_reads_optuna_and_shares_the_study(path.to_str().unwrap(), || {
        load(open(&path), "from-optuna")
    });
    let _ = std::fs::remove_file(path);
}
