//! A live web dashboard for hpo studies, with no Python: the study list, a page per study
//! (optimization history with log-scale and include-pruned switches, importances, slice,
//! contour, parallel coordinates, intermediate values, EDF, timeline, Pareto front and
//! hypervolume history, drawn by hpo-viz), a sortable, filterable trial table paged on the
//! server, and a page per trial. Pages update by themselves within a second or two while
//! workers in any process write to the storage.
//!
//! Serve any storage (`hpo dashboard sqlite:///study.db` does this), or the study a training
//! program is optimizing, from inside it, in-memory storage included:
//!
//! ```
//! use hpo_core::{RandomSampler, Study};
//! use hpo_dashboard::Dashboard;
//!
//! let study = Study::builder().sampler(RandomSampler::with_seed(0)).build()?;
//! // Port 0 picks a free port; the default is 127.0.0.1:8080.
//! let dashboard = Dashboard::for_study(&study).port(0).spawn()?;
//! println!("watch the study at {}", dashboard.study_url());
//! study.optimize(20, |trial| {
//!     let x = trial.suggest_float("x", -5.0, 5.0)?;
//!     Ok(x * x)
//! })?;
//! dashboard.stop(); // or keep it: the server stops when the handle is dropped
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Safe by default**: it listens on 127.0.0.1 unless given another host, is read-only unless
//! [`Dashboard::allow_writes`] is set, escapes every string a study holds, and sends a content
//! security policy that lets no script run but its own. Writes (delete a study, tell a running or
//! waiting trial's result) need a per-server token in the form and a same-site request.
//!
//! **Pages sized by what they show**: the table is paged on the server, figures cap what they
//! draw (hpo-viz subsamples dense scatters) and are kept while the study is unchanged, and pages
//! poll a few-byte stamp instead of reloading data. (The server's memory still grows with the
//! study: the storage keeps its trials.)

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod app;
mod cache;
mod html;
mod pages;
mod problem;
mod snapshot;
mod view;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use hpo_core::storage::StudyId;
use hpo_core::{Storage, Study};

/// The host the dashboard listens on unless told otherwise: this machine only.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// The port the dashboard listens on unless told otherwise (optuna-dashboard's).
pub const DEFAULT_PORT: u16 = 8080;

/// A dashboard to serve: a storage, where to listen, and whether writes are allowed.
#[derive(Debug, Clone)]
pub struct Dashboard {
    storage: Arc<dyn Storage>,
    host: String,
    port: u16,
    writes: bool,
    label: String,
    home: Option<StudyId>,
}

impl Dashboard {
    /// A read-only dashboard of every study in `storage`, on 127.0.0.1:8080.
    pub fn new(storage: Arc<dyn Storage>) -> Dashboard {
        Dashboard {
            storage,
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            writes: false,
            label: String::new(),
            home: None,
        }
    }

    /// A dashboard of `study`'s storage whose [`DashboardHandle::study_url`] is that study's
    /// page: how a program serves the study it is optimizing (an in-memory one too).
    pub fn for_study(study: &Study) -> Dashboard {
        let mut d = Dashboard::new(study.storage().clone());
        d.home = Some(study.study_id());
        d.label = format!("study {}", study.name());
        d
    }

    /// The host or address to listen on (default 127.0.0.1; `0.0.0.0` serves every network
    /// interface, and so everyone who can reach this machine).
    pub fn host(mut self, host: impl Into<String>) -> Dashboard {
        self.host = host.into();
        self
    }

    hpo_core::setters! {
        /// The port (default 8080; 0 picks a free one, see [`DashboardHandle::addr`]).
        pub fn port(port: u16) => self.port;

        /// Whether pages may change studies: delete a study, tell a running or waiting trial's
        /// result (default `false`: read-only).
        pub fn allow_writes(yes: bool) => self.writes;
    }

    /// How the page header names the storage, e.g. its URL with the password masked (default:
    /// nothing, or the study's name for [`Dashboard::for_study`]). Never pass a password here.
    pub fn storage_label(mut self, label: impl Into<String>) -> Dashboard {
        self.label = label.into();
        self
    }

    /// The routes as an [`axum::Router`], to mount in a server of your own (listening and
    /// shutdown are then yours).
    pub fn into_router(self) -> axum::Router {
        app::router(app::Inner {
            storage: self.storage,
            label: self.label,
            token: self.writes.then(token),
            figures: Default::default(),
        })
    }

    fn bind(&self) -> std::io::Result<TcpListener> {
        let listener = TcpListener::bind((self.host.as_str(), self.port)).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen on {}:{}: {e}", self.host, self.port),
            )
        })?;
        listener.set_nonblocking(true)?;
        Ok(listener)
    }

    /// Serves until the process ends (what `hpo dashboard` does). Binding errors (a port in
    /// use, a host that is not this machine's) are returned at once.
    pub fn serve(self) -> std::io::Result<()> {
        let listener = self.bind()?;
        let router = self.into_router();
        let runtime = runtime()?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, router).await
        })
    }

    /// Serves on a background thread and returns at once, with a handle that knows the address
    /// and stops the server (on [`DashboardHandle::stop`] or when dropped). Binding errors are
    /// returned here, not on the thread.
    pub fn spawn(self) -> std::io::Result<DashboardHandle> {
        let listener = self.bind()?;
        let addr = listener.local_addr()?;
        let home = self.home;
        let router = self.into_router();
        let runtime = runtime()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hpo-dashboard".into())
            .spawn(move || {
                let served = runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    axum::serve(listener, router)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await
                });
                if let Err(e) = served {
                    tracing::error!("dashboard: the server stopped: {e}");
                }
            })?;
        Ok(DashboardHandle {
            addr,
            home,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A dashboard served on a background thread ([`Dashboard::spawn`]); dropping it stops the
/// server.
#[derive(Debug)]
#[must_use = "the dashboard stops when its handle is dropped"]
pub struct DashboardHandle {
    addr: SocketAddr,
    home: Option<StudyId>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DashboardHandle {
    /// The address the server listens on (the chosen port when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The study list's URL, e.g. `http://127.0.0.1:8080/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The page of the study given to [`Dashboard::for_study`], or the study list.
    pub fn study_url(&self) -> String {
        match self.home {
            Some(id) => format!("http://{}/studies/{id}", self.addr),
            None => self.url(),
        }
    }

    /// Blocks while the server runs, which is until the process ends or the server fails (what
    /// `hpo dashboard` does after printing the address).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops the server (requests in flight finish first) and waits for its thread.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for DashboardHandle {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The server's runtime: two worker threads answer requests (storage reads and drawing run on
/// the blocking pool, one thread per request in flight).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hpo-dashboard")
        .enable_all()
        .build()
}

/// A random token for write forms (128 bits from the process's hasher keys and the clock).
fn token() -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let a = RandomState::new().hash_one((nanos, std::process::id()));
    let b = RandomState::new().hash_one((a, nanos));
    format!("{a:016x}{b:016x}")
}
