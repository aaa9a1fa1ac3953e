//! The optimize loop: n_trials, timeout, n_jobs worker threads, callbacks, progress bar.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::error::{Error, Result, TrialError};
use crate::study::{Callback, ObjectiveValue, Study};
use crate::trial::{FrozenTrial, Trial, TrialState};

/// Options of [`Study::optimize_with`]: when to stop, how many threads, what to call after each
/// trial.
///
/// ```
/// use std::time::Duration;
/// use hpo_core::OptimizeOptions;
/// let options = OptimizeOptions::new()
///     .n_trials(100)
///     .timeout(Duration::from_secs(60))
///     .n_jobs(2)
///     .callback(|_study: &hpo_core::Study, trial: &hpo_core::FrozenTrial| {
///         println!("trial {} done", trial.number)
///     });
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
pub struct OptimizeOptions<'a> {
    n_trials: Option<usize>,
    timeout: Option<Duration>,
    n_jobs: usize,
    callbacks: Vec<Arc<dyn Callback + 'a>>,
    show_progress_bar: bool,
    fail_fast: bool,
}

impl std::fmt::Debug for OptimizeOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptimizeOptions")
            .field("n_trials", &self.n_trials)
            .field("timeout", &self.timeout)
            .field("n_jobs", &self.n_jobs)
            .field("callbacks", &self.callbacks.len())
            .field("show_progress_bar", &self.show_progress_bar)
            .field("fail_fast", &self.fail_fast)
            .finish()
    }
}

impl<'a> OptimizeOptions<'a> {
    /// No limit, one thread, no callbacks: set at least `n_trials` or `timeout`, or stop the
    /// study from a callback.
    pub fn new() -> Self {
        OptimizeOptions {
            n_jobs: 1,
            ..Default::default()
        }
    }

    /// Run this many trials (in this call; across all its threads).
    pub fn n_trials(mut self, n: usize) -> Self {
        self.n_trials = Some(n);
        self
    }

    /// Start no trial after this much time has passed (running trials finish).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Run trials on this many OS threads sharing the sampler and storage; 0 means one per CPU.
    pub fn n_jobs(mut self, n: usize) -> Self {
        self.n_jobs = n;
        self
    }

    /// Call `callback` after each finished trial. It may borrow local state.
    pub fn callback(mut self, callback: impl Callback + 'a) -> Self {
        self.callbacks.push(Arc::new(callback));
        self
    }

    /// Show a progress bar on the terminal (needs the `progress` feature, on by default).
    pub fn show_progress_bar(mut self, show: bool) -> Self {
        self.show_progress_bar = show;
        self
    }

    /// Stop and return the error when a trial fails (its Fail state is stored first). By default
    /// a failed trial is recorded and the study goes on.
    pub fn fail_fast(mut self, yes: bool) -> Self {
        self.fail_fast = yes;
        self
    }
}

/// Resets the `optimizing` flag however the loop ends.
struct OptimizingGuard<'a>(&'a Study);

impl Drop for OptimizingGuard<'_> {
    fn drop(&mut self) {
        self.0.inner.optimizing.store(false, Ordering::SeqCst);
    }
}

impl Study {
    /// Runs `n_trials` trials of `objective` on this thread.
    ///
    /// The objective gets a [`Trial`] and returns `Ok(value)` (or several values for a
    /// multi-objective study), `Err(TrialError::Pruned)` or any error (`?` converts it). An error,
    /// a panic (caught: the worker survives) or a NaN value ends that trial as Fail with the
    /// reason stored in its `fail_reason` system attribute, and the study goes on.
    pub fn optimize<V, F>(&self, n_trials: usize, objective: F) -> Result<()>
    where
        V: ObjectiveValue,
        F: Fn(&mut Trial) -> std::result::Result<V, TrialError> + Sync,
    {
        self.optimize_with(OptimizeOptions::new().n_trials(n_trials), objective)
    }

