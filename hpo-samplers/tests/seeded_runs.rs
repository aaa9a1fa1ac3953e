//! Seeded CMA-ES, sep-CMA, NSGA-II, NSGA-III and QMC studies on a mixed space give exactly the
//! trials recorded in `data/seeded_runs.json`: a refactoring of the samplers (their search-space
//! transform, the CMA-ES ask/tell loop) must not change what a seeded study samples.
//!
//! To record new golden values after an intended change of behaviour, run the test with
//! `HPO_BLESS=1` and say in the commit why the trials changed.

use hpo_core::{Sampler, Study, Trial, TrialError};
use hpo_samplers::{
    CmaEsSampler, Crossover, NsgaIIISampler, NsgaIISampler, PolynomialMutation, QmcKind,
    QmcSampler, RestartStrategy,
};
use serde_json::{Map, Value};

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::{MIN2, sampled_study, sampled_study_with};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seeded_runs.json");

/// Every kind of parameter: float, log float, stepped float, int, log int, stepped int,
/// categorical.
fn mixed(t: &mut Trial) -> Result<[f64; 2], TrialError> {
    let x = t.suggest_float("x", -3.0, 4.0)?;
    let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
    let s = t.suggest_float_step("s", -1.0, 1.0, 0.1)?;
    let n = t.suggest_int("n", -4, 9)?;
    let m = t.suggest_int_log("m", 1, 1000)?;
    let k = t.suggest_int_step("k", 0, 60, 15)?;
    let c = t.suggest_categorical("c", &["a", "b", "c"])?;
    let pen = match c {
        "a" => 0.0,
        "b" => 0.5,
        _ => 1.0,
    };
    let f1 = (x - 1.0).powi(2)
        + (lr.log10() + 3.0).powi(2)
        + s * s
        + (n as f64 - 2.0).powi(2)
        + (m as f64).ln()
        + k as f64 / 30.0
        + pen;
    let f2 = (x + 1.0).powi(2) + lr.log10().abs() + (s - 0.5).abs() + n as f64 * 0.1
        - (m as f64).ln() * 0.5
        + (60 - k) as f64 / 30.0
        + (1.0 - pen);
    Ok([f1, f2])
}

/// The internal values of every trial's parameters, in the order the objective suggested them.
fn params_of(study: &Study) -> Value {
    study
        .trials()
        .unwrap()
        .iter()
        .map(|t| {
            let m: Map<String, Value> = t
                .params
                .iter()
                .map(|(k, p)| (k.clone(), Value::from(p.internal)))
                .collect();
            Value::Object(m)
        })
        .collect()
}

fn single(sampler: impl Sampler + 'static, n: usize) -> Value {
    let study = sampled_study(sampler);
    study.optimize(n, |t| mixed(t).map(|v| v[0])).unwrap();
    params_of(&study)
}

fn multi(sampler: impl Sampler + 'static, n: usize) -> Value {
    let study = sampled_study_with(MIN2, sampler);
    study.optimize(n, mixed).unwrap();
    params_of(&study)
}

fn runs() -> Vec<(&'static str, Value)> {
    vec![
        ("cmaes", single(CmaEsSampler::with_seed(11), 50)),
        (
            "cmaes_margin",
            single(CmaEsSampler::with_seed(12).with_margin(true), 50),
        ),
        (
            "sep_cmaes",
            single(CmaEsSampler::with_seed(13).use_separable_cma(true), 50),
        ),
        (
            "cmaes_ipop",
            single(
                CmaEsSampler::with_seed(14)
                    .popsize(4)
                    .restart_strategy(RestartStrategy::Ipop),
                60,
            ),
        ),
        (
            "nsga2",
            multi(NsgaIISampler::with_seed(21).population_size(8), 48),
        ),
        (
            "nsga2_sbx_mutation",
            multi(
                NsgaIISampler::with_seed(22)
                    .population_size(8)
                    .crossover(Crossover::sbx())
                    .mutation(PolynomialMutation::default()),
                48,
            ),
        ),
        (
            "nsga2_undx",
            multi(
                NsgaIISampler::with_seed(23)
                    .population_size(8)
                    .crossover(Crossover::undx()),
                48,
            ),
        ),
        (
            "nsga3",
            multi(NsgaIIISampler::with_seed(24).population_size(8), 40),
        ),
        ("qmc_sobol", single(QmcSampler::new(QmcKind::Sobol, 31), 40)),
        (
            "qmc_halton",
            single(QmcSampler::new(QmcKind::Halton, 32), 40),
        ),
        (
            "qmc_sobol_plain",
            single(QmcSampler::new(QmcKind::Sobol, 33).scramble(false), 40),
        ),
        (
            "qmc_halton_plain",
            single(QmcSampler::new(QmcKind::Halton, 34).scramble(false), 40),
        ),
    ]
}

#[test]
fn seeded_studies_sample_the_recorded_trials() {
    let ours = runs();
    if std::env::var_os("HPO_BLESS").is_some() {
        let m: Map<String, Value> = ours.into_iter().map(|(k, v)| (k.into(), v)).collect();
        let text = serde_json::to_string_pretty(&Value::Object(m)).unwrap();
        std::fs::write(GOLDEN, text + "\n").unwrap();
        return;
    }
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    for (name, got) in ours {
        let want = &golden[name];
        let (got, want) = (got.as_array().unwrap(), want.as_array().unwrap());
        assert_eq!(got.len(), want.len(), "{name}: number of trials");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            // Exact: the JSON numbers round-trip every bit of an f64.
            assert_eq!(g, w, "{name}: trial {i}");
        }
    }
}
