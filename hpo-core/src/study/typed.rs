//! Typed studies: optimize over a `SearchSpace` type, enqueue typed configs, read the best one
//! back typed.

use std::sync::Arc;

use crate::error::{Result, TrialError};
use crate::space::{SearchSpace, SpaceTree};
use crate::study::{ObjectiveValue, OptimizeOptions, Study};
use crate::trial::Trial;

impl Trial {
    /// Samples a whole typed configuration (define-and-run): `let cfg: Config = trial.sample()?`.
    pub fn sample<T: SearchSpace>(&mut self) -> Result<T> {
        T::sample_in(self, "")
    }
}

impl Study {
    /// Records the static description of the space this study explores, so that samplers can
    /// read the whole conditional tree before the first trial (`optimize_typed` does this).
    pub fn declare_space(&self, tree: SpaceTree) {
        *self.inner.declared_space.write() = Some(Arc::new(tree));
    }

    /// The space declared with [`declare_space`](Study::declare_space), if any.
    pub fn declared_space(&self) -> Option<Arc<SpaceTree>> {
        self.inner.declared_space.read().clone()
    }

    /// Runs `n_trials` trials of an objective that receives a sampled `T` (and the trial, to
    /// report intermediate values or set attributes), on this thread.
    pub fn optimize_typed<T, V, F>(&self, n_trials: usize, objective: F) -> Result<()>
    where
        T: SearchSpace,
        V: ObjectiveValue,
        F: FnMut(T, &mut Trial) -> std::result::Result<V, TrialError>,
    {
        self.optimize_typed_with(OptimizeOptions::new().n_trials(n_trials), objective)
    }

    /// [`optimize_typed`](Study::optimize_typed) with full options (one thread, as
    /// [`optimize_with`](Study::optimize_with)).
    pub fn optimize_typed_with<T, V, F>(
        &self,
        options: OptimizeOptions<'_>,
        mut objective: F,
    ) -> Result<()>
    where
        T: SearchSpace,
        V: ObjectiveValue,
        F: FnMut(T, &mut Trial) -> std::result::Result<V, TrialError>,
    {
        self.declare_space(T::space()?);
        self.optimize_with(options, |trial| {
            let config: T = trial.sample()?;
            objective(config, trial)
        })
    }

    /// [`optimize_typed`](Study::optimize_typed) on `options`' `n_jobs` threads, as
    /// [`optimize_parallel`](Study::optimize_parallel).
    pub fn optimize_typed_parallel<T, V, F>(
        &self,
        options: OptimizeOptions<'_>,
        objective: F,
    ) -> Result<()>
    where
        T: SearchSpace,
        V: ObjectiveValue,
        F: Fn(T, &mut Trial) -> std::result::Result<V, TrialError> + Sync,
    {
        self.declare_space(T::space()?);
        self.optimize_parallel(options, |trial| {
            let config: T = trial.sample()?;
            objective(config, trial)
        })
    }

    /// Enqueues a known configuration: the next trial evaluates exactly it.
    pub fn enqueue<T: SearchSpace>(&self, config: &T) -> Result<()> {
        self.enqueue_trial(config.to_params())
    }

    /// The best trial's parameters as a typed configuration.
    pub fn best_params_as<T: SearchSpace>(&self) -> Result<T> {
        T::from_params(&self.best_params()?)
    }
}
