//! fANOVA and mean decrease impurity on a seeded study over a mixed space give exactly the
//! importances recorded in `data/encoded_golden.json`: a change of how trials are encoded into
//! forest features (the search-space transform) must not change them.
//!
//! To record new golden values after an intended change of behaviour, run the test with
//! `HPO_BLESS=1` and say in the commit why the values changed.

use hpo_core::{RandomSampler, Study};
use hpo_importance::{
    FanovaEvaluator, ImportanceOptions, MeanDecreaseImpurityEvaluator, param_importances,
};
use serde_json::{Map, Value};

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::sampled_study;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/encoded_golden.json"
);

fn study() -> Study {
    let study = sampled_study(RandomSampler::with_seed(5));
    study
        .optimize(80, |t| {
            let x = t.suggest_float("x", -2.0, 2.0)?;
            let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
            let s = t.suggest_float_step("s", 0.0, 1.0, 0.25)?;
            let n = t.suggest_int_step("n", 0, 20, 4)?;
            let m = t.suggest_int_log("m", 1, 256)?;
            let c = t.suggest_categorical("c", &["a", "b", "c", "d"])?;
            let ce = ["a", "b", "c", "d"].iter().position(|v| *v == c).unwrap() as f64;
            Ok(x * x + 0.3 * lr.log10().abs() + s + 0.05 * n as f64 + (m as f64).ln() * 0.2 + ce)
        })
        .unwrap();
    study
}

#[test]
fn forest_importances_match_the_recorded_ones() {
    let study = study();
    let mut ours = Map::new();
    for (name, options) in [
        (
            "fanova",
            ImportanceOptions::new().evaluator(FanovaEvaluator::new().seed(0)),
        ),
        (
            "mdi",
            ImportanceOptions::new().evaluator(MeanDecreaseImpurityEvaluator::new().seed(0)),
        ),
    ] {
        let imp = param_importances(&study, &options.normalize(false)).unwrap();
        let m: Map<String, Value> = imp.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
        ours.insert(name.into(), Value::Object(m));
    }
    let ours = Value::Object(ours);
    if std::env::var_os("HPO_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&ours).unwrap();
        std::fs::write(GOLDEN, text + "\n").unwrap();
        return;
    }
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    assert_eq!(ours, golden);
}
