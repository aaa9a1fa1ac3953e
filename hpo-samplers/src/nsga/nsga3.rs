//! `NsgaIIISampler`: NSGA-III (Deb and Jain), Optuna's `NSGAIIISampler`. Its children are made
//! as NSGA-II's; its survivors are chosen on the last admitted front by reference-point niching
//! instead of crowding distance, which keeps many-objective fronts spread out.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::{Error, FrozenTrial, Result, Study, StudyDirection};

use super::elite::{losses, rank_population};
use super::generation::GaEngine;

/// The Das-Dennis lattice on the simplex: every way to spread `dividing_parameter` units over
/// `n_objectives` axes, as count vectors (each row sums to `dividing_parameter`, as in Optuna,
/// which does not divide by it), in the order of Python's
/// `itertools.combinations_with_replacement`. There are `C(m + p - 1, p)` of them.
///
/// ```
/// use hpo_samplers::nsga::reference_points;
/// let r = reference_points(2, 3);
/// assert_eq!(r, vec![vec![3.0, 0.0], vec![2.0, 1.0], vec![1.0, 2.0], vec![0.0, 3.0]]);
/// assert_eq!(reference_points(3, 3).len(), 10);
/// ```
pub fn reference_points(n_objectives: usize, dividing_parameter: usize) -> Vec<Vec<f64>> {
    fn rec(m: usize, left: usize, start: usize, counts: &mut Vec<f64>, out: &mut Vec<Vec<f64>>) {
        if left == 0 {
            out.push(counts.clone());
            return;
        }
        for axis in start..m {
            counts[axis] += 1.0;
            rec(m, left - 1, axis, counts, out);
            counts[axis] -= 1.0;
        }
    }
    let mut out = Vec::new();
    if n_objectives == 0 {
        return out;
    }
    let mut counts = vec![0.0; n_objectives];
    rec(n_objectives, dividing_parameter, 0, &mut counts, &mut out);
    out
}

/// Optuna's `_COEF`: infinite objective values are clipped this many ranges beyond the finite
/// ones.
const INF_MARGIN: f64 = 3.0;

