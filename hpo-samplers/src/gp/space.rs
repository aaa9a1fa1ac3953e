//! The GP's view of a search space (Optuna's `_gp/search_space.py`): numeric parameters map to
//! `[0, 1]` (in log space when `log`; stepped and integer ranges over
//! `[low - step/2, high + step/2]`, so each grid point owns an equal slice), categorical ones
//! keep their choice index.
//!
//! This is deliberately not `hpo_core::transform::SearchSpaceTransform` (which CMA-ES, NSGA,
//! QMC and the importance evaluators share), as Optuna keeps `_gp/search_space.py` apart from
//! `_SearchSpaceTransform`: the GP's kernel needs one dimension per categorical (a choice index
//! compared by equality, not a one-hot block), and its acquisition optimizer needs each
//! dimension's kind and grid to search discrete values directly.

use hpo_core::{Distribution, ParamSpace};

/// How one dimension can move.
#[derive(Debug, Clone, PartialEq)]
pub enum DimKind {
    /// A continuous range.
    Continuous,
    /// `n` grid points (a stepped float or an integer range).
    Grid(u64),
    /// `n` unordered choices.
    Categorical(usize),
}

/// The parameters of a relative search space, in order, with their unit-cube transforms.
#[derive(Debug, Clone)]
pub struct UnitSpace {
    names: Vec<String>,
    dists: Vec<Distribution>,
    kinds: Vec<DimKind>,
}

impl UnitSpace {
    /// The transform of `space` (which holds no single-value distribution).
    pub fn new(space: &ParamSpace) -> UnitSpace {
        let mut names = Vec::new();
        let mut dists = Vec::new();
        let mut kinds = Vec::new();
        for (name, d) in space {
            let kind = match d {
                Distribution::Float(f) => match f.step {
                    Some(step) => DimKind::Grid(((f.high - f.low) / step).round() as u64 + 1),
                    None => DimKind::Continuous,
                },
                Distribution::Int(i) => DimKind::Grid(i.len()),
                Distribution::Categorical(c) => DimKind::Categorical(c.choices().len()),
            };
            names.push(name.clone());
            dists.push(d.clone());
            kinds.push(kind);
        }
        UnitSpace {
            names,
            dists,
            kinds,
        }
    }

    /// Parameter names in dimension order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Dimension kinds.
    pub fn kinds(&self) -> &[DimKind] {
        &self.kinds
    }

    /// Number of dimensions.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Which dimensions are categorical (Hamming distance in the kernel).
    pub fn categorical_mask(&self) -> Vec<bool> {
        self.kinds
            .iter()
            .map(|k| matches!(k, DimKind::Categorical(_)))
            .collect()
    }

    /// The unit coordinate of internal value `x` in dimension `k`.
    pub fn to_unit(&self, k: usize, x: f64) -> f64 {
        match &self.dists[k] {
            Distribution::Float(f) => match f.step {
                _ if f.log => (x.ln() - f.low.ln()) / (f.high.ln() - f.low.ln()),
                Some(step) => {
                    let n = self.grid_len(k) as f64;
                    (((x - f.low) / step).round() + 0.5) / n
                }
                None => (x - f.low) / (f.high - f.low),
            },
            Distribution::Int(i) => {
                if i.log {
                    let (lo, hi) = ((i.low as f64 - 0.5).ln(), (i.high as f64 + 0.5).ln());
                    (x.ln() - lo) / (hi - lo)
                } else {
                    let n = self.grid_len(k) as f64;
                    (((x - i.low as f64) / i.step as f64).round() + 0.5) / n
                }
            }
            Distribution::Categorical(_) => x,
        }
    }

    /// The internal value (in range and on the grid) at unit coordinate `u` of dimension `k`.
    pub fn to_internal(&self, k: usize, u: f64) -> f64 {
        match &self.dists[k] {
            Distribution::Float(f) => {
                if f.log {
                    (f.low.ln() + u.clamp(0.0, 1.0) * (f.high.ln() - f.low.ln()))
                        .exp()
                        .clamp(f.low, f.high)
                } else if let Some(step) = f.step {
                    let idx = self.grid_index(k, u);
                    (f.low + idx as f64 * step).min(f.high)
                } else {
                    (f.low + u.clamp(0.0, 1.0) * (f.high - f.low)).clamp(f.low, f.high)
                }
            }
            Distribution::Int(i) => {
                if i.log {
                    let (lo, hi) = ((i.low as f64 - 0.5).ln(), (i.high as f64 + 0.5).ln());
                    (lo + u.clamp(0.0, 1.0) * (hi - lo))
                        .exp()
                        .round()
                        .clamp(i.low as f64, i.high as f64)
                } else {
                    (i.low + self.grid_index(k, u) as i64 * i.step) as f64
                }
            }
            Distribution::Categorical(c) => u.round().clamp(0.0, (c.choices().len() - 1) as f64),
        }
    }

