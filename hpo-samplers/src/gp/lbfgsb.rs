//! Box-constrained limited-memory BFGS: a projected L-BFGS, the workhorse behind the GP's
//! hyperparameter fit (unbounded) and its acquisition search (inside `[0, 1]`).
//!
//! Each iteration fixes the variables sitting on a bound whose gradient pushes outwards, builds
//! the two-loop L-BFGS direction on the free ones, and backtracks along the projected path
//! until the Armijo condition holds. It stops when the projected gradient is below `pgtol` (as
//! SciPy's `pgtol`/`gtol`), when the relative decrease falls under `ftol`, or after `max_iters`.

/// Stopping rules and memory size.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Iteration cap.
    pub max_iters: usize,
    /// Stop when `max_i |P(x - g)_i - x_i| <= pgtol`.
    pub pgtol: f64,
    /// Stop when `(f_old - f_new) / max(|f_old|, |f_new|, 1) <= ftol`.
    pub ftol: f64,
    /// Correction pairs kept.
    pub memory: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_iters: 200,
            pgtol: 1e-5,
            ftol: 2.220_446_049_250_313e-9,
            memory: 10,
        }
    }
}

/// What a run ended with.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The objective at the returned point.
    pub f: f64,
}

fn project(x: &mut [f64], lower: &[f64], upper: &[f64]) {
    for ((v, &l), &u) in x.iter_mut().zip(lower).zip(upper) {
        *v = v.clamp(l, u);
    }
}

fn projected_gradient_norm(x: &[f64], g: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    x.iter()
        .zip(g)
        .zip(lower.iter().zip(upper))
        .map(|((&xi, &gi), (&l, &u))| ((xi - gi).clamp(l, u) - xi).abs())
        .fold(0.0, f64::max)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `f` (which returns the value and writes the gradient) from `x`, which is
/// projected into the box first and holds the best point found on return. Non-finite values
/// count as "worse than anything" so the line search backs away from them.
pub fn minimize<F>(mut f: F, x: &mut [f64], lower: &[f64], upper: &[f64], opts: Options) -> Outcome
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x.len();
    project(x, lower, upper);
    let mut g = vec![0.0; n];
    let mut fx = f(x, &mut g);
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Outcome { f: fx };
    }
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(opts.memory);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(opts.memory);
    let mut d = vec![0.0; n];
    let mut free = vec![true; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut alpha = vec![0.0; opts.memory];
    let mut iters = 0;
    while iters < opts.max_iters {
        if projected_gradient_norm(x, &g, lower, upper) <= opts.pgtol {
            break;
        }
        iters += 1;
        // Variables held at a bound by an outward gradient stay fixed this iteration.
        for i in 0..n {
            free[i] = !((x[i] <= lower[i] && g[i] > 0.0) || (x[i] >= upper[i] && g[i] < 0.0));
        }
        // Two-loop recursion on the free variables.
        for i in 0..n {
            d[i] = if free[i] { -g[i] } else { 0.0 };
        }
        let m = s_hist.len();
        for k in (0..m).rev() {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            let a = rho * dot(&s_hist[k], &d);
            alpha[k] = a;
            for i in 0..n {
                d[i] -= a * y_hist[k][i];
            }
        }
        if m > 0 {
            let gamma = dot(&s_hist[m - 1], &y_hist[m - 1]) / dot(&y_hist[m - 1], &y_hist[m - 1]);
            d.iter_mut().for_each(|v| *v *= gamma);
        }
        for k in 0..m {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            let b = rho * dot(&y_hist[k], &d);
            for i in 0..n {
                d[i] += (alpha[k] - b) * s_hist[k][i];
            }
        }
        for i in 0..n {
            if !free[i] {
                d[i] = 0.0;
            }
        }
        let mut slope = dot(&d, &g);
        // (Written so that a NaN slope also counts as "not a descent direction".)
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction: forget the curvature pairs and follow the gradient.
            s_hist.clear();
            y_hist.clear();
            for i in 0..n {
                d[i] = if free[i] { -g[i] } else { 0.0 };
            }
            slope = dot(&d, &g);
            if slope.is_nan() || slope >= 0.0 {
                break;
            }
        }
        // The first step is scaled so that it moves about one unit.
        let mut t = if s_hist.is_empty() {
            (1.0 / d.iter().map(|v| v.abs()).fold(0.0, f64::max)).min(1.0)
        } else {
            1.0
        };
        let mut accepted = false;
        let mut f_new = f64::INFINITY;
        for _ in 0..30 {
            for i in 0..n {
                x_new[i] = (x[i] + t * d[i]).clamp(lower[i], upper[i]);
            }
            let decrease: f64 = x_new
                .iter()
                .zip(x.iter())
                .zip(&g)
                .map(|((a, b), gi)| (a - b) * gi)
                .sum();
            f_new = f(&x_new, &mut g_new);
            if f_new.is_finite()
                && g_new.iter().all(|v| v.is_finite())
                && f_new <= fx + 1e-4 * decrease.min(0.0)
            {
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
        let s: Vec<f64> = x_new.iter().zip(x.iter()).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-10 * dot(&y, &y).max(f64::MIN_POSITIVE) {
            if s_hist.len() == opts.memory {
                s_hist.remove(0);
                y_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
        }
        let f_old = fx;
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        fx = f_new;
        if (f_old - fx) / f_old.abs().max(fx.abs()).max(1.0) <= opts.ftol {
            break;
        }
    }
    Outcome { f: fx }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconstrained_rosenbrock() {
        let f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let mut x = [-1.2, 1.0];
        let inf = f64::INFINITY;
        let out = minimize(
            f,
            &mut x,
            &[-inf, -inf],
            &[inf, inf],
            Options {
                ftol: 0.0,
                ..Options::default()
            },
        );
        assert!(
            (x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4,
            "{x:?} {out:?}"
        );
    }

    #[test]
    fn active_bounds_are_respected() {
        // Minimum of (x-2)^2 + (y+3)^2 over [0,1]x[-1,1] is the corner (1, -1).
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 2.0);
            g[1] = 2.0 * (x[1] + 3.0);
            (x[0] - 2.0).powi(2) + (x[1] + 3.0).powi(2)
        };
        let mut x = [0.5, 0.5];
        minimize(f, &mut x, &[0.0, -1.0], &[1.0, 1.0], Options::default());
        assert_eq!(x, [1.0, -1.0]);
    }

    #[test]
    fn non_finite_regions_are_avoided() {
        // ln(x) is undefined below 0; the minimiser of x - ln(x) is x = 1.
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 1.0 - 1.0 / x[0];
            if x[0] <= 0.0 {
                f64::NAN
            } else {
                x[0] - x[0].ln()
            }
        };
        let mut x = [5.0];
        minimize(f, &mut x, &[-10.0], &[10.0], Options::default());
        assert!((x[0] - 1.0).abs() < 1e-4, "{x:?}");
    }
}
