//! `hpo` and Optuna's own `optuna` command print the same bytes for the same storage: every
//! listing verb, in every format, flattened or not, over an SQLite database and a journal file
//! that `hpo` filled through ask/tell. Ignored unless HPO_PYTHON names a Python with optuna 5.0
//! (whose `optuna` script sits beside it); `.ci/run` sets it.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// The `optuna` console script next to `$HPO_PYTHON`.
fn optuna() -> PathBuf {
    let python = std::env::var("HPO_PYTHON")
        .expect("HPO_PYTHON must name a Python with optuna 5.0 (.ci/run sets it)");
    let script = PathBuf::from(python)
        .parent()
        .expect("HPO_PYTHON has a folder")
        .join("optuna");
    assert!(
        script.exists(),
        "no `optuna` script beside HPO_PYTHON at {}",
        script.display()
    );
    script
}

/// Runs a command and returns stdout, failing with stderr when it fails.
fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The study with non-ASCII text in its name, a user attribute and its params.
const UNICODE: &str = "é日本😀";

/// Fills `storage` through the `hpo` binary: a single-objective study with float, log int and
/// categorical params, complete, pruned and failed trials and a study user attribute, a
/// two-objective study, and a study whose name, attribute and params hold `é`, `日本` and an
/// emoji (which PyYAML escapes as `\xE9`, `\u65E5` and `\U0001F600`).
fn fill(storage: &[&str]) {
    let hpo = || {
        let mut c = Command::new(common::hpo());
        c.env_remove("HPO_STORAGE").env_remove("OPTUNA_STORAGE");
        c
    };
    let run = |args: &[&str]| {
        stdout(hpo().args(args).args(storage).arg("-q"));
    };
    run(&[
        "create-study",
        "--study",
        "single",
        "--direction",
        "minimize",
    ]);
    run(&[
        "study",
        "set-user-attr",
        "--study",
        "single",
        "-k",
        "owner",
        "--value",
        "ci",
    ]);
    let space = r#"{"x": {"name": "FloatDistribution", "attributes": {"low": -5.0, "high": 5.0}},
        "n": {"name": "IntDistribution", "attributes": {"low": 1, "high": 64, "log": true}},
        "opt": {"name": "CategoricalDistribution", "attributes": {"choices": ["adam", "sgd"]}}}"#;
    for i in 0..6 {
        run(&[
            "ask",
            "--study",
            "single",
            "--search-space",
            space,
            "--sampler",
            "RandomSampler",
            "--sampler-kwargs",
            r#"{"seed": 7}"#,
        ]);
        let number = i.to_string();
        let value = format!("{}", 0.5 + i as f64 * 1.25);
        let outcome: [&str; 2] = match i {
            4 => ["--state", "pruned"],
            5 => ["--state", "fail"],
            _ => ["--values", &value],
        };
        let mut args = vec!["tell", "--study", "single", "--trial-number", &number];
        args.extend(outcome);
        run(&args);
    }
    run(&[
        "create-study",
        "--study",
        "multi",
        "--directions",
        "minimize",
        "maximize",
    ]);
    for (i, values) in [
        ("0", ["1.0", "2.0"]),
        ("1", ["2.0", "3.0"]),
        ("2", ["3.0", "1.0"]),
    ] {
        run(&[
            "ask",
            "--study",
            "multi",
            "--search-space",
            r#"{"y": {"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0, "step": 0.25}}}"#,
        ]);
        run(&[
            "tell",
            "--study",
            "multi",
            "--trial-number",
            i,
            "--values",
            values[0],
            values[1],
        ]);
    }
    run(&["create-study", "--study", UNICODE]);
    run(&[
        "study",
        "set-user-attr",
        "--study",
        UNICODE,
        "-k",
        "café",
        "--value",
        "日本 😀 é",
    ]);
    for (i, choice) in ["0", "1", "2"].into_iter().zip(["é", "日本", "😀"]) {
        run(&[
            "ask",
            "--study",
            UNICODE,
            "--search-space",
            &format!(
                r#"{{"{choice}": {{"name": "CategoricalDistribution", "attributes": {{"choices": ["{choice}", "x"]}}}}}}"#
            ),
            "--sampler",
            "RandomSampler",
        ]);
        run(&[
            "tell",
            "--study",
            UNICODE,
            "--trial-number",
            i,
            "--values",
            i,
        ]);
    }
}