    fn grid_len(&self, k: usize) -> u64 {
        match self.kinds[k] {
            DimKind::Grid(n) => n,
            _ => 1,
        }
    }

    /// The grid point index nearest to unit coordinate `u` (linear grids).
    fn grid_index(&self, k: usize, u: f64) -> u64 {
        let n = self.grid_len(k);
        ((u * n as f64).floor().max(0.0) as u64).min(n - 1)
    }

    /// The unit coordinate of grid point / choice `idx` of a discrete dimension.
    pub fn unit_of_index(&self, k: usize, idx: u64) -> f64 {
        match &self.dists[k] {
            Distribution::Int(i) if i.log => self.to_unit(k, (i.low + idx as i64) as f64),
            Distribution::Categorical(_) => idx as f64,
            _ => (idx as f64 + 0.5) / self.grid_len(k) as f64,
        }
    }

    /// The grid point / choice index of a (snapped) unit coordinate.
    pub fn index_of_unit(&self, k: usize, u: f64) -> u64 {
        match &self.dists[k] {
            Distribution::Int(i) if i.log => (self.to_internal(k, u) as i64 - i.low) as u64,
            Distribution::Categorical(_) => u.round().max(0.0) as u64,
            _ => self.grid_index(k, u),
        }
    }

    /// Moves discrete coordinates of `u` onto their grid points / choices. Categorical
    /// coordinates given in `[0, 1)` (fresh QMC draws) are mapped to a choice with `floor(u n)`
    /// when `from_cube` is set.
    pub fn snap(&self, u: &mut [f64], from_cube: bool) {
        for (k, v) in u.iter_mut().enumerate() {
            match self.kinds[k] {
                DimKind::Continuous => *v = v.clamp(0.0, 1.0),
                DimKind::Grid(_) => {
                    let idx = self.index_of_unit(k, *v);
                    *v = self.unit_of_index(k, idx);
                }
                DimKind::Categorical(n) => {
                    let idx = if from_cube {
                        ((*v * n as f64).floor() as usize).min(n - 1)
                    } else {
                        (v.round().max(0.0) as usize).min(n - 1)
                    };
                    *v = idx as f64;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> UnitSpace {
        let mut s = ParamSpace::new();
        s.insert("a".into(), Distribution::float(-2.0, 2.0).unwrap());
        s.insert("b".into(), Distribution::float_log(1e-3, 1e1).unwrap());
        s.insert("c".into(), Distribution::int(1, 4).unwrap());
        s.insert("d".into(), Distribution::int_log(1, 100).unwrap());
        s.insert(
            "e".into(),
            Distribution::float_step(0.0, 1.0, 0.25).unwrap(),
        );
        s.insert(
            "f".into(),
            Distribution::categorical(["x", "y", "z"]).unwrap(),
        );
        UnitSpace::new(&s)
    }

    #[test]
    fn transforms_round_trip() {
        let s = space();
        assert_eq!(s.kinds()[2], DimKind::Grid(4));
        assert_eq!(s.kinds()[4], DimKind::Grid(5));
        assert_eq!(
            s.categorical_mask(),
            vec![false, false, false, false, false, true]
        );
        for (k, x) in [
            (0, 1.5),
            (1, 0.01),
            (2, 3.0),
            (3, 17.0),
            (4, 0.75),
            (5, 2.0),
        ] {
            let u = s.to_unit(k, x);
            assert!((s.to_internal(k, u) - x).abs() < 1e-12, "dim {k}");
        }
        // Integer grid points sit in the middle of equal slices.
        assert_eq!(s.to_unit(2, 1.0), 0.125);
        assert_eq!(s.to_unit(2, 4.0), 0.875);
        assert_eq!(s.to_internal(2, 0.99), 4.0);
        assert_eq!(s.to_internal(2, 0.0), 1.0);
        // Log integers over [low - 0.5, high + 0.5] in log space.
        let u = s.to_unit(3, 1.0);
        assert!((u - (1f64.ln() - 0.5f64.ln()) / (100.5f64.ln() - 0.5f64.ln())).abs() < 1e-15);
    }

    #[test]
    fn snapping_puts_points_on_the_grid() {
        let s = space();
        let mut u = vec![1.3, 0.5, 0.3, 0.42, 0.61, 0.7];
        s.snap(&mut u, true);
        assert_eq!(u[0], 1.0);
        assert_eq!(u[2], 0.375);
        assert_eq!(u[4], 0.7);
        assert_eq!(u[5], 2.0);
        let d = s.to_internal(3, u[3]);
        assert_eq!(d.fract(), 0.0);
        assert_eq!(s.to_unit(3, d), u[3]);
    }
}
