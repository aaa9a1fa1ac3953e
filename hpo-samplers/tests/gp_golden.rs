//! The GP model against Optuna 5.0 on the same data: the MAP hyperparameters of
//! `GaussianProcess::fit` equal those of Optuna's `fit_kernel_params` (golden values made by
//! `tests/data/gp_fit_golden.py`).

use hpo_samplers::gp::GaussianProcess;
use serde_json::Value;

#[test]
fn hyperparameters_match_optuna_on_the_same_data() {
    let text = include_str!("data/gp_fit_hartmann6_30.json");
    let v: Value = serde_json::from_str(text).unwrap();
    let x: Vec<Vec<f64>> = serde_json::from_value(v["x"].clone()).unwrap();
    let y: Vec<f64> = serde_json::from_value(v["y"].clone()).unwrap();
    let gp = GaussianProcess::fit(&x, &y, &vec![false; x[0].len()]).unwrap();
    let ours = gp.kernel_params();
    let golden = &v["optuna"];
    let isl: Vec<f64> =
        serde_json::from_value(golden["inverse_squared_lengthscales"].clone()).unwrap();
    // Both optimisers stop at a projected gradient of 1e-2 in log space, so the optima agree to
    // about half a percent, not to the last digit.
    for (a, b) in ours.inverse_squared_lengthscales.iter().zip(&isl) {
        assert!((a / b - 1.0).abs() < 0.01, "isl {a} vs Optuna {b}");
    }
    let scale = golden["kernel_scale"].as_f64().unwrap();
    assert!(
        (ours.kernel_scale / scale - 1.0).abs() < 0.01,
        "{} vs {scale}",
        ours.kernel_scale
    );
    let noise = golden["noise_var"].as_f64().unwrap();
    assert!(
        (ours.noise_var / noise - 1.0).abs() < 0.05,
        "{} vs {noise}",
        ours.noise_var
    );
}
