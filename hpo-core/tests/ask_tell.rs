//! Ask-and-tell, enqueueing, adding trials, creating and loading studies.

use std::sync::Arc;

use hpo_core::{
    Distribution, Error, FrozenTrial, InMemoryStorage, ParamSpace, ParamValue, RandomSampler,
    Storage, Study, StudyDirection, TrialState,
};

#[path = "support/trials.rs"]
mod trials;
use trials::{assert_err_mentions, sampled_study, stored_study};

#[test]
fn ask_and_tell_round_trip() {
    let study = sampled_study(RandomSampler::with_seed(1));
    for _ in 0..5 {
        let mut trial = study.ask().unwrap();
        let x = trial.suggest_float("x", -1.0, 1.0).unwrap();
        study.tell(trial, x * x).unwrap();
    }
    let t = study.ask().unwrap();
    study.tell_pruned(t).unwrap();
    let t = study.ask().unwrap();
    study.tell_failed(t, "out of memory").unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 7);
    assert_eq!(trials[5].state, TrialState::Pruned);
    assert_eq!(trials[6].system_attrs["fail_reason"], "out of memory");
    assert!(
        trials
            .iter()
            .all(|t| t.datetime_start.is_some() && t.datetime_complete.is_some())
    );
}

#[test]
fn tell_by_number_and_finished_trials() {
    let study = Study::builder().build().unwrap();
    let t = study.ask().unwrap();
    let n = t.number();
    drop(t); // e.g. asked from another process
    let done = study.tell_number(n, None, Some(vec![2.0]), false).unwrap();
    assert_eq!(done.state, TrialState::Complete);
    let err = study
        .tell_number(n, None, Some(vec![3.0]), false)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TrialFinished {
                number: 0,
                state: TrialState::Complete
            }
        ),
        "{err}"
    );
    // skip_if_finished returns the stored trial untouched.
    let same = study.tell_number(n, None, Some(vec![3.0]), true).unwrap();
    assert_eq!(same.values, Some(vec![2.0]));
    assert!(study.tell_number(99, None, Some(vec![1.0]), false).is_err());
    let t = study.ask().unwrap();
    let err = study.tell_number(t.number(), Some(TrialState::Fail), Some(vec![1.0]), false);
    assert!(err.is_err());
    let err = study.tell_number(t.number(), Some(TrialState::Running), None, false);
    assert!(err.is_err());
}

#[test]
fn updates_to_finished_trials_fail_and_lose_nothing() {
    let storage = Arc::new(InMemoryStorage::new());
    let study = stored_study(storage.clone());
    let mut t = study.ask().unwrap();
    t.suggest_float("x", 0.0, 1.0).unwrap();
    let id = t.id();
    study.tell(t, 1.0).unwrap();
    let before = storage.get_trial(id).unwrap();
    let d = Distribution::float(0.0, 1.0).unwrap();
    assert!(matches!(
        storage.set_trial_param(id, "y", 0.5, &d),
        Err(Error::TrialFinished { .. })
    ));
    assert!(storage.set_trial_intermediate_value(id, 0, 1.0).is_err());
    assert!(storage.set_trial_user_attr(id, "k", 1.into()).is_err());
    assert!(
        storage
            .set_trial_state_values(id, TrialState::Fail, None)
            .is_err()
    );
    assert_eq!(*storage.get_trial(id).unwrap(), *before);
}

#[test]
fn enqueued_params_are_used_first_and_others_sampled() {
    let study = sampled_study(RandomSampler::with_seed(2));
    study
        .enqueue_trial([("x", ParamValue::from(0.25)), ("opt", "sgd".into())])
        .unwrap();
    study.enqueue_trial([("x", 0.75)]).unwrap();
    assert_eq!(study.trials_in(&[TrialState::Waiting]).unwrap().len(), 2);
    study
        .optimize(3, |trial| {
            let x = trial.suggest_float("x", 0.0, 1.0)?;
            let opt = trial.suggest_categorical("opt", &["adam", "sgd"])?;
            Ok(x + if opt == "sgd" { 1.0 } else { 0.0 })
        })
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 3);
    assert_eq!(trials[0].param("x"), Some(&ParamValue::Float(0.25)));
    assert_eq!(trials[0].param("opt"), Some(&ParamValue::from("sgd")));
    assert_eq!(trials[1].param("x"), Some(&ParamValue::Float(0.75)));
    assert!(trials.iter().all(|t| t.state == TrialState::Complete));
    assert_eq!(
        trials[0].system_attrs["fixed_params"],
        serde_json::json!({"x": 0.25, "opt": "sgd"})
    );
}

