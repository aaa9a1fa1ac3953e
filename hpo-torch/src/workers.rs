//! Worker processes: `k` copies of this program share one study through a storage.
//!
//! Threads that train on one GPU all launch their kernels on the device's default stream, so a
//! small, launch-bound model gains little from running trials as threads of one process. One
//! *process* per slot gives each trial its own CUDA context and its own launching thread, at
//! the cost of one context's memory per process. [`ProcessPool`] runs `k` copies of the
//! current executable as workers; each finds out it is a worker with [`Worker::from_env`],
//! loads the study by name from the shared storage (a journal file or SQLite, anything
//! [`hpo::open_storage`] opens) and runs [`Worker::optimize`] with one trial at a time.
//!
//! **Exactly `n_trials` trials.** Counting trials in the storage after each trial (as
//! [`hpo::MaxTrialsCallback`] does) is not exact across processes: two workers that both see
//! `n - 1` trials both start one more. The pool therefore hands out tickets: a small counter file
//! that the workers update under an exclusive file lock ([`std::fs::File::lock`]). A worker
//! takes a ticket before each trial and stops when none is left, so the pool's run adds exactly
//! `n_trials` trials to the study, unless a worker fails, a worker's own `n_trials` or `timeout`
//! (in the options it passes to [`Worker::optimize`]) ends it first, or the pool stops early.
//!
//! **Failures.** When a worker exits with a non-zero status or is killed by a signal, the pool
//! stops handing out tickets: the other workers finish the trial they are running (it is
//! stored) and exit, and [`ProcessPool::run`] returns [`WorkersError::Failed`] naming every
//! worker that failed, with its index and exit status. Trials already finished stay in the
//! storage; a trial the failed worker was running stays Running until a heartbeat scan (on by
//! default for persistent storages) marks it failed.
//!
//! ```no_run
//! use hpo::prelude::*;
//! use hpo_torch::workers::{ProcessPool, Worker};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     if let Some(worker) = Worker::from_env()? {
//!         // A worker: a seed of its own, so that workers do not suggest the same points.
//!         let sampler = TpeSampler::with_seed(42 + worker.index() as u64);
//!         let study = worker.load_study(hpo::create_study().sampler(sampler))?;
//!         worker.optimize(&study, OptimizeOptions::new(), |trial| {
//!             let x = trial.suggest_float("x", -10.0, 10.0)?;
//!             Ok((x - 2.0).powi(2))
//!         })?;
//!         return Ok(());
//!     }
//!     let url = "journal:study.log";
//!     hpo::create_study()
//!         .name("shared")
//!         .storage_arc(hpo::open_storage(url)?)
//!         .load_if_exists(true)
//!         .build()?;
//!     ProcessPool::new(4).run(url, "shared", 100)?; // 4 processes, 100 trials in all
//!     Ok(())
//! }
//! ```

use std::ffi::OsString;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hpo::{ObjectiveValue, OptimizeOptions, Study, StudyBuilder, Trial, TrialError};
use serde::{Deserialize, Serialize};

/// The environment variable that marks a process as a worker of a [`ProcessPool`]; its value
/// (JSON) says which worker it is, the storage, the study and the ticket file.
pub const WORKER_ENV: &str = "HPO_TORCH_WORKER";

/// The user attribute [`Worker::optimize`] sets on each trial: the index of the worker that ran
/// it.
pub const WORKER_ATTR: &str = "worker";

/// What went wrong in a [`ProcessPool`] or a [`Worker`].
#[derive(Debug)]
pub enum WorkersError {
    /// A file or process operation failed (`what` says which).
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// One or more workers exited with a non-zero status or were killed; the others were told
    /// to stop after their current trial.
    Failed {
        /// Every worker that failed, in the order their failures were seen.
        failures: Vec<WorkerFailure>,
        /// How many workers the pool ran.
        processes: usize,
    },
    /// [`WORKER_ENV`] is set but does not hold a worker's description.
    BadEnvironment(String),
    /// The study or its storage failed.
    Study(hpo::Error),
}

/// A worker that failed: its index and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerFailure {
    /// The worker's index, `0..processes`.
    pub index: usize,
    /// Its process id.
    pub pid: u32,
    /// How it ended.
    pub status: ExitStatus,
}

impl fmt::Display for WorkerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use std::os::unix::process::ExitStatusExt;
        write!(f, "worker {} (pid {}) ", self.index, self.pid)?;
        match (self.status.code(), self.status.signal()) {
            (Some(code), _) => write!(f, "exited with status {code}"),
            (None, Some(signal)) => write!(f, "was killed by signal {signal}"),
            (None, None) => write!(f, "ended with {}", self.status),
        }
    }
}

