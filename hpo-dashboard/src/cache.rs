//! [`FigureCache`]: drawn figures kept while their study does not change, so that reloading a
//! page of a big study costs a storage read and a stamp, not a redraw.

use std::collections::HashMap;
use std::sync::Arc;

use hpo_core::storage::StudyId;

/// The most bytes of figures kept (the least recently used go first).
const MAX_BYTES: usize = 32 << 20;
/// The most figures kept.
const MAX_ENTRIES: usize = 256;

/// One figure: the stamp of the study it was drawn from, the fragment, and when it was last
/// used.
struct Entry {
    stamp: String,
    body: Arc<str>,
    used: u64,
}

/// Figures by (study, what was asked: kind and settings), valid while the study's stamp is the
/// one they were drawn at.
#[derive(Default)]
pub(crate) struct FigureCache {
    entries: HashMap<(StudyId, String), Entry>,
    bytes: usize,
    clock: u64,
}

impl FigureCache {
    /// The figure asked as `key` of `study`, if it was drawn at `stamp`.
    pub fn get(&mut self, study: StudyId, key: &str, stamp: &str) -> Option<Arc<str>> {
        self.clock += 1;
        let clock = self.clock;
        let e = self.entries.get_mut(&(study, key.to_owned()))?;
        if e.stamp != stamp {
            return None;
        }
        e.used = clock;
        Some(e.body.clone())
    }

    /// Keeps `body`, drawn at `stamp`, evicting the least recently used figures beyond the
    /// limits.
    pub fn put(&mut self, study: StudyId, key: &str, stamp: &str, body: Arc<str>) {
        self.clock += 1;
        if body.len() > MAX_BYTES / 4 {
            return;
        }
        self.bytes += body.len();
        let old = self.entries.insert(
            (study, key.to_owned()),
            Entry {
                stamp: stamp.to_owned(),
                body,
                used: self.clock,
            },
        );
        if let Some(old) = old {
            self.bytes -= old.body.len();
        }
        while self.bytes > MAX_BYTES || self.entries.len() > MAX_ENTRIES {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.bytes -= e.body.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_kept_per_stamp_and_the_least_recent_go_first() {
        let mut c = FigureCache::default();
        c.put(1, "history", "s1", Arc::from("a"));
        assert_eq!(c.get(1, "history", "s1").as_deref(), Some("a"));
        assert_eq!(c.get(1, "history", "s2"), None, "the study changed");
        assert_eq!(c.get(2, "history", "s1"), None, "another study");
        c.put(1, "history", "s2", Arc::from("b"));
        assert_eq!(c.get(1, "history", "s2").as_deref(), Some("b"));
        assert_eq!(c.bytes, 1);
        for i in 0..MAX_ENTRIES + 10 {
            c.put(3, &format!("k{i}"), "s", Arc::from("x"));
        }
        assert_eq!(c.entries.len(), MAX_ENTRIES);
        assert_eq!(c.get(1, "history", "s2"), None, "evicted first");
        assert!(c.get(3, &format!("k{}", MAX_ENTRIES + 9), "s").is_some());
    }
}