/// Replaces infinite values by values `INF_MARGIN` ranges beyond the finite extremes of their
/// column (0 in a column without finite values).
fn filter_inf(matrix: &mut [Vec<f64>]) {
    let Some(m) = matrix.first().map(Vec::len) else {
        return;
    };
    for j in 0..m {
        let finite = matrix.iter().map(|r| r[j]).filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        for row in matrix.iter_mut() {
            row[j] = if lo > hi {
                0.0
            } else {
                let margin = INF_MARGIN * (hi - lo);
                row[j].clamp(lo - margin, hi + margin)
            };
        }
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when `a` is singular
/// to working precision (a pivot below `max|a| * n * EPSILON`, numpy's rank tolerance).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    let scale = a.iter().flatten().fold(0.0_f64, |acc, v| acc.max(v.abs()));
    let tol = scale * n as f64 * f64::EPSILON;
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].is_nan() || a[pivot][col].abs() <= tol {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            let (upper, lower) = a.split_at_mut(row);
            for (x, p) in lower[0][col..].iter_mut().zip(&upper[col][col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// NSGA-III's normalisation (Optuna's `_normalize_objective_values`): translate by the ideal
/// point, find each axis's extreme point by the achievement scalarising function (weights 1 on
/// the axis, 1e6 elsewhere), and divide by the intercepts of the hyperplane through the extreme
/// points, or by the column maxima when those points are degenerate.
fn normalize(matrix: &mut [Vec<f64>]) {
    let Some(m) = matrix.first().map(Vec::len) else {
        return;
    };
    for j in 0..m {
        let lo = matrix.iter().map(|r| r[j]).fold(f64::INFINITY, f64::min);
        for row in matrix.iter_mut() {
            row[j] -= lo;
        }
    }
    let extreme: Vec<Vec<f64>> = (0..m)
        .map(|d| {
            let asf = |row: &Vec<f64>| {
                (0..m)
                    .map(|j| row[j] * if j == d { 1.0 } else { 1e6 })
                    .fold(f64::NEG_INFINITY, f64::max)
            };
            let mut best = 0;
            let mut best_value = f64::INFINITY;
            for (n, row) in matrix.iter().enumerate() {
                let v = asf(row);
                if v < best_value {
                    best_value = v;
                    best = n;
                }
            }
            matrix[best].clone()
        })
        .collect();
    let solved = if extreme.iter().flatten().all(|v| v.is_finite()) {
        solve(extreme, vec![1.0; m])
    } else {
        None
    };
    let inverse = solved.unwrap_or_else(|| {
        (0..m)
            .map(|j| {
                let hi = matrix
                    .iter()
                    .map(|r| r[j])
                    .fold(f64::NEG_INFINITY, f64::max);
                1.0 / if hi == 0.0 { 1.0 } else { hi }
            })
            .collect()
    });
    for row in matrix.iter_mut() {
        for j in 0..m {
            if inverse[j].is_finite() {
                row[j] *= inverse[j];
            }
        }
    }
}

/// Each point's closest reference line (through the origin and a reference point) and its
/// perpendicular distance to it.
fn associate(matrix: &[Vec<f64>], refs: &[Vec<f64>]) -> (Vec<usize>, Vec<f64>) {
    let norms2: Vec<f64> = refs.iter().map(|r| r.iter().map(|x| x * x).sum()).collect();
    matrix
        .iter()
        .map(|p| {
            let mut best = (0, f64::INFINITY);
            for (k, r) in refs.iter().enumerate() {
                let t = p.iter().zip(r).map(|(a, b)| a * b).sum::<f64>() / norms2[k];
                let d2: f64 = p.iter().zip(r).map(|(a, b)| (a - t * b).powi(2)).sum();
                let d = d2.sqrt();
                if d < best.1 {
                    best = (k, d);
                }
            }
            best
        })
        .unzip()
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// NSGA-III's niche-preserving choice of `target` members of the last admitted front (Optuna's
/// `_preserve_niche_individuals`). `closest` and `distance` cover the already admitted elite
/// (the first `n_elite` entries) followed by the front. Reference points with the fewest elite
/// members go first; a point without any takes its nearest front member, a point with some takes
/// a random one. Returns indices into the front.
fn preserve_niche(
    target: usize,
    n_elite: usize,
    closest: &[usize],
    distance: &[f64],
    n_refs: usize,
    rng: &mut Rng,
) -> Result<Vec<usize>> {
    let front_len = closest.len() - n_elite;
    if front_len < target {
        return Err(Error::InvalidArgument(format!(
            "the last front has {front_len} members but {target} must be selected"
        )));
    }
    let mut members: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n_refs];
    let mut first_seen: Vec<usize> = Vec::new();
    for (i, &r) in closest[n_elite..].iter().enumerate() {
        if members[r].is_empty() {
            first_seen.push(r);
        }
        members[r].push((distance[n_elite + i], i));
    }
    let mut elite_count = vec![0usize; n_refs];
    for &r in &closest[..n_elite] {
        elite_count[r] += 1;
    }
    let mut by_count: HashMap<usize, Vec<usize>> = HashMap::new();
    for &r in &first_seen {
        by_count.entry(elite_count[r]).or_default().push(r);
    }
    let max_level = n_elite + front_len + 1;
    let mut shuffled = vec![false; n_refs];
    let mut out = Vec::with_capacity(target);
    // `level` is the number of neighbours of the reference points being served; `None` is the
    // empty level below 0 that starts the loop, as Optuna's `count = -1`.
    let mut level: Option<usize> = None;
    while out.len() < target {
        let available = level.is_some_and(|l| by_count.get(&l).is_some_and(|v| !v.is_empty()));
        if !available {
            let next = level.map_or(0, |l| l + 1);
            if next > max_level {
                return Err(Error::InvalidArgument(
                    "niche selection ran out of candidates".into(),
                ));
            }
            level = Some(next);
            shuffle(by_count.entry(next).or_default(), rng);
            continue;
        }
        let l = level.unwrap_or(0);
        let r = by_count
            .get_mut(&l)
            .and_then(Vec::pop)
            .expect("checked non-empty above");
        if l > 0 && !shuffled[r] {
            shuffle(&mut members[r], rng);
            shuffled[r] = true;
        } else if l == 0 {
            members[r].sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        }
        let (_, i) = members[r].pop().expect("a served point has members");
        out.push(i);
        if !members[r].is_empty() {
            by_count.entry(l + 1).or_default().push(r);
        }
    }
    Ok(out)
}

/// NSGA-III's survivor selection: whole non-domination ranks while they fit, then
/// `population_size` is topped up from the next rank by normalisation, association with the
/// reference points and niche preservation. Objective values are turned into losses first.
pub fn select_elite_nsga3(
    population: &[Arc<FrozenTrial>],
    directions: &[StudyDirection],
    population_size: usize,
    refs: &[Vec<f64>],
    rng: &mut Rng,
) -> Result<Vec<Arc<FrozenTrial>>> {
    let mut elite: Vec<Arc<FrozenTrial>> = Vec::with_capacity(population_size);
    for front in rank_population(population, directions)? {
        if elite.len() + front.len() < population_size {
            elite.extend(front.iter().map(|&i| population[i].clone()));
            continue;
        }
        if refs.iter().any(|r| r.len() != directions.len()) || refs.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "reference points must have one coordinate per objective ({})",
                directions.len()
            )));
        }
        let mut matrix: Vec<Vec<f64>> = elite
            .iter()
            .map(|t| losses(t, directions))
            .chain(front.iter().map(|&i| losses(&population[i], directions)))
            .collect();
        filter_inf(&mut matrix);
        normalize(&mut matrix);
        let (closest, distance) = associate(&matrix, refs);
        let target = population_size - elite.len();
        let chosen = preserve_niche(target, elite.len(), &closest, &distance, refs.len(), rng)?;
        elite.extend(chosen.into_iter().map(|k| population[front[k]].clone()));
        break;
    }
    Ok(elite)
}

