//! The continuous coordinates samplers work in: Optuna's `_SearchSpaceTransform`.
//!
//! A [`SearchSpaceTransform`] maps the internal values of a search space's parameters onto real
//! columns and back:
//!
//! - a Float or Int parameter is one column: its value, on the log scale when the distribution
//!   is log and [`TransformOptions::log`] is on;
//! - a categorical parameter is one column per choice, one-hot (bounds `[0, 1]`); back, the
//!   largest column wins (the first on a tie);
//! - with [`TransformOptions::step`], a stepped Float and every Int get half a step more on each
//!   side of their bounds, so that every grid point owns an interval of the same length;
//! - with [`TransformOptions::unit`], every column is scaled onto `[0, 1]` by its bounds.
//!
//! Back from the columns ([`SearchSpaceTransform::untransform`]), values are rounded onto the
//! grid of stepped and integer parameters (halves to even) and clamped into range; a float is
//! only capped just below `high`, so a point below `low` stays out of range and a caller (NSGA's
//! crossover) can see that and retry. [`SearchSpaceTransform::untransform_clamped`] also keeps
//! floats at or above `low`, for samplers that want every value in range.
//!
//! CMA-ES, NSGA-II/III, QMC and the importance evaluators use this type; the GP sampler has its
//! own encoding (as Optuna's `_gp/search_space.py` does).
//!
//! ```
//! use hpo_core::Distribution;
//! use hpo_core::transform::{SearchSpaceTransform, TransformOptions};
//!
//! let space = [
//!     ("lr", Distribution::float_log(1e-4, 1.0).unwrap()),
//!     ("n", Distribution::int(0, 9).unwrap()),
//!     ("opt", Distribution::categorical(["adam", "sgd"]).unwrap()),
//! ];
//! let t = SearchSpaceTransform::new(space.iter().cloned(), TransformOptions::new().unit(true));
//! assert_eq!(t.n_columns(), 4);
//! let columns = t.transform(&[1e-2, 4.0, 1.0]);
//! assert!((columns[0] - 0.5).abs() < 1e-12); // halfway between 1e-4 and 1 on the log scale
//! assert_eq!(columns[1], 0.45); // 4 of [-0.5, 9.5]
//! assert_eq!(&columns[2..], &[0.0, 1.0]);
//! let back = t.untransform(&columns);
//! assert!((back[0] - 1e-2).abs() < 1e-15);
//! assert_eq!(&back[1..], &[4.0, 1.0]);
//! ```

use std::borrow::Borrow;
use std::ops::Range;

use crate::distributions::Distribution;

/// Which steps a [`SearchSpaceTransform`] takes (Optuna's `transform_log`, `transform_step` and
/// `transform_0_1`). [`TransformOptions::new`] is Optuna's default: log and step on, unit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransformOptions {
    log: bool,
    step: bool,
    unit: bool,
}

impl Default for TransformOptions {
    fn default() -> Self {
        TransformOptions::new()
    }
}

impl TransformOptions {
    /// Optuna's defaults: log scale and half-step padding on, no `[0, 1]` scaling.
    pub fn new() -> Self {
        TransformOptions {
            log: true,
            step: true,
            unit: false,
        }
    }

    crate::setters! {
        /// Log distributions on the log scale (`transform_log`).
        pub fn log(yes: bool) => self.log;

        /// Stepped floats and ints padded by half a step on each side (`transform_step`).
        pub fn step(yes: bool) => self.step;

        /// Every column scaled onto `[0, 1]` by its bounds (`transform_0_1`).
        pub fn unit(yes: bool) => self.unit;
    }
}

/// The transform of one search space, its parameters in a fixed order (see the
/// [module documentation](self)).
#[derive(Debug, Clone)]
pub struct SearchSpaceTransform {
    names: Vec<String>,
    dists: Vec<Distribution>,
    options: TransformOptions,
    /// The columns of each parameter.
    columns: Vec<Range<usize>>,
    /// The bounds of each column before `[0, 1]` scaling.
    raw: Vec<(f64, f64)>,
}