#[test]
fn enqueue_skip_if_exists_and_bad_fixed_values() {
    let study = Study::builder().build().unwrap();
    assert!(
        study
            .enqueue_trial_with([("x", 1.0)], Default::default(), true)
            .unwrap()
    );
    assert!(
        !study
            .enqueue_trial_with([("x", 1.000001)], Default::default(), true)
            .unwrap()
    );
    assert!(
        study
            .enqueue_trial_with([("x", 2.0)], Default::default(), true)
            .unwrap()
    );
    study.enqueue_trial([("c", "nope")]).unwrap();
    let mut t1 = study.ask().unwrap();
    t1.suggest_float("x", 0.0, 5.0).unwrap();
    let _t2 = study.ask().unwrap();
    let mut t3 = study.ask().unwrap();
    assert_err_mentions(t3.suggest_categorical("c", &["a", "b"]), &["`c`", "'nope'"]);
}

#[test]
fn ask_with_fixed_distributions() {
    let study = sampled_study(RandomSampler::with_seed(3));
    let mut space = ParamSpace::new();
    space.insert("a".into(), Distribution::int(0, 9).unwrap());
    space.insert("b".into(), Distribution::categorical(["u", "v"]).unwrap());
    let trial = study.ask_with(&space).unwrap();
    assert_eq!(trial.params().len(), 2);
}

#[test]
fn add_trial_validates_like_optuna() {
    let study = Study::builder().build().unwrap();
    let d = Distribution::float(0.0, 1.0).unwrap();
    let good = FrozenTrial::new(TrialState::Complete)
        .with_value(0.5)
        .with_param("x", 0.5, d.clone())
        .unwrap()
        .with_user_attr("src", "manual")
        .with_intermediate_value(0, 0.7);
    let added = study.add_trial(&good).unwrap();
    assert_eq!(added.number, 0);
    assert_eq!(study.best_value().unwrap(), 0.5);
    assert!(added.datetime_start.is_some() && added.datetime_complete.is_some());
    assert!(
        study
            .add_trial(&FrozenTrial::new(TrialState::Complete))
            .is_err()
    );
    assert!(
        study
            .add_trial(&FrozenTrial::new(TrialState::Complete).with_value(f64::NAN))
            .is_err()
    );
    assert!(
        study
            .add_trial(&FrozenTrial::new(TrialState::Fail).with_value(1.0))
            .is_err()
    );
    assert_err_mentions(
        FrozenTrial::new(TrialState::Complete).with_param("x", 2.0, d),
        &["`x`", "2.0"],
    );
    // An added Waiting trial is picked up by the next ask.
    study
        .add_trial(&FrozenTrial::new(TrialState::Waiting))
        .unwrap();
    let t = study.ask().unwrap();
    assert_eq!(t.number(), 1);
}

#[test]
fn create_load_and_duplicate_studies() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    let study = Study::builder()
        .name("shared")
        .direction(StudyDirection::Maximize)
        .storage_arc(storage.clone())
        .build()
        .unwrap();
    study
        .optimize(3, |t| Ok(t.suggest_float("x", 0.0, 1.0)?))
        .unwrap();
    let err = Study::builder()
        .name("shared")
        .storage_arc(storage.clone())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::DuplicatedStudy(ref n) if n == "shared"));
    let again = Study::builder()
        .name("shared")
        .direction(StudyDirection::Maximize)
        .storage_arc(storage.clone())
        .load_if_exists(true)
        .build()
        .unwrap();
    assert_eq!(again.n_trials().unwrap(), 3);
    let loaded = Study::builder()
        .name("shared")
        .storage_arc(storage.clone())
        .load()
        .unwrap();
    assert_eq!(loaded.directions(), &[StudyDirection::Maximize]);
    assert_eq!(loaded.best_value().unwrap(), study.best_value().unwrap());
    // The only study can be loaded without a name.
    assert_eq!(
        Study::builder()
            .storage_arc(storage.clone())
            .load()
            .unwrap()
            .name(),
        "shared"
    );
    assert!(matches!(
        Study::builder()
            .name("missing")
            .storage_arc(storage.clone())
            .load(),
        Err(Error::StudyNotFound(_))
    ));
    let anon = stored_study(storage.clone());
    assert!(anon.name().starts_with("no-name-"));
    assert!(
        Study::builder().storage_arc(storage).load().is_err(),
        "two studies, no name"
    );
}

