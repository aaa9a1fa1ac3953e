//! The benchmark problems, the same as `bench/optuna/problems.py` defines them for Optuna's side
//! (parameter names, bounds, suggestion order, formulas, optima).

use std::f64::consts::{E, PI};

use hpo::rng::splitmix64;
use hpo::{Trial, TrialError};

/// A continuous or mixed minimisation problem.
pub struct Problem {
    /// Name as in the JSON files.
    pub name: &'static str,
    /// Known global minimum.
    pub optimum: f64,
    /// Suggests the parameters in the specified order and returns the value.
    pub objective: fn(&mut Trial) -> Result<f64, TrialError>,
}

fn xs(t: &mut Trial, d: usize, low: f64, high: f64) -> Result<Vec<f64>, TrialError> {
    (0..d)
        .map(|i| Ok(t.suggest_float(&format!("x{i}"), low, high)?))
        .collect()
}

/// Branin on x1 in [-5, 10], x2 in [0, 15].
pub fn branin(x1: f64, x2: f64) -> f64 {
    let (a, b, c, r, s, t) = (
        1.0,
        5.1 / (4.0 * PI * PI),
        5.0 / PI,
        6.0,
        10.0,
        1.0 / (8.0 * PI),
    );
    a * (x2 - b * x1 * x1 + c * x1 - r).powi(2) + s * (1.0 - t) * x1.cos() + s
}

/// Hartmann6 on [0, 1]^6.
pub fn hartmann6(x: &[f64]) -> f64 {
    const ALPHA: [f64; 4] = [1.0, 1.2, 3.0, 3.2];
    const A: [[f64; 6]; 4] = [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ];
    const P: [[f64; 6]; 4] = [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];
    let mut total = 0.0;
    for i in 0..4 {
        let mut inner = 0.0;
        for j in 0..6 {
            inner += A[i][j] * (x[j] - P[i][j]).powi(2);
        }
        total += ALPHA[i] * (-inner).exp();
    }
    -total
}

/// Rosenbrock.
pub fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

/// Ackley.
pub fn ackley(x: &[f64]) -> f64 {
    let d = x.len() as f64;
    let (a, b, c) = (20.0, 0.2, 2.0 * PI);
    let s1: f64 = x.iter().map(|v| v * v).sum();
    let s2: f64 = x.iter().map(|v| (c * v).cos()).sum();
    -a * (-b * (s1 / d).sqrt()).exp() - (s2 / d).exp() + a + E
}

/// Styblinski-Tang.
pub fn styblinski_tang(x: &[f64]) -> f64 {
    0.5 * x
        .iter()
        .map(|v| v.powi(4) - 16.0 * v * v + 5.0 * v)
        .sum::<f64>()
}

/// Levy.
pub fn levy(x: &[f64]) -> f64 {
    let w: Vec<f64> = x.iter().map(|v| 1.0 + (v - 1.0) / 4.0).collect();
    let d = w.len();
    let mut f = (PI * w[0]).sin().powi(2);
    for wi in &w[..d - 1] {
        f += (wi - 1.0).powi(2) * (1.0 + 10.0 * (PI * wi + 1.0).sin().powi(2));
    }
    f + (w[d - 1] - 1.0).powi(2) * (1.0 + (2.0 * PI * w[d - 1]).sin().powi(2))
}

/// The mixed-hpo loss for given parameters (momentum only for sgd).
#[allow(clippy::too_many_arguments)]
pub fn mixed_hpo(
    lr: f64,
    n_layers: i64,
    width: i64,
    dropout: f64,
    optimizer: &str,
    momentum: f64,
    batch_size: i64,
) -> f64 {
    let u = lr.log10();
    let lw = (width as f64).log2();
    let nl = n_layers as f64;
    let bs = batch_size as f64;
    let base = match optimizer {
        "adam" => 0.0,
        "rmsprop" => 0.05,
        _ => 0.10 + 0.4 * (momentum - 0.9).powi(2),
    };
    let c = match optimizer {
        "adam" => -3.0,
        "rmsprop" => -3.5,
        _ => -1.5,
    };
    let u_star = c + 0.5 * (bs / 64.0).log10();
    let lr_term = 0.5 * (u - u_star).powi(2);
    let diverge = if u - u_star > 1.0 { 1.0 } else { 0.0 };
    let cap_term = 0.1 * (nl - 3.0).powi(2) + 0.15 * (lw - 7.0).powi(2);
    let d_star = 0.1 + 0.05 * (nl - 1.0) + 0.02 * (lw - 7.0);
    let drop_term = 2.0 * (dropout - d_star).powi(2);
    let bs_term = 0.02 * (bs.log2() - 6.0).powi(2);
    0.05 + base + lr_term + diverge + cap_term + drop_term + bs_term
}

fn mixed_hpo_objective(t: &mut Trial) -> Result<f64, TrialError> {
    let lr = t.suggest_float_log("lr", 1e-5, 1e-1)?;
    let n_layers = t.suggest_int("n_layers", 1, 4)?;
    let width = t.suggest_int_log("width", 16, 512)?;
    let dropout = t.suggest_float("dropout", 0.0, 0.5)?;
    let optimizer = t.suggest_categorical("optimizer", &["adam", "sgd", "rmsprop"])?;
    let momentum = if optimizer == "sgd" {
        t.suggest_float("momentum", 0.0, 0.99)?
    } else {
        0.0
    };
    let batch_size = t.suggest_int_step("batch_size", 16, 256, 16)?;
    Ok(mixed_hpo(
        lr, n_layers, width, dropout, optimizer, momentum, batch_size,
    ))
}

