//! `HyperbandPruner`: several successive-halving brackets, trials spread over them.

use hpo_core::error::invalid_setting;
use std::sync::Arc;

use hpo_core::{FrozenTrial, Pruner, Result, Study, TrialFilter, TrialState};
use parking_lot::Mutex;

use crate::SuccessiveHalvingPruner;
use crate::crc32::crc32;
use crate::successive_halving::check_reduction_factor;

/// Hyperband (Optuna's `HyperbandPruner`): brackets of successive halving with different
/// early-stopping rates; each trial belongs to one bracket, chosen by
/// `crc32("{study_name}_{number}")` over the brackets' budgets, exactly as Optuna does, and is
/// judged against its bracket's trials only. The sampler, too, sees only the trial's bracket.
///
/// Defaults: `min_resource` 1, `max_resource` estimated from the first completed trial (its last
/// step + 1), reduction factor 3, no bootstrap.
#[derive(Debug)]
pub struct HyperbandPruner {
    min_resource: u64,
    max_resource: Option<u64>,
    reduction_factor: u64,
    bootstrap_count: usize,
    brackets: Mutex<Option<Arc<Brackets>>>,
}

#[derive(Debug)]
struct Brackets {
    budgets: Vec<u64>,
    total: u64,
    pruners: Vec<SuccessiveHalvingPruner>,
}

impl Brackets {
    fn bracket_of(&self, study_name: &str, number: u64) -> usize {
        let mut n = (crc32(format!("{study_name}_{number}").as_bytes()) as u64 % self.total) as i64;
        for (i, b) in self.budgets.iter().enumerate() {
            n -= *b as i64;
            if n < 0 {
                return i;
            }
        }
        unreachable!("the budgets add up to the total")
    }
}

impl HyperbandPruner {
    /// Optuna's defaults.
    pub fn new() -> Self {
        HyperbandPruner {
            min_resource: 1,
            max_resource: None,
            reduction_factor: 3,
            bootstrap_count: 0,
            brackets: Mutex::new(None),
        }
    }

    hpo_core::setters! {
        /// The smallest number of steps a trial runs (>= 1; default 1).
        pub fn min_resource(n: u64) => self.min_resource;

        /// The largest number of steps a trial runs, instead of estimating it.
        pub fn max_resource(n: u64) => self.max_resource = Some;

        /// How much each rung divides the survivors (>= 2; default 3).
        pub fn reduction_factor(n: u64) => self.reduction_factor;

        /// Passed to each bracket's successive halving (default 0).
        pub fn bootstrap_count(n: usize) => self.bootstrap_count;
    }

    /// The brackets, built on the first call that knows `max_resource`.
    fn brackets(&self, study: &Study) -> Result<Option<Arc<Brackets>>> {
        let mut guard = self.brackets.lock();
        if let Some(b) = guard.as_ref() {
            return Ok(Some(b.clone()));
        }
        let max_resource = match self.max_resource {
            Some(m) => m,
            None => {
                let complete = study.trials_in(&[TrialState::Complete])?;
                match complete
                    .iter()
                    .filter_map(|t| t.last_step().map(|(s, _)| s))
                    .max()
                {
                    Some(s) => s + 1,
                    None => return Ok(None),
                }
            }
        };
        let rf = self.reduction_factor;
        let ratio = max_resource as f64 / self.min_resource as f64;
        let n_brackets = ((ratio.ln() / (rf as f64).ln()).floor() as i64 + 1).max(1) as u64;
        let mut budgets = Vec::new();
        let mut pruners = Vec::new();
        for b in 0..n_brackets {
            let s = n_brackets - 1 - b;
            let budget = (n_brackets as f64 * (rf as f64).powi(s as i32) / (s + 1) as f64).ceil();
            budgets.push(budget as u64);
            pruners.push(SuccessiveHalvingPruner::with_rate(
                self.min_resource,
                rf,
                b,
                self.bootstrap_count,
            ));
        }
        let total = budgets.iter().sum();
        let brackets = Arc::new(Brackets {
            budgets,
            total,
            pruners,
        });
        *guard = Some(brackets.clone());
        Ok(Some(brackets))
    }

    /// The bracket of trial `number` in `study`, once the brackets exist (0 before, as Optuna).
    pub fn bracket_id(&self, study: &Study, number: u64) -> Result<usize> {
        Ok(match self.brackets(study)? {
            Some(b) => b.bracket_of(study.name(), number),
            None => 0,
        })
    }

    fn bracket_filter(brackets: Arc<Brackets>, study_name: String, id: usize) -> TrialFilter {
        Arc::new(move |t: &FrozenTrial| brackets.bracket_of(&study_name, t.number) == id)
    }
}

impl Default for HyperbandPruner {
    fn default() -> Self {
        HyperbandPruner::new()
    }
}

impl Pruner for HyperbandPruner {
    fn validate(&self) -> Result<()> {
        let name = "HyperbandPruner";
        if self.min_resource < 1 {
            return Err(invalid_setting(
                name,
                "min_resource",
                "must be >= 1",
                self.min_resource,
            ));
        }
        if let Some(max) = self.max_resource
            && max < 1
        {
            return Err(invalid_setting(name, "max_resource", "must be >= 1", max));
        }
        check_reduction_factor(name, self.reduction_factor)
    }

    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool> {
        self.validate()?;
        let Some(brackets) = self.brackets(study)? else {
            return Ok(false);
        };
        let id = brackets.bracket_of(study.name(), trial.number);
        hpo_core::log_debug!("trial {} is in Hyperband bracket {id}", trial.number);
        let bracket_study = study.filtered(Self::bracket_filter(
            brackets.clone(),
            study.name().to_owned(),
            id,
        ));
        brackets.pruners[id].prune(&bracket_study, trial)
    }

    fn sampler_filter(&self, study: &Study, trial: &FrozenTrial) -> Option<TrialFilter> {
        let brackets = self.brackets.lock().clone()?;
        let id = brackets.bracket_of(study.name(), trial.number);
        Some(Self::bracket_filter(brackets, study.name().to_owned(), id))
    }
}
