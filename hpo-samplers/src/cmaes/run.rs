//! One optimization run over one search space: the optimizer variant, its restarts (IPOP and
//! BIPOP), and how it advances through a study's history.
//!
//! The run's state is a pure function of the sampler's settings, the search space and the
//! finished trials: starting from the initial distribution, generation `g` of restart `r` is
//! told with the first `popsize` finished trials (by number) tagged `(space, r, g)`, and a
//! restart follows whenever the optimizer's termination criteria fire after a tell. The
//! sampler keeps the run in memory and advances it trial by trial; a fresh sampler (a new
//! process resuming the study) rebuilds it by advancing from the start over the whole history,
//! which reaches the same state.

use std::sync::Arc;

use hpo_core::rng::Rng;
use hpo_core::transform::SearchSpaceTransform;
use hpo_core::{Error, FrozenTrial, ParamValue, Result, Study, TrialState};
use nalgebra::DMatrix;
use serde_json::Value;

use super::history::{Entry, History, Keys, solution_value};
use super::margin::{CmaWithMargin, margin_steps};
use super::optimizer::{AskInBounds, Cma, default_popsize};
use super::sep::SepCma;
use super::warm_start::{ALPHA, GAMMA, warm_start};
use super::{RestartStrategy, derived_rng};

/// Smallest initial step size (avoids a zero sigma).
const MIN_SIGMA: f64 = 1e-10;

/// The options of the sampler that shape the optimizer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub x0: Option<Vec<(String, ParamValue)>>,
    pub sigma0: Option<f64>,
    pub popsize: Option<usize>,
    pub separable: bool,
    pub margin: bool,
    pub lr_adapt: bool,
    pub restart: Option<RestartStrategy>,
    pub inc_popsize: usize,
    pub consider_pruned: bool,
    pub source_trials: Option<Vec<Arc<FrozenTrial>>>,
}

impl Settings {
    /// The system attribute prefix of the variant (Optuna's).
    pub fn prefix(&self) -> &'static str {
        if self.separable {
            "sepcma:"
        } else if self.margin {
            "cmawm:"
        } else {
            "cma:"
        }
    }
}

/// One of the CMA-ES variants.
#[derive(Debug, Clone)]
pub(crate) enum Optimizer {
    Full(Cma),
    Separable(SepCma),
    Margin(CmaWithMargin),
}

impl Optimizer {
    pub fn popsize(&self) -> usize {
        match self {
            Optimizer::Full(o) => o.popsize(),
            Optimizer::Separable(o) => o.popsize(),
            Optimizer::Margin(o) => o.popsize(),
        }
    }

    pub fn generation(&self) -> usize {
        match self {
            Optimizer::Full(o) => o.generation(),
            Optimizer::Separable(o) => o.generation(),
            Optimizer::Margin(o) => o.generation(),
        }
    }

    /// `(x to evaluate, x to tell)`, equal except with margin.
    pub fn ask(&mut self, rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
        match self {
            Optimizer::Full(o) => {
                let x = o.ask(rng);
                (x.clone(), x)
            }
            Optimizer::Separable(o) => {
                let x = o.ask(rng);
                (x.clone(), x)
            }
            Optimizer::Margin(o) => o.ask(rng),
        }
    }

    pub fn tell(&mut self, solutions: &mut [(Vec<f64>, f64)]) {
        match self {
            Optimizer::Full(o) => o.tell(solutions),
            Optimizer::Separable(o) => o.tell(solutions),
            Optimizer::Margin(o) => o.tell(solutions),
        }
    }

    pub fn should_stop(&mut self) -> bool {
        match self {
            Optimizer::Full(o) => o.should_stop(),
            Optimizer::Separable(o) => o.should_stop(),
            Optimizer::Margin(o) => o.should_stop(),
        }
    }

    #[cfg(test)]
    pub fn mean(&self) -> &[f64] {
        match self {
            Optimizer::Full(o) => o.mean(),
            Optimizer::Separable(o) => o.mean(),
            Optimizer::Margin(o) => o.mean(),
        }
    }

    pub fn sigma(&self) -> f64 {
        match self {
            Optimizer::Full(o) => o.sigma(),
            Optimizer::Separable(o) => o.sigma(),
            Optimizer::Margin(o) => o.sigma(),
        }
    }

