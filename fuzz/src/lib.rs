//! Fuzz targets for hpo's parsers of untrusted text. Each target takes arbitrary bytes, runs one
//! parser on them and checks, where it is cheap, an invariant of what it parsed; a panic is a
//! bug. The same functions run under AFL++ (the `fuzz_*` binaries, feature `afl`) and, on every
//! file of `fuzz/corpus/<target>/`, in this crate's `cargo test` (see the README).
//!
//! - [`journal`]: a journal (Optuna's JSON lines) replayed by
//!   [`JournalStorage`], then listed and written to;
//! - [`storage_url`]: [`StorageUrl::parse`], parse only;
//! - [`distribution_json`]: [`Distribution::from_json`] and its round trip through
//!   [`Distribution::to_json`];
//! - [`search_space_json`]: [`param_space_from_json`], what `hpo ask --search-space` reads.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use std::sync::Mutex;

use hpo_core::param_space::param_space_from_json;
use hpo_core::storage::{JournalBackend, JournalStorage, LockGuard};
use hpo_core::study::StudyDirection;
use hpo_core::{Distribution, Storage};
use hpo_storage::StorageUrl;

/// A fuzz target: runs a parser on arbitrary bytes and panics on a bug.
pub type Target = fn(&[u8]);

/// Every target by name: the name is its corpus folder (`fuzz/corpus/<name>/`) and, with a
/// `fuzz_` prefix, its AFL binary.
pub const TARGETS: &[(&str, Target)] = &[
    ("journal", journal),
    ("storage_url", storage_url),
    ("distribution_json", distribution_json),
    ("search_space_json", search_space_json),
];

/// A journal log in memory, one record per line: a [`JournalBackend`] without a lock whose
/// `append_at` is a compare-and-append, so a replay needs no file.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    lines: Mutex<Vec<String>>,
}

impl MemoryBackend {
    /// A log holding `text`'s lines as the file backend reads them: split at `\n`, invalid UTF-8
    /// replaced, blank lines left out. Unlike a file, a last line without its newline is kept.
    pub fn from_bytes(text: &[u8]) -> MemoryBackend {
        let lines = text
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        MemoryBackend {
            lines: Mutex::new(lines),
        }
    }

    /// The records in the log.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl JournalBackend for MemoryBackend {
    fn read_from(&self, from: u64) -> hpo_core::Result<(Vec<String>, u64)> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let from = usize::try_from(from).map_or(lines.len(), |f| f.min(lines.len()));
        Ok((lines[from..].to_vec(), lines.len() as u64))
    }

    fn lock(&self) -> hpo_core::Result<Option<LockGuard<'_>>> {
        Ok(None)
    }

    fn append_at(&self, at: u64, record: &str) -> hpo_core::Result<Option<u64>> {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if at != lines.len() as u64 {
            return Ok(None);
        }
        lines.push(record.to_owned());
        Ok(Some(lines.len() as u64))
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// Replays `data` as a journal: every study is found again by its name, every trial by its id,
/// trial numbers count from 0 in order; then a study is created, and a fresh replay of the log
/// (the input plus that record) finds it too.
pub fn journal(data: &[u8]) {
    let storage = JournalStorage::new(MemoryBackend::from_bytes(data))
        .expect("replaying an in-memory journal never fails: bad records are skipped");
    let studies = storage.get_all_studies().expect("listing studies");
    for study in &studies {
        assert_eq!(
            storage.get_study_id_from_name(&study.name).ok(),
            Some(study.study_id),
            "study `{}` is not found by its name",
            study.name
        );
        let trials = storage
            .get_all_trials(study.study_id, None)
            .expect("listing the trials of a listed study");
        for (i, trial) in trials.iter().enumerate() {
            assert_eq!(
                trial.number, i as u64,
                "trial numbers count from 0 in order"
            );
            let again = storage
                .get_trial(trial.trial_id)
                .expect("a listed trial is found by its id");
            assert_eq!(again.number, trial.number);
        }
    }
    let mut probe = String::from("fuzz-probe");
    while studies.iter().any(|s| s.name == probe) {
        probe.push('+');
    }
    storage
        .create_new_study(&[StudyDirection::Minimize], &probe)
        .expect("creating a study with a new name");
    let fresh = JournalStorage::new(MemoryBackend {
        lines: Mutex::new(storage.backend().lines()),
    })
    .expect("replaying again");
    assert!(
        fresh.get_study_id_from_name(&probe).is_ok(),
        "the study just written is not in a fresh replay of the log"
    );
    assert_eq!(
        fresh
            .get_all_studies()
            .expect("listing studies again")
            .len(),
        studies.len() + 1,
        "a fresh replay has the studies of the first plus the new one"
    );
}

/// Parses `data` (when it is UTF-8) as a storage URL, never opening it: a URL that parses has a
/// canonical form ([`StorageUrl::url`]) that parses back to the same value.
pub fn storage_url(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(url) = StorageUrl::parse(text) else {
        return;
    };
    let canonical = url.url();
    let again = StorageUrl::parse(&canonical).unwrap_or_else(|e| {
        panic!("{text:?} parses to {url:?}, whose canonical URL {canonical:?} fails: {e}")
    });
    assert_eq!(
        again, url,
        "{text:?}: the canonical URL {canonical:?} parses to another value"
    );
    // Showing a URL (password masked) never fails either.
    let _ = url.shown();
}

/// Parses `data` (when it is UTF-8) as a distribution's JSON: a distribution that parses writes
/// JSON that parses back to the same distribution, and writes it again byte for byte.
pub fn distribution_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dist) = Distribution::from_json(text) else {
        return;
    };
    let json = dist.to_json();
    let again = Distribution::from_json(&json)
        .unwrap_or_else(|e| panic!("{text:?} parses, but its JSON {json:?} does not: {e}"));
    assert_eq!(
        again, dist,
        "{text:?}: {json:?} parses to another distribution"
    );
    assert_eq!(again.to_json(), json, "{text:?}: the JSON is not stable");
}

/// Parses `data` (when it is UTF-8) as a search space (`hpo ask --search-space`): every
/// distribution of a space that parses round-trips through its JSON, and the space written back
/// as an object of those JSONs parses to the same space, in the same order.
pub fn search_space_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(space) = param_space_from_json(text) else {
        return;
    };
    let mut object = serde_json::Map::new();
    for (name, dist) in &space {
        // A categorical with a non-finite choice writes Python's bare `NaN` / `Infinity`, which
        // plain JSON (what --search-space reads) cannot hold; `distribution_json` covers its
        // round trip.
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&dist.to_json()) else {
            return;
        };
        object.insert(name.clone(), value);
    }
    let written = serde_json::Value::Object(object).to_string();
    let again = param_space_from_json(&written)
        .unwrap_or_else(|e| panic!("{text:?} parses, but written back as {written:?} fails: {e}"));
    assert!(
        again.len() == space.len() && again.iter().eq(space.iter()),
        "{text:?}: written back as {written:?}, it parses to another space"
    );
}
