//! PED-ANOVA against Optuna 5.0's own numbers.
//!
//! Regenerate the golden file from the workspace root with:
//!     .venv/bin/python hpo-importance/tests/data/ped_anova_golden.py \
//!         > hpo-importance/tests/data/ped_anova_golden.json
//!
//! PED-ANOVA is deterministic, so every importance (raw and normalised) must match Optuna's to
//! rounding: within 1e-6 relative here.

use std::sync::Arc;

use hpo_core::{Distribution, FrozenTrial, Param, StudyDirection, TrialState};
use hpo_importance::{ImportanceOptions, PedAnovaEvaluator, param_importances_of};
use serde_json::Value;

const GOLDEN: &str = include_str!("data/ped_anova_golden.json");
const TOLERANCE: f64 = 1e-6;

fn number(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        v => v.as_f64().expect("a number"),
    }
}

fn directions(study: &Value) -> Vec<StudyDirection> {
    study["directions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| match d.as_str().unwrap() {
            "minimize" => StudyDirection::Minimize,
            "maximize" => StudyDirection::Maximize,
            other => panic!("direction {other}"),
        })
        .collect()
}

fn trials(study: &Value) -> Vec<Arc<FrozenTrial>> {
    let table: Vec<Distribution> = study["distributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Distribution::from_json(d.as_str().unwrap()).unwrap())
        .collect();
    study["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let values: Vec<f64> = t["values"].as_array().unwrap().iter().map(number).collect();
            let mut trial = FrozenTrial::new(TrialState::Complete).with_values(values);
            for (name, p) in t["params"].as_object().unwrap() {
                let internal = p[0].as_f64().unwrap();
                let dist = table[p[1].as_u64().unwrap() as usize].clone();
                trial
                    .params
                    .insert(name.clone(), Param::from_internal(internal, dist));
            }
            Arc::new(trial)
        })
        .collect()
}

fn options(case: &Value) -> ImportanceOptions {
    let e = &case["evaluator"];
    let evaluator = PedAnovaEvaluator::new()
        .target_quantile(e["target_quantile"].as_f64().unwrap())
        .region_quantile(e["region_quantile"].as_f64().unwrap())
        .evaluate_on_local(e["evaluate_on_local"].as_bool().unwrap());
    let mut options = ImportanceOptions::new().evaluator(evaluator);
    if let Some(params) = case["params"].as_array() {
        options = options.params(params.iter().map(|p| p.as_str().unwrap().to_owned()));
    }
    if !case["target"].is_null() {
        let index = case["target"]["index"].as_u64().unwrap() as usize;
        let sign = case["target"]["sign"].as_f64().unwrap();
        options = options.target(move |t| sign * t.values.as_ref().unwrap()[index]);
    }
    options
}

/// Compares one result with Optuna's; returns the largest relative error.
fn compare(name: &str, got: &indexmap::IndexMap<String, f64>, want: &Value) -> f64 {
    let want = want.as_object().unwrap();
    let mut got_keys: Vec<&String> = got.keys().collect();
    let mut want_keys: Vec<&String> = want.keys().collect();
    got_keys.sort();
    want_keys.sort();
    assert_eq!(got_keys, want_keys, "{name}: params differ");
    let values: Vec<f64> = got.values().copied().collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "{name}: not sorted: {got:?}"
    );
    let mut worst: f64 = 0.0;
    for (k, w) in want {
        let (g, w) = (got[k], w.as_f64().unwrap());
        let err = (g - w).abs();
        assert!(
            err <= TOLERANCE * w.abs() + 1e-15,
            "{name}: `{k}` is {g:e}, Optuna says {w:e} ({got:?})"
        );
        if w != 0.0 {
            worst = worst.max(err / w.abs());
        }
    }
    worst
}

#[test]
fn matches_optuna() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    assert_eq!(golden["optuna"], "5.0.0");
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut worst: f64 = 0.0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let study = &golden["studies"][case["study"].as_str().unwrap()];
        let (trials, directions) = (trials(study), directions(study));
        let options = options(case);
        let raw = param_importances_of(&trials, &directions, &options.clone().normalize(false))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let normalized = param_importances_of(&trials, &directions, &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let w = compare(&format!("{name} (raw)"), &raw, &case["raw"]).max(compare(
            &format!("{name} (normalized)"),
            &normalized,
            &case["normalized"],
        ));
        println!("{name:<40} max relative error {w:.2e}");
        worst = worst.max(w);
    }
    println!("worst relative error over all cases: {worst:.2e}");
}

#[test]
fn golden_cases_are_discriminating() {
    // The comparison would notice a wrong evaluator setting: the defaults give other numbers
    // than the local-region case.
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    let cases = golden["cases"].as_array().unwrap();
    let local = cases
        .iter()
        .find(|c| c["name"] == "full_space local region 0.5")
        .unwrap();
    let study = &golden["studies"]["full_space"];
    let got = param_importances_of(
        &trials(study),
        &directions(study),
        &ImportanceOptions::new().normalize(false),
    )
    .unwrap();
    let x_local = local["raw"]["x"].as_f64().unwrap();
    assert!((got["x"] - x_local).abs() > 1e-3 * x_local);
}