/// NSGA-III (Optuna's `NSGAIIISampler`, 5.0 defaults): the genetic algorithm of
/// [`NsgaIISampler`](super::NsgaIISampler) (same generations, tournament, crossover and
/// mutation, same builder options) with reference-point niching to choose survivors, for
/// studies with many objectives. The default reference points are the Das-Dennis lattice with
/// `dividing_parameter` 3 ([`reference_points`]).
///
/// The generation of a trial is kept in its system attribute `NSGAIIISampler:generation` and the
/// parents of generation `g` in the study system attribute `NSGAIIISampler:parent:<g>`, as
/// Optuna keeps them.
///
/// ```
/// use hpo_core::{Study, StudyDirection};
/// use hpo_samplers::NsgaIIISampler;
///
/// let study = Study::builder()
///     .directions([StudyDirection::Minimize; 3])
///     .sampler(NsgaIIISampler::with_seed(1).population_size(12))
///     .build()?;
/// study.optimize(60, |t| {
///     let x = t.suggest_float("x", 0.0, 1.0)?;
///     let y = t.suggest_float("y", 0.0, 1.0)?;
///     Ok([x, y, 2.0 - x - y])
/// })?;
/// assert!(!study.best_trials()?.is_empty());
/// # Ok::<(), hpo_core::Error>(())
/// ```
#[derive(Debug)]
pub struct NsgaIIISampler {
    engine: GaEngine,
    reference_points: Option<Vec<Vec<f64>>>,
    dividing_parameter: usize,
}

impl Default for NsgaIIISampler {
    fn default() -> Self {
        NsgaIIISampler::new()
    }
}

impl NsgaIIISampler {
    /// Optuna 5.0's defaults, unseeded: population 50, uniform crossover with probability 0.9,
    /// no mutation operator (mutated parameters are re-drawn at random), mutation probability
    /// `1 / n_params`, Das-Dennis reference points with `dividing_parameter` 3.
    pub fn new() -> Self {
        NsgaIIISampler {
            engine: GaEngine::new("NSGAIIISampler"),
            reference_points: None,
            dividing_parameter: 3,
        }
    }

    hpo_core::setters! {
        /// Replaces the default reference points (one coordinate per objective each).
        pub fn reference_points(points: Vec<Vec<f64>>) => self.reference_points = Some;

        /// Divisions of the default Das-Dennis reference points (default 3).
        pub fn dividing_parameter(p: usize) => self.dividing_parameter;
    }

