//! Making a child from the parent population (Optuna's `NSGAIIChildGenerationStrategy` and
//! `perform_crossover`): binary tournaments pick the parents, categorical parameters are swapped
//! uniformly, numerical ones crossed in the unit cube, and the mutation step either perturbs a
//! parameter or leaves it out so the trial draws it at random.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::{Distribution, FrozenTrial, StudyDirection};

use super::crossover::Crossover;
use super::elite::{constrained_dominates, is_constrained, trial_dominates};
use super::mutation::PolynomialMutation;

/// After this many children out of bounds in a row, the last one is clipped into the bounds
/// (Optuna retries forever; an operator that can only leave the box would hang it).
const MAX_CROSSOVER_TRIES: usize = 10_000;

/// The options of child generation.
#[derive(Debug, Clone)]
pub(crate) struct ChildGeneration {
    pub(crate) crossover: Crossover,
    pub(crate) crossover_prob: f64,
    pub(crate) swapping_prob: f64,
    pub(crate) mutation: Option<PolynomialMutation>,
    pub(crate) mutation_prob: Option<f64>,
}

impl Default for ChildGeneration {
    fn default() -> Self {
        ChildGeneration {
            crossover: Crossover::uniform(),
            crossover_prob: 0.9,
            swapping_prob: 0.5,
            mutation: None,
            mutation_prob: None,
        }
    }
}

/// The bounds of a numerical distribution in Optuna's transformed space: the log scale for log
/// ranges, widened by half a step each side for stepped and integer ranges.
fn transformed_bounds(d: &Distribution) -> (f64, f64) {
    match d {
        Distribution::Float(f) => {
            let (lo, hi) = if f.log {
                (f.low.ln(), f.high.ln())
            } else {
                (f.low, f.high)
            };
            match f.step {
                Some(s) => (lo - 0.5 * s, hi + 0.5 * s),
                None => (lo, hi),
            }
        }
        Distribution::Int(i) => {
            let half = 0.5 * i.step as f64;
            if i.log {
                ((i.low as f64 - half).ln(), (i.high as f64 + half).ln())
            } else {
                (i.low as f64 - half, i.high as f64 + half)
            }
        }
        Distribution::Categorical(c) => (0.0, c.choices().len() as f64),
    }
}

fn is_log(d: &Distribution) -> bool {
    match d {
        Distribution::Float(f) => f.log,
        Distribution::Int(i) => i.log,
        Distribution::Categorical(_) => false,
    }
}

/// An internal value of a numerical distribution mapped into `[0, 1]`.
pub(crate) fn to_unit(d: &Distribution, x: f64) -> f64 {
    let (lo, hi) = transformed_bounds(d);
    let t = if is_log(d) { x.ln() } else { x };
    (t - lo) / (hi - lo)
}

/// A point of `[0, 1]` mapped back to an internal value, as Optuna's untransform does: integers
/// and steps rounded and clamped, floats capped just below `high` (a float below `low` stays out
/// of range, so the caller can retry).
pub(crate) fn from_unit(d: &Distribution, u: f64) -> f64 {
    let (lo, hi) = transformed_bounds(d);
    let t = lo + u * (hi - lo);
    match d {
        Distribution::Float(f) => {
            if f.log {
                t.exp().min(f.high.next_down())
            } else if let Some(s) = f.step {
                (((t - f.low) / s).round_ties_even() * s + f.low).clamp(f.low, f.high)
            } else {
                t.min(f.high.next_down())
            }
        }
        Distribution::Int(i) => {
            let (low, high) = (i.low as f64, i.high as f64);
            let v = if i.log {
                t.exp().round_ties_even()
            } else {
                let step = i.step as f64;
                ((t - low) / step + 0.5).floor() * step + low
            };
            v.clamp(low, high)
        }
        Distribution::Categorical(c) => (u * c.choices().len() as f64)
            .floor()
            .clamp(0.0, c.choices().len() as f64 - 1.0),
    }
}

/// One binary tournament: two random members, the first wins when it dominates the second.
fn tournament<'a>(
    pool: &[&'a Arc<FrozenTrial>],
    directions: &[StudyDirection],
    constrained: bool,
    rng: &mut Rng,
) -> &'a Arc<FrozenTrial> {
    let n = pool.len() as u64;
    let a = pool[rng.below(n) as usize];
    let b = pool[rng.below(n) as usize];
    let wins = if constrained {
        constrained_dominates(a, b, directions)
    } else {
        trial_dominates(a, b, directions)
    };
    if wins { a } else { b }
}

/// `k` distinct parents by binary tournaments (each over the members not chosen yet; over the
/// whole population again if it is too small).
pub(crate) fn select_parents<'a>(
    population: &'a [Arc<FrozenTrial>],
    k: usize,
    directions: &[StudyDirection],
    constrained: bool,
    rng: &mut Rng,
) -> Vec<&'a Arc<FrozenTrial>> {
    let mut chosen: Vec<&Arc<FrozenTrial>> = Vec::with_capacity(k);
    for _ in 0..k {
        let mut pool: Vec<&Arc<FrozenTrial>> = population
            .iter()
            .filter(|t| !chosen.iter().any(|c| c.trial_id == t.trial_id))
            .collect();
        if pool.is_empty() {
            pool = population.iter().collect();
        }
        chosen.push(tournament(&pool, directions, constrained, rng));
    }
    chosen
}