    /// Runs `objective` as `options` say: trial budget, timeout, worker threads, callbacks.
    pub fn optimize_with<V, F>(&self, options: OptimizeOptions<'_>, objective: F) -> Result<()>
    where
        V: ObjectiveValue,
        F: Fn(&mut Trial) -> std::result::Result<V, TrialError> + Sync,
    {
        if self.inner.optimizing.swap(true, Ordering::SeqCst) {
            return Err(Error::NestedOptimize(self.name().to_owned()));
        }
        let _guard = OptimizingGuard(self);
        self.inner.stop_requested.store(false, Ordering::SeqCst);
        let n_jobs = match options.n_jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let run = Run {
            study: self,
            options: &options,
            started: Instant::now(),
            claimed: AtomicUsize::new(0),
            error: Mutex::new(None),
            progress: progress::Bar::new(&options),
        };
        if n_jobs == 1 {
            run.worker(&objective);
        } else {
            std::thread::scope(|scope| {
                for _ in 0..n_jobs {
                    scope.spawn(|| run.worker(&objective));
                }
            });
        }
        run.progress.finish();
        match run.error.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// State shared by the worker threads of one `optimize` call.
struct Run<'a> {
    study: &'a Study,
    options: &'a OptimizeOptions<'a>,
    started: Instant,
    claimed: AtomicUsize,
    error: Mutex<Option<Error>>,
    progress: progress::Bar,
}

impl Run<'_> {
    fn should_stop(&self) -> bool {
        self.study.stop_requested()
            || self.error.lock().is_some()
            || self
                .options
                .timeout
                .is_some_and(|t| self.started.elapsed() >= t)
    }

    fn worker<V, F>(&self, objective: &F)
    where
        V: ObjectiveValue,
        F: Fn(&mut Trial) -> std::result::Result<V, TrialError> + Sync,
    {
        loop {
            if self.should_stop() {
                return;
            }
            if let Some(n) = self.options.n_trials
                && self.claimed.fetch_add(1, Ordering::SeqCst) >= n
            {
                return;
            }
            match self.run_trial(objective) {
                Ok(finished) => {
                    for cb in &self.options.callbacks {
                        cb.call(self.study, &finished);
                    }
                    self.progress.update(self.study, &finished, self.started);
                    if self.options.fail_fast && finished.state == TrialState::Fail {
                        let message = finished
                            .system_attrs
                            .get("fail_reason")
                            .and_then(|v| v.as_str())
                            .unwrap_or("unknown")
                            .to_owned();
                        self.error.lock().get_or_insert(Error::ObjectiveFailed {
                            number: finished.number,
                            message,
                        });
                    }
                }
                Err(e) => {
                    self.error.lock().get_or_insert(e);
                    return;
                }
            }
        }
    }

    /// Asks, runs the objective (catching panics), and tells the outcome.
    fn run_trial<V, F>(&self, objective: &F) -> Result<Arc<FrozenTrial>>
    where
        V: ObjectiveValue,
        F: Fn(&mut Trial) -> std::result::Result<V, TrialError> + Sync,
    {
        if self.study.heartbeat().is_some() {
            self.study.fail_stale_trials()?;
        }
        let mut trial = self.study.ask()?;
        let outcome = match self.study.heartbeat().map(|h| h.interval) {
            None => catch_unwind(AssertUnwindSafe(|| objective(&mut trial))),
            Some(interval) => {
                // A heartbeat thread beats until the objective returns (or panics).
                let storage = self.study.storage().clone();
                let trial_id = trial.id();
                storage.record_heartbeat(trial_id)?;
                let done = std::sync::atomic::AtomicBool::new(false);
                std::thread::scope(|scope| {
                    let beat = scope.spawn(|| {
                        loop {
                            std::thread::park_timeout(interval);
                            if done.load(Ordering::SeqCst) {
                                break;
                            }
                            match storage.record_heartbeat(trial_id) {
                                Ok(()) | Err(Error::TrialFinished { .. }) => {}
                                Err(e) => tracing::warn!(
                                    "heartbeat of trial id {trial_id} not recorded: {e}"
                                ),
                            }
                        }
                    });
                    let outcome = catch_unwind(AssertUnwindSafe(|| objective(&mut trial)));
                    done.store(true, Ordering::SeqCst);
                    beat.thread().unpark();
                    outcome
                })
            }
        };
        let (state, values, reason) = match outcome {
            Ok(Ok(v)) => (TrialState::Complete, Some(v.into_values()), None),
            Ok(Err(TrialError::Pruned)) => (TrialState::Pruned, None, None),
            Ok(Err(e @ TrialError::Failed(_))) => (TrialState::Fail, None, Some(e.to_string())),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic payload".to_owned());
                (
                    TrialState::Fail,
                    None,
                    Some(format!("the objective panicked: {msg}")),
                )
            }
        };
        self.study
            .finish(trial.frozen(), Some(state), values, reason.as_deref())
    }
}

#[cfg(feature = "progress")]
mod progress {
    use std::time::Instant;

    use super::OptimizeOptions;
    use crate::study::Study;
    use crate::trial::FrozenTrial;

    /// An indicatif bar over trials (or over seconds when only a timeout is set).
    pub(super) struct Bar(Option<(indicatif::ProgressBar, bool)>);

    impl Bar {
        pub(super) fn new(options: &OptimizeOptions<'_>) -> Bar {
            if !options.show_progress_bar {
                return Bar(None);
            }
            let (len, by_time) = match (options.n_trials, options.timeout) {
                (Some(n), _) => (n as u64, false),
                (None, Some(t)) => (t.as_secs().max(1), true),
                (None, None) => (0, false),
            };
            let bar = indicatif::ProgressBar::new(len);
            let template = if by_time {
                "{elapsed_precise} {bar:40} {pos}/{len} s  {msg}"
            } else {
                "{elapsed_precise} {bar:40} {pos}/{len} trials ({eta})  {msg}"
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            Bar(Some((bar, by_time)))
        }

        pub(super) fn update(&self, study: &Study, _trial: &FrozenTrial, started: Instant) {
            let Some((bar, by_time)) = &self.0 else {
                return;
            };
            if *by_time {
                bar.set_position(started.elapsed().as_secs().min(bar.length().unwrap_or(0)));
            } else {
                bar.inc(1);
            }
            if let Ok(best) = study.best_trial() {
                bar.set_message(format!(
                    "best trial: {}, best value: {}",
                    best.number,
                    best.value().unwrap_or(f64::NAN)
                ));
            }
        }

        pub(super) fn finish(&self) {
            if let Some((bar, _)) = &self.0 {
                bar.finish();
            }
        }
    }
}

#[cfg(not(feature = "progress"))]
mod progress {
    use std::time::Instant;

    use super::OptimizeOptions;
    use crate::study::Study;
    use crate::trial::FrozenTrial;

    /// Without the `progress` feature, no bar is drawn.
    pub(super) struct Bar;

    impl Bar {
        pub(super) fn new(options: &OptimizeOptions<'_>) -> Bar {
            if options.show_progress_bar {
                tracing::warn!("the progress bar needs hpo-core's `progress` feature");
            }
            Bar
        }
        pub(super) fn update(&self, _: &Study, _: &FrozenTrial, _: Instant) {}
        pub(super) fn finish(&self) {}
    }
}
