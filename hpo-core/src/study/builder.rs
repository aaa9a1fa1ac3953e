//! `StudyBuilder`: create or load a study.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::pruners::{MedianPruner, Pruner};
use crate::samplers::{Sampler, TpeSampler};
use crate::storage::{InMemoryStorage, Storage};
use crate::study::{HeartbeatConfig, Study, StudyDirection};

/// Builds a [`Study`]: name, direction(s), sampler, pruner, storage.
///
/// ```
/// use hpo_core::{RandomSampler, Study, StudyDirection};
/// let study = Study::builder()
///     .name("demo")
///     .direction(StudyDirection::Maximize)
///     .sampler(RandomSampler::with_seed(42))
///     .build()?;
/// assert_eq!(study.name(), "demo");
/// # Ok::<(), hpo_core::Error>(())
/// ```
///
/// Defaults, Optuna's on every path (creating, loading, load-or-create): a unique
/// `no-name-<uuid>`-style name, one minimized objective, a [`TpeSampler`] (whatever the number of
/// objectives, as Optuna 5.0), a [`MedianPruner`] and a fresh [`InMemoryStorage`]. Choose others
/// with [`sampler`](Self::sampler) and [`pruner`](Self::pruner); `NopPruner` turns pruning off.
///
/// One default is not Optuna's, and is the same on every path too: on a persistent storage
/// ([`Storage::is_persistent`]: a journal file, SQLite, a database server, Redis) heartbeats are
/// on, with [`HeartbeatConfig::default`] (a beat every 60 s, a trial silent for 180 s is failed,
/// no retry), so a killed worker's trial becomes Fail instead of staying Running forever. Set
/// them with [`heartbeat`](Self::heartbeat), turn them off with
/// [`without_heartbeat`](Self::without_heartbeat).
#[derive(Debug, Default)]
pub struct StudyBuilder {
    name: Option<String>,
    directions: Option<Vec<StudyDirection>>,
    sampler: Option<Arc<dyn Sampler>>,
    pruner: Option<Arc<dyn Pruner>>,
    storage: Option<Arc<dyn Storage>>,
    load_if_exists: bool,
    heartbeat: HeartbeatChoice,
}

/// What the builder was told about heartbeats.
#[derive(Debug, Default, Clone)]
enum HeartbeatChoice {
    /// Nothing: on, with the default config, when the storage is persistent.
    #[default]
    Unset,
    On(HeartbeatConfig),
    Off,
}

impl HeartbeatChoice {
    /// The config a study on `storage` runs with, checked.
    fn resolve(self, storage: &dyn Storage) -> Result<Option<HeartbeatConfig>> {
        Ok(match self {
            HeartbeatChoice::Unset => storage.is_persistent().then(HeartbeatConfig::default),
            HeartbeatChoice::On(config) => {
                config.validate()?;
                Some(config)
            }
            HeartbeatChoice::Off => None,
        })
    }
}

impl StudyBuilder {
    /// A builder with the defaults above.
    pub fn new() -> Self {
        StudyBuilder::default()
    }

    /// The study's name (unique within its storage).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// One objective in this direction.
    pub fn direction(mut self, direction: StudyDirection) -> Self {
        self.directions = Some(vec![direction]);
        self
    }

    /// Several objectives (a multi-objective study), one direction each.
    pub fn directions(mut self, directions: impl Into<Vec<StudyDirection>>) -> Self {
        self.directions = Some(directions.into());
        self
    }

    /// The sampler.
    pub fn sampler(self, sampler: impl Sampler + 'static) -> Self {
        self.sampler_arc(Arc::new(sampler))
    }

    crate::setters! {
        /// The sampler, already shared.
        pub fn sampler_arc(sampler: Arc<dyn Sampler>) => self.sampler = Some;
    }

    /// Whether a sampler has been set.
    pub fn has_sampler(&self) -> bool {
        self.sampler.is_some()
    }

    /// The pruner.
    pub fn pruner(self, pruner: impl Pruner + 'static) -> Self {
        self.pruner_arc(Arc::new(pruner))
    }

    crate::setters! {
        /// The pruner, already shared.
        pub fn pruner_arc(pruner: Arc<dyn Pruner>) => self.pruner = Some;
    }

    /// Whether a pruner has been set.
    pub fn has_pruner(&self) -> bool {
        self.pruner.is_some()
    }

    /// The storage: a storage value (`JournalFileStorage::open(..)?`) or one already shared,
    /// as `hpo::open_storage(url)?` returns it (`Arc<dyn Storage>`).
    pub fn storage(mut self, storage: impl IntoStorage) -> Self {
        self.storage = Some(storage.into_storage());
        self
    }

    crate::setters! {
        /// The storage, already shared (the same as [`storage`](Self::storage) with an `Arc`).
        pub fn storage_arc(storage: Arc<dyn Storage>) => self.storage = Some;

        /// With `true`, [`build`](Self::build) loads the study when one of that name exists instead
        /// of failing with [`Error::DuplicatedStudy`].
        pub fn load_if_exists(yes: bool) => self.load_if_exists;
    }

