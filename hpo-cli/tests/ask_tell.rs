//! ask / tell: search spaces of every distribution, every state, and their errors.

mod common;

use common::{Env, KINDS, SPACE};
use serde_json::Value;

/// `ask --study s --search-space SPACE`, then `extra`.
fn ask_s<'a>(space: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["ask", "--study", "s", "--search-space", space];
    args.extend_from_slice(extra);
    args
}

#[test]
fn ask_suggests_every_distribution_in_range() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("s", &[]);
        for expected in 0..8u64 {
            let out = env.ok(&ask_s(SPACE, &[]));
            assert_eq!(out.lines().count(), 1, "one line of JSON: {out}");
            let v: Value = serde_json::from_str(out.trim()).unwrap();
            assert_eq!(v["number"], expected);
            let p = &v["params"];
            // Keys in search-space order, as Optuna prints trial.params.
            let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["x", "lr", "n", "opt"]);
            let x = p["x"].as_f64().unwrap();
            assert!((-5.0..=5.0).contains(&x), "{x}");
            let lr = p["lr"].as_f64().unwrap();
            assert!((1e-5..=0.1).contains(&lr), "{lr}");
            let n = p["n"].as_i64().expect("an int param prints as an integer");
            assert!((1..=8).contains(&n), "{n}");
            assert!(["adam", "sgd", "rmsprop"].contains(&p["opt"].as_str().unwrap()));
        }
        // The abbreviated form and distribution_to_json's form mix.
        let mixed = r#"{"q": {"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0, "step": 0.25, "log": false}}, "k": {"type": "int", "low": 0, "high": 10, "step": 5}}"#;
        let v = env.json(&ask_s(mixed, &[]));
        let q = v["params"]["q"].as_f64().unwrap();
        assert!([0.0, 0.25, 0.5, 0.75, 1.0].contains(&q), "{q}");
        assert!([0, 5, 10].contains(&v["params"]["k"].as_i64().unwrap()));
        // No search space: an empty params object.
        let v = env.json(&["ask", "--study", "s"]);
        assert_eq!(v["params"], serde_json::json!({}));
        assert_eq!(v["number"], 9);
    }
}

#[test]
fn ask_formats() {
    let env = Env::new(common::Kind::Journal);
    env.create("s", &[]);
    let space = r#"{"x": {"type": "int", "low": 3, "high": 3}, "c": {"type": "categorical", "choices": ["only"]}}"#;
    let flat = env.json(&ask_s(space, &["--flatten"]));
    assert_eq!(
        flat,
        serde_json::json!({"number": 0, "params_x": 3, "params_c": "only"})
    );
    let value = env.ok(&ask_s(space, &["-f", "value", "--flatten"]));
    assert_eq!(value.trim(), "1 3 only");
    let value = env.ok(&ask_s(space, &["-f", "value"]));
    assert_eq!(value.trim(), "2 {'x': 3, 'c': 'only'}");
    let yaml = env.ok(&ask_s(space, &["-f", "yaml"]));
    assert_eq!(yaml.trim(), "number: 3\nparams:\n  c: only\n  x: 3");
    let table = env.ok(&ask_s(space, &["-f", "table"]));
    assert!(table.contains("| number | params"), "{table}");
}

