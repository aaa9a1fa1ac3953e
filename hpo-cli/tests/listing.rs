//! trials, best-trial, best-trials in every format, and export.

mod common;

use common::{Env, KINDS, SPACE, ask_tell_each};
use serde_json::Value;

const TRIAL_KEYS: [&str; 7] = [
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "state",
];

#[test]
fn trials_and_best_trial_in_every_format() {
    for kind in KINDS {
        let env = Env::with_study(kind, "s", &[]);
        ask_tell_each(&env, "s", &["3.5", "-1.25", "7"]);
        env.ok(&["ask", "--study", "s"]); // a running trial with no params

        let trials = env.trials("s");
        let trials = trials.as_array().unwrap();
        assert_eq!(trials.len(), 4);
        let keys: Vec<&String> = trials[0].as_object().unwrap().keys().collect();
        assert_eq!(
            keys, TRIAL_KEYS,
            "Optuna's columns, in Optuna's order ({kind:?})"
        );
        let params: Vec<&String> = trials[0]["params"].as_object().unwrap().keys().collect();
        assert_eq!(params, ["lr", "n", "opt", "x"], "params sorted by name");
        assert_eq!(trials[3]["state"], "RUNNING");
        assert_eq!(trials[3]["params"], serde_json::json!({}));
        assert_eq!(trials[3]["datetime_complete"], Value::Null);
        assert_eq!(trials[3]["duration"], Value::Null);
        let start = trials[0]["datetime_start"].as_str().unwrap();
        assert_eq!(start.len(), "2024-01-02 03:04:05".len(), "{start}");
        assert!(trials[0]["duration"].as_str().unwrap().starts_with("0:00:"));

        let best = env.json(&["best-trial", "--study", "s", "-f", "json"]);
        assert_eq!(best["number"], 1);
        assert_eq!(best["value"], -1.25);
        assert_eq!(best["state"], "COMPLETE");

        let flat = env.json(&["best-trial", "--study", "s", "-f", "json", "--flatten"]);
        for key in ["params_x", "params_lr", "params_n", "params_opt"] {
            assert!(flat.get(key).is_some(), "{key} in {flat}");
        }
        let value = env.ok(&["best-trial", "--study", "s", "-f", "value"]);
        assert!(value.starts_with("1 -1.25 "), "{value}");

        let table = env.ok(&["trials", "--study", "s"]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4 + 4, "3 rules, a header and 4 rows: {table}");
        assert!(lines[1].starts_with("| number | value |"), "{table}");
        assert!(lines[3].starts_with("|      0 |   3.5 |"), "{table}");
        assert!(lines[6].starts_with("|      3 |       |"), "{table}");
        let table = env.ok(&["trials", "--study", "s", "--flatten"]);
        assert!(
            table.contains(" params_lr |") && table.contains("| params_opt |"),
            "{table}"
        );

        let yaml = env.ok(&["trials", "--study", "s", "-f", "yaml"]);
        for key in TRIAL_KEYS {
            assert!(
                yaml.contains(&format!("  {key}:")) || yaml.contains(&format!("- {key}:")),
                "{key}: {yaml}"
            );
        }
        assert!(yaml.starts_with("- datetime_complete: '"), "{yaml}");
        assert!(yaml.contains("  value: -1.25\n"), "{yaml}");
        let yaml = env.ok(&["best-trial", "--study", "s", "-f", "yaml"]);
        assert!(
            yaml.contains("number: 1\n") && yaml.contains("state: COMPLETE"),
            "{yaml}"
        );
        assert!(!yaml.starts_with("- "), "one record, not a list: {yaml}");

        let best = env.json(&["best-trials", "--study", "s", "-f", "json"]);
        assert_eq!(best.as_array().unwrap().len(), 1);
        assert_eq!(best[0]["number"], 1);
    }
}

#[test]
fn maximize_and_empty_studies() {
    let env = Env::with_study(common::Kind::Sqlite, "max", &["--direction", "maximize"]);
    let err = env.fails(&["best-trial", "--study", "max"]);
    assert!(
        err.contains("no trial") && err.contains("hpo tell"),
        "{err}"
    );
    assert_eq!(
        env.ok(&["trials", "--study", "max", "-f", "json"]).trim(),
        "[]"
    );
    assert_eq!(
        env.ok(&["best-trials", "--study", "max", "-f", "json"])
            .trim(),
        "[]"
    );
    ask_tell_each(&env, "max", &["1", "5", "2"]);
    assert_eq!(
        env.json(&["best-trial", "--study", "max", "-f", "json"])["value"],
        5.0
    );
}

