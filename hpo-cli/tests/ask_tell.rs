//! ask / tell: search spaces of every distribution, every state, and their errors.

mod common;

use common::{Env, KINDS, Kind, SPACE};
use serde_json::Value;

/// `ask --study s --search-space SPACE`, then `extra`.
fn ask_s<'a>(space: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["ask", "--study", "s", "--search-space", space];
    args.extend_from_slice(extra);
    args
}

/// A storage of `kind` with a one-objective study `one` and a two-objective `two` (minimize,
/// maximize).
fn one_and_two(kind: Kind) -> Env {
    let env = Env::with_study(kind, "one", &[]);
    env.create("two", &["--directions", "minimize", "maximize"]);
    env
}

#[test]
fn ask_suggests_every_distribution_in_range() {
    for kind in KINDS {
        let env = Env::with_study(kind, "s", &[]);
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
    let env = Env::with_study(Kind::Journal, "s", &[]);
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
    let env = Env::with_study(Kind::Sqlite, "s", &[]);
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
    env.fails_saying(
        &ask_s(
            space,
            &[
                "--sampler",
                "TPESampler",
                "--sampler-kwargs",
                r#"{"seed": 1, "n_startup": 3}"#,
            ],
        ),
        &["`n_startup`", "n_startup_trials"],
    );
    // BruteForceSampler cannot enumerate a float range without a step: that trial fails.
    env.fails_saying(
        &ask_s(space, &["--sampler", "BruteForceSampler"]),
        &["`x`", "marked FAIL"],
    );
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
    env.fails_saying(
        &["ask", "--study", "s", "--sampler", "SuperSampler"],
        &["SuperSampler", "TPESampler"],
    );
    env.fails_saying(
        &["ask", "--study", "s", "--sampler-kwargs", "{}"],
        &["--sampler"],
    );
    // Failed asks create no trial.
    let trials = env.trials("s");
    let trials = trials.as_array().unwrap();
    assert_eq!(trials.len(), 8);
    assert_eq!(trials[6]["state"], "FAIL");
}

#[test]
fn bad_search_spaces_are_explained() {
    for kind in KINDS {
        let env = Env::with_study(kind, "s", &[]);
        env.fails_saying(
            &ask_s("{x: float}", &[]),
            &["not valid JSON", "\"type\": \"float\""],
        );
        env.fails_saying(
            &ask_s(
                r#"{"lr": {"type": "float", "low": 0, "high": 1, "log": true}}"#,
                &[],
            ),
            &["`lr`", "low"],
        );
        env.fails_saying(
            &ask_s(r#"{"x": {"type": "complex"}}"#, &[]),
            &["`x`", "complex"],
        );
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
        env.fails_saying(
            &ask_s(r#"{"x": {"type": "categorical", "choices": [1, 2]}}"#, &[]),
            &["`x`"],
        );
    }
}

#[test]
fn tell_every_state() {
    for kind in KINDS {
        let env = Env::with_study(kind, "s", &[]);
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
        let trials = env.trials("s");
        assert_eq!(trials[0]["value"], 1.25);
        assert_eq!(trials[1]["value"], -0.5);
        assert_eq!(trials[2]["value"], Value::Null);

        // Finished trials: an error, unless --skip-if-finished (which changes nothing).
        env.fails_cmd_saying(
            "tell --study s --trial-number 0 --values 9",
            &["already finished", "--skip-if-finished"],
        );
        env.ok_cmd("tell --study s --trial-number 0 --values 9 --skip-if-finished");
        env.ok_cmd("tell --study s --trial-number 3 --state pruned --skip-if-finished");
        let trials = env.trials("s");
        assert_eq!(trials[0]["value"], 1.25);
        assert_eq!(trials[3]["state"], "FAIL");

        env.fails_cmd_saying(
            "tell --study s --trial-number 42 --values 1",
            &["no trial 42", "0 to 3"],
        );
    }
}

#[test]
fn tell_checks_the_values() {
    for kind in KINDS {
        let env = one_and_two(kind);
        env.ok(&["ask", "--study", "one"]);
        env.ok(&["ask", "--study", "two"]);
        env.fails_cmd_saying(
            "tell --study one --trial-number 0 --values 1 2",
            &["1 objective", "2 values"],
        );
        env.fails_cmd_saying(
            "tell --study two --trial-number 0 --values 1",
            &["2 objectives (minimize, maximize)", "1 value"],
        );
        env.fails_saying(
            &["tell", "--study", "two", "--trial-number", "0"],
            &["--values"],
        );
        env.fails_cmd_saying(
            "tell --study two --trial-number 0 --values 1 2 --state fail",
            &["--values cannot be given"],
        );
        // The trial is still running after all that, and can be told properly.
        env.ok_cmd("tell --study two --trial-number 0 --values 1 -2");
        let t = env.trials("two");
        assert_eq!(t[0]["values"], serde_json::json!([1.0, -2.0]));
        assert_eq!(t[0]["state"], "COMPLETE");
        // A NaN without --state fails the trial, as Optuna does.
        env.ok_cmd("tell --study one --trial-number 0 --values nan");
        let t = env.trials("one");
        assert_eq!(t[0]["state"], "FAIL");
    }
}

#[test]
fn tell_takes_negative_numbers_and_infinities_as_values() {
    for kind in KINDS {
        let env = one_and_two(kind);
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
        let env = Env::with_study(kind, "s", &[]);
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