impl fmt::Display for WorkersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkersError::Io { what, source } => write!(f, "{what}: {source}"),
            WorkersError::Failed {
                failures,
                processes,
            } => {
                write!(
                    f,
                    "{} of {processes} worker process(es) failed: ",
                    failures.len()
                )?;
                for (i, failure) in failures.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{failure}")?;
                }
                Ok(())
            }
            WorkersError::BadEnvironment(why) => write!(f, "{WORKER_ENV}: {why}"),
            WorkersError::Study(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WorkersError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkersError::Io { source, .. } => Some(source),
            WorkersError::Study(e) => Some(e),
            _ => None,
        }
    }
}

impl From<hpo::Error> for WorkersError {
    fn from(e: hpo::Error) -> Self {
        WorkersError::Study(e)
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> WorkersError {
    let what = what.into();
    move |source| WorkersError::Io { what, source }
}

/// The ticket file: `claimed limit`, updated under an exclusive lock.
#[derive(Debug, Clone)]
struct Tickets {
    path: PathBuf,
}

impl Tickets {
    fn create(path: PathBuf, limit: usize) -> Result<Tickets, WorkersError> {
        std::fs::write(&path, format!("0 {limit}"))
            .map_err(io(format!("creating the ticket file {}", path.display())))?;
        Ok(Tickets { path })
    }

    /// Runs `change` on `(claimed, limit)` under the lock, writing back what it returns.
    fn update<T>(
        &self,
        change: impl FnOnce(usize, usize) -> (usize, usize, T),
    ) -> Result<T, WorkersError> {
        let what = || format!("updating the ticket file {}", self.path.display());
        let mut file: File = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .map_err(io(what()))?;
        file.lock().map_err(io(what()))?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io(what()))?;
        let mut fields = text.split_whitespace().map(str::parse::<usize>);
        let (Some(Ok(claimed)), Some(Ok(limit))) = (fields.next(), fields.next()) else {
            return Err(WorkersError::BadEnvironment(format!(
                "the ticket file {} holds {text:?}, not two counts",
                self.path.display()
            )));
        };
        let (claimed2, limit2, out) = change(claimed, limit);
        if (claimed2, limit2) != (claimed, limit) {
            file.seek(SeekFrom::Start(0)).map_err(io(what()))?;
            file.set_len(0).map_err(io(what()))?;
            write!(file, "{claimed2} {limit2}").map_err(io(what()))?;
            file.flush().map_err(io(what()))?;
        }
        // The lock is released when the file is closed.
        Ok(out)
    }

    /// Takes a ticket: `Some(its number)`, or `None` when all are taken or the pool stopped.
    fn claim(&self) -> Result<Option<usize>, WorkersError> {
        self.update(|claimed, limit| {
            if claimed < limit {
                (claimed + 1, limit, Some(claimed))
            } else {
                (claimed, limit, None)
            }
        })
    }

    /// Hands out no more tickets; returns how many were taken.
    fn stop(&self) -> Result<usize, WorkersError> {
        self.update(|claimed, _| (claimed, claimed, claimed))
    }

    fn claimed(&self) -> Result<usize, WorkersError> {
        self.update(|claimed, limit| (claimed, limit, claimed))
    }
}

/// Removes the pool's ticket file at the end of a run.
struct RemoveOnDrop<'a>(&'a Path);

impl Drop for RemoveOnDrop<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

/// What a worker process reads from [`WORKER_ENV`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WorkerSpec {
    index: usize,
    processes: usize,
    storage: String,
    study: String,
    tickets: PathBuf,
}

/// Runs `processes` copies of a program (by default the current executable with its own
/// arguments) as workers that share one study; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct ProcessPool {
    processes: usize,
    program: Option<PathBuf>,
    args: Option<Vec<OsString>>,
    envs: Vec<(OsString, OsString)>,
    quiet: bool,
    poll: Duration,
}

/// What a [`ProcessPool`] run did.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolRun {
    /// How many worker processes ran.
    pub processes: usize,
    /// How many trials the workers started (tickets taken): the run's `n_trials` unless a
    /// worker's own limits ended it early.
    pub trials_started: usize,
    /// From the first spawn to the last exit.
    pub wall: Duration,
}