impl SearchSpaceTransform {
    /// The transform of `space`: `(name, distribution)` pairs, in column order.
    pub fn new<N, D>(
        space: impl IntoIterator<Item = (N, D)>,
        options: TransformOptions,
    ) -> SearchSpaceTransform
    where
        N: Into<String>,
        D: Borrow<Distribution>,
    {
        let mut t = SearchSpaceTransform {
            names: Vec::new(),
            dists: Vec::new(),
            options,
            columns: Vec::new(),
            raw: Vec::new(),
        };
        for (name, dist) in space {
            let dist = dist.borrow();
            let start = t.raw.len();
            match dist {
                Distribution::Categorical(c) => {
                    t.raw
                        .extend(std::iter::repeat_n((0.0, 1.0), c.choices().len()));
                }
                _ => {
                    let half = match (dist, options.step) {
                        (Distribution::Float(f), true) => f.step.map_or(0.0, |s| 0.5 * s),
                        (Distribution::Int(i), true) => 0.5 * i.step as f64,
                        _ => 0.0,
                    };
                    let (low, high) = numeric_range(dist);
                    t.raw
                        .push((t.scale(dist, low - half), t.scale(dist, high + half)));
                }
            }
            t.columns.push(start..t.raw.len());
            t.names.push(name.into());
            t.dists.push(dist.clone());
        }
        t
    }

    /// The options it was built with.
    pub fn options(&self) -> TransformOptions {
        self.options
    }

    /// The parameter names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The distributions, in order.
    pub fn distributions(&self) -> &[Distribution] {
        &self.dists
    }

    /// The number of columns (one per numerical parameter, one per choice of a categorical).
    pub fn n_columns(&self) -> usize {
        self.raw.len()
    }

    /// The columns of parameter `k`.
    pub fn columns(&self, k: usize) -> Range<usize> {
        self.columns[k].clone()
    }

    /// The `(low, high)` bounds of every column: `(0, 1)` with [`TransformOptions::unit`].
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        if self.options.unit {
            vec![(0.0, 1.0); self.raw.len()]
        } else {
            self.raw.clone()
        }
    }

    /// The column of internal value `x` of numerical parameter `k`. With `unit`, a parameter
    /// whose bounds are one point maps to 0.5.
    ///
    /// # Panics
    /// When parameter `k` is categorical (it has a column per choice: use
    /// [`transform_param`](Self::transform_param)).
    pub fn transform_numerical(&self, k: usize, x: f64) -> f64 {
        let dist = &self.dists[k];
        assert!(
            !matches!(dist, Distribution::Categorical(_)),
            "`{}` is categorical",
            self.names[k]
        );
        let v = self.scale(dist, x);
        let (lo, hi) = self.raw[self.columns[k].start];
        match (self.options.unit, hi == lo) {
            (false, _) => v,
            (true, true) => 0.5,
            (true, false) => (v - lo) / (hi - lo),
        }
    }

    /// The internal value of numerical parameter `k` at column value `v`: back to the original
    /// scale, rounded onto the grid of stepped and integer parameters and clamped into range;
    /// a float is only capped below `high` (see the [module documentation](self)).
    ///
    /// # Panics
    /// When parameter `k` is categorical.
    pub fn untransform_numerical(&self, k: usize, v: f64) -> f64 {
        let dist = &self.dists[k];
        let (lo, hi) = self.raw[self.columns[k].start];
        let v = if self.options.unit {
            lo + v * (hi - lo)
        } else {
            v
        };
        let on_grid = |v: f64, low: f64, high: f64, step: f64| {
            (((v - low) / step).round_ties_even() * step + low).clamp(low, high)
        };
        match dist {
            Distribution::Float(f) => {
                let v = if f.log && self.options.log {
                    v.exp()
                } else {
                    v
                };
                match f.step {
                    Some(s) => on_grid(v, f.low, f.high, s),
                    None if f.low < f.high => v.min(f.high.next_down()),
                    None => v,
                }
            }
            Distribution::Int(i) => {
                let (low, high) = (i.low as f64, i.high as f64);
                if i.log {
                    let v = if self.options.log { v.exp() } else { v };
                    v.round_ties_even().clamp(low, high)
                } else {
                    on_grid(v, low, high, i.step as f64)
                }
            }
            Distribution::Categorical(_) => panic!("`{}` is categorical", self.names[k]),
        }
    }

    /// Writes the columns of parameter `k` at internal value `x` into `out` (as long as
    /// [`columns(k)`](Self::columns)). A categorical index out of range sets no column.
    pub fn transform_param(&self, k: usize, x: f64, out: &mut [f64]) {
        match &self.dists[k] {
            Distribution::Categorical(_) => {
                out.fill(0.0);
                if let Some(c) = out.get_mut(x as usize) {
                    *c = 1.0;
                }
            }
            _ => out[0] = self.transform_numerical(k, x),
        }
    }

    /// The internal value of parameter `k` from its columns `cols`: a categorical parameter's
    /// largest column (the first on a tie), otherwise [`untransform_numerical`](Self::untransform_numerical).
    pub fn untransform_param(&self, k: usize, cols: &[f64]) -> f64 {
        match &self.dists[k] {
            Distribution::Categorical(_) => {
                let best = cols
                    .iter()
                    .enumerate()
                    .fold((0, f64::NEG_INFINITY), |best, (i, &c)| {
                        if c > best.1 { (i, c) } else { best }
                    });
                best.0 as f64
            }
            _ => self.untransform_numerical(k, cols[0]),
        }
    }

    /// The columns of one point: `internal[k]` is the internal value of parameter `k`.
    pub fn transform(&self, internal: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n_columns()];
        for (k, &x) in internal.iter().enumerate().take(self.dists.len()) {
            self.transform_param(k, x, &mut out[self.columns[k].clone()]);
        }
        out
    }

    /// The columns of a point given by name (a trial's internal values); `None` when a
    /// parameter is missing.
    pub fn transform_with(&self, internal: impl Fn(&str) -> Option<f64>) -> Option<Vec<f64>> {
        let values: Option<Vec<f64>> = self.names.iter().map(|n| internal(n)).collect();
        Some(self.transform(&values?))
    }

    /// The internal value of every parameter at the point `columns`.
    pub fn untransform(&self, columns: &[f64]) -> Vec<f64> {
        (0..self.dists.len())
            .map(|k| self.untransform_param(k, &columns[self.columns[k].clone()]))
            .collect()
    }

    /// As [`untransform`](Self::untransform), with floats also kept at or above `low`: every
    /// value is in its distribution.
    pub fn untransform_clamped(&self, columns: &[f64]) -> Vec<f64> {
        let mut out = self.untransform(columns);
        for (x, d) in out.iter_mut().zip(&self.dists) {
            if let Distribution::Float(f) = d {
                *x = x.max(f.low);
            }
        }
        out
    }

    /// `x` on the column scale of `dist` (its log when `dist` is log and the option is on).
    fn scale(&self, dist: &Distribution, x: f64) -> f64 {
        let log = match dist {
            Distribution::Float(f) => f.log,
            Distribution::Int(i) => i.log,
            Distribution::Categorical(_) => false,
        };
        if log && self.options.log { x.ln() } else { x }
    }
}

