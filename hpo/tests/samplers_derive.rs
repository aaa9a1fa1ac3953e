//! Samplers over spaces declared with `#[derive(SearchSpace)]` (hpo-samplers and hpo-derive
//! together, so here in the facade's tests): a grid from a derived space, and TPE on typed
//! spaces (variants, group mode).

use hpo::prelude::*;
use hpo::samplers::GridSampler;

#[test]
fn grid_from_a_derived_space_and_its_errors() {
    #[derive(SearchSpace, Debug)]
    struct Cfg {
        #[space(int(1, 3))]
        n: i64,
        #[space(float(0.0, 1.0), step = 0.5)]
        f: f64,
        flag: bool,
    }
    let grid = GridSampler::from_space(&Cfg::space().unwrap()).unwrap();
    assert_eq!(grid.n_grids(), 3 * 3 * 2);
    let study = Study::builder().sampler(grid.seed(2)).build().unwrap();
    study
        .optimize_typed(100, |c: Cfg, _| {
            Ok(c.n as f64 + c.f + f64::from(u8::from(c.flag)))
        })
        .unwrap();
    assert_eq!(study.n_trials().unwrap(), 18);

    #[derive(SearchSpace, Debug)]
    struct Continuous {
        #[space(float(0.0, 1.0))]
        x: f64,
    }
    let err = GridSampler::from_space(&Continuous::space().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`x`"), "{err}");
}

#[test]
fn derived_variants_learn_from_their_own_history() {
    #[derive(SearchSpace, Debug, Clone)]
    enum Optimizer {
        Adam {
            #[space(float(0.0, 1.0))]
            beta: f64,
        },
        Sgd {
            #[space(float(0.0, 1.0))]
            momentum: f64,
        },
    }
    // Each variant has its own optimum: the sampler must model `momentum` from SGD trials and
    // `beta` from Adam trials.
    let study = Study::builder()
        .sampler(TpeSampler::with_seed(3))
        .build()
        .unwrap();
    study
        .optimize_typed(150, |o: Optimizer, _| {
            Ok(match o {
                Optimizer::Adam { beta } => (beta - 0.2).powi(2),
                Optimizer::Sgd { momentum } => (momentum - 0.9).powi(2),
            })
        })
        .unwrap();
    let trials = study.trials().unwrap();
    let late = &trials[75..];
    let err = |name: &str, target: f64| {
        let v: Vec<f64> = late
            .iter()
            .filter_map(|t| t.param(name)?.as_f64())
            .map(|x| (x - target).abs())
            .collect();
        (v.iter().sum::<f64>() / v.len().max(1) as f64, v.len())
    };
    let (m_err, m_n) = err("optimizer.sgd.momentum", 0.9);
    let (b_err, b_n) = err("optimizer.adam.beta", 0.2);
    assert!(m_n + b_n == 75);
    if m_n >= 5 {
        assert!(m_err < 0.2, "momentum mean distance to 0.9: {m_err}");
    }
    if b_n >= 5 {
        assert!(b_err < 0.2, "beta mean distance to 0.2: {b_err}");
    }
}

#[test]
fn group_mode_follows_the_declared_tree() {
    #[derive(SearchSpace, Debug, Clone)]
    struct Cfg {
        #[space(float(-3.0, 3.0))]
        x: f64,
        #[space(float(0.0, 1.0))]
        y: Option<f64>,
    }
    let study = Study::builder()
        .sampler(TpeSampler::with_seed(4).group(true))
        .build()
        .unwrap();
    study
        .optimize_typed(60, |c: Cfg, _| {
            Ok(c.x * c.x + c.y.map_or(0.5, |y| (y - 0.3).powi(2)))
        })
        .unwrap();
    assert!(study.best_value().unwrap() < 0.1);
}
