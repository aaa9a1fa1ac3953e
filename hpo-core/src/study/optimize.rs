//! The optimize loop: n_trials, timeout, n_jobs worker threads, callbacks, progress bar.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::error::{Error, Result, TrialError};
use crate::storage::TrialId;
use crate::study::{Callback, HeartbeatConfig, ObjectiveValue, Study};
use crate::trial::{FrozenTrial, Trial, TrialState};

/// Options of [`Study::optimize_with`] and [`Study::optimize_parallel`]: when to stop, how many
/// threads, whether failures stop the loop, what to call after each trial.
///
/// ```
/// use std::time::Duration;
/// use hpo_core::OptimizeOptions;
/// let options = OptimizeOptions::new()
///     .n_trials(100)
///     .timeout(Duration::from_secs(60))
///     .catch(true)
///     .callback(|_study, trial| println!("trial {} done", trial.number));
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
pub struct OptimizeOptions<'a> {
    n_trials: Option<usize>,
    timeout: Option<Duration>,
    n_jobs: usize,
    callbacks: Vec<Arc<dyn Callback + 'a>>,
    show_progress_bar: bool,
    catch: bool,
}

impl std::fmt::Debug for OptimizeOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptimizeOptions")
            .field("n_trials", &self.n_trials)
            .field("timeout", &self.timeout)
            .field("n_jobs", &self.n_jobs)
            .field("callbacks", &self.callbacks.len())
            .field("show_progress_bar", &self.show_progress_bar)
            .field("catch", &self.catch)
            .finish()
    }
}

impl<'a> OptimizeOptions<'a> {
    /// No limit, one thread, no callbacks, the first failure stops the loop: set at least
    /// `n_trials` or `timeout`, or stop the study from a callback.
    pub fn new() -> Self {
        OptimizeOptions {
            n_jobs: 1,
            ..Default::default()
        }
    }

    crate::setters! {
        /// Run this many trials (in this call; across all its threads).
        pub fn n_trials(n: usize) => self.n_trials = Some;

        /// Start no trial after this much time has passed (running trials finish).
        pub fn timeout(timeout: Duration) => self.timeout = Some;

        /// Run trials on this many OS threads sharing the sampler and storage; 0 means one per CPU.
        /// More than one needs [`Study::optimize_parallel`], whose objective is `Fn + Sync`.
        pub fn n_jobs(n: usize) => self.n_jobs;
    }

    /// Call `callback(study, trial)` after each finished trial (Optuna's `callbacks`). It may
    /// borrow local state; call `study.stop()` to end the loop.
    pub fn callback<F>(self, callback: F) -> Self
    where
        F: Fn(&Study, &FrozenTrial) + Send + Sync + 'a,
    {
        self.callback_object(callback)
    }

    /// Call a [`Callback`] value after each finished trial, e.g. a
    /// [`MaxTrialsCallback`](crate::MaxTrialsCallback).
    pub fn callback_object(mut self, callback: impl Callback + 'a) -> Self {
        self.callbacks.push(Arc::new(callback));
        self
    }

    crate::setters! {
        /// Show a progress bar on the terminal (needs the `progress` feature, on by default). Log
        /// lines print above it; nothing is drawn when stderr is not a terminal.
        pub fn show_progress_bar(show: bool) => self.show_progress_bar;

        /// With `true`, a trial whose objective returns an error or panics is stored as Fail and
        /// the loop goes on (Optuna's `catch`). By default (`false`, Optuna's `catch=()`), such
        /// a trial is stored as Fail and `optimize` stops, returning [`Error::ObjectiveFailed`].
        /// A NaN value always fails its trial and goes on, as in Optuna.
        pub fn catch(yes: bool) => self.catch;
    }

