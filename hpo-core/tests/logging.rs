//! The line logged per finished trial, in Optuna's words.

use std::io::Write;
use std::sync::{Arc, Mutex};

use hpo_core::{RandomSampler, Study, TrialError};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn one_line_per_finished_trial() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let study = Study::builder()
            .sampler(RandomSampler::with_seed(0))
            .build()
            .unwrap();
        study
            .optimize(3, |trial| {
                let x = trial.suggest_float("x", 1.0, 1.0)?;
                let o = trial.suggest_categorical("opt", &["adam"])?;
                match trial.number() {
                    0 => Ok(x),
                    1 => Err(TrialError::msg("broken")),
                    _ => {
                        assert_eq!(o, "adam");
                        Err(TrialError::Pruned)
                    }
                }
            })
            .unwrap();
    });
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains(
            "Trial 0 finished with value: 1.0 and parameters: {'x': 1.0, 'opt': 'adam'}. \
             Best is trial 0 with value: 1.0."
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Trial 1 failed with parameters: {'x': 1.0, 'opt': 'adam'} because of the following \
             error: broken"
        ),
        "{text}"
    );
    assert!(text.contains("Trial 2 pruned."), "{text}");
}
