//! `SuccessiveHalvingPruner`: asynchronous successive halving (ASHA).

use hpo_core::error::invalid_setting;
use hpo_core::{FrozenTrial, Pruner, Result, Study, StudyDirection, TrialState};
use parking_lot::Mutex;

/// Asynchronous successive halving (Optuna's `SuccessiveHalvingPruner`): at each rung (steps
/// `min_resource * reduction_factor^(min_early_stopping_rate + rung)`) a trial goes on only if
/// its value is in the top `1 / reduction_factor` of the values recorded at that rung.
///
/// Rungs are recorded in the trial's system attributes as `completed_rung_<k>`, as Optuna does,
/// so Python and Rust workers can share a study. Defaults: `min_resource` estimated from the
/// first completed trial (its last step / 100, at least 1), reduction factor 4, rate 0, no
/// bootstrap.
#[derive(Debug)]
pub struct SuccessiveHalvingPruner {
    /// `None` until estimated ("auto").
    min_resource: Mutex<Option<u64>>,
    auto: bool,
    reduction_factor: u64,
    min_early_stopping_rate: u64,
    bootstrap_count: usize,
}

impl SuccessiveHalvingPruner {
    /// Optuna's defaults.
    pub fn new() -> Self {
        SuccessiveHalvingPruner {
            min_resource: Mutex::new(None),
            auto: true,
            reduction_factor: 4,
            min_early_stopping_rate: 0,
            bootstrap_count: 0,
        }
    }

    /// The first rung's step (>= 1), instead of estimating it.
    pub fn min_resource(mut self, n: u64) -> Self {
        self.min_resource = Mutex::new(Some(n));
        self.auto = false;
        self
    }

    hpo_core::setters! {
        /// How much each rung divides the survivors (>= 2; default 4).
        pub fn reduction_factor(n: u64) => self.reduction_factor;

        /// Shifts the rungs: the first is at `min_resource * reduction_factor^rate` (default 0).
        pub fn min_early_stopping_rate(n: u64) => self.min_early_stopping_rate;

        /// A trial is pruned at a rung until more than `n` trials have reached it (default 0).
        /// Needs an explicit [`min_resource`](Self::min_resource).
        pub fn bootstrap_count(n: usize) => self.bootstrap_count;
    }

    pub(crate) fn with_rate(
        min_resource: u64,
        reduction_factor: u64,
        rate: u64,
        bootstrap: usize,
    ) -> Self {
        SuccessiveHalvingPruner {
            min_resource: Mutex::new(Some(min_resource)),
            auto: false,
            reduction_factor,
            min_early_stopping_rate: rate,
            bootstrap_count: bootstrap,
        }
    }
}

impl Default for SuccessiveHalvingPruner {
    fn default() -> Self {
        SuccessiveHalvingPruner::new()
    }
}

/// The rule on `reduction_factor` that successive halving and Hyperband (`pruner` names the
/// one checked) share: each rung must keep fewer trials than the one before.
pub(crate) fn check_reduction_factor(pruner: &str, reduction_factor: u64) -> Result<()> {
    if reduction_factor < 2 {
        return Err(invalid_setting(
            pruner,
            "reduction_factor",
            "must be >= 2",
            reduction_factor,
        ));
    }
    Ok(())
}

/// The system attribute holding a trial's value at rung `k`.
pub fn completed_rung_key(rung: u64) -> String {
    format!("completed_rung_{rung}")
}

fn estimate_min_resource(trials: &[std::sync::Arc<FrozenTrial>]) -> Option<u64> {
    let last = trials
        .iter()
        .filter(|t| t.state == TrialState::Complete)
        .filter_map(|t| t.last_step().map(|(s, _)| s))
        .max()?;
    Some((last / 100).max(1))
}

fn promotable(
    value: f64,
    competing: &mut [f64],
    reduction_factor: u64,
    direction: StudyDirection,
) -> bool {
    let mut idx = (competing.len() as i64 / reduction_factor as i64) - 1;
    if idx == -1 {
        // The first `rf - 1` trials of a rung go on only if they are the best so far.
        idx = 0;
    }
    competing.sort_by(f64::total_cmp);
    let idx = idx as usize;
    match direction {
        StudyDirection::Maximize => value >= competing[competing.len() - 1 - idx],
        StudyDirection::Minimize => value <= competing[idx],
    }
}

impl Pruner for SuccessiveHalvingPruner {
    fn validate(&self) -> Result<()> {
        let name = "SuccessiveHalvingPruner";
        if let Some(min) = *self.min_resource.lock()
            && min < 1
        {
            return Err(invalid_setting(name, "min_resource", "must be >= 1", min));
        }
        check_reduction_factor(name, self.reduction_factor)?;
        if self.bootstrap_count > 0 && self.auto {
            return Err(invalid_setting(
                name,
                "bootstrap_count",
                "needs an explicit `min_resource` (not \"auto\")",
                self.bootstrap_count,
            ));
        }
        Ok(())
    }

    fn prune(&self, study: &Study, trial: &FrozenTrial) -> Result<bool> {
        self.validate()?;
        let Some((step, value)) = trial.last_step() else {
            return Ok(false);
        };
        let mut rung = 0u64;
        while trial.system_attrs.contains_key(&completed_rung_key(rung)) {
            rung += 1;
        }
        let mut trials: Option<Vec<std::sync::Arc<FrozenTrial>>> = None;
        loop {
            let min_resource = {
                let mut guard = self.min_resource.lock();
                if guard.is_none() {
                    let all = match trials.take() {
                        Some(t) => t,
                        None => study.trials()?,
                    };
                    *guard = estimate_min_resource(&all);
                    trials = Some(all);
                }
                match *guard {
                    Some(m) => m,
                    None => return Ok(false),
                }
            };
            let exponent = u32::try_from(self.min_early_stopping_rate + rung).unwrap_or(u32::MAX);
            let promotion_step = self
                .reduction_factor
                .checked_pow(exponent)
                .and_then(|p| p.checked_mul(min_resource))
                .unwrap_or(u64::MAX);
            if step < promotion_step {
                return Ok(false);
            }
            if value.is_nan() {
                return Ok(true);
            }
            if trials.is_none() {
                trials = Some(study.trials()?);
            }
            let key = completed_rung_key(rung);
            let stored = hpo_core::json::float_to_value(value);
            study
                .storage()
                .set_trial_system_attr(trial.trial_id, &key, stored)?;
            let mut competing: Vec<f64> = trials
                .as_ref()
                .expect("fetched above")
                .iter()
                .filter_map(|t| {
                    t.system_attrs
                        .get(&key)
                        .and_then(hpo_core::json::value_to_float)
                })
                .collect();
            competing.push(value);
            if competing.len() <= self.bootstrap_count {
                return Ok(true);
            }
            if !promotable(
                value,
                &mut competing,
                self.reduction_factor,
                study.direction()?,
            ) {
                return Ok(true);
            }
            rung += 1;
        }
    }
}