impl ChildGeneration {
    /// A child for `space` (the names in the order given) from `parents`: internal values by
    /// name. Parameters chosen for mutation without a mutation operator, and categorical ones
    /// chosen for mutation, are absent (the trial draws them at random).
    pub(crate) fn generate(
        &self,
        space: &[(String, Distribution)],
        parents: &[Arc<FrozenTrial>],
        directions: &[StudyDirection],
        rng: &mut Rng,
    ) -> HashMap<String, f64> {
        // Only the parameters every parent has, with the same distribution, can be inherited.
        let space: Vec<&(String, Distribution)> = space
            .iter()
            .filter(|(name, d)| parents.iter().all(|p| p.distribution(name) == Some(d)))
            .collect();
        let constrained = is_constrained(parents);
        let child: Vec<f64> = if rng.next_f64() < self.crossover_prob {
            self.crossover(&space, parents, directions, constrained, rng)
        } else {
            let parent = &parents[rng.below(parents.len() as u64) as usize];
            space
                .iter()
                .map(|(name, _)| parent.internal_param(name).unwrap_or(f64::NAN))
                .collect()
        };
        let mutation_prob = self
            .mutation_prob
            .unwrap_or(1.0 / (space.len().max(1) as f64));
        let mut out = HashMap::with_capacity(space.len());
        for ((name, d), x) in space.iter().zip(child) {
            if rng.next_f64() >= mutation_prob {
                out.insert(name.clone(), x);
            } else if let Some(m) = &self.mutation
                && !matches!(d, Distribution::Categorical(_))
            {
                let u = m.mutate(to_unit(d, x), (0.0, 1.0), rng);
                out.insert(name.clone(), from_unit(d, u));
            }
        }
        out
    }

    /// Crossover with retries while a numerical value falls out of its range.
    fn crossover(
        &self,
        space: &[&(String, Distribution)],
        parents: &[Arc<FrozenTrial>],
        directions: &[StudyDirection],
        constrained: bool,
        rng: &mut Rng,
    ) -> Vec<f64> {
        let numerical: Vec<usize> = (0..space.len())
            .filter(|&i| !matches!(space[i].1, Distribution::Categorical(_)))
            .collect();
        let categorical: Vec<usize> = (0..space.len())
            .filter(|&i| matches!(space[i].1, Distribution::Categorical(_)))
            .collect();
        let bounds = vec![(0.0, 1.0); numerical.len()];
        let k = self.crossover.n_parents();
        let multi = directions.len() > 1;
        let mut child = vec![f64::NAN; space.len()];
        for attempt in 0.. {
            let chosen = select_parents(parents, k, directions, constrained, rng);
            let value = |p: &Arc<FrozenTrial>, i: usize| p.internal_param(&space[i].0);
            // Categorical: swap between the first and the last parent.
            for &i in &categorical {
                let from = if rng.next_f64() >= self.swapping_prob {
                    chosen[k - 1]
                } else {
                    chosen[0]
                };
                child[i] = value(from, i).unwrap_or(f64::NAN);
            }
            if numerical.is_empty() {
                break;
            }
            let rows: Vec<Vec<f64>> = chosen
                .iter()
                .map(|p| {
                    numerical
                        .iter()
                        .map(|&i| to_unit(&space[i].1, value(p, i).unwrap_or(f64::NAN)))
                        .collect()
                })
                .collect();
            let mut unit = self.crossover.crossover(&rows, &bounds, rng, multi);
            let last = attempt + 1 >= MAX_CROSSOVER_TRIES;
            if last {
                for u in &mut unit {
                    *u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
                }
            }
            let mut inside = true;
            for (&i, u) in numerical.iter().zip(unit) {
                let d = &space[i].1;
                let x = from_unit(d, u);
                inside &= d.contains(x);
                child[i] = x;
            }
            if inside || last {
                break;
            }
        }
        child
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpo_core::TrialState;

    #[test]
    fn unit_transform_round_trips() {
        let cases = [
            (Distribution::float(-2.0, 6.0).unwrap(), 1.5),
            (Distribution::float_log(1e-4, 1.0).unwrap(), 0.01),
            (Distribution::float_step(0.0, 1.0, 0.25).unwrap(), 0.75),
            (Distribution::int(-3, 7).unwrap(), 2.0),
            (Distribution::int_log(1, 1000).unwrap(), 40.0),
            (Distribution::int_step(0, 10, 5).unwrap(), 5.0),
        ];
        for (d, x) in cases {
            let u = to_unit(&d, x);
            assert!((0.0..=1.0).contains(&u), "{d:?}");
            let back = from_unit(&d, u);
            assert!(
                (back - x).abs() < 1e-9 * x.abs().max(1.0),
                "{d:?}: {back} vs {x}"
            );
            assert!(d.contains(from_unit(&d, 0.0)) && d.contains(from_unit(&d, 1.0)));
        }
        // A float below its range stays out, so crossover retries.
        let d = Distribution::float(0.0, 1.0).unwrap();
        assert!(!d.contains(from_unit(&d, -0.1)));
        assert_eq!(from_unit(&d, 1.5), 1f64.next_down());
    }

    #[test]
    fn tournament_prefers_the_dominating_trial() {
        let pop: Vec<Arc<FrozenTrial>> = [[0.0, 0.0], [5.0, 5.0]]
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut t = FrozenTrial::new(TrialState::Complete).with_values(*v);
                t.trial_id = i as i64;
                Arc::new(t)
            })
            .collect();
        let dirs = [StudyDirection::Minimize; 2];
        let mut rng = Rng::seed_from_u64(1);
        let mut wins = 0;
        for _ in 0..400 {
            let p = select_parents(&pop, 1, &dirs, false, &mut rng);
            wins += usize::from(p[0].trial_id == 0);
        }
        // The good trial wins unless both draws pick the bad one: 3/4 of the time.
        assert!((250..350).contains(&wins), "{wins}");
        // Two parents are distinct.
        let p = select_parents(&pop, 2, &dirs, false, &mut rng);
        assert_ne!(p[0].trial_id, p[1].trial_id);
    }
}