#[test]
fn ask_with_samplers_and_seeds() {
    let env = Env::new(common::Kind::Sqlite);
    env.create("s", &[]);
    let space = r#"{"x": {"type": "float", "low": 0, "high": 1}}"#;
    let ask = |sampler: &str, kwargs: &str| {
        env.json(&ask_s(
            space,
            &["--sampler", sampler, "--sampler-kwargs", kwargs],
        ))["params"]["x"]
            .as_f64()
            .unwrap()
    };
    // A seed is offset by the trial count, so consecutive asks differ.
    let a = ask("RandomSampler", r#"{"seed": 3}"#);
    let b = ask("RandomSampler", r#"{"seed": 3}"#);
    assert_ne!(a, b);
    for sampler in ["TPESampler", "GPSampler", "CmaEsSampler", "QMCSampler"] {
        let x = ask(sampler, r#"{"seed": 1}"#);
        assert!((0.0..=1.0).contains(&x), "{sampler}: {x}");
    }
    let err = env.fails(&ask_s(
        space,
        &[
            "--sampler",
            "TPESampler",
            "--sampler-kwargs",
            r#"{"seed": 1, "n_startup": 3}"#,
        ],
    ));
    assert!(
        err.contains("`n_startup`") && err.contains("n_startup_trials"),
        "{err}"
    );
    // BruteForceSampler cannot enumerate a float range without a step: that trial fails.
    let err = env.fails(&ask_s(space, &["--sampler", "BruteForceSampler"]));
    assert!(err.contains("`x`") && err.contains("marked FAIL"), "{err}");
    let grid = env.json(&[
        "ask",
        "--study",
        "s",
        "--sampler",
        "GridSampler",
        "--sampler-kwargs",
        r#"{"search_space": {"g": [10, 20]}}"#,
        "--search-space",
        r#"{"g": {"type": "int", "low": 0, "high": 100}}"#,
    ]);
    assert!(
        [10, 20].contains(&grid["params"]["g"].as_i64().unwrap()),
        "{grid}"
    );
    let err = env.fails(&["ask", "--study", "s", "--sampler", "SuperSampler"]);
    assert!(
        err.contains("SuperSampler") && err.contains("TPESampler"),
        "{err}"
    );
    let err = env.fails(&["ask", "--study", "s", "--sampler-kwargs", "{}"]);
    assert!(err.contains("--sampler"), "{err}");
    // Failed asks create no trial.
    let trials = env.json(&["trials", "--study", "s", "-f", "json"]);
    let trials = trials.as_array().unwrap();
    assert_eq!(trials.len(), 8);
    assert_eq!(trials[6]["state"], "FAIL");
}

#[test]
fn bad_search_spaces_are_explained() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("s", &[]);
        let err = env.fails(&ask_s("{x: float}", &[]));
        assert!(
            err.contains("not valid JSON") && err.contains("\"type\": \"float\""),
            "{err}"
        );
        let err = env.fails(&ask_s(
            r#"{"lr": {"type": "float", "low": 0, "high": 1, "log": true}}"#,
            &[],
        ));
        assert!(err.contains("`lr`") && err.contains("low"), "{err}");
        let err = env.fails(&ask_s(r#"{"x": {"type": "complex"}}"#, &[]));
        assert!(err.contains("`x`") && err.contains("complex"), "{err}");
        // None of these created a trial.
        assert_eq!(
            env.ok(&["trials", "--study", "s", "-f", "json"]).trim(),
            "[]"
        );

        // A distribution incompatible with the one recorded earlier fails that trial only.
        env.ok(&ask_s(
            r#"{"x": {"type": "float", "low": 0, "high": 1}}"#,
            &[],
        ));
        let err = env.fails(&ask_s(
            r#"{"x": {"type": "categorical", "choices": [1, 2]}}"#,
            &[],
        ));
        assert!(err.contains("`x`"), "{err}");
    }
}

#[test]
fn tell_every_state() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("s", &[]);
        for _ in 0..4 {
            env.ok(&ask_s(SPACE, &[]));
        }
        env.ok_cmd("tell --study s --trial-number 0 --values 1.25");
        env.ok_cmd("tell --study s --trial-number 1 --values -0.5 --state complete");
        env.ok_cmd("tell --study s --trial-number 2 --state pruned");
        env.ok_cmd("tell --study-name s --trial-number 3 --state fail");
        assert_eq!(
            env.states("s"),
            ["COMPLETE", "COMPLETE", "PRUNED", "FAIL"],
            "{kind:?}"
        );
        let trials = env.json(&["trials", "--study", "s", "-f", "json"]);
        assert_eq!(trials[0]["value"], 1.25);
        assert_eq!(trials[1]["value"], -0.5);
        assert_eq!(trials[2]["value"], Value::Null);

        // Finished trials: an error, unless --skip-if-finished (which changes nothing).
        let err = env.fails_cmd("tell --study s --trial-number 0 --values 9");
        assert!(
            err.contains("already finished") && err.contains("--skip-if-finished"),
            "{err}"
        );
        env.ok_cmd("tell --study s --trial-number 0 --values 9 --skip-if-finished");
        env.ok_cmd("tell --study s --trial-number 3 --state pruned --skip-if-finished");
        let trials = env.json(&["trials", "--study", "s", "-f", "json"]);
        assert_eq!(trials[0]["value"], 1.25);
        assert_eq!(trials[3]["state"], "FAIL");

        let err = env.fails_cmd("tell --study s --trial-number 42 --values 1");
        assert!(
            err.contains("no trial 42") && err.contains("0 to 3"),
            "{err}"
        );
    }
}

#[test]
fn tell_checks_the_values() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("one", &[]);
        env.create("two", &["--directions", "minimize", "maximize"]);
        env.ok(&["ask", "--study", "one"]);
        env.ok(&["ask", "--study", "two"]);
        let err = env.fails_cmd("tell --study one --trial-number 0 --values 1 2");
        assert!(
            err.contains("1 objective") && err.contains("2 values"),
            "{err}"
        );
        let err = env.fails_cmd("tell --study two --trial-number 0 --values 1");
        assert!(
            err.contains("2 objectives (minimize, maximize)") && err.contains("1 value"),
            "{err}"
        );
        let err = env.fails(&["tell", "--study", "two", "--trial-number", "0"]);
        assert!(err.contains("--values"), "{err}");
        let err = env.fails_cmd("tell --study two --trial-number 0 --values 1 2 --state fail");
        assert!(err.contains("--values cannot be given"), "{err}");
        // The trial is still running after all that, and can be told properly.
        env.ok_cmd("tell --study two --trial-number 0 --values 1 -2");
        let t = env.json(&["trials", "--study", "two", "-f", "json"]);
        assert_eq!(t[0]["values"], serde_json::json!([1.0, -2.0]));
        assert_eq!(t[0]["state"], "COMPLETE");
        // A NaN without --state fails the trial, as Optuna does.
        env.ok_cmd("tell --study one --trial-number 0 --values nan");
        let t = env.json(&["trials", "--study", "one", "-f", "json"]);
        assert_eq!(t[0]["state"], "FAIL");
    }
}