    /// Heartbeats with these settings, on any storage (the in-memory one included). While
    /// `optimize` runs a trial, its worker records a heartbeat (the trial's `heartbeat` system
    /// attribute) every `interval`; `optimize` fails the Running trials whose heartbeat is older
    /// than the grace period, as their worker died (when it starts, then at most once an
    /// interval), and re-enqueues them when `retry` is set.
    ///
    /// Without this call, heartbeats are on with [`HeartbeatConfig::default`] on a persistent
    /// storage and off on an in-memory one. Trials that never beat (from
    /// [`Study::ask`](crate::Study::ask), or Optuna workers without heartbeats) are never failed.
    /// A zero interval, or a grace period not longer than the interval, makes
    /// [`build`](Self::build) and [`load`](Self::load) fail with [`Error::InvalidArgument`].
    pub fn heartbeat(mut self, config: HeartbeatConfig) -> Self {
        self.heartbeat = HeartbeatChoice::On(config);
        self
    }

    /// No heartbeats, whatever the storage (Optuna's default): a killed worker's trial stays
    /// Running. The one switch that turns off the default of [`heartbeat`](Self::heartbeat).
    pub fn without_heartbeat(mut self) -> Self {
        self.heartbeat = HeartbeatChoice::Off;
        self
    }

    /// The storage, sampler and pruner, defaults filled in and the sampler's and pruner's
    /// settings checked.
    fn parts(self) -> Result<Parts> {
        let sampler = self.sampler.unwrap_or_else(|| Arc::new(TpeSampler::new()));
        sampler.validate()?;
        let pruner = self.pruner.unwrap_or_else(|| Arc::new(MedianPruner::new()));
        pruner.validate()?;
        Ok((
            self.storage
                .unwrap_or_else(|| Arc::new(InMemoryStorage::new())),
            sampler,
            pruner,
        ))
    }

    /// Creates the study (or loads it, with `load_if_exists`).
    pub fn build(self) -> Result<Study> {
        let name = self.name.clone().unwrap_or_else(generated_name);
        let directions = self
            .directions
            .clone()
            .unwrap_or_else(|| vec![StudyDirection::Minimize]);
        if directions.is_empty() {
            return Err(Error::InvalidArgument(
                "`directions` must not be empty".into(),
            ));
        }
        let load_if_exists = self.load_if_exists;
        let heartbeat = self.heartbeat.clone();
        let (storage, sampler, pruner) = self.parts()?;
        let heartbeat = heartbeat.resolve(&*storage)?;
        let study_id = match storage.create_new_study(&directions, &name) {
            Ok(id) => {
                crate::log_info!("A new study created with name: {name}");
                id
            }
            Err(Error::DuplicatedStudy(_)) if load_if_exists => {
                crate::log_info!(
                    "Using an existing study with name '{name}' instead of creating a new one."
                );
                let id = storage.get_study_id_from_name(&name)?;
                let stored = storage.get_study_directions(id)?;
                if stored != directions {
                    return Err(Error::InvalidArgument(format!(
                        "study `{name}` exists with directions {stored:?}, not {directions:?}"
                    )));
                }
                id
            }
            Err(e) => return Err(e),
        };
        Study::from_parts(
            study_id, name, directions, storage, sampler, pruner, heartbeat,
        )
    }

    /// Loads an existing study by name. Without a name, the storage must hold exactly one study.
    pub fn load(self) -> Result<Study> {
        let name = self.name.clone();
        let heartbeat = self.heartbeat.clone();
        let (storage, sampler, pruner) = self.parts()?;
        let heartbeat = heartbeat.resolve(&*storage)?;
        let (study_id, name) = match name {
            Some(name) => (storage.get_study_id_from_name(&name)?, name),
            None => {
                let all = storage.get_all_studies()?;
                match all.as_slice() {
                    [one] => (one.study_id, one.name.clone()),
                    _ => {
                        return Err(Error::InvalidArgument(format!(
                            "no study name given and the storage holds {} studies; name one",
                            all.len()
                        )));
                    }
                }
            }
        };
        let directions = storage.get_study_directions(study_id)?;
        Study::from_parts(
            study_id, name, directions, storage, sampler, pruner, heartbeat,
        )
    }
}

/// What [`StudyBuilder::storage`] takes: a storage, or a shared `Arc<dyn Storage>`.
pub trait IntoStorage {
    /// The storage, shared.
    fn into_storage(self) -> Arc<dyn Storage>;
}

impl<S: Storage + 'static> IntoStorage for S {
    fn into_storage(self) -> Arc<dyn Storage> {
        Arc::new(self)
    }
}

impl IntoStorage for Arc<dyn Storage> {
    fn into_storage(self) -> Arc<dyn Storage> {
        self
    }
}

/// What a study is made of besides its name and directions.
type Parts = (Arc<dyn Storage>, Arc<dyn Sampler>, Arc<dyn Pruner>);

/// `no-name-` followed by a random UUID-shaped hex string, as Optuna names anonymous studies.
fn generated_name() -> String {
    let mut rng = crate::rng::Rng::from_entropy();
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "no-name-{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}