    fn resolved_n_jobs(&self) -> usize {
        match self.n_jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
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
    /// multi-objective study), `Err(TrialError::Pruned)` or any error (`?` converts it). It may
    /// mutate local state (it is `FnMut`). As in Optuna, an error or a panic stores that trial as
    /// Fail (its reason in the `fail_reason` system attribute, and logged) and stops the loop,
    /// returning [`Error::ObjectiveFailed`]; [`OptimizeOptions::catch`] goes on instead. A NaN
    /// value fails its trial and the loop goes on.
    pub fn optimize<V, F>(&self, n_trials: usize, objective: F) -> Result<()>
    where
        V: ObjectiveValue,
        F: FnMut(&mut Trial) -> std::result::Result<V, TrialError>,
    {
        self.optimize_with(OptimizeOptions::new().n_trials(n_trials), objective)
    }

    /// Runs `objective` on this thread as `options` say: trial budget, timeout, callbacks,
    /// progress bar, `catch`. Options asking for several jobs are an error: use
    /// [`optimize_parallel`](Study::optimize_parallel).
    pub fn optimize_with<V, F>(&self, options: OptimizeOptions<'_>, mut objective: F) -> Result<()>
    where
        V: ObjectiveValue,
        F: FnMut(&mut Trial) -> std::result::Result<V, TrialError>,
    {
        let n_jobs = options.resolved_n_jobs();
        if n_jobs != 1 {
            return Err(Error::InvalidArgument(format!(
                "n_jobs = {n_jobs} runs the objective on several threads at once: call \
                 `optimize_parallel`, whose objective is `Fn + Sync`, instead of `optimize_with`"
            )));
        }
        self.run_loop(&options, |run| run.worker(&mut objective))
    }

    /// Runs `objective` on `options`' `n_jobs` OS threads at once (real parallelism: no GIL),
    /// sharing this study's sampler and storage; otherwise as
    /// [`optimize_with`](Study::optimize_with). The objective is shared by the threads, so it is
    /// `Fn + Sync` (use a `Mutex` or atomics for shared state).
    pub fn optimize_parallel<V, F>(&self, options: OptimizeOptions<'_>, objective: F) -> Result<()>
    where
        V: ObjectiveValue,
        F: Fn(&mut Trial) -> std::result::Result<V, TrialError> + Sync,
    {
        let n_jobs = options.resolved_n_jobs();
        self.run_loop(&options, |run| {
            if n_jobs == 1 {
                run.worker(&mut |trial: &mut Trial| objective(trial));
            } else {
                std::thread::scope(|scope| {
                    for _ in 0..n_jobs {
                        scope.spawn(|| run.worker(&mut |trial: &mut Trial| objective(trial)));
                    }
                });
            }
        })
    }

    /// The frame of every optimize call: no nesting, a fresh stop flag, the progress bar, the
    /// heartbeat thread, and the first error of any worker as the result.
    fn run_loop(&self, options: &OptimizeOptions<'_>, body: impl FnOnce(&Run<'_>)) -> Result<()> {
        if self.inner.optimizing.swap(true, Ordering::SeqCst) {
            return Err(Error::NestedOptimize(self.name().to_owned()));
        }
        let _guard = OptimizingGuard(self);
        self.inner.stop_requested.store(false, Ordering::SeqCst);
        let run = Run {
            study: self,
            options,
            started: Instant::now(),
            claimed: AtomicUsize::new(0),
            error: Mutex::new(None),
            progress: progress::Bar::new(options),
            heartbeat: self.heartbeat().cloned(),
            beating: Mutex::new(Vec::new()),
            beating_done: AtomicBool::new(false),
            last_stale_scan: Mutex::new(None),
        };
        std::thread::scope(|scope| {
            // One thread beats for every trial this call runs (whatever `n_jobs`), rather than
            // one thread per trial: a trial costs no thread start, and short trials no beat.
            let beater = run
                .heartbeat
                .as_ref()
                .map(|h| scope.spawn(|| run.beat(h.interval)));
            let _stop = StopBeating {
                done: &run.beating_done,
                beater: beater.as_ref().map(|b| b.thread().clone()),
            };
            body(&run);
        });
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
    /// The study's heartbeat settings, when its trials beat.
    heartbeat: Option<HeartbeatConfig>,
    /// The trials whose objective is running now, for the heartbeat thread to beat.
    beating: Mutex<Vec<TrialId>>,
    /// Tells the heartbeat thread to end.
    beating_done: AtomicBool,
    /// When this call last failed stale trials.
    last_stale_scan: Mutex<Option<Instant>>,
}

/// Ends the heartbeat thread when the optimize call ends, even by a panic (of a callback):
/// the thread scope would otherwise wait for it forever.
struct StopBeating<'a> {
    done: &'a AtomicBool,
    beater: Option<std::thread::Thread>,
}

impl Drop for StopBeating<'_> {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(t) = &self.beater {
            t.unpark();
        }
    }
}

/// How one trial ended, as the loop needs to know it.
struct Finished {
    trial: Arc<FrozenTrial>,
    /// The objective's error or panic message, when it raised one (not for NaN values).
    raised: Option<String>,
}