    /// A new optimizer of the variant the settings ask for.
    fn build(
        settings: &Settings,
        transform: &SearchSpaceTransform,
        mean: Vec<f64>,
        sigma: f64,
        cov: Option<DMatrix<f64>>,
        popsize: usize,
    ) -> Optimizer {
        let n = transform.n_columns();
        let bounds = vec![(0.0, 1.0); n];
        let sigma = sigma.max(MIN_SIGMA);
        if settings.separable && n > 1 {
            Optimizer::Separable(SepCma::new(mean, sigma, bounds, 10 * n, Some(popsize)))
        } else if settings.margin {
            Optimizer::Margin(CmaWithMargin::new(
                mean,
                sigma,
                bounds,
                &margin_steps(transform.distributions()),
                10 * n,
                Some(popsize),
                cov,
            ))
        } else {
            Optimizer::Full(Cma::new(
                mean,
                sigma,
                bounds,
                10 * n,
                Some(popsize),
                cov,
                settings.lr_adapt,
            ))
        }
    }
}

/// BIPOP's two regimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regime {
    Small,
    Large,
}

/// Restart bookkeeping (the number of restarts, and BIPOP's budgets).
#[derive(Debug, Clone)]
pub(crate) struct Restarts {
    pub index: u64,
    popsize0: usize,
    n_large: u32,
    regime: Regime,
    small_evals: u64,
    large_evals: u64,
}

/// The optimizer of one search space, with its restarts.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub transform: SearchSpaceTransform,
    pub fingerprint: String,
    pub restarts: Restarts,
    pub optimizer: Optimizer,
}

impl Run {
    /// The initial run for `space`: centred (or at `x0`) with `sigma0`, or warm-started from
    /// the source trials.
    pub fn start(
        settings: &Settings,
        transform: SearchSpaceTransform,
        fingerprint: String,
        maximize: bool,
    ) -> Result<Run> {
        let n = transform.n_columns();
        let popsize0 = settings.popsize.unwrap_or_else(|| default_popsize(n));
        let (mean, sigma, cov) = match &settings.source_trials {
            Some(sources) => {
                let ws = warm_start(
                    source_solutions(settings, &transform, sources, maximize)?,
                    GAMMA,
                    ALPHA,
                )
                .map_err(|e| Error::InvalidArgument(format!("CmaEsSampler warm start: {e}")))?;
                let mean = ws.mean.iter().map(|v| v.clamp(0.0, 1.0)).collect();
                (mean, ws.sigma, Some(ws.cov))
            }
            None => {
                let mut mean = vec![0.5; n];
                if let Some(x0) = &settings.x0 {
                    for (k, (name, dist)) in transform
                        .names()
                        .iter()
                        .zip(transform.distributions())
                        .enumerate()
                    {
                        if let Some((_, v)) = x0.iter().find(|(n, _)| n == name) {
                            let x = dist.to_internal(v).map_err(|e| Error::param(name, e))?;
                            mean[k] = transform.transform_numerical(k, x).clamp(0.0, 1.0);
                        }
                    }
                }
                (mean, settings.sigma0.unwrap_or(1.0 / 6.0), None)
            }
        };
        let optimizer = Optimizer::build(settings, &transform, mean, sigma, cov, popsize0);
        Ok(Run {
            transform,
            fingerprint,
            restarts: Restarts {
                index: 0,
                popsize0,
                n_large: 0,
                regime: Regime::Small,
                small_evals: 0,
                large_evals: 0,
            },
            optimizer,
        })
    }

    /// The `[0, 1]` vector a finished trial is told with: its parameters, or with margin the
    /// raw draw stored on the trial.
    fn solution_x(&self, e: &Entry, keys: &Keys) -> Option<Vec<f64>> {
        if matches!(self.optimizer, Optimizer::Margin(_))
            && let Some(Value::Array(xs)) = e.trial.system_attrs.get(&keys.x)
            && xs.len() == self.transform.n_columns()
        {
            let x: Option<Vec<f64>> = xs.iter().map(Value::as_f64).collect();
            if x.is_some() {
                return x;
            }
        }
        self.transform
            .transform_with(|name| e.trial.internal_param(name))
    }

