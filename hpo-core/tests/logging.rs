//! hpo's own log lines: Optuna's words and format, verbosity, the default handler and
//! propagation into `tracing`.
//!
//! The logging switches are process-wide, so the tests of this file take turns.

use std::sync::Mutex;

use hpo_core::logging::{self, Verbosity};
use hpo_core::{OptimizeOptions, RandomSampler, TrialError};

#[path = "support/trials.rs"]
mod trials;
use trials::sampled_study;

static TURN: Mutex<()> = Mutex::new(());

#[path = "support/buffer.rs"]
mod buffer;
use buffer::Buffer;

/// Three trials: Complete, Fail (the objective's error), Pruned; the loop goes on (`catch`).
fn three_trials() {
    let study = sampled_study(RandomSampler::with_seed(0));
    study
        .optimize_with(OptimizeOptions::new().n_trials(3).catch(true), |trial| {
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
}

/// Runs `f` with the default handler writing into a buffer at `verbosity`, then restores.
fn captured(verbosity: Verbosity, f: impl FnOnce()) -> String {
    let buffer = Buffer::default();
    logging::set_output(buffer.clone());
    logging::enable_default_handler();
    logging::disable_propagation();
    logging::set_verbosity(verbosity);
    f();
    logging::reset_output();
    logging::set_verbosity(Verbosity::Info);
    buffer.text()
}

#[test]
fn one_line_per_finished_trial_in_optunas_format() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let text = captured(Verbosity::Info, three_trials);
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
    assert!(
        text.contains("A new study created with name: no-name-"),
        "{text}"
    );
    // Every line has Optuna's header: `[I 2026-12-06 07:20:30,123] `.
    for line in text.lines() {
        let header = line.get(..27).unwrap_or_default();
        let bytes = header.as_bytes();
        assert!(
            bytes.len() == 27
                && bytes[0] == b'['
                && b"IWEDC".contains(&bytes[1])
                && bytes[2] == b' '
                && bytes[7] == b'-'
                && bytes[13] == b' '
                && bytes[22] == b','
                && bytes[26] == b']',
            "{line}"
        );
    }
    assert!(
        !text.contains('\x1b'),
        "escape sequences in captured output: {text:?}"
    );
}

#[test]
fn verbosity_warning_keeps_only_the_failure() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let text = captured(Verbosity::Warning, three_trials);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("[W "), "{text}");
    assert!(text.contains("Trial 1 failed"), "{text}");
    let silent = captured(Verbosity::Error, three_trials);
    assert_eq!(silent, "");
}

#[test]
fn a_disabled_handler_prints_nothing() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let buffer = Buffer::default();
    logging::set_output(buffer.clone());
    logging::disable_default_handler();
    logging::disable_propagation();
    three_trials();
    logging::enable_default_handler();
    logging::reset_output();
    assert_eq!(buffer.text(), "");
}

#[test]
fn propagation_hands_lines_to_tracing() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    let direct = Buffer::default();
    logging::set_output(direct.clone());
    logging::disable_default_handler();
    logging::enable_propagation();
    // INFO lines are asked for here: the level otherwise comes from HPO_VERBOSITY (CI sets
    // `warning`) or from whichever test of this file ran before.
    logging::set_verbosity(Verbosity::Info);
    tracing::subscriber::with_default(subscriber, three_trials);
    logging::disable_propagation();
    logging::enable_default_handler();
    logging::reset_output();
    let text = buffer.text();
    assert!(text.contains("WARN hpo: Trial 1 failed"), "{text}");
    assert!(
        text.contains("INFO hpo: Trial 0 finished with value: 1.0"),
        "{text}"
    );
    assert_eq!(direct.text(), "", "the default handler was off");
}