/// `(low, high)` of a numerical distribution as floats.
fn numeric_range(dist: &Distribution) -> (f64, f64) {
    match dist {
        Distribution::Float(f) => (f.low, f.high),
        Distribution::Int(i) => (i.low as f64, i.high as f64),
        Distribution::Categorical(c) => (0.0, c.choices().len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> Vec<(&'static str, Distribution)> {
        vec![
            ("x", Distribution::float(-2.0, 3.0).unwrap()),
            ("lr", Distribution::float_log(1e-4, 1.0).unwrap()),
            ("s", Distribution::float_step(0.0, 1.0, 0.25).unwrap()),
            ("n", Distribution::int(-3, 7).unwrap()),
            ("m", Distribution::int_log(1, 1000).unwrap()),
            ("k", Distribution::int_step(1, 9, 2).unwrap()),
            ("c", Distribution::categorical(["a", "b", "c"]).unwrap()),
        ]
    }

    fn all_options() -> Vec<TransformOptions> {
        let mut out = Vec::new();
        for log in [true, false] {
            for step in [true, false] {
                for unit in [true, false] {
                    out.push(TransformOptions::new().log(log).step(step).unit(unit));
                }
            }
        }
        out
    }

    #[test]
    fn bounds_follow_the_options() {
        let t = SearchSpaceTransform::new(space(), TransformOptions::new());
        let ln = f64::ln;
        assert_eq!(
            t.bounds(),
            vec![
                (-2.0, 3.0),
                (ln(1e-4), ln(1.0)),
                (-0.125, 1.125),
                (-3.5, 7.5),
                (ln(0.5), ln(1000.5)),
                (0.0, 10.0),
                (0.0, 1.0),
                (0.0, 1.0),
                (0.0, 1.0),
            ]
        );
        assert_eq!(t.columns(6), 6..9);
        let raw =
            SearchSpaceTransform::new(space(), TransformOptions::new().log(false).step(false));
        assert_eq!(
            raw.bounds()[..6],
            [
                (-2.0, 3.0),
                (1e-4, 1.0),
                (0.0, 1.0),
                (-3.0, 7.0),
                (1.0, 1000.0),
                (1.0, 9.0)
            ]
        );
        let unit = SearchSpaceTransform::new(space(), TransformOptions::new().unit(true));
        assert_eq!(unit.bounds(), vec![(0.0, 1.0); 9]);
    }

    #[test]
    fn log_step_and_unit_columns() {
        let t = SearchSpaceTransform::new(space(), TransformOptions::new().unit(true));
        // Log: 1e-2 is halfway between 1e-4 and 1.
        assert!((t.transform_numerical(1, 1e-2) - 0.5).abs() < 1e-12);
        // Step: 1, 3, 5, 7, 9 over [0, 10], so each value owns a fifth of [0, 1].
        assert_eq!(t.transform_numerical(5, 1.0), 0.1);
        assert_eq!(t.transform_numerical(5, 9.0), 0.9);
        let counts = (0..1000).fold([0; 5], |mut acc, i| {
            let x = t.untransform_numerical(5, (i as f64 + 0.5) / 1000.0);
            acc[((x - 1.0) / 2.0) as usize] += 1;
            acc
        });
        assert_eq!(counts, [200; 5]);
        // A stepped float: 0, 0.25, ..., 1 over [-0.125, 1.125].
        assert_eq!(t.untransform_numerical(2, 0.0), 0.0);
        assert_eq!(t.untransform_numerical(2, 0.5), 0.5);
        assert_eq!(t.untransform_numerical(2, 1.0), 1.0);
        // Without step padding the grid ends sit on the bounds.
        let m = SearchSpaceTransform::new(space(), TransformOptions::new().step(false).unit(true));
        assert_eq!(m.transform_numerical(5, 1.0), 0.0);
        assert_eq!(m.transform_numerical(5, 9.0), 1.0);
        // Without log, a log parameter's column is its raw value.
        let r = SearchSpaceTransform::new(space(), TransformOptions::new().log(false));
        assert_eq!(r.transform_numerical(1, 0.5), 0.5);
        assert_eq!(r.untransform_numerical(4, 10.4), 10.0);
    }

    #[test]
    fn categoricals_are_one_hot_and_the_largest_column_wins() {
        let t = SearchSpaceTransform::new(space(), TransformOptions::new());
        let row = t.transform(&[0.0, 0.1, 0.5, 0.0, 10.0, 3.0, 2.0]);
        assert_eq!(&row[6..], &[0.0, 0.0, 1.0]);
        assert_eq!(t.untransform_param(6, &[0.2, 0.7, 0.1]), 1.0);
        assert_eq!(t.untransform_param(6, &[0.5, 0.1, 0.5]), 0.0);
        let mut out = [9.0; 3];
        t.transform_param(6, 5.0, &mut out);
        assert_eq!(out, [0.0; 3], "an index out of range sets no column");
    }

    #[test]
    fn round_trips_and_stays_in_range() {
        let points = [
            [-2.0, 1e-4, 0.0, -3.0, 1.0, 1.0, 0.0],
            [0.5, 0.01, 0.25, 2.0, 40.0, 5.0, 1.0],
            [3.0f64.next_down(), 0.5, 1.0, 7.0, 1000.0, 9.0, 2.0],
        ];
        for options in all_options() {
            let t = SearchSpaceTransform::new(space(), options);
            for p in &points {
                let back = t.untransform(&t.transform(p));
                for (a, b) in p.iter().zip(&back) {
                    assert!(
                        (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                        "{options:?}: {p:?}"
                    );
                }
            }
            if options.unit {
                for i in 0..=100 {
                    let u = vec![i as f64 / 100.0; t.n_columns()];
                    for (x, (_, d)) in t.untransform(&u).iter().zip(space()) {
                        assert!(d.contains(*x), "{options:?}: {d} does not contain {x}");
                    }
                }
            }
        }
    }

    #[test]
    fn floats_below_low_stay_out_unless_clamped() {
        let t = SearchSpaceTransform::new(space(), TransformOptions::new().unit(true));
        let mut u = vec![0.5; t.n_columns()];
        u[0] = -0.1;
        u[1] = 1.5;
        let x = t.untransform(&u);
        assert!(x[0] < -2.0);
        assert_eq!(x[1], 1f64.next_down());
        let x = t.untransform_clamped(&u);
        assert_eq!(x[0], -2.0);
        assert_eq!(x[1], 1f64.next_down());
        // Ints and steps are always clamped onto their grid.
        u[3] = -1.0;
        u[5] = 2.0;
        let x = t.untransform(&u);
        assert_eq!((x[3], x[5]), (-3.0, 9.0));
    }

    #[test]
    fn a_one_point_range_maps_to_the_middle() {
        let space = [("x", Distribution::float(1.0, 1.0).unwrap())];
        let t =
            SearchSpaceTransform::new(space.iter().cloned(), TransformOptions::new().unit(true));
        assert_eq!(t.transform_numerical(0, 1.0), 0.5);
        assert_eq!(t.untransform(&[0.3]), vec![1.0]);
    }
}
