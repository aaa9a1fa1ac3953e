//! The coordinates CMA-ES works in: every parameter mapped onto `[0, 1]`.
//!
//! This is Optuna's `_SearchSpaceTransform(transform_0_1=True)` for Float and Int parameters:
//! log-scale parameters are mapped in log space, and stepped (or integer) parameters are widened
//! by half a step on each side so that every grid point owns an interval of the same length,
//! then rounded back onto the grid. CMA-ES with margin handles the grid itself, so in that mode
//! the ranges are not widened (`transform_step = false`) and each stepped coordinate reports its
//! grid spacing instead.

use hpo_core::Distribution;

/// The `[0, 1]` transform of one search space (parameters in a fixed order).
#[derive(Debug, Clone)]
pub(crate) struct Transform {
    names: Vec<String>,
    dists: Vec<Distribution>,
    /// `(low, high)` of each coordinate before scaling to `[0, 1]`.
    raw: Vec<(f64, f64)>,
}

impl Transform {
    /// The transform of `space` (Float and Int distributions only). With `widen_steps` the
    /// stepped ranges get half a step on each side (Optuna's `transform_step=True`).
    pub fn new(space: &[(String, Distribution)], widen_steps: bool) -> Transform {
        let mut names = Vec::with_capacity(space.len());
        let mut dists = Vec::with_capacity(space.len());
        let mut raw = Vec::with_capacity(space.len());
        for (name, dist) in space {
            let bounds = match dist {
                Distribution::Float(f) => {
                    if f.log {
                        (f.low.ln(), f.high.ln())
                    } else if let (Some(s), true) = (f.step, widen_steps) {
                        (f.low - 0.5 * s, f.high + 0.5 * s)
                    } else {
                        (f.low, f.high)
                    }
                }
                Distribution::Int(i) => {
                    let half = if widen_steps {
                        0.5 * i.step as f64
                    } else {
                        0.0
                    };
                    if i.log {
                        ((i.low as f64 - half).ln(), (i.high as f64 + half).ln())
                    } else {
                        (i.low as f64 - half, i.high as f64 + half)
                    }
                }
                // The relative space never holds categoricals; give them a harmless range.
                Distribution::Categorical(c) => (0.0, c.choices().len().saturating_sub(1) as f64),
            };
            names.push(name.clone());
            dists.push(dist.clone());
            raw.push(bounds);
        }
        Transform { names, dists, raw }
    }

    /// Number of coordinates.
    pub fn dim(&self) -> usize {
        self.names.len()
    }

    /// Parameter names, in coordinate order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Distributions, in coordinate order.
    pub fn distributions(&self) -> &[Distribution] {
        &self.dists
    }

    /// The grid spacing of each coordinate in `[0, 1]` units for CMA-ES with margin (Optuna's
    /// `steps`): `step / (high - low)` for stepped floats and non-log ints, 0 (continuous) for
    /// everything else.
    pub fn margin_steps(&self) -> Vec<f64> {
        self.dists
            .iter()
            .map(|d| match d {
                Distribution::Float(f) => match f.step {
                    Some(s) if !f.log && f.high > f.low => s / (f.high - f.low),
                    Some(_) if !f.log => 1.0,
                    _ => 0.0,
                },
                Distribution::Int(i) if !i.log => {
                    if i.high > i.low {
                        i.step as f64 / (i.high - i.low) as f64
                    } else {
                        1.0
                    }
                }
                _ => 0.0,
            })
            .collect()
    }

    /// The `[0, 1]` coordinate of internal value `x` of coordinate `k`.
    pub fn encode_one(&self, k: usize, x: f64) -> f64 {
        let (lo, hi) = self.raw[k];
        let log = match &self.dists[k] {
            Distribution::Float(f) => f.log,
            Distribution::Int(i) => i.log,
            Distribution::Categorical(_) => false,
        };
        let v = if log { x.ln() } else { x };
        if hi == lo { 0.5 } else { (v - lo) / (hi - lo) }
    }

