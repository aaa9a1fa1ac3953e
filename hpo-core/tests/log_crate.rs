//! A program that logs through the `log` crate (env_logger and friends) gets hpo's lines there,
//! with no hpo-specific setup, and none on stderr. Its own test binary: the `log` logger is
//! process-wide.

use std::sync::Mutex;

use hpo_core::{OptimizeOptions, RandomSampler, TrialError};

#[path = "support/trials.rs"]
mod trials;
use trials::sampled_study;

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Collect;

impl log::Log for Collect {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        RECORDS.lock().unwrap().push(format!(
            "{} {}: {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

#[path = "support/buffer.rs"]
mod buffer;
use buffer::Buffer;

#[test]
fn lines_reach_a_log_logger_and_not_stderr() {
    log::set_logger(&Collect).unwrap();
    log::set_max_level(log::LevelFilter::Info);
    let direct = Buffer::default();
    hpo_core::logging::set_output(direct.clone());
    hpo_core::logging::set_verbosity(hpo_core::logging::Verbosity::Info);
    let study = sampled_study(RandomSampler::with_seed(0));
    study
        .optimize_with(OptimizeOptions::new().n_trials(2).catch(true), |trial| {
            let x = trial.suggest_float("x", 0.0, 1.0)?;
            if trial.number() == 1 {
                return Err(TrialError::msg("broken"));
            }
            Ok(x)
        })
        .unwrap();
    let records = RECORDS.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("INFO hpo: Trial 0 finished with value")),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("WARN hpo: Trial 1 failed") && r.ends_with("broken")),
        "{records:?}"
    );
    assert!(
        direct.0.lock().unwrap().is_empty(),
        "the default handler printed too"
    );
}
