//! Inputs on which fuzzing (`fuzz/`, AFL++) found a panic or a broken round trip, each checked
//! here as the library's own behaviour, with the input inline.

use hpo_core::param_space::param_space_from_json;
use hpo_core::storage::JournalFileStorage;
use hpo_core::{Distribution, InMemoryStorage, Storage};

#[path = "support/trials.rs"]
mod trials;
use trials::new_minimized_study;

const CATEGORICAL: &str =
    r#"{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": [\"a\", \"b\"]}}"#;

/// Runs `check` on a journal of `lines` (one record each) replayed from a file.
fn with_replay(name: &str, lines: &[String], check: impl FnOnce(&JournalFileStorage)) {
    let path = std::env::temp_dir().join(format!(
        "hpo-fuzz-regression-{name}-{}.log",
        std::process::id()
    ));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let storage = JournalFileStorage::open(&path).unwrap();
    check(&storage);
    std::fs::remove_file(&path).ok();
}

/// A SET_TRIAL_PARAM record whose categorical index is past the last choice panicked the replay
/// (index out of bounds in `Distribution::to_external`); now the record is dropped, as any
/// record that does not apply.
#[test]
fn journal_param_past_the_last_choice_is_dropped() {
    let lines = [
        r#"{"op_code":0,"worker_id":"w","study_name":"demo","directions":[1]}"#.to_owned(),
        r#"{"op_code":4,"worker_id":"w","study_id":0,"datetime_start":"2026-12-06T08:43:59.322019+00:00"}"#.to_owned(),
        format!(
            r#"{{"op_code":5,"worker_id":"w","trial_id":0,"param_name":"c","param_value_internal":8.0,"distribution":"{CATEGORICAL}"}}"#
        ),
        format!(
            r#"{{"op_code":5,"worker_id":"w","trial_id":0,"param_name":"d","param_value_internal":1.0,"distribution":"{CATEGORICAL}"}}"#
        ),
    ];
    with_replay("set-param", &lines, |storage| {
        let trial = storage.get_trial(0).unwrap();
        assert!(!trial.params.contains_key("c"), "{:?}", trial.params);
        assert_eq!(trial.params["d"].value, "b".into());
    });
}

/// The same in a CREATE_TRIAL record's parameters: the trial is not created.
#[test]
fn journal_trial_with_a_param_past_the_last_choice_is_dropped() {
    let lines = [
        r#"{"op_code":0,"worker_id":"w","study_name":"demo","directions":[1]}"#.to_owned(),
        format!(
            r#"{{"op_code":4,"worker_id":"w","study_id":0,"state":1,"values":[1.0],"params":{{"c":2}},"distributions":{{"c":"{CATEGORICAL}"}}}}"#
        ),
        r#"{"op_code":4,"worker_id":"w","study_id":0}"#.to_owned(),
    ];
    with_replay("create-trial", &lines, |storage| {
        let trials = storage.get_all_trials(0, None).unwrap();
        assert_eq!(trials.len(), 1);
        assert!(trials[0].params.is_empty());
    });
}

/// `Storage::set_trial_param` with such an index is an error, not a panic.
#[test]
fn in_memory_set_trial_param_refuses_a_bad_choice_index() {
    let storage = InMemoryStorage::new();
    let study = new_minimized_study(&storage, "s");
    let trial = storage.create_new_trial(study, None).unwrap().trial_id;
    let dist = Distribution::categorical(["a", "b"]).unwrap();
    for bad in [2.0, 8.0, -1.0, 0.5, f64::NAN] {
        let err = storage
            .set_trial_param(trial, "c", bad, &dist)
            .unwrap_err()
            .to_string();
        assert!(err.contains("choice index"), "{bad}: {err}");
    }
    storage.set_trial_param(trial, "c", 1.0, &dist).unwrap();
    assert_eq!(
        storage.get_trial(trial).unwrap().params["c"].value,
        "b".into()
    );
}

/// A stepped float whose `high` had to be lowered onto the grid moved again each time its JSON
/// was read back (`high` 11110000.75, then 11110000.5, ...).
#[test]
fn stepped_float_json_round_trips() {
    let inputs = [
        r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.000000000000000111000901, "high": 11110001.0, "q": 0.25}}"#,
        r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.1, "high": 1000000110900000, "q": 0.42}}"#,
        r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.1, "high": 1111001.0, "q": 0.0000000011011000900000002555558889226673472392476455555555}}"#,
        r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.1, "high": 100.0, "q": 0.0000000000111000901001462397548284866339}}"#,
        r#"{"type": "float", "low": 1, "high": 2222000000000001111, "step": 230}"#,
        r#"{"type": "float", "low": 1.2, "high": 22220000000000000E0, "step": 230}"#,
        // A zero `high` sent the decimal arithmetic to its binary fallback, whose result the
        // decimal arithmetic lowered again.
        r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": -1000000000111111110000000001111111111111111110000000000000.0, "high": 1e-66666666668, "q": 1E44}}"#,
        r#"{"name": "DiscreteUniformDistribution", "attributes": {"low": -7777777777100000000001111111111111111110000000000000.0, "high": -6666666666868, "q": 1E44}}"#,
        r#"{"type": "float", "low": -1.000000000111111e57, "high": 1e-5, "step": 1e44}"#,
    ];
    for input in inputs {
        let d = Distribution::from_json(input).unwrap();
        let json = d.to_json();
        let again = Distribution::from_json(&json).unwrap();
        assert_eq!(again, d, "{input} -> {json}");
        assert_eq!(again.to_json(), json, "{input}");
    }
}

/// The same through `hpo ask --search-space`'s parser.
#[test]
fn stepped_float_search_space_round_trips() {
    let space = param_space_from_json(
        r#"{"x": {"type": "float", "low": 1, "high":	2222000000000001111, "step": 230}}"#,
    )
    .unwrap();
    let written = format!(r#"{{"x": {}}}"#, space["x"].to_json());
    assert_eq!(param_space_from_json(&written).unwrap(), space);
}