    /// The internal value of coordinate `k` at `[0, 1]` position `u`: back to the original
    /// scale, rounded onto the grid of stepped and integer parameters, and kept in range.
    pub fn decode_one(&self, k: usize, u: f64) -> f64 {
        let (lo, hi) = self.raw[k];
        let v = lo + u * (hi - lo);
        match &self.dists[k] {
            Distribution::Float(f) => {
                if f.log {
                    v.exp().clamp(f.low, f.high.next_down().max(f.low))
                } else if let Some(s) = f.step {
                    let x = ((v - f.low) / s).round_ties_even() * s + f.low;
                    x.clamp(f.low, f.high)
                } else {
                    v.clamp(f.low, f.high.next_down().max(f.low))
                }
            }
            Distribution::Int(i) => {
                let (low, high) = (i.low as f64, i.high as f64);
                if i.log {
                    v.exp().round_ties_even().clamp(low, high)
                } else {
                    let step = i.step as f64;
                    let k = ((v - low) / step + 0.5).floor();
                    (k * step + low).clamp(low, high)
                }
            }
            Distribution::Categorical(c) => v
                .round()
                .clamp(0.0, c.choices().len().saturating_sub(1) as f64),
        }
    }

    /// The internal values of a `[0, 1]` vector, by parameter name.
    pub fn decode(&self, u: &[f64]) -> Vec<(String, f64)> {
        (0..self.dim())
            .map(|k| (self.names[k].clone(), self.decode_one(k, u[k])))
            .collect()
    }

    /// The `[0, 1]` vector of a trial's internal values (`None` when a parameter is missing).
    pub fn encode_with(&self, internal: impl Fn(&str) -> Option<f64>) -> Option<Vec<f64>> {
        (0..self.dim())
            .map(|k| internal(&self.names[k]).map(|x| self.encode_one(k, x)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpo_core::{FloatDistribution, IntDistribution};

    fn space() -> Vec<(String, Distribution)> {
        vec![
            (
                "a".into(),
                Distribution::Float(FloatDistribution::new(-2.0, 3.0, false, None).unwrap()),
            ),
            (
                "b".into(),
                Distribution::Float(FloatDistribution::new(1e-4, 1.0, true, None).unwrap()),
            ),
            (
                "c".into(),
                Distribution::Int(IntDistribution::new(1, 9, false, 2).unwrap()),
            ),
            (
                "d".into(),
                Distribution::Int(IntDistribution::new(1, 1000, true, 1).unwrap()),
            ),
            (
                "e".into(),
                Distribution::Float(FloatDistribution::new(0.0, 1.0, false, Some(0.25)).unwrap()),
            ),
        ]
    }

    #[test]
    fn round_trips_and_stays_on_the_grid() {
        for widen in [true, false] {
            let t = Transform::new(&space(), widen);
            for i in 0..=200 {
                let u = i as f64 / 200.0;
                for (k, (_, d)) in space().iter().enumerate() {
                    let x = t.decode_one(k, u);
                    assert!(d.contains(x), "{d} does not contain {x} (u={u})");
                    // Grid points and continuous values map back to themselves.
                    let back = t.decode_one(k, t.encode_one(k, x));
                    assert!((back - x).abs() <= 1e-9 * x.abs().max(1.0), "{x} -> {back}");
                }
            }
        }
    }

    #[test]
    fn widened_int_grid_points_own_equal_intervals() {
        let t = Transform::new(&space(), true);
        // c: 1, 3, 5, 7, 9 over [0, 10] -> each value owns a fifth of [0, 1].
        let counts = (0..1000).fold([0; 5], |mut acc, i| {
            let x = t.decode_one(2, (i as f64 + 0.5) / 1000.0);
            acc[((x - 1.0) / 2.0) as usize] += 1;
            acc
        });
        assert_eq!(counts, [200; 5]);
        assert_eq!(t.margin_steps()[2], 0.25);
        let m = Transform::new(&space(), false);
        assert_eq!(m.margin_steps(), vec![0.0, 0.0, 0.25, 0.0, 0.25]);
        assert_eq!(m.encode_one(2, 1.0), 0.0);
        assert_eq!(m.encode_one(2, 9.0), 1.0);
    }
}