    fn select(
        &self,
        study: &Study,
        population: &[Arc<FrozenTrial>],
        rng: &mut Rng,
    ) -> Result<Vec<Arc<FrozenTrial>>> {
        let directions = study.directions();
        let default;
        let refs = match &self.reference_points {
            Some(r) => r.as_slice(),
            None => {
                default = reference_points(directions.len(), self.dividing_parameter);
                default.as_slice()
            }
        };
        select_elite_nsga3(
            population,
            directions,
            self.engine.population_size(),
            refs,
            rng,
        )
    }
}

genetic_sampler_common!(NsgaIIISampler);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn das_dennis_counts() {
        let binom = |n: usize, k: usize| (0..k).fold(1usize, |acc, i| acc * (n - i) / (i + 1));
        for m in 1..=5 {
            for p in 0..=4 {
                let r = reference_points(m, p);
                assert_eq!(r.len(), binom(m + p - 1, p), "m={m} p={p}");
                assert!(r.iter().all(|row| row.iter().sum::<f64>() == p as f64));
            }
        }
        assert_eq!(reference_points(3, 3)[0], vec![3.0, 0.0, 0.0]);
        assert_eq!(reference_points(3, 3)[9], vec![0.0, 0.0, 3.0]);
    }

    #[test]
    fn normalisation_maps_extremes_to_the_unit_intercepts() {
        let mut m = vec![
            vec![1.0, 5.0],
            vec![3.0, 1.0],
            vec![2.0, 2.0],
            vec![3.0, 5.0],
        ];
        normalize(&mut m);
        // Ideal point (1, 1); extremes (2, 0) and (0, 4) after translation.
        assert_eq!(m[0], vec![0.0, 1.0]);
        assert_eq!(m[1], vec![1.0, 0.0]);
        assert_eq!(m[2], vec![0.5, 0.25]);
        // Degenerate extremes fall back to the column maxima.
        let mut d = vec![vec![0.0, 0.0], vec![2.0, 2.0]];
        normalize(&mut d);
        assert_eq!(d[1], vec![1.0, 1.0]);
    }

    #[test]
    fn infinities_are_clipped_beyond_the_finite_range() {
        let mut m = vec![vec![0.0, f64::INFINITY], vec![1.0, 2.0], vec![2.0, 4.0]];
        filter_inf(&mut m);
        assert_eq!(m[0][1], 4.0 + 3.0 * 2.0);
    }

    #[test]
    fn association_picks_the_nearest_reference_line() {
        let refs = reference_points(2, 2); // (2,0), (1,1), (0,2)
        let pts = vec![vec![0.9, 0.1], vec![0.5, 0.6], vec![0.0, 1.0]];
        let (closest, dist) = associate(&pts, &refs);
        assert_eq!(closest, vec![0, 1, 2]);
        assert!((dist[0] - 0.1).abs() < 1e-12);
        assert!((dist[1] - (0.1 / 2f64.sqrt())).abs() < 1e-12);
        assert_eq!(dist[2], 0.0);
    }

    #[test]
    fn niche_selection_serves_empty_niches_first() {
        // Three reference points. The elite (2 members) sits on point 0. The front has two
        // members on point 0, one far and one near point 1, and one on point 2.
        let closest = [0, 0, 0, 0, 1, 1, 2];
        let distance = [0.0, 0.0, 0.1, 0.2, 0.3, 0.05, 0.4];
        let mut rng = Rng::seed_from_u64(0);
        // Two picks: points 1 and 2 have no elite neighbour, so they are served first, each
        // with its nearest member (front index 3 for point 1, 4 for point 2).
        let mut got = preserve_niche(2, 2, &closest, &distance, 3, &mut rng).unwrap();
        got.sort_unstable();
        assert_eq!(got, vec![3, 4]);
        // Three picks: the third is the other member of point 1 (now one neighbour, as point
        // 0 has two elite members).
        let mut got = preserve_niche(3, 2, &closest, &distance, 3, &mut rng).unwrap();
        got.sort_unstable();
        assert_eq!(got, vec![2, 3, 4]);
        // Everything.
        let mut got = preserve_niche(5, 2, &closest, &distance, 3, &mut rng).unwrap();
        got.sort_unstable();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        assert!(preserve_niche(6, 2, &closest, &distance, 3, &mut rng).is_err());
    }

    #[test]
    fn gaussian_elimination() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 1.0]).is_none());
    }
}