impl ProcessPool {
    /// A pool of `processes` workers (at least 1).
    pub fn new(processes: usize) -> ProcessPool {
        ProcessPool {
            processes: processes.max(1),
            program: None,
            args: None,
            envs: Vec::new(),
            quiet: false,
            poll: Duration::from_millis(20),
        }
    }

    /// How many worker processes the pool runs.
    pub fn processes(&self) -> usize {
        self.processes
    }

    /// Runs this program instead of the current executable.
    pub fn program(mut self, program: impl Into<PathBuf>) -> ProcessPool {
        self.program = Some(program.into());
        self
    }

    /// Gives the workers these arguments instead of this process's own.
    pub fn args<I, S>(mut self, args: I) -> ProcessPool
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args = Some(args.into_iter().map(Into::into).collect());
        self
    }

    /// Sets an environment variable in every worker (they inherit this process's environment
    /// otherwise).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> ProcessPool {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Sends the workers' standard output to `/dev/null` (their standard error is kept).
    pub fn quiet(mut self, yes: bool) -> ProcessPool {
        self.quiet = yes;
        self
    }

    /// Spawns the workers on the study `study` in the storage `storage_url` (which must exist:
    /// create it first), hands out `n_trials` trials among them, and waits for all of them.
    /// Returns [`WorkersError::Failed`] when any worker failed (see the
    /// [module documentation](self)).
    pub fn run(
        &self,
        storage_url: &str,
        study: &str,
        n_trials: usize,
    ) -> Result<PoolRun, WorkersError> {
        let program = match &self.program {
            Some(p) => p.clone(),
            None => std::env::current_exe().map_err(io("finding the current executable"))?,
        };
        let args = match &self.args {
            Some(a) => a.clone(),
            None => std::env::args_os().skip(1).collect(),
        };
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("hpo-torch-tickets-{}-{stamp}", std::process::id()));
        let tickets = Tickets::create(path, n_trials)?;
        let _remove = RemoveOnDrop(&tickets.path);
        let started = Instant::now();
        let mut running = Running {
            children: Vec::new(),
        };
        for index in 0..self.processes {
            let spec = WorkerSpec {
                index,
                processes: self.processes,
                storage: storage_url.to_owned(),
                study: study.to_owned(),
                tickets: tickets.path.clone(),
            };
            let env = serde_json::to_string(&spec)
                .map_err(|e| WorkersError::BadEnvironment(e.to_string()))?;
            let mut command = Command::new(&program);
            command
                .args(&args)
                .envs(self.envs.iter().map(|(k, v)| (k, v)))
                .env(WORKER_ENV, env);
            if self.quiet {
                command.stdout(std::process::Stdio::null());
            }
            let child = command.spawn();
            match child {
                Ok(child) => running.children.push((index, Some(child))),
                Err(e) => {
                    // The workers already started finish their current trial and stop.
                    let _ = tickets.stop();
                    running.wait_all();
                    return Err(io(format!(
                        "starting worker {index} ({})",
                        program.display()
                    ))(e));
                }
            }
        }
        let mut failures = Vec::new();
        loop {
            let mut alive = 0;
            for (index, slot) in &mut running.children {
                let Some(child) = slot else { continue };
                match child
                    .try_wait()
                    .map_err(io(format!("waiting for worker {index}")))?
                {
                    None => alive += 1,
                    Some(status) => {
                        if !status.success() {
                            hpo::log_warn!(
                                "worker {index} (pid {}) failed ({status}); the others stop \
                                 after their current trial",
                                child.id()
                            );
                            failures.push(WorkerFailure {
                                index: *index,
                                pid: child.id(),
                                status,
                            });
                            tickets.stop()?;
                        }
                        *slot = None;
                    }
                }
            }
            if alive == 0 {
                break;
            }
            std::thread::sleep(self.poll);
        }
        let wall = started.elapsed();
        if !failures.is_empty() {
            return Err(WorkersError::Failed {
                failures,
                processes: self.processes,
            });
        }
        Ok(PoolRun {
            processes: self.processes,
            trials_started: tickets.claimed()?,
            wall,
        })
    }
}

/// The pool's children; any still running when it is dropped (an early return) are killed.
struct Running {
    children: Vec<(usize, Option<Child>)>,
}