    /// Tells every generation whose trials have all finished, restarting when the optimizer
    /// says it should stop (with a restart strategy).
    pub fn advance(
        &mut self,
        settings: &Settings,
        history: &History,
        keys: &Keys,
        study: &Study,
        seed: u64,
    ) -> Result<()> {
        loop {
            let popsize = self.optimizer.popsize();
            let generation = self.optimizer.generation() as u64;
            let mut solutions = Vec::with_capacity(popsize);
            for e in &history.entries {
                let Some(tag) = &e.tag else { continue };
                if tag.generation != generation
                    || tag.restart != self.restarts.index
                    || tag.space != self.fingerprint
                {
                    continue;
                }
                if let Some(x) = self.solution_x(e, keys) {
                    solutions.push((x, e.value));
                    if solutions.len() == popsize {
                        break;
                    }
                }
            }
            if solutions.len() < popsize {
                return Ok(());
            }
            self.optimizer.tell(&mut solutions);
            hpo_core::log_debug!(
                "CmaEsSampler: generation {} of restart {} told (sigma {:e})",
                generation,
                self.restarts.index,
                self.optimizer.sigma()
            );
            if let Some(strategy) = settings.restart
                && self.optimizer.should_stop()
            {
                self.restart(strategy, settings, keys, study, seed)?;
            }
        }
    }

    /// Starts the next restart: a random mean, and IPOP's or BIPOP's population size.
    fn restart(
        &mut self,
        strategy: RestartStrategy,
        settings: &Settings,
        keys: &Keys,
        study: &Study,
        seed: u64,
    ) -> Result<()> {
        let popsize = self.optimizer.popsize();
        let used = (popsize * self.optimizer.generation()) as u64;
        let r = &mut self.restarts;
        r.index += 1;
        let mut rng =
            Rng::seed_from_u64(restart_seed(study, keys, &self.fingerprint, r.index, seed)?);
        let inc = settings.inc_popsize.max(1);
        let sigma0 = settings.sigma0.unwrap_or(1.0 / 6.0);
        let (popsize, sigma) = match strategy {
            RestartStrategy::Ipop => (popsize * inc, sigma0),
            RestartStrategy::Bipop => {
                match r.regime {
                    Regime::Small => r.small_evals += used,
                    Regime::Large => r.large_evals += used,
                }
                if r.small_evals < r.large_evals {
                    r.regime = Regime::Small;
                    let multiplier = (inc as f64).powi(r.n_large as i32);
                    let u = rng.next_f64();
                    let p = (r.popsize0 as f64 * multiplier.powf(u * u)).floor() as usize;
                    let shrink = 10f64.powf(-2.0 * rng.next_f64());
                    (p.max(r.popsize0), sigma0 * shrink)
                } else {
                    r.regime = Regime::Large;
                    r.n_large += 1;
                    (r.popsize0 * inc.pow(r.n_large), sigma0)
                }
            }
        };
        let mean: Vec<f64> = (0..self.transform.n_columns())
            .map(|_| rng.next_f64())
            .collect();
        hpo_core::log_debug!(
            "CmaEsSampler restart {} ({strategy:?}): population size {popsize}",
            r.index
        );
        self.optimizer = Optimizer::build(settings, &self.transform, mean, sigma, None, popsize);
        Ok(())
    }
}

/// The seed of restart `index`: the one recorded in the study (so that every process resuming
/// the study restarts from the same point), else one derived from the sampler's seed, which is
/// then recorded.
fn restart_seed(
    study: &Study,
    keys: &Keys,
    fingerprint: &str,
    index: u64,
    seed: u64,
) -> Result<u64> {
    let key = format!("{}:{fingerprint}:{index}", keys.restart_seed);
    if let Some(v) = study.system_attrs()?.get(&key).and_then(Value::as_u64) {
        return Ok(v);
    }
    // Keep it within 2^53 so that every JSON reader gets it back exactly.
    let v = derived_rng(seed, 0x5245_5354_4152_5453, index).next_u64() >> 11;
    study.set_system_attr(&key, v)?;
    Ok(v)
}

/// The `[0, 1]` solutions of the source trials whose parameters are exactly the search space.
fn source_solutions(
    settings: &Settings,
    transform: &SearchSpaceTransform,
    sources: &[Arc<FrozenTrial>],
    maximize: bool,
) -> Result<Vec<(Vec<f64>, f64)>> {
    let out: Vec<(Vec<f64>, f64)> = sources
        .iter()
        .filter(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
        .filter(|t| {
            t.params.len() == transform.n_columns()
                && transform.names().iter().all(|n| t.params.contains_key(n))
        })
        .filter_map(|t| {
            let value = solution_value(t, settings.consider_pruned, maximize)?;
            let x = transform.transform_with(|name| t.internal_param(name))?;
            Some((x, value))
        })
        .collect();
    if out.is_empty() {
        return Err(Error::InvalidArgument(
            "CmaEsSampler: no source trial is compatible with the search space (a source trial \
             must be Complete and have exactly the parameters of the relative search space)"
                .into(),
        ));
    }
    Ok(out)
}