#[test]
fn tell_takes_negative_numbers_and_infinities_as_values() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("one", &[]);
        env.create("two", &["--directions", "minimize", "maximize"]);
        for _ in 0..2 {
            env.ok(&["ask", "--study", "one"]);
        }
        env.ok(&["ask", "--study", "two"]);
        // `Env::ok` puts `--storage URL -q` after the values: flags still end the list.
        for (number, value) in [("0", "-inf"), ("1", "-1.5")] {
            env.ok(&[
                "tell",
                "--study",
                "one",
                "--trial-number",
                number,
                "--values",
                value,
            ]);
        }
        env.ok_cmd("tell --study two --trial-number 0 --values -inf 2 --state complete");
        let one = env.ok(&["trials", "--study", "one", "-f", "json"]);
        assert!(one.contains(r#""value": -Infinity"#), "{kind:?}: {one}");
        assert!(one.contains(r#""value": -1.5"#), "{kind:?}: {one}");
        let two = env.ok(&["trials", "--study", "two", "-f", "json"]);
        assert!(
            two.contains(r#""values": [-Infinity, 2.0]"#),
            "{kind:?}: {two}"
        );
        assert!(two.contains(r#""state": "COMPLETE""#), "{kind:?}: {two}");
    }
}

#[test]
fn tell_fail_logs_no_made_up_reason() {
    for kind in KINDS {
        let env = Env::new(kind);
        env.create("s", &[]);
        env.ok(&ask_s(SPACE, &[]));
        // Without -q, to see the INFO line too.
        let out = std::process::Command::new(common::hpo())
            .args(["tell", "--study", "s", "--trial-number", "0", "--state"])
            .args(["fail", "--storage", &env.url])
            .env_remove("HPO_STORAGE")
            .env_remove("OPTUNA_STORAGE")
            .env_remove("HPO_VERBOSITY")
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind:?}: {out:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        // Optuna's `study.tell(..., state=FAIL)` logs no failure line and stores no reason; its
        // CLI only says what it was told.
        assert!(
            !stderr.contains("because of the following error") && !stderr.contains("unknown"),
            "{kind:?}: {stderr}"
        );
        assert!(
            stderr.contains("Told trial 0 with values None and state FAIL."),
            "{kind:?}: {stderr}"
        );
        let trials = env.ok(&["trials", "--study", "s", "-f", "value"]);
        assert!(trials.trim_end().ends_with("FAIL"), "{kind:?}: {trials}");
        let export = env.ok(&["export", "--study", "s"]);
        assert!(!export.contains("fail_reason"), "{kind:?}: {export}");
    }
}