impl Running {
    fn wait_all(&mut self) {
        for (_, slot) in &mut self.children {
            if let Some(mut child) = slot.take() {
                let _ = child.wait();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for (_, slot) in &mut self.children {
            if let Some(mut child) = slot.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// This process as a worker of a [`ProcessPool`]: which one, and the study it shares.
#[derive(Debug, Clone)]
pub struct Worker {
    spec: WorkerSpec,
    tickets: Tickets,
}

impl Worker {
    /// `Some` in a process a [`ProcessPool`] started (it sets [`WORKER_ENV`]), `None` otherwise.
    pub fn from_env() -> Result<Option<Worker>, WorkersError> {
        let Some(value) = std::env::var_os(WORKER_ENV) else {
            return Ok(None);
        };
        let value = value
            .into_string()
            .map_err(|_| WorkersError::BadEnvironment("not UTF-8".into()))?;
        let spec: WorkerSpec = serde_json::from_str(&value)
            .map_err(|e| WorkersError::BadEnvironment(format!("{e} in {value:?}")))?;
        let tickets = Tickets {
            path: spec.tickets.clone(),
        };
        Ok(Some(Worker { spec, tickets }))
    }

    /// This worker's index, `0..processes`.
    pub fn index(&self) -> usize {
        self.spec.index
    }

    /// How many workers the pool runs.
    pub fn processes(&self) -> usize {
        self.spec.processes
    }

    /// The shared storage's URL.
    pub fn storage_url(&self) -> &str {
        &self.spec.storage
    }

    /// The shared study's name.
    pub fn study_name(&self) -> &str {
        &self.spec.study
    }

    /// Loads the shared study with `builder`'s sampler and pruner (its name and storage are
    /// set here). Give each worker a sampler seed of its own (e.g. `seed + index`): workers
    /// with one seed suggest the same random start-up points.
    pub fn load_study(&self, builder: StudyBuilder) -> Result<Study, WorkersError> {
        let storage = hpo::open_storage(&self.spec.storage)?;
        Ok(builder
            .name(self.spec.study.clone())
            .storage_arc(storage)
            .load()?)
    }

    /// Runs trials of `objective` on `study`, one at a time (`n_jobs` is set to 1), taking a
    /// ticket from the pool before each, until none is left; each trial gets the user attribute
    /// [`WORKER_ATTR`] with this worker's index. `options` may add callbacks, a timeout or a
    /// limit of this worker's own. Returns how many trials this worker ran.
    pub fn optimize<V, F>(
        &self,
        study: &Study,
        options: OptimizeOptions<'_>,
        mut objective: F,
    ) -> Result<usize, WorkersError>
    where
        V: ObjectiveValue,
        F: FnMut(&mut Trial) -> Result<V, TrialError>,
    {
        if self.tickets.claim()?.is_none() {
            return Ok(0);
        }
        let ran = AtomicUsize::new(0);
        let index = self.spec.index;
        let tickets = &self.tickets;
        let options = options
            .n_jobs(1)
            .callback(|study: &Study, _: &hpo::FrozenTrial| {
                ran.fetch_add(1, Ordering::SeqCst);
                match tickets.claim() {
                    Ok(Some(_)) => {}
                    Ok(None) => study.stop(),
                    Err(e) => {
                        hpo::log_warn!("worker {index}: no ticket for another trial: {e}");
                        study.stop();
                    }
                }
            });
        study.optimize_with(options, |trial: &mut Trial| {
            trial.set_user_attr(WORKER_ATTR, index)?;
            objective(trial)
        })?;
        Ok(ran.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_run_out_exactly_and_stop_hands_out_no_more() {
        let path =
            std::env::temp_dir().join(format!("hpo-torch-tickets-test-{}", std::process::id()));
        let t = Tickets::create(path.clone(), 3).expect("ticket file");
        let _remove = RemoveOnDrop(&path);
        assert_eq!(t.claim().ok().flatten(), Some(0));
        assert_eq!(t.claim().ok().flatten(), Some(1));
        assert_eq!(t.stop().ok(), Some(2));
        assert_eq!(t.claim().ok().flatten(), None);
        assert_eq!(t.claimed().ok(), Some(2));
    }

    #[test]
    fn a_failure_names_the_worker_and_its_status() {
        use std::os::unix::process::ExitStatusExt;
        let e = WorkersError::Failed {
            failures: vec![
                WorkerFailure {
                    index: 1,
                    pid: 10,
                    status: ExitStatus::from_raw(3 << 8),
                },
                WorkerFailure {
                    index: 2,
                    pid: 11,
                    status: ExitStatus::from_raw(9),
                },
            ],
            processes: 3,
        };
        assert_eq!(
            e.to_string(),
            "2 of 3 worker process(es) failed: worker 1 (pid 10) exited with status 3; \
             worker 2 (pid 11) was killed by signal 9"
        );
    }
}
