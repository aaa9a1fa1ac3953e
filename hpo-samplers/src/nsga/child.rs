//! Making a child from the parent population (Optuna's `NSGAIIChildGenerationStrategy` and
//! `perform_crossover`): binary tournaments pick the parents, categorical parameters are swapped
//! uniformly, numerical ones crossed in the unit cube, and the mutation step either perturbs a
//! parameter or leaves it out so the trial draws it at random.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::transform::{SearchSpaceTransform, TransformOptions};
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

/// The unit-cube transform NSGA crosses and mutates numerical parameters in: Optuna's
/// transform (log scale, half-step padding) scaled onto `[0, 1]`. Untransformed floats below
/// `low` stay out of range, so crossover can retry.
fn unit_transform<'a>(
    space: impl IntoIterator<Item = (&'a String, &'a Distribution)>,
) -> SearchSpaceTransform {
    SearchSpaceTransform::new(space, TransformOptions::new().unit(true))
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
        let unit = unit_transform(space.iter().map(|(n, d)| (n, d)));
        let mut out = HashMap::with_capacity(space.len());
        for (k, ((name, d), x)) in space.iter().zip(child).enumerate() {
            if rng.next_f64() >= mutation_prob {
                out.insert(name.clone(), x);
            } else if let Some(m) = &self.mutation
                && !matches!(d, Distribution::Categorical(_))
            {
                let u = m.mutate(unit.transform_numerical(k, x), (0.0, 1.0), rng);
                out.insert(name.clone(), unit.untransform_numerical(k, u));
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
        let unit = unit_transform(numerical.iter().map(|&i| (&space[i].0, &space[i].1)));
        let bounds = unit.bounds();
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
                    let x: Vec<f64> = numerical
                        .iter()
                        .map(|&i| value(p, i).unwrap_or(f64::NAN))
                        .collect();
                    unit.transform(&x)
                })
                .collect();
            let mut u = self.crossover.crossover(&rows, &bounds, rng, multi);
            let last = attempt + 1 >= MAX_CROSSOVER_TRIES;
            if last {
                for u in &mut u {
                    *u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
                }
            }
            let mut inside = true;
            for (&i, x) in numerical.iter().zip(unit.untransform(&u)) {
                inside &= space[i].1.contains(x);
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
        let name = String::from("p");
        for (d, x) in cases {
            let t = unit_transform([(&name, &d)]);
            let u = t.transform_numerical(0, x);
            assert!((0.0..=1.0).contains(&u), "{d:?}");
            let back = t.untransform_numerical(0, u);
            assert!(
                (back - x).abs() < 1e-9 * x.abs().max(1.0),
                "{d:?}: {back} vs {x}"
            );
            assert!(d.contains(t.untransform_numerical(0, 0.0)));
            assert!(d.contains(t.untransform_numerical(0, 1.0)));
        }
        // A float below its range stays out, so crossover retries.
        let d = Distribution::float(0.0, 1.0).unwrap();
        let t = unit_transform([(&name, &d)]);
        assert!(!d.contains(t.untransform_numerical(0, -0.1)));
        assert_eq!(t.untransform_numerical(0, 1.5), 1f64.next_down());
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