impl Run<'_> {
    /// The heartbeat thread: every `interval`, records a heartbeat for each trial whose
    /// objective is running. Each trial is created with its first heartbeat, so it goes at most
    /// about one interval without one.
    fn beat(&self, interval: Duration) {
        loop {
            let next = Instant::now() + interval;
            loop {
                if self.beating_done.load(Ordering::SeqCst) {
                    return;
                }
                match next.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => std::thread::park_timeout(left),
                    _ => break,
                }
            }
            let trials = self.beating.lock().clone();
            for trial_id in trials {
                match self.study.storage().record_heartbeat(trial_id) {
                    // It finished since the list was read.
                    Ok(()) | Err(Error::TrialFinished { .. }) => {}
                    Err(e) => {
                        crate::log_warn!("heartbeat of trial id {trial_id} not recorded: {e}")
                    }
                }
            }
        }
    }

    /// Fails stale trials before this call's first trial, then before a trial only when the
    /// last look is an interval old: a fresh worker fails the orphans at once, and a trial
    /// costs no scan of the study's Running trials (a scan per trial was most of what
    /// heartbeats cost on a journal file).
    fn fail_stale_trials_if_due(&self) -> Result<()> {
        let Some(config) = &self.heartbeat else {
            return Ok(());
        };
        {
            let mut last = self.last_stale_scan.lock();
            if last.is_some_and(|t| t.elapsed() < config.interval) {
                return Ok(());
            }
            *last = Some(Instant::now());
        }
        self.study.fail_stale_trials()?;
        Ok(())
    }

    fn should_stop(&self) -> bool {
        self.study.stop_requested()
            || self.error.lock().is_some()
            || self
                .options
                .timeout
                .is_some_and(|t| self.started.elapsed() >= t)
    }

    fn worker<V, F>(&self, objective: &mut F)
    where
        V: ObjectiveValue,
        F: FnMut(&mut Trial) -> std::result::Result<V, TrialError>,
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
                Ok(Finished {
                    trial,
                    raised: Some(message),
                }) if !self.options.catch => {
                    // Optuna re-raises here, before callbacks and the progress bar see the trial.
                    self.error.lock().get_or_insert(Error::ObjectiveFailed {
                        number: trial.number,
                        message,
                    });
                    return;
                }
                Ok(Finished { trial, .. }) => {
                    for cb in &self.options.callbacks {
                        cb.call(self.study, &trial);
                    }
                    self.progress.update(self.study, &trial, self.started);
                }
                Err(e) => {
                    self.error.lock().get_or_insert(e);
                    return;
                }
            }
        }
    }

    /// Asks, runs the objective (catching panics), and tells the outcome.
    fn run_trial<V, F>(&self, objective: &mut F) -> Result<Finished>
    where
        V: ObjectiveValue,
        F: FnMut(&mut Trial) -> std::result::Result<V, TrialError>,
    {
        self.fail_stale_trials_if_due()?;
        let beating = self.heartbeat.is_some();
        // With heartbeats, the trial carries its first one already (`ask_beating`).
        let mut trial = self.study.ask_beating(beating)?;
        let trial_id = trial.id();
        if beating {
            self.beating.lock().push(trial_id);
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| objective(&mut trial)));
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
        let told = self
            .study
            .finish(trial.frozen(), Some(state), values, reason.as_deref());
        // The trial beats until its result is stored: a tell that waits for a busy database
        // must not leave it silent long enough to look dead.
        if beating {
            self.beating.lock().retain(|id| *id != trial_id);
        }
        match told {
            Ok(trial) => Ok(Finished {
                trial,
                raised: reason,
            }),
            // Another worker failed it as stale while it ran (its heartbeats came late: an
            // overloaded machine or a stalled database). Its result is dropped, as the study
            // already holds the trial as failed, and this worker goes on.
            Err(Error::TrialFinished {
                number,
                state: TrialState::Fail,
            }) if beating => {
                crate::log_warn!(
                    "trial {number} was marked failed by another worker while it ran (its \
                     heartbeat came too late); its result is dropped"
                );
                Ok(Finished {
                    trial: self.study.storage().get_trial(trial_id)?,
                    raised: None,
                })
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(feature = "progress")]
mod progress {
    use std::time::Instant;

    use super::OptimizeOptions;
    use crate::study::Study;
    use crate::trial::FrozenTrial;

    /// An indicatif bar over trials (or over seconds when only a timeout is set), at most 80
    /// columns wide, registered with the logging module so that log lines print above it.
    pub(super) struct Bar(Option<(indicatif::ProgressBar, bool)>);

    /// The bar's layout: 16 cells of bar, the count, elapsed and remaining time, the best trial.
    /// At its widest (`100000/100000`, a 12-character value) it is 78 columns.
    pub(super) fn style(by_time: bool) -> indicatif::ProgressStyle {
        let template = if by_time {
            "{bar:16} {pos}/{len}s [{elapsed_precise}<{eta_precise}] {msg}"
        } else {
            "{bar:16} {pos}/{len} [{elapsed_precise}<{eta_precise}] {msg}"
        };
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    }

    /// "best #12: 0.0123457": the best trial, its value with 6 significant digits (Python's
    /// `%.6g`), so the line keeps its width whatever the value.
    pub(super) fn message(number: u64, value: f64) -> String {
        format!("best #{number}: {}", short_float(value))
    }

    /// Python's `'%.6g' % v`.
    pub(super) fn short_float(v: f64) -> String {
        if !v.is_finite() {
            return crate::param::ParamValue::Float(v).to_string();
        }
        if v == 0.0 {
            return "0".to_owned();
        }
        let exponent = v.abs().log10().floor() as i32;
        let trim = |s: String| -> String {
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            } else {
                s
            }
        };
        // Round first: 999999.5 has exponent 5 but prints as 1e+06.
        let sci = format!("{v:.5e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(exponent);
        if !(-4..6).contains(&exp) {
            let sign = if exp < 0 { '-' } else { '+' };
            format!("{}e{sign}{:02}", trim(mantissa.to_owned()), exp.abs())
        } else {
            let decimals = (5 - exp).max(0) as usize;
            trim(format!("{v:.decimals$}"))
        }
    }

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
            bar.set_style(style(by_time));
            crate::logging::progress::set_bar(Some(bar.clone()));
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
                bar.set_message(message(best.number, best.value().unwrap_or(f64::NAN)));
            }
        }

        pub(super) fn finish(&self) {
            if let Some((bar, _)) = &self.0 {
                bar.finish();
                crate::logging::progress::set_bar(None);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use std::sync::Arc;

        use parking_lot::Mutex;

        use super::*;

        #[test]
        fn values_print_as_python_percent_6g() {
            for (v, want) in [
                (0.0, "0"),
                (1.0, "1"),
                (0.1, "0.1"),
                (123456.0, "123456"),
                (1234567.0, "1.23457e+06"),
                (999999.5, "1e+06"),
                (0.000123456789, "0.000123457"),
                (-1.234567e-5, "-1.23457e-05"),
                (4.567891234, "4.56789"),
                (f64::INFINITY, "inf"),
            ] {
                assert_eq!(short_float(v), want, "{v}");
            }
        }

        /// Records what indicatif draws, as a terminal would show it.
        #[derive(Debug, Default, Clone)]
        struct Screen(Arc<Mutex<Vec<String>>>);

        impl indicatif::TermLike for Screen {
            fn width(&self) -> u16 {
                200
            }
            fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
                Ok(())
            }
            fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
                Ok(())
            }
            fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
                Ok(())
            }
            fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
                Ok(())
            }
            fn write_line(&self, s: &str) -> std::io::Result<()> {
                self.0.lock().push(s.to_owned());
                Ok(())
            }
            fn write_str(&self, s: &str) -> std::io::Result<()> {
                self.0.lock().push(s.to_owned());
                Ok(())
            }
            fn clear_line(&self) -> std::io::Result<()> {
                Ok(())
            }
            fn flush(&self) -> std::io::Result<()> {
                Ok(())
            }
        }

        #[test]
        fn the_bar_fits_80_columns_at_its_widest() {
            for by_time in [false, true] {
                let screen = Screen::default();
                let bar = indicatif::ProgressBar::with_draw_target(
                    Some(100_000),
                    indicatif::ProgressDrawTarget::term_like(Box::new(screen.clone())),
                );
                bar.set_style(style(by_time));
                bar.set_position(99_999);
                bar.set_message(message(99_999, -1.234567e-5));
                bar.finish();
                let lines = screen.0.lock().clone();
                assert!(!lines.is_empty(), "nothing drawn");
                let widest = lines
                    .iter()
                    .map(|l| l.trim_end().chars().count())
                    .max()
                    .unwrap_or(0);
                assert!(widest <= 80, "{widest} columns: {lines:?}");
                assert!(
                    lines
                        .iter()
                        .any(|l| l.contains("best #99999: -1.23457e-05")),
                    "{lines:?}"
                );
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
                crate::log_warn!("the progress bar needs hpo-core's `progress` feature");
            }
            Bar
        }
        pub(super) fn update(&self, _: &Study, _: &FrozenTrial, _: Instant) {}
        pub(super) fn finish(&self) {}
    }
}