#[test]
fn metric_names_and_export() {
    let study = Study::builder()
        .name("export")
        .directions([StudyDirection::Minimize, StudyDirection::Maximize])
        .sampler(RandomSampler::with_seed(4))
        .build()
        .unwrap();
    assert!(study.set_metric_names(&["loss"]).is_err());
    study.set_metric_names(&["loss", "acc"]).unwrap();
    study
        .optimize(3, |t| {
            let x = t.suggest_float("x", 0.0, 1.0)?;
            let c = t.suggest_categorical("c", &["a,b", "q\"q"])?;
            t.set_user_attr("len", c.len())?;
            Ok((x, 1.0 - x))
        })
        .unwrap();
    let mut csv = Vec::new();
    study.export_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "number,values_loss,values_acc,datetime_start,datetime_complete,duration,params_c,\
         params_x,user_attrs_len,state"
    );
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.contains("COMPLETE"));

    let mut json = Vec::new();
    study.export_json(&mut json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["study_name"], "export");
    assert_eq!(v["trials"].as_array().unwrap().len(), 3);
    assert_eq!(v["trials"][0]["state"], "COMPLETE");
    assert!(v["trials"][0]["params"]["x"].is_f64());
    assert_eq!(
        v["trials"][0]["distributions"]["x"]["name"],
        "FloatDistribution"
    );
}

