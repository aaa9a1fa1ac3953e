//! Saving the best trial's weights.

use std::path::{Path, PathBuf};

use hpo::{StudyDirection, Trial};
use parking_lot::Mutex;
use tch::nn::VarStore;

/// Saves a trial's weights when its value beats every value seen so far, and records the file
/// in the trial's `checkpoint` user attribute (so `study.best_trial()?.user_attrs["checkpoint"]`
/// names the best model's file).
#[derive(Debug)]
pub struct Checkpointer {
    dir: PathBuf,
    direction: StudyDirection,
    best: Mutex<Option<f64>>,
}

impl Checkpointer {
    /// Checkpoints go to `dir` (created when needed) as `trial_<number>.safetensors`.
    pub fn new(dir: impl AsRef<Path>, direction: StudyDirection) -> std::io::Result<Checkpointer> {
        std::fs::create_dir_all(dir.as_ref())?;
        Ok(Checkpointer {
            dir: dir.as_ref().to_owned(),
            direction,
            best: Mutex::new(None),
        })
    }

    /// Saves `vs` if `value` is the best so far; returns the file when it did.
    pub fn save_if_best(
        &self,
        trial: &mut Trial,
        vs: &VarStore,
        value: f64,
    ) -> hpo::Result<Option<PathBuf>> {
        {
            let mut best = self.best.lock();
            if value.is_nan() || best.is_some_and(|b| !self.direction.is_better(value, b)) {
                return Ok(None);
            }
            *best = Some(value);
        }
        let path = self
            .dir
            .join(format!("trial_{}.safetensors", trial.number()));
        vs.save(&path)
            .map_err(|e| hpo::Error::Storage(format!("saving {}: {e}", path.display())))?;
        trial.set_user_attr("checkpoint", path.display().to_string())?;
        Ok(Some(path))
    }
}
