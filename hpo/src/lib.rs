//! # hpo
//!
//! Hyperparameter optimization for Rust: Optuna's algorithms and habits, Rust's types and speed.
//!
//! This facade re-exports the workspace's crates; the core types live in [`hpo_core`].
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

pub use hpo_core::*;

#[cfg(feature = "derive")]
pub use hpo_derive::SearchSpace;

/// Pruners: Optuna's rules, exactly (see [`hpo_pruners`]).
pub mod pruners {
    pub use hpo_pruners::*;
}
pub use hpo_pruners::MedianPruner;

/// Samplers: TPE (the default), GP, CMA-ES, NSGA-II/III and the simple samplers (see
/// [`hpo_samplers`]).
pub mod samplers {
    pub use hpo_samplers::*;
}
pub use hpo_samplers::TpeSampler;

/// Persistent storages on Optuna's formats (see [`hpo_storage`]; the journal file lives in core).
pub mod storages {
    pub use hpo_core::storage::{
        JournalBackend, JournalFileBackend, JournalFileStorage, JournalStorage, LockKind,
    };
    pub use hpo_storage::*;
}
#[cfg(feature = "sqlite")]
pub use hpo_storage::SqliteStorage;

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

pub use hpo_core::study::{
    StudySummary, copy_study, delete_study, get_all_study_names, get_all_study_summaries,
};

/// The storage a URL names: `sqlite:///file.db`, `journal:PATH` or `memory`.
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

/// A builder for a new study with hpo's defaults, as Optuna's `create_study`: in-memory
/// storage, one minimized objective, the [`TpeSampler`] and the [`MedianPruner`] (override any
/// of them on the builder). Call `.build()` to create it, or `.load()` to open an existing one.
pub fn create_study() -> StudyBuilder {
    Study::builder()
        .sampler(TpeSampler::new())
        .pruner(MedianPruner::new())
}

/// Loads the study named `name` from `storage`.
pub fn load_study(name: &str, storage: std::sync::Arc<dyn Storage>) -> Result<Study> {
    Study::builder()
        .name(name)
        .storage_arc(storage)
        .pruner(MedianPruner::new())
        .load()
}

/// The names most programs need: `use hpo::prelude::*;`.
pub mod prelude {
    pub use hpo_core::SearchSpace;
    pub use hpo_core::{
        Distribution, FrozenTrial, MaxTrialsCallback, NopPruner, OptimizeOptions, ParamValue,
        RandomSampler, Study, StudyDirection, Trial, TrialError, TrialPruned, TrialResult,
        TrialState,
    };
    #[cfg(feature = "derive")]
    pub use hpo_derive::SearchSpace;
    pub use hpo_pruners::{
        HyperbandPruner, MedianPruner, PatientPruner, PercentilePruner, SuccessiveHalvingPruner,
        ThresholdPruner, WilcoxonPruner,
    };
    pub use hpo_samplers::TpeSampler;
}