fn compare(storage: &[&str]) {
    let optuna = optuna();
    let mut checked = 0;
    for format in ["table", "json", "yaml", "value"] {
        for flatten in [false, true] {
            let mut cases: Vec<Vec<&str>> = vec![
                vec!["studies"],
                vec!["trials", "--study-name", "single"],
                vec!["best-trial", "--study-name", "single"],
                vec!["trials", "--study-name", "multi"],
                vec!["best-trials", "--study-name", "multi"],
                vec!["trials", "--study-name", UNICODE],
                vec!["best-trial", "--study-name", UNICODE],
            ];
            if !flatten {
                cases.push(vec!["study-names"]);
            }
            for case in cases {
                let mut args: Vec<&str> = case.clone();
                args.extend(["-f", format]);
                if flatten {
                    args.push("--flatten");
                }
                let ours = stdout(
                    Command::new(common::hpo())
                        .args(&args)
                        .args(storage)
                        .arg("-q")
                        .env_remove("HPO_STORAGE")
                        .env_remove("OPTUNA_STORAGE"),
                );
                let theirs = stdout(Command::new(&optuna).args(&args).args(storage).arg("-q"));
                assert!(
                    !ours.trim().is_empty(),
                    "`hpo {}` printed nothing",
                    args.join(" ")
                );
                assert_eq!(
                    ours,
                    theirs,
                    "`hpo {}` and `optuna {}` differ",
                    args.join(" "),
                    args.join(" ")
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 60);
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn listings_match_optuna_byte_for_byte_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("parity.db").display());
    let storage = ["--storage", url.as_str()];
    fill(&storage);
    compare(&storage);
}

#[test]
#[ignore = "needs Python with optuna 5.0: set HPO_PYTHON (.ci/run does)"]
fn listings_match_optuna_byte_for_byte_on_a_journal_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parity.log").display().to_string();
    let storage = [
        "--storage",
        path.as_str(),
        "--storage-class",
        "JournalFileBackend",
    ];
    fill(&storage);
    compare(&storage);
}

/// Writes, through hpo's own SQLite storage, studies whose `trials_dataframe()` exercises every
/// kind of cell pandas writes: ints, floats (1e-05, 1e+16, ±inf), ints in float columns,
/// bools, None, missing keys, lists, dicts, strings with commas, quotes, newlines and
/// non-ASCII text, every trial state, and datetimes and durations with 6, 3 or no fractional
/// digits, whole days and midnights. Returns the study names.
fn fill_frames(url: &str) -> Vec<&'static str> {
    use chrono::{Duration, TimeZone, Utc};
    use hpo_core::{Distribution, FrozenTrial, ParamValue, Study, StudyDirection, TrialState};
    use serde_json::json;

    let path = url.strip_prefix("sqlite:///").expect("an sqlite URL");
    let storage = hpo_storage::SqliteStorage::open(path).expect("open the database");
    let storage: std::sync::Arc<dyn hpo_core::Storage> = std::sync::Arc::new(storage);
    let study = |name: &str, directions: &[StudyDirection]| -> Study {
        Study::builder()
            .name(name)
            .directions(directions.to_vec())
            .storage_arc(storage.clone())
            .build()
            .expect("create the study")
    };
    let at = |s: u32, micros: i64| {
        Some(Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, s).unwrap() + Duration::microseconds(micros))
    };
    let x = Distribution::float(-10.0, 10.0).unwrap();
    let n = Distribution::int(1, 100).unwrap();
    let choice = Distribution::categorical([
        ParamValue::from("a,b"),
        ParamValue::from("say \"hi\""),
        ParamValue::Float(f64::INFINITY),
        ParamValue::Bool(true),
        ParamValue::Null,
        ParamValue::Int(7),
    ])
    .unwrap();

    let cells = study("cells", &[StudyDirection::Minimize]);
    let trials = [
        FrozenTrial::new(TrialState::Complete)
            .with_value(0.5)
            .with_datetimes(at(5, 123_456), at(7, 1))
            .with_param("x", 1e-5, x.clone())
            .unwrap()
            .with_param("n", 3, n.clone())
            .unwrap()
            .with_param("c", "a,b", choice.clone())
            .unwrap()
            .with_user_attr("int", 1)
            .with_user_attr("int_then_float", 1)
            .with_user_attr("int_then_missing", 3)
            .with_user_attr("int_then_str", 1)
            .with_user_attr("bool", true)
            .with_user_attr("bool_then_missing", false)
            .with_user_attr("none", json!(null))
            .with_user_attr("big", 10_000_000_000_000_000_i64)
            .with_user_attr("floats", 1e16)
            .with_user_attr("list", json!([1, "x", null, true, 2.5, {"k": "v"}, [], {}]))
            .with_user_attr("dict", json!({"b": [1.5, "it's"], "a": {"d": null}}))
            .with_user_attr("text", "He said \"hi\", then\nleft")
            .with_user_attr("unicode", "é日本😀")
            .with_system_attr("sys", json!([1, 2])),
        FrozenTrial::new(TrialState::Complete)
            .with_value(f64::NEG_INFINITY)
            .with_datetimes(at(8, 0), at(9, 500_000))
            .with_param("x", 2.0, x.clone())
            .unwrap()
            .with_param("c", f64::INFINITY, choice.clone())
            .unwrap()
            .with_user_attr("int", 2)
            .with_user_attr("int_then_float", 2.5)
            .with_user_attr("int_then_str", "s")
            .with_user_attr("bool", false)
            .with_user_attr("none", json!(null))
            .with_user_attr("floats", -0.0)
            .with_user_attr("list", json!(["it's \"quoted\""]))
            .with_user_attr("dict", json!({}))
            .with_user_attr("text", ""),
        FrozenTrial::new(TrialState::Pruned)
            .with_value(0.75)
            .with_datetimes(at(10, 0), at(11, 0))
            .with_param("c", true, choice.clone())
            .unwrap()
            .with_param("n", 100, n.clone())
            .unwrap(),
        FrozenTrial::new(TrialState::Fail)
            .with_datetimes(at(12, 0), at(13, 0))
            .with_param("c", ParamValue::Null, choice.clone())
            .unwrap()
            .with_user_attr("int", 3)
            .with_system_attr("fail_reason", "it broke, badly"),
        FrozenTrial::new(TrialState::Complete)
            .with_value(f64::INFINITY)
            .with_datetimes(at(14, 0), at(15, 0))
            .with_param("c", 7, choice)
            .unwrap()
            .with_user_attr("int", 4),
        FrozenTrial::new(TrialState::Running).with_datetimes(at(16, 42), None),
        FrozenTrial::new(TrialState::Waiting),
    ];
    cells.add_trials(&trials).expect("add the trials");

    // Whole seconds: no fraction. Milliseconds only: three digits.
    for (name, micros) in [("seconds", 0), ("millis", 250_000)] {
        let s = study(name, &[StudyDirection::Maximize]);
        for i in 0..3 {
            s.add_trial(
                &FrozenTrial::new(TrialState::Complete)
                    .with_value(i as f64)
                    .with_datetimes(at(i, 0), at(i + 5, if i == 1 { micros } else { 0 })),
            )
            .unwrap();
        }
    }
    // Midnights and whole days: dates alone and `N days`.
    let days = study("days", &[StudyDirection::Minimize]);
    let midnight = |d: u32| Some(Utc.with_ymd_and_hms(2024, 3, d, 0, 0, 0).unwrap());
    for d in 1..3 {
        days.add_trial(
            &FrozenTrial::new(TrialState::Complete)
                .with_value(1.0)
                .with_datetimes(midnight(d), midnight(d + d)),
        )
        .unwrap();
    }
    // Metric names: `value_<name>` for one objective, `values_<name>` in their order for two.
    let named = study("named", &[StudyDirection::Minimize]);
    named.set_metric_names(&["loss"]).unwrap();
    let multi = study(
        "named-multi",
        &[StudyDirection::Minimize, StudyDirection::Maximize],
    );
    multi.set_metric_names(&["zeta", "alpha"]).unwrap();
    let two = study("two", &[StudyDirection::Minimize, StudyDirection::Maximize]);
    for s in [&named, &multi, &two] {
        let n_values = s.directions().len();
        s.add_trial(
            &FrozenTrial::new(TrialState::Complete)
                .with_values(vec![0.5; n_values])
                .with_datetimes(at(1, 7), at(2, 0)),
        )
        .unwrap();
        s.add_trial(&FrozenTrial::new(TrialState::Fail)).unwrap();
    }
    study("empty", &[StudyDirection::Minimize]);
    vec![
        "cells",
        "seconds",
        "millis",
        "days",
        "named",
        "named-multi",
        "two",
        "empty",
    ]
}