/// Every benchmark problem (lc50 and sphere have their own runners).
pub fn all() -> Vec<Problem> {
    vec![
        Problem {
            name: "branin",
            optimum: 0.397_887_357_729_738_16,
            objective: |t| {
                let x1 = t.suggest_float("x0", -5.0, 10.0)?;
                let x2 = t.suggest_float("x1", 0.0, 15.0)?;
                Ok(branin(x1, x2))
            },
        },
        Problem {
            name: "hartmann6",
            optimum: -3.322_368_011_415_515,
            objective: |t| Ok(hartmann6(&xs(t, 6, 0.0, 1.0)?)),
        },
        Problem {
            name: "rosenbrock10",
            optimum: 0.0,
            objective: |t| Ok(rosenbrock(&xs(t, 10, -5.0, 10.0)?)),
        },
        Problem {
            name: "ackley10",
            optimum: 0.0,
            objective: |t| Ok(ackley(&xs(t, 10, -32.768, 32.768)?)),
        },
        Problem {
            name: "styblinski_tang10",
            optimum: -391.661_657_037_714_1,
            objective: |t| Ok(styblinski_tang(&xs(t, 10, -5.0, 5.0)?)),
        },
        Problem {
            name: "levy10",
            optimum: 0.0,
            objective: |t| Ok(levy(&xs(t, 10, -10.0, 10.0)?)),
        },
        Problem {
            name: "mixed-hpo",
            optimum: 0.05,
            objective: mixed_hpo_objective,
        },
    ]
}

/// lc50's deterministic noise: uniform with standard deviation 0.01.
pub fn lc_noise(seed: u64, trial_number: u64, epoch: u64) -> f64 {
    let key = (seed & 0xFF_FFFF) << 40 | (trial_number & 0xF_FFFF) << 20 | (epoch & 0xF_FFFF);
    let u01 = (splitmix64(key) >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    0.01 * 3f64.sqrt() * (2.0 * u01 - 1.0)
}

/// Number of epochs of lc50.
pub const LC_EPOCHS: u64 = 50;
/// Known optimum of the noise-free final loss.
pub const LC_OPTIMUM: f64 = 0.100_028_176_297_675;

/// lc50's noise-free loss after `epoch` epochs.
pub fn lc_clean(lr: f64, width: i64, dropout: f64, epoch: u64) -> f64 {
    let u = lr.log10();
    let w = (width as f64).log2();
    let t = epoch as f64;
    let l_inf = 0.1 + 0.08 * (u + 2.0).powi(2) + 0.03 * (w - 8.0).powi(2);
    let k = 0.3 * 10f64.powf(0.5 * (u + 2.0)) * (1.0 - dropout);
    let ov = 2.0 * (0.25 - dropout).max(0.0).powi(2) * (w / 8.0);
    l_inf + (2.3 - l_inf) * (-k * t).exp() + ov * (t / LC_EPOCHS as f64).powi(2)
}

/// lc50's noisy loss.
pub fn lc_value(
    seed: u64,
    trial_number: u64,
    lr: f64,
    width: i64,
    dropout: f64,
    epoch: u64,
) -> f64 {
    lc_clean(lr, width, dropout, epoch) + lc_noise(seed, trial_number, epoch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_optima() {
        assert_eq!(branin(PI, 2.275), 0.397_887_357_729_738_16);
        assert!((branin(-PI, 12.275) - 0.397_887_357_729_738_16).abs() < 1e-14);
        let h = hartmann6(&[0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]);
        assert!((h - -3.322_368_011_391_339).abs() < 1e-12, "{h}");
        assert_eq!(rosenbrock(&[1.0; 10]), 0.0);
        assert!(ackley(&[0.0; 10]).abs() < 1e-15);
        let v = -2.903_534_027_771_178;
        assert!((styblinski_tang(&[v; 10]) - -391.661_657_037_714_1).abs() < 1e-10);
        assert!(levy(&[1.0; 10]).abs() < 1e-30);
        assert_eq!(mixed_hpo(1e-3, 3, 128, 0.2, "adam", 0.0, 64), 0.05);
        assert!((mixed_hpo(10f64.powf(-1.5), 3, 128, 0.2, "sgd", 0.9, 64) - 0.15).abs() < 1e-12);
        assert!(
            (mixed_hpo(10f64.powf(-3.5), 3, 128, 0.2, "rmsprop", 0.0, 64) - 0.10).abs() < 1e-12
        );
    }

    #[test]
    fn lc50_noise_check_values() {
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(lc_noise(0, 0, 1), 0.002_305_760_600_604_113_3);
        // The documented optimum of the noise-free final loss.
        let best = lc_clean(0.010052, 256, 0.24990, LC_EPOCHS);
        assert!((best - LC_OPTIMUM).abs() < 1e-6, "{best}");
    }
}