#[test]
fn multi_objective_best_trials_are_the_pareto_front() {
    for kind in KINDS {
        let env = Env::with_study(kind, "mo", &["--directions", "minimize", "minimize"]);
        // (1, 4), (2, 2), (3, 3) dominated by (2, 2), (4, 1), (5, 5) dominated.
        for values in [["1", "4"], ["2", "2"], ["3", "3"], ["4", "1"], ["5", "5"]] {
            let asked = env.json(&["ask", "--study", "mo", "--search-space", common::SPACE]);
            let n = asked["number"].to_string();
            env.ok(&[
                "tell",
                "--study",
                "mo",
                "--trial-number",
                &n,
                "--values",
                values[0],
                values[1],
            ]);
        }
        let front = env.json(&["best-trials", "--study", "mo", "-f", "json"]);
        let numbers: Vec<u64> = front
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["number"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, [0, 1, 3], "{kind:?}");
        assert_eq!(front[0]["values"], serde_json::json!([1.0, 4.0]));
        assert!(front[0].get("value").is_none());
        let flat = env.json(&["best-trials", "--study", "mo", "-f", "json", "--flatten"]);
        assert_eq!(flat[2]["values_0"], 4.0);
        assert_eq!(flat[2]["values_1"], 1.0);
        let table = env.ok(&["best-trials", "--study", "mo"]);
        assert!(table.contains("| [1.0, 4.0] |"), "{table}");
        let yaml = env.ok(&["best-trials", "--study", "mo", "-f", "yaml"]);
        assert!(yaml.contains("  values:\n  - 1.0\n  - 4.0\n"), "{yaml}");
        let err = env.fails(&["best-trial", "--study", "mo"]);
        assert!(err.contains("best-trials"), "{err}");
    }
}

#[test]
fn export_csv_and_json() {
    for kind in KINDS {
        let env = Env::with_study(kind, "s", &[]);
        ask_tell_each(&env, "s", &["0.5", "1.5"]);

        env.ok(&["export", "--study", "s", "-o", "trials.csv"]);
        let csv = std::fs::read_to_string(env.path("trials.csv")).unwrap();
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert!(
            header.starts_with("number,value,datetime_start,datetime_complete,duration,params_lr"),
            "{header}"
        );
        assert!(header.ends_with(",state"), "{header}");
        assert_eq!(lines.count(), 2);

        env.ok(&["export", "--study", "s", "-o", "trials.json"]);
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(env.path("trials.json")).unwrap())
                .unwrap();
        assert_eq!(json["study_name"], "s");
        assert_eq!(json["trials"].as_array().unwrap().len(), 2);
        assert_eq!(json["trials"][1]["values"], serde_json::json!([1.5]));

        // Standard output: CSV unless --format json.
        let stdout = env.ok(&["export", "--study", "s"]);
        assert_eq!(stdout, csv);
        let stdout = env.ok(&["export", "--study", "s", "--format", "json"]);
        assert!(serde_json::from_str::<Value>(&stdout).is_ok());
        env.ok(&[
            "export",
            "--study",
            "s",
            "--format",
            "csv",
            "-o",
            "trials.txt",
        ]);
        assert_eq!(
            std::fs::read_to_string(env.path("trials.txt")).unwrap(),
            csv
        );
        let err = env.fails(&["export", "--study", "s", "-o", "trials.xlsx"]);
        assert!(err.contains("--format"), "{err}");
    }
}

#[test]
fn export_writes_infinities_as_python_does() {
    for kind in KINDS {
        let env = Env::with_study(kind, "s", &["--directions", "minimize", "maximize"]);
        for values in [["-inf", "inf"], ["0.5", "2"]] {
            let asked = env.json(&["ask", "--study", "s", "--search-space", SPACE]);
            let n = asked["number"].to_string();
            env.ok(&[
                "tell",
                "--study",
                "s",
                "--trial-number",
                &n,
                "--values",
                values[0],
                values[1],
            ]);
        }
        // JSON: Python's json.dumps tokens, as `hpo trials -f json` and Optuna write them.
        let json = env.ok(&["export", "--study", "s", "--format", "json"]);
        assert!(
            json.contains("\"values\": [\n        -Infinity,\n        Infinity\n      ],"),
            "{kind:?}: {json}"
        );
        assert!(!json.contains("null\n      ]"), "{kind:?}: {json}");
        let trials = env.ok(&["trials", "--study", "s", "-f", "json"]);
        assert!(
            trials.contains(r#""values": [-Infinity, Infinity]"#),
            "{kind:?}: {trials}"
        );
        // CSV: pandas' to_csv of trials_dataframe() writes inf, 0.5 and 2.0.
        let csv = env.ok(&["export", "--study", "s"]);
        let rows: Vec<&str> = csv.lines().collect();
        assert!(rows[0].starts_with("number,values_0,values_1,"), "{csv}");
        assert!(rows[1].starts_with("0,-inf,inf,"), "{kind:?}: {csv}");
        assert!(rows[2].starts_with("1,0.5,2.0,"), "{kind:?}: {csv}");
        // The duration is a pandas Timedelta, not seconds.
        assert!(rows[1].contains(",0 days 00:00:"), "{kind:?}: {csv}");
    }
}