#[test]
#[ignore = "needs Python with optuna 5.0 and pandas: set HPO_PYTHON (.ci/run does)"]
fn export_csv_matches_pandas_to_csv_on_sqlite() {
    let python = std::env::var("HPO_PYTHON")
        .expect("HPO_PYTHON must name a Python with optuna 5.0 (.ci/run sets it)");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("frames.db").display());
    let script = "import sys, optuna\n\
        optuna.logging.set_verbosity(optuna.logging.ERROR)\n\
        study = optuna.load_study(study_name=sys.argv[2], storage=sys.argv[1])\n\
        sys.stdout.write(study.trials_dataframe().to_csv(index=False))\n";
    for name in fill_frames(&url) {
        let theirs = stdout(Command::new(&python).args(["-c", script, &url, name]));
        let ours = stdout(
            Command::new(common::hpo())
                .args(["export", "--study", name, "--storage", &url, "-q"])
                .env_remove("HPO_STORAGE")
                .env_remove("OPTUNA_STORAGE"),
        );
        assert_eq!(
            ours, theirs,
            "`hpo export --study {name}` and pandas' to_csv differ"
        );
        // The JSON export is what Python's json.dumps(..., indent=2) writes for what it reads.
        let json = stdout(
            Command::new(common::hpo())
                .args(["export", "--study", name, "--storage", &url, "-q"])
                .args(["--format", "json"])
                .env_remove("HPO_STORAGE")
                .env_remove("OPTUNA_STORAGE"),
        );
        let redumped = stdout(Command::new(&python).args([
            "-c",
            "import json, sys\nsys.stdout.write(json.dumps(json.loads(sys.argv[1]), indent=2) + '\\n')",
            &json,
        ]));
        assert_eq!(json, redumped, "`hpo export --study {name} --format json`");
    }
}
