//! The ZDT two-objective test problems (Zitzler, Deb and Thiele, 2000), both objectives
//! minimised, with their standard dimensions and bounds: ZDT1-3 have 30 variables in [0, 1];
//! ZDT4 has 10 (x0 in [0, 1], the others in [-5, 5]); ZDT6 has 10 in [0, 1]. Parameters are
//! named `x0..x{n-1}` and suggested in that order. On the true Pareto front every variable but
//! x0 is 0, so g = 1.

use std::f64::consts::PI;

use hpo::{Trial, TrialError};

/// A two-objective minimisation problem.
pub struct Zdt {
    /// Name as in the JSON files (`zdt1`, ...).
    pub name: &'static str,
    /// Number of variables.
    pub n_vars: usize,
    /// Bounds of variable `i`.
    pub bounds: fn(usize) -> (f64, f64),
    /// The two objectives at `x`.
    pub eval: fn(&[f64]) -> [f64; 2],
}

impl Zdt {
    /// Suggests `x0..x{n-1}` in order and returns both objectives.
    pub fn objective(&self, t: &mut Trial) -> Result<[f64; 2], TrialError> {
        let x: Vec<f64> = (0..self.n_vars)
            .map(|i| {
                let (low, high) = (self.bounds)(i);
                t.suggest_float(&format!("x{i}"), low, high)
            })
            .collect::<Result<_, _>>()?;
        Ok((self.eval)(&x))
    }
}

/// `1 + 9 * mean(x[1..])`, the distance function of ZDT1-3.
fn g_linear(x: &[f64]) -> f64 {
    1.0 + 9.0 * x[1..].iter().sum::<f64>() / (x.len() - 1) as f64
}

/// ZDT1: convex front `f2 = 1 - sqrt(f1)`.
pub fn zdt1(x: &[f64]) -> [f64; 2] {
    let f1 = x[0];
    let g = g_linear(x);
    [f1, g * (1.0 - (f1 / g).sqrt())]
}

/// ZDT2: concave front `f2 = 1 - f1^2`.
pub fn zdt2(x: &[f64]) -> [f64; 2] {
    let f1 = x[0];
    let g = g_linear(x);
    [f1, g * (1.0 - (f1 / g).powi(2))]
}

/// ZDT3: disconnected front `f2 = 1 - sqrt(f1) - f1 sin(10 pi f1)` (its non-dominated parts).
pub fn zdt3(x: &[f64]) -> [f64; 2] {
    let f1 = x[0];
    let g = g_linear(x);
    let r = f1 / g;
    [f1, g * (1.0 - r.sqrt() - r * (10.0 * PI * f1).sin())]
}

/// ZDT4: ZDT1's front behind 21^9 local fronts (Rastrigin-like g).
pub fn zdt4(x: &[f64]) -> [f64; 2] {
    let f1 = x[0];
    let g = 1.0
        + 10.0 * (x.len() - 1) as f64
        + x[1..]
            .iter()
            .map(|v| v * v - 10.0 * (4.0 * PI * v).cos())
            .sum::<f64>();
    [f1, g * (1.0 - (f1 / g).sqrt())]
}

/// ZDT6: non-uniform concave front `f2 = 1 - f1^2` with f1 in [0.2807753191, 1].
pub fn zdt6(x: &[f64]) -> [f64; 2] {
    let f1 = 1.0 - (-4.0 * x[0]).exp() * (6.0 * PI * x[0]).sin().powi(6);
    let g = 1.0 + 9.0 * (x[1..].iter().sum::<f64>() / (x.len() - 1) as f64).powf(0.25);
    [f1, g * (1.0 - (f1 / g).powi(2))]
}

/// The five problems, in order.
pub fn all() -> Vec<Zdt> {
    let unit: fn(usize) -> (f64, f64) = |_| (0.0, 1.0);
    vec![
        Zdt {
            name: "zdt1",
            n_vars: 30,
            bounds: unit,
            eval: zdt1,
        },
        Zdt {
            name: "zdt2",
            n_vars: 30,
            bounds: unit,
            eval: zdt2,
        },
        Zdt {
            name: "zdt3",
            n_vars: 30,
            bounds: unit,
            eval: zdt3,
        },
        Zdt {
            name: "zdt4",
            n_vars: 10,
            bounds: |i| if i == 0 { (0.0, 1.0) } else { (-5.0, 5.0) },
            eval: zdt4,
        },
        Zdt {
            name: "zdt6",
            n_vars: 10,
            bounds: unit,
            eval: zdt6,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_front(n: usize, x0: f64) -> Vec<f64> {
        let mut x = vec![0.0; n];
        x[0] = x0;
        x
    }

    fn close(a: [f64; 2], b: [f64; 2]) {
        assert!(
            (a[0] - b[0]).abs() < 1e-12 && (a[1] - b[1]).abs() < 1e-12,
            "{a:?} vs {b:?}"
        );
    }

    #[test]
    fn zdt1_front_and_off_front() {
        close(zdt1(&on_front(30, 0.25)), [0.25, 0.5]);
        close(zdt1(&on_front(30, 0.0)), [0.0, 1.0]);
        close(zdt1(&on_front(30, 1.0)), [1.0, 0.0]);
        // All ones: g = 10.
        close(zdt1(&[1.0; 30]), [1.0, 10.0 * (1.0 - 0.1f64.sqrt())]);
    }

    #[test]
    fn zdt2_front() {
        close(zdt2(&on_front(30, 0.5)), [0.5, 0.75]);
        close(zdt2(&on_front(30, 1.0)), [1.0, 0.0]);
    }

    #[test]
    fn zdt3_front() {
        let f1 = 0.1;
        close(
            zdt3(&on_front(30, f1)),
            [f1, 1.0 - f1.sqrt() - f1 * (PI).sin()],
        );
        // The front's lowest point is near f1 = 0.8518 with f2 = -0.7733.
        let [_, f2] = zdt3(&on_front(30, 0.851_832_8));
        assert!((f2 + 0.773_369).abs() < 1e-5, "{f2}");
    }

    #[test]
    fn zdt4_front() {
        close(zdt4(&on_front(10, 0.36)), [0.36, 0.4]);
        // A local front: x_i = 1 gives cos(4 pi) = 1 too, g = 1 + 9 * 1 = 10.
        let mut x = vec![1.0; 10];
        x[0] = 0.0;
        close(zdt4(&x), [0.0, 10.0]);
    }

    #[test]
    fn zdt6_front() {
        close(zdt6(&on_front(10, 0.0)), [1.0, 0.0]);
        let x0: f64 = 0.1;
        let f1 = 1.0 - (-4.0 * x0).exp() * (6.0 * PI * x0).sin().powi(6);
        close(zdt6(&on_front(10, x0)), [f1, 1.0 - f1 * f1]);
    }

    #[test]
    fn problems_have_standard_sizes_and_bounds() {
        let p = all();
        let sizes: Vec<(&str, usize)> = p.iter().map(|z| (z.name, z.n_vars)).collect();
        assert_eq!(
            sizes,
            vec![
                ("zdt1", 30),
                ("zdt2", 30),
                ("zdt3", 30),
                ("zdt4", 10),
                ("zdt6", 10)
            ]
        );
        assert_eq!((p[3].bounds)(0), (0.0, 1.0));
        assert_eq!((p[3].bounds)(5), (-5.0, 5.0));
    }
}