/// `export_csv` writes what pandas' `study.trials_dataframe().to_csv(index=False)` writes.
/// Expectations written by hand from pandas' rules: a float64 column holds `inf`, `-inf`, `2.0`
/// for an integer next to a missing cell, and an empty cell when missing; datetimes take the 3
/// fractional digits the column needs; durations are timedeltas; dicts and lists are Python's
/// `str()`; fields with `,` or `"` are quoted as Python's csv writer quotes them.
#[test]
fn export_csv_writes_pandas_cells() {
    use chrono::{Duration, TimeZone, Utc};
    use serde_json::json;

    let study = Study::builder().name("pandas").build().unwrap();
    let x = Distribution::float(0.0, 1.0).unwrap();
    let n = Distribution::int(1, 3).unwrap();
    let at = |minute, millis| {
        Some(
            Utc.with_ymd_and_hms(2024, 1, 2, 3, minute, 0).unwrap()
                + Duration::milliseconds(millis),
        )
    };
    let trials = [
        FrozenTrial::new(TrialState::Complete)
            .with_value(f64::INFINITY)
            .with_param("x", 0.25, x.clone())
            .unwrap()
            .with_param("n", 2, n.clone())
            .unwrap()
            .with_user_attr("cfg", json!({"lr": 0.001, "layers": [1, 2]}))
            .with_user_attr("tags", json!(["a", null, true, 1.5]))
            .with_datetimes(at(4, 5_250), at(4, 6_750)),
        FrozenTrial::new(TrialState::Complete)
            .with_value(f64::NEG_INFINITY)
            .with_param("x", 0.5, x.clone())
            .unwrap()
            .with_param("n", 3, n)
            .unwrap()
            .with_user_attr("cfg", json!({}))
            .with_user_attr("tags", 7)
            .with_datetimes(at(5, 0), at(5, 1_000)),
        FrozenTrial::new(TrialState::Pruned)
            .with_param("x", 1.0, x)
            .unwrap()
            .with_intermediate_value(0, 0.7)
            .with_datetimes(at(6, 0), at(6, 500)),
        FrozenTrial::new(TrialState::Fail)
            .with_system_attr("fail_reason", "boom, \"bad\"")
            .with_datetimes(at(7, 0), at(7, 2_000)),
    ];
    study.add_trials(&trials).unwrap();

    let mut csv = Vec::new();
    study.export_csv(&mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "number,value,datetime_start,datetime_complete,duration,params_n,params_x,\
         user_attrs_cfg,user_attrs_tags,system_attrs_fail_reason,state\n\
         0,inf,2024-01-02 03:04:05.250,2024-01-02 03:04:06.750,0 days 00:00:01.500000,2.0,0.25,\
         \"{'lr': 0.001, 'layers': [1, 2]}\",\"['a', None, True, 1.5]\",,COMPLETE\n\
         1,-inf,2024-01-02 03:05:00.000,2024-01-02 03:05:01.000,0 days 00:00:01.000000,3.0,0.5,\
         {},7,,COMPLETE\n\
         2,,2024-01-02 03:06:00.000,2024-01-02 03:06:00.500,0 days 00:00:00.500000,,1.0,,,,\
         PRUNED\n\
         3,,2024-01-02 03:07:00.000,2024-01-02 03:07:02.000,0 days 00:00:02.000000,,,,,\
         \"boom, \"\"bad\"\"\",FAIL\n"
    );

    // The JSON export: Python's json.dumps(..., indent=2), infinities as bare tokens.
    let mut json = Vec::new();
    study.export_json(&mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    assert!(
        json.starts_with(
            "{\n  \"study_name\": \"pandas\",\n  \"directions\": [\n    \"MINIMIZE\"\n  ],\n  \
             \"trials\": [\n    {\n      \"number\": 0,\n      \"state\": \"COMPLETE\",\n      \
             \"values\": [\n        Infinity\n      ],\n      \
             \"datetime_start\": \"2024-01-02 03:04:05.250000\",\n"
        ),
        "{json}"
    );
    assert!(
        json.contains("\"values\": [\n        -Infinity\n      ],"),
        "{json}"
    );
    assert!(
        json.contains("\"state\": \"PRUNED\",\n      \"values\": null,"),
        "{json}"
    );
    assert!(json.contains("\"duration\": 1.5,"), "{json}");
    assert!(
        json.contains(
            "\"user_attrs\": {\n        \"cfg\": {\n          \"lr\": 0.001,\n          \
             \"layers\": [\n            1,\n            2\n          ]\n        },"
        ),
        "{json}"
    );
    assert!(
        json.contains("\"intermediate_values\": {\n        \"0\": 0.7\n      }"),
        "{json}"
    );
    assert!(
        json.contains(
            "\"system_attrs\": {\n        \"fail_reason\": \"boom, \\\"bad\\\"\"\n      },"
        ),
        "{json}"
    );
    assert!(json.ends_with("\n  ]\n}\n"), "{json}");

    // No trials: pandas writes an empty frame as one empty line.
    let empty = Study::builder().build().unwrap();
    let mut csv = Vec::new();
    empty.export_csv(&mut csv).unwrap();
    assert_eq!(csv, b"\n");
}

/// A categorical with a NaN choice: Optuna stores its distribution as `{"choices": [1.0, NaN]}`,
/// and `json.dumps` writes that NaN back as the bare token, not as the string `"NaN"`.
#[test]
fn export_json_keeps_nan_choices_as_python_tokens() {
    let study = Study::builder().build().unwrap();
    let c = Distribution::categorical([1.0, f64::NAN]).unwrap();
    study
        .add_trial(
            &FrozenTrial::new(TrialState::Complete)
                .with_value(0.5)
                .with_param("c", 1.0, c)
                .unwrap(),
        )
        .unwrap();
    let mut json = Vec::new();
    study.export_json(&mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    assert!(
        json.contains("\"choices\": [\n              1.0,\n              NaN\n            ]"),
        "{json}"
    );
    assert!(!json.contains("\"NaN\""), "{json}");
}
