//! `BruteForceSampler`: every combination of a finite define-by-run space, each once.

use hpo_core::rng::Rng;
use hpo_core::{Distribution, Error, FrozenTrial, Result, Sampler, Study, TrialEnd, TrialState};
use parking_lot::Mutex;

/// Explores a finite, possibly conditional, define-by-run space exhaustively (Optuna's
/// `BruteForceSampler`): it rebuilds the tree of parameter paths from the trials and picks an
/// unexplored branch at each suggestion; the study stops when the tree is exhausted. Floats
/// need a step. Running trials count as explored unless `avoid_premature_stop` is set, in which
/// case the study stops only once they have finished.
#[derive(Debug)]
pub struct BruteForceSampler {
    rng: Mutex<Rng>,
    avoid_premature_stop: bool,
}

#[derive(Debug, Default)]
struct Node {
    /// The parameter suggested at this point and its grid size, once seen.
    next: Option<(String, usize)>,
    children: Vec<(u64, Node)>,
    /// A finished (or running) trial ended here.
    leaf: bool,
}

impl Node {
    /// Records the path of `trial`'s parameters (in suggestion order) below this node, ending
    /// in a leaf.
    fn add(&mut self, trial: &FrozenTrial) -> Result<()> {
        let mut node = self;
        for (name, p) in &trial.params {
            let n = grid(name, &p.distribution)?.len();
            node.next.get_or_insert_with(|| (name.clone(), n));
            node = node.child(p.internal.to_bits());
        }
        node.leaf = true;
        Ok(())
    }

    fn child(&mut self, key: u64) -> &mut Node {
        match self.children.iter().position(|(k, _)| *k == key) {
            Some(i) => &mut self.children[i].1,
            None => {
                self.children.push((key, Node::default()));
                &mut self.children.last_mut().expect("just pushed").1
            }
        }
    }

    fn exhausted(&self) -> bool {
        match &self.next {
            None => self.leaf,
            Some((_, n)) => {
                self.children.len() >= *n && self.children.iter().all(|(_, c)| c.exhausted())
            }
        }
    }
}

/// The finite grid of a distribution, as internal values.
fn grid(name: &str, d: &Distribution) -> Result<Vec<f64>> {
    Ok(match d {
        Distribution::Categorical(c) => (0..c.choices().len()).map(|i| i as f64).collect(),
        Distribution::Int(i) => (0..i.len())
            .map(|k| (i.low + k as i64 * i.step) as f64)
            .collect(),
        Distribution::Float(f) => match f.step {
            Some(s) => (0..=((f.high - f.low) / s).round() as i64)
                .map(|k| f.low + k as f64 * s)
                .collect(),
            None if f.low == f.high => vec![f.low],
            None => {
                return Err(Error::InvalidArgument(format!(
                    "BruteForceSampler needs a step for float parameter `{name}`"
                )));
            }
        },
    })
}

impl BruteForceSampler {
    /// An unseeded sampler.
    pub fn new() -> Self {
        BruteForceSampler {
            rng: Mutex::new(Rng::from_entropy()),
            avoid_premature_stop: false,
        }
    }

    /// A seeded sampler.
    pub fn with_seed(seed: u64) -> Self {
        BruteForceSampler {
            rng: Mutex::new(Rng::seed_from_u64(seed)),
            avoid_premature_stop: false,
        }
    }

    /// Stop only when no running trial may still open a new branch.
    pub fn avoid_premature_stop(mut self, yes: bool) -> Self {
        self.avoid_premature_stop = yes;
        self
    }

    fn tree(&self, study: &Study, exclude: Option<u64>) -> Result<Node> {
        let mut states = vec![TrialState::Complete, TrialState::Pruned, TrialState::Fail];
        if !self.avoid_premature_stop {
            states.push(TrialState::Running);
        }
        let mut root = Node::default();
        for t in study.trials_in(&states)? {
            if Some(t.number) == exclude {
                continue;
            }
            root.add(&t)?;
        }
        Ok(root)
    }
}

impl Default for BruteForceSampler {
    fn default() -> Self {
        BruteForceSampler::new()
    }
}

impl Sampler for BruteForceSampler {
    fn sample_independent(
        &self,
        study: &Study,
        trial: &FrozenTrial,
        name: &str,
        distribution: &Distribution,
    ) -> Result<f64> {
        let values = grid(name, distribution)?;
        let mut root = self.tree(study, Some(trial.number))?;
        let mut node = &mut root;
        for (_, p) in &trial.params {
            node = node.child(p.internal.to_bits());
        }
        let unexplored: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| !node.children.iter().any(|(k, _)| *k == v.to_bits()))
            .collect();
        let open: Vec<f64> = if unexplored.is_empty() {
            values
                .iter()
                .copied()
                .filter(|v| {
                    node.children
                        .iter()
                        .any(|(k, c)| *k == v.to_bits() && !c.exhausted())
                })
                .collect()
        } else {
            unexplored
        };
        let pool = if open.is_empty() { &values } else { &open };
        Ok(pool[self.rng.lock().below(pool.len() as u64) as usize])
    }

    fn after_trial(&self, study: &Study, trial: &FrozenTrial, _end: TrialEnd<'_>) -> Result<()> {
        let mut root = self.tree(study, Some(trial.number))?;
        root.add(trial)?;
        let running_left = self.avoid_premature_stop
            && study
                .trials_in(&[TrialState::Running])?
                .iter()
                .any(|t| t.number != trial.number);
        if root.exhausted() && !running_left {
            study.stop();
        }
        Ok(())
    }
}
