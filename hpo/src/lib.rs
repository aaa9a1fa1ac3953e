//! # hpo
//!
//! Hyperparameter optimization for Rust: Optuna's algorithms and habits, Rust's types and speed.
//!
//! This facade names what a program needs: studies and trials at the root, each family in its
//! module ([`samplers`], [`pruners`], [`storage`], [`importance`], [`visualization`],
//! [`logging`]), and `use hpo::prelude::*` for the usual names. Every way of opening a study
//! gives Optuna's defaults (TPE, median pruner), and log lines reach stderr with no setup.
//!
//! ```
//! use hpo::prelude::*;
//!
//! let study = hpo::create_study().sampler(RandomSampler::with_seed(42)).build()?;
//! study.optimize(100, |trial| {
//!     let x = trial.suggest_float("x", -10.0, 10.0)?;
//!     Ok((x - 2.0).powi(2))
//! })?;
//! println!("best value: {}, best params: {:?}", study.best_value()?, study.best_params()?);
//! # Ok::<(), hpo::Error>(())
//! ```

// The facade names each item it offers (no glob re-export), so its front page is the map of
// what a user needs; the member crates stay reachable through the modules below.

pub use hpo_core::{
    Attrs, CategoricalDistribution, Condition, Distribution, DistributionError, Error,
    FloatDistribution, FrozenTrial, InMemoryStorage, IntDistribution, IntoStorage,
    MaxTrialsCallback, MedianPruner, NopPruner, ObjectiveValue, OptimizeOptions, Param, ParamMap,
    ParamSpace, ParamValue, Pruner, RandomSampler, Result, Sampler, SearchSpace, SpaceParam,
    SpaceTree, Step, Storage, Study, StudyBuilder, StudyDirection, TpeSampler, Trial, TrialEnd,
    TrialError, TrialPruned, TrialResult, TrialState,
};
pub use hpo_core::{frame, logging, multi_objective, param, rng, study};
/// Log through [`logging`] (its format, verbosity and routing), for samplers, pruners and
/// programs built on hpo: `hpo::log_info!("...")`.
pub use hpo_core::{log_debug, log_error, log_info, log_warn};

/// `#[derive(SearchSpace)]`: a typed, conditional search space (see the crate README).
#[cfg(feature = "derive")]
pub use hpo_derive::SearchSpace;

pub use hpo_core::study::{
    Callback, HeartbeatConfig, StudySummary, copy_study, delete_study, get_all_study_names,
    get_all_study_summaries,
};

/// Distributions (Optuna's `FloatDistribution`, `IntDistribution`, `CategoricalDistribution`)
/// and their JSON form.
pub mod distributions {
    pub use hpo_core::distributions::*;
}

/// Pruners: Optuna's rules, exactly (see [`hpo_pruners`]). The default, [`MedianPruner`], is
/// also at the crate root.
pub mod pruners {
    pub use hpo_pruners::*;
}

/// Samplers: TPE (the default, also at the crate root), GP, CMA-ES, NSGA-II/III, QMC, grid and
/// the simple samplers (see [`hpo_samplers`]).
pub mod samplers {
    pub use hpo_samplers::*;
}

/// Storages, all in one place: the [`Storage`] trait, in-memory and journal
/// file storages (from hpo-core), SQLite (feature `sqlite`, on by default), PostgreSQL
/// (`postgres`), MySQL (`mysql`) and the Redis journal (`redis`) from hpo-storage, and
/// [`open`](storage::open) / [`StorageUrl`](storage::StorageUrl) for storage URLs.
pub mod storage {
    pub use hpo_core::storage::*;
    pub use hpo_storage::*;
}

/// Parameter importance: PED-ANOVA (the default), fANOVA and mean decrease impurity (see
/// [`hpo_importance`]).
pub mod importance {
    pub use hpo_importance::*;
}

/// Plots of a study as SVG, PNG or a self-contained HTML report (see [`hpo_viz`]; feature `viz`,
/// on by default).
#[cfg(feature = "viz")]
pub mod visualization {
    pub use hpo_viz::*;
}

/// The live web dashboard: `hpo::dashboard::Dashboard::for_study(&study).spawn()?` serves the
/// study's pages while it optimizes (see [`hpo_dashboard`]; feature `dashboard`, off by
/// default: it pulls in an async web stack).
#[cfg(feature = "dashboard")]
pub mod dashboard {
    pub use hpo_dashboard::*;
}

/// What `#[derive(SearchSpace)]` expands to; not part of the API.
#[doc(hidden)]
pub use hpo_core::__derive;

/// The storage a URL names (see [`storage::open`] for every form and the hints for the usual
/// slips): `sqlite:///file.db`, a bare `file.db`, `journal:PATH`, `postgresql://...`,
/// `mysql://...`, `redis://...` or `memory`. The server storages need hpo's `postgres`, `mysql`
/// or `redis` feature; without it, their URLs are an error that says which feature to turn on.
pub fn open_storage(url: &str) -> Result<std::sync::Arc<dyn Storage>> {
    hpo_storage::open(url)
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct WorkspaceReadmeDoctests;

#[cfg(all(doctest, feature = "derive"))]
#[doc = include_str!("../../hpo-derive/README.md")]
pub struct DeriveReadmeDoctests;

// The "Coming from Optuna" guide uses the derive macro, the plots and SQLite.
#[cfg(all(doctest, feature = "derive", feature = "viz", feature = "sqlite"))]
#[doc = include_str!("../../docs/coming-from-optuna.md")]
pub struct ComingFromOptunaDoctests;

/// A builder for a new study, as Optuna's `create_study`: in-memory storage, one minimized
/// objective, the [`TpeSampler`] and the [`MedianPruner`] (Optuna's defaults, the same on every
/// path that opens a study), and, unlike Optuna, heartbeats on a persistent storage
/// ([`HeartbeatConfig::default`]; `.without_heartbeat()` turns them off). Override any of them
/// on the builder, then `.build()` to create the study, `.load_if_exists(true).build()` to
/// create or reuse it, or `.load()` to open an existing one. The same as [`Study::builder`].
pub fn create_study() -> StudyBuilder {
    Study::builder()
}

/// Loads the study named `name` from `storage` with the defaults of [`create_study`] (TPE,
/// median pruner, heartbeats on a persistent storage), as Optuna's `load_study`; for another sampler or pruner use
/// `hpo::create_study().name(name).storage_arc(storage).sampler(..).load()`.
pub fn load_study(name: &str, storage: std::sync::Arc<dyn Storage>) -> Result<Study> {
    Study::builder().name(name).storage_arc(storage).load()
}

/// The names most programs need: `use hpo::prelude::*;`.
pub mod prelude {
    pub use hpo_core::SearchSpace;
    pub use hpo_core::{
        Distribution, FrozenTrial, MaxTrialsCallback, NopPruner, OptimizeOptions, ParamValue,
        RandomSampler, Study, StudyDirection, TpeSampler, Trial, TrialError, TrialPruned,
        TrialResult, TrialState,
    };
    #[cfg(feature = "derive")]
    pub use hpo_derive::SearchSpace;
    pub use hpo_pruners::{
        HyperbandPruner, MedianPruner, PatientPruner, PercentilePruner, SuccessiveHalvingPruner,
        ThresholdPruner, WilcoxonPruner,
    };
}
